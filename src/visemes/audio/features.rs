//! The streaming front end: 48 kHz PCM chunks in, one [`FeatureFrame`] per
//! 16 ms out. Pre-emphasis (α = 0.97) at the input rate, decimation by 3 to
//! 16 kHz, then [`Mfcc`] over the last 512 samples (32 ms) every 256
//! samples, as the headaudio prototypes were trained.

use crate::clock::{SAMPLE_RATE_HZ, SampleTime};

use super::mfcc::{BLOCK_LEN, FEATURE_RATE_HZ, Mfcc, MfccFrame};

/// New 16 kHz samples between two frames (16 ms).
pub const HOP_LEN: usize = 256;
/// 48 kHz → 16 kHz.
const DECIMATION: usize = (SAMPLE_RATE_HZ / FEATURE_RATE_HZ) as usize;
/// One frame step on the 48 kHz clock.
pub const FRAME_STEP: SampleTime = SampleTime((HOP_LEN * DECIMATION) as u64);
const PRE_EMPHASIS: f32 = 0.97;
/// Decimation filter length (odd, so its delay is a whole number of samples).
const TAPS: usize = 47;
/// Low-pass corner as a fraction of the 16 kHz output rate (7.2 kHz): below
/// Nyquist so sibilant energy above 8 kHz does not fold onto the vowels' bands.
const CUTOFF_OF_OUTPUT_RATE: f64 = 0.45;

/// How fast the loudness reference falls when the voice gets quieter, in
/// log10 power per frame: 0.01 is 6 dB per second, slow enough that a
/// pause keeps the reference of the speech around it.
const PEAK_DECAY_PER_FRAME: f32 = 0.01;
/// Relative loudness is clamped here (-60 dB): deeper is all silence.
const RELATIVE_FLOOR: f32 = -6.0;
/// The reference never falls below -50 dB, so long digital silence stays
/// quiet relative to it instead of becoming its own reference.
const PEAK_FLOOR: f32 = -5.0;

/// One analysis frame, placed on the input's 48 kHz clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeatureFrame {
    /// Centre of the 32 ms window (the filter delay accounted for).
    pub centre: SampleTime,
    pub mfcc: MfccFrame,
    /// `log_energy` relative to the loudest recent frame (a peak that
    /// decays 6 dB/s), in -6..=0: loudness independent of the input's gain.
    pub relative_energy: f32,
}

/// Sans-IO feature extractor: feed 48 kHz mono chunks in order, collect frames.
#[derive(Debug, Clone)]
pub struct FeatureStream {
    mfcc: Mfcc,
    filter: [f32; TAPS],
    /// The last `TAPS` pre-emphasised input samples, oldest first at `history_at`.
    history: [f32; TAPS],
    history_at: usize,
    previous_input: f32,
    inputs_seen: u64,
    /// The last 512 samples at 16 kHz (a ring; `block_at` is the oldest).
    block: [f32; BLOCK_LEN],
    block_at: usize,
    since_frame: usize,
    outputs_seen: u64,
    scratch: Box<[f32; BLOCK_LEN]>,
    peak_energy: f32,
}

impl FeatureStream {
    /// A stream for a speaker of mean pitch `speaker_pitch_hz` (see [`Mfcc::new`]).
    /// The signal before the first sample is taken as silence, so frames
    /// start at time zero rather than 32 ms in.
    pub fn new(speaker_pitch_hz: f32) -> FeatureStream {
        FeatureStream {
            mfcc: Mfcc::new(speaker_pitch_hz),
            filter: lowpass(),
            history: [0.0; TAPS],
            history_at: 0,
            previous_input: 0.0,
            inputs_seen: 0,
            block: [0.0; BLOCK_LEN],
            block_at: 0,
            since_frame: 0,
            outputs_seen: 0,
            scratch: Box::new([0.0; BLOCK_LEN]),
            peak_energy: PEAK_FLOOR,
        }
    }

    /// How far a frame's centre lies behind the newest sample it used:
    /// half the window plus the decimation filter's delay.
    pub fn latency() -> SampleTime {
        SampleTime((BLOCK_LEN / 2 * DECIMATION + TAPS / 2) as u64)
    }

    /// Processes `pcm` (48 kHz mono, -1..=1) and calls `frame` for each frame completed.
    pub fn push(&mut self, pcm: &[f32], mut frame: impl FnMut(FeatureFrame)) {
        for &x in pcm {
            let emphasised = x - PRE_EMPHASIS * self.previous_input;
            self.previous_input = x;
            self.history[self.history_at] = emphasised;
            self.history_at = (self.history_at + 1) % TAPS;
            self.inputs_seen += 1;
            if self.inputs_seen % DECIMATION as u64 != 0 {
                continue;
            }
            // The filter is symmetric, so oldest-first order is all it needs.
            let mut y = 0.0f32;
            let (older, newer) = self.history.split_at(self.history_at);
            for (h, s) in self.filter.iter().zip(newer.iter().chain(older)) {
                y += h * s;
            }
            self.block[self.block_at] = y;
            self.block_at = (self.block_at + 1) % BLOCK_LEN;
            self.outputs_seen += 1;
            self.since_frame += 1;
            if self.since_frame == HOP_LEN {
                self.since_frame = 0;
                frame(self.analyse());
            }
        }
    }

