//! Bodies of opened messages, under a size budget: the least recently
//! read go first.

use rusqlite::{OptionalExtension, params};

use super::Store;
use crate::mail::partial::Fetched;

/// Default budget for kept bodies per account (config `body_cache_mb`).
pub const DEFAULT_BODY_BUDGET: u64 = 300 * 1024 * 1024;

/// What `mailtui cache` reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoreStats {
    pub folders: u64,
    pub messages: u64,
    pub bodies: u64,
    pub body_bytes: u64,
}

impl Store {
    pub(super) fn count_body_bytes(&self) -> rusqlite::Result<u64> {
        self.db
            .query_row("SELECT COALESCE(SUM(size), 0) FROM bodies", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n.max(0) as u64)
    }

    /// Bytes of bodies kept now.
    pub fn body_bytes(&self) -> u64 {
        self.body_bytes
    }

    /// A kept body, marked as read now.
    pub fn body(&mut self, path: &str, uid: u32, now: i64) -> Option<Vec<u8>> {
        self.kept(path, uid, now).map(|f| f.raw)
    }

    /// A kept body as it was fetched (whole or a stand-in), marked as read now.
    pub fn kept(&mut self, path: &str, uid: u32, now: i64) -> Option<Fetched> {
        let found = self
            .read("read body", |db| {
                let Some(id) = Store::find_folder(db, path)? else {
                    return Ok(None);
                };
                db.query_row(
                    "SELECT raw, partial FROM bodies WHERE folder = ?1 AND uid = ?2",
                    params![id, uid],
                    |r| {
                        Ok(Fetched {
                            raw: r.get(0)?,
                            partial: r.get::<_, i64>(1)? != 0,
                        })
                    },
                )
                .optional()
                .map(|raw| raw.map(|raw| (id, raw)))
            })
            .flatten()?;
        let (id, raw) = found;
        self.write("mark body read", |tx| {
            tx.execute(
                "UPDATE bodies SET read_at = ?3 WHERE folder = ?1 AND uid = ?2",
                params![id, uid, now],
            )
        });
        Some(raw)
    }

    /// Keeps a body (its message row must be stored), then evicts the
    /// least recently read until the budget holds.
    pub fn put_body(&mut self, path: &str, uid: u32, raw: &[u8], now: i64) {
        self.keep(path, uid, raw, false, now);
    }

    /// [`put_body`](Self::put_body) of a message as fetched.
    pub fn keep(&mut self, path: &str, uid: u32, raw: &[u8], partial: bool, now: i64) {
        let size = raw.len() as u64;
        if size > self.body_budget {
            return;
        }
        let old = self
            .write("save body", |tx| {
                let Some(id) = Store::find_folder(tx, path)? else {
                    return Ok(None);
                };
                let known: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM messages WHERE folder = ?1 AND uid = ?2)",
                    params![id, uid],
                    |r| r.get(0),
                )?;
                if !known {
                    return Ok(None);
                }
                let old: Option<i64> = tx
                    .query_row(
                        "SELECT size FROM bodies WHERE folder = ?1 AND uid = ?2",
                        params![id, uid],
                        |r| r.get(0),
                    )
                    .optional()?;
                tx.execute(
                    "INSERT OR REPLACE INTO bodies (folder, uid, size, read_at, raw, partial) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![id, uid, size as i64, now, raw, partial],
                )?;
                if let Some(text) = super::fts::text_of(raw, partial) {
                    super::fts::put(tx, id, uid, &text)?;
                }
                Ok(Some(old.unwrap_or(0).max(0) as u64))
            })
            .flatten();
        if let Some(old) = old {
            self.body_bytes = self.body_bytes.saturating_sub(old) + size;
            self.evict();
        }
    }

    /// Of these UIDs, the ones whose bodies are kept.
    pub fn kept_bodies(&mut self, path: &str, uids: &[u32]) -> Vec<u32> {
        self.read("read kept bodies", |db| {
            let Some(id) = Store::find_folder(db, path)? else {
                return Ok(Vec::new());
            };
            let mut q = db.prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM bodies WHERE folder = ?1 AND uid = ?2)",
            )?;
            let mut kept = Vec::new();
            for uid in uids {
                if q.query_row(params![id, uid], |r| r.get::<_, bool>(0))? {
                    kept.push(*uid);
                }
            }
            Ok(kept)
        })
        .unwrap_or_default()
    }

    fn evict(&mut self) {
        if self.body_bytes <= self.body_budget {
            return;
        }
        let over = self.body_bytes - self.body_budget;
        let freed = self.write("evict bodies", |tx| {
            let mut q = tx.prepare("SELECT rowid, size FROM bodies ORDER BY read_at")?;
            let mut victims = Vec::new();
            let mut freed = 0u64;
            let mut rows = q.query([])?;
            while freed < over {
                let Some(r) = rows.next()? else { break };
                victims.push(r.get::<_, i64>(0)?);
                freed += r.get::<_, i64>(1)?.max(0) as u64;
            }
            drop(rows);
            let mut del = tx.prepare("DELETE FROM bodies WHERE rowid = ?1")?;
            for v in victims {
                del.execute([v])?;
            }
            Ok(freed)
        });
        if let Some(freed) = freed {
            self.body_bytes = self.body_bytes.saturating_sub(freed);
            // Give the space back to the file system a little at a time.
            let _ = self.db.execute_batch("PRAGMA incremental_vacuum(2000)");
        }
    }

    pub fn stats(&mut self) -> StoreStats {
        self.read("read stats", |db| {
            let count = |sql: &str| {
                db.query_row(sql, [], |r| r.get::<_, i64>(0))
                    .map(|n| n.max(0) as u64)
            };
            Ok(StoreStats {
                folders: count("SELECT COUNT(*) FROM folders")?,
                messages: count("SELECT COUNT(*) FROM messages")?,
                bodies: count("SELECT COUNT(*) FROM bodies")?,
                body_bytes: count("SELECT COALESCE(SUM(size), 0) FROM bodies")?,
            })
        })
        .unwrap_or_default()
    }
}
