//! Assembles one role: shaped body, garments, hair, face parts, textures,
//! materials, skeleton and skin into a glTF document.

use glam::Vec3;
use serde_json::{Value, json};

use super::badge::{bake_badge, name_badge};
use super::clothes::dress;
use super::data::BaseData;
use super::doc::Doc;
use super::encode::{jpeg, png};
use super::eye_tex::{bake_eyes, bake_lashes, fit_uvs};
use super::fabric::bake_weave;
use super::hair::{Haircut, hair_shell, leave_out_hidden_scalp};
use super::hair_split::{add_back_faces, split_opaque};
use super::hair_tex::{HairLook, bake_hair, bake_strand_directions};
use super::lash_line::LashLine;
use super::mouth::{bake_cavity, mouth_cavity};
use super::obj::ObjFace;
use super::part::Part;
use super::placket::{bake_placket, placket};
use super::raster::Canvas;
use super::regions::{Head, apply_neckline, cover_by_vertex};
use super::role::RoleSpec;
use super::shaped::{RestFace, Shaped};
use super::skeleton::{Skeleton, skin_weights};
use super::subdivide::{bends, subdivide_where};
use super::target::Target;
use super::teeth::{bake_teeth, dentition};
use super::{BUILDER_VERSION, BuildError, skin_tex};

/// Texture sizes in texels: skin colour, skin roughness, skin normal, eyes,
/// lashes, hair, weave, hair normal, teeth and gums, name badge, placket,
/// mouth pocket, hair strand directions.
const SIZES: [u32; 13] = [
    2048, 512, 2048, 256, 256, 1024, 128, 1024, 64, 128, 128, 32, 512,
];

/// Head triangles whose corner normals are further apart than this cosine
/// (~20°) show as facets on a silhouette at portrait size.
const FACETED_MAX_COS: f32 = 0.94;

/// Straight hair's specular lobe (KHR_materials_anisotropy): its roughness
/// along the strands, and how far it rises towards 1 across them. (At 0.3
/// the key drew a bright grey streak along the parting, read as grey hair.)
const HAIR_ROUGHNESS_ALONG_STRANDS: f64 = 0.38;
const HAIR_ANISOTROPY: f64 = 0.9;

/// A triangle whose mean normal points at most this much (cosine) along the
/// avatar's facing is near the silhouette from the front and three-quarter
/// views.
const SILHOUETTE_MAX_FACING: f32 = 0.6;

/// Summary numbers a caller may print or record (role.toml).
#[derive(Debug, Clone, Default)]
pub struct BuildStats {
    pub vertices: usize,
    pub triangles: usize,
    pub morph_targets: usize,
    pub joints: usize,
    pub head_center: [f32; 3],
    pub head_radius: f32,
    pub eye_height: f32,
    pub shoulder_center: [f32; 3],
    pub shoulder_width: f32,
    pub height: f32,
    /// Head triangles split in four by the smoothing subdivision.
    pub head_triangles_subdivided: usize,
}

pub struct Built {
    pub json: Value,
    pub bin: Vec<u8>,
    pub stats: BuildStats,
}

fn faces_in<'a>(
    shaped: &'a Shaped,
    base: &BaseData,
    groups: &[&str],
) -> impl Iterator<Item = &'a ObjFace> {
    let ids: Vec<u16> = groups
        .iter()
        .filter_map(|g| base.obj.group_index(g))
        .collect();
    shaped.faces.iter().filter(move |f| ids.contains(&f.group))
}

fn linear4(rgb: [f32; 3]) -> [f32; 4] {
    [rgb[0], rgb[1], rgb[2], 1.0]
}

