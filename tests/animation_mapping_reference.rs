//! PoseMapper on the morph names of the reference avatar (TalkingHead's CC0
//! MPFB woman: ARKit 52 + 14 Oculus visemes on `base`, subsets on teeth,
//! tongue, brows, lashes). Only the glTF JSON is read, so this needs no
//! avatar loader. The file is test data outside the repository
//! (`../shared/avatars/reference/`); the test skips, saying why, when it is
//! absent (see shared/avatars/README.md).

use std::path::Path;

use avatarcast::animation::{AvatarPose, FacePose, MouthSource, PoseMapper};
use avatarcast::avatar::{Avatar, Mesh};
use avatarcast::visemes::Viseme;

const REFERENCE: &str = "../shared/avatars/reference/mpfb-talkinghead.glb";

/// Mesh names and morph target names from a GLB's JSON chunk.
fn morph_names(glb: &[u8]) -> Option<Vec<(String, Vec<String>)>> {
    let json_len = u32::from_le_bytes(glb.get(12..16)?.try_into().ok()?) as usize;
    let json: serde_json::Value = serde_json::from_slice(glb.get(20..20 + json_len)?).ok()?;
    let meshes = json.get("meshes")?.as_array()?;
    Some(
        meshes
            .iter()
            .map(|m| {
                let name = m
                    .get("name")
                    .and_then(|n| n.as_str())
                    .unwrap_or("")
                    .to_string();
                let targets = m
                    .pointer("/extras/targetNames")
                    .and_then(|t| t.as_array())
                    .map(|t| {
                        t.iter()
                            .map(|n| n.as_str().unwrap_or("").to_string())
                            .collect()
                    })
                    .unwrap_or_default();
                (name, targets)
            })
            .collect(),
    )
}

#[test]
fn the_reference_avatar_maps_visemes_blinks_and_gaze() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(REFERENCE);
    let Ok(glb) = std::fs::read(&path) else {
        eprintln!(
            "skipping: reference avatar not present (test data outside the repo): {}",
            path.display()
        );
        return;
    };
    let meshes = morph_names(&glb).expect("GLB JSON with meshes");
    let avatar = Avatar {
        name: "mpfb-talkinghead".into(),
        meshes: meshes
            .into_iter()
            .map(|(name, morph_names)| Mesh {
                name,
                default_weights: vec![0.0; morph_names.len()],
                morph_names,
                ..Mesh::default()
            })
            .collect(),
        ..Avatar::default()
    };
    let base = avatar
        .meshes
        .iter()
        .position(|m| m.morph_index("viseme_aa").is_some() && m.morph_index("jawOpen").is_some())
        .expect("a face mesh with Oculus and ARKit names");
    let mapper = PoseMapper::new(&avatar).expect("reference avatar has mouth morphs");
    assert_eq!(mapper.mouth_source(), MouthSource::Oculus);

    let mut pose = FacePose {
        eye_blink_left: 1.0,
        eye_blink_right: 1.0,
        ..FacePose::default()
    };
    pose.visemes[Viseme::Aa as usize] = 1.0;
    let mut out = AvatarPose::default();
    mapper.map(&pose, &mut out);
    let w = |mesh: usize, name: &str| {
        avatar.meshes[mesh]
            .morph_index(name)
            .map(|i| out.morph_weights[mesh][i])
    };
    assert_eq!(w(base, "viseme_aa"), Some(1.0));
    // viseme_* is used for the mouth, so its ARKit mix is not added on top.
    assert_eq!(w(base, "jawOpen"), Some(0.0));
    assert_eq!(w(base, "eyeBlinkLeft"), Some(1.0));
    // Every other mesh carrying viseme_aa (teeth, tongue) follows the face.
    let followers: Vec<&str> = (0..avatar.meshes.len())
        .filter(|m| *m != base && w(*m, "viseme_aa").is_some())
        .map(|m| avatar.meshes[m].name.as_str())
        .collect();
    assert!(!followers.is_empty(), "no other mesh has viseme_aa");
    for (m, mesh) in avatar.meshes.iter().enumerate() {
        if mesh.morph_index("viseme_aa").is_some() {
            assert_eq!(w(m, "viseme_aa"), Some(1.0), "{}", mesh.name);
        }
        if mesh.morph_index("eyeBlinkLeft").is_some() {
            assert_eq!(
                w(m, "eyeBlinkLeft"),
                Some(1.0),
                "lashes and lids close together: {}",
                mesh.name
            );
        }
    }
    // Without eye bones (none are resolved here), gaze drives eyeLook* morphs.
    let look = FacePose {
        gaze: glam::Vec2::new(0.2, 0.0),
        ..FacePose::default()
    };
    mapper.map(&look, &mut out);
    let w = |mesh: usize, name: &str| {
        avatar.meshes[mesh]
            .morph_index(name)
            .map(|i| out.morph_weights[mesh][i])
    };
    assert!(w(base, "eyeLookOutLeft").is_some_and(|v| v > 0.3));
    assert_eq!(w(base, "eyeLookOutRight"), Some(0.0));
    eprintln!(
        "reference avatar: {} driven morph targets, followers {followers:?}",
        mapper.driven_targets()
    );
}
