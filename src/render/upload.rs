//! An [`Avatar`] on the GPU: vertex, index, morph and material buffers owned
//! by a [`GpuAvatar`] (dropping it frees them), plus the CPU-side skeleton
//! the renderer poses every frame.

use bytemuck::{Pod, Zeroable};
use glam::Vec3;
use wgpu::util::DeviceExt;

use std::ops::Range;

use super::culling::{PrimitiveBounds, cluster_triangles, morph_reach};
use super::material::GpuMaterial;
use super::morph::MorphResources;
use super::pipelines::AlphaKind;
use super::pipelines::{PipelineKey, Pipelines};
use super::shadow_proxy::simplify_clusters;
use super::skinning::Skeleton;
use super::tangents::generate_tangents;
use super::uniforms::{DRAW_UNIFORM_STRIDE, DrawUniforms};
use crate::avatar::{Avatar, Primitive};

/// Mirrors `MorphedVertex` in shaders/morph.wgsl: vertex buffer 0 of the draw.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub struct GpuVertex {
    pub position: [f32; 4],
    pub normal: [f32; 4],
}
pub const GPU_VERTEX_STRIDE: u64 = size_of::<GpuVertex>() as u64;

/// Attributes morphing does not touch: vertex buffer 1 of the draw.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub struct StaticVertex {
    pub uv: [f32; 2],
    pub tangent: [f32; 4],
    pub joints: [u16; 4],
    pub weights: [f32; 4],
}
pub const STATIC_VERTEX_STRIDE: u64 = size_of::<StaticVertex>() as u64;

pub struct GpuPrimitive {
    pub mesh: usize,
    pub base_vertices: wgpu::Buffer,
    pub static_vertices: wgpu::Buffer,
    pub indices: wgpu::Buffer,
    /// Index ranges of the triangle clusters (see `culling::cluster_triangles`).
    pub clusters: Vec<Range<u32>>,
    /// Opaque primitives cast their shadow with coarser triangles over the
    /// same vertices: an index buffer and its clusters, parallel to
    /// `clusters` (see `shadow_proxy`).
    pub shadow_proxy: Option<(wgpu::Buffer, Vec<Range<u32>>)>,
    pub morph: Option<MorphResources>,
    pub material: usize,
    /// Centre of the bounding box in the primitive's own space, for sorting
    /// blended primitives.
    pub local_center: Vec3,
}

impl GpuPrimitive {
    /// The buffer holding this frame's positions and normals.
    pub fn vertices(&self) -> &wgpu::Buffer {
        match &self.morph {
            Some(morph) if morph.active_count > 0 => &morph.morphed,
            _ => &self.base_vertices,
        }
    }
}

/// One primitive drawn by one node.
pub struct DrawItem {
    pub primitive: usize,
    pub node: usize,
    pub skinned: bool,
    pub key: PipelineKey,
    pub uniform_offset: u32,
    /// Index of the draw's first matrix in the frame's matrix list (the
    /// skin's first joint matrix, or the node's world matrix).
    pub matrix_offset: u32,
    /// For frustum culling, per cluster of the primitive: boxes the draw's
    /// matrices carry into world space.
    pub cluster_bounds: Vec<PrimitiveBounds>,
}

/// An avatar uploaded by [`Renderer::upload`](super::Renderer::upload).
pub struct GpuAvatar {
    pub(super) renderer_id: u64,
    pub(super) skeleton: Skeleton,
    pub(super) mesh_target_counts: Vec<usize>,
    pub(super) primitives: Vec<GpuPrimitive>,
    pub(super) materials: Vec<GpuMaterial>,
    pub(super) draws: Vec<DrawItem>,
    /// Per node its world matrix, then per skin its joint matrices.
    pub(super) matrices: wgpu::Buffer,
    pub(super) draw_bind_group: wgpu::BindGroup,
}

fn check_primitive(p: &Primitive, joint_count: Option<usize>) -> Result<(), String> {
    let n = p.positions.len();
    let lengths_ok = p.normals.len() == n
        && p.uvs.len() == n
        && p.tangents.as_ref().is_none_or(|t| t.len() == n)
        && p.joints.as_ref().is_none_or(|j| j.len() == n)
        && p.weights.as_ref().is_none_or(|w| w.len() == n);
    if !lengths_ok {
        return Err(format!(
            "a primitive's attributes do not all have {n} entries"
        ));
    }
    if p.indices.len() % 3 != 0 {
        return Err(format!(
            "a primitive has {} indices, not a multiple of 3",
            p.indices.len()
        ));
    }
    if let Some(bad) = p.indices.iter().find(|&&i| i as usize >= n) {
        return Err(format!("index {bad} is out of range for {n} vertices"));
    }
    if let (Some(joints), Some(count)) = (&p.joints, joint_count)
        && let Some(bad) = joints.iter().flatten().find(|&&j| j as usize >= count)
    {
        return Err(format!(
            "joint index {bad} is out of range for a skin of {count} joints"
        ));
    }
    Ok(())
}

