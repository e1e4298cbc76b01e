//! The `avatarcast` command line: parses arguments, wires library stages,
//! reports errors. All behaviour lives in the library.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};

use avatarcast::avatar::Avatar;
use avatarcast::clock::FrameRate;
use avatarcast::encode::AudioCodec;
use avatarcast::engine::{self, AvatarSource, FileJob};
use avatarcast::render::Background;
use avatarcast::speech::{self, Lang};

#[derive(Parser)]
#[command(
    name = "avatarcast",
    version,
    about = "A lip-synced digital human for customer service"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Say a line of text (or play a recording) and write a lip-synced MP4 video.
    Render(RenderArgs),
    /// Build or inspect avatars.
    #[command(subcommand)]
    Avatar(AvatarCommand),
    /// Chat with the dialog engine in the terminal (knowledge base, optional LLM).
    Chat(avatarcast::dialog::repl::ChatArgs),
    /// Measure end-to-end speed (render, encode, whole file) and print a table.
    Bench(avatarcast::bench::BenchArgs),
    /// Serve the live avatar over WebRTC (WHEP) with its web page.
    Serve(avatarcast::serve::ServeArgs),
}

#[derive(Args)]
struct RenderArgs {
    /// The line to say.
    #[arg(
        long,
        conflicts_with_all = ["text_file", "audio"],
        required_unless_present_any = ["text_file", "audio"]
    )]
    text: Option<String>,
    /// Read the text from a UTF-8 file instead.
    #[arg(long, conflicts_with = "audio")]
    text_file: Option<PathBuf>,
    /// Speak a recording instead of text: a WAV file (integer or float PCM,
    /// any rate, mono or stereo). Lip-synced from the sound unless --visemes is given.
    #[arg(long)]
    audio: Option<PathBuf>,
    /// Visemes for --audio: an Oculus timeline JSON, Azure viseme events,
    /// Polly speech marks or ARKit blend-shape frames (detected from the content).
    #[arg(long)]
    visemes: Option<PathBuf>,
    /// Output MP4 file.
    #[arg(long, short)]
    out: PathBuf,
    /// Language of the text: en or zh.
    #[arg(long, default_value = "en")]
    lang: Lang,
    /// Voice (default: the role's espeak voice for the language). `openai:NAME`,
    /// `piper:joe` or `espeak:NAME` picks that backend.
    #[arg(long)]
    voice: Option<String>,
    /// Config file: its [speech] table sets up the speech backends, its
    /// [animation] table tunes the face (lead, blending, blinks, sway,
    /// expression strength); other tables are ignored.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Default speech backend: espeak, openai (needs [speech.openai] in --config) or piper.
    #[arg(long)]
    speech_backend: Option<speech::SpeechBackend>,
    /// A built role's name, or a .glb/.gltf/.vrm file (default: the first built role).
    #[arg(long)]
    avatar: Option<String>,
    /// Frame size: 512x512, 1280x720 or any WxH with even sides.
    #[arg(long, default_value = "512x512", value_parser = parse_size)]
    size: (u32, u32),
    /// Frames per second: 25 or 30 (any integer 1..=60 works).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=60))]
    fps: u32,
    /// Background: '#rrggbb' or an image file.
    #[arg(long, default_value = "#dfe6ee")]
    background: String,
    /// Also write every frame as a lossless PNG into this folder.
    #[arg(long)]
    png_frames: Option<PathBuf>,
    /// Audio codec: aac (plays everywhere, incl. QuickTime/iOS) or opus.
    #[arg(long, default_value = "aac")]
    audio_codec: AudioCodec,
    /// Multisampling: 4 (file quality) or 1 (faster).
    #[arg(long, default_value_t = 4, value_parser = parse_msaa)]
    msaa: u32,
    /// Seed for blinks and idle motion (same seed, same video).
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[derive(Subcommand)]
enum AvatarCommand {
    /// Build the default roles (or your own) from the CC0 MakeHuman data.
    Build(Box<avatarcast::builder::BuildArgs>),
    /// Print what an avatar file contains: meshes, morph targets, bones, framing.
    Info {
        /// A built role's name or a .glb/.gltf/.vrm file.
        avatar: String,
    },
}

fn main() {
    let cli = Cli::parse();
    if matches!(cli.command, Command::Render(_)) {
        share_lavapipe_threads_between_lanes();
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "avatarcast=info,wgpu=error,wgpu_hal=off,naga=error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Err(err) = run(cli) {
        eprintln!("error: {err:#}");
        std::process::exit(1);
    }
}

