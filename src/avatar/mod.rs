//! Avatars: glTF 2.0 / GLB / VRM files into an [`Avatar`], with no GPU.

mod model;

pub use model::*;
