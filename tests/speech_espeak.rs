//! Real espeak-ng: text → 48 kHz PCM + phonemes → viseme timeline, in
//! English and Mandarin, plus the errors and hostile inputs.
#![cfg(feature = "espeak")]

use avatarcast::clock::{SAMPLE_RATE_HZ, SampleTime};
use avatarcast::speech::{
    EspeakOptions, EspeakSpeech, Lang, Speech, SpeechError, SpeechRequest, Utterance,
};
use avatarcast::visemes::{Viseme, VisemeTimeline};

/// The backend, or `None` (with the reason printed) when espeak-ng's data is
/// missing on this machine. Under CI=true a missing engine is a failure.
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

/// Same phonemes and about the same length. espeak's output is not
/// bit-identical between calls: some synthesis state (pitch flutter, and
/// timing after odd text such as spelled-out unknown characters, by up to
/// ~5 %) carries over between utterances.
fn assert_same_speech(a: &Utterance, b: &Utterance) {
    let names = |u: &Utterance| {
        u.phonemes
            .iter()
            .map(|p| p.phoneme.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(a), names(b));
    let (la, lb) = (a.pcm.len() as f64, b.pcm.len() as f64);
    assert!((la - lb).abs() < 0.08 * lb, "{la} vs {lb} samples");
}

fn rms(samples: &[f32]) -> f32 {
    if samples.is_empty() {
        return 0.0;
    }
    (samples.iter().map(|s| s * s).sum::<f32>() / samples.len() as f32).sqrt()
}

fn span(u: &Utterance, start: SampleTime, end: SampleTime) -> &[f32] {
    &u.pcm[start.0 as usize..(end.0 as usize).min(u.pcm.len())]
}

/// The checks shared by both languages.
fn check_utterance(u: &Utterance, lang: Lang) -> VisemeTimeline {
    let secs = u.duration_secs();
    assert!((1.0..=4.0).contains(&secs), "{lang}: {secs} s of audio");
    assert!(rms(&u.pcm) > 0.02, "{lang}: audio is (nearly) silent");
    assert!(u.pcm.iter().all(|s| s.is_finite() && s.abs() <= 1.0));

    // Phonemes: sorted, contiguous, inside the PCM, covering it.
    assert!(!u.phonemes.is_empty());
    assert_eq!(u.phonemes[0].start, SampleTime::ZERO);
    for w in u.phonemes.windows(2) {
        assert!(w[0].start < w[0].end, "{lang}: empty phoneme {:?}", w[0]);
        assert_eq!(w[0].end, w[1].start, "{lang}: gap or overlap");
    }
    assert_eq!(u.phonemes.last().map(|p| p.end), Some(u.duration()));

    // Event times line up with the audio: pauses are quiet, vowels loud.
    let timeline = VisemeTimeline::from_phonemes(lang, &u.phonemes);
    assert!(!timeline.is_empty());
    let (mut quiet, mut loud) = (Vec::new(), Vec::new());
    for cue in &timeline.cues {
        let level = rms(span(u, cue.start, cue.end));
        if cue.viseme == Viseme::Sil && cue.end.0 - cue.start.0 > 2400 {
            quiet.push(level);
        } else if cue.viseme.is_open() {
            loud.push(level);
        }
    }
    let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len().max(1) as f32;
    assert!(!loud.is_empty(), "{lang}: no open-mouth visemes");
    assert!(
        mean(&quiet) < 0.3 * mean(&loud),
        "{lang}: pauses (rms {}) not quieter than vowels (rms {})",
        mean(&quiet),
        mean(&loud)
    );

    // Silence at the edges is `sil`.
    let first = &timeline.cues[0];
    let leading_silent = rms(span(u, SampleTime::ZERO, SampleTime(240))) < 0.002;
    assert_eq!(
        first.viseme == Viseme::Sil,
        leading_silent,
        "{lang}: first cue {first:?}"
    );
    assert_eq!(
        timeline.cues.last().map(|c| c.viseme),
        Some(Viseme::Sil),
        "{lang}: ends open"
    );
    let open: Vec<Viseme> = timeline
        .cues
        .iter()
        .map(|c| c.viseme)
        .filter(|v| v.is_open())
        .collect();
    assert!(open.len() >= 4, "{lang}: only {open:?}");
    timeline
}

#[test]
fn english_sentence_to_audio_phonemes_and_visemes() {
    let Some(tts) = tts() else { return };
    let u = tts
        .synthesize(&SpeechRequest::new(
            "Hello, how can I help you today?",
            Lang::En,
        ))
        .expect("english synthesis");
    assert_eq!(u.voice, "en-us");
    assert_eq!(u.lang, Lang::En);
    let timeline = check_utterance(&u, Lang::En);
    // "help" has a p: the lips close somewhere in the sentence.
    assert!(timeline.cues.iter().any(|c| c.viseme == Viseme::PP));
    let names: Vec<&str> = u.phonemes.iter().map(|p| p.phoneme.as_str()).collect();
    assert!(names.starts_with(&["_", "h", "@", "l", "oU"]), "{names:?}");
}

#[test]
fn mandarin_sentence_to_audio_phonemes_and_visemes() {
    let Some(tts) = tts() else { return };
    let u = tts
        .synthesize(&SpeechRequest::new("您好，请问有什么可以帮您？", Lang::Zh))
        .expect("mandarin synthesis");
    assert_eq!(u.voice, "cmn-latn-pinyin");
    let timeline = check_utterance(&u, Lang::Zh);
    // 帮 bang1 starts with p.
    assert!(timeline.cues.iter().any(|c| c.viseme == Viseme::PP));
    let names: Vec<&str> = u.phonemes.iter().map(|p| p.phoneme.as_str()).collect();
    // 您 nin2 → n i n; the comma becomes a pause before 请 qing3 (tS;h).
    assert!(names.starts_with(&["n", "i", "n"]), "{names:?}");
    assert!(
        names.contains(&"tS;h") && names.contains(&"_:"),
        "{names:?}"
    );
}

#[test]
fn the_loudness_envelope_follows_the_speech() {
    let Some(tts) = tts() else { return };
    let u = tts
        .synthesize(&SpeechRequest::new(
            "Hello, how can I help you today?",
            Lang::En,
        ))
        .expect("synthesis");
    let hop = SampleTime(480);
    let env = u.loudness_envelope(hop);
    assert_eq!(env.len(), u.pcm.len().div_ceil(480));
    assert_eq!(env.iter().copied().fold(0.0, f32::max), 1.0);
    // The comma pause (`_:` after "hello") is quiet.
    let pause = u
        .phonemes
        .iter()
        .find(|p| p.phoneme == "_:")
        .expect("a comma pause");
    let mid = ((pause.start.0 + pause.end.0) / 2 / hop.0) as usize;
    assert!(env[mid] < 0.1, "loudness {} in the pause", env[mid]);
}

#[test]
fn empty_text_and_unknown_voice_are_clear_errors() {
    let Some(tts) = tts() else { return };
    for text in ["", "   ", "\n\t\u{0}\u{7}", "😀🎉"] {
        let err = tts
            .synthesize(&SpeechRequest::new(text, Lang::En))
            .expect_err(text);
        assert!(matches!(err, SpeechError::EmptyText), "{text:?}: {err}");
    }
    assert!(matches!(
        tts.synthesize(&SpeechRequest::new("，。？", Lang::Zh)),
        Err(SpeechError::EmptyText)
    ));
    let err = tts
        .synthesize(&SpeechRequest::new("hello", Lang::En).with_voice("xx-nonexistent"))
        .expect_err("unknown voice");
    let msg = err.to_string();
    assert!(matches!(err, SpeechError::UnknownVoice { .. }));
    assert!(
        msg.contains("xx-nonexistent")
            && msg.contains("espeak-ng --voices")
            && msg.contains("en-us"),
        "{msg}"
    );
    // The engine still works after an error.
    assert!(
        tts.synthesize(&SpeechRequest::new("still here", Lang::En))
            .is_ok()
    );
}

#[test]
fn voices_variants_and_rate_are_selectable() {
    let Some(tts) = tts() else { return };
    let voices = tts.voices().expect("voice list");
    assert!(voices.iter().any(|v| v.starts_with("en-us ")), "{voices:?}");
    assert!(voices.iter().any(|v| v.starts_with("cmn-latn-pinyin ")));
    let text = "Thank you for waiting.";
    let base = tts
        .synthesize(&SpeechRequest::new(text, Lang::En))
        .expect("en-us");
    let female = tts.clone().female();
    assert_eq!(female.default_voice(Lang::En), "en-us+f3");
    let f = female
        .synthesize(&SpeechRequest::new(text, Lang::En))
        .expect("en-us+f3");
    assert_eq!(f.voice, "en-us+f3");
    assert!(f.pcm != base.pcm, "the variant changes the voice");
    // `en-gb` is a language, not a voice file name; it still resolves.
    let gb = tts
        .synthesize(&SpeechRequest::new(text, Lang::En).with_voice("en-gb+f3"))
        .expect("en-gb+f3");
    assert!(gb.pcm != base.pcm, "en-gb differs from en-us");
    let fast = EspeakSpeech::with_options(EspeakOptions {
        rate_wpm: Some(300),
        ..EspeakOptions::default()
    });
    let quick = fast
        .synthesize(&SpeechRequest::new(text, Lang::En))
        .expect("fast");
    assert!(quick.duration_secs() < 0.8 * base.duration_secs());
    // Options do not leak into other instances sharing the engine thread.
    let again = tts
        .synthesize(&SpeechRequest::new(text, Lang::En))
        .expect("en-us again");
    assert_same_speech(&again, &base);
}

#[test]
fn hostile_text_never_panics() {
    let Some(tts) = tts() else { return };
    let long: String = "Your order 12345 ships today; thanks! "
        .chars()
        .cycle()
        .take(10_000)
        .collect();
    let long_zh: String = "您的订单已发货，谢谢！"
        .chars()
        .cycle()
        .take(3_000)
        .collect();
    let cases: Vec<(String, Lang)> = vec![
        ("Hi\u{0}there\u{1b}[31m red \u{7f}".into(), Lang::En),
        ("😀 hello 👋🏽 world 🇺🇸".into(), Lang::En),
        (
            "<speak>[[h@l'oU]] &amp; \"quotes\" {}</speak>".into(),
            Lang::En,
        ),
        ("\u{202E}right-to-left\u{200B}zero width".into(), Lang::En),
        ("Ünïcödé ñ ß Ελληνικά русский 日本語".into(), Lang::En),
        (
            "价格是3.5元，电话010-8888，折扣50%，WiFi密码abc。".into(),
            Lang::Zh,
        ),
        ("混合 English 和中文 😀 ！？".into(), Lang::Zh),
        (long, Lang::En),
        (long_zh, Lang::Zh),
    ];
    for (text, lang) in cases {
        let u = tts
            .synthesize(&SpeechRequest::new(text.clone(), lang))
            .unwrap_or_else(|e| {
                panic!(
                    "{lang} {:?}...: {e}",
                    text.chars().take(30).collect::<String>()
                )
            });
        assert!(u.duration().0 > 0);
        let end = u.phonemes.last().map_or(SampleTime::ZERO, |p| p.end);
        assert_eq!(end, u.duration());
        let timeline = VisemeTimeline::from_phonemes(lang, &u.phonemes);
        assert!(!timeline.is_empty());
    }
}

#[test]
fn many_threads_share_one_engine() {
    let Some(tts) = tts() else { return };
    let reference = tts
        .synthesize(&SpeechRequest::new("How may I help?", Lang::En))
        .expect("reference");
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let tts = tts.clone();
            std::thread::spawn(move || {
                let mut out = Vec::new();
                for j in 0..3 {
                    let req = if (i + j) % 2 == 0 {
                        SpeechRequest::new("How may I help?", Lang::En)
                    } else {
                        SpeechRequest::new("请稍等。", Lang::Zh)
                    };
                    out.push(tts.synthesize(&req));
                }
                out
            })
        })
        .collect();
    for t in threads {
        for result in t.join().expect("thread finished") {
            let u = result.expect("synthesis under contention");
            if u.lang == Lang::En {
                assert_same_speech(&u, &reference);
            } else {
                assert_eq!(u.voice, "cmn-latn-pinyin");
                assert!(u.pcm.len() > SAMPLE_RATE_HZ as usize / 4);
            }
        }
    }
}

