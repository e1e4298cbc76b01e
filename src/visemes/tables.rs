//! Per-language tables: espeak-ng phoneme mnemonics → Oculus visemes.
//!
//! The sets are what espeak-ng 1.51 actually emits as phoneme events (checked
//! by synthesising pangrams and every pinyin syllable, see
//! `tests/visemes_tables.rs`), not the full phoneme inventory. Weights below
//! 1.0 mark reduced articulations (schwa, syllabic consonants) so the jaw
//! opens less for them.

use crate::speech::Lang;

use super::Viseme;
use Viseme::*;

/// How a phoneme shapes the mouth.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PhonemeShape {
    /// The mouth takes this viseme at this weight (0..=1).
    Viseme(Viseme, f32),
    /// Silence: the mouth rests.
    Pause,
    /// No shape of its own; the previous shape carries on (glottal stop,
    /// espeak's palatalisation mark `;`).
    Hold,
    /// No shape of its own; the mouth already forms the next sound (English
    /// `h`, whose shape is that of the following vowel).
    Anticipate,
}

/// The shape of `phoneme` in `lang`, or `None` when the table does not know it.
pub fn phoneme_shape(lang: Lang, phoneme: &str) -> Option<PhonemeShape> {
    if phoneme.starts_with('_') {
        return Some(PhonemeShape::Pause);
    }
    let table = match lang {
        Lang::En => ENGLISH,
        Lang::Zh => MANDARIN,
    };
    table
        .iter()
        .find(|(name, _)| *name == phoneme)
        .map(|(_, shape)| *shape)
        .or_else(|| shared_shape(phoneme))
}

/// A guess for phonemes no table knows, so an unexpected mnemonic still moves
/// the mouth plausibly: vowels half-open, anything else a neutral consonant.
pub fn fallback_shape(phoneme: &str) -> PhonemeShape {
    let vowel_like = phoneme
        .chars()
        .next()
        .is_some_and(|c| "aeiouyAEIOUVY@03&".contains(c));
    if vowel_like {
        PhonemeShape::Viseme(E, 0.7)
    } else {
        PhonemeShape::Viseme(DD, 0.6)
    }
}

const fn v(viseme: Viseme, weight: f32) -> PhonemeShape {
    PhonemeShape::Viseme(viseme, weight)
}

/// Marks and consonants spelled the same way in both languages' espeak sets.
fn shared_shape(phoneme: &str) -> Option<PhonemeShape> {
    Some(match phoneme {
        ";" | "?" => PhonemeShape::Hold,
        "p" | "b" | "m" | "ph" => v(PP, 1.0),
        "f" | "v" => v(FF, 1.0),
        "t" | "d" | "th" => v(DD, 1.0),
        "n" => v(Nn, 1.0),
        "l" => v(Nn, 1.0),
        "k" | "g" | "kh" | "x" | "X" => v(Kk, 1.0),
        "N" => v(Kk, 0.8),
        "s" | "z" | "ts" | "tsh" => v(SS, 1.0),
        "w" => v(U, 0.9),
        "j" => v(I, 0.8),
        _ => return None,
    })
}

/// espeak-ng `en-us`/`en-gb` mnemonics (Kirshenbaum-like ASCII).
const ENGLISH: &[(&str, PhonemeShape)] = &[
    // Consonants not in the shared set.
    ("T", v(TH, 1.0)),
    ("D", v(TH, 1.0)),
    ("t#", v(DD, 0.8)), // American flap, "better"
    ("t2", v(DD, 0.8)), // unreleased t before a consonant, "that day"
    ("d#", v(DD, 0.8)),
    ("n-", v(Nn, 0.8)), // syllabic n, "button"
    ("@L", v(Nn, 0.8)), // syllabic l, "little"
    ("l/", v(Nn, 1.0)),
    ("S", v(CH, 1.0)),
    ("Z", v(CH, 1.0)),
    ("tS", v(CH, 1.0)),
    ("dZ", v(CH, 1.0)),
    ("r", v(RR, 1.0)),
    ("r-", v(RR, 0.9)),
    ("h", PhonemeShape::Anticipate),
    // Vowels: open.
    ("a", v(Aa, 1.0)),  // trap
    ("aa", v(Aa, 1.0)), // bath
    ("a#", v(Aa, 0.8)),
    ("A:", v(Aa, 1.0)),
    ("A@", v(Aa, 1.0)),
    ("0", v(Aa, 0.9)), // lot: [ɑ] in en-us
    ("V", v(Aa, 0.8)), // strut
    ("aI", v(Aa, 1.0)),
    ("aI@", v(Aa, 1.0)),
    ("aI3", v(Aa, 1.0)),
    ("aU", v(Aa, 1.0)),
    ("aU@", v(Aa, 1.0)),
    // Mid front.
    ("E", v(E, 1.0)),
    ("e@", v(E, 1.0)),
    ("eI", v(E, 1.0)),
    ("@", v(E, 0.6)), // schwa: the jaw barely opens
    ("@2", v(E, 0.6)),
    ("@5", v(E, 0.6)),
    // Close front.
    ("I", v(I, 1.0)),
    ("I2", v(I, 0.8)),
    ("I#", v(I, 0.8)),
    ("i", v(I, 0.9)),
    ("i:", v(I, 1.0)),
    ("i@", v(I, 1.0)),
    ("i@3", v(I, 1.0)),
    ("IR", v(I, 1.0)),
    // R-coloured.
    ("3", v(RR, 0.8)),
    ("3:", v(RR, 1.0)),
    ("VR", v(RR, 1.0)),
    // Rounded.
    ("O", v(O, 1.0)),
    ("O:", v(O, 1.0)),
    ("O2", v(O, 1.0)),
    ("O@", v(O, 1.0)),
    ("o@", v(O, 1.0)),
    ("oU", v(O, 1.0)),
    ("OI", v(O, 1.0)),
    ("U", v(U, 1.0)),
    ("U@", v(U, 1.0)),
    ("u:", v(U, 1.0)),
    ("u", v(U, 1.0)),
];

