//! Stage 4: a posed [`Avatar`](crate::avatar::Avatar) into RGBA pixels,
//! offscreen, with wgpu. The only module that uses wgpu.
//!
//! ```no_run
//! # use avatarcast::render::*;
//! # fn demo(avatar: &avatarcast::avatar::Avatar, framing: &avatarcast::avatar::Framing) -> Result<(), RenderError> {
//! let mut renderer = Renderer::new(RenderSettings::default())?;
//! let mut gpu_avatar = renderer.upload(avatar)?;
//! let pose = avatarcast::animation::AvatarPose::rest(avatar);
//! let camera = Camera::portrait(framing, 1.0, 0.0);
//! let frame = renderer.render(&mut gpu_avatar, &pose, &camera)?;
//! assert_eq!(frame.rgba.len(), (frame.width * frame.height * 4) as usize);
//! # Ok(()) }
//! ```
//!
//! Per frame the CPU computes node and joint matrices and the list of active
//! morph targets; the GPU evaluates morph targets in a compute pass
//! (shaders/morph.wgsl), renders the key light's shadow map, skins in the
//! vertex shader and shades under studio lighting (shaders/mesh.wgsl: glTF
//! metallic-roughness, GGX, wrapped diffuse on skin, Khronos PBR Neutral
//! tone mapping into an sRGB target), then copies the frame into a ring of
//! readback buffers so that the next frame renders while this one maps.
//!
//! Lights follow the camera (`lighting.rs`): key 35° to the side and 30° up
//! with a soft shadow, fill from the other side, rim from behind, sky/ground
//! ambient. Output is deterministic: the same input gives the same bytes on
//! the same adapter (no temporal noise, draw order fixed).

mod background;
mod camera;
mod culling;
mod device;
mod draw;
mod lanes;
mod lighting;
mod material;
mod morph;
mod packed_maps;
mod pipelines;
mod pose_check;
mod readback;
mod renderer;
mod shadow;
mod shadow_proxy;
mod skinning;
mod tangents;
mod textures;
mod uniforms;
mod upload;
mod upload_cache;

pub use camera::Camera;
pub use lanes::{RenderLanes, cpu_lanes_wanted, lavapipe_threads_per_lane};
pub use morph::morph_region;
pub use renderer::Renderer;
pub use upload::GpuAvatar;
pub use upload_cache::UploadCache;

/// How and how big to render.
#[derive(Debug, Clone)]
pub struct RenderSettings {
    pub width: u32,
    pub height: u32,
    /// 1 or 4 (the only counts every adapter supports for sRGB targets).
    pub msaa_samples: u32,
    pub background: Background,
}

impl Default for RenderSettings {
    fn default() -> Self {
        RenderSettings {
            width: 512,
            height: 512,
            msaa_samples: 4,
            background: Background::default(),
        }
    }
}

/// What is behind the avatar.
#[derive(Debug, Clone)]
pub enum Background {
    /// A flat sRGB colour; these exact bytes appear where no geometry is.
    Color([u8; 3]),
    /// An sRGB image, scaled to cover the frame (cropped, never stretched).
    Image(image::RgbaImage),
}

impl Default for Background {
    fn default() -> Self {
        // A soft studio grey-blue that neither skin nor dark clothes vanish into.
        Background::Color([0x4a, 0x55, 0x63])
    }
}

/// One rendered frame: tightly packed sRGB RGBA8, top row first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFrame {
    /// The caller's tag given to [`Renderer::submit`] (0 for [`Renderer::render`]).
    pub tag: u64,
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(
        "no usable GPU adapter found{detail}; install a Vulkan driver (Mesa lavapipe, package \
         mesa-vulkan-drivers, works without a GPU) or unset AVATARCAST_ADAPTER"
    )]
    NoAdapter { detail: String },
    #[error(
        "could not open the GPU device ({0}); update the graphics driver or try AVATARCAST_ADAPTER=cpu"
    )]
    RequestDevice(String),
    #[error(
        "render settings are invalid: {0}; use a non-zero size within the adapter's limits and \
         msaa_samples 1 or 4"
    )]
    InvalidSettings(String),
    #[error("avatar cannot be uploaded: {0}; fix or re-export the avatar file")]
    InvalidAvatar(String),
    #[error(
        "pose does not fit the avatar: {0}; build the pose with AvatarPose::rest(avatar) or the \
         animation stage for this avatar"
    )]
    InvalidPose(String),
    #[error("this GpuAvatar was uploaded by another Renderer; upload it again with this one")]
    ForeignAvatar,
    #[error(
        "the GPU reported an error: {0}; this is a bug in avatarcast's renderer, please report it"
    )]
    Gpu(String),
    #[error("the GPU device was lost ({0}); create a new Renderer")]
    DeviceLost(String),
    #[error("reading the frame back from the GPU failed: {0}; create a new Renderer")]
    Readback(String),
}
