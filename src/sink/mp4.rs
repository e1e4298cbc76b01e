//! The MP4 file sink: H.264 from openh264 (stream-copied, no re-encode) and
//! AAC-LC or Opus from libavcodec, muxed by libavformat's `mp4` muxer.
//!
//! Timing: audio is the master clock and sample 0 of the audio is t = 0.
//! Video frame `n` is stamped `n * den / num` seconds in a 90 kHz time base
//! (exact for 24, 25, 30, 60 and 30000/1001 fps). The audio encoder's
//! priming delay is written as negative timestamps, which the muxer turns
//! into an edit list (`elst` media_time = delay), so players drop it and
//! audio sample 0 plays with frame 0. The last frame's duration is trimmed
//! or stretched so the file ends exactly when the audio does.

use std::fs;
use std::path::{Path, PathBuf};

use ffmpeg::{Dictionary, Packet, Rational};
use ffmpeg_next as ffmpeg;

use super::SinkError;
use super::atomic_file::AtomicFile;
use super::codecpar;
use crate::clock::{FrameRate, SAMPLE_RATE_HZ, SampleTime};
use crate::encode::annexb::{self, ParameterSets};
use crate::encode::{
    AudioCodec, AudioEncoder, EncodedAudio, H264Encoder, H264Settings, audio_time_base,
};

/// MP4's customary video timescale; divisible by every common frame rate.
const VIDEO_TICKS_PER_SEC: u64 = 90_000;

const VIDEO_STREAM: usize = 0;
const AUDIO_STREAM: usize = 1;

/// What the MP4 file contains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mp4Settings {
    pub width: u32,
    pub height: u32,
    pub fps: FrameRate,
    pub video_bitrate_bps: u32,
    pub audio_codec: AudioCodec,
    pub audio_bitrate_bps: u32,
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mp4Summary {
    pub path: PathBuf,
    pub video_frames: u64,
    /// Audio samples written (48 kHz).
    pub audio_duration: SampleTime,
    /// Duration of the file: the audio's, unless the video runs longer
    /// (no audio, or frames past the audio's end).
    pub duration: SampleTime,
    pub file_bytes: u64,
}

/// A video access unit waiting for its duration (the next frame's start).
struct PendingVideo {
    data: Vec<u8>,
    pts_ticks: i64,
    keyframe: bool,
}

/// Writes an MP4 file frame by frame. Nothing appears at the target path
/// until [`Mp4Writer::finish`] succeeds; dropping the writer earlier
/// deletes the partial file.
///
/// ```no_run
/// # use avatarcast::sink::{Mp4Settings, Mp4Writer};
/// # use avatarcast::clock::FrameRate;
/// # use avatarcast::encode::AudioCodec;
/// # fn run(frames: &[Vec<u8>], pcm: &[f32]) -> Result<(), avatarcast::sink::SinkError> {
/// let settings = Mp4Settings { width: 512, height: 512, fps: FrameRate::new(30, 1),
///     video_bitrate_bps: 2_000_000, audio_codec: AudioCodec::Aac, audio_bitrate_bps: 96_000 };
/// let mut mp4 = Mp4Writer::create("out.mp4".as_ref(), settings)?;
/// mp4.write_audio(pcm)?;
/// for (index, rgba) in frames.iter().enumerate() {
///     mp4.write_video_frame(index as u64, rgba)?;
/// }
/// let summary = mp4.finish()?;
/// # Ok(()) }
/// ```
pub struct Mp4Writer {
    // Field order matters: `output` closes the file before `file` deletes it.
    output: ffmpeg::format::context::Output,
    file: AtomicFile,
    settings: Mp4Settings,
    video: H264Encoder,
    audio: AudioEncoder,
    /// The avcC parameter sets; known after the first frame.
    parameter_sets: Option<ParameterSets>,
    /// Packets that arrive before the header can be written (it needs the
    /// SPS/PPS of the first frame): audio written before the first frame.
    queued_audio: Vec<EncodedAudio>,
    pending_video: Option<PendingVideo>,
    last_frame_index: Option<u64>,
    video_frames: u64,
}

