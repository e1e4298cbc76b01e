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
    let mut out = Vec::with_capacity(indices.len() / 2);
    let mut ranges = Vec::with_capacity(clusters.len());
    for r in clusters {
        let cluster = indices.get(r.start as usize..r.end as usize).unwrap_or(&[]);
        let start = out.len() as u32;
        if !cluster.is_empty() {
            let simplified = meshopt::simplify(
                cluster,
                &adapter,
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
}
