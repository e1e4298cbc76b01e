//! glTF materials as bind groups: factors in a uniform buffer, six textures
//! (the five core maps and KHR_materials_anisotropy's; neutral defaults
//! where the material has none) and their samplers.

use wgpu::util::DeviceExt;

use super::packed_maps::{can_pack, pack_normal_roughness};
use super::pipelines::AlphaKind;
use super::textures::{
    DefaultTextures, Encoding, MipChain, SamplerCache, check_texture, upload_mip_chain,
};
use super::uniforms::MaterialUniforms;
use super::upload_cache::{ChainKey, UploadCache};
use crate::avatar::{AlphaMode, Avatar, Material, TextureRef};

pub struct GpuMaterial {
    pub bind_group: wgpu::BindGroup,
    pub alpha: AlphaKind,
    pub double_sided: bool,
    pub features: super::pipelines::ShaderFeatures,
    /// Casts the key light's shadow. Mouth interiors do not (see
    /// `casts_key_shadow`).
    pub casts_shadow: bool,
}

/// Skin gets wrapped diffuse lighting. glTF has no "skin" flag, so this goes
/// by name as exporters write it (MakeHuman `Human.body`, VRoid `_Face_`,
/// `Skin`, `Body`) and requires a dielectric.
pub fn looks_like_skin(material: &Material) -> bool {
    let name = material.name.to_lowercase();
    let named = ["skin", "body", "face", "head"]
        .iter()
        .any(|k| name.contains(k));
    named && material.metallic_factor < 0.5
}

/// We render without shadows, so teeth and tongue would be lit like the
/// face and an open mouth would glow. Light reaching into the mouth is
/// mostly blocked by the lips and cheeks; this factor stands in for that
/// shadow on materials named like mouth interiors.
pub fn cavity_occlusion(material: &Material) -> f32 {
    let name = material.name.to_lowercase();
    if ["teeth", "tooth", "tongue", "mouth_inner", "oral"]
        .iter()
        .any(|k| name.contains(k))
    {
        0.7
    } else {
        1.0
    }
}

/// Teeth, tongue and the mouth's inside are shadowed by the lips and
/// cheeks, not by each other: the shadow map's texel (over a millimetre on
/// a portrait) is coarse for crowns a few millimetres wide, and their own
/// depth printed acne over them. `cavity_occlusion` darkens them instead.
pub fn casts_key_shadow(material: &Material) -> bool {
    cavity_occlusion(material) >= 1.0
}

fn material_uniforms(material: &Material) -> MaterialUniforms {
    let (alpha_cutoff, alpha_mode) = match material.alpha_mode {
        AlphaMode::Opaque => (0.0, 0),
        AlphaMode::Mask(cutoff) => (cutoff, 1),
        AlphaMode::Blend => (0.0, 2),
    };
    let e = material.emissive_factor;
    MaterialUniforms {
        base_color_factor: material.base_color_factor,
        emissive_factor: [e[0], e[1], e[2], 0.0],
        metallic_factor: material.metallic_factor,
        roughness_factor: material.roughness_factor,
        normal_scale: material.normal_scale,
        occlusion_strength: if material.occlusion_texture.is_some() {
            1.0
        } else {
            0.0
        },
        alpha_cutoff,
        alpha_mode,
        skin: if looks_like_skin(material) { 1.0 } else { 0.0 },
        cavity_occlusion: cavity_occlusion(material),
        anisotropy: material.anisotropy.map_or([0.0, 1.0, 0.0, 0.0], |a| {
            [a.strength, a.rotation.cos(), a.rotation.sin(), 0.0]
        }),
    }
}

/// Uploads textures on first use: each avatar texture at most once per
/// colour space (base colour and emissive are sRGB, the other maps linear).
pub struct TextureUploader<'a> {
    pub device: &'a wgpu::Device,
    pub queue: &'a wgpu::Queue,
    pub avatar: &'a Avatar,
    pub defaults: &'a DefaultTextures,
    /// Mip chains shared with other renderers uploading the same avatar.
    pub cache: &'a UploadCache,
    pub samplers: SamplerCache,
    pub max_dimension: u32,
    views: std::collections::HashMap<(usize, Encoding), wgpu::TextureView>,
    /// Packed normal + metallic-roughness maps by (normal, MR) texture index.
    packed_views: std::collections::HashMap<(usize, usize), wgpu::TextureView>,
}

