//! Seeded randomness as pure functions of (seed, index): the same seed gives
//! the same blinks, saccades and sway on every run and for any sampling
//! order, with no state to advance and no wall clock.

/// SplitMix64 finaliser: a well-mixed 64-bit hash of `x`.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform number in `0..1` for (seed, stream, index): independent streams
/// (blink, gaze, ...) from one seed.
pub fn unit(seed: u64, stream: u64, index: i64) -> f64 {
    let h =
        splitmix64(seed ^ splitmix64(stream.wrapping_mul(0xD1B5_4A32_D192_ED03) ^ index as u64));
    // 53 random bits → [0, 1).
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// Smooth, bounded noise in -1..1 from a sum of incommensurate sines with
/// seeded phases: continuous, differentiable, never repeating in practice.
#[derive(Debug, Clone, Copy)]
pub struct SmoothNoise {
    /// (frequency Hz, amplitude, phase rad); amplitudes sum to 1.
    partials: [(f64, f64, f64); 3],
}

impl SmoothNoise {
    /// Noise whose slowest partial has frequency `base_hz`.
    pub fn new(seed: u64, stream: u64, base_hz: f64) -> Self {
        let tau = std::f64::consts::TAU;
        let phase = |i: i64| unit(seed, stream, i) * tau;
        SmoothNoise {
            partials: [
                (base_hz, 0.55, phase(0)),
                (base_hz * 2.13, 0.3, phase(1)),
                (base_hz * 4.71, 0.15, phase(2)),
            ],
        }
    }

    pub fn at(&self, secs: f64) -> f64 {
        self.partials
            .iter()
            .map(|(f, a, p)| a * (std::f64::consts::TAU * f * secs + p).sin())
            .sum()
    }
}

/// Smoothstep on `0..1` (clamped): zero slope at both ends.
pub fn smoothstep(x: f64) -> f64 {
    let x = x.clamp(0.0, 1.0);
    x * x * (3.0 - 2.0 * x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_is_deterministic_uniform_and_stream_separated() {
        assert_eq!(unit(7, 1, 42), unit(7, 1, 42));
        assert_ne!(unit(7, 1, 42), unit(7, 2, 42));
        assert_ne!(unit(7, 1, 42), unit(8, 1, 42));
        let n = 10_000;
        let values: Vec<f64> = (0..n).map(|i| unit(1, 3, i)).collect();
        assert!(values.iter().all(|v| (0.0..1.0).contains(v)));
        let mean = values.iter().sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.02, "mean {mean}");
        let low = values.iter().filter(|v| **v < 0.1).count();
        assert!((800..1200).contains(&low), "{low} of {n} below 0.1");
    }

    #[test]
    fn smooth_noise_is_bounded_and_continuous() {
        let noise = SmoothNoise::new(3, 9, 0.2);
        let mut prev = noise.at(0.0);
        for i in 1..20_000 {
            let v = noise.at(i as f64 * 0.01);
            assert!(v.abs() <= 1.0);
            // Max slope is 2π Σ f·a ≈ 9.9 · base; over 10 ms that is < 0.03.
            assert!((v - prev).abs() < 0.03);
            prev = v;
        }
        assert_eq!(smoothstep(-1.0), 0.0);
        assert_eq!(smoothstep(0.5), 0.5);
        assert_eq!(smoothstep(2.0), 1.0);
    }
}
