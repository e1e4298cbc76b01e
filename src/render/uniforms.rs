//! `#[repr(C)]` mirrors of the uniform structs in shaders/mesh.wgsl (same
//! names, same field order; WGSL's vec4 alignment is why scalars come in fours).

use bytemuck::{Pod, Zeroable};

/// Mirrors `FrameUniforms` in shaders/mesh.wgsl.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub struct FrameUniforms {
    pub clip_from_world: [[f32; 4]; 4],
    pub camera_position: [f32; 4],
    pub world_up: [f32; 4],
    pub key_direction: [f32; 4],
    pub key_radiance: [f32; 4],
    pub fill_direction: [f32; 4],
    pub fill_radiance: [f32; 4],
    pub rim_direction: [f32; 4],
    pub rim_radiance: [f32; 4],
    pub sky_radiance: [f32; 4],
    pub ground_radiance: [f32; 4],
    pub light_clip_from_world: [[f32; 4]; 4],
    /// x = shadow texel size in uv, y = normal offset in metres, z = 1 when
    /// the shadow map is used.
    pub shadow_params: [f32; 4],
    /// x = 1 when masked materials use alpha to coverage.
    pub options: [f32; 4],
}

/// Mirrors `MaterialUniforms` in shaders/mesh.wgsl.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub struct MaterialUniforms {
    pub base_color_factor: [f32; 4],
    pub emissive_factor: [f32; 4],
    pub metallic_factor: f32,
    pub roughness_factor: f32,
    pub normal_scale: f32,
    pub occlusion_strength: f32,
    pub alpha_cutoff: f32,
    /// 0 = opaque, 1 = mask, 2 = blend.
    pub alpha_mode: u32,
    pub skin: f32,
    pub cavity_occlusion: f32,
    /// KHR_materials_anisotropy: strength, cos and sin of the rotation
    /// from the tangent, and one unused float.
    pub anisotropy: [f32; 4],
}

/// Mirrors `DrawUniforms` in shaders/mesh.wgsl.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub struct DrawUniforms {
    pub matrix_offset: u32,
    pub skinned: u32,
    pub mirror_sign: f32,
    pub _pad: f32,
}

/// Each draw's `DrawUniforms` sits at a multiple of this in one buffer, bound
/// with a dynamic offset (256 is the largest alignment any adapter requires).
pub const DRAW_UNIFORM_STRIDE: u64 = 256;
