//! Stage 3: viseme timeline + dialog cues → a pose for any instant on the
//! audio clock. No I/O, no wall clock, no wgpu; same inputs and seed give the
//! same poses.
//!
//! - [`Animator`] turns pushed [`VisemeTimeline`](crate::visemes::VisemeTimeline)s
//!   and seeded idle behaviour into a [`FacePose`] for any `SampleTime`.
//! - [`PoseMapper`] resolves a `FacePose` onto one avatar's morph targets and
//!   bones ([`AvatarPose`]); it is the one place that knows Oculus, ARKit and
//!   VRM names.

mod animator;
mod blink;
mod clip_player;
mod compose;
mod config;
mod expression;
mod eyes;
mod idle;
mod mapping;
mod noise;
mod params;
mod pose;
mod presence;
mod viseme_track;

pub use animator::{ActivityState, Animator};
pub use blink::BlinkScheduler;
pub use clip_player::ClipPlayer;
pub use config::AnimationTable;
pub use expression::{ExpressionSample, ExpressionTrack, FacialExpression};
pub use eyes::EyeLife;
pub use idle::{BodyPose, Gaze, IdleMotion};
pub use mapping::{MouthSource, PoseMapper};
pub use params::AnimationParams;
pub use pose::{AvatarPose, FacePose};
pub use presence::{PresenceSample, PresenceState, PresenceTrack};
pub use viseme_track::{TrackSample, VisemeTrack};

/// Errors of the animation stage.
#[derive(Debug, thiserror::Error)]
pub enum AnimationError {
    #[error(
        "avatar has no mouth morph targets (looked for Oculus `viseme_aa`.., ARKit `jawOpen`.. and VRM \
         expressions `aa`/`A`..); use an avatar with viseme or ARKit blend shapes: {avatar}"
    )]
    NoMouthMorphs { avatar: String },
    #[error(
        "bad animation setting: {reason}; fix the value or remove the key to use the default: {}",
        path.display()
    )]
    Config {
        reason: String,
        path: std::path::PathBuf,
    },
}
