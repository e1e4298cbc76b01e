//! The CPU-side avatar: what any loader (glTF, GLB, VRM, our own builder)
//! produces and what the renderer uploads. No GPU types here.
//!
//! Conventions: glTF's (right-handed, Y up, metres, +Z is the avatar's front
//! for VRM 1.0; glTF/Mixamo avatars usually face +Z too). Colours in
//! `base_color_factor` are linear; texture bytes are as stored (sRGB for base
//! colour and emissive, linear for normal and metallic-roughness maps).

use glam::{Mat4, Quat, Vec3};

/// One avatar ready to animate and render.
#[derive(Debug, Clone, Default)]
pub struct Avatar {
    /// Human-readable name (file stem or role name).
    pub name: String,
    pub nodes: Vec<Node>,
    /// Indices of nodes without a parent, in scene order.
    pub roots: Vec<usize>,
    pub meshes: Vec<Mesh>,
    pub skins: Vec<Skin>,
    pub materials: Vec<Material>,
    pub textures: Vec<Texture>,
    /// Named expressions (VRM 1.0 `VRMC_vrm.expressions`, VRM 0.x blend shape
    /// groups): a preset name such as `aa` or `blink` bound to morph targets.
    pub expressions: Vec<Expression>,
    /// Bones the animation drives, found by humanoid mapping or by name.
    pub humanoid: Humanoid,
    /// The file's glTF animations (idle loops, gestures such as `wave`).
    pub animations: Vec<super::clips::AnimationClip>,
}

/// A node of the scene graph with its rest (bind-pose) local transform.
#[derive(Debug, Clone)]
pub struct Node {
    pub name: String,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    pub translation: Vec3,
    pub rotation: Quat,
    pub scale: Vec3,
    pub mesh: Option<usize>,
    pub skin: Option<usize>,
}

impl Node {
    pub fn local_matrix(&self) -> Mat4 {
        Mat4::from_scale_rotation_translation(self.scale, self.rotation, self.translation)
    }
}

/// A mesh: primitives sharing one set of morph targets (glTF semantics).
#[derive(Debug, Clone, Default)]
pub struct Mesh {
    pub name: String,
    pub primitives: Vec<Primitive>,
    /// Morph target names (`mesh.extras.targetNames`), one per target; empty
    /// strings where the file gives none.
    pub morph_names: Vec<String>,
    /// `mesh.weights`, one per target (zeros when absent).
    pub default_weights: Vec<f32>,
}

impl Mesh {
    /// Index of the morph target called `name`, if this mesh has one.
    pub fn morph_index(&self, name: &str) -> Option<usize> {
        self.morph_names.iter().position(|n| n == name)
    }
}

/// Triangle list geometry with decoded (de-quantised, decompressed) attributes.
/// Every attribute vector has `positions.len()` entries.
#[derive(Debug, Clone, Default)]
pub struct Primitive {
    pub positions: Vec<[f32; 3]>,
    /// Generated (smooth, area-weighted) when the file has none.
    pub normals: Vec<[f32; 3]>,
    /// TEXCOORD_0; zeros when absent.
    pub uvs: Vec<[f32; 2]>,
    /// TANGENT (xyz, w = handedness) when the file has it.
    pub tangents: Option<Vec<[f32; 4]>>,
    /// JOINTS_0 (indices into the skin's joint list) and WEIGHTS_0 (sum 1).
    pub joints: Option<Vec<[u16; 4]>>,
    pub weights: Option<Vec<[f32; 4]>>,
    /// Triangle list indices (strips and fans are converted on load).
    pub indices: Vec<u32>,
    pub material: Option<usize>,
    /// One per morph target of the owning mesh, dense (one delta per vertex).
    pub targets: Vec<MorphTarget>,
}

