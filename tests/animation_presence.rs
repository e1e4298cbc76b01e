//! Presence: blinks over a minute of idle (rate, irregularity, pairing with
//! gaze shifts), state changes that never pop, and expressions that sit
//! with the visemes instead of fighting them.

use avatarcast::animation::{AnimationParams, Animator, FacePose, FacialExpression, PresenceState};
use avatarcast::clock::{FrameRate, SampleTime};
use avatarcast::visemes::{Viseme, VisemeCue, VisemeTimeline};

const FPS30: FrameRate = FrameRate::new(30, 1);

fn frames(a: &Animator, from: u64, count: u64) -> Vec<FacePose> {
    (from..from + count)
        .map(|i| a.sample(FPS30.frame_time(i)))
        .collect()
}

/// Frames where a blink starts: the lid leaves fully open.
fn blink_onsets(poses: &[FacePose]) -> Vec<usize> {
    poses
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[0].eye_blink_left < 0.02 && w[1].eye_blink_left >= 0.02)
        .map(|(i, _)| i + 1)
        .collect()
}

/// Blinks counted as a viewer would: the lid passes half closed.
fn blink_count(poses: &[FacePose]) -> usize {
    poses
        .windows(2)
        .filter(|w| w[0].eye_blink_left < 0.5 && w[1].eye_blink_left >= 0.5)
        .count()
}

/// Frames where the eyes start a jump of at least `min_rad`: a saccade
/// takes 40 ms, so it shows within two frames after a still one.
fn saccade_onsets(poses: &[FacePose], min_rad: f32) -> Vec<usize> {
    (1..poses.len().saturating_sub(2))
        .filter(|&i| {
            let still = (poses[i].gaze - poses[i - 1].gaze).length() < 1e-5;
            let jump = (poses[i + 2].gaze - poses[i].gaze).length();
            still && jump >= min_rad
        })
        .collect()
}

#[test]
fn a_minute_of_idle_blinks_10_to_20_times_irregularly_some_with_saccades() {
    let params = AnimationParams::default();
    let (mut paired_total, mut blinks_total) = (0, 0);
    for seed in 0..20u64 {
        let a = Animator::new(seed * 7919 + 3, params.clone());
        let poses = frames(&a, 0, 60 * 30);
        let blinks = blink_count(&poses);
        assert!(
            (10..=20).contains(&blinks),
            "seed {seed}: {blinks} blinks in 60 s"
        );
        // Irregular: the intervals spread (coefficient of variation > 0.25;
        // a metronome has 0) and none is shorter than a blink.
        let onsets = blink_onsets(&poses);
        let gaps: Vec<f64> = onsets.windows(2).map(|w| (w[1] - w[0]) as f64).collect();
        let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
        let sd = (gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / gaps.len() as f64).sqrt();
        assert!(sd / mean > 0.25, "seed {seed}: gaps {gaps:?}");
        assert!(gaps.iter().all(|g| *g >= 4.0), "seed {seed}: {gaps:?}");
        // Some blinks start with a gaze shift (within 100 ms of its onset).
        let saccades = saccade_onsets(&poses, 0.5 * params.gaze_range_rad);
        let paired = onsets
            .iter()
            .filter(|b| saccades.iter().any(|s| b.abs_diff(*s) <= 3))
            .count();
        paired_total += paired;
        blinks_total += onsets.len();
    }
    // About 30 % are tied to saccades by design; chance alone would give
    // ~12 % (a 200 ms window around ~20 big saccades a minute).
    let share = paired_total as f64 / blinks_total as f64;
    println!("{paired_total} of {blinks_total} blinks start with a saccade ({share:.2})");
    assert!(
        (0.2..0.5).contains(&share),
        "{paired_total} of {blinks_total} blinks start with a saccade"
    );
}

