//! What the animation stage produces for one instant, in two forms:
//! [`FacePose`] speaks the standards' vocabulary (Oculus visemes, ARKit
//! channels, bone rotations) and knows no avatar; [`AvatarPose`] is the same
//! pose resolved onto one avatar's morph target indices and nodes, ready for
//! the renderer.

use glam::{Quat, Vec2};

use crate::visemes::Viseme;

/// An avatar-independent face and upper-body pose. All weights are in 0..=1.
#[derive(Debug, Clone, PartialEq)]
pub struct FacePose {
    /// Weight of each Oculus viseme, indexed by `Viseme as usize`.
    pub visemes: [f32; Viseme::COUNT],
    /// ARKit-named face channels other than the mouth shapes of visemes.
    pub eye_blink_left: f32,
    pub eye_blink_right: f32,
    pub brow_inner_up: f32,
    pub brow_outer_up: f32,
    pub brow_down: f32,
    pub mouth_smile: f32,
    pub mouth_frown: f32,
    pub cheek_squint: f32,
    /// Gaze direction as (yaw, pitch) in radians; +yaw looks to the avatar's
    /// left, +pitch up. Drives eye bones or ARKit `eyeLook*` morphs.
    pub gaze: Vec2,
    /// Rotations applied on top of the rest pose, in each bone's parent space.
    pub head: Quat,
    pub neck: Quat,
    pub chest: Quat,
}

impl Default for FacePose {
    fn default() -> Self {
        FacePose {
            visemes: [0.0; Viseme::COUNT],
            eye_blink_left: 0.0,
            eye_blink_right: 0.0,
            brow_inner_up: 0.0,
            brow_outer_up: 0.0,
            brow_down: 0.0,
            mouth_smile: 0.0,
            mouth_frown: 0.0,
            cheek_squint: 0.0,
            gaze: Vec2::ZERO,
            head: Quat::IDENTITY,
            neck: Quat::IDENTITY,
            chest: Quat::IDENTITY,
        }
    }
}

/// A pose resolved onto one avatar: what the renderer consumes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AvatarPose {
    /// Morph target weights per mesh, indexed like `Avatar::meshes` and each
    /// mesh's `morph_names`.
    pub morph_weights: Vec<Vec<f32>>,
    /// Local rotations that replace-multiply a node's rest rotation:
    /// `rotation = rest_rotation * delta` for `(node, delta)`.
    pub node_rotations: Vec<(usize, Quat)>,
}

impl AvatarPose {
    /// The rest pose of an avatar: its default morph weights, no bone deltas.
    pub fn rest(avatar: &crate::avatar::Avatar) -> Self {
        AvatarPose {
            morph_weights: avatar
                .meshes
                .iter()
                .map(|m| m.default_weights.clone())
                .collect(),
            node_rotations: Vec::new(),
        }
    }
}
