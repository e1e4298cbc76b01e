//! Mel-frequency cepstral coefficients of one 32 ms block at 16 kHz: the
//! features the headaudio prototypes were trained on. The parameters are
//! headaudio 0.1.0's (`modules/parameters.mjs`): 512-point Hamming window,
//! power spectrum divided by N, 40 triangular mel bands over 30–7800 Hz,
//! log10, a DCT-II, coefficients 1..=12 (c0, the loudness, is left out so
//! the features do not depend on the gain), sine liftering with L = 22.
//! The `tanh` compression that follows is in [`Mfcc::compute`] too.

use std::f32::consts::PI;

/// Samples per analysis block at [`FEATURE_RATE_HZ`].
pub const BLOCK_LEN: usize = 512;
/// Sample rate of the analysed signal.
pub const FEATURE_RATE_HZ: u32 = 16_000;
/// Cepstral coefficients per block (c1..=c12).
pub const COEFFS: usize = 12;
const MEL_BANDS: usize = 40;
const LIFTER: f32 = 22.0;
const LOW_HZ: f32 = 30.0;
const HIGH_HZ: f32 = 7800.0;
/// Keeps log10 finite on digital silence.
const LOG_FLOOR: f32 = 1e-10;
/// Mean voice pitch the mel scale is calibrated for (an average adult).
pub const REFERENCE_PITCH_HZ: f32 = 150.0;

/// One block's features.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MfccFrame {
    /// log10 of the block's total power (|X|²/N summed over 0..N/2); -4 is
    /// about -40 dB, where headaudio's voice gate opens.
    pub log_energy: f32,
    /// `tanh`-compressed, liftered cepstrum c1..=c12 (headaudio's features).
    pub coeffs: [f32; COEFFS],
    /// The same before compression: clean synthetic voices have near-empty
    /// mel bands whose large cepstra `tanh` would flatten to ±1.
    pub cepstrum: [f32; COEFFS],
}

/// Precomputed tables for one speaker pitch; `compute` does not allocate.
#[derive(Debug, Clone)]
pub struct Mfcc {
    window: Vec<f32>,
    twiddles: Vec<(f32, f32)>,
    bit_reverse: Vec<usize>,
    /// Per band: first FFT bin and its weights.
    bands: Vec<(usize, Vec<f32>)>,
    dct: Vec<[f32; MEL_BANDS]>,
    lifter: [f32; COEFFS],
    re: Vec<f32>,
    im: Vec<f32>,
}

impl Mfcc {
    /// Tables for a speaker whose mean pitch is `speaker_pitch_hz`: the mel
    /// points are stretched by `pitch / 150 Hz` (limited to 0.6..=1.8), a
    /// crude vocal-tract-length normalisation (higher voices have higher
    /// formants). 150 Hz leaves the scale as trained.
    pub fn new(speaker_pitch_hz: f32) -> Mfcc {
        let n = BLOCK_LEN;
        let window = (0..n)
            .map(|i| 0.54 - 0.46 * (2.0 * PI * i as f32 / (n - 1) as f32).cos())
            .collect();
        let twiddles = (0..n / 2)
            .map(|k| {
                let phase = -2.0 * std::f64::consts::PI * k as f64 / n as f64;
                (phase.cos() as f32, phase.sin() as f32)
            })
            .collect();
        let bits = n.trailing_zeros();
        let bit_reverse = (0..n)
            .map(|i| i.reverse_bits() >> (usize::BITS - bits))
            .collect();
        let dct = (1..=COEFFS)
            .map(|i| {
                let mut row = [0.0f32; MEL_BANDS];
                let scale = (2.0 / MEL_BANDS as f64).sqrt();
                for (j, c) in row.iter_mut().enumerate() {
                    let angle =
                        std::f64::consts::PI * i as f64 * (j as f64 + 0.5) / MEL_BANDS as f64;
                    *c = (scale * angle.cos()) as f32;
                }
                row
            })
            .collect();
        let mut lifter = [0.0f32; COEFFS];
        for (i, l) in lifter.iter_mut().enumerate() {
            *l = 1.0 + LIFTER / 2.0 * (PI * (i + 1) as f32 / LIFTER).sin();
        }
        Mfcc {
            window,
            twiddles,
            bit_reverse,
            bands: mel_bands(speaker_pitch_hz),
            dct,
            lifter,
            re: vec![0.0; n],
            im: vec![0.0; n],
        }
    }

