//! Render + readback cost per frame: the reference avatar (or the procedural
//! bust when the file is absent) talking, at 512x512 and 1280x720, MSAA 1x
//! and 4x, both one frame at a time (`render`) and pipelined (`submit` +
//! `next_frame`, as the live path uses it).

use std::hint::black_box;
use std::path::Path;

use avatarcast::animation::AvatarPose;
use avatarcast::avatar::Avatar;
use avatarcast::render::{Background, Camera, RenderSettings, Renderer};
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "../tests/golden/scenes.rs"]
mod scenes;

fn load_avatar() -> (Avatar, &'static str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/avatars/reference/mpfb-talkinghead.glb");
    match Avatar::load(&path) {
        Ok(avatar) => (avatar, "reference"),
        Err(e) => {
            eprintln!("reference avatar unavailable ({e}); benchmarking the procedural bust");
            (scenes::bust(), "bust")
        }
    }
}

/// A talking pose for frame `i`: the jaw and `viseme_aa` cycle, so the morph
/// pass does real work every frame.
fn pose_at(avatar: &Avatar, i: u64) -> AvatarPose {
    let mut pose = AvatarPose::rest(avatar);
    let open = 0.5 + 0.5 * (i as f32 * 0.7).sin();
    for (mesh_index, mesh) in avatar.meshes.iter().enumerate() {
        pose.morph_weights[mesh_index].resize(mesh.morph_names.len(), 0.0);
        for (name, weight) in [("viseme_aa", open), ("jawOpen", 0.3 * open)] {
            if let Some(t) = mesh.morph_index(name) {
                pose.morph_weights[mesh_index][t] = weight;
            }
        }
    }
    if let Some(head) = avatar.humanoid.head {
        pose.node_rotations
            .push((head, glam::Quat::from_rotation_y(0.1 * open)));
    }
    pose
}

fn bench_render(c: &mut Criterion) {
    let (avatar, avatar_name) = load_avatar();
    let framing = if avatar_name == "bust" {
        scenes::bust_framing()
    } else {
        avatar.framing()
    };
    let mut group = c.benchmark_group("render_frame");
    group.sample_size(20);
    for (width, height) in [(512u32, 512u32), (1280, 720)] {
        for msaa_samples in [1u32, 4] {
            let settings = RenderSettings {
                width,
                height,
                msaa_samples,
                background: Background::Color([0x4a, 0x55, 0x63]),
            };
            let mut renderer = match Renderer::new(settings) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("skipping render benchmarks: {e}");
                    return;
                }
            };
            eprintln!("adapter: {}", renderer.adapter_description());
            let mut gpu = renderer.upload(&avatar).expect("avatar uploads");
            let camera = Camera::portrait(&framing, width as f32 / height as f32, 0.0);
            let label = format!("{avatar_name} {width}x{height} msaa{msaa_samples}");
            let mut i = 0u64;
            group.bench_function(format!("{label} render"), |b| {
                b.iter(|| {
                    i += 1;
                    black_box(
                        renderer
                            .render(&mut gpu, &pose_at(&avatar, i), &camera)
                            .expect("renders"),
                    );
                })
            });
            // Steady state of the pipelined path: two frames stay in flight;
            // each iteration submits one and takes the oldest out.
            for _ in 0..2 {
                i += 1;
                renderer
                    .submit(&mut gpu, &pose_at(&avatar, i), &camera, i)
                    .expect("submits");
            }
            group.bench_function(format!("{label} pipelined"), |b| {
                b.iter(|| {
                    i += 1;
                    renderer
                        .submit(&mut gpu, &pose_at(&avatar, i), &camera, i)
                        .expect("submits");
                    black_box(renderer.next_frame().expect("reads back"));
                })
            });
            while renderer.next_frame().expect("drains").is_some() {}
        }
    }
    group.finish();
}

criterion_group!(benches, bench_render);
criterion_main!(benches);
