//! The `[speech.piper]` table; every key optional.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Where `scripts/fetch-models.sh` puts the voice, relative to the repository.
pub const DEFAULT_MODEL: &str = "models/piper/en_US-joe-medium.onnx";

/// Settings of the embedded Piper voice.
///
/// ```toml
/// [speech.piper]
/// model = "models/piper/en_US-joe-medium.onnx"  # its .onnx.json must sit beside it
/// voice = "joe"              # the name after `piper:` that selects it
/// length_scale = 1.0         # > 1 speaks slower
/// sentence_silence_ms = 100  # pause added between sentences
/// threads = 1                # ONNX Runtime threads for this voice
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PiperConfig {
    /// The `.onnx` file; `None`: [`DEFAULT_MODEL`] under the current directory
    /// or the source tree.
    #[serde(default)]
    pub model: Option<PathBuf>,
    #[serde(default = "default_voice")]
    pub voice: String,
    /// Overrides the voice's own `inference` values when set.
    #[serde(default)]
    pub length_scale: Option<f32>,
    #[serde(default)]
    pub noise_scale: Option<f32>,
    #[serde(default)]
    pub noise_w: Option<f32>,
    #[serde(default = "default_sentence_silence_ms")]
    pub sentence_silence_ms: u32,
    /// Intra-op threads. One keeps a session from starving the others (the
    /// renderer and encoder need the CPU too); more shortens the first answer.
    #[serde(default = "default_threads")]
    pub threads: usize,
}

fn default_voice() -> String {
    "joe".into()
}

fn default_sentence_silence_ms() -> u32 {
    100
}

fn default_threads() -> usize {
    1
}

impl Default for PiperConfig {
    fn default() -> PiperConfig {
        PiperConfig {
            model: None,
            voice: default_voice(),
            length_scale: None,
            noise_scale: None,
            noise_w: None,
            sentence_silence_ms: default_sentence_silence_ms(),
            threads: default_threads(),
        }
    }
}

impl PiperConfig {
    /// The model file to load, or every place that was tried.
    pub fn model_path(&self) -> Result<PathBuf, Vec<PathBuf>> {
        let candidates = match &self.model {
            Some(path) => vec![path.clone()],
            None => vec![
                PathBuf::from(DEFAULT_MODEL),
                Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_MODEL),
            ],
        };
        candidates
            .iter()
            .find(|p| p.is_file())
            .cloned()
            .ok_or(candidates)
    }
}
