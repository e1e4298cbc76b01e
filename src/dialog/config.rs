//! Dialog settings from the `[llm]` and `[dialog]` tables of a TOML file (other tables in
//! the same file are ignored, so it can be avatarcast's one config file).
//!
//! ```toml
//! [llm]
//! base_url = "http://127.0.0.1:8080/v1"  # OpenAI-compatible server (/chat/completions is appended)
//! model = "qwen2.5-7b-instruct"
//! api_key_env = "OPENAI_API_KEY"         # name of the env var holding the key (optional)
//! timeout = 8.0                          # seconds: connect, TLS handshake, first token, any gap between chunks
//! ca_file = "/etc/avatarcast/llm-ca.pem"  # extra trusted root(s) for https:// (optional; PEM)
//!
//! [dialog]
//! kb = "assets/kb"                       # CSV file or folder; default: the embedded KB
//! transcripts = ".cache/transcripts.sqlite"
//! confidence_threshold_en = 0.88         # at or above: answer (dense score)
//! confidence_threshold_zh = 0.905
//! suggest_threshold_en = 0.84            # between the two: "Did you mean …?" + handoff offer
//! suggest_threshold_zh = 0.865           # below: "not sure" + handoff
//! lexical_threshold = 0.5                # the same without the embedding model (term coverage)
//! history_turns = 10
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::DialogError;
use super::retrieve::Hit;
use crate::speech::Lang;

/// Default dense score at or above which the assistant answers (hybrid mode), per language
/// (e5 scores Chinese pairs higher overall). Measured on the default KB
/// (tests/dialog_retrieval.rs, docs/knowledge-base.md): in-domain held-out paraphrases and
/// out-of-domain questions overlap (en: in-domain from 0.809, out-of-domain up to 0.869;
/// zh: from 0.877 and up to 0.895), so no single threshold separates them. The answer
/// threshold sits above every out-of-domain score with a margin (en +0.011, zh +0.010);
/// below it the assistant does not answer but suggests the closest question.
pub const DEFAULT_CONFIDENCE_THRESHOLD_EN: f32 = 0.88;
pub const DEFAULT_CONFIDENCE_THRESHOLD_ZH: f32 = 0.905;
/// Default dense score below which the assistant does not even suggest a question: under
/// every correctly ranked in-domain paraphrase with a margin (en 0.854 − 0.014, zh 0.877 −
/// 0.012); most out-of-domain questions fall below it.
pub const DEFAULT_SUGGEST_THRESHOLD_EN: f32 = 0.84;
pub const DEFAULT_SUGGEST_THRESHOLD_ZH: f32 = 0.865;

/// In the band between the suggestion and answer thresholds, the assistant still answers
/// when at least this share of the question's terms appear in the entry (the customer used
/// the KB's own words). Out-of-domain questions in that band cover at most 0.5 of their
/// terms on the default KB; in-domain ones up to 0.8.
pub const LEXICAL_CONFIRMATION: f32 = 0.6;

/// The default confidence (answer) threshold for a language.
pub fn default_confidence_threshold(lang: Lang) -> f32 {
    match lang {
        Lang::En => DEFAULT_CONFIDENCE_THRESHOLD_EN,
        Lang::Zh => DEFAULT_CONFIDENCE_THRESHOLD_ZH,
    }
}

