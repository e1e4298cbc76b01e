//! The OpenAI-compatible `/v1/audio/speech` backend against a real HTTP server
//! on 127.0.0.1, started by each test. The server streams raw PCM or WAV in
//! chunks, stalls, trickles, fails with 401/404/500 or sends garbage; the
//! backend must turn good answers into 48 kHz speech, bad ones into errors
//! that say what to fix, and fall back to the embedded espeak-ng voice.

mod common;

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::http::{serve_script, write_chunk};

use avatarcast::speech::openai::{AudioFormat, OpenAiConfig, OpenAiError, OpenAiSpeech, wav_bytes};
use avatarcast::speech::{
    EspeakSpeech, Lang, Speech, SpeechConfig, SpeechError, SpeechRequest, Utterance,
};

/// What the server does with one connection.
enum Behaviour {
    /// 200, chunked, with this Content-Type: each (delay before in ms, bytes).
    Chunked(&'static str, Vec<(u64, Vec<u8>)>),
    /// 200 with Content-Length.
    Whole(&'static str, Vec<u8>),
    /// This status and JSON/text body.
    Status(u16, &'static str),
    /// Reads the request, then says nothing for this long and closes.
    Hang(u64),
    /// 200 chunked, a first chunk, then this much silence (ms), then close.
    StallAfterFirstChunk(Vec<u8>, u64),
    /// 200 chunked, announces a 1000-byte chunk, sends 10 bytes and closes.
    CutMidChunk,
}

fn chunked_head(content_type: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
}

fn respond(mut stream: TcpStream, behaviour: Behaviour) -> std::io::Result<()> {
    match behaviour {
        Behaviour::Chunked(content_type, chunks) => {
            stream.write_all(chunked_head(content_type).as_bytes())?;
            for (delay_ms, data) in chunks {
                std::thread::sleep(Duration::from_millis(delay_ms));
                write_chunk(&mut stream, &data)?;
            }
            stream.write_all(b"0\r\n\r\n")
        }
        Behaviour::Whole(content_type, body) => {
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )?;
            stream.write_all(&body)
        }
        Behaviour::Status(status, body) => {
            write!(
                stream,
                "HTTP/1.1 {status} Oops\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
        }
        Behaviour::Hang(ms) => {
            std::thread::sleep(Duration::from_millis(ms));
            Ok(())
        }
        Behaviour::StallAfterFirstChunk(first, ms) => {
            stream.write_all(chunked_head("audio/pcm").as_bytes())?;
            write_chunk(&mut stream, &first)?;
            std::thread::sleep(Duration::from_millis(ms));
            Ok(())
        }
        Behaviour::CutMidChunk => {
            stream.write_all(chunked_head("audio/pcm").as_bytes())?;
            write!(stream, "3e8\r\n")?;
            stream.write_all(&[0u8; 10])?;
            stream.flush()
        }
    }
}

/// `secs` of a 440 Hz sine at half scale, 16-bit, at `rate_hz`.
fn sine(rate_hz: u32, secs: f64) -> Vec<i16> {
    let n = (f64::from(rate_hz) * secs).round() as usize;
    (0..n)
        .map(|i| {
            let t = i as f64 / f64::from(rate_hz);
            ((2.0 * std::f64::consts::PI * 440.0 * t).sin() * 16_384.0) as i16
        })
        .collect()
}

fn le_bytes(samples: &[i16]) -> Vec<u8> {
    samples.iter().flat_map(|s| s.to_le_bytes()).collect()
}

/// Splits `bytes` into pieces of `size` (odd sizes split samples across chunks).
fn pieces(bytes: &[u8], size: usize, delay_ms: u64) -> Vec<(u64, Vec<u8>)> {
    bytes.chunks(size).map(|c| (delay_ms, c.to_vec())).collect()
}

/// Zero crossings per second: 880 for a 440 Hz sine.
fn crossings_per_sec(u: &Utterance) -> f64 {
    let n = u
        .pcm
        .windows(2)
        .filter(|w| (w[0] >= 0.0) != (w[1] >= 0.0))
        .count();
    n as f64 / u.duration_secs()
}

fn config(url: &str) -> OpenAiConfig {
    OpenAiConfig {
        model: "tts-test".into(),
        voice: "alloy".into(),
        // PATH is set in every environment; a real deployment names its own variable.
        api_key_env: Some("PATH".into()),
        timeout_ms: 1_500,
        total_timeout_ms: 5_000,
        ..OpenAiConfig::new(url)
    }
}

fn with_fallback(config: OpenAiConfig) -> OpenAiSpeech {
    OpenAiSpeech::new(config)
        .expect("valid config")
        .with_fallback(Arc::new(EspeakSpeech::new()))
}

fn request(voice: &str) -> SpeechRequest {
    SpeechRequest::new("Your order has shipped.", Lang::En).with_voice(voice)
}

fn remote_error(config: OpenAiConfig) -> (OpenAiError, Duration) {
    let tts = OpenAiSpeech::new(config).expect("valid config");
    let started = Instant::now();
    match tts.synthesize_remote(&request("alloy")) {
        Err(SpeechError::OpenAi(err)) => (err, started.elapsed()),
        Err(other) => panic!("expected a server error, got: {other}"),
        Ok(u) => panic!(
            "expected a server error, got {} s of audio",
            u.duration_secs()
        ),
    }
}

#[test]
fn streamed_pcm_becomes_48k_speech_and_the_request_is_openais() {
    let pcm = le_bytes(&sine(24_000, 1.0));
    // 1001-byte chunks: every other chunk boundary splits a sample.
    let server = serve_script(
        respond,
        vec![Behaviour::Chunked("audio/pcm", pieces(&pcm, 1001, 1))],
    );
    let tts = OpenAiSpeech::new(config(&server.url)).expect("valid config");
    let utt = tts.synthesize(&request("nova")).expect("speech");
    assert_eq!(utt.voice, "openai:nova");
    assert_eq!(utt.lang, Lang::En);
    assert!(
        utt.phonemes.is_empty(),
        "no timing from the server: lip-sync from audio"
    );
    assert_eq!(
        utt.pcm.len(),
        48_000,
        "1 s at 24 kHz is 48 000 samples at 48 kHz"
    );
    let zc = crossings_per_sec(&utt);
    assert!(
        (870.0..=890.0).contains(&zc),
        "440 Hz kept its pitch: {zc} crossings/s"
    );
    let peak = utt.pcm.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    assert!((0.48..=0.52).contains(&peak), "level kept: peak {peak}");

    let requests = server.requests();
    let req = &requests[0];
    assert!(
        req.starts_with("POST /v1/audio/speech HTTP/1.1\r\n"),
        "{req}"
    );
    let key = std::env::var("PATH").unwrap_or_default();
    assert!(
        req.contains(&format!("Authorization: Bearer {key}\r\n")),
        "key from the variable named by api_key_env: {req}"
    );
    let body: serde_json::Value = serde_json::from_str(req.split("\r\n\r\n").nth(1).unwrap_or(""))
        .expect("JSON request body");
    assert_eq!(
        body,
        serde_json::json!({"model": "tts-test", "input": "Your order has shipped.",
                           "voice": "nova", "response_format": "pcm"})
    );
}

#[test]
fn wav_of_any_rate_and_layout_is_mixed_down_and_resampled() {
    // A streaming server's WAV: unknown length (0xFFFFFFFF), stereo, 16 kHz, chunked.
    let stereo: Vec<i16> = sine(16_000, 0.5).iter().flat_map(|s| [*s, *s]).collect();
    let streamed = wav_bytes(&stereo, 16_000, 2, Some(u32::MAX));
    // A file-like WAV: exact length, mono, 22 050 Hz, Content-Length.
    let whole = wav_bytes(&sine(22_050, 0.5), 22_050, 1, None);
    let server = serve_script(
        respond,
        vec![
            Behaviour::Chunked("audio/wav", pieces(&streamed, 777, 1)),
            Behaviour::Whole("audio/wav", whole),
        ],
    );
    let tts = OpenAiSpeech::new(OpenAiConfig {
        format: AudioFormat::Wav,
        ..config(&server.url)
    })
    .expect("valid config");
    for _ in 0..2 {
        let utt = tts.synthesize_remote(&request("alloy")).expect("speech");
        assert_eq!(utt.pcm.len(), 24_000, "0.5 s at 48 kHz");
        let zc = crossings_per_sec(&utt);
        assert!((870.0..=890.0).contains(&zc), "{zc} crossings/s");
    }
    let requests = server.requests();
    assert!(
        requests[0].contains("\"response_format\":\"wav\""),
        "{}",
        requests[0]
    );
}

#[test]
fn a_silent_server_times_out_and_the_caller_still_gets_speech() {
    let server = serve_script(
        respond,
        vec![Behaviour::Hang(3_000), Behaviour::Hang(3_000)],
    );
    let quick = OpenAiConfig {
        timeout_ms: 300,
        ..config(&server.url)
    };
    let (err, took) = remote_error(quick.clone());
    let msg = err.to_string();
    assert!(
        matches!(err, OpenAiError::Timeout { millis: 300, .. }) && msg.contains("timeout_ms"),
        "{msg}"
    );
    assert!(msg.ends_with("/v1/audio/speech"), "URL last: {msg}");
    // Well before the server closes (3 s), with room for a busy machine.
    assert!(
        took < Duration::from_millis(2_000),
        "gave up after {took:?}"
    );

    let utt = with_fallback(quick)
        .synthesize(&request("alloy"))
        .expect("fallback speech");
    assert!(
        utt.voice.starts_with("en-us"),
        "espeak spoke: {}",
        utt.voice
    );
    assert!(!utt.phonemes.is_empty() && utt.duration_secs() > 0.5);
    server.requests();
}

#[test]
fn a_stalled_stream_and_a_trickle_past_the_total_time_are_timeouts() {
    let pcm = le_bytes(&sine(24_000, 1.0));
    // 100 bytes every 150 ms never trips a 400 ms gap, but runs past 900 ms total.
    let trickle = pieces(&pcm, 100, 150);
    let server = serve_script(
        respond,
        vec![
            Behaviour::StallAfterFirstChunk(pcm[..4_800].to_vec(), 3_000),
            Behaviour::Chunked("audio/pcm", trickle),
        ],
    );
    let cfg = OpenAiConfig {
        timeout_ms: 400,
        total_timeout_ms: 900,
        ..config(&server.url)
    };
    let (err, took) = remote_error(cfg.clone());
    assert!(
        err.to_string().contains("a gap in the audio stream"),
        "{err}"
    );
    assert!(
        took < Duration::from_millis(2_000),
        "stall noticed after {took:?}"
    );
    let (err, took) = remote_error(cfg);
    assert!(
        matches!(err, OpenAiError::Timeout { millis: 900, .. })
            && err.to_string().contains("total_timeout_ms"),
        "{err}"
    );
    assert!(
        // The whole trickle would take 72 s.
        took < Duration::from_millis(2_500),
        "gave up {took:?} after the request"
    );
    drop(server);
}

#[test]
fn http_errors_carry_the_servers_message_and_say_what_to_fix() {
    let server = serve_script(
        respond,
        vec![
            Behaviour::Status(
                401,
                r#"{"error":{"message":"Incorrect API key provided: sk-...xyz"}}"#,
            ),
            Behaviour::Status(404, r#"{"detail":"Voice 'zz' not found"}"#),
            Behaviour::Status(500, r#"{"error":{"message":"model overloaded"}}"#),
            Behaviour::Status(503, "upstream unavailable"),
        ],
    );
    let (err, _) = remote_error(config(&server.url));
    let msg = err.to_string();
    assert!(
        matches!(err, OpenAiError::Unauthorized { status: 401, .. })
            && msg.contains("Incorrect API key provided")
            && msg.contains("api_key_env")
            && msg.contains("$PATH is set"),
        "{msg}"
    );
    let (err, _) = remote_error(config(&server.url));
    assert!(
        matches!(err, OpenAiError::NotFound { .. })
            && err.to_string().contains("Voice 'zz' not found"),
        "{err}"
    );
    let (err, _) = remote_error(config(&server.url));
    let msg = err.to_string();
    assert!(msg.contains("HTTP 500: model overloaded"), "{msg}");
    // With a fallback the same failure still gives speech.
    let utt = with_fallback(config(&server.url))
        .synthesize(&request("alloy"))
        .expect("fallback speech");
    assert!(utt.voice.starts_with("en-us"), "{}", utt.voice);
    assert_eq!(server.requests().len(), 4);
}

#[test]
fn garbage_bodies_and_broken_streams_are_not_played() {
    let server = serve_script(
        respond,
        vec![
            Behaviour::Whole(
                "text/html",
                b"<html><body>502 Bad Gateway</body></html>".to_vec(),
            ),
            Behaviour::Whole(
                "application/octet-stream",
                b"garbage that is no wav".to_vec(),
            ),
            Behaviour::Whole("audio/pcm", Vec::new()),
            Behaviour::CutMidChunk,
            Behaviour::Whole("audio/mpeg", b"ID3\x04\x00 mp3 frames".to_vec()),
        ],
    );
    let (err, _) = remote_error(config(&server.url));
    assert!(
        matches!(err, OpenAiError::NotAudio { .. }) && err.to_string().contains("text/html"),
        "{err}"
    );
    let (err, _) = remote_error(OpenAiConfig {
        format: AudioFormat::Wav,
        ..config(&server.url)
    });
    assert!(err.to_string().contains("asked for wav"), "{err}");
    let (err, _) = remote_error(config(&server.url));
    assert!(err.to_string().contains("empty"), "{err}");
    let (err, _) = remote_error(config(&server.url));
    assert!(
        matches!(err, OpenAiError::Truncated { bytes: 10, .. }),
        "{err}"
    );
    // A server that ignores response_format and sends MP3.
    let (err, _) = remote_error(config(&server.url));
    assert!(
        err.to_string().contains("audio/mpeg") && err.to_string().contains("pcm or wav"),
        "{err}"
    );
    server.requests();
}

#[test]
fn nothing_listening_is_a_connect_error() {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let (err, _) = remote_error(config(&format!("http://127.0.0.1:{port}/v1")));
    let msg = err.to_string();
    assert!(
        matches!(err, OpenAiError::Connect { .. }) && msg.contains("is it running"),
        "{msg}"
    );
}

#[test]
fn the_config_routes_prefixed_voices_to_the_server() {
    let pcm = le_bytes(&sine(24_000, 0.25));
    let server = serve_script(
        respond,
        vec![Behaviour::Chunked("audio/pcm", pieces(&pcm, 4096, 0))],
    );
    let text = format!(
        "[speech]\nbackend = \"espeak\"\n[speech.openai]\nbase_url = \"{}\"\nvoice = \"alloy\"\n",
        server.url
    );
    let speech = SpeechConfig::from_toml(&text, Path::new("test.toml"))
        .expect("valid [speech]")
        .build()
        .expect("backends");
    // Unprefixed voices stay with the default backend (espeak)...
    let utt = speech
        .synthesize(&SpeechRequest::new("Hello.", Lang::En).with_voice("en-gb"))
        .expect("espeak");
    assert!(!utt.phonemes.is_empty());
    // ...and `openai:` goes to the server with the rest as its voice.
    let utt = speech
        .synthesize(&request("openai:echo"))
        .expect("server speech");
    assert_eq!((utt.voice.as_str(), utt.pcm.len()), ("openai:echo", 12_000));
    let requests = server.requests();
    assert!(
        requests[0].contains("\"voice\":\"echo\""),
        "{}",
        requests[0]
    );
}
