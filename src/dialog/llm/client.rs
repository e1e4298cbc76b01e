//! OpenAI-compatible chat completions with `stream: true`: deltas are handed to a callback
//! as they arrive. Any failure (connect, timeout, HTTP status, malformed chunk, a stream
//! that ends without `[DONE]`) is an `LlmError`, and the caller falls back to the KB.

use std::io::Read as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::sse;
use crate::dialog::config::LlmConfig;
use crate::net::{http, tls};

/// Why an LLM answer failed.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("LLM base_url must start with http:// or https://: {url}")]
    UnsupportedUrl { url: String },
    #[error("cannot set up TLS for the LLM endpoint: {reason}")]
    TlsSetup { reason: String },
    #[error(
        "TLS with the LLM server failed ({reason}); for a private CA set [llm] ca_file to its PEM certificate: {url}"
    )]
    Tls { reason: String, url: String },
    #[error("LLM request failed ({source}); is the server running? {url}")]
    Io { source: std::io::Error, url: String },
    #[error(
        "LLM did not answer within {secs:.1} s; raise [llm] timeout or check the server: {url}"
    )]
    Timeout { secs: f64, url: String },
    #[error("LLM server answered HTTP {status}: {body}; check model name and API key: {url}")]
    Status {
        status: u16,
        body: String,
        url: String,
    },
    #[error("LLM stream has a malformed chunk ({reason}): {chunk:?}")]
    Malformed { reason: String, chunk: String },
    #[error("LLM stream ended before [DONE] after {chars} characters: {url}")]
    Truncated { chars: usize, url: String },
}

/// One chat message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChatMessage {
    pub role: &'static str,
    pub content: String,
}

#[derive(Serialize)]
struct Request<'a> {
    model: &'a str,
    messages: &'a [ChatMessage],
    stream: bool,
    temperature: f32,
}

/// A client for one configured endpoint. Cheap to clone; holds no connection.
#[derive(Debug, Clone)]
pub struct LlmClient {
    config: LlmConfig,
    url: String,
    api_key: Option<String>,
    /// For `https://` endpoints: the TLS configuration, or why it could not be built
    /// (reported on each request, which then falls back to the KB).
    tls: Option<Result<Arc<rustls::ClientConfig>, String>>,
}

impl LlmClient {
    /// Builds the client; the API key is read from `api_key_env` now (absent is allowed:
    /// local servers usually need none).
    pub fn new(config: LlmConfig) -> Self {
        let base = config.base_url.trim_end_matches('/');
        let url = if base.ends_with("/chat/completions") {
            base.to_string()
        } else if base.ends_with("/v1") {
            format!("{base}/chat/completions")
        } else {
            format!("{base}/v1/chat/completions")
        };
        let api_key = config
            .api_key_env
            .as_deref()
            .and_then(|name| std::env::var(name).ok())
            .filter(|k| !k.is_empty());
        let tls = url.starts_with("https://").then(|| {
            tls::client_config(config.ca_file.as_deref()).map_err(|err| {
                tracing::warn!("LLM answers are off until this is fixed: {err}");
                err.to_string()
            })
        });
        LlmClient {
            config,
            url,
            api_key,
            tls,
        }
    }

