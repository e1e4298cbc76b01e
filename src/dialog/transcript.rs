//! Transcripts of every session in SQLite (compiled in, no system library), with personal
//! data masked before anything is written.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, params};

use super::DialogError;
use super::conversation::Role;
use super::pii;
use crate::speech::Lang;

/// A transcript database. One row per message; `session_id` groups a conversation.
pub struct TranscriptStore {
    conn: Connection,
    path: PathBuf,
}

/// One stored message, as read back (already masked).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMessage {
    pub session_id: String,
    pub role: String,
    pub lang: String,
    pub text: String,
    pub unix_millis: i64,
}

impl TranscriptStore {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, DialogError> {
        let err = |source| DialogError::Transcript {
            source,
            path: path.to_path_buf(),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| DialogError::KbIo {
                source,
                path: dir.to_path_buf(),
            })?;
        }
        let conn = Connection::open(path).map_err(err)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE IF NOT EXISTS messages (
                 id INTEGER PRIMARY KEY,
                 session_id TEXT NOT NULL,
                 role TEXT NOT NULL,
                 lang TEXT NOT NULL,
                 text TEXT NOT NULL,
                 unix_millis INTEGER NOT NULL
             );
             CREATE INDEX IF NOT EXISTS messages_session ON messages(session_id, id);",
        )
        .map_err(err)?;
        Ok(TranscriptStore {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Stores one message after masking phone numbers, e-mails, ID and card numbers.
    pub fn record(
        &self,
        session_id: &str,
        role: Role,
        lang: Lang,
        text: &str,
    ) -> Result<(), DialogError> {
        // Wall-clock time is what a transcript is for; this is an edge, not a stage.
        let unix_millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        self.conn
            .execute(
                "INSERT INTO messages (session_id, role, lang, text, unix_millis) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![session_id, role.as_str(), lang.code(), pii::mask(text), unix_millis],
            )
            .map_err(|source| DialogError::Transcript { source, path: self.path.clone() })?;
        Ok(())
    }

    /// All messages of a session, oldest first.
    pub fn session(&self, session_id: &str) -> Result<Vec<StoredMessage>, DialogError> {
        let err = |source| DialogError::Transcript {
            source,
            path: self.path.clone(),
        };
        let mut stmt = self
            .conn
            .prepare("SELECT session_id, role, lang, text, unix_millis FROM messages WHERE session_id = ?1 ORDER BY id")
            .map_err(err)?;
        let rows = stmt
            .query_map([session_id], |r| {
                Ok(StoredMessage {
                    session_id: r.get(0)?,
                    role: r.get(1)?,
                    lang: r.get(2)?,
                    text: r.get(3)?,
                    unix_millis: r.get(4)?,
                })
            })
            .map_err(err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(err)
    }
}
