//! The LLM answer as a stream of sentences, produced on a worker thread so the caller (and
//! the avatar's rendering) never waits on the model, with the knowledge-base answer as the
//! safety net.
//!
//! Failure policy (docs/knowledge-base.md, "When the LLM fails"):
//! - nothing spoken yet (connect error, HTTP error, timeout, garbage, empty answer): the
//!   KB answer is spoken instead, exactly as without an LLM;
//! - cut off after some sentences (stream error, malformed chunk, gap longer than the
//!   timeout): the half-finished sentence is dropped, a short bridge line is said, then the
//!   KB answer's sentences that were not already said, so the customer still gets the
//!   whole answer and hears nothing twice;
//! - cut off with nothing left to add from the KB: if the KB had no answer, an apology and
//!   a handoff offer (with a `Handoff` event); if everything was already said, the answer
//!   simply ends.

use std::sync::mpsc;

use super::emotion::Emotion;
use super::engine::DialogEvent;
use super::lang;
use super::llm::{self, LlmClient};
use super::sentences::{SentenceSplitter, strip_emotion_tags};
use super::smalltalk::{self, Line};
use super::text::lexical_terms;
use crate::speech::Lang;

/// What the knowledge base would say, kept for when the LLM fails.
pub(super) struct Fallback {
    /// Everything the KB path would have said (tone lines + answer): used when the LLM said
    /// nothing.
    pub whole: Vec<DialogEvent>,
    /// The KB answer's own sentences: used to complete an answer the LLM started.
    pub answer: Vec<DialogEvent>,
}

/// Streams the LLM answer on a worker thread; sentences go out as they complete.
pub(super) fn spawn_llm(
    client: LlmClient,
    messages: Vec<llm::ChatMessage>,
    fallback: Fallback,
    lang: Lang,
    tone: Emotion,
) -> mpsc::Receiver<DialogEvent> {
    let (tx, rx) = mpsc::channel();
    let worker = move || {
        // A closed receiver means the customer moved on; there is nothing to do about it.
        let send = |event: DialogEvent| drop(tx.send(event));
        let mut splitter = SentenceSplitter::new();
        let mut spoken: Vec<String> = Vec::new();
        let emit = |raw: &str, spoken: &mut Vec<String>| {
            let (text, emotion) = strip_emotion_tags(raw);
            if !text.is_empty() {
                spoken.push(text.clone());
                send(DialogEvent::Sentence {
                    lang: lang::detect_or(&text, lang),
                    text,
                    emotion: emotion.or(Some(tone)),
                });
            }
        };
        let result = client.stream(&messages, |delta| {
            for s in splitter.push(delta) {
                emit(&s, &mut spoken);
            }
        });
        match result {
            Ok(()) => {
                if let Some(rest) = splitter.finish() {
                    emit(&rest, &mut spoken);
                }
                if spoken.is_empty() {
                    tracing::warn!("LLM returned an empty answer; using the knowledge-base answer");
                    fallback.whole.into_iter().for_each(send);
                }
            }
            Err(err) if spoken.is_empty() => {
                tracing::warn!("LLM failed, using the knowledge-base answer: {err}");
                fallback.whole.into_iter().for_each(send);
            }
            Err(err) => {
                let rest = completion(&spoken, fallback.answer, lang);
                tracing::warn!(
                    "LLM failed after {} sentence(s); completing with {} event(s) from the knowledge base: {err}",
                    spoken.len(),
                    rest.len()
                );
                rest.into_iter().for_each(send);
            }
        }
        send(DialogEvent::End);
    };
    if let Err(err) = std::thread::Builder::new()
        .name("dialog-llm".into())
        .spawn(worker)
    {
        tracing::warn!("cannot start the LLM worker ({err}); the answer will be empty");
    }
    rx
}

