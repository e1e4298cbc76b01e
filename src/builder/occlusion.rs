//! Ambient occlusion of the head and neck, per vertex: how much of the sky
//! over each point the body itself hides within a few centimetres. The eye
//! sockets, the sides of the nose, the corners of the mouth, the ears'
//! folds and the neck under the jaw darken, which gives the face its form
//! at portrait size, where pores and the cavity term (`cavity`) no longer
//! show.
//!
//! Rays are cast against the body's own triangles, found through a grid of
//! cells as large as the rays are long, so each vertex tests only the few
//! hundred triangles near it.

use std::collections::HashMap;

use glam::Vec3;

use super::part::Part;
use super::regions::Head;

/// How far a ray looks for an occluder, metres: the scale of a socket or
/// the gap under the jaw, not the shoulders.
const REACH_M: f32 = 0.05;
/// Rays per vertex, spread over the hemisphere by the cosine of their
/// angle to the normal (so the plain fraction that escapes is the
/// occlusion a Lambertian surface sees).
const RAYS: usize = 32;
/// Only vertices this close to the skull's centre are worked on (head,
/// neck, the top of the shoulders); the rest see the open sky.
const AROUND_HEAD_M: f32 = 0.25;

/// Per vertex of `body`: the fraction of its hemisphere open to the sky,
/// 0..=1 (1 away from the head).
pub fn vertex_occlusion(body: &Part, head: &Head) -> Vec<f32> {
    let near = |p: Vec3| p.distance(head.center) < AROUND_HEAD_M + REACH_M;
    let triangles: Vec<[Vec3; 3]> = body
        .indices
        .chunks_exact(3)
        .map(|t| [0, 1, 2].map(|k| body.positions[t[k] as usize]))
        .filter(|t| t.iter().any(|p| near(*p)))
        .collect();
    let cell = |p: Vec3| (p / REACH_M).floor().as_ivec3();
    let mut grid: HashMap<glam::IVec3, Vec<u32>> = HashMap::new();
    for (i, t) in triangles.iter().enumerate() {
        // A triangle goes into every cell its bounding box touches.
        let (lo, hi) = (
            cell(t[0].min(t[1]).min(t[2])),
            cell(t[0].max(t[1]).max(t[2])),
        );
        for x in lo.x..=hi.x {
            for y in lo.y..=hi.y {
                for z in lo.z..=hi.z {
                    grid.entry(glam::IVec3::new(x, y, z))
                        .or_default()
                        .push(i as u32);
                }
            }
        }
    }
    let directions = hemisphere();
    body.positions
        .iter()
        .zip(&body.normals)
        .map(|(&p, &n)| {
            if p.distance(head.center) > AROUND_HEAD_M || n.length_squared() < 0.5 {
                return 1.0;
            }
            let c = cell(p);
            let mut candidates: Vec<u32> = Vec::new();
            for dx in -1..=1 {
                for dy in -1..=1 {
                    for dz in -1..=1 {
                        if let Some(list) = grid.get(&(c + glam::IVec3::new(dx, dy, dz))) {
                            candidates.extend_from_slice(list);
                        }
                    }
                }
            }
            candidates.sort_unstable();
            candidates.dedup();
            let (tangent, bitangent) = n.any_orthonormal_pair();
            let origin = p + n * 1e-4;
            let open = directions
                .iter()
                .filter(|d| {
                    let ray = tangent * d.x + bitangent * d.y + n * d.z;
                    !candidates
                        .iter()
                        .any(|&i| hits(origin, ray, &triangles[i as usize]))
                })
                .count();
            open as f32 / RAYS as f32
        })
        .collect()
}

/// `RAYS` unit directions over the hemisphere around +z, cosine-weighted:
/// a Fibonacci spiral on the disc lifted onto the hemisphere.
fn hemisphere() -> Vec<Vec3> {
    let golden = std::f32::consts::PI * (3.0 - 5.0f32.sqrt());
    (0..RAYS)
        .map(|i| {
            let r = ((i as f32 + 0.5) / RAYS as f32).sqrt();
            let (s, c) = (i as f32 * golden).sin_cos();
            Vec3::new(r * c, r * s, (1.0 - r * r).max(0.0).sqrt())
        })
        .collect()
}

/// Whether the ray from `origin` along unit `dir` meets triangle `t`
/// within `REACH_M` (Möller–Trumbore).
fn hits(origin: Vec3, dir: Vec3, t: &[Vec3; 3]) -> bool {
    let (e1, e2) = (t[1] - t[0], t[2] - t[0]);
    let h = dir.cross(e2);
    let det = e1.dot(h);
    if det.abs() < 1e-12 {
        return false;
    }
    let inv = 1.0 / det;
    let s = origin - t[0];
    let u = s.dot(h) * inv;
    if !(0.0..=1.0).contains(&u) {
        return false;
    }
    let q = s.cross(e1);
    let v = dir.dot(q) * inv;
    if v < 0.0 || u + v > 1.0 {
        return false;
    }
    let distance = e2.dot(q) * inv;
    distance > 1e-5 && distance < REACH_M
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::regions::HairStyle;

    #[test]
    fn a_floor_under_a_roof_is_shaded_and_an_open_floor_is_not() {
        let head = Head::for_tests(HairStyle::Crop);
        let c = head.center;
        // A floor of two triangles, and a roof 2 cm over its left half.
        let quad = |y: f32, x0: f32, x1: f32| {
            [
                c + Vec3::new(x0, y, -0.05),
                c + Vec3::new(x1, y, -0.05),
                c + Vec3::new(x1, y, 0.05),
                c + Vec3::new(x0, y, 0.05),
            ]
        };
        let mut positions: Vec<Vec3> = quad(0.0, -0.05, 0.05).to_vec();
        positions.extend(quad(0.02, -0.05, 0.0));
        // Two probe vertices on the floor: under the roof, and in the open.
        positions.push(c + Vec3::new(-0.025, 0.0, 0.0));
        positions.push(c + Vec3::new(0.04, 0.0, 0.0));
        let mut normals = vec![Vec3::Y; 4];
        normals.extend([Vec3::NEG_Y; 4]);
        normals.extend([Vec3::Y; 2]);
        let body = Part {
            positions,
            normals,
            indices: vec![0, 2, 1, 0, 3, 2, 4, 5, 6, 4, 6, 7],
            ..Part::default()
        };
        let open = vertex_occlusion(&body, &head);
        assert!(open[8] < 0.5, "under the roof: {}", open[8]);
        assert!(open[9] > 0.6, "in the open: {}", open[9]);
        // Cosine-weighted directions all point into the hemisphere.
        assert!(
            hemisphere()
                .iter()
                .all(|d| d.z > 0.0 && (d.length() - 1.0).abs() < 1e-5)
        );
    }
}
