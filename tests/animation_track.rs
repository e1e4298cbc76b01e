//! Mouth animation from viseme timelines: smoothness, bilabial closure,
//! articulation lead, minimum hold, loudness, interrupts and retirement.

use avatarcast::animation::{ActivityState, AnimationParams, Animator, FacePose};
use avatarcast::clock::{FrameRate, SampleTime};
use avatarcast::visemes::{Viseme, VisemeCue, VisemeTimeline};

const FPS30: FrameRate = FrameRate::new(30, 1);

fn ms(v: u64) -> SampleTime {
    SampleTime::from_millis(v)
}

/// A timeline from `(viseme, duration_ms)` pairs, starting at 0, weight 1.
fn timeline(spec: &[(Viseme, u64)]) -> VisemeTimeline {
    let mut t = 0;
    let cues = spec
        .iter()
        .map(|(viseme, dur)| {
            let cue = VisemeCue {
                viseme: *viseme,
                start: ms(t),
                end: ms(t + dur),
                weight: 1.0,
            };
            t += dur;
            cue
        })
        .collect();
    VisemeTimeline { cues }
}

fn animator_with(spec: &[(Viseme, u64)], start: SampleTime) -> Animator {
    let mut a = Animator::new(7, AnimationParams::default());
    a.push_utterance(start, timeline(spec), Vec::new(), ms(10));
    a
}

fn w(pose: &FacePose, v: Viseme) -> f32 {
    pose.visemes[v as usize]
}

fn open(pose: &FacePose) -> f32 {
    Viseme::ALL
        .into_iter()
        .filter(|v| v.is_open())
        .map(|v| w(pose, v))
        .fold(0.0, f32::max)
}

/// Largest change of any non-silence viseme weight between consecutive frames.
fn max_step_per_frame(a: &Animator, frames: u64) -> f32 {
    let mut worst = 0.0f32;
    let mut prev = a.sample(SampleTime::ZERO);
    for i in 1..frames {
        let pose = a.sample(FPS30.frame_time(i));
        for v in Viseme::ALL.into_iter().skip(1) {
            worst = worst.max((w(&pose, v) - w(&prev, v)).abs());
        }
        prev = pose;
    }
    worst
}

use Viseme::*;

/// "Hello, how can I help you today?" as espeak times it (ms), plus harder cases.
const SENTENCE: &[(Viseme, u64)] = &[
    (Sil, 12),
    (E, 50),
    (Nn, 108),
    (O, 220),
    (Sil, 165),
    (Aa, 145),
    (Kk, 46),
    (Aa, 70),
    (Nn, 58),
    (Aa, 60),
    (E, 250),
    (Nn, 39),
    (PP, 77),
    (I, 58),
    (U, 76),
    (DD, 40),
    (E, 46),
    (DD, 93),
    (E, 253),
    (Sil, 300),
];

#[test]
fn weights_change_by_at_most_half_per_frame() {
    let a = animator_with(SENTENCE, ms(500));
    let worst = max_step_per_frame(&a, 150);
    assert!(
        worst <= 0.5 + 1e-3,
        "a viseme weight jumped by {worst} in one frame"
    );
    // Rapid alternation of extremes (closed/open every 20 ms) is smoothed too.
    let flicker: Vec<(Viseme, u64)> = (0..40)
        .map(|i| (if i % 2 == 0 { PP } else { Aa }, 20))
        .collect();
    let a = animator_with(&flicker, ms(200));
    let worst = max_step_per_frame(&a, 60);
    assert!(worst <= 0.5 + 1e-3, "flicker: {worst}");
}

#[test]
fn bilabials_shut_the_lips_for_the_whole_closure() {
    // aa, then p for 80 ms, then aa again.
    let a = animator_with(
        &[(Sil, 100), (Aa, 200), (PP, 80), (Aa, 200), (Sil, 200)],
        SampleTime::ZERO,
    );
    for t in [300, 320, 340, 360, 379] {
        let pose = a.sample(ms(t));
        assert!(w(&pose, PP) >= 0.95, "PP at {t} ms: {}", w(&pose, PP));
        assert!(open(&pose) <= 0.05, "mouth open at {t} ms: {}", open(&pose));
    }
    // Wide open well inside the vowels.
    assert!(w(&a.sample(ms(200)), Aa) > 0.9);
    assert!(w(&a.sample(ms(480)), Aa) > 0.9);
}

#[test]
fn the_mouth_leads_the_audio() {
    let params = AnimationParams::default();
    let lead_ms = params.lead.as_millis() as i64;
    let a = animator_with(&[(Sil, 500), (Aa, 400), (Sil, 300)], SampleTime::ZERO);
    // Where does `aa` cross half weight on the audio clock?
    let crossing = (0..1000u64)
        .find(|t| w(&a.sample(ms(*t)), Aa) >= 0.5)
        .expect("aa reaches half weight");
    let expected = 500 - lead_ms;
    assert!(
        (crossing as i64 - expected).abs() <= 10,
        "aa half-open at {crossing} ms, expected {expected} ms (lead {lead_ms} ms)"
    );
    // The lead is a parameter: no lead moves the crossing to the cue's start.
    let mut no_lead = Animator::new(
        7,
        AnimationParams {
            lead: SampleTime::ZERO,
            ..params
        },
    );
    no_lead.push_utterance(
        SampleTime::ZERO,
        timeline(&[(Sil, 500), (Aa, 400), (Sil, 300)]),
        Vec::new(),
        ms(10),
    );
    let crossing = (0..1000u64)
        .find(|t| w(&no_lead.sample(ms(*t)), Aa) >= 0.5)
        .unwrap_or(0);
    assert!((crossing as i64 - 500).abs() <= 10, "{crossing}");
}

