//! Properties over random timelines: weights stay in 0..=1, changes stay
//! bounded, sampling is deterministic, and an interrupt always rests the mouth.

use avatarcast::animation::{AnimationParams, Animator, FacePose};
use avatarcast::clock::{FrameRate, SampleTime};
use avatarcast::visemes::{Viseme, VisemeCue, VisemeTimeline};
use proptest::prelude::*;

const FPS30: FrameRate = FrameRate::new(30, 1);

fn arb_timeline() -> impl Strategy<Value = VisemeTimeline> {
    prop::collection::vec((0usize..Viseme::COUNT, 1u64..400, 0.0f32..=1.0), 0..40).prop_map(
        |cues| {
            let mut t = 0u64;
            VisemeTimeline {
                cues: cues
                    .into_iter()
                    .map(|(v, dur_ms, weight)| {
                        let start = t;
                        t += dur_ms * 48;
                        VisemeCue {
                            viseme: Viseme::ALL[v],
                            start: SampleTime(start),
                            end: SampleTime(t),
                            weight,
                        }
                    })
                    .collect(),
            }
        },
    )
}

fn all_weights(p: &FacePose) -> impl Iterator<Item = f32> + '_ {
    p.visemes.iter().copied().chain([
        p.eye_blink_left,
        p.eye_blink_right,
        p.brow_inner_up,
        p.brow_outer_up,
        p.brow_down,
        p.mouth_smile,
        p.mouth_frown,
        p.cheek_squint,
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn weights_stay_in_unit_range_and_change_gently(
        seed in any::<u64>(),
        timelines in prop::collection::vec((0u64..200_000, arb_timeline()), 1..4),
        loudness in prop::collection::vec(0.0f32..=1.0, 0..300),
        hop in 1u64..2000,
    ) {
        let mut a = Animator::new(seed, AnimationParams::default());
        for (start, t) in timelines {
            a.push_utterance(SampleTime(start), t, loudness.clone(), SampleTime(hop));
        }
        let mut prev: Option<FacePose> = None;
        for i in 0..400 {
            let pose = a.sample(FPS30.frame_time(i));
            for w in all_weights(&pose) {
                prop_assert!((0.0..=1.0).contains(&w), "weight {} at frame {}", w, i);
            }
            if let Some(prev) = &prev {
                for v in Viseme::ALL.into_iter().skip(1) {
                    let step = (pose.visemes[v as usize] - prev.visemes[v as usize]).abs();
                    prop_assert!(step <= 0.5 + 1e-3, "{:?} jumped {} at frame {}", v, step, i);
                }
            }
            prop_assert_eq!(&pose, &a.sample(FPS30.frame_time(i)));
            prev = Some(pose);
        }
    }

    #[test]
    fn an_interrupt_always_rests_the_mouth_within_two_frames(
        t in arb_timeline(),
        stop_frame in 0u64..150,
    ) {
        let mut a = Animator::new(1, AnimationParams::default());
        a.push_utterance(SampleTime(0), t, Vec::new(), SampleTime(480));
        let stop = FPS30.frame_time(stop_frame);
        a.stop_speech_at(stop);
        for i in stop_frame + 2..stop_frame + 20 {
            let pose = a.sample(FPS30.frame_time(i));
            let open: f32 = pose.visemes.iter().skip(1).copied().fold(0.0, f32::max);
            prop_assert!(open < 1e-3, "frame {} still open {}", i, open);
        }
    }

    #[test]
    fn retiring_never_changes_a_later_sample(
        timelines in prop::collection::vec((0u64..200_000, arb_timeline()), 1..4),
        cut_frame in 0u64..200,
    ) {
        let mut a = Animator::new(9, AnimationParams::default());
        for (start, t) in timelines {
            a.push_utterance(SampleTime(start), t, Vec::new(), SampleTime(480));
        }
        let later: Vec<FacePose> = (cut_frame..cut_frame + 100).map(|i| a.sample(FPS30.frame_time(i))).collect();
        a.retire_before(FPS30.frame_time(cut_frame));
        for (k, i) in (cut_frame..cut_frame + 100).enumerate() {
            prop_assert_eq!(&a.sample(FPS30.frame_time(i)), &later[k]);
        }
    }
}
