//! Studio portrait lighting, fixed relative to the camera so a face is lit
//! the same way from any viewpoint: a soft key light 35° to the side and
//! above, a weaker fill from the other side, a rim light from behind that
//! separates hair and shoulders from the background, and a sky/ground
//! hemisphere so that no surface goes pure black.

use glam::{Mat4, Quat, Vec3};

use super::camera::Camera;
use super::shadow_proxy::SHADOW_PROXY_ERROR_M;
use super::uniforms::FrameUniforms;

/// Direction from the subject towards a light placed `azimuth` radians to the
/// camera's right (negative: left) of the subject→camera line and `elevation`
/// radians above it.
fn light_direction(camera: &Camera, azimuth: f32, elevation: f32) -> Vec3 {
    let to_camera = (camera.eye - camera.target).normalize_or(Vec3::Z);
    let up = camera.up.normalize_or(Vec3::Y);
    let right = up.cross(to_camera).normalize_or(Vec3::X);
    let around_up = Quat::from_axis_angle(up, azimuth);
    let tilt_axis = around_up * right;
    let tilted = Quat::from_axis_angle(tilt_axis, -elevation) * (around_up * to_camera);
    tilted.normalize_or(to_camera)
}

/// Side of the key light's square shadow map, texels. About 2 mm per texel
/// on a head-and-shoulders frame: with the shader's 3×3-texel tent filter
/// that is a ~6 mm penumbra, the soft edge of a softbox key. Sharper maps
/// looked harsh, made nose shadows flicker across the lips as the head moves
/// (which tests/spine_mp4.rs measures as mouth motion) and cost more on
/// lavapipe.
pub const SHADOW_MAP_SIZE: u32 = 256;

/// Orthographic view from the key light covering what the camera frames
/// (the view's width and height at the target's distance, with margin),
/// and ±2 m in depth. Returns the matrix and the side of the covered
/// square in metres.
fn key_light_clip_from_world(camera: &Camera, aspect: f32, to_light: Vec3) -> (Mat4, f32) {
    let distance = camera.eye.distance(camera.target).max(1e-3);
    let frame_height = 2.0 * distance * (0.5 * camera.fov_y_radians).tan();
    let half_side = 0.6 * frame_height * aspect.max(1.0);
    let depth_range = 2.0;
    let up = if to_light.cross(camera.up).length_squared() > 1e-6 {
        camera.up
    } else {
        Vec3::Z
    };
    let light_from_world =
        Mat4::look_at_rh(camera.target + to_light * depth_range, camera.target, up);
    let projection = Mat4::orthographic_rh(
        -half_side,
        half_side,
        -half_side,
        half_side,
        0.0,
        2.0 * depth_range,
    );
    (projection * light_from_world, 2.0 * half_side)
}

fn vec4(v: Vec3, w: f32) -> [f32; 4] {
    [v.x, v.y, v.z, w]
}

