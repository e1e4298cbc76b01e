//! glTF animations (§3.11) as clips: keyframed node rotations,
//! translations, scales and morph weights, with LINEAR, STEP and
//! CUBICSPLINE interpolation. Loading and sampling only; which clip plays
//! when is the animation stage's business.

use glam::{Quat, Vec3};
use gltf::json::animation::{Interpolation as JsonInterpolation, Property};
use gltf::json::validation::Checked;

use super::accessor::read_f32;
use super::buffers::GltfData;
use super::error::{AvatarError, AvatarWarning};

/// One named animation, e.g. `idle`, `wave` or `nod`.
#[derive(Debug, Clone, PartialEq)]
pub struct AnimationClip {
    pub name: String,
    pub channels: Vec<ClipChannel>,
    /// The last keyframe time of any channel, seconds.
    pub duration_secs: f32,
}

/// What a channel animates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClipProperty {
    Translation,
    Rotation,
    Scale,
    /// Morph target weights of the node's mesh, `count` per keyframe.
    Weights {
        count: usize,
    },
}

impl ClipProperty {
    fn components(self) -> usize {
        match self {
            ClipProperty::Translation | ClipProperty::Scale => 3,
            ClipProperty::Rotation => 4,
            ClipProperty::Weights { count } => count,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interpolation {
    Linear,
    Step,
    /// Hermite spline; each keyframe holds (in-tangent, value, out-tangent).
    CubicSpline,
}

/// One animated property of one node.
#[derive(Debug, Clone, PartialEq)]
pub struct ClipChannel {
    pub node: usize,
    pub property: ClipProperty,
    pub interpolation: Interpolation,
    /// Keyframe times in seconds, non-decreasing.
    pub times: Vec<f32>,
    /// Keyframe values, flattened: `components` per keyframe, or three
    /// times that for CUBICSPLINE (in-tangent, value, out-tangent).
    pub values: Vec<f32>,
}

impl ClipChannel {
    /// The property's value at `secs` (clamped to the keyframes), written to
    /// `out` (`components` long). Rotations come out normalised.
    pub fn sample_into(&self, secs: f32, out: &mut [f32]) {
        let n = self.property.components();
        let out = &mut out[..n];
        let (times, last) = (&self.times, self.times.len().saturating_sub(1));
        if times.is_empty() {
            out.fill(0.0);
            return;
        }
        let cubic = self.interpolation == Interpolation::CubicSpline;
        // Value of keyframe k (the middle of its triple for splines).
        let value = |k: usize| {
            let start = if cubic { (3 * k + 1) * n } else { k * n };
            &self.values[start..start + n]
        };
        // `partition_point` keeps this O(log n) per sample.
        let next = times.partition_point(|&t| t <= secs);
        if next == 0 || last == 0 {
            out.copy_from_slice(value(0));
            return;
        }
        if next > last {
            out.copy_from_slice(value(last));
            self.normalize(out);
            return;
        }
        let (k0, k1) = (next - 1, next);
        let dt = times[k1] - times[k0];
        let s = if dt > 0.0 {
            ((secs - times[k0]) / dt).clamp(0.0, 1.0)
        } else {
            0.0
        };
        match self.interpolation {
            Interpolation::Step => out.copy_from_slice(value(k0)),
            Interpolation::Linear if self.property == ClipProperty::Rotation => {
                let q = quat(value(k0)).slerp(quat(value(k1)), s);
                out.copy_from_slice(&q.to_array());
            }
            Interpolation::Linear => {
                for (i, o) in out.iter_mut().enumerate() {
                    *o = value(k0)[i] + (value(k1)[i] - value(k0)[i]) * s;
                }
            }
            Interpolation::CubicSpline => {
                // glTF §3.11 Appendix C: tangents are scaled by the interval.
                let out_tangent = &self.values[(3 * k0 + 2) * n..(3 * k0 + 3) * n];
                let in_tangent = &self.values[(3 * k1) * n..(3 * k1 + 1) * n];
                let (s2, s3) = (s * s, s * s * s);
                let h00 = 2.0 * s3 - 3.0 * s2 + 1.0;
                let h10 = s3 - 2.0 * s2 + s;
                let h01 = -2.0 * s3 + 3.0 * s2;
                let h11 = s3 - s2;
                for (i, o) in out.iter_mut().enumerate() {
                    *o = h00 * value(k0)[i]
                        + h10 * dt * out_tangent[i]
                        + h01 * value(k1)[i]
                        + h11 * dt * in_tangent[i];
                }
            }
        }
        self.normalize(out);
    }

    fn normalize(&self, out: &mut [f32]) {
        if self.property == ClipProperty::Rotation {
            let q = quat(out).normalize();
            if q.is_finite() {
                out.copy_from_slice(&q.to_array());
            }
        }
    }

    /// The rotation at `secs` (identity for other properties).
    pub fn rotation_at(&self, secs: f32) -> Quat {
        if self.property != ClipProperty::Rotation {
            return Quat::IDENTITY;
        }
        let mut out = [0.0; 4];
        self.sample_into(secs, &mut out);
        quat(&out)
    }

    /// The translation or scale at `secs` (zero for other properties).
    pub fn vec3_at(&self, secs: f32) -> Vec3 {
        if !matches!(
            self.property,
            ClipProperty::Translation | ClipProperty::Scale
        ) {
            return Vec3::ZERO;
        }
        let mut out = [0.0; 3];
        self.sample_into(secs, &mut out);
        Vec3::from_array(out)
    }
}

fn quat(v: &[f32]) -> Quat {
    Quat::from_xyzw(v[0], v[1], v[2], v[3])
}

/// Loads every animation; a malformed one is skipped with a warning (the
/// avatar still talks without its wave), an unreadable accessor is an error.
pub(crate) fn load_clips(
    data: &GltfData,
    morph_counts: &[Option<usize>],
    warnings: &mut Vec<AvatarWarning>,
) -> Result<Vec<AnimationClip>, AvatarError> {
    let mut clips = Vec::new();
    for (index, animation) in data.root.animations.iter().enumerate() {
        let name = animation
            .name
            .clone()
            .unwrap_or_else(|| format!("animation{index}"));
        match load_clip(data, index, animation, morph_counts)? {
            Ok(channels) => {
                let duration_secs = channels
                    .iter()
                    .filter_map(|c| c.times.last().copied())
                    .fold(0.0, f32::max);
                clips.push(AnimationClip {
                    name,
                    channels,
                    duration_secs,
                });
            }
            Err(reason) => warnings.push(AvatarWarning::AnimationIgnored { name, reason }),
        }
    }
    Ok(clips)
}

/// The outer error is a broken file; the inner one a clip we skip.
fn load_clip(
    data: &GltfData,
    index: usize,
    animation: &gltf::json::Animation,
    morph_counts: &[Option<usize>],
) -> Result<Result<Vec<ClipChannel>, String>, AvatarError> {
    let mut channels = Vec::new();
    for (c, channel) in animation.channels.iter().enumerate() {
        let node = channel.target.node.value();
        let Some(morphs) = morph_counts.get(node) else {
            return Ok(Err(format!(
                "channel {c} targets node {node}, which does not exist"
            )));
        };
        let Some(sampler) = animation.samplers.get(channel.sampler.value()) else {
            return Ok(Err(format!(
                "channel {c} uses sampler {}, which does not exist",
                channel.sampler.value()
            )));
        };
        let property = match channel.target.path {
            Checked::Valid(Property::Translation) => ClipProperty::Translation,
            Checked::Valid(Property::Rotation) => ClipProperty::Rotation,
            Checked::Valid(Property::Scale) => ClipProperty::Scale,
            Checked::Valid(Property::MorphTargetWeights) => match morphs {
                Some(count) if *count > 0 => ClipProperty::Weights { count: *count },
                _ => {
                    return Ok(Err(format!(
                        "channel {c} animates weights of node {node}, which has no morph targets"
                    )));
                }
            },
            Checked::Invalid => {
                return Ok(Err(format!("channel {c} has an unknown target path")));
            }
        };
        let interpolation = match sampler.interpolation {
            Checked::Valid(JsonInterpolation::Linear) => Interpolation::Linear,
            Checked::Valid(JsonInterpolation::Step) => Interpolation::Step,
            Checked::Valid(JsonInterpolation::CubicSpline) => Interpolation::CubicSpline,
            Checked::Invalid => {
                return Ok(Err(format!("channel {c} has an unknown interpolation")));
            }
        };
        let referrer = format!("animation {index} channel {c}");
        let times = read_f32(data, sampler.input.value(), &referrer)?.values;
        let values = read_f32(data, sampler.output.value(), &referrer)?.values;
        if times.is_empty() {
            return Ok(Err(format!("channel {c} has no keyframes")));
        }
        if times.iter().any(|t| !t.is_finite()) || times.windows(2).any(|w| w[1] < w[0]) {
            return Ok(Err(format!(
                "channel {c}'s keyframe times are not increasing"
            )));
        }
        let per_key = property.components()
            * if interpolation == Interpolation::CubicSpline {
                3
            } else {
                1
            };
        if values.len() != times.len() * per_key {
            return Ok(Err(format!(
                "channel {c} has {} output values for {} keyframes; expected {}",
                values.len(),
                times.len(),
                times.len() * per_key
            )));
        }
        channels.push(ClipChannel {
            node,
            property,
            interpolation,
            times,
            values,
        });
    }
    Ok(Ok(channels))
}
