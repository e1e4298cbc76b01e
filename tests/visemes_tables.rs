//! The viseme tables cover what espeak-ng really emits: every phoneme of
//! English pangrams and of every pinyin syllable maps through the table,
//! not through the fallback guess.
#![cfg(feature = "espeak")]

use std::collections::BTreeSet;

use avatarcast::speech::{
    EspeakSpeech, Lang, Speech, SpeechError, SpeechRequest, chinese_to_pinyin,
};
use avatarcast::visemes::{PhonemeShape, Viseme, phoneme_shape};

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

const ENGLISH: &str = "The quick brown fox jumps over the lazy dog. Pack my box with five dozen \
    liquor jugs. Sphinx of black quartz, judge my vow. How vexingly quick daft zebras jump! \
    Hello, how can I help you today? Thank you for calling; your order will ship tomorrow. \
    Measure the azure vision: church, judge, sing, thin, this, yes, we. Beautiful hour, air, \
    ear, poor, cure, fire, power, boy, coin, button, little, bottle, water, better, father, \
    bath, car, bird, word, nurse, north, force, thought, cloth, lot, palm, start, near, square, \
    happy, comma, letter, horses, wanted. Items cost $3.50 at 9:30; e-mail info@example.com. \
    Rhythm, year, usual, genre, loch, uh-oh, yeah.";

const CHINESE: &[&str] = &[
    "您好，请问有什么可以帮您？",
    "谢谢您的耐心等待，您的订单已经发货了。",
    "我们的营业时间是早上九点到晚上六点。",
    "如果您需要退款，请提供订单号和手机号码。",
    "日本、北京、上海、广州、深圳、重庆、西安、成都。",
    "女儿、绿色、决定、去年、需要、月亮、学生、军人、原因。",
    "二十四小时，百分之五十，三点五元，二零二四年。",
];

fn emitted(tts: &EspeakSpeech, text: &str, lang: Lang, voice: &str) -> BTreeSet<String> {
    let utt = tts
        .synthesize(&SpeechRequest::new(text, lang).with_voice(voice))
        .unwrap_or_else(|e| panic!("{voice}: {e}"));
    utt.phonemes.into_iter().map(|p| p.phoneme).collect()
}

fn assert_all_known(lang: Lang, phonemes: &BTreeSet<String>, what: &str) {
    let unknown: Vec<&String> = phonemes
        .iter()
        .filter(|p| phoneme_shape(lang, p).is_none())
        .collect();
    assert!(
        unknown.is_empty(),
        "{what}: espeak emitted phonemes the {lang} table lacks: {unknown:?}"
    );
}

#[test]
fn english_pangrams_map_without_fallback() {
    let Some(tts) = tts() else { return };
    for voice in ["en-us", "en-gb", "en-us+f3"] {
        let phonemes = emitted(&tts, ENGLISH, Lang::En, voice);
        assert!(
            phonemes.len() > 50,
            "{voice}: only {} distinct phonemes",
            phonemes.len()
        );
        assert_all_known(Lang::En, &phonemes, voice);
    }
    // Spot checks of the articulation that matters most to viewers.
    let shape = |p| phoneme_shape(Lang::En, p);
    assert_eq!(shape("m"), Some(PhonemeShape::Viseme(Viseme::PP, 1.0)));
    assert_eq!(shape("f"), Some(PhonemeShape::Viseme(Viseme::FF, 1.0)));
    assert_eq!(shape("D"), Some(PhonemeShape::Viseme(Viseme::TH, 1.0)));
    assert_eq!(shape("u:"), Some(PhonemeShape::Viseme(Viseme::U, 1.0)));
    assert_eq!(shape("_:"), Some(PhonemeShape::Pause));
}

#[test]
fn chinese_sentences_and_every_pinyin_syllable_map_without_fallback() {
    let Some(tts) = tts() else { return };
    let mut phonemes = BTreeSet::new();
    for sentence in CHINESE {
        phonemes.extend(emitted(&tts, sentence, Lang::Zh, "cmn-latn-pinyin"));
    }
    assert_all_known(Lang::Zh, &phonemes, "sentences");

    // Every reading the pinyin table knows, spoken as pinyin directly (as
    // `Lang::En` so the text is not converted a second time).
    let syllables: BTreeSet<String> = ('\u{4E00}'..='\u{9FFF}')
        .map(|c| chinese_to_pinyin(&c.to_string()))
        .filter(|s| !s.is_empty())
        .collect();
    assert!(syllables.len() > 1000, "{} readings", syllables.len());
    let text = syllables.into_iter().collect::<Vec<_>>().join(" , ");
    let all = emitted(&tts, &text, Lang::En, "cmn-latn-pinyin");
    assert_all_known(Lang::Zh, &all, "all syllables");
    for p in [
        "n", "i", "N", "X", "Au", "tS;h", "ts.h", "w", "u@", "y", "@r", "i.", "i[",
    ] {
        assert!(all.contains(p), "{p} not emitted");
        assert!(
            matches!(phoneme_shape(Lang::Zh, p), Some(PhonemeShape::Viseme(..))),
            "{p}"
        );
    }
}
