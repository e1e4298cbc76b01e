//! View-frustum culling of whole primitives, for the camera and for the key
//! light's shadow map.
//!
//! A head-and-shoulders frame shows a fraction of a full-body avatar:
//! trousers and shoes never reach the screen, yet on a CPU adapter every
//! vertex they have is skinned and clipped twice a frame (shadow and main
//! pass). Culling needs a box that contains the primitive in *this* pose.
//!
//! Bounds per joint make that box exact enough and cheap: a skinned vertex is
//! a convex combination of `joint_matrix[j] * v` over its joints, and each of
//! those lies inside `joint_matrix[j]` applied to the box of the vertices `j`
//! influences. The union of those transformed boxes therefore contains the
//! skinned primitive, whatever the pose. Morph targets move vertices before
//! skinning; each box grows by the largest displacement the targets can add
//! (weights within [-1, 1], as animation writes them).
//!
//! A full-body mesh is one primitive, so culling whole primitives keeps the
//! legs of the body and the shirt's lower half. Their triangles are grouped
//! into clusters by the joint that moves them most, each cluster a range of
//! the index buffer with its own bounds, and only the clusters in view are
//! drawn.

use std::ops::Range;

use glam::{Mat4, Vec3, Vec4};

use crate::avatar::Primitive;

/// An axis-aligned box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Aabb {
    pub min: Vec3,
    pub max: Vec3,
}

impl Aabb {
    const EMPTY: Aabb = Aabb {
        min: Vec3::splat(f32::INFINITY),
        max: Vec3::splat(f32::NEG_INFINITY),
    };

    fn is_empty(&self) -> bool {
        self.min.x > self.max.x
    }

    fn add_point(&mut self, p: Vec3) {
        self.min = self.min.min(p);
        self.max = self.max.max(p);
    }

    /// Adds a cube of half-size `reach` around `p`.
    fn add_reach(&mut self, p: Vec3, reach: f32) {
        self.add_point(p - Vec3::splat(reach));
        self.add_point(p + Vec3::splat(reach));
    }

    fn corners(&self) -> [Vec3; 8] {
        let (a, b) = (self.min, self.max);
        [
            Vec3::new(a.x, a.y, a.z),
            Vec3::new(b.x, a.y, a.z),
            Vec3::new(a.x, b.y, a.z),
            Vec3::new(b.x, b.y, a.z),
            Vec3::new(a.x, a.y, b.z),
            Vec3::new(b.x, a.y, b.z),
            Vec3::new(a.x, b.y, b.z),
            Vec3::new(b.x, b.y, b.z),
        ]
    }
}

/// What culling knows of one primitive: boxes in the space its matrices map
/// from (bind space per joint when skinned, the node's space otherwise).
#[derive(Debug, Clone)]
pub enum PrimitiveBounds {
    /// `(joint index in the skin, box of the vertices it moves)`.
    Skinned(Vec<(u16, Aabb)>),
    Rigid(Aabb),
}

impl PrimitiveBounds {
    /// Bounds of the whole of `p`, skinned by its joints when `skinned`.
    #[cfg(test)]
    pub fn of(p: &Primitive, skinned: bool) -> PrimitiveBounds {
        let all: Vec<u32> = (0..p.positions.len() as u32).collect();
        PrimitiveBounds::of_vertices(p, skinned, &all, &morph_reach(p))
    }

    /// Bounds of the vertices `vertices` of `p` (repeats allowed), given
    /// each vertex's [`morph_reach`].
    pub fn of_vertices(
        p: &Primitive,
        skinned: bool,
        vertices: &[u32],
        reach: &[f32],
    ) -> PrimitiveBounds {
        let at = |v: u32| {
            let v = v as usize;
            (
                Vec3::from(p.positions[v]),
                reach.get(v).copied().unwrap_or(0.0),
            )
        };
        match (&p.joints, &p.weights) {
            (Some(joints), Some(weights)) if skinned => {
                let mut boxes: Vec<(u16, Aabb)> = Vec::new();
                for &v in vertices {
                    let (position, r) = at(v);
                    let (js, ws) = (joints[v as usize], weights[v as usize]);
                    for (&j, &w) in js.iter().zip(&ws) {
                        if w <= 0.0 {
                            continue;
                        }
                        let at = match boxes.binary_search_by_key(&j, |(k, _)| *k) {
                            Ok(at) => at,
                            Err(at) => {
                                boxes.insert(at, (j, Aabb::EMPTY));
                                at
                            }
                        };
                        boxes[at].1.add_reach(position, r);
                    }
                }
                PrimitiveBounds::Skinned(boxes)
            }
            _ => {
                let mut b = Aabb::EMPTY;
                for &v in vertices {
                    let (position, r) = at(v);
                    b.add_reach(position, r);
                }
                PrimitiveBounds::Rigid(b)
            }
        }
    }

