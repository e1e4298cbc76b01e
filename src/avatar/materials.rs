//! glTF metallic-roughness materials.

use gltf::json::material::AlphaMode as JsonAlphaMode;
use gltf::json::validation::Checked;

use super::buffers::GltfData;
use super::error::{AvatarError, AvatarWarning};
use super::model::{AlphaMode, Material, TextureRef};

pub(crate) fn load_materials(
    data: &GltfData,
    warnings: &mut Vec<AvatarWarning>,
) -> Result<Vec<Material>, AvatarError> {
    let texture_count = data.root.textures.len();
    let mut materials = Vec::with_capacity(data.root.materials.len());
    for (index, m) in data.root.materials.iter().enumerate() {
        let mut texture_ref = |texture: usize, tex_coord: u32| {
            if texture >= texture_count {
                return Err(AvatarError::IndexOutOfRange {
                    kind: "texture",
                    index: texture,
                    count: texture_count,
                    referrer: format!("material {index}"),
                });
            }
            if tex_coord > 0 {
                let warning = AvatarWarning::TexCoordSetIgnored {
                    material: index,
                    tex_coord,
                };
                if !warnings.contains(&warning) {
                    warnings.push(warning);
                }
            }
            Ok(TextureRef { texture, tex_coord })
        };
        let info = |i: &Option<gltf::json::texture::Info>| {
            i.as_ref().map(|i| (i.index.value(), i.tex_coord))
        };
        let pbr = &m.pbr_metallic_roughness;
        let base_color_texture = info(&pbr.base_color_texture)
            .map(|(t, c)| texture_ref(t, c))
            .transpose()?;
        let metallic_roughness_texture = info(&pbr.metallic_roughness_texture)
            .map(|(t, c)| texture_ref(t, c))
            .transpose()?;
        let normal_texture = m
            .normal_texture
            .as_ref()
            .map(|n| texture_ref(n.index.value(), n.tex_coord))
            .transpose()?;
        let occlusion_texture = m
            .occlusion_texture
            .as_ref()
            .map(|o| texture_ref(o.index.value(), o.tex_coord))
            .transpose()?;
        let emissive_texture = info(&m.emissive_texture)
            .map(|(t, c)| texture_ref(t, c))
            .transpose()?;
        // KHR_materials_emissive_strength scales the factor beyond 1 (HDR glow).
        let emissive_strength = m
            .extensions
            .as_ref()
            .and_then(|e| e.emissive_strength.as_ref())
            .map_or(1.0, |s| s.emissive_strength.0);
        let alpha_mode = match m.alpha_mode {
            Checked::Valid(JsonAlphaMode::Mask) => {
                AlphaMode::Mask(m.alpha_cutoff.map_or(0.5, |c| c.0))
            }
            Checked::Valid(JsonAlphaMode::Blend) => AlphaMode::Blend,
            _ => AlphaMode::Opaque,
        };
        materials.push(Material {
            name: m.name.clone().unwrap_or_else(|| format!("material{index}")),
            base_color_factor: pbr.base_color_factor.0,
            base_color_texture,
            metallic_factor: pbr.metallic_factor.0,
            roughness_factor: pbr.roughness_factor.0,
            metallic_roughness_texture,
            normal_texture,
            normal_scale: m.normal_texture.as_ref().map_or(1.0, |n| n.scale),
            occlusion_texture,
            emissive_factor: m.emissive_factor.0.map(|c| c * emissive_strength),
            emissive_texture,
            alpha_mode,
            double_sided: m.double_sided,
        });
    }
    Ok(materials)
}
