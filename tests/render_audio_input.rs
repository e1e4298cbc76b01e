//! `avatarcast render --audio speech.wav [--visemes marks.json]` end to end:
//! a recording (espeak speech written by the test as 22 050 Hz stereo WAV)
//! becomes an MP4 as long as the lead-in, the recording and the tail, whose
//! mouth moves while the voice is loud and rests in the silence around it:
//! lip-synced from the sound alone, from an Oculus viseme timeline, and from
//! ARKit blend-shape frames. Bad inputs fail with a clear error.
#![cfg(feature = "espeak")]

mod common;
mod mp4_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use avatarcast::animation::AnimationParams;
use avatarcast::avatar::Avatar;
use avatarcast::clock::{FrameRate, SampleTime};
use avatarcast::encode::AudioCodec;
use avatarcast::engine::{AudioInput, FileJob, FileSummary, encode_wav_i16, read_wav, render_file};
use avatarcast::render::Background;
use avatarcast::speech::resample::Resampler;
use avatarcast::speech::{self, EspeakSpeech, Lang, Speech, SpeechRequest, Utterance};
use avatarcast::visemes::VisemeTimeline;
use avatarcast::visemes::external::{self, ARKIT_FRAME_NAMES};

const SIZE: u32 = 160;
const FPS: u32 = 25;
const LINE: &str = "Hello, your parcel will arrive on Monday morning.";
const LINE_ZH: &str = "您好，您的包裹星期一早上到。";

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

/// What every test needs: the avatar, espeak speech, ffmpeg, a temp folder.
struct Fixture {
    avatar_path: PathBuf,
    avatar: Arc<Avatar>,
    speech: Utterance,
    dir: tempfile::TempDir,
}

fn fixture(label: &str) -> Option<Fixture> {
    fixture_saying(label, LINE, Lang::En)
}

fn fixture_saying(label: &str, text: &str, lang: Lang) -> Option<Fixture> {
    let avatar_path = test_avatar()?;
    if !mp4_support::ffmpeg_tools_available(label) {
        return None;
    }
    let speech = match EspeakSpeech::new().synthesize(&SpeechRequest::new(text, lang)) {
        Ok(u) => u,
        Err(e) => {
            common::require(false, &format!("espeak-ng ({e})"));
            return None;
        }
    };
    Some(Fixture {
        avatar: Arc::new(Avatar::load(&avatar_path).expect("load the avatar")),
        avatar_path,
        speech,
        dir: tempfile::tempdir().expect("a temp folder"),
    })
}

/// The speech as a 22 050 Hz stereo 16-bit WAV (a typical TTS export):
/// left the voice, right the voice at half level.
fn write_wav(pcm_48k: &[f32], path: &Path) {
    let down = Resampler::new(48_000, 22_050).process(pcm_48k);
    let to_i16 = |x: f32| (x.clamp(-1.0, 1.0) * 32_767.0) as i16;
    let interleaved: Vec<i16> = down
        .iter()
        .flat_map(|x| [to_i16(*x), to_i16(*x * 0.5)])
        .collect();
    std::fs::write(path, encode_wav_i16(&interleaved, 2, 22_050)).expect("write the WAV");
}

fn render(fx: &Fixture, audio: AudioInput, out: &Path) -> FileSummary {
    let job = FileJob {
        text: String::new(),
        lang: Lang::En,
        voice: None,
        avatar: fx.avatar.clone(),
        width: SIZE,
        height: SIZE,
        fps: FrameRate::new(FPS, 1),
        background: Background::Color([200, 210, 220]),
        msaa_samples: 1,
        out: out.to_path_buf(),
        audio_codec: AudioCodec::Aac,
        png_frames: None,
        seed: 7,
        // The mouth is measured in a fixed pixel box, so the head holds still.
        animation: AnimationParams {
            head_sway_rad: 0.0,
            breath_depth_rad: 0.0,
            ..AnimationParams::default()
        },
        lead_in: FileJob::DEFAULT_LEAD_IN,
        tail: FileJob::DEFAULT_TAIL,
        audio: Some(audio),
    };
    let speech = speech::default_backend().expect("espeak-ng is installed by scripts/setup.sh");
    render_file(&job, speech, &mut |_, _| {}).expect("render_file")
}

/// The pixel box where the mouth moves (rest vs `aa` with the same camera).
fn mouth_box(avatar: &Avatar) -> (u32, u32, u32, u32) {
    let (rest, aa) = common::mouth::rest_and_aa_frames(avatar, SIZE);
    common::mouth::mouth_box(&rest, &aa)
}

