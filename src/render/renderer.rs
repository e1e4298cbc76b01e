//! [`Renderer`]: owns the device, pipelines, render targets and the readback
//! ring, and turns (avatar, pose, camera) into frames.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};

use super::background::BackgroundPass;
use super::culling::{Aabb, VisibleDraw, visible_ranges};
use super::device::{COLOR_FORMAT, DEPTH_FORMAT, GpuDevice};
use super::draw::draw_order;
use super::lighting::frame_uniforms;
use super::material::TextureUploader;
use super::pipelines::Pipelines;
use super::pose_check::check_pose;
use super::readback::ReadbackRing;
use super::shadow::ShadowMap;
use super::textures::DefaultTextures;
use super::upload::{GpuAvatar, UploadContext, upload_geometry};
use super::upload_cache::UploadCache;
use super::{Camera, RenderError, RenderSettings, RenderedFrame};
use crate::animation::AvatarPose;
use crate::avatar::{Avatar, Material};
use glam::Mat4;

/// Tells apart the renderers of one process, so that a [`GpuAvatar`] is
/// only drawn by the device that holds its buffers.
static NEXT_RENDERER_ID: AtomicU64 = AtomicU64::new(1);

struct Targets {
    /// Multisampled colour, absent at 1x.
    msaa: Option<wgpu::TextureView>,
    /// Single-sampled colour: the resolve target, copied to the readback ring.
    resolved: wgpu::Texture,
    resolved_view: wgpu::TextureView,
    depth: wgpu::TextureView,
}

fn create_targets(device: &wgpu::Device, width: u32, height: u32, samples: u32) -> Targets {
    let size = wgpu::Extent3d {
        width,
        height,
        depth_or_array_layers: 1,
    };
    let texture = |label, format, sample_count, usage| {
        device.create_texture(&wgpu::TextureDescriptor {
            label: Some(label),
            size,
            mip_level_count: 1,
            sample_count,
            dimension: wgpu::TextureDimension::D2,
            format,
            usage,
            view_formats: &[],
        })
    };
    let attachment = wgpu::TextureUsages::RENDER_ATTACHMENT;
    let view = |t: &wgpu::Texture| t.create_view(&wgpu::TextureViewDescriptor::default());
    let resolved = texture(
        "frame",
        COLOR_FORMAT,
        1,
        attachment | wgpu::TextureUsages::COPY_SRC,
    );
    let msaa =
        (samples > 1).then(|| view(&texture("frame msaa", COLOR_FORMAT, samples, attachment)));
    let depth = view(&texture("depth", DEPTH_FORMAT, samples, attachment));
    Targets {
        msaa,
        resolved_view: view(&resolved),
        resolved,
        depth,
    }
}

/// Offscreen renderer of posed avatars. Not `Sync`: render from one thread.
pub struct Renderer {
    id: u64,
    settings: RenderSettings,
    gpu: GpuDevice,
    pipelines: Pipelines,
    defaults: DefaultTextures,
    background: BackgroundPass,
    frame_uniforms: wgpu::Buffer,
    frame_bind_group: wgpu::BindGroup,
    targets: Targets,
    shadow: ShadowMap,
    ring: ReadbackRing,
    /// Frames already read back (when the ring was full) but not yet returned.
    completed: VecDeque<RenderedFrame>,
}

