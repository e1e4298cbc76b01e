//! Dialog: customer text in, answer sentences out, one at a time.
//!
//! ```text
//! user text ─▶ lang + mood ─▶ small talk / follow-up ─▶ hybrid retrieval (e5 + BM25) ─▶ KB answer
//!                                                                  └─▶ LLM (RAG, SSE) ─▶ sentences
//! ```
//! Everything here is text: `dialog/` knows nothing about audio, frames or rendering.
//! Retrieval, conversation state, mood and sentence splitting are pure; the edges are
//! the embedding model (`embed`), the LLM HTTP client (`llm`), and the SQLite transcript
//! store (`transcript`). The knowledge-base format is documented in docs/knowledge-base.md.

mod bm25;
pub mod config;
pub mod conversation;
pub mod embed;
mod embed_cache;
pub mod emotion;
pub mod engine;
mod error;
pub mod kb;
pub mod lang;
pub mod llm;
pub mod pii;
pub mod repl;
pub mod retrieve;
pub mod sentences;
mod smalltalk;
mod stream;
pub mod text;
pub mod transcript;

pub use config::DialogConfig;
pub use conversation::Session;
pub use embed_cache::default_cache_dir;
pub use emotion::{Emotion, Mood, Sentiment};
pub use engine::{DialogEngine, DialogEvent, Reply};
pub use error::DialogError;
pub use kb::{KbEntry, KnowledgeBase, Passage};
pub use retrieve::{Hit, Retriever};
