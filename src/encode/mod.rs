//! Encode stage: RGBA frames to H.264 (openh264) and PCM to AAC or Opus
//! (libavcodec).
//!
//! Encoders are plain state machines: no threads, no clock. Timestamps are
//! the caller's (frame index, input sample count); sinks map them to their
//! container's time bases.

pub mod annexb;
mod audio;
mod h264;
pub mod yuv;

pub use audio::{AudioCodec, AudioEncoder, EncodedAudio, audio_time_base};
pub use h264::{EncodedVideo, H264Encoder, H264Settings};

use std::sync::Once;

use ffmpeg_next as ffmpeg;

/// Initialises libav* once per process and lowers its log level to
/// warnings: at the default (info) level every AAC encoder prints its
/// average quantiser on close, which drowns the CLI's progress output.
/// An application that wants libav's chatter can raise the level afterwards.
pub(crate) fn init_libav() -> Result<(), EncodeError> {
    static QUIET: Once = Once::new();
    ffmpeg::init().map_err(|source| EncodeError::Ffmpeg {
        action: "initialise libavcodec",
        source,
    })?;
    QUIET.call_once(|| ffmpeg::util::log::set_level(ffmpeg::util::log::Level::Warning));
    Ok(())
}

/// Why encoding failed.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    #[error(
        "H.264 needs an even, non-zero width and height (4:2:0 chroma), got {width}x{height}; \
         crop or pad the render target to even dimensions"
    )]
    OddDimensions { width: u32, height: u32 },
    #[error(
        "openh264 encodes at most 3840x2160 (or 2160x3840), got {width}x{height}; render smaller"
    )]
    TooLarge { width: u32, height: u32 },
    #[error("the frame rate must be a positive ratio; check the fps setting")]
    ZeroFrameRate,
    #[error(
        "RGBA frame has {actual_bytes} bytes but {width}x{height} needs {expected_bytes} \
         (tightly packed RGBA8, no row padding); strip the readback's row padding first"
    )]
    WrongBufferSize {
        expected_bytes: usize,
        actual_bytes: usize,
        width: u32,
        height: u32,
    },
    #[error("openh264 failed: {0}")]
    OpenH264(String),
    #[error("openh264 produced no picture for frame {frame_index} (frame skipping should be off)")]
    NoPicture { frame_index: u64 },
    #[error("unknown audio codec {0:?}; use \"aac\" or \"opus\"")]
    UnknownAudioCodec(String),
    #[error(
        "the {codec} encoder `{encoder}` is missing from this libavcodec; install a FFmpeg build \
         with it (Debian's libavcodec59 has both `aac` and `libopus`)"
    )]
    CodecUnavailable {
        codec: AudioCodec,
        encoder: &'static str,
    },
    #[error("audio was fed after the encoder was finished; create a new encoder per file")]
    AudioAfterFinish,
    #[error("libavcodec could not {action}: {source}")]
    Ffmpeg {
        action: &'static str,
        #[source]
        source: ffmpeg::Error,
    },
}
