//! The outbox: a private folder in the data dir holding each message to
//! send as `<id>.eml` (the exact bytes, written once) beside `<id>.json`
//! (who, what, and how far sending got, replaced atomically on each
//! change). Both are written before any network step; an entry leaves
//! only by [`Outbox::remove`], which the app calls once the after-send
//! steps are done.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};

use super::error::SendError;
use super::outbox_files::{read_limited, sync_dir, write_atomic};

/// Largest message the outbox takes (a 200 MB attachment is about 270 MB
/// in base64); servers take far less, and say so before DATA.
pub const MAX_MESSAGE_BYTES: u64 = 512 << 20;
/// Largest `<id>.json` read; real ones are well under a kilobyte per
/// recipient.
const MAX_RECORD_BYTES: u64 = 4 << 20;
const RECORD_VERSION: u32 = 1;
/// Longest id accepted from outside (a command, a file name).
const MAX_ID_LEN: usize = 64;

/// An entry's name in the outbox: digits and dashes only, so it can never
/// name a file elsewhere.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EntryId(String);

impl EntryId {
    pub fn parse(s: &str) -> Option<EntryId> {
        let ok = !s.is_empty()
            && s.len() <= MAX_ID_LEN
            && s.bytes().all(|b| b.is_ascii_digit() || b == b'-')
            && s.as_bytes()[0].is_ascii_digit();
        ok.then(|| EntryId(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Unix seconds from the id's leading milliseconds.
    fn created(&self) -> i64 {
        self.0
            .split('-')
            .next()
            .and_then(|ms| ms.parse::<i64>().ok())
            .map_or(0, |ms| ms / 1000)
    }
}

impl TryFrom<String> for EntryId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        EntryId::parse(&s).ok_or_else(|| "not an outbox id".to_string())
    }
}

impl From<EntryId> for String {
    fn from(id: EntryId) -> String {
        id.0
    }
}

impl std::fmt::Display for EntryId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A message handed to the outbox.
#[derive(Clone, Debug, PartialEq)]
pub struct NewEntry {
    pub account: String,
    /// The RFC 5322 message exactly as it is to be sent (no Bcc header).
    pub bytes: Vec<u8>,
    pub envelope_from: String,
    /// Every envelope recipient: To, Cc and Bcc.
    pub recipients: Vec<String>,
    pub subject: String,
    pub after: AfterSend,
}

/// What to do once the server has accepted the message.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct AfterSend {
    /// (folder, uid, uidvalidity) of the message answered: gets `\Answered`.
    pub answered: Option<(String, u32, u32)>,
    /// Of the message forwarded: gets `$Forwarded`.
    pub forwarded: Option<(String, u32, u32)>,
    /// APPEND a copy to this folder.
    pub save_sent: Option<String>,
    /// The draft this message came from: removed.
    pub replaces_draft: Option<(String, u32, u32)>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum EntryState {
    Queued,
    /// Set (on disk) before connecting. Found at start-up, it means mailtui
    /// stopped mid-send and the server may have the message: see
    /// [`EntryMeta::uncertain`].
    Sending {
        since: i64,
    },
    /// The server answered 250 to the message.
    Accepted {
        at: i64,
        reply: String,
    },
    Failed {
        at: i64,
        error: SendError,
    },
    /// Only in [`Outbox::list`]: the entry's files cannot be read as they
    /// are; never written.
    Broken {
        problem: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct EntryMeta {
    pub id: EntryId,
    pub account: String,
    pub envelope_from: String,
    pub subject: String,
    pub recipients: Vec<String>,
    /// Bytes of the message.
    pub size: u64,
    /// Unix seconds.
    pub created: i64,
    pub state: EntryState,
    pub after: AfterSend,
    /// `Sending` written by an earlier run of mailtui.
    pub uncertain: bool,
}

impl EntryMeta {
    /// mailtui stopped while sending this: the server may or may not have
    /// it. Never sent again without the user's yes.
    pub fn uncertain(&self) -> bool {
        self.uncertain
    }

    pub fn is_broken(&self) -> bool {
        matches!(self.state, EntryState::Broken { .. })
    }
}

/// `<id>.json`.
#[derive(Serialize, Deserialize)]
struct Record {
    version: u32,
    account: String,
    envelope_from: String,
    recipients: Vec<String>,
    subject: String,
    created: i64,
    size: u64,
    state: EntryState,
    after: AfterSend,
    /// Which run of mailtui set `Sending`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    run: Option<String>,
}

/// This run of mailtui: process id and start time, so a `Sending` left by
/// an earlier run (even one with the same pid) is told apart.
fn current_run() -> &'static str {
    static RUN: OnceLock<String> = OnceLock::new();
    RUN.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        format!("{}-{nanos}", std::process::id())
    })
}

