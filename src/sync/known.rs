//! The UIDs and flags of one folder as the client knows them: what the
//! store holds, kept in step with every change the worker applies.

use crate::mail::types::{FlagUpdate, Flags};

/// Ascending by UID, no duplicates; 8 bytes a message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Known {
    rows: Vec<(u32, Flags)>,
}

impl Known {
    pub fn new(mut rows: Vec<(u32, Flags)>) -> Self {
        rows.retain(|(uid, _)| *uid != 0);
        rows.sort_unstable_by_key(|(uid, _)| *uid);
        rows.dedup_by_key(|(uid, _)| *uid);
        Known { rows }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn max_uid(&self) -> u32 {
        self.rows.last().map_or(0, |(uid, _)| *uid)
    }

    pub fn unseen(&self) -> usize {
        self.rows.iter().filter(|(_, f)| !f.seen).count()
    }

    pub fn uids(&self) -> impl DoubleEndedIterator<Item = u32> + '_ {
        self.rows.iter().map(|(uid, _)| *uid)
    }

    pub fn flags(&self, uid: u32) -> Option<Flags> {
        self.find(uid).ok().map(|i| self.rows[i].1)
    }

    pub fn contains(&self, uid: u32) -> bool {
        self.find(uid).is_ok()
    }

    fn find(&self, uid: u32) -> Result<usize, usize> {
        self.rows.binary_search_by_key(&uid, |(u, _)| *u)
    }

    /// Removes these UIDs; returns the ones that were there.
    pub fn remove(&mut self, uids: &[u32]) -> Vec<u32> {
        let mut gone: Vec<u32> = uids.iter().copied().filter(|u| self.contains(*u)).collect();
        gone.sort_unstable();
        gone.dedup();
        if !gone.is_empty() {
            self.rows
                .retain(|(uid, _)| gone.binary_search(uid).is_err());
        }
        gone
    }

    /// Adds rows not known yet; returns how many were new.
    pub fn insert(&mut self, rows: impl IntoIterator<Item = (u32, Flags)>) -> usize {
        let before = self.rows.len();
        for (uid, flags) in rows {
            if uid == 0 {
                continue;
            }
            // New mail sorts last; only the rare older UID needs a search.
            if uid > self.max_uid() {
                self.rows.push((uid, flags));
            } else if let Err(i) = self.find(uid) {
                self.rows.insert(i, (uid, flags));
            }
        }
        self.rows.len() - before
    }

    /// Applies flag states for known messages; returns those that changed.
    pub fn update_flags(&mut self, updates: &[FlagUpdate]) -> Vec<FlagUpdate> {
        let mut changed = Vec::new();
        for u in updates {
            if let Ok(i) = self.find(u.uid)
                && self.rows[i].1 != u.flags
            {
                self.rows[i].1 = u.flags;
                changed.push(*u);
            }
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(s: bool) -> Flags {
        Flags {
            seen: s,
            ..Flags::default()
        }
    }

    #[test]
    fn new_sorts_dedups_and_drops_uid_zero() {
        let k = Known::new(vec![
            (5, seen(true)),
            (0, seen(true)),
            (2, seen(false)),
            (5, seen(false)),
        ]);
        assert_eq!(k.uids().collect::<Vec<_>>(), [2, 5]);
        assert_eq!(k.max_uid(), 5);
        assert_eq!(k.unseen(), 1);
    }

    #[test]
    fn insert_remove_and_flag_changes_report_what_happened() {
        let mut k = Known::new(vec![(1, seen(false)), (3, seen(false))]);
        assert_eq!(
            k.insert([
                (4, seen(true)),
                (2, seen(true)),
                (3, seen(true)),
                (0, seen(true))
            ]),
            2
        );
        assert_eq!(k.uids().collect::<Vec<_>>(), [1, 2, 3, 4]);
        assert_eq!(
            k.flags(3),
            Some(seen(false)),
            "a known row is not overwritten by insert"
        );
        assert_eq!(k.remove(&[9, 2, 2, 4]), [2, 4]);
        let changed = k.update_flags(&[
            FlagUpdate {
                uid: 1,
                flags: seen(true),
            },
            FlagUpdate {
                uid: 3,
                flags: seen(false),
            },
            FlagUpdate {
                uid: 7,
                flags: seen(true),
            },
        ]);
        assert_eq!(
            changed,
            [FlagUpdate {
                uid: 1,
                flags: seen(true)
            }]
        );
        assert_eq!(k.unseen(), 1);
    }
}
