//! Conversational moves that need no knowledge base: greetings, goodbyes, thanks, small talk,
//! and the fixed lines the assistant says (asking for details, offering a colleague).

use crate::speech::Lang;

/// A message that is conversation rather than a question for the KB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmallTalk {
    Greeting,
    Goodbye,
    Thanks,
    HowAreYou,
    WhoAreYou,
}

const EN: &[(SmallTalk, &[&str])] = &[
    (
        SmallTalk::Greeting,
        &[
            "hello",
            "hi",
            "hey",
            "good morning",
            "good afternoon",
            "good evening",
            "hi there",
            "hello there",
        ],
    ),
    (
        SmallTalk::Goodbye,
        &[
            "bye",
            "goodbye",
            "bye bye",
            "see you",
            "see you later",
            "that's all",
            "thats all",
            "nothing else",
            "no thanks bye",
        ],
    ),
    (
        SmallTalk::Thanks,
        &[
            "thanks",
            "thank you",
            "thank you very much",
            "thanks a lot",
            "many thanks",
            "cheers",
            "great thanks",
            "ok thanks",
            "thank you so much",
        ],
    ),
    (
        SmallTalk::HowAreYou,
        &[
            "how are you",
            "how are you doing",
            "how's it going",
            "how is it going",
        ],
    ),
    (
        SmallTalk::WhoAreYou,
        &[
            "who are you",
            "what are you",
            "are you a robot",
            "are you a bot",
            "what's your name",
            "what is your name",
            "are you human",
        ],
    ),
];
const ZH: &[(SmallTalk, &[&str])] = &[
    (
        SmallTalk::Greeting,
        &[
            "你好",
            "您好",
            "早上好",
            "下午好",
            "晚上好",
            "嗨",
            "哈喽",
            "在吗",
            "你好呀",
        ],
    ),
    (
        SmallTalk::Goodbye,
        &["再见", "拜拜", "没有了", "没事了", "就这些", "回头见"],
    ),
    (
        SmallTalk::Thanks,
        &[
            "谢谢",
            "谢谢你",
            "多谢",
            "感谢",
            "非常感谢",
            "好的谢谢",
            "谢啦",
            "谢谢您",
        ],
    ),
    (SmallTalk::HowAreYou, &["你好吗", "最近怎么样", "你怎么样"]),
    (
        SmallTalk::WhoAreYou,
        &[
            "你是谁",
            "你是机器人吗",
            "你叫什么",
            "你叫什么名字",
            "你是真人吗",
        ],
    ),
];

/// Recognises small talk only when it is the whole message (after trimming punctuation), so
/// "hi, where is my order?" goes to the KB rather than getting a bare greeting.
pub fn detect(text: &str, lang: Lang) -> Option<SmallTalk> {
    let cleaned: String = text
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '\'' || c == ' ' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let table = match lang {
        Lang::En => EN,
        Lang::Zh => ZH,
    };
    table
        .iter()
        .find(|(_, phrases)| phrases.contains(&cleaned.as_str()))
        .map(|(kind, _)| *kind)
}

/// Yes (`Some(true)`) or no (`Some(false)`) as a whole message, for answering "Did you
/// mean …?"; `None` for anything else.
pub fn confirmation(text: &str) -> Option<bool> {
    const YES: &[&str] = &[
        "yes",
        "yeah",
        "yep",
        "yes please",
        "right",
        "correct",
        "exactly",
        "that's it",
        "that's right",
        "sure",
        "ok",
        "okay",
        "是",
        "是的",
        "对",
        "对的",
        "没错",
        "嗯",
        "是这个",
        "对，就是这个",
        "好的",
    ];
    const NO: &[&str] = &[
        "no",
        "nope",
        "no thanks",
        "not really",
        "not quite",
        "wrong",
        "不是",
        "不对",
        "不",
        "都不是",
        "不是这个",
    ];
    let cleaned: String = text
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '\'' || *c == ' ' || *c == '，')
        .collect();
    let cleaned = cleaned.trim().trim_end_matches('，');
    if YES.contains(&cleaned) {
        Some(true)
    } else if NO.contains(&cleaned) {
        Some(false)
    } else {
        None
    }
}

/// The reply to small talk.
pub fn reply(kind: SmallTalk, lang: Lang) -> &'static str {
    match (kind, lang) {
        (SmallTalk::Greeting, Lang::En) => {
            "Hello and welcome to Harbor Lane! How can I help you today?"
        }
        (SmallTalk::Greeting, Lang::Zh) => "您好，欢迎来到港湾里！请问有什么可以帮您？",
        (SmallTalk::Goodbye, Lang::En) => {
            "Thank you for visiting Harbor Lane. Have a lovely day, goodbye!"
        }
        (SmallTalk::Goodbye, Lang::Zh) => "感谢您光临港湾里，祝您生活愉快，再见！",
        (SmallTalk::Thanks, Lang::En) => {
            "You're very welcome! Is there anything else I can help with?"
        }
        (SmallTalk::Thanks, Lang::Zh) => "不客气！还有什么可以帮您的吗？",
        (SmallTalk::HowAreYou, Lang::En) => {
            "I'm doing well, thank you for asking! What can I do for you?"
        }
        (SmallTalk::HowAreYou, Lang::Zh) => "我很好，谢谢关心！请问有什么可以帮您？",
        (SmallTalk::WhoAreYou, Lang::En) => {
            "I'm the Harbor Lane virtual assistant. I can help with opening hours, orders, returns, payments and membership."
        }
        (SmallTalk::WhoAreYou, Lang::Zh) => {
            "我是港湾里的虚拟助手，可以帮您查询营业时间、订单、退换货、付款和会员等问题。"
        }
    }
}

