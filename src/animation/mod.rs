//! Stage 3: viseme timeline + dialog cues → a pose for any instant on the
//! audio clock. No I/O, no wall clock, no wgpu; same inputs and seed give the
//! same poses.

mod pose;

pub use pose::{AvatarPose, FacePose};
