//! A session's render thread: renders and encodes the newest frame the
//! media (clock) thread posted. Rendering on lavapipe takes 20–60 ms of a
//! shared CPU, so it must not hold up the clock thread: audio keeps going
//! out every 20 ms, and a frame posted while the previous one is still
//! rendering replaces any frame still waiting (counted as dropped).

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc::Sender;
use tokio::sync::mpsc::error::TrySendError;

use crate::animation::AvatarPose;
use crate::avatar::Avatar;
use crate::clock::{FrameRate, SampleTime};
use crate::encode::{H264Encoder, H264Settings};
use crate::render::{Background, Camera, RenderSettings, Renderer};

use super::ServeError;
use super::media::MediaOut;
use super::metrics::Metrics;

/// One frame to render.
pub struct FrameJob {
    /// The audio sample the frame shows (its RTP time).
    pub time: SampleTime,
    pub pose: AvatarPose,
    pub force_keyframe: bool,
    /// Set on the first frame showing reply `id`, asked at the instant.
    pub first_of_reply: Option<(u64, Instant)>,
}

#[derive(Default)]
struct Slot {
    job: Option<FrameJob>,
    closed: bool,
}

/// A one-frame mailbox between the clock thread and the render thread.
#[derive(Default)]
pub struct Mailbox {
    slot: Mutex<Slot>,
    posted: Condvar,
}

impl Mailbox {
    fn lock(&self) -> std::sync::MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Posts `job`; returns true when it replaced one not yet rendered.
    /// The replaced job's keyframe request and reply marker carry over.
    pub fn post(&self, mut job: FrameJob) -> bool {
        let mut slot = self.lock();
        let replaced = slot.job.take();
        if let Some(old) = &replaced {
            job.force_keyframe |= old.force_keyframe;
            job.first_of_reply = job.first_of_reply.or(old.first_of_reply);
        }
        slot.job = Some(job);
        self.posted.notify_one();
        replaced.is_some()
    }

    /// Waits for a job; `None` once closed.
    fn take(&self) -> Option<FrameJob> {
        let mut slot = self.lock();
        loop {
            if slot.closed {
                return None;
            }
            if let Some(job) = slot.job.take() {
                return Some(job);
            }
            slot = self.posted.wait(slot).unwrap_or_else(|p| p.into_inner());
        }
    }

    pub fn close(&self) {
        self.lock().closed = true;
        self.posted.notify_all();
    }
}

/// What the render thread is built from.
pub struct RenderSetup {
    pub avatar: Arc<Avatar>,
    pub width: u32,
    pub height: u32,
    pub fps: FrameRate,
    pub msaa: u32,
    pub metrics: Arc<Metrics>,
    /// Ready renderers for the default avatar, if the server keeps one.
    pub pool: Option<Arc<RendererPool>>,
}

/// A renderer with the avatar uploaded and its pipelines compiled.
pub struct RenderParts {
    renderer: Renderer,
    gpu_avatar: crate::render::GpuAvatar,
    camera: Camera,
}

impl RenderParts {
    /// Opens the adapter, uploads `avatar` and renders one rest frame, so
    /// that the pipelines are compiled before the first real frame.
    pub fn build(
        avatar: &Avatar,
        width: u32,
        height: u32,
        msaa: u32,
    ) -> Result<RenderParts, ServeError> {
        let mut renderer = Renderer::new(RenderSettings {
            width,
            height,
            msaa_samples: msaa,
            background: Background::default(),
        })?;
        let mut gpu_avatar = renderer.upload(avatar)?;
        let camera = Camera::portrait(&avatar.framing(), width as f32 / height as f32, 0.0);
        renderer.render(&mut gpu_avatar, &AvatarPose::rest(avatar), &camera)?;
        Ok(RenderParts {
            renderer,
            gpu_avatar,
            camera,
        })
    }
}

/// One spare, warmed-up renderer for the default avatar: opening lavapipe,
/// uploading textures and compiling pipelines take most of a second on
/// this class of machine, which a new visitor would otherwise wait for.
/// A session takes the spare and a background thread builds the next.
pub struct RendererPool {
    avatar: Arc<Avatar>,
    width: u32,
    height: u32,
    msaa: u32,
    spare: Mutex<Option<RenderParts>>,
    refilling: std::sync::atomic::AtomicBool,
    /// The thread building the next spare, joined at shutdown: a process
    /// that exits while it is inside lavapipe crashes in Mesa's exit
    /// handlers (a SIGSEGV after every test had passed).
    builder: Mutex<Option<std::thread::JoinHandle<()>>>,
    closed: std::sync::atomic::AtomicBool,
}