impl<'a> TextureUploader<'a> {
    pub fn new(
        device: &'a wgpu::Device,
        queue: &'a wgpu::Queue,
        avatar: &'a Avatar,
        defaults: &'a DefaultTextures,
        cache: &'a UploadCache,
    ) -> Self {
        TextureUploader {
            device,
            queue,
            avatar,
            defaults,
            cache,
            samplers: SamplerCache::default(),
            max_dimension: device.limits().max_texture_dimension_2d,
            views: Default::default(),
            packed_views: Default::default(),
        }
    }

    /// The view and sampler for `reference`, or `fallback` with a linear
    /// repeating sampler.
    fn resolve(
        &mut self,
        reference: Option<TextureRef>,
        encoding: Encoding,
        fallback: &wgpu::TextureView,
    ) -> Result<(wgpu::TextureView, wgpu::Sampler), String> {
        let Some(reference) = reference else {
            let sampler =
                self.samplers
                    .get(self.device, Default::default(), Default::default(), false);
            return Ok((fallback.clone(), sampler));
        };
        let texture = self.avatar.textures.get(reference.texture).ok_or_else(|| {
            format!(
                "material refers to texture {} but the avatar has {}",
                reference.texture,
                self.avatar.textures.len()
            )
        })?;
        let view = match self.views.get(&(reference.texture, encoding)) {
            Some(view) => view.clone(),
            None => {
                let max_dimension = self.max_dimension;
                let chain = self.cache.get_or_build(
                    self.avatar,
                    ChainKey::Texture(reference.texture, encoding),
                    || {
                        check_texture(texture, max_dimension)?;
                        let (w, h) = (texture.width, texture.height);
                        Ok(MipChain::build(texture.rgba8.clone(), w, h, encoding))
                    },
                )?;
                let gpu = upload_mip_chain(self.device, self.queue, &texture.name, &chain);
                let view = gpu.create_view(&wgpu::TextureViewDescriptor::default());
                self.views
                    .insert((reference.texture, encoding), view.clone());
                view
            }
        };
        let sampler =
            self.samplers
                .get(self.device, texture.wrap_u, texture.wrap_v, texture.nearest);
        Ok((view, sampler))
    }

    /// The normal map with the metallic-roughness map packed into its B and
    /// A channels (see [`packed_maps`](super::packed_maps)), uploaded once.
    fn packed_normal_roughness(
        &mut self,
        normal: TextureRef,
        mr: TextureRef,
    ) -> Result<(wgpu::TextureView, wgpu::Sampler), String> {
        let normal_texture = &self.avatar.textures[normal.texture];
        let view = match self.packed_views.get(&(normal.texture, mr.texture)) {
            Some(view) => view.clone(),
            None => {
                let mr_texture = &self.avatar.textures[mr.texture];
                let max_dimension = self.max_dimension;
                let key = ChainKey::Packed {
                    normal: normal.texture,
                    metallic_roughness: mr.texture,
                };
                let chain = self.cache.get_or_build(self.avatar, key, || {
                    let (rgba, width, height) = pack_normal_roughness(normal_texture, mr_texture);
                    if width > max_dimension || height > max_dimension {
                        return Err(format!(
                            "textures {:?} and {:?} pack to {width}x{height}, larger than the \
                             adapter's limit {max_dimension}",
                            normal_texture.name, mr_texture.name
                        ));
                    }
                    Ok(MipChain::build(rgba, width, height, Encoding::Linear))
                })?;
                let label = format!("{} + {}", normal_texture.name, mr_texture.name);
                let gpu = upload_mip_chain(self.device, self.queue, &label, &chain);
                let view = gpu.create_view(&wgpu::TextureViewDescriptor::default());
                self.packed_views
                    .insert((normal.texture, mr.texture), view.clone());
                view
            }
        };
        let sampler = self.samplers.get(
            self.device,
            normal_texture.wrap_u,
            normal_texture.wrap_v,
            normal_texture.nearest,
        );
        Ok((view, sampler))
    }

