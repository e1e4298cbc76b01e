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

/// Morph motion beyond which a vertex keeps all its triangles in the proxy.
/// Locking every vertex a morph moves at all (1 mm) cost ~4 % of a frame;
/// the folds that need it (eyelids, lips) move 4-8 mm, and 2 mm and 4 mm
/// locks both cleared the acne.
const FOLDING_MOTION_M: f32 = 0.003;

/// Vertices some morph target moves by more than `FOLDING_MOTION_M` keep
/// all their triangles. The proxy is simplified at rest: where the face
/// folds as it moves (the upper lid's crease unrolling in a blink), a
/// coarse triangle no longer follows the skin, and the skin's own shadow
/// test prints stripes of acne across the fold (a grey tuft at the inner
/// corner of a closed eye).
fn moved_by_morphs(p: &Primitive) -> Vec<bool> {
    let mut locked = vec![false; p.positions.len()];
    for target in &p.targets {
        for (lock, d) in locked.iter_mut().zip(&target.positions) {
            let moved = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
            *lock |= moved > FOLDING_MOTION_M * FOLDING_MOTION_M;
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
        // A "blink" moving the middle 3×3 vertices 5 mm; a drift of 1 mm
        // everywhere does not lock anything.
        let n = 9;
        let mut fold = vec![[0.0f32; 3]; p.positions.len()];
        for y in 3..6 {
            for x in 3..6 {
                fold[y * n + x] = [0.0, -0.005, 0.0];
            }
        }
        let drift = vec![[0.0, 0.001, 0.0]; p.positions.len()];
        for positions in [fold, drift] {
            p.targets.push(MorphTarget {
                positions,
                normals: None,
            });
        }
        let whole = 0..p.indices.len() as u32;
        let (proxy, _) = simplify_clusters(&p, &p.indices, std::slice::from_ref(&whole));
        let sorted = |t: &[u32]| {
            let mut t = [t[0], t[1], t[2]];
            t.sort_unstable();
            t
        };
        let triangles: Vec<[u32; 3]> = proxy.chunks(3).map(sorted).collect();
        // Every original triangle between moved vertices is still there.
        let moved = |v: u32| {
            let (x, y) = (v as usize % n, v as usize / n);
            (3..6).contains(&x) && (3..6).contains(&y)
        };
        let mut kept = 0;
        for t in p.indices.chunks(3).filter(|t| t.iter().all(|&v| moved(v))) {
            assert!(triangles.contains(&sorted(t)), "{t:?} was merged");
            kept += 1;
        }
        assert_eq!(kept, 8);
        // The static rest of the grid is still simplified.
        assert!(
            proxy.len() < p.indices.len(),
            "{} of {}",
            proxy.len(),
            p.indices.len()
        );
    }
}