impl Mp4Writer {
    /// Creates a temporary file beside `path` and sets up the encoders.
    pub fn create(path: &Path, settings: Mp4Settings) -> Result<Self, SinkError> {
        let video = H264Encoder::new(H264Settings {
            width: settings.width,
            height: settings.height,
            fps: settings.fps,
            bitrate_bps: settings.video_bitrate_bps,
            // An IDR every 2 s keeps seeking in players quick.
            keyframe_interval_frames: (settings.fps.fps() * 2.0).round().max(1.0) as u32,
        })?;
        let audio = AudioEncoder::new(settings.audio_codec, settings.audio_bitrate_bps)?;
        let file = AtomicFile::create(path).map_err(|source| SinkError::Create {
            source,
            path: path.to_path_buf(),
        })?;
        let mux_error = |action| {
            let path = path.to_path_buf();
            move |source| SinkError::Mux {
                action,
                source,
                path,
            }
        };
        // libavformat takes a URL: an explicit `file:` with an absolute path
        // keeps a directory named like `rtmp:x` from being read as a
        // protocol. It must be UTF-8 (ffmpeg-next panics otherwise).
        let url = std::path::absolute(file.temp_path())
            .ok()
            .and_then(|absolute| absolute.to_str().map(|p| format!("file:{p}")))
            .ok_or_else(|| SinkError::Create {
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "libavformat needs a UTF-8 path",
                ),
                path: path.to_path_buf(),
            })?;
        let mut output =
            ffmpeg::format::output_as(&url, "mp4").map_err(mux_error("open the MP4 muxer"))?;

        let mut video_stream = output
            .add_stream(ffmpeg::encoder::find(ffmpeg::codec::Id::None))
            .map_err(mux_error("add the video stream"))?;
        video_stream.set_time_base(video_time_base());
        let fps = Rational::new(settings.fps.num as i32, settings.fps.den as i32);
        video_stream.set_avg_frame_rate(fps);
        video_stream.set_rate(fps);
        debug_assert_eq!(video_stream.index(), VIDEO_STREAM);

        let mut audio_stream = output
            .add_stream(ffmpeg::encoder::find(ffmpeg::codec::Id::None))
            .map_err(mux_error("add the audio stream"))?;
        audio_stream.set_parameters(audio.parameters());
        audio_stream.set_time_base(audio_time_base());
        if settings.audio_codec == AudioCodec::Opus {
            // SAFETY: the stream's codecpar is valid while `output` lives and
            // its extradata is `extradata_size` bytes.
            unsafe { codecpar::clear_opus_pre_skip((*audio_stream.as_mut_ptr()).codecpar) };
        }
        debug_assert_eq!(audio_stream.index(), AUDIO_STREAM);

