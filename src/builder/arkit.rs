//! Morph target names and recipes: the 52 ARKit face units as authored, and
//! the Oculus visemes and VRM 1.0 expressions baked as weighted ARKit mixes.

/// The 52 ARKit blendshapes, exactly as ARKit names them.
pub const ARKIT_NAMES: [&str; 52] = [
    "browDownLeft",
    "browDownRight",
    "browInnerUp",
    "browOuterUpLeft",
    "browOuterUpRight",
    "cheekPuff",
    "cheekSquintLeft",
    "cheekSquintRight",
    "eyeBlinkLeft",
    "eyeBlinkRight",
    "eyeLookDownLeft",
    "eyeLookDownRight",
    "eyeLookInLeft",
    "eyeLookInRight",
    "eyeLookOutLeft",
    "eyeLookOutRight",
    "eyeLookUpLeft",
    "eyeLookUpRight",
    "eyeSquintLeft",
    "eyeSquintRight",
    "eyeWideLeft",
    "eyeWideRight",
    "jawForward",
    "jawLeft",
    "jawOpen",
    "jawRight",
    "mouthClose",
    "mouthDimpleLeft",
    "mouthDimpleRight",
    "mouthFrownLeft",
    "mouthFrownRight",
    "mouthFunnel",
    "mouthLeft",
    "mouthLowerDownLeft",
    "mouthLowerDownRight",
    "mouthPressLeft",
    "mouthPressRight",
    "mouthPucker",
    "mouthRight",
    "mouthRollLower",
    "mouthRollUpper",
    "mouthShrugLower",
    "mouthShrugUpper",
    "mouthSmileLeft",
    "mouthSmileRight",
    "mouthStretchLeft",
    "mouthStretchRight",
    "mouthUpperUpLeft",
    "mouthUpperUpRight",
    "noseSneerLeft",
    "noseSneerRight",
    "tongueOut",
];