impl RendererPool {
    pub fn new(avatar: Arc<Avatar>, width: u32, height: u32, msaa: u32) -> Arc<RendererPool> {
        let pool = Arc::new(RendererPool {
            avatar,
            width,
            height,
            msaa,
            spare: Mutex::new(None),
            refilling: std::sync::atomic::AtomicBool::new(false),
            builder: Mutex::new(None),
            closed: std::sync::atomic::AtomicBool::new(false),
        });
        pool.refill();
        pool
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<RenderParts>> {
        self.spare.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The spare, if it fits this session (same avatar and size).
    fn take(self: &Arc<Self>, setup: &RenderSetup) -> Option<RenderParts> {
        let fits = Arc::ptr_eq(&self.avatar, &setup.avatar)
            && (self.width, self.height, self.msaa) == (setup.width, setup.height, setup.msaa);
        if !fits {
            return None;
        }
        // The refill waits for this session's first frame (see
        // `render_loop`): building a renderer takes both cores for most of a
        // second, which the new visitor would otherwise wait through.
        self.lock().take()
    }

    /// Builds a new spare in the background unless one exists or is on its way.
    fn refill(self: &Arc<Self>) {
        use std::sync::atomic::Ordering;
        if self.closed.load(Ordering::Acquire)
            || self.lock().is_some()
            || self.refilling.swap(true, Ordering::AcqRel)
        {
            return;
        }
        let pool = Arc::clone(self);
        let spawned = std::thread::Builder::new()
            .name("renderer-pool".into())
            .spawn(move || {
                match RenderParts::build(&pool.avatar, pool.width, pool.height, pool.msaa) {
                    Ok(parts) => *pool.lock() = Some(parts),
                    Err(e) => tracing::warn!("no spare renderer: {e}"),
                }
                pool.refilling.store(false, Ordering::Release);
            });
        match spawned {
            Ok(handle) => {
                let finished = self
                    .builder
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .replace(handle);
                // The previous builder has finished (`refilling` was clear).
                if let Some(done) = finished {
                    let _ = done.join();
                }
            }
            Err(_) => self.refilling.store(false, Ordering::Release),
        }
    }

    /// Stops refilling, waits for a spare being built and releases the
    /// spare's device. Blocks for up to the time one renderer takes to build.
    pub fn shut_down(&self) {
        self.closed
            .store(true, std::sync::atomic::Ordering::Release);
        let building = self
            .builder
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(handle) = building {
            let _ = handle.join();
        }
        *self.lock() = None;
    }
}

/// Runs until the mailbox closes or the network side is gone.
pub fn run(setup: RenderSetup, mailbox: Arc<Mailbox>, out: Sender<MediaOut>) {
    if let Err(e) = render_loop(&setup, &mailbox, &out) {
        tracing::warn!("session rendering stopped: {e}");
        let _ = out.try_send(MediaOut::Failed(e.to_string()));
    }
}

fn render_loop(
    setup: &RenderSetup,
    mailbox: &Mailbox,
    out: &Sender<MediaOut>,
) -> Result<(), ServeError> {
    let spare = setup.pool.as_ref().and_then(|pool| pool.take(setup));
    let RenderParts {
        mut renderer,
        mut gpu_avatar,
        camera,
    } = match spare {
        Some(parts) => parts,
        None => RenderParts::build(&setup.avatar, setup.width, setup.height, setup.msaa)?,
    };
    let bits = f64::from(setup.width) * f64::from(setup.height) * setup.fps.fps() * 0.1;
    let mut h264 = H264Encoder::new(H264Settings {
        width: setup.width,
        height: setup.height,
        fps: setup.fps,
        bitrate_bps: bits.clamp(600_000.0, 8_000_000.0) as u32,
        // Browsers ask for keyframes (PLI) when they need one; a periodic
        // IDR bounds the damage if a request is lost.
        keyframe_interval_frames: setup.fps.num / setup.fps.den.max(1) * 10,
    })?;
    let metrics = &setup.metrics;
    let mut force_next = false;
    let mut pool_to_refill = setup.pool.as_ref();
    let mut first_frame = true;
    while let Some(job) = mailbox.take() {
        let started = Instant::now();
        let frame = renderer.render(&mut gpu_avatar, &job.pose, &camera)?;
        let rendered = Instant::now();
        metrics.render_time.observe(rendered - started);
        let encoded = h264.encode_rgba(&frame.rgba, job.force_keyframe || force_next)?;
        metrics.encode_time.observe(rendered.elapsed());
        force_next = false;
        let video = MediaOut::Video {
            annexb: encoded.annexb,
            time: job.time,
        };
        match out.try_send(video) {
            Ok(()) => {
                Metrics::add(&metrics.frames_encoded, 1);
                if let Some(pool) = pool_to_refill.take() {
                    pool.refill();
                }
                if first_frame {
                    first_frame = false;
                    tracing::debug!(
                        "first frame: render {:?}, encode {:?}",
                        rendered - started,
                        rendered.elapsed()
                    );
                }
            }
            Err(TrySendError::Full(_)) => {
                // The decoder misses a frame: restart it cleanly.
                Metrics::add(&metrics.frames_dropped, 1);
                force_next = true;
            }
            Err(TrySendError::Closed(_)) => return Ok(()),
        }
        if let Some((id, received)) = job.first_of_reply {
            let latency: Duration = received.elapsed();
            metrics.text_to_first_video.observe(latency);
            if out.try_send(MediaOut::FirstVideo { id, latency }).is_err() {
                return Ok(());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(t: u64, force: bool, first: Option<(u64, Instant)>) -> FrameJob {
        FrameJob {
            time: SampleTime(t),
            pose: AvatarPose::default(),
            force_keyframe: force,
            first_of_reply: first,
        }
    }

    #[test]
    fn the_newest_frame_wins_and_keeps_what_the_replaced_one_asked_for() {
        let mailbox = Mailbox::default();
        let asked = Instant::now();
        assert!(!mailbox.post(job(1920, true, Some((4, asked)))));
        assert!(mailbox.post(job(3840, false, None)), "replaced, not queued");
        let taken = mailbox.take().expect("a job");
        assert_eq!(taken.time, SampleTime(3840));
        assert!(taken.force_keyframe, "the keyframe request survives");
        assert_eq!(taken.first_of_reply.map(|(id, _)| id), Some(4));
        mailbox.close();
        assert!(mailbox.take().is_none(), "closed mailbox ends the thread");
    }
}
