//! Audio-only lip-sync: viseme estimates from the sound alone, for speech
//! that comes with no phoneme timing (a human operator, a cloud TTS, any
//! language).
//!
//! - [`mfcc`]: 12 mel-cepstral coefficients per 32 ms block at 16 kHz;
//! - [`features`]: the streaming front end, 48 kHz chunks → a frame per 16 ms;
//! - [`model`]: Gaussian viseme prototypes (headaudio's model file, MIT,
//!   fetched by `scripts/fetch-lipsync.sh`), nearest by Mahalanobis distance;
//! - [`estimator`]: [`AudioVisemeEstimator`], causal with a 64 ms look-ahead;
//! - [`timeline`]: a whole utterance → a smoothed [`VisemeTimeline`](crate::visemes::VisemeTimeline).
//!
//! The algorithm follows headaudio 0.1.0 by Mika Suominen (MIT), written
//! anew in Rust from its published parameters; see THIRD_PARTY.md.

pub mod estimator;
pub mod features;
pub mod mfcc;
pub mod model;
pub mod timeline;

use std::path::PathBuf;

pub use estimator::{AudioVisemeEstimator, EstimatorSettings, VisemeFrame};
pub use mfcc::MfccFrame;
pub use model::VisemeModel;
pub use timeline::{estimate_frames, timeline_from_pcm};

/// Why the audio lip-sync model could not be used.
#[derive(Debug, thiserror::Error)]
pub enum AudioVisemeError {
    #[error(
        "the audio lip-sync model is missing; run scripts/fetch-lipsync.sh (or set \
         AVATARCAST_LIPSYNC_MODEL to the file): {path:?}"
    )]
    ModelMissing { path: PathBuf },
    #[error("cannot read the audio lip-sync model ({source}); check its permissions: {path:?}")]
    ModelRead {
        source: std::io::Error,
        path: PathBuf,
    },
    #[error(
        "the audio lip-sync model is not valid ({reason}); delete it and run \
         scripts/fetch-lipsync.sh again: {path:?}"
    )]
    ModelInvalid { reason: String, path: PathBuf },
}