/// Per frame: mean absolute difference of the mouth box from frame 0 (at rest).
fn mouth_signal(frames: &[Vec<u8>], (x0, y0, x1, y1): (u32, u32, u32, u32)) -> Vec<f64> {
    let pixel = |f: &[u8], x: u32, y: u32| {
        let i = ((y * SIZE + x) * 3) as usize;
        f64::from(f[i]) + f64::from(f[i + 1]) + f64::from(f[i + 2])
    };
    let count = f64::from((x1 - x0) * (y1 - y0)).max(1.0);
    frames
        .iter()
        .map(|f| {
            let mut sum = 0.0;
            for y in y0..y1 {
                for x in x0..x1 {
                    sum += (pixel(f, x, y) - pixel(&frames[0], x, y)).abs();
                }
            }
            sum / count / 3.0
        })
        .collect()
}

/// Checks the file's length and that its mouth moves with the recording.
fn check_file(fx: &Fixture, out: &Path, summary: &FileSummary, label: &str) {
    let expected =
        (FileJob::DEFAULT_LEAD_IN + fx.speech.duration() + FileJob::DEFAULT_TAIL).as_secs_f64();
    // The WAV went through 22 050 Hz and back: its length rounds to a sample there.
    assert!(
        (summary.duration.as_secs_f64() - expected).abs() < 1e-3,
        "{label}: {} s planned, {expected} s expected",
        summary.duration.as_secs_f64()
    );
    assert_eq!(summary.speech_start, FileJob::DEFAULT_LEAD_IN);
    let probe = mp4_support::ffprobe(out);
    let (video, audio) = mp4_support::video_and_audio(&probe);
    assert_eq!(
        (video["codec_name"].as_str(), audio["codec_name"].as_str()),
        (Some("h264"), Some("aac"))
    );
    let format_secs: f64 = probe["format"]["duration"]
        .as_str()
        .and_then(|d| d.parse().ok())
        .expect("a duration");
    println!("{label}: file {format_secs:.3} s, expected {expected:.3} s");
    assert!((format_secs - expected).abs() <= 1.0 / f64::from(FPS));
    let decoded = mp4_support::decode_audio(out);
    assert!((decoded.len() as f64 / 48_000.0 - expected).abs() < 0.03);

    let frames = mp4_support::decode_video_rgb(out, SIZE, SIZE);
    assert_eq!(frames.len() as u64, summary.frames);
    let mouth = mouth_signal(&frames, mouth_box(&fx.avatar));
    let fps = FrameRate::new(FPS, 1);
    let first = fps.frame_at(
        summary
            .speech_start
            .saturating_sub(SampleTime::from_millis(150)),
    );
    let last = fps.frame_at(summary.speech_end + SampleTime::from_millis(300)) as usize;
    let peak = |r: &[f64]| r.iter().copied().fold(0.0, f64::max);
    let speaking = peak(&mouth[first as usize..last.min(mouth.len())]);
    let before = peak(&mouth[..first as usize]);
    let after = peak(&mouth[last.min(mouth.len() - 1)..]);
    println!(
        "{label}: mouth peak {speaking:.1} while speaking, {before:.1} before, {after:.1} after"
    );
    assert!(
        speaking > 3.0,
        "{label}: the mouth barely moves while speaking"
    );
    assert!(
        before < speaking * 0.25,
        "{label}: the mouth moves before the speech"
    );
    assert!(
        after < speaking * 0.25,
        "{label}: the mouth does not come back to rest"
    );
    // The mouth is open where the voice is loud: mean signal on the loudest
    // frames well above that on the quietest frames of the speech.
    let (lo, hi) = (
        fps.frame_at(summary.speech_start) as usize,
        fps.frame_at(summary.speech_end) as usize,
    );
    let level: Vec<(f64, f64)> = (lo..hi.min(mouth.len()))
        .map(|i| {
            let range = mp4_support::frame_audio_range(fps, i as u64);
            let part = &decoded[range.start.min(decoded.len())..range.end.min(decoded.len())];
            let rms = (part.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>()
                / part.len().max(1) as f64)
                .sqrt();
            (rms, mouth[i])
        })
        .collect();
    let mut by_level = level.clone();
    by_level.sort_by(|a, b| a.0.total_cmp(&b.0));
    let quarter = by_level.len() / 4;
    let mean = |s: &[(f64, f64)]| s.iter().map(|p| p.1).sum::<f64>() / s.len().max(1) as f64;
    let (quiet, loud) = (
        mean(&by_level[..quarter]),
        mean(&by_level[by_level.len() - quarter..]),
    );
    println!(
        "{label}: mouth {quiet:.1} on the quietest quarter of speech frames, {loud:.1} on the loudest"
    );
    // espeak's own visemes (the Oculus timeline) measure 1.4: consonants keep
    // the mouth half open, so the contrast is real but not large.
    assert!(
        loud > quiet * 1.2,
        "{label}: the mouth does not open more when the voice is loud"
    );
}

