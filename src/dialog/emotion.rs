//! The customer's mood (from their words, both languages) and the avatar's expression tag.
//!
//! Lexicon-based on purpose: it is instant, explainable, and the cues that matter for a
//! service desk (anger, urgency, asking for a person) are explicit words.

use crate::speech::Lang;

/// An expression for the avatar while it speaks a sentence; the LLM may tag sentences with
/// `[smile]`, `[concerned]` … and the KB path picks one from the customer's mood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Emotion {
    Neutral,
    Smile,
    Happy,
    Concerned,
    Apologetic,
    Calm,
    Thinking,
    Surprised,
}

impl Emotion {
    /// Parses a tag name such as `smile` (case-insensitive); `None` for unknown names.
    pub fn from_tag(tag: &str) -> Option<Self> {
        Some(match tag.trim().to_ascii_lowercase().as_str() {
            "neutral" => Emotion::Neutral,
            "smile" | "smiling" | "friendly" => Emotion::Smile,
            "happy" | "joy" | "glad" => Emotion::Happy,
            "concerned" | "concern" | "worried" | "sad" => Emotion::Concerned,
            "apologetic" | "sorry" | "apology" => Emotion::Apologetic,
            "calm" | "reassuring" => Emotion::Calm,
            "thinking" | "thoughtful" => Emotion::Thinking,
            "surprised" | "surprise" => Emotion::Surprised,
            _ => return None,
        })
    }

    /// The tag name, as written in `[tag]`.
    pub fn tag(self) -> &'static str {
        match self {
            Emotion::Neutral => "neutral",
            Emotion::Smile => "smile",
            Emotion::Happy => "happy",
            Emotion::Concerned => "concerned",
            Emotion::Apologetic => "apologetic",
            Emotion::Calm => "calm",
            Emotion::Thinking => "thinking",
            Emotion::Surprised => "surprised",
        }
    }
}

/// Overall polarity of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sentiment {
    Negative,
    Neutral,
    Positive,
}

/// What a customer's message says about how they feel and what they want.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mood {
    pub sentiment: Sentiment,
    /// Insults, shouting, "unacceptable", "太差了"…
    pub angry: bool,
    /// "urgent", "right now", "马上"…
    pub urgent: bool,
    /// An explicit request for a person: "talk to a human", "转人工".
    pub wants_human: bool,
}

impl Mood {
    /// The expression that fits answering this customer.
    pub fn answer_emotion(&self) -> Emotion {
        match (self.angry, self.sentiment, self.urgent) {
            (true, _, _) => Emotion::Apologetic,
            (_, Sentiment::Negative, _) => Emotion::Concerned,
            (_, _, true) => Emotion::Calm,
            (_, Sentiment::Positive, _) => Emotion::Smile,
            _ => Emotion::Neutral,
        }
    }
}

const EN_NEGATIVE: &[&str] = &[
    "broken",
    "damaged",
    "late",
    "not happy",
    "unhappy",
    "disappointed",
    "problem",
    "wrong",
    "bad",
    "poor",
    "terrible",
    "awful",
    "still not",
    "never arrived",
    "haven't received",
    "hasn't arrived",
    "missing",
    "lost",
    "faulty",
    "annoyed",
    "frustrat",
    "complain",
    "worst",
    "cracked",
    "refused",
    "declined",
];
const EN_ANGRY: &[&str] = &[
    "ridiculous",
    "unacceptable",
    "outrageous",
    "furious",
    "angry",
    "useless",
    "scam",
    "rip off",
    "rip-off",
    "fed up",
    "sick of",
    "disgusting",
    "incompetent",
    "pathetic",
    "waste of time",
    "worst",
    "stupid",
    "what the hell",
    "wtf",
    "damn",
];
const EN_URGENT: &[&str] = &[
    "urgent",
    "asap",
    "right now",
    "immediately",
    "emergency",
    "as soon as possible",
    "today!",
    "hurry",
    "quickly",
];
const EN_POSITIVE: &[&str] = &[
    "thank",
    "great",
    "perfect",
    "awesome",
    "excellent",
    "love",
    "wonderful",
    "helpful",
    "happy with",
    "nice",
    "good job",
    "appreciate",
];
const EN_HUMAN: &[&str] = &[
    "human",
    "real person",
    "to a person",
    "with a person",
    "live agent",
    "an agent",
    "operator",
    "talk to someone",
    "speak to someone",
    "speak to a",
    "talk to a",
    "representative",
];
const ZH_NEGATIVE: &[&str] = &[
    "坏了",
    "损坏",
    "破损",
    "破了",
    "裂了",
    "太晚",
    "迟迟",
    "延迟",
    "太慢",
    "不满",
    "失望",
    "有问题",
    "错了",
    "弄错",
    "出错",
    "很差",
    "太差",
    "质量差",
    "还没到",
    "还没收到",
    "没收到",
    "丢了",
    "弄丢",
    "投诉",
    "烦",
    "被拒",
    "糟糕",
];
const ZH_ANGRY: &[&str] = &[
    "气死",
    "生气",
    "愤怒",
    "太差",
    "垃圾",
    "骗子",
    "离谱",
    "忍无可忍",
    "什么破",
    "受够",
    "太过分",
    "无语",
    "搞什么",
    "坑人",
    "恶心",
];
const ZH_URGENT: &[&str] = &["急", "马上", "立刻", "赶紧", "尽快", "现在就", "快点"];
const ZH_POSITIVE: &[&str] = &[
    "谢谢",
    "感谢",
    "太好了",
    "很好",
    "不错",
    "满意",
    "棒",
    "喜欢",
    "辛苦",
];
const ZH_HUMAN: &[&str] = &["转人工", "人工", "真人", "找人", "客服人员", "找个人"];