/// espeak-ng `cmn-latn-pinyin` mnemonics: initials and whole finals.
const MANDARIN: &[(&str, PhonemeShape)] = &[
    // Initials not in the shared set. Alveolo-palatals (j q x) spread the
    // lips like s; retroflexes (zh ch sh) round them slightly like English sh.
    ("S;", v(SS, 1.0)),
    ("tS;", v(SS, 1.0)),
    ("tS;h", v(SS, 1.0)),
    ("s.", v(CH, 1.0)),
    ("ts.", v(CH, 1.0)),
    ("ts.h", v(CH, 1.0)),
    ("z.", v(RR, 1.0)), // r
    // Finals, by their dominant (most open or longest) mouth shape.
    ("a", v(Aa, 1.0)),
    ("A", v(Aa, 1.0)),
    ("ai", v(Aa, 1.0)),
    ("Au", v(Aa, 1.0)), // ao
    ("iA", v(Aa, 1.0)), // ia, ian's onset
    ("ua", v(Aa, 1.0)),
    ("uai", v(Aa, 1.0)),
    ("@", v(E, 0.7)),  // e in en/eng
    ("o-", v(E, 0.8)), // e [ɤ]
    ("ei", v(E, 1.0)),
    ("iE", v(E, 1.0)),  // ie, ian
    ("yE", v(E, 1.0)),  // üe
    ("y&", v(E, 0.9)),  // üan
    ("uei", v(E, 0.9)), // ui
    ("i", v(I, 1.0)),
    ("yi", v(I, 1.0)),
    ("i[", v(SS, 0.8)), // apical i after z c s
    ("i.", v(RR, 0.8)), // apical i after zh ch sh r
    ("@r", v(RR, 1.0)), // er
    ("o", v(O, 1.0)),
    ("io", v(O, 1.0)),
    ("iou", v(O, 1.0)),
    ("ou", v(O, 1.0)),
    ("uo", v(O, 1.0)),
    ("u@", v(O, 1.0)),
    ("u", v(U, 1.0)),
    ("ong", v(U, 1.0)),
    ("y", v(U, 1.0)), // ü
    ("yu", v(U, 1.0)),
    ("y@", v(U, 0.9)), // ün
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_and_shared_consonants() {
        for pause in ["_", "_:", "_|", "_!"] {
            assert_eq!(phoneme_shape(Lang::En, pause), Some(PhonemeShape::Pause));
            assert_eq!(phoneme_shape(Lang::Zh, pause), Some(PhonemeShape::Pause));
        }
        for bilabial in ["p", "b", "m"] {
            assert_eq!(phoneme_shape(Lang::En, bilabial), Some(v(PP, 1.0)));
        }
        assert_eq!(phoneme_shape(Lang::Zh, "ph"), Some(v(PP, 1.0)));
        assert_eq!(phoneme_shape(Lang::En, "h"), Some(PhonemeShape::Anticipate));
        assert_eq!(phoneme_shape(Lang::Zh, "X"), Some(v(Kk, 1.0)));
        assert_eq!(phoneme_shape(Lang::En, "zz9"), None);
    }

    #[test]
    fn every_weight_is_in_range_and_tables_have_no_duplicates() {
        for table in [ENGLISH, MANDARIN] {
            for (i, (name, shape)) in table.iter().enumerate() {
                if let PhonemeShape::Viseme(_, w) = shape {
                    assert!((0.0..=1.0).contains(w), "{name}");
                }
                assert!(
                    !table[i + 1..].iter().any(|(n, _)| n == name),
                    "duplicate {name}"
                );
                assert!(
                    shared_shape(name).is_none(),
                    "{name} shadows the shared set"
                );
            }
        }
    }

    #[test]
    fn fallback_guesses_by_first_letter() {
        assert_eq!(fallback_shape("aX7"), v(E, 0.7));
        assert_eq!(fallback_shape("Q"), v(DD, 0.6));
        assert_eq!(fallback_shape(""), v(DD, 0.6));
    }
}
