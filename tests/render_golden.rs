//! Renders compared with stored PNGs (tests/golden/*.png, tolerance in
//! tests/golden/README.md): the procedural bust always, the reference avatar
//! (TalkingHead's CC0 MPFB woman, not part of the project) when present.
//! `AVATARCAST_BLESS=1` rewrites the goldens; look at them before committing.

mod golden;

use std::path::PathBuf;

use avatarcast::animation::AvatarPose;
use avatarcast::avatar::{Avatar, Framing};
use avatarcast::render::{Camera, RenderedFrame, Renderer};
use golden::scenes::*;
use golden::{Tolerance, assert_golden, write_preview};

const SIZE: u32 = 256;
const THREE_QUARTER_YAW: f32 = 0.6;

fn render_views(
    renderer: &mut Renderer,
    avatar: &Avatar,
    framing: &Framing,
    poses: &[(&str, AvatarPose)],
    name: &str,
) {
    let mut gpu = renderer.upload(avatar).expect("avatar uploads");
    for (pose_name, pose) in poses {
        for (view, yaw) in [("front", 0.0), ("three_quarter", THREE_QUARTER_YAW)] {
            let camera = Camera::portrait(framing, 1.0, yaw);
            let frame: RenderedFrame = renderer
                .render(&mut gpu, pose, &camera)
                .expect("frame renders");
            let golden_name = format!("{name}_{pose_name}_{view}");
            write_preview(&golden_name, &frame);
            assert_golden(&golden_name, &frame, Tolerance::RENDER);
        }
    }
}

#[test]
fn procedural_bust_matches_goldens() {
    let Some(mut renderer) = renderer_or_skip(settings(SIZE, SIZE, 4, [0x4a, 0x55, 0x63])) else {
        return;
    };
    let avatar = bust();
    let rest = AvatarPose::rest(&avatar);
    let mut open = rest.clone();
    open.morph_weights[0][0] = 1.0;
    let poses = [("rest", rest), ("jaw_open", open)];
    render_views(&mut renderer, &avatar, &bust_framing(), &poses, "bust");
}

fn reference_avatar_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/avatars/reference/mpfb-talkinghead.glb")
}

/// `weights` by morph target name, on every mesh that has the name.
fn pose_with(avatar: &Avatar, weights: &[(&str, f32)]) -> AvatarPose {
    let mut pose = AvatarPose::rest(avatar);
    for (mesh_index, mesh) in avatar.meshes.iter().enumerate() {
        pose.morph_weights[mesh_index].resize(mesh.morph_names.len(), 0.0);
        for &(name, weight) in weights {
            if let Some(target) = mesh.morph_index(name) {
                pose.morph_weights[mesh_index][target] = weight;
            }
        }
    }
    pose
}

#[test]
fn reference_avatar_matches_goldens() {
    let path = reference_avatar_path();
    if !path.exists() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "CI=true needs the reference avatar: {}",
            path.display()
        );
        eprintln!("skipping: reference avatar not found: {}", path.display());
        return;
    }
    let Some(mut renderer) = renderer_or_skip(settings(SIZE, SIZE, 4, [0x4a, 0x55, 0x63])) else {
        return;
    };
    let avatar = Avatar::load(&path).expect("reference avatar loads");
    let aa = pose_with(&avatar, &[("viseme_aa", 1.0), ("jawOpen", 0.3)]);
    assert!(
        aa.morph_weights.iter().flatten().any(|&w| w > 0.0),
        "the reference avatar has viseme_aa / jawOpen"
    );
    let framing = avatar.framing();
    println!("reference framing: {framing:?}");
    render_views(
        &mut renderer,
        &avatar,
        &framing,
        &[("rest", AvatarPose::rest(&avatar)), ("aa", aa)],
        "reference",
    );
}
