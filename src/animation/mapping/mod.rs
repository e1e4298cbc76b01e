//! The one place that maps between vocabularies: a [`FacePose`] (Oculus
//! visemes, ARKit-named channels, avatar-space rotations) onto one avatar's
//! morph targets and bones.
//!
//! Names are resolved once in [`PoseMapper::new`] into a flat list of linear
//! bindings `(mesh, target) += channel × scale`; `map` then only does
//! arithmetic. Every mesh carrying a name gets the weight, so teeth, tongue
//! and lashes follow the face. Mouth shapes come, per viseme, from the first
//! source the avatar has: Oculus `viseme_*` morphs, else a mix of ARKit
//! morphs, else VRM expressions; one source per viseme, never two.

use glam::{Quat, Vec2};

use crate::avatar::{Avatar, Expression};
use crate::visemes::Viseme;

use super::{AnimationError, AvatarPose, FacePose};

mod arkit_input;
mod vocab;

use arkit_input::ArkitMouth;
use vocab::*;

/// Where the mouth shapes come from (the source of the majority of visemes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MouthSource {
    Oculus,
    Arkit,
    Vrm,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Binding {
    mesh: u32,
    target: u32,
    channel: u8,
    scale: f32,
}

/// A bone the pose rotates, with its rest rotation in avatar space so an
/// avatar-space rotation can be turned into the local delta the renderer wants.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Bone {
    node: usize,
    world_rest: Quat,
}

impl Bone {
    /// Local delta `d` with `rest * d` giving avatar-space rotation `r` about
    /// the joint: world' = r · W = W · d, so d = W⁻¹ · r · W.
    fn delta(&self, r: Quat) -> Quat {
        (self.world_rest.inverse() * r * self.world_rest).normalize()
    }
}

/// A [`FacePose`] → [`AvatarPose`] resolver for one avatar.
#[derive(Debug, Clone)]
pub struct PoseMapper {
    bindings: Vec<Binding>,
    /// Every (mesh, target) some binding writes: zeroed before and clamped after.
    driven: Vec<(u32, u32)>,
    defaults: Vec<Vec<f32>>,
    mouth: MouthSource,
    head: Option<Bone>,
    neck: Option<Bone>,
    chest: Option<Bone>,
    eyes: [Option<Bone>; 2],
    arkit: ArkitMouth,
}

impl PoseMapper {
    /// Resolves the avatar's names once. Fails when no viseme can move the mouth.
    pub fn new(avatar: &Avatar) -> Result<PoseMapper, AnimationError> {
        let names = MorphNames::new(avatar);
        let mut bindings = Vec::new();
        let mut sources = [0usize; 3];
        for v in Viseme::ALL.into_iter().skip(1) {
            let ch = v as usize;
            let oculus = names.find(&v.morph_name());
            if !oculus.is_empty() {
                bind_all(&mut bindings, &oculus, ch, 1.0);
                sources[0] += 1;
                continue;
            }
            let before = bindings.len();
            for (name, weight) in ARKIT_MIXES[ch] {
                for side in expand(name) {
                    bind_all(&mut bindings, &names.find(&side), ch, *weight);
                }
            }
            if bindings.len() > before {
                sources[1] += 1;
                continue;
            }
            for (vowel, weight) in VRM_MIXES[ch] {
                if let Some(expr) = find_expression(avatar, vrm_aliases(vowel)) {
                    bind_expression(&mut bindings, expr, ch, *weight);
                }
            }
            if bindings.len() > before {
                sources[2] += 1;
            }
        }
        if sources.iter().sum::<usize>() == 0 {
            return Err(AnimationError::NoMouthMorphs {
                avatar: avatar.name.clone(),
            });
        }
        let mouth = if sources[0] >= sources[1].max(sources[2]) {
            MouthSource::Oculus
        } else if sources[1] >= sources[2] {
            MouthSource::Arkit
        } else {
            MouthSource::Vrm
        };

        bind_face(avatar, &names, &mut bindings);
        let bone = |node: Option<usize>| {
            node.filter(|n| *n < avatar.nodes.len()).map(|node| Bone {
                node,
                world_rest: world_rest_rotation(avatar, node),
            })
        };
        let h = &avatar.humanoid;
        let eyes = [bone(h.left_eye), bone(h.right_eye)];
        if eyes.iter().all(Option::is_none) {
            for (name, ch) in ARKIT_GAZE {
                for side in expand(name) {
                    bind_all(&mut bindings, &names.find(&side), *ch, 1.0);
                }
            }
        }

        let mut driven: Vec<(u32, u32)> = bindings.iter().map(|b| (b.mesh, b.target)).collect();
        driven.sort_unstable();
        driven.dedup();
        Ok(PoseMapper {
            bindings,
            driven,
            defaults: avatar
                .meshes
                .iter()
                .map(|m| m.default_weights.clone())
                .collect(),
            mouth,
            head: bone(h.head),
            neck: bone(h.neck),
            chest: bone(h.upper_chest.or(h.chest).or(h.spine)),
            eyes,
            arkit: ArkitMouth::new(&names),
        })
    }

