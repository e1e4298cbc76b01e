//! Which language a message is in: Chinese when Han characters dominate, else English.

use crate::speech::Lang;

/// True for CJK ideographs and CJK punctuation/full-width forms, which never take spaces.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2A6DF}' | '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}')
}

/// True for Han ideographs only (not punctuation).
pub fn is_han(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2A6DF}')
}

/// Detects the language of `text`, or `None` when it has no letters at all (digits, emoji).
///
/// One Han character carries about as much as one English word, so Chinese wins when
/// Han characters are at least as many as Latin words: "我的order在哪" is Chinese.
pub fn detect(text: &str) -> Option<Lang> {
    let han = text.chars().filter(|&c| is_han(c)).count();
    let mut latin_words = 0;
    let mut in_word = false;
    for c in text.chars() {
        let latin = c.is_ascii_alphabetic();
        if latin && !in_word {
            latin_words += 1;
        }
        in_word = latin;
    }
    match (han, latin_words) {
        (0, 0) => None,
        (h, w) if h >= w => Some(Lang::Zh),
        _ => Some(Lang::En),
    }
}

/// Like [`detect`], with a fallback for texts without letters (e.g. "12345" keeps the
/// conversation's language).
pub fn detect_or(text: &str, fallback: Lang) -> Lang {
    detect(text).unwrap_or(fallback)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_dominant_script() {
        assert_eq!(detect("Where is my order?"), Some(Lang::En));
        assert_eq!(detect("我的订单在哪里？"), Some(Lang::Zh));
        assert_eq!(detect("我的order在哪"), Some(Lang::Zh));
        assert_eq!(detect("Can I pay with 支付宝?"), Some(Lang::En));
        assert_eq!(detect("HL20481234"), Some(Lang::En));
        assert_eq!(detect("20481234"), None);
        assert_eq!(detect_or("2048", Lang::Zh), Lang::Zh);
    }
}
