//! The performer: one avatar that speaks. Text goes in with the audio-clock
//! time it should start; poses and audio come out for any time. Sans-IO:
//! the MP4 writer, the live stream and the kiosk window each call it with
//! their own notion of "now".

use std::sync::Arc;

use crate::animation::{
    AnimationParams, Animator, AvatarPose, ClipPlayer, FacialExpression, PoseMapper, PresenceState,
};
use crate::avatar::Avatar;
use crate::clock::SampleTime;
use crate::speech::{Speech, SpeechRequest, Utterance};
use crate::visemes::audio::{EstimatorSettings, VisemeModel, timeline_from_pcm};
use crate::visemes::external::ArkitFrameTrack;
use crate::visemes::{Viseme, VisemeCue, VisemeTimeline};

use super::EngineError;

/// Per-performer knobs. The seed makes idle motion and blinks replayable.
#[derive(Debug, Clone)]
pub struct PerformerSettings {
    pub seed: u64,
    pub animation: AnimationParams,
}

impl Default for PerformerSettings {
    fn default() -> Self {
        PerformerSettings {
            seed: 1,
            animation: AnimationParams::default(),
        }
    }
}

/// An utterance placed on the audio clock.
#[derive(Debug, Clone)]
pub struct ScheduledUtterance {
    pub start: SampleTime,
    pub utterance: Utterance,
}

impl ScheduledUtterance {
    pub fn end(&self) -> SampleTime {
        self.start + self.utterance.duration()
    }
}

/// Loudness is tracked in 10 ms hops: fine enough for syllables, cheap to keep.
const LOUDNESS_HOP: SampleTime = SampleTime(480);

/// Samples faded out before an interruption's cut: 5 ms, short enough to
/// sound like a stop, long enough not to click.
const INTERRUPT_FADE: usize = 240;

pub struct Performer {
    speech: Arc<dyn Speech>,
    animator: Animator,
    mapper: PoseMapper,
    utterances: Vec<ScheduledUtterance>,
    pose: AvatarPose,
    clips: ClipPlayer,
    /// Lip-syncs speech that comes without phonemes: the built-in model, or
    /// `$AVATARCAST_LIPSYNC_MODEL`; `None` when that file cannot be used
    /// (then the jaw follows the loudness alone).
    audio_model: Option<Arc<VisemeModel>>,
    /// ARKit blend-shape tracks that drive the mouth instead of visemes,
    /// each with the stream time of its frame 0.
    arkit: Vec<(SampleTime, ArkitFrameTrack)>,
}

impl Performer {
    pub fn new(
        avatar: &Avatar,
        speech: Arc<dyn Speech>,
        settings: &PerformerSettings,
    ) -> Result<Performer, EngineError> {
        Ok(Performer {
            speech,
            animator: Animator::new(settings.seed, settings.animation.clone()),
            mapper: PoseMapper::new(avatar)?,
            utterances: Vec::new(),
            pose: AvatarPose::rest(avatar),
            clips: ClipPlayer::new(avatar),
            audio_model: match VisemeModel::load_default() {
                Ok(model) => Some(Arc::new(model)),
                Err(e) => {
                    tracing::warn!("audio-only lip-sync falls back to loudness: {e}");
                    None
                }
            },
            arkit: Vec::new(),
        })
    }

    /// Uses `model` for speech that comes without phonemes (instead of
    /// [`VisemeModel::load_default`]'s).
    pub fn set_audio_model(&mut self, model: Arc<VisemeModel>) {
        self.audio_model = Some(model);
    }

    /// Synthesises `request` and schedules it to start at `start`. An
    /// emotion tag in the text (`[smile] Happy to help.`) is not spoken: the
    /// face wears it for the sentence.
    pub fn say(
        &mut self,
        request: &SpeechRequest,
        start: SampleTime,
    ) -> Result<&ScheduledUtterance, EngineError> {
        let (request, tags) = super::presence::strip_tags(request);
        let utterance = self.speech.synthesize(&request)?;
        let end = start + utterance.duration();
        if let Some(expression) = tags.expression {
            self.animator.push_expression(start, end, expression);
        }
        for gesture in &tags.gestures {
            self.clips.play(&[gesture], start);
        }
        Ok(self.schedule(utterance, start))
    }