    /// Features of `block` (exactly [`BLOCK_LEN`] samples at 16 kHz, in -1..1).
    pub fn compute(&mut self, block: &[f32; BLOCK_LEN]) -> MfccFrame {
        for (i, (x, w)) in block.iter().zip(&self.window).enumerate() {
            let j = self.bit_reverse[i];
            self.re[j] = x * w;
            self.im[j] = 0.0;
        }
        fft_in_place(&mut self.re, &mut self.im, &self.twiddles);
        // Power of the first N/2 bins, reusing `re` (the FFT output is no longer needed).
        let mut total = 0.0f32;
        for k in 0..BLOCK_LEN / 2 {
            let p = (self.re[k] * self.re[k] + self.im[k] * self.im[k]) / BLOCK_LEN as f32;
            self.re[k] = p;
            total += p;
        }
        let mut log_mel = [0.0f32; MEL_BANDS];
        for (out, (first, weights)) in log_mel.iter_mut().zip(&self.bands) {
            let power = &self.re[*first..*first + weights.len()];
            let sum: f32 = power.iter().zip(weights).map(|(p, w)| p * w).sum();
            *out = (sum + LOG_FLOOR).log10();
        }
        let mut cepstrum = [0.0f32; COEFFS];
        for ((c, row), lift) in cepstrum.iter_mut().zip(&self.dct).zip(&self.lifter) {
            let sum: f32 = row.iter().zip(&log_mel).map(|(a, b)| a * b).sum();
            *c = sum * lift;
        }
        // tanh keeps rare extreme coefficients from dominating a Mahalanobis
        // distance, as in headaudio's training.
        let coeffs = cepstrum.map(f32::tanh);
        MfccFrame {
            log_energy: (total + LOG_FLOOR).log10(),
            coeffs,
            cepstrum,
        }
    }
}

/// Triangular filters on FFT bins, `(first bin, weights)` per band. Band
/// edges are rounded down to whole bins as in training, so a narrow low band
/// may have a rising or falling half of zero width.
fn mel_bands(speaker_pitch_hz: f32) -> Vec<(usize, Vec<f32>)> {
    let warp = (speaker_pitch_hz / REFERENCE_PITCH_HZ).clamp(0.6, 1.8);
    let mel = |f: f32| 2595.0 * (1.0 + f / 700.0).log10();
    let hz = |m: f32| 700.0 * (10f32.powf(m / 2595.0) - 1.0);
    let (lo, hi) = (mel(LOW_HZ), mel(HIGH_HZ));
    let bins: Vec<usize> = (0..MEL_BANDS + 2)
        .map(|i| {
            let m = lo + (hi - lo) / (MEL_BANDS + 1) as f32 * i as f32;
            let f = hz(lo + (m - lo) * warp);
            let bin = (f / FEATURE_RATE_HZ as f32 * BLOCK_LEN as f32).floor();
            (bin.max(0.0) as usize).min(BLOCK_LEN / 2)
        })
        .collect();
    (0..MEL_BANDS)
        .map(|b| {
            let (left, centre, right) = (bins[b], bins[b + 1], bins[b + 2]);
            let mut weights = Vec::with_capacity(right.saturating_sub(left));
            for k in left..centre {
                weights.push((k - left) as f32 / (centre - left) as f32);
            }
            for k in centre..right {
                weights.push((right - k) as f32 / (right - centre) as f32);
            }
            (left, weights)
        })
        .collect()
}

