//! Address completion: who the user might mean when typing into To or Cc.
//! Plain functions and one async lookup, no UI; the compose screens call:
//!
//! - [`complete::token_at`]`(field, cursor)`: the entry being typed and
//!   the query to look up; [`complete::choose`]`(field, cursor, &candidate)`:
//!   the field after picking one (`Name <addr>, `) and the new cursor;
//!   [`complete::mailbox`] formats one address, quoting names that need it.
//! - [`rank::search`]`(&contacts, query, now, limit)`: the store's matches,
//!   best first. `contacts` come from `StoreHandle::contacts()` (read them
//!   once when the prompt opens; each keystroke is then a scan in memory of
//!   at most `store::addresses::MAX_ADDRESSES` entries); matching and the
//!   frecency score are described in [`rank`]. [`rank::combine`] joins
//!   several accounts' books.
//! - [`external::lookup`]`(argv, query)`: the `address_book_command`'s
//!   candidates (aerc's `email<TAB>name` lines) and, if it failed, a
//!   sentence to show; limits in [`external`].
//! - [`merge`]`(store, external, limit)`: one list from both.
//! - After a send: `StoreHandle::record_sent(recipients, at)` with To, Cc
//!   and Bcc, so those addresses rank first next time.
//!
//! What the store keeps and leaves out (noreply senders, Sent/Drafts/Junk
//! folders, addresses that do not parse, overlong names) is in
//! [`crate::store::addresses`]. `mailtui addresses QUERY` prints
//! [`rank::search`] over every account's store for editor plugins
//! ([`print`]).

mod book;
pub mod complete;
pub mod external;
pub mod rank;

pub use book::{StoredMatches, stored_matches};

use std::io::Write;

/// Results `mailtui addresses` prints at most.
pub const CLI_LIMIT: usize = 50;

/// One completion: a lower-cased address and a display name (may be empty).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Candidate {
    pub email: String,
    pub name: String,
}

/// The store's matches (ranked) first, then the command's in its order,
/// each address once, at most `limit`. Where both know an address the
/// command's name wins when it has one: an address book is curated, a
/// name in a From line is whatever the sender's software put there.
pub fn merge(store: Vec<Candidate>, external: Vec<Candidate>, limit: usize) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::with_capacity(store.len() + external.len());
    for c in store {
        if !out.iter().any(|o| o.email == c.email) {
            out.push(c);
        }
    }
    for e in external {
        match out.iter_mut().find(|o| o.email == e.email) {
            Some(o) if !e.name.is_empty() => o.name = e.name,
            Some(_) => {}
            None => out.push(e),
        }
    }
    out.truncate(limit);
    out
}

/// Writes candidates as `mailtui addresses` prints them: `email<TAB>name`
/// per line, or just `email` without a name (what aerc's `address-book-cmd` reads; mutt's `query_command`
/// wants a first line before them, which `mailtui addresses` does not
/// print). Names hold no tabs or line breaks (the store cleaned them).
pub fn print(candidates: &[Candidate], out: &mut dyn Write) -> std::io::Result<()> {
    for c in candidates {
        if c.name.is_empty() {
            writeln!(out, "{}", c.email)?;
        } else {
            writeln!(out, "{}\t{}", c.email, c.name)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(email: &str, name: &str) -> Candidate {
        Candidate {
            email: email.into(),
            name: name.into(),
        }
    }

    #[test]
    fn merge_keeps_the_store_order_and_adds_the_rest() {
        let store = vec![cand("a@x", "Ann"), cand("b@x", "bob from header")];
        let external = vec![
            cand("c@x", "Cid"),
            cand("b@x", "Bob Builder"),
            cand("a@x", ""),
        ];
        let got = merge(store, external, 10);
        assert_eq!(
            got,
            [
                cand("a@x", "Ann"),
                cand("b@x", "Bob Builder"),
                cand("c@x", "Cid")
            ]
        );
        let got = merge(
            vec![cand("a@x", "")],
            vec![cand("c@x", ""), cand("d@x", "")],
            2,
        );
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn printed_as_email_tab_name() {
        let mut out = Vec::new();
        print(&[cand("a@x", "Ann Smith"), cand("b@x", "")], &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "a@x\tAnn Smith\nb@x\n");
    }
}