fn new_id() -> EntryId {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    EntryId(format!("{millis:013}-{}-{n}", std::process::id()))
}

fn invalid(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg.into())
}

/// Cheap to clone: clones share the lock that keeps this process's
/// changes to one entry in order.
#[derive(Clone, Debug)]
pub struct Outbox {
    dir: PathBuf,
    lock: Arc<Mutex<()>>,
}

impl Outbox {
    /// The outbox folder, created 0700 if missing; temp files a crashed run
    /// left are removed.
    pub fn open(dir: &Path) -> io::Result<Outbox> {
        if std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(invalid(format!(
                "{} is a symbolic link; the outbox does not follow links",
                dir.display()
            )));
        }
        crate::store::files::private_dir(dir)?;
        let mine = format!("-{}-", std::process::id());
        for entry in std::fs::read_dir(dir)?.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.starts_with('.') && name.ends_with(".tmp") && !name.contains(&mine) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Ok(Outbox {
            dir: dir.to_path_buf(),
            lock: Arc::new(Mutex::new(())),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn guard(&self) -> std::sync::MutexGuard<'_, ()> {
        self.lock.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn eml(&self, id: &EntryId) -> PathBuf {
        self.dir.join(format!("{id}.eml"))
    }

    fn json(&self, id: &EntryId) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    /// Writes the message and its description (each atomically, 0600), and
    /// only then returns its id.
    pub fn add(&self, e: NewEntry) -> io::Result<EntryId> {
        if e.bytes.is_empty() {
            return Err(invalid("the message is empty"));
        }
        if e.bytes.len() as u64 > MAX_MESSAGE_BYTES {
            return Err(invalid(format!(
                "the message is {} MB; the outbox takes at most {} MB",
                e.bytes.len() >> 20,
                MAX_MESSAGE_BYTES >> 20
            )));
        }
        if e.recipients.is_empty() {
            return Err(invalid("the message has no recipients"));
        }
        let _g = self.guard();
        let id = new_id();
        let record = Record {
            version: RECORD_VERSION,
            account: e.account,
            envelope_from: e.envelope_from,
            recipients: e.recipients,
            subject: e.subject,
            created: crate::auth::oauth::now(),
            size: e.bytes.len() as u64,
            state: EntryState::Queued,
            after: e.after,
            run: None,
        };
        let json = serde_json::to_vec_pretty(&record).map_err(io::Error::other)?;
        write_atomic(
            &self.dir,
            &format!("{id}.eml"),
            &format!(".{id}.eml.tmp"),
            &e.bytes,
        )?;
        if let Err(err) = write_atomic(
            &self.dir,
            &format!("{id}.json"),
            &format!(".{id}.json.tmp"),
            &json,
        ) {
            let _ = std::fs::remove_file(self.eml(&id));
            return Err(err);
        }
        Ok(id)
    }

    /// Every entry, oldest first; one whose files are missing or unreadable
    /// is listed as [`EntryState::Broken`] with the reason.
    pub fn list(&self) -> Vec<EntryMeta> {
        let mut ids: BTreeMap<EntryId, ()> = BTreeMap::new();
        let mut problems = Vec::new();
        match std::fs::read_dir(&self.dir) {
            Err(e) => tracing::warn!("cannot read the outbox {}: {e}", self.dir.display()),
            Ok(entries) => {
                for entry in entries.flatten() {
                    let name = entry.file_name();
                    let Some(name) = name.to_str() else { continue };
                    if name.starts_with('.') {
                        continue;
                    }
                    let stem = name
                        .strip_suffix(".eml")
                        .or_else(|| name.strip_suffix(".json"));
                    match stem.and_then(EntryId::parse) {
                        Some(id) => {
                            ids.insert(id, ());
                        }
                        None => problems.push(name.to_string()),
                    }
                }
            }
        }
        if !problems.is_empty() {
            tracing::debug!(files = ?problems, "files in the outbox that are no entries");
        }
        let mut out: Vec<EntryMeta> = ids.into_keys().map(|id| self.meta_or_broken(id)).collect();
        out.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
        out
    }

    /// One entry's description; an error says what is wrong with it.
    pub fn meta(&self, id: &EntryId) -> io::Result<EntryMeta> {
        let record = self.record(id)?;
        let eml = self.eml(id);
        let len = std::fs::symlink_metadata(&eml)
            .map_err(|e| io::Error::new(e.kind(), format!("the message file: {e}")))?;
        if !len.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the message file is not a regular file",
            ));
        }
        if len.len() != record.size {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the message file is {} bytes, {} were written",
                    len.len(),
                    record.size
                ),
            ));
        }
        let uncertain = matches!(record.state, EntryState::Sending { .. })
            && record.run.as_deref() != Some(current_run());
        Ok(EntryMeta {
            id: id.clone(),
            account: record.account,
            envelope_from: record.envelope_from,
            subject: record.subject,
            recipients: record.recipients,
            size: record.size,
            created: record.created,
            state: record.state,
            after: record.after,
            uncertain,
        })
    }

    fn meta_or_broken(&self, id: EntryId) -> EntryMeta {
        match self.meta(&id) {
            Ok(m) => m,
            Err(e) => {
                let size = std::fs::symlink_metadata(self.eml(&id)).map_or(0, |m| m.len());
                EntryMeta {
                    created: id.created(),
                    state: EntryState::Broken {
                        problem: e.to_string(),
                    },
                    id,
                    account: String::new(),
                    envelope_from: String::new(),
                    subject: String::new(),
                    recipients: Vec::new(),
                    size,
                    after: AfterSend::default(),
                    uncertain: false,
                }
            }
        }
    }

    fn record(&self, id: &EntryId) -> io::Result<Record> {
        let bytes = read_limited(&self.json(id), MAX_RECORD_BYTES)
            .map_err(|e| io::Error::new(e.kind(), format!("the description file: {e}")))?;
        let record: Record = serde_json::from_slice(&bytes).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the description file does not parse: {e}"),
            )
        })?;
        if record.version != RECORD_VERSION {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the description file is of version {}, this mailtui reads {RECORD_VERSION}",
                    record.version
                ),
            ));
        }
        Ok(record)
    }

    /// The message exactly as written.
    pub fn bytes(&self, id: &EntryId) -> io::Result<Vec<u8>> {
        read_limited(&self.eml(id), MAX_MESSAGE_BYTES)
            .map_err(|e| io::Error::new(e.kind(), format!("the message file: {e}")))
    }

    /// Records how far sending got (atomically, synced).
    pub fn set_state(&self, id: &EntryId, s: EntryState) -> io::Result<()> {
        if matches!(s, EntryState::Broken { .. }) {
            return Err(invalid("Broken is never written"));
        }
        let _g = self.guard();
        let mut record = self.record(id)?;
        // A removed entry stays removed: no description without a message.
        if std::fs::symlink_metadata(self.eml(id)).is_err() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "the message file is gone",
            ));
        }
        record.run = matches!(s, EntryState::Sending { .. }).then(|| current_run().to_string());
        record.state = s;
        let json = serde_json::to_vec_pretty(&record).map_err(io::Error::other)?;
        write_atomic(
            &self.dir,
            &format!("{id}.json"),
            &format!(".{id}.json-{}-.tmp", std::process::id()),
            &json,
        )
    }

    /// Removes the entry's files (a broken entry's too).
    pub fn remove(&self, id: &EntryId) -> io::Result<()> {
        let _g = self.guard();
        let mut found = false;
        // The message first: a crash in between leaves a description
        // without a message, listed as broken, never a message that could
        // be sent again.
        for path in [self.eml(id), self.json(id)] {
            match std::fs::remove_file(&path) {
                Ok(()) => found = true,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        if !found {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("no outbox entry {id}"),
            ));
        }
        sync_dir(&self.dir)
    }
}

#[cfg(test)]
#[path = "outbox_tests.rs"]
mod tests;