    /// Viseme weights to use while an ARKit frame drives the mouth: rest
    /// when [`apply_arkit_mouth`](Self::apply_arkit_mouth) will show the
    /// frame on the avatar's own ARKit morphs, else the nearest viseme mix.
    pub fn arkit_visemes(&self, frame: &[f32; 55]) -> [f32; Viseme::COUNT] {
        self.arkit.visemes(frame)
    }

    /// After [`map`](Self::map): writes an ARKit frame's mouth channels
    /// (jaw, lips, tongue) onto the avatar's same-named morphs.
    pub fn apply_arkit_mouth(&self, frame: &[f32; 55], out: &mut AvatarPose) {
        self.arkit.apply(frame, &mut out.morph_weights);
    }

    pub fn mouth_source(&self) -> MouthSource {
        self.mouth
    }

    /// Number of (mesh, morph target) pairs this mapper drives.
    pub fn driven_targets(&self) -> usize {
        self.driven.len()
    }

    /// Writes `pose` into `out`, reusing its buffers (no allocation once
    /// `out` has been through one call).
    pub fn map(&self, pose: &FacePose, out: &mut AvatarPose) {
        out.morph_weights.resize_with(self.defaults.len(), Vec::new);
        for (weights, defaults) in out.morph_weights.iter_mut().zip(&self.defaults) {
            weights.clear();
            weights.extend_from_slice(defaults);
        }
        for (mesh, target) in &self.driven {
            out.morph_weights[*mesh as usize][*target as usize] = 0.0;
        }
        let channels = channels(pose);
        for b in &self.bindings {
            out.morph_weights[b.mesh as usize][b.target as usize] +=
                channels[b.channel as usize] * b.scale;
        }
        for (mesh, target) in &self.driven {
            let w = &mut out.morph_weights[*mesh as usize][*target as usize];
            *w = w.clamp(0.0, 1.0);
        }

        out.node_rotations.clear();
        for (bone, rotation) in [
            (self.head, pose.head),
            (self.neck, pose.neck),
            (self.chest, pose.chest),
        ] {
            if let Some(bone) = bone {
                out.node_rotations.push((bone.node, bone.delta(rotation)));
            }
        }
        let eye_rotation = eye_rotation(pose.gaze);
        for bone in self.eyes.iter().flatten() {
            out.node_rotations
                .push((bone.node, bone.delta(eye_rotation)));
        }
    }
}

/// Avatar-space eye rotation for (yaw, pitch). The avatar faces +Z with +Y up
/// (glTF/VRM 1.0): +yaw turns +Z towards +X (the avatar's left) and +pitch
/// turns it towards +Y.
fn eye_rotation(gaze: Vec2) -> Quat {
    Quat::from_rotation_y(gaze.x) * Quat::from_rotation_x(-gaze.y)
}

fn channels(pose: &FacePose) -> [f32; CHANNELS] {
    let mut c = [0.0f32; CHANNELS];
    c[..Viseme::COUNT].copy_from_slice(&pose.visemes);
    c[BLINK_L] = pose.eye_blink_left;
    c[BLINK_R] = pose.eye_blink_right;
    c[BROW_INNER_UP] = pose.brow_inner_up;
    c[BROW_OUTER_UP] = pose.brow_outer_up;
    c[BROW_DOWN] = pose.brow_down;
    c[SMILE] = pose.mouth_smile;
    c[FROWN] = pose.mouth_frown;
    c[CHEEK_SQUINT] = pose.cheek_squint;
    let look = |angle: f32| (angle / EYE_LOOK_FULL_RAD).clamp(0.0, 1.0);
    c[LOOK_LEFT] = look(pose.gaze.x);
    c[LOOK_RIGHT] = look(-pose.gaze.x);
    c[LOOK_UP] = look(pose.gaze.y);
    c[LOOK_DOWN] = look(-pose.gaze.y);
    for v in &mut c {
        *v = v.clamp(0.0, 1.0);
    }
    c
}

