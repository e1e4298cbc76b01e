//! The live driver: the [`Performer`] fed by a conversation and sampled by a
//! stream. Sans-IO in the str0m style: the caller says what time the audio
//! clock shows ([`LiveDriver::advance_to`]), then drains
//! [`LiveDriver::poll_output`] for 20 ms audio chunks, frame times and
//! conversation events, and sleeps until [`LiveDriver::next_wake`]. No
//! threads, sockets or wall clock here: `serve/session.rs` owns those.
//!
//! A reply ("utterance" on the wire) is the spoken answer to one customer
//! message: its sentences are queued back to back as they arrive, each one
//! starting at `max(now + lead, end of the previous)`. Subtitle times are on
//! the utterance's own clock: 0 is its first audio sample.

use std::collections::VecDeque;

use crate::animation::{AvatarPose, FacialExpression, PresenceState};
use crate::clock::{FrameRate, SampleTime};
use crate::speech::Utterance;

use super::Performer;

/// What the avatar is doing, as the client's state indicator shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveState {
    Idle,
    /// The visitor is typing (or speaking): the avatar nods and looks at them.
    Listening,
    /// A question arrived; no answer audio is playing yet.
    Thinking,
    Speaking,
}

impl LiveState {
    pub fn as_str(self) -> &'static str {
        match self {
            LiveState::Idle => "idle",
            LiveState::Listening => "listening",
            LiveState::Thinking => "thinking",
            LiveState::Speaking => "speaking",
        }
    }
}

/// Conversation events, in the order the client should see them.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveEvent {
    State(LiveState),
    /// A sentence starts playing now; times are ms on the utterance's clock.
    Subtitle {
        utterance: u64,
        text: String,
        start_ms: u64,
        end_ms: u64,
    },
    /// The reply is over: played out, or cut by an interruption.
    SpeechEnd {
        utterance: u64,
        heard_ms: u64,
        interrupted: bool,
    },
}

/// One thing for the stream to do.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveOutput {
    /// Mono 48 kHz PCM for `[start, start + pcm.len())`; always
    /// [`LiveSettings::chunk`] long, silence included.
    Audio {
        start: SampleTime,
        pcm: Vec<f32>,
    },
    /// Render the frame that shows sample `time` ([`LiveDriver::pose_at`]).
    Frame {
        index: u64,
        time: SampleTime,
    },
    Event(LiveEvent),
}

/// Timing of the live stream.
#[derive(Debug, Clone, Copy)]
pub struct LiveSettings {
    pub fps: FrameRate,
    /// Audio chunk length: 960 samples = one 20 ms Opus frame.
    pub chunk: SampleTime,
    /// How far after "now" a sentence starts. Audio is sent once its chunk
    /// has elapsed, so the chunk holding "now" is still unsent and a
    /// sentence can start right there: 0 by default, every millisecond
    /// here is answer latency.
    pub lead: SampleTime,
}

impl Default for LiveSettings {
    fn default() -> Self {
        LiveSettings {
            fps: FrameRate::new(25, 1),
            chunk: SampleTime(960),
            lead: SampleTime::ZERO,
        }
    }
}

#[derive(Debug, Clone)]
struct Sentence {
    text: String,
    start: SampleTime,
    end: SampleTime,
    announced: bool,
}

/// The reply being spoken (or thought about).
#[derive(Debug, Clone)]
struct Reply {
    id: u64,
    sentences: Vec<Sentence>,
    /// No more sentences will come.
    complete: bool,
    speaking_announced: bool,
}

impl Reply {
    fn first_start(&self) -> Option<SampleTime> {
        self.sentences.first().map(|s| s.start)
    }
    fn end(&self) -> Option<SampleTime> {
        self.sentences.last().map(|s| s.end)
    }
}

/// Drives a [`Performer`] from the audio clock; see the module docs.
pub struct LiveDriver {
    performer: Performer,
    settings: LiveSettings,
    /// The audio clock: samples before it have been sent.
    now: SampleTime,
    /// Start of the next audio chunk to emit.
    audio_next: SampleTime,
    next_frame: u64,
    reply: Option<Reply>,
    outputs: VecDeque<LiveOutput>,
    /// Listening until this instant, renewed by every typing signal.
    listening_until: Option<SampleTime>,
}

/// A typing signal keeps the avatar listening this long: clients send one
/// about every second while keys are pressed.
pub const TYPING_HOLD: SampleTime = SampleTime(48_000 * 5 / 2);

impl LiveDriver {
    pub fn new(performer: Performer, settings: LiveSettings) -> LiveDriver {
        LiveDriver {
            performer,
            settings,
            now: SampleTime::ZERO,
            audio_next: SampleTime::ZERO,
            next_frame: 0,
            reply: None,
            outputs: VecDeque::new(),
            listening_until: None,
        }
    }

