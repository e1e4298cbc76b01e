//! Coarser triangles for the shadow pass.
//!
//! The key light's shadow map is 256² texels over the portrait (~2 mm each),
//! and its edges are filtered over three texels; the full face mesh adds
//! nothing there but vertex work, which on a CPU adapter costs as much as
//! in the main pass. Each opaque cluster is simplified on its own with its
//! border locked, so clusters still meet without cracks (a crack would let
//! light through) and openings (mouth, eyelids) keep their outline. The
//! proxy indexes the same vertices, so morphs and skinning move it exactly
//! like the visible mesh.

use std::ops::Range;

#[cfg(test)]
use crate::avatar::MorphTarget;
use crate::avatar::Primitive;

/// Largest deviation of the proxy from the mesh, in metres: well under one
/// shadow-map texel.
pub const SHADOW_PROXY_ERROR_M: f32 = 0.001;

/// Simplifies each cluster (a range of `indices`) of `p` and returns the
/// proxy's index list with its clusters' ranges, one per input cluster and
/// in the same order (so culling bounds stay valid).
pub fn simplify_clusters(
    p: &Primitive,
    indices: &[u32],
    clusters: &[Range<u32>],
) -> (Vec<u32>, Vec<Range<u32>>) {
    let positions: &[f32] = bytemuck::cast_slice(&p.positions);
    let bytes: &[u8] = bytemuck::cast_slice(positions);
    let Ok(adapter) = meshopt::VertexDataAdapter::new(bytes, 12, 0) else {
        return (indices.to_vec(), clusters.to_vec());
    };
    let locked = moved_by_morphs(p);
    let mut out = Vec::with_capacity(indices.len() / 2);
    let mut ranges = Vec::with_capacity(clusters.len());
    for r in clusters {
        let cluster = indices.get(r.start as usize..r.end as usize).unwrap_or(&[]);
        let start = out.len() as u32;
        if !cluster.is_empty() {
            let simplified = meshopt::simplify_with_locks(
                cluster,
                &adapter,
                &locked,
                0,
                SHADOW_PROXY_ERROR_M,
                meshopt::SimplifyOptions::LockBorder | meshopt::SimplifyOptions::ErrorAbsolute,
                None,
            );
            out.extend_from_slice(&simplified);
        }
        ranges.push(start..out.len() as u32);
    }
    (out, ranges)
}

/// How much a morph may stretch or shrink an edge of the mesh before its
/// ends keep all their triangles in the proxy. The proxy is simplified at
/// rest: where the face folds as it moves (the upper lid's crease unrolling
/// in a blink), a coarse triangle no longer follows the skin, and the
/// skin's own shadow test prints stripes of acne across the fold (a grey
/// tuft at the inner corner of a closed eye). Folds are where neighbours
/// move differently; skin carried along as a whole (the chin as the jaw
/// opens) simplifies as well as at rest. Locking every vertex a morph moved
/// by 3 mm or more instead cost 0.6 ms per frame.
const FOLDING_STRAIN_M: f32 = 0.001;

