//! FacePose → AvatarPose on synthetic avatars: Oculus visemes, ARKit only,
//! VRM expressions, and none at all.

use avatarcast::animation::{AnimationError, AvatarPose, FacePose, MouthSource, PoseMapper};
use avatarcast::avatar::{Avatar, Expression, Humanoid, Mesh, MorphBind, Node};
use avatarcast::visemes::Viseme;
use glam::{Quat, Vec2, Vec3};

const ARKIT_MOUTH: &[&str] = &[
    "jawOpen",
    "mouthFunnel",
    "mouthPucker",
    "mouthClose",
    "mouthRollLower",
    "mouthRollUpper",
    "mouthPressLeft",
    "mouthPressRight",
    "mouthStretchLeft",
    "mouthStretchRight",
    "mouthSmileLeft",
    "mouthSmileRight",
    "mouthLowerDownLeft",
    "mouthLowerDownRight",
    "mouthUpperUpLeft",
    "mouthUpperUpRight",
    "tongueOut",
];
const ARKIT_FACE: &[&str] = &[
    "eyeBlinkLeft",
    "eyeBlinkRight",
    "browInnerUp",
    "browOuterUpLeft",
    "browOuterUpRight",
    "browDownLeft",
    "browDownRight",
    "eyeLookInLeft",
    "eyeLookOutLeft",
    "eyeLookInRight",
    "eyeLookOutRight",
    "eyeLookUpLeft",
    "eyeLookUpRight",
    "eyeLookDownLeft",
    "eyeLookDownRight",
];

fn mesh(name: &str, morphs: &[&str]) -> Mesh {
    Mesh {
        name: name.into(),
        primitives: Vec::new(),
        morph_names: morphs.iter().map(|s| s.to_string()).collect(),
        default_weights: vec![0.0; morphs.len()],
    }
}

fn node(name: &str, parent: Option<usize>, rotation: Quat) -> Node {
    Node {
        name: name.into(),
        parent,
        children: Vec::new(),
        translation: Vec3::ZERO,
        rotation,
        scale: Vec3::ONE,
        mesh: None,
        skin: None,
    }
}

fn avatar(meshes: Vec<Mesh>) -> Avatar {
    Avatar {
        name: "synthetic".into(),
        meshes,
        ..Avatar::default()
    }
}

fn oculus_names() -> Vec<String> {
    Viseme::ALL
        .into_iter()
        .skip(1)
        .map(|v| v.morph_name())
        .collect()
}

fn weight(out: &AvatarPose, a: &Avatar, mesh: usize, name: &str) -> f32 {
    let idx = a.meshes[mesh]
        .morph_index(name)
        .unwrap_or_else(|| panic!("{name} on mesh {mesh}"));
    out.morph_weights[mesh][idx]
}

fn pose_with(v: Viseme, w: f32) -> FacePose {
    let mut pose = FacePose::default();
    pose.visemes[v as usize] = w;
    pose
}

#[test]
fn oculus_visemes_drive_every_mesh_and_arkit_is_not_doubled() {
    // Face has Oculus + ARKit (like TalkingHead's mpfb.glb); teeth only Oculus subset + jawOpen.
    let oculus = oculus_names();
    let mut face: Vec<&str> = oculus.iter().map(String::as_str).collect();
    face.extend(ARKIT_MOUTH);
    face.extend(ARKIT_FACE);
    let a = avatar(vec![
        mesh("base", &face),
        mesh("teeth", &["viseme_aa", "viseme_O", "jawOpen"]),
        mesh("suit", &[]),
    ]);
    let mapper = PoseMapper::new(&a).expect("mouth morphs exist");
    assert_eq!(mapper.mouth_source(), MouthSource::Oculus);
    let mut out = AvatarPose::default();
    let mut pose = pose_with(Viseme::Aa, 0.8);
    pose.eye_blink_left = 1.0;
    pose.brow_inner_up = 0.3;
    mapper.map(&pose, &mut out);
    assert_eq!(out.morph_weights.len(), 3);
    assert_eq!(out.morph_weights[2].len(), 0);
    assert_eq!(weight(&out, &a, 0, "viseme_aa"), 0.8);
    assert_eq!(
        weight(&out, &a, 1, "viseme_aa"),
        0.8,
        "teeth follow the face"
    );
    // The ARKit mix of aa is not applied on top of viseme_aa.
    assert_eq!(weight(&out, &a, 0, "jawOpen"), 0.0);
    assert_eq!(weight(&out, &a, 1, "jawOpen"), 0.0);
    assert_eq!(weight(&out, &a, 0, "eyeBlinkLeft"), 1.0);
    assert_eq!(weight(&out, &a, 0, "eyeBlinkRight"), 0.0);
    assert_eq!(weight(&out, &a, 0, "browInnerUp"), 0.3);
    // Gaze without eye bones goes to eyeLook morphs: +yaw looks to the avatar's left.
    let look = FacePose {
        gaze: Vec2::new(0.25, -0.1),
        ..FacePose::default()
    };
    mapper.map(&look, &mut out);
    assert!((weight(&out, &a, 0, "eyeLookOutLeft") - 0.5).abs() < 1e-6);
    assert!((weight(&out, &a, 0, "eyeLookInRight") - 0.5).abs() < 1e-6);
    assert_eq!(weight(&out, &a, 0, "eyeLookInLeft"), 0.0);
    assert!((weight(&out, &a, 0, "eyeLookDownLeft") - 0.2).abs() < 1e-6);
    // A later pose fully replaces the earlier one (buffers reused, no leftovers).
    assert_eq!(weight(&out, &a, 0, "viseme_aa"), 0.0);
    assert_eq!(weight(&out, &a, 0, "eyeBlinkLeft"), 0.0);
}

