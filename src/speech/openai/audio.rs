//! Incremental decoding of the audio a speech server streams: raw 16-bit PCM
//! or RIFF/WAVE, in whatever pieces the network delivers (a chunk may end in
//! the middle of the header or of a sample).

use super::config::AudioFormat;

/// Why a body is not audio we can play.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAudio(pub String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    I16,
    F32,
    U8,
}

impl Encoding {
    fn bytes(self) -> usize {
        match self {
            Encoding::I16 => 2,
            Encoding::F32 => 4,
            Encoding::U8 => 1,
        }
    }

    fn decode(self, b: &[u8]) -> f32 {
        match self {
            Encoding::I16 => f32::from(i16::from_le_bytes([b[0], b[1]])) / 32_768.0,
            Encoding::F32 => f32::from_le_bytes([b[0], b[1], b[2], b[3]]).clamp(-1.0, 1.0),
            Encoding::U8 => (f32::from(b[0]) - 128.0) / 128.0,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Layout {
    rate_hz: u32,
    channels: usize,
    encoding: Encoding,
}

#[derive(Debug)]
enum State {
    /// Waiting for the first 4 bytes, which tell WAV from raw PCM.
    Sniff,
    Header,
    /// Audio frames; `remaining` bytes when the header gave a real size.
    Data {
        layout: Layout,
        remaining: Option<u64>,
    },
}

/// A WAV header larger than this is not a speech server's.
const MAX_HEADER_BYTES: usize = 64 * 1024;

/// Turns body bytes into mono samples in -1..=1, as they arrive.
#[derive(Debug)]
pub struct AudioDecoder {
    expected: AudioFormat,
    pcm_rate_hz: u32,
    state: State,
    pending: Vec<u8>,
    samples: Vec<f32>,
}

impl AudioDecoder {
    /// `pcm_rate_hz` is the rate of headerless PCM. A body that starts with
    /// `RIFF` is read as WAV whichever format was asked for.
    pub fn new(expected: AudioFormat, pcm_rate_hz: u32) -> AudioDecoder {
        AudioDecoder {
            expected,
            pcm_rate_hz,
            state: State::Sniff,
            pending: Vec::new(),
            samples: Vec::new(),
        }
    }

    /// Samples decoded so far.
    pub fn samples_len(&self) -> usize {
        self.samples.len()
    }

    pub fn push(&mut self, bytes: &[u8]) -> Result<(), NotAudio> {
        self.pending.extend_from_slice(bytes);
        loop {
            match self.state {
                State::Sniff => {
                    if self.pending.len() < 4 {
                        return Ok(());
                    }
                    if self.pending.starts_with(b"RIFF") {
                        self.state = State::Header;
                    } else if let Some(kind) = compressed_kind(&self.pending) {
                        // Read as PCM it would play as loud noise.
                        return Err(NotAudio(format!(
                            "the server sent {kind}, not {}; set the server's output to \
                             pcm or wav",
                            self.expected.as_str()
                        )));
                    } else if self.expected == AudioFormat::Wav {
                        return Err(NotAudio(format!(
                            "asked for wav but the body starts with {:?}",
                            preview(&self.pending)
                        )));
                    } else {
                        self.state = State::Data {
                            layout: Layout {
                                rate_hz: self.pcm_rate_hz,
                                channels: 1,
                                encoding: Encoding::I16,
                            },
                            remaining: None,
                        };
                    }
                }
                State::Header => match parse_header(&self.pending)? {
                    None if self.pending.len() > MAX_HEADER_BYTES => {
                        return Err(NotAudio(format!(
                            "no `data` chunk in the first {MAX_HEADER_BYTES} bytes of the WAV"
                        )));
                    }
                    None => return Ok(()),
                    Some((layout, data_start, data_len)) => {
                        self.pending.drain(..data_start);
                        self.state = State::Data {
                            layout,
                            remaining: data_len,
                        };
                    }
                },
                State::Data {
                    layout,
                    ref mut remaining,
                } => {
                    let frame_bytes = layout.channels * layout.encoding.bytes();
                    let mut usable = self.pending.len();
                    if let Some(left) = remaining {
                        usable = usable.min(usize::try_from(*left).unwrap_or(usize::MAX));
                    }
                    let frames = usable / frame_bytes;
                    let used = frames * frame_bytes;
                    for frame in self.pending[..used].chunks_exact(frame_bytes) {
                        let sum: f32 = frame
                            .chunks_exact(layout.encoding.bytes())
                            .map(|b| layout.encoding.decode(b))
                            .sum();
                        self.samples.push(sum / layout.channels as f32);
                    }
                    if let Some(left) = remaining {
                        *left -= used as u64;
                        if *left < frame_bytes as u64 {
                            // Chunks after `data` (LIST, id3) are not audio.
                            self.pending.clear();
                            return Ok(());
                        }
                    }
                    self.pending.drain(..used);
                    return Ok(());
                }
            }
        }
    }

    /// The samples and their rate, once the body has ended.
    pub fn finish(mut self) -> Result<(Vec<f32>, u32), NotAudio> {
        if matches!(self.state, State::Sniff) && !self.pending.is_empty() {
            // A body shorter than 4 bytes: at most one sample of PCM.
            let pending = std::mem::take(&mut self.pending);
            self.state = State::Data {
                layout: Layout {
                    rate_hz: self.pcm_rate_hz,
                    channels: 1,
                    encoding: Encoding::I16,
                },
                remaining: None,
            };
            self.push(&pending)?;
        }
        let rate_hz = match self.state {
            State::Sniff => return Err(NotAudio("the body is empty".into())),
            State::Header => {
                return Err(NotAudio(
                    "the WAV ended inside its header (no `data` chunk)".into(),
                ));
            }
            State::Data { layout, .. } => layout.rate_hz,
        };
        if self.samples.is_empty() {
            return Err(NotAudio("the body holds no audio samples".into()));
        }
        Ok((self.samples, rate_hz))
    }
}

/// Parses `RIFF....WAVE` chunks up to `data`: the layout, where the samples
/// start, and their byte length if the header knows it. `None`: need more bytes.
fn parse_header(b: &[u8]) -> Result<Option<(Layout, usize, Option<u64>)>, NotAudio> {
    if b.len() < 12 {
        return Ok(None);
    }
    if &b[8..12] != b"WAVE" {
        return Err(NotAudio(format!(
            "RIFF but not WAVE: {:?}",
            preview(&b[8..12])
        )));
    }
    let mut layout = None;
    let mut at = 12;
    loop {
        let Some(head) = b.get(at..at + 8) else {
            return Ok(None);
        };
        let id = &head[..4];
        let size = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
        let body = at + 8;
        if id == b"data" {
            let layout = layout.ok_or_else(|| NotAudio("WAV `data` before `fmt `".into()))?;
            // Streaming servers cannot know the length up front and write 0 or
            // 0xFFFFFFFF; then the audio runs to the end of the body.
            let len = (size != 0 && size != u32::MAX).then_some(u64::from(size));
            return Ok(Some((layout, body, len)));
        }
        let padded = size as usize + (size as usize & 1);
        let Some(chunk) = b.get(body..body + padded) else {
            return Ok(None);
        };
        if id == b"fmt " {
            layout = Some(parse_fmt(&chunk[..size as usize])?);
        }
        at = body + padded;
    }
}

fn parse_fmt(f: &[u8]) -> Result<Layout, NotAudio> {
    if f.len() < 16 {
        return Err(NotAudio(format!("WAV `fmt ` chunk of {} bytes", f.len())));
    }
    let u16_at = |i: usize| u16::from_le_bytes([f[i], f[i + 1]]);
    let mut tag = u16_at(0);
    let channels = u16_at(2);
    let rate_hz = u32::from_le_bytes([f[4], f[5], f[6], f[7]]);
    let bits = u16_at(14);
    // WAVE_FORMAT_EXTENSIBLE: the real tag is the first two bytes of the sub-format GUID.
    if tag == 0xFFFE && f.len() >= 26 {
        tag = u16_at(24);
    }
    let encoding = match (tag, bits) {
        (1, 16) => Encoding::I16,
        (1, 8) => Encoding::U8,
        (3, 32) => Encoding::F32,
        _ => {
            return Err(NotAudio(format!(
                "unsupported WAV encoding (format tag {tag}, {bits} bits); use 16-bit PCM or 32-bit float"
            )));
        }
    };
    if channels == 0 || !(4_000..=384_000).contains(&rate_hz) {
        return Err(NotAudio(format!(
            "WAV with {channels} channels at {rate_hz} Hz"
        )));
    }
    Ok(Layout {
        rate_hz,
        channels: usize::from(channels),
        encoding,
    })
}

/// Compressed formats a server may send instead of what was asked, by magic number.
fn compressed_kind(head: &[u8]) -> Option<&'static str> {
    [
        (&b"ID3"[..], "MP3"),
        (&b"OggS"[..], "Ogg (Opus/Vorbis)"),
        (&b"fLaC"[..], "FLAC"),
        (&b"\x1a\x45\xdf\xa3"[..], "WebM/Matroska"),
    ]
    .iter()
    .find(|(magic, _)| head.starts_with(magic))
    .map(|(_, kind)| *kind)
}

/// The first bytes of a body, readable in an error message.
fn preview(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(40)]).into_owned()
}

