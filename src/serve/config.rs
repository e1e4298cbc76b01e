//! `avatarcast serve` settings: one TOML file (`[serve]`, plus the dialog
//! engine's `[llm]` and `[dialog]` tables), then command-line flags on top.
//!
//! ```toml
//! [serve]
//! bind = "127.0.0.1:8080"
//! token = "s3cret"          # clients send `Authorization: Bearer s3cret`
//! max_sessions = 2
//! idle_timeout_s = 300
//! avatar = "amy"            # a built role or a .glb/.vrm file
//! lang = "en"
//! size = "512x512"
//! fps = 25
//! kb = "my-kb.csv"
//!
//! [animation]               # optional, see animation::AnimationTable
//! expression_strength = 0.8
//!
//! [llm]                     # optional, see docs/knowledge-base.md
//! base_url = "http://127.0.0.1:11434/v1"
//! model = "qwen2.5:3b"
//!
//! [speech]                  # optional, see `speech::SpeechConfig`
//! backend = "openai"        # espeak (default) | openai | piper
//! [speech.openai]
//! base_url = "http://127.0.0.1:8880/v1"
//! voice = "af_heart"
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::animation::{AnimationParams, AnimationTable};
use crate::dialog::DialogConfig;
use crate::speech::{Lang, SpeechBackend, SpeechConfig};

use super::ServeError;

/// Everything the server is configured with, resolved.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub bind: SocketAddr,
    /// When set, every request but `/`, assets and `/healthz` needs
    /// `Authorization: Bearer <token>`.
    pub token: Option<String>,
    /// Concurrent sessions; a new offer beyond it gets 503 + Retry-After.
    pub max_sessions: usize,
    /// A session with no customer message for this long ends.
    pub idle_timeout_s: u64,
    /// Default avatar (role id or model file); `None`: the first built role.
    pub avatar: Option<String>,
    /// Default voice; `None`: the role's voice for the language.
    pub voice: Option<String>,
    pub lang: Lang,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    /// 1 (live default: lavapipe renders 512² in ~20 ms) or 4.
    pub msaa: u32,
    /// Knowledge base file; `None`: `[dialog] kb`, else the embedded one.
    pub kb: Option<PathBuf>,
    pub dialog: DialogConfig,
    /// The `[speech]` table: default backend and the optional ones' settings.
    pub speech: SpeechConfig,
    /// How the face moves (`[animation]` table).
    pub animation: AnimationParams,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            token: None,
            max_sessions: 2,
            idle_timeout_s: 300,
            avatar: None,
            voice: None,
            lang: Lang::En,
            width: 512,
            height: 512,
            fps: 25,
            msaa: 1,
            kb: None,
            dialog: DialogConfig::default(),
            speech: SpeechConfig::default(),
            animation: AnimationParams::default(),
        }
    }
}

/// The `[serve]` table; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServeTable {
    bind: Option<SocketAddr>,
    token: Option<String>,
    max_sessions: Option<usize>,
    idle_timeout_s: Option<u64>,
    avatar: Option<String>,
    voice: Option<String>,
    lang: Option<String>,
    size: Option<String>,
    fps: Option<u32>,
    msaa: Option<u32>,
    kb: Option<PathBuf>,
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    serve: ServeTable,
    #[serde(default)]
    animation: AnimationTable,
}

