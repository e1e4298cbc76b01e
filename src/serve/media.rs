//! A session's media thread: the [`LiveDriver`] paced by the wall clock,
//! rendering (lavapipe, blocking), H.264 and Opus encoding. One std thread
//! per session, never the async reactor. Packets are stamped with the audio
//! clock; if rendering falls behind, frames are dropped (and counted) while
//! audio keeps flowing: audio is the clock.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use tokio::sync::mpsc::Sender;
use tokio::sync::mpsc::error::TrySendError;

use crate::avatar::Avatar;
use crate::clock::{FrameRate, SampleTime};
use crate::encode::{AudioCodec, AudioEncoder, H264Encoder, H264Settings};
use crate::engine::{
    LiveDriver, LiveEvent, LiveOutput, LiveSettings, Performer, PerformerSettings,
};
use crate::render::{Background, Camera, RenderSettings, Renderer};
use crate::speech::{Speech, Utterance};

use super::ServeError;
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
    },
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
    /// Reply `id`'s latencies from its text to its first audio packet and
    /// first encoded frame (for benchmarks; the metrics have them too).
    FirstMedia {
        id: u64,
        audio: Duration,
        video: Duration,
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
    pub metrics: Arc<Metrics>,
}

/// Opus at 32 kbit/s: transparent for a single synthetic voice.
const OPUS_BITRATE_BPS: u32 = 32_000;

/// Runs until `Stop`, a closed command channel or a closed output channel.
pub fn run(setup: MediaSetup, commands: Receiver<MediaCommand>, out: Sender<MediaOut>) {
    if let Err(e) = run_inner(&setup, &commands, &out) {
        tracing::warn!("session media stopped: {e}");
        let _ = out.try_send(MediaOut::Failed(e.to_string()));
    }
}

struct Pipeline {
    renderer: Renderer,
    gpu_avatar: crate::render::GpuAvatar,
    camera: Camera,
    h264: H264Encoder,
}

/// Latency bookkeeping of the reply whose first packets are awaited.
struct Pending {
    id: u64,
    received: Instant,
    /// Latency of the first audio and video showing the reply, once seen.
    audio_seen: Option<Duration>,
    video_seen: Option<Duration>,
}

fn run_inner(
    setup: &MediaSetup,
    commands: &Receiver<MediaCommand>,
    out: &Sender<MediaOut>,
) -> Result<(), ServeError> {
    let mut renderer = Renderer::new(RenderSettings {
        width: setup.width,
        height: setup.height,
        msaa_samples: setup.msaa,
        background: Background::default(),
    })?;
    let mut gpu_avatar = renderer.upload(&setup.avatar)?;
    let camera = Camera::portrait(
        &setup.avatar.framing(),
        setup.width as f32 / setup.height as f32,
        0.0,
    );
    let performer = Performer::new(
        &setup.avatar,
        Arc::clone(&setup.speech),
        &PerformerSettings {
            seed: setup.seed,
            ..PerformerSettings::default()
        },
    )?;
    let mut driver = LiveDriver::new(
        performer,
        LiveSettings {
            fps: setup.fps,
            ..LiveSettings::default()
        },
    );
    // Warm-up while ICE and DTLS run: the first render compiles pipelines.
    let rest = driver.pose_at(SampleTime::ZERO).clone();
    renderer.render(&mut gpu_avatar, &rest, &camera)?;
    let bits = f64::from(setup.width) * f64::from(setup.height) * setup.fps.fps() * 0.1;
    let h264 = H264Encoder::new(H264Settings {
        width: setup.width,
        height: setup.height,
        fps: setup.fps,
        bitrate_bps: bits.clamp(600_000.0, 8_000_000.0) as u32,
        // Browsers ask for keyframes (PLI) when they need one; a periodic
        // IDR bounds the damage if a request is lost.
        keyframe_interval_frames: setup.fps.num / setup.fps.den.max(1) * 10,
    })?;
    let opus = AudioEncoder::new(AudioCodec::Opus, OPUS_BITRATE_BPS)?;
    let mut stream = Stream {
        pipeline: Pipeline {
            renderer,
            gpu_avatar,
            camera,
            h264,
        },
        driver,
        opus,
        pending: None,
        force_keyframe: true,
    };
    loop {
        match commands.recv() {
            Ok(MediaCommand::Start) => break,
            Ok(MediaCommand::Stop) | Err(_) => return Ok(()),
            Ok(_) => {} // nothing is said before the peer connects
        }
    }
    let result = stream.run(setup, commands, out);
    // Drain the codec so libopus does not warn about queued frames.
    let _ = stream.opus.finish();
    result
}

