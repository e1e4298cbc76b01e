//! Helpers for the serve tests: an in-process server, a raw HTTP/1.1
//! client, and a WebRTC viewer built with the webrtc crate.

#![allow(dead_code)] // each test file uses its own subset

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use avatarcast::serve::{ServeConfig, Server};
use rtc::peer_connection::configuration::media_engine::{MIME_TYPE_H264, MIME_TYPE_OPUS};
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtp_transceiver::rtp_sender::{RTCRtpCodec, RTCRtpCodecParameters, RtpCodecKind};
use rtc::rtp_transceiver::{RTCRtpTransceiverDirection, RTCRtpTransceiverInit};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot, watch};
use webrtc::data_channel::{DataChannel, DataChannelEvent};
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::{
    MediaEngine, PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler,
    RTCIceGatheringState, RTCPeerConnectionState, RTCSessionDescription, Registry,
    SettingEngineBuilder, register_default_interceptors,
};

/// True (after printing why) when the avatar or voice is missing; under
/// CI=true a missing asset fails instead.
pub fn skip_without_assets() -> bool {
    let avatar = avatarcast::engine::resolve_avatar(None);
    let speech = avatarcast::speech::default_backend().and_then(|s| {
        s.synthesize(&avatarcast::speech::SpeechRequest::new(
            "hi",
            avatarcast::speech::Lang::En,
        ))
    });
    let problem = match (&avatar, &speech) {
        (Err(e), _) => format!("no avatar: {e}"),
        (_, Err(e)) => format!("no voice: {e}"),
        _ => return false,
    };
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true and the serve test cannot run: {problem}");
    }
    eprintln!("skipping: {problem}");
    true
}

pub struct TestServer {
    pub addr: SocketAddr,
    shutdown: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), avatarcast::serve::ServeError>>,
}

/// A server on 127.0.0.1 (free port) with `tweak` applied to the defaults.
pub async fn start(tweak: impl FnOnce(&mut ServeConfig)) -> TestServer {
    let mut config = ServeConfig {
        bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        ..ServeConfig::default()
    };
    tweak(&mut config);
    let server = Server::bind(config).await.expect("server loads and binds");
    let addr = server.local_addr().expect("bound address");
    let (shutdown, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(server.run_until(async {
        let _ = rx.await;
    }));
    TestServer {
        addr,
        shutdown,
        task,
    }
}

impl TestServer {
    /// Shuts down gracefully; every session is closed and joined.
    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        let result = tokio::time::timeout(Duration::from_secs(20), self.task)
            .await
            .expect("server stops within 20 s")
            .expect("server task did not panic");
        result.expect("server ran without error");
    }
}

#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request on a fresh connection (`Connection: close`).
pub async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> HttpResponse {
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connect to the server");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .expect("send request");
    stream.write_all(body).await.expect("send body");
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut raw))
        .await
        .expect("response within 30 s")
        .expect("read response");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("HTTP head and body");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    HttpResponse {
        status,
        headers,
        body: body.to_string(),
    }
}

/// The value of an unlabelled Prometheus sample.
pub fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

/// What the viewer has received.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub video_packets: u64,
    /// Access units completed (marker bit).
    pub video_frames: u64,
    /// Access units that start with SPS/PPS (STAP-A) or an IDR slice.
    pub keyframes: u64,
    pub first_video_is_keyframe: bool,
    pub audio_packets: u64,
    pub video_ssrc: Option<u32>,
}

