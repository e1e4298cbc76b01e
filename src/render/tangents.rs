//! Per-vertex tangents for normal-mapped primitives whose file has none:
//! per-triangle UV gradients accumulated per vertex (Lengyel's method), then
//! Gram-Schmidt against the normal. Close to MikkTSpace on smooth meshes,
//! which is what normal maps baked by most tools assume.

use glam::{Vec2, Vec3};

pub fn generate_tangents(
    positions: &[[f32; 3]],
    normals: &[[f32; 3]],
    uvs: &[[f32; 2]],
    indices: &[u32],
) -> Vec<[f32; 4]> {
    let n = positions.len();
    let mut tangent_sum = vec![Vec3::ZERO; n];
    let mut bitangent_sum = vec![Vec3::ZERO; n];
    for triangle in indices.chunks_exact(3) {
        let [a, b, c] = [
            triangle[0] as usize,
            triangle[1] as usize,
            triangle[2] as usize,
        ];
        if a >= n || b >= n || c >= n {
            continue;
        }
        let (p0, p1, p2) = (
            Vec3::from(positions[a]),
            Vec3::from(positions[b]),
            Vec3::from(positions[c]),
        );
        // glTF's v runs down the image while its tangent space (like
        // OpenGL's) has the bitangent pointing up the image, so flip v.
        let flip = |uv: [f32; 2]| Vec2::new(uv[0], -uv[1]);
        let (t0, t1, t2) = (flip(uvs[a]), flip(uvs[b]), flip(uvs[c]));
        let (e1, e2) = (p1 - p0, p2 - p0);
        let (d1, d2) = (t1 - t0, t2 - t0);
        let det = d1.x * d2.y - d2.x * d1.y;
        if det.abs() < 1e-12 {
            continue;
        }
        let r = 1.0 / det;
        // Unnormalised: larger triangles weigh more, as in MikkTSpace.
        let tangent = (e1 * d2.y - e2 * d1.y) * r;
        let bitangent = (e2 * d1.x - e1 * d2.x) * r;
        for v in [a, b, c] {
            tangent_sum[v] += tangent;
            bitangent_sum[v] += bitangent;
        }
    }
    (0..n)
        .map(|i| {
            let normal = Vec3::from(normals[i]);
            let t = tangent_sum[i] - normal * normal.dot(tangent_sum[i]);
            let Some(t) = t.try_normalize() else {
                return [0.0; 4];
            };
            // glTF: bitangent = cross(normal, tangent.xyz) * w.
            let w = if normal.cross(t).dot(bitangent_sum[i]) < 0.0 {
                -1.0
            } else {
                1.0
            };
            [t.x, t.y, t.z, w]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tangent_follows_u_on_a_flat_quad() {
        // A quad in the XY plane facing +Z, its texture upright: u along +X,
        // glTF v (top row first) decreasing along +Y.
        let positions = [
            [0.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [1.0, 1.0, 0.0],
            [0.0, 1.0, 0.0],
        ];
        let normals = [[0.0, 0.0, 1.0]; 4];
        let uvs = [[0.0, 1.0], [1.0, 1.0], [1.0, 0.0], [0.0, 0.0]];
        let tangents = generate_tangents(&positions, &normals, &uvs, &[0, 1, 2, 0, 2, 3]);
        for t in tangents {
            assert!((t[0] - 1.0).abs() < 1e-6 && t[1].abs() < 1e-6 && t[2].abs() < 1e-6);
            assert_eq!(t[3], 1.0);
        }
    }

    #[test]
    fn mirrored_uvs_flip_handedness() {
        let positions = [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [1.0, 1.0, 0.0]];
        let normals = [[0.0, 0.0, 1.0]; 3];
        let uvs = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]];
        let tangents = generate_tangents(&positions, &normals, &uvs, &[0, 1, 2]);
        assert_eq!(tangents[0][3], -1.0);
    }
}