/// ARKit channels, eyelids, brows, smile (with VRM fallbacks).
fn bind_face(avatar: &Avatar, names: &MorphNames, bindings: &mut Vec<Binding>) {
    let mut found = [false; CHANNELS];
    for (name, ch) in ARKIT_FACE {
        for side in expand(name) {
            let targets = names.find(&side);
            found[*ch] |= !targets.is_empty();
            bind_all(bindings, &targets, *ch, 1.0);
        }
    }
    if !found[BLINK_L] && !found[BLINK_R] {
        let left = find_expression(avatar, &["blinkleft", "blink_l"]);
        let right = find_expression(avatar, &["blinkright", "blink_r"]);
        match (left, right) {
            (Some(l), Some(r)) => {
                bind_expression(bindings, l, BLINK_L, 1.0);
                bind_expression(bindings, r, BLINK_R, 1.0);
            }
            _ => {
                if let Some(both) = find_expression(avatar, &["blink"]) {
                    bind_expression(bindings, both, BLINK_L, 0.5);
                    bind_expression(bindings, both, BLINK_R, 0.5);
                }
            }
        }
    }
    if !found[SMILE]
        && let Some(happy) = find_expression(avatar, &["happy", "joy"])
    {
        bind_expression(bindings, happy, SMILE, 1.0);
    }
}

fn bind_all(bindings: &mut Vec<Binding>, targets: &[(u32, u32)], channel: usize, scale: f32) {
    for (mesh, target) in targets {
        bindings.push(Binding {
            mesh: *mesh,
            target: *target,
            channel: channel as u8,
            scale,
        });
    }
}

fn bind_expression(bindings: &mut Vec<Binding>, expr: &Expression, channel: usize, scale: f32) {
    for bind in &expr.binds {
        // VRM 0.x stores bind weights in 0..100, VRM 1.0 in 0..1.
        let weight = if bind.weight > 1.0 {
            bind.weight / 100.0
        } else {
            bind.weight
        };
        bindings.push(Binding {
            mesh: bind.mesh as u32,
            target: bind.target as u32,
            channel: channel as u8,
            scale: scale * weight,
        });
    }
}

/// The first expression whose name matches one of `aliases` (case-insensitive)
/// and that binds at least one valid morph target.
fn find_expression<'a>(avatar: &'a Avatar, aliases: &[&str]) -> Option<&'a Expression> {
    aliases.iter().find_map(|alias| {
        avatar.expressions.iter().find(|e| {
            e.name.eq_ignore_ascii_case(alias)
                && !e.binds.is_empty()
                && e.binds.iter().all(|b| {
                    avatar
                        .meshes
                        .get(b.mesh)
                        .is_some_and(|m| b.target < m.morph_names.len())
                })
        })
    })
}

/// Morph target lookup over all meshes: exact names first; if a name is on
/// no mesh, a case-insensitive match on the part after the last `.` (some
/// exporters write `blendShape1.jawOpen`).
struct MorphNames {
    /// (name, lowercase tail after the last '.', mesh, target)
    entries: Vec<(String, String, u32, u32)>,
}

impl MorphNames {
    fn new(avatar: &Avatar) -> Self {
        let mut entries = Vec::new();
        for (m, mesh) in avatar.meshes.iter().enumerate() {
            for (t, name) in mesh.morph_names.iter().enumerate() {
                if name.is_empty() {
                    continue;
                }
                let tail = name.rsplit('.').next().unwrap_or(name).to_ascii_lowercase();
                entries.push((name.clone(), tail, m as u32, t as u32));
            }
        }
        MorphNames { entries }
    }

    fn find(&self, name: &str) -> Vec<(u32, u32)> {
        let exact: Vec<(u32, u32)> = self
            .entries
            .iter()
            .filter(|e| e.0 == name)
            .map(|e| (e.2, e.3))
            .collect();
        if !exact.is_empty() {
            return exact;
        }
        let lower = name.to_ascii_lowercase();
        let mut loose: Vec<(u32, u32)> = self
            .entries
            .iter()
            .filter(|e| e.1 == lower)
            .map(|e| (e.2, e.3))
            .collect();
        // One binding per mesh: `JawOpen` and `jawopen` on one mesh would double-apply.
        loose.dedup_by_key(|e| e.0);
        loose
    }
}

/// Rest rotation of `node` in avatar space (product of its ancestors' rotations and its own).
fn world_rest_rotation(avatar: &Avatar, node: usize) -> Quat {
    let mut rotation = Quat::IDENTITY;
    let mut current = Some(node);
    // Bounded by the node count, so a malformed parent cycle cannot hang us.
    for _ in 0..avatar.nodes.len() {
        let Some(n) = current.and_then(|i| avatar.nodes.get(i)) else {
            break;
        };
        rotation = n.rotation * rotation;
        current = n.parent;
    }
    rotation.normalize()
}
