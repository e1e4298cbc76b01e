//! glTF metallic-roughness materials.

use gltf::json::material::AlphaMode as JsonAlphaMode;
use gltf::json::validation::Checked;

use super::buffers::GltfData;
use super::error::{AvatarError, AvatarWarning};
use super::model::{AlphaMode, Anisotropy, Material, TextureRef};

const ANISOTROPY: &str = "KHR_materials_anisotropy";

/// A material's KHR_materials_anisotropy: strength, rotation and the
/// texture's (index, texCoord), or why it is malformed.
type AnisotropyJson = (f32, f32, Option<(usize, u32)>);

fn parse_anisotropy(value: &serde_json::Value) -> Result<AnisotropyJson, &'static str> {
    let object = value.as_object().ok_or("is not a JSON object")?;
    let number = |key: &str| match object.get(key) {
        None => Ok(0.0),
        Some(v) => v
            .as_f64()
            .filter(|x| x.is_finite())
            .ok_or("has a strength or rotation that is not a finite number"),
    };
    let (strength, rotation) = (number("anisotropyStrength")?, number("anisotropyRotation")?);
    let texture = match object.get("anisotropyTexture") {
        None => None,
        Some(info) => {
            let index = info
                .get("index")
                .and_then(|i| i.as_u64())
                .ok_or("has an anisotropyTexture without an index")?;
            let tex_coord = info.get("texCoord").and_then(|c| c.as_u64()).unwrap_or(0);
            Some((index as usize, tex_coord.min(u32::MAX as u64) as u32))
        }
    };
    Ok((strength.clamp(0.0, 1.0) as f32, rotation as f32, texture))
}

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
        let anisotropy = match m.extensions.as_ref().and_then(|e| e.others.get(ANISOTROPY)) {
            None => None,
            Some(json) => match parse_anisotropy(json) {
                Ok((strength, rotation, texture)) => {
                    let texture = texture.map(|(t, c)| texture_ref(t, c)).transpose()?;
                    (strength > 0.0).then_some(Anisotropy {
                        strength,
                        rotation,
                        texture,
                    })
                }
                Err(reason) => {
                    warnings.push(AvatarWarning::AnisotropyIgnored {
                        material: index,
                        reason: reason.to_string(),
                    });
                    None
                }
            },
        };
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
            anisotropy,
        });
    }
    Ok(materials)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn anisotropy_reads_strength_rotation_and_texture() {
        let full = json!({"anisotropyStrength": 0.8, "anisotropyRotation": 1.5,
            "anisotropyTexture": {"index": 3, "texCoord": 0}});
        assert_eq!(parse_anisotropy(&full), Ok((0.8, 1.5, Some((3, 0)))));
        // Defaults are zero; strength is clamped to 0..=1.
        assert_eq!(parse_anisotropy(&json!({})), Ok((0.0, 0.0, None)));
        let strong = json!({"anisotropyStrength": 4.0});
        assert_eq!(parse_anisotropy(&strong), Ok((1.0, 0.0, None)));
    }

    #[test]
    fn malformed_anisotropy_is_refused_with_a_reason() {
        for bad in [
            json!(7),
            json!({"anisotropyStrength": "high"}),
            json!({"anisotropyRotation": null}),
            json!({"anisotropyTexture": {"texCoord": 0}}),
        ] {
            let reason = parse_anisotropy(&bad).expect_err("malformed");
            assert!(!reason.is_empty(), "{bad}");
        }
    }
}
