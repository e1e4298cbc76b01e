//! Viseme input from other TTS engines, each turned into avatarcast's own types:
//!
//! | format | file | becomes |
//! |---|---|---|
//! | Oculus viseme timeline (JSON, seconds) | [`oculus_json`] | [`VisemeTimeline`] |
//! | Azure Speech viseme events (ids 0–21, 100-ns ticks) | [`azure`] | [`VisemeTimeline`] |
//! | Amazon Polly speech marks (JSON lines, ms, Polly viseme letters) | [`polly`] | [`VisemeTimeline`] |
//! | ARKit blend-shape frames (Azure's 55-value `FacialExpression`, 60 fps) | [`arkit_frames`] | [`ArkitFrameTrack`] |
//!
//! Each file belongs to an audio file whose first sample is time zero. Parsing is pure
//! (text in, value out); [`load`] reads a file and detects its format. A malformed file is
//! rejected as a whole with an error naming the line or item and the field.

pub mod arkit_frames;
pub mod azure;
pub mod oculus_json;
pub mod polly;

use std::path::{Path, PathBuf};

use crate::clock::SampleTime;

pub use arkit_frames::{ARKIT_FRAME_NAMES, ArkitFrameTrack};

use super::{Viseme, VisemeCue, VisemeTimeline};

/// How long the last viseme of a mark list lasts when the format gives only start times
/// and the list does not end in silence.
pub const LAST_MARK_MS: u64 = 100;

/// The external formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    OculusJson,
    Azure,
    Polly,
    ArkitFrames,
}

/// What a file held.
#[derive(Debug, Clone, PartialEq)]
pub enum ExternalVisemes {
    Timeline(VisemeTimeline),
    Arkit(ArkitFrameTrack),
}

/// What is wrong inside a file: where (`line N` or `item N`), which field, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{place}: {field}: {reason}")]
pub struct FormatError {
    /// `line 3`, `item 2`, `frame 14` or `file`.
    pub place: String,
    pub field: String,
    pub reason: String,
}

impl FormatError {
    pub(crate) fn new(place: impl Into<String>, field: &str, reason: impl Into<String>) -> Self {
        FormatError {
            place: place.into(),
            field: field.to_string(),
            reason: reason.into(),
        }
    }
}

/// Why an external viseme file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ExternalVisemeError {
    #[error("cannot read the viseme file ({source}); check the path: {path:?}")]
    Io {
        source: std::io::Error,
        path: PathBuf,
    },
    #[error(
        "cannot tell the viseme format (expected an Oculus timeline, Azure viseme events, Polly \
         speech marks or ARKit blend-shape frames; see src/visemes/external/mod.rs): {path:?}"
    )]
    UnknownFormat { path: PathBuf },
    #[error("{format:?} viseme file rejected, {source}; fix it and load again: {path:?}")]
    Format {
        format: Format,
        source: FormatError,
        path: PathBuf,
    },
}

/// Guesses the format from the content: Polly marks have `"type":"viseme"` lines, Azure
/// events a viseme id, ARKit frames `BlendShapes`; anything else with viseme names is taken
/// as an Oculus timeline.
pub fn detect(text: &str) -> Option<Format> {
    let lower = text.to_ascii_lowercase();
    if lower.contains("blendshapes") {
        Some(Format::ArkitFrames)
    } else if lower.contains("visemeid") {
        Some(Format::Azure)
    } else if lower.contains("\"type\"") && lower.contains("\"viseme\"") {
        Some(Format::Polly)
    } else if lower.contains("\"viseme\"") {
        Some(Format::OculusJson)
    } else {
        None
    }
}

/// Parses `text` as `format`.
pub fn parse(format: Format, text: &str) -> Result<ExternalVisemes, FormatError> {
    Ok(match format {
        Format::OculusJson => ExternalVisemes::Timeline(oculus_json::parse(text)?),
        Format::Azure => ExternalVisemes::Timeline(azure::parse(text)?),
        Format::Polly => ExternalVisemes::Timeline(polly::parse(text)?),
        Format::ArkitFrames => ExternalVisemes::Arkit(arkit_frames::parse(text)?),
    })
}

/// Reads a viseme file, detects its format and parses it.
pub fn load(path: &Path) -> Result<ExternalVisemes, ExternalVisemeError> {
    let text = std::fs::read_to_string(path).map_err(|source| ExternalVisemeError::Io {
        source,
        path: path.to_path_buf(),
    })?;
    let format = detect(&text).ok_or_else(|| ExternalVisemeError::UnknownFormat {
        path: path.to_path_buf(),
    })?;
    parse(format, &text).map_err(|source| ExternalVisemeError::Format {
        format,
        source,
        path: path.to_path_buf(),
    })
}

