//! Audio encoding with libavcodec: native `aac` (AAC-LC) or `libopus`.

use std::fmt;
use std::str::FromStr;

use ffmpeg::codec::Parameters;
use ffmpeg::format::Sample;
use ffmpeg::format::sample::Type as SampleLayout;
use ffmpeg::{ChannelLayout, Rational};
use ffmpeg_next as ffmpeg;

use super::EncodeError;
use crate::clock::SAMPLE_RATE_HZ;

/// The audio codec of a file or stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AudioCodec {
    /// AAC-LC: plays everywhere, QuickTime and iOS included. The default.
    #[default]
    Aac,
    /// Opus: better at low bit rates; Chromium, Firefox, ffmpeg and VLC
    /// play it from MP4, older Apple players do not.
    Opus,
}

impl AudioCodec {
    /// The libavcodec encoder that implements the codec.
    fn encoder_name(self) -> &'static str {
        match self {
            AudioCodec::Aac => "aac",
            AudioCodec::Opus => "libopus",
        }
    }
}

impl fmt::Display for AudioCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AudioCodec::Aac => "aac",
            AudioCodec::Opus => "opus",
        })
    }
}

impl FromStr for AudioCodec {
    type Err = EncodeError;

    /// Parses `aac` or `opus` (any case).
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name.trim().to_ascii_lowercase().as_str() {
            "aac" => Ok(AudioCodec::Aac),
            "opus" => Ok(AudioCodec::Opus),
            _ => Err(EncodeError::UnknownAudioCodec(name.to_owned())),
        }
    }
}

/// One encoded audio packet. Times count 48 kHz samples of the *input*;
/// the first packets of a codec with priming start before zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedAudio {
    pub data: Vec<u8>,
    /// Presentation time of the packet's first decoded sample, in 48 kHz
    /// samples: `-priming_samples()` for the first packet.
    pub pts_samples: i64,
    /// Decoded samples this packet stands for (the last one may be short).
    pub duration_samples: i64,
}

/// Encodes 48 kHz mono f32 PCM, fed in chunks of any size.
///
/// Codecs look ahead: the decoder's first `priming_samples()` output samples
/// are encoder delay, not input. Packets carry times on the input clock
/// (`pts_samples` starts at minus the delay) so a muxer can write an edit
/// list / pre-skip that makes decoders drop the delay and keep A/V sync.
pub struct AudioEncoder {
    codec: AudioCodec,
    encoder: ffmpeg::encoder::Audio,
    sample_format: Sample,
    frame_size_samples: usize,
    /// Input not yet sent because it does not fill a codec frame.
    pending: Vec<f32>,
    /// Input samples sent to the codec so far (the next frame's pts).
    samples_sent: i64,
    finished: bool,
}

/// The time base of every audio timestamp here: one 48 kHz sample.
pub fn audio_time_base() -> Rational {
    Rational::new(1, SAMPLE_RATE_HZ as i32)
}

impl AudioEncoder {
    /// Opens the codec at 48 kHz mono with the given bit rate.
    pub fn new(codec: AudioCodec, bitrate_bps: u32) -> Result<Self, EncodeError> {
        super::init_libav()?;
        let name = codec.encoder_name();
        let av_codec =
            ffmpeg::encoder::find_by_name(name).ok_or(EncodeError::CodecUnavailable {
                codec,
                encoder: name,
            })?;
        let audio_codec = av_codec
            .audio()
            .map_err(|_| EncodeError::CodecUnavailable {
                codec,
                encoder: name,
            })?;
        // Prefer float input so no conversion is needed; both encoders take
        // one of the two float layouts (mono makes them the same bytes).
        let sample_format = audio_codec
            .formats()
            .into_iter()
            .flatten()
            .find(|f| matches!(f, Sample::F32(_)))
            .ok_or(EncodeError::CodecUnavailable {
                codec,
                encoder: name,
            })?;

        let mut context = ffmpeg::codec::Context::new_with_codec(av_codec)
            .encoder()
            .audio()
            .map_err(|source| EncodeError::Ffmpeg {
                action: "create the audio encoder",
                source,
            })?;
        context.set_rate(SAMPLE_RATE_HZ as i32);
        context.set_format(sample_format);
        context.set_channel_layout(ChannelLayout::MONO);
        context.set_channels(1);
        context.set_bit_rate(bitrate_bps as usize);
        context.set_time_base(audio_time_base());
        // MP4 keeps the codec configuration (AudioSpecificConfig, OpusHead)
        // in the sample entry, not in the packets.
        context.set_flags(ffmpeg::codec::Flags::GLOBAL_HEADER);
        let encoder = context
            .open_as(av_codec)
            .map_err(|source| EncodeError::Ffmpeg {
                action: "open the audio encoder",
                source,
            })?;
        let frame_size_samples = encoder.frame_size() as usize;
        if frame_size_samples == 0 {
            return Err(EncodeError::CodecUnavailable {
                codec,
                encoder: name,
            });
        }
        Ok(AudioEncoder {
            codec,
            encoder,
            sample_format,
            frame_size_samples,
            pending: Vec::with_capacity(frame_size_samples),
            samples_sent: 0,
            finished: false,
        })
    }

    pub fn codec(&self) -> AudioCodec {
        self.codec
    }

    /// Samples per codec frame (1024 for AAC, 960 = 20 ms for Opus).
    pub fn frame_size_samples(&self) -> usize {
        self.frame_size_samples
    }

    /// The encoder delay in samples that decoders must drop (AAC 1024,
    /// Opus 312 pre-skip).
    pub fn priming_samples(&self) -> u32 {
        // SAFETY: the context pointer is valid while `self.encoder` lives.
        let padding = unsafe { (*self.encoder.as_ptr()).initial_padding };
        padding.max(0) as u32
    }