#[test]
fn arkit_only_avatars_get_viseme_mixes() {
    let mut names: Vec<&str> = ARKIT_MOUTH.to_vec();
    names.extend(ARKIT_FACE);
    let a = avatar(vec![
        mesh("face", &names),
        mesh("tongue", &["tongueOut", "jawOpen"]),
    ]);
    let mapper = PoseMapper::new(&a).expect("ARKit mouth");
    assert_eq!(mapper.mouth_source(), MouthSource::Arkit);
    let mut out = AvatarPose::default();
    mapper.map(&pose_with(Viseme::Aa, 1.0), &mut out);
    assert!((weight(&out, &a, 0, "jawOpen") - 0.6).abs() < 1e-6);
    assert!((weight(&out, &a, 0, "mouthLowerDownLeft") - 0.3).abs() < 1e-6);
    assert!(
        (weight(&out, &a, 1, "jawOpen") - 0.6).abs() < 1e-6,
        "tongue follows the jaw"
    );
    mapper.map(&pose_with(Viseme::PP, 1.0), &mut out);
    assert!((weight(&out, &a, 0, "mouthPressLeft") - 0.5).abs() < 1e-6);
    assert_eq!(weight(&out, &a, 0, "jawOpen"), 0.0);
    mapper.map(&pose_with(Viseme::U, 1.0), &mut out);
    assert!((weight(&out, &a, 0, "mouthPucker") - 0.8).abs() < 1e-6);
    // Mixed visemes add up but stay within 0..=1.
    let mut both = pose_with(Viseme::Aa, 1.0);
    both.visemes[Viseme::O as usize] = 1.0;
    both.visemes[Viseme::E as usize] = 1.0;
    mapper.map(&both, &mut out);
    assert_eq!(weight(&out, &a, 0, "jawOpen"), 1.0);
    // Smile channel and the smile in E's mix share mouthSmile*.
    let smile = FacePose {
        mouth_smile: 0.25,
        ..FacePose::default()
    };
    mapper.map(&smile, &mut out);
    assert!((weight(&out, &a, 0, "mouthSmileRight") - 0.25).abs() < 1e-6);
}