/// RMS of the audio in a window centred on `t_secs`.
fn rms_at(audio: &[f32], t_secs: f64, window_secs: f64) -> f64 {
    let c = (t_secs * 48_000.0) as i64;
    let h = (window_secs * 24_000.0) as i64;
    let lo = (c - h).max(0) as usize;
    let hi = ((c + h).max(0) as usize).min(audio.len());
    if hi <= lo {
        return 0.0;
    }
    (audio[lo..hi]
        .iter()
        .map(|x| f64::from(*x).powi(2))
        .sum::<f64>()
        / (hi - lo) as f64)
        .sqrt()
}

/// A/V offset in ms (video − audio; negative: the picture leads), the lag
/// that best correlates the mouth signal with the audio envelope (as
/// tests/spine_mp4.rs measures it for text).
fn av_offset_ms(mouth: &[f64], audio: &[f32]) -> f64 {
    let frame_secs = 1.0 / f64::from(FPS);
    let mouth_at = |t: f64| -> f64 {
        let x = (t / frame_secs).max(0.0);
        let i = x.floor() as usize;
        if i + 1 >= mouth.len() {
            return mouth[mouth.len() - 1];
        }
        let f = x - i as f64;
        mouth[i] * (1.0 - f) + mouth[i + 1] * f
    };
    let times: Vec<f64> = (0..((mouth.len() as f64 * frame_secs / 0.005) as usize))
        .map(|k| k as f64 * 0.005)
        .collect();
    let env: Vec<f64> = times.iter().map(|&t| rms_at(audio, t, 0.04)).collect();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let corr = |lag: f64| -> f64 {
        let m: Vec<f64> = times.iter().map(|&t| mouth_at(t + lag)).collect();
        let (mm, me) = (mean(&m), mean(&env));
        let (mut num, mut dm, mut de) = (0.0, 0.0, 0.0);
        for (a, b) in m.iter().zip(&env) {
            num += (a - mm) * (b - me);
            dm += (a - mm).powi(2);
            de += (b - me).powi(2);
        }
        num / (dm.sqrt() * de.sqrt()).max(1e-12)
    };
    let (best_corr, best_lag) = (-200..=200)
        .map(|ms| (corr(f64::from(ms) / 1000.0), f64::from(ms)))
        .fold((f64::MIN, 0.0), |a, b| if b.0 > a.0 { b } else { a });
    println!("mouth/audio envelope correlation at best lag: {best_corr:.3}");
    assert!(
        best_corr > 0.3,
        "the mouth does not follow the voice ({best_corr:.3})"
    );
    best_lag
}

#[test]
fn a_wav_is_lip_synced_from_its_sound_in_english_and_chinese() {
    for (text, lang) in [(LINE, Lang::En), (LINE_ZH, Lang::Zh)] {
        let label = format!("audio only, {lang}");
        let Some(fx) = fixture_saying(&label, text, lang) else {
            return;
        };
        let wav = fx.dir.path().join("speech.wav");
        write_wav(&fx.speech.pcm, &wav);
        let audio = read_wav(&wav).expect("read the WAV back");
        assert_eq!((audio.source_rate_hz, audio.source_channels), (22_050, 2));
        let out = fx.dir.path().join("audio_only.mp4");
        let input = AudioInput {
            pcm: audio.pcm,
            visemes: None,
        };
        let summary = render(&fx, input, &out);
        check_file(&fx, &out, &summary, &label);
        let frames = mp4_support::decode_video_rgb(&out, SIZE, SIZE);
        let mouth = mouth_signal(&frames, mouth_box(&fx.avatar));
        let offset = av_offset_ms(&mouth, &mp4_support::decode_audio(&out));
        println!(
            "{label}: A/V offset {offset:+.0} ms (video − audio; ATSC IS-191 window −45..+15)"
        );
        assert!(
            (-45.0..=15.0).contains(&offset),
            "{label}: A/V offset {offset} ms"
        );
    }
}

