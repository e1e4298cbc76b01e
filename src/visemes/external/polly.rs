//! Amazon Polly speech marks: one JSON object per line, `time` in milliseconds from the start
//! of the audio, `type` `viseme` with a Polly viseme letter as `value` (case matters: `S` is
//! "sh", `s` is "s"). Other mark types (`word`, `sentence`, `ssml`) are skipped.
//!
//! ```text
//! {"time":0,"type":"sentence","start":0,"end":5,"value":"Hello"}
//! {"time":6,"type":"viseme","value":"k"}
//! {"time":60,"type":"viseme","value":"e"}
//! ```
//! Each viseme lasts until the next one.

use crate::clock::SampleTime;
use crate::visemes::{Viseme, VisemeTimeline};

use super::azure::json_lines;
use super::{FormatError, Mark, number, timeline_from_marks};

/// Polly viseme letter → Oculus viseme and weight.
pub fn oculus_for_polly(letter: &str) -> Option<(Viseme, f32)> {
    Some(match letter {
        "sil" => (Viseme::Sil, 1.0),
        "p" => (Viseme::PP, 1.0),
        "f" => (Viseme::FF, 1.0),
        "T" => (Viseme::TH, 1.0),
        "t" => (Viseme::DD, 1.0),
        "S" => (Viseme::CH, 1.0),
        "s" => (Viseme::SS, 1.0),
        "k" => (Viseme::Kk, 1.0),
        "r" => (Viseme::RR, 1.0),
        "a" => (Viseme::Aa, 1.0),
        "@" => (Viseme::Aa, 0.6), // schwa: a half-open neutral mouth
        "e" => (Viseme::E, 1.0),
        "E" => (Viseme::E, 0.8),
        "i" => (Viseme::I, 1.0),
        "o" => (Viseme::O, 1.0),
        "O" => (Viseme::O, 0.8),
        "u" => (Viseme::U, 1.0),
        _ => return None,
    })
}

/// Parses Polly speech marks (JSON lines).
pub fn parse(text: &str) -> Result<VisemeTimeline, FormatError> {
    let mut marks = Vec::new();
    for (line, item) in json_lines(text)? {
        let place = format!("line {line}");
        let kind = item
            .get("type")
            .and_then(|t| t.as_str())
            .ok_or_else(|| FormatError::new(&place, "type", "missing or not a string"))?;
        if kind != "viseme" {
            continue;
        }
        let time_ms = number(&item, &["time"], &place)?;
        let letter = item
            .get("value")
            .and_then(|v| v.as_str())
            .ok_or_else(|| FormatError::new(&place, "value", "missing or not a string"))?;
        let (viseme, weight) = oculus_for_polly(letter).ok_or_else(|| {
            FormatError::new(
                &place,
                "value",
                format!("unknown Polly viseme {letter:?} (p t S T f k i r s u @ a e E o O sil)"),
            )
        })?;
        marks.push(Mark {
            start: SampleTime::from_secs_f64(time_ms / 1000.0),
            viseme,
            weight,
            place: line,
        });
    }
    if marks.is_empty() {
        return Err(FormatError::new(
            "file",
            "type",
            "no viseme marks (request SpeechMarkTypes=[\"viseme\"])",
        ));
    }
    timeline_from_marks(&marks, "line", "time")
}