fn vertex_data(p: &Primitive, needs_tangents: bool) -> (Vec<GpuVertex>, Vec<StaticVertex>) {
    let n = p.positions.len();
    let generated;
    let tangents: &[[f32; 4]] = match (&p.tangents, needs_tangents) {
        (Some(t), _) => t,
        (None, true) => {
            generated = generate_tangents(&p.positions, &p.normals, &p.uvs, &p.indices);
            &generated
        }
        (None, false) => &[],
    };
    let gpu = (0..n)
        .map(|i| {
            let [x, y, z] = p.positions[i];
            let [nx, ny, nz] = p.normals[i];
            GpuVertex {
                position: [x, y, z, 1.0],
                normal: [nx, ny, nz, 0.0],
            }
        })
        .collect();
    let fixed = (0..n)
        .map(|i| StaticVertex {
            uv: p.uvs[i],
            tangent: tangents.get(i).copied().unwrap_or([0.0; 4]),
            joints: p.joints.as_ref().map_or([0; 4], |j| j[i]),
            weights: p.weights.as_ref().map_or([0.0; 4], |w| w[i]),
        })
        .collect();
    (gpu, fixed)
}

fn local_center(positions: &[[f32; 3]]) -> Vec3 {
    let (min, max) = positions.iter().fold(
        (Vec3::splat(f32::MAX), Vec3::splat(f32::MIN)),
        |(lo, hi), &p| (lo.min(p.into()), hi.max(p.into())),
    );
    if positions.is_empty() {
        Vec3::ZERO
    } else {
        0.5 * (min + max)
    }
}

pub struct UploadContext<'a> {
    pub device: &'a wgpu::Device,
    pub pipelines: &'a Pipelines,
    pub renderer_id: u64,
}

