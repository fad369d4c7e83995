use super::*;
use crate::mail::envelope::{EnvelopeMeta, from_headers};
use crate::mail::types::{NewMessage, ThreadIds};
use crate::query::Now;

fn row(uid: u32, from: &str, subject: &str) -> NewMessage {
    NewMessage {
        envelope: from_headers(
            format!("From: {from}\r\nSubject: {subject}\r\n\r\n").as_bytes(),
            EnvelopeMeta {
                uid,
                size: 1000 * uid,
                received: Some(1_700_000_000 + i64::from(uid) * 86_400),
                ..Default::default()
            },
        ),
        ids: ThreadIds::default(),
        sender: None,
    }
}

fn body(from: &str, to: &str, subject: &str, text: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
    )
    .into_bytes()
}

fn html(from: &str, subject: &str, markup: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nSubject: {subject}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{markup}\r\n"
    )
    .into_bytes()
}

const NOW: Now = Now {
    unix: 1_800_000_000,
    utc_offset: 0,
};

fn find(s: &mut Store, q: &str) -> Vec<u32> {
    let q = crate::query::parse(q).unwrap();
    let mut v = s.search_local("INBOX", &q, &NOW);
    v.sort_unstable();
    v
}

/// Three rows, two of them with kept bodies.
fn filled() -> Store {
    let mut s = Store::in_memory("t", DEFAULT_BODY_BUDGET);
    s.insert(
        "INBOX",
        &[
            row(1, "Jürgen Müller <jm@example.org>", "Quarterly report"),
            row(2, "Ann Lee <ann@corp.example.com>", "Lunch on Friday"),
            row(3, "Bob <bob@x.test>", "Weekly status"),
        ],
    );
    s.put_body(
        "INBOX",
        1,
        &body(
            "Jürgen Müller <jm@example.org>",
            "Zoë <zoe@partners.example.net>",
            "Quarterly report",
            "The figures for the café branch are attached.",
        ),
        5,
    );
    s.put_body(
        "INBOX",
        2,
        &html(
            "Ann Lee <ann@corp.example.com>",
            "Lunch on Friday",
            "<p>Shall we meet at the <b>noodle</b> bar?</p>",
        ),
        6,
    );
    s
}

#[test]
fn words_in_subjects_senders_and_kept_bodies_are_found() {
    let mut s = filled();
    assert_eq!(find(&mut s, "quarterly"), [1]);
    assert_eq!(find(&mut s, "subject:week"), [3], "a word prefix");
    assert_eq!(find(&mut s, "from:bob"), [3]);
    assert_eq!(find(&mut s, "figures"), [1], "plain text of a kept body");
    assert_eq!(find(&mut s, "noodle"), [2], "HTML turned to text");
    assert_eq!(find(&mut s, "body:noodle"), [2]);
    assert_eq!(find(&mut s, "subject:noodle"), Vec::<u32>::new());
    assert_eq!(find(&mut s, "\"figures for the\""), [1], "a phrase");
    assert_eq!(find(&mut s, "\"the figures branch\""), Vec::<u32>::new());
}

#[test]
fn diacritics_match_either_way() {
    let mut s = filled();
    assert_eq!(find(&mut s, "jurgen"), [1]);
    assert_eq!(find(&mut s, "Jürgen"), [1]);
    assert_eq!(find(&mut s, "cafe"), [1]);
    assert_eq!(find(&mut s, "to:zoe"), [1]);
}

#[test]
fn substrings_of_names_and_addresses_are_found() {
    let mut s = filled();
    assert_eq!(find(&mut s, "from:xample.org"), [1]);
    assert_eq!(find(&mut s, "from:rp.exam"), [2]);
    assert_eq!(find(&mut s, "to:partners"), [1]);
    assert_eq!(find(&mut s, "to:artner"), [1], "inside a word");
    assert_eq!(find(&mut s, "from:ülle"), [1]);
    assert_eq!(find(&mut s, "cc:partners"), Vec::<u32>::new());
    // Shorter than a trigram: word prefixes.
    assert_eq!(find(&mut s, "from:bo"), [3]);
}