struct Viewer {
    stats: Arc<Mutex<Stats>>,
    gathered: mpsc::UnboundedSender<()>,
    connected: watch::Sender<bool>,
    video_track: Arc<Mutex<Option<Arc<dyn TrackRemote>>>>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Viewer {
    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            let _ = self.gathered.send(());
        }
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        let _ = self
            .connected
            .send(state == RTCPeerConnectionState::Connected);
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let stats = Arc::clone(&self.stats);
        let slot = Arc::clone(&self.video_track);
        tokio::spawn(async move {
            let kind = track.kind().await;
            if kind == RtpCodecKind::Video {
                let ssrc = track.ssrcs().await.first().copied();
                lock(&stats).video_ssrc = ssrc;
                *lock(&slot) = Some(Arc::clone(&track));
            }
            while let Some(event) = track.poll().await {
                let TrackRemoteEvent::OnRtpPacket(packet) = event else {
                    continue;
                };
                let mut s = lock(&stats);
                if kind == RtpCodecKind::Audio {
                    s.audio_packets += 1;
                    continue;
                }
                let p = &packet.payload;
                let starts_keyframe = match p.first().map(|b| b & 0x1f) {
                    Some(24) | Some(5) | Some(7) => true,
                    Some(28) => p.get(1).is_some_and(|b| b & 0x80 != 0 && b & 0x1f == 5),
                    _ => false,
                };
                if s.video_packets == 0 {
                    s.first_video_is_keyframe = starts_keyframe;
                }
                s.video_packets += 1;
                if starts_keyframe {
                    s.keyframes += 1;
                }
                if packet.header.marker {
                    s.video_frames += 1;
                }
            }
        });
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn codec(kind: RtpCodecKind) -> RTCRtpCodecParameters {
    let (mime, clock_rate, channels, fmtp, pt) = match kind {
        RtpCodecKind::Video => (
            MIME_TYPE_H264,
            90_000,
            0,
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
            102,
        ),
        _ => (MIME_TYPE_OPUS, 48_000, 2, "minptime=10;useinbandfec=1", 111),
    };
    RTCRtpCodecParameters {
        rtp_codec: RTCRtpCodec {
            mime_type: mime.to_owned(),
            clock_rate,
            channels,
            sdp_fmtp_line: fmtp.to_owned(),
            rtcp_feedback: vec![],
        },
        payload_type: pt,
    }
}

/// A WebRTC viewer: receives audio + video, talks on `chat`.
pub struct Client {
    pub pc: Arc<dyn PeerConnection>,
    pub dc: Arc<dyn DataChannel>,
    pub location: String,
    pub offer_sdp: String,
    stats: Arc<Mutex<Stats>>,
    video_track: Arc<Mutex<Option<Arc<dyn TrackRemote>>>>,
    opened: watch::Receiver<bool>,
    messages: mpsc::UnboundedReceiver<serde_json::Value>,
}

impl Client {
    /// Offers to `addr`'s `/whep` and applies the answer (panics on failure).
    pub async fn connect(addr: SocketAddr) -> Client {
        let mut media = MediaEngine::default();
        for kind in [RtpCodecKind::Video, RtpCodecKind::Audio] {
            media.register_codec(codec(kind), kind).expect("codec");
        }
        let registry =
            register_default_interceptors(Registry::new(), &mut media).expect("interceptors");
        let settings = SettingEngineBuilder::new()
            .with_multicast_dns_mode(rtc::ice::mdns::MulticastDnsMode::Disabled)
            .with_ice_connection_attempts(Some(Duration::from_millis(20)), Some(25))
            .build();
        let stats = Arc::new(Mutex::new(Stats::default()));
        let video_track = Arc::new(Mutex::new(None));
        let (gathered_tx, mut gathered) = mpsc::unbounded_channel();
        let (connected_tx, _connected) = watch::channel(false);
        let pc = PeerConnectionBuilder::new()
            .with_media_engine(media)
            .with_setting_engine(settings)
            .with_interceptor_registry(registry)
            .with_handler(Arc::new(Viewer {
                stats: Arc::clone(&stats),
                gathered: gathered_tx,
                connected: connected_tx,
                video_track: Arc::clone(&video_track),
            }))
            .with_udp_addrs(vec!["127.0.0.1:0".to_owned()])
            .build()
            .await
            .expect("client peer");
        let pc: Arc<dyn PeerConnection> = Arc::new(pc);
        for kind in [RtpCodecKind::Video, RtpCodecKind::Audio] {
            pc.add_transceiver_from_kind(
                kind,
                Some(RTCRtpTransceiverInit {
                    direction: RTCRtpTransceiverDirection::Recvonly,
                    ..Default::default()
                }),
            )
            .await
            .expect("recvonly transceiver");
        }
        let dc = pc
            .create_data_channel("chat", None)
            .await
            .expect("chat channel");
        let (opened_tx, opened) = watch::channel(false);
        let (messages_tx, messages) = mpsc::unbounded_channel();
        let reader = Arc::clone(&dc);
        tokio::spawn(async move {
            while let Some(event) = reader.poll().await {
                match event {
                    DataChannelEvent::OnOpen => {
                        let _ = opened_tx.send(true);
                    }
                    DataChannelEvent::OnMessage(m) => {
                        assert!(m.is_string, "server messages are text");
                        let v: serde_json::Value =
                            serde_json::from_slice(&m.data).expect("server sends JSON");
                        let _ = messages_tx.send(v);
                    }
                    DataChannelEvent::OnClose => break,
                    _ => {}
                }
            }
        });
        let offer = pc.create_offer(None).await.expect("offer");
        pc.set_local_description(offer).await.expect("local offer");
        let _ = tokio::time::timeout(Duration::from_secs(2), gathered.recv()).await;
        let offer_sdp = pc.local_description().await.expect("local description").sdp;
        let r = http(
            addr,
            "POST",
            "/whep",
            &[("Content-Type", "application/sdp")],
            offer_sdp.as_bytes(),
        )
        .await;
        assert_eq!(r.status, 201, "offer accepted: {}", r.body);
        assert_eq!(r.header("content-type"), Some("application/sdp"));
        let location = r.header("location").expect("Location header").to_string();
        assert!(location.starts_with("/whep/"), "{location}");
        let answer = RTCSessionDescription::answer(r.body.clone()).expect("answer parses");
        pc.set_remote_description(answer)
            .await
            .expect("answer applies");
        Client {
            pc,
            dc,
            location,
            offer_sdp,
            stats,
            video_track,
            opened,
            messages,
        }
    }

