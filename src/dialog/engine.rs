//! The dialog engine: one customer message in, a stream of answer events out.
//!
//! The KB path is synchronous and takes milliseconds; its events are ready when `respond`
//! returns. The LLM path runs the HTTP stream on a worker thread and hands sentences over
//! a channel as they complete, so the caller (and the avatar's rendering) never waits on
//! the model; on any LLM failure the KB answer is spoken instead.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use super::config::{DialogConfig, DialogSettings};
use super::conversation::{PendingSlot, Role, Session, find_order_number};
use super::embed::{self, E5Embedder};
use super::emotion::{self, Emotion, Mood};
use super::kb::KnowledgeBase;
use super::llm::{self, LlmClient};
use super::retrieve::{DocRef, Hit, Retriever};
use super::sentences::split_all;
use super::smalltalk::{self, Line, SmallTalk};
use super::stream::{Fallback, spawn_llm};
use super::transcript::TranscriptStore;
use super::{DialogError, embed_cache};
use super::{lang, pii};
use crate::speech::Lang;

const ORDER_SLOT: &str = "{order_number}";
/// Angry messages in one session after which a colleague takes over.
const ANGER_HANDOFF: u32 = 2;
/// How many KB items go into the LLM prompt.
const CONTEXT_ITEMS: usize = 3;

/// What the engine produces, in order; every reply ends with `End`.
#[derive(Debug, Clone, PartialEq)]
pub enum DialogEvent {
    /// A sentence to speak, in `lang`, with an expression for the avatar.
    Sentence {
        text: String,
        lang: Lang,
        emotion: Option<Emotion>,
    },
    /// A human colleague should take over (low confidence, request, repeated anger).
    Handoff {
        reason: String,
    },
    End,
}

/// KB + retriever + optional LLM client + optional transcript store.
pub struct DialogEngine {
    retriever: Retriever,
    llm: Option<LlmClient>,
    transcripts: Option<TranscriptStore>,
    settings: DialogSettings,
}

impl DialogEngine {
    /// An engine over a ready retriever, with the config's LLM (if any) and thresholds.
    /// Transcripts are added with [`DialogEngine::with_transcripts`].
    pub fn new(retriever: Retriever, config: &DialogConfig) -> Self {
        DialogEngine {
            retriever,
            llm: config.llm.clone().map(LlmClient::new),
            transcripts: None,
            settings: config.dialog.clone(),
        }
    }

    /// Loads everything a config names: the KB (`kb_override`, else `[dialog] kb`, else the
    /// embedded default), the embedding model (falling back to BM25 alone with a warning
    /// when it is missing), the transcript database and the LLM client.
    pub fn from_config(
        config: &DialogConfig,
        kb_override: Option<&Path>,
    ) -> Result<Self, DialogError> {
        let kb = match kb_override.or(config.dialog.kb.as_deref()) {
            Some(path) => KnowledgeBase::load(path)?,
            None => KnowledgeBase::default_kb()?,
        };
        let kb = Arc::new(kb);
        let retriever = match E5Embedder::load(&embed::default_model_path()) {
            Ok(embedder) => {
                Retriever::hybrid(kb, Arc::new(embedder), &embed_cache::default_cache_dir())?
            }
            Err(err) => {
                tracing::warn!("dialog retrieval is keyword-only (BM25): {err}");
                Retriever::lexical(kb)
            }
        };
        let mut engine = Self::new(retriever, config);
        if let Some(path) = &config.dialog.transcripts {
            engine = engine.with_transcripts(TranscriptStore::open(path)?);
        }
        Ok(engine)
    }

    /// Stores every message of every session (masked) in `store`.
    pub fn with_transcripts(mut self, store: TranscriptStore) -> Self {
        self.transcripts = Some(store);
        self
    }

    /// Waits until every transcript message so far is stored (they are written behind the
    /// conversation; dropping the engine also flushes them).
    pub fn flush_transcripts(&self) -> Result<(), DialogError> {
        self.transcripts
            .as_ref()
            .map_or(Ok(()), TranscriptStore::flush)
    }

