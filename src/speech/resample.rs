//! Band-limited sample-rate conversion by a rational factor: a Kaiser-windowed
//! sinc filter evaluated as a polyphase table.
//!
//! espeak-ng speaks at 22 050 Hz and the pipeline runs at 48 000 Hz, a ratio
//! of 320/147. Output sample `k` sits at input position `k * 147 / 320`; its
//! integer part picks the input window and the remainder picks one of 320
//! precomputed filter phases. A whole utterance is converted at once, so
//! there is no streaming state and the output length is exactly
//! `round(n * to / from)`.
//!
//! Written here rather than taken from a crate (rubato is the well-kept
//! option) because the job is small, offline and one ratio, and owning it
//! lets event times be mapped with the very same integer arithmetic.

/// A fixed-ratio resampler. Build once per rate pair and reuse: the
/// constructor computes the filter table (~10k coefficients for 22.05→48 kHz).
#[derive(Debug, Clone)]
pub struct Resampler {
    /// Upsampling factor L (output rate / gcd).
    up: u64,
    /// Downsampling factor M (input rate / gcd).
    down: u64,
    /// Taps per phase.
    taps: usize,
    /// Offset of the first tap relative to the integer input position.
    first_tap: i64,
    /// `up` phases of `taps` coefficients, row-major.
    table: Vec<f32>,
}

/// Taps on each side of the centre at unity ratio. With a Kaiser β of 8.6
/// (≈ -85 dB stopband) 32 gives a transition band of ~2 kHz at 22 050 Hz,
/// so the passband is flat to ~9 kHz.
const HALF_TAPS: usize = 32;
const KAISER_BETA: f64 = 8.6;
/// Cutoff (-6 dB point) as a fraction of the lower Nyquist frequency; speech at
/// 22 050 Hz carries little above 10 kHz, so rolling off from ~9.9 kHz is
/// inaudible and keeps images of the input spectrum out of the output.
const CUTOFF: f64 = 0.9;

impl Resampler {
    /// A resampler from `from_hz` to `to_hz`. Both rates must be non-zero;
    /// zero is treated as 1 Hz rather than panicking.
    pub fn new(from_hz: u32, to_hz: u32) -> Resampler {
        let from = u64::from(from_hz.max(1));
        let to = u64::from(to_hz.max(1));
        let g = gcd(from, to);
        let (up, down) = (to / g, from / g);
        // When downsampling, the filter must cut at the *output* Nyquist, so
        // it is stretched by down/up (more taps, same transition steepness).
        let scale = (up as f64 / down as f64).min(1.0);
        let half = (HALF_TAPS as f64 / scale).ceil() as usize;
        let taps = 2 * half;
        let first_tap = -(half as i64) + 1;
        let fc = CUTOFF * scale;
        let i0_beta = bessel_i0(KAISER_BETA);
        let mut table = vec![0.0f32; up as usize * taps];
        for phase in 0..up as usize {
            let frac = phase as f64 / up as f64;
            let row = &mut table[phase * taps..(phase + 1) * taps];
            let mut coefs = vec![0.0f64; taps];
            for (j, c) in coefs.iter_mut().enumerate() {
                // Distance from the tap's input sample to the output position.
                let tau = (first_tap + j as i64) as f64 - frac;
                let x = tau / half as f64;
                let window = if x.abs() < 1.0 {
                    bessel_i0(KAISER_BETA * (1.0 - x * x).sqrt()) / i0_beta
                } else {
                    0.0
                };
                *c = fc * sinc(fc * tau) * window;
            }
            // Normalise each phase to unity DC gain, so a constant signal
            // stays constant (no ripple at the phase rate).
            let sum: f64 = coefs.iter().sum();
            for (dst, c) in row.iter_mut().zip(coefs.iter()) {
                *dst = (*c / sum) as f32;
            }
        }
        Resampler {
            up,
            down,
            taps,
            first_tap,
            table,
        }
    }

    /// Number of output samples for `input_len` input samples:
    /// `round(input_len * to / from)`.
    pub fn output_len(&self, input_len: usize) -> usize {
        ((input_len as u64 * self.up + self.down / 2) / self.down) as usize
    }

    /// The output index of input sample `input_index`, rounded to nearest:
    /// use it to move event times onto the output clock.
    pub fn map_position(&self, input_index: u64) -> u64 {
        (input_index * self.up + self.down / 2) / self.down
    }

    /// Converts a whole signal. Samples outside the input are taken as zero.
    pub fn process(&self, input: &[f32]) -> Vec<f32> {
        if self.up == self.down {
            return input.to_vec();
        }
        let out_len = self.output_len(input.len());
        let mut out = Vec::with_capacity(out_len);
        for k in 0..out_len as u64 {
            let pos = k * self.down;
            let base = (pos / self.up) as i64 + self.first_tap;
            let phase = (pos % self.up) as usize;
            let coefs = &self.table[phase * self.taps..(phase + 1) * self.taps];
            let mut acc = 0.0f32;
            if base >= 0 && (base as usize + self.taps) <= input.len() {
                let window = &input[base as usize..base as usize + self.taps];
                for (x, c) in window.iter().zip(coefs) {
                    acc += x * c;
                }
            } else {
                for (j, c) in coefs.iter().enumerate() {
                    let idx = base + j as i64;
                    if idx >= 0 && (idx as usize) < input.len() {
                        acc += input[idx as usize] * c;
                    }
                }
            }
            out.push(acc);
        }
        out
    }
}