#[test]
fn state_changes_blend_without_popping() {
    let mut a = Animator::new(5, AnimationParams::default());
    let ms = SampleTime::from_millis;
    a.set_presence(ms(1000), PresenceState::Listening);
    a.set_presence(ms(4000), PresenceState::Thinking);
    a.set_presence(ms(6000), PresenceState::Idle);
    a.set_presence(ms(6100), PresenceState::Listening);
    let poses = frames(&a, 0, 9 * 30);
    for (i, w) in poses.windows(2).enumerate() {
        let head = w[0].head.angle_between(w[1].head);
        let brow = (w[0].brow_inner_up - w[1].brow_inner_up).abs();
        // One frame: at most ~1.5° of head turn and a tenth of a brow.
        assert!(head < 0.03, "head jumps {head} rad at frame {i}");
        assert!(brow < 0.1, "brow jumps {brow} at frame {i}");
    }
    // Listening: brows up, eyes near the viewer, head nods.
    let listening = &poses[60..120];
    assert!(listening.iter().all(|p| p.brow_inner_up > 0.1));
    // Thinking: the eyes go up and to a side, well beyond idle glances.
    let thinking = &poses[4 * 30..6 * 30];
    let away = thinking.iter().map(|p| p.gaze.length()).fold(0.0, f32::max);
    assert!(away > 0.15, "thinking glance {away} rad");
    assert!(thinking.iter().any(|p| p.gaze.y > 0.05));
    assert_eq!(a.presence_at(ms(2000)), PresenceState::Listening);
    assert_eq!(a.presence_at(ms(5000)), PresenceState::Thinking);
}

fn with_speech(expression: Option<FacialExpression>) -> Animator {
    let mut a = Animator::new(1, AnimationParams::default());
    let cues = [
        (Viseme::Aa, 0, 400),
        (Viseme::PP, 400, 600),
        (Viseme::U, 600, 1000),
    ]
    .into_iter()
    .map(|(viseme, from, to)| VisemeCue {
        viseme,
        start: SampleTime::from_millis(from),
        end: SampleTime::from_millis(to),
        weight: 1.0,
    })
    .collect();
    let start = SampleTime::from_millis(500);
    a.push_utterance(
        start,
        VisemeTimeline { cues },
        vec![0.6; 100],
        SampleTime(480),
    );
    if let Some(e) = expression {
        a.push_expression(start, start + SampleTime::from_millis(1000), e);
    }
    a
}

#[test]
fn expressions_sit_with_the_visemes_instead_of_fighting_them() {
    let plain = with_speech(None);
    let smiling = with_speech(Some(FacialExpression::Happy));
    let at = |ms| SampleTime::from_millis(ms);
    for ms in (0..2000).step_by(10) {
        // The mouth shapes are the speech's alone.
        assert_eq!(plain.sample(at(ms)).visemes, smiling.sample(at(ms)).visemes);
    }
    // Smile + "aa": both show.
    let aa = smiling.sample(at(500 + 300));
    assert!(
        aa.visemes[Viseme::Aa as usize] > 0.5 && aa.mouth_smile > 0.4,
        "{aa:?}"
    );
    // Smile + "p": the lips close; the smile mostly yields.
    let pp = smiling.sample(at(500 + 520));
    assert!(pp.visemes[Viseme::PP as usize] > 0.5);
    assert!(
        pp.mouth_smile < 0.5 * aa.mouth_smile,
        "{} vs {}",
        pp.mouth_smile,
        aa.mouth_smile
    );
    // Cheeks and brows still carry the expression there.
    assert!(pp.cheek_squint > 0.3);
    // Faded in over ~300 ms and out after the sentence.
    assert!(smiling.sample(at(500)).mouth_smile < 0.2);
    assert!(smiling.sample(at(2000)).cheek_squint < 0.05);
    // Every expression leaves the face in range.
    for e in FacialExpression::ALL {
        let a = with_speech(Some(e));
        for ms in (0..2000).step_by(20) {
            let p = a.sample(at(ms));
            for w in [
                p.brow_inner_up,
                p.brow_outer_up,
                p.brow_down,
                p.mouth_smile,
                p.mouth_frown,
                p.cheek_squint,
            ] {
                assert!((0.0..=1.0).contains(&w), "{e:?} at {ms} ms: {p:?}");
            }
        }
    }
}
