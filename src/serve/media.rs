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
    audio_seen: bool,
    video_seen: bool,
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
    let mut opus = AudioEncoder::new(AudioCodec::Opus, OPUS_BITRATE_BPS)?;
    let mut pipeline = Pipeline {
        renderer,
        gpu_avatar,
        camera,
        h264,
    };

    loop {
        match commands.recv() {
            Ok(MediaCommand::Start) => break,
            Ok(MediaCommand::Stop) | Err(_) => return Ok(()),
            Ok(_) => {} // nothing is said before the peer connects
        }
    }
    let epoch = Instant::now();
    let mut force_keyframe = true;
    let mut pending: Option<Pending> = None;
    loop {
        let wake = epoch + Duration::from_secs_f64(driver.next_wake().as_secs_f64());
        let mut next = match commands.recv_timeout(wake.saturating_duration_since(Instant::now())) {
            Ok(cmd) => Some(cmd),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        };
        while let Some(cmd) = next {
            match cmd {
                MediaCommand::Start => {}
                MediaCommand::Stop => return Ok(()),
                MediaCommand::BeginReply { id, received } => {
                    driver.begin_reply(id);
                    pending = Some(Pending {
                        id,
                        received,
                        audio_seen: false,
                        video_seen: false,
                    });
                }
                MediaCommand::Sentence {
                    id,
                    text,
                    utterance,
                } => {
                    driver.push_sentence(id, &text, utterance);
                }
                MediaCommand::FinishReply { id } => driver.finish_reply(id),
                MediaCommand::Interrupt => driver.interrupt(),
                MediaCommand::Keyframe => force_keyframe = true,
            }
            next = commands.try_recv().ok();
        }

        driver.advance_to(SampleTime::from_secs_f64(epoch.elapsed().as_secs_f64()));
        let mut due = None;
        while let Some(output) = driver.poll_output() {
            match output {
                LiveOutput::Audio { start, pcm } => {
                    for packet in opus.encode(&pcm)? {
                        send(
                            out,
                            MediaOut::Audio {
                                opus: packet.data,
                                pts: packet.pts_samples,
                            },
                        )?;
                        Metrics::add(&setup.metrics.audio_packets, 1);
                    }
                    let end = start + SampleTime(pcm.len() as u64);
                    if let Some(p) = pending.as_mut().filter(|p| !p.audio_seen)
                        && driver.reply_start(p.id).is_some_and(|s| s < end)
                    {
                        p.audio_seen = true;
                        setup
                            .metrics
                            .text_to_first_audio
                            .observe(p.received.elapsed());
                    }
                }
                LiveOutput::Frame { time, .. } => {
                    // Only the newest due frame is worth rendering.
                    if due.replace(time).is_some() {
                        Metrics::add(&setup.metrics.frames_dropped, 1);
                    }
                }
                LiveOutput::Event(event) => send(out, MediaOut::Event(event))?,
            }
        }
        if let Some(time) = due {
            let annexb = pipeline.frame(&mut driver, time, force_keyframe, &setup.metrics)?;
            force_keyframe = false;
            match out.try_send(MediaOut::Video { annexb, time }) {
                Ok(()) => Metrics::add(&setup.metrics.frames_encoded, 1),
                Err(TrySendError::Full(_)) => {
                    Metrics::add(&setup.metrics.frames_dropped, 1);
                    force_keyframe = true;
                }
                Err(TrySendError::Closed(_)) => return Ok(()),
            }
            if let Some(p) = pending.as_mut().filter(|p| !p.video_seen)
                && driver.reply_start(p.id).is_some_and(|s| s <= time)
            {
                p.video_seen = true;
                setup
                    .metrics
                    .text_to_first_video
                    .observe(p.received.elapsed());
            }
        }
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
/// is gone or hopelessly behind, so the session stops.
fn send(out: &Sender<MediaOut>, item: MediaOut) -> Result<(), ServeError> {
    out.try_send(item).map_err(|e| match e {
        TrySendError::Full(_) => ServeError::Stalled,
        TrySendError::Closed(_) => ServeError::SessionGone,
    })
}