#[test]
fn flags_dates_sizes_and_boolean_structure_come_from_the_rows() {
    let mut s = filled();
    s.change_flag("INBOX", &[2], crate::mail::types::FlagKind::Flagged, true);
    assert_eq!(find(&mut s, "is:flagged"), [2]);
    assert_eq!(find(&mut s, "is:unread"), [1, 2, 3]);
    assert_eq!(find(&mut s, "larger:1500"), [2, 3]);
    assert_eq!(find(&mut s, "smaller:1500"), [1]);
    assert_eq!(find(&mut s, "quarterly OR noodle"), [1, 2]);
    assert_eq!(find(&mut s, "-quarterly"), [2, 3]);
    assert_eq!(find(&mut s, "NOT (from:bob OR is:flagged)"), [1]);
    // Where the search runs is the caller's to decide: kept either way.
    assert_eq!(find(&mut s, "folder:Elsewhere weekly"), [3]);
    assert_eq!(find(&mut s, "-folder:Elsewhere weekly"), [3]);
    let day = 1_700_000_000 + 2 * 86_400;
    let spec = chrono::DateTime::from_timestamp(day, 0).unwrap();
    assert_eq!(
        find(&mut s, &format!("date:{}", spec.format("%Y-%m-%d"))),
        [2]
    );
    // Text FTS5 would read as syntax is only text.
    assert_eq!(
        find(&mut s, "subject:\"report\\\" OR lunch\""),
        Vec::<u32>::new()
    );
    assert_eq!(
        find(&mut s, "subject:\"*\""),
        [1, 2, 3],
        "no words: undecided"
    );
}

#[test]
fn the_index_follows_expunges_resets_and_evictions() {
    let mut s = filled();
    s.remove("INBOX", &[3]);
    assert_eq!(find(&mut s, "weekly"), Vec::<u32>::new());
    // Inserting a row again keeps its body's text.
    // A row stored again loses its kept body (the key is replaced), and
    // the index its text.
    s.insert("INBOX", &[row(1, "Jürgen Müller", "Quarterly report")]);
    assert_eq!(s.kept_bodies("INBOX", &[1]), Vec::<u32>::new());
    assert_eq!(find(&mut s, "figures"), Vec::<u32>::new());
    assert_eq!(find(&mut s, "quarterly"), [1]);
    s.put_body(
        "INBOX",
        1,
        &body("J", "K", "Quarterly report", "The figures"),
        7,
    );
    assert_eq!(find(&mut s, "figures"), [1]);
    // A body evicted: its text goes, the row's stays.
    s.db.execute("DELETE FROM bodies WHERE uid = 1", [])
        .unwrap();
    assert_eq!(find(&mut s, "figures"), Vec::<u32>::new());
    assert_eq!(find(&mut s, "quarterly"), [1]);
    s.reset_folder("INBOX", 77);
    assert_eq!(find(&mut s, "noodle OR quarterly"), Vec::<u32>::new());
    let n: i64 =
        s.db.query_row(
            "SELECT COUNT(*) FROM fts_words WHERE fts_words MATCH 'lunch'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 0, "nothing of the folder is left in the index");
}

#[test]
fn eviction_under_the_budget_drops_text_from_the_index() {
    let mut s = Store::in_memory("t", 1000);
    s.insert("INBOX", &[row(1, "A", "one"), row(2, "B", "two")]);
    s.put_body("INBOX", 1, &body("A", "x", "one", &"alpha ".repeat(100)), 1);
    assert_eq!(find(&mut s, "alpha"), [1]);
    s.put_body("INBOX", 2, &body("B", "x", "two", &"beta ".repeat(100)), 2);
    assert_eq!(s.kept_bodies("INBOX", &[1, 2]), [2]);
    assert_eq!(find(&mut s, "alpha"), Vec::<u32>::new());
    assert_eq!(find(&mut s, "beta"), [2]);
    assert_eq!(find(&mut s, "one"), [1]);
}

#[test]
fn a_long_body_is_indexed_up_to_the_cap() {
    let t = fts::text_of(
        &body(
            "A",
            "B",
            "s",
            &format!("{} tailword", "é".repeat(fts::TEXT_MAX)),
        ),
        false,
    )
    .unwrap();
    assert!(t.body.len() <= fts::TEXT_MAX);
    assert!(!t.body.contains("tailword"));
}

#[test]
fn a_store_from_before_the_index_is_indexed_in_batches() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_for(dir.path(), "work");
    {
        let mut db = rusqlite::Connection::open(&path).unwrap();
        schema::migrate_to(&mut db, 4).unwrap();
        db.execute("INSERT INTO folders (id, path) VALUES (1, 'INBOX')", [])
            .unwrap();
        let mut q = db
            .prepare(
                "INSERT INTO messages (folder, uid, date, sender, subject, flags, size, attachment)
                 VALUES (1, ?1, 5, 'Bob', ?2, 0, 10, 0)",
            )
            .unwrap();
        for uid in 1..=1200u32 {
            let subject = if uid == 1100 { "needle" } else { "hay" };
            q.execute(rusqlite::params![uid, subject]).unwrap();
        }
        db.execute(
            "INSERT INTO bodies (folder, uid, size, read_at, raw) VALUES (1, 7, 40, 1, ?1)",
            [body("Bob", "Eve <eve@x>", "hay", "a buried treasure")],
        )
        .unwrap();
    }
    let mut s = Store::open(&path, "work", DEFAULT_BODY_BUDGET);
    assert!(s.index_pending());
    assert_eq!(find(&mut s, "needle"), Vec::<u32>::new(), "not yet indexed");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    s.tell_index_progress(3, tx);
    let mut batches = 0;
    while s.index_pending() {
        s.index_batch();
        batches += 1;
        assert!(batches < 100, "the build ends");
    }
    assert!(
        batches >= 3,
        "{batches} batches of at most {}",
        fts::BUILD_BATCH
    );
    let mut last = None;
    while let Ok((account, ev)) = rx.try_recv() {
        assert_eq!(account, 3);
        if let crate::worker::WorkerEvent::Indexing(p) = ev {
            last = Some(p);
        }
    }
    assert_eq!(
        last,
        Some(fts::Progress {
            done: 1200,
            total: 1200
        })
    );
    assert_eq!(find(&mut s, "needle"), [1100]);
    assert_eq!(find(&mut s, "treasure"), [7]);
    assert_eq!(find(&mut s, "to:eve@x"), [7]);
    drop(s);
    let s = Store::open(&path, "work", DEFAULT_BODY_BUDGET);
    assert!(!s.index_pending(), "a built index stays built");
}

