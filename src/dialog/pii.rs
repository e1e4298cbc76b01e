//! Masking of personal data before transcripts are written: e-mail addresses, Chinese
//! resident ID numbers, payment card numbers (13–19 digits) and phone numbers. Masking
//! errs on the side of privacy: any long digit run is treated as sensitive.

use std::sync::LazyLock;

use regex::Regex;

// The patterns are constants written here; a failure to compile is a bug in this file.
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}").expect("valid email regex")
});
// 18-character PRC resident ID: region (6) + birth date (8) + sequence (3) + check digit/X.
static CN_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?-u:\b)")
        .expect("valid ID regex")
});
// 13–19 digits, optionally grouped by spaces or dashes (card numbers as people type them).
static CARD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)\d(?:[ -]?\d){12,18}(?-u:\b)").expect("valid card regex")
});
// Phone numbers: optional +country code, then 7–15 digits with spaces, dots, dashes or
// parentheses between them. Runs shorter than 7 digits (prices, times) are left alone.
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d(?:[ .-]?\d){6,14}")
        .expect("valid phone regex")
});

// A number written with a leading +country code is a phone number even when it is as long
// as a card number, so it is masked before cards.
static PHONE_INTL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d(?:[ .-]?\d){6,14}")
        .expect("valid phone regex")
});
static DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}$").expect("valid date regex"));

/// Returns `text` with personal data replaced by `[email]`, `[id]`, `[card]`, `[phone]`.
/// Order numbers (`HL` + digits) and dates are kept: they are not personal and the
/// transcript is useless without them.
pub fn mask(text: &str) -> String {
    let text = EMAIL.replace_all(text, "[email]");
    let text = CN_ID.replace_all(&text, "[id]");
    let text = PHONE_INTL.replace_all(&text, "[phone]");
    let text = CARD.replace_all(&text, "[card]");
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for m in PHONE.find_iter(&text) {
        let before = text[..m.start()]
            .trim_end_matches(['-', ' '])
            .to_ascii_lowercase();
        let keep = before.ends_with("hl") || DATE.is_match(m.as_str());
        out.push_str(&text[last..m.start()]);
        out.push_str(if keep { m.as_str() } else { "[phone]" });
        last = m.end();
    }
    out.push_str(&text[last..]);
    out
}

/// `text` without its personal data, for searching the KB: an e-mail address or phone
/// number says nothing about the topic but pulls the query's embedding and dilutes its
/// term coverage. Order numbers stay.
pub fn strip_for_search(text: &str) -> String {
    let masked = mask(text);
    let mut out = masked.clone();
    for placeholder in ["[email]", "[id]", "[card]", "[phone]"] {
        out = out.replace(placeholder, " ");
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_each_kind() {
        assert_eq!(
            mask("mail me at li.wei+shop@example.com please"),
            "mail me at [email] please"
        );
        assert_eq!(mask("我的手机是13812345678"), "我的手机是[phone]");
        assert_eq!(
            mask("call +86 138-1234-5678 or (021) 6123 4567"),
            "call [phone] or [phone]"
        );
        assert_eq!(mask("身份证110101199003074578，谢谢"), "身份证[id]，谢谢");
        assert_eq!(
            mask("card 4111 1111 1111 1111 exp 12/27"),
            "card [card] exp 12/27"
        );
        assert_eq!(
            mask("It costs 59.90 at 10:00 on 2025-03-01"),
            "It costs 59.90 at 10:00 on 2025-03-01"
        );
        assert_eq!(
            mask("order HL20481234, phone 13812345678"),
            "order HL20481234, phone [phone]"
        );
        assert_eq!(
            strip_for_search("mail li@example.com, order HL20481234"),
            "mail , order HL20481234"
        );
    }
}