    /// Waits for the chat channel to open (ICE, DTLS and SCTP done).
    pub async fn wait_open(&mut self, limit: Duration) {
        tokio::time::timeout(limit, self.opened.wait_for(|open| *open))
            .await
            .expect("chat channel opens in time")
            .expect("channel reader alive");
    }

    pub fn stats(&self) -> Stats {
        lock(&self.stats).clone()
    }

    /// Polls the stats until `done` holds (panics with them after `limit`).
    pub async fn wait_for(&self, limit: Duration, done: impl Fn(&Stats) -> bool) {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let s = self.stats();
            if done(&s) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out; received {s:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn request_keyframe(&self) {
        let track = lock(&self.video_track)
            .clone()
            .expect("video track arrived");
        let ssrc = self.stats().video_ssrc.expect("video ssrc");
        track
            .write_rtcp(vec![Box::new(PictureLossIndication {
                sender_ssrc: 0,
                media_ssrc: ssrc,
            })])
            .await
            .expect("PLI sent");
    }

    pub async fn send(&self, text: &str) {
        self.dc.send_text(text).await.expect("chat send");
    }

    pub async fn next_message(&mut self, limit: Duration) -> serde_json::Value {
        tokio::time::timeout(limit, self.messages.recv())
            .await
            .expect("a chat message in time")
            .expect("chat open")
    }

    /// The first message matching `want`, skipping others.
    pub async fn message_where(
        &mut self,
        limit: Duration,
        want: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let m = self.next_message(left).await;
            if want(&m) {
                return m;
            }
        }
    }

    pub async fn close(self) {
        let _ = self.pc.close().await;
    }
}
