//! An MP4 written by `Mp4Writer` is what players expect: one H.264
//! (Constrained Baseline, yuv420p) and one AAC-LC or Opus stream, the right
//! size, frame rate and frame count, `moov` before `mdat`, and a duration
//! equal to the audio's.

mod mp4_support;

use std::path::Path;

use avatarcast::clock::{FrameRate, SAMPLE_RATE_HZ, SampleTime};
use avatarcast::encode::AudioCodec;
use avatarcast::sink::{Mp4Settings, Mp4Writer};
use mp4_support::*;

const WIDTH: u32 = 320;
const HEIGHT: u32 = 240;

fn settings(audio_codec: AudioCodec) -> Mp4Settings {
    Mp4Settings {
        width: WIDTH,
        height: HEIGHT,
        fps: FrameRate::new(30, 1),
        video_bitrate_bps: 800_000,
        audio_codec,
        audio_bitrate_bps: 96_000,
    }
}

/// 2.0 s: 60 frames and 96 000 samples of a 440 Hz tone, fed frame by frame
/// as the render loop will.
fn write_two_seconds(path: &Path, audio_codec: AudioCodec) -> avatarcast::sink::Mp4Summary {
    let settings = settings(audio_codec);
    let pcm: Vec<f32> = (0..2 * SAMPLE_RATE_HZ as usize)
        .map(|i| 0.3 * (i as f32 * 440.0 * std::f32::consts::TAU / 48_000.0).sin())
        .collect();
    let mut mp4 = Mp4Writer::create(path, settings).expect("create");
    for index in 0..60 {
        mp4.write_audio(&pcm[frame_audio_range(settings.fps, index)])
            .expect("audio");
        mp4.write_video_frame(index, &synthetic_frame(WIDTH, HEIGHT, index))
            .expect("video");
    }
    mp4.finish().expect("finish")
}

/// Offsets of the top-level boxes, to check `moov` comes before `mdat`.
fn top_level_boxes(bytes: &[u8]) -> Vec<(String, usize)> {
    let mut boxes = Vec::new();
    let mut offset = 0;
    while offset + 8 <= bytes.len() {
        let size =
            u32::from_be_bytes(bytes[offset..offset + 4].try_into().expect("4 bytes")) as usize;
        let name = String::from_utf8_lossy(&bytes[offset + 4..offset + 8]).into_owned();
        boxes.push((name, offset));
        if size < 8 {
            break;
        }
        offset += size;
    }
    boxes
}