#[test]
fn event_positions_stay_exact_across_sentences() {
    let Some(tts) = tts() else { return };
    // Several sentences and clauses in one call: espeak reports positions per
    // call, so late events must still land on their sounds.
    let text = "Good morning. Your parcel left the depot at nine. It should arrive \
                tomorrow, before noon. Is there anything else? Thank you, goodbye.";
    let u = tts
        .synthesize(&SpeechRequest::new(text, Lang::En))
        .expect("synthesis");
    let pauses: Vec<_> = u
        .phonemes
        .iter()
        .filter(|p| p.phoneme.starts_with('_') && p.end.0 - p.start.0 > 4800)
        .collect();
    assert!(pauses.len() >= 5, "{} long pauses", pauses.len());
    let loud = rms(&u.pcm);
    for p in &pauses {
        // Skip the first 10 ms: the previous sound may still be decaying.
        let level = rms(span(&u, p.start + SampleTime(480), p.end));
        assert!(
            level < 0.1 * loud,
            "pause at {} ms has rms {level} (speech {loud})",
            p.start.as_millis()
        );
    }
    // The last long pause is near the end of the audio, not squeezed early.
    let last = pauses.last().map_or(0, |p| p.start.0);
    assert!(last as f64 > 0.8 * u.duration().0 as f64);
}