    /// Schedules audio that was synthesised elsewhere (e.g. on another
    /// thread). Speech with phonemes is lip-synced from them; speech without
    /// (a cloud voice, a recording) from its sound by the audio-only
    /// estimator.
    pub fn schedule(&mut self, utterance: Utterance, start: SampleTime) -> &ScheduledUtterance {
        let timeline = if utterance.phonemes.is_empty() {
            self.estimate_timeline(&utterance.pcm)
        } else {
            VisemeTimeline::from_phonemes(utterance.lang, &utterance.phonemes)
        };
        self.schedule_with_timeline(utterance, timeline, start)
    }

    /// Schedules audio with visemes that came with it (another TTS engine's
    /// viseme events, a timeline file). `timeline` is on the utterance's
    /// clock: 0 is its first sample.
    pub fn schedule_with_timeline(
        &mut self,
        utterance: Utterance,
        timeline: VisemeTimeline,
        start: SampleTime,
    ) -> &ScheduledUtterance {
        let loudness = utterance.loudness_envelope(LOUDNESS_HOP);
        self.animator
            .push_utterance(start, timeline, loudness, LOUDNESS_HOP);
        self.utterances
            .push(ScheduledUtterance { start, utterance });
        let last = self.utterances.len() - 1;
        &self.utterances[last]
    }

    /// Schedules audio whose mouth is given as ARKit blend-shape frames
    /// (frame 0 at the utterance's first sample). The frames drive the jaw,
    /// lips and tongue; blinks, gaze, brows and head stay the animator's,
    /// which still sees where the voice is (for its speaking state).
    pub fn schedule_with_arkit(
        &mut self,
        utterance: Utterance,
        track: ArkitFrameTrack,
        start: SampleTime,
    ) -> &ScheduledUtterance {
        self.arkit.push((start, track));
        let timeline = loudness_timeline(&utterance.pcm);
        self.schedule_with_timeline(utterance, timeline, start)
    }

    /// Visemes for speech that has no phonemes: the audio model's estimate,
    /// or (model missing) an open jaw wherever there is voice.
    fn estimate_timeline(&self, pcm: &[f32]) -> VisemeTimeline {
        match &self.audio_model {
            Some(model) => timeline_from_pcm(model, &EstimatorSettings::default(), pcm),
            None => {
                tracing::warn!(
                    "speech without phonemes and no usable audio lip-sync model: the jaw \
                     follows the loudness only; fix or unset AVATARCAST_LIPSYNC_MODEL"
                );
                loudness_timeline(pcm)
            }
        }
    }

    /// The end of the last scheduled utterance (zero when none).
    pub fn speaking_until(&self) -> SampleTime {
        self.utterances
            .iter()
            .map(ScheduledUtterance::end)
            .max()
            .unwrap_or(SampleTime::ZERO)
    }

    pub fn utterances(&self) -> &[ScheduledUtterance] {
        &self.utterances
    }

    /// The avatar's pose for the frame that shows audio sample `t`.
    pub fn pose_at(&mut self, t: SampleTime) -> &AvatarPose {
        let mut face = self.animator.sample(t);
        // ARKit frames lead the audio like visemes do.
        let visual = t + self.animator.params().lead;
        let arkit = self.arkit.iter().find_map(|(start, track)| {
            (visual >= *start)
                .then(|| track.frame_at(visual - *start))
                .flatten()
        });
        if let Some(frame) = arkit {
            face.visemes = self.mapper.arkit_visemes(frame);
        }
        self.mapper.map(&face, &mut self.pose);
        if let Some(frame) = arkit {
            self.mapper.apply_arkit_mouth(frame, &mut self.pose);
        }
        self.clips.apply(t, &mut self.pose);
        &self.pose
    }

    /// Mixes the scheduled speech that falls in `[from, from + out.len())`
    /// into `out` (silence elsewhere).
    pub fn mix_audio(&self, from: SampleTime, out: &mut [f32]) {
        out.fill(0.0);
        let to = from.0 + out.len() as u64;
        for s in &self.utterances {
            let (start, end) = (s.start.0, s.end().0);
            if end <= from.0 || start >= to {
                continue;
            }
            let lo = start.max(from.0);
            let hi = end.min(to);
            let src = &s.utterance.pcm[(lo - start) as usize..(hi - start) as usize];
            let dst = &mut out[(lo - from.0) as usize..(hi - from.0) as usize];
            for (d, x) in dst.iter_mut().zip(src) {
                *d = (*d + x).clamp(-1.0, 1.0);
            }
        }
    }

