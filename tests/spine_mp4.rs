//! The spine end to end: a line of text becomes an MP4 in which the mouth
//! moves with the voice. Checked the way a viewer would: by decoding the file
//! with ffmpeg and looking at the mouth region of the frames against the sound.

mod common;
mod mp4_support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use avatarcast::animation::AnimationParams;
use avatarcast::avatar::Avatar;
use avatarcast::clock::{FrameRate, SampleTime};
use avatarcast::encode::AudioCodec;
use avatarcast::engine::{FileJob, FileSummary, render_file};
use avatarcast::render::Background;
use avatarcast::speech::{self, Lang};

const SIZE: u32 = 192;
const FPS: u32 = 25;

/// The avatar the product renders by default; the reference avatar before setup built one.
fn test_avatar() -> Option<PathBuf> {
    if let Some(glb) = common::default_roles().into_iter().next() {
        return Some(glb);
    }
    let reference = common::reference_avatar(false);
    common::require(
        reference.is_file(),
        "no default role built and no reference avatar",
    )
    .then_some(reference)
}

fn render_clip(avatar: &Arc<Avatar>, text: &str, lang: Lang, out: &Path) -> FileSummary {
    let job = FileJob {
        text: text.into(),
        lang,
        voice: None,
        avatar: avatar.clone(),
        width: SIZE,
        height: SIZE,
        fps: FrameRate::new(FPS, 1),
        background: Background::Color([200, 210, 220]),
        msaa_samples: 1,
        out: out.to_path_buf(),
        audio_codec: AudioCodec::Aac,
        png_frames: None,
        seed: 7,
        // The mouth is measured in a fixed pixel box, so the head holds still;
        // blinks and gaze stay on (they are outside the box).
        animation: AnimationParams {
            head_sway_rad: 0.0,
            breath_depth_rad: 0.0,
            ..AnimationParams::default()
        },
        lead_in: SampleTime::from_millis(600),
        tail: SampleTime::from_millis(700),
        audio: None,
    };
    let speech = speech::default_backend().expect("espeak-ng is installed by scripts/setup.sh");
    render_file(&job, speech, &mut |_, _| {}).expect("render_file")
}

/// The pixel box where the mouth moves: render the avatar at rest and saying
/// "aa" with the same camera, and take the bounding box of what changed.
fn mouth_box(avatar: &Avatar) -> (u32, u32, u32, u32) {
    let (rest, aa) = common::mouth::rest_and_aa_frames(avatar, SIZE);
    common::mouth::mouth_box(&rest, &aa)
}

/// Per frame: how different the mouth box is from the first frame (at rest).
/// Compared in 4×4-pixel block means, so H.264's fine-grained noise does not
/// count as motion while an opening mouth (a large, dark change) does.
fn mouth_signal(frames: &[Vec<u8>], (x0, y0, x1, y1): (u32, u32, u32, u32)) -> Vec<f64> {
    const B: u32 = 4;
    let blocks = |f: &[u8]| -> Vec<f64> {
        let mut out = Vec::new();
        for by in (y0..y1.saturating_sub(B - 1)).step_by(B as usize) {
            for bx in (x0..x1.saturating_sub(B - 1)).step_by(B as usize) {
                let mut sum = 0u32;
                for y in by..by + B {
                    for x in bx..bx + B {
                        let i = ((y * SIZE + x) * 3) as usize;
                        sum += u32::from(f[i]) + u32::from(f[i + 1]) + u32::from(f[i + 2]);
                    }
                }
                out.push(f64::from(sum) / f64::from(B * B * 3));
            }
        }
        out
    };
    let rest = blocks(&frames[0]);
    frames
        .iter()
        .map(|f| {
            let b = blocks(f);
            b.iter().zip(&rest).map(|(x, r)| (x - r).abs()).sum::<f64>() / b.len().max(1) as f64
        })
        .collect()
}

/// RMS of the audio in a window centred on `t_secs`.
fn rms_at(audio: &[f32], t_secs: f64, window_secs: f64) -> f64 {
    let c = (t_secs * 48_000.0) as i64;
    let h = (window_secs * 24_000.0) as i64;
    let (lo, hi) = (
        (c - h).max(0) as usize,
        ((c + h).max(0) as usize).min(audio.len()),
    );
    if hi <= lo {
        return 0.0;
    }
    (audio[lo..hi]
        .iter()
        .map(|&x| f64::from(x) * f64::from(x))
        .sum::<f64>()
        / (hi - lo) as f64)
        .sqrt()
}