/// What to say after the LLM was cut off having said `spoken`: a bridge line and the KB
/// answer's sentences not said yet; an apology and handoff offer when the KB has no
/// answer; nothing when the KB answer was said in full.
pub(super) fn completion(
    spoken: &[String],
    kb_answer: Vec<DialogEvent>,
    lang: Lang,
) -> Vec<DialogEvent> {
    let mut out = Vec::new();
    if kb_answer.is_empty() {
        push_line(&mut out, Line::CutOffHandoff, lang);
        out.push(DialogEvent::Handoff {
            reason: "LLM answer cut off and the knowledge base has no answer".into(),
        });
        return out;
    }
    let rest: Vec<DialogEvent> = kb_answer
        .into_iter()
        .filter(|e| match e {
            DialogEvent::Sentence { text, .. } => !already_said(text, spoken),
            _ => true,
        })
        .collect();
    if rest
        .iter()
        .any(|e| matches!(e, DialogEvent::Sentence { .. }))
    {
        push_line(&mut out, Line::CutOffBridge, lang);
        out.extend(rest);
    }
    out
}

fn push_line(out: &mut Vec<DialogEvent>, line: Line, lang: Lang) {
    for text in super::sentences::split_all(smalltalk::line(line, lang)) {
        out.push(DialogEvent::Sentence {
            text,
            lang,
            emotion: Some(Emotion::Calm),
        });
    }
}

/// True when `sentence` (from the KB) was already said: the same text, or one spoken
/// sentence holding at least 80 % of its terms (the LLM quoted it with small changes).
fn already_said(sentence: &str, spoken: &[String]) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .flat_map(char::to_lowercase)
            .filter(|c| c.is_alphanumeric())
            .collect()
    };
    let target = norm(sentence);
    let terms = lexical_terms(sentence);
    spoken.iter().any(|s| {
        if norm(s) == target {
            return true;
        }
        if terms.is_empty() {
            return false;
        }
        let said = lexical_terms(s);
        let found = terms.iter().filter(|t| said.contains(t)).count();
        found * 5 >= terms.len() * 4
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(text: &str, lang: Lang) -> DialogEvent {
        DialogEvent::Sentence {
            text: text.into(),
            lang,
            emotion: Some(Emotion::Neutral),
        }
    }

    fn texts(events: &[DialogEvent]) -> Vec<&str> {
        events
            .iter()
            .filter_map(|e| match e {
                DialogEvent::Sentence { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn completion_skips_what_was_said_and_bridges_to_the_rest() {
        let kb = vec![
            sentence("Returns are free within 30 days.", Lang::En),
            sentence("Bring the receipt to any store.", Lang::En),
        ];
        let spoken = [
            "Sure!".to_string(),
            "Returns are free within 30 days!".to_string(),
        ];
        let out = completion(&spoken, kb.clone(), Lang::En);
        let t = texts(&out);
        assert_eq!(t.last(), Some(&"Bring the receipt to any store."));
        assert!(!t.contains(&"Returns are free within 30 days."), "{t:?}");
        assert!(t.len() >= 2, "a bridge line comes first: {t:?}");

        let all_said = [
            "Returns are free within 30 days.".into(),
            "Just bring the receipt to any store.".into(),
        ];
        assert!(completion(&all_said, kb, Lang::En).is_empty());
    }

    #[test]
    fn completion_without_a_kb_answer_offers_a_colleague() {
        let out = completion(&["您好！".to_string()], Vec::new(), Lang::Zh);
        assert!(matches!(out.last(), Some(DialogEvent::Handoff { .. })));
        assert!(texts(&out).iter().any(|t| t.contains("人工")), "{out:?}");
    }

    #[test]
    fn chinese_sentences_are_matched_by_character_terms() {
        let spoken = ["门店营业时间为周一至周五9:00至21:00。".to_string()];
        assert!(!already_said("机场广场店每天6:00至23:00营业。", &spoken));
        assert!(already_said(
            "门店营业时间是周一至周五9:00至21:00。",
            &spoken
        ));
    }
}
