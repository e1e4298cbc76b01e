//! The causal estimator: 48 kHz PCM chunks in, one viseme decision per
//! 16 ms frame out, each stamped with the time it describes.
//!
//! Per frame: a voice gate on the frame's loudness (hysteresis, so a
//! syllable's quiet tail does not flicker to silence), the model's class
//! while the gate is open (it may read a few frames either side), then a
//! majority vote over the last `vote_frames` decisions. The vote is centred
//! too, so a decision is stamped some frames before the newest frame; with
//! the analysis window's own delay this is the estimator's look-ahead
//! ([`AudioVisemeEstimator::look_ahead`], 64.5 ms with the built-in model).

use std::collections::VecDeque;
use std::sync::Arc;

use crate::clock::SampleTime;
use crate::visemes::Viseme;

use super::features::{FRAME_STEP, FeatureFrame, FeatureStream};
use super::linear::{FRAME_VALUES, frame_values};
use super::mfcc::REFERENCE_PITCH_HZ;
use super::model::VisemeModel;

/// The estimator's knobs, with headaudio's defaults where it has them.
#[derive(Debug, Clone, PartialEq)]
pub struct EstimatorSettings {
    /// Mean pitch of the voice; stretches the mel scale (150 Hz: as trained).
    pub speaker_pitch_hz: f32,
    /// Silence's Mahalanobis distance is divided by this (headaudio: 1.2).
    pub silence_bias: f32,
    /// Frames in the majority vote (odd; 1 disables it). Each extra pair adds
    /// 16 ms of look-ahead and removes one-frame flickers.
    pub vote_frames: usize,
    /// The gate opens when a frame is louder than this (dB, 10·log10 of
    /// the block power as [`MfccFrame::log_energy`](super::MfccFrame) defines it)…
    pub gate_open_db: f32,
    /// …and closes when it falls below this.
    pub gate_close_db: f32,
}

impl Default for EstimatorSettings {
    fn default() -> Self {
        EstimatorSettings {
            speaker_pitch_hz: REFERENCE_PITCH_HZ,
            silence_bias: 1.2,
            vote_frames: 3,
            gate_open_db: -50.0,
            gate_close_db: -60.0,
        }
    }
}

/// One decision of the estimator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VisemeFrame {
    /// The instant it describes, on the input's 48 kHz clock; frames are
    /// [`FRAME_STEP`] (16 ms) apart.
    pub time: SampleTime,
    /// The voted viseme ([`Viseme::Sil`] while the gate is closed).
    pub viseme: Viseme,
    /// Loudness of the frame at `time`, dB (see `gate_open_db`).
    pub loudness_db: f32,
}

/// Audio → visemes for speech that comes with no timing (operator voices,
/// cloud TTS, any language). Sans-IO: feed 48 kHz mono chunks in order with
/// [`push`](Self::push), take decisions with [`poll`](Self::poll).
///
/// ```
/// use std::sync::Arc;
/// use avatarcast::visemes::Viseme;
/// use avatarcast::visemes::audio::{AudioVisemeEstimator, EstimatorSettings, VisemeModel};
/// let model = Arc::new(VisemeModel::builtin());
/// let mut estimator = AudioVisemeEstimator::new(model, EstimatorSettings::default());
/// estimator.push(&vec![0.0; 4800]); // 100 ms of silence, as it arrives
/// estimator.finish();
/// while let Some(frame) = estimator.poll() {
///     assert_eq!(frame.viseme, Viseme::Sil);
/// }
/// ```
#[derive(Debug, Clone)]
pub struct AudioVisemeEstimator {
    model: Arc<VisemeModel>,
    settings: EstimatorSettings,
    features: FeatureStream,
    gate_open: bool,
    /// Frames around the one being classified, oldest first, with their
    /// model inputs and whether the gate was open.
    context: VecDeque<(FeatureFrame, [f32; FRAME_VALUES], bool)>,
    inputs: Vec<f32>,
    /// The last `vote_frames` raw decisions with their frames, oldest first.
    recent: VecDeque<(Viseme, FeatureFrame)>,
    ready: VecDeque<VisemeFrame>,
}

