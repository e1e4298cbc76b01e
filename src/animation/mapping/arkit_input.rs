//! ARKit blend-shape frames as *input* (Azure's 55-value `FacialExpression`
//! frames): the mouth channels drive same-named morphs directly, and an
//! avatar without them gets the nearest mix of Oculus visemes instead
//! (non-negative least squares against the [`ARKIT_MIXES`] table, so a
//! frame maps back onto the shapes the avatar does have).

use crate::visemes::Viseme;
use crate::visemes::external::ARKIT_FRAME_NAMES;

use super::MorphNames;
use super::vocab::{ARKIT_MIXES, expand};

/// Frame values that shape the mouth: jaw, lips, cheeks puffed, tongue.
/// Eyes, brows and head stay with the animator (blinks and gaze are seeded).
fn is_mouth(name: &str) -> bool {
    name.starts_with("jaw")
        || name.starts_with("mouth")
        || name == "tongueOut"
        || name == "cheekPuff"
}

/// Projected-gradient iterations of the fallback fit; the 14×K system is
/// tiny and well conditioned enough that 60 steps settle it.
const FIT_STEPS: usize = 60;

/// The resolved ARKit-input bindings of one avatar.
#[derive(Debug, Clone, Default)]
pub(super) struct ArkitMouth {
    /// (frame index, mesh, target) for each mouth channel the avatar has.
    direct: Vec<(u8, u32, u32)>,
    /// Rows: visemes PP..U; columns: frame indices. Used when the avatar
    /// has no `jawOpen` morph to drive.
    mixes: Vec<[f32; 55]>,
    step: f32,
    has_jaw: bool,
}

impl ArkitMouth {
    pub(super) fn new(names: &MorphNames) -> ArkitMouth {
        let mut direct = Vec::new();
        let mut has_jaw = false;
        for (i, name) in ARKIT_FRAME_NAMES.iter().enumerate() {
            if !is_mouth(name) {
                continue;
            }
            let targets = names.find(name);
            has_jaw |= *name == "jawOpen" && !targets.is_empty();
            direct.extend(targets.into_iter().map(|(m, t)| (i as u8, m, t)));
        }
        let mixes: Vec<[f32; 55]> = ARKIT_MIXES
            .iter()
            .skip(1)
            .map(|mix| {
                let mut row = [0.0f32; 55];
                for (name, weight) in mix.iter() {
                    for side in expand(name) {
                        if let Some(i) = ARKIT_FRAME_NAMES.iter().position(|n| *n == side) {
                            row[i] += weight;
                        }
                    }
                }
                row
            })
            .collect();
        // 1 / (Frobenius norm²) bounds the Gram matrix's largest eigenvalue.
        let norm2: f32 = mixes.iter().flatten().map(|x| x * x).sum();
        ArkitMouth {
            direct,
            mixes,
            step: 1.0 / norm2.max(1e-6),
            has_jaw,
        }
    }

    /// Viseme weights for the frame: at rest when the avatar's own ARKit
    /// morphs will show the frame, else the best non-negative viseme mix.
    pub(super) fn visemes(&self, frame: &[f32; 55]) -> [f32; Viseme::COUNT] {
        let mut out = [0.0f32; Viseme::COUNT];
        if self.has_jaw {
            out[Viseme::Sil as usize] = 1.0;
            return out;
        }
        let mut target = [0.0f32; 55];
        for (i, (t, v)) in target.iter_mut().zip(frame).enumerate() {
            *t = if is_mouth(ARKIT_FRAME_NAMES[i]) {
                v.clamp(0.0, 1.0)
            } else {
                0.0
            };
        }
        let mut w = [0.0f32; Viseme::COUNT - 1];
        for _ in 0..FIT_STEPS {
            let mut residual = target;
            for (wi, row) in w.iter().zip(&self.mixes) {
                for (r, m) in residual.iter_mut().zip(row) {
                    *r -= wi * m;
                }
            }
            for (wi, row) in w.iter_mut().zip(&self.mixes) {
                let gradient: f32 = row.iter().zip(&residual).map(|(m, r)| m * r).sum();
                *wi = (*wi + self.step * gradient).clamp(0.0, 1.0);
            }
        }
        out[1..].copy_from_slice(&w);
        let strongest = w.iter().copied().fold(0.0f32, f32::max);
        out[Viseme::Sil as usize] = 1.0 - strongest;
        out
    }

    /// Writes the frame's mouth channels onto the avatar's same-named morphs
    /// (replacing what the viseme mapping put there).
    pub(super) fn apply(&self, frame: &[f32; 55], morph_weights: &mut [Vec<f32>]) {
        for (i, mesh, target) in &self.direct {
            if let Some(w) = morph_weights
                .get_mut(*mesh as usize)
                .and_then(|m| m.get_mut(*target as usize))
            {
                *w = frame[usize::from(*i)].clamp(0.0, 1.0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mouth_without_morphs() -> ArkitMouth {
        ArkitMouth::new(&MorphNames {
            entries: Vec::new(),
        })
    }

    #[test]
    fn a_frame_made_of_one_visemes_mix_fits_back_to_that_viseme() {
        let mouth = mouth_without_morphs();
        for v in [Viseme::Aa, Viseme::O, Viseme::U, Viseme::PP] {
            let frame = mouth.mixes[v as usize - 1];
            let w = mouth.visemes(&frame);
            let best = (1..Viseme::COUNT).max_by(|a, b| w[*a].total_cmp(&w[*b]));
            assert_eq!(best, Some(v as usize), "{v:?}: {w:?}");
            assert!(w[v as usize] > 0.6, "{v:?}: {w:?}");
        }
        let rest = mouth.visemes(&[0.0; 55]);
        assert_eq!(rest[Viseme::Sil as usize], 1.0);
    }

    #[test]
    fn eyes_and_brows_in_a_frame_do_not_move_the_mouth() {
        let mouth = mouth_without_morphs();
        let mut frame = [0.0f32; 55];
        for name in ["eyeBlinkLeft", "browInnerUp", "eyeLookUpRight"] {
            if let Some(i) = ARKIT_FRAME_NAMES.iter().position(|n| *n == name) {
                frame[i] = 1.0;
            }
        }
        assert_eq!(mouth.visemes(&frame)[Viseme::Sil as usize], 1.0);
    }
}