    /// Barge-in: the audio stops at `t` (the first sample not yet sent) and
    /// the mouth is at rest within `stop_fade` (under two frames at 25 fps).
    /// Speech after `t` is dropped; a short fade-out before `t` avoids a click.
    pub fn interrupt_at(&mut self, t: SampleTime) {
        self.animator.stop_speech_at(t);
        self.clips.stop_at(t);
        self.utterances.retain(|s| s.start < t);
        self.arkit.retain(|(start, _)| *start < t);
        for (start, track) in &mut self.arkit {
            let keep = crate::clock::FrameRate::new(
                crate::visemes::external::arkit_frames::ARKIT_FRAME_RATE_HZ,
                1,
            )
            .frame_at(t - *start);
            track.frames.truncate(keep as usize);
        }
        for s in &mut self.utterances {
            let keep = (t.0 - s.start.0) as usize;
            if keep >= s.utterance.pcm.len() {
                continue;
            }
            s.utterance.pcm.truncate(keep);
            let fade = INTERRUPT_FADE.min(keep);
            let tail = keep - fade;
            for (i, x) in s.utterance.pcm[tail..].iter_mut().enumerate() {
                *x *= 1.0 - (i + 1) as f32 / fade as f32;
            }
        }
    }

    /// Forget animation inputs that only affect frames before `t`.
    pub fn retire_before(&mut self, t: SampleTime) {
        self.animator.retire_before(t);
        self.clips.retire_before(t);
        self.utterances.retain(|s| s.end() > t);
        self.arkit
            .retain(|(start, track)| *start + track.duration() > t);
    }
}

/// Presence hooks: conversation state and expressions (see `presence.rs`).
impl Performer {
    /// From `at` on the avatar is listening, thinking, ... (cross-faded).
    pub fn set_presence(&mut self, at: SampleTime, state: PresenceState) {
        self.animator.set_presence(at, state);
    }

    /// The face wears `expression` over `[start, end)` of the audio clock.
    pub fn push_expression(
        &mut self,
        start: SampleTime,
        end: SampleTime,
        expression: FacialExpression,
    ) {
        self.animator.push_expression(start, end, expression);
    }

    pub fn animator(&self) -> &Animator {
        &self.animator
    }

    /// Plays the avatar's first clip matching one of `names` (e.g.
    /// `["greeting", "wave"]`) once from `at`; `false` when it has none.
    pub fn play_gesture(&mut self, names: &[&str], at: SampleTime) -> bool {
        self.clips.play(names, at)
    }
}

/// Loudness hops (10 ms) at least this far below the loudest count as silence.
const VOICE_FLOOR_DB: f32 = -30.0;

/// The fallback without an audio model: `aa` wherever the voice is on (the
/// animation scales it by loudness), silence elsewhere; gaps and bursts
/// under 100 ms are bridged or dropped so the jaw does not chatter.
fn loudness_timeline(pcm: &[f32]) -> VisemeTimeline {
    let hop = LOUDNESS_HOP.0 as usize;
    let rms: Vec<f32> = pcm
        .chunks(hop)
        .map(|c| (c.iter().map(|x| x * x).sum::<f32>() / c.len() as f32).sqrt())
        .collect();
    let peak = rms.iter().copied().fold(0.0f32, f32::max);
    let floor = peak * 10f32.powf(VOICE_FLOOR_DB / 20.0);
    let mut cues: Vec<VisemeCue> = Vec::new();
    for (i, r) in rms.iter().enumerate() {
        let viseme = if peak > 0.0 && *r > floor {
            Viseme::Aa
        } else {
            Viseme::Sil
        };
        let start = SampleTime((i * hop) as u64);
        let end = SampleTime(((i + 1) * hop).min(pcm.len()) as u64);
        match cues.last_mut() {
            Some(last) if last.viseme == viseme => last.end = end,
            _ => cues.push(VisemeCue {
                viseme,
                start,
                end,
                weight: 1.0,
            }),
        }
    }
    // Ten hops: runs shorter than 100 ms take their predecessor's shape.
    let mut merged: Vec<VisemeCue> = Vec::new();
    for cue in cues {
        let short = (cue.end - cue.start) < SampleTime(LOUDNESS_HOP.0 * 10);
        match merged.last_mut() {
            Some(last) if short || last.viseme == cue.viseme => last.end = cue.end,
            _ => merged.push(cue),
        }
    }
    VisemeTimeline { cues: merged }
}
