//! The address book the store keeps for completion: one row per address
//! (lower-cased), with the display name last seen, how often and how
//! recently it was seen as the sender of received mail and used as a
//! recipient of sent mail. Ranking and matching are in
//! [`crate::addresses`]; this file holds what is stored and how.
//!
//! Senders are noted as list rows are stored ([`Store::insert`]), in the
//! same transaction and with one write per distinct address of a batch,
//! so a 100,000-message sync pays little for it. Left out on purpose:
//! - rows of Sent, Drafts and Junk folders (their From is the user, or spam);
//! - `noreply`-style senders ([`is_noreply`]): nobody writes to them;
//! - addresses that do not parse ([`address_key`]) or are longer than
//!   [`MAX_ADDRESS_LEN`], and names longer than [`MAX_NAME_CHARS`] (the
//!   address is kept without the name).
//!
//! A message is counted once per stored row: one moved to another folder
//! and stored there counts again, which ranking can live with.

use std::borrow::Cow;
use std::collections::{BTreeMap, btree_map};
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, params};

use super::Store;
use crate::mail::types::{FolderRole, NewMessage, Sender};
use crate::sanitize::Clean;

/// Longest address kept, in bytes (RFC 5321's limit for a path).
pub const MAX_ADDRESS_LEN: usize = 254;
/// Longest display name kept, in characters; a longer one is not a name.
pub const MAX_NAME_CHARS: usize = 128;
/// Rows kept at most; past it, [`Store::prune_addresses`] forgets senders
/// never written to, those seen longest ago first.
pub const MAX_ADDRESSES: u64 = 50_000;

/// How long `mailtui addresses` waits when SQLite says busy (a reader
/// does not wait for the app's writes in WAL mode, only for rare steps
/// such as recovering the log after a crash).
const READ_BUSY: Duration = Duration::from_secs(2);

/// One address as the store knows it. Times are Unix seconds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Contact {
    /// Lower-cased.
    pub email: String,
    /// The display name last seen or used with it; empty when none.
    pub name: String,
    /// When that name was seen (0 when none).
    pub name_at: i64,
    /// Received messages it sent, and the newest one's date.
    pub received: u32,
    pub received_at: Option<i64>,
    /// Sent messages it was a recipient of, and when the last was sent.
    pub sent: u32,
    pub sent_at: Option<i64>,
}

/// The address as the book's key: lower-cased, or None when it does not
/// look like `local@domain` (one `@`, no spaces, controls, brackets,
/// quotes or commas, a domain of letters, digits, `-` and `.`), or is
/// longer than [`MAX_ADDRESS_LEN`]. Quoted local parts are not taken:
/// they are rare, and nobody types them.
pub fn address_key(raw: &str) -> Option<String> {
    key(raw).map(Cow::into_owned)
}

/// [`address_key`], borrowing when the address is lower-case already.
fn key(raw: &str) -> Option<Cow<'_, str>> {
    let raw = raw.trim();
    if raw.len() > MAX_ADDRESS_LEN {
        return None;
    }
    let (local, domain) = raw.rsplit_once('@')?;
    let bad = |c: char| {
        c.is_whitespace()
            || c.is_control()
            || crate::sanitize::is_unsafe(c)
            || "<>()[],;:\"\\@".contains(c)
    };
    if local.is_empty() || local.len() > 64 || local.chars().any(bad) {
        return None;
    }
    let domain_ok = !domain.is_empty()
        && !domain.starts_with(['.', '-'])
        && !domain.ends_with(['.', '-'])
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    if !domain_ok {
        return None;
    }
    Some(if raw.chars().any(char::is_uppercase) {
        Cow::Owned(raw.to_lowercase())
    } else {
        Cow::Borrowed(raw)
    })
}

