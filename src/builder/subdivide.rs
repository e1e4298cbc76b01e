//! One level of smooth subdivision on part of a mesh (the head), so that
//! silhouettes (jaw, chin, nose, ears) are curves and not polygons at
//! portrait distance.
//!
//! Interpolating, not approximating: every existing vertex stays where it
//! is, so eyelids still meet the eyeballs, lips still close over the teeth
//! and the uniform's collar still fits the neck. Each edge gets a midpoint
//! on the cubic Hermite curve between its ends, whose tangents are the edge
//! projected onto each end's tangent plane (the curved-edge construction of
//! PN triangles, Vlachos et al. 2001). Refined triangles split 1 → 4; their
//! unrefined neighbours split 1 → 2 or 1 → 3 onto the shared midpoints
//! (red-green refinement), so there are no T-junctions and no cracks, also
//! where the UV layout splits a vertex in two.

use std::collections::BTreeMap;

use glam::Vec3;

use super::part::Part;

/// What refinement did, for the build summary and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Refinement {
    /// Triangles split into four.
    pub refined: usize,
    /// Neighbours split into two or three to stay watertight.
    pub stitched: usize,
    pub new_vertices: usize,
}

/// Vertices at the same position are one surface point (UV seams split
/// them); edges are keyed by these ids so both sides of a seam meet.
fn weld_ids(positions: &[Vec3]) -> Vec<u32> {
    let mut first: BTreeMap<[u32; 3], u32> = BTreeMap::new();
    positions
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let key = p.to_array().map(f32::to_bits);
            *first.entry(key).or_insert(i as u32)
        })
        .collect()
}

/// The Hermite midpoint of edge `a`–`b` with unit normals `na`, `nb`:
/// `(a + b)/2 + (ta - tb)/8`, where `ta`, `tb` are `b - a` projected onto the
/// tangent planes, at the chord's length. Symmetric in its ends, so both
/// sides of a seam agree.
pub fn curved_midpoint(a: Vec3, na: Vec3, b: Vec3, nb: Vec3) -> Vec3 {
    // A fixed order makes the result bit-identical from either end.
    let ((a, na), (b, nb)) = if a.to_array() <= b.to_array() {
        ((a, na), (b, nb))
    } else {
        ((b, nb), (a, na))
    };
    let (ta, tb) = chord_tangents(a, na, b, nb);
    (a + b) * 0.5 + (ta - tb) * 0.125
}

/// The end tangents of the Hermite curve from `a` to `b`: the chord
/// projected onto the planes of the unit normals `na`, `nb`, each as long
/// as the chord (projecting alone would shorten them and flatten the
/// curve: a 90° arc would bulge to 0.88 of its radius instead of 0.96).
fn chord_tangents(a: Vec3, na: Vec3, b: Vec3, nb: Vec3) -> (Vec3, Vec3) {
    let e = b - a;
    let chord = e.length();
    (
        (e - na * na.dot(e)).normalize_or_zero() * chord,
        (e - nb * nb.dot(e)).normalize_or_zero() * chord,
    )
}

/// The point at `t` (0..=1) on the Hermite curve from `a` to `b` with unit
/// normals `na`, `nb` (the curve `curved_midpoint` halves).
pub fn hermite(a: Vec3, na: Vec3, b: Vec3, nb: Vec3, t: f32) -> Vec3 {
    let (ta, tb) = chord_tangents(a, na, b, nb);
    let (t2, t3) = (t * t, t * t * t);
    a * (2.0 * t3 - 3.0 * t2 + 1.0)
        + ta * (t3 - 2.0 * t2 + t)
        + b * (-2.0 * t3 + 3.0 * t2)
        + tb * (t3 - t2)
}

struct Splitter<'a> {
    part: &'a mut Part,
    weld: Vec<u32>,
    /// Welded edges that have a midpoint, with its position.
    welded_mids: BTreeMap<(u32, u32), Vec3>,
    /// The midpoint vertex of each (unwelded) vertex pair.
    mids: BTreeMap<(u32, u32), u32>,
}

