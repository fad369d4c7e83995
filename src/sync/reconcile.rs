//! Reconcile, as plain functions: what the store knew plus what the server
//! answered gives what to change. No I/O here; the worker feeds these and
//! carries out the result.

use std::collections::HashSet;

use super::known::Known;
use crate::mail::backend::{KnownState, Selected};
use crate::mail::types::{FlagUpdate, NewMessage};

/// What the store keeps about a folder besides its messages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FolderSync {
    pub uid_validity: u32,
    pub uid_next: Option<u32>,
    /// Only written once every flag up to it has been applied.
    pub highest_modseq: Option<u64>,
    /// Unix seconds of the last complete reconcile.
    pub synced_at: Option<i64>,
}

impl FolderSync {
    /// What to offer the server with SELECT (QRESYNC).
    pub fn known_state(&self) -> Option<KnownState> {
        Some(KnownState {
            uid_validity: self.uid_validity,
            highest_modseq: self.highest_modseq.filter(|m| *m > 0)?,
        })
    }
}

/// How to bring flags up to date after SELECT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagPlan {
    /// Nothing can have changed (same HIGHESTMODSEQ), or QRESYNC already
    /// said what did.
    UpToDate,
    /// `UID FETCH … (FLAGS) (CHANGEDSINCE m)` over the known range.
    ChangedSince(u64),
    /// Fetch every known message's flags, newest first in windows.
    Scan,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectPlan {
    /// The stored rows are for another UIDVALIDITY (or can't be trusted):
    /// drop them all.
    pub reset: Option<String>,
    pub flags: FlagPlan,
    /// Whether `UID SEARCH ALL` is needed to find expunges and new UIDs.
    /// Not with a QRESYNC answer that covers the folder.
    pub list_uids: bool,
}

/// Decides what SELECT's answer means for what the store holds.
pub fn on_select(stored: Option<&FolderSync>, known: &Known, sel: &Selected) -> SelectPlan {
    let fresh = |why: String| SelectPlan {
        reset: Some(why),
        flags: FlagPlan::UpToDate,
        list_uids: true,
    };
    let Some(stored) = stored else {
        return SelectPlan {
            reset: (!known.is_empty()).then(|| "no folder state was stored".into()),
            flags: FlagPlan::Scan,
            list_uids: true,
        };
    };
    if sel.uid_validity == 0 {
        // RFC 3501 forbids 0; such a server gives no way to trust cached UIDs.
        return fresh("the server gives no UIDVALIDITY".into());
    }
    if stored.uid_validity != sel.uid_validity {
        return fresh(format!(
            "UIDVALIDITY changed from {} to {}",
            stored.uid_validity, sel.uid_validity
        ));
    }
    if let (Some(was), Some(now)) = (stored.uid_next, sel.uid_next)
        && now < was
    {
        return fresh(format!("UIDNEXT went down from {was} to {now}"));
    }
    if sel.changes.is_some() {
        return SelectPlan {
            reset: None,
            flags: FlagPlan::UpToDate,
            list_uids: false,
        };
    }
    let flags = match (stored.highest_modseq, sel.highest_modseq) {
        (Some(was), Some(now)) if now == was => FlagPlan::UpToDate,
        (Some(was), Some(now)) if now > was => FlagPlan::ChangedSince(was),
        // Went down, or one side has none: trust nothing about flags.
        _ => FlagPlan::Scan,
    };
    SelectPlan {
        reset: None,
        flags,
        list_uids: true,
    }
}

/// Expunged (known, not on the server) and missing (on the server, not
/// known) UIDs, each ascending.
pub fn diff_uids(known: &Known, server: &[u32]) -> (Vec<u32>, Vec<u32>) {
    let on_server: HashSet<u32> = server.iter().copied().collect();
    let expunged: Vec<u32> = known.uids().filter(|u| !on_server.contains(u)).collect();
    let mut missing: Vec<u32> = server
        .iter()
        .copied()
        .filter(|u| *u != 0 && !known.contains(*u))
        .collect();
    missing.sort_unstable();
    missing.dedup();
    (expunged, missing)
}

/// Splits ascending UIDs into windows, newest first: `first` UIDs, then
/// `rest` at a time. Each window is ascending.
pub fn windows_newest_first(uids: &[u32], first: usize, rest: usize) -> Vec<Vec<u32>> {
    let mut out = Vec::new();
    let mut end = uids.len();
    let mut size = first.max(1);
    while end > 0 {
        let start = end.saturating_sub(size);
        out.push(uids[start..end].to_vec());
        end = start;
        size = rest.max(1);
    }
    out
}

/// UID ranges covering the known messages, `size` messages each, newest
/// first; a flag scan fetches one range per round trip.
pub fn flag_ranges(known: &Known, size: usize) -> Vec<(u32, u32)> {
    let uids: Vec<u32> = known.uids().collect();
    windows_newest_first(&uids, size, size)
        .into_iter()
        .filter_map(|w| Some((*w.first()?, *w.last()?)))
        .collect()
}

/// What a server sent back for a request, minus what it should not have
/// sent: rows for UIDs not asked for, UID 0, duplicates and rows already
/// known. Returns the accepted rows and how many were dropped.
pub fn accept_rows(
    asked: impl Fn(u32) -> bool,
    known: &Known,
    rows: Vec<NewMessage>,
) -> (Vec<NewMessage>, usize) {
    let total = rows.len();
    let mut seen = HashSet::new();
    let accepted: Vec<NewMessage> = rows
        .into_iter()
        .filter(|r| {
            let uid = r.envelope.uid;
            uid != 0 && asked(uid) && !known.contains(uid) && seen.insert(uid)
        })
        .collect();
    let dropped = total - accepted.len();
    (accepted, dropped)
}

/// Flag states inside `lo..=hi` only; later duplicates win (the server's
/// last word).
pub fn accept_flags(lo: u32, hi: u32, updates: Vec<FlagUpdate>) -> (Vec<FlagUpdate>, usize) {
    let total = updates.len();
    let mut by_uid = std::collections::BTreeMap::new();
    for u in updates {
        if u.uid != 0 && (lo..=hi).contains(&u.uid) {
            by_uid.insert(u.uid, u);
        }
    }
    let dropped = total - by_uid.len();
    (by_uid.into_values().collect(), dropped)
}

#[cfg(test)]
#[path = "reconcile_tests.rs"]
mod tests;
