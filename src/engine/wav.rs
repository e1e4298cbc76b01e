//! WAV files for `avatarcast render --audio`: RIFF/WAVE with integer PCM
//! (8, 16, 24 or 32 bit) or IEEE float (32 or 64 bit), any channel count
//! (mixed down to mono), any sample rate (resampled to the pipeline's
//! 48 kHz). Written here rather than taken from a crate because the format
//! is small and the errors should say exactly what to change.

use std::path::{Path, PathBuf};

use crate::clock::SAMPLE_RATE_HZ;
use crate::speech::resample::Resampler;

/// Why a WAV file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum WavError {
    #[error("cannot read the audio file ({source}); check the path: {path:?}")]
    Io {
        source: std::io::Error,
        path: PathBuf,
    },
    #[error(
        "not a WAV file ({reason}); convert it, e.g. `ffmpeg -i input -ar 48000 speech.wav`: {path:?}"
    )]
    NotWav { reason: String, path: PathBuf },
    #[error(
        "unsupported WAV encoding ({what}); use 8/16/24/32-bit integer PCM or 32/64-bit float, \
         e.g. `ffmpeg -i input -c:a pcm_s16le speech.wav`: {path:?}"
    )]
    Unsupported { what: String, path: PathBuf },
    #[error("the WAV file has no audio samples; give a recording with speech in it: {path:?}")]
    Empty { path: PathBuf },
}

/// Decoded audio: mono, 48 kHz, -1..=1.
#[derive(Debug, Clone, PartialEq)]
pub struct WavAudio {
    pub pcm: Vec<f32>,
    /// The file's own rate and channel count, for reports.
    pub source_rate_hz: u32,
    pub source_channels: u16,
}

/// Reads a WAV file and converts it to mono 48 kHz.
pub fn read_wav(path: &Path) -> Result<WavAudio, WavError> {
    let bytes = std::fs::read(path).map_err(|source| WavError::Io {
        source,
        path: path.to_path_buf(),
    })?;
    decode_wav(&bytes).map_err(|e| e.at(path))
}

/// A decoding problem before the path is known.
#[derive(Debug, Clone, PartialEq)]
pub enum WavProblem {
    NotWav(String),
    Unsupported(String),
    Empty,
}

impl WavProblem {
    fn at(self, path: &Path) -> WavError {
        let path = path.to_path_buf();
        match self {
            WavProblem::NotWav(reason) => WavError::NotWav { reason, path },
            WavProblem::Unsupported(what) => WavError::Unsupported { what, path },
            WavProblem::Empty => WavError::Empty { path },
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum SampleFormat {
    Int,
    Float,
}

/// Decodes a WAV file's bytes to mono 48 kHz.
pub fn decode_wav(bytes: &[u8]) -> Result<WavAudio, WavProblem> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(WavProblem::NotWav("no RIFF/WAVE header".into()));
    }
    let mut fmt: Option<(SampleFormat, u16, u32, u16, u16)> = None;
    let mut data: Option<&[u8]> = None;
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let size = u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]]);
        let body_start = at + 8;
        // Streaming writers leave the data size at 0 or 0xFFFFFFFF: read to the end.
        let body_end = if id == b"data" && (size == 0 || size == u32::MAX) {
            bytes.len()
        } else {
            body_start.saturating_add(size as usize).min(bytes.len())
        };
        let body = &bytes[body_start..body_end];
        match id {
            b"fmt " => fmt = Some(parse_fmt(body)?),
            b"data" => {
                data = Some(body);
                break;
            }
            _ => {}
        }
        // Chunks are padded to an even length.
        at = body_end + (body_end - body_start) % 2;
    }
    let (format, channels, rate, block_align, bits) =
        fmt.ok_or_else(|| WavProblem::NotWav("no `fmt ` chunk before the audio data".into()))?;
    let data = data.ok_or_else(|| WavProblem::NotWav("no `data` chunk".into()))?;
    let frames = data.len() / usize::from(block_align);
    if frames == 0 {
        return Err(WavProblem::Empty);
    }
    let bytes_per_sample = usize::from(bits / 8);
    let mut mono = Vec::with_capacity(frames);
    for frame in data.chunks_exact(usize::from(block_align)) {
        let mut sum = 0.0f64;
        for c in 0..usize::from(channels) {
            let s = &frame[c * bytes_per_sample..(c + 1) * bytes_per_sample];
            sum += sample_value(format, s);
        }
        mono.push((sum / f64::from(channels)).clamp(-1.0, 1.0) as f32);
    }
    let pcm = if rate == SAMPLE_RATE_HZ {
        mono
    } else {
        Resampler::new(rate, SAMPLE_RATE_HZ).process(&mono)
    };
    Ok(WavAudio {
        pcm,
        source_rate_hz: rate,
        source_channels: channels,
    })
}