/// Fixed lines of the assistant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    AskOrderNumber,
    AskOrderNumberAgain,
    NotSure,
    HumanRequested,
    RepeatedAnger,
    Sorry,
    Urgent,
    Empty,
    /// Unsure: "Did you mean" + the KB question (appended by the engine).
    DidYouMean,
    /// Unsure, continued after the suggested question.
    DidYouMeanEnd,
    /// The LLM stopped mid-answer; the KB answer follows.
    CutOffBridge,
    /// The LLM stopped mid-answer and there is no KB answer to finish with.
    CutOffHandoff,
}

/// The text of a fixed line in a language.
pub fn line(line: Line, lang: Lang) -> &'static str {
    match (line, lang) {
        (Line::AskOrderNumber, Lang::En) => {
            "I can check that for you. Could you tell me your order number? It starts with HL and is in your confirmation email."
        }
        (Line::AskOrderNumber, Lang::Zh) => {
            "我来帮您查询。请问您的订单号是多少？订单号以HL开头，可以在确认邮件里找到。"
        }
        (Line::AskOrderNumberAgain, Lang::En) => {
            "Sorry, I couldn't find an order number in that. It looks like HL followed by 8 digits, for example HL20481234."
        }
        (Line::AskOrderNumberAgain, Lang::Zh) => {
            "抱歉，没有识别到订单号。订单号是HL加8位数字，例如HL20481234。"
        }
        (Line::NotSure, Lang::En) => {
            "I'm not sure I have the right answer to that. Would you like me to connect you with a colleague?"
        }
        (Line::NotSure, Lang::Zh) => "这个问题我不太确定。需要我为您转接人工客服吗？",
        (Line::HumanRequested, Lang::En) => {
            "Of course. I'm connecting you with a colleague now, please hold on a moment."
        }
        (Line::HumanRequested, Lang::Zh) => "好的，正在为您转接人工客服，请稍等。",
        (Line::RepeatedAnger, Lang::En) => {
            "I'm really sorry for the trouble. Let me bring in a colleague who can sort this out with you personally."
        }
        (Line::RepeatedAnger, Lang::Zh) => "非常抱歉给您带来困扰。我请同事来亲自为您处理。",
        (Line::Sorry, Lang::En) => "I'm sorry about that.",
        (Line::Sorry, Lang::Zh) => "非常抱歉给您带来不便。",
        (Line::Urgent, Lang::En) => "I understand it's urgent, so here is the quickest way.",
        (Line::Urgent, Lang::Zh) => "明白您很着急，我马上告诉您最快的办法。",
        (Line::Empty, Lang::En) => "Sorry, I didn't catch that. Could you say it again?",
        (Line::Empty, Lang::Zh) => "抱歉，我没有听清，请再说一遍。",
        (Line::DidYouMean, Lang::En) => "I'm not quite sure I understood. Did you mean:",
        (Line::DidYouMean, Lang::Zh) => "我不太确定是否理解了您的问题。您是想问：",
        (Line::DidYouMeanEnd, Lang::En) => "If not, I can connect you with a colleague.",
        (Line::DidYouMeanEnd, Lang::Zh) => "如果不是，我可以为您转接人工客服。",
        (Line::CutOffBridge, Lang::En) => {
            "Sorry, I was cut off there. Here is the rest from our help pages."
        }
        (Line::CutOffBridge, Lang::Zh) => "抱歉，刚才的回答中断了。下面是帮助中心的说明。",
        (Line::CutOffHandoff, Lang::En) => {
            "Sorry, I was cut off there. Would you like me to connect you with a colleague to finish this?"
        }
        (Line::CutOffHandoff, Lang::Zh) => {
            "抱歉，刚才的回答中断了。需要我为您转接人工客服继续处理吗？"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_messages_are_small_talk() {
        assert_eq!(detect("Hello!", Lang::En), Some(SmallTalk::Greeting));
        assert_eq!(
            detect("Thank you very much.", Lang::En),
            Some(SmallTalk::Thanks)
        );
        assert_eq!(detect("hi, where is my order?", Lang::En), None);
        assert_eq!(detect("谢谢！", Lang::Zh), Some(SmallTalk::Thanks));
        assert_eq!(detect("再见", Lang::Zh), Some(SmallTalk::Goodbye));
        assert_eq!(detect("你好，我的订单到哪了", Lang::Zh), None);
    }
}