    /// The retriever (for inspection and benchmarks).
    pub fn retriever(&self) -> &Retriever {
        &self.retriever
    }

    /// A new conversation remembering the configured number of turns.
    pub fn new_session(&self, id: impl Into<String>) -> Session {
        Session::new(id, self.settings.history_turns)
    }

    /// Answers one customer message. Returns at once; iterate the reply to get the events
    /// (blocking on the LLM path) or poll it with [`Reply::next_within`].
    pub fn respond<'a>(&'a self, session: &'a mut Session, user_text: &str) -> Reply<'a> {
        let lang = lang::detect_or(user_text, session.lang);
        session.lang = lang;
        session.push(Role::User, user_text, lang);
        self.record(&session.id, Role::User, lang, user_text);
        let mood = emotion::classify(user_text, lang);
        if mood.angry {
            session.angry_messages += 1;
        }
        let source = match self.plan(session, user_text, lang, &mood) {
            Plan::Ready(events) => Source::Ready(events.into()),
            Plan::Llm { messages, fallback } => match &self.llm {
                Some(client) => Source::Streaming(spawn_llm(
                    client.clone(),
                    messages,
                    fallback,
                    lang,
                    mood.answer_emotion(),
                )),
                None => Source::Ready(fallback.whole.into()),
            },
        };
        Reply {
            engine: self,
            session,
            source,
            spoken: Vec::new(),
            lang,
            finished: false,
        }
    }