impl Renderer {
    /// Opens an adapter (hardware first, then lavapipe; `AVATARCAST_ADAPTER`
    /// = `cpu`, `gpu` or a name substring overrides) and builds everything a
    /// frame needs. On GL adapters MSAA is lowered to 1x; [`Self::settings`]
    /// reports what is used.
    pub fn new(settings: RenderSettings) -> Result<Renderer, RenderError> {
        if settings.msaa_samples != 1 && settings.msaa_samples != 4 {
            return Err(RenderError::InvalidSettings(format!(
                "msaa_samples is {}",
                settings.msaa_samples
            )));
        }
        let gpu = GpuDevice::open(settings.msaa_samples)?;
        let max = gpu.device.limits().max_texture_dimension_2d;
        if settings.width == 0
            || settings.height == 0
            || settings.width > max
            || settings.height > max
        {
            return Err(RenderError::InvalidSettings(format!(
                "size is {}x{} (the adapter allows 1..={max})",
                settings.width, settings.height
            )));
        }
        let mut settings = settings;
        settings.msaa_samples = gpu.msaa_samples;
        let aspect = settings.width as f32 / settings.height as f32;
        let (
            pipelines,
            defaults,
            background,
            frame_uniforms,
            frame_bind_group,
            targets,
            shadow,
            ring,
        ) = gpu.checked(|device| {
            let pipelines = Pipelines::new(device, settings.msaa_samples);
            let defaults = DefaultTextures::new(device, &gpu.queue);
            let background =
                BackgroundPass::new(device, &gpu.queue, &pipelines, &settings.background, aspect);
            let frame_uniforms = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("frame uniforms"),
                size: size_of::<super::uniforms::FrameUniforms>() as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            let frame_bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("frame"),
                layout: &pipelines.frame_layout,
                entries: &[wgpu::BindGroupEntry {
                    binding: 0,
                    resource: frame_uniforms.as_entire_binding(),
                }],
            });
            let targets = create_targets(
                device,
                settings.width,
                settings.height,
                settings.msaa_samples,
            );
            let shadow = ShadowMap::new(device, &pipelines);
            let ring = ReadbackRing::new(device, settings.width, settings.height);
            (
                pipelines,
                defaults,
                background,
                frame_uniforms,
                frame_bind_group,
                targets,
                shadow,
                ring,
            )
        })?;
        tracing::info!(adapter = %gpu.description(), msaa = settings.msaa_samples, "renderer ready");
        Ok(Renderer {
            id: NEXT_RENDERER_ID.fetch_add(1, Ordering::Relaxed),
            settings,
            gpu,
            pipelines,
            defaults,
            background,
            frame_uniforms,
            frame_bind_group,
            targets,
            shadow,
            ring,
            completed: VecDeque::new(),
        })
    }

    /// Adapter name, backend, type and driver, for logs and BENCHMARKS.md.
    pub fn adapter_description(&self) -> String {
        self.gpu.description()
    }

    /// The settings in use (MSAA may be lower than requested, see [`Self::new`]).
    pub fn settings(&self) -> &RenderSettings {
        &self.settings
    }

    /// Uploads meshes, morph targets, textures and materials.
    pub fn upload(&mut self, avatar: &Avatar) -> Result<GpuAvatar, RenderError> {
        self.upload_with(avatar, &UploadCache::default())
    }

    /// [`Self::upload`], taking mip chains other renderers already built
    /// for this avatar from `cache` (and leaving the ones it builds there).
    pub fn upload_with(
        &mut self,
        avatar: &Avatar,
        cache: &UploadCache,
    ) -> Result<GpuAvatar, RenderError> {
        let renderer_id = self.id;
        let (gpu, pipelines, defaults) = (&self.gpu, &mut self.pipelines, &self.defaults);
        let result = gpu.checked(|device| -> Result<GpuAvatar, String> {
            let mut uploader = TextureUploader::new(device, &gpu.queue, avatar, defaults, cache);
            let default_material = Material {
                name: "default".into(),
                metallic_factor: 0.0,
                roughness_factor: 0.6,
                ..Material::default()
            };
            let mut materials = Vec::with_capacity(avatar.materials.len() + 1);
            let mut needs_tangents = Vec::with_capacity(avatar.materials.len() + 1);
            for material in avatar.materials.iter().chain([&default_material]) {
                let gpu_material = uploader.material(&pipelines.material_layout, material)?;
                needs_tangents.push(gpu_material.features.needs_tangents());
                materials.push(gpu_material);
            }
            let cx = UploadContext {
                device,
                pipelines,
                renderer_id,
            };
            let gpu_avatar = upload_geometry(&cx, avatar, materials, &needs_tangents)?;
            for draw in &gpu_avatar.draws {
                pipelines.mesh(device, draw.key);
            }
            Ok(gpu_avatar)
        })?;
        result.map_err(RenderError::InvalidAvatar)
    }

    /// Renders one frame and queues its readback. When all readback buffers
    /// are busy it first waits for the oldest frame, which [`Self::next_frame`]
    /// then returns without waiting. Frames come out in submission order.
    pub fn submit(
        &mut self,
        avatar: &mut GpuAvatar,
        pose: &AvatarPose,
        camera: &Camera,
        tag: u64,
    ) -> Result<(), RenderError> {
        if avatar.renderer_id != self.id {
            return Err(RenderError::ForeignAvatar);
        }
        check_pose(avatar, pose)?;
        if self.ring.is_full()
            && let Some(frame) = self.ring.wait_oldest(&self.gpu.device)?
        {
            self.completed.push_back(frame);
        }
        let slot = self
            .ring
            .next_slot()
            .expect("ReadbackRing invariant: a slot is free after waiting for the oldest frame");

        let (world, matrices) = avatar.skeleton.matrices(&pose.node_rotations);
        let queue = &self.gpu.queue;
        queue.write_buffer(&avatar.matrices, 0, bytemuck::cast_slice(&matrices));
        for primitive in &mut avatar.primitives {
            if let Some(morph) = &mut primitive.morph {
                let weights = pose
                    .morph_weights
                    .get(primitive.mesh)
                    .map_or(&[][..], |w| w.as_slice());
                morph.prepare(queue, weights);
            }
        }
        let aspect = self.settings.width as f32 / self.settings.height as f32;
        let uniforms = frame_uniforms(camera, aspect, self.settings.msaa_samples > 1);
        queue.write_buffer(&self.frame_uniforms, 0, bytemuck::bytes_of(&uniforms));
        let order = draw_order(avatar, &world, camera.view_from_world());
        let boxes = cluster_world_boxes(avatar, &matrices);
        let in_view = visible_draws(
            avatar,
            &order,
            &boxes,
            camera.clip_from_world(aspect),
            Pass::Main,
        );
        let in_light = visible_draws(
            avatar,
            &order,
            &boxes,
            Mat4::from_cols_array_2d(&uniforms.light_clip_from_world),
            Pass::Shadow,
        );

        let submission = self.gpu.checked(|device| {
            let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("frame"),
            });
            self.encode(&mut encoder, avatar, &in_view, &in_light);
            encoder.copy_texture_to_buffer(
                wgpu::TexelCopyTextureInfo {
                    texture: &self.targets.resolved,
                    mip_level: 0,
                    origin: wgpu::Origin3d::ZERO,
                    aspect: wgpu::TextureAspect::All,
                },
                self.ring.copy_destination(slot),
                wgpu::Extent3d {
                    width: self.settings.width,
                    height: self.settings.height,
                    depth_or_array_layers: 1,
                },
            );
            self.gpu.queue.submit([encoder.finish()])
        })?;
        self.ring.submitted(slot, tag, submission);
        Ok(())
    }

    fn encode(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        avatar: &GpuAvatar,
        in_view: &[VisibleDraw],
        in_light: &[VisibleDraw],
    ) {
        if avatar
            .primitives
            .iter()
            .any(|p| p.morph.as_ref().is_some_and(|m| m.needs_dispatch()))
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("morph targets"),
                timestamp_writes: None,
            });
            pass.set_pipeline(&self.pipelines.morph_pipeline);
            for primitive in &avatar.primitives {
                if let Some(morph) = &primitive.morph {
                    morph.dispatch(&mut pass);
                }
            }
        }

        self.shadow.encode(
            encoder,
            &self.pipelines,
            &self.frame_bind_group,
            avatar,
            in_light,
        );

        let (view, resolve_target) = match &self.targets.msaa {
            Some(msaa) => (msaa, Some(&self.targets.resolved_view)),
            None => (&self.targets.resolved_view, None),
        };
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("avatar"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view,
                depth_slice: None,
                resolve_target,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(self.background.clear),
                    // Only the resolved image is read; the MSAA samples can go.
                    store: if resolve_target.is_some() {
                        wgpu::StoreOp::Discard
                    } else {
                        wgpu::StoreOp::Store
                    },
                },
            })],
            depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                view: &self.targets.depth,
                depth_ops: Some(wgpu::Operations {
                    load: wgpu::LoadOp::Clear(1.0),
                    store: wgpu::StoreOp::Discard,
                }),
                stencil_ops: None,
            }),
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        self.background.draw(&self.pipelines, &mut pass);
        pass.set_bind_group(0, &self.frame_bind_group, &[]);
        pass.set_bind_group(3, &self.shadow.bind_group, &[]);
        for visible in in_view {
            let draw = &avatar.draws[visible.draw];
            let Some(pipeline) = self.pipelines.get(draw.key) else {
                continue;
            };
            let primitive = &avatar.primitives[draw.primitive];
            pass.set_pipeline(pipeline);
            pass.set_bind_group(1, &avatar.materials[primitive.material].bind_group, &[]);
            pass.set_bind_group(2, &avatar.draw_bind_group, &[draw.uniform_offset]);
            pass.set_vertex_buffer(0, primitive.vertices().slice(..));
            pass.set_vertex_buffer(1, primitive.static_vertices.slice(..));
            pass.set_index_buffer(primitive.indices.slice(..), wgpu::IndexFormat::Uint32);
            for range in &visible.ranges {
                pass.draw_indexed(range.clone(), 0, 0..1);
            }
        }
    }

    /// Frames submitted but not yet returned by [`Self::next_frame`].
    pub fn in_flight(&self) -> usize {
        self.completed.len() + self.ring.in_flight()
    }

    /// The oldest frame not yet returned, waiting for the GPU if needed;
    /// `None` when nothing is in flight.
    pub fn next_frame(&mut self) -> Result<Option<RenderedFrame>, RenderError> {
        if let Some(frame) = self.completed.pop_front() {
            return Ok(Some(frame));
        }
        let frame = self.ring.wait_oldest(&self.gpu.device)?;
        self.gpu.take_errors()?;
        Ok(frame)
    }

    /// Renders one frame and waits for it (tag 0). Frames submitted earlier
    /// stay queued for [`Self::next_frame`].
    pub fn render(
        &mut self,
        avatar: &mut GpuAvatar,
        pose: &AvatarPose,
        camera: &Camera,
    ) -> Result<RenderedFrame, RenderError> {
        self.submit(avatar, pose, camera, 0)?;
        while let Some(frame) = self.ring.wait_oldest(&self.gpu.device)? {
            self.completed.push_back(frame);
        }
        self.gpu.take_errors()?;
        self.completed
            .pop_back()
            .ok_or_else(|| RenderError::Readback("the submitted frame did not come back".into()))
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Pass {
    Main,
    /// Ranges index the primitive's shadow proxy where it has one.
    Shadow,
}

/// Per draw, the world box of each of its clusters in this pose: computed
/// once a frame and tested against both the camera and the key light.
fn cluster_world_boxes(avatar: &GpuAvatar, matrices: &[Mat4]) -> Vec<Vec<Aabb>> {
    avatar
        .draws
        .iter()
        .map(|draw| {
            let from = (draw.matrix_offset as usize).min(matrices.len());
            draw.cluster_bounds
                .iter()
                .map(|b| b.world_box(&matrices[from..]))
                .collect()
        })
        .collect()
}

/// The draws of `order` (in that order), each with its clusters whose
/// world box (`boxes`, per draw) may be inside the clip volume of
/// `clip_from_world`.
fn visible_draws(
    avatar: &GpuAvatar,
    order: &[usize],
    boxes: &[Vec<Aabb>],
    clip_from_world: Mat4,
    pass: Pass,
) -> Vec<VisibleDraw> {
    order
        .iter()
        .filter_map(|&i| {
            let primitive = &avatar.primitives[avatar.draws[i].primitive];
            let clusters = match (&primitive.shadow_proxy, pass) {
                (Some((_, proxy)), Pass::Shadow) => proxy,
                _ => &primitive.clusters,
            };
            visible_ranges(clusters, &boxes[i], clip_from_world)
                .map(|ranges| VisibleDraw { draw: i, ranges })
        })
        .collect()
}
