//! Audio-only lip-sync: viseme estimates from the sound alone, for speech
//! that comes with no phoneme timing (a human operator, a cloud TTS, any
//! language).
//!
//! - [`mfcc`]: 12 mel-cepstral coefficients per 32 ms block at 16 kHz;
//! - [`features`]: the streaming front end, 48 kHz chunks → a frame per 16 ms;
//! - [`linear`]: avatarcast's own classifier (built in), linear
//!   discriminants over a few frames' cepstra and loudness, trained on
//!   espeak-ng speech by `examples/train_lipsync.rs`;
//! - [`model`]: which model: the built-in one, or headaudio's Gaussian
//!   prototypes (MIT, fetched by `scripts/fetch-lipsync.sh`; weaker on
//!   synthetic speech, kept for comparison and for natural voices);
//! - [`estimator`]: [`AudioVisemeEstimator`], causal, 64.5 ms look-ahead with the built-in model;
//! - [`timeline`]: a whole utterance → a smoothed [`VisemeTimeline`](crate::visemes::VisemeTimeline).
//!
//! The front end follows headaudio 0.1.0 by Mika Suominen (MIT), written
//! anew in Rust from its published parameters; see THIRD_PARTY.md.

pub mod estimator;
pub mod features;
pub mod linear;
pub mod mfcc;
pub mod model;
pub mod timeline;

use std::path::PathBuf;

pub use estimator::{AudioVisemeEstimator, EstimatorSettings, VisemeFrame};
pub use linear::LinearModel;
pub use mfcc::MfccFrame;
pub use model::{PrototypeModel, VisemeModel};
pub use timeline::{estimate_frames, timeline_from_pcm};

/// Why the audio lip-sync model could not be used.
#[derive(Debug, thiserror::Error)]
pub enum AudioVisemeError {
    #[error(
        "the audio lip-sync model file is missing; check AVATARCAST_LIPSYNC_MODEL, or run \
         scripts/fetch-lipsync.sh for headaudio's model: {path:?}"
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
