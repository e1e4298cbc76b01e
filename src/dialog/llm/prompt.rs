//! The prompt: a polite store assistant, KB passages as the only source of facts (RAG),
//! the recent conversation, and a hint about the customer's mood.

use super::ChatMessage;
use crate::dialog::conversation::{Role, Turn};
use crate::dialog::emotion::{Mood, Sentiment};
use crate::speech::Lang;

const SYSTEM_EN: &str = "You are the friendly, polite customer-service assistant of Harbor Lane, a home and living \
retail chain, speaking through an animated avatar. Answer only from the knowledge-base passages below; if they do \
not contain the answer, say you are not sure and offer to connect the customer with a colleague. Keep answers \
short: two to four short spoken sentences, no lists, no markdown. Start every sentence with one emotion tag from \
[smile] [neutral] [concerned] [apologetic] [calm] [happy] [thinking], e.g. \"[smile] Happy to help.\" \
Always answer in the customer's language.";

/// Builds the chat messages for one answer. `history` ends with the customer's message.
pub fn build_messages(
    history: &[&Turn],
    passages: &[String],
    lang: Lang,
    mood: &Mood,
) -> Vec<ChatMessage> {
    let mut system = SYSTEM_EN.to_string();
    system.push_str(match lang {
        Lang::En => "\nThe customer writes in English: answer in English.",
        Lang::Zh => "\nThe customer writes in Chinese: answer in Simplified Chinese (简体中文).",
    });
    if mood.angry || mood.sentiment == Sentiment::Negative {
        system.push_str(
            "\nThe customer is upset: apologise briefly first and stay calm and concrete.",
        );
    }
    if mood.urgent {
        system.push_str("\nThe customer is in a hurry: give the quickest option first.");
    }
    system.push_str("\n\nKnowledge base:\n");
    for (i, p) in passages.iter().enumerate() {
        system.push_str(&format!("[{}] {}\n", i + 1, p));
    }
    let mut messages = vec![ChatMessage {
        role: "system",
        content: system,
    }];
    messages.extend(history.iter().map(|t| ChatMessage {
        role: match t.role {
            Role::User => "user",
            Role::Assistant => "assistant",
        },
        content: t.text.clone(),
    }));
    messages
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialog::emotion::classify;

    #[test]
    fn prompt_carries_context_history_and_mood() {
        let turns = [
            Turn {
                role: Role::User,
                text: "hi".into(),
                lang: Lang::En,
            },
            Turn {
                role: Role::Assistant,
                text: "Hello!".into(),
                lang: Lang::En,
            },
            Turn {
                role: Role::User,
                text: "this is ridiculous, where is my refund".into(),
                lang: Lang::En,
            },
        ];
        let refs: Vec<&Turn> = turns.iter().collect();
        let m = build_messages(
            &refs,
            &["Q: refund? A: 3 to 7 days.".into()],
            Lang::En,
            &classify(&turns[2].text, Lang::En),
        );
        assert_eq!(
            m.iter().map(|m| m.role).collect::<Vec<_>>(),
            ["system", "user", "assistant", "user"]
        );
        assert!(m[0].content.contains("[1] Q: refund? A: 3 to 7 days."));
        assert!(m[0].content.contains("apologise"));
    }
}
