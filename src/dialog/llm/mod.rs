//! The LLM path: an OpenAI-compatible `/v1/chat/completions` client with SSE streaming,
//! and the prompt that turns KB passages into context (RAG).
//!
//! The HTTP client (`crate::net`) is a small HTTP/1.1 implementation over `std::net`: plain `http://` for
//! local model servers (llama.cpp, vLLM, Ollama's OpenAI endpoint) and `https://` through
//! rustls for hosted APIs, trusting the system CA store plus `[llm] ca_file`.

mod client;
mod prompt;
mod sse;

pub use client::{ChatMessage, LlmClient, LlmError};
pub use prompt::build_messages;