#[test]
fn two_seconds_of_aac_and_h264_probe_as_expected() {
    if !ffmpeg_tools_available("two_seconds_of_aac_and_h264_probe_as_expected") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("two_seconds.mp4");
    let summary = write_two_seconds(&path, AudioCodec::Aac);
    assert_eq!(summary.video_frames, 60);
    assert_eq!(summary.audio_duration.0, 96_000);
    assert_eq!(summary.duration.0, 96_000);
    eprintln!("{}", ffprobe_compact(&path));

    let probe = ffprobe(&path);
    let (video, audio) = video_and_audio(&probe);

    assert_eq!(video["codec_name"], "h264");
    assert_eq!(video["codec_tag_string"], "avc1");
    assert_eq!(video["profile"], "Constrained Baseline");
    assert_eq!(video["pix_fmt"], "yuv420p");
    assert_eq!(video["width"], WIDTH);
    assert_eq!(video["height"], HEIGHT);
    assert_eq!(video["r_frame_rate"], "30/1");
    assert_eq!(video["nb_frames"], "60");
    assert_eq!(video["nb_read_frames"], "60");
    assert_eq!(video["color_range"], "tv");
    assert_eq!(video["color_space"], "smpte170m");
    assert!(
        (num(&video["duration"]) - 2.0).abs() <= 1.0 / 30.0,
        "{video:#}"
    );
    assert_eq!(num(&video["start_time"]), 0.0);

    assert_eq!(audio["codec_name"], "aac");
    assert_eq!(audio["profile"], "LC");
    assert_eq!(audio["codec_tag_string"], "mp4a");
    assert_eq!(audio["sample_rate"], "48000");
    assert_eq!(audio["channels"], 1);
    assert_eq!(num(&audio["start_time"]), 0.0);
    let audio_secs = num(&audio["duration"]);
    assert!(
        (audio_secs - 2.0).abs() < 0.001,
        "audio duration {audio_secs}"
    );

    let format_secs = num(&probe["format"]["duration"]);
    assert!(
        (format_secs - audio_secs).abs() < 0.001,
        "format {format_secs} vs audio {audio_secs}"
    );

    let bytes = std::fs::read(&path).expect("read file");
    let (movie_timescale, tracks) = track_timings(&bytes);
    assert_eq!(movie_timescale, 48_000);
    // The edit lists make players start both tracks at t = 0, skip the AAC
    // encoder's 1024 priming samples and stop after exactly 2.0 s.
    let video_track = tracks
        .iter()
        .find(|t| t.handler == "vide")
        .expect("video trak");
    let audio_track = tracks
        .iter()
        .find(|t| t.handler == "soun")
        .expect("audio trak");
    assert_eq!(video_track.media_timescale, 90_000);
    assert_eq!(video_track.edits, vec![(96_000, 0)]);
    assert_eq!(audio_track.media_timescale, 48_000);
    assert_eq!(audio_track.edits, vec![(96_000, 1024)]);

    // ffmpeg drops the priming but (FFmpeg 5.1) not the last frame's padding,
    // which the edit list's duration marks: at most one AAC frame extra.
    let decoded = decode_audio(&path);
    assert!(
        (96_000..96_000 + 1024).contains(&decoded.len()),
        "{}",
        decoded.len()
    );

    let boxes = top_level_boxes(&bytes);
    let position = |name: &str| boxes.iter().position(|(n, _)| n == name);
    let moov = position("moov").expect("moov box");
    let mdat = position("mdat").expect("mdat box");
    assert!(moov < mdat, "faststart: moov before mdat, got {boxes:?}");
}

#[test]
fn two_seconds_of_opus_and_h264_probe_as_expected() {
    if !ffmpeg_tools_available("two_seconds_of_opus_and_h264_probe_as_expected") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("two_seconds_opus.mp4");
    let summary = write_two_seconds(&path, AudioCodec::Opus);
    assert_eq!(summary.duration.0, 96_000);
    eprintln!("{}", ffprobe_compact(&path));

    let probe = ffprobe(&path);
    let streams = probe["streams"].as_array().expect("streams");
    assert_eq!(streams.len(), 2, "{probe:#}");
    let audio = streams
        .iter()
        .find(|s| s["codec_type"] == "audio")
        .expect("an audio stream");
    assert_eq!(audio["codec_name"], "opus");
    assert_eq!(audio["codec_tag_string"], "Opus");
    let audio_secs = num(&audio["duration"]);
    assert!(
        (audio_secs - 2.0).abs() < 0.001,
        "audio duration {audio_secs}"
    );
    let format_secs = num(&probe["format"]["duration"]);
    assert!(
        (format_secs - 2.0).abs() < 0.001,
        "format duration {format_secs}"
    );
    let (_, tracks) = track_timings(&std::fs::read(&path).expect("read file"));
    let audio_track = tracks
        .iter()
        .find(|t| t.handler == "soun")
        .expect("audio trak");
    // Opus's 312-sample pre-skip is in the edit list (and in dOps).
    assert_eq!(audio_track.edits, vec![(96_000, 312)]);
    let decoded = decode_audio(&path);
    assert!(
        (96_000..96_000 + 960).contains(&decoded.len()),
        "{}",
        decoded.len()
    );
}

