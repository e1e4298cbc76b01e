//! Avatars: glTF 2.0 / GLB / VRM files into an [`Avatar`], with no GPU.
//!
//! [`Avatar::load`] reads `.glb`, `.vrm` (VRM 1.0 and 0.x) and `.gltf` files,
//! including KHR_mesh_quantization, EXT_meshopt_compression,
//! EXT_texture_webp, KHR_materials_emissive_strength and
//! KHR_materials_anisotropy. VRM 0.x avatars are turned to face +Z like all others.
//!
//! ```no_run
//! use avatarcast::avatar::Avatar;
//! # fn main() -> Result<(), avatarcast::avatar::AvatarError> {
//! let (avatar, warnings) = Avatar::load_with_warnings("avatars/me.vrm".as_ref())?;
//! for w in &warnings {
//!     eprintln!("warning: {w}");
//! }
//! // Drive a morph on every mesh that has it: face, teeth and tongue.
//! let jaw = avatar.morph_targets_named("jawOpen");
//! let framing = avatar.framing(); // where a portrait camera should look
//! # let _ = (jaw, framing);
//! # Ok(())
//! # }
//! ```
//!
//! Geometry is decoded on the CPU: quantised attributes become `f32`, every
//! morph target is dense per primitive, strips and fans become lists. Skinned
//! meshes render as `world[mesh_node] * joint_matrices(..)[j] * position`.

mod accessor;
mod buffers;
mod clips;
mod describe;
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

pub use clips::{AnimationClip, ClipChannel, ClipProperty, Interpolation};
pub use describe::describe;
pub use error::{AvatarError, AvatarWarning};
pub use glb::build_glb;
pub use humanoid::normalize_bone_name;
pub use model::*;
