//! The stored address books of every account, read for `mailtui addresses`.

use std::path::Path;

use super::{Candidate, rank};
use crate::config::{Account, AccountKind};
use crate::store;

/// What the stores gave: matches, and a sentence per store that could not
/// be read (the others still count).
#[derive(Debug, Default)]
pub struct StoredMatches {
    pub candidates: Vec<Candidate>,
    pub problems: Vec<String>,
}

/// Matches for `query` from each account's store in `cache_dir`, ranked
/// together (an address known to two accounts counts once, with both
/// counts). Stores are read without the app's lock, so this works while
/// mailtui runs. Maildir accounts keep no store file: they add nothing.
pub fn stored_matches(
    accounts: &[Account],
    cache_dir: &Path,
    query: &str,
    now: i64,
    limit: usize,
) -> StoredMatches {
    let mut contacts = Vec::new();
    let mut problems = Vec::new();
    for a in accounts {
        if matches!(a.kind, AccountKind::Maildir(_)) {
            continue;
        }
        match store::addresses::read_contacts(&store::file_for(cache_dir, &a.name)) {
            Ok(c) => contacts.extend(c),
            Err(e) => problems.push(format!("{}: {e}", a.name)),
        }
    }
    let contacts = rank::combine(contacts);
    StoredMatches {
        candidates: rank::search(&contacts, query, now, limit),
        problems,
    }
}
