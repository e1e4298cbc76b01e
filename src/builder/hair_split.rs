//! Splits the hair into an opaque bulk and an alpha-masked fringe.
//!
//! Most of the hair texture is fully opaque; only the hairline and the ends
//! thin into strands. A masked material cannot use early depth testing (its
//! shader may discard), so on a software rasteriser every hair fragment,
//! even one behind the head, is shaded. Drawing the opaque bulk with an
//! opaque material lets the depth test reject hidden fragments before
//! shading, which pays for the hair's strand textures.

use super::part::Part;
use super::raster::Canvas;

/// Alpha at or above this everywhere under a triangle: it is drawn opaque.
const OPAQUE_ALPHA: f32 = 0.995;

/// Texels around a triangle's UV bounds that must be opaque too, for
/// bilinear filtering and the first mip levels.
const MARGIN_TEXELS: i64 = 3;

/// Whether every texel of `rgba` (alpha in channel 3) under the UV bounds of
/// triangle `t`, plus a margin, is opaque.
fn triangle_is_opaque(part: &Part, t: usize, rgba: &Canvas) -> bool {
    let size = rgba.size as i64;
    let (mut lo, mut hi) = ([f32::INFINITY; 2], [f32::NEG_INFINITY; 2]);
    for k in 0..3 {
        let uv = part.uvs[part.indices[t * 3 + k] as usize];
        for d in 0..2 {
            lo[d] = lo[d].min(uv[d]);
            hi[d] = hi[d].max(uv[d]);
        }
    }
    let texel = |v: f32| (v * size as f32).floor() as i64;
    let (x0, x1) = (texel(lo[0]) - MARGIN_TEXELS, texel(hi[0]) + MARGIN_TEXELS);
    let (y0, y1) = (texel(lo[1]) - MARGIN_TEXELS, texel(hi[1]) + MARGIN_TEXELS);
    for y in y0.max(0)..=y1.min(size - 1) {
        for x in x0.max(0)..=x1.min(size - 1) {
            let i = (y * size + x) as usize;
            // Texels outside every triangle are dilated background: skip them.
            if rgba.covered[i] && rgba.data[i * rgba.channels + 3] < OPAQUE_ALPHA {
                return false;
            }
        }
    }
    true
}

/// (opaque bulk, masked fringe) of `hair`, each compacted; either may be
/// empty. `rgba` is the hair's baked colour and alpha over its UVs.
pub fn split_opaque(hair: &Part, rgba: &Canvas) -> (Part, Part) {
    let mut opaque = hair.clone();
    let mut masked = hair.clone();
    opaque.indices.clear();
    masked.indices.clear();
    for t in 0..hair.triangle_count() {
        let tri = &hair.indices[t * 3..t * 3 + 3];
        if triangle_is_opaque(hair, t, rgba) {
            opaque.indices.extend_from_slice(tri);
        } else {
            masked.indices.extend_from_slice(tri);
        }
    }
    opaque.compact();
    masked.compact();
    masked.name = format!("{}_fringe", hair.name);
    (opaque, masked)
}

/// Gives the triangles touching a vertex where `hanging` holds an explicit
/// back side: a mirrored copy with reversed winding and flipped normals.
/// The hair's materials are then single-sided. On lavapipe a double-sided
/// material rasterises and depth-tests every back face of the cap too,
/// which costs ~5 % of a portrait frame, though only the hanging curtain's
/// inside can ever be seen (the cap's inside faces the scalp).
pub fn add_back_faces(part: &mut Part, hanging: impl Fn(usize) -> bool) {
    let triangles: Vec<[u32; 3]> = part
        .indices
        .chunks_exact(3)
        .map(|t| [t[0], t[1], t[2]])
        .filter(|t| t.iter().any(|&v| hanging(v as usize)))
        .collect();
    let mut copy_of = std::collections::BTreeMap::new();
    for t in triangles {
        let mirrored = t.map(|v| {
            *copy_of.entry(v).or_insert_with(|| {
                let i = v as usize;
                let new = part.positions.len() as u32;
                part.positions.push(part.positions[i]);
                part.normals.push(-part.normals[i]);
                part.uvs.push(part.uvs[i]);
                part.source.push(part.source[i]);
                if !part.midpoint_of.is_empty() {
                    part.midpoint_of.push(part.midpoint_of[i]);
                }
                new
            })
        });
        part.indices.extend([mirrored[0], mirrored[2], mirrored[1]]);
    }
}

#[cfg(test)]
mod tests {
    use glam::Vec3;

    use super::*;

    #[test]
    fn hanging_triangles_get_a_mirrored_back_side() {
        let mut part = Part {
            positions: vec![Vec3::ZERO, Vec3::X, Vec3::Y, Vec3::new(1.0, 1.0, 0.0)],
            normals: vec![Vec3::Z; 4],
            uvs: vec![[0.0; 2]; 4],
            source: vec![0, 1, 2, 3],
            // Two triangles; only the second touches the hanging vertex 3.
            indices: vec![0, 1, 2, 1, 3, 2],
            ..Part::default()
        };
        add_back_faces(&mut part, |v| v == 3);
        assert_eq!(part.indices.len(), 9);
        assert_eq!(part.positions.len(), 7);
        let back = &part.indices[6..9];
        let [a, b, c] = [0, 1, 2].map(|k| part.positions[back[k] as usize]);
        assert!((b - a).cross(c - a).z < 0.0, "wound to face -z");
        assert!(back.iter().all(|&v| part.normals[v as usize] == -Vec3::Z));
        assert_eq!(part.source[back[0] as usize], 1);
    }

    #[test]
    fn only_fully_opaque_triangles_go_opaque() {
        // Two triangles side by side in UV space; the right half of the
        // texture is transparent.
        let part = Part {
            name: "hair".into(),
            positions: vec![Vec3::ZERO, Vec3::X, Vec3::Y, Vec3::ONE],
            normals: vec![Vec3::Z; 4],
            uvs: vec![[0.0, 0.0], [0.2, 0.0], [0.0, 0.2], [0.9, 0.9]],
            source: vec![0, 1, 2, 3],
            indices: vec![0, 1, 2, 1, 3, 2],
            ..Part::default()
        };
        let mut rgba = Canvas::new(64, 4, &[0.0, 0.0, 0.0, 1.0]);
        rgba.covered.fill(true);
        for y in 0..64 {
            for x in 40..64 {
                rgba.data[(y * 64 + x) * 4 + 3] = 0.2;
            }
        }
        let (opaque, masked) = split_opaque(&part, &rgba);
        assert_eq!(opaque.indices, vec![0, 1, 2]);
        assert_eq!(masked.triangle_count(), 1);
        assert_eq!(masked.positions.len(), 3);
        assert_eq!(masked.name, "hair_fringe");
    }
}
