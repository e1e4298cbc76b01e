//! `avatarcast bench serve`: the live path's numbers for BENCHMARKS.md,
//! measured in-process on the same media threads a session runs (no
//! network, so the figures are the server's own share):
//! text → first audio packet / first encoded frame with the embedded voice
//! and knowledge base, and how many concurrent sessions run in real time.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::clock::FrameRate;
use crate::dialog::DialogEvent;
use crate::speech::SpeechRequest;

use super::media::{self, MediaCommand, MediaOut, MediaSetup};
use super::metrics::Metrics;
use super::reply::{ReplyJob, VoicePicker};
use super::{ServeConfig, ServeError, Shared};

#[derive(Debug, Clone, clap::Args)]
pub struct ServeBenchArgs {
    /// Questions asked for the latency figures.
    #[arg(long, default_value_t = 20)]
    pub questions: usize,
    /// Most concurrent sessions tried.
    #[arg(long, default_value_t = 3)]
    pub max_sessions: usize,
    /// Seconds each concurrency level runs.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
}

/// Customer questions the embedded knowledge base answers.
const QUESTIONS: [&str; 5] = [
    "How do I return an item?",
    "When are you open?",
    "How long does delivery take?",
    "How do membership points work?",
    "Can I change my delivery address?",
];

pub fn run(args: &ServeBenchArgs, avatar: Option<String>) -> Result<(), ServeError> {
    let config = ServeConfig {
        avatar,
        ..ServeConfig::default()
    };
    let shared = Arc::new(Shared::load(config)?);
    println!(
        "cores: {}, load average before: {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    stages(&shared, args.questions)?;
    latency(&shared, args.questions)?;
    concurrency(&shared, args.max_sessions, args.seconds)?;
    Ok(())
}

fn percentile(samples: &mut [Duration], q: f64) -> f64 {
    samples.sort();
    if samples.is_empty() {
        return f64::NAN;
    }
    let i = ((samples.len() - 1) as f64 * q).round() as usize;
    samples[i].as_secs_f64() * 1e3
}

/// Where the time goes before the media thread: dialog and synthesis of
/// the first sentence.
fn stages(shared: &Shared, questions: usize) -> Result<(), ServeError> {
    let mut dialog = Vec::new();
    let mut synth = Vec::new();
    let mut audio_s = Vec::new();
    for i in 0..questions {
        let mut session = shared.dialog.new_session(format!("bench-{i}"));
        let start = Instant::now();
        let first = shared
            .dialog
            .respond(&mut session, QUESTIONS[i % QUESTIONS.len()])
            .find_map(|e| match e {
                DialogEvent::Sentence { text, lang, .. } => Some((text, lang)),
                _ => None,
            });
        dialog.push(start.elapsed());
        let Some((text, lang)) = first else { continue };
        let start = Instant::now();
        let utterance = shared.speech.synthesize(&SpeechRequest::new(text, lang))?;
        synth.push(start.elapsed());
        audio_s.push(utterance.duration().as_secs_f64());
    }
    let mean_audio = audio_s.iter().sum::<f64>() / audio_s.len().max(1) as f64;
    println!("\n| stage (first sentence) | p50 ms | p95 ms |\n| --- | --- | --- |");
    println!(
        "| dialog: text → first sentence (KB) | {:.1} | {:.1} |",
        percentile(&mut dialog, 0.5),
        percentile(&mut dialog, 0.95)
    );
    println!(
        "| speech: synthesise it (espeak-ng, {mean_audio:.1} s of audio on average) | {:.1} | {:.1} |",
        percentile(&mut synth, 0.5),
        percentile(&mut synth, 0.95)
    );
    Ok(())
}

/// A media thread as a session runs it, minus the network.
struct Bench {
    commands: Sender<MediaCommand>,
    out: mpsc::Receiver<MediaOut>,
    thread: std::thread::JoinHandle<()>,
}

fn start_media(shared: &Shared, metrics: &Arc<Metrics>) -> Result<Bench, ServeError> {
    let (avatar, _) = shared.avatar(None)?;
    let config = &shared.config;
    let setup = MediaSetup {
        avatar,
        speech: Arc::clone(&shared.speech),
        width: config.width,
        height: config.height,
        fps: FrameRate::new(config.fps, 1),
        msaa: config.msaa,
        seed: 1,
        animation: config.animation.clone(),
        metrics: Arc::clone(metrics),
        pool: shared.pool.clone(),
    };
    let (commands, rx) = std::sync::mpsc::channel();
    let (tx, out) = mpsc::channel(4096);
    let thread = std::thread::Builder::new()
        .name("bench-media".into())
        .spawn(move || media::run(setup, rx, tx))
        .map_err(|e| ServeError::Thread(e.to_string()))?;
    Ok(Bench {
        commands,
        out,
        thread,
    })
}

impl Bench {
    fn ask(&self, shared: &Shared, id: u64, current: &Arc<AtomicU64>, text: &str) {
        current.store(id, Ordering::Release);
        let _ = self.commands.send(MediaCommand::BeginReply {
            id,
            received: Instant::now(),
        });
        let (handoff, _) = mpsc::unbounded_channel();
        let job = ReplyJob {
            id,
            text: text.to_string(),
            dialog: Arc::clone(&shared.dialog),
            conversation: Arc::new(Mutex::new(shared.dialog.new_session(format!("b{id}")))),
            speech: Arc::clone(&shared.speech),
            voices: VoicePicker::default(),
            current: Arc::clone(current),
            media: self.commands.clone(),
            handoff,
        };
        if let Err(e) = job.spawn() {
            tracing::warn!("bench: no reply thread: {e}");
        }
    }

    fn stop(self) {
        let _ = self.commands.send(MediaCommand::Stop);
        drop(self.out);
        let _ = self.thread.join();
    }
}

fn latency(shared: &Shared, questions: usize) -> Result<(), ServeError> {
    let metrics = Arc::new(Metrics::default());
    let mut bench = start_media(shared, &metrics)?;
    let _ = bench.commands.send(MediaCommand::Start);
    let current = Arc::new(AtomicU64::new(0));
    let (mut audio, mut video) = (Vec::new(), Vec::new());
    std::thread::sleep(Duration::from_millis(500));
    for i in 0..questions {
        let id = i as u64 + 1;
        bench.ask(shared, id, &current, QUESTIONS[i % QUESTIONS.len()]);
        let deadline = Instant::now() + Duration::from_secs(10);
        let (mut a, mut v) = (None, None);
        while Instant::now() < deadline && (a.is_none() || v.is_none()) {
            match bench.out.try_recv() {
                Ok(MediaOut::FirstAudio { id: got, latency }) if got == id => a = Some(latency),
                Ok(MediaOut::FirstVideo { id: got, latency }) if got == id => v = Some(latency),
                Ok(MediaOut::Failed(message)) => return Err(ServeError::Thread(message)),
                Ok(_) => {}
                Err(_) => std::thread::sleep(Duration::from_millis(2)),
            }
        }
        if let (Some(a), Some(v)) = (a, v) {
            audio.push(a);
            video.push(v);
        }
        // Interrupt and let the avatar settle, as a customer barging in would.
        current.store(0, Ordering::Release);
        let _ = bench.commands.send(MediaCommand::Interrupt);
        let settle = Instant::now() + Duration::from_millis(300);
        while Instant::now() < settle {
            while bench.out.try_recv().is_ok() {}
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    println!(
        "\n| live latency, {} questions, {}×{} {} fps | p50 ms | p95 ms |\n| --- | --- | --- |",
        audio.len(),
        shared.config.width,
        shared.config.height,
        shared.config.fps
    );
    println!(
        "| text → first audio packet | {:.1} | {:.1} |",
        percentile(&mut audio, 0.5),
        percentile(&mut audio, 0.95)
    );
    println!(
        "| text → first encoded video frame | {:.1} | {:.1} |",
        percentile(&mut video, 0.5),
        percentile(&mut video, 0.95)
    );
    bench.stop();
    Ok(())
}

/// CPU time of this process (user + system), from /proc.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are 14 and 15.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // Linux reports in USER_HZ, 100 on every mainstream configuration.
    Some(Duration::from_millis(ticks * 10))
}

fn concurrency(shared: &Shared, max_sessions: usize, seconds: u64) -> Result<(), ServeError> {
    println!(
        "\n| sessions | frames sent / due | dropped | audio packets / due | render ms (mean) | encode ms (mean) | CPU per session | real time |\n| --- | --- | --- | --- | --- | --- | --- | --- |"
    );
    let fps = u64::from(shared.config.fps);
    for k in 1..=max_sessions.max(1) {
        let metrics = Arc::new(Metrics::default());
        let mut sessions = Vec::new();
        for _ in 0..k {
            sessions.push(start_media(shared, &metrics)?);
        }
        // Let every renderer finish its setup before the clocks start.
        std::thread::sleep(Duration::from_secs(2));
        let cpu0 = process_cpu();
        let t0 = Instant::now();
        for s in &sessions {
            let _ = s.commands.send(MediaCommand::Start);
        }
        let current: Vec<Arc<AtomicU64>> = (0..k).map(|_| Arc::new(AtomicU64::new(0))).collect();
        let mut asked = false;
        while t0.elapsed() < Duration::from_secs(seconds) {
            if !asked && t0.elapsed() > Duration::from_secs(1) {
                // Everyone talks: speaking frames cost what idle ones do,
                // but synthesis and the dialog add their share.
                for (i, s) in sessions.iter().enumerate() {
                    s.ask(shared, 1, &current[i], QUESTIONS[i % QUESTIONS.len()]);
                }
                asked = true;
            }
            for s in &mut sessions {
                while let Ok(out) = s.out.try_recv() {
                    if let MediaOut::Failed(message) = out {
                        return Err(ServeError::Thread(message));
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let elapsed = t0.elapsed().as_secs_f64();
        let cpu = process_cpu()
            .zip(cpu0)
            .map(|(b, a)| (b - a).as_secs_f64() / elapsed / k as f64 * 100.0);
        for s in sessions {
            s.stop();
        }
        let due_frames = (elapsed * fps as f64) as u64 * k as u64;
        let due_audio = (elapsed * 50.0) as u64 * k as u64;
        let sent = metrics.frames_encoded.load(Ordering::Relaxed);
        let dropped = metrics.frames_dropped.load(Ordering::Relaxed);
        let audio = metrics.audio_packets.load(Ordering::Relaxed);
        let mean = |h: &super::metrics::Histogram| h.mean().as_secs_f64() * 1e3;
        let real_time =
            sent as f64 >= 0.97 * due_frames as f64 && audio as f64 >= 0.98 * due_audio as f64;
        println!(
            "| {k} | {sent} / {due_frames} | {dropped} | {audio} / {due_audio} | {:.1} | {:.1} | {} | {} |",
            mean(&metrics.render_time),
            mean(&metrics.encode_time),
            cpu.map_or("n/a".into(), |c| format!("{c:.0} % of a core")),
            if real_time { "yes" } else { "no" }
        );
    }
    Ok(())
}
