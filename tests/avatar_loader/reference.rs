//! The reference avatar (../shared/avatars/reference, outside git): a real,
//! meshopt-compressed, quantised MakeHuman model with ARKit and viseme morphs.

use std::path::{Path, PathBuf};

use avatarcast::avatar::{Avatar, AvatarWarning};
use glam::Vec3;

use crate::tiny::approx;

fn reference(file: &str) -> Option<PathBuf> {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/avatars/reference/"
    ))
    .join(file);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "reference avatar missing under CI: {path:?}"
    );
    eprintln!("skipping: reference avatar not found (see shared/avatars/README.md): {path:?}");
    None
}

const VISEMES_14: [&str; 14] = [
    "PP", "FF", "TH", "DD", "kk", "CH", "SS", "nn", "RR", "aa", "E", "I", "O", "U",
];

fn check_reference(avatar: &Avatar) {
    assert_eq!(avatar.meshes.len(), 8);
    assert_eq!(avatar.vertex_count(), 50_033);
    assert_eq!(avatar.triangle_count(), 78_194);
    let base = &avatar.meshes[avatar
        .meshes
        .iter()
        .position(|m| m.name == "base")
        .expect("base mesh")];
    assert_eq!(base.morph_names.len(), 66);
    for name in avatarcast::builder::ARKIT_NAMES {
        assert!(base.morph_index(name).is_some(), "base lacks {name}");
    }
    for v in VISEMES_14 {
        assert!(
            base.morph_index(&format!("viseme_{v}")).is_some(),
            "base lacks viseme_{v}"
        );
    }
    for mesh in ["teeth_base", "tongue01", "mind_eyelashes_02"] {
        let m = avatar.meshes.iter().find(|m| m.name == mesh).expect(mesh);
        assert!(!m.morph_names.is_empty(), "{mesh} has morphs");
        assert!(
            m.primitives
                .iter()
                .all(|p| p.targets.len() == m.morph_names.len())
        );
    }
    let jaw = avatar.morph_targets_named("jawOpen");
    assert!(
        jaw.len() >= 3,
        "jawOpen drives face, teeth and tongue: {jaw:?}"
    );
    assert_eq!(avatar.textures.len(), 7);
    for t in &avatar.textures {
        assert_eq!(
            (t.width, t.height, t.rgba8.len()),
            (1024, 1024, 1024 * 1024 * 4),
            "{}",
            t.name
        );
    }
    assert!(avatar.skins.iter().all(|s| s.joints.len() == 67));
    let h = &avatar.humanoid;
    assert_eq!(h.head, avatar.find_node("Head"));
    assert_eq!(h.neck, avatar.find_node("Neck"));
    assert!(h.head.is_some() && h.left_eye.is_some() && h.left_upper_arm.is_some());

    let framing = avatar.framing();
    let c = framing.head_center;
    assert!((1.4..1.8).contains(&c.y), "head centre height {c}");
    assert!(
        (0.08..0.2).contains(&framing.head_radius),
        "head radius {}",
        framing.head_radius
    );
    assert!(
        framing.forward.dot(Vec3::Z) > 0.9,
        "forward {}",
        framing.forward
    );
    assert!(
        framing.shoulder_center.y < c.y && framing.shoulder_width > 0.2,
        "{framing:?}"
    );
    let (min, max) = avatar.bounds();
    assert!((1.5..1.9).contains(&(max.y - min.y)), "height {min} {max}");
}

#[test]
fn reference_avatar_loads_compressed_and_decoded_alike() {
    let (Some(compressed), Some(decoded)) = (
        reference("mpfb-talkinghead.glb"),
        reference("mpfb-talkinghead.decoded.glb"),
    ) else {
        return;
    };
    let (a, warnings) =
        Avatar::load_with_warnings(&compressed).expect("compressed reference loads");
    assert!(
        !warnings.contains(&AvatarWarning::NoBlinkShapes),
        "{warnings:?}"
    );
    let b = Avatar::load(&decoded).expect("decoded reference loads");
    check_reference(&a);
    check_reference(&b);
    for (ma, mb) in a.meshes.iter().zip(&b.meshes) {
        assert_eq!(ma.name, mb.name);
        assert_eq!(ma.morph_names, mb.morph_names);
        for (pa, pb) in ma.primitives.iter().zip(&mb.primitives) {
            assert_eq!(pa.indices, pb.indices, "{}", ma.name);
            // Both are 16-bit quantised; meshopt is lossless on the integers.
            for (x, y) in pa.positions.iter().zip(&pb.positions) {
                assert!(approx(*x, *y, 1e-4), "{} {x:?} {y:?}", ma.name);
            }
            for (ta, tb) in pa.targets.iter().zip(&pb.targets) {
                for (x, y) in ta.positions.iter().zip(&tb.positions) {
                    assert!(approx(*x, *y, 1e-3), "{} target {x:?} {y:?}", ma.name);
                }
            }
        }
    }
}
