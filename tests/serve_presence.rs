//! Presence over the live protocol: `{"type":"typing"}` makes the avatar
//! listen (state `listening`) until the visitor stops, then it is idle
//! again; a question then goes thinking → speaking → idle as before.
//!
//! Needs a built avatar (avatars/, `scripts/setup.sh`) and espeak-ng; skips
//! with a reason without them unless CI=true.

mod serve_support;

use std::time::Duration;

use serve_support::{Client, skip_without_assets, start};

fn is_state(m: &serde_json::Value, state: &str) -> bool {
    m["type"] == "state" && m["state"] == state
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_makes_the_avatar_listen_then_a_question_is_answered() {
    if skip_without_assets() {
        return;
    }
    let server = start(|_| {}).await;
    let mut client = Client::connect(server.addr).await;
    client.wait_open(Duration::from_secs(20)).await;
    client
        .wait_for(Duration::from_secs(20), |s| s.video_frames >= 3)
        .await;

    client.send(r#"{"type":"typing"}"#).await;
    let m = client.next_message(Duration::from_secs(5)).await;
    assert!(is_state(&m, "listening"), "{m}");
    // Typing stops: idle 2.5 s after the last signal (no error, no other event).
    let m = client.next_message(Duration::from_secs(6)).await;
    assert!(is_state(&m, "idle"), "{m}");

    client.send(r#"{"type":"typing"}"#).await;
    let m = client.next_message(Duration::from_secs(5)).await;
    assert!(is_state(&m, "listening"), "{m}");
    client
        .send(r#"{"type":"text","text":"When are you open on Sunday?"}"#)
        .await;
    let m = client.next_message(Duration::from_secs(5)).await;
    assert!(is_state(&m, "thinking"), "straight from listening: {m}");
    client
        .message_where(Duration::from_secs(30), |m| is_state(m, "speaking"))
        .await;
    client
        .message_where(Duration::from_secs(60), |m| is_state(m, "idle"))
        .await;
    client.close().await;
    server.stop().await;
}