        Ok(Mp4Writer {
            output,
            file,
            settings,
            video,
            audio,
            parameter_sets: None,
            queued_audio: Vec::new(),
            pending_video: None,
            last_frame_index: None,
            video_frames: 0,
        })
    }

    /// Encodes frame `frame_index` (it shows t = index / fps) and muxes it.
    /// Indices must increase; a gap holds the previous frame on screen.
    pub fn write_video_frame(&mut self, frame_index: u64, rgba: &[u8]) -> Result<(), SinkError> {
        if let Some(previous) = self.last_frame_index
            && frame_index <= previous
        {
            return Err(SinkError::FrameOrder {
                frame_index,
                previous,
            });
        }
        let first = self.parameter_sets.is_none();
        let encoded = self.video.encode_rgba(rgba, first)?;
        if first {
            let sets = ParameterSets::from_annexb(&encoded.annexb)
                .ok_or(SinkError::MissingParameterSets)?;
            self.start(sets)?;
        }
        let pts_ticks = frame_ticks(self.settings.fps, frame_index);
        if let Some(previous) = self.pending_video.take() {
            let duration = pts_ticks - previous.pts_ticks;
            self.write_video_packet(previous, duration)?;
        }
        let sets = self
            .parameter_sets
            .as_ref()
            .expect("start() stored the parameter sets of the first frame");
        self.pending_video = Some(PendingVideo {
            data: annexb::to_length_prefixed(&encoded.annexb, sets),
            pts_ticks,
            keyframe: encoded.keyframe,
        });
        self.last_frame_index = Some(frame_index);
        self.video_frames += 1;
        Ok(())
    }

    /// Appends 48 kHz mono PCM; the first sample ever written plays at t = 0.
    pub fn write_audio(&mut self, pcm_48k_mono: &[f32]) -> Result<(), SinkError> {
        let packets = self.audio.encode(pcm_48k_mono)?;
        self.write_audio_packets(packets)
    }

    /// Flushes the encoders, trims the last frame to the audio's end, writes
    /// the index (`moov` first, for progressive playback) and moves the file
    /// into place.
    ///
    /// The file lasts as long as the audio. Without audio it lasts until the
    /// last frame's nominal end; a last frame that starts at or after the
    /// audio's end (the caller rendered more frames than
    /// `FrameRate::frames_covering` the audio) keeps its nominal duration,
    /// and the summary reports the longer duration.
    pub fn finish(mut self) -> Result<Mp4Summary, SinkError> {
        let Some(last) = self.pending_video.take() else {
            return Err(SinkError::NoVideo {
                path: self.file.target_path().to_path_buf(),
            });
        };
        let tail = self.audio.finish()?;
        self.write_audio_packets(tail)?;

        let audio_duration = SampleTime(self.audio.samples_in());
        let nominal_end = last.pts_ticks + frame_ticks(self.settings.fps, 1);
        let audio_end = samples_to_ticks(audio_duration);
        // Frames that start at or after the audio's end keep one frame
        // duration: a sample must last at least one tick.
        let end = if audio_duration.0 > 0 && audio_end > last.pts_ticks {
            audio_end
        } else {
            nominal_end
        };
        let video_end = SampleTime((end as u64) * u64::from(SAMPLE_RATE_HZ) / VIDEO_TICKS_PER_SEC);
        let duration = audio_duration.max(video_end);
        let last_duration = end - last.pts_ticks;
        self.write_video_packet(last, last_duration)?;
        self.output
            .write_trailer()
            .map_err(self.mux_error("write the MP4 index"))?;

        let Mp4Writer {
            output,
            file,
            video_frames,
            ..
        } = self;
        // Closing the output flushes and closes the file before the rename.
        drop(output);
        let path = file.target_path().to_path_buf();
        let file_bytes = fs::metadata(file.temp_path()).map(|m| m.len()).unwrap_or(0);
        file.persist().map_err(|source| SinkError::Rename {
            source,
            path: path.clone(),
        })?;
        Ok(Mp4Summary {
            path,
            video_frames,
            audio_duration,
            duration,
            file_bytes,
        })
    }

    fn mux_error(&self, action: &'static str) -> impl FnOnce(ffmpeg::Error) -> SinkError + use<> {
        let path = self.file.target_path().to_path_buf();
        move |source| SinkError::Mux {
            action,
            source,
            path,
        }
    }

    /// Fills in the video stream from the first frame's SPS/PPS and writes
    /// the header, then the audio that was waiting for it.
    fn start(&mut self, sets: ParameterSets) -> Result<(), SinkError> {
        let mut stream = self
            .output
            .stream_mut(VIDEO_STREAM)
            .expect("create() added the video stream first");
        let (width, height) = (self.settings.width, self.settings.height);
        let bitrate_bps = self.settings.video_bitrate_bps;
        // SAFETY: the stream's codecpar is valid while `self.output` lives.
        let filled = unsafe {
            codecpar::set_h264(
                (*stream.as_mut_ptr()).codecpar,
                (width, height),
                bitrate_bps,
                &sets,
            )
        };
        filled.map_err(self.mux_error("allocate the avcC box"))?;
        let mut options = Dictionary::new();
        // moov before mdat: players start before the whole file arrives.
        options.set("movflags", "+faststart");
        // Edit list durations are in the movie timescale (default 1000):
        // 48 kHz makes the audio's end sample-exact instead of ±1 ms.
        options.set("movie_timescale", "48000");
        let header_error = self.mux_error("write the MP4 header");
        self.output
            .write_header_with(options)
            .map_err(header_error)?;
        self.parameter_sets = Some(sets);
        let queued = std::mem::take(&mut self.queued_audio);
        self.write_audio_packets(queued)
    }

    fn write_audio_packets(&mut self, packets: Vec<EncodedAudio>) -> Result<(), SinkError> {
        if self.parameter_sets.is_none() {
            self.queued_audio.extend(packets);
            return Ok(());
        }
        for encoded in packets {
            let mut packet = Packet::copy(&encoded.data);
            packet.set_pts(Some(encoded.pts_samples));
            packet.set_dts(Some(encoded.pts_samples));
            packet.set_duration(encoded.duration_samples);
            self.mux(packet, AUDIO_STREAM, audio_time_base())?;
        }
        Ok(())
    }

    fn write_video_packet(
        &mut self,
        video: PendingVideo,
        duration_ticks: i64,
    ) -> Result<(), SinkError> {
        let mut packet = Packet::copy(&video.data);
        packet.set_pts(Some(video.pts_ticks));
        packet.set_dts(Some(video.pts_ticks));
        packet.set_duration(duration_ticks);
        if video.keyframe {
            packet.set_flags(ffmpeg::codec::packet::Flags::KEY);
        }
        self.mux(packet, VIDEO_STREAM, video_time_base())
    }

    fn mux(
        &mut self,
        mut packet: Packet,
        stream: usize,
        time_base: Rational,
    ) -> Result<(), SinkError> {
        // The muxer may have picked its own time base in write_header.
        let stream_time_base = self
            .output
            .stream(stream)
            .expect("create() added both streams")
            .time_base();
        packet.rescale_ts(time_base, stream_time_base);
        packet.set_stream(stream);
        let write_error = self.mux_error("write a packet");
        packet
            .write_interleaved(&mut self.output)
            .map_err(write_error)
    }
}

