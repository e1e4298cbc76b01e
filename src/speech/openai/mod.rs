//! Speech from any OpenAI-compatible `/v1/audio/speech` server: OpenAI itself,
//! or a local neural TTS server (Kokoro-FastAPI, openedai-speech, …).
//!
//! The answer is read as it streams in, bounded by a gap timeout and a total
//! one, decoded (raw PCM or WAV) and resampled to 48 kHz. Such servers report
//! no phoneme timing, so the utterance has no phonemes and the performer
//! lip-syncs it from the audio. When the server fails, [`OpenAiSpeech`] speaks
//! with its fallback (the embedded espeak-ng voice) and logs why, so a caller
//! still gets speech.

mod audio;
mod config;
mod request;

use std::sync::Arc;

pub use audio::{AudioDecoder, NotAudio, wav_bytes};
pub use config::{AudioFormat, OpenAiConfig};

use crate::clock::SAMPLE_RATE_HZ;
use crate::speech::resample::Resampler;
use crate::speech::text::clean_text;
use crate::speech::{Speech, SpeechError, SpeechRequest, Utterance};

/// Why the server gave no speech. Each message says what to check; the URL is last.
#[derive(Debug, thiserror::Error)]
pub enum OpenAiError {
    #[error("[speech.openai] is invalid: {reason}")]
    Config { reason: String },
    #[error(
        "cannot set up TLS for the speech server ({reason}); install ca-certificates or set \
         [speech.openai] ca_file"
    )]
    TlsSetup { reason: String },
    #[error(
        "TLS with the speech server failed ({reason}); for a private CA set [speech.openai] \
         ca_file to its PEM certificate: {url}"
    )]
    Tls { reason: String, url: String },
    #[error(
        "cannot reach the speech server ({source}); is it running? check [speech.openai] base_url: {url}"
    )]
    Connect { source: std::io::Error, url: String },
    #[error(
        "the speech server did not answer within {millis} ms ({stage}); check the server or raise \
         [speech.openai] timeout_ms / total_timeout_ms: {url}"
    )]
    Timeout {
        millis: u64,
        stage: &'static str,
        url: String,
    },
    #[error(
        "the speech server refused the request (HTTP {status}: {message}); put a valid API key in \
         the environment variable named by [speech.openai] api_key_env ({key_source}): {url}"
    )]
    Unauthorized {
        status: u16,
        message: String,
        key_source: String,
        url: String,
    },
    #[error(
        "the speech server has no such endpoint, model or voice (HTTP 404: {message}); check \
         base_url, model and voice in [speech.openai]: {url}"
    )]
    NotFound { message: String, url: String },
    #[error(
        "the speech server failed (HTTP {status}: {message}); see its log or retry later: {url}"
    )]
    Status {
        status: u16,
        message: String,
        url: String,
    },
    #[error(
        "the speech server's answer is not audio ({reason}); it must implement /v1/audio/speech \
         with response_format {format}: {url}"
    )]
    NotAudio {
        reason: String,
        format: &'static str,
        url: String,
    },
    #[error("the speech server's answer broke off after {bytes} bytes ({reason}); retry: {url}")]
    Truncated {
        bytes: u64,
        reason: String,
        url: String,
    },
}

/// A `Speech` backend for an OpenAI-compatible server, with an optional
/// fallback backend for when the server fails.
///
/// ```no_run
/// use std::sync::Arc;
/// use avatarcast::speech::openai::{OpenAiConfig, OpenAiSpeech};
/// use avatarcast::speech::{EspeakSpeech, Lang, Speech, SpeechRequest};
/// let tts = OpenAiSpeech::new(OpenAiConfig::new("http://127.0.0.1:8880/v1"))?
///     .with_fallback(Arc::new(EspeakSpeech::new()));
/// let utt = tts.synthesize(&SpeechRequest::new("Hello!", Lang::En).with_voice("af_heart"))?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct OpenAiSpeech {
    config: OpenAiConfig,
    url: String,
    api_key: Option<String>,
    /// For `https://`: the TLS configuration, or why it could not be built
    /// (reported on each request, which then falls back).
    tls: Option<Result<Arc<rustls::ClientConfig>, String>>,
    fallback: Option<Arc<dyn Speech>>,
}

