//! A session's media (clock) thread: the [`LiveDriver`] paced by the wall
//! clock, Opus encoding, and frame jobs for the render thread
//! ([`super::frames`]). One std thread each per session, never the async
//! reactor. Everything is stamped with the audio clock; if rendering falls
//! behind, frames are dropped (and counted) while audio keeps flowing
//! every 20 ms: audio is the clock.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use tokio::sync::mpsc::Sender;
use tokio::sync::mpsc::error::TrySendError;

use crate::animation::{AnimationParams, FacialExpression};
use crate::avatar::Avatar;
use crate::clock::{FrameRate, SampleTime};
use crate::encode::{AudioCodec, AudioEncoder};
use crate::engine::{
    LiveDriver, LiveEvent, LiveOutput, LiveSettings, Performer, PerformerSettings,
};
use crate::speech::{Speech, Utterance};

use super::ServeError;
use super::frames::{self, FrameJob, Mailbox, RenderSetup};
use super::metrics::Metrics;

/// What the session asks of its media thread.
pub enum MediaCommand {
    /// The peer is connected: the clock starts and the first frame is an IDR.
    Start,
    BeginReply {
        id: u64,
        received: Instant,
    },
    Sentence {
        id: u64,
        text: String,
        utterance: Utterance,
        /// The dialog's emotion tag for the sentence, worn while it plays.
        expression: Option<FacialExpression>,
    },
    /// The visitor is typing: listen (unless a reply is under way).
    Typing,
    FinishReply {
        id: u64,
    },
    Interrupt,
    Keyframe,
    Stop,
}

/// What the media thread hands to the network side.
pub enum MediaOut {
    /// One H.264 access unit (Annex B) for the frame showing sample `time`.
    Video {
        annexb: Vec<u8>,
        time: SampleTime,
    },
    /// One 20 ms Opus packet whose first decoded sample is input sample
    /// `pts` (negative for the encoder's priming).
    Audio {
        opus: Vec<u8>,
        pts: i64,
    },
    Event(LiveEvent),
    /// Reply `id`'s latency from its text to its first audio packet (for
    /// benchmarks; the metrics have it too).
    FirstAudio {
        id: u64,
        latency: Duration,
    },
    /// Reply `id`'s latency from its text to its first encoded frame.
    FirstVideo {
        id: u64,
        latency: Duration,
    },
    /// Renderer or encoder setup failed; the session ends with this message.
    Failed(String),
}

/// Everything a media thread is built from.
pub struct MediaSetup {
    pub avatar: Arc<Avatar>,
    pub speech: Arc<dyn Speech>,
    pub width: u32,
    pub height: u32,
    pub fps: FrameRate,
    pub msaa: u32,
    pub seed: u64,
    /// How the face moves (the config's `[animation]` table).
    pub animation: AnimationParams,
    pub metrics: Arc<Metrics>,
    pub pool: Option<Arc<super::frames::RendererPool>>,
}

/// Opus at 32 kbit/s: transparent for a single synthetic voice.
const OPUS_BITRATE_BPS: u32 = 32_000;

/// Runs until `Stop`, a closed command channel or a closed output channel;
/// the render thread it starts is joined before it returns.
pub fn run(setup: MediaSetup, commands: Receiver<MediaCommand>, out: Sender<MediaOut>) {
    if let Err(e) = run_inner(&setup, &commands, &out) {
        tracing::warn!("session media stopped: {e}");
        let _ = out.try_send(MediaOut::Failed(e.to_string()));
    }
}

/// The reply whose first packet and frame are awaited.
struct Pending {
    id: u64,
    received: Instant,
    audio_seen: bool,
    video_posted: bool,
}

fn run_inner(
    setup: &MediaSetup,
    commands: &Receiver<MediaCommand>,
    out: &Sender<MediaOut>,
) -> Result<(), ServeError> {
    let performer = Performer::new(
        &setup.avatar,
        Arc::clone(&setup.speech),
        &PerformerSettings {
            seed: setup.seed,
            animation: setup.animation.clone(),
        },
    )?;
    let driver = LiveDriver::new(
        performer,
        LiveSettings {
            fps: setup.fps,
            ..LiveSettings::default()
        },
    );
    let opus = AudioEncoder::new(AudioCodec::Opus, OPUS_BITRATE_BPS)?;
    let mailbox = Arc::new(Mailbox::default());
    let render = RenderSetup {
        avatar: Arc::clone(&setup.avatar),
        width: setup.width,
        height: setup.height,
        fps: setup.fps,
        msaa: setup.msaa,
        metrics: Arc::clone(&setup.metrics),
        pool: setup.pool.clone(),
    };
    let render_thread = {
        let (mailbox, out) = (Arc::clone(&mailbox), out.clone());
        std::thread::Builder::new()
            .name("render".into())
            .spawn(move || frames::run(render, mailbox, out))
            .map_err(|e| ServeError::Thread(e.to_string()))?
    };
    let mut stream = Stream {
        driver,
        opus,
        mailbox: Arc::clone(&mailbox),
        pending: None,
        force_keyframe: true,
        prerendered: None,
    };
    let result = stream.wait_and_run(setup, commands, out);
    // The renderer and its GPU buffers go with the render thread.
    mailbox.close();
    let _ = render_thread.join();
    // Drain the codec so libopus does not warn about queued frames.
    let _ = stream.opus.finish();
    result
}

/// The streaming state of a session.
struct Stream {
    driver: LiveDriver,
    opus: AudioEncoder,
    mailbox: Arc<Mailbox>,
    pending: Option<Pending>,
    force_keyframe: bool,
    /// The frame rendered before the peer connected; the clock skips it.
    prerendered: Option<SampleTime>,
}