    fn analyse(&mut self) -> FeatureFrame {
        let (older, newer) = self.block.split_at(self.block_at);
        for (dst, src) in self.scratch.iter_mut().zip(newer.iter().chain(older)) {
            *dst = *src;
        }
        let mfcc = self.mfcc.compute(&self.scratch);
        // The newest 16 kHz sample came from input `inputs_seen - 1`, delayed
        // by the filter; the window centre is half a block before it.
        let newest = self.inputs_seen as f64 - 1.0 - (TAPS / 2) as f64;
        let centre = newest - (BLOCK_LEN as f64 / 2.0 - 0.5) * DECIMATION as f64;
        self.peak_energy = (self.peak_energy - PEAK_DECAY_PER_FRAME)
            .max(mfcc.log_energy)
            .max(PEAK_FLOOR);
        FeatureFrame {
            centre: SampleTime(centre.max(0.0).round() as u64),
            mfcc,
            relative_energy: (mfcc.log_energy - self.peak_energy).max(RELATIVE_FLOOR),
        }
    }
}

/// A Hamming-windowed sinc low-pass at the 48 kHz rate, unity gain at DC.
fn lowpass() -> [f32; TAPS] {
    let fc = CUTOFF_OF_OUTPUT_RATE / DECIMATION as f64; // cycles per input sample
    let mid = (TAPS / 2) as f64;
    let mut h = [0.0f64; TAPS];
    for (i, c) in h.iter_mut().enumerate() {
        let x = i as f64 - mid;
        let sinc = if x == 0.0 {
            2.0 * fc
        } else {
            (2.0 * std::f64::consts::PI * fc * x).sin() / (std::f64::consts::PI * x)
        };
        let window =
            0.54 - 0.46 * (2.0 * std::f64::consts::PI * i as f64 / (TAPS - 1) as f64).cos();
        *c = sinc * window;
    }
    let sum: f64 = h.iter().sum();
    let mut out = [0.0f32; TAPS];
    for (o, c) in out.iter_mut().zip(h) {
        *o = (c / sum) as f32;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::visemes::audio::mfcc::REFERENCE_PITCH_HZ;

    fn tone_48k(freq_hz: f32, amplitude: f32, len: usize) -> Vec<f32> {
        (0..len)
            .map(|i| {
                amplitude
                    * (2.0 * std::f32::consts::PI * freq_hz * i as f32 / SAMPLE_RATE_HZ as f32)
                        .sin()
            })
            .collect()
    }

    fn frames(pcm: &[f32], chunk: usize) -> Vec<FeatureFrame> {
        let mut stream = FeatureStream::new(REFERENCE_PITCH_HZ);
        let mut out = Vec::new();
        for c in pcm.chunks(chunk) {
            stream.push(c, |f| out.push(f));
        }
        out
    }

    #[test]
    fn one_frame_per_16_ms_whatever_the_chunking() {
        let pcm = tone_48k(500.0, 0.3, 48_000);
        let a = frames(&pcm, 480);
        let b = frames(&pcm, 7);
        assert_eq!(a.len(), 62); // 48000 / 768 = 62.5
        assert_eq!(a, b);
        let steps: Vec<u64> = a
            .windows(2)
            .map(|w| w[1].centre.0 - w[0].centre.0)
            .collect();
        assert!(steps[2..].iter().all(|s| *s == FRAME_STEP.0), "{steps:?}");
    }

    #[test]
    fn frames_are_placed_where_the_sound_is() {
        // 200 ms of silence, 200 ms of tone, silence: the loud frames' centres
        // lie inside the tone.
        let mut pcm = vec![0.0; 9600];
        pcm.extend(tone_48k(800.0, 0.3, 9600));
        pcm.extend(vec![0.0; 9600]);
        let f = frames(&pcm, 960);
        let loud: Vec<u64> = f
            .iter()
            .filter(|f| f.mfcc.log_energy > -2.0)
            .map(|f| f.centre.0)
            .collect();
        let first = loud.first().copied().unwrap_or(0);
        let last = loud.last().copied().unwrap_or(0);
        // Frames are 768 samples apart, so the first loud centre lies within
        // a step after the onset and the last within a step before the end.
        assert!((9600 - 384..9600 + 768).contains(&first), "{first}");
        assert!((19_200 - 768..19_200 + 384).contains(&last), "{last}");
    }

    #[test]
    fn decimation_keeps_speech_and_rejects_what_would_alias() {
        // A 12 kHz tone would fold to 4 kHz at 16 kHz; the low-pass removes it.
        let speech_band = frames(&tone_48k(1000.0, 0.3, 24_000), 480);
        let above = frames(&tone_48k(12_000.0, 0.3, 24_000), 480);
        let e = |f: &[FeatureFrame]| f[f.len() - 1].mfcc.log_energy;
        assert!(
            e(&speech_band) - e(&above) > 3.0,
            "{} {}",
            e(&speech_band),
            e(&above)
        );
    }
}
