//! Offset shells over the skin: garments and short hair are the body's own
//! faces pushed out along their normals, skinned and morphed like the skin
//! below (each shell vertex keeps its body vertex as `source`).

use std::collections::BTreeMap;

use glam::Vec3;

use super::part::Part;

/// A shell over the body triangles `tris` (indices into `body.indices / 3`),
/// each vertex moved `offset[v]` metres out along its normal. With `hem`,
/// open edges get a strip back down to the skin, so no gap shows between
/// garment and body.
/// Also returns the body-part vertex -> shell vertex map (`u32::MAX` where unused).
pub fn offset_shell(
    body: &Part,
    tris: &[usize],
    offset: &[f32],
    hem: bool,
    name: &str,
) -> (Part, Vec<u32>) {
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
    if hem {
        for (a, b) in boundary_edges(body, tris) {
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
    (part, remap)
}

/// Open edges of the triangle set, as (a, b) body-part vertex pairs oriented
/// as in their triangle. Edges are matched by base-mesh vertex, so UV seams
/// inside the set are not mistaken for its border.
pub fn boundary_edges(body: &Part, tris: &[usize]) -> Vec<(usize, usize)> {
    let mut count: BTreeMap<(u32, u32), (u32, usize, usize)> = BTreeMap::new();
    for &t in tris {
        for k in 0..3 {
            let a = body.indices[t * 3 + k] as usize;
            let b = body.indices[t * 3 + (k + 1) % 3] as usize;
            let (sa, sb) = (body.source[a], body.source[b]);
            let key = (sa.min(sb), sa.max(sb));
            let entry = count.entry(key).or_insert((0, a, b));
            entry.0 += 1;
        }
    }
    count
        .values()
        .filter(|e| e.0 == 1)
        .map(|e| (e.1, e.2))
        .collect()
}

/// A standing collar: open edges of `shell` near the neck raised by
/// `height` metres and flared `flare` metres away from the neck's axis.
pub fn add_collar(
    shell: &mut Part,
    edges: &[(usize, usize)],
    neck_axis: Vec3,
    height: f32,
    flare: f32,
) {
    for &(a, b) in edges {
        let base = shell.positions.len() as u32;
        let radial =
            |p: Vec3| Vec3::new(p.x - neck_axis.x, 0.0, p.z - neck_axis.z).normalize_or_zero();
        let (pa, pb) = (shell.positions[a], shell.positions[b]);
        let (ra, rb) = (radial(pa), radial(pb));
        for (p, r, uv, src, lift) in [
            (pa, ra, shell.uvs[a], shell.source[a], 0.0),
            (pb, rb, shell.uvs[b], shell.source[b], 0.0),
            (pb, rb, shell.uvs[b], shell.source[b], 1.0),
            (pa, ra, shell.uvs[a], shell.source[a], 1.0),
        ] {
            shell
                .positions
                .push(p + Vec3::Y * height * lift + r * flare * lift);
            shell.normals.push(r);
            shell.uvs.push([uv[0], uv[1] - 0.01 * lift]);
            shell.source.push(src);
        }
        shell
            .indices
            .extend([base, base + 1, base + 2, base, base + 2, base + 3]);
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
        let (shell, _) = offset_shell(&body, &[0, 1], &[0.01; 4], true, "s");
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
