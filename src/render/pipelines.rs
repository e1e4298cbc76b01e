//! Shader modules, bind group layouts and pipelines, created once per
//! [`Renderer`](super::Renderer); mesh pipeline variants are built lazily.

use std::collections::HashMap;

use super::device::{COLOR_FORMAT, DEPTH_FORMAT};
use super::upload::{GPU_VERTEX_STRIDE, STATIC_VERTEX_STRIDE};

pub const MESH_WGSL: &str = include_str!("../../shaders/mesh.wgsl");
pub const MORPH_WGSL: &str = include_str!("../../shaders/morph.wgsl");
pub const BACKGROUND_WGSL: &str = include_str!("../../shaders/background.wgsl");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlphaKind {
    Opaque,
    Mask,
    Blend,
}

/// What varies between mesh pipelines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PipelineKey {
    pub alpha: AlphaKind,
    pub double_sided: bool,
    /// The node's world matrix mirrors, so front faces wind clockwise.
    pub mirrored: bool,
    pub features: ShaderFeatures,
}

/// Which optional textures and lobes a material really has. Each becomes a
/// pipeline constant in mesh.wgsl, so a material without one skips the work
/// instead of reading a 1×1 default: on a CPU adapter every sample is paid
/// by every pixel (4 ms of a 512² frame for occlusion + emissive alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ShaderFeatures {
    pub metallic_roughness: bool,
    pub normal: bool,
    pub occlusion: bool,
    pub emissive: bool,
    /// The normal map carries roughness and metallic in B and A
    /// (see `packed_maps`); `metallic_roughness` is then false.
    pub packed_normal_roughness: bool,
    /// An anisotropic specular lobe (KHR_materials_anisotropy, hair)...
    pub anisotropy: bool,
    /// ...whose direction and strength vary by texel.
    pub anisotropy_texture: bool,
}

impl ShaderFeatures {
    pub fn of(material: &crate::avatar::Material) -> ShaderFeatures {
        ShaderFeatures {
            metallic_roughness: material.metallic_roughness_texture.is_some(),
            normal: material.normal_texture.is_some(),
            occlusion: material.occlusion_texture.is_some(),
            emissive: material.emissive_texture.is_some(),
            packed_normal_roughness: false,
            anisotropy: material.anisotropy.is_some(),
            anisotropy_texture: material.anisotropy.is_some_and(|a| a.texture.is_some()),
        }
    }

    /// Whether the shader reads the vertices' tangents: for a normal map's
    /// frame or an anisotropic lobe's direction.
    pub fn needs_tangents(self) -> bool {
        self.normal || self.anisotropy
    }

    fn constants(self) -> [(&'static str, f64); 7] {
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        [
            (
                "HAS_METALLIC_ROUGHNESS_TEXTURE",
                flag(self.metallic_roughness),
            ),
            ("HAS_NORMAL_TEXTURE", flag(self.normal)),
            ("HAS_OCCLUSION_TEXTURE", flag(self.occlusion)),
            ("HAS_EMISSIVE_TEXTURE", flag(self.emissive)),
            ("NORMAL_PACKS_ROUGHNESS", flag(self.packed_normal_roughness)),
            ("HAS_ANISOTROPY", flag(self.anisotropy)),
            ("HAS_ANISOTROPY_TEXTURE", flag(self.anisotropy_texture)),
        ]
    }
}

pub struct Pipelines {
    pub frame_layout: wgpu::BindGroupLayout,
    pub material_layout: wgpu::BindGroupLayout,
    pub draw_layout: wgpu::BindGroupLayout,
    pub morph_layout: wgpu::BindGroupLayout,
    pub background_layout: wgpu::BindGroupLayout,
    pub shadow_layout: wgpu::BindGroupLayout,
    pub morph_pipeline: wgpu::ComputePipeline,
    /// Depth pass from the key light, no culling so thin and double-sided
    /// surfaces cast too: depth only for opaque materials...
    pub shadow_pipeline: wgpu::RenderPipeline,
    /// ...and with an alpha test for masked ones.
    pub shadow_mask_pipeline: wgpu::RenderPipeline,
    pub background_pipeline: wgpu::RenderPipeline,
    mesh_module: wgpu::ShaderModule,
    mesh_layout: wgpu::PipelineLayout,
    mesh_pipelines: HashMap<PipelineKey, wgpu::RenderPipeline>,
    msaa_samples: u32,
}

fn uniform_entry(
    binding: u32,
    visibility: wgpu::ShaderStages,
    dynamic: bool,
) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Uniform,
            has_dynamic_offset: dynamic,
            min_binding_size: None,
        },
        count: None,
    }
}

