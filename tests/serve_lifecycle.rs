//! Sessions end by themselves and free everything: on the idle timeout and
//! when the viewer goes away without a DELETE (its connection closes or
//! ICE fails). "Freed" is checked from outside: `active_sessions` back to
//! 0, which the session task only does after joining its media thread and
//! closing its peer connection, and the slot is usable again.

mod serve_support;

use std::net::SocketAddr;
use std::time::Duration;

use serve_support::{Client, http, metric, skip_without_assets, start};

async fn active(addr: SocketAddr) -> Option<f64> {
    let r = http(addr, "GET", "/metrics", &[], b"").await;
    metric(&r.body, "avatarcast_active_sessions")
}

async fn wait_active(addr: SocketAddr, want: f64, limit: Duration) {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let now = active(addr).await;
        if now == Some(want) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "active_sessions is {now:?}, expected {want} within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_times_out_and_frees_its_slot() {
    if skip_without_assets() {
        return;
    }
    let server = start(|c| {
        c.idle_timeout_s = 2;
        c.max_sessions = 1;
    })
    .await;
    let mut client = Client::connect(server.addr).await;
    client.wait_open(Duration::from_secs(20)).await;
    client
        .wait_for(Duration::from_secs(10), |s| s.video_frames >= 5)
        .await;
    assert_eq!(active(server.addr).await, Some(1.0));
    // A chat message counts as activity and postpones the timeout.
    client.send(r#"{"type":"interrupt"}"#).await;
    wait_active(server.addr, 0.0, Duration::from_secs(8)).await;
    let r = http(server.addr, "DELETE", &client.location, &[], b"").await;
    assert_eq!(r.status, 404, "the timed-out session is gone");
    let mut again = Client::connect(server.addr).await;
    again.wait_open(Duration::from_secs(20)).await;
    again.close().await;
    client.close().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_that_disappears_without_delete_is_cleaned_up() {
    if skip_without_assets() {
        return;
    }
    let server = start(|c| c.max_sessions = 2).await;
    let mut client = Client::connect(server.addr).await;
    client.wait_open(Duration::from_secs(20)).await;
    client
        .wait_for(Duration::from_secs(10), |s| s.video_frames >= 5)
        .await;
    let location = client.location.clone();
    assert_eq!(active(server.addr).await, Some(1.0));
    client.close().await;
    // Closed by the peer (DTLS close) or, at worst, ICE failure after 12 s.
    wait_active(server.addr, 0.0, Duration::from_secs(20)).await;
    let r = http(server.addr, "DELETE", &location, &[], b"").await;
    assert_eq!(r.status, 404);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_running_sessions() {
    if skip_without_assets() {
        return;
    }
    let server = start(|_| {}).await;
    let mut client = Client::connect(server.addr).await;
    client.wait_open(Duration::from_secs(20)).await;
    let addr = server.addr;
    // `stop` returns only after every session has been closed and joined.
    server.stop().await;
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the listener is closed"
    );
    client.close().await;
}