    pub fn settings(&self) -> &LiveSettings {
        &self.settings
    }

    /// The audio clock as last advanced.
    pub fn now(&self) -> SampleTime {
        self.now
    }

    /// The reply being spoken or prepared, if any.
    pub fn current_reply(&self) -> Option<u64> {
        self.reply.as_ref().map(|r| r.id)
    }

    /// When the reply `id`'s first sentence starts on the audio clock (once queued).
    pub fn reply_start(&self, id: u64) -> Option<SampleTime> {
        self.reply
            .as_ref()
            .filter(|r| r.id == id)
            .and_then(Reply::first_start)
    }

    /// A customer message arrived: reply `id` begins (the one playing, if
    /// any, is interrupted) and the state becomes `thinking`. Ids are the
    /// caller's, so the dialog worker can tag its sentences before they come.
    pub fn begin_reply(&mut self, id: u64) {
        self.interrupt();
        self.listening_until = None;
        self.reply = Some(Reply {
            id,
            sentences: Vec::new(),
            complete: false,
            speaking_announced: false,
        });
        let at = self.presence_time();
        self.performer.set_presence(at, PresenceState::Thinking);
        self.emit(LiveEvent::State(LiveState::Thinking));
    }

    /// Queues a synthesised sentence of reply `id`. Sentences of a reply that
    /// was interrupted or replaced are ignored (returns `None`); otherwise
    /// returns where it was placed on the audio clock.
    pub fn push_sentence(
        &mut self,
        id: u64,
        text: &str,
        utterance: Utterance,
    ) -> Option<SampleTime> {
        self.push_expressive_sentence(id, text, utterance, None)
    }

    /// [`LiveDriver::push_sentence`] with the expression the dialog tagged
    /// the sentence with; the face wears it while the sentence plays.
    pub fn push_expressive_sentence(
        &mut self,
        id: u64,
        text: &str,
        utterance: Utterance,
        expression: Option<FacialExpression>,
    ) -> Option<SampleTime> {
        let earliest = self.audio_next.max(self.now) + self.settings.lead;
        let reply = self.reply.as_mut().filter(|r| r.id == id && !r.complete)?;
        if utterance.pcm.is_empty() {
            return None;
        }
        let start = reply.end().map_or(earliest, |end| end.max(earliest));
        let scheduled = self.performer.schedule(utterance, start);
        let end = scheduled.end();
        self.performer.set_presence(start, PresenceState::Speaking);
        if let Some(expression) = expression {
            self.performer.push_expression(start, end, expression);
            // An avatar with a clip named like the emotion (`surprised`,
            // `happy`) plays it as the sentence starts.
            if expression != FacialExpression::Neutral {
                self.performer.play_gesture(&[expression.tag()], start);
            }
        }
        reply.sentences.push(Sentence {
            text: text.to_string(),
            start,
            end,
            announced: false,
        });
        Some(start)
    }

    /// No more sentences will come for reply `id`; it ends when its audio does.
    pub fn finish_reply(&mut self, id: u64) {
        if let Some(reply) = self.reply.as_mut().filter(|r| r.id == id) {
            reply.complete = true;
        }
        self.check_reply_end();
    }

    /// Barge-in: audio not yet sent is dropped, the mouth closes within
    /// `stop_fade`, and `speech_end` reports how much was heard. No-op when
    /// nothing is being said or prepared.
    pub fn interrupt(&mut self) {
        let Some(reply) = self.reply.take() else {
            return;
        };
        // Audio up to `audio_next` is on the wire and will be played.
        let cut = self.audio_next;
        self.performer.interrupt_at(cut);
        self.performer.set_presence(cut, PresenceState::Idle);
        let heard = match (reply.first_start(), reply.end()) {
            (Some(start), Some(end)) => cut.min(end).saturating_sub(start),
            _ => SampleTime::ZERO,
        };
        self.emit(LiveEvent::SpeechEnd {
            utterance: reply.id,
            heard_ms: heard.as_millis(),
            interrupted: true,
        });
        self.emit(LiveEvent::State(LiveState::Idle));
    }