    /// The full completions URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Streams a completion, calling `on_delta` with each piece of content as it arrives.
    /// `timeout` bounds connecting, the first byte and every gap; the whole answer may take
    /// at most 6× that.
    pub fn stream(
        &self,
        messages: &[ChatMessage],
        mut on_delta: impl FnMut(&str),
    ) -> Result<(), LlmError> {
        let timeout = Duration::from_secs_f64(self.config.timeout.clamp(0.05, 600.0));
        let deadline = Instant::now() + timeout * 6;
        let url = http::parse_url(&self.url).ok_or_else(|| LlmError::UnsupportedUrl {
            url: self.url.clone(),
        })?;
        let tls = match &self.tls {
            None => None,
            Some(Ok(config)) => Some(config),
            Some(Err(reason)) => {
                return Err(LlmError::TlsSetup {
                    reason: reason.clone(),
                });
            }
        };
        let body = serde_json::to_vec(&Request {
            model: &self.config.model,
            messages,
            stream: true,
            temperature: 0.3,
        })
        .map_err(|e| LlmError::Malformed {
            reason: e.to_string(),
            chunk: String::new(),
        })?;
        let auth = self.api_key.as_ref().map(|k| format!("Bearer {k}"));
        let mut headers: Vec<(&str, &str)> = vec![("Accept", "text/event-stream")];
        headers.extend(auth.as_deref().map(|a| ("Authorization", a)));
        let io_err = |source: std::io::Error| {
            if let Some(cause) = tls::tls_cause(&source) {
                return LlmError::Tls {
                    reason: cause.to_string(),
                    url: self.url.clone(),
                };
            }
            if matches!(
                source.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) {
                LlmError::Timeout {
                    secs: timeout.as_secs_f64(),
                    url: self.url.clone(),
                }
            } else {
                LlmError::Io {
                    source,
                    url: self.url.clone(),
                }
            }
        };
        let mut response = http::post_json(&url, tls, &headers, &body, timeout).map_err(io_err)?;
        if response.status != 200 {
            let mut text = String::new();
            // The error body is only for the message; a failure to read it changes nothing.
            let _ = std::io::Read::take(&mut response.body, 2048).read_to_string(&mut text);
            return Err(LlmError::Status {
                status: response.status,
                body: text.trim().to_string(),
                url: self.url.clone(),
            });
        }
        let mut chars = 0;
        loop {
            if Instant::now() > deadline {
                return Err(LlmError::Timeout {
                    secs: (timeout * 6).as_secs_f64(),
                    url: self.url.clone(),
                });
            }
            let Some(data) = sse::next_event(&mut response.body).map_err(io_err)? else {
                return Err(LlmError::Truncated {
                    chars,
                    url: self.url.clone(),
                });
            };
            if data.trim() == "[DONE]" {
                return Ok(());
            }
            let delta = parse_delta(&data)?;
            if let Some(text) = delta {
                chars += text.chars().count();
                on_delta(&text);
            }
        }
    }
}

/// Extracts `choices[0].delta.content` (None for role-only or empty deltas).
fn parse_delta(data: &str) -> Result<Option<String>, LlmError> {
    let malformed = |reason: &str| LlmError::Malformed {
        reason: reason.to_string(),
        chunk: data.chars().take(200).collect(),
    };
    let value: serde_json::Value =
        serde_json::from_str(data).map_err(|e| malformed(&e.to_string()))?;
    if let Some(err) = value.get("error") {
        return Err(malformed(&format!("server error {err}")));
    }
    let choice = value
        .get("choices")
        .and_then(|c| c.get(0))
        .ok_or_else(|| malformed("no choices[0]"))?;
    let content = choice
        .get("delta")
        .and_then(|d| d.get("content"))
        .and_then(|c| c.as_str());
    Ok(content.filter(|c| !c.is_empty()).map(str::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_deltas_and_rejects_garbage() {
        assert_eq!(
            parse_delta(r#"{"choices":[{"delta":{"content":"Hi"}}]}"#).expect("valid"),
            Some("Hi".into())
        );
        assert_eq!(
            parse_delta(r#"{"choices":[{"delta":{"role":"assistant"}}]}"#).expect("valid"),
            None
        );
        assert!(parse_delta("<html>oops</html>").is_err());
        assert!(parse_delta(r#"{"error":{"message":"overloaded"}}"#).is_err());
    }

    #[test]
    fn builds_the_completions_url() {
        let c = |base: &str| {
            LlmClient::new(LlmConfig {
                base_url: base.into(),
                model: "m".into(),
                api_key_env: None,
                timeout: 1.0,
                ca_file: None,
            })
            .url()
            .to_string()
        };
        assert_eq!(c("http://h:1/v1"), "http://h:1/v1/chat/completions");
        assert_eq!(c("http://h:1/"), "http://h:1/v1/chat/completions");
        assert_eq!(
            c("http://h:1/v1/chat/completions"),
            "http://h:1/v1/chat/completions"
        );
    }
}
