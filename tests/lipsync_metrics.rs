//! Lip-sync figures on real espeak-ng speech, English and Chinese: how
//! often the visible mouth shape changes (jittery visemes are the first
//! thing viewers notice) and how well its changes keep time with espeak's
//! phoneme events. Each test prints its figure.
#![cfg(feature = "espeak")]

mod common;

use avatarcast::animation::{AnimationParams, Animator};
use avatarcast::clock::{FrameRate, SampleTime};
use avatarcast::speech::{EspeakSpeech, Lang, Speech, SpeechRequest, Utterance};
use avatarcast::visemes::{Viseme, VisemeTimeline};

const ENGLISH: &str = "Thank you for calling. Your order was shipped yesterday, and it should \
                       arrive on Thursday. If anything is missing, you can return it within thirty days.";
const CHINESE: &str =
    "感谢您的来电。您的订单昨天已经发货，预计星期四送达。如果有任何问题，三十天内可以退货。";

fn speak(text: &str, lang: Lang) -> Option<Utterance> {
    let tts = EspeakSpeech::new();
    match tts.synthesize(&SpeechRequest::new(text, lang)) {
        Ok(u) => Some(u),
        Err(e) => {
            common::require(false, &format!("espeak-ng ({e})"));
            None
        }
    }
}

fn animate(utterance: &Utterance, start: SampleTime) -> (Animator, VisemeTimeline) {
    let hop = SampleTime(480);
    let timeline = VisemeTimeline::from_phonemes(utterance.lang, &utterance.phonemes);
    let mut animator = Animator::new(7, AnimationParams::default());
    animator.push_utterance(
        start,
        timeline.clone(),
        utterance.loudness_envelope(hop),
        hop,
    );
    (animator, timeline)
}

#[test]
fn visible_mouth_shapes_change_at_most_eight_times_a_second() {
    let fps = FrameRate::new(30, 1);
    for (text, lang) in [(ENGLISH, Lang::En), (CHINESE, Lang::Zh)] {
        let Some(utterance) = speak(text, lang) else {
            return;
        };
        let start = SampleTime(48_000 / 2);
        let (animator, _) = animate(&utterance, start);
        let first = fps.frame_at(start);
        let last = fps.frame_at(start + utterance.duration());
        let shapes: Vec<usize> = (first..=last)
            .map(|i| common::mouth::visible_shape(&animator.sample(fps.frame_time(i)).visemes))
            .collect();
        let changes = shapes.windows(2).filter(|w| w[0] != w[1]).count();
        let seconds = utterance.duration().as_secs_f64();
        let rate = changes as f64 / seconds;
        eprintln!("{lang}: {changes} visible viseme changes in {seconds:.2} s = {rate:.2}/s");
        assert!(rate <= 8.0, "{lang}: {rate:.2} viseme changes per second");
        assert!(rate >= 2.0, "{lang}: the mouth barely moves ({rate:.2}/s)");
    }
}

#[test]
fn viseme_onsets_keep_time_with_espeak_phoneme_events() {
    let params = AnimationParams::default();
    let step = SampleTime(48); // 1 ms
    for (text, lang) in [(ENGLISH, Lang::En), (CHINESE, Lang::Zh)] {
        let Some(utterance) = speak(text, lang) else {
            return;
        };
        let start = SampleTime(48_000 / 2);
        let (animator, timeline) = animate(&utterance, start);
        let end = start + utterance.duration() + SampleTime(48_000 / 5);
        let weights: Vec<[f32; Viseme::COUNT]> = (0..end.0 / step.0)
            .map(|i| animator.sample(SampleTime(i * step.0)).visemes)
            .collect();
        // A viseme's onset: the first millisecond it reaches half of the
        // peak it gets for this cue. Espeak says the phoneme starts at
        // `cue.start`; the mouth is meant to lead by `params.lead`.
        // Bilabials close earlier by design (tested in animation_track.rs).
        let mut errors_ms = Vec::new();
        for pair in timeline.cues.windows(2) {
            let (before, cue) = (pair[0], pair[1]);
            if cue.viseme == before.viseme || matches!(cue.viseme, Viseme::Sil | Viseme::PP) {
                continue;
            }
            let v = cue.viseme as usize;
            let expected = ((start + cue.start).0 / step.0) as i64 - params.lead.as_millis() as i64;
            let lo = (expected - 80).max(1) as usize;
            let hi = ((start + cue.end).0 / step.0) as usize;
            let hi = hi.min(weights.len() - 1);
            let peak = (lo..=hi).map(|ms| weights[ms][v]).fold(0.0f32, f32::max);
            // Shapes the animator folds into their vowel never get their own onset.
            if peak < 0.2 || weights[lo][v] >= 0.5 * peak {
                continue;
            }
            if let Some(ms) = (lo..=hi).find(|&ms| weights[ms][v] >= 0.5 * peak) {
                errors_ms.push((ms as i64 - expected).abs() as f64);
            }
        }
        errors_ms.sort_by(f64::total_cmp);
        assert!(errors_ms.len() >= 20, "{lang}: too few measurable onsets");
        let median = errors_ms[errors_ms.len() / 2];
        let p90 = errors_ms[errors_ms.len() * 9 / 10];
        eprintln!(
            "{lang}: viseme onset error vs espeak phoneme events over {} onsets: median {median:.1} ms, p90 {p90:.1} ms",
            errors_ms.len()
        );
        assert!(median <= 10.0, "{lang}: median onset error {median:.1} ms");
    }
}
