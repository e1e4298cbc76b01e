//! Outbound HTTP for the stages that call servers: the LLM client (`dialog::llm`) and the
//! OpenAI-compatible speech backend (`speech::openai`). A small blocking HTTP/1.1 client
//! over `std::net`, with TLS through rustls; no async runtime, so the callers' worker
//! threads can use it directly.

pub mod http;
pub mod tls;