fn storage_entry(
    binding: u32,
    visibility: wgpu::ShaderStages,
    read_only: bool,
) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only },
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

fn texture_entry(binding: u32) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::FRAGMENT,
        ty: wgpu::BindingType::Texture {
            sample_type: wgpu::TextureSampleType::Float { filterable: true },
            view_dimension: wgpu::TextureViewDimension::D2,
            multisampled: false,
        },
        count: None,
    }
}

fn sampler_entry(binding: u32) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::FRAGMENT,
        ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
        count: None,
    }
}

impl Pipelines {
    pub fn new(device: &wgpu::Device, msaa_samples: u32) -> Pipelines {
        let vertex_fragment = wgpu::ShaderStages::VERTEX | wgpu::ShaderStages::FRAGMENT;
        let frame_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("frame"),
            entries: &[uniform_entry(0, vertex_fragment, false)],
        });
        let mut material_entries = vec![uniform_entry(0, wgpu::ShaderStages::FRAGMENT, false)];
        material_entries.extend((1..=6).map(texture_entry));
        material_entries.extend((7..=12).map(sampler_entry));
        let material_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("material"),
            entries: &material_entries,
        });
        let draw_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("draw"),
            entries: &[
                uniform_entry(0, wgpu::ShaderStages::VERTEX, true),
                storage_entry(1, wgpu::ShaderStages::VERTEX, true),
            ],
        });
        let compute = wgpu::ShaderStages::COMPUTE;
        let morph_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("morph"),
            entries: &[
                uniform_entry(0, compute, false),
                storage_entry(1, compute, true),
                storage_entry(2, compute, true),
                storage_entry(3, compute, true),
                storage_entry(4, compute, true),
                storage_entry(5, compute, false),
                storage_entry(6, compute, true),
            ],
        });
        let background_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("background"),
            entries: &[
                uniform_entry(0, wgpu::ShaderStages::FRAGMENT, false),
                texture_entry(1),
                sampler_entry(2),
            ],
        });

        let shadow_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("shadow map"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Texture {
                        sample_type: wgpu::TextureSampleType::Depth,
                        view_dimension: wgpu::TextureViewDimension::D2,
                        multisampled: false,
                    },
                    count: None,
                },
                wgpu::BindGroupLayoutEntry {
                    binding: 1,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Comparison),
                    count: None,
                },
            ],
        });

        let mesh_module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("mesh.wgsl"),
            source: wgpu::ShaderSource::Wgsl(MESH_WGSL.into()),
        });
        let mesh_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("mesh"),
            bind_group_layouts: &[
                Some(&frame_layout),
                Some(&material_layout),
                Some(&draw_layout),
                Some(&shadow_layout),
            ],
            immediate_size: 0,
        });
        let shadow_pipeline_layout =
            device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some("shadow"),
                bind_group_layouts: &[
                    Some(&frame_layout),
                    Some(&material_layout),
                    Some(&draw_layout),
                ],
                immediate_size: 0,
            });
        let shadow_pipeline =
            create_shadow_pipeline(device, &mesh_module, &shadow_pipeline_layout, false);
        let shadow_mask_pipeline =
            create_shadow_pipeline(device, &mesh_module, &shadow_pipeline_layout, true);

        let morph_module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("morph.wgsl"),
            source: wgpu::ShaderSource::Wgsl(MORPH_WGSL.into()),
        });
        let morph_pipeline_layout =
            device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some("morph"),
                bind_group_layouts: &[Some(&morph_layout)],
                immediate_size: 0,
            });
        let morph_pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some("morph"),
            layout: Some(&morph_pipeline_layout),
            module: &morph_module,
            entry_point: Some("main"),
            compilation_options: Default::default(),
            cache: None,
        });

        let background_module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("background.wgsl"),
            source: wgpu::ShaderSource::Wgsl(BACKGROUND_WGSL.into()),
        });
        let background_pipeline_layout =
            device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some("background"),
                bind_group_layouts: &[Some(&background_layout)],
                immediate_size: 0,
            });
        let background_pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("background"),
            layout: Some(&background_pipeline_layout),
            vertex: wgpu::VertexState {
                module: &background_module,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers: &[],
            },
            primitive: wgpu::PrimitiveState::default(),
            depth_stencil: Some(wgpu::DepthStencilState {
                format: DEPTH_FORMAT,
                depth_write_enabled: Some(false),
                depth_compare: Some(wgpu::CompareFunction::Always),
                stencil: Default::default(),
                bias: Default::default(),
            }),
            multisample: wgpu::MultisampleState {
                count: msaa_samples,
                ..Default::default()
            },
            fragment: Some(wgpu::FragmentState {
                module: &background_module,
                entry_point: Some("fs_main"),
                compilation_options: Default::default(),
                targets: &[Some(COLOR_FORMAT.into())],
            }),
            multiview_mask: None,
            cache: None,
        });

        Pipelines {
            frame_layout,
            material_layout,
            draw_layout,
            morph_layout,
            background_layout,
            shadow_layout,
            morph_pipeline,
            shadow_pipeline,
            shadow_mask_pipeline,
            background_pipeline,
            mesh_module,
            mesh_layout,
            mesh_pipelines: HashMap::new(),
            msaa_samples,
        }
    }

    /// The mesh pipeline for `key` if [`Self::mesh`] built it.
    pub fn get(&self, key: PipelineKey) -> Option<&wgpu::RenderPipeline> {
        self.mesh_pipelines.get(&key)
    }

    /// The mesh pipeline for `key`, compiled on first use (lavapipe compiles
    /// each in ~100 ms, and most avatars need two or three of the twelve).
    pub fn mesh(&mut self, device: &wgpu::Device, key: PipelineKey) -> &wgpu::RenderPipeline {
        let (module, layout, samples) = (&self.mesh_module, &self.mesh_layout, self.msaa_samples);
        self.mesh_pipelines
            .entry(key)
            .or_insert_with(|| create_mesh_pipeline(device, module, layout, samples, key))
    }
}