/// A viseme starting at a time (formats that give only onsets).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    pub start: SampleTime,
    pub viseme: Viseme,
    pub weight: f32,
    /// `line N` / `item N`, for errors.
    pub place: usize,
}

/// Onset marks → a contiguous timeline: each viseme lasts until the next mark; the last one
/// [`LAST_MARK_MS`] (nothing if it is silence). Time before the first mark is silence.
/// Marks must not go back in time.
pub(crate) fn timeline_from_marks(
    marks: &[Mark],
    place_word: &str,
    time_field: &str,
) -> Result<VisemeTimeline, FormatError> {
    let mut cues: Vec<VisemeCue> = Vec::with_capacity(marks.len() + 1);
    for (i, m) in marks.iter().enumerate() {
        if let Some(prev) = i.checked_sub(1).map(|p| marks[p]) {
            if m.start < prev.start {
                return Err(FormatError::new(
                    format!("{place_word} {}", m.place),
                    time_field,
                    format!(
                        "goes back in time ({} ms after {} ms); marks must be in time order",
                        m.start.as_millis(),
                        prev.start.as_millis()
                    ),
                ));
            }
        }
        let end = match marks.get(i + 1) {
            Some(next) => next.start.max(m.start),
            None if m.viseme == Viseme::Sil => m.start,
            None => m.start + SampleTime::from_millis(LAST_MARK_MS),
        };
        push_cue(
            &mut cues,
            VisemeCue {
                viseme: m.viseme,
                start: m.start,
                end,
                weight: m.weight,
            },
        );
    }
    Ok(VisemeTimeline { cues })
}

/// Appends a cue, keeping the timeline contiguous: a gap before it becomes silence, an
/// empty cue is dropped, and a cue continuing the same viseme and weight is merged.
pub(crate) fn push_cue(cues: &mut Vec<VisemeCue>, cue: VisemeCue) {
    if cue.end <= cue.start {
        return;
    }
    let last_end = cues.last().map_or(SampleTime::ZERO, |c| c.end);
    if cue.start > last_end {
        push_cue(
            cues,
            VisemeCue {
                viseme: Viseme::Sil,
                start: last_end,
                end: cue.start,
                weight: 1.0,
            },
        );
    }
    if let Some(last) = cues.last_mut() {
        if last.viseme == cue.viseme && last.weight == cue.weight && last.end == cue.start {
            last.end = cue.end;
            return;
        }
    }
    cues.push(cue);
}

/// A JSON number field of an object as f64, with the error naming place and field.
pub(crate) fn number(
    item: &serde_json::Value,
    keys: &[&str],
    place: &str,
) -> Result<f64, FormatError> {
    let (key, value) = keys
        .iter()
        .find_map(|k| item.get(*k).map(|v| (*k, v)))
        .ok_or_else(|| FormatError::new(place, keys[0], "missing"))?;
    let n = value
        .as_f64()
        .ok_or_else(|| FormatError::new(place, key, format!("not a number: {value}")))?;
    if !n.is_finite() || n < 0.0 {
        return Err(FormatError::new(
            place,
            key,
            format!("must be a time >= 0, got {n}"),
        ));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_become_a_contiguous_timeline() {
        let ms = SampleTime::from_millis;
        let marks = [
            Mark {
                start: ms(100),
                viseme: Viseme::PP,
                weight: 1.0,
                place: 1,
            },
            Mark {
                start: ms(180),
                viseme: Viseme::Aa,
                weight: 1.0,
                place: 2,
            },
            Mark {
                start: ms(300),
                viseme: Viseme::Sil,
                weight: 1.0,
                place: 3,
            },
        ];
        let t = timeline_from_marks(&marks, "line", "time").expect("valid marks");
        let spans: Vec<_> = t.cues.iter().map(|c| (c.viseme, c.start, c.end)).collect();
        assert_eq!(
            spans,
            [
                (Viseme::Sil, ms(0), ms(100)),
                (Viseme::PP, ms(100), ms(180)),
                (Viseme::Aa, ms(180), ms(300)),
            ]
        );
        let back = [marks[1], marks[0]];
        let err = timeline_from_marks(&back, "line", "time").expect_err("out of order");
        assert_eq!((err.place.as_str(), err.field.as_str()), ("line 1", "time"));
    }
}
