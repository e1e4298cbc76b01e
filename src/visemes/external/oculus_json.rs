//! An Oculus viseme timeline in JSON: the 15 Oculus (OVR LipSync) visemes with start and end
//! in seconds on the audio file's clock.
//!
//! ```json
//! {"visemes": [
//!   {"viseme": "sil", "start": 0.00, "end": 0.12},
//!   {"viseme": "PP",  "start": 0.12, "end": 0.20, "weight": 1.0},
//!   {"viseme": "aa",  "start": 0.20, "end": 0.41, "weight": 0.8}
//! ]}
//! ```
//! A bare array of the same objects is accepted too. Names are the Oculus suffixes (`sil PP
//! FF TH DD kk CH SS nn RR aa E I O U`, any case) or morph names (`viseme_aa`); `weight`
//! defaults to 1. Cues must not overlap; gaps between them are silence.

use crate::clock::SampleTime;
use crate::visemes::{Viseme, VisemeCue, VisemeTimeline};

use super::{FormatError, number, push_cue};

/// Parses an Oculus viseme timeline.
pub fn parse(text: &str) -> Result<VisemeTimeline, FormatError> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| FormatError::new(format!("line {}", e.line()), "JSON", e.to_string()))?;
    let items = value
        .get("visemes")
        .unwrap_or(&value)
        .as_array()
        .ok_or_else(|| {
            FormatError::new(
                "file",
                "visemes",
                "expected an array of {viseme, start, end}",
            )
        })?;
    let mut cues: Vec<VisemeCue> = Vec::with_capacity(items.len());
    let mut last_end = SampleTime::ZERO;
    for (i, item) in items.iter().enumerate() {
        let place = format!("item {}", i + 1);
        let name = item
            .get("viseme")
            .and_then(|v| v.as_str())
            .ok_or_else(|| FormatError::new(&place, "viseme", "missing or not a string"))?;
        let viseme = viseme_named(name).ok_or_else(|| {
            FormatError::new(
                &place,
                "viseme",
                format!(
                    "unknown viseme {name:?} (Oculus: sil PP FF TH DD kk CH SS nn RR aa E I O U)"
                ),
            )
        })?;
        let start = number(item, &["start"], &place)?;
        let end = number(item, &["end"], &place)?;
        if end < start {
            return Err(FormatError::new(
                &place,
                "end",
                format!("{end} s is before start {start} s"),
            ));
        }
        let weight = match item.get("weight") {
            None => 1.0,
            Some(w) => w
                .as_f64()
                .filter(|w| (0.0..=1.0).contains(w))
                .ok_or_else(|| {
                    FormatError::new(&place, "weight", format!("must be 0..=1, got {w}"))
                })? as f32,
        };
        let (start, end) = (
            SampleTime::from_secs_f64(start),
            SampleTime::from_secs_f64(end),
        );
        if start < last_end {
            return Err(FormatError::new(
                &place,
                "start",
                format!(
                    "overlaps the previous cue (starts at {} ms, previous ends at {} ms)",
                    start.as_millis(),
                    last_end.as_millis()
                ),
            ));
        }
        last_end = end;
        push_cue(
            &mut cues,
            VisemeCue {
                viseme,
                start,
                end,
                weight,
            },
        );
    }
    Ok(VisemeTimeline { cues })
}

/// An Oculus viseme from its suffix or morph name, ignoring case.
pub fn viseme_named(name: &str) -> Option<Viseme> {
    let suffix = name.strip_prefix("viseme_").unwrap_or(name);
    Viseme::ALL
        .into_iter()
        .find(|v| v.oculus_suffix().eq_ignore_ascii_case(suffix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_gaps() {
        assert_eq!(viseme_named("viseme_aa"), Some(Viseme::Aa));
        assert_eq!(viseme_named("KK"), Some(Viseme::Kk));
        assert_eq!(viseme_named("ah"), None);
        let t = parse(r#"[{"viseme":"PP","start":0.1,"end":0.2}]"#).expect("valid");
        assert_eq!(t.cues.len(), 2, "leading silence is explicit: {:?}", t.cues);
        assert_eq!(t.cues[0].viseme, Viseme::Sil);
    }
}
