//! Piper's input: IPA phonemes (from espeak-ng) → model symbol ids, following
//! piper-phonemize: each sentence becomes `^ _ p₁ _ p₂ _ … $`, where `_` is
//! the pad symbol between phonemes, and clause punctuation stays in the
//! phoneme string because the model was trained with it (it shapes pauses and
//! intonation).

use std::collections::HashMap;

/// The symbol table of a voice (`phoneme_id_map` in its `.onnx.json`).
#[derive(Debug, Clone, PartialEq)]
pub struct PhonemeIds {
    map: HashMap<char, Vec<i64>>,
    bos: Vec<i64>,
    eos: Vec<i64>,
    pad: Vec<i64>,
}

impl PhonemeIds {
    /// From the JSON object `{ "a": [14], ... }`; it must have `^`, `$` and `_`.
    pub fn from_json(value: &serde_json::Value) -> Result<PhonemeIds, String> {
        let object = value.as_object().ok_or("phoneme_id_map is not an object")?;
        let mut map = HashMap::with_capacity(object.len());
        for (key, ids) in object {
            let mut chars = key.chars();
            let (Some(c), None) = (chars.next(), chars.next()) else {
                return Err(format!("phoneme_id_map key {key:?} is not one character"));
            };
            let ids = ids
                .as_array()
                .ok_or_else(|| format!("phoneme_id_map[{key:?}] is not a list"))?
                .iter()
                .map(|id| {
                    id.as_i64()
                        .ok_or_else(|| format!("phoneme_id_map[{key:?}] holds a non-integer"))
                })
                .collect::<Result<Vec<i64>, String>>()?;
            map.insert(c, ids);
        }
        let special = |c: char| {
            map.get(&c)
                .cloned()
                .ok_or_else(|| format!("phoneme_id_map has no {c:?} symbol"))
        };
        Ok(PhonemeIds {
            bos: special('^')?,
            eos: special('$')?,
            pad: special('_')?,
            map,
        })
    }

    /// The ids of one sentence's phonemes; characters the voice does not know
    /// (rare espeak symbols) are skipped, as Piper does.
    pub fn sentence_ids(&self, phonemes: &str) -> Vec<i64> {
        let mut ids = Vec::with_capacity(phonemes.chars().count() * 2 + 3);
        ids.extend_from_slice(&self.bos);
        ids.extend_from_slice(&self.pad);
        for c in phonemes.chars() {
            if let Some(id) = self.map.get(&c) {
                ids.extend_from_slice(id);
                ids.extend_from_slice(&self.pad);
            }
        }
        ids.extend_from_slice(&self.eos);
        ids
    }
}

/// Joins espeak's clauses into sentences the way piper-phonemize does: a
/// clause ending in `.`, `!` or `?` closes a sentence; `,` `;` `:` stay inside
/// it, followed by a space. Language-switch marks such as `(fr)` are removed.
pub fn sentences(clauses: &[(String, Option<char>)]) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for (ipa, terminator) in clauses {
        let ipa = strip_language_marks(ipa);
        let ipa = ipa.trim();
        if !ipa.is_empty() {
            if !current.is_empty() && !current.ends_with(' ') {
                current.push(' ');
            }
            current.push_str(ipa);
        }
        match terminator {
            Some(t @ ('.' | '!' | '?')) => {
                current.push(*t);
                out.push(std::mem::take(&mut current));
            }
            Some(t) => {
                current.push(*t);
                current.push(' ');
            }
            None => {}
        }
    }
    if !current.trim().is_empty() {
        out.push(current.trim_end().to_string());
    }
    out.retain(|s| s.chars().any(char::is_alphabetic));
    out
}

fn strip_language_marks(ipa: &str) -> String {
    let mut out = String::with_capacity(ipa.len());
    let mut depth = 0u32;
    for c in ipa.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_bos_pad_interspersed_eos_and_unknown_symbols_are_skipped() {
        let table = PhonemeIds::from_json(&serde_json::json!({
            "_": [0], "^": [1], "$": [2], "h": [20], "ə": [59]
        }))
        .expect("valid table");
        assert_eq!(table.sentence_ids("hə"), vec![1, 0, 20, 0, 59, 0, 2]);
        assert_eq!(table.sentence_ids("h?"), vec![1, 0, 20, 0, 2]);
        assert_eq!(table.sentence_ids(""), vec![1, 0, 2]);
    }

    #[test]
    fn tables_without_special_symbols_or_with_long_keys_are_rejected() {
        let err = PhonemeIds::from_json(&serde_json::json!({"_": [0], "^": [1]})).unwrap_err();
        assert!(err.contains("'$'"), "{err}");
        let err = PhonemeIds::from_json(&serde_json::json!({
            "_": [0], "^": [1], "$": [2], "oʊ": [99]
        }))
        .unwrap_err();
        assert!(err.contains("not one character"), "{err}");
    }

    #[test]
    fn clauses_become_sentences_with_their_punctuation() {
        let clauses = vec![
            ("həlˈoʊ".to_string(), Some(',')),
            ("ðɛɹ".to_string(), Some('!')),
            ("(fr)bɔ̃ʒuʁ(en)".to_string(), Some('?')),
            ("ænd".to_string(), None),
            ("".to_string(), Some('.')),
        ];
        assert_eq!(sentences(&clauses), vec!["həlˈoʊ, ðɛɹ!", "bɔ̃ʒuʁ?", "ænd."]);
        assert!(sentences(&[(String::new(), Some('.'))]).is_empty());
    }
}