#[test]
fn vrm_expressions_drive_vowels_blink_and_smile() {
    // Morph names are VRoid-style; only the expressions say what they are.
    let a = Avatar {
        name: "vrm".into(),
        meshes: vec![mesh(
            "Face",
            &[
                "Fcl_MTH_A",
                "Fcl_MTH_I",
                "Fcl_MTH_U",
                "Fcl_MTH_E",
                "Fcl_MTH_O",
                "Fcl_EYE_Close",
                "Fcl_ALL_Joy",
            ],
        )],
        expressions: ["aa", "ih", "ou", "ee", "oh", "blink", "happy"]
            .iter()
            .enumerate()
            .map(|(i, name)| Expression {
                name: name.to_string(),
                binds: vec![MorphBind {
                    mesh: 0,
                    target: i,
                    weight: 1.0,
                }],
            })
            .collect(),
        ..Avatar::default()
    };
    let mapper = PoseMapper::new(&a).expect("VRM vowels");
    assert_eq!(mapper.mouth_source(), MouthSource::Vrm);
    let mut out = AvatarPose::default();
    let mut pose = pose_with(Viseme::O, 0.9);
    pose.eye_blink_left = 1.0;
    pose.eye_blink_right = 1.0;
    pose.mouth_smile = 0.2;
    mapper.map(&pose, &mut out);
    assert!((weight(&out, &a, 0, "Fcl_MTH_O") - 0.9).abs() < 1e-6);
    assert_eq!(weight(&out, &a, 0, "Fcl_MTH_A"), 0.0);
    assert!((weight(&out, &a, 0, "Fcl_EYE_Close") - 1.0).abs() < 1e-6);
    assert!((weight(&out, &a, 0, "Fcl_ALL_Joy") - 0.2).abs() < 1e-6);

    // VRM 0.x preset names (A I U E O, Blink_L/R) with weights in 0..100.
    let mut v0 = a.clone();
    for (e, name) in v0
        .expressions
        .iter_mut()
        .zip(["A", "I", "U", "E", "O", "Blink_L", "Joy"])
    {
        e.name = name.into();
        e.binds[0].weight = 100.0;
    }
    v0.expressions.push(Expression {
        name: "Blink_R".into(),
        binds: vec![MorphBind {
            mesh: 0,
            target: 5,
            weight: 100.0,
        }],
    });
    let mapper = PoseMapper::new(&v0).expect("VRM 0.x vowels");
    mapper.map(&pose_with(Viseme::Aa, 0.5), &mut out);
    assert!((weight(&out, &v0, 0, "Fcl_MTH_A") - 0.5).abs() < 1e-6);
}

#[test]
fn avatars_without_mouth_morphs_are_rejected() {
    let a = avatar(vec![
        mesh("body", &["eyeBlinkLeft", "eyeBlinkRight", "breathe"]),
        mesh("hair", &[]),
    ]);
    let err = PoseMapper::new(&a).expect_err("no mouth shapes");
    assert!(matches!(err, AnimationError::NoMouthMorphs { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("viseme_aa") && msg.ends_with("synthetic"),
        "{msg}"
    );
    assert!(PoseMapper::new(&Avatar::default()).is_err());
}

#[test]
fn head_and_eye_rotations_become_local_deltas() {
    // Root rotated 90° about Y (model exported sideways), head under it, an eye under the head.
    let root_rot = Quat::from_rotation_y(std::f32::consts::FRAC_PI_2);
    let a = Avatar {
        name: "rig".into(),
        nodes: vec![
            node("root", None, root_rot),
            node("Head", Some(0), Quat::IDENTITY),
            node("LeftEye", Some(1), Quat::from_rotation_x(0.3)),
        ],
        meshes: vec![mesh("face", &["jawOpen"])],
        humanoid: Humanoid {
            head: Some(1),
            left_eye: Some(2),
            ..Humanoid::default()
        },
        ..Avatar::default()
    };
    let mapper = PoseMapper::new(&a).expect("jawOpen is a mouth morph");
    let mut pose = FacePose {
        head: Quat::from_rotation_x(0.2),
        gaze: Vec2::new(0.1, 0.0),
        ..FacePose::default()
    };
    let mut out = AvatarPose::default();
    mapper.map(&pose, &mut out);
    let delta_of = |node: usize| {
        out.node_rotations
            .iter()
            .find(|(n, _)| *n == node)
            .map(|(_, q)| *q)
    };
    // World rotation after applying the delta equals pose rotation × rest world rotation.
    let head_delta = delta_of(1).expect("head rotated");
    let world_after = root_rot * (Quat::IDENTITY * head_delta);
    assert!(world_after.angle_between(pose.head * root_rot) < 1e-5);
    // The eye, with the head at rest so only the gaze moves it.
    pose.head = Quat::IDENTITY;
    mapper.map(&pose, &mut out);
    let delta_of = |node: usize| {
        out.node_rotations
            .iter()
            .find(|(n, _)| *n == node)
            .map(|(_, q)| *q)
    };
    let eye_rest_world = root_rot * Quat::from_rotation_x(0.3);
    let eye_delta = delta_of(2).expect("eye rotated");
    let eye_world = eye_rest_world * eye_delta;
    assert!(eye_world.angle_between(Quat::from_rotation_y(0.1) * eye_rest_world) < 1e-5);
    // No neck or chest in this rig: nothing else is rotated.
    assert_eq!(out.node_rotations.len(), 2);
}
