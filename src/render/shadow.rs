//! The key light's shadow map: a depth pass from the light before the main
//! pass, sampled with hardware-filtered comparisons in shaders/mesh.wgsl.
//! Without it, light reaches where nothing could: the inside of an open
//! mouth glows, and noses and chins look pasted on.

use super::culling::VisibleDraw;
use super::device::DEPTH_FORMAT;
use super::lighting::SHADOW_MAP_SIZE;
use super::pipelines::{AlphaKind, Pipelines};
use super::upload::GpuAvatar;

pub struct ShadowMap {
    view: wgpu::TextureView,
    /// Group 3 of the main pipeline: the map and its comparison sampler.
    pub bind_group: wgpu::BindGroup,
}

impl ShadowMap {
    pub fn new(device: &wgpu::Device, pipelines: &Pipelines) -> ShadowMap {
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("key light shadow map"),
            size: wgpu::Extent3d {
                width: SHADOW_MAP_SIZE,
                height: SHADOW_MAP_SIZE,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: DEPTH_FORMAT,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
            view_formats: &[],
        });
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("shadow comparison"),
            address_mode_u: wgpu::AddressMode::ClampToEdge,
            address_mode_v: wgpu::AddressMode::ClampToEdge,
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            compare: Some(wgpu::CompareFunction::LessEqual),
            ..Default::default()
        });
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("shadow map"),
            layout: &pipelines.shadow_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::TextureView(&view),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::Sampler(&sampler),
                },
            ],
        });
        ShadowMap { view, bind_group }
    }

    /// Renders the depth of opaque and masked draws as the key light sees
    /// them. Blended surfaces (glasses, visors) and mouth interiors cast no
    /// shadow.
    pub fn encode(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        pipelines: &Pipelines,
        frame_bind_group: &wgpu::BindGroup,
        avatar: &GpuAvatar,
        visible: &[VisibleDraw],
    ) {
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("key light shadow"),
            color_attachments: &[],
            depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                view: &self.view,
                depth_ops: Some(wgpu::Operations {
                    load: wgpu::LoadOp::Clear(1.0),
                    store: wgpu::StoreOp::Store,
                }),
                stencil_ops: None,
            }),
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        pass.set_bind_group(0, frame_bind_group, &[]);
        for v in visible {
            let draw = &avatar.draws[v.draw];
            match draw.key.alpha {
                AlphaKind::Opaque => pass.set_pipeline(&pipelines.shadow_pipeline),
                AlphaKind::Mask => pass.set_pipeline(&pipelines.shadow_mask_pipeline),
                AlphaKind::Blend => continue,
            }
            let primitive = &avatar.primitives[draw.primitive];
            let material = &avatar.materials[primitive.material];
            if !material.casts_shadow {
                continue;
            }
            pass.set_bind_group(1, &material.bind_group, &[]);
            pass.set_bind_group(2, &avatar.draw_bind_group, &[draw.uniform_offset]);
            pass.set_vertex_buffer(0, primitive.vertices().slice(..));
            pass.set_vertex_buffer(1, primitive.static_vertices.slice(..));
            let indices = match &primitive.shadow_proxy {
                Some((proxy, _)) => proxy,
                None => &primitive.indices,
            };
            pass.set_index_buffer(indices.slice(..), wgpu::IndexFormat::Uint32);
            for range in &v.ranges {
                pass.draw_indexed(range.clone(), 0, 0..1);
            }
        }
    }
}
