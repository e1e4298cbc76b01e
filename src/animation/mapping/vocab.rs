//! The vocabularies: input channels, and the standard names (ARKit, VRM)
//! with the mixes that express each Oculus viseme in them.

use crate::visemes::Viseme;

// Input channels, computed from a FacePose in `channels`.
pub const BLINK_L: usize = Viseme::COUNT;
pub const BLINK_R: usize = BLINK_L + 1;
pub const BROW_INNER_UP: usize = BLINK_L + 2;
pub const BROW_OUTER_UP: usize = BLINK_L + 3;
pub const BROW_DOWN: usize = BLINK_L + 4;
pub const SMILE: usize = BLINK_L + 5;
pub const FROWN: usize = BLINK_L + 6;
pub const CHEEK_SQUINT: usize = BLINK_L + 7;
/// Gaze split into non-negative parts for `eyeLook*` morphs.
pub const LOOK_LEFT: usize = BLINK_L + 8;
pub const LOOK_RIGHT: usize = BLINK_L + 9;
pub const LOOK_UP: usize = BLINK_L + 10;
pub const LOOK_DOWN: usize = BLINK_L + 11;
pub const CHANNELS: usize = BLINK_L + 12;

/// Gaze angle at which an ARKit `eyeLook*` morph is fully on (~30°).
pub const EYE_LOOK_FULL_RAD: f32 = 0.5;

/// Starting mixes from `shared/avatars/README.md`, tuned by eye; `L/R`
/// names expand to both sides.
pub const ARKIT_MIXES: [&[(&str, f32)]; Viseme::COUNT] = [
    &[], // sil
    &[
        ("mouthPressL/R", 0.5),
        ("mouthRollLower", 0.3),
        ("mouthRollUpper", 0.2),
        ("mouthClose", 0.2),
    ],
    &[
        ("mouthRollLower", 0.6),
        ("mouthUpperUpL/R", 0.3),
        ("jawOpen", 0.1),
    ],
    &[
        ("tongueOut", 0.4),
        ("jawOpen", 0.15),
        ("mouthStretchL/R", 0.2),
    ],
    &[("jawOpen", 0.25), ("mouthStretchL/R", 0.2)],
    &[("jawOpen", 0.3), ("mouthStretchL/R", 0.3)],
    &[("mouthFunnel", 0.5), ("mouthPucker", 0.2), ("jawOpen", 0.2)],
    &[
        ("mouthStretchL/R", 0.4),
        ("mouthSmileL/R", 0.2),
        ("jawOpen", 0.1),
    ],
    &[("jawOpen", 0.2), ("mouthClose", 0.1)],
    &[
        ("mouthFunnel", 0.3),
        ("mouthPucker", 0.3),
        ("jawOpen", 0.15),
    ],
    &[("jawOpen", 0.6), ("mouthLowerDownL/R", 0.3)],
    &[
        ("jawOpen", 0.35),
        ("mouthStretchL/R", 0.4),
        ("mouthSmileL/R", 0.2),
    ],
    &[
        ("jawOpen", 0.2),
        ("mouthStretchL/R", 0.5),
        ("mouthSmileL/R", 0.3),
    ],
    &[
        ("mouthFunnel", 0.7),
        ("jawOpen", 0.35),
        ("mouthPucker", 0.2),
    ],
    &[
        ("mouthPucker", 0.8),
        ("mouthFunnel", 0.3),
        ("jawOpen", 0.15),
    ],
];

/// Visemes as mixes of the five VRM vowel expressions (aa ih ou ee oh).
pub const VRM_MIXES: [&[(&str, f32)]; Viseme::COUNT] = [
    &[],                         // sil
    &[],                         // PP: lips closed = no vowel
    &[("ih", 0.2)],              // FF
    &[("aa", 0.2), ("ee", 0.2)], // TH
    &[("aa", 0.3), ("ih", 0.2)], // DD
    &[("aa", 0.35), ("ee", 0.15)],
    &[("ou", 0.5), ("ih", 0.2)], // CH
    &[("ih", 0.5)],              // SS
    &[("aa", 0.2), ("ih", 0.1)], // nn
    &[("ou", 0.4), ("oh", 0.2)], // RR
    &[("aa", 1.0)],
    &[("ee", 0.8), ("aa", 0.2)],
    &[("ih", 1.0)],
    &[("oh", 1.0)],
    &[("ou", 1.0)],
];

/// ARKit face channels other than mouth shapes.
pub const ARKIT_FACE: &[(&str, usize)] = &[
    ("eyeBlinkLeft", BLINK_L),
    ("eyeBlinkRight", BLINK_R),
    ("browInnerUp", BROW_INNER_UP),
    ("browOuterUpL/R", BROW_OUTER_UP),
    ("browDownL/R", BROW_DOWN),
    ("mouthSmileL/R", SMILE),
    ("mouthFrownL/R", FROWN),
    ("cheekSquintL/R", CHEEK_SQUINT),
];

/// ARKit gaze morphs, used when the avatar has no eye bones. +yaw looks to
/// the avatar's left: the left eye turns out, the right eye in.
pub const ARKIT_GAZE: &[(&str, usize)] = &[
    ("eyeLookOutLeft", LOOK_LEFT),
    ("eyeLookInRight", LOOK_LEFT),
    ("eyeLookInLeft", LOOK_RIGHT),
    ("eyeLookOutRight", LOOK_RIGHT),
    ("eyeLookUpL/R", LOOK_UP),
    ("eyeLookDownL/R", LOOK_DOWN),
];

/// `fooL/R` → `fooLeft`, `fooRight`; other names as they are.
pub fn expand(name: &str) -> Vec<String> {
    match name.strip_suffix("L/R") {
        Some(stem) => vec![format!("{stem}Left"), format!("{stem}Right")],
        None => vec![name.to_string()],
    }
}

/// VRM 1.0 preset names and their VRM 0.x equivalents.
pub fn vrm_aliases(vowel: &str) -> &'static [&'static str] {
    match vowel {
        "aa" => &["aa", "a"],
        "ih" => &["ih", "i"],
        "ou" => &["ou", "u"],
        "ee" => &["ee", "e"],
        "oh" => &["oh", "o"],
        _ => &[],
    }
}
