//! Avatar textures on the GPU: mip chains built on the CPU (a 1024² skin
//! texture drawn at 256² shimmers without them), samplers per wrap mode, and
//! neutral 1×1 stand-ins for absent maps.

use std::collections::HashMap;

use crate::avatar::{Texture, WrapMode};

/// sRGB byte → linear, exact to f32.
fn srgb_to_linear(byte: u8) -> f32 {
    let c = byte as f32 / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

fn linear_to_srgb_byte(linear: f32) -> u8 {
    let c = linear.clamp(0.0, 1.0);
    let s = if c <= 0.0031308 {
        c * 12.92
    } else {
        1.055 * c.powf(1.0 / 2.4) - 0.055
    };
    (s * 255.0 + 0.5) as u8
}

/// Steps of the linear → sRGB byte table: fine enough that the darkest
/// sRGB steps (1/12.92 of a byte apart in linear) still land right.
const LINEAR_STEPS: usize = 1 << 16;

/// sRGB byte → linear, and linear (in [`LINEAR_STEPS`] steps) → sRGB byte:
/// a `powf` per texel made the mip chain of one 2048² base colour map take
/// ~60 ms, paid at every session start.
struct SrgbTables {
    to_linear: [f32; 256],
    to_srgb: Vec<u8>,
}

fn srgb_tables() -> &'static SrgbTables {
    static TABLES: std::sync::OnceLock<SrgbTables> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| SrgbTables {
        to_linear: std::array::from_fn(|i| srgb_to_linear(i as u8)),
        to_srgb: (0..LINEAR_STEPS)
            .map(|i| linear_to_srgb_byte(i as f32 / (LINEAR_STEPS - 1) as f32))
            .collect(),
    })
}

/// The next mip level: a 2×2 box filter, averaging colour in linear light
/// when `srgb` (averaging sRGB bytes darkens edges) and alpha as stored.
pub fn downsample(rgba: &[u8], width: u32, height: u32, srgb: bool) -> (Vec<u8>, u32, u32) {
    let (w, h) = (width as usize, height as usize);
    let (nw, nh) = ((w / 2).max(1), (h / 2).max(1));
    let tables = srgb_tables();
    let mut out = vec![0u8; nw * nh * 4];
    for y in 0..nh {
        let ys = [(2 * y).min(h - 1), (2 * y + 1).min(h - 1)];
        for x in 0..nw {
            let xs = [(2 * x).min(w - 1), (2 * x + 1).min(w - 1)];
            let at = |c: usize| {
                [
                    rgba[(ys[0] * w + xs[0]) * 4 + c],
                    rgba[(ys[0] * w + xs[1]) * 4 + c],
                    rgba[(ys[1] * w + xs[0]) * 4 + c],
                    rgba[(ys[1] * w + xs[1]) * 4 + c],
                ]
            };
            for c in 0..4 {
                let v = at(c);
                out[(y * nw + x) * 4 + c] = if srgb && c < 3 {
                    let mean = v.iter().map(|&b| tables.to_linear[b as usize]).sum::<f32>() / 4.0;
                    tables.to_srgb[(mean * (LINEAR_STEPS - 1) as f32 + 0.5) as usize]
                } else {
                    // Rounded mean of four bytes.
                    ((v.iter().map(|&b| b as u32).sum::<u32>() + 2) / 4) as u8
                };
            }
        }
    }
    (out, nw as u32, nh as u32)
}

/// What a texture's bytes hold, which decides its format and how its mips
/// are averaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// Data (normals, roughness): stored, averaged and filtered as is.
    Linear,
    /// sRGB colour that the sampler decodes (`Rgba8UnormSrgb`).
    Srgb,
    /// sRGB colour stored as plain `Rgba8Unorm` and decoded by mesh.wgsl
    /// after filtering: once per pixel instead of once per texel read (eight
    /// for a trilinear sample), which on lavapipe saves ~7 % of a frame.
    /// Mips are still averaged in linear light on the CPU, so only the
    /// blend between neighbouring texels happens in sRGB space.
    SrgbDecodedInShader,
}

/// An RGBA8 image and every mip level below it, built on the CPU once and
/// uploadable to any number of devices (see [`UploadCache`](super::upload_cache)).
pub struct MipChain {
    pub encoding: Encoding,
    /// `(pixels, width, height)`, full size first, down to 1×1.
    pub levels: Vec<(Vec<u8>, u32, u32)>,
}

impl MipChain {
    pub fn build(rgba: Vec<u8>, width: u32, height: u32, encoding: Encoding) -> MipChain {
        let srgb = encoding != Encoding::Linear;
        let count = 32 - width.max(height).max(1).leading_zeros();
        let mut levels = Vec::with_capacity(count as usize);
        levels.push((rgba, width, height));
        while levels.len() < count as usize {
            let (pixels, w, h) = &levels[levels.len() - 1];
            let next = downsample(pixels, *w, *h, srgb);
            levels.push(next);
        }
        MipChain { encoding, levels }
    }
}

/// Creates a texture holding `chain`.
pub fn upload_mip_chain(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    label: &str,
    chain: &MipChain,
) -> wgpu::Texture {
    let (_, width, height) = chain.levels[0];
    let texture = device.create_texture(&wgpu::TextureDescriptor {
        label: Some(label),
        size: wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        },
        mip_level_count: chain.levels.len() as u32,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format: if chain.encoding == Encoding::Srgb {
            wgpu::TextureFormat::Rgba8UnormSrgb
        } else {
            wgpu::TextureFormat::Rgba8Unorm
        },
        usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
        view_formats: &[],
    });
    for (level, (pixels, w, h)) in chain.levels.iter().enumerate() {
        queue.write_texture(
            wgpu::TexelCopyTextureInfo {
                texture: &texture,
                mip_level: level as u32,
                origin: wgpu::Origin3d::ZERO,
                aspect: wgpu::TextureAspect::All,
            },
            pixels,
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(4 * w),
                rows_per_image: Some(*h),
            },
            wgpu::Extent3d {
                width: *w,
                height: *h,
                depth_or_array_layers: 1,
            },
        );
    }
    texture
}