    /// Decides the answer. Pure apart from the query embedding.
    fn plan(&self, session: &mut Session, text: &str, lang: Lang, mood: &Mood) -> Plan {
        let mut out = Vec::new();
        let tone = mood.answer_emotion();
        if text.trim().is_empty() {
            push_line(&mut out, Line::Empty, lang, Emotion::Neutral);
            return Plan::Ready(out);
        }
        if mood.wants_human {
            session.pending = None;
            push_line(&mut out, Line::HumanRequested, lang, Emotion::Calm);
            out.push(DialogEvent::Handoff {
                reason: "customer asked for a person".into(),
            });
            return Plan::Ready(out);
        }
        if session.angry_messages >= ANGER_HANDOFF {
            session.pending = None;
            push_line(&mut out, Line::RepeatedAnger, lang, Emotion::Apologetic);
            out.push(DialogEvent::Handoff {
                reason: format!("customer angry in {} messages", session.angry_messages),
            });
            return Plan::Ready(out);
        }
        if let Some(kind) = smalltalk::detect(text, lang) {
            let emotion = if kind == SmallTalk::WhoAreYou {
                Emotion::Neutral
            } else {
                Emotion::Smile
            };
            push_text(&mut out, smalltalk::reply(kind, lang), lang, emotion);
            if kind == SmallTalk::Goodbye {
                session.pending = None;
            }
            return Plan::Ready(out);
        }
        // The assistant asked "Did you mean …?" last time: yes answers that entry, no hands
        // over, anything else is a new question.
        let confirmed = match session.suggested.take() {
            Some(entry) => match smalltalk::confirmation(text) {
                Some(true) => Some(entry),
                Some(false) => {
                    push_line(&mut out, Line::NotSure, lang, Emotion::Concerned);
                    out.push(DialogEvent::Handoff {
                        reason: "the suggested question was not what the customer meant".into(),
                    });
                    return Plan::Ready(out);
                }
                None => None,
            },
            None => None,
        };
        let hits = match confirmed {
            Some(entry) => vec![Hit {
                doc: DocRef::Entry(entry),
                score: 1.0,
                dense: None,
                lexical: 1.0,
                coverage: 1.0,
            }],
            None => {
                match self
                    .retriever
                    .search(&pii::strip_for_search(text), Some(lang), CONTEXT_ITEMS)
                {
                    Ok(h) => h,
                    Err(err) => {
                        tracing::warn!("retrieval failed, answering as not sure: {err}");
                        Vec::new()
                    }
                }
            }
        };
        let best = hits.first().filter(|h| {
            confirmed.is_some() || self.confident(h, lang) || self.slot_confirms(h, text, lang)
        });

        // A follow-up: the assistant asked for an order number last time.
        if let Some(pending) = session.pending {
            if let Some(order) = find_order_number(text) {
                session.pending = None;
                let answer = self.retriever.kb().entries[pending.entry]
                    .answer
                    .replace(ORDER_SLOT, &order);
                push_text(&mut out, &answer, lang, tone);
                return Plan::Ready(out);
            }
            let new_question = best.is_some_and(|h| h.doc != DocRef::Entry(pending.entry));
            if !new_question && pending.asked < 2 {
                session.pending = Some(PendingSlot {
                    asked: pending.asked + 1,
                    ..pending
                });
                push_line(&mut out, Line::AskOrderNumberAgain, lang, tone);
                return Plan::Ready(out);
            }
            session.pending = None;
        }

        let Some(best) = best else {
            let score = hits.first().map_or(0.0, |h| h.dense.unwrap_or(h.coverage));
            match hits.first().and_then(|h| self.suggestion(h, lang)) {
                Some(entry) => {
                    session.suggested = Some(entry);
                    push_line(&mut out, Line::DidYouMean, lang, Emotion::Thinking);
                    let question = &self.retriever.kb().entries[entry].question;
                    push_text(&mut out, question, lang, Emotion::Thinking);
                    push_line(&mut out, Line::DidYouMeanEnd, lang, Emotion::Calm);
                    out.push(DialogEvent::Handoff {
                        reason: format!("unsure ({score:.2}); suggested {question:?}"),
                    });
                }
                None => {
                    push_line(&mut out, Line::NotSure, lang, Emotion::Concerned);
                    out.push(DialogEvent::Handoff {
                        reason: format!("low confidence ({score:.2})"),
                    });
                }
            }
            return Plan::Ready(out);
        };
        let answer = self.retriever.answer_of(best).to_string();
        // Slots are an FAQ feature; a passage that happens to contain the text is just text.
        if let (true, DocRef::Entry(entry)) = (answer.contains(ORDER_SLOT), best.doc) {
            match find_order_number(text) {
                Some(order) => push_text(&mut out, &answer.replace(ORDER_SLOT, &order), lang, tone),
                None => {
                    session.pending = Some(PendingSlot { entry, asked: 1 });
                    push_line(&mut out, Line::AskOrderNumber, lang, tone);
                }
            }
            return Plan::Ready(out);
        }
        if mood.angry || mood.sentiment == emotion::Sentiment::Negative {
            push_line(&mut out, Line::Sorry, lang, Emotion::Apologetic);
        } else if mood.urgent {
            push_line(&mut out, Line::Urgent, lang, Emotion::Calm);
        }
        let mut answer_events = Vec::new();
        push_text(&mut answer_events, &answer, lang, tone);
        out.extend(answer_events.iter().cloned());
        if self.llm.is_some() {
            let passages: Vec<String> = hits
                .iter()
                .filter(|h| self.confident(h, lang))
                .map(|h| self.context_of(h))
                .collect();
            let history: Vec<_> = session.history().collect();
            let messages = llm::build_messages(&history, &passages, lang, mood);
            return Plan::Llm {
                messages,
                fallback: Fallback {
                    whole: out,
                    answer: answer_events,
                },
            };
        }
        Plan::Ready(out)
    }

    fn confident(&self, hit: &Hit, lang: Lang) -> bool {
        self.settings.confident(hit, lang)
    }

    /// In the suggestion band, a message carrying the very detail an entry asks for (an
    /// order number for the order-tracking entry) confirms that entry, like matching words.
    fn slot_confirms(&self, hit: &Hit, text: &str, lang: Lang) -> bool {
        self.suggestion(hit, lang).is_some_and(|entry| {
            self.retriever.kb().entries[entry]
                .answer
                .contains(ORDER_SLOT)
                && find_order_number(text).is_some()
        })
    }

    /// The FAQ entry to suggest ("Did you mean …?") for a hit below the confidence
    /// threshold but above the suggestion threshold (dense scores only).
    fn suggestion(&self, hit: &Hit, lang: Lang) -> Option<usize> {
        match (hit.doc, hit.dense) {
            (DocRef::Entry(entry), Some(d)) if d >= self.settings.suggest_threshold(lang) => {
                Some(entry)
            }
            _ => None,
        }
    }

