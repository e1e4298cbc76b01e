//! Azure Speech viseme events: `VisemeReceived` with an audio offset in 100-ns ticks and a
//! viseme id 0–21 (Microsoft's "map phonemes to visemes" table for en-US), saved as a JSON
//! array or one JSON object per line:
//!
//! ```json
//! [{"AudioOffset": 500000, "VisemeId": 0}, {"AudioOffset": 1000000, "VisemeId": 21}]
//! ```
//! Key names are matched without regard to case (`audioOffset`, `visemeId` from the
//! JavaScript SDK). Each viseme lasts until the next event.

use crate::clock::SampleTime;
use crate::visemes::{Viseme, VisemeTimeline};

use super::{FormatError, Mark, number, timeline_from_marks};

/// 100-ns ticks per 48 kHz sample: 10_000_000 / 48_000.
const TICKS_PER_SECOND: f64 = 10_000_000.0;

/// Azure viseme id → Oculus viseme and weight. Azure groups phonemes by mouth shape; the
/// Oculus set is smaller, so neighbours share a viseme (weights soften the rounder ones).
pub fn oculus_for_azure(id: u64) -> Option<(Viseme, f32)> {
    Some(match id {
        0 => (Viseme::Sil, 1.0),
        1 => (Viseme::Aa, 0.7),  // æ ə ʌ
        2 => (Viseme::Aa, 1.0),  // ɑ
        3 => (Viseme::O, 1.0),   // ɔ
        4 => (Viseme::E, 1.0),   // ɛ ʊ
        5 => (Viseme::RR, 1.0),  // ɝ
        6 => (Viseme::I, 1.0),   // j i ɪ
        7 => (Viseme::U, 1.0),   // w u
        8 => (Viseme::O, 0.8),   // o
        9 => (Viseme::Aa, 1.0),  // aʊ
        10 => (Viseme::O, 1.0),  // ɔɪ
        11 => (Viseme::Aa, 1.0), // aɪ
        12 => (Viseme::Kk, 0.5), // h
        13 => (Viseme::RR, 1.0), // ɹ
        14 => (Viseme::Nn, 1.0), // l
        15 => (Viseme::SS, 1.0), // s z
        16 => (Viseme::CH, 1.0), // ʃ tʃ dʒ ʒ
        17 => (Viseme::TH, 1.0), // ð
        18 => (Viseme::FF, 1.0), // f v
        19 => (Viseme::DD, 1.0), // d t n θ
        20 => (Viseme::Kk, 1.0), // k g ŋ
        21 => (Viseme::PP, 1.0), // p b m
        _ => return None,
    })
}

/// Parses Azure viseme events (a JSON array, or JSON lines).
pub fn parse(text: &str) -> Result<VisemeTimeline, FormatError> {
    let (items, place_word): (Vec<(usize, serde_json::Value)>, &str) =
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Array(items)) => (
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (i + 1, v))
                    .collect(),
                "item",
            ),
            Ok(single @ serde_json::Value::Object(_)) => (vec![(1, single)], "item"),
            Ok(_) => {
                return Err(FormatError::new(
                    "file",
                    "events",
                    "expected an array of viseme events",
                ));
            }
            Err(_) => (json_lines(text)?, "line"),
        };
    let mut marks = Vec::with_capacity(items.len());
    for (n, item) in &items {
        let place = format!("{place_word} {n}");
        let lowered = lower_keys(item);
        let ticks =
            number(&lowered, &["audiooffset", "offset"], &place).map_err(|e| FormatError {
                field: rename(&e.field),
                ..e
            })?;
        let id = number(&lowered, &["visemeid", "id"], &place).map_err(|e| FormatError {
            field: rename(&e.field),
            ..e
        })?;
        let (viseme, weight) = (id.fract() == 0.0)
            .then(|| oculus_for_azure(id as u64))
            .flatten()
            .ok_or_else(|| {
                FormatError::new(&place, "VisemeId", format!("must be 0..=21, got {id}"))
            })?;
        marks.push(Mark {
            start: SampleTime::from_secs_f64(ticks / TICKS_PER_SECOND),
            viseme,
            weight,
            place: *n,
        });
    }
    timeline_from_marks(&marks, place_word, "AudioOffset")
}

/// The SDK's spelling of a lower-cased key, for error messages.
fn rename(field: &str) -> String {
    match field {
        "audiooffset" | "offset" => "AudioOffset".into(),
        "visemeid" | "id" => "VisemeId".into(),
        other => other.into(),
    }
}

fn lower_keys(item: &serde_json::Value) -> serde_json::Value {
    match item {
        serde_json::Value::Object(map) => serde_json::Value::Object(
            map.iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// One JSON object per non-empty line, numbered from 1.
pub(crate) fn json_lines(text: &str) -> Result<Vec<(usize, serde_json::Value)>, FormatError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .map(|v| (i + 1, v))
                .map_err(|e| FormatError::new(format!("line {}", i + 1), "JSON", e.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_azure_id_has_a_viseme() {
        assert!((0..=21).all(|id| oculus_for_azure(id).is_some()));
        assert_eq!(oculus_for_azure(22), None);
        assert_eq!(oculus_for_azure(21), Some((Viseme::PP, 1.0)));
    }
}