/// Senders nobody answers: a local part that, without `-`, `_`, `.` and
/// `+`, starts with `noreply`, `donotreply` or `dontreply`, or is
/// `mailerdaemon`. They are not noted as senders (most mail from them is
/// automatic and it would crowd out people); writing to one still counts.
pub fn is_noreply(email: &str) -> bool {
    let local = email.rsplit_once('@').map_or(email, |(l, _)| l);
    let squeezed: String = local
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | '.' | '+'))
        .flat_map(char::to_lowercase)
        .collect();
    ["noreply", "donotreply", "dontreply"]
        .iter()
        .any(|p| squeezed.starts_with(p))
        || squeezed == "mailerdaemon"
}

/// A display name fit to keep: cleaned for the screen, without a pair of
/// quotes of its own, empty when it only repeats the address or is longer
/// than [`MAX_NAME_CHARS`].
pub fn clean_name(raw: &str, email: &str) -> String {
    let clean = Clean::line(raw);
    let name = crate::mail::envelope::unwrapped(clean.as_str().trim()).trim();
    let bare = name.trim_start_matches('<').trim_end_matches('>');
    if name.chars().count() > MAX_NAME_CHARS || bare.eq_ignore_ascii_case(email) {
        return String::new();
    }
    name.to_string()
}

/// What one batch adds to an address: count, newest time, and the name
/// (as written) seen at the newest time that had one. Names are cleaned
/// only when written: a batch holds the same sender many times.
struct Tally<'a> {
    count: u32,
    at: i64,
    name: &'a str,
    name_at: i64,
}

impl<'a> Tally<'a> {
    fn new(at: i64, name: &'a str) -> Self {
        let name_at = if name.is_empty() { 0 } else { at };
        Tally {
            count: 1,
            at,
            name,
            name_at,
        }
    }

    fn add(&mut self, other: Tally<'a>) {
        self.count = self.count.saturating_add(other.count);
        self.at = self.at.max(other.at);
        if !other.name.is_empty() && other.name_at >= self.name_at {
            self.name = other.name;
            self.name_at = other.name_at;
        }
    }
}

/// Per address as written: a row costs a lookup, and each distinct
/// address is checked and lower-cased once per batch, not once per row.
type Raw<'a> = BTreeMap<&'a str, Tally<'a>>;

/// Per address key, sorted: written in key order, the inserts touch the
/// table's pages in order (a hash map's order was slower in
/// `MAILTUI_BENCH_ONLY=store cargo bench --bench mailbox`).
type Tallies<'a> = BTreeMap<Cow<'a, str>, Tally<'a>>;

fn tally<'a>(out: &mut Raw<'a>, sender: &'a Sender, at: i64) {
    let t = Tally::new(at, sender.name.trim());
    match out.entry(sender.address.trim()) {
        btree_map::Entry::Occupied(mut e) => e.get_mut().add(t),
        btree_map::Entry::Vacant(e) => {
            e.insert(t);
        }
    }
}

