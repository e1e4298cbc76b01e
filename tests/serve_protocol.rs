//! `avatarcast serve` protocol: a real server on 127.0.0.1:0 in-process,
//! raw HTTP for the signalling errors, and a real WebRTC peer (webrtc
//! crate) for a session: media arrives, PLI forces a keyframe, bad chat
//! gets an error reply and the session lives on, a question is answered
//! and interrupted, the cap answers 503, DELETE frees everything.
//!
//! Needs a built avatar (avatars/, `scripts/setup.sh`) and espeak-ng; skips
//! with a reason without them unless CI=true.

mod serve_support;

use std::time::Duration;

use serve_support::{Client, http, metric, skip_without_assets, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signalling_errors_are_clear_and_the_server_lives_on() {
    if skip_without_assets() {
        return;
    }
    let server = start(|c| {
        c.token = Some("s3cret".into());
        c.max_sessions = 1;
    })
    .await;
    let auth = ("Authorization", "Bearer s3cret");
    let sdp = ("Content-Type", "application/sdp");

    let r = http(server.addr, "GET", "/healthz", &[], b"").await;
    assert_eq!(r.status, 200, "health needs no token");

    let r = http(server.addr, "POST", "/whep", &[sdp], b"v=0\r\n").await;
    assert_eq!(r.status, 401, "{}", r.body);
    assert!(r.body.contains("Bearer"), "{}", r.body);
    let r = http(
        server.addr,
        "POST",
        "/whep",
        &[sdp, ("Authorization", "Bearer nope")],
        b"v=0\r\n",
    )
    .await;
    assert_eq!(r.status, 401);
    let r = http(server.addr, "GET", "/metrics", &[], b"").await;
    assert_eq!(r.status, 401, "metrics are behind the token too");

    let r = http(
        server.addr,
        "POST",
        "/whep",
        &[auth, ("Content-Type", "text/plain")],
        b"v=0\r\n",
    )
    .await;
    assert_eq!(r.status, 415, "{}", r.body);
    assert!(r.body.contains("application/sdp"), "{}", r.body);
    let r = http(server.addr, "POST", "/whep", &[auth], b"v=0\r\n").await;
    assert_eq!(r.status, 415, "no content type");

    let r = http(server.addr, "POST", "/whep", &[auth, sdp], b"hello").await;
    assert_eq!(r.status, 400);
    assert!(
        r.body.contains("bad SDP offer") && r.body.contains("v=0"),
        "{}",
        r.body
    );
    let r = http(
        server.addr,
        "POST",
        "/whep",
        &[auth, sdp],
        b"v=0\r\nthis is not sdp\r\n",
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("bad SDP offer"), "{}", r.body);
    let r = http(
        server.addr,
        "POST",
        "/whep?lang=fr",
        &[auth, sdp],
        b"v=0\r\n",
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("fr"), "{}", r.body);

    let r = http(
        server.addr,
        "DELETE",
        "/whep/0123456789abcdef",
        &[auth],
        b"",
    )
    .await;
    assert_eq!(r.status, 404);
    assert!(r.body.contains("no session"), "{}", r.body);

    let r = http(server.addr, "GET", "/metrics", &[auth], b"").await;
    assert_eq!(r.status, 200);
    assert_eq!(metric(&r.body, "avatarcast_active_sessions"), Some(0.0));
    assert_eq!(metric(&r.body, "avatarcast_sessions_total"), Some(0.0));
    let r = http(server.addr, "GET", "/healthz", &[], b"").await;
    assert_eq!(r.status, 200, "still alive after every error");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_streams_chats_is_capped_and_delete_frees_it() {
    if skip_without_assets() {
        return;
    }
    let server = start(|c| c.max_sessions = 1).await;
    let mut client = Client::connect(server.addr).await;
    client.wait_open(Duration::from_secs(20)).await;

    // Idle video and (silent) audio flow from the start, first frame an IDR.
    client
        .wait_for(Duration::from_secs(10), |s| {
            s.video_frames >= 10 && s.audio_packets >= 25
        })
        .await;
    let before = client.stats();
    assert!(before.keyframes >= 1, "the first frame is an IDR");
    assert!(before.first_video_is_keyframe, "decoding can start at once");

    // A keyframe request (PLI) is answered with an IDR well before the
    // periodic one (every 10 s).
    client.request_keyframe().await;
    client
        .wait_for(Duration::from_secs(3), |s| s.keyframes > before.keyframes)
        .await;

    // At the cap, another offer gets 503 with Retry-After; the first lives on.
    let second = http(
        server.addr,
        "POST",
        "/whep",
        &[("Content-Type", "application/sdp")],
        client.offer_sdp.as_bytes(),
    )
    .await;
    assert_eq!(second.status, 503, "{}", second.body);
    assert!(
        second.header("retry-after").is_some(),
        "{:?}",
        second.headers
    );

    // Malformed and unknown chat messages get an error; the session lives on.
    client.send(r#"{"type": "text", "text": "#).await;
    let e = client.next_message(Duration::from_secs(5)).await;
    assert_eq!(e["type"], "error", "{e}");
    client.send(r#"{"type":"dance"}"#).await;
    let e = client.next_message(Duration::from_secs(5)).await;
    assert_eq!(e["type"], "error", "{e}");
    assert!(e["message"].as_str().unwrap_or("").contains("dance"), "{e}");

    // A question: thinking, then speaking with subtitles and speech audio.
    client
        .send(r#"{"type":"text","text":"How do I return an item I bought?"}"#)
        .await;
    let m = client.next_message(Duration::from_secs(5)).await;
    assert_eq!(
        (m["type"].as_str(), m["state"].as_str()),
        (Some("state"), Some("thinking")),
        "{m}"
    );
    let m = client.next_message(Duration::from_secs(10)).await;
    assert_eq!(
        (m["type"].as_str(), m["state"].as_str()),
        (Some("state"), Some("speaking")),
        "{m}"
    );
    let m = client.next_message(Duration::from_secs(5)).await;
    assert_eq!(m["type"], "subtitle", "{m}");
    assert_eq!(
        m["start_ms"], 0,
        "the first sentence starts the utterance clock: {m}"
    );
    assert!(m["end_ms"].as_u64().unwrap_or(0) > 0, "{m}");
    assert!(!m["text"].as_str().unwrap_or("").is_empty(), "{m}");
    let utterance = m["utterance"].clone();

    // Barge in: speech_end says interrupted, and how much was heard.
    tokio::time::sleep(Duration::from_millis(400)).await;
    client.send(r#"{"type":"interrupt"}"#).await;
    let end = client
        .message_where(Duration::from_secs(5), |m| m["type"] == "speech_end")
        .await;
    assert_eq!(end["utterance"], utterance, "{end}");
    assert_eq!(end["interrupted"], true, "{end}");
    let heard = end["heard_ms"].as_u64().unwrap_or(0);
    assert!(
        (200..5000).contains(&heard),
        "heard {heard} ms of a 400+ ms playout: {end}"
    );
    let idle = client.next_message(Duration::from_secs(5)).await;
    assert_eq!(idle["state"], "idle", "{idle}");

    let r = http(server.addr, "GET", "/metrics", &[], b"").await;
    assert_eq!(metric(&r.body, "avatarcast_active_sessions"), Some(1.0));
    assert!(metric(&r.body, "avatarcast_frames_encoded_total").unwrap_or(0.0) >= 10.0);
    assert!(
        metric(&r.body, "avatarcast_text_to_first_audio_seconds_count") >= Some(1.0),
        "{}",
        r.body
    );
    assert!(metric(&r.body, "avatarcast_text_to_first_video_seconds_count") >= Some(1.0));

    // DELETE frees the session before it answers; a second DELETE is 404.
    let r = http(server.addr, "DELETE", &client.location, &[], b"").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = http(server.addr, "GET", "/metrics", &[], b"").await;
    assert_eq!(metric(&r.body, "avatarcast_active_sessions"), Some(0.0));
    let r = http(server.addr, "DELETE", &client.location, &[], b"").await;
    assert_eq!(r.status, 404);
    // The freed slot takes a new session.
    let mut again = Client::connect(server.addr).await;
    again.wait_open(Duration::from_secs(20)).await;
    again.close().await;
    client.close().await;
    server.stop().await;
}