fn parse_fmt(body: &[u8]) -> Result<(SampleFormat, u16, u32, u16, u16), WavProblem> {
    if body.len() < 16 {
        return Err(WavProblem::NotWav(format!(
            "`fmt ` chunk of {} bytes, at least 16 expected",
            body.len()
        )));
    }
    let u16_at = |i: usize| u16::from_le_bytes([body[i], body[i + 1]]);
    let mut tag = u16_at(0);
    let channels = u16_at(2);
    let rate = u32::from_le_bytes([body[4], body[5], body[6], body[7]]);
    let block_align = u16_at(12);
    let bits = u16_at(14);
    // WAVE_FORMAT_EXTENSIBLE: the real format is the sub-format GUID's first two bytes.
    if tag == 0xFFFE {
        if body.len() < 26 {
            return Err(WavProblem::NotWav(
                "extensible `fmt ` chunk without its sub-format".into(),
            ));
        }
        tag = u16_at(24);
    }
    let format = match (tag, bits) {
        (1, 8 | 16 | 24 | 32) => SampleFormat::Int,
        (3, 32 | 64) => SampleFormat::Float,
        (1 | 3, _) => {
            return Err(WavProblem::Unsupported(format!(
                "{bits}-bit {}",
                if tag == 1 { "integer PCM" } else { "float" }
            )));
        }
        _ => {
            return Err(WavProblem::Unsupported(format!(
                "format tag {tag:#06x} (compressed audio such as ADPCM, A-law or MP3)"
            )));
        }
    };
    if channels == 0 || rate == 0 {
        return Err(WavProblem::NotWav(format!(
            "{channels} channels at {rate} Hz"
        )));
    }
    if usize::from(block_align) < usize::from(channels) * usize::from(bits / 8) {
        return Err(WavProblem::NotWav(format!(
            "block size {block_align} too small for {channels} channels of {bits} bits"
        )));
    }
    Ok((format, channels, rate, block_align, bits))
}

/// One sample (little-endian) as -1..=1.
fn sample_value(format: SampleFormat, s: &[u8]) -> f64 {
    match (format, s.len()) {
        // 8-bit WAV is unsigned, centred on 128.
        (SampleFormat::Int, 1) => (f64::from(s[0]) - 128.0) / 128.0,
        (SampleFormat::Int, 2) => f64::from(i16::from_le_bytes([s[0], s[1]])) / 32_768.0,
        (SampleFormat::Int, 3) => {
            f64::from(i32::from_le_bytes([0, s[0], s[1], s[2]]) >> 8) / 8_388_608.0
        }
        (SampleFormat::Int, 4) => {
            f64::from(i32::from_le_bytes([s[0], s[1], s[2], s[3]])) / 2_147_483_648.0
        }
        (SampleFormat::Float, 4) => f64::from(f32::from_le_bytes([s[0], s[1], s[2], s[3]])),
        (SampleFormat::Float, 8) => {
            f64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]])
        }
        _ => 0.0,
    }
}

