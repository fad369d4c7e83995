//! A query over several folders of one account at once, for a results
//! view or a saved search: the rows each folder's stored messages give,
//! newest first. Like the search of one folder, the answer may hold more
//! than the query asks (the caller checks it with the matcher) and knows
//! only what the store holds: folders never opened have no rows here.

use rusqlite::types::Value as Sql;
use rusqlite::{OptionalExtension, params_from_iter};

use super::Store;
use super::folders::clamp_u32;
use super::local_search::clause;
use super::messages::row_envelope;
use crate::mail::types::Envelope;
use crate::query::{Now, Query};

/// One folder's part of the answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FolderHits {
    pub path: String,
    pub uid_validity: u32,
    /// Newest first (by UID).
    pub rows: Vec<Envelope>,
}

/// What a search across folders found in one account's store.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Everywhere {
    pub folders: Vec<FolderHits>,
    /// Folders asked for that the store has rows of.
    pub searched: usize,
    /// The UIDVALIDITY of each of those, matches or not: what a fetch of
    /// a folder's new mail is checked against.
    pub validities: Vec<(String, u32)>,
    /// Folders asked for that were never stored (never opened here).
    pub not_stored: Vec<String>,
    /// There were more matches than the cap: the newest are kept.
    pub cut: bool,
}

impl Store {
    /// The stored rows of `paths` the query may match, at most `max` in
    /// all (the newest by date), each folder's newest first.
    pub fn search_everywhere(
        &mut self,
        paths: &[String],
        query: &Query,
        now: &Now,
        max: usize,
    ) -> Everywhere {
        let mut out = Everywhere::default();
        for path in paths {
            let found = self.read("search across folders", |db| {
                let folder: Option<(i64, i64)> = db
                    .query_row(
                        "SELECT id, uidvalidity FROM folders WHERE path = ?1",
                        [path],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                let Some((id, validity)) = folder.filter(|(_, v)| *v != 0) else {
                    return Ok(None);
                };
                let c = clause(query.expr(), now, id);
                let sql = format!(
                    "SELECT m.uid, m.date, m.sender, m.subject, m.flags, m.size, m.attachment, m.recipient
                     FROM messages m WHERE m.folder = ? AND ({}) ORDER BY m.uid DESC LIMIT {}",
                    c.sql,
                    max.saturating_add(1)
                );
                let mut params = vec![Sql::Integer(id)];
                params.extend(c.params);
                let mut q = db.prepare(&sql)?;
                let rows = q.query_map(params_from_iter(params), row_envelope)?;
                let rows: Vec<Envelope> = rows.collect::<rusqlite::Result<_>>()?;
                Ok(Some((clamp_u32(validity), rows)))
            });
            match found.flatten() {
                Some((uid_validity, mut rows)) => {
                    out.searched += 1;
                    out.validities.push((path.clone(), uid_validity));
                    if rows.len() > max {
                        rows.truncate(max);
                        out.cut = true;
                    }
                    if !rows.is_empty() {
                        out.folders.push(FolderHits {
                            path: path.clone(),
                            uid_validity,
                            rows,
                        });
                    }
                }
                None => out.not_stored.push(path.clone()),
            }
        }
        // At most `max` in all: the newest by date across the folders.
        let total: usize = out.folders.iter().map(|f| f.rows.len()).sum();
        if total > max && max > 0 {
            let date = |e: &Envelope| e.date.unwrap_or(i64::MIN);
            let mut dates: Vec<i64> = out
                .folders
                .iter()
                .flat_map(|f| f.rows.iter().map(date))
                .collect();
            dates.sort_unstable_by(|a, b| b.cmp(a));
            let cutoff = dates[max - 1];
            // Rows at the cutoff date fill what the newer ones leave.
            let mut ties = max - dates.iter().filter(|d| **d > cutoff).count();
            for f in &mut out.folders {
                f.rows.retain(|e| {
                    let d = date(e);
                    if d > cutoff {
                        return true;
                    }
                    if d == cutoff && ties > 0 {
                        ties -= 1;
                        return true;
                    }
                    false
                });
            }
            out.folders.retain(|f| !f.rows.is_empty());
            out.cut = true;
        }
        out
    }
}
