//! avatarcast's own viseme classifier: linear discriminant analysis over a
//! short context of frames (the 12 raw cepstral coefficients and the
//! relative loudness of each), trained on espeak-ng speech whose phoneme
//! timing gives the labels (`examples/train_lipsync.rs`). Closed-form
//! training (class means, one shared covariance with shrinkage, class
//! priors), so a retrain is deterministic and takes seconds.
//!
//! File format (little-endian): magic `AVLSLDA1`; u32 past frames, future
//! frames, values per frame, classes; then f32 arrays: mean and 1/std per
//! input value, weights (classes × inputs, row-major), one bias per class.

use crate::clock::SampleTime;
use crate::visemes::{Viseme, VisemeTimeline};

use super::features::{FeatureFrame, FeatureStream};
use super::mfcc::{COEFFS, REFERENCE_PITCH_HZ};

/// Values per frame: 12 cepstral coefficients and the relative loudness.
pub const FRAME_VALUES: usize = COEFFS + 1;
const MAGIC: &[u8; 8] = b"AVLSLDA1";
/// Shrinkage of the shared covariance towards a scaled identity: keeps the
/// inverse stable where neighbouring frames make inputs nearly collinear.
const SHRINKAGE: f64 = 0.05;

/// One frame's input values.
pub fn frame_values(frame: &FeatureFrame) -> [f32; FRAME_VALUES] {
    let mut v = [0.0f32; FRAME_VALUES];
    v[..COEFFS].copy_from_slice(&frame.mfcc.cepstrum);
    v[COEFFS] = frame.relative_energy;
    v
}

/// Training pairs from one utterance: for every 16 ms frame, the values of
/// `past + 1 + future` frames around it (the first frame repeated before
/// the start, as the estimator does) and the viseme `timeline` has at the
/// frame's centre.
pub fn training_samples(
    pcm: &[f32],
    timeline: &VisemeTimeline,
    past: usize,
    future: usize,
) -> Vec<(Vec<f32>, Viseme)> {
    let mut stream = FeatureStream::new(REFERENCE_PITCH_HZ);
    let mut frames: Vec<FeatureFrame> = Vec::new();
    stream.push(pcm, |f| frames.push(f));
    // Silence after the end lets the last frames have their future context.
    stream.push(&vec![0.0; 768 * (future + 1)], |f| frames.push(f));
    let values: Vec<[f32; FRAME_VALUES]> = frames.iter().map(frame_values).collect();
    let end = SampleTime(pcm.len() as u64);
    let mut out = Vec::new();
    for (i, frame) in frames.iter().enumerate() {
        if frame.centre >= end || i + future >= frames.len() {
            break;
        }
        let x: Vec<f32> = (0..past + 1 + future)
            .flat_map(|k| values[(i + k).saturating_sub(past)])
            .collect();
        let viseme = timeline
            .cue_at(frame.centre)
            .map_or(Viseme::Sil, |c| c.viseme);
        out.push((x, viseme));
    }
    out
}

/// A trained linear classifier over `past + 1 + future` frames.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    pub past: usize,
    pub future: usize,
    mean: Vec<f32>,
    inv_std: Vec<f32>,
    /// `Viseme::COUNT` rows of `inputs()` weights.
    weights: Vec<f32>,
    bias: [f32; Viseme::COUNT],
}

impl LinearModel {
    /// Values the classifier reads: a frame's worth per context frame.
    pub fn inputs(&self) -> usize {
        (self.past + 1 + self.future) * FRAME_VALUES
    }

    /// The most likely viseme for `x` (the context frames' values, oldest first).
    pub fn classify(&self, x: &[f32]) -> Viseme {
        let n = self.inputs();
        let mut best = (f32::NEG_INFINITY, Viseme::Sil);
        for (k, v) in Viseme::ALL.iter().enumerate() {
            let row = &self.weights[k * n..(k + 1) * n];
            let mut score = self.bias[k];
            for (((w, xi), m), s) in row.iter().zip(x).zip(&self.mean).zip(&self.inv_std) {
                score += w * (xi - m) * s;
            }
            if score > best.0 {
                best = (score, *v);
            }
        }
        best.1
    }