    /// The world-space box in this pose. `matrices` are the draw's: the
    /// skin's joint matrices (world × inverse bind) starting at index 0, or
    /// just the node's world matrix.
    pub fn world_box(&self, matrices: &[Mat4]) -> Aabb {
        let mut out = Aabb::EMPTY;
        let mut add = |m: &Mat4, b: &Aabb| {
            if b.is_empty() {
                return;
            }
            for c in b.corners() {
                out.add_point(m.transform_point3(c));
            }
        };
        match self {
            PrimitiveBounds::Skinned(boxes) => {
                for (j, b) in boxes {
                    // A joint index the skin lacks is rejected at upload;
                    // identity keeps this total anyway.
                    let m = matrices.get(usize::from(*j)).unwrap_or(&Mat4::IDENTITY);
                    add(m, b);
                }
            }
            PrimitiveBounds::Rigid(b) => add(matrices.first().unwrap_or(&Mat4::IDENTITY), b),
        }
        out
    }
}

/// Per vertex, the farthest the primitive's morph targets can move it.
pub fn morph_reach(p: &Primitive) -> Vec<f32> {
    (0..p.positions.len())
        .map(|v| {
            p.targets
                .iter()
                .filter_map(|t| t.positions.get(v))
                .map(|d| Vec3::from(*d).length())
                .sum::<f32>()
        })
        .collect()
}

/// Reorders `p`'s triangles so that those moved most by the same joint
/// are contiguous, and returns the new index list with each cluster's range
/// in it. `keep_order` (blended materials, whose triangles composite in file
/// order) and unskinned primitives give one cluster in file order.
pub fn cluster_triangles(p: &Primitive, keep_order: bool) -> (Vec<u32>, Vec<Range<u32>>) {
    let whole = |indices: Vec<u32>| {
        let n = indices.len() as u32;
        (indices, std::iter::once(0..n).collect())
    };
    let (Some(joints), Some(weights)) = (&p.joints, &p.weights) else {
        return whole(p.indices.clone());
    };
    if keep_order {
        return whole(p.indices.clone());
    }
    let dominant = |v: u32| {
        let (js, ws) = (joints[v as usize], weights[v as usize]);
        let mut best = 0;
        for k in 1..4 {
            if ws[k] > ws[best] {
                best = k;
            }
        }
        js[best]
    };
    let mut triangles: Vec<(u16, &[u32])> = p
        .indices
        .chunks_exact(3)
        .map(|t| (dominant(t[0]), t))
        .collect();
    // Stable: triangles keep their file order within a cluster.
    triangles.sort_by_key(|(joint, _)| *joint);
    let mut indices = Vec::with_capacity(p.indices.len());
    let mut ranges: Vec<Range<u32>> = Vec::new();
    let mut last = None;
    for (joint, t) in triangles {
        let at = indices.len() as u32;
        if last != Some(joint) {
            ranges.push(at..at);
            last = Some(joint);
        }
        indices.extend_from_slice(t);
        if let Some(r) = ranges.last_mut() {
            r.end = at + 3;
        }
    }
    (indices, ranges)
}

/// The index ranges of one draw that survive culling, adjacent ones merged.
#[derive(Debug, Clone, PartialEq)]
pub struct VisibleDraw {
    pub draw: usize,
    pub ranges: Vec<Range<u32>>,
}