/// The streaming state of a started session.
struct Stream {
    pipeline: Pipeline,
    driver: LiveDriver,
    opus: AudioEncoder,
    pending: Option<Pending>,
    force_keyframe: bool,
}

impl Stream {
    /// Paces the driver by the wall clock until `Stop` or a closed channel.
    fn run(
        &mut self,
        setup: &MediaSetup,
        commands: &Receiver<MediaCommand>,
        out: &Sender<MediaOut>,
    ) -> Result<(), ServeError> {
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
                    audio_seen: None,
                    video_seen: None,
                });
            }
            MediaCommand::Sentence {
                id,
                text,
                utterance,
            } => {
                self.driver.push_sentence(id, &text, utterance);
            }
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
                    if let Some(p) = self.pending.as_mut().filter(|p| p.audio_seen.is_none())
                        && self.driver.reply_start(p.id).is_some_and(|s| s < end)
                    {
                        let latency = p.received.elapsed();
                        p.audio_seen = Some(latency);
                        metrics.text_to_first_audio.observe(latency);
                    }
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
        let Some(time) = due else {
            return self.report_first_media(out);
        };
        let annexb = self
            .pipeline
            .frame(&mut self.driver, time, self.force_keyframe, metrics)?;
        self.force_keyframe = false;
        match out.try_send(MediaOut::Video { annexb, time }) {
            Ok(()) => Metrics::add(&metrics.frames_encoded, 1),
            Err(TrySendError::Full(_)) => {
                // The decoder misses a frame: restart it cleanly.
                Metrics::add(&metrics.frames_dropped, 1);
                self.force_keyframe = true;
            }
            Err(TrySendError::Closed(_)) => return Ok(false),
        }
        if let Some(p) = self.pending.as_mut().filter(|p| p.video_seen.is_none())
            && self.driver.reply_start(p.id).is_some_and(|s| s <= time)
        {
            let latency = p.received.elapsed();
            p.video_seen = Some(latency);
            metrics.text_to_first_video.observe(latency);
        }
        self.report_first_media(out)
    }

    /// Once a reply's first audio and first frame are both out, say how long
    /// each took (either may come first: a frame is due at its instant, the
    /// audio chunk holding the same instant when that chunk has elapsed).
    fn report_first_media(&mut self, out: &Sender<MediaOut>) -> Result<bool, ServeError> {
        let Some(p) = self.pending.as_ref() else {
            return Ok(true);
        };
        let (Some(audio), Some(video)) = (p.audio_seen, p.video_seen) else {
            return Ok(true);
        };
        let id = p.id;
        self.pending = None;
        send(out, MediaOut::FirstMedia { id, audio, video })
    }
}

impl Pipeline {
    fn frame(
        &mut self,
        driver: &mut LiveDriver,
        time: SampleTime,
        force_keyframe: bool,
        metrics: &Metrics,
    ) -> Result<Vec<u8>, ServeError> {
        let started = Instant::now();
        let pose = driver.pose_at(time);
        let frame = self
            .renderer
            .render(&mut self.gpu_avatar, pose, &self.camera)?;
        let rendered = Instant::now();
        metrics.render_time.observe(rendered - started);
        let encoded = self.h264.encode_rgba(&frame.rgba, force_keyframe)?;
        metrics.encode_time.observe(rendered.elapsed());
        Ok(encoded.annexb)
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