fn video_time_base() -> Rational {
    Rational::new(1, VIDEO_TICKS_PER_SEC as i32)
}

/// Start of frame `index` in 90 kHz ticks (rounded down, like `FrameRate::frame_time`).
fn frame_ticks(fps: FrameRate, index: u64) -> i64 {
    let ticks = u128::from(index) * u128::from(VIDEO_TICKS_PER_SEC) * u128::from(fps.den)
        / u128::from(fps.num);
    ticks as i64
}

/// 48 kHz samples to 90 kHz ticks, rounded to nearest (exact for multiples of 8).
fn samples_to_ticks(samples: SampleTime) -> i64 {
    let rate = u64::from(SAMPLE_RATE_HZ);
    ((samples.0 * VIDEO_TICKS_PER_SEC + rate / 2) / rate) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    // The runtime moves writers to its encode thread.
    const _: () = {
        const fn assert_send<T: Send>() {}
        assert_send::<Mp4Writer>();
    };

    #[test]
    fn frame_ticks_are_exact_for_common_rates() {
        assert_eq!(frame_ticks(FrameRate::new(30, 1), 1), 3000);
        assert_eq!(frame_ticks(FrameRate::new(25, 1), 25), 90_000);
        assert_eq!(frame_ticks(FrameRate::new(24, 1), 1), 3750);
        assert_eq!(frame_ticks(FrameRate::new(30_000, 1001), 1), 3003);
        // Ten hours of 60 fps without drift or overflow.
        assert_eq!(
            frame_ticks(FrameRate::new(60, 1), 60 * 36_000),
            90_000 * 36_000
        );
    }

    #[test]
    fn audio_samples_map_to_video_ticks() {
        assert_eq!(samples_to_ticks(SampleTime(48_000)), 90_000);
        assert_eq!(samples_to_ticks(SampleTime(8)), 15);
        assert_eq!(samples_to_ticks(SampleTime(1)), 2); // 1.875 rounds up
    }
}
