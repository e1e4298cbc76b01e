//! Per-session voice choice in `avatarcast serve`: a WHEP `voice=` with a
//! backend prefix picks that backend. The offer is checked (probed) before
//! any media starts, so the signalling answer alone shows the choice: a
//! configured `openai:` voice reaches the speech server and only the SDP is
//! then refused; a backend the server lacks is a 400 that names the fix.
//!
//! Needs a built avatar and espeak-ng; skips with a reason without them
//! unless CI=true.

mod common;
mod serve_support;

use std::io::Write;
use std::net::TcpListener;
use std::time::Duration;

use avatarcast::speech::openai::OpenAiConfig;
use serve_support::{http, skip_without_assets, start};

/// A one-shot `/v1/audio/speech` server on 127.0.0.1: answers the first
/// request with 0.1 s of 24 kHz PCM and hands back what it was sent.
fn speech_server() -> (String, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!("http://{}/v1", listener.local_addr().expect("addr"));
    let handle = std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return String::new();
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let request = common::http::read_request(&stream);
        let pcm: Vec<u8> = (0..2_400)
            .flat_map(|i| (((i % 48) as i16 - 24) * 500).to_le_bytes())
            .collect();
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: audio/pcm\r\nContent-Length: {}\r\n\r\n",
            pcm.len()
        );
        let _ = stream.write_all(&pcm);
        request
    });
    (url, handle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prefixed_voice_picks_the_backend_per_session() {
    if skip_without_assets() {
        return;
    }
    let (url, speech_server) = speech_server();
    let server = start(|c| c.speech.openai = Some(OpenAiConfig::new(url))).await;
    let sdp = ("Content-Type", "application/sdp");

    // The voice is accepted (the speech server answers the probe); the offer is not.
    let r = http(
        server.addr,
        "POST",
        "/whep?voice=openai:echo",
        &[sdp],
        b"v=0\r\n",
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("bad SDP offer"), "{}", r.body);
    let probe = tokio::task::spawn_blocking(move || speech_server.join())
        .await
        .expect("join task")
        .expect("speech server thread");
    assert!(
        probe.starts_with("POST /v1/audio/speech") && probe.contains("\"voice\":\"echo\""),
        "the session's voice went to the server: {probe}"
    );

    // An unknown espeak voice and an unknown Piper voice are refused up front.
    let r = http(
        server.addr,
        "POST",
        "/whep?voice=xx-nowhere",
        &[sdp],
        b"v=0\r\n",
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("xx-nowhere"), "{}", r.body);
    let r = http(
        server.addr,
        "POST",
        "/whep?voice=piper:bob",
        &[sdp],
        b"v=0\r\n",
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body.contains("piper:joe") || r.body.contains("scripts/fetch-models.sh"),
        "names the voice it has, or how to install it: {}",
        r.body
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_that_is_not_configured_is_a_clear_400() {
    if skip_without_assets() {
        return;
    }
    let server = start(|_| {}).await;
    let r = http(
        server.addr,
        "POST",
        "/whep?voice=openai:alloy",
        &[("Content-Type", "application/sdp")],
        b"v=0\r\n",
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body.contains("openai:alloy") && r.body.contains("[speech.openai]"),
        "{}",
        r.body
    );
    server.stop().await;
}
