//! Chinese text → tone-numbered pinyin for espeak's `cmn-latn-pinyin` voice.
//!
//! espeak-ng 1.51's `cmn` voice reads hanzi badly (digits in English, many
//! characters missing), while `cmn-latn-pinyin` reads pinyin syllables with
//! tone numbers well. So we convert: each hanzi becomes its most common
//! reading (`你` → `ni3`), Chinese punctuation becomes the ASCII mark that
//! makes espeak pause the same way, numbers are read the Chinese way
//! (`2024年` → `er4 ling2 er4 si4 nian2`, `15` → `shi2 wu3`), and Latin words
//! pass through.

use pinyin::ToPinyin;

/// Converts Chinese text to space-separated pinyin with tone numbers, keeping
/// punctuation as pauses and Latin words as they are.
///
/// ```
/// assert_eq!(avatarcast::speech::chinese_to_pinyin("您好，世界！"), "nin2 hao3, shi4 jie4!");
/// ```
pub fn chinese_to_pinyin(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Out::default();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if let Some(d) = digit_value(c) {
            i = read_number(&chars, i, d, &mut out);
            continue;
        }
        if let Some(p) = c.to_pinyin() {
            out.word(p.with_tone_num_end());
        } else if let Some(p) = pause_mark(c) {
            out.punct(p);
        } else if c.is_ascii_alphabetic() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphabetic() || chars[i] == '\'') {
                i += 1;
            }
            out.word(&chars[start..i].iter().collect::<String>());
            continue;
        } else if c.is_alphabetic() {
            // Other scripts (accented Latin, Greek, kana): pass through, espeak
            // spells or skips what it cannot read.
            out.word(&c.to_string());
        } else {
            // Emoji, symbols, whitespace: a word break.
            out.space();
        }
        i += 1;
    }
    out.text.trim_end().to_string()
}

/// Builds the output with exactly one space between words and none before
/// punctuation.
#[derive(Default)]
struct Out {
    text: String,
}

impl Out {
    fn word(&mut self, w: &str) {
        if !self.text.is_empty() && !self.text.ends_with(' ') {
            self.text.push(' ');
        }
        self.text.push_str(w);
    }
    fn punct(&mut self, p: &str) {
        while self.text.ends_with(' ') {
            self.text.pop();
        }
        self.text.push_str(p);
        self.text.push(' ');
    }
    fn space(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with(' ') {
            self.text.push(' ');
        }
    }
}

/// Chinese and ASCII punctuation → the ASCII mark espeak pauses on.
fn pause_mark(c: char) -> Option<&'static str> {
    Some(match c {
        '，' | '、' | ',' | '﹐' | '､' => ",",
        '。' | '.' | '｡' | '．' => ".",
        '？' | '?' => "?",
        '！' | '!' => "!",
        '；' | ';' => ";",
        '：' | ':' => ":",
        '…' | '⋯' => "...",
        '—' | '–' | '～' | '~' => ",",
        '（' | '）' | '(' | ')' | '《' | '》' | '「' | '」' | '『' | '』' | '【' | '】' | '“'
        | '”' | '"' => ",",
        _ => return None,
    })
}

fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

const DIGITS: [&str; 10] = [
    "ling2", "yi1", "er4", "san1", "si4", "wu3", "liu4", "qi1", "ba1", "jiu3",
];

/// Reads the number starting at `chars[start]` and returns the index after it.
fn read_number(chars: &[char], start: usize, _first: u32, out: &mut Out) -> usize {
    let mut i = start;
    let mut int_digits = Vec::new();
    while let Some(d) = chars.get(i).copied().and_then(digit_value) {
        int_digits.push(d);
        i += 1;
    }
    let mut frac_digits = Vec::new();
    if matches!(chars.get(i), Some('.' | '．'))
        && chars.get(i + 1).copied().and_then(digit_value).is_some()
    {
        i += 1;
        while let Some(d) = chars.get(i).copied().and_then(digit_value) {
            frac_digits.push(d);
            i += 1;
        }
    }
    let percent = matches!(chars.get(i), Some('%' | '％'));
    if percent {
        out.word("bai3 fen1 zhi1");
        i += 1;
    }
    let next = chars.get(i).copied();
    // Years, phone numbers, codes and anything very long are read digit by
    // digit, as a speaker would: 2024年, 010-1234, 13800138000.
    let digit_by_digit = (int_digits.len() > 1 && int_digits[0] == 0)
        || int_digits.len() > 12
        || (int_digits.len() == 4 && next == Some('年'));
    if digit_by_digit {
        for d in &int_digits {
            out.word(DIGITS[*d as usize]);
        }
    } else {
        let value = int_digits
            .iter()
            .fold(0u64, |acc, d| acc * 10 + u64::from(*d));
        out.word(&integer_reading(value));
    }
    if !frac_digits.is_empty() {
        out.word("dian3");
        for d in &frac_digits {
            out.word(DIGITS[*d as usize]);
        }
    }
    i
}

