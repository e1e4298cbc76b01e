//! Splitting a script into sentences for speech: each is synthesised on its
//! own and scheduled back to back, so memory stays bounded on long texts.

/// Sentence-ending punctuation, Latin and CJK.
const ENDS: [char; 9] = ['.', '!', '?', ';', '。', '！', '？', '；', '…'];

/// Pieces shorter than this are joined to the next, so "Mr." or "1." does
/// not become a sentence of its own.
const MIN_CHARS: usize = 12;

/// Splits `text` at sentence ends (followed by whitespace, a CJK end mark
/// needs none) and at blank lines. Pieces are trimmed and never empty.
pub fn split_sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let cjk_end = matches!(c, '。' | '！' | '？' | '；');
        let latin_end = ENDS.contains(&c) && next.is_none_or(char::is_whitespace);
        let blank_line = c == '\n' && next == Some('\n');
        if cjk_end || latin_end || blank_line {
            let end = i + c.len_utf8();
            if text[start..end].trim().chars().count() >= MIN_CHARS || blank_line {
                push_trimmed(&mut out, &text[start..end]);
                start = end;
            }
        }
    }
    push_trimmed(&mut out, &text[start..]);
    out
}

fn push_trimmed<'a>(out: &mut Vec<&'a str>, piece: &'a str) {
    let piece = piece.trim();
    if !piece.is_empty() {
        out.push(piece);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_latin_and_cjk_sentences() {
        assert_eq!(
            split_sentences("Hello, how can I help you today? Your parcel arrives on Monday."),
            vec![
                "Hello, how can I help you today?",
                "Your parcel arrives on Monday."
            ]
        );
        assert_eq!(
            split_sentences("您好，请问有什么可以帮您？您的包裹星期一到。"),
            vec!["您好，请问有什么可以帮您？", "您的包裹星期一到。"]
        );
    }

    #[test]
    fn short_pieces_and_decimals_stay_with_their_sentence() {
        assert_eq!(split_sentences("Hi. I am Amy."), vec!["Hi. I am Amy."]);
        assert_eq!(
            split_sentences("The price is 3.50 dollars today. Thanks for asking!"),
            vec!["The price is 3.50 dollars today.", "Thanks for asking!"]
        );
    }

    #[test]
    fn blank_lines_split_and_whitespace_never_makes_a_sentence() {
        assert_eq!(
            split_sentences("First part\n\nSecond part"),
            vec!["First part", "Second part"]
        );
        assert!(split_sentences("  \n\n \t ").is_empty());
        assert_eq!(split_sentences("no end mark"), vec!["no end mark"]);
    }
}