#[test]
fn ntsc_rate_and_audio_ending_mid_frame_trim_the_last_frame() {
    if !ffmpeg_tools_available("ntsc_rate_and_audio_ending_mid_frame_trim_the_last_frame") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ntsc.mp4");
    let fps = FrameRate::new(30_000, 1001);
    let settings = Mp4Settings {
        fps,
        ..settings(AudioCodec::Aac)
    };
    // 1.5 s of audio: 45 frames of 33.37 ms cover it, the last one partly.
    let audio = SampleTime(72_000);
    let frames = fps.frames_covering(audio);
    assert_eq!(frames, 45);
    let mut mp4 = Mp4Writer::create(&path, settings).expect("create");
    // All audio first, then the video, the order an offline export may use.
    mp4.write_audio(&vec![0.05; audio.0 as usize])
        .expect("audio");
    for index in 0..frames {
        mp4.write_video_frame(index, &synthetic_frame(WIDTH, HEIGHT, index))
            .expect("video");
    }
    let summary = mp4.finish().expect("finish");
    assert_eq!(summary.duration, audio);
    eprintln!("{}", ffprobe_compact(&path));

    let probe = ffprobe(&path);
    let streams = probe["streams"].as_array().expect("streams");
    let video = streams
        .iter()
        .find(|s| s["codec_type"] == "video")
        .expect("a video stream");
    assert_eq!(video["r_frame_rate"], "30000/1001");
    assert_eq!(video["nb_frames"], "45");
    assert!((num(&video["duration"]) - 1.5).abs() < 0.001, "{video:#}");
    assert!(
        (num(&probe["format"]["duration"]) - 1.5).abs() < 0.001,
        "{probe:#}"
    );
    let times = video_frame_times(&path);
    assert!(
        (times[44] - 44.0 * 1001.0 / 30_000.0).abs() < 1e-4,
        "frame 44 at {}",
        times[44]
    );
}

#[test]
fn video_without_audio_lasts_its_frames() {
    if !ffmpeg_tools_available("video_without_audio_lasts_its_frames") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("silent.mp4");
    let mut mp4 = Mp4Writer::create(&path, settings(AudioCodec::Aac)).expect("create");
    for index in 0..10 {
        mp4.write_video_frame(index, &synthetic_frame(WIDTH, HEIGHT, index))
            .expect("video");
    }
    let summary = mp4.finish().expect("finish");
    assert_eq!(summary.audio_duration, SampleTime(0));
    assert_eq!(summary.duration, SampleTime(16_000));
    let probe = ffprobe(&path);
    let streams = probe["streams"].as_array().expect("streams");
    // The muxer leaves out the empty audio track.
    assert_eq!(streams.len(), 1, "{probe:#}");
    assert_eq!(streams[0]["nb_frames"], "10");
    assert!(
        (num(&probe["format"]["duration"]) - 1.0 / 3.0).abs() < 0.001,
        "{probe:#}"
    );
}

#[test]
fn frames_past_the_audio_end_keep_their_nominal_duration() {
    if !ffmpeg_tools_available("frames_past_the_audio_end_keep_their_nominal_duration") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("long_video.mp4");
    let mut mp4 = Mp4Writer::create(&path, settings(AudioCodec::Aac)).expect("create");
    mp4.write_audio(&vec![0.1; 24_000]).expect("audio");
    // 30 frames (1 s) over 0.5 s of audio: the caller over-rendered.
    for index in 0..30 {
        mp4.write_video_frame(index, &synthetic_frame(WIDTH, HEIGHT, index))
            .expect("video");
    }
    let summary = mp4.finish().expect("finish");
    assert_eq!(summary.audio_duration, SampleTime(24_000));
    assert_eq!(summary.duration, SampleTime(48_000));
    let probe = ffprobe(&path);
    assert!(
        (num(&probe["format"]["duration"]) - 1.0).abs() < 0.001,
        "{probe:#}"
    );
}