impl Stream {
    /// Waits for `Start`, then paces the driver by the wall clock until
    /// `Stop` or a closed channel.
    fn wait_and_run(
        &mut self,
        setup: &MediaSetup,
        commands: &Receiver<MediaCommand>,
        out: &Sender<MediaOut>,
    ) -> Result<(), ServeError> {
        // The first frame does not depend on the network: render and encode
        // it (an IDR) while ICE and DTLS run, so that it leaves the moment
        // the peer connects instead of a render + encode later.
        let first = SampleTime::ZERO;
        let job = FrameJob {
            time: first,
            pose: self.driver.pose_at(first).clone(),
            force_keyframe: std::mem::take(&mut self.force_keyframe),
            first_of_reply: None,
        };
        self.mailbox.post(job);
        self.prerendered = Some(first);
        loop {
            match commands.recv() {
                Ok(MediaCommand::Start) => break,
                Ok(MediaCommand::Stop) | Err(_) => return Ok(()),
                Ok(_) => {} // nothing is said before the peer connects
            }
        }
        // Frame 0 is the first the visitor sees: greet from there.
        self.driver.greet();
        let epoch = Instant::now();
        loop {
            let wake = epoch + Duration::from_secs_f64(self.driver.next_wake().as_secs_f64());
            let wait = wake.saturating_duration_since(Instant::now());
            let mut next = match commands.recv_timeout(wait) {
                Ok(cmd) => Some(cmd),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            };
            while let Some(cmd) = next {
                if !self.command(cmd) {
                    return Ok(());
                }
                next = commands.try_recv().ok();
            }
            let now = SampleTime::from_secs_f64(epoch.elapsed().as_secs_f64());
            if !self.tick(now, setup, out)? {
                return Ok(());
            }
        }
    }

    /// Applies a command; `false` on `Stop`.
    fn command(&mut self, cmd: MediaCommand) -> bool {
        match cmd {
            MediaCommand::Start => {}
            MediaCommand::Stop => return false,
            MediaCommand::BeginReply { id, received } => {
                self.driver.begin_reply(id);
                self.pending = Some(Pending {
                    id,
                    received,
                    audio_seen: false,
                    video_posted: false,
                });
            }
            MediaCommand::Sentence {
                id,
                text,
                utterance,
                expression,
            } => {
                self.driver
                    .push_expressive_sentence(id, &text, utterance, expression);
            }
            MediaCommand::Typing => self.driver.visitor_typing(),
            MediaCommand::FinishReply { id } => self.driver.finish_reply(id),
            MediaCommand::Interrupt => self.driver.interrupt(),
            MediaCommand::Keyframe => self.force_keyframe = true,
        }
        true
    }

    /// Sends what is due at `now`; `false` when the network side is gone.
    fn tick(
        &mut self,
        now: SampleTime,
        setup: &MediaSetup,
        out: &Sender<MediaOut>,
    ) -> Result<bool, ServeError> {
        let metrics = &setup.metrics;
        self.driver.advance_to(now);
        let mut due = None;
        while let Some(output) = self.driver.poll_output() {
            match output {
                LiveOutput::Audio { start, pcm } => {
                    for packet in self.opus.encode(&pcm)? {
                        let audio = MediaOut::Audio {
                            opus: packet.data,
                            pts: packet.pts_samples,
                        };
                        if !send(out, audio)? {
                            return Ok(false);
                        }
                        Metrics::add(&metrics.audio_packets, 1);
                    }
                    let end = start + SampleTime(pcm.len() as u64);
                    if let Some(p) = self.pending.as_mut().filter(|p| !p.audio_seen)
                        && self.driver.reply_start(p.id).is_some_and(|s| s < end)
                    {
                        p.audio_seen = true;
                        let latency = p.received.elapsed();
                        metrics.text_to_first_audio.observe(latency);
                        if !send(out, MediaOut::FirstAudio { id: p.id, latency })? {
                            return Ok(false);
                        }
                    }
                }
                LiveOutput::Frame { time, .. } if self.prerendered == Some(time) => {
                    self.prerendered = None;
                }
                LiveOutput::Frame { time, .. } => {
                    // Only the newest due frame is worth rendering.
                    if due.replace(time).is_some() {
                        Metrics::add(&metrics.frames_dropped, 1);
                    }
                }
                LiveOutput::Event(event) => {
                    if !send(out, MediaOut::Event(event))? {
                        return Ok(false);
                    }
                }
            }
        }
        if let Some(time) = due {
            let mut first_of_reply = None;
            if let Some(p) = self.pending.as_mut().filter(|p| !p.video_posted)
                && self.driver.reply_start(p.id).is_some_and(|s| s <= time)
            {
                p.video_posted = true;
                first_of_reply = Some((p.id, p.received));
            }
            let job = FrameJob {
                time,
                pose: self.driver.pose_at(time).clone(),
                force_keyframe: std::mem::take(&mut self.force_keyframe),
                first_of_reply,
            };
            if self.mailbox.post(job) {
                // The render thread is still busy with an older frame.
                Metrics::add(&metrics.frames_dropped, 1);
            }
        }
        Ok(true)
    }
}

/// Events and audio must not be lost: a full queue means the network side
/// is hopelessly behind, so the session stops. `false`: the receiver is gone.
fn send(out: &Sender<MediaOut>, item: MediaOut) -> Result<bool, ServeError> {
    match out.try_send(item) {
        Ok(()) => Ok(true),
        Err(TrySendError::Full(_)) => Err(ServeError::Stalled),
        Err(TrySendError::Closed(_)) => Ok(false),
    }
}
