//! The engine: wires speech → visemes → animation → render into one
//! performer that every sink drives (MP4 file now; WebRTC stream and kiosk
//! window reuse it unchanged). It owns no clock: callers say which
//! [`SampleTime`](crate::clock::SampleTime) each frame shows.

mod avatar_source;
mod file_job;
mod live;
mod performer;
mod presence;
mod script;
mod wav;

pub use avatar_source::{AvatarSource, RoleInfo, avatar_dirs, default_role_id, resolve_avatar};
pub use file_job::{AudioInput, FileJob, FileSummary, Progress, render_file};
pub use live::{LiveDriver, LiveEvent, LiveOutput, LiveSettings, LiveState, TYPING_HOLD};
pub use performer::{Performer, PerformerSettings, ScheduledUtterance};
pub use presence::{SentenceTags, strip_tags};
pub use script::split_sentences;
pub use wav::{WavAudio, WavError, decode_wav, encode_wav_i16, read_wav};

/// Errors of the engine: which stage failed, with that stage's message.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("speech: {0}")]
    Speech(#[from] crate::speech::SpeechError),
    #[error("avatar: {0}")]
    Avatar(#[from] crate::avatar::AvatarError),
    #[error("animation: {0}")]
    Animation(#[from] crate::animation::AnimationError),
    #[error("render: {0}")]
    Render(#[from] crate::render::RenderError),
    #[error("MP4 output: {0}")]
    Sink(#[from] crate::sink::SinkError),
    #[error("audio input: {0}")]
    Wav(#[from] WavError),
    #[error("viseme file: {0}")]
    Visemes(#[from] crate::visemes::external::ExternalVisemeError),
    #[error("audio lip-sync: {0}")]
    LipSync(#[from] crate::visemes::audio::AudioVisemeError),
    #[error("{0}")]
    Input(String),
    #[error("could not write {what}: {source}: {path}")]
    Write {
        what: &'static str,
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}