/// The raw tallies by address key: those that do not parse (and, if
/// asked, `noreply` ones) left out, spellings of one address joined.
fn by_key(raw: Raw<'_>, skip_noreply: bool) -> Tallies<'_> {
    let mut out = Tallies::new();
    for (address, t) in raw {
        let Some(k) = key(address) else {
            continue;
        };
        if skip_noreply && is_noreply(&k) {
            continue;
        }
        match out.entry(k) {
            btree_map::Entry::Occupied(mut e) => e.get_mut().add(t),
            btree_map::Entry::Vacant(e) => {
                e.insert(t);
            }
        }
    }
    out
}

/// The upsert for received (`received`) or sent (`sent`) counts. A name
/// replaces the stored one when it is at least as new.
fn upsert_sql(count: &str) -> String {
    format!(
        "INSERT INTO addresses (email, name, name_at, {count}, {count}_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(email) DO UPDATE SET
           {count} = {count} + excluded.{count},
           {count}_at = max(coalesce({count}_at, excluded.{count}_at), excluded.{count}_at),
           name = CASE WHEN excluded.name != '' AND excluded.name_at >= name_at
                  THEN excluded.name ELSE name END,
           name_at = CASE WHEN excluded.name != '' AND excluded.name_at >= name_at
                  THEN excluded.name_at ELSE name_at END"
    )
}

fn write_tallies(tx: &Connection, count: &str, tallies: Tallies<'_>) -> rusqlite::Result<()> {
    if tallies.is_empty() {
        return Ok(());
    }
    let mut q = tx.prepare_cached(&upsert_sql(count))?;
    for (email, t) in tallies {
        let name = clean_name(t.name, &email);
        let name_at = if name.is_empty() { 0 } else { t.name_at };
        q.execute(params![email, name, name_at, t.count, t.at])?;
    }
    Ok(())
}

/// Notes the senders of rows being stored in a folder with `role`, inside
/// the transaction that stores them. `now` caps dates from the future.
pub(super) fn note_senders(
    tx: &Connection,
    role: FolderRole,
    rows: &[NewMessage],
    now: i64,
) -> rusqlite::Result<()> {
    if matches!(
        role,
        FolderRole::Sent | FolderRole::Drafts | FolderRole::Junk
    ) {
        return Ok(());
    }
    let mut raw = Raw::new();
    for m in rows {
        if let Some(s) = &m.sender {
            let at = m.envelope.date.unwrap_or(now).min(now);
            tally(&mut raw, s, at);
        }
    }
    write_tallies(tx, "received", by_key(raw, true))
}

fn read_all(db: &Connection) -> rusqlite::Result<Vec<Contact>> {
    let mut q = db.prepare_cached(
        "SELECT email, name, name_at, received, received_at, sent, sent_at FROM addresses",
    )?;
    let count = |v: i64| v.clamp(0, i64::from(u32::MAX)) as u32;
    let rows = q.query_map([], |r| {
        Ok(Contact {
            email: r.get(0)?,
            name: r.get(1)?,
            name_at: r.get(2)?,
            received: count(r.get(3)?),
            received_at: r.get(4)?,
            sent: count(r.get(5)?),
            sent_at: r.get(6)?,
        })
    })?;
    rows.collect()
}

impl Store {
    /// Notes the recipients (To, Cc and Bcc together) of a message sent at
    /// `at`: each counts once, however often it appears. Addresses that do
    /// not parse are left out; `noreply` ones are not (the user chose them).
    pub fn record_sent(&mut self, recipients: &[Sender], at: i64) {
        let mut raw = Raw::new();
        for r in recipients {
            tally(&mut raw, r, at);
        }
        let mut tallies = by_key(raw, false);
        for t in tallies.values_mut() {
            t.count = 1;
        }
        if tallies.is_empty() {
            return;
        }
        self.write("save recipients", |tx| write_tallies(tx, "sent", tallies));
    }

    /// Every address the store knows, unranked (see [`crate::addresses`]).
    pub fn contacts(&mut self) -> Vec<Contact> {
        self.read("read addresses", read_all).unwrap_or_default()
    }

    /// Keeps the book within [`MAX_ADDRESSES`]: forgets senders never
    /// written to, seen longest ago first. Run when the app opens the store.
    pub fn prune_addresses(&mut self) {
        let count = self
            .read("count addresses", |db| {
                db.query_row("SELECT count(*) FROM addresses", [], |r| r.get::<_, i64>(0))
            })
            .unwrap_or(0)
            .max(0) as u64;
        if count <= MAX_ADDRESSES {
            return;
        }
        let excess = (count - MAX_ADDRESSES) as i64;
        self.write("forget old addresses", |tx| {
            tx.execute(
                "DELETE FROM addresses WHERE email IN (
                   SELECT email FROM addresses WHERE sent = 0
                   ORDER BY coalesce(received_at, 0), email LIMIT ?1)",
                [excess],
            )
        });
    }
}

