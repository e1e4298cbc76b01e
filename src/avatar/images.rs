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

/// Decodes `images` (index, encoded bytes) on up to one thread per core:
/// a role's 2048² maps take ~0.1 s to decode one after another, paid at
/// the start of every render. Results come back in input order.
fn decode_all(images: Vec<(usize, Vec<u8>)>) -> Vec<Result<Decoded, AvatarError>> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(images.len());
    if workers <= 1 {
        return images.iter().map(|(i, bytes)| decode(*i, bytes)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<Option<Result<Decoded, AvatarError>>> =
        (0..images.len()).map(|_| None).collect();
    let done = std::sync::Mutex::new(&mut results);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((image, bytes)) = images.get(k) else {
                        break;
                    };
                    let decoded = decode(*image, bytes);
                    // A decoder panic would have ended this worker already;
                    // the map of results itself is never left half-written.
                    done.lock().unwrap_or_else(|e| e.into_inner())[k] = Some(decoded);
                }
            });
        }
    });
    results
        .into_iter()
        .zip(&images)
        .map(|(r, (image, _))| {
            r.unwrap_or_else(|| {
                Err(AvatarError::BadImage {
                    image: *image,
                    reason: "the decoder stopped unexpectedly".into(),
                })
            })
        })
        .collect()
}

/// Decodes every texture; each image is decoded once even when shared.
pub(crate) fn load_textures(
    data: &GltfData,
    base_dir: Option<&Path>,
) -> Result<Vec<Texture>, AvatarError> {
    let sources = (0..data.root.textures.len())
        .map(|index| image_source(data, index))
        .collect::<Result<Vec<usize>, AvatarError>>()?;
    let mut wanted: Vec<usize> = sources.clone();
    wanted.sort_unstable();
    wanted.dedup();
    let encoded = wanted
        .iter()
        .map(|&source| Ok((source, image_bytes(data, source, base_dir)?)))
        .collect::<Result<Vec<(usize, Vec<u8>)>, AvatarError>>()?;
    let mut decoded: Vec<Option<std::rc::Rc<Decoded>>> = vec![None; data.root.images.len()];
    for (&source, result) in wanted.iter().zip(decode_all(encoded)) {
        decoded[source] = Some(std::rc::Rc::new(result?));
    }
    let mut textures = Vec::with_capacity(data.root.textures.len());
    for (index, json) in data.root.textures.iter().enumerate() {
        let source = sources[index];
        let image = decoded[source]
            .clone()
            .ok_or_else(|| AvatarError::BadImage {
                image: source,
                reason: "the image was not decoded".into(),
            })?;
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
