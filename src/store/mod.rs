//! The local store: one SQLite database per account in the cache dir,
//! holding folders, list rows and the bodies of opened messages, so a
//! folder opens from what is known before the server answers and stays
//! readable offline; and the addresses seen and written to, for
//! completion ([`addresses`]).
//!
//! It is a cache: anything wrong with it (corrupt, unreadable, a full disk,
//! a read-only dir) costs speed, never the app. A database SQLite finds
//! damaged (and `quick_check` confirms) is moved aside and rebuilt; any
//! other trouble (busy past the timeout, a newer schema, a symbolic link)
//! leaves the file alone and runs in memory this session, since another
//! mailtui may have it open. Each problem is logged once. Only the store's
//! own thread ([`actor`]) touches the connection.

pub mod actor;
pub mod addresses;
mod bodies;
pub mod everywhere;
pub mod files;
mod folders;
pub mod fts;
pub(crate) mod local_search;
mod messages;
pub mod schema;
mod serve;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};
use tracing::{debug, warn};

pub use actor::StoreHandle;
pub use addresses::Contact;
pub use bodies::{DEFAULT_BODY_BUDGET, StoreStats};
pub use folders::StoredFolder;
pub use fts::Progress as IndexProgress;

/// Rows one account gives a search across folders at most, all folders
/// together; past it the newest are kept and the answer says it was cut.
pub const EVERYWHERE_MAX: usize = 5_000;

pub struct Store {
    db: Connection,
    /// None for an in-memory store.
    path: Option<PathBuf>,
    /// Writes are skipped after one failed for lack of space or permission.
    writable: bool,
    /// Bytes of bodies kept at most, and kept now.
    body_budget: u64,
    body_bytes: u64,
    /// For log lines: the account this store belongs to.
    name: String,
    /// The full-text index's background build.
    index: fts::Build,
    /// Held while this process uses the file: a second mailtui on the same
    /// account runs without the store rather than sharing it.
    _lock: Option<std::fs::File>,
}

/// The file for an account: its name made safe for a file name, plus a
/// short hash so that names differing only in unsafe characters differ.
pub fn file_for(cache_dir: &Path, account: &str) -> PathBuf {
    let safe: String = account
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    let hash = account.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    cache_dir.join(format!("{safe}-{:08x}.sqlite3", hash as u32))
}

/// How long a connection waits for another's lock (another mailtui on the
/// same account migrating or writing) before giving up.
const BUSY: Duration = Duration::from_secs(10);

/// At quit, a checkpoint waits this long at most for another's reader.
const CHECKPOINT_BUSY: Duration = Duration::from_millis(100);

fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
    )
}

/// After an error that says "corrupt": is the file really damaged? Only
/// then is it moved aside; a wrong verdict would move a database another
/// process has open, which is how SQLite databases get corrupted.
fn confirmed_damage(db: &Connection, e: &rusqlite::Error) -> bool {
    if !is_corruption(e) {
        return false;
    }
    match db.query_row("PRAGMA quick_check(1)", [], |r| r.get::<_, String>(0)) {
        Ok(verdict) => verdict != "ok",
        Err(e) => is_corruption(&e),
    }
}

fn is_unwritable(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(
            ErrorCode::DiskFull
                | ErrorCode::ReadOnly
                | ErrorCode::CannotOpen
                | ErrorCode::PermissionDenied
                | ErrorCode::SystemIoFailure
        )
    )
}

