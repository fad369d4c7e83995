//! List rows: written as the worker learns them, read back newest first
//! when a folder opens.

use rusqlite::{OptionalExtension, params};

use super::Store;
use super::folders::clamp_u32;
use crate::mail::row_text::{BoxedClean, SharedClean};
use crate::mail::types::{Envelope, FlagKind, FlagUpdate, Flags, NewMessage};

/// A folder's list rows in arrival order, newest first: the primary key
/// (folder, uid) read backwards, no sort (tests check the plan).
/// A list row from the columns `uid, date, sender, subject, flags, size,
/// attachment, recipient`, in that order.
pub(super) fn row_envelope(r: &rusqlite::Row<'_>) -> rusqlite::Result<Envelope> {
    Ok(Envelope {
        uid: clamp_u32(r.get(0)?),
        date: r.get(1)?,
        from: SharedClean::line(r.get_ref(2)?.as_str().unwrap_or("")),
        subject: BoxedClean::line(r.get_ref(3)?.as_str().unwrap_or("")),
        flags: Flags::from_bits(r.get::<_, i64>(4)? as u8),
        size: clamp_u32(r.get(5)?),
        has_attachment: r.get(6)?,
        to: SharedClean::line(r.get_ref(7)?.as_str().unwrap_or("")),
    })
}

pub(super) const LIST_ROWS: &str =
    "SELECT uid, date, sender, subject, flags, size, attachment, recipient
     FROM messages WHERE folder = ?1 ORDER BY uid DESC";

impl Store {
    /// A message's size as its list row says.
    pub fn message_size(&mut self, path: &str, uid: u32) -> Option<u32> {
        self.read("read message size", |db| {
            let Some(id) = Store::find_folder(db, path)? else {
                return Ok(None);
            };
            db.query_row(
                "SELECT size FROM messages WHERE folder = ?1 AND uid = ?2",
                params![id, uid],
                |r| r.get::<_, i64>(0),
            )
            .optional()
            .map(|s| s.map(clamp_u32))
        })
        .flatten()
    }

    /// UIDs and flags of a folder, ascending: what reconcile starts from.
    pub fn known(&mut self, path: &str) -> Vec<(u32, Flags)> {
        self.read("read known messages", |db| {
            let Some(id) = Store::find_folder(db, path)? else {
                return Ok(Vec::new());
            };
            let mut q = db
                .prepare_cached("SELECT uid, flags FROM messages WHERE folder = ?1 ORDER BY uid")?;
            let rows = q.query_map([id], |r| {
                Ok((
                    clamp_u32(r.get(0)?),
                    Flags::from_bits(r.get::<_, i64>(1)? as u8),
                ))
            })?;
            rows.collect()
        })
        .unwrap_or_default()
    }

    /// A folder's rows newest first (the primary key's order, so the
    /// first page is read without touching the rest), handed over in pages
    /// so the first one can be on screen before the rest is read: each
    /// page as soon as it is full, with whether it is the last. `page`
    /// returns false to stop. Nothing at all for a folder never stored.
    pub fn envelopes(
        &mut self,
        path: &str,
        first: usize,
        rest: usize,
        mut page: impl FnMut(Vec<Envelope>, bool) -> bool,
    ) {
        self.read("read messages", |db| {
            let Some(id) = Store::find_folder(db, path)? else {
                return Ok(());
            };
            let mut q = db.prepare_cached(LIST_ROWS)?;
            let mut rows = q.query([id])?;
            let mut batch = Vec::with_capacity(first);
            let mut size = first.max(1);
            while let Some(r) = rows.next()? {
                // A row after a full page: that page was not the last.
                if batch.len() == size {
                    if !page(std::mem::take(&mut batch), false) {
                        return Ok(());
                    }
                    size = rest.max(1);
                    batch.reserve(size);
                }
                batch.push(row_envelope(r)?);
            }
            page(batch, true);
            Ok(())
        });
    }