impl AudioVisemeEstimator {
    pub fn new(model: Arc<VisemeModel>, settings: EstimatorSettings) -> Self {
        let mut settings = settings;
        // An even window has no centre; round up rather than fail.
        settings.vote_frames = settings.vote_frames.max(1) | 1;
        AudioVisemeEstimator {
            features: FeatureStream::new(settings.speaker_pitch_hz),
            model,
            gate_open: false,
            context: VecDeque::new(),
            inputs: Vec::new(),
            recent: VecDeque::with_capacity(settings.vote_frames),
            ready: VecDeque::new(),
            settings,
        }
    }

    /// How much audio after an instant the decision for it depends on.
    pub fn look_ahead(&self) -> SampleTime {
        let frames = self.settings.vote_frames / 2 + self.model.context().1;
        FeatureStream::latency() + SampleTime(FRAME_STEP.0 * frames as u64)
    }

    /// Feeds the next chunk of 48 kHz mono PCM.
    pub fn push(&mut self, pcm: &[f32]) {
        let Self {
            model,
            settings,
            features,
            gate_open,
            context,
            inputs,
            recent,
            ready,
        } = self;
        let (past, future) = model.context();
        features.push(pcm, |frame| {
            let loudness_db = 10.0 * frame.mfcc.log_energy;
            *gate_open = if *gate_open {
                loudness_db >= settings.gate_close_db
            } else {
                loudness_db > settings.gate_open_db
            };
            let entry = (frame, frame_values(&frame), *gate_open);
            if context.is_empty() {
                // Before the first frame, the first frame repeated.
                context.extend(std::iter::repeat_n(entry, past));
            }
            context.push_back(entry);
            if context.len() < past + 1 + future {
                return;
            }
            let (centre, _, open) = context[past];
            let raw = if !open {
                Viseme::Sil
            } else {
                match model.as_ref() {
                    VisemeModel::Prototypes(p) => {
                        p.nearest(&centre.mfcc.coeffs, settings.silence_bias)
                    }
                    VisemeModel::Linear(l) => {
                        inputs.clear();
                        inputs.extend(context.iter().flat_map(|(_, v, _)| v.iter().copied()));
                        l.classify(inputs)
                    }
                }
            };
            context.pop_front();
            if recent.len() == settings.vote_frames {
                recent.pop_front();
            }
            recent.push_back((raw, centre));
            // The decision is for the vote window's centre frame; the first
            // frames are voted on with what follows them only.
            let Some(at) = recent.len().checked_sub(settings.vote_frames / 2 + 1) else {
                return;
            };
            let (_, at) = recent[at];
            ready.push_back(VisemeFrame {
                time: at.centre,
                viseme: majority(recent),
                loudness_db: 10.0 * at.mfcc.log_energy,
            });
        });
    }

    /// The end of the input: pushes silence through so the last frames'
    /// decisions come out.
    pub fn finish(&mut self) {
        let tail = vec![0.0f32; self.look_ahead().0 as usize + FRAME_STEP.0 as usize];
        self.push(&tail);
    }

    /// The next decision, oldest first.
    pub fn poll(&mut self) -> Option<VisemeFrame> {
        self.ready.pop_front()
    }
}

/// The most frequent viseme; a tie goes to the one decided most recently.
fn majority(recent: &VecDeque<(Viseme, FeatureFrame)>) -> Viseme {
    let mut counts = [0u8; Viseme::COUNT];
    for (v, _) in recent {
        counts[*v as usize] += 1;
    }
    let best = counts.iter().copied().max().unwrap_or(0);
    recent
        .iter()
        .rev()
        .map(|(v, _)| *v)
        .find(|v| counts[*v as usize] == best)
        .unwrap_or(Viseme::Sil)
}
