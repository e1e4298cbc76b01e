//! Per-frame cost of the animation stage: `Animator::sample` and
//! `PoseMapper::map` on an avatar shaped like TalkingHead's mpfb.glb (66
//! morphs on the face, subsets on teeth, tongue, brows, lashes), plus the
//! one-off cost of pushing an utterance.

use std::hint::black_box;

use avatarcast::animation::{AnimationParams, Animator, AvatarPose, PoseMapper};
use avatarcast::avatar::{Avatar, Mesh};
use avatarcast::clock::{FrameRate, SampleTime};
use avatarcast::visemes::{Viseme, VisemeCue, VisemeTimeline};
use criterion::{Criterion, criterion_group, criterion_main};

fn mesh(name: &str, morphs: Vec<String>) -> Mesh {
    Mesh {
        name: name.into(),
        default_weights: vec![0.0; morphs.len()],
        morph_names: morphs,
        ..Mesh::default()
    }
}

fn avatar() -> Avatar {
    let visemes: Vec<String> = Viseme::ALL
        .into_iter()
        .skip(1)
        .map(|v| v.morph_name())
        .collect();
    let face: Vec<String> = avatarcast::builder::ARKIT_NAMES
        .iter()
        .map(|s| s.to_string())
        .chain(visemes.iter().cloned())
        .collect();
    let subset = |names: &[&str]| {
        names
            .iter()
            .map(|s| s.to_string())
            .chain(visemes.iter().cloned())
            .collect()
    };
    Avatar {
        name: "bench".into(),
        meshes: vec![
            mesh("base", face),
            mesh("teeth", subset(&["jawOpen", "mouthClose"])),
            mesh("tongue", subset(&["jawOpen", "tongueOut"])),
            mesh(
                "eyebrows",
                subset(&["browInnerUp", "browDownLeft", "browDownRight"]),
            ),
            mesh("eyelashes", subset(&["eyeBlinkLeft", "eyeBlinkRight"])),
        ],
        ..Avatar::default()
    }
}

/// Ten seconds of speech: 100 ms cues cycling through all visemes.
fn timeline() -> VisemeTimeline {
    let cues = (0..100u64)
        .map(|i| VisemeCue {
            viseme: Viseme::ALL[(i % 15) as usize],
            start: SampleTime(i * 4800),
            end: SampleTime((i + 1) * 4800),
            weight: 1.0,
        })
        .collect();
    VisemeTimeline { cues }
}

fn bench(c: &mut Criterion) {
    let fps = FrameRate::new(30, 1);
    let loudness: Vec<f32> = (0..1000).map(|i| ((i as f32) * 0.13).sin().abs()).collect();
    let mut animator = Animator::new(1, AnimationParams::default());
    animator.push_utterance(
        SampleTime::ZERO,
        timeline(),
        loudness.clone(),
        SampleTime(480),
    );
    let avatar = avatar();
    let mapper = PoseMapper::new(&avatar).expect("bench avatar has visemes");
    let mut out = AvatarPose::default();
    let mut frame = 0u64;

    c.bench_function("animator_sample", |b| {
        b.iter(|| {
            frame = (frame + 1) % 300;
            black_box(animator.sample(fps.frame_time(frame)))
        })
    });
    let pose = animator.sample(fps.frame_time(100));
    c.bench_function("pose_mapper_map", |b| {
        b.iter(|| mapper.map(black_box(&pose), &mut out))
    });
    c.bench_function("push_10s_utterance", |b| {
        b.iter(|| {
            let mut a = Animator::new(1, AnimationParams::default());
            a.push_utterance(
                SampleTime::ZERO,
                timeline(),
                loudness.clone(),
                SampleTime(480),
            );
            black_box(a)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
