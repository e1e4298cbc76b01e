//! `avatarcast serve`: the live avatar over WebRTC.
//!
//! ```text
//!  HTTP (axum, http.rs) ──POST /whep──▶ session.rs ──▶ peer.rs (webrtc: ICE, DTLS, SRTP, SCTP)
//!                                          │  ▲ chat.rs (data channel JSON)
//!                        reply.rs thread ──┤  │
//!            dialog → speech (espeak)      ▼  │ packets (rtp.rs), events
//!                                media.rs thread: LiveDriver (clock) → Opus
//!                                frames.rs thread: newest pose → render → H.264
//! ```
//! Threads, sockets and the wall clock live here only; the engine
//! ([`crate::engine::LiveDriver`]) is sans-IO. See ARCHITECTURE.md, "Live server".

pub mod bench;
pub mod chat;
pub mod config;
mod frames;
mod http;
mod media;
pub mod metrics;
mod peer;
mod reply;
mod roles;
mod rtp;
mod session;
pub mod static_assets;

pub use config::{ServeArgs, ServeConfig};
pub use metrics::Metrics;
pub use session::SessionOptions;

use std::collections::HashMap;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::avatar::Avatar;
use crate::dialog::DialogEngine;
use crate::engine::{AvatarSource, RoleInfo};
use crate::speech::Speech;

use session::SessionHandle;

