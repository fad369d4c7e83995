//! The store's tables, as a list of migrations: a database at version n
//! runs migrations n+1.. all in one `BEGIN IMMEDIATE` transaction, which
//! is also where it reads n. Two mailtuis starting at once on a new file:
//! the second waits for the first's lock, then reads the version the first
//! committed and has nothing left to do (read outside, both would run the
//! same `ALTER TABLE`s and one would fail with "duplicate column name").

use rusqlite::{Connection, TransactionBehavior};

/// Each entry takes the schema from its index to index + 1.
const MIGRATIONS: &[&str] = &[
    // 1: folders and list rows.
    "CREATE TABLE folders (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        uidvalidity INTEGER NOT NULL DEFAULT 0,
        uidnext INTEGER,
        highestmodseq INTEGER,
        synced_at INTEGER
    ) STRICT;
    CREATE TABLE messages (
        folder INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        uid INTEGER NOT NULL,
        date INTEGER,
        sender TEXT NOT NULL,
        subject TEXT NOT NULL,
        flags INTEGER NOT NULL,
        size INTEGER NOT NULL,
        attachment INTEGER NOT NULL,
        PRIMARY KEY (folder, uid)
    ) STRICT, WITHOUT ROWID;",
    // 2: ids for threads, the folder list and counts for offline use, and
    // the bodies of opened messages.
    "ALTER TABLE messages ADD COLUMN message_id TEXT;
    ALTER TABLE messages ADD COLUMN in_reply_to TEXT;
    ALTER TABLE messages ADD COLUMN refs TEXT;
    ALTER TABLE folders ADD COLUMN name TEXT;
    ALTER TABLE folders ADD COLUMN depth INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE folders ADD COLUMN role INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE folders ADD COLUMN selectable INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE folders ADD COLUMN position INTEGER;
    ALTER TABLE folders ADD COLUMN total INTEGER;
    ALTER TABLE folders ADD COLUMN unseen INTEGER;
    CREATE TABLE bodies (
        folder INTEGER NOT NULL,
        uid INTEGER NOT NULL,
        size INTEGER NOT NULL,
        read_at INTEGER NOT NULL,
        raw BLOB NOT NULL,
        PRIMARY KEY (folder, uid),
        FOREIGN KEY (folder, uid) REFERENCES messages(folder, uid) ON DELETE CASCADE
    ) STRICT;
    CREATE INDEX bodies_by_read ON bodies(read_at);",
    // 3: a big message's body may be a stand-in holding its text parts.
    "ALTER TABLE bodies ADD COLUMN partial INTEGER NOT NULL DEFAULT 0;",
    // 4: the address book (see addresses.rs). Empty at first: the rows
    // stored before kept the sender's name, not its address.
    "CREATE TABLE addresses (
        email TEXT PRIMARY KEY,
        name TEXT NOT NULL DEFAULT '',
        name_at INTEGER NOT NULL DEFAULT 0,
        received INTEGER NOT NULL DEFAULT 0,
        received_at INTEGER,
        sent INTEGER NOT NULL DEFAULT 0,
        sent_at INTEGER
    ) STRICT, WITHOUT ROWID;",
    // 5: the To field's names, for the list's recipient column (rows
    // stored before have none: the column shows a dash).
    "ALTER TABLE messages ADD COLUMN recipient TEXT;",
    // 6: the full-text index (see fts.rs). Empty at first: the rows stored
    // before are indexed in the background from the cursor in fts_build.
    super::fts::MIGRATION,
];

pub const CURRENT: u32 = MIGRATIONS.len() as u32;

pub fn version(db: &Connection) -> rusqlite::Result<u32> {
    db.pragma_query_value(None, "user_version", |r| r.get(0))
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("{0}")]
    Sql(#[from] rusqlite::Error),
    #[error(
        "it was written by a newer mailtui (schema {found}, this one knows {CURRENT}); left as it is (`mailtui cache clear` starts a new one)"
    )]
    Newer { found: u32 },
}

/// Brings the database up to `target` (CURRENT outside tests), waiting
/// (the connection's busy timeout) for another connection's migration.
pub fn migrate_to(db: &mut Connection, target: u32) -> Result<(), MigrateError> {
    let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let from = version(&tx)?;
    if from > CURRENT {
        return Err(MigrateError::Newer { found: from });
    }
    let to = target.min(CURRENT);
    if from >= to {
        return Ok(());
    }
    for v in from..to {
        tx.execute_batch(MIGRATIONS[v as usize])?;
    }
    tx.pragma_update(None, "user_version", to)?;
    tx.commit()?;
    Ok(())
}