    /// Input samples accepted so far (the duration of the audio).
    pub fn samples_in(&self) -> u64 {
        self.samples_sent as u64 + self.pending.len() as u64
    }

    /// Codec parameters for a muxer's stream (codec id, rate, extradata,
    /// initial padding).
    pub fn parameters(&self) -> Parameters {
        Parameters::from(&*self.encoder)
    }

    /// Accepts PCM and returns the packets that became ready.
    pub fn encode(&mut self, pcm: &[f32]) -> Result<Vec<EncodedAudio>, EncodeError> {
        if self.finished {
            return Err(EncodeError::AudioAfterFinish);
        }
        let mut packets = Vec::new();
        let mut rest = pcm;
        while !rest.is_empty() {
            let take = (self.frame_size_samples - self.pending.len()).min(rest.len());
            self.pending.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.pending.len() == self.frame_size_samples {
                self.send_pending()?;
                self.drain(&mut packets)?;
            }
        }
        Ok(packets)
    }

    /// Encodes the last partial frame, drains the codec's delay and returns
    /// the remaining packets. Later `encode` calls fail.
    pub fn finish(&mut self) -> Result<Vec<EncodedAudio>, EncodeError> {
        let mut packets = Vec::new();
        if self.finished {
            return Ok(packets);
        }
        if !self.pending.is_empty() {
            self.send_pending()?;
            self.drain(&mut packets)?;
        }
        self.finished = true;
        self.encoder
            .send_eof()
            .map_err(|source| EncodeError::Ffmpeg {
                action: "flush the audio encoder",
                source,
            })?;
        self.drain(&mut packets)?;
        Ok(packets)
    }

    fn send_pending(&mut self) -> Result<(), EncodeError> {
        let samples = self.pending.len();
        let small_last_frame = self.encoder.codec().is_some_and(|c| {
            c.capabilities()
                .contains(ffmpeg::codec::Capabilities::SMALL_LAST_FRAME)
        });
        // Without SMALL_LAST_FRAME a short final frame is padded with silence.
        let frame_samples = if small_last_frame {
            samples
        } else {
            self.frame_size_samples
        };
        let mut frame =
            ffmpeg::frame::Audio::new(self.sample_format, frame_samples, ChannelLayout::MONO);
        frame.set_rate(SAMPLE_RATE_HZ);
        frame.set_pts(Some(self.samples_sent));
        let bytes: &[u8] = bytemuck::cast_slice(&self.pending);
        let plane = frame.data_mut(0);
        plane[..bytes.len()].copy_from_slice(bytes);
        plane[bytes.len()..frame_samples * 4].fill(0);
        debug_assert!(matches!(
            self.sample_format,
            Sample::F32(SampleLayout::Packed | SampleLayout::Planar)
        ));
        self.encoder
            .send_frame(&frame)
            .map_err(|source| EncodeError::Ffmpeg {
                action: "encode audio",
                source,
            })?;
        self.samples_sent += samples as i64;
        self.pending.clear();
        Ok(())
    }

    fn drain(&mut self, out: &mut Vec<EncodedAudio>) -> Result<(), EncodeError> {
        let mut packet = ffmpeg::Packet::empty();
        loop {
            match self.encoder.receive_packet(&mut packet) {
                Ok(()) => {
                    let data = packet.data().unwrap_or_default().to_vec();
                    out.push(EncodedAudio {
                        data,
                        pts_samples: packet.pts().unwrap_or(0),
                        duration_samples: packet.duration(),
                    });
                }
                Err(ffmpeg::Error::Other { errno }) if errno == ffmpeg::util::error::EAGAIN => {
                    return Ok(());
                }
                Err(ffmpeg::Error::Eof) => return Ok(()),
                Err(source) => {
                    return Err(EncodeError::Ffmpeg {
                        action: "receive an audio packet",
                        source,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(samples: usize) -> Vec<f32> {
        (0..samples)
            .map(|i| (i as f32 * 440.0 * std::f32::consts::TAU / 48_000.0).sin() * 0.5)
            .collect()
    }

    #[test]
    fn parses_codec_names() {
        assert_eq!("aac".parse::<AudioCodec>().ok(), Some(AudioCodec::Aac));
        assert_eq!(" Opus ".parse::<AudioCodec>().ok(), Some(AudioCodec::Opus));
        let err = "mp3".parse::<AudioCodec>().expect_err("mp3 is not offered");
        assert!(err.to_string().contains("mp3"), "{err}");
    }

    #[test]
    fn packets_cover_the_input_on_the_input_clock() {
        for (codec, priming) in [(AudioCodec::Aac, 1024), (AudioCodec::Opus, 312)] {
            let mut encoder = AudioEncoder::new(codec, 64_000).expect("codec available");
            assert_eq!(encoder.priming_samples(), priming, "{codec}");
            let input = sine(48_000 + 123);
            let mut packets = Vec::new();
            // Odd chunk sizes: the encoder must re-frame them.
            for chunk in input.chunks(777) {
                packets.extend(encoder.encode(chunk).expect("encodes"));
            }
            packets.extend(encoder.finish().expect("flushes"));
            assert_eq!(packets[0].pts_samples, -i64::from(priming), "{codec}");
            for pair in packets.windows(2) {
                assert_eq!(
                    pair[0].pts_samples + pair[0].duration_samples,
                    pair[1].pts_samples
                );
            }
            let last = packets.last().expect("packets");
            let end = last.pts_samples + last.duration_samples;
            // The decoded stream minus priming covers the input (AAC may pad
            // the tail to a whole frame; the muxer trims it).
            assert!(end >= input.len() as i64, "{codec}: end {end}");
            assert!(encoder.encode(&[0.0]).is_err());
        }
    }
}