/// The spoken form of an integer below 10^16 in pinyin, e.g. 1005 →
/// `yi1 qian1 ling2 wu3`, 15 → `shi2 wu3`.
fn integer_reading(n: u64) -> String {
    if n == 0 {
        return DIGITS[0].to_string();
    }
    const GROUP_UNITS: [&str; 4] = ["", "wan4", "yi4", "wan4 yi4"];
    let groups = [
        n % 10_000,
        n / 10_000 % 10_000,
        n / 100_000_000 % 10_000,
        n / 1_000_000_000_000,
    ];
    let mut words: Vec<&str> = Vec::new();
    let mut zero_pending = false;
    for g in (0..4).rev() {
        let value = groups[g];
        if value == 0 {
            zero_pending |= !words.is_empty();
            continue;
        }
        // A gap of zeros inside the number is read as one 零 (10010 → 一万零一十).
        if !words.is_empty() && (zero_pending || value < 1000) {
            words.push(DIGITS[0]);
        }
        group_reading(value, &mut words);
        if !GROUP_UNITS[g].is_empty() {
            words.push(GROUP_UNITS[g]);
        }
        zero_pending = false;
    }
    // 10..19 and 十万 are said without the leading 一.
    if words.len() >= 2 && words[0] == DIGITS[1] && words[1] == "shi2" {
        words.remove(0);
    }
    words.join(" ")
}

/// One group of up to four digits (千 百 十 个), zeros between digits read once.
fn group_reading(value: u64, words: &mut Vec<&'static str>) {
    const UNITS: [&str; 4] = ["qian1", "bai3", "shi2", ""];
    let digits = [value / 1000, value / 100 % 10, value / 10 % 10, value % 10];
    let mut started = false;
    let mut zero_pending = false;
    for (pos, d) in digits.iter().enumerate() {
        if *d == 0 {
            zero_pending |= started;
            continue;
        }
        if zero_pending {
            words.push(DIGITS[0]);
            zero_pending = false;
        }
        words.push(DIGITS[*d as usize]);
        if !UNITS[pos].is_empty() {
            words.push(UNITS[pos]);
        }
        started = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hanzi_become_tone_numbered_pinyin_and_punctuation_pauses() {
        assert_eq!(
            chinese_to_pinyin("您好，请问有什么可以帮您？"),
            "nin2 hao3, qing3 wen4 you3 shen2 me ke3 yi3 bang1 nin2?"
        );
        assert_eq!(chinese_to_pinyin("好的。谢谢！"), "hao3 de. xie4 xie4!");
        assert_eq!(
            chinese_to_pinyin("苹果、香蕉；还有：梨"),
            "ping2 guo3, xiang1 jiao1; hai2 you3: li2"
        );
        assert_eq!(chinese_to_pinyin("绿色"), "lü4 se4");
    }

    #[test]
    fn numbers_are_read_in_chinese() {
        let cases = [
            (0, "ling2"),
            (7, "qi1"),
            (10, "shi2"),
            (15, "shi2 wu3"),
            (20, "er4 shi2"),
            (105, "yi1 bai3 ling2 wu3"),
            (110, "yi1 bai3 yi1 shi2"),
            (1005, "yi1 qian1 ling2 wu3"),
            (10_010, "yi1 wan4 ling2 yi1 shi2"),
            (100_000, "shi2 wan4"),
            (120_000_300, "yi1 yi4 er4 qian1 wan4 ling2 san1 bai3"),
        ];
        for (n, want) in cases {
            assert_eq!(integer_reading(n), want, "{n}");
        }
        assert_eq!(chinese_to_pinyin("共3.5元"), "gong4 san1 dian3 wu3 yuan2");
        assert_eq!(chinese_to_pinyin("2024年"), "er4 ling2 er4 si4 nian2");
        assert_eq!(
            chinese_to_pinyin("打折50%"),
            "da3 zhe2 bai3 fen1 zhi1 wu3 shi2"
        );
        assert_eq!(chinese_to_pinyin("电话010"), "dian4 hua4 ling2 yi1 ling2");
        assert_eq!(chinese_to_pinyin("１２"), "shi2 er4");
    }

    #[test]
    fn latin_words_pass_through_and_symbols_break_words() {
        assert_eq!(
            chinese_to_pinyin("请打开WiFi设置"),
            "qing3 da3 kai1 WiFi she4 zhi4"
        );
        assert_eq!(chinese_to_pinyin("好😀好"), "hao3 hao3");
        assert_eq!(chinese_to_pinyin("😀"), "");
        let long: String = "你好，".repeat(3000);
        assert!(chinese_to_pinyin(&long).starts_with("ni3 hao3, ni3 hao3,"));
    }
}
