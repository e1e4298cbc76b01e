//! Studio portrait lighting, fixed relative to the camera so a face is lit
//! the same way from any viewpoint: a soft key light 35° to the side and
//! above, a weaker fill from the other side, a rim light from behind that
//! separates hair and shoulders from the background, and a sky/ground
//! hemisphere so that no surface goes pure black.

use glam::{Quat, Vec3};

use super::camera::Camera;
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

fn vec4(v: Vec3, w: f32) -> [f32; 4] {
    [v.x, v.y, v.z, w]
}

/// Frame uniforms for `camera` at this aspect ratio (width / height).
pub fn frame_uniforms(camera: &Camera, aspect: f32) -> FrameUniforms {
    let clip_from_world = camera.clip_from_world(aspect);
    let up = camera.up.normalize_or(Vec3::Y);
    // Radiances are linear RGB; a white Lambert surface facing the key gets
    // ~1.0 before tone mapping. Warm key, slightly cool fill and sky: the
    // usual studio contrast that keeps skin from looking grey.
    let key = light_direction(camera, 35f32.to_radians(), 30f32.to_radians());
    let fill = light_direction(camera, -40f32.to_radians(), 10f32.to_radians());
    // From behind and above, on the side opposite the key.
    let rim = light_direction(camera, -150f32.to_radians(), 35f32.to_radians());
    FrameUniforms {
        clip_from_world: clip_from_world.to_cols_array_2d(),
        camera_position: vec4(camera.eye, 1.0),
        world_up: vec4(up, 0.0),
        key_direction: vec4(key, 0.0),
        key_radiance: [1.3, 1.24, 1.16, 0.0],
        fill_direction: vec4(fill, 0.0),
        fill_radiance: [0.26, 0.28, 0.32, 0.0],
        rim_direction: vec4(rim, 0.0),
        rim_radiance: [0.55, 0.55, 0.6, 0.0],
        sky_radiance: [0.22, 0.24, 0.27, 0.0],
        ground_radiance: [0.09, 0.08, 0.075, 0.0],
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
    fn rim_light_is_behind_the_subject() {
        let d = light_direction(&front_camera(), -150f32.to_radians(), 35f32.to_radians());
        assert!(d.z < -0.5, "behind: {d}");
        assert!(d.y > 0.5, "above: {d}");
    }
}
