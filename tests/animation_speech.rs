//! The whole front of the pipeline with real espeak: text → utterance →
//! viseme timeline → Animator → per-frame poses → an avatar's morph weights.
//! The mouth must follow the audio: open when it is loud, shut when silent.
#![cfg(feature = "espeak")]

use avatarcast::animation::{AnimationParams, Animator, AvatarPose, PoseMapper};
use avatarcast::avatar::{Avatar, Mesh};
use avatarcast::clock::{FrameRate, SampleTime};
use avatarcast::speech::{EspeakSpeech, Lang, Speech, SpeechError, SpeechRequest};
use avatarcast::visemes::{Viseme, VisemeTimeline};

fn tts() -> Option<EspeakSpeech> {
    let tts = EspeakSpeech::new();
    match tts.synthesize(&SpeechRequest::new("ok", Lang::En)) {
        Ok(_) => Some(tts),
        Err(e @ SpeechError::EngineInit { .. }) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI: espeak-ng unavailable: {e}"
            );
            eprintln!("skipping: espeak-ng unavailable: {e}");
            None
        }
        Err(e) => panic!("espeak-ng smoke test failed: {e}"),
    }
}

/// Pearson correlation.
fn correlation(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len() as f32;
    let (ma, mb) = (a.iter().sum::<f32>() / n, b.iter().sum::<f32>() / n);
    let cov: f32 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f32 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f32 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt().max(1e-9)
}

#[test]
fn the_mouth_follows_real_speech_in_both_languages() {
    let Some(tts) = tts() else { return };
    let fps = FrameRate::new(30, 1);
    let hop = SampleTime(480);
    for (text, lang) in [
        ("Hello, how can I help you today?", Lang::En),
        ("您好，请问有什么可以帮您？", Lang::Zh),
    ] {
        let utt = tts
            .synthesize(&SpeechRequest::new(text, lang))
            .expect("synthesis");
        let timeline = VisemeTimeline::from_phonemes(lang, &utt.phonemes);
        let loudness = utt.loudness_envelope(hop);
        // The utterance starts one second into the stream.
        let start = SampleTime(48_000);
        let mut animator = Animator::new(3, AnimationParams::default());
        animator.push_utterance(start, timeline, loudness.clone(), hop);

        let frames = fps.frames_covering(start + utt.duration() + SampleTime(48_000));
        let mut jaw = Vec::new();
        let mut level = Vec::new();
        for i in 0..frames {
            let t = fps.frame_time(i);
            let pose = animator.sample(t);
            let open = pose.visemes.iter().skip(1).copied().fold(0.0, f32::max);
            // The mouth may move up to 100 ms early (lead + attack) and settle
            // within 200 ms after the audio ends.
            let before = t + SampleTime::from_millis(100) < start;
            let after = t > start + utt.duration() + SampleTime::from_millis(200);
            if before || after {
                assert!(
                    open < 0.01,
                    "{lang}: mouth open ({open}) at {} ms outside speech",
                    t.as_millis()
                );
            } else {
                jaw.push(open);
                // Audio loudness around the frame's time, for comparison.
                let hop_index = ((t - start).0 / hop.0) as usize;
                level.push(loudness.get(hop_index).copied().unwrap_or(0.0));
            }
        }
        let r = correlation(&jaw, &level);
        eprintln!("{lang}: mouth/loudness correlation {r:.2}");
        assert!(
            r > 0.35,
            "{lang}: mouth opening correlates {r} with loudness"
        );
        assert!(
            jaw.iter().any(|o| *o > 0.6),
            "{lang}: the mouth never opens wide"
        );
    }
}

#[test]
fn poses_map_onto_an_oculus_avatar_every_frame() {
    let Some(tts) = tts() else { return };
    let names: Vec<String> = Viseme::ALL
        .into_iter()
        .skip(1)
        .map(|v| v.morph_name())
        .chain(["eyeBlinkLeft".into(), "eyeBlinkRight".into()])
        .collect();
    let avatar = Avatar {
        name: "test".into(),
        meshes: vec![Mesh {
            name: "face".into(),
            default_weights: vec![0.0; names.len()],
            morph_names: names,
            ..Mesh::default()
        }],
        ..Avatar::default()
    };
    let mapper = PoseMapper::new(&avatar).expect("oculus avatar");
    let utt = tts
        .synthesize(&SpeechRequest::new("Please bring my bill.", Lang::En))
        .expect("synthesis");
    let mut animator = Animator::new(1, AnimationParams::default());
    let hop = SampleTime(480);
    animator.push_utterance(
        SampleTime::ZERO,
        VisemeTimeline::from_phonemes(Lang::En, &utt.phonemes),
        utt.loudness_envelope(hop),
        hop,
    );
    let fps = FrameRate::new(30, 1);
    let pp = avatar.meshes[0].morph_index("viseme_PP").expect("PP morph");
    let mut out = AvatarPose::default();
    let mut max_pp = 0.0f32;
    for i in 0..fps.frames_covering(utt.duration()) {
        let pose = animator.sample(fps.frame_time(i));
        mapper.map(&pose, &mut out);
        assert!(out.morph_weights[0].iter().all(|w| (0.0..=1.0).contains(w)));
        max_pp = max_pp.max(out.morph_weights[0][pp]);
        // Frames before `t` are shown; the engine retires as it goes.
        animator.retire_before(fps.frame_time(i));
    }
    // "Please bring my bill": four bilabials, the lips shut on at least one frame.
    assert!(max_pp > 0.9, "viseme_PP peaked at {max_pp}");
}