/// `render` draws on two lavapipe devices at once when there is no GPU
/// (`RenderLanes`), and each does best with its share of the cores as
/// rasteriser threads rather than one per core (see src/render/lanes.rs).
/// Mesa reads `LP_NUM_THREADS` when a device opens; a value the user set
/// wins. Harmless on a hardware GPU, which ignores it.
fn share_lavapipe_threads_between_lanes() {
    if std::env::var_os("LP_NUM_THREADS").is_some() {
        return;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let lanes = avatarcast::render::cpu_lanes_wanted();
    if let Some(threads) = avatarcast::render::lavapipe_threads_per_lane(lanes, cores) {
        // SAFETY: called first thing in `main`, before the logger, the
        // speech engine or any device starts a thread, so no other thread
        // can read the environment while it changes.
        unsafe { std::env::set_var("LP_NUM_THREADS", threads.to_string()) };
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Render(args) => render(args),
        Command::Avatar(AvatarCommand::Build(args)) => {
            for path in avatarcast::builder::run_build(&args)? {
                println!("{}", path.display());
            }
            Ok(())
        }
        Command::Avatar(AvatarCommand::Info { avatar }) => {
            let (path, _) = engine::resolve_avatar(Some(&AvatarSource::parse(&avatar)))?;
            let (model, warnings) = Avatar::load_with_warnings(&path)
                .with_context(|| format!("loading {}", path.display()))?;
            print!("{}", avatarcast::avatar::describe(&model));
            for w in warnings {
                println!("warning: {w}");
            }
            Ok(())
        }
        Command::Chat(args) => avatarcast::dialog::repl::run_chat(&args),
        Command::Bench(args) => avatarcast::bench::run(&args),
        Command::Serve(args) => {
            let config = avatarcast::serve::ServeConfig::load(&args)?;
            Ok(avatarcast::serve::run(config)?)
        }
    }
}

fn render(args: RenderArgs) -> Result<()> {
    let text = match (&args.text, &args.text_file, &args.audio) {
        (Some(t), _, _) => t.clone(),
        (None, Some(path), _) => std::fs::read_to_string(path)
            .with_context(|| format!("reading the text file {}", path.display()))?,
        (None, None, Some(_)) => String::new(),
        (None, None, None) => bail!("give --text, --text-file or --audio"),
    };
    if args.audio.is_none() && text.trim().is_empty() {
        bail!("the text is empty: give --text \"...\" with something to say");
    }
    // A bad config fails before the avatar loads and espeak starts.
    let animation = match &args.config {
        Some(path) => avatarcast::animation::AnimationParams::from_config_file(path)?,
        None => Default::default(),
    };
    if args.visemes.is_some() && args.audio.is_none() {
        bail!("--visemes belongs to a recording: give it with --audio speech.wav");
    }
    let audio = match &args.audio {
        Some(path) => Some(engine::AudioInput {
            pcm: engine::read_wav(path)?.pcm,
            visemes: args
                .visemes
                .as_deref()
                .map(avatarcast::visemes::external::load)
                .transpose()?,
        }),
        None => None,
    };
    let source = args.avatar.as_deref().map(AvatarSource::parse);
    let (avatar_path, role) = engine::resolve_avatar(source.as_ref())?;
    let avatar = Avatar::load(&avatar_path)
        .with_context(|| format!("loading the avatar {}", avatar_path.display()))?;
    let mut speech_config = match &args.config {
        Some(path) => speech::SpeechConfig::load(path)?,
        None => speech::SpeechConfig::default(),
    };
    if let Some(backend) = args.speech_backend {
        speech_config.backend = backend;
    }
    // Roles name espeak voices; another default backend uses its own voice.
    let role_voice = role
        .as_ref()
        .filter(|_| speech_config.backend == speech::SpeechBackend::Espeak)
        .and_then(|r| r.voice_for(args.lang));
    let voice = args.voice.clone().or(role_voice);
    let background = parse_background(&args.background)?;
    let job = FileJob {
        text,
        lang: args.lang,
        voice,
        avatar: Arc::new(avatar),
        width: args.size.0,
        height: args.size.1,
        fps: FrameRate::new(args.fps, 1),
        background,
        msaa_samples: args.msaa,
        out: args.out.clone(),
        audio_codec: args.audio_codec,
        png_frames: args.png_frames.clone(),
        seed: args.seed,
        animation,
        lead_in: FileJob::DEFAULT_LEAD_IN,
        tail: FileJob::DEFAULT_TAIL,
        audio,
    };
    let speech = speech_config
        .build()
        .context("starting the speech engine")?;
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} rendering [{bar:30}] {pos}/{len} frames {per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let summary = engine::render_file(&job, speech, &mut |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })?;
    bar.finish_and_clear();
    eprintln!(
        "wrote {} ({} frames, {:.2} s, {} render lane{}, {})",
        args.out.display(),
        summary.frames,
        summary.duration.as_secs_f64(),
        summary.render_lanes,
        if summary.render_lanes == 1 { "" } else { "s" },
        summary.adapter
    );
    Ok(())
}

fn parse_msaa(s: &str) -> Result<u32, String> {
    match s {
        "1" => Ok(1),
        "4" => Ok(4),
        _ => Err(format!(
            "MSAA must be 1 or 4 (what every adapter supports for sRGB targets), got `{s}`"
        )),
    }
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("size must look like 512x512 or 1280x720, got `{s}`"))?;
    let w: u32 = w
        .trim()
        .parse()
        .map_err(|_| format!("bad width in `{s}`"))?;
    let h: u32 = h
        .trim()
        .parse()
        .map_err(|_| format!("bad height in `{s}`"))?;
    if !(16..=4096).contains(&w) || !(16..=4096).contains(&h) || w % 2 != 0 || h % 2 != 0 {
        return Err(format!(
            "size `{s}`: width and height must be even and between 16 and 4096 (H.264 needs even sides)"
        ));
    }
    Ok((w, h))
}

fn parse_background(s: &str) -> Result<Background> {
    if let Some(hex) = s.strip_prefix('#') {
        if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            bail!("background colour must be #rrggbb, got `{s}`");
        }
        let v = u32::from_str_radix(hex, 16).context("parsing the background colour")?;
        return Ok(Background::Color([
            (v >> 16) as u8,
            (v >> 8) as u8,
            v as u8,
        ]));
    }
    let img = image::open(s).with_context(|| format!("reading the background image {s}"))?;
    Ok(Background::Image(img.to_rgba8()))
}
