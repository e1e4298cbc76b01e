//! Idle life: blink rate, determinism for a seed, gaze and sway ranges.

use avatarcast::animation::{AnimationParams, Animator, FacePose};
use avatarcast::clock::{FrameRate, SampleTime};
use avatarcast::visemes::{Viseme, VisemeCue, VisemeTimeline};

const FPS30: FrameRate = FrameRate::new(30, 1);

fn frames(a: &Animator, count: u64) -> Vec<FacePose> {
    (0..count).map(|i| a.sample(FPS30.frame_time(i))).collect()
}

/// Blinks seen on 30 fps frames: rising crossings of half closure.
fn count_blinks(poses: &[FacePose]) -> usize {
    poses
        .windows(2)
        .filter(|w| w[0].eye_blink_left < 0.5 && w[1].eye_blink_left >= 0.5)
        .count()
}

#[test]
fn blinks_10_to_20_times_a_minute_irregularly() {
    for seed in [0u64, 1, 2, 42, 1234, u64::MAX] {
        let a = Animator::new(seed, AnimationParams::default());
        let poses = frames(&a, 60 * 30);
        let blinks = count_blinks(&poses);
        assert!(
            (10..=20).contains(&blinks),
            "seed {seed}: {blinks} blinks in 60 s"
        );
        // Irregular: the gaps between blinks are not all equal.
        let starts: Vec<usize> = poses
            .windows(2)
            .enumerate()
            .filter(|(_, w)| w[0].eye_blink_left < 0.5 && w[1].eye_blink_left >= 0.5)
            .map(|(i, _)| i)
            .collect();
        let gaps: Vec<usize> = starts.windows(2).map(|w| w[1] - w[0]).collect();
        let (min, max) = (gaps.iter().min().copied(), gaps.iter().max().copied());
        assert!(
            max.unwrap_or(0) > min.unwrap_or(0) + 15,
            "seed {seed}: gaps {gaps:?}"
        );
        // Both lids move together and fully close at some frame.
        assert!(poses.iter().all(|p| p.eye_blink_left == p.eye_blink_right));
        assert!(poses.iter().any(|p| p.eye_blink_left > 0.8));
    }
}

#[test]
fn a_blink_lasts_about_150_ms() {
    let a = Animator::new(9, AnimationParams::default());
    // Sample at 1 ms, find the first blink, measure its closed-ness span.
    let closure: Vec<f32> = (0..20_000)
        .map(|t| a.sample(SampleTime::from_millis(t)).eye_blink_left)
        .collect();
    let start = closure
        .iter()
        .position(|c| *c > 0.0)
        .expect("a blink within 20 s");
    let end = start + closure[start..].iter().position(|c| *c == 0.0).unwrap_or(0);
    let span = end - start;
    assert!((120..=180).contains(&span), "blink lasted {span} ms");
}

#[test]
fn same_seed_same_poses_different_seed_different_poses() {
    let make = |seed| {
        let mut a = Animator::new(seed, AnimationParams::default());
        let cues = vec![
            VisemeCue {
                viseme: Viseme::Aa,
                start: SampleTime(0),
                end: SampleTime(20_000),
                weight: 1.0,
            },
            VisemeCue {
                viseme: Viseme::PP,
                start: SampleTime(20_000),
                end: SampleTime(24_000),
                weight: 1.0,
            },
            VisemeCue {
                viseme: Viseme::O,
                start: SampleTime(24_000),
                end: SampleTime(60_000),
                weight: 0.8,
            },
        ];
        a.push_utterance(
            SampleTime(96_000),
            VisemeTimeline { cues },
            vec![0.5, 1.0, 0.2],
            SampleTime(20_000),
        );
        a
    };
    let first = frames(&make(77), 900);
    let second = frames(&make(77), 900);
    assert_eq!(first, second);
    // Sampling out of order, or twice, gives the same answer.
    let a = make(77);
    for i in (0..900).rev().step_by(7) {
        assert_eq!(a.sample(FPS30.frame_time(i)), first[i as usize]);
    }
    let other = frames(&make(78), 900);
    assert_ne!(first, other);
}

#[test]
fn gaze_head_and_chest_stay_gentle() {
    let params = AnimationParams::default();
    let a = Animator::new(5, params.clone());
    let poses = frames(&a, 120 * 30);
    let max_gaze = poses
        .iter()
        .map(|p| p.gaze.x.abs().max(p.gaze.y.abs()))
        .fold(0.0, f32::max);
    assert!(
        max_gaze <= params.gaze_range_rad + 1e-6 && max_gaze > 0.01,
        "{max_gaze}"
    );
    // Mostly looking at the viewer: within a third of the range most of the time.
    let near = poses
        .iter()
        .filter(|p| p.gaze.length() < params.gaze_range_rad * 0.75)
        .count();
    assert!(
        near * 2 > poses.len(),
        "{near} of {} frames near centre",
        poses.len()
    );
    let max_head = poses
        .iter()
        .map(|p| p.head.angle_between(glam::Quat::IDENTITY))
        .fold(0.0, f32::max);
    assert!(max_head < 0.05 && max_head > 0.002, "head {max_head} rad");
    // Breathing: the chest moves back and forth about 15 times a minute.
    let chest: Vec<f32> = poses
        .iter()
        .map(|p| p.chest.angle_between(glam::Quat::IDENTITY))
        .collect();
    let mid = params.breath_depth_rad / 2.0;
    let breaths = chest
        .windows(2)
        .filter(|w| w[0] < mid && w[1] >= mid)
        .count();
    assert!((20..=40).contains(&breaths), "{breaths} breaths in 120 s");
}
