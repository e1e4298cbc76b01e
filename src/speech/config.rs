//! The `[speech]` table: which backend speaks by default, and the settings of
//! the optional ones. Other tables in the same file are ignored, so it lives in
//! avatarcast's one config file next to `[serve]` and `[llm]`.
//!
//! ```toml
//! [speech]
//! backend = "openai"        # "espeak" (default) | "openai" | "piper"
//!
//! [speech.openai]           # see `OpenAiConfig`
//! base_url = "http://127.0.0.1:8880/v1"
//! model = "kokoro"
//! voice = "af_heart"
//! api_key_env = "OPENAI_API_KEY"
//! format = "pcm"
//! timeout_ms = 4000
//!
//! [speech.piper]            # see `PiperConfig`; every key optional
//! model = "models/piper/en_US-joe-medium.onnx"
//! ```
//!
//! Whatever the default, a voice name with a backend prefix picks that backend
//! for one request or session: `openai:alloy`, `piper:joe`, `espeak:en-gb`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use serde::Deserialize;

use super::openai::{OpenAiConfig, OpenAiSpeech};
use super::piper::{PiperConfig, PiperSpeech};
use super::router::VoiceRouter;
use super::{Speech, SpeechError};

/// Which backend speaks when a voice names none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpeechBackend {
    /// The embedded espeak-ng voice (en, zh), with phoneme timing.
    #[default]
    Espeak,
    /// An OpenAI-compatible `/v1/audio/speech` server (`[speech.openai]`).
    Openai,
    /// The embedded neural English voice (Piper, run with ONNX Runtime).
    Piper,
}

impl SpeechBackend {
    /// The name used in config files and as a voice prefix.
    pub fn name(self) -> &'static str {
        match self {
            SpeechBackend::Espeak => "espeak",
            SpeechBackend::Openai => "openai",
            SpeechBackend::Piper => "piper",
        }
    }
}

impl fmt::Display for SpeechBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SpeechBackend {
    type Err = String;

    fn from_str(s: &str) -> Result<SpeechBackend, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "espeak" | "espeak-ng" => Ok(SpeechBackend::Espeak),
            "openai" => Ok(SpeechBackend::Openai),
            "piper" => Ok(SpeechBackend::Piper),
            other => Err(format!(
                "unknown speech backend `{other}`; use espeak, openai or piper"
            )),
        }
    }
}

/// The `[speech]` table, resolved.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpeechConfig {
    #[serde(default)]
    pub backend: SpeechBackend,
    #[serde(default)]
    pub openai: Option<OpenAiConfig>,
    #[serde(default)]
    pub piper: Option<PiperConfig>,
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    speech: SpeechConfig,
}

impl SpeechConfig {
    /// The `[speech]` table of a config file's text (defaults when absent);
    /// `path` is for messages.
    pub fn from_toml(text: &str, path: &Path) -> Result<SpeechConfig, SpeechError> {
        let bad = |reason: String| SpeechError::Config {
            reason,
            path: path.to_path_buf(),
        };
        let file: File = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        file.speech.check().map_err(bad)?;
        Ok(file.speech)
    }

    /// Reads and parses a config file's `[speech]` table.
    pub fn load(path: &Path) -> Result<SpeechConfig, SpeechError> {
        let text = std::fs::read_to_string(path).map_err(|e| SpeechError::Config {
            reason: format!("cannot read it ({e})"),
            path: path.to_path_buf(),
        })?;
        SpeechConfig::from_toml(&text, path)
    }

    /// The settings must allow the default backend.
    pub fn check(&self) -> Result<(), String> {
        if self.backend == SpeechBackend::Openai && self.openai.is_none() {
            return Err(
                "[speech] backend = \"openai\" needs a [speech.openai] table with base_url".into(),
            );
        }
        if let Some(openai) = &self.openai {
            openai.validate()?;
        }
        Ok(())
    }

    /// The backend for the whole process: a [`VoiceRouter`] that speaks with
    /// the configured default and sends `openai:`/`piper:`/`espeak:` voices
    /// to their backend. Server and Piper failures fall back to espeak-ng.
    /// Piper's model is loaded here when it is the default (so a missing model
    /// is reported at start), else on first use.
    pub fn build(&self) -> Result<Arc<dyn Speech>, SpeechError> {
        self.check().map_err(|reason| SpeechError::Config {
            reason,
            path: PathBuf::from("(speech settings)"),
        })?;
        let espeak = super::default_backend().ok();
        let openai = match &self.openai {
            Some(config) => {
                let mut speech = OpenAiSpeech::new(config.clone())?;
                if let Some(fallback) = &espeak {
                    speech = speech.with_fallback(Arc::clone(fallback));
                }
                Some(Arc::new(speech) as Arc<dyn Speech>)
            }
            None => None,
        };
        let mut piper = PiperSpeech::new(self.piper.clone().unwrap_or_default());
        if let Some(fallback) = &espeak {
            piper = piper.with_fallback(Arc::clone(fallback));
        }
        if self.backend == SpeechBackend::Piper {
            piper.load()?;
        }
        let router = VoiceRouter {
            default: self.backend,
            espeak,
            openai,
            piper: Some(Arc::new(piper)),
        };
        if router.backend(self.backend).is_none() {
            return Err(SpeechError::NoBackend);
        }
        Ok(Arc::new(router))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_speech_table_and_ignores_others() {
        let text = "[serve]\nfps = 25\n[speech]\nbackend = \"openai\"\n\
                    [speech.openai]\nbase_url = \"http://127.0.0.1:8880/v1\"\nvoice = \"af_heart\"\n";
        let c = SpeechConfig::from_toml(text, Path::new("c.toml")).expect("valid");
        assert_eq!(c.backend, SpeechBackend::Openai);
        assert_eq!(
            c.openai.as_ref().map(|o| o.voice.as_str()),
            Some("af_heart")
        );
        assert_eq!(
            SpeechConfig::from_toml("[serve]\n", Path::new("c.toml")).expect("no table"),
            SpeechConfig::default()
        );
    }

    #[test]
    fn errors_name_the_key_and_end_with_the_file() {
        let err = SpeechConfig::from_toml("[speech]\nbackend = \"openai\"\n", Path::new("c.toml"))
            .expect_err("openai without its table");
        let msg = err.to_string();
        assert!(
            msg.contains("[speech.openai]") && msg.ends_with("\"c.toml\""),
            "{msg}"
        );
        let err = SpeechConfig::from_toml("[speech]\nbackend = \"sapi\"\n", Path::new("c.toml"))
            .expect_err("unknown backend");
        assert!(err.to_string().contains("sapi"), "{err}");
        assert_eq!("Piper".parse::<SpeechBackend>(), Ok(SpeechBackend::Piper));
        assert!(
            "x".parse::<SpeechBackend>()
                .unwrap_err()
                .contains("espeak, openai or piper")
        );
    }

    #[test]
    fn a_piper_default_without_its_model_fails_at_build_with_the_fix() {
        let text =
            "[speech]\nbackend = \"piper\"\n[speech.piper]\nmodel = \"/nonexistent/joe.onnx\"\n";
        let config = SpeechConfig::from_toml(text, Path::new("c.toml")).expect("valid table");
        let err = config
            .build()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("scripts/fetch-models.sh") && err.ends_with("/nonexistent/joe.onnx"),
            "{err}"
        );
        // The same config with espeak as default starts, and loads Piper on first use.
        let lazy = SpeechConfig {
            backend: SpeechBackend::Espeak,
            ..config
        };
        assert!(lazy.build().is_ok());
    }
}
