//! The virtual camera and the video-call portrait framing.

use glam::{Mat4, Quat, Vec3};

use crate::avatar::Framing;

/// A perspective camera (right-handed, looking from `eye` at `target`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Camera {
    pub eye: Vec3,
    pub target: Vec3,
    pub up: Vec3,
    pub fov_y_radians: f32,
    pub near: f32,
    pub far: f32,
}

/// Vertical field of view of the portrait camera: about a 50 mm lens on full
/// frame, long enough that noses do not bulge like on a phone's selfie camera.
const PORTRAIT_FOV_Y_RADIANS: f32 = 0.45;
/// Space above the crown as a fraction of the frame height.
const HEADROOM_FRACTION: f32 = 0.08;
/// Where the eyes sit, as a fraction of the frame height from the top.
const EYE_LINE_FRACTION: f32 = 0.40;

impl Camera {
    /// Head and shoulders, like a video call: the crown just under the top
    /// edge, the eyes 40 % down, the shoulders cut by the bottom edge. `yaw`
    /// turns the camera around the head's vertical axis (0 = front, 0.6 ≈
    /// three-quarter, positive towards the avatar's left). Wider aspects keep
    /// the same height and show more background; narrow ones widen the view
    /// so the head still fits.
    pub fn portrait(framing: &Framing, aspect: f32, yaw_radians: f32) -> Camera {
        let up = framing.up.normalize_or(Vec3::Y);
        let forward = framing.forward.normalize_or(Vec3::Z);
        let head_radius = framing.head_radius.max(0.01);
        let aspect = if aspect.is_finite() && aspect > 0.0 {
            aspect
        } else {
            1.0
        };

        // `head_center` is at eye height, the crown one head radius above it.
        // crown + headroom = eye line, measured from the top:
        // (EYE_LINE - HEADROOM) * height = head_radius.
        let nominal_height = head_radius / (EYE_LINE_FRACTION - HEADROOM_FRACTION);
        // The head and a bit of shoulder must fit across a narrow frame.
        let min_width = 3.2 * head_radius;
        let frame_height = nominal_height.max(min_width / aspect);

        let eye_level = framing.head_center;
        // The frame centre is (0.5 - EYE_LINE) of the height below the eyes.
        let frame_center = eye_level - up * ((0.5 - EYE_LINE_FRACTION) * frame_height);
        let distance = 0.5 * frame_height / (0.5 * PORTRAIT_FOV_Y_RADIANS).tan();
        let view_direction = Quat::from_axis_angle(up, yaw_radians) * forward;
        Camera {
            // Level with the frame centre so verticals stay vertical.
            eye: frame_center + view_direction * distance,
            target: frame_center,
            up,
            fov_y_radians: PORTRAIT_FOV_Y_RADIANS,
            near: (distance * 0.1).max(0.01),
            far: distance * 10.0 + 10.0,
        }
    }

    pub fn view_from_world(&self) -> Mat4 {
        Mat4::look_at_rh(self.eye, self.target, self.up)
    }

    /// Projection × view, wgpu clip space (depth 0..1).
    pub fn clip_from_world(&self, aspect: f32) -> Mat4 {
        Mat4::perspective_rh(self.fov_y_radians, aspect, self.near, self.far)
            * self.view_from_world()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framing() -> Framing {
        Framing {
            head_center: Vec3::new(0.0, 1.55, 0.02),
            head_radius: 0.12,
            shoulder_center: Vec3::new(0.0, 1.40, 0.0),
            shoulder_width: 0.36,
            forward: Vec3::Z,
            up: Vec3::Y,
        }
    }

    /// Fraction of the frame height from the top where `p` lands.
    fn from_top(camera: &Camera, aspect: f32, p: Vec3) -> f32 {
        let clip = camera.clip_from_world(aspect) * p.extend(1.0);
        0.5 - 0.5 * clip.y / clip.w
    }

    #[test]
    fn portrait_puts_eyes_at_forty_percent_and_crown_near_the_top() {
        let f = framing();
        for aspect in [1.0, 16.0 / 9.0] {
            for yaw in [0.0, 0.6] {
                let camera = Camera::portrait(&f, aspect, yaw);
                let eyes = from_top(&camera, aspect, f.head_center);
                assert!((0.38..=0.42).contains(&eyes), "eyes at {eyes}");
                let crown = from_top(&camera, aspect, f.head_center + Vec3::Y * f.head_radius);
                assert!((0.03..=0.15).contains(&crown), "crown at {crown}");
                let shoulders = from_top(&camera, aspect, f.shoulder_center);
                assert!(
                    (0.6..=1.05).contains(&shoulders),
                    "shoulders at {shoulders}"
                );
            }
        }
    }

    #[test]
    fn three_quarter_view_orbits_around_the_head() {
        let f = framing();
        let front = Camera::portrait(&f, 1.0, 0.0);
        let turned = Camera::portrait(&f, 1.0, 0.6);
        assert!(front.eye.z > 0.5 && front.eye.x.abs() < 1e-5);
        assert!(turned.eye.x > 0.2, "{:?}", turned.eye);
        assert!(
            (front.eye.distance(front.target) - turned.eye.distance(turned.target)).abs() < 1e-4
        );
    }

    #[test]
    fn narrow_frames_widen_to_fit_the_head() {
        let f = framing();
        let aspect = 9.0 / 16.0;
        let camera = Camera::portrait(&f, aspect, 0.0);
        let clip =
            camera.clip_from_world(aspect) * (f.head_center + Vec3::X * f.head_radius).extend(1.0);
        assert!(clip.x / clip.w < 0.8, "head side at x {}", clip.x / clip.w);
    }
}