#[test]
fn short_phonemes_are_held_long_enough_to_see() {
    // A 20 ms U between open vowels still shows on at least two frames.
    let a = animator_with(
        &[(Sil, 100), (Aa, 300), (U, 20), (Aa, 300), (Sil, 200)],
        SampleTime::ZERO,
    );
    let frames_with_u = (0..30)
        .filter(|i| w(&a.sample(FPS30.frame_time(*i)), U) > 0.3)
        .count();
    assert!(frames_with_u >= 2, "U visible on {frames_with_u} frames");
    let peak = (0..900).map(|t| w(&a.sample(ms(t)), U)).fold(0.0, f32::max);
    assert!(peak >= 0.6, "U peaks at {peak}");
}

#[test]
fn louder_syllables_open_the_jaw_wider_and_raise_the_brows() {
    let spec = [(Sil, 100), (Aa, 300), (Sil, 100), (Aa, 300), (Sil, 200)];
    // Loudness per 10 ms: the first vowel quiet (0.3), the second loud (1.0).
    let mut loudness = vec![0.0f32; 100];
    for v in &mut loudness[10..40] {
        *v = 0.3;
    }
    for v in &mut loudness[50..80] {
        *v = 1.0;
    }
    let mut a = Animator::new(1, AnimationParams::default());
    a.push_utterance(SampleTime::ZERO, timeline(&spec), loudness, ms(10));
    let quiet = w(&a.sample(ms(250)), Aa);
    let loud = w(&a.sample(ms(650)), Aa);
    assert!(loud > quiet + 0.2, "quiet {quiet}, loud {loud}");
    assert!(a.sample(ms(650)).brow_inner_up > 0.1);
    assert!(a.sample(ms(250)).brow_inner_up < 0.05);
    assert_eq!(a.sample(ms(5000)).brow_inner_up, 0.0);
}

#[test]
fn stop_speech_rests_the_mouth_within_two_frames() {
    let mut a = animator_with(&[(Sil, 50), (Aa, 2000), (Sil, 100)], SampleTime::ZERO);
    // A queued second utterance is dropped too.
    a.push_utterance(ms(2500), timeline(&[(O, 500)]), Vec::new(), ms(10));
    let stop = ms(1000);
    assert!(w(&a.sample(stop), Aa) > 0.9);
    a.stop_speech_at(stop);
    let two_frames = SampleTime(2 * 1600);
    for extra in [0u64, 1, 100, 1600, 10_000, 100_000] {
        let pose = a.sample(stop + two_frames + SampleTime(extra));
        assert!(open(&pose) < 1e-3, "open {} after stop", open(&pose));
        assert!(w(&pose, Sil) > 0.999);
    }
    // Before the stop nothing changed.
    assert!(w(&a.sample(ms(900)), Aa) > 0.9);
    assert_eq!(a.state_at(ms(3000)), ActivityState::Idle);
    // Speech pushed after the interrupt plays normally.
    a.push_utterance(ms(4000), timeline(&[(Aa, 500)]), Vec::new(), ms(10));
    assert!(w(&a.sample(ms(4250)), Aa) > 0.9);
}

#[test]
fn retiring_never_changes_a_later_sample() {
    let mut a = animator_with(SENTENCE, SampleTime::ZERO);
    a.push_utterance(ms(3000), timeline(SENTENCE), Vec::new(), ms(10));
    let before: Vec<FacePose> = (0..200).map(|i| a.sample(FPS30.frame_time(i))).collect();
    for cut in [0u64, 40, 60, 90, 150, 200] {
        a.retire_before(FPS30.frame_time(cut));
        for i in cut..200 {
            assert_eq!(
                a.sample(FPS30.frame_time(i)),
                before[i as usize],
                "frame {i} after retire {cut}"
            );
        }
    }
    assert_eq!(a.pending_utterances(), 0);
}

#[test]
fn idle_then_speaking_then_idle() {
    let a = animator_with(&[(Sil, 50), (Aa, 1000), (Sil, 50)], ms(2000));
    assert_eq!(a.state_at(ms(500)), ActivityState::Idle);
    assert_eq!(a.state_at(ms(2500)), ActivityState::Speaking);
    assert_eq!(a.state_at(ms(5000)), ActivityState::Idle);
    let rest = a.sample(ms(500));
    assert_eq!(w(&rest, Sil), 1.0);
    assert!(rest.mouth_smile > 0.0);
}
