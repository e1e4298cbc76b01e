//! Offset shells over the skin: garments and short hair are the body's own
//! faces pushed out along their normals, skinned and morphed like the skin
//! below (each shell vertex keeps its body vertex as `source`).

use std::collections::BTreeMap;

use glam::Vec3;

use super::part::Part;
use super::subdivide::hermite;

/// A shell over the body triangles `tris` (indices into `body.indices / 3`),
/// each vertex moved `offset[v]` metres out along its normal. Also returns
/// the body-part vertex -> shell vertex map (`u32::MAX` where unused).
pub fn offset_shell(body: &Part, tris: &[usize], offset: &[f32], name: &str) -> (Part, Vec<u32>) {
    let mut part = Part {
        name: name.to_string(),
        ..Part::default()
    };
    let mut remap = vec![u32::MAX; body.positions.len()];
    for &t in tris {
        for k in 0..3 {
            let v = body.indices[t * 3 + k] as usize;
            if remap[v] == u32::MAX {
                remap[v] = part.positions.len() as u32;
                part.positions
                    .push(body.positions[v] + body.normals[v] * offset[v]);
                part.normals.push(body.normals[v]);
                part.uvs.push(body.uvs[v]);
                part.source.push(body.source[v]);
            }
            part.indices.push(remap[v]);
        }
    }
    (part, remap)
}

/// Open edges whose ends pass `hem` get a strip from the shell back down to
/// the skin, so no gap shows between garment and body.
pub fn add_hems(
    part: &mut Part,
    remap: &[u32],
    body: &Part,
    tris: &[usize],
    hem: &dyn Fn(Vec3, Vec3) -> bool,
) {
    {
        for (a, b) in boundary_edges(body, tris) {
            if !hem(body.positions[a], body.positions[b]) {
                continue;
            }
            let (sa, sb) = (remap[a] as usize, remap[b] as usize);
            let tangent = body.positions[b] - body.positions[a];
            let normal = (body.normals[a] + body.normals[b]).normalize_or_zero();
            let out = tangent.cross(normal).normalize_or_zero();
            let base = part.positions.len() as u32;
            for (p, uv, src) in [
                (body.positions[a], body.uvs[a], body.source[a]),
                (body.positions[b], body.uvs[b], body.source[b]),
                (part.positions[sb], part.uvs[sb], part.source[sb]),
                (part.positions[sa], part.uvs[sa], part.source[sa]),
            ] {
                part.positions.push(p);
                part.normals.push(out);
                part.uvs.push(uv);
                part.source.push(src);
            }
            part.indices
                .extend([base, base + 1, base + 2, base, base + 2, base + 3]);
        }
    }
}

/// Lets a garment hang like cloth instead of paint: Laplacian smoothing of
/// the shell (seam duplicates move together), never closer to the skin
/// than `min_offset` nor further than `max_offset` metres, so it bridges
/// hollows (cleavage, small of the back) without leaving the body.
pub fn drape(
    shell: &mut Part,
    body: &Part,
    remap: &[u32],
    min_offset: f32,
    max_offset: f32,
    iterations: u32,
) {
    // One group per base-mesh vertex: UV-seam duplicates share a position.
    let mut group_of: BTreeMap<u32, usize> = BTreeMap::new();
    for &s in &shell.source {
        let next = group_of.len();
        group_of.entry(s).or_insert(next);
    }
    let groups = group_of.len();
    let group: Vec<usize> = shell.source.iter().map(|s| group_of[s]).collect();
    let mut surface = vec![(Vec3::ZERO, Vec3::ZERO); groups];
    for (v, &r) in remap.iter().enumerate() {
        if r != u32::MAX {
            surface[group[r as usize]] = (body.positions[v], body.normals[v]);
        }
    }
    let mut pos = vec![Vec3::ZERO; groups];
    for (v, p) in shell.positions.iter().enumerate() {
        pos[group[v]] = *p;
    }
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); groups];
    for tri in shell.indices.chunks_exact(3) {
        for k in 0..3 {
            let (a, b) = (group[tri[k] as usize], group[tri[(k + 1) % 3] as usize]);
            if a != b {
                neighbours[a].push(b);
                neighbours[b].push(a);
            }
        }
    }
    for list in &mut neighbours {
        list.sort_unstable();
        list.dedup();
    }
    for _ in 0..iterations {
        let previous = pos.clone();
        for g in 0..groups {
            if neighbours[g].is_empty() {
                continue;
            }
            let mean = neighbours[g].iter().map(|&n| previous[n]).sum::<Vec3>()
                / neighbours[g].len() as f32;
            let p = previous[g].lerp(mean, 0.5);
            let (s, n) = surface[g];
            let height = (p - s).dot(n).clamp(min_offset, max_offset);
            // Keep the sideways slide, clamp only the height above the skin.
            pos[g] = p + n * (height - (p - s).dot(n));
        }
    }
    for (v, p) in shell.positions.iter_mut().enumerate() {
        *p = pos[group[v]];
    }
}

