//! Shared helpers of the MP4 tests: synthetic input and the Debian
//! ffmpeg/ffprobe command-line tools as an independent oracle.

#![allow(dead_code, reason = "each test file uses a different subset")]

use std::path::Path;
use std::process::Command;

use avatarcast::clock::{FrameRate, SampleTime};

/// Whether ffmpeg and ffprobe can run. Skipping is allowed only outside CI.
pub fn ffmpeg_tools_available(test: &str) -> bool {
    let runs = |tool: &str| {
        Command::new(tool)
            .arg("-version")
            .output()
            .is_ok_and(|out| out.status.success())
    };
    if runs("ffmpeg") && runs("ffprobe") {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{test}: ffmpeg/ffprobe are missing; install the Debian `ffmpeg` package"
    );
    eprintln!("skipping {test}: ffmpeg/ffprobe not installed (apt-get install ffmpeg)");
    false
}

/// `ffprobe -show_streams -show_format` as JSON.
pub fn ffprobe(path: &Path) -> serde_json::Value {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_streams",
            "-show_format",
            "-count_frames",
            "-of",
            "json",
        ])
        .arg(path)
        .output()
        .expect("ffprobe runs");
    assert!(
        out.status.success(),
        "ffprobe failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("ffprobe prints JSON")
}

/// The one video and one audio stream of an ffprobe report; panics (a test
/// failure) unless there are exactly those two.
pub fn video_and_audio(probe: &serde_json::Value) -> (&serde_json::Value, &serde_json::Value) {
    let streams = probe["streams"].as_array().expect("streams");
    assert_eq!(streams.len(), 2, "{probe:#}");
    let of = |kind: &str| {
        streams
            .iter()
            .find(|s| s["codec_type"] == kind)
            .unwrap_or_else(|| panic!("no {kind} stream: {probe:#}"))
    };
    (of("video"), of("audio"))
}

/// Colour patches for colour-accuracy checks: saturated primaries, greys and
/// skin tones (what an avatar shows most).
pub const COLOUR_PATCHES: [[u8; 3]; 8] = [
    [235, 40, 40],
    [40, 200, 60],
    [40, 60, 220],
    [255, 255, 255],
    [0, 0, 0],
    [128, 128, 128],
    [224, 172, 150],
    [141, 85, 60],
];

/// The human-readable stream summary, for reports.
pub fn ffprobe_compact(path: &Path) -> String {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=codec_name,codec_tag_string,profile,width,height,pix_fmt,color_range,\
             color_space,r_frame_rate,start_time,duration,nb_frames,sample_rate,bit_rate,level:format=duration,bit_rate",
            "-of",
            "compact",
        ])
        .arg(path)
        .output()
        .expect("ffprobe runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Decodes the first audio stream to 48 kHz mono f32, honouring edit lists
/// (ffmpeg's default), as a player would.
pub fn decode_audio(path: &Path) -> Vec<f32> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args([
            "-map", "0:a:0", "-f", "f32le", "-ac", "1", "-ar", "48000", "-",
        ])
        .output()
        .expect("ffmpeg runs");
    assert!(
        out.status.success(),
        "ffmpeg failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// Decodes every video frame (no frame-rate conversion) to RGB24.
pub fn decode_video_rgb(path: &Path, width: u32, height: u32) -> Vec<Vec<u8>> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args([
            "-map",
            "0:v:0",
            "-fps_mode",
            "passthrough",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ])
        .output()
        .expect("ffmpeg runs");
    assert!(
        out.status.success(),
        "ffmpeg failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let frame_bytes = (width * height * 3) as usize;
    assert_eq!(out.stdout.len() % frame_bytes, 0, "whole frames");
    out.stdout
        .chunks_exact(frame_bytes)
        .map(<[u8]>::to_vec)
        .collect()
}

/// Presentation times (seconds) of the decoded video frames.
pub fn video_frame_times(path: &Path) -> Vec<f64> {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "frame=best_effort_timestamp_time",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .expect("ffprobe runs");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.trim()
                .trim_end_matches(',')
                .parse::<f64>()
                .expect("a time")
        })
        .collect()
}

/// A JSON number that ffprobe prints as a string.
pub fn num(value: &serde_json::Value) -> f64 {
    value
        .as_str()
        .and_then(|s| s.parse().ok())
        .or_else(|| value.as_f64())
        .unwrap_or_else(|| panic!("not a number: {value}"))
}

/// A moving test picture: gradients plus a square that travels with `index`.
pub fn synthetic_frame(width: u32, height: u32, index: u64) -> Vec<u8> {
    let mut rgba = Vec::with_capacity((width * height * 4) as usize);
    let square_x = (index * 4) % u64::from(width);
    for y in 0..height {
        for x in 0..width {
            let inside =
                (u64::from(x)).wrapping_sub(square_x) < 32 && y > height / 3 && y < height / 3 + 32;
            let (r, g, b) = if inside {
                (240, 240, 40)
            } else {
                ((x * 255 / width) as u8, (y * 255 / height) as u8, 96)
            };
            rgba.extend_from_slice(&[r, g, b, 255]);
        }
    }
    rgba
}

