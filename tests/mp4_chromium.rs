//! Chromium plays what `Mp4Writer` writes, in sync and in the right colours.
//!
//! Headless Chromium loads a page from a tiny local HTTP server. The page
//! plays each file once: `requestVideoFrameCallback` reports the media time
//! of every presented frame (the white flashes must be at 0.5 s and 1.5 s)
//! and the colour patches; an AudioWorklet behind `createMediaElementSource`
//! records the element's audio output, and the beeps must come exactly
//! 24 000 and 72 000 samples after its first sample. That is the player's
//! own demuxer, decoder and edit-list handling, end to end.

mod mp4_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use avatarcast::clock::FrameRate;
use avatarcast::encode::AudioCodec;
use avatarcast::sink::{Mp4Settings, Mp4Writer};
use mp4_support::frame_audio_range;

const WIDTH: u32 = 256;
const HEIGHT: u32 = 128;
const FPS: FrameRate = FrameRate::new(30, 1);
const PATCHES: [[u8; 3]; 8] = mp4_support::COLOUR_PATCHES;

fn find_chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let found = Command::new(name)
                .arg("--version")
                .stderr(Stdio::null())
                .output()
                .ok()?;
            found.status.success().then(|| PathBuf::from(name))
        })
}

/// Colour patches, white flashes on frames 15 and 45; a quiet 200 Hz tone
/// from sample 0 (so the first output sample is visible) and 10 ms beeps
/// at the flash times.
fn write_test_file(path: &Path, audio_codec: AudioCodec) {
    let settings = Mp4Settings {
        width: WIDTH,
        height: HEIGHT,
        fps: FPS,
        video_bitrate_bps: 1_000_000,
        audio_codec,
        audio_bitrate_bps: 96_000,
    };
    let mut pcm: Vec<f32> = (0..96_000)
        .map(|i| 0.05 * (i as f32 * 200.0 * std::f32::consts::TAU / 48_000.0 + 1.0).sin())
        .collect();
    for start in [24_000, 72_000] {
        for i in 0..480 {
            pcm[start + i] = 0.8
                * (i as f32 * 1000.0 * std::f32::consts::TAU / 48_000.0)
                    .sin()
                    .signum();
        }
    }
    let mut patches = Vec::with_capacity((WIDTH * HEIGHT * 4) as usize);
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let [r, g, b] = PATCHES[((y / 64) * 4 + x / 64) as usize];
            patches.extend_from_slice(&[r, g, b, 255]);
        }
    }
    let white = vec![255u8; (WIDTH * HEIGHT * 4) as usize];
    let mut mp4 = Mp4Writer::create(path, settings).expect("create");
    for index in 0..60 {
        mp4.write_audio(&pcm[frame_audio_range(FPS, index)])
            .expect("audio");
        let frame = if index == 15 || index == 45 {
            &white
        } else {
            &patches
        };
        mp4.write_video_frame(index, frame).expect("video");
    }
    mp4.finish().expect("finish");
}

const PAGE: &str = r#"<html><body><script>
const PATCHES = __PATCHES__;
const worklet = `
class Rec extends AudioWorkletProcessor {
  constructor() { super(); this.n = 0; this.first = -1; this.onsets = []; this.loud = -1e9; }
  process(inputs) {
    const ch = inputs[0][0];
    if (!ch) return true;
    for (let i = 0; i < ch.length; i++, this.n++) {
      const s = Math.abs(ch[i]);
      if (this.first < 0 && s > 0.005) this.first = this.n;
      if (s > 0.4) {
        if (this.n - this.loud >= 4800 && this.first >= 0) this.onsets.push(this.n - this.first);
        this.loud = this.n;
      }
    }
    this.port.postMessage(this.onsets);
    return true;
  }
}
registerProcessor('rec', Rec);`;
async function check(name) {
  const ctx = new AudioContext({sampleRate: 48000});
  await ctx.audioWorklet.addModule(URL.createObjectURL(new Blob([worklet], {type: 'text/javascript'})));
  const v = document.createElement('video');
  v.src = name;
  document.body.appendChild(v);
  await new Promise((ok, fail) => { v.oncanplaythrough = ok; v.onerror = () => fail(new Error(name + ': ' + (v.error && v.error.message))); });
  const rec = new AudioWorkletNode(ctx, 'rec');
  ctx.createMediaElementSource(v).connect(rec);
  rec.connect(ctx.destination);
  let onsets = [];
  rec.port.onmessage = (e) => { onsets = e.data; };
  const c = document.createElement('canvas');
  c.width = v.videoWidth; c.height = v.videoHeight;
  const g = c.getContext('2d', {willReadFrequently: true});
  const flashes = [];
  let worst = -1;
  const onFrame = (now, meta) => {
    g.drawImage(v, 0, 0);
    const centre = g.getImageData(v.videoWidth / 2 + 32, v.videoHeight / 2 + 32, 1, 1).data;
    if (centre[0] > 250 && centre[2] > 250) flashes.push(meta.mediaTime);
    else if (worst < 0) {
      worst = 0;
      PATCHES.forEach((rgb, i) => {
        const p = g.getImageData((i % 4) * 64 + 32, Math.floor(i / 4) * 64 + 32, 1, 1).data;
        for (let k = 0; k < 3; k++) worst = Math.max(worst, Math.abs(p[k] - rgb[k]));
      });
    }
    v.requestVideoFrameCallback(onFrame);
  };
  v.requestVideoFrameCallback(onFrame);
  await ctx.resume();
  await v.play();
  await new Promise(ok => v.onended = ok);
  await new Promise(ok => setTimeout(ok, 300));
  await ctx.close();
  return {name, duration: v.duration, width: v.videoWidth, height: v.videoHeight, flashes, worst, onsets};
}
(async () => {
  const results = [];
  try {
    for (const name of ['aac.mp4', 'opus.mp4']) results.push(await check(name));
  } catch (e) { results.push({error: String(e)}); }
  await fetch('/result', {method: 'POST', body: JSON.stringify(results)});
})();
</script></body></html>"#;