/// 16-bit PCM to -1..1 floats.
pub fn i16_to_f32(samples: &[i16]) -> Vec<f32> {
    samples.iter().map(|s| f32::from(*s) / 32768.0).collect()
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

fn sinc(x: f64) -> f64 {
    if x.abs() < 1e-12 {
        1.0
    } else {
        let px = std::f64::consts::PI * x;
        px.sin() / px
    }
}

/// Modified Bessel function of the first kind, order 0 (power series; converges
/// fast for the β values a Kaiser window uses).
fn bessel_i0(x: f64) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    let half_sq = x * x / 4.0;
    for k in 1..64 {
        term *= half_sq / (k as f64 * k as f64);
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn sine(freq_hz: f64, rate_hz: f64, len: usize, amp: f64) -> Vec<f32> {
        (0..len)
            .map(|n| (amp * (2.0 * PI * freq_hz * n as f64 / rate_hz).sin()) as f32)
            .collect()
    }

    /// Amplitude and phase of `freq_hz` in `signal` by correlation (a single DFT bin).
    fn tone(signal: &[f32], freq_hz: f64, rate_hz: f64) -> (f64, f64) {
        let (mut re, mut im) = (0.0, 0.0);
        for (n, s) in signal.iter().enumerate() {
            let w = 2.0 * PI * freq_hz * n as f64 / rate_hz;
            re += f64::from(*s) * w.cos();
            im += f64::from(*s) * w.sin();
        }
        let n = signal.len() as f64;
        ((re * re + im * im).sqrt() * 2.0 / n, im.atan2(re))
    }

    #[test]
    fn sine_keeps_frequency_and_amplitude_going_up() {
        let r = Resampler::new(22_050, 48_000);
        for freq in [200.0, 1000.0, 4000.0, 8500.0] {
            let input = sine(freq, 22_050.0, 22_050, 0.5);
            let out = r.process(&input);
            // Skip the filter's edges, where the signal starts from zero.
            let middle = &out[1000..out.len() - 1000];
            let (amp, _) = tone(middle, freq, 48_000.0);
            assert!((amp - 0.5).abs() < 0.005, "{freq} Hz: amplitude {amp}");
            // Residual after removing the expected sine: no other frequencies.
            let offset = 1000;
            let err: f64 = middle
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let t = (i + offset) as f64 / 48_000.0;
                    let want = 0.5 * (2.0 * PI * freq * t).sin();
                    (f64::from(*s) - want).powi(2)
                })
                .sum::<f64>()
                / middle.len() as f64;
            assert!(err.sqrt() < 0.003, "{freq} Hz: rms error {}", err.sqrt());
        }
    }

    #[test]
    fn sine_keeps_frequency_going_down() {
        let r = Resampler::new(48_000, 22_050);
        let input = sine(1000.0, 48_000.0, 48_000, 0.8);
        let out = r.process(&input);
        assert_eq!(out.len(), 22_050);
        let (amp, _) = tone(&out[500..out.len() - 500], 1000.0, 22_050.0);
        assert!((amp - 0.8).abs() < 0.01, "amplitude {amp}");
        // A tone above the output Nyquist is removed, not aliased.
        let high = sine(15_000.0, 48_000.0, 48_000, 0.8);
        let out = r.process(&high);
        let rms = (out[500..out.len() - 500]
            .iter()
            .map(|s| f64::from(*s).powi(2))
            .sum::<f64>()
            / (out.len() - 1000) as f64)
            .sqrt();
        assert!(rms < 0.01, "aliased rms {rms}");
    }

    #[test]
    fn length_ratio_is_exact_and_positions_map_with_it() {
        let r = Resampler::new(22_050, 48_000);
        assert_eq!(r.output_len(22_050), 48_000);
        assert_eq!(r.output_len(147), 320);
        assert_eq!(r.output_len(0), 0);
        assert_eq!(r.output_len(1), 2); // 2.18 rounds to 2
        for n in [1usize, 2, 100, 12_345, 1_000_000] {
            let exact = n as f64 * 48_000.0 / 22_050.0;
            assert_eq!(r.output_len(n), exact.round() as usize);
            assert_eq!(r.map_position(n as u64), exact.round() as u64);
            assert_eq!(
                r.process(&vec![0.0; n.min(20_000)]).len(),
                r.output_len(n.min(20_000))
            );
        }
    }

    #[test]
    fn constant_signal_stays_constant_and_identity_is_transparent() {
        let r = Resampler::new(22_050, 48_000);
        let out = r.process(&vec![0.25; 4000]);
        for s in &out[100..out.len() - 100] {
            assert!((s - 0.25).abs() < 1e-5, "{s}");
        }
        let same = Resampler::new(48_000, 48_000);
        let input = sine(440.0, 48_000.0, 1000, 0.3);
        let out = same.process(&input);
        for (a, b) in input.iter().zip(&out) {
            assert!((a - b).abs() < 1e-5);
        }
    }

    #[test]
    fn i16_conversion_covers_full_scale() {
        assert_eq!(i16_to_f32(&[0, 16384, -32768]), vec![0.0, 0.5, -1.0]);
    }
}
