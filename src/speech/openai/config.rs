//! The `[speech.openai]` table: where the server is and how long to wait for it.

use std::path::PathBuf;

use serde::Deserialize;

/// How the server is asked to encode the audio (`response_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AudioFormat {
    /// Raw 16-bit little-endian mono PCM, no header (OpenAI: 24 kHz). The
    /// smallest and the first to start: the default.
    #[default]
    Pcm,
    /// RIFF/WAVE; the header says the rate, so any server rate works.
    Wav,
}

impl AudioFormat {
    /// The `response_format` value.
    pub fn as_str(self) -> &'static str {
        match self {
            AudioFormat::Pcm => "pcm",
            AudioFormat::Wav => "wav",
        }
    }
}

/// An OpenAI-compatible `/v1/audio/speech` endpoint (OpenAI, Kokoro-FastAPI,
/// openedai-speech, …).
///
/// ```toml
/// [speech.openai]
/// base_url = "http://127.0.0.1:8880/v1"   # /audio/speech is appended
/// model = "kokoro"
/// voice = "af_heart"
/// api_key_env = "OPENAI_API_KEY"          # the NAME of the variable holding the key
/// format = "pcm"                          # or "wav"
/// timeout_ms = 4000                       # connect, first byte, and any gap in the stream
/// total_timeout_ms = 30000                # the whole answer
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenAiConfig {
    pub base_url: String,
    #[serde(default = "default_model")]
    pub model: String,
    /// The voice used when a request names none (e.g. `alloy`).
    #[serde(default = "default_voice")]
    pub voice: String,
    /// Name of the environment variable that holds the API key; the key itself
    /// never goes into the file. Unset or empty: no `Authorization` header
    /// (local servers need none).
    #[serde(default)]
    pub api_key_env: Option<String>,
    #[serde(default)]
    pub format: AudioFormat,
    /// Sample rate of `pcm` answers, which carry no header (OpenAI's is 24 000).
    #[serde(default = "default_pcm_rate_hz")]
    pub pcm_rate_hz: u32,
    /// Bounds connecting, the TLS handshake, the first audio byte and every gap
    /// between chunks, in milliseconds.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Bounds the whole answer, in milliseconds.
    #[serde(default = "default_total_timeout_ms")]
    pub total_timeout_ms: u64,
    /// Speaking speed, 0.25..=4.0 (OpenAI's `speed`); `None`: not sent.
    #[serde(default)]
    pub speed: Option<f32>,
    /// Extra trusted root certificate(s) (PEM) for a private `https://` server.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

fn default_model() -> String {
    "tts-1".into()
}

fn default_voice() -> String {
    "alloy".into()
}

fn default_pcm_rate_hz() -> u32 {
    24_000
}

fn default_timeout_ms() -> u64 {
    4_000
}

fn default_total_timeout_ms() -> u64 {
    30_000
}

impl OpenAiConfig {
    /// A config with the defaults for everything but the URL.
    pub fn new(base_url: impl Into<String>) -> OpenAiConfig {
        OpenAiConfig {
            base_url: base_url.into(),
            model: default_model(),
            voice: default_voice(),
            api_key_env: None,
            format: AudioFormat::default(),
            pcm_rate_hz: default_pcm_rate_hz(),
            timeout_ms: default_timeout_ms(),
            total_timeout_ms: default_total_timeout_ms(),
            speed: None,
            ca_file: None,
        }
    }

    /// The full endpoint URL: `base_url` plus `/v1/audio/speech` as far as it is missing.
    pub fn speech_url(&self) -> String {
        let base = self.base_url.trim_end_matches('/');
        if base.ends_with("/audio/speech") {
            base.to_string()
        } else if base.ends_with("/v1") {
            format!("{base}/audio/speech")
        } else {
            format!("{base}/v1/audio/speech")
        }
    }

    /// Checks the values a file could get wrong; the message names the key.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.base_url.starts_with("http://") || self.base_url.starts_with("https://")) {
            return Err(format!(
                "[speech.openai] base_url must start with http:// or https://, got `{}`",
                self.base_url
            ));
        }
        if !(8_000..=192_000).contains(&self.pcm_rate_hz) {
            return Err(format!(
                "[speech.openai] pcm_rate_hz must be 8000..=192000, got {}",
                self.pcm_rate_hz
            ));
        }
        if self.timeout_ms == 0 || self.total_timeout_ms < self.timeout_ms {
            return Err(format!(
                "[speech.openai] timeout_ms must be > 0 and total_timeout_ms >= timeout_ms, got {} and {}",
                self.timeout_ms, self.total_timeout_ms
            ));
        }
        if let Some(speed) = self.speed
            && !(0.25..=4.0).contains(&speed)
        {
            return Err(format!(
                "[speech.openai] speed must be 0.25..=4.0, got {speed}"
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_gets_the_missing_path_parts() {
        let url = |base: &str| OpenAiConfig::new(base).speech_url();
        assert_eq!(url("http://h:1/v1"), "http://h:1/v1/audio/speech");
        assert_eq!(url("http://h:1/"), "http://h:1/v1/audio/speech");
        assert_eq!(
            url("https://api.openai.com/v1/audio/speech"),
            "https://api.openai.com/v1/audio/speech"
        );
    }

    #[test]
    fn defaults_and_validation() {
        let c: OpenAiConfig = toml::from_str("base_url = \"http://x/v1\"\nformat = \"wav\"\n")
            .expect("minimal table");
        assert_eq!(
            (c.model.as_str(), c.voice.as_str(), c.format, c.pcm_rate_hz),
            ("tts-1", "alloy", AudioFormat::Wav, 24_000)
        );
        assert!(c.validate().is_ok());
        let bad = OpenAiConfig::new("ftp://x");
        assert!(bad.validate().unwrap_err().contains("base_url"));
        let bad = OpenAiConfig {
            total_timeout_ms: 10,
            ..OpenAiConfig::new("http://x")
        };
        assert!(bad.validate().unwrap_err().contains("total_timeout_ms"));
        assert!(
            toml::from_str::<OpenAiConfig>("base_url = \"http://x\"\nformat = \"mp3\"\n").is_err()
        );
        assert!(
            toml::from_str::<OpenAiConfig>("base_url = \"http://x\"\napi_key = \"sk\"\n").is_err()
        );
    }
}