impl super::StoreHandle {
    /// [`Store::record_sent`] on the store's thread; not waited for.
    pub fn record_sent(&self, recipients: Vec<Sender>, at: i64) {
        self.send(move |s| s.record_sent(&recipients, at));
    }

    /// [`Store::contacts`], read on the store's thread (empty if it is gone).
    pub async fn contacts(&self) -> Vec<Contact> {
        self.call(Store::contacts).await.unwrap_or_default()
    }
}

/// Why the address book of a store file could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the address book in {file}: {source}")]
pub struct ReadError {
    file: String,
    source: rusqlite::Error,
}

/// Reads the address book of the store at `path` without taking the
/// app's lock and without writing: for `mailtui addresses`, which runs
/// beside the app (its editor asks while it is open). SQLite's WAL lets a
/// reader in while another process writes. A store from before the
/// address book has none yet: empty, not an error. No file: empty.
pub fn read_contacts(path: &Path) -> Result<Vec<Contact>, ReadError> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let fail = |source| ReadError {
        file: path.display().to_string(),
        source,
    };
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_NOFOLLOW;
    let db = Connection::open_with_flags(path, flags).map_err(fail)?;
    db.busy_timeout(READ_BUSY).map_err(fail)?;
    let has_table: bool = db
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'addresses'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n > 0)
        .map_err(fail)?;
    if !has_table {
        return Ok(Vec::new());
    }
    read_all(&db).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_lower_cased_and_checked() {
        assert_eq!(
            address_key(" John.Smith@Example.COM ").as_deref(),
            Some("john.smith@example.com")
        );
        assert_eq!(
            address_key("jürgen@müller.de").as_deref(),
            Some("jürgen@müller.de")
        );
        assert_eq!(
            address_key("root@localhost").as_deref(),
            Some("root@localhost")
        );
        for bad in [
            "",
            "no-at-sign",
            "@example.com",
            "a@",
            "a b@example.com",
            "a@b@example.com",
            "<a@example.com>",
            "a@exa_mple.com",
            "a@.example.com",
            "a@example..com",
            "a,b@example.com",
            "\"quoted\"@example.com",
            "a\u{1b}[31m@example.com",
            "undisclosed-recipients:;",
        ] {
            assert_eq!(address_key(bad), None, "{bad:?}");
        }
        let long = format!("{}@example.com", "a".repeat(64));
        assert!(address_key(&long).is_some());
        assert_eq!(address_key(&format!("a{long}")), None, "local part > 64");
        let long_domain = format!("a@{}.com", "b".repeat(MAX_ADDRESS_LEN));
        assert_eq!(address_key(&long_domain), None);
    }

    #[test]
    fn noreply_senders_are_recognised() {
        for yes in [
            "noreply@github.com",
            "no-reply@accounts.google.com",
            "no_reply@x.example",
            "do-not-reply@bank.example",
            "DoNotReply@x.example",
            "noreply+abc@x.example",
            "mailer-daemon@x.example",
        ] {
            assert!(is_noreply(yes), "{yes}");
        }
        for no in [
            "notifications@github.com",
            "reply@x.example",
            "nora@x.example",
        ] {
            assert!(!is_noreply(no), "{no}");
        }
    }

    #[test]
    fn names_are_cleaned_and_bounded() {
        assert_eq!(clean_name("  'Bob Smith' ", "b@x"), "Bob Smith");
        assert_eq!(clean_name("\"Ann\"", "a@x"), "Ann");
        assert_eq!(clean_name("A@X", "a@x"), "", "only the address again");
        assert_eq!(clean_name("<a@x>", "a@x"), "");
        assert_eq!(
            clean_name("Evil\u{1b}]0;title\u{7}Name\tX", "e@x"),
            "EvilName X"
        );
        assert_eq!(clean_name(&"n".repeat(MAX_NAME_CHARS + 1), "n@x"), "");
        assert_eq!(
            clean_name(&"n".repeat(MAX_NAME_CHARS), "n@x").len(),
            MAX_NAME_CHARS
        );
    }
}