pub fn assemble(
    base: &BaseData,
    macro_targets: &[(Target, f32)],
    role: &RoleSpec,
) -> Result<Built, BuildError> {
    let shaped = Shaped::new(
        base,
        macro_targets,
        RestFace {
            smile: role.rest_smile,
            upper_lids: role.rest_upper_lids,
        },
    );
    let skeleton = Skeleton::new(base, &shaped);
    let influences = skin_weights(base, &skeleton, &shaped.positions);
    let mut head = Head::new(base, &shaped, &skeleton, &influences);
    head.style = role.hair_style();
    let male = role.gender;

    let full_body = Part::from_faces(
        "body",
        &shaped,
        &base.obj,
        faces_in(&shaped, base, &["body"]),
    );
    let neck = skeleton
        .index("mixamorig:Neck")
        .map(|i| skeleton.heads[i])
        .unwrap_or(head.center - Vec3::Y * 0.15);
    let mut cover = cover_by_vertex(&skeleton, &influences);
    apply_neckline(&mut cover, &shaped.positions, neck);
    let uniform = dress(&full_body, &cover, neck);
    let hair = hair_shell(
        &full_body,
        &head,
        &base.masks,
        male,
        Haircut {
            volume_m: role.hair_volume_mm / 1000.0,
            length_m: role.hair_length_mm / 1000.0,
            bun_m: role.hair_bun_mm / 1000.0,
        },
    );
    let mut body = uniform.body;
    body.compact();
    body.tangents = true;

    let mut eyes = Part::from_faces(
        "eyes",
        &shaped,
        &base.obj,
        faces_in(&shaped, base, &["helper-l-eye", "helper-r-eye"]),
    );
    fit_uvs(&mut eyes);
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
        faces_in(&shaped, base, &lash_groups),
    );
    fit_uvs(&mut lashes);
    let helper_teeth = |group: &str| {
        Part::from_faces(
            "teeth",
            &shaped,
            &base.obj,
            faces_in(&shaped, base, &[group]),
        )
    };
    let (upper_helper, lower_helper) = (
        helper_teeth("helper-upper-teeth"),
        helper_teeth("helper-lower-teeth"),
    );
    let mut teeth = dentition(&upper_helper, &lower_helper);
    let mut tongue = Part::from_faces(
        "tongue",
        &shaped,
        &base.obj,
        faces_in(&shaped, base, &["helper-tongue"]),
    );

    let mut doc = Doc::default();
    // Skin.
    let skin_maps = skin_tex::bake(
        &body,
        &head,
        &base.masks,
        &LashLine::new(&lashes, &head),
        role,
        [SIZES[0], SIZES[1], SIZES[2]],
    );
    let base_tex = doc.texture(
        "skin_base_color",
        &jpeg(
            "skin colour",
            &skin_maps.base_color.to_u8(&[true; 3]),
            SIZES[0],
            90,
        )?,
        "image/jpeg",
    );
    let rough_tex = doc.texture(
        "skin_roughness",
        &png(
            "skin roughness",
            &skin_maps.roughness.to_u8(&[false; 3]),
            SIZES[1],
            3,
        )?,
        "image/png",
    );
    let normal_tex = doc.texture(
        "skin_normal",
        &jpeg(
            "skin normal",
            &skin_maps.normal.to_u8(&[false; 3]),
            SIZES[2],
            92,
        )?,
        "image/jpeg",
    );
    body.material = doc.material(json!({
        "name": "skin",
        "pbrMetallicRoughness": {"baseColorTexture": {"index": base_tex}, "metallicFactor": 0.0,
            "roughnessFactor": 1.0, "metallicRoughnessTexture": {"index": rough_tex}},
        "normalTexture": {"index": normal_tex, "scale": 0.3}
    }));
    // Eyes and lashes.
    let eye_map = bake_eyes(&eyes, &head, role.eye_color.linear(), SIZES[3]);
    let eye_tex = doc.texture(
        "eyes",
        &png("eyes", &eye_map.to_u8(&[true; 3]), SIZES[3], 3)?,
        "image/png",
    );
    // The key light is a softbox, not a point: its reflection in the
    // cornea is a visible spot. At roughness 0.05 the directional key's
    // highlight was under a pixel in a portrait, and the eyes looked dead.
    eyes.material = doc.material(json!({"name": "eyes", "pbrMetallicRoughness": {
        "baseColorTexture": {"index": eye_tex}, "metallicFactor": 0.0, "roughnessFactor": 0.12}}));
    let lash_map = bake_lashes(&lashes, &head, role.hair_color.linear(), male, SIZES[4]);
    let lash_tex = doc.texture(
        "eyelashes",
        &png(
            "lashes",
            &lash_map.to_u8(&[true, true, true, false]),
            SIZES[4],
            4,
        )?,
        "image/png",
    );
    lashes.material = doc.material(json!({"name": "eyelashes", "alphaMode": "MASK", "alphaCutoff": 0.5, "doubleSided": true,
        "pbrMetallicRoughness": {"baseColorTexture": {"index": lash_tex}, "metallicFactor": 0.0, "roughnessFactor": 0.7}}));
    tongue.untextured = true;
    teeth.material = painted_material(&mut doc, "teeth", &bake_teeth(SIZES[8]), 0.3)?;
    tongue.material = doc.material(json!({"name": "tongue", "pbrMetallicRoughness": {
        "baseColorFactor": [0.42, 0.12, 0.12, 1.0], "metallicFactor": 0.0, "roughnessFactor": 0.4}}));
    let mut mouth = mouth_cavity(&upper_helper, &lower_helper, &tongue);
    // Named as a mouth interior so the renderer shades it as one (lips and
    // cheeks keep most light out); deep red, not black, as the palate and
    // cheeks read in a lit open mouth, darkening towards the throat.
    mouth.material = painted_material(&mut doc, "mouth_inner", &bake_cavity(SIZES[11]), 0.8)?;
    // Uniform.
    let weave = bake_weave(SIZES[6]);
    let weave_tex = doc.texture(
        "fabric_normal",
        &png("fabric", &weave.to_u8(&[false; 3]), SIZES[6], 3)?,
        "image/png",
    );
    let cloth = |doc: &mut Doc, name: &str, rgb: [f32; 3], roughness: f32, normal: bool| {
        let mut m = json!({"name": name, "doubleSided": true, "pbrMetallicRoughness": {
            "baseColorFactor": linear4(rgb), "metallicFactor": 0.0, "roughnessFactor": roughness}});
        if normal {
            m["normalTexture"] = json!({"index": weave_tex, "scale": 0.6});
        }
        doc.material(m)
    };
    let (mut shirt, mut trousers, mut shoes) = (uniform.shirt, uniform.trousers, uniform.shoes);
    shirt.material = cloth(&mut doc, "uniform", role.uniform_color.linear(), 0.8, true);
    shirt.tangents = true;
    trousers.material = cloth(
        &mut doc,
        "trousers",
        role.trousers_color.linear(),
        0.75,
        true,
    );
    trousers.tangents = true;
    shoes.untextured = true;
    shoes.material = cloth(&mut doc, "shoes", [0.02, 0.018, 0.018], 0.35, false);

    if hair.is_some() {
        leave_out_hidden_scalp(&mut body, &head, male);
    }

    // One smooth subdivision level on the head, after the skin maps are
    // baked from the base mesh, so that jaw, chin, nose and ears have curved
    // silhouettes at portrait size. Only where it shows, since every
    // triangle costs render time: triangles that bend (corner normals over
    // ~20° apart) and turn away from the camera (the silhouette from the
    // front and three-quarter views), between the base of the neck (below,
    // the uniform) and the brows (above, the hair).
    let top = head.eye_y() + 0.03;
    let stats_refined = subdivide_where(&mut body, |part, t| {
        let facing: Vec3 = t.iter().map(|&v| part.normals[v as usize]).sum();
        t.iter()
            .all(|&v| (neck.y..=top).contains(&part.positions[v as usize].y))
            && facing.normalize_or_zero().z.abs() <= SILHOUETTE_MAX_FACING
            && bends(part, t, FACETED_MAX_COS)
    });
    let badge = name_badge(&shirt, neck);
    let strip = placket(&shirt, neck);
    // Draw order is mesh order, and the renderer does not sort opaque
    // meshes: clothes go before the hair so the depth test rejects the
    // hair hidden behind the collar and shoulders before it is shaded.
    let mut parts: Vec<(Part, bool)> = vec![
        (body, true),
        (eyes, false),
        (lashes, false),
        (teeth, false),
        (tongue, false),
        (mouth, false),
        (shirt, false),
        (trousers, false),
        (shoes, false),
    ];
    if let Some(hair_mesh) = hair {
        let look = HairLook {
            colour: role.hair_color.linear(),
            coil: if head.style.combed() { 0.0 } else { 1.0 },
            male,
        };
        let maps = bake_hair(
            &hair_mesh,
            &head,
            &look,
            &skin_maps.base_color,
            [SIZES[5], SIZES[7]],
        );
        let mut hair_part = hair_mesh.part.clone();
        // Only where the hair's inside can be seen: most of the cap's
        // inside faces the scalp.
        add_back_faces(&mut hair_part, |v| hair_mesh.inside_shows(v, &head, male));
        let (mut bulk, mut fringe) = split_opaque(&hair_part, &maps.colour);
        let tex = doc.texture(
            "hair",
            &png(
                "hair",
                &maps.colour.to_u8(&[true, true, true, false]),
                SIZES[5],
                4,
            )?,
            "image/png",
        );
        let mut pbr = json!({"baseColorTexture": {"index": tex}, "metallicFactor": 0.0,
            "roughnessFactor": 0.65});
        let mut bulk_material = json!({"name": "hair", "pbrMetallicRoughness": pbr});
        // Straight locks get their relief from the baked shading alone; a
        // coiled crop needs the bumps of its coils to catch the key light.
        if look.coil > 0.5 {
            let normal_tex = doc.texture(
                "hair_normal",
                &jpeg("hair normal", &maps.normal.to_u8(&[false; 3]), SIZES[7], 90)?,
                "image/jpeg",
            );
            pbr["roughnessFactor"] = json!(0.75);
            bulk_material["pbrMetallicRoughness"] = pbr.clone();
            bulk_material["normalTexture"] = json!({"index": normal_tex, "scale": 0.45});
            bulk.tangents = true;
            fringe.tangents = true;
        } else {
            // Straight strands reflect the key in a band across them, not
            // a round spot: an anisotropic lobe, glossy along the strands
            // and rough across them (the texture holds the strands'
            // direction, turned a quarter turn to run across them).
            let directions = bake_strand_directions(&hair_mesh, &head, SIZES[12]);
            let directions_tex = doc.texture(
                "hair_strands",
                &png("hair strands", &directions.to_u8(&[false; 3]), SIZES[12], 3)?,
                "image/png",
            );
            pbr["roughnessFactor"] = json!(HAIR_ROUGHNESS_ALONG_STRANDS);
            bulk_material["pbrMetallicRoughness"] = pbr.clone();
            bulk_material["extensions"] = json!({"KHR_materials_anisotropy": {
                "anisotropyStrength": HAIR_ANISOTROPY,
                "anisotropyRotation": std::f64::consts::FRAC_PI_2,
                "anisotropyTexture": {"index": directions_tex}}});
            bulk.tangents = true;
            fringe.tangents = true;
        }
        let mut fringe_material = bulk_material.clone();
        fringe_material["name"] = json!("hair_fringe");
        fringe_material["alphaMode"] = json!("MASK");
        fringe_material["alphaCutoff"] = json!(0.5);
        bulk.rigid = true;
        fringe.rigid = true;
        bulk.material = doc.material(bulk_material);
        fringe.material = doc.material(fringe_material);
        parts.push((bulk, false));
        parts.push((fringe, false));
    }
    let uniform_colour = role.uniform_color.linear();
    if let Some(mut badge) = badge {
        let print = bake_badge(SIZES[9], uniform_colour);
        badge.material = painted_material(&mut doc, "badge", &print, 0.45)?;
        parts.push((badge, false));
    }
    if let Some(mut strip) = strip {
        let face = bake_placket(SIZES[10], uniform_colour);
        strip.material = painted_material(&mut doc, "placket", &face, 0.8)?;
        parts.push((strip, false));
    }

    let mut stats = BuildStats {
        head_triangles_subdivided: stats_refined.refined,
        ..BuildStats::default()
    };
    let mut scene_nodes = Vec::new();
    for (part, all_morphs) in &parts {
        if part.indices.is_empty() {
            continue;
        }
        let mesh = part.add_to(&mut doc, &shaped, &influences, *all_morphs);
        stats.vertices += part.positions.len();
        stats.triangles += part.triangle_count();
        stats.morph_targets = stats.morph_targets.max(
            doc.meshes[mesh]["extras"]["targetNames"]
                .as_array()
                .map_or(0, Vec::len),
        );
        scene_nodes.push(doc.node(json!({"name": part.name, "mesh": mesh, "skin": 0})));
    }
    add_skeleton(&mut doc, &skeleton, &mut scene_nodes);
    fill_framing(&mut stats, &skeleton, &head);
    stats.joints = skeleton.names.len();
    stats.height = parts[0].0.positions.iter().map(|p| p.y).fold(0.0, f32::max);

    let extras = json!({
        "avatarcast": {"role": role.id, "displayName": role.display_name, "builderVersion": BUILDER_VERSION,
            "voice": role.voice, "lang": role.lang},
        "license": "CC0-1.0",
        "credit": "Avatar built from MakeHuman assets and Face Units by Mika Suominen (CC0)."
    });
    let (json, bin) = doc.finish(&scene_nodes, extras);
    Ok(Built { json, bin, stats })
}