    pub fn material(
        &mut self,
        layout: &wgpu::BindGroupLayout,
        material: &Material,
    ) -> Result<GpuMaterial, String> {
        let defaults = self.defaults;
        let mut features = super::pipelines::ShaderFeatures::of(material);
        let base = self.resolve(
            material.base_color_texture,
            Encoding::SrgbDecodedInShader,
            &defaults.white_color,
        )?;
        let (mr, normal) = match (material.normal_texture, material.metallic_roughness_texture) {
            (Some(n), Some(m)) if can_pack(material, &self.avatar.textures) => {
                features.metallic_roughness = false;
                features.packed_normal_roughness = true;
                let unused = self.resolve(None, Encoding::Linear, &defaults.white_linear)?;
                (unused, self.packed_normal_roughness(n, m)?)
            }
            _ => (
                self.resolve(
                    material.metallic_roughness_texture,
                    Encoding::Linear,
                    &defaults.white_linear,
                )?,
                self.resolve(
                    material.normal_texture,
                    Encoding::Linear,
                    &defaults.flat_normal,
                )?,
            ),
        };
        let occlusion = self.resolve(
            material.occlusion_texture,
            Encoding::Linear,
            &defaults.white_linear,
        )?;
        let emissive = self.resolve(
            material.emissive_texture,
            Encoding::SrgbDecodedInShader,
            &defaults.white_color,
        )?;
        let anisotropy = self.resolve(
            material.anisotropy.and_then(|a| a.texture),
            Encoding::Linear,
            &defaults.white_linear,
        )?;
        let uniforms = self
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("material"),
                contents: bytemuck::bytes_of(&material_uniforms(material)),
                usage: wgpu::BufferUsages::UNIFORM,
            });
        let maps = [&base, &mr, &normal, &occlusion, &emissive, &anisotropy];
        let mut entries = vec![wgpu::BindGroupEntry {
            binding: 0,
            resource: uniforms.as_entire_binding(),
        }];
        for (i, (view, _)) in maps.iter().enumerate() {
            entries.push(wgpu::BindGroupEntry {
                binding: 1 + i as u32,
                resource: wgpu::BindingResource::TextureView(view),
            });
        }
        for (i, (_, sampler)) in maps.iter().enumerate() {
            entries.push(wgpu::BindGroupEntry {
                binding: 1 + maps.len() as u32 + i as u32,
                resource: wgpu::BindingResource::Sampler(sampler),
            });
        }
        let bind_group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(&material.name),
            layout,
            entries: &entries,
        });
        Ok(GpuMaterial {
            bind_group,
            alpha: match material.alpha_mode {
                AlphaMode::Opaque => AlphaKind::Opaque,
                AlphaMode::Mask(_) => AlphaKind::Mask,
                AlphaMode::Blend => AlphaKind::Blend,
            },
            double_sided: material.double_sided,
            casts_shadow: casts_key_shadow(material),
            features,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skin_is_recognised_by_name_on_dielectrics_only() {
        let skin = Material {
            name: "Human.body".into(),
            metallic_factor: 0.0,
            ..Material::default()
        };
        assert!(looks_like_skin(&skin));
        let metal_body = Material {
            name: "CarBody".into(),
            metallic_factor: 1.0,
            ..Material::default()
        };
        assert!(!looks_like_skin(&metal_body));
        let suit = Material {
            name: "Human.female_casualsuit01".into(),
            metallic_factor: 0.0,
            ..Material::default()
        };
        assert!(!looks_like_skin(&suit));
    }

    #[test]
    fn teeth_and_tongue_sit_in_the_mouth_shadow() {
        let teeth = Material {
            name: "Human.teeth_base".into(),
            ..Material::default()
        };
        assert!(cavity_occlusion(&teeth) < 1.0);
        assert_eq!(cavity_occlusion(&Material::default()), 1.0);
        assert!(!casts_key_shadow(&teeth));
        assert!(casts_key_shadow(&Material::default()));
    }

    #[test]
    fn mask_cutoff_reaches_the_shader() {
        let m = Material {
            alpha_mode: AlphaMode::Mask(0.3),
            ..Material::default()
        };
        let u = material_uniforms(&m);
        assert_eq!((u.alpha_mode, u.alpha_cutoff), (1, 0.3));
    }
}