    /// Trains on `(context values, viseme)` pairs; each `x` has
    /// `(past + 1 + future) * FRAME_VALUES` values.
    pub fn train(
        samples: &[(Vec<f32>, Viseme)],
        past: usize,
        future: usize,
    ) -> Result<LinearModel, String> {
        let n = (past + 1 + future) * FRAME_VALUES;
        if samples.len() < 10 * n {
            return Err(format!(
                "{} training frames are too few for {n} inputs",
                samples.len()
            ));
        }
        if let Some((x, _)) = samples.iter().find(|(x, _)| x.len() != n) {
            return Err(format!("a sample has {} values, {n} expected", x.len()));
        }
        let count = samples.len() as f64;
        let mut mean = vec![0.0f64; n];
        for (x, _) in samples {
            for (m, xi) in mean.iter_mut().zip(x) {
                *m += f64::from(*xi) / count;
            }
        }
        let mut std = vec![0.0f64; n];
        for (x, _) in samples {
            for ((s, xi), m) in std.iter_mut().zip(x).zip(&mean) {
                *s += (f64::from(*xi) - m).powi(2) / count;
            }
        }
        let inv_std: Vec<f64> = std.iter().map(|s| 1.0 / s.sqrt().max(1e-6)).collect();
        let z = |x: &[f32]| -> Vec<f64> {
            x.iter()
                .zip(&mean)
                .zip(&inv_std)
                .map(|((xi, m), s)| (f64::from(*xi) - m) * s)
                .collect()
        };
        let mut class_sum = vec![vec![0.0f64; n]; Viseme::COUNT];
        let mut class_count = [0usize; Viseme::COUNT];
        for (x, v) in samples {
            for (a, b) in class_sum[*v as usize].iter_mut().zip(z(x)) {
                *a += b;
            }
            class_count[*v as usize] += 1;
        }
        let class_mean: Vec<Vec<f64>> = class_sum
            .iter()
            .zip(&class_count)
            .map(|(s, c)| s.iter().map(|x| x / (*c).max(1) as f64).collect())
            .collect();
        let mut cov = vec![0.0f64; n * n];
        for (x, v) in samples {
            let d: Vec<f64> = z(x)
                .iter()
                .zip(&class_mean[*v as usize])
                .map(|(a, b)| a - b)
                .collect();
            for i in 0..n {
                for j in 0..=i {
                    cov[i * n + j] += d[i] * d[j];
                }
            }
        }
        let trace: f64 = (0..n).map(|i| cov[i * n + i]).sum::<f64>() / count / n as f64;
        for i in 0..n {
            for j in 0..=i {
                let mut c = cov[i * n + j] / count * (1.0 - SHRINKAGE);
                if i == j {
                    c += SHRINKAGE * trace;
                }
                cov[i * n + j] = c;
                cov[j * n + i] = c;
            }
        }
        let chol = cholesky(&cov, n).ok_or("the feature covariance is singular")?;
        let mut weights = vec![0.0f32; Viseme::COUNT * n];
        let mut bias = [0.0f32; Viseme::COUNT];
        for k in 0..Viseme::COUNT {
            if class_count[k] == 0 {
                // A viseme never seen in training is never predicted.
                bias[k] = -1e9;
                continue;
            }
            let w = solve_cholesky(&chol, n, &class_mean[k]);
            let quad: f64 = w.iter().zip(&class_mean[k]).map(|(a, b)| a * b).sum();
            let prior = class_count[k] as f64 / count;
            bias[k] = (-0.5 * quad + prior.ln()) as f32;
            for (dst, src) in weights[k * n..(k + 1) * n].iter_mut().zip(&w) {
                *dst = *src as f32;
            }
        }
        Ok(LinearModel {
            past,
            future,
            mean: mean.iter().map(|m| *m as f32).collect(),
            inv_std: inv_std.iter().map(|s| *s as f32).collect(),
            weights,
            bias,
        })
    }