impl Splitter<'_> {
    fn welded_key(&self, a: u32, b: u32) -> (u32, u32) {
        let (wa, wb) = (self.weld[a as usize], self.weld[b as usize]);
        (wa.min(wb), wa.max(wb))
    }

    fn plan(&mut self, a: u32, b: u32) {
        let key = self.welded_key(a, b);
        let part = &self.part;
        let (ia, ib) = (a as usize, b as usize);
        self.welded_mids.entry(key).or_insert_with(|| {
            curved_midpoint(
                part.positions[ia],
                part.normals[ia].normalize_or_zero(),
                part.positions[ib],
                part.normals[ib].normalize_or_zero(),
            )
        });
    }

    fn has_mid(&self, a: u32, b: u32) -> bool {
        self.welded_mids.contains_key(&self.welded_key(a, b))
    }

    /// The midpoint vertex between `a` and `b`, made on first use with
    /// interpolated normal and UV and both ends recorded for skinning and
    /// morphs.
    fn mid(&mut self, a: u32, b: u32) -> u32 {
        let key = (a.min(b), a.max(b));
        if let Some(&m) = self.mids.get(&key) {
            return m;
        }
        let position = self.welded_mids[&self.welded_key(a, b)];
        let part = &mut *self.part;
        let (ia, ib) = (a as usize, b as usize);
        let normal = (part.normals[ia].normalize_or_zero() + part.normals[ib].normalize_or_zero())
            .normalize_or_zero();
        let uv = [
            0.5 * (part.uvs[ia][0] + part.uvs[ib][0]),
            0.5 * (part.uvs[ia][1] + part.uvs[ib][1]),
        ];
        let sources = [part.source[ia], part.source[ib]];
        let m = part.positions.len() as u32;
        part.positions.push(position);
        part.normals.push(normal);
        part.uvs.push(uv);
        part.source.push(sources[0]);
        part.midpoint_of.resize(m as usize, None);
        part.midpoint_of.push(Some(sources));
        self.mids.insert(key, m);
        m
    }
}

/// Subdivides the triangles of `part` for which `refine(part, corners)`
/// holds, and stitches their neighbours. Triangle order is kept (each
/// triangle is replaced by its pieces in place), so the result is
/// deterministic.
pub fn subdivide_where(part: &mut Part, refine: impl Fn(&Part, [u32; 3]) -> bool) -> Refinement {
    let triangles: Vec<[u32; 3]> = part
        .indices
        .chunks_exact(3)
        .map(|t| [t[0], t[1], t[2]])
        .collect();
    let red: Vec<bool> = triangles.iter().map(|&t| refine(part, t)).collect();
    let vertices_before = part.positions.len();
    let mut splitter = Splitter {
        weld: weld_ids(&part.positions),
        part,
        welded_mids: BTreeMap::new(),
        mids: BTreeMap::new(),
    };
    for (t, _) in triangles.iter().zip(&red).filter(|(_, r)| **r) {
        for k in 0..3 {
            splitter.plan(t[k], t[(k + 1) % 3]);
        }
    }
    let mut out = Vec::with_capacity(triangles.len() * 3 * 2);
    let mut stats = Refinement::default();
    for (&[a, b, c], &is_red) in triangles.iter().zip(&red) {
        let split = [
            splitter.has_mid(a, b),
            splitter.has_mid(b, c),
            splitter.has_mid(c, a),
        ];
        let count = split.iter().filter(|s| **s).count();
        if is_red || count == 3 {
            let (ab, bc, ca) = (splitter.mid(a, b), splitter.mid(b, c), splitter.mid(c, a));
            out.extend([a, ab, ca, ab, b, bc, ca, bc, c, ab, bc, ca]);
            stats.refined += 1;
            continue;
        }
        // Rotate so that the split edges come first: (a, b), then (b, c).
        let (a, b, c, split) = match split {
            [false, true, _] if count == 1 => (b, c, a, [true, false, false]),
            [false, false, true] => (c, a, b, [true, false, false]),
            [true, false, true] => (c, a, b, [true, true, false]),
            [false, true, true] => (b, c, a, [true, true, false]),
            s => (a, b, c, s),
        };
        match split {
            [true, false, false] => {
                let ab = splitter.mid(a, b);
                out.extend([a, ab, c, ab, b, c]);
                stats.stitched += 1;
            }
            [true, true, false] => {
                let (ab, bc) = (splitter.mid(a, b), splitter.mid(b, c));
                // The corner triangle at b, then the quad a-ab-bc-c split
                // along its shorter diagonal.
                out.extend([ab, b, bc]);
                let p = &splitter.part.positions;
                let diag_a = p[a as usize].distance_squared(p[bc as usize]);
                let diag_c = p[c as usize].distance_squared(p[ab as usize]);
                if diag_a <= diag_c {
                    out.extend([a, ab, bc, a, bc, c]);
                } else {
                    out.extend([a, ab, c, ab, bc, c]);
                }
                stats.stitched += 1;
            }
            _ => out.extend([a, b, c]),
        }
    }
    let part = splitter.part;
    part.indices = out;
    if !part.midpoint_of.is_empty() {
        part.midpoint_of.resize(part.positions.len(), None);
    }
    stats.new_vertices = part.positions.len() - vertices_before;
    stats
}

