//! `avatarcast chat`: a text REPL over the dialog engine, for trying a knowledge base and
//! the LLM settings without audio or video.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use anyhow::Context;

use super::config::DialogConfig;
use super::engine::{DialogEngine, DialogEvent};

/// Arguments of `avatarcast chat`.
#[derive(Debug, Clone, clap::Args)]
pub struct ChatArgs {
    /// Answer this one question, print the answer and exit.
    #[arg(long)]
    pub once: Option<String>,
    /// Knowledge base to use instead of the built-in one: a CSV file or a folder of CSV/Markdown.
    #[arg(long)]
    pub kb: Option<PathBuf>,
    /// Config file with `[llm]` and `[dialog]` tables (see docs/knowledge-base.md).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Store the transcript (PII masked) in this SQLite file.
    #[arg(long)]
    pub transcripts: Option<PathBuf>,
    /// Ignore the config's `[llm]` table and answer from the knowledge base only.
    #[arg(long)]
    pub no_llm: bool,
    /// Show the emotion tag of each sentence.
    #[arg(long)]
    pub tags: bool,
}

/// Runs the REPL (or one question with `--once`).
pub fn run_chat(args: &ChatArgs) -> anyhow::Result<()> {
    let mut config = match &args.config {
        Some(path) => DialogConfig::load(path)?,
        None => DialogConfig::default(),
    };
    if args.no_llm {
        config.llm = None;
    }
    if let Some(t) = &args.transcripts {
        config.dialog.transcripts = Some(t.clone());
    }
    let engine = DialogEngine::from_config(&config, args.kb.as_deref())
        .context("cannot start the dialog engine")?;
    let session_id = format!("chat-{}", std::process::id());
    let mut session = engine.new_session(session_id);
    let stdout = std::io::stdout();
    if let Some(question) = &args.once {
        let mut out = stdout.lock();
        return print_reply(&mut out, engine.respond(&mut session, question), args.tags);
    }
    let mode = if engine.retriever().is_hybrid() {
        "hybrid e5 + BM25"
    } else {
        "BM25 only"
    };
    eprintln!(
        "avatarcast chat: {} FAQ entries, {} passages ({mode}). Type a question, empty line or Ctrl-D to quit.",
        engine.retriever().kb().entries.len(),
        engine.retriever().kb().passages.len()
    );
    let stdin = std::io::stdin();
    let mut line = String::new();
    loop {
        eprint!("> ");
        line.clear();
        if stdin
            .lock()
            .read_line(&mut line)
            .context("cannot read stdin")?
            == 0
            || line.trim().is_empty()
        {
            return Ok(());
        }
        let mut out = stdout.lock();
        print_reply(
            &mut out,
            engine.respond(&mut session, line.trim()),
            args.tags,
        )?;
    }
}

fn print_reply(
    out: &mut impl Write,
    reply: impl Iterator<Item = DialogEvent>,
    tags: bool,
) -> anyhow::Result<()> {
    for event in reply {
        match event {
            DialogEvent::Sentence {
                text,
                emotion,
                lang,
            } => {
                if tags {
                    let tag = emotion.map_or("-", |e| e.tag());
                    writeln!(out, "[{tag}|{}] {text}", lang.code())?;
                } else {
                    writeln!(out, "{text}")?;
                }
            }
            DialogEvent::Handoff { reason } => writeln!(out, "(handoff to a colleague: {reason})")?,
            DialogEvent::End => {}
        }
        out.flush()?;
    }
    Ok(())
}
