//! Helpers shared by the behaviour tests: finding avatars and external tools,
//! and the skip-unless-CI rule (under `CI=true` nothing skips).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Returns `false` (and says why) when a test must skip; panics under CI.
pub fn require(condition: bool, what: &str) -> bool {
    if condition {
        return true;
    }
    assert!(!under_ci(), "required under CI but missing: {what}");
    eprintln!("skipping: {what} (run scripts/setup.sh --test)");
    false
}

/// The reference avatar (test data from ../shared, never committed).
pub fn reference_avatar(decoded: bool) -> PathBuf {
    let name = if decoded {
        "mpfb-talkinghead.decoded.glb"
    } else {
        "mpfb-talkinghead.glb"
    };
    manifest_dir()
        .join("../shared/avatars/reference")
        .join(name)
}

/// The built default roles, sorted by id (empty before setup built them).
pub fn default_roles() -> Vec<PathBuf> {
    let dir = manifest_dir().join("avatars");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut glbs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter_map(|p| {
            let id = p.file_name()?.to_str()?.to_string();
            let glb = p.join(format!("{id}.glb"));
            glb.is_file().then_some(glb)
        })
        .collect();
    glbs.sort();
    glbs
}

pub fn have_tool(name: &str) -> bool {
    Command::new(name).arg("-version").output().is_ok()
}

/// Runs a command and returns stdout, panicking with stderr on failure.
pub fn run_ok(cmd: &mut Command) -> Vec<u8> {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// ffprobe's view of a media file as JSON (streams + format).
pub fn ffprobe(path: &Path) -> serde_json::Value {
    let out = run_ok(
        Command::new("ffprobe")
            .args([
                "-v",
                "error",
                "-show_streams",
                "-show_format",
                "-of",
                "json",
            ])
            .arg(path),
    );
    serde_json::from_slice(&out).expect("ffprobe prints JSON")
}

/// Decoded video frames as RGB24, honouring the file's edit lists.
pub fn decode_rgb_frames(path: &Path, width: u32, height: u32) -> Vec<Vec<u8>> {
    let raw = run_ok(
        Command::new("ffmpeg")
            .args(["-v", "error", "-i"])
            .arg(path)
            .args(["-map", "0:v:0", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]),
    );
    let frame_len = (width * height * 3) as usize;
    raw.chunks_exact(frame_len).map(<[u8]>::to_vec).collect()
}

/// Decoded audio as mono f32 at 48 kHz, honouring edit lists (priming removed).
pub fn decode_audio_48k(path: &Path) -> Vec<f32> {
    let raw = run_ok(
        Command::new("ffmpeg")
            .args(["-v", "error", "-i"])
            .arg(path)
            .args([
                "-map", "0:a:0", "-ac", "1", "-ar", "48000", "-f", "f32le", "-",
            ]),
    );
    raw.chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}