/// Whether a triangle bends enough to look faceted: the largest angle
/// between its corners' smooth normals, as the cosine `max_cos` or less.
/// Flat regions (forehead, cheeks) stay as they are and cost nothing.
pub fn bends(part: &Part, t: [u32; 3], max_cos: f32) -> bool {
    let n = t.map(|v| part.normals[v as usize].normalize_or_zero());
    n[0].dot(n[1]).min(n[1].dot(n[2])).min(n[2].dot(n[0])) <= max_cos
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A unit-radius octahedron-ish fan: a square of 4 triangles around a
    /// centre vertex, normals pointing out of a sphere centred below it.
    fn fan() -> Part {
        let positions = vec![
            Vec3::new(0.0, 0.0, 1.0),
            Vec3::new(1.0, 0.0, 0.0),
            Vec3::new(0.0, 1.0, 0.0),
            Vec3::new(-1.0, 0.0, 0.0),
            Vec3::new(0.0, -1.0, 0.0),
        ];
        let normals = positions.iter().map(|p| p.normalize()).collect();
        Part {
            name: "fan".into(),
            uvs: positions.iter().map(|p| [p.x, p.y]).collect(),
            source: (0..5).collect(),
            normals,
            positions,
            indices: vec![0, 1, 2, 0, 2, 3, 0, 3, 4, 0, 4, 1],
            ..Part::default()
        }
    }

    #[test]
    fn midpoints_bulge_onto_the_curve_and_agree_from_both_ends() {
        // Two points on the unit circle 90° apart: the chord's midpoint lies
        // at radius 0.707, the curve's close to 1; at 20° (a bent head
        // triangle) within 0.1 %.
        let (a, b) = (Vec3::X, Vec3::Y);
        let m = curved_midpoint(a, a, b, b);
        assert!((m.length() - 1.0).abs() < 0.05, "{m}");
        assert_eq!(m, curved_midpoint(b, b, a, a));
        let c = Vec3::new(20f32.to_radians().cos(), 20f32.to_radians().sin(), 0.0);
        let m = curved_midpoint(a, a, c, c);
        assert!((m.length() - 1.0).abs() < 1e-3, "{m}");
        // A flat surface stays flat.
        let flat = curved_midpoint(Vec3::ZERO, Vec3::Z, Vec3::X, Vec3::Z);
        assert_eq!(flat, Vec3::new(0.5, 0.0, 0.0));
    }

    #[test]
    fn refined_triangles_split_in_four_and_keep_their_corners() {
        let mut part = fan();
        let before = part.positions.clone();
        let stats = subdivide_where(&mut part, |_, _| true);
        assert_eq!(stats.refined, 4);
        assert_eq!(stats.stitched, 0);
        // 4 spokes + 4 rim edges.
        assert_eq!(stats.new_vertices, 8);
        assert_eq!(part.indices.len(), 16 * 3);
        assert_eq!(&part.positions[..5], &before[..]);
        assert_eq!(part.midpoint_of.len(), part.positions.len());
        for m in 5..part.positions.len() {
            let [a, b] = part.midpoint_of[m].expect("every new vertex is a midpoint");
            // Sources are the fan's own vertex numbers here.
            assert!(a < 5 && b < 5 && a != b);
        }
        // Every triangle keeps the winding (normal along +z).
        for t in part.indices.chunks_exact(3) {
            let p = |i: u32| part.positions[i as usize];
            let n = (p(t[1]) - p(t[0])).cross(p(t[2]) - p(t[0]));
            assert!(n.z > 0.0, "flipped triangle {t:?}");
        }
    }

    #[test]
    fn neighbours_are_stitched_without_t_junctions() {
        let mut part = fan();
        // Only the triangle (0, 1, 2) has all corners with x ≥ 0, y ≥ 0.
        let stats = subdivide_where(&mut part, |part, t| {
            t.iter().all(|&v| {
                let p = part.positions[v as usize];
                p.x >= 0.0 && p.y >= 0.0
            })
        });
        assert_eq!(stats.refined, 1);
        // (0,2,3) shares edge 0-2 and (0,4,1) shares 0-1: each split in two.
        assert_eq!(stats.stitched, 2);
        assert_eq!(stats.new_vertices, 3);
        assert_eq!(part.indices.len(), (4 + 2 + 2 + 1) * 3);
        // Watertight: every edge of the new mesh inside the fan is used by
        // exactly two triangles, rim edges by one.
        let mut uses: BTreeMap<(u32, u32), usize> = BTreeMap::new();
        for t in part.indices.chunks_exact(3) {
            for k in 0..3 {
                let (a, b) = (t[k], t[(k + 1) % 3]);
                *uses.entry((a.min(b), a.max(b))).or_default() += 1;
            }
        }
        let rim = uses.values().filter(|&&n| n == 1).count();
        assert!(uses.values().all(|&n| n <= 2));
        // The rim: 4 original edges, one of them split into two.
        assert_eq!(rim, 5);
    }

    #[test]
    fn seams_share_midpoint_positions() {
        // Two triangles over one edge whose ends are duplicated (a UV seam):
        // only the first is refined; the second must be split at a vertex
        // at exactly the same place.
        let positions = vec![
            Vec3::ZERO,
            Vec3::X,
            Vec3::Y,
            Vec3::ZERO,
            Vec3::X,
            Vec3::new(0.5, -1.0, 0.0),
        ];
        let mut part = Part {
            normals: vec![Vec3::Z; 6],
            uvs: vec![[0.0; 2]; 6],
            source: (0..6).collect(),
            positions,
            indices: vec![0, 1, 2, 4, 3, 5],
            ..Part::default()
        };
        let stats = subdivide_where(&mut part, |part, t| {
            t.iter().all(|&v| part.positions[v as usize].y >= 0.0)
        });
        assert_eq!((stats.refined, stats.stitched), (1, 1));
        let at_half: Vec<usize> = (0..part.positions.len())
            .filter(|&i| part.positions[i] == Vec3::new(0.5, 0.0, 0.0))
            .collect();
        assert_eq!(at_half.len(), 2, "one midpoint per side of the seam");
    }

    #[test]
    fn the_hermite_curve_meets_its_ends_and_bulges_through_the_midpoint() {
        let (a, b) = (Vec3::new(1.0, 0.0, 0.0), Vec3::new(0.0, 0.0, 1.0));
        assert!(hermite(a, Vec3::X, b, Vec3::Z, 0.0).distance(a) < 1e-6);
        assert!(hermite(a, Vec3::X, b, Vec3::Z, 1.0).distance(b) < 1e-6);
        // A quarter of a unit circle: the middle lies near the arc (~0.96
        // of its radius, see `curved_midpoint`), well outside the chord.
        let mid = hermite(a, Vec3::X, b, Vec3::Z, 0.5);
        assert!((mid.length() - 0.96).abs() < 0.02, "{mid}");
        let m = curved_midpoint(a, Vec3::X, b, Vec3::Z);
        assert!(mid.distance(m) < 1e-6);
    }
}