/// A/V offset in ms (video time − audio time; negative = the picture leads the
/// sound): the lag that best aligns the mouth signal with the audio envelope.
fn av_offset_ms(mouth: &[f64], audio: &[f32]) -> f64 {
    let frame_secs = 1.0 / f64::from(FPS);
    // Linear interpolation of the mouth signal between frame times.
    let mouth_at = |t: f64| -> f64 {
        let x = t / frame_secs;
        if x <= 0.0 {
            return mouth[0];
        }
        let i = x.floor() as usize;
        if i + 1 >= mouth.len() {
            return mouth[mouth.len() - 1];
        }
        let f = x - i as f64;
        mouth[i] * (1.0 - f) + mouth[i + 1] * f
    };
    let duration = mouth.len() as f64 * frame_secs;
    let step = 0.005;
    let times: Vec<f64> = (0..((duration / step) as usize))
        .map(|k| k as f64 * step)
        .collect();
    let env: Vec<f64> = times.iter().map(|&t| rms_at(audio, t, 0.04)).collect();
    let corr = |lag: f64| -> f64 {
        let m: Vec<f64> = times.iter().map(|&t| mouth_at(t + lag)).collect();
        let (mm, me) = (mean(&m), mean(&env));
        let mut num = 0.0;
        let (mut dm, mut de) = (0.0, 0.0);
        for (a, b) in m.iter().zip(&env) {
            num += (a - mm) * (b - me);
            dm += (a - mm).powi(2);
            de += (b - me).powi(2);
        }
        num / (dm.sqrt() * de.sqrt()).max(1e-12)
    };
    let mut best = (f64::MIN, 0.0);
    for lag_ms in -200..=200 {
        let c = corr(f64::from(lag_ms) / 1000.0);
        if c > best.0 {
            best = (c, f64::from(lag_ms));
        }
    }
    println!(
        "mouth/audio envelope correlation at best lag: {:.3}",
        best.0
    );
    assert!(
        best.0 > 0.3,
        "mouth motion does not follow the voice (correlation {:.3})",
        best.0
    );
    best.1
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

fn check_clip(text: &str, lang: Lang, label: &str) {
    let Some(avatar_path) = test_avatar() else {
        return;
    };
    if !mp4_support::ffmpeg_tools_available(label) {
        return;
    }
    let avatar = Arc::new(Avatar::load(&avatar_path).expect("load avatar"));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join(format!("{label}.mp4"));
    let summary = render_clip(&avatar, text, lang, &out);

    // Streams: one H.264 and one AAC, right size, rate and duration.
    let probe = mp4_support::ffprobe(&out);
    let (video, audio) = mp4_support::video_and_audio(&probe);
    assert_eq!(video["codec_name"], "h264");
    assert_eq!(audio["codec_name"], "aac");
    assert_eq!(video["width"], SIZE);
    assert_eq!(video["height"], SIZE);
    assert_eq!(video["r_frame_rate"], format!("{FPS}/1"));
    let expected = summary.duration.as_secs_f64();
    let format_secs: f64 = probe["format"]["duration"]
        .as_str()
        .expect("duration")
        .parse()
        .expect("number");
    println!(
        "{label}: expected {expected:.3} s, file {format_secs:.3} s, {} frames",
        summary.frames
    );
    assert!(
        (format_secs - expected).abs() <= 1.0 / f64::from(FPS),
        "duration {format_secs} vs audio {expected}"
    );

    // Mouth: moves while the voice is loud, rests in the silence before and after.
    let frames = mp4_support::decode_video_rgb(&out, SIZE, SIZE);
    assert_eq!(frames.len() as u64, summary.frames, "decoded frame count");
    let audio = mp4_support::decode_audio(&out);
    assert!(
        (audio.len() as f64 / 48_000.0 - expected).abs() < 0.03,
        "decoded audio length {}",
        audio.len()
    );
    let mbox = mouth_box(&avatar);
    let mouth = mouth_signal(&frames, mbox);
    println!(
        "{label}: mouth box {mbox:?}; signal per frame: {:?}",
        mouth.iter().map(|m| m.round() as i64).collect::<Vec<_>>()
    );
    let fps = FrameRate::new(FPS, 1);
    let before = fps.frame_at(
        summary
            .speech_start
            .saturating_sub(SampleTime::from_millis(150)),
    );
    let after = fps.frame_at(summary.speech_end + SampleTime::from_millis(300)) as usize;
    let speaking_peak = mouth[before as usize..after]
        .iter()
        .cloned()
        .fold(0.0, f64::max);
    let rest_before = mouth[..before as usize].iter().cloned().fold(0.0, f64::max);
    let rest_after = mouth[after.min(mouth.len() - 1)..]
        .iter()
        .cloned()
        .fold(0.0, f64::max);
    println!(
        "{label}: mouth peak {speaking_peak:.1}, at rest before {rest_before:.1}, after {rest_after:.1}"
    );
    assert!(speaking_peak > 4.0, "the mouth barely moves while speaking");
    assert!(
        rest_before < speaking_peak * 0.25,
        "the mouth moves before the speech starts"
    );
    assert!(
        rest_after < speaking_peak * 0.25,
        "the mouth does not come back to rest after the speech"
    );

    let offset = av_offset_ms(&mouth, &audio);
    println!("{label}: A/V offset {offset:+.0} ms (video − audio; ATSC IS-191 window −45..+15)");
    assert!(
        (-45.0..=15.0).contains(&offset),
        "A/V offset {offset} ms is outside −45..+15 ms"
    );
}

#[test]
fn english_clip_is_lip_synced() {
    check_clip(
        "Hello, how can I help you today? Your parcel will arrive on Monday.",
        Lang::En,
        "en",
    );
}

#[test]
fn chinese_clip_is_lip_synced() {
    check_clip(
        "您好，请问有什么可以帮您？您的包裹星期一到。",
        Lang::Zh,
        "zh",
    );
}
