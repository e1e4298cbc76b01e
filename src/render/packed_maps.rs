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
    let normal = Resampled::new(normal, width, height);
    let mr = Resampled::new(metallic_roughness, width, height);
    let mut out = vec![0u8; width as usize * height as usize * 4];
    for (y, row) in out.chunks_exact_mut(width as usize * 4).enumerate() {
        for (x, pixel) in row.chunks_exact_mut(4).enumerate() {
            let [nx, ny] = normal.at(x, y, [0, 1]);
            let [roughness, metallic] = mr.at(x, y, [1, 2]);
            pixel.copy_from_slice(&[nx, ny, roughness, metallic]);
        }
    }
    (out, width, height)
}

/// Bilinear lookup of a texture on a grid of another size, with the
/// per-column and per-row weights worked out once (a 2048² pack runs in
/// milliseconds, not a tenth of a second, which every session start pays).
struct Resampled<'a> {
    texture: &'a Texture,
    columns: Vec<(usize, usize, f32)>,
    rows: Vec<(usize, usize, f32)>,
}

impl<'a> Resampled<'a> {
    fn new(texture: &'a Texture, width: u32, height: u32) -> Resampled<'a> {
        Resampled {
            texture,
            columns: axis(width, texture.width),
            rows: axis(height, texture.height),
        }
    }

    /// Channels `channels` at output texel (x, y).
    fn at(&self, x: usize, y: usize, channels: [usize; 2]) -> [u8; 2] {
        let (x0, x1, fx) = self.columns[x];
        let (y0, y1, fy) = self.rows[y];
        let width = self.texture.width as usize;
        let t = &self.texture.rgba8;
        let (a, b) = ((y0 * width + x0) * 4, (y0 * width + x1) * 4);
        let (c, d) = ((y1 * width + x0) * 4, (y1 * width + x1) * 4);
        channels.map(|k| {
            if fx == 0.0 && fy == 0.0 {
                return t[a + k];
            }
            let top = t[a + k] as f32 * (1.0 - fx) + t[b + k] as f32 * fx;
            let bottom = t[c + k] as f32 * (1.0 - fx) + t[d + k] as f32 * fx;
            (top * (1.0 - fy) + bottom * fy + 0.5) as u8
        })
    }
}

/// For each of `to` output texels, the two source texels of `from` around
/// its centre and the weight of the second.
fn axis(to: u32, from: u32) -> Vec<(usize, usize, f32)> {
    (0..to)
        .map(|p| {
            if to == from {
                return (p as usize, p as usize, 0.0);
            }
            let s =
                ((p as f32 + 0.5) * from as f32 / to as f32 - 0.5).clamp(0.0, (from - 1) as f32);
            let i = s.floor() as usize;
            (i, (i + 1).min(from as usize - 1), s - i as f32)
        })
        .collect()
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
