//! One viewer's session: its peer connection, its media thread, its chat.
//!
//! Life cycle: `open` answers the offer and starts the media thread (which
//! builds its renderer while ICE and DTLS run); on `Connected` the media
//! clock starts; the session ends on DELETE, ICE/DTLS failure, the idle
//! timeout or a media failure, and then stops every thread and task it
//! started, closes the connection (its sockets) and drops the renderer
//! (its GPU buffers) before `active_sessions` goes down.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};
use webrtc::data_channel::{DataChannel, DataChannelEvent};
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::peer_connection::RTCPeerConnectionState;

use super::chat::{self, ClientMessage};
use super::media::{self, MediaCommand, MediaOut, MediaSetup};
use super::peer::{self, Peer, PeerEvent};
use super::reply::{ReplyJob, VoicePicker};
use super::rtp::RtpStream;
use super::{ServeError, Shared};
use crate::clock::FrameRate;
use crate::speech::Lang;

/// Per-session choices from the request (query or headers).
#[derive(Debug, Clone, Default)]
pub struct SessionOptions {
    pub avatar: Option<String>,
    pub voice: Option<String>,
    pub lang: Option<Lang>,
}

/// The server's hold on a running session.
pub struct SessionHandle {
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl SessionHandle {
    /// Ends the session and waits until everything it held is freed.
    pub async fn close(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = self.task.await;
    }
}

/// Media queue between the media thread and the network task: about two
/// seconds of packets, so a stall is noticed rather than buffered forever.
const MEDIA_QUEUE: usize = 256;
/// A peer that has not connected by then never will.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// Answers the offer and starts the session; returns the answer SDP. The
/// caller has reserved a slot in `active_sessions`; on success the session
/// task frees it when it ends, on error the caller does.
pub async fn open(
    shared: &Arc<Shared>,
    id: &str,
    offer_sdp: &str,
    options: SessionOptions,
) -> Result<(String, SessionHandle), ServeError> {
    let config = &shared.config;
    // Loading a role from disk and probing a voice block: not on the reactor.
    let prepared = {
        let shared = Arc::clone(shared);
        tokio::task::spawn_blocking(move || prepare(&shared, options))
            .await
            .map_err(|e| ServeError::Thread(e.to_string()))??
    };
    let (avatar, voices, lang) = prepared;
    let stream_id = format!("avatarcast-{id}");
    let (peer, answer) = peer::answer(offer_sdp, &stream_id, shared.ice_ip()).await?;

    let (command_tx, command_rx) = std::sync::mpsc::channel();
    let (out_tx, out_rx) = mpsc::channel(MEDIA_QUEUE);
    let setup = MediaSetup {
        avatar,
        speech: Arc::clone(&shared.speech),
        width: config.width,
        height: config.height,
        fps: FrameRate::new(config.fps, 1),
        msaa: config.msaa,
        seed: u64::from(super::random_u32()),
        animation: config.animation.clone(),
        metrics: Arc::clone(&shared.metrics),
        pool: shared.pool.clone(),
    };
    let media_thread = std::thread::Builder::new()
        .name(format!("media-{id}"))
        .spawn(move || media::run(setup, command_rx, out_tx))
        .map_err(|e| ServeError::Thread(e.to_string()));
    let media_thread = match media_thread {
        Ok(t) => t,
        Err(e) => {
            let _ = peer.pc.close().await;
            return Err(e);
        }
    };
    let mut conversation = shared.dialog.new_session(id.to_string());
    conversation.lang = lang;
    let (stop_tx, stop_rx) = oneshot::channel();
    let session = Session {
        shared: Arc::clone(shared),
        id: id.to_string(),
        peer,
        media: command_tx,
        conversation: Arc::new(Mutex::new(conversation)),
        voices,
        current_reply: Arc::new(AtomicU64::new(0)),
        next_reply: 1,
        chat: None,
    };
    let task = tokio::spawn(session.run(out_rx, stop_rx, media_thread));
    Ok((
        answer,
        SessionHandle {
            stop: Some(stop_tx),
            task,
        },
    ))
}

/// The session's avatar, voices and language, checked.
fn prepare(
    shared: &Shared,
    options: SessionOptions,
) -> Result<(Arc<crate::avatar::Avatar>, VoicePicker, Lang), ServeError> {
    let config = &shared.config;
    let (avatar, role) = shared.avatar(options.avatar.as_deref())?;
    let lang = options.lang.unwrap_or(config.lang);
    let voices = VoicePicker {
        explicit: options
            .voice
            .or_else(|| config.voice.clone())
            .map(|v| (v, lang)),
        // Roles name espeak voices; another default backend uses its own voice.
        role: role.filter(|_| config.speech.backend == crate::speech::SpeechBackend::Espeak),
    };
    if let Some((voice, lang)) = &voices.explicit {
        // A wrong voice would make every answer silent: refuse it up front.
        let probe = crate::speech::SpeechRequest::new("ok", *lang).with_voice(voice.clone());
        shared
            .speech
            .synthesize(&probe)
            .map_err(|e| ServeError::BadOption(e.to_string()))?;
    }
    Ok((avatar, voices, lang))
}

struct Session {
    shared: Arc<Shared>,
    id: String,
    peer: Peer,
    media: std::sync::mpsc::Sender<MediaCommand>,
    conversation: Arc<Mutex<crate::dialog::Session>>,
    voices: VoicePicker,
    current_reply: Arc<AtomicU64>,
    next_reply: u64,
    chat: Option<Arc<dyn DataChannel>>,
}

/// What the chat reader and reply threads report to the session task.
enum ChatIn {
    Message(String),
    Binary,
    Closed,
}

impl Session {
    async fn run(
        mut self,
        mut media_out: mpsc::Receiver<MediaOut>,
        mut stop: oneshot::Receiver<()>,
        media_thread: std::thread::JoinHandle<()>,
    ) {
        let (chat_tx, mut chat_rx) = mpsc::unbounded_channel();
        let (handoff_tx, mut handoff_rx) = mpsc::unbounded_channel::<String>();
        let mut video = RtpStream::h264(
            self.peer.video_ssrc,
            self.peer.video_pt,
            super::random_u32() as u16,
            super::random_u32(),
        );
        let mut audio = RtpStream::opus(
            self.peer.audio_ssrc,
            self.peer.audio_pt,
            super::random_u32() as u16,
            super::random_u32(),
        );
        let idle_limit = Duration::from_secs(self.shared.config.idle_timeout_s);
        let idle = tokio::time::sleep(CONNECT_TIMEOUT.min(idle_limit));
        tokio::pin!(idle);
        let mut connected = false;
        // For the connect-time breakdown in debug logs: answer → connected →
        // first video frame on the wire.
        let answered_at = Instant::now();
        let mut connected_at = None;
        // The first frame is encoded while the peer connects (see media.rs);
        // it waits here until the track is bound.
        let mut early_frame: Option<(Vec<u8>, crate::clock::SampleTime)> = None;
        let mut tasks = tokio::task::JoinSet::new();
        let reason = loop {
            tokio::select! {
                _ = &mut stop => break "closed by DELETE",
                () = &mut idle => break "idle timeout",
                event = self.peer.events.recv() => match event {
                    Some(PeerEvent::State(RTCPeerConnectionState::Connected)) => {
                        let _ = self.media.send(MediaCommand::Start);
                        // The track is bound once connected; its events
                        // (keyframe requests) can be read from then on.
                        if !connected {
                            connected = true;
                            connected_at = Some(Instant::now());
                            tracing::debug!(
                                "session {}: connected {:?} after the answer",
                                self.id,
                                answered_at.elapsed()
                            );
                            tasks.spawn(keyframe_requests(
                                Arc::clone(&self.peer.video),
                                self.media.clone(),
                            ));
                            if let Some((annexb, time)) = early_frame.take() {
                                connected_at = None;
                                for packet in video.video_frame(annexb, time) {
                                    let _ = self.peer.video.write_rtp(packet).await;
                                }
                                tracing::debug!(
                                    "session {}: first video frame sent {:?} after the answer",
                                    self.id,
                                    answered_at.elapsed()
                                );
                            }
                        }
                        idle.as_mut().reset(tokio::time::Instant::now() + idle_limit);
                    }
                    Some(PeerEvent::State(
                        RTCPeerConnectionState::Failed | RTCPeerConnectionState::Closed,
                    )) | None => break "connection failed or closed",
                    Some(PeerEvent::State(_)) => {}
                    Some(PeerEvent::DataChannel(dc)) => {
                        if dc.label().await.is_ok_and(|l| l == "chat") {
                            tasks.spawn(read_chat(Arc::clone(&dc), chat_tx.clone()));
                            self.chat = Some(dc);
                        }
                    }
                },
                message = chat_rx.recv() => match message {
                    Some(ChatIn::Message(text)) => {
                        idle.as_mut().reset(tokio::time::Instant::now() + idle_limit);
                        self.on_chat(&text, &handoff_tx).await;
                    }
                    Some(ChatIn::Binary) => {
                        self.send_chat(&chat::error_json(
                            "binary messages are not understood; send JSON as text",
                        ))
                        .await;
                    }
                    Some(ChatIn::Closed) | None => {}
                },
                Some(reason) = handoff_rx.recv() => {
                    self.send_chat(&chat::handoff_json(&reason)).await;
                }
                out = media_out.recv() => match out {
                    Some(MediaOut::Video { annexb, time }) if !connected => {
                        early_frame = Some((annexb, time));
                    }
                    Some(MediaOut::Video { annexb, time }) => {
                        if let Some(at) = connected_at.take() {
                            tracing::debug!(
                                "session {}: first video frame sent {:?} after connecting",
                                self.id,
                                at.elapsed()
                            );
                        }
                        for packet in video.video_frame(annexb, time) {
                            // Before DTLS completes the track is unbound: drop.
                            let _ = self.peer.video.write_rtp(packet).await;
                        }
                    }
                    Some(MediaOut::Audio { opus, pts }) => {
                        for packet in audio.audio_frame(opus, pts) {
                            let _ = self.peer.audio.write_rtp(packet).await;
                        }
                    }
                    Some(MediaOut::Event(event)) => {
                        self.send_chat(&chat::event_json(&event)).await;
                    }
                    Some(MediaOut::FirstAudio { id, latency }) => {
                        tracing::debug!("session {}: reply {id}: first audio after {latency:?}", self.id);
                    }
                    Some(MediaOut::FirstVideo { id, latency }) => {
                        tracing::debug!("session {}: reply {id}: first frame after {latency:?}", self.id);
                    }
                    Some(MediaOut::Failed(message)) => {
                        tracing::warn!("session {}: {message}", self.id);
                        break "media failed";
                    }
                    None => break "media thread ended",
                },
            }
        };
        tracing::info!("session {} ends: {reason}", self.id);
        // Cancel the reply thread, stop the media thread, close the peer.
        self.current_reply.store(0, Ordering::Release);
        let _ = self.media.send(MediaCommand::Stop);
        drop(media_out);
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
        if let Some(dc) = self.chat.take() {
            let _ = dc.close().await;
        }
        if let Err(e) = self.peer.pc.close().await {
            tracing::warn!("session {}: closing the connection: {e}", self.id);
        }
        // The renderer (and its GPU buffers) lives on the media thread.
        let _ = tokio::task::spawn_blocking(move || media_thread.join()).await;
        self.shared.forget(&self.id);
        self.shared
            .metrics
            .active_sessions
            .fetch_sub(1, Ordering::AcqRel);
    }