impl std::fmt::Debug for OpenAiSpeech {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the key.
        f.debug_struct("OpenAiSpeech")
            .field("url", &self.url)
            .field("model", &self.config.model)
            .field("voice", &self.config.voice)
            .field("has_key", &self.api_key.is_some())
            .field("fallback", &self.fallback.as_ref().map(|s| s.name()))
            .finish()
    }
}

impl OpenAiSpeech {
    /// Checks the config and reads the API key from the variable `api_key_env` names.
    pub fn new(config: OpenAiConfig) -> Result<OpenAiSpeech, OpenAiError> {
        config
            .validate()
            .map_err(|reason| OpenAiError::Config { reason })?;
        let url = config.speech_url();
        let api_key = config
            .api_key_env
            .as_deref()
            .and_then(|name| std::env::var(name).ok())
            .filter(|k| !k.trim().is_empty());
        if let (Some(name), None) = (&config.api_key_env, &api_key) {
            // Local servers need no key, so this is only a hint, not an error.
            tracing::warn!(
                "[speech.openai] api_key_env names ${name}, which is unset or empty; \
                 requests go without an Authorization header"
            );
        }
        let tls = url.starts_with("https://").then(|| {
            crate::net::tls::client_config(config.ca_file.as_deref()).map_err(|err| {
                tracing::warn!("the speech server cannot be used until this is fixed: {err}");
                err.to_string()
            })
        });
        Ok(OpenAiSpeech {
            config,
            url,
            api_key,
            tls,
            fallback: None,
        })
    }

    /// Speaks with `fallback` (and logs a warning) whenever the server fails.
    pub fn with_fallback(mut self, fallback: Arc<dyn Speech>) -> OpenAiSpeech {
        self.fallback = Some(fallback);
        self
    }

    pub fn config(&self) -> &OpenAiConfig {
        &self.config
    }

    /// The endpoint, e.g. `http://127.0.0.1:8880/v1/audio/speech`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Asks the server, without falling back: the error says what went wrong.
    /// The utterance's voice is `openai:<voice>`.
    pub fn synthesize_remote(&self, req: &SpeechRequest) -> Result<Utterance, SpeechError> {
        let text = clean_text(&req.text).ok_or(SpeechError::EmptyText)?;
        let voice = match &req.voice {
            Some(v) if !v.trim().is_empty() => v.trim().to_string(),
            _ => self.config.voice.clone(),
        };
        let (samples, rate_hz) = request::fetch(self, &text, &voice)?;
        let pcm = if rate_hz == SAMPLE_RATE_HZ {
            samples
        } else {
            Resampler::new(rate_hz, SAMPLE_RATE_HZ).process(&samples)
        };
        Ok(Utterance {
            pcm,
            phonemes: Vec::new(),
            lang: req.lang,
            voice: format!("openai:{voice}"),
        })
    }
}

impl Speech for OpenAiSpeech {
    fn synthesize(&self, req: &SpeechRequest) -> Result<Utterance, SpeechError> {
        match self.synthesize_remote(req) {
            Ok(utterance) => Ok(utterance),
            // Nothing to say is the caller's problem, not the server's.
            Err(SpeechError::EmptyText) => Err(SpeechError::EmptyText),
            Err(err) => match &self.fallback {
                Some(fallback) => {
                    tracing::warn!("speaking with {} instead: {err}", fallback.name());
                    // The server's voice names mean nothing to the fallback.
                    let plain = SpeechRequest {
                        voice: None,
                        ..req.clone()
                    };
                    fallback.synthesize(&plain)
                }
                None => Err(err),
            },
        }
    }

    fn name(&self) -> &str {
        "openai-speech"
    }
}