/// Frame uniforms for `camera` at this aspect ratio (width / height).
/// `alpha_to_coverage` is set when rendering with MSAA.
pub fn frame_uniforms(camera: &Camera, aspect: f32, alpha_to_coverage: bool) -> FrameUniforms {
    let clip_from_world = camera.clip_from_world(aspect);
    let up = camera.up.normalize_or(Vec3::Y);
    // Radiances are linear RGB; a white Lambert surface facing the key gets
    // ~1.0 before tone mapping. Warm key, slightly cool fill and sky: the
    // usual studio contrast that keeps skin from looking grey. Key to fill
    // about 3:1, the soft, open light of a friendly service portrait (at
    // 4-5:1 the jaw printed a hard dark wedge on the neck).
    let key = light_direction(camera, 35f32.to_radians(), 30f32.to_radians());
    let fill = light_direction(camera, -40f32.to_radians(), 10f32.to_radians());
    // From behind and above, on the side opposite the key.
    let rim = light_direction(camera, -150f32.to_radians(), 35f32.to_radians());
    let (light_clip_from_world, shadow_side_metres) =
        key_light_clip_from_world(camera, aspect, key);
    let texel_metres = shadow_side_metres / SHADOW_MAP_SIZE as f32;
    FrameUniforms {
        clip_from_world: clip_from_world.to_cols_array_2d(),
        camera_position: vec4(camera.eye, 1.0),
        world_up: vec4(up, 0.0),
        key_direction: vec4(key, 0.0),
        key_radiance: [1.3, 1.24, 1.16, 0.0],
        fill_direction: vec4(fill, 0.0),
        fill_radiance: [0.40, 0.42, 0.46, 0.0],
        rim_direction: vec4(rim, 0.0),
        rim_radiance: [0.55, 0.55, 0.6, 0.0],
        sky_radiance: [0.25, 0.26, 0.28, 0.0],
        ground_radiance: [0.09, 0.08, 0.075, 0.0],
        light_clip_from_world: light_clip_from_world.to_cols_array_2d(),
        // Offsetting along the normal by a texel hides shadow acne without
        // detaching shadows from their casters. Close up a texel is smaller
        // than the shadow proxy's deviation from the mesh, and where the
        // proxy's coarser triangles stand in front of a concave surface
        // (beside the nose, the nasolabial fold) they would print dark
        // specks on it; twice that deviation clears them.
        shadow_params: [
            1.0 / SHADOW_MAP_SIZE as f32,
            texel_metres.max(2.0 * SHADOW_PROXY_ERROR_M),
            1.0,
            0.0,
        ],
        options: [alpha_to_coverage as u32 as f32, 0.0, 0.0, 0.0],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn front_camera() -> Camera {
        Camera {
            eye: Vec3::new(0.0, 0.0, 2.0),
            target: Vec3::ZERO,
            up: Vec3::Y,
            fov_y_radians: 0.5,
            near: 0.1,
            far: 10.0,
        }
    }

    #[test]
    fn key_light_is_above_and_to_the_side_of_the_camera() {
        let d = light_direction(&front_camera(), 35f32.to_radians(), 30f32.to_radians());
        assert!((d.length() - 1.0).abs() < 1e-5);
        assert!(d.y > 0.45 && d.y < 0.55, "30° up: {d}");
        assert!(d.x > 0.4, "to the camera's right: {d}");
        assert!(d.z > 0.6, "in front of the subject: {d}");
    }

    #[test]
    fn shadow_map_covers_the_framed_target() {
        let camera = front_camera();
        let key = light_direction(&camera, 35f32.to_radians(), 30f32.to_radians());
        let (m, side) = key_light_clip_from_world(&camera, 1.0, key);
        let center = m.project_point3(camera.target);
        assert!(center.x.abs() < 1e-5 && center.y.abs() < 1e-5);
        assert!((0.0..1.0).contains(&center.z));
        // The frame is 2 × tan(0.25) × 2 m ≈ 1.02 m high at the target.
        assert!(side > 1.0 && side < 2.0, "{side}");
    }

    #[test]
    fn close_ups_offset_receivers_past_the_shadow_proxy() {
        let mut camera = front_camera();
        camera.eye = Vec3::new(0.0, 0.0, 0.15);
        let close = frame_uniforms(&camera, 1.0, false).shadow_params[1];
        assert!(close >= 2.0 * SHADOW_PROXY_ERROR_M, "{close}");
        // Far away a texel is larger than that and the offset follows it.
        let far = frame_uniforms(&front_camera(), 1.0, false).shadow_params[1];
        assert!(far > close, "{far} vs {close}");
    }

    #[test]
    fn rim_light_is_behind_the_subject() {
        let d = light_direction(&front_camera(), -150f32.to_radians(), 35f32.to_radians());
        assert!(d.z < -0.5, "behind: {d}");
        assert!(d.y > 0.5, "above: {d}");
    }
}