/// Iterative radix-2 decimation-in-time FFT; the input must already be in
/// bit-reversed order. `twiddles[k]` is e^(-2πik/N).
fn fft_in_place(re: &mut [f32], im: &mut [f32], twiddles: &[(f32, f32)]) {
    let n = re.len();
    let mut half = 1;
    while half < n {
        let stride = n / (2 * half);
        for start in (0..n).step_by(2 * half) {
            for k in 0..half {
                let (wr, wi) = twiddles[k * stride];
                let (a, b) = (start + k, start + k + half);
                let tr = re[b] * wr - im[b] * wi;
                let ti = re[b] * wi + im[b] * wr;
                re[b] = re[a] - tr;
                im[b] = im[a] - ti;
                re[a] += tr;
                im[a] += ti;
            }
        }
        half *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(freq_hz: f32, amplitude: f32) -> [f32; BLOCK_LEN] {
        let mut block = [0.0f32; BLOCK_LEN];
        for (i, x) in block.iter_mut().enumerate() {
            *x = amplitude * (2.0 * PI * freq_hz * i as f32 / FEATURE_RATE_HZ as f32).sin();
        }
        block
    }

    #[test]
    fn fft_finds_a_tone_in_its_bin() {
        // 1000 Hz at 16 kHz over 512 samples is exactly bin 32.
        let block = tone(1000.0, 1.0);
        let mut m = Mfcc::new(REFERENCE_PITCH_HZ);
        for (i, x) in block.iter().enumerate() {
            m.re[m.bit_reverse[i]] = *x;
            m.im[m.bit_reverse[i]] = 0.0;
        }
        let (mut re, mut im) = (m.re.clone(), m.im.clone());
        fft_in_place(&mut re, &mut im, &m.twiddles);
        let mag: Vec<f32> = (0..BLOCK_LEN / 2).map(|k| re[k].hypot(im[k])).collect();
        let peak = (0..mag.len()).max_by(|a, b| mag[*a].total_cmp(&mag[*b]));
        assert_eq!(peak, Some(32));
        // A unit sine of N samples has |X| = N/2 in its bin.
        assert!((mag[32] - 256.0).abs() < 0.05, "{}", mag[32]);
        assert!(mag[10] < 1e-3 && mag[100] < 1e-3);
    }

    #[test]
    fn tone_energy_follows_the_gain_and_the_cepstrum_does_not() {
        let mut m = Mfcc::new(REFERENCE_PITCH_HZ);
        let loud = m.compute(&tone(440.0, 0.5));
        let quiet = m.compute(&tone(440.0, 0.05));
        // 20 dB quieter is 2 decades of power.
        assert!(
            (loud.log_energy - quiet.log_energy - 2.0).abs() < 0.01,
            "{} vs {}",
            loud.log_energy,
            quiet.log_energy
        );
        // The gain only moves c0, which is left out.
        for (a, b) in loud.coeffs.iter().zip(&quiet.coeffs) {
            assert!(
                (a - b).abs() < 1e-3,
                "{:?} vs {:?}",
                loud.coeffs,
                quiet.coeffs
            );
        }
        assert!(loud.coeffs.iter().all(|c| (-1.0..=1.0).contains(c)));
    }

    #[test]
    fn low_and_high_tones_have_opposite_first_coefficients() {
        // c1 weighs low bands positively, high bands negatively.
        let mut m = Mfcc::new(REFERENCE_PITCH_HZ);
        let low = m.compute(&tone(300.0, 0.3));
        let high = m.compute(&tone(5000.0, 0.3));
        assert!(low.coeffs[0] > 0.5, "{:?}", low.coeffs);
        assert!(high.coeffs[0] < -0.5, "{:?}", high.coeffs);
        let silent = m.compute(&[0.0; BLOCK_LEN]);
        assert!(silent.log_energy <= -9.9 && silent.coeffs.iter().all(|c| c.is_finite()));
    }

    #[test]
    fn mel_bands_cover_the_range_and_stretch_with_pitch() {
        let bands = mel_bands(REFERENCE_PITCH_HZ);
        assert_eq!(bands.len(), MEL_BANDS);
        let last = bands.last().map(|(first, w)| first + w.len());
        // 7800 Hz is bin 249.
        assert_eq!(last, Some(249));
        let high_voice = mel_bands(300.0);
        // A higher voice's bands are spread up to 1.8x wider (capped by Nyquist).
        assert!(high_voice[20].0 > bands[20].0);
    }
}
