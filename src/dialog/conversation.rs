//! Per-session conversation state: recent turns, the session's language, a pending
//! follow-up question, and how often the customer has been angry. Pure data, no I/O.

use std::collections::VecDeque;

use crate::speech::Lang;

/// Who said a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    User,
    Assistant,
}

impl Role {
    /// The OpenAI chat role name; also stored in transcripts.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

/// One message of the conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    pub role: Role,
    pub text: String,
    pub lang: Lang,
}

/// The assistant asked for a detail and waits for it before answering `entry`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingSlot {
    /// Index into `KnowledgeBase::entries` of the answer to give once the detail is known.
    pub entry: usize,
    /// How many times the assistant has asked.
    pub asked: u32,
}

/// A conversation with one customer.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    history: VecDeque<Turn>,
    max_turns: usize,
    /// The language of the last message with letters; answers and the voice follow it.
    pub lang: Lang,
    pub pending: Option<PendingSlot>,
    /// The assistant was unsure and asked "Did you mean …?" about this KB entry; a yes
    /// answers it.
    pub suggested: Option<usize>,
    pub angry_messages: u32,
}

impl Session {
    /// A new session that keeps the last `max_turns` turns (user and assistant each count).
    pub fn new(id: impl Into<String>, max_turns: usize) -> Self {
        Session {
            id: id.into(),
            history: VecDeque::new(),
            max_turns: max_turns.max(1),
            lang: Lang::En,
            pending: None,
            suggested: None,
            angry_messages: 0,
        }
    }

    /// Adds a turn, forgetting the oldest beyond the limit.
    pub fn push(&mut self, role: Role, text: impl Into<String>, lang: Lang) {
        self.history.push_back(Turn {
            role,
            text: text.into(),
            lang,
        });
        while self.history.len() > self.max_turns {
            self.history.pop_front();
        }
    }

    /// The remembered turns, oldest first.
    pub fn history(&self) -> impl ExactSizeIterator<Item = &Turn> {
        self.history.iter()
    }
}

/// Finds an order number in a message: `HL` + 6–12 digits (any case, optional space or
/// dash) anywhere, else a bare run of 8–12 digits that is not a mobile number. Returns it
/// normalised as `HL` + digits.
pub fn find_order_number(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let digits_from = |start: usize| {
        chars[start..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let alnum_at = |i: usize| chars.get(i).is_some_and(|c| c.is_ascii_alphanumeric());
    let starts = || (0..chars.len()).filter(|&i| i == 0 || !chars[i - 1].is_ascii_alphanumeric());
    // Prefixed numbers win over bare digit runs: "my phone is 138…, order HL2048…".
    for i in starts() {
        if i + 1 < chars.len()
            && chars[i].eq_ignore_ascii_case(&'h')
            && chars[i + 1].eq_ignore_ascii_case(&'l')
        {
            let mut j = i + 2;
            if j < chars.len() && (chars[j] == ' ' || chars[j] == '-') {
                j += 1;
            }
            let n = digits_from(j);
            if (6..=12).contains(&n) && !alnum_at(j + n) {
                return Some(format!("HL{}", chars[j..j + n].iter().collect::<String>()));
            }
        }
    }
    for i in starts() {
        let n = digits_from(i);
        // 11 digits starting 13–19 is a Chinese mobile number, not an order.
        let mobile =
            n == 11 && chars[i] == '1' && chars.get(i + 1).is_some_and(|c| ('3'..='9').contains(c));
        if (8..=12).contains(&n) && !alnum_at(i + n) && !mobile {
            return Some(format!("HL{}", chars[i..i + n].iter().collect::<String>()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_order_numbers_in_both_languages() {
        assert_eq!(
            find_order_number("it's HL20481234, thanks").as_deref(),
            Some("HL20481234")
        );
        assert_eq!(
            find_order_number("订单号是hl-20481234").as_deref(),
            Some("HL20481234")
        );
        assert_eq!(
            find_order_number("我的订单20481234到哪了").as_deref(),
            Some("HL20481234")
        );
        assert_eq!(find_order_number("call 400-820-1234"), None);
        assert_eq!(find_order_number("where is my order?"), None);
        assert_eq!(find_order_number("XHL20481234"), None);
        assert_eq!(
            find_order_number("phone 13812345678, order HL20481234").as_deref(),
            Some("HL20481234")
        );
        assert_eq!(find_order_number("my phone is 13812345678"), None);
    }

    #[test]
    fn history_keeps_the_last_turns() {
        let mut s = Session::new("s", 2);
        for t in ["a", "b", "c"] {
            s.push(Role::User, t, Lang::En);
        }
        assert_eq!(
            s.history().map(|t| t.text.as_str()).collect::<Vec<_>>(),
            ["b", "c"]
        );
    }
}
