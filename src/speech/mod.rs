//! Stage 1: text → speech. A [`Speech`] backend turns a [`SpeechRequest`]
//! into an [`Utterance`]: mono 48 kHz PCM plus the phonemes it contains, each
//! stamped with sample-accurate positions on the utterance's own clock.
//!
//! The embedded backend is [`EspeakSpeech`] (cargo feature `espeak`, on by
//! default), which links libespeak-ng through a hand-written FFI.

pub mod config;
#[cfg(feature = "espeak")]
mod espeak;
mod mandarin;
pub mod openai;
pub mod piper;
pub mod resample;
pub mod router;
mod text;
mod utterance;

pub use config::{SpeechBackend, SpeechConfig};
#[cfg(feature = "espeak")]
pub use espeak::{EspeakOptions, EspeakSpeech, FEMALE_VARIANT};
pub use mandarin::chinese_to_pinyin;
pub use text::{clean_text, has_speakable};
pub use utterance::{PhonemeEvent, Utterance};

use std::fmt;
use std::str::FromStr;

/// A language the pipeline can speak and lip-sync. In config files it is
/// written `en` or `zh`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English (espeak voice `en-us` by default).
    En,
    /// Mandarin Chinese (spoken from pinyin by espeak voice `cmn-latn-pinyin`).
    Zh,
}

impl Lang {
    /// The short code: `en` or `zh`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = SpeechError;

    /// Accepts `en`, `zh`, region tags such as `en-US`/`zh_CN`, `cmn` and `mandarin`.
    fn from_str(s: &str) -> Result<Lang, SpeechError> {
        let lower = s.trim().to_ascii_lowercase().replace('_', "-");
        let primary = lower.split('-').next().unwrap_or("");
        match primary {
            "en" | "eng" | "english" => Ok(Lang::En),
            "zh" | "cmn" | "zho" | "chi" | "mandarin" | "chinese" => Ok(Lang::Zh),
            _ => Err(SpeechError::UnknownLang {
                lang: s.to_string(),
            }),
        }
    }
}

/// What to say, in which language, and optionally with which backend voice.
#[derive(Debug, Clone, PartialEq)]
pub struct SpeechRequest {
    pub text: String,
    pub lang: Lang,
    /// A backend voice name (for espeak e.g. `en-gb`, `en-us+f3`); `None`
    /// picks the backend's default for `lang`.
    pub voice: Option<String>,
}

impl SpeechRequest {
    pub fn new(text: impl Into<String>, lang: Lang) -> Self {
        SpeechRequest {
            text: text.into(),
            lang,
            voice: None,
        }
    }

    pub fn with_voice(mut self, voice: impl Into<String>) -> Self {
        self.voice = Some(voice.into());
        self
    }
}

/// The embedded speech backend this build was made with: espeak-ng when the
/// `espeak` feature is on (the default).
pub fn default_backend() -> Result<std::sync::Arc<dyn Speech>, SpeechError> {
    #[cfg(feature = "espeak")]
    {
        Ok(std::sync::Arc::new(EspeakSpeech::new()))
    }
    #[cfg(not(feature = "espeak"))]
    {
        Err(SpeechError::NoBackend)
    }
}

/// A text-to-speech backend. Implementations are shared between sessions,
/// hence `Send + Sync`; `synthesize` may block for the synthesis time.
pub trait Speech: Send + Sync {
    fn synthesize(&self, req: &SpeechRequest) -> Result<Utterance, SpeechError>;
    /// A short name for logs, e.g. `espeak-ng`.
    fn name(&self) -> &str;
}

#[derive(Debug, thiserror::Error)]
pub enum SpeechError {
    #[error(
        "nothing to say: the text is empty or only whitespace/control characters; pass a sentence"
    )]
    EmptyText,
    #[error(
        "unknown language {lang:?}; use `en` (English) or `zh` (Mandarin), region tags like `en-US` are accepted"
    )]
    UnknownLang { lang: String },
    #[error(
        "unknown voice {voice:?}; list voices with `espeak-ng --voices` (variants such as `+f3` with \
         `espeak-ng --voices=variant`); voices for this language include: {suggestions}"
    )]
    UnknownVoice { voice: String, suggestions: String },
    #[error(
        "espeak-ng failed to start ({reason}); install `espeak-ng-data` (Debian) or set ESPEAK_DATA_PATH \
         to the directory that contains `espeak-ng-data`"
    )]
    EngineInit { reason: String },
    #[error(
        "espeak-ng failed to synthesise the text (error code {code}); try shorter or plainer text"
    )]
    Synthesis { code: i32 },
    #[error(
        "the espeak-ng worker thread stopped; restart the process (this is a bug, please report it)"
    )]
    EngineGone,
    #[error(
        "this build has no embedded voice (built without the `espeak` feature); rebuild with \
         default features or configure another speech backend"
    )]
    NoBackend,
    // Transparent: their messages name the backend already, and anyhow's `{:#}`
    // would print a wrapped source twice.
    #[error(transparent)]
    OpenAi(#[from] openai::OpenAiError),
    #[error(transparent)]
    Piper(#[from] piper::PiperError),
    #[error("speech settings are invalid ({reason}): {path:?}")]
    Config {
        reason: String,
        path: std::path::PathBuf,
    },
    #[error(
        "voice {voice:?} needs the {backend} speech backend, which is not configured; add a \
         [speech.{backend}] table to the config file (README.md, \"Voices\") or pick another voice"
    )]
    BackendMissing {
        backend: &'static str,
        voice: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_parses_codes_and_region_tags_and_displays_short() {
        for s in ["en", "EN", "en-US", "en_gb", "english"] {
            assert_eq!(s.parse::<Lang>().ok(), Some(Lang::En), "{s}");
        }
        for s in ["zh", "zh-CN", "zh_TW", "cmn", "Mandarin"] {
            assert_eq!(s.parse::<Lang>().ok(), Some(Lang::Zh), "{s}");
        }
        let err = "fr"
            .parse::<Lang>()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("\"fr\"") && err.contains("`en`"), "{err}");
        assert_eq!(Lang::Zh.to_string(), "zh");
        assert_eq!(Lang::En.to_string().parse::<Lang>().ok(), Some(Lang::En));
        assert_eq!(
            serde_json::to_string(&Lang::Zh).ok().as_deref(),
            Some("\"zh\"")
        );
        assert_eq!(serde_json::from_str::<Lang>("\"en\"").ok(), Some(Lang::En));
    }
}
