//! A Piper voice loaded into ONNX Runtime: the VITS model and its `.onnx.json`
//! (sample rate, default scales, symbol table).

use std::path::{Path, PathBuf};

use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use ort::value::Tensor;

use super::PiperError;
use super::phonemes::PhonemeIds;

/// The voice's `inference` defaults: noise, length (speed) and duration noise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scales {
    pub noise_scale: f32,
    pub length_scale: f32,
    pub noise_w: f32,
}

pub struct VoiceModel {
    session: Session,
    pub ids: PhonemeIds,
    pub sample_rate_hz: u32,
    /// The espeak-ng voice the model was trained on (e.g. `en-us`).
    pub espeak_voice: String,
    pub scales: Scales,
}

impl VoiceModel {
    pub fn load(model: &Path, threads: usize) -> Result<VoiceModel, PiperError> {
        let json_path = PathBuf::from(format!("{}.json", model.display()));
        let bad = |reason: String| PiperError::ModelConfig {
            reason,
            path: json_path.clone(),
        };
        let text = std::fs::read_to_string(&json_path).map_err(|e| bad(e.to_string()))?;
        let json: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        let ids = PhonemeIds::from_json(&json["phoneme_id_map"]).map_err(bad)?;
        let sample_rate_hz = json["audio"]["sample_rate"]
            .as_u64()
            .and_then(|r| u32::try_from(r).ok())
            .filter(|r| (8_000..=96_000).contains(r))
            .ok_or_else(|| bad("audio.sample_rate is missing or out of range".into()))?;
        let espeak_voice = json["espeak"]["voice"]
            .as_str()
            .unwrap_or("en-us")
            .to_string();
        let scale = |key: &str, default: f32| {
            json["inference"][key]
                .as_f64()
                .map_or(default, |v| v as f32)
        };
        let scales = Scales {
            noise_scale: scale("noise_scale", 0.667),
            length_scale: scale("length_scale", 1.0),
            noise_w: scale("noise_w", 0.8),
        };

        let env = crate::onnx::environment()?;
        let load = |reason: String| PiperError::Load {
            reason,
            path: model.to_path_buf(),
        };
        let session = Session::builder(env)
            .map_err(|e| load(e.to_string()))?
            .with_optimization_level(GraphOptimizationLevel::Level3)
            .map_err(|e| load(e.to_string()))?
            .with_intra_threads(threads.max(1))
            .map_err(|e| load(e.to_string()))?
            .commit_from_file(model)
            .map_err(|e| load(e.to_string()))?;
        for name in ["input", "input_lengths", "scales"] {
            if !session.inputs().iter().any(|i| i.name() == name) {
                return Err(load(format!(
                    "the model has no `{name}` input; is it a Piper voice?"
                )));
            }
        }
        Ok(VoiceModel {
            session,
            ids,
            sample_rate_hz,
            espeak_voice,
            scales,
        })
    }

    /// Audio for one sentence's symbol ids, at `sample_rate_hz`.
    pub fn infer(&mut self, ids: Vec<i64>, scales: Scales) -> Result<Vec<f32>, PiperError> {
        let fail = |e: ort::Error| PiperError::Inference {
            reason: e.to_string(),
        };
        let n = ids.len();
        let input = Tensor::from_array(([1usize, n], ids)).map_err(fail)?;
        let lengths = Tensor::from_array(([1usize], vec![n as i64])).map_err(fail)?;
        let scales = Tensor::from_array((
            [3usize],
            vec![scales.noise_scale, scales.length_scale, scales.noise_w],
        ))
        .map_err(fail)?;
        let outputs = self
            .session
            .run(ort::inputs![
                "input" => input,
                "input_lengths" => lengths,
                "scales" => scales,
            ])
            .map_err(fail)?;
        let (_shape, audio) = outputs[0].try_extract_tensor::<f32>().map_err(fail)?;
        Ok(audio.to_vec())
    }
}