/// Straight-alpha "over" for colour; alpha accumulates coverage so frames
/// stay opaque (alpha 255) over the opaque background.
const BLEND_OVER: wgpu::BlendState = wgpu::BlendState {
    color: wgpu::BlendComponent {
        src_factor: wgpu::BlendFactor::SrcAlpha,
        dst_factor: wgpu::BlendFactor::OneMinusSrcAlpha,
        operation: wgpu::BlendOperation::Add,
    },
    alpha: wgpu::BlendComponent {
        src_factor: wgpu::BlendFactor::One,
        dst_factor: wgpu::BlendFactor::OneMinusSrcAlpha,
        operation: wgpu::BlendOperation::Add,
    },
};

fn vertex_buffer_layouts<'a>(
    morphed: &'a [wgpu::VertexAttribute],
    fixed: &'a [wgpu::VertexAttribute],
) -> [Option<wgpu::VertexBufferLayout<'a>>; 2] {
    [
        Some(wgpu::VertexBufferLayout {
            array_stride: GPU_VERTEX_STRIDE,
            step_mode: wgpu::VertexStepMode::Vertex,
            attributes: morphed,
        }),
        Some(wgpu::VertexBufferLayout {
            array_stride: STATIC_VERTEX_STRIDE,
            step_mode: wgpu::VertexStepMode::Vertex,
            attributes: fixed,
        }),
    ]
}

const MORPHED_ATTRIBUTES: [wgpu::VertexAttribute; 2] =
    wgpu::vertex_attr_array![0 => Float32x4, 1 => Float32x4];
const STATIC_ATTRIBUTES: [wgpu::VertexAttribute; 4] =
    wgpu::vertex_attr_array![2 => Float32x2, 3 => Float32x4, 4 => Uint16x4, 5 => Float32x4];