    async fn on_chat(&mut self, text: &str, handoff: &mpsc::UnboundedSender<String>) {
        match chat::parse(text) {
            Err(message) => self.send_chat(&chat::error_json(&message)).await,
            Ok(ClientMessage::Interrupt) => {
                self.current_reply.store(0, Ordering::Release);
                let _ = self.media.send(MediaCommand::Interrupt);
            }
            Ok(ClientMessage::Typing) => {
                let _ = self.media.send(MediaCommand::Typing);
            }
            Ok(ClientMessage::Text(question)) => {
                let id = self.next_reply;
                self.next_reply += 1;
                self.current_reply.store(id, Ordering::Release);
                let _ = self.media.send(MediaCommand::BeginReply {
                    id,
                    received: Instant::now(),
                });
                let job = ReplyJob {
                    id,
                    text: question,
                    dialog: Arc::clone(&self.shared.dialog),
                    conversation: Arc::clone(&self.conversation),
                    speech: Arc::clone(&self.shared.speech),
                    voices: self.voices.clone(),
                    current: Arc::clone(&self.current_reply),
                    media: self.media.clone(),
                    handoff: handoff.clone(),
                };
                if let Err(e) = job.spawn() {
                    tracing::warn!("session {}: cannot start a reply thread: {e}", self.id);
                    let _ = self.media.send(MediaCommand::FinishReply { id });
                    self.send_chat(&chat::error_json("the server is overloaded; try again"))
                        .await;
                }
            }
        }
    }

    async fn send_chat(&self, json: &str) {
        if let Some(dc) = &self.chat
            && let Err(e) = dc.send_text(json).await
        {
            tracing::debug!("session {}: chat send failed: {e}", self.id);
        }
    }
}

async fn read_chat(dc: Arc<dyn DataChannel>, out: mpsc::UnboundedSender<ChatIn>) {
    while let Some(event) = dc.poll().await {
        let item = match event {
            DataChannelEvent::OnMessage(message) if message.is_string => {
                ChatIn::Message(String::from_utf8_lossy(&message.data).into_owned())
            }
            DataChannelEvent::OnMessage(_) => ChatIn::Binary,
            DataChannelEvent::OnClose => ChatIn::Closed,
            _ => continue,
        };
        let closed = matches!(item, ChatIn::Closed);
        if out.send(item).is_err() || closed {
            return;
        }
    }
}

async fn keyframe_requests(
    video: Arc<webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP>,
    media: std::sync::mpsc::Sender<MediaCommand>,
) {
    while let Some(event) = video.poll().await {
        if peer::wants_keyframe(&event) && media.send(MediaCommand::Keyframe).is_err() {
            return;
        }
    }
}
