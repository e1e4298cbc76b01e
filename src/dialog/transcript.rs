//! Transcripts of every session in SQLite (compiled in, no system library), with personal
//! data masked before anything is written.
//!
//! Writes happen behind the conversation: [`TranscriptStore::record`] only queues the
//! message, and a writer thread owning the connection masks and inserts it, committing
//! whatever has queued up in one transaction. An insert costs a WAL commit and, with the
//! default `synchronous = FULL`, an fsync (10–200 ms on a busy disk), which used to sit
//! between the customer's question and the first answer sentence. Nothing is lost: dropping
//! the store drains the queue and waits for the writer; [`TranscriptStore::flush`] waits
//! for everything queued so far.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, params};

use super::DialogError;
use super::conversation::Role;
use super::pii;
use crate::speech::Lang;

/// A transcript database. One row per message; `session_id` groups a conversation.
pub struct TranscriptStore {
    /// `None` only while dropping (closing the queue tells the writer to finish).
    queue: Option<mpsc::Sender<Command>>,
    writer: Option<JoinHandle<()>>,
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

/// A message waiting to be written (not yet masked).
struct Pending {
    session_id: String,
    role: &'static str,
    lang: &'static str,
    text: String,
    unix_millis: i64,
}

enum Command {
    Record(Pending),
    /// Answers once everything queued before it is committed, with the first write error
    /// since the previous flush.
    Flush(mpsc::SyncSender<Option<rusqlite::Error>>),
    Read {
        session_id: String,
        reply: mpsc::SyncSender<rusqlite::Result<Vec<StoredMessage>>>,
    },
}

impl TranscriptStore {
    /// Opens (creating if needed) the database at `path` and starts its writer thread.
    /// Opening errors are reported here, not later.
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
        let (queue, commands) = mpsc::channel();
        let shown = path.to_path_buf();
        let writer = std::thread::Builder::new()
            .name("dialog-transcripts".into())
            .spawn(move || write_loop(conn, commands, &shown))
            .map_err(|source| DialogError::TranscriptWriter {
                reason: source.to_string(),
                path: path.to_path_buf(),
            })?;
        Ok(TranscriptStore {
            queue: Some(queue),
            writer: Some(writer),
            path: path.to_path_buf(),
        })
    }

    /// Queues one message; it is stored with phone numbers, e-mails, ID and card numbers
    /// masked. Returns at once (the time stamp is taken now).
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
        self.send(Command::Record(Pending {
            session_id: session_id.to_string(),
            role: role.as_str(),
            lang: lang.code(),
            text: text.to_string(),
            unix_millis,
        }))
    }

    /// Waits until every message queued so far is committed; reports the first write
    /// error since the previous flush.
    pub fn flush(&self) -> Result<(), DialogError> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.send(Command::Flush(reply))?;
        match answer.recv() {
            Ok(None) => Ok(()),
            Ok(Some(source)) => Err(DialogError::Transcript {
                source,
                path: self.path.clone(),
            }),
            Err(_) => Err(self.writer_gone()),
        }
    }

    /// All messages of a session, oldest first (after everything queued is written).
    pub fn session(&self, session_id: &str) -> Result<Vec<StoredMessage>, DialogError> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.send(Command::Read {
            session_id: session_id.to_string(),
            reply,
        })?;
        answer
            .recv()
            .map_err(|_| self.writer_gone())?
            .map_err(|source| DialogError::Transcript {
                source,
                path: self.path.clone(),
            })
    }

    fn send(&self, command: Command) -> Result<(), DialogError> {
        self.queue
            .as_ref()
            .and_then(|q| q.send(command).ok())
            .ok_or_else(|| self.writer_gone())
    }

    fn writer_gone(&self) -> DialogError {
        DialogError::TranscriptWriter {
            reason: "the writer thread stopped".into(),
            path: self.path.clone(),
        }
    }
}

impl Drop for TranscriptStore {
    /// Closes the queue and waits until the writer has stored everything in it.
    fn drop(&mut self) {
        drop(self.queue.take());
        if let Some(writer) = self.writer.take() {
            if writer.join().is_err() {
                tracing::warn!(
                    "transcript writer panicked; recent messages may be missing from {:?}",
                    self.path
                );
            }
        }
    }
}

/// The writer thread: waits for a command, takes everything else already queued, and
/// commits the records in one transaction (one fsync however many there are).
fn write_loop(mut conn: Connection, commands: mpsc::Receiver<Command>, path: &Path) {
    let mut first_error: Option<rusqlite::Error> = None;
    while let Ok(command) = commands.recv() {
        let mut batch = vec![command];
        batch.extend(commands.try_iter());
        let records: Vec<&Pending> = batch
            .iter()
            .filter_map(|c| match c {
                Command::Record(p) => Some(p),
                _ => None,
            })
            .collect();
        if !records.is_empty() {
            if let Err(err) = insert_all(&mut conn, &records) {
                tracing::warn!(
                    "cannot store {} transcript message(s) ({err}); check the database file is writable: {path:?}",
                    records.len()
                );
                first_error.get_or_insert(err);
            }
        }
        for command in batch {
            match command {
                Command::Record(_) => {}
                // A requester that stopped waiting needs no answer.
                Command::Flush(reply) => drop(reply.send(first_error.take())),
                Command::Read { session_id, reply } => {
                    drop(reply.send(read_session(&conn, &session_id)))
                }
            }
        }
    }
}

fn insert_all(conn: &mut Connection, records: &[&Pending]) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO messages (session_id, role, lang, text, unix_millis) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for p in records {
            insert.execute(params![
                p.session_id,
                p.role,
                p.lang,
                pii::mask(&p.text),
                p.unix_millis
            ])?;
        }
    }
    tx.commit()
}

fn read_session(conn: &Connection, session_id: &str) -> rusqlite::Result<Vec<StoredMessage>> {
    let mut stmt = conn.prepare_cached(
        "SELECT session_id, role, lang, text, unix_millis FROM messages WHERE session_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([session_id], |r| {
        Ok(StoredMessage {
            session_id: r.get(0)?,
            role: r.get(1)?,
            lang: r.get(2)?,
            text: r.get(3)?,
            unix_millis: r.get(4)?,
        })
    })?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queued_messages_survive_drop_and_are_masked() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("t.sqlite");
        let store = TranscriptStore::open(&db).expect("db opens");
        for i in 0..50 {
            store
                .record(
                    "s1",
                    Role::User,
                    Lang::En,
                    &format!("message {i} to a@b.com"),
                )
                .expect("queued");
        }
        drop(store);
        let stored = TranscriptStore::open(&db)
            .expect("reopens")
            .session("s1")
            .expect("reads");
        assert_eq!(stored.len(), 50);
        assert!(
            !stored[49].text.contains("a@b.com"),
            "{:?}",
            stored[49].text
        );
        assert!(stored[49].text.starts_with("message 49 to "));
    }

    #[test]
    fn flush_makes_records_visible_to_another_connection() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("t.sqlite");
        let store = TranscriptStore::open(&db).expect("db opens");
        store
            .record("s2", Role::Assistant, Lang::Zh, "您好")
            .expect("queued");
        store.flush().expect("flushed");
        let other = Connection::open(&db).expect("second connection");
        let n: i64 = other
            .query_row(
                "SELECT COUNT(*) FROM messages WHERE session_id = 's2'",
                [],
                |r| r.get(0),
            )
            .expect("counts");
        assert_eq!(n, 1);
    }
}
