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

    /// Adds rows not known yet; returns how many were new. A batch is
    /// merged in one pass: a folder loaded newest first gets every batch
    /// below what it knows, and inserting those one by one shifted the
    /// whole list for each row (quadratic: seconds at 100,000 rows).
    pub fn insert(&mut self, rows: impl IntoIterator<Item = (u32, Flags)>) -> usize {
        let before = self.rows.len();
        let mut older = Vec::new();
        for (uid, flags) in rows {
            if uid == 0 {
                continue;
            }
            // New mail sorts last.
            if uid > self.max_uid() {
                self.rows.push((uid, flags));
            } else {
                older.push((uid, flags));
            }
        }
        if older.is_empty() {
            return self.rows.len() - before;
        }
        older.sort_by_key(|(uid, _)| *uid);
        older.dedup_by_key(|(uid, _)| *uid);
        let mut merged = Vec::with_capacity(self.rows.len() + older.len());
        let mut known = std::mem::take(&mut self.rows).into_iter().peekable();
        for row in older {
            while let Some(k) = known.next_if(|(u, _)| *u < row.0) {
                merged.push(k);
            }
            // A UID already known keeps what is known of it.
            if known.peek().is_none_or(|(u, _)| *u != row.0) {
                merged.push(row);
            }
        }
        merged.extend(known);
        self.rows = merged;
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

    proptest::proptest! {
        /// Batches in any order (newest first, as a big folder loads, or
        /// mixed) give what inserting row by row into a map gives.
        #[test]
        fn insert_matches_a_map(
            start in proptest::collection::vec((0u32..300, proptest::bool::ANY), 0..50),
            batches in proptest::collection::vec(
                proptest::collection::vec((0u32..300, proptest::bool::ANY), 0..60), 0..8),
        ) {
            // Distinct UIDs to start from (which of two equal ones `new`
            // keeps is not the point here).
            let mut model = std::collections::BTreeMap::new();
            for (u, s) in &start {
                if *u != 0 {
                    model.entry(*u).or_insert(*s);
                }
            }
            let mut k = Known::new(model.iter().map(|(u, s)| (*u, seen(*s))).collect());
            for batch in batches {
                let mut added = 0;
                for (u, s) in &batch {
                    if *u != 0 && !model.contains_key(u) {
                        model.insert(*u, *s);
                        added += 1;
                    }
                }
                let got = k.insert(batch.iter().map(|(u, s)| (*u, seen(*s))));
                proptest::prop_assert_eq!(got, added);
                let rows: Vec<(u32, bool)> = k.uids().map(|u| (u, k.flags(u).is_some_and(|f| f.seen))).collect();
                let want: Vec<(u32, bool)> = model.iter().map(|(u, s)| (*u, *s)).collect();
                proptest::prop_assert_eq!(rows, want);
            }
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
