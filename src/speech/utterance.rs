//! The result of synthesis: PCM on the pipeline clock plus its phonemes.

use crate::clock::{SAMPLE_RATE_HZ, SampleTime};

use super::Lang;

/// One phoneme as the backend names it (espeak mnemonics such as `aI`,
/// `tS;h`, `_:`), spanning `start..end` on the utterance's own clock: sample
/// 0 is the utterance's first PCM sample, at 48 kHz.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhonemeEvent {
    pub phoneme: String,
    pub start: SampleTime,
    pub end: SampleTime,
}

/// Synthesised speech: mono 48 kHz PCM in -1..=1 and its phonemes. The
/// phonemes are sorted, do not overlap, and lie within `0..duration()`.
#[derive(Debug, Clone, PartialEq)]
pub struct Utterance {
    pub pcm: Vec<f32>,
    pub phonemes: Vec<PhonemeEvent>,
    pub lang: Lang,
    /// The backend voice that spoke it, e.g. `en-us`.
    pub voice: String,
}

impl Utterance {
    /// Length of the PCM on the 48 kHz clock.
    pub fn duration(&self) -> SampleTime {
        SampleTime(self.pcm.len() as u64)
    }

    pub fn duration_secs(&self) -> f64 {
        self.pcm.len() as f64 / f64::from(SAMPLE_RATE_HZ)
    }

    /// RMS loudness per `hop` samples, scaled so the loudest hop is 1.0
    /// (all zeros for silent audio). Entry `i` covers samples
    /// `i*hop..(i+1)*hop`; the last hop may be shorter.
    pub fn loudness_envelope(&self, hop: SampleTime) -> Vec<f32> {
        let hop = hop.0.max(1) as usize;
        let mut rms: Vec<f32> = self
            .pcm
            .chunks(hop)
            .map(|chunk| {
                let energy: f64 = chunk.iter().map(|s| f64::from(*s) * f64::from(*s)).sum();
                (energy / chunk.len() as f64).sqrt() as f32
            })
            .collect();
        let peak = rms.iter().copied().fold(0.0f32, f32::max);
        if peak > 0.0 {
            for r in &mut rms {
                *r = (*r / peak).clamp(0.0, 1.0);
            }
        }
        rms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utterance(pcm: Vec<f32>) -> Utterance {
        Utterance {
            pcm,
            phonemes: Vec::new(),
            lang: Lang::En,
            voice: "test".into(),
        }
    }

    #[test]
    fn loudness_is_normalised_rms_per_hop() {
        // 100 silent samples, 100 at amplitude 0.5 (square), a short tail of 50 at 0.25.
        let mut pcm = vec![0.0; 100];
        pcm.extend((0..100).map(|i| if i % 2 == 0 { 0.5 } else { -0.5 }));
        pcm.extend(std::iter::repeat_n(0.25, 50));
        let u = utterance(pcm);
        assert_eq!(u.duration(), SampleTime(250));
        let env = u.loudness_envelope(SampleTime(100));
        assert_eq!(env.len(), 3);
        assert_eq!(env[0], 0.0);
        assert!((env[1] - 1.0).abs() < 1e-6);
        assert!((env[2] - 0.5).abs() < 1e-6);
    }

    #[test]
    fn loudness_of_silence_is_zero_not_nan() {
        let env = utterance(vec![0.0; 480]).loudness_envelope(SampleTime(0));
        assert_eq!(env.len(), 480);
        assert!(env.iter().all(|v| *v == 0.0));
        assert!(
            utterance(Vec::new())
                .loudness_envelope(SampleTime(480))
                .is_empty()
        );
    }
}