/// Displacements of one morph target for one primitive.
#[derive(Debug, Clone, Default)]
pub struct MorphTarget {
    pub positions: Vec<[f32; 3]>,
    /// Normal deltas, when the file has them.
    pub normals: Option<Vec<[f32; 3]>>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AlphaMode {
    Opaque,
    /// Alpha test with this cutoff (hair cards, lashes).
    Mask(f32),
    /// Alpha blending, drawn after opaque geometry, back to front.
    Blend,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextureRef {
    /// Index into [`Avatar::textures`].
    pub texture: usize,
    /// Which TEXCOORD set; only 0 is rendered today.
    pub tex_coord: u32,
}

/// glTF metallic-roughness PBR material.
#[derive(Debug, Clone, PartialEq)]
pub struct Material {
    pub name: String,
    /// Linear RGBA.
    pub base_color_factor: [f32; 4],
    pub base_color_texture: Option<TextureRef>,
    pub metallic_factor: f32,
    pub roughness_factor: f32,
    /// G = roughness, B = metallic (glTF packing).
    pub metallic_roughness_texture: Option<TextureRef>,
    pub normal_texture: Option<TextureRef>,
    pub normal_scale: f32,
    pub occlusion_texture: Option<TextureRef>,
    pub emissive_factor: [f32; 3],
    pub emissive_texture: Option<TextureRef>,
    pub alpha_mode: AlphaMode,
    pub double_sided: bool,
    /// KHR_materials_anisotropy: highlights stretched along one direction
    /// of the surface (brushed metal, hair).
    pub anisotropy: Option<Anisotropy>,
}

/// An anisotropic specular lobe (KHR_materials_anisotropy): roughness is
/// raised towards 1 along a direction (the texture's, or the tangent)
/// turned `rotation` radians counter-clockwise, so highlights stretch
/// along it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Anisotropy {
    /// 0 (isotropic) ..= 1.
    pub strength: f32,
    pub rotation: f32,
    /// Per texel: RG the direction in tangent space (mapped from -1..1),
    /// B a factor on `strength`. Linear.
    pub texture: Option<TextureRef>,
}

impl Default for Material {
    fn default() -> Self {
        Material {
            name: String::new(),
            base_color_factor: [1.0; 4],
            base_color_texture: None,
            metallic_factor: 1.0,
            roughness_factor: 1.0,
            metallic_roughness_texture: None,
            normal_texture: None,
            normal_scale: 1.0,
            occlusion_texture: None,
            emissive_factor: [0.0; 3],
            emissive_texture: None,
            alpha_mode: AlphaMode::Opaque,
            double_sided: false,
            anisotropy: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WrapMode {
    #[default]
    Repeat,
    MirroredRepeat,
    ClampToEdge,
}

/// A decoded image (RGBA8, rows top to bottom) with its sampler.
#[derive(Debug, Clone, Default)]
pub struct Texture {
    pub name: String,
    pub width: u32,
    pub height: u32,
    pub rgba8: Vec<u8>,
    pub wrap_u: WrapMode,
    pub wrap_v: WrapMode,
    /// Nearest-neighbour magnification (pixel art); linear otherwise.
    pub nearest: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Skin {
    pub name: String,
    /// Node index of each joint.
    pub joints: Vec<usize>,
    /// One per joint; identity when the file gives none.
    pub inverse_bind_matrices: Vec<Mat4>,
}

/// A morph target binding of an expression.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorphBind {
    pub mesh: usize,
    pub target: usize,
    pub weight: f32,
}

/// A named expression, e.g. VRM's `aa` or `blinkLeft`.
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    pub name: String,
    pub binds: Vec<MorphBind>,
}

/// Node indices of the bones the animation drives. Any may be missing: a
/// head-only bust has no spine. Filled from VRM humanoid data when present,
/// otherwise by name (Mixamo `mixamorig:Head`, `Head`, `head`, `J_Bip_C_Head`, ...).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Humanoid {
    pub hips: Option<usize>,
    pub spine: Option<usize>,
    pub chest: Option<usize>,
    pub upper_chest: Option<usize>,
    pub neck: Option<usize>,
    pub head: Option<usize>,
    pub left_eye: Option<usize>,
    pub right_eye: Option<usize>,
    pub left_shoulder: Option<usize>,
    pub right_shoulder: Option<usize>,
    pub left_upper_arm: Option<usize>,
    pub right_upper_arm: Option<usize>,
}

/// Where the head and shoulders are, in world space at rest pose: what a
/// camera needs to frame a portrait. Computed from the skeleton when the
/// avatar has one, otherwise from mesh bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Framing {
    /// Centre of the head (between the ears, at eye height or a little above).
    pub head_center: Vec3,
    /// Half the head's height (chin to crown), metres.
    pub head_radius: f32,
    /// Midpoint between the shoulders.
    pub shoulder_center: Vec3,
    /// Distance between the shoulder joints (or the torso's width), metres.
    pub shoulder_width: f32,
    /// Unit vector the face looks along.
    pub forward: Vec3,
    /// Unit up vector of the avatar.
    pub up: Vec3,
}