/// The audio samples that belong to frame `index`'s slot `[t(n), t(n+1))`.
pub fn frame_audio_range(fps: FrameRate, index: u64) -> std::ops::Range<usize> {
    let SampleTime(start) = fps.frame_time(index);
    let SampleTime(end) = fps.frame_time(index + 1);
    start as usize..end as usize
}

/// One track's timing boxes, read straight from the file.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackTiming {
    /// `hdlr` handler type: "vide" or "soun".
    pub handler: String,
    /// `mdhd` timescale (ticks per second of the media).
    pub media_timescale: u32,
    /// `elst` entries as (segment_duration in movie ticks, media_time in media ticks).
    pub edits: Vec<(u64, i64)>,
}

/// `mvhd` timescale and every track's timing, from the `moov` box.
pub fn track_timings(bytes: &[u8]) -> (u32, Vec<TrackTiming>) {
    let moov = child(bytes, "moov").expect("moov box");
    let mvhd = child(moov, "mvhd").expect("mvhd box");
    let movie_timescale = if mvhd[0] == 1 {
        be_u32(&mvhd[20..])
    } else {
        be_u32(&mvhd[12..])
    };
    let mut tracks = Vec::new();
    for trak in children(moov, "trak") {
        let mdia = child(trak, "mdia").expect("mdia box");
        let hdlr = child(mdia, "hdlr").expect("hdlr box");
        let handler = String::from_utf8_lossy(&hdlr[8..12]).into_owned();
        let mdhd = child(mdia, "mdhd").expect("mdhd box");
        let media_timescale = if mdhd[0] == 1 {
            be_u32(&mdhd[20..])
        } else {
            be_u32(&mdhd[12..])
        };
        let mut edits = Vec::new();
        if let Some(elst) = child(trak, "edts").and_then(|edts| child(edts, "elst")) {
            let version = elst[0];
            let count = be_u32(&elst[4..]) as usize;
            let mut at = 8;
            for _ in 0..count {
                if version == 1 {
                    edits.push((be_u64(&elst[at..]), be_u64(&elst[at + 8..]) as i64));
                    at += 20;
                } else {
                    edits.push((
                        u64::from(be_u32(&elst[at..])),
                        i64::from(be_u32(&elst[at + 4..]) as i32),
                    ));
                    at += 12;
                }
            }
        }
        tracks.push(TrackTiming {
            handler,
            media_timescale,
            edits,
        });
    }
    (movie_timescale, tracks)
}

/// The `dOps` PreSkip of the first Opus sample entry, if there is one.
pub fn opus_pre_skip(bytes: &[u8]) -> Option<u16> {
    let moov = child(bytes, "moov")?;
    for trak in children(moov, "trak") {
        let stbl = child(trak, "mdia")
            .and_then(|m| child(m, "minf"))
            .and_then(|m| child(m, "stbl"))?;
        let stsd = child(stbl, "stsd")?;
        // stsd: version/flags[4] entry_count[4], then sample entries.
        if let Some(opus) = child(&stsd[8..], "Opus") {
            // AudioSampleEntry fields take 28 bytes before its child boxes;
            // dOps: version[1] channels[1] PreSkip[2 BE] ...
            let dops = child(&opus[28..], "dOps")?;
            return Some(u16::from_be_bytes([dops[2], dops[3]]));
        }
    }
    None
}

fn be_u32(b: &[u8]) -> u32 {
    u32::from_be_bytes(b[..4].try_into().expect("4 bytes"))
}

fn be_u64(b: &[u8]) -> u64 {
    u64::from_be_bytes(b[..8].try_into().expect("8 bytes"))
}

/// The payloads of the boxes named `name` directly inside `parent`.
fn children<'a>(parent: &'a [u8], name: &str) -> Vec<&'a [u8]> {
    let mut found = Vec::new();
    let mut at = 0;
    while at + 8 <= parent.len() {
        let size = be_u32(&parent[at..]) as usize;
        let (header, size) = if size == 1 {
            (16, be_u64(&parent[at + 8..]) as usize)
        } else {
            (8, size)
        };
        let size = if size == 0 { parent.len() - at } else { size };
        if size < header || at + size > parent.len() {
            break;
        }
        if &parent[at + 4..at + 8] == name.as_bytes() {
            found.push(&parent[at + header..at + size]);
        }
        at += size;
    }
    found
}

fn child<'a>(parent: &'a [u8], name: &str) -> Option<&'a [u8]> {
    children(parent, name).into_iter().next()
}