    pub fn insert(&mut self, path: &str, rows: &[NewMessage]) {
        if rows.is_empty() {
            return;
        }
        let now = crate::auth::oauth::now();
        self.write("save messages", |tx| {
            let id = Store::folder_id(tx, path)?;
            let mut q = tx.prepare_cached(
                "INSERT OR REPLACE INTO messages
                 (folder, uid, date, sender, subject, flags, size, attachment, message_id, in_reply_to, refs, recipient)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?;
            for m in rows {
                let e = &m.envelope;
                q.execute(params![
                    id,
                    e.uid,
                    e.date,
                    e.from.as_str(),
                    e.subject.as_str(),
                    e.flags.bits(),
                    e.size,
                    e.has_attachment,
                    m.ids.message_id,
                    m.ids.in_reply_to,
                    m.ids.references,
                    e.to.as_str(),
                ])?;
            }
            super::addresses::note_senders(tx, Store::folder_role(tx, id)?, rows, now)
        });
    }

    /// Rows of messages moved with COPYUID, copied to the target under
    /// their new UIDs (flags and all, as MOVE keeps them), so the target
    /// folder (a search across folders, an undo's way back) shows them
    /// before it is opened again. Not where the target's rows are of
    /// another UIDVALIDITY. A folder never stored keeps them without a
    /// sync state: a search across folders counts it as not stored, its
    /// first opening drops them and fetches all, and an undo's way back
    /// out of it (Trash, mostly) finds them to copy again.
    /// Returns the rows as copied.
    pub fn copy_rows(
        &mut self,
        from: &str,
        to: &str,
        uid_validity: u32,
        pairs: &[(u32, u32)],
    ) -> Vec<Envelope> {
        if pairs.is_empty() {
            return Vec::new();
        }
        let mut copied = Vec::new();
        self.write("copy moved rows", |tx| {
            let (Some(src), Some(dst)) = (Store::find_folder(tx, from)?, Store::find_folder(tx, to)?)
            else {
                return Ok(());
            };
            let stored: i64 = tx.query_row("SELECT uidvalidity FROM folders WHERE id = ?1", [dst], |r| {
                r.get(0)
            })?;
            if stored != 0 && stored != i64::from(uid_validity) {
                return Ok(());
            }
            let mut q = tx.prepare_cached(
                "INSERT OR REPLACE INTO messages
                 (folder, uid, date, sender, subject, flags, size, attachment, message_id, in_reply_to, refs, recipient)
                 SELECT ?1, ?2, date, sender, subject, flags, size, attachment, message_id, in_reply_to, refs, recipient
                 FROM messages WHERE folder = ?3 AND uid = ?4",
            )?;
            let mut read = tx.prepare_cached(
                "SELECT uid, date, sender, subject, flags, size, attachment, recipient
                 FROM messages WHERE folder = ?1 AND uid = ?2",
            )?;
            for (old, new) in pairs {
                if q.execute(params![dst, new, src, old])? > 0 {
                    copied.push(read.query_row(params![dst, new], row_envelope)?);
                }
            }
            Ok(())
        });
        copied
    }

    pub fn remove(&mut self, path: &str, uids: &[u32]) {
        if uids.is_empty() {
            return;
        }
        self.write("remove messages", |tx| {
            let id = Store::folder_id(tx, path)?;
            let mut q = tx.prepare_cached("DELETE FROM messages WHERE folder = ?1 AND uid = ?2")?;
            for uid in uids {
                q.execute(params![id, uid])?;
            }
            Ok(())
        });
    }

    pub fn set_flags(&mut self, path: &str, updates: &[FlagUpdate]) {
        if updates.is_empty() {
            return;
        }
        self.write("save flags", |tx| {
            let id = Store::folder_id(tx, path)?;
            let mut q =
                tx.prepare_cached("UPDATE messages SET flags = ?3 WHERE folder = ?1 AND uid = ?2")?;
            for u in updates {
                q.execute(params![id, u.uid, u.flags.bits()])?;
            }
            Ok(())
        });
    }

    /// Sets or clears one flag on stored rows (the user's own change, once
    /// the server took it).
    pub fn change_flag(&mut self, path: &str, uids: &[u32], flag: FlagKind, on: bool) {
        let mut one = Flags::default();
        flag.set(&mut one, true);
        let bit = i64::from(one.bits());
        let sql = if on {
            "UPDATE messages SET flags = flags | ?3 WHERE folder = ?1 AND uid = ?2"
        } else {
            "UPDATE messages SET flags = flags & ~?3 WHERE folder = ?1 AND uid = ?2"
        };
        self.write("save flags", |tx| {
            let id = Store::folder_id(tx, path)?;
            let mut q = tx.prepare_cached(sql)?;
            for uid in uids {
                q.execute(params![id, uid, bit])?;
            }
            Ok(())
        });
    }

    /// Message-IDs of these messages (those that have one).
    pub fn message_ids(&mut self, path: &str, uids: &[u32]) -> Vec<String> {
        self.read("read message ids", |db| {
            let Some(id) = Store::find_folder(db, path)? else {
                return Ok(Vec::new());
            };
            let mut q = db
                .prepare_cached("SELECT message_id FROM messages WHERE folder = ?1 AND uid = ?2")?;
            let mut out = Vec::new();
            for uid in uids {
                let found: Option<Option<String>> =
                    q.query_row(params![id, uid], |r| r.get(0)).optional()?;
                out.extend(found.flatten());
            }
            Ok(out)
        })
        .unwrap_or_default()
    }

    /// What threading needs of every message of a folder.
    pub fn thread_inputs(&mut self, path: &str) -> Vec<crate::mail::threads::ThreadInput> {
        self.read("read thread ids", |db| {
            let Some(id) = Store::find_folder(db, path)? else {
                return Ok(Vec::new());
            };
            let mut q = db.prepare_cached(
                "SELECT uid, message_id, in_reply_to, refs, subject, date FROM messages WHERE folder = ?1",
            )?;
            let rows = q.query_map([id], |r| {
                Ok(crate::mail::threads::ThreadInput {
                    uid: clamp_u32(r.get(0)?),
                    message_id: r.get(1)?,
                    in_reply_to: r.get(2)?,
                    references: r.get(3)?,
                    subject: r.get(4)?,
                    date: r.get(5)?,
                })
            })?;
            rows.collect()
        })
        .unwrap_or_default()
    }
}