/// Command-line flags of `avatarcast serve`; each overrides the file.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ServeArgs {
    /// TOML config file ([serve], [llm], [dialog] tables).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long)]
    pub bind: Option<SocketAddr>,
    /// Require `Authorization: Bearer TOKEN` for signalling and metrics.
    #[arg(long)]
    pub token: Option<String>,
    /// Maximum concurrent sessions (default 2).
    #[arg(long)]
    pub max_sessions: Option<usize>,
    /// End a session after this many seconds without a customer message (default 300).
    #[arg(long)]
    pub idle_timeout_s: Option<u64>,
    /// Default avatar: a built role's name or a .glb/.gltf/.vrm file.
    #[arg(long)]
    pub avatar: Option<String>,
    /// Default voice (default: the role's espeak voice). `openai:NAME`, `piper:joe` or
    /// `espeak:NAME` picks that backend.
    #[arg(long)]
    pub voice: Option<String>,
    /// Default speech backend: espeak, openai (needs [speech.openai]) or piper.
    #[arg(long)]
    pub speech_backend: Option<SpeechBackend>,
    /// Default language: en or zh.
    #[arg(long)]
    pub lang: Option<String>,
    /// Video size, e.g. 512x512 (even sides).
    #[arg(long)]
    pub size: Option<String>,
    /// Frames per second (default 25).
    #[arg(long)]
    pub fps: Option<u32>,
    /// Multisampling: 1 (default, real time on a CPU) or 4.
    #[arg(long)]
    pub msaa: Option<u32>,
    /// Knowledge base: a CSV or Markdown file or a folder of them (docs/knowledge-base.md).
    #[arg(long)]
    pub kb: Option<PathBuf>,
}

impl ServeConfig {
    /// The file named by `args.config` (if any), then the flags.
    pub fn load(args: &ServeArgs) -> Result<ServeConfig, ServeError> {
        let mut config = match &args.config {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| ServeError::Config {
                    reason: format!("cannot read it ({e})"),
                    path: path.clone(),
                })?;
                ServeConfig::from_toml(&text, path)?
            }
            None => ServeConfig::default(),
        };
        let flags = ServeTable {
            bind: args.bind,
            token: args.token.clone(),
            max_sessions: args.max_sessions,
            idle_timeout_s: args.idle_timeout_s,
            avatar: args.avatar.clone(),
            voice: args.voice.clone(),
            lang: args.lang.clone(),
            size: args.size.clone(),
            fps: args.fps,
            msaa: args.msaa,
            kb: args.kb.clone(),
        };
        if let Some(backend) = args.speech_backend {
            config.speech.backend = backend;
        }
        config.apply(flags).map_err(|reason| ServeError::Config {
            reason: format!("command-line flag: {reason}"),
            path: PathBuf::from("(flags)"),
        })?;
        Ok(config)
    }

    /// Parses a config file's text; `path` is for messages.
    pub fn from_toml(text: &str, path: &Path) -> Result<ServeConfig, ServeError> {
        let file: File = toml::from_str(text).map_err(|e| ServeError::Config {
            reason: e.to_string(),
            path: path.to_path_buf(),
        })?;
        let dialog = DialogConfig::from_toml(text, path).map_err(|e| ServeError::Config {
            reason: e.to_string(),
            path: path.to_path_buf(),
        })?;
        let speech = SpeechConfig::from_toml(text, path).map_err(|e| ServeError::Config {
            reason: e.to_string(),
            path: path.to_path_buf(),
        })?;
        let mut animation = AnimationParams::default();
        file.animation
            .apply(&mut animation)
            .map_err(|reason| ServeError::Config {
                reason,
                path: path.to_path_buf(),
            })?;
        let mut config = ServeConfig {
            dialog,
            speech,
            animation,
            ..ServeConfig::default()
        };
        config
            .apply(file.serve)
            .map_err(|reason| ServeError::Config {
                reason,
                path: path.to_path_buf(),
            })?;
        Ok(config)
    }

    fn apply(&mut self, t: ServeTable) -> Result<(), String> {
        if let Some(v) = t.bind {
            self.bind = v;
        }
        if let Some(v) = t.token {
            self.token = (!v.is_empty()).then_some(v);
        }
        if let Some(v) = t.max_sessions {
            if v == 0 {
                return Err("max_sessions must be at least 1".into());
            }
            self.max_sessions = v;
        }
        if let Some(v) = t.idle_timeout_s {
            self.idle_timeout_s = v.max(1);
        }
        if t.avatar.is_some() {
            self.avatar = t.avatar;
        }
        if t.voice.is_some() {
            self.voice = t.voice;
        }
        if let Some(v) = t.lang {
            self.lang = v.parse().map_err(|e| format!("{e}"))?;
        }
        if let Some(v) = t.size {
            (self.width, self.height) = parse_size(&v)?;
        }
        if let Some(v) = t.fps {
            if !(1..=60).contains(&v) {
                return Err(format!("fps must be 1..=60, got {v}"));
            }
            self.fps = v;
        }
        if let Some(v) = t.msaa {
            if v != 1 && v != 4 {
                return Err(format!("msaa must be 1 or 4, got {v}"));
            }
            self.msaa = v;
        }
        if t.kb.is_some() {
            self.kb = t.kb;
        }
        Ok(())
    }
}

