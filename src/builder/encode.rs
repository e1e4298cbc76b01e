//! Image encoders for baked textures (PNG for exact data and alpha, JPEG
//! for large colour maps). Both are deterministic.

use image::{ExtendedColorType, ImageEncoder};

use super::BuildError;

pub fn png(what: &str, pixels: &[u8], size: u32, channels: usize) -> Result<Vec<u8>, BuildError> {
    let color = match channels {
        1 => ExtendedColorType::L8,
        3 => ExtendedColorType::Rgb8,
        4 => ExtendedColorType::Rgba8,
        _ => return Err(image_error(what, format!("{channels} channels"))),
    };
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new_with_quality(
        &mut out,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::Adaptive,
    )
    .write_image(pixels, size, size, color)
    .map_err(|e| image_error(what, e.to_string()))?;
    Ok(out)
}

pub fn jpeg(what: &str, rgb: &[u8], size: u32, quality: u8) -> Result<Vec<u8>, BuildError> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .write_image(rgb, size, size, ExtendedColorType::Rgb8)
        .map_err(|e| image_error(what, e.to_string()))?;
    Ok(out)
}

fn image_error(what: &str, message: String) -> BuildError {
    BuildError::Image {
        what: what.to_string(),
        message,
    }
}
