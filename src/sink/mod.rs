//! Sinks: where encoded audio and video go (an MP4 file here; WebRTC and a
//! window come later).

mod atomic_file;
mod codecpar;
pub mod mp4;

pub use mp4::{Mp4Settings, Mp4Summary, Mp4Writer};

use std::path::PathBuf;

use ffmpeg_next as ffmpeg;

use crate::encode::EncodeError;

/// Why a sink failed. Paths come last in every message.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error(
        "could not create the MP4 file ({source}); check that the directory exists and is \
         writable: {path:?}"
    )]
    Create {
        #[source]
        source: std::io::Error,
        path: PathBuf,
    },
    #[error("libavformat could not {action} ({source}): {path:?}")]
    Mux {
        action: &'static str,
        #[source]
        source: ffmpeg::Error,
        path: PathBuf,
    },
    #[error(transparent)]
    Encode(#[from] EncodeError),
    #[error(
        "video frame {frame_index} arrived after frame {previous}; frames must be written in \
         increasing order"
    )]
    FrameOrder { frame_index: u64, previous: u64 },
    #[error("the first H.264 frame has no SPS/PPS, so the MP4 avcC box cannot be written")]
    MissingParameterSets,
    #[error("no video frame was written; write at least one frame before finishing: {path:?}")]
    NoVideo { path: PathBuf },
    #[error("could not move the finished MP4 into place ({source}): {path:?}")]
    Rename {
        #[source]
        source: std::io::Error,
        path: PathBuf,
    },
}
