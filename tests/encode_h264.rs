//! The raw H.264 stream (what WebRTC will packetise) is a valid Annex B
//! stream that ffmpeg decodes frame for frame, signals BT.601 limited range
//! in its VUI, and follows the requested bit rate.

use std::io::Write;
use std::process::{Command, Stdio};

use avatarcast::clock::FrameRate;
use avatarcast::encode::{H264Encoder, H264Settings};

const WIDTH: u32 = 256;
const HEIGHT: u32 = 192;

fn tools_available(test: &str) -> bool {
    let runs = |tool: &str| {
        Command::new(tool)
            .arg("-version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if runs("ffmpeg") && runs("ffprobe") {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{test}: install the Debian `ffmpeg` package"
    );
    eprintln!("skipping {test}: ffmpeg/ffprobe not installed");
    false
}

/// A smooth moving picture with some texture, so rate control has work.
fn frame(index: u32) -> Vec<u8> {
    let mut rgba = Vec::with_capacity((WIDTH * HEIGHT * 4) as usize);
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let wave = ((x as f32 * 0.15 + index as f32 * 0.4).sin()
                * (y as f32 * 0.11).cos()
                * 40.0) as i32;
            let r = (x * 255 / WIDTH) as i32 + wave;
            let g = (y * 255 / HEIGHT) as i32 - wave;
            let b = 128 + ((x + y + index * 3) % 64) as i32;
            rgba.extend([r, g, b].map(|c| c.clamp(0, 255) as u8));
            rgba.push(255);
        }
    }
    rgba
}

fn encode_stream(frames: u32, bitrate_bps: u32) -> (Vec<u8>, Vec<bool>) {
    let mut encoder = H264Encoder::new(H264Settings {
        width: WIDTH,
        height: HEIGHT,
        fps: FrameRate::new(30, 1),
        bitrate_bps,
        keyframe_interval_frames: 30,
    })
    .expect("valid settings");
    let mut stream = Vec::new();
    let mut keyframes = Vec::new();
    for index in 0..frames {
        let encoded = encoder.encode_rgba(&frame(index), false).expect("encodes");
        stream.extend_from_slice(&encoded.annexb);
        keyframes.push(encoded.keyframe);
    }
    (stream, keyframes)
}

fn run_with_stdin(program: &str, args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || input.write_all(&data));
    let out = child.wait_with_output().expect("runs");
    writer
        .join()
        .expect("writer thread")
        .expect("stdin written");
    assert!(
        out.status.success(),
        "{program}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn annexb_stream_decodes_frame_for_frame_with_bt601_limited_vui() {
    if !tools_available("annexb_stream_decodes_frame_for_frame_with_bt601_limited_vui") {
        return;
    }
    let (stream, keyframes) = encode_stream(60, 600_000);
    assert_eq!(
        keyframes.iter().filter(|&&k| k).count(),
        2,
        "IDR at frames 0 and 30"
    );
    assert!(keyframes[0] && keyframes[30]);

    let probe = run_with_stdin(
        "ffprobe",
        &[
            "-v",
            "error",
            "-f",
            "h264",
            "-show_entries",
            "stream=profile,width,height,pix_fmt,color_range,color_space,color_primaries,color_transfer",
            "-of",
            "compact=p=0",
            "-",
        ],
        &stream,
    );
    let probe = String::from_utf8_lossy(&probe);
    assert_eq!(
        probe.trim(),
        "profile=Constrained Baseline|width=256|height=192|pix_fmt=yuv420p|color_range=tv|\
         color_space=smpte170m|color_transfer=smpte170m|color_primaries=smpte170m"
    );

    let decoded = run_with_stdin(
        "ffmpeg",
        &[
            "-v", "error", "-f", "h264", "-i", "-", "-f", "rawvideo", "-pix_fmt", "gray", "-",
        ],
        &stream,
    );
    assert_eq!(
        decoded.len(),
        (WIDTH * HEIGHT * 60) as usize,
        "60 decoded frames"
    );
}

#[test]
fn rate_control_follows_the_target_bit_rate() {
    for bitrate_bps in [300_000u32, 1_200_000] {
        let (stream, _) = encode_stream(90, bitrate_bps);
        let actual_bps = stream.len() as f64 * 8.0 / 3.0;
        let ratio = actual_bps / f64::from(bitrate_bps);
        eprintln!("target {bitrate_bps} bps, got {actual_bps:.0} bps ({ratio:.2}x)");
        assert!(
            (0.5..1.5).contains(&ratio),
            "target {bitrate_bps}, got {actual_bps:.0}"
        );
    }
}
