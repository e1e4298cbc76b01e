//! The Mixamo skeleton placed on the shaped mesh, and per-vertex skin weights.
//!
//! Joints sit at the bone heads (means of listed vertices, after shaping).
//! Rest rotations are identity, as in VRM 1.0: a joint's local axes are the
//! avatar's (X left, Y up, Z forward), so "nod" is a rotation about X and
//! "turn" a rotation about Y for every bone.

use glam::{Mat4, Vec3};

use super::data::{BaseData, JointRef};
use super::shaped::Shaped;

pub struct Skeleton {
    pub names: Vec<String>,
    pub parents: Vec<Option<usize>>,
    /// World-space joint positions at rest, metres.
    pub heads: Vec<Vec3>,
}

/// An end-of-chain joint above the head (the crown), as Mixamo exports it;
/// it carries no weights but tells framing code where the head ends.
pub const HEAD_TOP: &str = "mixamorig:HeadTop_End";

fn mean(positions: &[Vec3], joint: &JointRef) -> Vec3 {
    let sum: Vec3 = joint.vertices.iter().map(|&v| positions[v as usize]).sum();
    sum / joint.vertices.len() as f32
}

impl Skeleton {
    pub fn new(base: &BaseData, shaped: &Shaped) -> Skeleton {
        let mut names = Vec::with_capacity(base.bones.len() + 1);
        let mut parents = Vec::with_capacity(base.bones.len() + 1);
        let mut heads = Vec::with_capacity(base.bones.len() + 1);
        for bone in &base.bones {
            // `parse_rig` orders parents first, so the parent is already placed.
            let parent = bone
                .parent
                .as_ref()
                .and_then(|p| names.iter().position(|n: &String| n == p));
            names.push(bone.name.clone());
            parents.push(parent);
            heads.push(mean(&shaped.positions, &bone.head));
        }
        if let Some(head) = base.bones.iter().position(|b| b.name == "mixamorig:Head") {
            names.push(HEAD_TOP.to_string());
            parents.push(Some(head));
            heads.push(mean(&shaped.positions, &base.bones[head].tail));
        }
        Skeleton {
            names,
            parents,
            heads,
        }
    }

    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Rest translation of joint `i` relative to its parent.
    pub fn local_translation(&self, i: usize) -> Vec3 {
        match self.parents[i] {
            Some(p) => self.heads[i] - self.heads[p],
            None => self.heads[i],
        }
    }

    /// Inverse bind matrices: joints are unrotated, so each is a translation.
    pub fn inverse_binds(&self) -> Vec<Mat4> {
        self.heads
            .iter()
            .map(|h| Mat4::from_translation(-*h))
            .collect()
    }
}

/// Four (joint, weight) influences per base vertex, weights summing to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Influence {
    pub joints: [u8; 4],
    pub weights: [f32; 4],
}

impl Influence {
    /// Half of each: the skin of a point midway between two vertices. The
    /// four heaviest joints are kept (ties by joint index, so builds are
    /// reproducible) and renormalised.
    pub fn blend(&self, other: &Influence) -> Influence {
        let mut list: Vec<(u8, f32)> = Vec::with_capacity(8);
        for (joints, weights) in [(self.joints, self.weights), (other.joints, other.weights)] {
            for (j, w) in joints.into_iter().zip(weights) {
                if w <= 0.0 {
                    continue;
                }
                match list.iter_mut().find(|e| e.0 == j) {
                    Some(e) => e.1 += 0.5 * w,
                    None => list.push((j, 0.5 * w)),
                }
            }
        }
        Influence::top_four(list).unwrap_or(*self)
    }

    /// The four heaviest of `(joint, weight)` (ties by joint index, so the
    /// result is stable), normalised; `None` when nothing weighs anything.
    fn top_four(mut list: Vec<(u8, f32)>) -> Option<Influence> {
        list.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        list.truncate(4);
        let sum: f32 = list.iter().map(|e| e.1).sum();
        if list.is_empty() || sum <= 0.0 {
            return None;
        }
        let mut out = Influence {
            joints: [0; 4],
            weights: [0.0; 4],
        };
        for (k, &(j, w)) in list.iter().enumerate() {
            out.joints[k] = j;
            out.weights[k] = w / sum;
        }
        // Put the rounding remainder on the largest weight so the sum is 1 in f32.
        let rest: f32 = out.weights[1..].iter().sum();
        out.weights[0] = 1.0 - rest;
        Some(out)
    }
}

/// Top four weights per vertex from `weights.mixamo.json`, normalised.
/// Vertices without weights follow the nearest joint.
pub fn skin_weights(base: &BaseData, skeleton: &Skeleton, positions: &[Vec3]) -> Vec<Influence> {
    let mut lists: Vec<Vec<(u8, f32)>> = vec![Vec::new(); positions.len()];
    for (bone, entries) in &base.weights {
        let Some(joint) = skeleton.index(bone) else {
            continue;
        };
        for &(v, w) in entries {
            if w > 0.0 {
                lists[v as usize].push((joint as u8, w));
            }
        }
    }
    lists
        .iter()
        .enumerate()
        .map(|(v, list)| {
            Influence::top_four(list.clone()).unwrap_or_else(|| Influence {
                joints: [nearest_joint(skeleton, positions[v]), 0, 0, 0],
                weights: [1.0, 0.0, 0.0, 0.0],
            })
        })
        .collect()
}

fn nearest_joint(skeleton: &Skeleton, p: Vec3) -> u8 {
    let mut best = (0usize, f32::INFINITY);
    for (i, h) in skeleton.heads.iter().enumerate() {
        let d = h.distance_squared(p);
        if d < best.1 {
            best = (i, d);
        }
    }
    best.0 as u8
}