/// A WAV file (16-bit PCM) of `samples` at `rate_hz`, `channels` interleaved;
/// `data_len` overrides the data chunk's size field (streaming servers write
/// 0xFFFFFFFF). For tests and fixtures.
pub fn wav_bytes(samples: &[i16], rate_hz: u32, channels: u16, data_len: Option<u32>) -> Vec<u8> {
    let data = samples.len() as u32 * 2;
    let mut out = Vec::with_capacity(44 + data as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&channels.to_le_bytes());
    out.extend_from_slice(&rate_hz.to_le_bytes());
    out.extend_from_slice(&(rate_hz * 2 * u32::from(channels)).to_le_bytes());
    out.extend_from_slice(&(2 * channels).to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.unwrap_or(data).to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `bytes` in pieces of `step` bytes.
    fn decode(
        bytes: &[u8],
        expected: AudioFormat,
        step: usize,
    ) -> Result<(Vec<f32>, u32), NotAudio> {
        let mut d = AudioDecoder::new(expected, 24_000);
        for piece in bytes.chunks(step.max(1)) {
            d.push(piece)?;
        }
        d.finish()
    }

    #[test]
    fn raw_pcm_in_odd_pieces() {
        let samples: Vec<i16> = vec![0, 16_384, -16_384, 32_767, -32_768];
        let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
        for step in [1, 3, 7, 100] {
            let (pcm, rate) = decode(&bytes, AudioFormat::Pcm, step).expect("pcm");
            assert_eq!(rate, 24_000);
            assert_eq!(pcm, vec![0.0, 0.5, -0.5, 32_767.0 / 32_768.0, -1.0]);
        }
    }

    #[test]
    fn wav_stereo_with_extra_chunk_and_trailer() {
        let mut wav = wav_bytes(&[1000, 3000, -2000, -4000], 16_000, 2, None);
        // A LIST chunk between fmt and data, and junk after the data chunk.
        let list = b"LIST\x03\x00\x00\x00abc\x00";
        wav.splice(36..36, list.iter().copied());
        wav.extend_from_slice(b"id3 trailing metadata");
        for step in [1, 5, 64] {
            let (pcm, rate) = decode(&wav, AudioFormat::Wav, step).expect("wav");
            assert_eq!(rate, 16_000);
            assert_eq!(pcm, vec![2000.0 / 32_768.0, -3000.0 / 32_768.0]);
        }
    }

    #[test]
    fn streamed_wav_without_length_runs_to_the_end() {
        let wav = wav_bytes(&[100, 200, 300], 22_050, 1, Some(u32::MAX));
        let (pcm, rate) = decode(&wav, AudioFormat::Pcm, 4).expect("wav found by its magic");
        assert_eq!((pcm.len(), rate), (3, 22_050));
    }

    #[test]
    fn garbage_is_rejected_with_a_reason() {
        let err = decode(b"<html>502 Bad Gateway</html>", AudioFormat::Wav, 8).unwrap_err();
        assert!(err.0.contains("<html>"), "{err:?}");
        let err = decode(b"", AudioFormat::Pcm, 1).unwrap_err();
        assert!(err.0.contains("empty"), "{err:?}");
        let err = decode(b"RIFF\x00\x00\x00\x00WAVEfmt ", AudioFormat::Wav, 3).unwrap_err();
        assert!(err.0.contains("header"), "{err:?}");
        let err = decode(b"ID3\x04\x00\x00 mp3 frames", AudioFormat::Pcm, 2).unwrap_err();
        assert!(err.0.contains("MP3"), "{err:?}");
        let err = decode(b"OggS\x00\x02 opus", AudioFormat::Pcm, 64).unwrap_err();
        assert!(err.0.contains("Ogg"), "{err:?}");
        let mut mp3ish = wav_bytes(&[1, 2], 24_000, 1, None);
        mp3ish[20] = 0x55; // format tag 0x55: MPEG layer 3
        let err = decode(&mp3ish, AudioFormat::Wav, 64).unwrap_err();
        assert!(err.0.contains("unsupported"), "{err:?}");
    }
}
