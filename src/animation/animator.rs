//! The animation stage: speech and idle behaviour → one [`FacePose`] per instant.

use crate::clock::SampleTime;
use crate::speech::Utterance;
use crate::visemes::VisemeTimeline;

use super::compose::{Layers, compose};
use super::expression::{ExpressionTrack, FacialExpression};
use super::eyes::EyeLife;
use super::idle::IdleMotion;
use super::presence::{PresenceState, PresenceTrack};
use super::viseme_track::{TrackSample, VisemeTrack};
use super::{AnimationParams, FacePose};

/// What the avatar is doing at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityState {
    Idle,
    Speaking,
}

/// Drives a face from viseme timelines plus seeded idle behaviour (blinks,
/// gaze, sway, breathing), the conversation's presence state (listening,
/// thinking) and per-sentence expressions. A state machine driven by sample
/// time: inputs are
/// pushed, `sample(t)` is a pure function of them and `t`, so the same seed
/// and inputs give the same poses on every run.
///
/// ```
/// use avatarcast::animation::{AnimationParams, Animator};
/// use avatarcast::clock::{FrameRate, SampleTime};
/// let animator = Animator::new(42, AnimationParams::default());
/// let fps = FrameRate::new(30, 1);
/// let poses: Vec<_> = (0..30).map(|i| animator.sample(fps.frame_time(i))).collect();
/// assert_eq!(poses[3], animator.sample(fps.frame_time(3)));
/// ```
#[derive(Debug, Clone)]
pub struct Animator {
    params: AnimationParams,
    track: VisemeTrack,
    eyes: EyeLife,
    idle: IdleMotion,
    presence: PresenceTrack,
    expressions: ExpressionTrack,
}

impl Animator {
    pub fn new(seed: u64, params: AnimationParams) -> Self {
        Animator {
            track: VisemeTrack::new(&params),
            eyes: EyeLife::new(
                seed,
                params.blinks_per_min,
                params.blink_duration,
                params.gaze_range_rad,
            ),
            idle: IdleMotion::new(
                seed,
                params.head_sway_rad,
                params.breaths_per_min,
                params.breath_depth_rad,
            ),
            presence: PresenceTrack::new(seed, params.presence_fade),
            expressions: ExpressionTrack::new(
                params.expression_attack,
                params.expression_release,
                params.expression_strength,
            ),
            params,
        }
    }

    pub fn params(&self) -> &AnimationParams {
        &self.params
    }

    /// Schedules an utterance whose first audio sample plays at stream time
    /// `start`. `timeline` is on the utterance's clock (as
    /// `VisemeTimeline::from_phonemes` makes it); `loudness` is
    /// `Utterance::loudness_envelope(hop)`.
    pub fn push_utterance(
        &mut self,
        start: SampleTime,
        timeline: VisemeTimeline,
        loudness: Vec<f32>,
        hop: SampleTime,
    ) {
        self.track.push(start, &timeline, &loudness, hop);
    }

    /// Convenience for the engine: maps `utterance`'s phonemes to visemes and
    /// schedules them with its loudness (10 ms hops), starting at `start`.
    pub fn push_speech(&mut self, start: SampleTime, utterance: &Utterance) {
        let hop = SampleTime(u64::from(crate::clock::SAMPLE_RATE_HZ) / 100);
        let timeline = VisemeTimeline::from_phonemes(utterance.lang, &utterance.phonemes);
        self.push_utterance(start, timeline, utterance.loudness_envelope(hop), hop);
    }

    /// The pose shown by the frame stamped `t`. Does not allocate.
    pub fn sample(&self, t: SampleTime) -> FacePose {
        let speech: TrackSample = self.track.sample(t);
        let body = self.idle.at(t, speech.speaking, speech.emphasis);
        let layers = Layers {
            presence: self.presence.sample(t),
            expression: self.expressions.sample(t),
            blink: self.eyes.closure(t),
            glance: self.eyes.gaze().at(t),
            body,
            speech,
        };
        compose(&self.params, &layers)
    }

    /// Idle or speaking at `t` (speaking once the speech ramp is past half).
    pub fn state_at(&self, t: SampleTime) -> ActivityState {
        if self.track.sample(t).speaking > 0.5 {
            ActivityState::Speaking
        } else {
            ActivityState::Idle
        }
    }

    /// Forget speech that can no longer affect frames at or after `t`.
    pub fn retire_before(&mut self, t: SampleTime) {
        self.track.retire_before(t);
        self.presence.retire_before(t);
        self.expressions.retire_before(t);
    }

    /// Barge-in: the audio stops at `t`; the mouth is at rest within
    /// `params.stop_fade` (two frames at 30 fps) and queued speech is dropped.
    pub fn stop_speech_at(&mut self, t: SampleTime) {
        self.track.stop_at(t);
        self.expressions.stop_at(t);
    }

    /// Utterances still held (for metrics and tests).
    pub fn pending_utterances(&self) -> usize {
        self.track.pending()
    }

    /// From `at` on, the avatar is in `state` (listening, thinking, ...);
    /// the face cross-fades over `params.presence_fade`.
    pub fn set_presence(&mut self, at: SampleTime, state: PresenceState) {
        self.presence.set(at, state);
    }

    /// The presence state at `t`: `Speaking` while speech plays, else the
    /// state last set.
    pub fn presence_at(&self, t: SampleTime) -> PresenceState {
        if self.track.sample(t).speaking > 0.5 {
            PresenceState::Speaking
        } else {
            match self.presence.state_at(t) {
                PresenceState::Speaking => PresenceState::Idle,
                s => s,
            }
        }
    }

    /// Wear `expression` from `start` to `end` (a sentence's audio), faded
    /// in and out over `params.expression_attack` / `expression_release`.
    pub fn push_expression(
        &mut self,
        start: SampleTime,
        end: SampleTime,
        expression: FacialExpression,
    ) {
        self.expressions.push(start, end, expression);
    }
}
