//! `avatarcast bench`: end-to-end speed figures on this machine, printed as
//! a Markdown table for BENCHMARKS.md. Criterion benches in `benches/`
//! measure the stages in isolation; this measures them wired together.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::animation::AvatarPose;
use crate::avatar::Avatar;
use crate::clock::FrameRate;
use crate::encode::{H264Encoder, H264Settings};
use crate::engine::{self, AvatarSource};
use crate::render::{Background, Camera, RenderSettings, Renderer};

#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// A built role's name or a .glb/.gltf/.vrm file (default: the first built role).
    #[arg(long)]
    pub avatar: Option<String>,
    /// Frames measured per configuration (after 5 warm-up frames).
    #[arg(long, default_value_t = 60)]
    pub frames: u32,
    /// Skip the whole-file runs (they take the longest).
    #[arg(long)]
    pub skip_files: bool,
    #[command(subcommand)]
    pub target: Option<BenchTarget>,
}

/// A benchmark other than the default render/encode/file table.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum BenchTarget {
    /// The live server: text → first frame latency and concurrent sessions.
    Serve(crate::serve::bench::ServeBenchArgs),
}

const SIZES: [(u32, u32); 2] = [(512, 512), (1280, 720)];
const LINE: &str = "Hello, and welcome to our store. I can help you with orders, returns, delivery and membership points. What can I do for you today?";

pub fn run(args: &BenchArgs) -> Result<()> {
    if let Some(BenchTarget::Serve(serve)) = &args.target {
        return Ok(crate::serve::bench::run(serve, args.avatar.clone())?);
    }
    let source = args.avatar.as_deref().map(AvatarSource::parse);
    let (path, _) = engine::resolve_avatar(source.as_ref())?;
    let avatar =
        Arc::new(Avatar::load(&path).with_context(|| format!("loading {}", path.display()))?);
    println!("avatar: {}", path.display());
    println!(
        "cores: {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );

    println!(
        "\n| stage | size | MSAA | ms/frame (median) | ms/frame (p95) |\n| --- | --- | --- | --- | --- |"
    );
    let mut adapter = String::new();
    for (w, h) in SIZES {
        for msaa in [1, 4] {
            let (stats, name) = render_per_frame(&avatar, w, h, msaa, args.frames)?;
            adapter = name;
            println!(
                "| render + readback | {w}×{h} | {msaa}× | {:.1} | {:.1} |",
                stats.median_ms, stats.p95_ms
            );
        }
    }
    for (w, h) in SIZES {
        let stats = encode_per_frame(&avatar, w, h, args.frames)?;
        println!(
            "| H.264 encode | {w}×{h} | – | {:.1} | {:.1} |",
            stats.median_ms, stats.p95_ms
        );
    }
    println!("\nadapter: {adapter}");

    if !args.skip_files {
        println!(
            "\n| whole file (speech → MP4) | size | MSAA | render lanes | audio s | wall s | × real time |\n| --- | --- | --- | --- | --- | --- | --- |"
        );
        // Each run is the `render` command itself, in a child process: what
        // a user runs, with the process set-up it does (see
        // share_lavapipe_threads_between_lanes in main.rs), from start to
        // the finished file.
        let exe = std::env::current_exe().context("finding the avatarcast binary")?;
        for ((w, h), msaa) in [
            ((512, 512), 1),
            ((512, 512), 4),
            ((1280, 720), 1),
            ((1280, 720), 4),
        ] {
            let out = std::env::temp_dir().join(format!("avatarcast-bench-{w}x{h}-{msaa}.mp4"));
            let start = Instant::now();
            let run = std::process::Command::new(&exe)
                .args([
                    "render",
                    "--text",
                    LINE,
                    "--fps",
                    "30",
                    "--background",
                    "#dfe6ee",
                ])
                .args(["--size", &format!("{w}x{h}"), "--msaa", &msaa.to_string()])
                .arg("--avatar")
                .arg(&path)
                .arg("--out")
                .arg(&out)
                .output()
                .context("running avatarcast render")?;
            let wall = start.elapsed().as_secs_f64();
            let stderr = String::from_utf8_lossy(&run.stderr);
            if !run.status.success() {
                anyhow::bail!("avatarcast render failed: {stderr}");
            }
            let (audio, lanes) = parse_wrote(&stderr).with_context(|| {
                format!("avatarcast render did not report what it wrote: {stderr}")
            })?;
            println!(
                "| 30 fps | {w}×{h} | {msaa}× | {lanes} | {audio:.2} | {wall:.2} | {:.2} |",
                audio / wall
            );
            let _ = std::fs::remove_file(out);
        }
    }
    Ok(())
}

/// Seconds of video and render lanes from `render`'s closing line,
/// "wrote PATH (N frames, S s, L render lanes, ADAPTER)".
fn parse_wrote(stderr: &str) -> Option<(f64, usize)> {
    let line = stderr.lines().rev().find(|l| l.starts_with("wrote "))?;
    let inside = &line[line.rfind(" frames, ")? + " frames, ".len()..];
    let mut fields = inside.split(", ");
    let seconds = fields.next()?.strip_suffix(" s")?.parse().ok()?;
    let lanes = fields.next()?.split(' ').next()?.parse().ok()?;
    Some((seconds, lanes))
}

struct Stats {
    median_ms: f64,
    p95_ms: f64,
}

fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort();
    let at =
        |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
    Stats {
        median_ms: at(0.5),
        p95_ms: at(0.95),
    }
}