/// Uploads RGBA8 pixels with a full mip chain.
pub fn upload_rgba(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    label: &str,
    rgba: &[u8],
    width: u32,
    height: u32,
    encoding: Encoding,
) -> wgpu::Texture {
    let chain = MipChain::build(rgba.to_vec(), width, height, encoding);
    upload_mip_chain(device, queue, label, &chain)
}

/// Checks that an avatar texture's pixels match its size and fit the
/// adapter.
pub fn check_texture(texture: &Texture, max_dimension: u32) -> Result<(), String> {
    let expected = texture.width as usize * texture.height as usize * 4;
    if texture.width == 0 || texture.height == 0 || texture.rgba8.len() != expected {
        return Err(format!(
            "texture {:?} is {}x{} but has {} bytes (expected {expected})",
            texture.name,
            texture.width,
            texture.height,
            texture.rgba8.len()
        ));
    }
    if texture.width > max_dimension || texture.height > max_dimension {
        return Err(format!(
            "texture {:?} is {}x{}, larger than the adapter's limit {max_dimension}",
            texture.name, texture.width, texture.height
        ));
    }
    Ok(())
}

fn address_mode(mode: WrapMode) -> wgpu::AddressMode {
    match mode {
        WrapMode::Repeat => wgpu::AddressMode::Repeat,
        WrapMode::MirroredRepeat => wgpu::AddressMode::MirrorRepeat,
        WrapMode::ClampToEdge => wgpu::AddressMode::ClampToEdge,
    }
}

/// One sampler per distinct (wrap u, wrap v, nearest) combination.
#[derive(Default)]
pub struct SamplerCache {
    samplers: HashMap<(u8, u8, bool), wgpu::Sampler>,
}

impl SamplerCache {
    pub fn get(
        &mut self,
        device: &wgpu::Device,
        wrap_u: WrapMode,
        wrap_v: WrapMode,
        nearest: bool,
    ) -> wgpu::Sampler {
        let key = (wrap_u as u8, wrap_v as u8, nearest);
        self.samplers
            .entry(key)
            .or_insert_with(|| {
                let mag = if nearest {
                    wgpu::FilterMode::Nearest
                } else {
                    wgpu::FilterMode::Linear
                };
                device.create_sampler(&wgpu::SamplerDescriptor {
                    label: Some("avatar texture sampler"),
                    address_mode_u: address_mode(wrap_u),
                    address_mode_v: address_mode(wrap_v),
                    address_mode_w: wgpu::AddressMode::Repeat,
                    mag_filter: mag,
                    min_filter: wgpu::FilterMode::Linear,
                    // Bilinear within the nearest mip level, not trilinear:
                    // half the texel reads, which on lavapipe is 9-10 % of a
                    // frame's CPU time. At portrait framing the mip levels
                    // the face spans differ by under 1/255 (16× amplified
                    // differences showed no seam), as the maps carry no
                    // detail that one level has and the next lacks.
                    mipmap_filter: wgpu::MipmapFilterMode::Nearest,
                    ..Default::default()
                })
            })
            .clone()
    }
}

/// 1×1 textures used where a material has no map: white base colour,
/// occlusion and metallic-roughness (the factors alone apply), a flat normal.
pub struct DefaultTextures {
    pub white_color: wgpu::TextureView,
    pub white_linear: wgpu::TextureView,
    pub flat_normal: wgpu::TextureView,
}

impl DefaultTextures {
    pub fn new(device: &wgpu::Device, queue: &wgpu::Queue) -> DefaultTextures {
        let view = |t: wgpu::Texture| t.create_view(&wgpu::TextureViewDescriptor::default());
        DefaultTextures {
            white_color: view(upload_rgba(
                device,
                queue,
                "white colour",
                &[255; 4],
                1,
                1,
                Encoding::SrgbDecodedInShader,
            )),
            white_linear: view(upload_rgba(
                device,
                queue,
                "white",
                &[255; 4],
                1,
                1,
                Encoding::Linear,
            )),
            flat_normal: view(upload_rgba(
                device,
                queue,
                "flat normal",
                &[128, 128, 255, 255],
                1,
                1,
                Encoding::Linear,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downsampling_srgb_averages_in_linear_light() {
        // Black and white average to linear 0.5, which is sRGB 188, not 128.
        let rgba = [
            0, 0, 0, 255, 255, 255, 255, 255, 0, 0, 0, 255, 255, 255, 255, 255,
        ];
        let (out, w, h) = downsample(&rgba, 2, 2, true);
        assert_eq!((w, h), (1, 1));
        assert_eq!(out, vec![188, 188, 188, 255]);
        let (linear, _, _) = downsample(&rgba, 2, 2, false);
        assert_eq!(linear, vec![128, 128, 128, 255]);
    }

    #[test]
    fn downsampling_odd_sizes_clamps_at_the_edge() {
        let rgba: Vec<u8> = (0..12).map(|i| i as u8).collect();
        let (out, w, h) = downsample(&rgba, 3, 1, false);
        assert_eq!((w, h), (1, 1));
        assert_eq!(out.len(), 4);
    }
}
