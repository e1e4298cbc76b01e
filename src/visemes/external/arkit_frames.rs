//! ARKit blend-shape frames as Azure Speech sends them (`VisemeReceived.Animation`, the
//! "FacialExpression" viseme type): chunks of 60 fps frames, each 55 values — the 52 ARKit
//! face blend shapes plus head roll and the two eye rolls, in [`ARKIT_FRAME_NAMES`] order.
//!
//! ```json
//! {"FrameIndex": 0, "BlendShapes": [[0.01, 0.0, ...55 values], [...], ...]}
//! ```
//! A file may hold one chunk, an array of chunks, or one chunk per line. Chunks must follow
//! each other (`FrameIndex` = frames so far). Frame `n` shows time `n / 60` s of the audio.

use crate::clock::{SAMPLE_RATE_HZ, SampleTime};

use super::FormatError;
use super::azure::json_lines;

/// Frames per second of Azure's blend-shape animation.
pub const ARKIT_FRAME_RATE_HZ: u32 = 60;

/// The 55 values of a frame, in order (Azure's documented blend-shape order).
pub const ARKIT_FRAME_NAMES: [&str; 55] = [
    "eyeBlinkLeft",
    "eyeLookDownLeft",
    "eyeLookInLeft",
    "eyeLookOutLeft",
    "eyeLookUpLeft",
    "eyeSquintLeft",
    "eyeWideLeft",
    "eyeBlinkRight",
    "eyeLookDownRight",
    "eyeLookInRight",
    "eyeLookOutRight",
    "eyeLookUpRight",
    "eyeSquintRight",
    "eyeWideRight",
    "jawForward",
    "jawLeft",
    "jawRight",
    "jawOpen",
    "mouthClose",
    "mouthFunnel",
    "mouthPucker",
    "mouthLeft",
    "mouthRight",
    "mouthSmileLeft",
    "mouthSmileRight",
    "mouthFrownLeft",
    "mouthFrownRight",
    "mouthDimpleLeft",
    "mouthDimpleRight",
    "mouthStretchLeft",
    "mouthStretchRight",
    "mouthRollLower",
    "mouthRollUpper",
    "mouthShrugLower",
    "mouthShrugUpper",
    "mouthPressLeft",
    "mouthPressRight",
    "mouthLowerDownLeft",
    "mouthLowerDownRight",
    "mouthUpperUpLeft",
    "mouthUpperUpRight",
    "browDownLeft",
    "browDownRight",
    "browInnerUp",
    "browOuterUpLeft",
    "browOuterUpRight",
    "cheekPuff",
    "cheekSquintLeft",
    "cheekSquintRight",
    "noseSneerLeft",
    "noseSneerRight",
    "tongueOut",
    "headRoll",
    "leftEyeRoll",
    "rightEyeRoll",
];

/// The first index of the three rotations (which may be negative).
const FIRST_ROLL: usize = 52;

/// Blend-shape frames on the audio clock.
#[derive(Debug, Clone, PartialEq)]
pub struct ArkitFrameTrack {
    pub frames: Vec<[f32; 55]>,
}

impl ArkitFrameTrack {
    /// The index of a value by its name (`"jawOpen"` → 17).
    pub fn index_of(name: &str) -> Option<usize> {
        ARKIT_FRAME_NAMES.iter().position(|n| *n == name)
    }

    /// How long the frames last.
    pub fn duration(&self) -> SampleTime {
        SampleTime(
            self.frames.len() as u64 * u64::from(SAMPLE_RATE_HZ) / u64::from(ARKIT_FRAME_RATE_HZ),
        )
    }

    /// The frame showing time `t` (the last one before it); `None` after the end.
    pub fn frame_at(&self, t: SampleTime) -> Option<&[f32; 55]> {
        let index = t.0 * u64::from(ARKIT_FRAME_RATE_HZ) / u64::from(SAMPLE_RATE_HZ);
        self.frames.get(usize::try_from(index).ok()?)
    }

    /// One named value at `t` (0 after the end); `None` for an unknown name.
    pub fn weight(&self, name: &str, t: SampleTime) -> Option<f32> {
        let i = Self::index_of(name)?;
        Some(self.frame_at(t).map_or(0.0, |f| f[i]))
    }
}

/// Parses blend-shape chunks (one object, an array of them, or JSON lines).
pub fn parse(text: &str) -> Result<ArkitFrameTrack, FormatError> {
    let chunks: Vec<(String, serde_json::Value)> = match serde_json::from_str(text) {
        Ok(serde_json::Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (format!("item {}", i + 1), v))
            .collect(),
        Ok(single) => vec![("item 1".to_string(), single)],
        Err(_) => json_lines(text)?
            .into_iter()
            .map(|(n, v)| (format!("line {n}"), v))
            .collect(),
    };
    let mut frames: Vec<[f32; 55]> = Vec::new();
    for (place, chunk) in &chunks {
        let index = chunk
            .get("FrameIndex")
            .and_then(|v| v.as_u64())
            .ok_or_else(|| {
                FormatError::new(place, "FrameIndex", "missing or not a whole number")
            })?;
        if index != frames.len() as u64 {
            return Err(FormatError::new(
                place,
                "FrameIndex",
                format!(
                    "is {index}, expected {} (chunks must follow each other)",
                    frames.len()
                ),
            ));
        }
        let rows = chunk
            .get("BlendShapes")
            .and_then(|v| v.as_array())
            .ok_or_else(|| {
                FormatError::new(place, "BlendShapes", "missing or not an array of frames")
            })?;
        for (r, row) in rows.iter().enumerate() {
            let frame_place = format!("{place}, frame {}", index as usize + r);
            frames.push(frame(row, &frame_place)?);
        }
    }
    if frames.is_empty() {
        return Err(FormatError::new("file", "BlendShapes", "no frames"));
    }
    Ok(ArkitFrameTrack { frames })
}

fn frame(row: &serde_json::Value, place: &str) -> Result<[f32; 55], FormatError> {
    let values = row.as_array().ok_or_else(|| {
        FormatError::new(
            place,
            "BlendShapes",
            "a frame must be an array of 55 numbers",
        )
    })?;
    if values.len() != 55 {
        return Err(FormatError::new(
            place,
            "BlendShapes",
            format!(
                "has {} values, expected 55 (52 ARKit shapes + 3 rolls)",
                values.len()
            ),
        ));
    }
    let mut out = [0.0f32; 55];
    for (i, v) in values.iter().enumerate() {
        let x = v.as_f64().filter(|x| x.is_finite()).ok_or_else(|| {
            FormatError::new(place, ARKIT_FRAME_NAMES[i], format!("not a number: {v}"))
        })?;
        // Encoders overshoot by float noise; anything beyond that is not a blend weight.
        let low = if i >= FIRST_ROLL { -1.0 } else { 0.0 };
        if x < low - 0.01 || x > 1.01 {
            return Err(FormatError::new(
                place,
                ARKIT_FRAME_NAMES[i],
                format!("{x} is outside {low}..=1"),
            ));
        }
        out[i] = x.clamp(low, 1.0) as f32;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cover_arkit() {
        assert_eq!(ArkitFrameTrack::index_of("jawOpen"), Some(17));
        assert_eq!(ArkitFrameTrack::index_of("tongueOut"), Some(51));
        let unique: std::collections::HashSet<_> = ARKIT_FRAME_NAMES.iter().collect();
        assert_eq!(unique.len(), 55);
    }
}