/// Open edges of the triangle set, as (a, b) body-part vertex pairs oriented
/// as in their triangle. Edges are matched by base-mesh vertex, so UV seams
/// inside the set are not mistaken for its border.
pub fn boundary_edges(body: &Part, tris: &[usize]) -> Vec<(usize, usize)> {
    open_edges_by(body, tris.iter().copied(), |v| body.source[v])
}

/// Open edges (those of only one triangle) of `tris` of `part`, as vertex
/// pairs oriented as in their triangle, vertices matched by `key`: split
/// vertices with equal keys make one edge.
pub fn open_edges_by<K: Ord + Copy>(
    part: &Part,
    tris: impl Iterator<Item = usize>,
    key: impl Fn(usize) -> K,
) -> Vec<(usize, usize)> {
    // Per edge: how many triangles have it, and its first orientation.
    let mut count: BTreeMap<(K, K), (u32, usize, usize)> = BTreeMap::new();
    for t in tris {
        for k in 0..3 {
            let a = part.indices[t * 3 + k] as usize;
            let b = part.indices[t * 3 + (k + 1) % 3] as usize;
            let (ka, kb) = (key(a), key(b));
            let entry = count.entry((ka.min(kb), ka.max(kb))).or_insert((0, a, b));
            entry.0 += 1;
        }
    }
    count
        .values()
        .filter(|e| e.0 == 1)
        .map(|e| (e.1, e.2))
        .collect()
}

/// Segments each neckline edge is split into along the collar: the
/// neck's edges are a centimetre or two long, and one straight quad per
/// edge drew a faceted collar.
const COLLAR_SEGMENTS: usize = 4;

/// A standing collar: open edges of `shell` near the neck raised to
/// `top(p)` (a smooth curve, so the jagged edge of the mesh does not show)
/// and flared `flare` metres away from the neck's axis. Along each edge
/// the collar's top follows a curve through its ends, tangent to the
/// round of the neck there, so it turns smoothly from edge to edge.
pub fn add_collar(
    shell: &mut Part,
    edges: &[(usize, usize)],
    neck_axis: Vec3,
    top: impl Fn(Vec3) -> f32,
    flare: f32,
) {
    let radial = |p: Vec3| Vec3::new(p.x - neck_axis.x, 0.0, p.z - neck_axis.z).normalize_or_zero();
    for &(a, b) in edges {
        let base = shell.positions.len() as u32;
        let (pa, pb) = (shell.positions[a], shell.positions[b]);
        let (ra, rb) = (radial(pa), radial(pb));
        let (ua, ub) = (shell.uvs[a], shell.uvs[b]);
        let (sa, sb) = (shell.source[a], shell.source[b]);
        for k in 0..=COLLAR_SEGMENTS {
            let t = k as f32 / COLLAR_SEGMENTS as f32;
            // The bottom stays on the shirt's straight edge; the top rises
            // from the curve.
            let bottom = pa.lerp(pb, t);
            let curved = hermite(pa, ra, pb, rb, t);
            let uv = [ua[0] + (ub[0] - ua[0]) * t, ua[1] + (ub[1] - ua[1]) * t];
            let src = if t <= 0.5 { sa } else { sb };
            for (p, lift) in [(bottom, 0.0), (curved, 1.0)] {
                let r = radial(p);
                let rise = (top(p) - p.y).max(0.0);
                let out = r * flare * lift * (rise / 0.03).min(1.0);
                shell.positions.push(p + Vec3::Y * rise * lift + out);
                shell.normals.push(r);
                shell.uvs.push([uv[0], uv[1] - 0.01 * lift]);
                shell.source.push(src);
            }
        }
        for k in 0..COLLAR_SEGMENTS as u32 {
            // Bottom and top of this column and the next one.
            let (b0, t0, b1, t1) = (
                base + 2 * k,
                base + 2 * k + 1,
                base + 2 * k + 2,
                base + 2 * k + 3,
            );
            shell.indices.extend([b0, b1, t1, b0, t1, t0]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quad() -> Part {
        Part {
            positions: vec![Vec3::ZERO, Vec3::X, Vec3::new(1.0, 1.0, 0.0), Vec3::Y],
            normals: vec![Vec3::Z; 4],
            uvs: vec![[0.0, 0.0]; 4],
            source: vec![0, 1, 2, 3],
            indices: vec![0, 1, 2, 0, 2, 3],
            ..Part::default()
        }
    }

    #[test]
    fn shell_is_offset_and_hemmed() {
        let body = quad();
        assert_eq!(
            boundary_edges(&body, &[0, 1]).len(),
            4,
            "the diagonal is inside"
        );
        let (mut shell, remap) = offset_shell(&body, &[0, 1], &[0.01; 4], "s");
        add_hems(&mut shell, &remap, &body, &[0, 1], &|_, _| true);
        assert!(
            shell.positions[..4]
                .iter()
                .all(|p| (p.z - 0.01).abs() < 1e-6)
        );
        assert_eq!(shell.indices.len(), 6 + 4 * 6);
        // Hem strips face away from the patch: the edge (0,0)-(1,0) faces -Y.
        let hem_normals: Vec<Vec3> = shell.normals[4..].to_vec();
        assert!(hem_normals.contains(&Vec3::NEG_Y));
    }
}