/// Writes mono or interleaved 16-bit PCM as a WAV file's bytes (for tests
/// and tools that hand audio to `--audio`).
pub fn encode_wav_i16(samples: &[i16], channels: u16, rate_hz: u32) -> Vec<u8> {
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&channels.to_le_bytes());
    out.extend_from_slice(&rate_hz.to_le_bytes());
    out.extend_from_slice(&(rate_hz * u32::from(channels) * 2).to_le_bytes());
    out.extend_from_slice(&(channels * 2).to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header for `data_len` bytes of audio in the given layout.
    fn header(tag: u16, channels: u16, rate: u32, bits: u16, data_len: u32) -> Vec<u8> {
        let block = channels * bits / 8;
        let mut out = Vec::new();
        out.extend_from_slice(b"RIFF");
        out.extend_from_slice(&(36 + data_len).to_le_bytes());
        out.extend_from_slice(b"WAVEfmt ");
        out.extend_from_slice(&16u32.to_le_bytes());
        for v in [tag, channels] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&rate.to_le_bytes());
        out.extend_from_slice(&(rate * u32::from(block)).to_le_bytes());
        for v in [block, bits] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        // An unknown chunk with an odd length (padded) before the data.
        out.extend_from_slice(b"LIST\x03\x00\x00\x00abc\x00");
        out.extend_from_slice(b"data");
        out.extend_from_slice(&data_len.to_le_bytes());
        out
    }

    #[test]
    fn every_supported_encoding_decodes_to_the_same_values() {
        // Half scale, then minus a quarter, at 48 kHz mono.
        let cases: Vec<(u16, u16, Vec<u8>)> = vec![
            (1, 8, vec![192, 96]),
            (
                1,
                16,
                [16_384i16, -8192]
                    .iter()
                    .flat_map(|s| s.to_le_bytes())
                    .collect(),
            ),
            (1, 24, vec![0, 0, 0x40, 0, 0, 0xE0]),
            (
                1,
                32,
                [1i32 << 30, -(1 << 29)]
                    .iter()
                    .flat_map(|s| s.to_le_bytes())
                    .collect(),
            ),
            (
                3,
                32,
                [0.5f32, -0.25]
                    .iter()
                    .flat_map(|s| s.to_le_bytes())
                    .collect(),
            ),
            (
                3,
                64,
                [0.5f64, -0.25]
                    .iter()
                    .flat_map(|s| s.to_le_bytes())
                    .collect(),
            ),
        ];
        for (tag, bits, data) in cases {
            let mut bytes = header(tag, 1, 48_000, bits, data.len() as u32);
            bytes.extend(&data);
            let audio = decode_wav(&bytes).expect("a valid WAV");
            assert_eq!(audio.pcm, vec![0.5, -0.25], "{tag} {bits}");
        }
    }

    #[test]
    fn stereo_is_mixed_down_and_other_rates_resampled() {
        // 24 kHz stereo, left 0.5 and right 0.0, one second.
        let samples: Vec<i16> = (0..24_000).flat_map(|_| [16_384i16, 0]).collect();
        let audio = decode_wav(&encode_wav_i16(&samples, 2, 24_000)).expect("valid");
        assert_eq!(audio.pcm.len(), 48_000);
        assert_eq!((audio.source_rate_hz, audio.source_channels), (24_000, 2));
        // Away from the edges the constant survives resampling.
        assert!(
            audio.pcm[1000..47_000]
                .iter()
                .all(|x| (x - 0.25).abs() < 1e-3)
        );
    }

    #[test]
    fn odd_files_are_rejected_with_the_reason() {
        let not = decode_wav(b"ID3\x03 this is an mp3").expect_err("not a wav");
        assert!(matches!(not, WavProblem::NotWav(_)));
        let empty = decode_wav(&header(1, 1, 48_000, 16, 0)).expect_err("no samples");
        assert_eq!(empty, WavProblem::Empty);
        let mut adpcm = header(2, 1, 8000, 4, 2);
        adpcm.extend([0, 0]);
        match decode_wav(&adpcm) {
            Err(WavProblem::Unsupported(what)) => assert!(what.contains("0x0002"), "{what}"),
            other => panic!("expected Unsupported, got {other:?}"),
        }
        let mut twelve_bit = header(1, 1, 8000, 12, 2);
        twelve_bit.extend([0, 0]);
        assert!(matches!(
            decode_wav(&twelve_bit),
            Err(WavProblem::Unsupported(_))
        ));
        let err = decode_wav(b"RIFF\x04\x00\x00\x00WAVE").expect_err("no chunks");
        assert!(matches!(err, WavProblem::NotWav(r) if r.contains("fmt")));
        let msg = WavProblem::Empty.at(Path::new("/tmp/x.wav")).to_string();
        assert!(msg.ends_with("\"/tmp/x.wav\""), "{msg}");
    }
}