/// A dielectric material whose base colour is `canvas` (linear RGB, stored
/// as an sRGB PNG texture of the same name). `roughness` is f64 so the JSON
/// holds the number as written (0.3, not 0.30000001).
fn painted_material(
    doc: &mut Doc,
    name: &str,
    canvas: &Canvas,
    roughness: f64,
) -> Result<usize, BuildError> {
    let bytes = png(name, &canvas.to_u8(&[true; 3]), canvas.size, 3)?;
    let tex = doc.texture(name, &bytes, "image/png");
    Ok(doc.material(json!({"name": name, "pbrMetallicRoughness": {
        "baseColorTexture": {"index": tex}, "metallicFactor": 0.0, "roughnessFactor": roughness}})))
}

fn add_skeleton(doc: &mut Doc, skeleton: &Skeleton, scene_nodes: &mut Vec<usize>) {
    let first = doc.nodes.len();
    for i in 0..skeleton.names.len() {
        let children: Vec<usize> = (0..skeleton.names.len())
            .filter(|&c| skeleton.parents[c] == Some(i))
            .map(|c| first + c)
            .collect();
        let mut node = json!({"name": skeleton.names[i], "translation": skeleton.local_translation(i).to_array()});
        if !children.is_empty() {
            node["children"] = json!(children);
        }
        doc.node(node);
    }
    for (i, parent) in skeleton.parents.iter().enumerate() {
        if parent.is_none() {
            scene_nodes.push(first + i);
        }
    }
    let ibm = doc.matrices(&skeleton.inverse_binds());
    let joints: Vec<usize> = (0..skeleton.names.len()).map(|i| first + i).collect();
    doc.skins.push(json!({"name": "mixamorig", "joints": joints, "inverseBindMatrices": ibm, "skeleton": first}));
}

fn fill_framing(stats: &mut BuildStats, skeleton: &Skeleton, head: &Head) {
    let joint = |n: &str| skeleton.index(n).map(|i| skeleton.heads[i]);
    stats.head_center = head.center.to_array();
    stats.head_radius = head.half_size.y.max(0.05);
    stats.eye_height = head.eye_y();
    if let (Some(l), Some(r)) = (joint("mixamorig:LeftArm"), joint("mixamorig:RightArm")) {
        stats.shoulder_center = ((l + r) * 0.5).to_array();
        stats.shoulder_width = l.distance(r);
    }
}