fn create_shadow_pipeline(
    device: &wgpu::Device,
    module: &wgpu::ShaderModule,
    layout: &wgpu::PipelineLayout,
    alpha_test: bool,
) -> wgpu::RenderPipeline {
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some("key light shadow"),
        layout: Some(layout),
        vertex: wgpu::VertexState {
            module,
            entry_point: Some("vs_shadow"),
            compilation_options: Default::default(),
            buffers: &vertex_buffer_layouts(&MORPHED_ATTRIBUTES, &STATIC_ATTRIBUTES),
        },
        primitive: wgpu::PrimitiveState {
            cull_mode: None,
            ..Default::default()
        },
        depth_stencil: Some(wgpu::DepthStencilState {
            format: DEPTH_FORMAT,
            depth_write_enabled: Some(true),
            depth_compare: Some(wgpu::CompareFunction::LessEqual),
            stencil: Default::default(),
            // Slope-scaled bias keeps surfaces at grazing light angles from
            // shadowing themselves (acne); the normal offset does the rest.
            bias: wgpu::DepthBiasState {
                constant: 2,
                slope_scale: 2.0,
                clamp: 0.0,
            },
        }),
        multisample: wgpu::MultisampleState::default(),
        fragment: alpha_test.then(|| wgpu::FragmentState {
            module,
            entry_point: Some("fs_shadow"),
            compilation_options: Default::default(),
            targets: &[],
        }),
        multiview_mask: None,
        cache: None,
    })
}

fn create_mesh_pipeline(
    device: &wgpu::Device,
    module: &wgpu::ShaderModule,
    layout: &wgpu::PipelineLayout,
    msaa_samples: u32,
    key: PipelineKey,
) -> wgpu::RenderPipeline {
    let blend = key.alpha == AlphaKind::Blend;
    let alpha_to_coverage = key.alpha == AlphaKind::Mask && msaa_samples > 1;
    let constants = key.features.constants();
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some("mesh"),
        layout: Some(layout),
        vertex: wgpu::VertexState {
            module,
            entry_point: Some("vs_main"),
            compilation_options: Default::default(),
            buffers: &vertex_buffer_layouts(&MORPHED_ATTRIBUTES, &STATIC_ATTRIBUTES),
        },
        primitive: wgpu::PrimitiveState {
            topology: wgpu::PrimitiveTopology::TriangleList,
            front_face: if key.mirrored {
                wgpu::FrontFace::Cw
            } else {
                wgpu::FrontFace::Ccw
            },
            cull_mode: if key.double_sided {
                None
            } else {
                Some(wgpu::Face::Back)
            },
            ..Default::default()
        },
        depth_stencil: Some(wgpu::DepthStencilState {
            format: DEPTH_FORMAT,
            // Blended surfaces test against opaque depth but do not hide what
            // is drawn after them.
            depth_write_enabled: Some(!blend),
            depth_compare: Some(wgpu::CompareFunction::LessEqual),
            stencil: Default::default(),
            bias: Default::default(),
        }),
        multisample: wgpu::MultisampleState {
            count: msaa_samples,
            alpha_to_coverage_enabled: alpha_to_coverage,
            ..Default::default()
        },
        fragment: Some(wgpu::FragmentState {
            module,
            entry_point: Some(match key.alpha {
                AlphaKind::Opaque => "fs_opaque",
                AlphaKind::Mask => "fs_mask",
                AlphaKind::Blend => "fs_blend",
            }),
            compilation_options: wgpu::PipelineCompilationOptions {
                constants: &constants,
                ..Default::default()
            },
            targets: &[Some(wgpu::ColorTargetState {
                format: COLOR_FORMAT,
                blend: blend.then_some(BLEND_OVER),
                // The coverage alpha is not the frame's alpha, which stays opaque.
                write_mask: if alpha_to_coverage {
                    wgpu::ColorWrites::COLOR
                } else {
                    wgpu::ColorWrites::ALL
                },
            })],
        }),
        multiview_mask: None,
        cache: None,
    })
}