    fn context_of(&self, hit: &Hit) -> String {
        let kb = self.retriever.kb();
        match hit.doc {
            DocRef::Entry(i) => {
                format!("Q: {} A: {}", kb.entries[i].question, kb.entries[i].answer)
            }
            DocRef::Passage(i) => format!("{}: {}", kb.passages[i].title, kb.passages[i].text),
        }
    }

    fn record(&self, session_id: &str, role: Role, lang: Lang, text: &str) {
        if let Some(store) = &self.transcripts {
            if let Err(err) = store.record(session_id, role, lang, text) {
                tracing::warn!("{err}");
            }
        }
    }
}

enum Plan {
    Ready(Vec<DialogEvent>),
    Llm {
        messages: Vec<llm::ChatMessage>,
        fallback: Fallback,
    },
}

fn push_text(out: &mut Vec<DialogEvent>, text: &str, lang: Lang, emotion: Emotion) {
    for s in split_all(text) {
        out.push(DialogEvent::Sentence {
            lang: lang::detect_or(&s, lang),
            text: s,
            emotion: Some(emotion),
        });
    }
}

fn push_line(out: &mut Vec<DialogEvent>, line: Line, lang: Lang, emotion: Emotion) {
    push_text(out, smalltalk::line(line, lang), lang, emotion);
}

enum Source {
    Ready(VecDeque<DialogEvent>),
    Streaming(mpsc::Receiver<DialogEvent>),
}

/// What [`Reply::next_within`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum Polled {
    Event(DialogEvent),
    /// Nothing yet (the LLM is still thinking); poll again later.
    Pending,
    /// The reply is over (`End` was already returned).
    Finished,
}

/// The events of one answer. As sentences pass through, they are added to the session's
/// history and, when the reply ends (or is dropped, e.g. the customer interrupts), to the
/// transcript.
pub struct Reply<'a> {
    engine: &'a DialogEngine,
    session: &'a mut Session,
    source: Source,
    spoken: Vec<String>,
    lang: Lang,
    finished: bool,
}

impl Reply<'_> {
    /// Waits at most `wait` for the next event, so a render loop is never blocked.
    pub fn next_within(&mut self, wait: Duration) -> Polled {
        if self.finished {
            return Polled::Finished;
        }
        let event = match &mut self.source {
            Source::Ready(q) => q.pop_front().unwrap_or(DialogEvent::End),
            Source::Streaming(rx) => match rx.recv_timeout(wait) {
                Ok(e) => e,
                Err(mpsc::RecvTimeoutError::Timeout) => return Polled::Pending,
                Err(mpsc::RecvTimeoutError::Disconnected) => DialogEvent::End,
            },
        };
        self.observe(&event);
        Polled::Event(event)
    }

    fn observe(&mut self, event: &DialogEvent) {
        match event {
            DialogEvent::Sentence { text, .. } => self.spoken.push(text.clone()),
            DialogEvent::Handoff { .. } => {}
            DialogEvent::End => self.finish(),
        }
    }

    fn finish(&mut self) {
        if self.finished {
            return;
        }
        self.finished = true;
        if self.spoken.is_empty() {
            return;
        }
        let sep = if self.lang == Lang::Zh { "" } else { " " };
        let text = self.spoken.join(sep);
        self.engine
            .record(&self.session.id, Role::Assistant, self.lang, &text);
        self.session.push(Role::Assistant, text, self.lang);
    }
}

impl Iterator for Reply<'_> {
    type Item = DialogEvent;

    /// Blocks until the next event; `None` after `End`.
    fn next(&mut self) -> Option<DialogEvent> {
        loop {
            match self.next_within(Duration::from_secs(3600)) {
                Polled::Event(e) => return Some(e),
                Polled::Pending => continue,
                Polled::Finished => return None,
            }
        }
    }
}

impl Drop for Reply<'_> {
    fn drop(&mut self) {
        self.finish();
    }
}