/// Why serving failed.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("serve config is invalid: {reason}; fix the value or remove it: {path}")]
    Config { reason: String, path: PathBuf },
    #[error(
        "cannot listen on {addr} ({source}); pick another --bind address or stop the other server"
    )]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("bad SDP offer: {0}")]
    BadOffer(String),
    #[error("bad session option: {0}")]
    BadOption(String),
    #[error("WebRTC could not {what}: {reason}")]
    WebRtc { what: &'static str, reason: String },
    #[error("{0}")]
    Engine(#[from] crate::engine::EngineError),
    #[error("render: {0}")]
    Render(#[from] crate::render::RenderError),
    #[error("encode: {0}")]
    Encode(#[from] crate::encode::EncodeError),
    #[error("speech: {0}")]
    Speech(#[from] crate::speech::SpeechError),
    #[error("dialog: {0}")]
    Dialog(#[from] crate::dialog::DialogError),
    #[error("cannot load the avatar ({0}); check the avatar name or file")]
    Avatar(#[from] crate::avatar::AvatarError),
    #[error("cannot start a thread ({0}); the machine is out of resources")]
    Thread(String),
    #[error("the network side stopped reading media for over 2 s; the session is closed")]
    Stalled,
    #[error("HTTP server failed: {0}")]
    Http(std::io::Error),
}

/// A loaded avatar and, for built roles, what its `role.toml` says.
pub type LoadedAvatar = (Arc<Avatar>, Option<RoleInfo>);

/// What every session shares: configuration, engines, metrics, the registry.
pub struct Shared {
    pub config: ServeConfig,
    pub metrics: Arc<Metrics>,
    pub speech: Arc<dyn Speech>,
    pub dialog: Arc<DialogEngine>,
    /// A warmed-up renderer for the default avatar, for the next visitor.
    pool: Option<Arc<frames::RendererPool>>,
    avatars: Mutex<HashMap<String, LoadedAvatar>>,
    sessions: Mutex<HashMap<String, SessionHandle>>,
}

impl Shared {
    /// Loads the speech backend, the dialog engine (KB, embeddings, LLM
    /// client) and the default avatar, so the first visitor waits for none.
    pub fn load(config: ServeConfig) -> Result<Shared, ServeError> {
        let speech = config.speech.build()?;
        let dialog = DialogEngine::from_config(&config.dialog, config.kb.as_deref())?;
        let mut shared = Shared {
            config,
            metrics: Arc::new(Metrics::default()),
            speech,
            dialog: Arc::new(dialog),
            pool: None,
            avatars: Mutex::new(HashMap::new()),
            sessions: Mutex::new(HashMap::new()),
        };
        let (avatar, _) = shared.avatar(None)?;
        let c = &shared.config;
        shared.pool = Some(frames::RendererPool::new(avatar, c.width, c.height, c.msaa));
        Ok(shared)
    }

    /// The avatar `name` (a role or a file), or the configured default;
    /// loaded once and shared by all sessions.
    pub fn avatar(&self, name: Option<&str>) -> Result<LoadedAvatar, ServeError> {
        let name = name.or(self.config.avatar.as_deref());
        let key = name.unwrap_or("").to_string();
        if let Some(hit) = lock(&self.avatars).get(&key) {
            return Ok(hit.clone());
        }
        let source = name.map(AvatarSource::parse);
        let (path, role) = crate::engine::resolve_avatar(source.as_ref())?;
        let avatar = Arc::new(Avatar::load(&path)?);
        let entry = (avatar, role);
        lock(&self.avatars).insert(key, entry.clone());
        Ok(entry)
    }

    /// The address ICE binds: the HTTP address's IP (a wildcard address
    /// gathers every interface but loopback).
    fn ice_ip(&self) -> IpAddr {
        self.config.bind.ip()
    }

    fn forget(&self, id: &str) {
        lock(&self.sessions).remove(id);
    }

    fn take(&self, id: &str) -> Option<SessionHandle> {
        lock(&self.sessions).remove(id)
    }

    /// At shutdown: ends every session and waits until each has freed
    /// everything, then stops the renderer pool (joining its thread).
    pub async fn close_all(&self) {
        let handles: Vec<SessionHandle> = lock(&self.sessions).drain().map(|(_, h)| h).collect();
        for h in handles {
            h.close().await;
        }
        if let Some(pool) = &self.pool {
            let pool = Arc::clone(pool);
            let _ = tokio::task::spawn_blocking(move || pool.shut_down()).await;
        }
    }
}

/// The registry's data stays consistent even if a holder panicked.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// 32 random bits from the standard library's per-process hash keys plus a
/// counter: unpredictable enough for SSRCs, RTP offsets and (four of them)
/// session ids, without a random-number crate.
pub(crate) fn random_u32() -> u32 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    if let Ok(d) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.write_u128(d.as_nanos());
    }
    let v = h.finish();
    (v ^ (v >> 32)) as u32
}

fn new_session_id() -> String {
    (0..4).map(|_| format!("{:08x}", random_u32())).collect()
}

/// A bound, loaded server; [`Server::run_until`] serves it.
pub struct Server {
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
}

impl Server {
    /// Loads everything and binds the listener (port 0 picks a free one).
    pub async fn bind(config: ServeConfig) -> Result<Server, ServeError> {
        let addr = config.bind;
        let shared = tokio::task::spawn_blocking(move || Shared::load(config))
            .await
            .map_err(|e| ServeError::Thread(e.to_string()))??;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind { addr, source })?;
        Ok(Server {
            listener,
            shared: Arc::new(shared),
        })
    }

    pub fn local_addr(&self) -> Result<SocketAddr, ServeError> {
        self.listener.local_addr().map_err(ServeError::Http)
    }

    pub fn shared(&self) -> Arc<Shared> {
        Arc::clone(&self.shared)
    }

    /// Serves until `shutdown` resolves, then ends every session.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let app = http::router(Arc::clone(&self.shared));
        let result = axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(ServeError::Http);
        self.shared.close_all().await;
        result
    }
}

/// `avatarcast serve`: serves until Ctrl-C.
pub fn run(config: ServeConfig) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(ServeError::Http)?;
    runtime.block_on(async {
        let server = Server::bind(config).await?;
        let addr = server.local_addr()?;
        eprintln!("avatarcast serve: open http://{addr}/ (WHEP endpoint http://{addr}/whep)");
        server
            .run_until(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    })
}