/// `WxH` with even sides between 16 and 4096 (H.264 4:2:0 needs even sides).
pub fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("size must look like 512x512 with even sides 16..=4096, got `{s}`");
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
    let w: u32 = w.trim().parse().map_err(|_| bad())?;
    let h: u32 = h.trim().parse().map_err(|_| bad())?;
    if !(16..=4096).contains(&w) || !(16..=4096).contains(&h) || w % 2 != 0 || h % 2 != 0 {
        return Err(bad());
    }
    Ok((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_flags_override() {
        let text = "[serve]\nbind = \"0.0.0.0:9000\"\ntoken = \"t\"\nmax_sessions = 3\nsize = \"640x480\"\n\
                    [llm]\nbase_url = \"http://x/v1\"\nmodel = \"m\"\n";
        let mut c = ServeConfig::from_toml(text, Path::new("s.toml")).expect("valid");
        assert_eq!(c.bind.port(), 9000);
        assert_eq!(c.token.as_deref(), Some("t"));
        assert_eq!(
            (c.max_sessions, c.width, c.height, c.fps),
            (3, 640, 480, 25)
        );
        assert_eq!(c.dialog.llm.as_ref().map(|l| l.model.as_str()), Some("m"));
        c.apply(ServeTable {
            max_sessions: Some(1),
            lang: Some("zh".into()),
            ..ServeTable::default()
        })
        .expect("valid flags");
        assert_eq!((c.max_sessions, c.lang), (1, Lang::Zh));
        assert_eq!(c.speech.backend, SpeechBackend::Espeak);
        let c = ServeConfig::from_toml(
            "[speech]\nbackend = \"piper\"\n[speech.piper]\nthreads = 2\n",
            Path::new("s.toml"),
        )
        .expect("speech table");
        assert_eq!(c.speech.backend, SpeechBackend::Piper);
        assert_eq!(c.speech.piper.map(|p| p.threads), Some(2));
    }

    #[test]
    fn bad_values_name_the_key_and_the_file() {
        let err = ServeConfig::from_toml("[serve]\nsize = \"511x512\"\n", Path::new("s.toml"))
            .expect_err("odd width");
        let msg = err.to_string();
        assert!(msg.contains("511x512") && msg.ends_with("s.toml"), "{msg}");
        let err = ServeConfig::from_toml("[serve]\nport = 1\n", Path::new("s.toml"))
            .expect_err("unknown key");
        assert!(err.to_string().contains("port"), "{err}");
        let err = ServeConfig::from_toml("[animation]\njaw_floor = 2\n", Path::new("s.toml"))
            .expect_err("jaw_floor out of range");
        assert!(err.to_string().contains("jaw_floor must be 0..=1"), "{err}");
        let c = ServeConfig::from_toml("[animation]\nblinks_per_min = 12\n", Path::new("s.toml"))
            .expect("valid animation table");
        assert_eq!(c.animation.blinks_per_min, 12.0);
        let d = ServeConfig::default();
        assert_eq!(
            (d.bind.to_string().as_str(), d.width, d.fps),
            ("127.0.0.1:8080", 512, 25)
        );
    }
}
