//! The local store: one SQLite database per account in the cache dir,
//! holding folders, list rows and the bodies of opened messages, so a
//! folder opens from what is known before the server answers and stays
//! readable offline.
//!
//! It is a cache: anything wrong with it (corrupt, unreadable, a full disk,
//! a read-only dir) costs speed, never the app. A database that cannot be
//! read is moved aside and rebuilt; one that cannot be written is used
//! read-only, or replaced by one in memory. Each problem is logged once.
//! Only the store's own thread ([`actor`]) touches the connection.

pub mod actor;
mod bodies;
mod folders;
mod messages;
pub mod schema;
mod serve;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode};
use tracing::warn;

pub use actor::StoreHandle;
pub use bodies::{DEFAULT_BODY_BUDGET, StoreStats};
pub use folders::StoredFolder;

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

fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
    )
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

fn configure(db: &Connection, on_disk: bool) -> rusqlite::Result<()> {
    // Must come before the first table exists to take effect.
    db.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
    if on_disk {
        let mode: String = db.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            warn!(mode = %mode, "the cache database is not in WAL mode (a network filesystem?)");
        }
    }
    db.pragma_update(None, "synchronous", "NORMAL")?;
    db.pragma_update(None, "foreign_keys", true)?;
    db.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
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
        };
        if let Err(e) = configure(&store.db, false)
            .map_err(|e| e.to_string())
            .and_then(|()| schema::migrate_to(&mut store.db, schema::CURRENT))
        {
            warn!(account = %name, "in-memory store: {e}");
        }
        store
    }

    /// Opens (or creates) the database at `path`. Never fails: a file that
    /// cannot be used is moved aside or replaced by an in-memory store.
    pub fn open(path: &Path, name: &str, body_budget: u64) -> Store {
        match Self::try_open(path, name, body_budget) {
            Ok(s) => s,
            Err(e) if e.corrupt => {
                warn!(account = %name, file = %path.display(), "the cache database cannot be read ({}); moving it aside and starting a new one", e.message);
                move_aside(path);
                Self::try_open(path, name, body_budget).unwrap_or_else(|e| {
                    warn!(account = %name, "cache disabled: {}; running uncached", e.message);
                    Self::in_memory(name, body_budget)
                })
            }
            Err(e) => {
                warn!(account = %name, file = %path.display(), "cache disabled: {}; running uncached this session", e.message);
                Self::in_memory(name, body_budget)
            }
        }
    }

    fn try_open(path: &Path, name: &str, body_budget: u64) -> Result<Store, OpenError> {
        if let Some(dir) = path.parent() {
            create_private_dir(dir).map_err(|e| OpenError {
                corrupt: false,
                message: format!("cannot create {}: {e}", dir.display()),
            })?;
        }
        let mut db = Connection::open(path).map_err(|e| OpenError::from_sql(&e))?;
        configure(&db, true).map_err(|e| OpenError::from_sql(&e))?;
        schema::migrate_to(&mut db, schema::CURRENT).map_err(|message| OpenError {
            corrupt: true,
            message,
        })?;
        let mut store = Store {
            db,
            path: Some(path.to_path_buf()),
            writable: true,
            body_budget,
            body_bytes: 0,
            name: name.to_string(),
        };
        store.body_bytes = store
            .count_body_bytes()
            .map_err(|e| OpenError::from_sql(&e))?;
        Ok(store)
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
        if is_corruption(e) {
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
        let fresh = match self.path.clone() {
            Some(path) => {
                let placeholder = Connection::open_in_memory();
                if let Ok(p) = placeholder {
                    // Close the damaged file before moving it.
                    drop(std::mem::replace(&mut self.db, p));
                }
                move_aside(&path);
                Store::open(&path, &self.name, self.body_budget)
            }
            None => Store::in_memory(&self.name, self.body_budget),
        };
        *self = fresh;
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

struct OpenError {
    corrupt: bool,
    message: String,
}

impl OpenError {
    fn from_sql(e: &rusqlite::Error) -> Self {
        OpenError {
            corrupt: is_corruption(e),
            message: e.to_string(),
        }
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Renames the database and its WAL files to `*.broken-<time>`; deletes
/// them if even that fails.
fn move_aside(path: &Path) {
    let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S");
    for suffix in ["", "-wal", "-shm"] {
        let mut from = path.as_os_str().to_owned();
        from.push(suffix);
        let from = PathBuf::from(from);
        if !from.exists() {
            continue;
        }
        let mut to = path.as_os_str().to_owned();
        to.push(format!(".broken-{stamp}{suffix}"));
        if std::fs::rename(&from, PathBuf::from(to)).is_err() {
            let _ = std::fs::remove_file(&from);
        }
    }
}

#[cfg(test)]
mod tests;
