//! The address book on a real database file: filled as rows are stored,
//! migrated into an existing store, read beside the app.

use super::addresses::{Contact, MAX_ADDRESSES, read_contacts};
use super::*;
use crate::mail::list_row;
use crate::mail::types::{Folder, FolderRole, NewMessage, Sender};
use crate::sanitize::Clean;

const NOW: i64 = 1_700_000_000;

fn row(uid: u32, from: &str, date: i64) -> NewMessage {
    let headers = format!("From: {from}\r\nSubject: s{uid}\r\n\r\n");
    let mut m = list_row::from_headers(headers.as_bytes(), Default::default());
    m.envelope.uid = uid;
    m.envelope.date = Some(date);
    m
}

fn folder(path: &str, role: FolderRole) -> Folder {
    Folder {
        path: path.into(),
        name: Clean::line(path),
        depth: 0,
        selectable: true,
        role,
    }
}

fn book(s: &mut Store) -> Vec<Contact> {
    let mut c = s.contacts();
    c.sort_by(|a, b| a.email.cmp(&b.email));
    c
}

fn sender(address: &str, name: &str) -> Sender {
    Sender {
        address: address.into(),
        name: name.into(),
    }
}

#[test]
fn stored_rows_fill_the_book() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&file_for(dir.path(), "work"), "work", u64::MAX);
    s.save_folders(&[
        folder("INBOX", FolderRole::Inbox),
        folder("Sent", FolderRole::Sent),
        folder("Junk", FolderRole::Junk),
    ]);
    s.insert(
        "INBOX",
        &[
            row(1, "Ann Smith <Ann@Example.org>", NOW - 300),
            row(2, "\"Smith, Ann\" <ann@example.org>", NOW - 100),
            row(3, "ann@example.org", NOW - 50),
            row(4, "GitHub <noreply@github.com>", NOW - 10),
            row(5, "Broken <not an address>", NOW - 10),
            row(6, "Bob <bob@example.org>", NOW + 999_999),
        ],
    );
    // Their From is the user, or spam.
    s.insert("Sent", &[row(1, "Me <me@example.org>", NOW)]);
    s.insert("Junk", &[row(1, "Win <prize@spam.example>", NOW)]);
    // A later batch adds to the counts; an older name does not win.
    s.insert("INBOX", &[row(7, "Annie <ann@example.org>", NOW - 1000)]);

    let got = book(&mut s);
    assert_eq!(got.len(), 2, "{got:#?}");
    let ann = &got[0];
    assert_eq!(ann.email, "ann@example.org");
    assert_eq!(
        ann.name, "Smith, Ann",
        "the name of the newest message that had one"
    );
    assert_eq!((ann.received, ann.received_at), (4, Some(NOW - 50)));
    assert_eq!((ann.sent, ann.sent_at), (0, None));
    let bob = &got[1];
    assert_eq!(bob.email, "bob@example.org");
    assert!(
        bob.received_at.unwrap() <= crate::auth::oauth::now(),
        "no dates from the future"
    );
}

#[test]
fn sent_mail_counts_each_recipient_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&file_for(dir.path(), "work"), "work", u64::MAX);
    s.insert("INBOX", &[row(1, "Ann <ann@example.org>", NOW - 100)]);
    s.record_sent(
        &[
            sender("ANN@example.org", "Ann S."),
            sender("ann@example.org", ""),
            sender("carl@example.org", ""),
            sender("no-reply@example.org", "Robot"),
            sender("bad address", "Nobody"),
        ],
        NOW,
    );
    s.record_sent(&[sender("carl@example.org", "Carl")], NOW + 10);
    let got = book(&mut s);
    let summary: Vec<(&str, &str, u32, u32)> = got
        .iter()
        .map(|c| (c.email.as_str(), c.name.as_str(), c.received, c.sent))
        .collect();
    assert_eq!(
        summary,
        [
            ("ann@example.org", "Ann S.", 1, 1),
            ("carl@example.org", "Carl", 0, 2),
            ("no-reply@example.org", "Robot", 0, 1),
        ]
    );
    assert_eq!(got[1].sent_at, Some(NOW + 10));
}

#[test]
fn an_existing_store_gets_an_empty_book_that_then_fills() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_for(dir.path(), "work");
    {
        let mut db = rusqlite::Connection::open(&path).unwrap();
        schema::migrate_to(&mut db, 3).unwrap();
        db.execute("INSERT INTO folders (id, path) VALUES (1, 'INBOX')", [])
            .unwrap();
        db.execute(
            "INSERT INTO messages (folder, uid, date, sender, subject, flags, size, attachment)
             VALUES (1, 2, 5, 'Bob', 'old row', 1, 10, 0)",
            [],
        )
        .unwrap();
    }
    // Before the app ran once more: read, not migrated, nothing yet.
    assert_eq!(read_contacts(&path).unwrap(), []);
    let mut s = Store::open(&path, "work", u64::MAX);
    assert_eq!(schema::version(&s.db).unwrap(), schema::CURRENT);
    assert_eq!(s.contacts(), []);
    s.insert("INBOX", &[row(3, "Bob <bob@example.org>", NOW)]);
    assert_eq!(s.known("INBOX").len(), 2, "the old row is still there");
    assert_eq!(book(&mut s)[0].email, "bob@example.org");
}

#[test]
fn the_book_is_read_beside_the_app_without_its_lock() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_for(dir.path(), "work");
    assert_eq!(read_contacts(&path).unwrap(), [], "no file: nothing");
    assert!(!path.exists(), "and none created");
    let mut app = Store::open_exclusive(&path, "work", u64::MAX);
    assert_eq!(app.file(), Some(path.as_path()));
    app.insert("INBOX", &[row(1, "Ann <ann@example.org>", NOW)]);
    // The app holds the lock and has written to its WAL.
    let got = read_contacts(&path).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].name, "Ann");
    // The reader took nothing: the app still writes.
    app.insert("INBOX", &[row(2, "Bob <bob@example.org>", NOW)]);
    assert_eq!(read_contacts(&path).unwrap().len(), 2);
    drop(app);
    // Closed (its WAL files gone): still readable, and still not written.
    let before = std::fs::read(&path).unwrap();
    assert_eq!(read_contacts(&path).unwrap().len(), 2);
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn the_book_is_kept_within_its_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_for(dir.path(), "work");
    let mut s = Store::open(&path, "work", u64::MAX);
    let rows: Vec<NewMessage> = (0..MAX_ADDRESSES as u32 + 10)
        .map(|i| {
            let mut m = row(i + 1, "x@x.example", NOW - i64::from(i));
            m.sender = Some(sender(&format!("u{i}@x.example"), ""));
            m
        })
        .collect();
    s.insert("INBOX", &rows);
    // The oldest sender, but written to: kept.
    let last = format!("u{}@x.example", MAX_ADDRESSES + 9);
    s.record_sent(&[sender(&last, "")], NOW - 1_000_000);
    drop(s);
    let mut s = Store::open_exclusive(&path, "work", u64::MAX);
    let got = s.contacts();
    assert_eq!(got.len() as u64, MAX_ADDRESSES);
    assert!(got.iter().any(|c| c.email == last));
    assert!(
        got.iter().any(|c| c.email == "u0@x.example"),
        "the newest stay"
    );
    let oldest_sender = format!("u{}@x.example", MAX_ADDRESSES + 8);
    assert!(!got.iter().any(|c| c.email == oldest_sender));
}
