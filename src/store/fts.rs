//! Offline full-text search: two FTS5 indexes over the stored messages,
//! one row per message keyed `folder << 32 | uid`.
//!
//! - `fts_words` (unicode61, diacritics removed): sender, recipients,
//!   subject and the text of the kept body, for words and word prefixes.
//! - `fts_names` (trigram): sender and recipients only, for substrings of
//!   names and addresses (`from:xample` finds `bob@example.com`). Over the
//!   bodies too it would be six times the size (see the bench).
//!
//! Both are contentless (`content=''`, `contentless_delete=1`): the text
//! is in the messages and bodies already. Triggers keep them current as
//! rows arrive and vanish (expunge, a folder reset, a folder gone) and as
//! bodies are evicted; a kept body's text is added from Rust ([`Store::keep`]),
//! since it takes the mail parser. A store from before the index is
//! indexed in the background, a batch at a time between other jobs
//! ([`Store::index_batch`]), from a cursor in `fts_build`. A damaged index
//! is dropped and built again the same way ([`Store::reset_index`]).

use std::time::{Duration, Instant};

use rusqlite::{Connection, OptionalExtension, params};
use tracing::{debug, warn};

use super::Store;
use crate::worker::WorkerEvent;

/// Text of one body indexed at most (bytes); the rest of a long message
/// is left to the server's search.
pub const TEXT_MAX: usize = 64 * 1024;

/// Rows indexed per background batch at most, and the time a batch takes
/// at most before the store takes the next job.
pub const BUILD_BATCH: usize = 500;
pub const BUILD_SLICE: Duration = Duration::from_millis(25);

macro_rules! tables {
    () => {
        "CREATE VIRTUAL TABLE fts_words USING fts5(sender, rcpt, cc, subject, body,
            content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
        CREATE VIRTUAL TABLE fts_names USING fts5(sender, rcpt, cc,
            content='', contentless_delete=1, tokenize='trigram remove_diacritics 1');
        INSERT OR REPLACE INTO fts_build (id, folder, uid) VALUES (0, -1, -1);"
    };
}

/// The indexes, empty, and the build cursor at the start.
const TABLES: &str = concat!(
    "CREATE TABLE IF NOT EXISTS fts_build (id INTEGER PRIMARY KEY CHECK (id = 0),
        folder INTEGER NOT NULL, uid INTEGER NOT NULL) STRICT;",
    tables!()
);

/// Schema 5. A row inserted (again) while its body is kept keeps the
/// body's text (INSERT OR REPLACE on messages fires no delete trigger).
pub(super) const MIGRATION: &str = concat!(
    "CREATE TABLE fts_build (id INTEGER PRIMARY KEY CHECK (id = 0),
        folder INTEGER NOT NULL, uid INTEGER NOT NULL) STRICT;",
    tables!(),
    "CREATE TRIGGER fts_row_in AFTER INSERT ON messages
    WHEN NOT EXISTS (SELECT 1 FROM bodies WHERE folder = new.folder AND uid = new.uid)
    BEGIN
        INSERT OR REPLACE INTO fts_words (rowid, sender, rcpt, cc, subject, body)
            VALUES (new.folder * 4294967296 + new.uid, new.sender,
                COALESCE(new.recipient, ''), '', new.subject, '');
        INSERT OR REPLACE INTO fts_names (rowid, sender, rcpt, cc)
            VALUES (new.folder * 4294967296 + new.uid, new.sender,
                COALESCE(new.recipient, ''), '');
    END;
    CREATE TRIGGER fts_row_out AFTER DELETE ON messages BEGIN
        DELETE FROM fts_words WHERE rowid = old.folder * 4294967296 + old.uid;
        DELETE FROM fts_names WHERE rowid = old.folder * 4294967296 + old.uid;
    END;
    CREATE TRIGGER fts_body_out AFTER DELETE ON bodies BEGIN
        INSERT OR REPLACE INTO fts_words (rowid, sender, rcpt, cc, subject, body)
            SELECT folder * 4294967296 + uid, sender, COALESCE(recipient, ''), '', subject, ''
            FROM messages WHERE folder = old.folder AND uid = old.uid;
        INSERT OR REPLACE INTO fts_names (rowid, sender, rcpt, cc)
            SELECT folder * 4294967296 + uid, sender, COALESCE(recipient, ''), ''
            FROM messages WHERE folder = old.folder AND uid = old.uid;
    END;"
);

