//! Viseme input from other TTS engines (src/visemes/external): each format parsed from a
//! sample file in tests/fixtures/visemes, malformed files rejected with an error that names
//! the line or item and the field.

use std::path::{Path, PathBuf};

use avatarcast::clock::SampleTime;
use avatarcast::visemes::Viseme;
use avatarcast::visemes::VisemeTimeline;
use avatarcast::visemes::external::{
    self, ArkitFrameTrack, ExternalVisemeError, ExternalVisemes, Format,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/visemes")
        .join(name)
}

fn timeline(name: &str) -> VisemeTimeline {
    match external::load(&fixture(name)).expect("sample parses") {
        ExternalVisemes::Timeline(t) => t,
        other => panic!("{name}: expected a viseme timeline, got {other:?}"),
    }
}

fn ms(v: u64) -> SampleTime {
    SampleTime::from_millis(v)
}

fn viseme_at(t: &VisemeTimeline, at_ms: u64) -> Option<(Viseme, f32)> {
    t.cue_at(ms(at_ms)).map(|c| (c.viseme, c.weight))
}

/// Cues sorted, contiguous from zero and non-empty: what the animation stage expects.
#[track_caller]
fn assert_contiguous(t: &VisemeTimeline) {
    assert_eq!(t.cues.first().map(|c| c.start), Some(SampleTime::ZERO));
    for pair in t.cues.windows(2) {
        assert_eq!(pair[0].end, pair[1].start, "{:?}", t.cues);
    }
    assert!(t.cues.iter().all(|c| c.end > c.start));
}

#[test]
fn oculus_timeline_json() {
    let text = std::fs::read_to_string(fixture("oculus.json")).expect("fixture");
    assert_eq!(external::detect(&text), Some(Format::OculusJson));
    let t = timeline("oculus.json");
    assert_contiguous(&t);
    assert_eq!(viseme_at(&t, 50), Some((Viseme::Sil, 1.0)));
    assert_eq!(viseme_at(&t, 400), Some((Viseme::O, 0.9)));
    assert_eq!(viseme_at(&t, 650), Some((Viseme::PP, 1.0)));
    assert_eq!(viseme_at(&t, 750), Some((Viseme::Aa, 1.0)));
    assert_eq!(t.end(), ms(1400));
}

#[test]
fn azure_viseme_events_as_array_and_as_lines() {
    let text = std::fs::read_to_string(fixture("azure.json")).expect("fixture");
    assert_eq!(external::detect(&text), Some(Format::Azure));
    let t = timeline("azure.json");
    assert_contiguous(&t);
    // 6 000 000 ticks of 100 ns = 600 ms: VisemeId 21 (p b m) until 680 ms.
    assert_eq!(viseme_at(&t, 600), Some((Viseme::PP, 1.0)));
    assert_eq!(viseme_at(&t, 679), Some((Viseme::PP, 1.0)));
    assert_eq!(viseme_at(&t, 700), Some((Viseme::Aa, 1.0)));
    assert_eq!(viseme_at(&t, 120), Some((Viseme::Kk, 0.5)), "id 12 (h)");
    assert_eq!(viseme_at(&t, 850), Some((Viseme::FF, 1.0)), "id 18 (f v)");
    // The closing silence event ends the timeline.
    assert_eq!(t.end(), ms(1220));
    assert_eq!(
        timeline("azure_lines.jsonl"),
        t,
        "JSON lines, JS SDK key spelling"
    );
}

#[test]
fn polly_speech_marks() {
    let text = std::fs::read_to_string(fixture("polly.marks")).expect("fixture");
    assert_eq!(external::detect(&text), Some(Format::Polly));
    let t = timeline("polly.marks");
    assert_contiguous(&t);
    assert_eq!(
        viseme_at(&t, 3),
        Some((Viseme::Sil, 1.0)),
        "before the first viseme"
    );
    assert_eq!(viseme_at(&t, 10), Some((Viseme::Kk, 1.0)));
    assert_eq!(viseme_at(&t, 520), Some((Viseme::PP, 1.0)));
    assert_eq!(viseme_at(&t, 900), Some((Viseme::E, 0.8)), "capital E");
    assert_eq!(viseme_at(&t, 200), Some((Viseme::DD, 1.0)), "lower-case t");
    assert_eq!(t.end(), ms(1100));
    // Word and sentence marks are not visemes.
    assert!(t.cues.len() < 14, "{:?}", t.cues);
}

#[test]
fn arkit_blend_shape_frames() {
    let text = std::fs::read_to_string(fixture("arkit_frames.json")).expect("fixture");
    assert_eq!(external::detect(&text), Some(Format::ArkitFrames));
    let ExternalVisemes::Arkit(track) =
        external::load(&fixture("arkit_frames.json")).expect("sample parses")
    else {
        panic!("expected ARKit frames")
    };
    assert_eq!(track.frames.len(), 60);
    assert_eq!(track.duration(), ms(1000));
    let jaw = ArkitFrameTrack::index_of("jawOpen").expect("known name");
    // Frame 5 (83.3 ms) is the top of the 3 Hz jaw motion in the sample.
    assert!((track.frames[5][jaw] - 0.6).abs() < 1e-4);
    assert_eq!(
        track.weight("jawOpen", SampleTime(5 * 800)),
        Some(track.frames[5][jaw])
    );
    assert_eq!(track.weight("eyeBlinkLeft", ms(700)), Some(1.0), "frame 42");
    assert_eq!(track.weight("eyeBlinkLeft", ms(500)), Some(0.0));
    assert_eq!(track.weight("noSuchShape", ms(500)), None);
    assert!(track.frame_at(ms(1000)).is_none(), "after the last frame");
}

/// Loads a malformed sample and returns its error text.
fn rejected(name: &str) -> String {
    match external::load(&fixture(name)) {
        Ok(v) => panic!("{name} was accepted: {v:?}"),
        Err(err @ ExternalVisemeError::Format { .. }) => {
            let text = err.to_string();
            assert!(text.contains(name), "the path is in the message: {text}");
            text
        }
        Err(other) => panic!("{name}: wrong error {other}"),
    }
}

#[test]
fn malformed_files_are_rejected_naming_line_or_item_and_field() {
    let cases = [
        (
            "oculus_bad_viseme.json",
            "item 3: viseme: unknown viseme \"ah\"",
        ),
        (
            "azure_bad_id.json",
            "item 2: VisemeId: must be 0..=21, got 25",
        ),
        ("polly_missing_time.marks", "line 4: time: missing"),
        (
            "polly_out_of_order.marks",
            "line 6: time: goes back in time",
        ),
        (
            "arkit_short_frame.json",
            "item 2, frame 33: BlendShapes: has 54 values",
        ),
        ("arkit_gap.json", "item 2: FrameIndex: is 32, expected 30"),
    ];
    for (file, expected) in cases {
        let text = rejected(file);
        assert!(text.contains(expected), "{file}: {text}");
    }
}

#[test]
fn syntax_errors_and_unknown_formats_are_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        "{\"visemes\": [\n{\"viseme\": \"aa\", \"start\": 0.1,,}\n]}",
    )
    .expect("write");
    let text = external::load(&broken)
        .expect_err("broken JSON")
        .to_string();
    assert!(text.contains("line 2: JSON"), "{text}");

    let other = dir.path().join("other.json");
    std::fs::write(&other, "{\"hello\": 1}").expect("write");
    assert!(matches!(
        external::load(&other),
        Err(ExternalVisemeError::UnknownFormat { .. })
    ));
    assert!(matches!(
        external::load(&dir.path().join("missing.json")),
        Err(ExternalVisemeError::Io { .. })
    ));
}
