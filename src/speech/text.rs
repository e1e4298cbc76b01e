//! Text clean-up before synthesis: whatever the user typed must reach the
//! engine as plain, speakable UTF-8.

/// Replaces control characters and other invisible code points with spaces
/// and collapses runs of whitespace. Returns `None` when nothing speakable is
/// left (empty, whitespace, or only control characters).
pub fn clean_text(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        // NUL would end the C string early; other controls, bidi marks and
        // zero-width joiners are invisible and confuse the tokenizer.
        let invisible = c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
            || ('\u{FE00}'..='\u{FE0F}').contains(&c);
        // Emoji and pictographs: espeak would read their names aloud
        // ("grinning face"), which an agent should not say.
        let pictograph = matches!(c, '\u{1F000}'..='\u{1FAFF}' | '\u{2600}'..='\u{27BF}' | '\u{2B00}'..='\u{2BFF}' | '\u{E0000}'..='\u{E007F}' | '\u{200D}');
        if c.is_whitespace() || invisible || pictograph {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    if out.is_empty() { None } else { Some(out) }
}

/// Whether `text` holds anything a voice can pronounce: a letter or a digit
/// in any script. Emoji and punctuation alone are not speech.
pub fn has_speakable(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_spaces_and_whitespace_collapses() {
        assert_eq!(
            clean_text("  hi\u{0}\tthere\r\n\u{200B}you  ").as_deref(),
            Some("hi there you")
        );
        assert_eq!(clean_text(" \t\n\u{7}\u{FEFF} "), None);
        assert_eq!(clean_text(""), None);
        assert_eq!(clean_text("你好，世界").as_deref(), Some("你好，世界"));
        assert_eq!(clean_text("Hi 😀👍🏽 there ✅").as_deref(), Some("Hi there"));
        assert_eq!(clean_text("😀"), None);
    }

    #[test]
    fn speakable_means_letters_or_digits() {
        assert!(has_speakable("hi!"));
        assert!(has_speakable("你"));
        assert!(has_speakable("42"));
        assert!(!has_speakable("?! ... 😀"));
    }
}