/// Serves the page and the files; sends the first POSTed body down `done`.
fn serve(listener: TcpListener, dir: PathBuf, done: mpsc::Sender<String>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        if let Some(result) = answer(stream, &dir) {
            let _ = done.send(result);
            return;
        }
    }
}

fn answer(mut stream: TcpStream, dir: &Path) -> Option<String> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut content_length = 0usize;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        if header.trim().is_empty() {
            break;
        }
        if let Some(value) = header.to_ascii_lowercase().strip_prefix("content-length:") {
            content_length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next()?, parts.next()?);
    if method == "POST" {
        let mut body = vec![0; content_length];
        reader.read_exact(&mut body).ok()?;
        let _ =
            stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return Some(String::from_utf8_lossy(&body).into_owned());
    }
    let (body, kind) = match target {
        "/" => (
            PAGE.replace("__PATCHES__", &format!("{PATCHES:?}"))
                .into_bytes(),
            "text/html",
        ),
        "/aac.mp4" | "/opus.mp4" => (std::fs::read(dir.join(&target[1..])).ok()?, "video/mp4"),
        _ => (Vec::new(), "text/plain"),
    };
    let status = if body.is_empty() {
        "404 Not Found"
    } else {
        "200 OK"
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(&body));
    None
}

#[test]
fn chromium_plays_aac_and_opus_files_in_sync_and_in_colour() {
    let Some(chromium) = find_chromium() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "Chromium is missing; install the Debian `chromium` package"
        );
        eprintln!("skipping: Chromium not installed (apt-get install chromium)");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    write_test_file(&dir.path().join("aac.mp4"), AudioCodec::Aac);
    write_test_file(&dir.path().join("opus.mp4"), AudioCodec::Opus);

    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    let url = format!("http://{}/", listener.local_addr().expect("local address"));
    let (done, results) = mpsc::channel();
    let served_dir = dir.path().to_path_buf();
    std::thread::spawn(move || serve(listener, served_dir, done));

    let mut browser = Command::new(&chromium)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--autoplay-policy=no-user-gesture-required",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(&url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start Chromium");
    let outcome = results.recv_timeout(Duration::from_secs(90));
    let _ = browser.kill();
    let _ = browser.wait();
    let json = outcome.expect("Chromium reports within 90 s");
    eprintln!("{json}");
    let results: serde_json::Value = serde_json::from_str(&json).expect("JSON from the page");
    let results = results.as_array().expect("an array");
    assert_eq!(results.len(), 2, "{json}");
    for result in results {
        assert!(result.get("error").is_none(), "{json}");
        let name = &result["name"];
        let duration = result["duration"].as_f64().expect("duration");
        assert!(
            (duration - 2.0).abs() < 0.001,
            "{name}: duration {duration}"
        );
        assert_eq!(
            (result["width"].as_u64(), result["height"].as_u64()),
            (Some(256), Some(128))
        );
        let flashes: Vec<f64> = result["flashes"]
            .as_array()
            .expect("flashes")
            .iter()
            .filter_map(|t| t.as_f64())
            .collect();
        assert!(
            flashes.len() == 2
                && (flashes[0] - 0.5).abs() < 1e-3
                && (flashes[1] - 1.5).abs() < 1e-3,
            "{name}: flash frames at {flashes:?}"
        );
        let worst = result["worst"].as_i64().expect("colour error");
        assert!((0..=4).contains(&worst), "{name}: colour error {worst}/255");
        let onsets: Vec<i64> = result["onsets"]
            .as_array()
            .expect("onsets")
            .iter()
            .filter_map(|o| o.as_i64())
            .collect();
        assert_eq!(onsets.len(), 2, "{name}: beeps at {onsets:?}");
        for (onset, expected) in onsets.iter().zip([24_000, 72_000]) {
            assert!(
                (onset - expected).abs() <= 48,
                "{name}: beep at sample {onset}, expected {expected} (±1 ms)"
            );
        }
    }
}