/// The default suggestion threshold for a language.
pub fn default_suggest_threshold(lang: Lang) -> f32 {
    match lang {
        Lang::En => DEFAULT_SUGGEST_THRESHOLD_EN,
        Lang::Zh => DEFAULT_SUGGEST_THRESHOLD_ZH,
    }
}
/// Default share of query terms that must appear in the best item (lexical-only mode).
pub const DEFAULT_LEXICAL_THRESHOLD: f32 = 0.5;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LlmConfig {
    pub base_url: String,
    pub model: String,
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// Seconds; see the module docs.
    #[serde(default = "default_timeout")]
    pub timeout: f64,
    /// Extra root certificates (PEM) trusted for `https://` besides the system store, for
    /// servers with a private CA.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

fn default_timeout() -> f64 {
    8.0
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DialogSettings {
    pub kb: Option<PathBuf>,
    pub transcripts: Option<PathBuf>,
    pub confidence_threshold_en: f32,
    pub confidence_threshold_zh: f32,
    pub suggest_threshold_en: f32,
    pub suggest_threshold_zh: f32,
    pub lexical_threshold: f32,
    pub history_turns: usize,
}

impl DialogSettings {
    /// The confidence threshold for answers in `lang`.
    pub fn confidence_threshold(&self, lang: Lang) -> f32 {
        match lang {
            Lang::En => self.confidence_threshold_en,
            Lang::Zh => self.confidence_threshold_zh,
        }
    }

    /// True when `hit` is good enough to answer with: a dense score at the answer threshold,
    /// or in the suggestion band with [`LEXICAL_CONFIRMATION`]; without embeddings, the
    /// lexical threshold on term coverage.
    pub fn confident(&self, hit: &Hit, lang: Lang) -> bool {
        match hit.dense {
            Some(d) => {
                d >= self.confidence_threshold(lang)
                    || (d >= self.suggest_threshold(lang) && hit.coverage >= LEXICAL_CONFIRMATION)
            }
            None => hit.coverage >= self.lexical_threshold,
        }
    }

    /// The threshold for "Did you mean …?" in `lang`.
    pub fn suggest_threshold(&self, lang: Lang) -> f32 {
        match lang {
            Lang::En => self.suggest_threshold_en,
            Lang::Zh => self.suggest_threshold_zh,
        }
    }
}

impl Default for DialogSettings {
    fn default() -> Self {
        DialogSettings {
            kb: None,
            transcripts: None,
            confidence_threshold_en: DEFAULT_CONFIDENCE_THRESHOLD_EN,
            confidence_threshold_zh: DEFAULT_CONFIDENCE_THRESHOLD_ZH,
            suggest_threshold_en: DEFAULT_SUGGEST_THRESHOLD_EN,
            suggest_threshold_zh: DEFAULT_SUGGEST_THRESHOLD_ZH,
            lexical_threshold: DEFAULT_LEXICAL_THRESHOLD,
            history_turns: 10,
        }
    }
}

/// Everything the dialog engine is configured with.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct DialogConfig {
    #[serde(default)]
    pub llm: Option<LlmConfig>,
    #[serde(default)]
    pub dialog: DialogSettings,
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    llm: Option<LlmConfig>,
    #[serde(default)]
    dialog: Option<DialogSettings>,
}

impl DialogConfig {
    /// Parses the `[llm]` and `[dialog]` tables of a TOML document.
    pub fn from_toml(text: &str, path: &Path) -> Result<Self, DialogError> {
        let file: File = toml::from_str(text).map_err(|e| DialogError::Config {
            reason: e.to_string(),
            path: path.to_path_buf(),
        })?;
        Ok(DialogConfig {
            llm: file.llm,
            dialog: file.dialog.unwrap_or_default(),
        })
    }

    /// Reads and parses a config file.
    pub fn load(path: &Path) -> Result<Self, DialogError> {
        let text = std::fs::read_to_string(path).map_err(|e| DialogError::Config {
            reason: e.to_string(),
            path: path.to_path_buf(),
        })?;
        Self::from_toml(&text, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_llm_and_dialog_tables_and_ignores_others() {
        let c = DialogConfig::from_toml(
            "[render]\nwidth = 1\n[llm]\nbase_url = \"http://x/v1\"\nmodel = \"m\"\ntimeout = 2.5\n[dialog]\nhistory_turns = 4\n",
            Path::new("c.toml"),
        )
        .expect("valid config");
        let llm = c.llm.expect("llm table");
        assert_eq!(
            (
                llm.model.as_str(),
                llm.timeout,
                llm.api_key_env,
                llm.ca_file
            ),
            ("m", 2.5, None, None)
        );
        assert_eq!(c.dialog.history_turns, 4);
        assert!(DialogConfig::from_toml("[llm]\nmodel = 1\n", Path::new("c.toml")).is_err());
    }
}
