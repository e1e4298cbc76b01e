//! Longer hair: a curtain hanging from the sides and back of the hair cap
//! down to a given length, wide enough to clear the ears and cheeks (a bob).
//! Curtain vertices follow the cap's edge vertex they hang from, so the
//! hair turns and nods with the head.

use glam::Vec3;

use super::noise::{smoothstep, value3};
use super::part::Part;
use super::regions::Head;
use super::shell::open_edges_by;

/// Rows of vertices from the cap's edge to the hair's ends.
const ROWS: usize = 8;
/// Where the curtain may hang: away from the face (azimuth from the front).
pub const CURTAIN_MIN_AZIMUTH: f32 = 1.05;

/// Where the cap's UVs go when a curtain shares the texture: the curtain
/// gets the bottom strip.
pub const CAP_V_RANGE: (f32, f32) = (0.02, 0.73);
const CURTAIN_V_RANGE: (f32, f32) = (0.76, 0.98);

/// What `add_curtain` adds besides geometry.
pub struct Curtain {
    /// Per vertex of the whole hair: -1 on the cap, 0 at the top of the
    /// curtain .. 1 at the ends.
    pub along: Vec<f32>,
    /// Per curtain vertex (those after the cap's): the unit direction down
    /// its column, which the strands follow.
    pub flow: Vec<Vec3>,
}

/// Adds the curtain to `cap`; `head_points` are body vertices around the
/// head the hair must clear.
pub fn add_curtain(cap: &mut Part, head: &Head, head_points: &[Vec3], bottom_y: f32) -> Curtain {
    let cap_vertices = cap.positions.len();
    let mut along = vec![-1.0f32; cap.positions.len()];
    let edges: Vec<(usize, usize)> = open_edges(cap)
        .into_iter()
        .filter(|&(a, b)| {
            [a, b].iter().all(|&v| {
                let p = cap.positions[v];
                head.azimuth(p).abs() > CURTAIN_MIN_AZIMUTH && p.y > bottom_y + 0.01
            })
        })
        .collect();
    let axis = Vec3::new(head.center.x, 0.0, head.center.z);
    // One column of vertices per edge vertex, shared by the edges it joins;
    // a second one, its texture coordinates past the end of the strip,
    // where an edge crosses the back of the head (azimuth ±π).
    let mut column: Vec<[Option<u32>; 2]> = vec![[None; 2]; cap.positions.len()];
    let mut make_column = |cap: &mut Part, along: &mut Vec<f32>, v: usize, wrap: bool| -> u32 {
        if let Some(first) = column[v][wrap as usize] {
            return first;
        }
        let top = cap.positions[v];
        let phi = head.azimuth(top);
        let dir = Vec3::new(phi.sin(), 0.0, phi.cos());
        // Head points in this direction (height, distance from the axis).
        let nearby: Vec<(f32, f32)> = head_points
            .iter()
            .filter(|p| p.y < top.y + 0.01 && p.y > bottom_y - 0.02)
            .filter(|p| {
                let d = **p - head.center;
                let diff = (d.x.atan2(d.z) - phi).abs();
                diff.min(std::f32::consts::TAU - diff) < 0.15
            })
            .map(|p| (p.y, (Vec3::new(p.x, 0.0, p.z) - axis).dot(dir)))
            .collect();
        let top_radius = (Vec3::new(top.x, 0.0, top.z) - axis).dot(dir);
        let first = cap.positions.len() as u32;
        // Around the head from the back (-π) to the back (π): each side
        // has its own texels, as the strands are baked from 3D positions.
        let turn = if wrap { std::f32::consts::TAU } else { 0.0 };
        let u = 0.02 + 0.96 * (phi + turn + std::f32::consts::PI) / std::f32::consts::TAU;
        // Noise around the head by direction, not angle, so it agrees at
        // the back where the azimuth jumps from π to -π.
        let around = Vec3::new(phi.sin(), phi.cos(), 0.0);
        // A classic bob is a little longer towards the face, and no two
        // locks end at quite the same height.
        let front = 1.0 - smoothstep(1.2, 2.2, phi.abs());
        let bottom_y = bottom_y - 0.012 * front + 0.006 * (value3(around * 3.0, 151) - 0.5);
        // Locks: the curtain ripples by a few millimetres around the head.
        let ripple =
            0.003 * (value3(around * 4.5, 157) - 0.5) + 0.0015 * (value3(around * 13.0, 163) - 0.5);
        let row_height = (top.y - bottom_y) / ROWS as f32;
        let mut radius = top_radius;
        for k in 0..=ROWS {
            let t = k as f32 / ROWS as f32;
            let y = top.y + (bottom_y - top.y) * t;
            // What the head has at this height (ears, cheeks, jaw).
            let need = nearby
                .iter()
                .filter(|(py, _)| (py - y).abs() < row_height + 0.01)
                .map(|(_, r)| r + 0.008)
                .fold(0.0f32, f32::max);
            if k > 0 {
                // Clear it; never step back in, so the hair falls in a
                // gentle A-line.
                radius = radius.max(need).max(top_radius + 0.006 * t);
            }
            // Volume through the middle, ends turned under towards the neck,
            // but never closer than 4 mm to the skin: the cheeks widen when
            // the jaw opens, and must not show through the hair.
            let shaped = radius + 0.004 * (std::f32::consts::PI * t).sin()
                - 0.007 * smoothstep(0.65, 1.0, t)
                + ripple * smoothstep(0.0, 0.3, t);
            let radius = if k > 0 {
                shaped.max(need - 0.004)
            } else {
                shaped
            };
            let p = axis + dir * radius + Vec3::Y * y;
            // Row 0 duplicates the cap's edge vertex with curtain UVs.
            cap.positions
                .push(if k == 0 { top } else { Vec3::new(p.x, y, p.z) });
            cap.normals.push(if k == 0 { cap.normals[v] } else { dir });
            let v_tex = CURTAIN_V_RANGE.0 + (CURTAIN_V_RANGE.1 - CURTAIN_V_RANGE.0) * t;
            cap.uvs.push([u, v_tex]);
            cap.source.push(cap.source[v]);
            if !cap.midpoint_of.is_empty() {
                cap.midpoint_of.push(cap.midpoint_of[v]);
            }
            along.push(t);
        }
        column[v][wrap as usize] = Some(first);
        first
    };
    let first_index = cap.indices.len();
    for (a, b) in edges {
        let (phi_a, phi_b) = (
            head.azimuth(cap.positions[a]),
            head.azimuth(cap.positions[b]),
        );
        // Across the back, the end at negative azimuth continues past π.
        let across_back = (phi_a - phi_b).abs() > std::f32::consts::PI;
        let ca = make_column(cap, &mut along, a, across_back && phi_a < 0.0);
        let cb = make_column(cap, &mut along, b, across_back && phi_b < 0.0);
        for k in 0..ROWS as u32 {
            // The cap lies left of a->b seen from outside; continue it across the edge.
            let (a0, b0, a1, b1) = (ca + k, cb + k, ca + k + 1, cb + k + 1);
            cap.indices.extend([b0, a0, a1, b0, a1, b1]);
        }
    }
    let flow = shade_curtain(cap, cap_vertices, first_index);
    blend_seam(cap, cap_vertices, &column);
    Curtain { along, flow }
}

