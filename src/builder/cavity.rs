//! Per-vertex cavity: how far a vertex lies below the mean of its
//! neighbours, along its normal, relative to the local edge length. Folds
//! and hollows (eye sockets, the sides of the nose, the corners of the
//! mouth, the ear's folds) are positive. Baked into the skin's colour it
//! stands in for the ambient occlusion a scanned face carries in its
//! texture, which our renderer does not compute.

use std::collections::BTreeMap;

use glam::Vec3;

use super::part::Part;

/// Cavity per vertex of `part`, roughly -1..1 (0 on flat or evenly curved
/// skin). Vertices split at UV seams share their neighbours, so seams do
/// not show. Smoothed over `smoothing` rounds of neighbour averaging.
pub fn vertex_cavity(part: &Part, smoothing: u32) -> Vec<f32> {
    // One group per base-mesh vertex.
    let mut group_of: BTreeMap<u32, usize> = BTreeMap::new();
    for &s in &part.source {
        let next = group_of.len();
        group_of.entry(s).or_insert(next);
    }
    let groups = group_of.len();
    let group: Vec<usize> = part.source.iter().map(|s| group_of[s]).collect();
    let mut position = vec![Vec3::ZERO; groups];
    let mut normal = vec![Vec3::ZERO; groups];
    for (v, &g) in group.iter().enumerate() {
        position[g] = part.positions[v];
        normal[g] += part.normals[v];
    }
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); groups];
    for tri in part.indices.chunks_exact(3) {
        for k in 0..3 {
            let (a, b) = (group[tri[k] as usize], group[tri[(k + 1) % 3] as usize]);
            if a != b {
                neighbours[a].push(b);
                neighbours[b].push(a);
            }
        }
    }
    let mut cavity = vec![0.0f32; groups];
    for g in 0..groups {
        let list = &mut neighbours[g];
        list.sort_unstable();
        list.dedup();
        if list.is_empty() {
            continue;
        }
        let mean = list.iter().map(|&n| position[n]).sum::<Vec3>() / list.len() as f32;
        let edge = list
            .iter()
            .map(|&n| position[n].distance(position[g]))
            .sum::<f32>()
            / list.len() as f32;
        let n = normal[g].normalize_or_zero();
        cavity[g] = (mean - position[g]).dot(n) / edge.max(1e-6);
    }
    for _ in 0..smoothing {
        let previous = cavity.clone();
        for g in 0..groups {
            if neighbours[g].is_empty() {
                continue;
            }
            let mean = neighbours[g].iter().map(|&n| previous[n]).sum::<f32>()
                / neighbours[g].len() as f32;
            cavity[g] = 0.5 * previous[g] + 0.5 * mean;
        }
    }
    group.iter().map(|&g| cavity[g]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3x3 grid of vertices in the XY plane facing +Z, with the centre
    /// vertex pushed to `z`.
    fn dimple(z: f32) -> Part {
        let mut part = Part::default();
        for y in 0..3 {
            for x in 0..3 {
                let centre = x == 1 && y == 1;
                part.positions
                    .push(Vec3::new(x as f32, y as f32, if centre { z } else { 0.0 }));
                part.normals.push(Vec3::Z);
                part.uvs.push([0.0, 0.0]);
                part.source.push(part.source.len() as u32);
            }
        }
        for y in 0..2u32 {
            for x in 0..2u32 {
                let i = y * 3 + x;
                part.indices.extend([i, i + 1, i + 4, i, i + 4, i + 3]);
            }
        }
        part
    }

    #[test]
    fn hollows_are_positive_bumps_negative() {
        assert!(vertex_cavity(&dimple(-0.3), 0)[4] > 0.1);
        assert!(vertex_cavity(&dimple(0.3), 0)[4] < -0.1);
        assert!(vertex_cavity(&dimple(0.0), 0)[4].abs() < 1e-6);
    }
}