/// Keeps the clusters (`ranges[i]` inside the world box `boxes[i]`, see
/// [`PrimitiveBounds::world_box`]) that may be inside the clip volume;
/// `None` when none is.
pub fn visible_ranges(
    ranges: &[Range<u32>],
    boxes: &[Aabb],
    clip_from_world: Mat4,
) -> Option<Vec<Range<u32>>> {
    let mut out: Vec<Range<u32>> = Vec::new();
    for (range, b) in ranges.iter().zip(boxes) {
        if !may_be_visible(clip_from_world, b) {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.end == range.start => last.end = range.end,
            _ => out.push(range.clone()),
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Whether any part of `b` may be inside the clip volume of `clip_from_world`
/// (wgpu clip space: -w ≤ x, y ≤ w, 0 ≤ z ≤ w). Conservative: a box is only
/// rejected when all its corners are outside the same plane.
pub fn may_be_visible(clip_from_world: Mat4, b: &Aabb) -> bool {
    if b.is_empty() {
        return false;
    }
    let corners = b
        .corners()
        .map(|c| clip_from_world * Vec4::new(c.x, c.y, c.z, 1.0));
    let planes: [fn(Vec4) -> bool; 6] = [
        |c| c.x < -c.w,
        |c| c.x > c.w,
        |c| c.y < -c.w,
        |c| c.y > c.w,
        |c| c.z < 0.0,
        |c| c.z > c.w,
    ];
    !planes
        .iter()
        .any(|outside| corners.iter().all(|&c| outside(c)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::avatar::MorphTarget;
    use glam::Quat;

    fn primitive(positions: Vec<[f32; 3]>, joints: Vec<[u16; 4]>) -> Primitive {
        let n = positions.len();
        Primitive {
            normals: vec![[0.0, 0.0, 1.0]; n],
            uvs: vec![[0.0; 2]; n],
            tangents: None,
            weights: Some(vec![[1.0, 0.0, 0.0, 0.0]; n]),
            joints: Some(joints),
            indices: vec![0, 1, 2],
            material: None,
            targets: Vec::new(),
            positions,
        }
    }

    #[test]
    fn skinned_box_follows_each_joint() {
        let p = primitive(
            vec![[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 5.0, 0.0]],
            vec![[0, 0, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0]],
        );
        let bounds = PrimitiveBounds::of(&p, true);
        // Joint 1 carries its vertex up by 2; joint 0 stays.
        let matrices = [
            Mat4::IDENTITY,
            Mat4::from_translation(Vec3::new(0.0, 2.0, 0.0)),
        ];
        let b = bounds.world_box(&matrices);
        assert_eq!(b.min, Vec3::new(0.0, 0.0, 0.0));
        assert_eq!(b.max, Vec3::new(1.0, 7.0, 0.0));
        // A rotated joint 0 moves its box with it.
        let turned = [
            Mat4::from_quat(Quat::from_rotation_z(std::f32::consts::FRAC_PI_2)),
            Mat4::IDENTITY,
        ];
        let b = bounds.world_box(&turned);
        // Joint 0's extent along x has turned into y; joint 1 stays at y = 5.
        assert!(b.min.x.abs() < 1e-6 && b.max.x.abs() < 1e-6, "{b:?}");
        assert!(
            b.min.y.abs() < 1e-6 && (b.max.y - 5.0).abs() < 1e-6,
            "{b:?}"
        );
    }

    #[test]
    fn triangles_cluster_by_dominant_joint_and_culled_clusters_are_skipped() {
        let mut p = primitive(
            vec![
                [0.0, 0.0, 0.0],
                [1.0, 0.0, 0.0],
                [0.0, 1.0, 0.0],
                [0.0, 9.0, 0.0],
                [1.0, 9.0, 0.0],
                [0.0, 10.0, 0.0],
            ],
            vec![
                [0; 4],
                [0; 4],
                [0; 4],
                [1, 0, 0, 0],
                [1, 0, 0, 0],
                [1, 0, 0, 0],
            ],
        );
        p.indices = vec![3, 4, 5, 0, 1, 2, 5, 4, 3];
        let (indices, ranges) = cluster_triangles(&p, false);
        assert_eq!(indices, vec![0, 1, 2, 3, 4, 5, 5, 4, 3]);
        assert_eq!(ranges, vec![0..3, 3..9]);
        let (_, one) = cluster_triangles(&p, true);
        assert_eq!((one.len(), one[0].clone()), (1, 0..9));

        let reach = morph_reach(&p);
        let bounds: Vec<PrimitiveBounds> = ranges
            .iter()
            .map(|r| {
                PrimitiveBounds::of_vertices(
                    &p,
                    true,
                    &indices[r.start as usize..r.end as usize],
                    &reach,
                )
            })
            .collect();
        let matrices = [Mat4::IDENTITY, Mat4::IDENTITY];
        let boxes: Vec<Aabb> = bounds.iter().map(|b| b.world_box(&matrices)).collect();
        // A camera box around y in [-1, 2] sees the first cluster only.
        let clip = Mat4::orthographic_rh(-2.0, 2.0, -1.0, 2.0, -5.0, 5.0);
        assert_eq!(
            visible_ranges(&ranges, &boxes, clip),
            Some(std::iter::once(0..3).collect())
        );
        let all = Mat4::orthographic_rh(-2.0, 2.0, -1.0, 11.0, -5.0, 5.0);
        assert_eq!(
            visible_ranges(&ranges, &boxes, all),
            Some(std::iter::once(0..9).collect()),
            "adjacent ranges merge into one draw"
        );
        let none = Mat4::orthographic_rh(-2.0, 2.0, 20.0, 30.0, -5.0, 5.0);
        assert_eq!(visible_ranges(&ranges, &boxes, none), None);
    }

    #[test]
    fn morph_targets_grow_the_box() {
        let mut p = primitive(
            vec![[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
            vec![[0; 4]; 3],
        );
        p.targets.push(MorphTarget {
            positions: vec![[0.0, 0.0, 0.5], [0.0; 3], [0.0; 3]],
            normals: None,
        });
        let b = PrimitiveBounds::of(&p, false).world_box(&[Mat4::IDENTITY]);
        assert!((b.max.z - 0.5).abs() < 1e-6 && (b.min.z + 0.5).abs() < 1e-6);
    }

    #[test]
    fn boxes_outside_one_plane_are_rejected_and_straddling_ones_kept() {
        let clip = Mat4::orthographic_rh(-1.0, 1.0, -1.0, 1.0, 0.1, 10.0);
        let at = |y: f32| Aabb {
            min: Vec3::new(-0.5, y, -2.0),
            max: Vec3::new(0.5, y + 0.5, -1.0),
        };
        assert!(may_be_visible(clip, &at(0.0)));
        assert!(may_be_visible(clip, &at(0.9)), "straddles the top edge");
        assert!(!may_be_visible(clip, &at(1.2)), "wholly above");
        assert!(!may_be_visible(clip, &at(-3.0)), "wholly below");
        assert!(!may_be_visible(clip, &Aabb::EMPTY));
    }
}