pub(super) fn rowid(folder: i64, uid: u32) -> i64 {
    (folder << 32) | i64::from(uid)
}

/// What the index holds of a message with a kept body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text {
    pub sender: String,
    pub rcpt: String,
    pub cc: String,
    pub body: String,
}

/// Bytes of a body parsed for the index at most: the parse runs on the
/// store's thread, between the UI's reads (a bigger message's text is
/// near its start; attachments come after it).
pub const PARSE_MAX: usize = 2 << 20;

/// The text of a body as the reader would show it (plain text, or HTML
/// turned to text), cut at [`TEXT_MAX`]; None if the parser failed.
pub fn text_of(raw: &[u8], partial: bool) -> Option<Text> {
    let raw = &raw[..raw.len().min(PARSE_MAX)];
    let view =
        std::panic::catch_unwind(|| crate::mail::mime::assemble::build(0, raw, partial)).ok()?;
    let header = |name: &str| {
        view.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    Some(Text {
        sender: header("From"),
        rcpt: header("To"),
        cc: header("Cc"),
        body: cut(view.body.as_str(), TEXT_MAX).to_string(),
    })
}

fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Writes a message's row in both indexes with its body's text.
pub(super) fn put(db: &Connection, folder: i64, uid: u32, t: &Text) -> rusqlite::Result<()> {
    let id = rowid(folder, uid);
    let subject: Option<String> = db
        .query_row(
            "SELECT subject FROM messages WHERE folder = ?1 AND uid = ?2",
            params![folder, uid],
            |r| r.get(0),
        )
        .optional()?;
    let Some(subject) = subject else {
        return Ok(());
    };
    db.prepare_cached(
        "INSERT OR REPLACE INTO fts_words (rowid, sender, rcpt, cc, subject, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![id, t.sender, t.rcpt, t.cc, subject, t.body])?;
    db.prepare_cached(
        "INSERT OR REPLACE INTO fts_names (rowid, sender, rcpt, cc) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![id, t.sender, t.rcpt, t.cc])?;
    Ok(())
}

/// Where the background build stands, for the status line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

/// The build's state in memory.
#[derive(Debug, Default)]
pub(super) struct Build {
    /// Rows wait to be indexed (the cursor row exists).
    pub pending: bool,
    pub progress: Progress,
    /// Where progress goes (set by the worker that owns the account).
    pub tell: Option<(usize, super::serve::Events)>,
}

/// Problems `quick_check` reports at most, when telling the index's
/// damage from the rest's.
const CHECK_LINES: u32 = 100;

/// Whether `quick_check` finds damage, all of it in the search index
/// (FTS5 checks its own structure there).
pub(super) fn only_the_index_is_damaged(db: &Connection) -> bool {
    let lines = db
        .prepare(&format!("PRAGMA quick_check({CHECK_LINES})"))
        .and_then(|mut q| {
            q.query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<String>>>()
        });
    match lines {
        Ok(lines) => {
            lines.iter().any(|l| l != "ok")
                && lines.iter().all(|l| {
                    l.starts_with("fts5:") || l.contains("fts_words") || l.contains("fts_names")
                })
        }
        Err(_) => false,
    }
}

impl Store {
    /// Whether the background build has rows left.
    pub fn index_pending(&self) -> bool {
        self.index.pending && self.writable
    }

    pub(super) fn read_index_state(&mut self) {
        let cursor = self
            .db
            .query_row("SELECT 1 FROM fts_build WHERE id = 0", [], |_| Ok(()))
            .optional();
        self.index.pending = matches!(cursor, Ok(Some(())));
        self.index.progress = Progress::default();
        // Nothing stored (a new store): nothing to build, nothing to tell.
        let empty = self
            .db
            .query_row("SELECT NOT EXISTS (SELECT 1 FROM messages)", [], |r| {
                r.get::<_, bool>(0)
            });
        if self.index.pending && matches!(empty, Ok(true)) {
            self.index.pending = self.db.execute("DELETE FROM fts_build", []).is_err();
        }
    }

    /// Sends build progress to `events` as `account`'s from now on.
    pub fn tell_index_progress(&mut self, account: usize, events: super::serve::Events) {
        if self.index.pending {
            let p = self.index.progress;
            let _ = events.send((account, WorkerEvent::Indexing(p)));
        }
        self.index.tell = Some((account, events));
    }

    /// Indexes the next rows after the cursor, for [`BUILD_SLICE`] at most.
    pub fn index_batch(&mut self) -> Progress {
        if !self.index_pending() {
            return self.index.progress;
        }
        if self.index.progress.total == 0 {
            let total = self.read("count messages", |db| {
                db.query_row("SELECT COUNT(*) FROM messages", [], |r| r.get::<_, i64>(0))
            });
            self.index.progress.total = total.unwrap_or(0).max(1) as u64;
        }
        let deadline = Instant::now() + BUILD_SLICE;
        let step = self.write("build the search index", |tx| {
            let (mut folder, mut uid): (i64, i64) =
                tx.query_row("SELECT folder, uid FROM fts_build WHERE id = 0", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            let mut q = tx.prepare_cached(
                "SELECT m.folder, m.uid, m.sender, m.subject, b.raw, b.partial, m.recipient
                 FROM messages m LEFT JOIN bodies b ON b.folder = m.folder AND b.uid = m.uid
                 WHERE (m.folder, m.uid) > (?1, ?2) ORDER BY m.folder, m.uid LIMIT ?3",
            )?;
            let mut rows = q.query(params![folder, uid, BUILD_BATCH as i64])?;
            let mut n = 0u64;
            let mut more = false;
            while let Some(r) = rows.next()? {
                folder = r.get(0)?;
                uid = r.get(1)?;
                let u = super::folders::clamp_u32(uid);
                let raw = r.get_ref(4)?.as_blob_or_null()?;
                let text = raw.and_then(|raw| text_of(raw, r.get::<_, Option<i64>>(5).ok().flatten() == Some(1)));
                let sender: String = r.get(2)?;
                let subject: String = r.get(3)?;
                let rcpt: Option<String> = r.get(6)?;
                let t = text.unwrap_or(Text {
                    sender,
                    rcpt: rcpt.unwrap_or_default(),
                    ..Text::default()
                });
                let id = rowid(folder, u);
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO fts_words (rowid, sender, rcpt, cc, subject, body)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![id, t.sender, t.rcpt, t.cc, subject, t.body])?;
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO fts_names (rowid, sender, rcpt, cc) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![id, t.sender, t.rcpt, t.cc])?;
                n += 1;
                if n as usize == BUILD_BATCH || Instant::now() >= deadline {
                    more = true;
                    break;
                }
            }
            drop(rows);
            if more {
                tx.execute(
                    "UPDATE fts_build SET folder = ?1, uid = ?2 WHERE id = 0",
                    params![folder, uid],
                )?;
            } else {
                tx.execute("DELETE FROM fts_build", [])?;
            }
            Ok((n, more))
        });
        // A failed batch is handled in `write` (a damaged index is reset).
        if let Some((n, more)) = step {
            let p = &mut self.index.progress;
            p.done = (p.done + n).min(p.total);
            if !more {
                p.done = p.total;
                self.index.pending = false;
                debug!(account = %self.name, rows = p.total, "search index built");
            }
        }
        let p = self.index.progress;
        if let Some((account, events)) = &self.index.tell {
            let _ = events.send((*account, WorkerEvent::Indexing(p)));
        }
        p
    }

    /// Drops both indexes and starts the build again (a damaged index).
    pub fn reset_index(&mut self) {
        let result = self.db.execute_batch(
            "BEGIN IMMEDIATE; DROP TABLE IF EXISTS fts_words; DROP TABLE IF EXISTS fts_names;",
        );
        let result = result
            .and_then(|()| self.db.execute_batch(TABLES))
            .and_then(|()| self.db.execute_batch("COMMIT"));
        if let Err(e) = result {
            let _ = self.db.execute_batch("ROLLBACK");
            warn!(account = %self.name, "cannot rebuild the search index: {e}");
            self.index.pending = false;
            return;
        }
        self.read_index_state();
    }
}
