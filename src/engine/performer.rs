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
use crate::visemes::VisemeTimeline;

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
        })
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

    /// Schedules audio that was synthesised elsewhere (e.g. on another thread).
    pub fn schedule(&mut self, utterance: Utterance, start: SampleTime) -> &ScheduledUtterance {
        let timeline = VisemeTimeline::from_phonemes(utterance.lang, &utterance.phonemes);
        let loudness = utterance.loudness_envelope(LOUDNESS_HOP);
        self.animator
            .push_utterance(start, timeline, loudness, LOUDNESS_HOP);
        self.utterances
            .push(ScheduledUtterance { start, utterance });
        let last = self.utterances.len() - 1;
        &self.utterances[last]
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
        let face = self.animator.sample(t);
        self.mapper.map(&face, &mut self.pose);
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
