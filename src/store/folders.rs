//! The folder list, each folder's sync state and its counts.

use rusqlite::{OptionalExtension, params};

use super::Store;
use crate::mail::backend::FolderCount;
use crate::mail::types::{Folder, FolderRole};
use crate::sanitize::Clean;
use crate::sync::FolderSync;

/// A folder as last listed, with the counts last seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredFolder {
    pub folder: Folder,
    pub total: Option<u32>,
    pub unseen: Option<u32>,
}

const ROLES: [FolderRole; 7] = [
    FolderRole::Inbox,
    FolderRole::Drafts,
    FolderRole::Sent,
    FolderRole::Archive,
    FolderRole::Junk,
    FolderRole::Trash,
    FolderRole::Other,
];

fn role_code(r: FolderRole) -> i64 {
    ROLES.iter().position(|x| *x == r).unwrap_or(6) as i64
}

impl Store {
    /// The folder's row id, creating the row if needed.
    pub(super) fn folder_id(tx: &rusqlite::Connection, path: &str) -> rusqlite::Result<i64> {
        tx.execute(
            "INSERT INTO folders (path) VALUES (?1) ON CONFLICT(path) DO NOTHING",
            [path],
        )?;
        tx.query_row("SELECT id FROM folders WHERE path = ?1", [path], |r| {
            r.get(0)
        })
    }

    /// The role the folder list gave a folder (Inbox until it was listed).
    pub(super) fn folder_role(tx: &rusqlite::Connection, id: i64) -> rusqlite::Result<FolderRole> {
        let code: i64 =
            tx.query_row("SELECT role FROM folders WHERE id = ?1", [id], |r| r.get(0))?;
        Ok(ROLES
            .get(code.clamp(0, 6) as usize)
            .copied()
            .unwrap_or(FolderRole::Other))
    }

    pub(super) fn find_folder(
        db: &rusqlite::Connection,
        path: &str,
    ) -> rusqlite::Result<Option<i64>> {
        db.query_row("SELECT id FROM folders WHERE path = ?1", [path], |r| {
            r.get(0)
        })
        .optional()
    }

    /// Replaces the folder list. Folders no longer listed lose their rows.
    pub fn save_folders(&mut self, folders: &[Folder]) {
        self.write("save folders", |tx| {
            tx.execute("UPDATE folders SET position = NULL", [])?;
            for (i, f) in folders.iter().enumerate() {
                let id = Store::folder_id(tx, &f.path)?;
                tx.execute(
                    "UPDATE folders SET name = ?2, depth = ?3, role = ?4, selectable = ?5, position = ?6 WHERE id = ?1",
                    params![id, f.name.as_str(), f.depth as i64, role_code(f.role), f.selectable, i as i64],
                )?;
            }
            tx.execute("DELETE FROM folders WHERE position IS NULL", [])?;
            Ok(())
        });
    }

    pub fn folders(&mut self) -> Vec<StoredFolder> {
        self.read("read folders", |db| {
            let mut q = db.prepare(
                "SELECT path, name, depth, role, selectable, total, unseen FROM folders
                 WHERE position IS NOT NULL ORDER BY position",
            )?;
            let rows = q.query_map([], |r| {
                let path: String = r.get(0)?;
                let name: Option<String> = r.get(1)?;
                let role: i64 = r.get(3)?;
                Ok(StoredFolder {
                    folder: Folder {
                        name: Clean::line(name.as_deref().unwrap_or(&path)),
                        depth: r.get::<_, i64>(2)?.clamp(0, 64) as usize,
                        role: ROLES
                            .get(role.clamp(0, 6) as usize)
                            .copied()
                            .unwrap_or(FolderRole::Other),
                        selectable: r.get(4)?,
                        path,
                    },
                    total: r.get::<_, Option<i64>>(5)?.map(clamp_u32),
                    unseen: r.get::<_, Option<i64>>(6)?.map(clamp_u32),
                })
            })?;
            rows.collect()
        })
        .unwrap_or_default()
    }

    pub fn folder_state(&mut self, path: &str) -> Option<FolderSync> {
        self.read("read folder state", |db| {
            db.query_row(
                "SELECT uidvalidity, uidnext, highestmodseq, synced_at FROM folders WHERE path = ?1",
                [path],
                |r| {
                    Ok(FolderSync {
                        uid_validity: clamp_u32(r.get(0)?),
                        uid_next: r.get::<_, Option<i64>>(1)?.map(clamp_u32),
                        highest_modseq: r.get::<_, Option<i64>>(2)?.map(|m| m.max(0) as u64),
                        synced_at: r.get(3)?,
                    })
                },
            )
            .optional()
        })
        .flatten()
        .filter(|s| s.uid_validity != 0)
    }

    /// Records a finished reconcile.
    pub fn commit_sync(&mut self, path: &str, state: FolderSync) {
        self.write("save folder state", |tx| {
            let id = Store::folder_id(tx, path)?;
            tx.execute(
                "UPDATE folders SET uidvalidity = ?2, uidnext = ?3, highestmodseq = ?4, synced_at = ?5 WHERE id = ?1",
                params![
                    id,
                    state.uid_validity,
                    state.uid_next,
                    state.highest_modseq.map(|m| m.min(i64::MAX as u64) as i64),
                    state.synced_at
                ],
            )?;
            Ok(())
        });
    }

    /// Drops a folder's rows (and bodies) for a new UIDVALIDITY.
    pub fn reset_folder(&mut self, path: &str, uid_validity: u32) {
        self.write("reset folder", |tx| {
            let id = Store::folder_id(tx, path)?;
            tx.execute("DELETE FROM messages WHERE folder = ?1", [id])?;
            tx.execute(
                "UPDATE folders SET uidvalidity = ?2, uidnext = NULL, highestmodseq = NULL, synced_at = NULL WHERE id = ?1",
                params![id, uid_validity],
            )?;
            Ok(())
        });
    }

    pub fn save_counts(&mut self, counts: &[FolderCount]) {
        self.write("save counts", |tx| {
            for c in counts {
                tx.execute(
                    "UPDATE folders SET total = ?2, unseen = ?3 WHERE path = ?1",
                    params![c.path, c.total, c.unseen],
                )?;
            }
            Ok(())
        });
    }
}

pub(super) fn clamp_u32(v: i64) -> u32 {
    v.clamp(0, i64::from(u32::MAX)) as u32
}