    /// The model as file bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        for v in [self.past, self.future, FRAME_VALUES, Viseme::COUNT] {
            out.extend_from_slice(&(v as u32).to_le_bytes());
        }
        for v in self
            .mean
            .iter()
            .chain(&self.inv_std)
            .chain(&self.weights)
            .chain(&self.bias)
        {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out
    }

    /// True when `bytes` start like a file of this format.
    pub fn recognises(bytes: &[u8]) -> bool {
        bytes.starts_with(MAGIC)
    }

    /// Parses a model file; the error says what is wrong.
    pub fn parse(bytes: &[u8]) -> Result<LinearModel, String> {
        if !LinearModel::recognises(bytes) || bytes.len() < 24 {
            return Err("no `AVLSLDA1` header".into());
        }
        let word = |i: usize| {
            u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]) as usize
        };
        let (past, future, per_frame, classes) = (word(8), word(12), word(16), word(20));
        if per_frame != FRAME_VALUES || classes != Viseme::COUNT || past + future > 16 {
            return Err(format!(
                "unsupported layout: {past}+1+{future} frames of {per_frame} values, {classes} \
                 classes (this build reads {FRAME_VALUES} values and {} classes)",
                Viseme::COUNT
            ));
        }
        let n = (past + 1 + future) * FRAME_VALUES;
        let floats = 2 * n + classes * n + classes;
        if bytes.len() != 24 + 4 * floats {
            return Err(format!(
                "{} bytes, {} expected for this layout (truncated?)",
                bytes.len(),
                24 + 4 * floats
            ));
        }
        let values: Vec<f32> = bytes[24..]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        if values.iter().any(|v| !v.is_finite()) {
            return Err("a value is not a finite number".into());
        }
        let mut bias = [0.0f32; Viseme::COUNT];
        bias.copy_from_slice(&values[2 * n + classes * n..]);
        Ok(LinearModel {
            past,
            future,
            mean: values[..n].to_vec(),
            inv_std: values[n..2 * n].to_vec(),
            weights: values[2 * n..2 * n + classes * n].to_vec(),
            bias,
        })
    }
}

/// Lower-triangular `L` with `L Lᵀ = a` (row-major `n × n`); `None` if `a`
/// is not positive definite.
fn cholesky(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0f64; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut sum = a[i * n + j];
            for k in 0..j {
                sum -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if sum <= 0.0 {
                    return None;
                }
                l[i * n + i] = sum.sqrt();
            } else {
                l[i * n + j] = sum / l[j * n + j];
            }
        }
    }
    Some(l)
}

/// Solves `L Lᵀ x = b`.
fn solve_cholesky(l: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    let mut y = vec![0.0f64; n];
    for i in 0..n {
        let sum: f64 = (0..i).map(|k| l[i * n + k] * y[k]).sum();
        y[i] = (b[i] - sum) / l[i * n + i];
    }
    let mut x = vec![0.0f64; n];
    for i in (0..n).rev() {
        let sum: f64 = (i + 1..n).map(|k| l[k * n + i] * x[k]).sum();
        x[i] = (y[i] - sum) / l[i * n + i];
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two well separated classes in the first value, noise elsewhere.
    fn samples() -> Vec<(Vec<f32>, Viseme)> {
        let mut out = Vec::new();
        let mut seed = 1u32;
        let mut noise = || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
        };
        for i in 0..400 {
            let (v, centre) = if i % 2 == 0 {
                (Viseme::Aa, 2.0)
            } else {
                (Viseme::Sil, -2.0)
            };
            let mut x: Vec<f32> = (0..FRAME_VALUES).map(|_| noise()).collect();
            x[0] += centre;
            out.push((x, v));
        }
        out
    }

    #[test]
    fn trains_separates_and_round_trips_through_bytes() {
        let model = LinearModel::train(&samples(), 0, 0).expect("trainable");
        let mut x = vec![0.0f32; FRAME_VALUES];
        x[0] = 1.5;
        assert_eq!(model.classify(&x), Viseme::Aa);
        x[0] = -1.5;
        assert_eq!(model.classify(&x), Viseme::Sil);
        // Classes absent from training are never predicted.
        x[0] = 0.0;
        assert!(matches!(model.classify(&x), Viseme::Aa | Viseme::Sil));
        let bytes = model.encode();
        assert_eq!(LinearModel::parse(&bytes).as_ref(), Ok(&model));
    }

    #[test]
    fn truncated_or_garbled_files_are_rejected_with_the_reason() {
        let bytes = LinearModel::train(&samples(), 0, 0)
            .expect("trainable")
            .encode();
        let err = |b: &[u8]| LinearModel::parse(b).expect_err("must be rejected");
        assert!(err(&bytes[..bytes.len() - 4]).contains("truncated"));
        assert!(err(b"AVLSLDA").contains("header"));
        let mut nan = bytes.clone();
        nan[24..28].copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(err(&nan).contains("finite"));
        let mut layout = bytes.clone();
        layout[16] = 40;
        assert!(err(&layout).contains("unsupported layout"));
        assert!(LinearModel::train(&samples()[..20], 0, 0).is_err());
    }
}
