//! What is behind the avatar: a clear colour, or an image drawn by a
//! full-screen triangle (shaders/background.wgsl) scaled to cover the frame.

use bytemuck::{Pod, Zeroable};
use wgpu::util::DeviceExt;

use super::Background;
use super::pipelines::Pipelines;
use super::textures::{Encoding, upload_rgba};

/// Mirrors `BackgroundUniforms` in shaders/background.wgsl.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable, PartialEq)]
pub struct BackgroundUniforms {
    pub uv_scale: [f32; 2],
    pub uv_offset: [f32; 2],
}

/// Crops the image's long side so it covers a `frame_aspect` frame, centred.
pub fn cover_uv(image_width: u32, image_height: u32, frame_aspect: f32) -> BackgroundUniforms {
    let image_aspect = image_width.max(1) as f32 / image_height.max(1) as f32;
    if image_aspect > frame_aspect {
        let scale = frame_aspect / image_aspect;
        BackgroundUniforms {
            uv_scale: [scale, 1.0],
            uv_offset: [0.5 * (1.0 - scale), 0.0],
        }
    } else {
        let scale = image_aspect / frame_aspect;
        BackgroundUniforms {
            uv_scale: [1.0, scale],
            uv_offset: [0.0, 0.5 * (1.0 - scale)],
        }
    }
}

/// sRGB byte → the linear clear value the sRGB target encodes back to it.
fn srgb_byte_to_linear(byte: u8) -> f64 {
    let c = byte as f64 / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

pub struct BackgroundPass {
    pub clear: wgpu::Color,
    /// Set for image backgrounds.
    pub image_bind_group: Option<wgpu::BindGroup>,
}

impl BackgroundPass {
    pub fn new(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        pipelines: &Pipelines,
        background: &Background,
        frame_aspect: f32,
    ) -> BackgroundPass {
        match background {
            Background::Color([r, g, b]) => BackgroundPass {
                clear: wgpu::Color {
                    r: srgb_byte_to_linear(*r),
                    g: srgb_byte_to_linear(*g),
                    b: srgb_byte_to_linear(*b),
                    a: 1.0,
                },
                image_bind_group: None,
            },
            Background::Image(image) => {
                let (width, height) = image.dimensions();
                let max = device.limits().max_texture_dimension_2d;
                // Oversized photos are shrunk to the adapter's limit first.
                let resized;
                let image = if width > max || height > max {
                    let scale = max as f32 / width.max(height) as f32;
                    resized = image::imageops::resize(
                        image,
                        ((width as f32 * scale) as u32).max(1),
                        ((height as f32 * scale) as u32).max(1),
                        image::imageops::FilterType::Triangle,
                    );
                    &resized
                } else {
                    image
                };
                let (width, height) = image.dimensions();
                let texture = upload_rgba(
                    device,
                    queue,
                    "background",
                    image.as_raw(),
                    width.max(1),
                    height.max(1),
                    Encoding::Srgb,
                );
                let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
                let uniforms = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some("background"),
                    contents: bytemuck::bytes_of(&cover_uv(width, height, frame_aspect)),
                    usage: wgpu::BufferUsages::UNIFORM,
                });
                let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
                    label: Some("background"),
                    mag_filter: wgpu::FilterMode::Linear,
                    min_filter: wgpu::FilterMode::Linear,
                    mipmap_filter: wgpu::MipmapFilterMode::Linear,
                    ..Default::default()
                });
                let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some("background"),
                    layout: &pipelines.background_layout,
                    entries: &[
                        wgpu::BindGroupEntry {
                            binding: 0,
                            resource: uniforms.as_entire_binding(),
                        },
                        wgpu::BindGroupEntry {
                            binding: 1,
                            resource: wgpu::BindingResource::TextureView(&view),
                        },
                        wgpu::BindGroupEntry {
                            binding: 2,
                            resource: wgpu::BindingResource::Sampler(&sampler),
                        },
                    ],
                });
                BackgroundPass {
                    clear: wgpu::Color::BLACK,
                    image_bind_group: Some(bind_group),
                }
            }
        }
    }

    pub fn draw(&self, pipelines: &Pipelines, pass: &mut wgpu::RenderPass<'_>) {
        if let Some(bind_group) = &self.image_bind_group {
            pass.set_pipeline(&pipelines.background_pipeline);
            pass.set_bind_group(0, bind_group, &[]);
            pass.draw(0..3, 0..1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_image_is_cropped_left_and_right() {
        let u = cover_uv(2000, 1000, 1.0);
        assert_eq!(u.uv_scale, [0.5, 1.0]);
        assert_eq!(u.uv_offset, [0.25, 0.0]);
    }

    #[test]
    fn tall_image_is_cropped_top_and_bottom() {
        let u = cover_uv(1000, 1000, 2.0);
        assert_eq!(u.uv_scale, [1.0, 0.5]);
        assert_eq!(u.uv_offset, [0.0, 0.25]);
    }
}
