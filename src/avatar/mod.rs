//! Avatars: glTF 2.0 / GLB / VRM files into an [`Avatar`], with no GPU.
//!
//! [`Avatar::load`] reads `.glb`, `.vrm` (VRM 1.0 and 0.x) and `.gltf` files,
//! including KHR_mesh_quantization, EXT_meshopt_compression and
//! EXT_texture_webp. VRM 0.x avatars are turned to face +Z like all others.

mod accessor;
mod buffers;
mod error;
mod framing;
mod glb;
mod humanoid;
mod images;
mod load;
mod materials;
mod mesh;
mod meshopt;
mod model;
mod skeleton;
mod summary;
mod uri;
mod vrm;

pub use error::{AvatarError, AvatarWarning};
pub use glb::build_glb;
pub use humanoid::normalize_bone_name;
pub use model::*;