/// Open edges of `cap`, as vertex pairs oriented as in their triangle.
/// Edges are matched by position, so vertices split at UV seams, at the
/// centre line (`hair_uv`) or by subdivision (whose midpoints share their
/// ends' base vertex) are not mistaken for a border.
fn open_edges(cap: &Part) -> Vec<(usize, usize)> {
    open_edges_by(cap, 0..cap.triangle_count(), |v| {
        cap.positions[v].to_array().map(f32::to_bits)
    })
}

/// The cap's edge and the curtain's top row share one normal, halfway
/// between the cap's and the curtain's, so the light runs smoothly over the
/// fold where the hair leaves the skull instead of drawing a line there.
fn blend_seam(part: &mut Part, cap_vertices: usize, column: &[[Option<u32>; 2]]) {
    for (v, firsts) in column.iter().enumerate().take(cap_vertices) {
        let tops: Vec<usize> = firsts.iter().flatten().map(|&f| f as usize).collect();
        let Some(&first) = tops.first() else {
            continue;
        };
        // The curtain's own normal at the top: that of the row below.
        let below = part.normals[first + 1];
        let n = (part.normals[v] + below).normalize_or(below);
        part.normals[v] = n;
        for top in tops {
            part.normals[top] = n;
        }
    }
}

/// Normals of the curtain rows below the cap's edge from the faces around
/// them (so the ripples and the turned-under ends catch the light), turned
/// to face away from the head; returns the direction down each column.
fn shade_curtain(part: &mut Part, cap_vertices: usize, first_index: usize) -> Vec<Vec3> {
    let count = part.positions.len();
    let mut normals = vec![Vec3::ZERO; count];
    for tri in part.indices[first_index..].chunks_exact(3) {
        let [a, b, c] = [tri[0] as usize, tri[1] as usize, tri[2] as usize];
        let n =
            (part.positions[b] - part.positions[a]).cross(part.positions[c] - part.positions[a]);
        for v in [a, b, c] {
            normals[v] += n;
        }
    }
    let rows = ROWS + 1;
    let mut flow = Vec::with_capacity(count - cap_vertices);
    for (v, face_normal) in normals.iter().enumerate().skip(cap_vertices) {
        let k = (v - cap_vertices) % rows;
        let column = v - k;
        let (lo, hi) = (column + k.saturating_sub(1), column + (k + 1).min(ROWS));
        let down = (part.positions[hi] - part.positions[lo]).normalize_or(Vec3::NEG_Y);
        flow.push(down);
        if k == 0 {
            continue;
        }
        let outward = part.normals[v];
        let n = face_normal.normalize_or(outward);
        part.normals[v] = if n.dot(outward) < 0.0 { -n } else { n };
    }
    flow
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_edges_ignore_split_vertices() {
        // A square of two triangles whose shared diagonal has its ends
        // duplicated (as a UV seam or subdivision leaves them).
        let corners = [Vec3::ZERO, Vec3::X, Vec3::new(1.0, 1.0, 0.0), Vec3::Y];
        let cap = Part {
            positions: vec![
                corners[0], corners[1], corners[2], corners[0], corners[2], corners[3],
            ],
            normals: vec![Vec3::Z; 6],
            uvs: vec![[0.0; 2]; 6],
            source: vec![0, 1, 2, 0, 2, 3],
            indices: vec![0, 1, 2, 3, 4, 5],
            ..Part::default()
        };
        let edges = open_edges(&cap);
        assert_eq!(edges.len(), 4, "{edges:?}");
        // Oriented as in their triangles.
        assert!(edges.contains(&(0, 1)) && edges.contains(&(4, 5)));
    }
}