/// Render + readback with the ring full, as the file sink runs it: the time
/// between consecutive finished frames.
fn render_per_frame(
    avatar: &Avatar,
    width: u32,
    height: u32,
    msaa: u32,
    frames: u32,
) -> Result<(Stats, String)> {
    let mut renderer = Renderer::new(RenderSettings {
        width,
        height,
        msaa_samples: msaa,
        background: Background::Color([0xdf, 0xe6, 0xee]),
    })?;
    let mut gpu = renderer.upload(avatar)?;
    let camera = Camera::portrait(&avatar.framing(), width as f32 / height as f32, 0.0);
    let pose = AvatarPose::rest(avatar);
    let mut times = Vec::new();
    let mut last = Instant::now();
    for i in 0..u64::from(frames) + 5 {
        renderer.submit(&mut gpu, &pose, &camera, i)?;
        if renderer.in_flight() >= 2 && renderer.next_frame()?.is_some() {
            let now = Instant::now();
            if i >= 5 {
                times.push(now - last);
            }
            last = now;
        }
    }
    while renderer.next_frame()?.is_some() {}
    Ok((stats(times), renderer.adapter_description()))
}

fn encode_per_frame(avatar: &Avatar, width: u32, height: u32, frames: u32) -> Result<Stats> {
    // Encode real rendered frames: a talking head compresses differently from noise.
    let mut renderer = Renderer::new(RenderSettings {
        width,
        height,
        msaa_samples: 1,
        background: Background::Color([0xdf, 0xe6, 0xee]),
    })?;
    let mut gpu = renderer.upload(avatar)?;
    let camera = Camera::portrait(&avatar.framing(), width as f32 / height as f32, 0.0);
    let frame = renderer.render(&mut gpu, &AvatarPose::rest(avatar), &camera)?;
    let fps = FrameRate::new(30, 1);
    let mut encoder = H264Encoder::new(H264Settings {
        width,
        height,
        fps,
        bitrate_bps: 2_000_000,
        keyframe_interval_frames: 60,
    })?;
    let mut times = Vec::new();
    for i in 0..frames + 5 {
        let start = Instant::now();
        encoder.encode_rgba(&frame.rgba, false)?;
        if i >= 5 {
            times.push(start.elapsed());
        }
    }
    Ok(stats(times))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_render_summary_line_parses() {
        let stderr = "rendering...\nwrote /tmp/a (mine).mp4 (255 frames, 8.48 s, 2 render lanes, llvmpipe (LLVM 15, 256 bits))\n";
        assert_eq!(parse_wrote(stderr), Some((8.48, 2)));
        assert_eq!(
            parse_wrote("wrote x.mp4 (3 frames, 0.10 s, 1 render lane, gpu)"),
            Some((0.1, 1))
        );
        assert_eq!(parse_wrote("error: no adapter"), None);
    }
}