/// Classifies one message. Pure and instant.
pub fn classify(text: &str, lang: Lang) -> Mood {
    let lower = text.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    let (neg, angry, urgent, pos, human) = match lang {
        Lang::En => (EN_NEGATIVE, EN_ANGRY, EN_URGENT, EN_POSITIVE, EN_HUMAN),
        Lang::Zh => (ZH_NEGATIVE, ZH_ANGRY, ZH_URGENT, ZH_POSITIVE, ZH_HUMAN),
    };
    // Shouting: most Latin letters upper-case in a message of some length, or "!!".
    let letters: Vec<char> = text.chars().filter(|c| c.is_ascii_alphabetic()).collect();
    let shouting = letters.len() >= 8
        && letters.iter().filter(|c| c.is_ascii_uppercase()).count() * 10 >= letters.len() * 8;
    let angry = has(angry) || shouting || text.contains("!!") || text.contains("！！");
    let negative = angry
        || has(neg)
        || has(if lang == Lang::En {
            ZH_NEGATIVE
        } else {
            EN_NEGATIVE
        });
    let positive = has(pos);
    let sentiment = match (negative, positive) {
        (true, _) => Sentiment::Negative,
        (false, true) => Sentiment::Positive,
        _ => Sentiment::Neutral,
    };
    Mood {
        sentiment,
        angry,
        urgent: has(urgent),
        wants_human: has(human),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(text: &str, lang: Lang, expected: (Sentiment, bool, bool, bool)) {
        let m = classify(text, lang);
        assert_eq!(
            (m.sentiment, m.angry, m.urgent, m.wants_human),
            expected,
            "{text}"
        );
    }

    #[test]
    fn classifies_both_languages() {
        use Sentiment::*;
        check(
            "What are your opening hours?",
            Lang::En,
            (Neutral, false, false, false),
        );
        check(
            "Thanks, that was really helpful",
            Lang::En,
            (Positive, false, false, false),
        );
        check(
            "My parcel is late and this is UNACCEPTABLE",
            Lang::En,
            (Negative, true, false, false),
        );
        check(
            "I need it urgently, right now",
            Lang::En,
            (Neutral, false, true, false),
        );
        check(
            "I want to talk to a human",
            Lang::En,
            (Neutral, false, false, true),
        );
        check(
            "你们营业时间是几点？",
            Lang::Zh,
            (Neutral, false, false, false),
        );
        check("太好了，谢谢！", Lang::Zh, (Positive, false, false, false));
        check(
            "东西坏了，气死我了",
            Lang::Zh,
            (Negative, true, false, false),
        );
        check("我很急，马上要用", Lang::Zh, (Neutral, false, true, false));
        check("转人工", Lang::Zh, (Neutral, false, false, true));
    }

    #[test]
    fn answer_tone_follows_mood() {
        assert_eq!(
            classify("this is ridiculous", Lang::En).answer_emotion(),
            Emotion::Apologetic
        );
        assert_eq!(
            classify("my item arrived damaged", Lang::En).answer_emotion(),
            Emotion::Concerned
        );
        assert_eq!(classify("谢谢", Lang::Zh).answer_emotion(), Emotion::Smile);
        assert_eq!(Emotion::from_tag("Smile"), Some(Emotion::Smile));
        assert_eq!(Emotion::from_tag("dance"), None);
    }
}
