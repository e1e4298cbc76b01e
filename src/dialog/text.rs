//! Lexical terms for BM25: English words (lower-cased, stop words dropped, crudely
//! stemmed) and Chinese character unigrams + bigrams.
//!
//! Character bigrams are the classic segmenter-free choice for Chinese retrieval: they
//! catch most two-character words ("退货", "积分") without a dictionary, and the dense
//! embeddings cover what n-grams miss.

use super::lang::is_han;

const EN_STOP: &[&str] = &[
    "a", "an", "the", "i", "me", "my", "you", "your", "we", "our", "us", "it", "its", "is", "are",
    "am", "be", "was", "were", "do", "does", "did", "to", "of", "in", "on", "at", "for", "and",
    "or", "can", "could", "would", "will", "please", "this", "that", "there", "what", "how",
    "with", "from", "have", "has", "had", "any", "so", "if", "by", "about", "s", "t", "just",
    "get", "some", "them", "they", "he", "she", "still", "should", "may", "want", "like",
];

// Function characters that carry no topic on their own (as unigrams); bigrams keep them.
const ZH_STOP: &[char] = &[
    '的', '了', '吗', '呢', '吧', '啊', '我', '你', '您', '们', '是', '在', '有', '和', '就', '都',
    '也', '么', '什', '怎', '个', '这', '那', '要', '能', '可', '以', '还', '请', '一',
];

/// Splits `text` into BM25 terms. Chinese and English may be mixed in one string.
pub fn lexical_terms(text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut word = String::new();
    let mut han_run: Vec<char> = Vec::new();
    let flush_word = |word: &mut String, terms: &mut Vec<String>| {
        if !word.is_empty() {
            let w = std::mem::take(word);
            if !EN_STOP.contains(&w.as_str()) {
                terms.push(stem(&w));
            }
        }
    };
    let flush_han = |run: &mut Vec<char>, terms: &mut Vec<String>| {
        for (i, &c) in run.iter().enumerate() {
            if !ZH_STOP.contains(&c) {
                terms.push(c.to_string());
            }
            if let Some(&next) = run.get(i + 1) {
                terms.push([c, next].iter().collect());
            }
        }
        run.clear();
    };
    for c in text.chars().flat_map(char::to_lowercase) {
        if is_han(c) {
            flush_word(&mut word, &mut terms);
            han_run.push(c);
        } else if c.is_alphanumeric() {
            flush_han(&mut han_run, &mut terms);
            word.push(c);
        } else {
            flush_word(&mut word, &mut terms);
            flush_han(&mut han_run, &mut terms);
        }
    }
    flush_word(&mut word, &mut terms);
    flush_han(&mut han_run, &mut terms);
    terms
}

/// A deliberately small suffix stripper: enough to match "refunds"/"refunded"/"refunding"
/// with "refund" without pulling in a stemming crate.
fn stem(word: &str) -> String {
    if word.len() <= 4 || !word.is_ascii() {
        return word.to_string();
    }
    for suffix in ["ing", "ed", "es", "s"] {
        if let Some(stripped) = word.strip_suffix(suffix)
            && stripped.len() >= 3
            && !(suffix == "s" && stripped.ends_with('s'))
        {
            return stripped.to_string();
        }
    }
    word.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_words_are_stemmed_and_stop_words_dropped() {
        assert_eq!(lexical_terms("Where are my Refunds?"), ["where", "refund"]);
        assert_eq!(
            lexical_terms("tracking delivered parcels"),
            ["track", "deliver", "parcel"]
        );
    }

    #[test]
    fn chinese_gives_unigrams_and_bigrams() {
        assert_eq!(lexical_terms("退货吗"), ["退", "退货", "货", "货吗"]);
    }

    #[test]
    fn mixed_text_splits_at_script_changes() {
        assert_eq!(
            lexical_terms("订单HL123到"),
            ["订", "订单", "单", "hl123", "到"]
        );
    }
}