/// Vertices at either end of an edge some morph target stretches or shrinks
/// by more than `FOLDING_STRAIN_M`.
fn moved_by_morphs(p: &Primitive) -> Vec<bool> {
    let mut locked = vec![false; p.positions.len()];
    let limit = FOLDING_STRAIN_M * FOLDING_STRAIN_M;
    for target in &p.targets {
        let d = &target.positions;
        for t in p.indices.chunks_exact(3) {
            for (a, b) in [(t[0], t[1]), (t[1], t[2]), (t[2], t[0])] {
                let (a, b) = (a as usize, b as usize);
                let (Some(da), Some(db)) = (d.get(a), d.get(b)) else {
                    continue;
                };
                let strain = (0..3).map(|k| (da[k] - db[k]).powi(2)).sum::<f32>();
                if strain > limit {
                    locked[a] = true;
                    locked[b] = true;
                }
            }
        }
    }
    locked
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A flat n×n grid of quads, 1 cm apart, as one cluster.
    fn grid(n: u32) -> Primitive {
        let mut positions = Vec::new();
        for y in 0..=n {
            for x in 0..=n {
                positions.push([x as f32 * 0.01, y as f32 * 0.01, 0.0]);
            }
        }
        let mut indices = Vec::new();
        let at = |x: u32, y: u32| y * (n + 1) + x;
        for y in 0..n {
            for x in 0..n {
                indices.extend([at(x, y), at(x + 1, y), at(x + 1, y + 1)]);
                indices.extend([at(x, y), at(x + 1, y + 1), at(x, y + 1)]);
            }
        }
        let count = positions.len();
        Primitive {
            positions,
            normals: vec![[0.0, 0.0, 1.0]; count],
            uvs: vec![[0.0; 2]; count],
            tangents: None,
            joints: None,
            weights: None,
            indices,
            material: None,
            targets: Vec::new(),
        }
    }

    #[test]
    fn flat_interiors_lose_triangles_and_borders_stay() {
        let p = grid(8);
        let half = p.indices.len() as u32 / 2;
        let clusters = vec![0..half, half..p.indices.len() as u32];
        let (proxy, ranges) = simplify_clusters(&p, &p.indices, &clusters);
        assert_eq!(ranges.len(), 2);
        assert!(
            proxy.len() < p.indices.len() / 2,
            "{} of {} indices",
            proxy.len(),
            p.indices.len()
        );
        // Every border vertex of the grid is still used: no cracks, no shrinking.
        let n = 8;
        for i in 0..=n {
            for v in [i, n * (n + 1) + i, i * (n + 1), i * (n + 1) + n] {
                assert!(proxy.contains(&v), "border vertex {v} dropped");
            }
        }
        assert_eq!(ranges[0].start, 0);
        assert_eq!(ranges[0].end, ranges[1].start);
        assert_eq!(ranges[1].end as usize, proxy.len());
    }

    #[test]
    fn what_morphs_fold_keeps_its_triangles() {
        let mut p = grid(8);
        let n = 9;
        // A fold: rows 5 and up lift 5 mm off the grid, rows below stay.
        // A drift: everything moves 5 mm together, which folds nothing.
        let fold: Vec<[f32; 3]> = (0..p.positions.len())
            .map(|v| {
                if v / n >= 5 {
                    [0.0, 0.0, 0.005]
                } else {
                    [0.0; 3]
                }
            })
            .collect();
        let drift = vec![[0.0, 0.005, 0.0]; p.positions.len()];
        let sorted = |t: &[u32]| {
            let mut t = [t[0], t[1], t[2]];
            t.sort_unstable();
            t
        };
        let whole = 0..p.indices.len() as u32;
        p.targets.push(MorphTarget {
            positions: drift,
            normals: None,
        });
        let (rigid, _) = simplify_clusters(&p, &p.indices, std::slice::from_ref(&whole));
        p.targets.push(MorphTarget {
            positions: fold,
            normals: None,
        });
        let (proxy, _) = simplify_clusters(&p, &p.indices, std::slice::from_ref(&whole));
        // Moving as a whole: simplified as at rest.
        assert!(
            rigid.len() < p.indices.len() / 2,
            "{} of {}",
            rigid.len(),
            p.indices.len()
        );
        // Every triangle across the fold (rows 4 to 5) is still there.
        let triangles: Vec<[u32; 3]> = proxy.chunks(3).map(sorted).collect();
        let across = |t: &&[u32]| t.iter().all(|&v| (4..=5).contains(&(v as usize / n)));
        let mut kept = 0;
        for t in p.indices.chunks(3).filter(across) {
            assert!(triangles.contains(&sorted(t)), "{t:?} was merged");
            kept += 1;
        }
        assert_eq!(kept, 16);
        // The flat parts either side are still simplified.
        assert!(
            proxy.len() < p.indices.len(),
            "{} of {}",
            proxy.len(),
            p.indices.len()
        );
    }
}
