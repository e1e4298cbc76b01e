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
const CHINESE: &str = "感谢您的来电。您的订单昨天已经发货，预计星期四送达。如果有任何问题，三十天内可以退货。";

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

/// The mouth shape a viewer sees: the strongest viseme, or rest when no
/// viseme is formed past a third.
fn visible_shape(weights: &[f32; Viseme::COUNT]) -> usize {
    let (best, w) = weights
        .iter()
        .enumerate()
        .skip(1)
        .fold((0, 0.0f32), |acc, (i, &w)| if w > acc.1 { (i, w) } else { acc });
    if w > 1.0 / 3.0 { best } else { 0 }
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
            .map(|i| visible_shape(&animator.sample(fps.frame_time(i)).visemes))
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
fn viseme_changes_keep_time_with_espeak_phoneme_events() {
    let params = AnimationParams::default();
    let step = SampleTime(48); // 1 ms
    for (text, lang) in [(ENGLISH, Lang::En), (CHINESE, Lang::Zh)] {
        let Some(utterance) = speak(text, lang) else {
            return;
        };
        let start = SampleTime(48_000 / 2);
        let (animator, timeline) = animate(&utterance, start);
        // The mouth's strongest viseme every millisecond.
        let end = start + utterance.duration() + SampleTime(48_000 / 5);
        let mut dominant = Vec::new();
        let mut t = SampleTime::ZERO;
        while t < end {
            let w = animator.sample(t).visemes;
            let best = (0..Viseme::COUNT)
                .max_by(|&a, &b| w[a].total_cmp(&w[b]))
                .unwrap_or(0);
            dominant.push(best);
            t = t + step;
        }
        // Each phoneme-driven cue long enough to be seen (the animator holds
        // shorter ones for `min_hold` and may merge them) should take over
        // the mouth when espeak says it starts, less the deliberate lead.
        let mut errors_ms = Vec::new();
        let mut unseen = 0;
        for pair in timeline.cues.windows(2) {
            let (before, cue) = (pair[0], pair[1]);
            if cue.viseme == before.viseme || cue.end - cue.start < params.min_hold {
                continue;
            }
            let expected = (start + cue.start).0 as f64 / 48.0 - params.lead.as_millis() as f64;
            // Look for the takeover within ±60 ms of the expected instant.
            let lo = ((expected - 60.0).max(0.0)) as usize;
            let hi = ((expected + 60.0) as usize).min(dominant.len().saturating_sub(1));
            let v = cue.viseme as usize;
            let takeover = (lo.max(1)..=hi).find(|&ms| dominant[ms] == v && dominant[ms - 1] != v);
            match takeover {
                Some(ms) => errors_ms.push((ms as f64 - expected).abs()),
                None => unseen += 1,
            }
        }
        errors_ms.sort_by(f64::total_cmp);
        let median = errors_ms[errors_ms.len() / 2];
        let p90 = errors_ms[errors_ms.len() * 9 / 10];
        eprintln!(
            "{lang}: viseme timing error vs espeak phoneme events over {} changes: median {median:.1} ms, p90 {p90:.1} ms ({unseen} cues never took over the mouth)",
            errors_ms.len()
        );
        assert!(
            errors_ms.len() >= 20,
            "{lang}: too few measurable changes"
        );
        assert!(median <= 10.0, "{lang}: median timing error {median:.1} ms");
    }
}
