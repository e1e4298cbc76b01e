//! Lip sync in the file: a white flash on frames 15 and 45 and a beep that
//! starts at exactly the same audio samples must decode (ffmpeg, edit lists
//! honoured) at the same time. An uncompensated AAC priming delay would put
//! the beep 21.3 ms late; Opus's pre-skip 6.5 ms.

mod mp4_support;

use std::path::Path;

use avatarcast::clock::{FrameRate, SAMPLE_RATE_HZ};
use avatarcast::encode::AudioCodec;
use avatarcast::sink::{Mp4Settings, Mp4Writer};
use mp4_support::*;

const WIDTH: u32 = 160;
const HEIGHT: u32 = 120;
const FLASH_FRAMES: [u64; 2] = [15, 45];
const FPS: FrameRate = FrameRate::new(30, 1);

/// Silence with a 10 ms, 1 kHz beep starting at each flash frame's time.
fn beeps() -> Vec<f32> {
    let mut pcm = vec![0.0f32; 2 * SAMPLE_RATE_HZ as usize];
    for frame in FLASH_FRAMES {
        let start = FPS.frame_time(frame).0 as usize;
        for i in 0..480 {
            pcm[start + i] = 0.8
                * (i as f32 * 1000.0 * std::f32::consts::TAU / 48_000.0)
                    .sin()
                    .signum();
        }
    }
    pcm
}

fn write_flashes(path: &Path, audio_codec: AudioCodec) {
    let settings = Mp4Settings {
        width: WIDTH,
        height: HEIGHT,
        fps: FPS,
        video_bitrate_bps: 500_000,
        audio_codec,
        audio_bitrate_bps: 96_000,
    };
    let pcm = beeps();
    let mut mp4 = Mp4Writer::create(path, settings).expect("create");
    for index in 0..60 {
        let grey = if FLASH_FRAMES.contains(&index) {
            255
        } else {
            30
        };
        let rgba = [grey, grey, grey, 255].repeat((WIDTH * HEIGHT) as usize);
        mp4.write_audio(&pcm[frame_audio_range(FPS, index)])
            .expect("audio");
        mp4.write_video_frame(index, &rgba).expect("video");
    }
    mp4.finish().expect("finish");
}

/// Sample indices where the decoded audio first rises above half its peak
/// after a silence of at least 100 ms.
fn onsets(pcm: &[f32]) -> Vec<usize> {
    let peak = pcm.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    let threshold = peak * 0.5;
    let mut found = Vec::new();
    let mut quiet_since = 0usize;
    for (i, s) in pcm.iter().enumerate() {
        if s.abs() >= threshold {
            if i - quiet_since >= 4_800 {
                found.push(i);
            }
            quiet_since = i;
        }
    }
    found
}

fn check_alignment(audio_codec: AudioCodec) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(format!("flash_{audio_codec}.mp4"));
    write_flashes(&path, audio_codec);

    let probe = ffprobe(&path);
    for stream in probe["streams"].as_array().expect("streams") {
        assert_eq!(num(&stream["start_time"]), 0.0, "{stream:#}");
    }

    let frames = decode_video_rgb(&path, WIDTH, HEIGHT);
    let times = video_frame_times(&path);
    assert_eq!(frames.len(), 60);
    assert_eq!(times.len(), 60);
    let bright: Vec<usize> = frames
        .iter()
        .enumerate()
        .filter(|(_, rgb)| rgb[rgb.len() / 2] > 128)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(bright, vec![15, 45], "flash frames");
    let flash_secs: Vec<f64> = bright.iter().map(|&i| times[i]).collect();

    let pcm = decode_audio(&path);
    let onset_secs: Vec<f64> = onsets(&pcm).iter().map(|&i| i as f64 / 48_000.0).collect();
    assert_eq!(onset_secs.len(), 2, "two beeps, found {onset_secs:?}");

    for (flash, onset) in flash_secs.iter().zip(&onset_secs) {
        let offset_millis = (onset - flash) * 1000.0;
        eprintln!(
            "{audio_codec}: flash at {flash:.6} s, beep at {onset:.6} s, audio - video = {offset_millis:+.3} ms"
        );
        assert!(
            offset_millis.abs() <= 1.0,
            "{audio_codec}: A/V offset {offset_millis:+.3} ms"
        );
    }
    // And both at the intended times, 0.5 s and 1.5 s.
    assert!(
        (flash_secs[0] - 0.5).abs() < 1e-6 && (flash_secs[1] - 1.5).abs() < 1e-6,
        "{flash_secs:?}"
    );
}

#[test]
fn aac_beep_and_flash_decode_at_the_same_time() {
    if ffmpeg_tools_available("aac_beep_and_flash_decode_at_the_same_time") {
        check_alignment(AudioCodec::Aac);
    }
}

#[test]
fn opus_beep_and_flash_decode_at_the_same_time() {
    if ffmpeg_tools_available("opus_beep_and_flash_decode_at_the_same_time") {
        check_alignment(AudioCodec::Opus);
    }
}