/// A baked morph: a weighted sum of ARKit units. A name ending in `_LR`
/// stands for both its `Left` and `Right` units at that weight.
pub type Recipe = (&'static str, &'static [(&'static str, f32)]);

/// The 15 Oculus visemes. Started from the avatars README, then tuned on
/// rendered close-ups next to the reference MPFB avatar: consonants and
/// spread vowels part the lips enough to show the teeth (`mouthUpperUp`,
/// `mouthLowerDown`), open vowels drop the jaw further.
pub const VISEME_RECIPES: [Recipe; 15] = [
    ("viseme_sil", &[]),
    (
        "viseme_PP",
        &[
            ("mouthPress_LR", 0.5),
            ("mouthRollLower", 0.3),
            ("mouthRollUpper", 0.2),
            ("mouthClose", 0.2),
        ],
    ),
    (
        "viseme_FF",
        &[
            ("mouthRollLower", 0.6),
            ("mouthUpperUp_LR", 0.4),
            ("jawOpen", 0.1),
        ],
    ),
    (
        "viseme_TH",
        &[
            ("tongueOut", 0.4),
            ("jawOpen", 0.2),
            ("mouthStretch_LR", 0.2),
            ("mouthUpperUp_LR", 0.2),
        ],
    ),
    (
        "viseme_DD",
        &[
            ("jawOpen", 0.3),
            ("mouthStretch_LR", 0.2),
            ("mouthUpperUp_LR", 0.25),
            ("mouthLowerDown_LR", 0.2),
        ],
    ),
    (
        "viseme_kk",
        &[
            ("jawOpen", 0.35),
            ("mouthStretch_LR", 0.3),
            ("mouthUpperUp_LR", 0.2),
            ("mouthLowerDown_LR", 0.2),
        ],
    ),
    (
        "viseme_CH",
        &[
            ("mouthFunnel", 0.5),
            ("mouthPucker", 0.2),
            ("jawOpen", 0.2),
            ("mouthUpperUp_LR", 0.2),
            ("mouthLowerDown_LR", 0.2),
        ],
    ),
    (
        "viseme_SS",
        &[
            ("mouthStretch_LR", 0.4),
            ("mouthSmile_LR", 0.2),
            ("jawOpen", 0.1),
            ("mouthUpperUp_LR", 0.3),
            ("mouthLowerDown_LR", 0.3),
        ],
    ),
    (
        "viseme_nn",
        &[
            ("jawOpen", 0.25),
            ("mouthClose", 0.1),
            ("mouthUpperUp_LR", 0.2),
            ("mouthLowerDown_LR", 0.15),
        ],
    ),
    (
        "viseme_RR",
        &[
            ("mouthFunnel", 0.3),
            ("mouthPucker", 0.3),
            ("jawOpen", 0.15),
            ("mouthUpperUp_LR", 0.15),
        ],
    ),
    AA,
    EE,
    IH,
    OH,
    OU,
];

const AA: Recipe = (
    "viseme_aa",
    // The jaw open and the corners drawn out: with the jaw and lips alone
    // the mouth made a round "o", which reviews read as a hole (and, with
    // the jaw at 0.8, as shock) rather than the "a" of "father". The upper
    // lip lifts off the upper teeth; lifted further it bared the gums.
    &[
        ("jawOpen", 0.65),
        ("mouthLowerDown_LR", 0.35),
        ("mouthUpperUp_LR", 0.35),
        ("mouthStretch_LR", 0.3),
        ("mouthSmile_LR", 0.2),
    ],
);
const EE: Recipe = (
    "viseme_E",
    &[
        ("jawOpen", 0.35),
        ("mouthStretch_LR", 0.4),
        ("mouthSmile_LR", 0.2),
        ("mouthUpperUp_LR", 0.25),
        ("mouthLowerDown_LR", 0.3),
    ],
);
const IH: Recipe = (
    "viseme_I",
    &[
        ("jawOpen", 0.2),
        ("mouthStretch_LR", 0.5),
        ("mouthSmile_LR", 0.3),
        ("mouthUpperUp_LR", 0.3),
        ("mouthLowerDown_LR", 0.3),
    ],
);
const OH: Recipe = (
    "viseme_O",
    &[("mouthFunnel", 0.7), ("jawOpen", 0.4), ("mouthPucker", 0.2)],
);
const OU: Recipe = (
    "viseme_U",
    &[
        ("mouthPucker", 0.8),
        ("mouthFunnel", 0.3),
        ("jawOpen", 0.15),
    ],
);

/// VRM 1.0 preset expressions; the vowels reuse the matching visemes.
pub const VRM_RECIPES: [Recipe; 13] = [
    ("aa", AA.1),
    ("ih", IH.1),
    ("ou", OU.1),
    ("ee", EE.1),
    ("oh", OH.1),
    ("blink", &[("eyeBlink_LR", 1.0)]),
    ("blinkLeft", &[("eyeBlinkLeft", 1.0)]),
    ("blinkRight", &[("eyeBlinkRight", 1.0)]),
    (
        "happy",
        // A warm smile: the cheeks rise and narrow the eyes, the lower lip
        // and the jaw drop a little so the upper teeth show, and the
        // corners dimple. mouthSmile, with the rest face's smile (0.3 on
        // the default roles), stays below 1, where the mouth corners
        // begin to fold through the cheek; eyeSquint below 0.4, where the
        // lower lid parts from the eyeball and shows a white sliver under
        // it; mouthUpperUp low, as more bares the gums over the teeth.
        &[
            ("mouthSmile_LR", 0.65),
            ("cheekSquint_LR", 0.8),
            ("eyeSquint_LR", 0.35),
            ("browOuterUp_LR", 0.1),
            ("mouthUpperUp_LR", 0.2),
            ("mouthLowerDown_LR", 0.5),
            ("mouthDimple_LR", 0.2),
            ("jawOpen", 0.15),
        ],
    ),
    (
        "sad",
        &[
            ("mouthFrown_LR", 0.7),
            ("browInnerUp", 0.8),
            ("mouthShrugLower", 0.2),
            ("eyeSquint_LR", 0.1),
        ],
    ),
    (
        "angry",
        &[
            ("browDown_LR", 0.8),
            ("noseSneer_LR", 0.4),
            ("mouthPress_LR", 0.4),
            ("eyeSquint_LR", 0.3),
        ],
    ),
    (
        "surprised",
        &[
            ("eyeWide_LR", 0.8),
            ("browInnerUp", 0.7),
            ("browOuterUp_LR", 0.7),
            ("jawOpen", 0.3),
        ],
    ),
    (
        "relaxed",
        &[
            ("mouthSmile_LR", 0.35),
            ("eyeSquint_LR", 0.2),
            ("eyeBlink_LR", 0.15),
        ],
    ),
];

/// Expands a recipe into (ARKit index, weight) pairs.
pub fn expand(recipe: &[(&'static str, f32)]) -> Vec<(usize, f32)> {
    let mut out = Vec::new();
    for &(name, weight) in recipe {
        let names: Vec<String> = match name.strip_suffix("_LR") {
            Some(stem) => vec![format!("{stem}Left"), format!("{stem}Right")],
            None => vec![name.to_string()],
        };
        for n in names {
            // The recipe tables are ours; a typo is caught by the test below.
            if let Some(i) = ARKIT_NAMES.iter().position(|a| *a == n) {
                out.push((i, weight));
            }
        }
    }
    out
}

/// Every morph target name the builder emits, in file order.
pub fn all_morph_names() -> Vec<&'static str> {
    ARKIT_NAMES
        .iter()
        .copied()
        .chain(VISEME_RECIPES.iter().map(|r| r.0))
        .chain(VRM_RECIPES.iter().map(|r| r.0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_recipe_ingredient_is_an_arkit_unit() {
        for (name, recipe) in VISEME_RECIPES.iter().chain(VRM_RECIPES.iter()) {
            let expected: usize = recipe
                .iter()
                .map(|(n, _)| if n.ends_with("_LR") { 2 } else { 1 })
                .sum();
            assert_eq!(
                expand(recipe).len(),
                expected,
                "{name} has an unknown ingredient"
            );
        }
        assert_eq!(all_morph_names().len(), 52 + 15 + 13);
    }
}