/// Builds the GPU buffers; `materials` are already uploaded (the default
/// material last).
pub fn upload_geometry(
    cx: &UploadContext<'_>,
    avatar: &Avatar,
    materials: Vec<GpuMaterial>,
    material_needs_tangents: &[bool],
) -> Result<GpuAvatar, String> {
    let device = cx.device;
    let default_material = materials.len() - 1;
    let max_binding = device.limits().max_storage_buffer_binding_size;

    // Primitives once per mesh; nodes reference them.
    let mut primitives = Vec::new();
    // Per primitive, its indices in cluster order (what the index buffer holds).
    let mut clustered_indices: Vec<Vec<u32>> = Vec::new();
    let mut first_primitive = Vec::with_capacity(avatar.meshes.len());
    for (mesh_index, mesh) in avatar.meshes.iter().enumerate() {
        first_primitive.push(primitives.len());
        // Joint indices must be valid in every skin that draws this mesh.
        let joint_count = avatar
            .nodes
            .iter()
            .filter(|n| n.mesh == Some(mesh_index))
            .filter_map(|n| n.skin.and_then(|s| avatar.skins.get(s)))
            .map(|s| s.joints.len())
            .min();
        for p in &mesh.primitives {
            check_primitive(p, joint_count).map_err(|e| format!("mesh {:?}: {e}", mesh.name))?;
            let material = match p.material {
                Some(m) if m < default_material => m,
                Some(m) => return Err(format!("mesh {:?} uses missing material {m}", mesh.name)),
                None => default_material,
            };
            let (gpu, fixed) = vertex_data(p, material_needs_tangents[material]);
            let usage = wgpu::BufferUsages::VERTEX;
            let base_vertices = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("rest vertices"),
                contents: bytemuck::cast_slice(&gpu),
                usage: usage | wgpu::BufferUsages::STORAGE,
            });
            let static_vertices = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("static vertex attributes"),
                contents: bytemuck::cast_slice(&fixed),
                usage,
            });
            let keep_order = materials[material].alpha == AlphaKind::Blend;
            let (clustered, clusters) = cluster_triangles(p, keep_order);
            let indices = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("indices"),
                contents: bytemuck::cast_slice(&clustered),
                usage: wgpu::BufferUsages::INDEX,
            });
            let shadow_proxy = (materials[material].alpha == AlphaKind::Opaque).then(|| {
                let (proxy, ranges) = simplify_clusters(p, &clustered, &clusters);
                let buffer = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some("shadow proxy indices"),
                    contents: bytemuck::cast_slice(&proxy),
                    usage: wgpu::BufferUsages::INDEX,
                });
                (buffer, ranges)
            });
            let morph = MorphResources::new(
                device,
                &cx.pipelines.morph_layout,
                p,
                &base_vertices,
                bytemuck::cast_slice(&gpu),
                max_binding,
            )
            .map_err(|e| format!("mesh {:?}: {e}", mesh.name))?;
            primitives.push(GpuPrimitive {
                mesh: mesh_index,
                base_vertices,
                static_vertices,
                indices,
                clusters,
                shadow_proxy,
                morph,
                material,
                local_center: local_center(&p.positions),
            });
            clustered_indices.push(clustered);
        }
    }

    let skeleton = Skeleton::new(avatar);
    let (rest_world, rest_matrices) = skeleton.matrices(&[]);
    let skin_offsets = skeleton.skin_offsets();
    let matrix_count = rest_matrices.len() as u32;

    let mut draws = Vec::new();
    for (node_index, node) in avatar.nodes.iter().enumerate() {
        let Some(mesh_index) = node.mesh else {
            continue;
        };
        let mesh = avatar
            .meshes
            .get(mesh_index)
            .ok_or_else(|| format!("node {:?} uses missing mesh {mesh_index}", node.name))?;
        let skin = node.skin.filter(|&s| s < avatar.skins.len());
        for (k, p) in mesh.primitives.iter().enumerate() {
            if p.indices.is_empty() {
                continue;
            }
            let primitive = first_primitive[mesh_index] + k;
            let skinned = skin.is_some() && p.joints.is_some() && p.weights.is_some();
            let material = &materials[primitives[primitive].material];
            let matrix_offset = match (skinned, skin) {
                (true, Some(skin)) => skin_offsets[skin],
                _ => node_index as u32,
            };
            draws.push(DrawItem {
                primitive,
                node: node_index,
                skinned,
                matrix_offset,
                cluster_bounds: cluster_bounds(
                    p,
                    skinned,
                    &clustered_indices[primitive],
                    &primitives[primitive].clusters,
                ),
                key: PipelineKey {
                    alpha: material.alpha,
                    double_sided: material.double_sided,
                    // Skinned vertices ignore the node transform (glTF).
                    mirrored: !skinned && rest_world[node_index].determinant() < 0.0,
                    features: material.features,
                },
                uniform_offset: (draws.len() as u64 * DRAW_UNIFORM_STRIDE) as u32,
            });
        }
    }

    let mut draw_bytes = vec![0u8; (draws.len().max(1) as u64 * DRAW_UNIFORM_STRIDE) as usize];
    for draw in &draws {
        let uniforms = DrawUniforms {
            matrix_offset: draw.matrix_offset,
            skinned: draw.skinned as u32,
            mirror_sign: if draw.key.mirrored { -1.0 } else { 1.0 },
            _pad: 0.0,
        };
        let at = draw.uniform_offset as usize;
        draw_bytes[at..at + size_of::<DrawUniforms>()]
            .copy_from_slice(bytemuck::bytes_of(&uniforms));
    }
    let draw_uniforms = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("draw uniforms"),
        contents: &draw_bytes,
        usage: wgpu::BufferUsages::UNIFORM,
    });
    let matrices = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("node and joint matrices"),
        size: matrix_count.max(1) as u64 * 64,
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let draw_bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("draw"),
        layout: &cx.pipelines.draw_layout,
        entries: &[
            wgpu::BindGroupEntry {
                binding: 0,
                resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                    buffer: &draw_uniforms,
                    offset: 0,
                    size: wgpu::BufferSize::new(size_of::<DrawUniforms>() as u64),
                }),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: matrices.as_entire_binding(),
            },
        ],
    });

    Ok(GpuAvatar {
        renderer_id: cx.renderer_id,
        skeleton,
        mesh_target_counts: avatar
            .meshes
            .iter()
            .map(|m| {
                m.morph_names.len().max(
                    m.primitives
                        .iter()
                        .map(|p| p.targets.len())
                        .max()
                        .unwrap_or(0),
                )
            })
            .collect(),
        primitives,
        materials,
        draws,
        matrices,
        draw_bind_group,
    })
}

/// Bounds of each cluster of `p` (ranges of `indices`) for culling.
fn cluster_bounds(
    p: &Primitive,
    skinned: bool,
    indices: &[u32],
    clusters: &[Range<u32>],
) -> Vec<PrimitiveBounds> {
    let reach = morph_reach(p);
    clusters
        .iter()
        .map(|r| {
            let vertices = indices.get(r.start as usize..r.end as usize).unwrap_or(&[]);
            PrimitiveBounds::of_vertices(p, skinned, vertices, &reach)
        })
        .collect()
}