    /// The audio clock moved to `t`: queue the audio chunks that end at or
    /// before `t`, the frames stamped at or before `t`, and the events due.
    ///
    /// Audio goes out when its chunk has elapsed, about when a frame of the
    /// same instant leaves the renderer and encoder: receivers map RTP time
    /// to wall time from when packets are sent (RTCP sender reports), so
    /// both tracks must be sent with similar delays to play in sync.
    pub fn advance_to(&mut self, t: SampleTime) {
        // Everything before the last emitted frame and audio chunk was
        // consumed by the caller: its animation inputs can go.
        let consumed = self
            .settings
            .fps
            .frame_time(self.next_frame.saturating_sub(1))
            .min(self.audio_next);
        self.performer.retire_before(consumed);
        self.now = self.now.max(t);
        if let Some(until) = self.listening_until.filter(|u| *u <= self.now) {
            self.listening_until = None;
            // Not before the next frame: frames handed out never change.
            let at = until.max(self.presence_time());
            self.performer.set_presence(at, PresenceState::Idle);
            self.emit(LiveEvent::State(LiveState::Idle));
        }
        while self.audio_next + self.settings.chunk <= self.now {
            let start = self.audio_next;
            let mut pcm = vec![0.0; self.settings.chunk.0 as usize];
            self.performer.mix_audio(start, &mut pcm);
            self.audio_next = start + self.settings.chunk;
            self.announce(start + self.settings.chunk);
            self.outputs.push_back(LiveOutput::Audio { start, pcm });
        }
        loop {
            let time = self.settings.fps.frame_time(self.next_frame);
            if time > self.now {
                break;
            }
            self.outputs.push_back(LiveOutput::Frame {
                index: self.next_frame,
                time,
            });
            self.next_frame += 1;
        }
        self.check_reply_end();
    }

    /// The next output, or `None` until the clock advances.
    pub fn poll_output(&mut self) -> Option<LiveOutput> {
        self.outputs.pop_front()
    }

    /// When the next audio chunk or frame is due on the audio clock.
    pub fn next_wake(&self) -> SampleTime {
        (self.audio_next + self.settings.chunk).min(self.settings.fps.frame_time(self.next_frame))
    }

    /// What the avatar is doing at `t` (the animation's view: `Speaking`
    /// while speech audio plays).
    pub fn presence_at(&self, t: SampleTime) -> PresenceState {
        self.performer.animator().presence_at(t)
    }

    /// The pose for a frame this driver emitted.
    pub fn pose_at(&mut self, t: SampleTime) -> &AvatarPose {
        self.performer.pose_at(t)
    }

    /// The visitor is typing (or speaking): while no reply is under way the
    /// avatar listens, for [`TYPING_HOLD`] after the last signal. During a
    /// reply it keeps thinking or speaking: typing is not a barge-in.
    pub fn visitor_typing(&mut self) {
        if self.reply.is_some() {
            return;
        }
        let at = self.presence_time();
        if self.listening_until.is_none() {
            self.performer.set_presence(at, PresenceState::Listening);
            self.emit(LiveEvent::State(LiveState::Listening));
        }
        self.listening_until = Some(at + TYPING_HOLD);
    }

    /// The session started: the avatar greets with its `greeting` (or
    /// `wave`, `hello`) clip if it has one. `false` when it has none.
    pub fn greet(&mut self) -> bool {
        let at = self.presence_time();
        self.performer
            .play_gesture(&["greeting", "greet", "wave", "hello"], at)
    }

    /// The instant a state change takes effect: the first frame not yet
    /// emitted, so frames already handed out never change.
    fn presence_time(&self) -> SampleTime {
        self.settings.fps.frame_time(self.next_frame).max(self.now)
    }

    /// Subtitles and `speaking` for sentences whose audio starts before `until`.
    fn announce(&mut self, until: SampleTime) {
        let Some(reply) = self.reply.as_mut() else {
            return;
        };
        let Some(origin) = reply.first_start() else {
            return;
        };
        let mut events = Vec::new();
        for s in reply.sentences.iter_mut().filter(|s| !s.announced) {
            if s.start >= until {
                break;
            }
            s.announced = true;
            if !reply.speaking_announced {
                reply.speaking_announced = true;
                events.push(LiveEvent::State(LiveState::Speaking));
            }
            events.push(LiveEvent::Subtitle {
                utterance: reply.id,
                text: s.text.clone(),
                start_ms: s.start.saturating_sub(origin).as_millis(),
                end_ms: s.end.saturating_sub(origin).as_millis(),
            });
        }
        for e in events {
            self.emit(e);
        }
    }

    /// A complete reply whose audio has all been sent is over.
    fn check_reply_end(&mut self) {
        let Some(reply) = self.reply.as_ref() else {
            return;
        };
        if !reply.complete {
            return;
        }
        let heard = match (reply.first_start(), reply.end()) {
            (Some(start), Some(end)) if self.audio_next >= end => end.saturating_sub(start),
            (Some(_), Some(_)) => return,
            _ => SampleTime::ZERO,
        };
        let id = reply.id;
        let end = reply.end().unwrap_or(self.audio_next);
        self.reply = None;
        self.performer.set_presence(end, PresenceState::Idle);
        self.emit(LiveEvent::SpeechEnd {
            utterance: id,
            heard_ms: heard.as_millis(),
            interrupted: false,
        });
        self.emit(LiveEvent::State(LiveState::Idle));
    }

    fn emit(&mut self, event: LiveEvent) {
        self.outputs.push_back(LiveOutput::Event(event));
    }
}

#[cfg(test)]
#[path = "live_tests.rs"]
mod tests;