#[test]
fn a_wav_with_an_oculus_timeline_and_with_arkit_frames() {
    let Some(fx) = fixture("audio_with_visemes") else {
        return;
    };
    let wav = fx.dir.path().join("speech.wav");
    write_wav(&fx.speech.pcm, &wav);
    let pcm = read_wav(&wav).expect("read the WAV back").pcm;

    // An Oculus timeline file of espeak's own visemes, as another engine would export it.
    let truth = VisemeTimeline::from_phonemes(Lang::En, &fx.speech.phonemes);
    let items: Vec<serde_json::Value> = truth
        .cues
        .iter()
        .map(|c| {
            serde_json::json!({"viseme": c.viseme.oculus_suffix(), "start": c.start.as_secs_f64(),
                               "end": c.end.as_secs_f64(), "weight": c.weight})
        })
        .collect();
    let marks = fx.dir.path().join("marks.json");
    std::fs::write(&marks, serde_json::json!({ "visemes": items }).to_string()).expect("write");
    let visemes = external::load(&marks).expect("our own timeline file loads");
    let out = fx.dir.path().join("oculus.mp4");
    let summary = render(
        &fx,
        AudioInput {
            pcm: pcm.clone(),
            visemes: Some(visemes),
        },
        &out,
    );
    check_file(&fx, &out, &summary, "oculus timeline");

    // ARKit frames at 60 fps: the jaw follows the loudness, the lips funnel a little.
    let jaw = ARKIT_FRAME_NAMES
        .iter()
        .position(|n| *n == "jawOpen")
        .expect("jawOpen");
    let funnel = ARKIT_FRAME_NAMES
        .iter()
        .position(|n| *n == "mouthFunnel")
        .expect("funnel");
    let envelope = fx.speech.loudness_envelope(SampleTime(800));
    let frames: Vec<Vec<f32>> = envelope
        .iter()
        .map(|level| {
            let mut f = vec![0.0f32; 55];
            f[jaw] = (level * 1.2).min(1.0);
            f[funnel] = 0.3 * level;
            f
        })
        .collect();
    let arkit = fx.dir.path().join("arkit.json");
    std::fs::write(
        &arkit,
        serde_json::json!({"FrameIndex": 0, "BlendShapes": frames}).to_string(),
    )
    .expect("write");
    let visemes = external::load(&arkit).expect("ARKit frames load");
    assert!(matches!(visemes, external::ExternalVisemes::Arkit(_)));
    let out = fx.dir.path().join("arkit.mp4");
    let summary = render(
        &fx,
        AudioInput {
            pcm,
            visemes: Some(visemes),
        },
        &out,
    );
    check_file(&fx, &out, &summary, "arkit frames");
}

fn avatarcast() -> Command {
    Command::new(env!("CARGO_BIN_EXE_avatarcast"))
}

/// Runs `avatarcast render ARGS -o never.mp4` in `dir` (arguments split at
/// spaces; the temp folder's paths have none) and expects a clear failure.
fn fails_with(dir: &Path, args: &str, needle: &str) {
    let out = avatarcast()
        .current_dir(dir)
        .arg("render")
        .args(args.split_whitespace())
        .args(["-o", "never.mp4"])
        .output()
        .expect("run avatarcast");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args} should fail");
    assert!(!stderr.contains("panicked"), "{args} panicked: {stderr}");
    assert!(
        stderr.contains(needle),
        "{args}: expected `{needle}` in: {stderr}"
    );
}

#[test]
fn bad_audio_inputs_fail_with_a_clear_error() {
    let Some(fx) = fixture("bad_audio") else {
        return;
    };
    let dir = fx.dir.path();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).expect("write");
    write("notes.wav", b"these are not samples");
    fails_with(dir, "--audio notes.wav", "not a WAV file");
    write("empty.wav", &encode_wav_i16(&[], 1, 16_000));
    fails_with(dir, "--audio empty.wav", "no audio samples");
    fails_with(dir, "--audio missing.wav", "cannot read the audio file");
    fails_with(dir, "--audio notes.wav --text hi", "cannot be used with");
    fails_with(dir, "--visemes x.json --text hi", "with --audio");
    // Visemes for a recording four times as long as this one.
    write("short.wav", &encode_wav_i16(&[0; 16_000], 1, 16_000));
    write(
        "long.json",
        br#"{"visemes": [{"viseme": "aa", "start": 0.0, "end": 4.0}]}"#,
    );
    let avatar = fx.avatar_path.to_string_lossy().into_owned();
    fails_with(
        dir,
        &format!("--audio short.wav --visemes long.json --avatar {avatar}"),
        "the viseme file runs to 4.00 s but the audio lasts 1.00 s",
    );
    write(
        "garbled.json",
        br#"{"visemes": [{"viseme": "zz", "start": 0}]}"#,
    );
    fails_with(
        dir,
        "--audio short.wav --visemes garbled.json",
        "viseme file rejected",
    );
    assert!(
        !dir.join("never.mp4").exists(),
        "a failed render left a file behind"
    );
}
