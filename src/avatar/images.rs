//! Textures: images (buffer views, data URIs, files) decoded to RGBA8 with
//! their samplers. WebP comes through EXT_texture_webp.

use std::path::Path;

use gltf::json::texture::{MagFilter, WrappingMode};
use gltf::json::validation::Checked;

use super::buffers::GltfData;
use super::error::AvatarError;
use super::model::{Texture, WrapMode};
use super::uri;

struct Decoded {
    width: u32,
    height: u32,
    rgba8: Vec<u8>,
}

fn image_source(data: &GltfData, texture: usize) -> Result<usize, AvatarError> {
    let json = &data.root.textures[texture];
    // EXT_texture_webp names its image in the extension; `source`, when also
    // present, is a PNG/JPEG fallback. We decode WebP, so prefer the extension.
    let webp = json
        .extensions
        .as_ref()
        .and_then(|e| e.others.get("EXT_texture_webp"))
        .and_then(|w| w.get("source"))
        .and_then(serde_json::Value::as_u64);
    let source = match webp {
        Some(s) => s as usize,
        None if json.source.value() == u32::MAX as usize => {
            return Err(AvatarError::MissingTexture {
                texture,
                reason: "it names no image source".into(),
            });
        }
        None => json.source.value(),
    };
    if source >= data.root.images.len() {
        return Err(AvatarError::MissingTexture {
            texture,
            reason: format!(
                "its image {source} does not exist (the file has {})",
                data.root.images.len()
            ),
        });
    }
    Ok(source)
}

fn image_bytes(
    data: &GltfData,
    image: usize,
    base_dir: Option<&Path>,
) -> Result<Vec<u8>, AvatarError> {
    let json = &data.root.images[image];
    if let Some(view) = json.buffer_view {
        return Ok(data
            .view(view.value(), &format!("image {image}"))?
            .bytes
            .to_vec());
    }
    let Some(image_uri) = &json.uri else {
        return Err(AvatarError::BadImage {
            image,
            reason: "it has neither a bufferView nor a uri".into(),
        });
    };
    if let Some(decoded) = uri::decode_data_uri(image_uri) {
        return decoded.map_err(|reason| AvatarError::BadImage {
            image,
            reason: format!("its data URI is malformed: {reason}"),
        });
    }
    let path = base_dir
        .unwrap_or(Path::new(""))
        .join(uri::percent_decode(image_uri));
    if base_dir.is_none() {
        return Err(AvatarError::MissingImageFile {
            image,
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "external images need a .gltf path, not bytes",
            ),
            path,
        });
    }
    std::fs::read(&path).map_err(|source| AvatarError::MissingImageFile {
        image,
        source,
        path,
    })
}

fn decode(image: usize, bytes: &[u8]) -> Result<Decoded, AvatarError> {
    let decoded = image::load_from_memory(bytes).map_err(|e| AvatarError::BadImage {
        image,
        reason: e.to_string(),
    })?;
    let rgba = decoded.into_rgba8();
    Ok(Decoded {
        width: rgba.width(),
        height: rgba.height(),
        rgba8: rgba.into_raw(),
    })
}

fn wrap(mode: Checked<WrappingMode>) -> WrapMode {
    match mode {
        Checked::Valid(WrappingMode::ClampToEdge) => WrapMode::ClampToEdge,
        Checked::Valid(WrappingMode::MirroredRepeat) => WrapMode::MirroredRepeat,
        _ => WrapMode::Repeat,
    }
}

/// Decodes every texture; each image is decoded once even when shared.
pub(crate) fn load_textures(
    data: &GltfData,
    base_dir: Option<&Path>,
) -> Result<Vec<Texture>, AvatarError> {
    let mut decoded: Vec<Option<std::rc::Rc<Decoded>>> = vec![None; data.root.images.len()];
    let mut textures = Vec::with_capacity(data.root.textures.len());
    for (index, json) in data.root.textures.iter().enumerate() {
        let source = image_source(data, index)?;
        let image = match &decoded[source] {
            Some(d) => d.clone(),
            None => {
                let d = std::rc::Rc::new(decode(source, &image_bytes(data, source, base_dir)?)?);
                decoded[source] = Some(d.clone());
                d
            }
        };
        let sampler = match json.sampler {
            Some(s) => Some(data.root.samplers.get(s.value()).ok_or_else(|| {
                AvatarError::IndexOutOfRange {
                    kind: "sampler",
                    index: s.value(),
                    count: data.root.samplers.len(),
                    referrer: format!("texture {index}"),
                }
            })?),
            None => None,
        };
        let name = json
            .name
            .clone()
            .or_else(|| data.root.images[source].name.clone())
            .unwrap_or_else(|| format!("texture{index}"));
        textures.push(Texture {
            name,
            width: image.width,
            height: image.height,
            rgba8: image.rgba8.clone(),
            wrap_u: sampler.map_or(WrapMode::Repeat, |s| wrap(s.wrap_s)),
            wrap_v: sampler.map_or(WrapMode::Repeat, |s| wrap(s.wrap_t)),
            nearest: sampler
                .is_some_and(|s| s.mag_filter == Some(Checked::Valid(MagFilter::Nearest))),
        });
    }
    Ok(textures)
}