/// Retries `f` while SQLite answers "busy" without waiting itself, up to
/// [`BUSY`]. Switching to WAL is such a case: it reads the header, then
/// upgrades that read lock to a write lock, and SQLite never calls the busy
/// handler for an upgrade (two upgraders would wait on each other forever),
/// so a second mailtui opening a new file while the first creates it gets
/// "database is locked" at once.
fn while_busy<T>(mut f: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let give_up = std::time::Instant::now() + BUSY;
    let mut pause = Duration::from_millis(2);
    loop {
        match f() {
            Err(e)
                if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy)
                    && std::time::Instant::now() < give_up =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

fn configure(db: &Connection, on_disk: bool) -> rusqlite::Result<()> {
    // First: switching to WAL takes a lock another opener may hold.
    db.busy_timeout(BUSY)?;
    // Until the schema is in place (see `settle`): on a new file, setting
    // auto_vacuum and the switch to WAL each write the first page in
    // rollback mode, and the first WAL write its header, which at the
    // default (FULL) syncs the journal, the file and the folder about ten
    // times before anything else. A crash in those milliseconds leaves a
    // damaged or empty cache, which is rebuilt.
    db.pragma_update(None, "synchronous", "OFF")?;
    // Must come before the first table exists to take effect.
    db.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
    if on_disk {
        let mode = while_busy(|| {
            db.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))
        })?;
        if !mode.eq_ignore_ascii_case("wal") {
            warn!(mode = %mode, "the cache database is not in WAL mode (a network filesystem?)");
        }
    }
    db.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

/// Once the schema is in place: WAL's usual durability (a commit is
/// synced at checkpoints, never lost to a damaged file).
fn settle(db: &Connection) -> rusqlite::Result<()> {
    db.pragma_update(None, "synchronous", "NORMAL")
}

impl Store {
    /// An in-memory store: for local Maildir accounts, and when no file works.
    pub fn in_memory(name: &str, body_budget: u64) -> Store {
        let db = match Connection::open_in_memory() {
            Ok(db) => db,
            // SQLite cannot allocate a few KB: nothing else would work either.
            Err(e) => panic!("SQLite cannot open an in-memory database: {e}"),
        };
        let mut store = Store {
            db,
            path: None,
            writable: true,
            body_budget,
            body_bytes: 0,
            name: name.to_string(),
            index: fts::Build::default(),
            _lock: None,
        };
        if let Err(e) = configure(&store.db, false)
            .map_err(schema::MigrateError::Sql)
            .and_then(|()| schema::migrate_to(&mut store.db, schema::CURRENT))
            .and_then(|()| settle(&store.db).map_err(schema::MigrateError::Sql))
        {
            warn!(account = %name, "in-memory store: {e}");
        }
        store.read_index_state();
        store
    }

    /// Opens (or creates) the database at `path`. Never fails: a damaged
    /// file is moved aside and rebuilt; one that cannot be used otherwise
    /// is left alone and replaced by an in-memory store.
    /// [`open`](Self::open) for the one process that uses the store: a
    /// second mailtui with the same account (another terminal, a restored
    /// tmux session) would otherwise write the same rows from another
    /// session's view of the server. The second one runs uncached.
    pub fn open_exclusive(path: &Path, name: &str, body_budget: u64) -> Store {
        match files::lock(path) {
            Ok(Some(lock)) => {
                let mut store = Self::open(path, name, body_budget);
                if store.path.is_some() {
                    store._lock = Some(lock);
                }
                store.prune_addresses();
                store
            }
            Ok(None) => {
                warn!(account = %name, file = %path.display(), "another mailtui is using this account's local store; running without it this session");
                Self::in_memory(name, body_budget)
            }
            Err(e) => {
                warn!(account = %name, file = %path.display(), "cache disabled: cannot lock the store ({e}); running uncached this session");
                Self::in_memory(name, body_budget)
            }
        }
    }

    /// The file this store keeps its rows in; None in memory.
    pub fn file(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn open(path: &Path, name: &str, body_budget: u64) -> Store {
        match Self::try_open(path, name, body_budget) {
            Ok(s) => s,
            Err(OpenError::Damaged(message)) => {
                warn!(account = %name, file = %path.display(), "the cache database is damaged ({message}); moving it aside and starting a new one");
                files::move_aside(path);
                Self::try_open(path, name, body_budget).unwrap_or_else(|e| {
                    warn!(account = %name, "cache disabled: {e}; running uncached");
                    Self::in_memory(name, body_budget)
                })
            }
            Err(e) => {
                warn!(account = %name, file = %path.display(), "cache disabled: {e}; running uncached this session");
                Self::in_memory(name, body_budget)
            }
        }
    }

    fn try_open(path: &Path, name: &str, body_budget: u64) -> Result<Store, OpenError> {
        if let Some(dir) = path.parent() {
            files::private_dir(dir).map_err(|e| {
                OpenError::Unusable(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        files::prepare(path).map_err(|e| OpenError::Unusable(e.to_string()))?;
        // NOFOLLOW again in SQLite: prepare's check and this open are two steps.
        let flags = OpenFlags::default() | OpenFlags::SQLITE_OPEN_NOFOLLOW;
        let mut db = Connection::open_with_flags(path, flags)
            .map_err(|e| OpenError::Unusable(e.to_string()))?;
        let schema_step = crate::startup::step("store schema");
        let ready = configure(&db, true)
            .map_err(schema::MigrateError::Sql)
            .and_then(|()| schema::migrate_to(&mut db, schema::CURRENT))
            .and_then(|()| settle(&db).map_err(schema::MigrateError::Sql));
        schema_step.end();
        match ready {
            Ok(()) => {}
            Err(schema::MigrateError::Sql(e)) if confirmed_damage(&db, &e) => {
                return Err(OpenError::Damaged(e.to_string()));
            }
            Err(e) => return Err(OpenError::Unusable(e.to_string())),
        }
        files::tighten(path);
        let mut store = Store {
            db,
            path: Some(path.to_path_buf()),
            writable: true,
            body_budget,
            body_bytes: 0,
            name: name.to_string(),
            index: fts::Build::default(),
            _lock: None,
        };
        store.body_bytes = match store.count_body_bytes() {
            Ok(n) => n,
            Err(e) if confirmed_damage(&store.db, &e) => {
                return Err(OpenError::Damaged(e.to_string()));
            }
            Err(e) => return Err(OpenError::Unusable(e.to_string())),
        };
        store.read_index_state();
        Ok(store)
    }

    /// Folds the WAL into the database and truncates it (at quit), so the
    /// next start has no log to replay. Waits only briefly for another
    /// process's reader: the next checkpoint catches up.
    pub fn checkpoint(&mut self) {
        if self.path.is_none() {
            return;
        }
        let _ = self.db.busy_timeout(CHECKPOINT_BUSY);
        match self
            .db
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                r.get::<_, i64>(0)
            }) {
            Ok(0) => {}
            Ok(_) => debug!(account = %self.name, "cache checkpoint: busy, left for later"),
            Err(e) => debug!(account = %self.name, "cache checkpoint: {e}"),
        }
        let _ = self.db.busy_timeout(BUSY);
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn is_persistent(&self) -> bool {
        self.path.is_some()
    }

    /// Looks at a failed query: corruption rebuilds the store (its rows
    /// are a cache; the next sync refetches them); lack of space or
    /// permission stops writes. Logs once per kind.
    fn failed(&mut self, what: &str, e: &rusqlite::Error) {
        if is_corruption(e) && fts::only_the_index_is_damaged(&self.db) {
            // The index is built from the rows and bodies: those stay.
            warn!(account = %self.name, "the search index is damaged ({what}: {e}); building it again");
            self.reset_index();
        } else if confirmed_damage(&self.db, e) {
            warn!(account = %self.name, "the cache database is damaged ({what}: {e}); moving it aside and starting a new one");
            self.rebuild();
        } else if is_unwritable(e) {
            if self.writable {
                warn!(account = %self.name, "cannot write the cache ({what}: {e}); running uncached from now on");
            }
            self.writable = false;
        } else {
            warn!(account = %self.name, "cache {what}: {e}");
        }
    }

    fn rebuild(&mut self) {
        let tell = self.index.tell.take();
        let fresh = match self.path.clone() {
            Some(path) => {
                let placeholder = Connection::open_in_memory();
                if let Ok(p) = placeholder {
                    // Close the damaged file before moving it.
                    drop(std::mem::replace(&mut self.db, p));
                }
                files::move_aside(&path);
                Store::open(&path, &self.name, self.body_budget)
            }
            None => Store::in_memory(&self.name, self.body_budget),
        };
        *self = fresh;
        self.index.tell = tell;
    }

    /// Runs a write in one transaction; on failure nothing of it is kept.
    fn write<T>(
        &mut self,
        what: &str,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Option<T> {
        if !self.writable {
            return None;
        }
        let result = self.db.transaction().and_then(|tx| {
            let v = f(&tx)?;
            tx.commit()?;
            Ok(v)
        });
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.failed(what, &e);
                None
            }
        }
    }

    /// Runs a read; a failure gives None (and is handled like a write's).
    fn read<T>(
        &mut self,
        what: &str,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Option<T> {
        match f(&self.db) {
            Ok(v) => Some(v),
            Err(e) => {
                self.failed(what, &e);
                None
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
enum OpenError {
    /// SQLite says so and `quick_check` agrees: the file may be moved.
    #[error("{0}")]
    Damaged(String),
    /// Anything else; the file stays where it is.
    #[error("{0}")]
    Unusable(String),
}

#[cfg(test)]
mod addresses_tests;
#[cfg(test)]
mod fts_tests;
#[cfg(test)]
mod tests;
