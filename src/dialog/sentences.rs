//! Splitting a stream of text into sentences as it arrives, so speech can start on the first
//! one, and stripping `[emotion]` tags from each sentence for the animation.
//!
//! CJK sentence marks (。！？；…) end a sentence at once; Latin marks (. ! ?) only when
//! followed by whitespace or a CJK character, so "3.5", "e.g." inside words and URLs
//! such as "harborlane.example/track" stay whole.

use super::emotion::Emotion;
use super::lang::is_cjk;

const CJK_ENDS: &[char] = &['。', '！', '？', '；', '…'];
const LATIN_ENDS: &[char] = &['.', '!', '?', ';'];
// Closing quotes/brackets that belong to the sentence they close.
const CLOSERS: &[char] = &['"', '\'', '”', '’', '」', '』', '）', ')', '】'];
// Abbreviations after which a period does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "no", "st", "e.g", "i.e", "etc", "vs", "approx",
];

/// Incremental sentence splitter: `push` text chunks (any size, even single characters),
/// get complete sentences back; `finish` returns the rest.
#[derive(Debug, Default)]
pub struct SentenceSplitter {
    buffer: String,
}

impl SentenceSplitter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a chunk and returns the sentences it completed, trimmed, in order.
    pub fn push(&mut self, chunk: &str) -> Vec<String> {
        self.buffer.push_str(chunk);
        let mut out = Vec::new();
        while let Some(end) = self.sentence_end() {
            let rest = self.buffer.split_off(end);
            let sentence = std::mem::replace(&mut self.buffer, rest);
            push_trimmed(&mut out, &sentence);
        }
        out
    }

    /// Returns whatever is left as a last sentence (the stream ended without a mark).
    pub fn finish(&mut self) -> Option<String> {
        let rest = std::mem::take(&mut self.buffer);
        let t = rest.trim();
        (!t.is_empty()).then(|| t.to_string())
    }

    /// Byte index just after the first complete sentence in the buffer, if any.
    fn sentence_end(&self) -> Option<usize> {
        let chars: Vec<(usize, char)> = self.buffer.char_indices().collect();
        for (k, &(i, c)) in chars.iter().enumerate() {
            let is_end = if CJK_ENDS.contains(&c) || c == '\n' {
                true
            } else if LATIN_ENDS.contains(&c) {
                // Need the next character to decide; none yet means wait for more text.
                let &(_, next) = chars[k + 1..].iter().find(|(_, n)| !CLOSERS.contains(n))?;
                (next.is_whitespace() || is_cjk(next)) && !(c == '.' && self.is_abbreviation(i))
            } else {
                false
            };
            if is_end {
                // Swallow repeated marks ("?!", "。。") and closing quotes.
                let mut end = i + c.len_utf8();
                for &(j, n) in &chars[k + 1..] {
                    if CJK_ENDS.contains(&n) || LATIN_ENDS.contains(&n) || CLOSERS.contains(&n) {
                        end = j + n.len_utf8();
                    } else {
                        break;
                    }
                }
                // A trailing run of marks may still be growing ("..." arriving one by one).
                if end == self.buffer.len() && !CJK_ENDS.contains(&c) && c != '\n' {
                    return None;
                }
                return Some(end);
            }
        }
        None
    }

    fn is_abbreviation(&self, dot: usize) -> bool {
        let word: String = self.buffer[..dot]
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric() || *c == '.')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let word = word.to_lowercase();
        ABBREVIATIONS.contains(&word.as_str())
            || (word.len() == 1 && word.chars().all(|c| c.is_alphabetic()))
    }
}

fn push_trimmed(out: &mut Vec<String>, s: &str) {
    let t = s.trim();
    if !t.is_empty() {
        out.push(t.to_string());
    }
}

/// Splits a whole text at once (the KB path).
pub fn split_all(text: &str) -> Vec<String> {
    let mut s = SentenceSplitter::new();
    let mut out = s.push(text);
    out.extend(s.finish());
    out
}

/// Removes `[tag]` markers from a sentence and returns the clean text with the first known
/// emotion. Unknown bracketed words are removed too (the model invented a tag; it must not
/// be spoken), but brackets holding digits or spaces ("[1]", "[see below]") are kept.
pub fn strip_emotion_tags(sentence: &str) -> (String, Option<Emotion>) {
    let mut text = String::with_capacity(sentence.len());
    let mut emotion = None;
    let mut rest = sentence;
    while let Some(open) = rest.find(['[', '【']) {
        let open_len = rest[open..].chars().next().map_or(1, char::len_utf8);
        let after = &rest[open + open_len..];
        let Some(close) = after.find([']', '】']) else {
            break;
        };
        let tag = &after[..close];
        let close_len = after[close..].chars().next().map_or(1, char::len_utf8);
        let is_tag = !tag.is_empty()
            && tag.len() <= 20
            && tag
                .chars()
                .all(|c| c.is_ascii_alphabetic() || c == '_' || c == '-');
        text.push_str(&rest[..open]);
        if is_tag {
            if emotion.is_none() {
                emotion = Emotion::from_tag(tag);
            }
        } else {
            text.push_str(&rest[open..open + open_len + close + close_len]);
        }
        rest = &after[close + close_len..];
    }
    text.push_str(rest);
    (
        text.split_whitespace().collect::<Vec<_>>().join(" "),
        emotion,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_latin_and_cjk_punctuation() {
        assert_eq!(
            split_all("Hello there! How are you? Fine."),
            ["Hello there!", "How are you?", "Fine."]
        );
        assert_eq!(
            split_all("你好！请问有什么可以帮您？好的。"),
            ["你好！", "请问有什么可以帮您？", "好的。"]
        );
    }

    #[test]
    fn mixed_cjk_and_latin() {
        assert_eq!(
            split_all(
                "您的订单HL20481234已发货。Thanks! 我们支持Visa、银联。It costs 5.90 dollars."
            ),
            [
                "您的订单HL20481234已发货。",
                "Thanks!",
                "我们支持Visa、银联。",
                "It costs 5.90 dollars."
            ]
        );
        assert_eq!(
            split_all("Delivery is free.运费免费。"),
            ["Delivery is free.", "运费免费。"]
        );
    }

    #[test]
    fn does_not_split_numbers_urls_or_abbreviations() {
        assert_eq!(
            split_all("See harborlane.example/track now, e.g. today. Mr. Li agrees."),
            [
                "See harborlane.example/track now, e.g. today.",
                "Mr. Li agrees."
            ]
        );
    }

    #[test]
    fn streaming_emits_sentences_as_soon_as_they_are_known() {
        let mut s = SentenceSplitter::new();
        let mut got = Vec::new();
        for chunk in [
            "Hel",
            "lo.",
            " How",
            " are you",
            "?",
            "\"",
            " 我很",
            "好。再",
            "见",
        ] {
            got.extend(s.push(chunk));
        }
        assert_eq!(got, ["Hello.", "How are you?\"", "我很好。"]);
        assert_eq!(s.finish().as_deref(), Some("再见"));
    }

    #[test]
    fn emotion_tags_are_stripped_and_returned() {
        assert_eq!(
            strip_emotion_tags("[smile] Happy to help!"),
            ("Happy to help!".to_string(), Some(Emotion::Smile))
        );
        assert_eq!(
            strip_emotion_tags("【concerned】很抱歉。"),
            ("很抱歉。".to_string(), Some(Emotion::Concerned))
        );
        assert_eq!(
            strip_emotion_tags("Step [1] first [wave]"),
            ("Step [1] first".to_string(), None)
        );
    }
}
