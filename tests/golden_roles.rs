//! Portraits of the default roles (built by `avatarcast avatar build` at
//! setup) compared with stored PNGs: head and shoulders, at rest and saying
//! "aa" through the product's own pose mapping, front and three-quarter.
//! The same PNGs illustrate README.md and docs/avatars.md.

mod common;
mod golden;

use avatarcast::animation::{AvatarPose, FacePose, PoseMapper};
use avatarcast::avatar::Avatar;
use avatarcast::render::Camera;
use avatarcast::visemes::Viseme;
use golden::scenes::{renderer_or_skip, settings};
use golden::{Tolerance, assert_golden, write_preview};

const SIZE: u32 = 256;
const THREE_QUARTER_YAW: f32 = 0.6;

fn pose(avatar: &Avatar, mapper: &PoseMapper, viseme: Option<Viseme>) -> AvatarPose {
    let mut face = FacePose::default();
    if let Some(v) = viseme {
        face.visemes[Viseme::Sil as usize] = 0.0;
        face.visemes[v as usize] = 1.0;
    } else {
        face.visemes[Viseme::Sil as usize] = 1.0;
    }
    let mut out = AvatarPose::rest(avatar);
    mapper.map(&face, &mut out);
    out
}

#[test]
fn default_roles_match_goldens() {
    let roles = common::default_roles();
    if !common::require(
        roles.len() >= 2,
        "the two default roles are not built (avatarcast avatar build)",
    ) {
        return;
    }
    let Some(mut renderer) = renderer_or_skip(settings(SIZE, SIZE, 4, [0xdf, 0xe6, 0xee])) else {
        return;
    };
    for path in roles {
        let id = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("role id")
            .to_string();
        let avatar = Avatar::load(&path).expect("role loads");
        let mapper = PoseMapper::new(&avatar).expect("role has mouth morphs");
        let mut gpu = renderer.upload(&avatar).expect("upload");
        let framing = avatar.framing();
        for (pose_name, viseme) in [("rest", None), ("aa", Some(Viseme::Aa))] {
            let pose = pose(&avatar, &mapper, viseme);
            for (view, yaw) in [("front", 0.0), ("three_quarter", THREE_QUARTER_YAW)] {
                let camera = Camera::portrait(&framing, 1.0, yaw);
                let frame = renderer.render(&mut gpu, &pose, &camera).expect("render");
                let name = format!("role_{id}_{pose_name}_{view}");
                write_preview(&name, &frame);
                assert_golden(&name, &frame, Tolerance::RENDER);
            }
        }
    }
}