#[test]
fn a_damaged_index_is_built_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_for(dir.path(), "work");
    let mut s = Store::open(&path, "work", DEFAULT_BODY_BUDGET);
    let rows: Vec<NewMessage> = (1..=300)
        .map(|u| row(u, "Carol <carol@x.test>", &format!("topic{u} common")))
        .collect();
    s.insert("INBOX", &rows);
    assert_eq!(find(&mut s, "topic42"), [42]);
    assert_eq!(find(&mut s, "common").len(), 300);
    s.db.execute_batch("UPDATE fts_words_data SET block = X'00ff00ff00ff00ff' WHERE id > 1")
        .unwrap();
    // The damage shows on a search: the index is dropped and rebuilt in
    // the background, the rows untouched.
    let _ = find(&mut s, "common");
    assert!(s.index_pending());
    assert_eq!(s.known("INBOX").len(), 300);
    while s.index_pending() {
        s.index_batch();
    }
    assert_eq!(find(&mut s, "topic42"), [42]);
    assert_eq!(find(&mut s, "common").len(), 300);
    assert!(
        std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .all(|e| !e.file_name().to_string_lossy().contains(".broken-"))
    );
}

#[test]
fn a_word_is_looked_up_by_the_primary_key_not_by_scanning_the_folder() {
    let mut s = filled();
    let q = crate::query::parse("quarterly").unwrap();
    let c = local_search::clause(q.expr(), &NOW, 1);
    let mut plan =
        s.db.prepare(&format!(
            "EXPLAIN QUERY PLAN SELECT m.uid FROM messages m WHERE m.folder = 1 AND ({})",
            c.sql
        ))
        .unwrap();
    let details: Vec<String> = plan
        .query_map(rusqlite::params_from_iter(c.params), |r| r.get(3))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        details
            .iter()
            .any(|d| d.contains("USING PRIMARY KEY (folder=? AND uid=?)")),
        "{details:#?}"
    );
    assert!(
        !details.iter().any(|d| d.starts_with("SCAN m")),
        "{details:#?}"
    );
    drop(plan);
    assert_eq!(find(&mut s, "quarterly"), [1]);
}

#[test]
fn the_recipient_a_row_keeps_is_found_without_a_body() {
    let mut s = Store::in_memory("t", DEFAULT_BODY_BUDGET);
    let mut sent = NewMessage {
        envelope: from_headers(
            b"From: Me <me@x.test>\r\nTo: Dana Scully <dana@fbi.example>\r\nSubject: files\r\n\r\n",
            EnvelopeMeta {
                uid: 7,
                ..Default::default()
            },
        ),
        ids: ThreadIds::default(),
        sender: None,
    };
    assert!(!sent.envelope.to.is_empty(), "the row keeps its To names");
    s.insert("Sent", std::slice::from_mut(&mut sent));
    let q = crate::query::parse("to:scully").unwrap();
    assert_eq!(s.search_local("Sent", &q, &NOW), vec![7]);
    let q = crate::query::parse("to:mulder").unwrap();
    assert!(s.search_local("Sent", &q, &NOW).is_empty());
}
