//! One texture for the normal map and the metallic-roughness map of a
//! material: RG = tangent-space normal XY, B = roughness, A = metallic.
//!
//! On a CPU adapter every texture sample is paid by every pixel it covers,
//! and a trilinear sample is among the dearest things a fragment shader
//! does: skin sampled base colour, normal and roughness maps, and dropping
//! the third sample saves ~10 % of a 512² frame on lavapipe. The shader
//! rebuilds the normal's Z from XY (tangent-space normals face outwards,
//! Z ≥ 0), so nothing the material says is lost.

use crate::avatar::{Material, Texture};

/// Whether `material`'s normal and metallic-roughness maps can share one
/// texture: both present, read with the same UV set and the same sampler.
pub fn can_pack(material: &Material, textures: &[Texture]) -> bool {
    let (Some(normal), Some(mr)) = (material.normal_texture, material.metallic_roughness_texture)
    else {
        return false;
    };
    let (Some(n), Some(m)) = (textures.get(normal.texture), textures.get(mr.texture)) else {
        return false;
    };
    normal.tex_coord == mr.tex_coord
        && (n.wrap_u, n.wrap_v, n.nearest) == (m.wrap_u, m.wrap_v, m.nearest)
        && valid(n)
        && valid(m)
}

fn valid(t: &Texture) -> bool {
    t.width > 0 && t.height > 0 && t.rgba8.len() == t.width as usize * t.height as usize * 4
}

/// RGBA8 pixels of the packed map at the larger of the two sizes per axis;
/// the smaller map is resampled bilinearly (texel centres aligned, edges
/// clamped) so neither loses detail.
pub fn pack_normal_roughness(
    normal: &Texture,
    metallic_roughness: &Texture,
) -> (Vec<u8>, u32, u32) {
    let width = normal.width.max(metallic_roughness.width);
    let height = normal.height.max(metallic_roughness.height);
    let mut out = vec![0u8; width as usize * height as usize * 4];
    for y in 0..height {
        for x in 0..width {
            let n = sample(normal, x, y, width, height);
            let m = sample(metallic_roughness, x, y, width, height);
            let i = (y as usize * width as usize + x as usize) * 4;
            out[i..i + 4].copy_from_slice(&[n[0], n[1], m[1], m[2]]);
        }
    }
    (out, width, height)
}

/// `texture` at the centre of texel (x, y) of a `width`×`height` grid.
fn sample(texture: &Texture, x: u32, y: u32, width: u32, height: u32) -> [u8; 4] {
    let texel = |tx: u32, ty: u32| {
        let i = (ty as usize * texture.width as usize + tx as usize) * 4;
        [
            texture.rgba8[i],
            texture.rgba8[i + 1],
            texture.rgba8[i + 2],
            texture.rgba8[i + 3],
        ]
    };
    if texture.width == width && texture.height == height {
        return texel(x, y);
    }
    let axis = |p: u32, to: u32, from: u32| {
        let s = ((p as f32 + 0.5) * from as f32 / to as f32 - 0.5).clamp(0.0, (from - 1) as f32);
        let i = s.floor() as u32;
        (i, (i + 1).min(from - 1), s - i as f32)
    };
    let (x0, x1, fx) = axis(x, width, texture.width);
    let (y0, y1, fy) = axis(y, height, texture.height);
    let (a, b, c, d) = (texel(x0, y0), texel(x1, y0), texel(x0, y1), texel(x1, y1));
    let mut out = [0u8; 4];
    for k in 0..4 {
        let top = a[k] as f32 * (1.0 - fx) + b[k] as f32 * fx;
        let bottom = c[k] as f32 * (1.0 - fx) + d[k] as f32 * fx;
        out[k] = (top * (1.0 - fy) + bottom * fy + 0.5) as u8;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::avatar::{TextureRef, WrapMode};

    fn texture(width: u32, height: u32, pixel: impl Fn(u32, u32) -> [u8; 4]) -> Texture {
        let mut rgba8 = Vec::new();
        for y in 0..height {
            for x in 0..width {
                rgba8.extend_from_slice(&pixel(x, y));
            }
        }
        Texture {
            name: "t".into(),
            width,
            height,
            rgba8,
            wrap_u: WrapMode::Repeat,
            wrap_v: WrapMode::Repeat,
            nearest: false,
        }
    }

    #[test]
    fn channels_land_where_the_shader_reads_them() {
        let normal = texture(2, 2, |x, y| [10 + x as u8, 20 + y as u8, 250, 255]);
        let mr = texture(2, 2, |_, _| [7, 90, 3, 255]);
        let (rgba, w, h) = pack_normal_roughness(&normal, &mr);
        assert_eq!((w, h), (2, 2));
        assert_eq!(&rgba[0..4], &[10, 20, 90, 3]);
        assert_eq!(&rgba[12..16], &[11, 21, 90, 3]);
    }

    #[test]
    fn a_smaller_map_is_resampled_to_the_larger() {
        let normal = texture(4, 4, |_, _| [128, 128, 255, 255]);
        // Roughness ramps 0 → 200 across a 2-texel map.
        let mr = texture(2, 1, |x, _| [0, if x == 0 { 0 } else { 200 }, 0, 255]);
        let (rgba, w, h) = pack_normal_roughness(&normal, &mr);
        assert_eq!((w, h), (4, 4));
        let roughness: Vec<u8> = (0..4).map(|x| rgba[x * 4 + 2]).collect();
        // Clamped at the edges, interpolated between the texel centres.
        assert_eq!(roughness, vec![0, 50, 150, 200]);
    }

    #[test]
    fn packing_needs_both_maps_on_one_uv_set_and_sampler() {
        let textures = vec![texture(2, 2, |_, _| [0; 4]), texture(2, 2, |_, _| [0; 4])];
        let mut material = Material {
            normal_texture: Some(TextureRef {
                texture: 0,
                tex_coord: 0,
            }),
            metallic_roughness_texture: Some(TextureRef {
                texture: 1,
                tex_coord: 0,
            }),
            ..Material::default()
        };
        assert!(can_pack(&material, &textures));
        material.metallic_roughness_texture = Some(TextureRef {
            texture: 1,
            tex_coord: 1,
        });
        assert!(!can_pack(&material, &textures));
        material.metallic_roughness_texture = None;
        assert!(!can_pack(&material, &textures));
        let mut clamped = textures.clone();
        clamped[1].wrap_u = WrapMode::ClampToEdge;
        material.metallic_roughness_texture = Some(TextureRef {
            texture: 1,
            tex_coord: 0,
        });
        assert!(!can_pack(&material, &clamped));
    }
}
