//! The LLM path: an OpenAI-compatible `/v1/chat/completions` client with SSE streaming,
//! and the prompt that turns KB passages into context (RAG).
//!
//! The HTTP client is a small HTTP/1.1 implementation over `std::net` (plain `http://`):
//! enough for local model servers (llama.cpp, vLLM, Ollama's OpenAI endpoint) without
//! compiling a TLS stack. A hosted `https://` API needs a local TLS-terminating proxy.

mod client;
mod http;
mod prompt;
mod sse;

pub use client::{ChatMessage, LlmClient, LlmError};
pub use prompt::build_messages;
