//! One `/v1/audio/speech` exchange: POST the JSON request, then read the
//! audio as it streams in, bounded by the gap and total timeouts.

use std::io::{ErrorKind, Read};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::audio::AudioDecoder;
use super::{OpenAiError, OpenAiSpeech};
use crate::net::{http, tls};

#[derive(Serialize)]
struct Request<'a> {
    model: &'a str,
    input: &'a str,
    voice: &'a str,
    response_format: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    speed: Option<f32>,
}

/// The audio for `text`: mono samples in -1..=1 and their rate.
pub fn fetch(
    speech: &OpenAiSpeech,
    text: &str,
    voice: &str,
) -> Result<(Vec<f32>, u32), OpenAiError> {
    let config = &speech.config;
    let url_text = speech.url.clone();
    let gap = Duration::from_millis(config.timeout_ms);
    let total = Duration::from_millis(config.total_timeout_ms);
    let started = Instant::now();
    let deadline = started + total;
    let url = http::parse_url(&url_text).ok_or_else(|| OpenAiError::Config {
        reason: format!("base_url is not an http:// or https:// URL: {url_text}"),
    })?;
    let tls_config = match &speech.tls {
        None => None,
        Some(Ok(config)) => Some(config),
        Some(Err(reason)) => {
            return Err(OpenAiError::TlsSetup {
                reason: reason.clone(),
            });
        }
    };
    let body = serde_json::to_vec(&Request {
        model: &config.model,
        input: text,
        voice,
        response_format: config.format.as_str(),
        speed: config.speed,
    })
    .map_err(|e| OpenAiError::Config {
        reason: format!("cannot encode the request: {e}"),
    })?;
    let auth = speech.api_key.as_ref().map(|k| format!("Bearer {k}"));
    let mut headers: Vec<(&str, &str)> = vec![("Accept", "audio/*, */*")];
    headers.extend(auth.as_deref().map(|a| ("Authorization", a)));

    let timeout = |millis: Duration, stage: &'static str| OpenAiError::Timeout {
        millis: millis.as_millis() as u64,
        stage,
        url: url_text.clone(),
    };
    let mut response = http::post_json(&url, tls_config, &headers, &body, gap).map_err(|e| {
        if let Some(cause) = tls::tls_cause(&e) {
            OpenAiError::Tls {
                reason: cause.to_string(),
                url: url_text.clone(),
            }
        } else if is_timeout(e.kind()) {
            timeout(gap, "connecting or waiting for the first byte")
        } else {
            OpenAiError::Connect {
                source: e,
                url: url_text.clone(),
            }
        }
    })?;
    if response.status != 200 {
        let mut text = String::new();
        // The error body is only for the message; failing to read it changes nothing.
        let _ = response.set_read_timeout(gap.min(Duration::from_millis(1000)));
        let _ = (&mut response.body).take(4096).read_to_string(&mut text);
        let message = server_message(&text);
        let url = url_text.clone();
        return Err(match response.status {
            401 | 403 => OpenAiError::Unauthorized {
                status: response.status,
                message,
                key_source: match (&config.api_key_env, &speech.api_key) {
                    (None, _) => "none is configured".into(),
                    (Some(name), None) => format!("${name} is unset or empty"),
                    (Some(name), Some(_)) => format!("${name} is set"),
                },
                url,
            },
            404 => OpenAiError::NotFound { message, url },
            status => OpenAiError::Status {
                status,
                message,
                url,
            },
        });
    }
    let not_audio = |reason: String| OpenAiError::NotAudio {
        reason,
        format: config.format.as_str(),
        url: url_text.clone(),
    };
    // An HTML error page or a JSON error with status 200 (some proxies do that), or
    // compressed audio from a server that ignored `response_format`.
    if let Some(kind) = response
        .content_type
        .as_deref()
        .map(str::to_ascii_lowercase)
    {
        if kind.starts_with("text/") || kind.contains("json") {
            let mut text = String::new();
            let _ = (&mut response.body).take(512).read_to_string(&mut text);
            return Err(not_audio(format!(
                "Content-Type {kind}: {}",
                server_message(&text)
            )));
        }
        if ["mpeg", "mp3", "ogg", "opus", "aac", "flac", "webm"]
            .iter()
            .any(|c| kind.contains(c))
        {
            return Err(not_audio(format!(
                "the server sent {kind}; set the server's output to pcm or wav"
            )));
        }
    }

    let mut decoder = AudioDecoder::new(config.format, config.pcm_rate_hz);
    let mut buf = vec![0u8; 16 * 1024];
    let mut bytes = 0u64;
    loop {
        let now = Instant::now();
        if now >= deadline {
            return Err(timeout(total, "the whole answer"));
        }
        // Each read waits at most the gap timeout, and never past the deadline.
        let wait = gap.min(deadline - now);
        response
            .set_read_timeout(wait)
            .map_err(|e| OpenAiError::Truncated {
                bytes,
                reason: e.to_string(),
                url: url_text.clone(),
            })?;
        match response.body.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                bytes += n as u64;
                decoder.push(&buf[..n]).map_err(|e| not_audio(e.0))?;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if is_timeout(e.kind()) => {
                return Err(if wait < gap {
                    timeout(total, "the whole answer")
                } else if bytes == 0 {
                    timeout(gap, "waiting for the first audio byte")
                } else {
                    timeout(gap, "a gap in the audio stream")
                });
            }
            Err(e) => {
                return Err(OpenAiError::Truncated {
                    bytes,
                    reason: e.to_string(),
                    url: url_text.clone(),
                });
            }
        }
    }
    let (samples, rate_hz) = decoder.finish().map_err(|e| not_audio(e.0))?;
    tracing::debug!(
        "speech server: {} samples at {rate_hz} Hz in {:.0} ms",
        samples.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok((samples, rate_hz))
}

fn is_timeout(kind: ErrorKind) -> bool {
    matches!(kind, ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// The message in an error body: OpenAI's `{"error":{"message"}}`, FastAPI's
/// `{"detail"}`, or the text itself, shortened.
fn server_message(body: &str) -> String {
    let body = body.trim();
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(body) {
        let found = value
            .pointer("/error/message")
            .or_else(|| value.get("error"))
            .or_else(|| value.get("detail"))
            .or_else(|| value.get("message"));
        if let Some(found) = found {
            return match found.as_str() {
                Some(s) => s.to_string(),
                None => found.to_string(),
            };
        }
    }
    if body.is_empty() {
        return "no message".into();
    }
    let mut short: String = body.chars().take(300).collect();
    if short.len() < body.len() {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_messages_are_extracted() {
        assert_eq!(
            server_message(r#"{"error":{"message":"Incorrect API key provided","type":"x"}}"#),
            "Incorrect API key provided"
        );
        assert_eq!(
            server_message(r#"{"detail":"Voice xx not found"}"#),
            "Voice xx not found"
        );
        assert_eq!(
            server_message("  Internal Server Error\n"),
            "Internal Server Error"
        );
        assert_eq!(server_message(""), "no message");
        assert!(server_message(&"x".repeat(1000)).ends_with('…'));
    }
}
