use super::*;
use crate::mail::backend::FolderCount;
use crate::mail::envelope::{EnvelopeMeta, from_headers};
use crate::mail::types::{FlagUpdate, Flags, Folder, FolderRole, NewMessage, Sender, ThreadIds};
use crate::sanitize::Clean;
use crate::sync::FolderSync;

fn folder(path: &str) -> Folder {
    Folder {
        path: path.into(),
        name: Clean::line(path),
        depth: 0,
        selectable: true,
        role: if path == "INBOX" {
            FolderRole::Inbox
        } else {
            FolderRole::Other
        },
    }
}

fn msg(uid: u32, seen: bool) -> NewMessage {
    let mut m = NewMessage {
        envelope: from_headers(
            format!("From: Ann <a@x>\r\nSubject: message {uid}\r\n\r\n").as_bytes(),
            EnvelopeMeta {
                uid,
                size: 100 + uid,
                received: Some(1_700_000_000 + i64::from(uid)),
                ..Default::default()
            },
        ),
        ids: ThreadIds {
            message_id: Some(format!("m{uid}@x")),
            ..Default::default()
        },
        sender: Some(Sender {
            address: "a@x".into(),
            name: "Ann".into(),
        }),
    };
    m.envelope.flags.seen = seen;
    m
}

fn pages(s: &mut Store, path: &str, first: usize, rest: usize) -> Vec<Vec<u32>> {
    let mut out = Vec::new();
    s.envelopes(path, first, rest, |p, _| {
        // The last page is empty when the rows filled the pages before it.
        if !p.is_empty() {
            out.push(p.iter().map(|e| e.uid).collect());
        }
        true
    });
    out
}

fn state(v: u32) -> FolderSync {
    FolderSync {
        uid_validity: v,
        uid_next: Some(100),
        highest_modseq: Some(42),
        synced_at: Some(1_700_000_000),
    }
}

#[test]
fn rows_round_trip_newest_first_in_pages() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_for(dir.path(), "work");
    let mut s = Store::open(&path, "work", DEFAULT_BODY_BUDGET);
    assert!(s.is_persistent());
    s.save_folders(&[folder("INBOX"), folder("Archive")]);
    let rows: Vec<NewMessage> = (1..=7).map(|u| msg(u, u % 2 == 0)).collect();
    s.insert("INBOX", &rows);
    s.commit_sync("INBOX", state(9));
    drop(s);

    let mut s = Store::open(&path, "work", DEFAULT_BODY_BUDGET);
    assert_eq!(
        pages(&mut s, "INBOX", 2, 3),
        [vec![7, 6], vec![5, 4, 3], vec![2, 1]]
    );
    assert_eq!(s.folder_state("INBOX"), Some(state(9)));
    assert_eq!(s.folder_state("Archive"), None, "never synced");
    let known = s.known("INBOX");
    assert_eq!(known.len(), 7);
    assert!(known[1].1.seen && !known[0].1.seen);

    s.set_flags(
        "INBOX",
        &[FlagUpdate {
            uid: 1,
            flags: Flags {
                seen: true,
                flagged: true,
                ..Flags::default()
            },
        }],
    );
    s.remove("INBOX", &[2, 3]);
    let known = s.known("INBOX");
    assert_eq!(
        known.iter().map(|k| k.0).collect::<Vec<_>>(),
        [1, 4, 5, 6, 7]
    );
    assert!(known[0].1.flagged);
    let first = {
        let mut got = Vec::new();
        s.envelopes("INBOX", 1, 1, |p, _| {
            got.extend(p);
            false
        });
        got
    };
    assert_eq!(first.len(), 1, "a page callback can stop the read");
    assert_eq!(first[0].subject.as_str(), "message 7");
    assert_eq!(first[0].from.as_str(), "Ann");

    let listed: Vec<String> = s.folders().into_iter().map(|f| f.folder.path).collect();
    assert_eq!(listed, ["INBOX", "Archive"]);
    s.save_counts(&[FolderCount {
        path: "Archive".into(),
        total: 12,
        unseen: 3,
    }]);
    let archive = s
        .folders()
        .into_iter()
        .find(|f| f.folder.path == "Archive")
        .unwrap();
    assert_eq!((archive.total, archive.unseen), (Some(12), Some(3)));

    // A folder gone from the list takes its rows with it.
    s.save_folders(&[folder("Archive")]);
    assert!(s.known("INBOX").is_empty());
}

#[test]
fn a_new_uidvalidity_drops_rows_and_bodies() {
    let mut s = Store::in_memory("t", DEFAULT_BODY_BUDGET);
    s.insert("INBOX", &[msg(1, false), msg(2, false)]);
    s.commit_sync("INBOX", state(9));
    s.put_body("INBOX", 1, b"Subject: x\r\n\r\nbody", 5);
    assert!(s.body("INBOX", 1, 6).is_some());
    s.reset_folder("INBOX", 10);
    assert!(s.known("INBOX").is_empty());
    assert_eq!(
        s.folder_state("INBOX")
            .map(|f| (f.uid_validity, f.highest_modseq)),
        Some((10, None))
    );
    assert_eq!(s.stats().bodies, 0);
}

#[test]
fn bodies_are_evicted_least_recently_read_first() {
    let mut s = Store::in_memory("t", 1000);
    s.insert("INBOX", &[msg(1, false), msg(2, false), msg(3, false)]);
    s.put_body("INBOX", 1, &[b'a'; 400], 10);
    s.put_body("INBOX", 2, &[b'b'; 400], 11);
    // Reading 1 makes 2 the oldest.
    assert!(s.body("INBOX", 1, 12).is_some());
    s.put_body("INBOX", 3, &[b'c'; 400], 13);
    assert_eq!(s.kept_bodies("INBOX", &[1, 2, 3]), [1, 3]);
    assert!(s.stats().body_bytes <= 1000);
    // Bigger than the whole budget: not kept, nothing else evicted.
    s.put_body("INBOX", 2, &[b'd'; 2000], 14);
    assert_eq!(s.kept_bodies("INBOX", &[1, 2, 3]), [1, 3]);
    // A body for a message the store does not know is not kept.
    s.put_body("INBOX", 99, b"x", 15);
    assert_eq!(s.stats().bodies, 2);
}

#[test]
fn expunged_messages_lose_their_bodies() {
    let mut s = Store::in_memory("t", DEFAULT_BODY_BUDGET);
    s.insert("INBOX", &[msg(1, false)]);
    s.put_body("INBOX", 1, b"raw", 1);
    s.remove("INBOX", &[1]);
    assert_eq!(s.stats().bodies, 0);
}

#[test]
fn a_corrupt_file_is_moved_aside_and_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_for(dir.path(), "work");
    std::fs::write(&path, vec![0x5a; 64 * 1024]).unwrap();
    let mut s = Store::open(&path, "work", DEFAULT_BODY_BUDGET);
    assert!(s.is_persistent());
    s.insert("INBOX", &[msg(1, false)]);
    assert_eq!(s.known("INBOX").len(), 1);
    let aside: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".broken-"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
}

#[test]
fn damage_found_later_rebuilds_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_for(dir.path(), "work");
    {
        let mut s = Store::open(&path, "work", DEFAULT_BODY_BUDGET);
        let rows: Vec<NewMessage> = (1..=3000).map(|u| msg(u, false)).collect();
        s.insert("INBOX", &rows);
        let _ = s.db.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    // Scribble over the middle of the file, past the header.
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid..mid + 8192].fill(0xff);
    std::fs::write(&path, &bytes).unwrap();

    let mut s = Store::open(&path, "work", DEFAULT_BODY_BUDGET);
    let _ = s.known("INBOX");
    // Either the damage was seen and the store rebuilt, or the page read
    // was not the damaged one; in both cases the store keeps working.
    s.insert("INBOX", &[msg(5000, false)]);
    assert!(s.known("INBOX").iter().any(|(u, _)| *u == 5000));
}

#[test]
fn an_unusable_cache_dir_runs_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the directory should be: creating it fails, even as root.
    let blocker = dir.path().join("cache");
    std::fs::write(&blocker, "not a dir").unwrap();
    let mut s = Store::open(&blocker.join("work.sqlite3"), "work", DEFAULT_BODY_BUDGET);
    assert!(!s.is_persistent());
    s.insert("INBOX", &[msg(1, false)]);
    assert_eq!(s.known("INBOX").len(), 1, "still works, uncached");
}

#[test]
fn a_full_disk_stops_writes_and_keeps_what_was_stored() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_for(dir.path(), "work");
    let mut s = Store::open(&path, "work", DEFAULT_BODY_BUDGET);
    s.insert("INBOX", &[msg(1, false)]);
    // SQLite reports a full disk when the page limit is reached.
    let pages: i64 =
        s.db.pragma_query_value(None, "page_count", |r| r.get(0))
            .unwrap();
    s.db.pragma_update(None, "max_page_count", pages).unwrap();
    let many: Vec<NewMessage> = (2..=5000).map(|u| msg(u, false)).collect();
    s.insert("INBOX", &many);
    assert!(!s.writable);
    assert_eq!(
        s.known("INBOX").len(),
        1,
        "the failed batch left nothing half-written"
    );
    s.insert("INBOX", &[msg(9, false)]);
    assert_eq!(s.known("INBOX").len(), 1, "no more writes");
}

#[test]
fn migrates_from_the_previous_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_for(dir.path(), "work");
    {
        let mut db = rusqlite::Connection::open(&path).unwrap();
        schema::migrate_to(&mut db, schema::CURRENT - 1).unwrap();
        db.execute(
            "INSERT INTO folders (id, path, uidvalidity, uidnext) VALUES (1, 'INBOX', 9, 3)",
            [],
        )
        .unwrap();
        db.execute(
            "INSERT INTO messages (folder, uid, date, sender, subject, flags, size, attachment)
             VALUES (1, 2, 5, 'Bob', 'old row', 1, 10, 0)",
            [],
        )
        .unwrap(); // A body kept before bodies could be stand-ins.
        db.execute(
            "INSERT INTO bodies (folder, uid, size, read_at, raw) VALUES (1, 2, 4, 1, X'6f6c6421')",
            [],
        )
        .unwrap();
    }
    let mut s = Store::open(&path, "work", DEFAULT_BODY_BUDGET);
    assert_eq!(schema::version(&s.db).unwrap(), schema::CURRENT);
    let mut rows = Vec::new();
    s.envelopes("INBOX", 10, 10, |p, _| {
        rows.extend(p);
        true
    });
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].subject.as_str(), "old row");
    assert!(rows[0].flags.seen);
    assert_eq!(s.folder_state("INBOX").map(|f| f.uid_validity), Some(9));
    let kept = s.kept("INBOX", 2, 2).unwrap();
    assert_eq!((kept.raw.as_slice(), kept.partial), (&b"old!"[..], false));
    // What the new schema adds works on the old rows.
    s.keep("INBOX", 2, b"stand-in", true, 3);
    let kept = s.kept("INBOX", 2, 4).unwrap();
    assert_eq!(
        (kept.raw.as_slice(), kept.partial),
        (&b"stand-in"[..], true)
    );
    s.put_body("INBOX", 2, b"body", 5);
    assert!(!s.kept("INBOX", 2, 6).unwrap().partial);
}

#[test]
fn a_newer_schema_is_left_alone_not_misread() {
    // A newer mailtui may have it open right now: moving it would corrupt
    // its database. This one runs uncached instead.
    let dir = tempfile::tempdir().unwrap();
    let path = file_for(dir.path(), "work");
    {
        let db = rusqlite::Connection::open(&path).unwrap();
        db.pragma_update(None, "user_version", schema::CURRENT + 5)
            .unwrap();
    }
    let s = Store::open(&path, "work", DEFAULT_BODY_BUDGET);
    assert!(!s.is_persistent());
    assert_eq!(moved_aside(dir.path()), Vec::<String>::new());
    let db = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(schema::version(&db).unwrap(), schema::CURRENT + 5);
}

#[test]
fn hostile_text_in_the_database_is_cleaned_on_the_way_out() {
    let mut s = Store::in_memory("t", DEFAULT_BODY_BUDGET);
    s.insert("INBOX", &[msg(1, false)]);
    s.db.execute("UPDATE messages SET subject = 'a\x1b]0;x\x07b'", [])
        .unwrap();
    let mut rows = Vec::new();
    s.envelopes("INBOX", 5, 5, |p, _| {
        rows.extend(p);
        true
    });
    assert_eq!(rows[0].subject.as_str(), "ab");
}

#[test]
fn file_names_are_safe_and_distinct() {
    let d = std::path::Path::new("/c");
    let a = file_for(d, "../work");
    let b = file_for(d, "__work");
    assert_ne!(a, b);
    assert_eq!(a.parent(), Some(d));
    assert!(!a.to_string_lossy().contains(".."));
}

/// Names in `dir` of copies moved aside as damaged.
fn moved_aside(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".broken-"))
        .collect()
}

#[test]
fn stores_opened_at_once_on_a_fresh_file_all_migrate_and_none_moves_it() {
    // Two terminals starting mailtui at once: each open is its own
    // connection, as in two processes (SQLite locks per file, not per
    // process), all released at the same instant, over many rounds.
    const OPENERS: usize = 4;
    const ROUNDS: usize = 25;
    for round in 0..ROUNDS {
        let dir = tempfile::tempdir().unwrap();
        let path = file_for(dir.path(), "work");
        let go = std::sync::Arc::new(std::sync::Barrier::new(OPENERS));
        let openers: Vec<_> = (0..OPENERS)
            .map(|i| {
                let (path, go) = (path.clone(), go.clone());
                std::thread::spawn(move || {
                    go.wait();
                    let mut s = Store::open(&path, "work", DEFAULT_BODY_BUDGET);
                    let persistent = s.is_persistent();
                    let version = schema::version(&s.db).unwrap();
                    s.insert("INBOX", &[msg(i as u32 + 1, false)]);
                    (persistent, version)
                })
            })
            .collect();
        let opened: Vec<(bool, u32)> = openers.into_iter().map(|t| t.join().unwrap()).collect();
        assert_eq!(
            moved_aside(dir.path()),
            Vec::<String>::new(),
            "round {round}"
        );
        assert!(
            opened.iter().all(|o| *o == (true, schema::CURRENT)),
            "round {round}: {opened:?}"
        );
        let mut s = Store::open(&path, "work", DEFAULT_BODY_BUDGET);
        assert_eq!(
            s.known("INBOX").len(),
            OPENERS,
            "round {round}: every write landed in one file"
        );
    }
}

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
}

fn chmod(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_new_store_is_private_whatever_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache/mailtui");
    let path = file_for(&cache, "work");
    let mut s = Store::open(&path, "work", DEFAULT_BODY_BUDGET);
    s.insert("INBOX", &[msg(1, false)]);
    s.put_body("INBOX", 1, b"Subject: secret\r\n\r\nbody", 1);
    // Open, so the WAL files exist; they hold the body until a checkpoint.
    assert_eq!(mode(&cache), 0o700);
    for f in files::store_files(&path) {
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
}

#[test]
fn a_store_left_readable_by_an_older_version_is_made_private() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("mailtui");
    let path = file_for(&cache, "work");
    let mut first = Store::open(&path, "work", DEFAULT_BODY_BUDGET);
    first.insert("INBOX", &[msg(1, false)]);
    chmod(&cache, 0o755);
    for f in files::store_files(&path) {
        chmod(&f, 0o644);
    }
    let mut s = Store::open(&path, "work", DEFAULT_BODY_BUDGET);
    assert!(s.is_persistent());
    assert_eq!(s.known("INBOX").len(), 1);
    assert_eq!(mode(&cache), 0o700);
    for f in files::store_files(&path) {
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
}

#[test]
fn a_symlinked_store_is_refused_and_its_target_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.sqlite3");
    {
        let db = rusqlite::Connection::open(&other).unwrap();
        db.execute_batch("CREATE TABLE mine (x INTEGER); INSERT INTO mine VALUES (7);")
            .unwrap();
    }
    let before = std::fs::read(&other).unwrap();
    let cache = dir.path().join("cache");
    std::fs::create_dir(&cache).unwrap();
    let path = file_for(&cache, "work");
    std::os::unix::fs::symlink(&other, &path).unwrap();

    let mut s = Store::open(&path, "work", DEFAULT_BODY_BUDGET);
    assert!(!s.is_persistent(), "runs uncached");
    s.insert("INBOX", &[msg(1, false)]);
    assert_eq!(s.known("INBOX").len(), 1);
    assert_eq!(
        std::fs::read(&other).unwrap(),
        before,
        "nothing written there"
    );
    assert!(std::fs::symlink_metadata(&path).unwrap().is_symlink());
    assert_eq!(moved_aside(&cache), Vec::<String>::new());

    // A link in place of the WAL is refused as well.
    std::fs::remove_file(&path).unwrap();
    let wal = &files::store_files(&path)[1];
    std::os::unix::fs::symlink(&other, wal).unwrap();
    assert!(!Store::open(&path, "work", DEFAULT_BODY_BUDGET).is_persistent());
    assert_eq!(std::fs::read(&other).unwrap(), before);
}

#[test]
fn the_symlink_refusal_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("work.sqlite3");
    std::os::unix::fs::symlink(dir.path().join("elsewhere"), &path).unwrap();
    let e = files::prepare(&path).unwrap_err().to_string();
    assert!(
        e.contains("symbolic link") && e.contains("remove the link"),
        "{e}"
    );
    assert!(
        !dir.path().join("elsewhere").exists(),
        "not created through the link"
    );
}

#[test]
fn damaged_copies_are_capped_and_listed_with_their_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_for(dir.path(), "work");
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let old = |stamp: &str, suffix: &str, len: usize| {
        std::fs::write(
            dir.path().join(format!("{name}.broken-{stamp}{suffix}")),
            vec![1; len],
        )
        .unwrap();
    };
    old("20200101000000", "", 100);
    old("20200101000000", "-wal", 20);
    old("20210101000000", "", 300);
    let listed = files::broken_copies(&path);
    assert_eq!(
        listed
            .iter()
            .map(|c| (c.stamp.as_str(), c.files.len(), c.bytes))
            .collect::<Vec<_>>(),
        [("20200101000000", 2, 120), ("20210101000000", 1, 300)]
    );
    assert!(
        listed[0]
            .main_file()
            .unwrap()
            .ends_with(format!("{name}.broken-20200101000000"))
    );

    std::fs::write(&path, vec![0x5a; 64 * 1024]).unwrap();
    let s = Store::open(&path, "work", DEFAULT_BODY_BUDGET);
    assert!(s.is_persistent());
    let kept: Vec<String> = files::broken_copies(&path)
        .into_iter()
        .map(|c| c.stamp)
        .collect();
    assert_eq!(kept.len(), files::KEEP_BROKEN, "{kept:?}");
    assert_eq!(kept[0], "20210101000000", "the oldest went");
    let mut left = moved_aside(dir.path());
    left.sort();
    assert_eq!(
        left.len(),
        2,
        "the oldest copy's WAL went with it: {left:?}"
    );
    // The copy just made keeps the database's mode (older ones are behind
    // the 0700 folder).
    for f in left.iter().filter(|f| !f.contains("2021")) {
        assert_eq!(mode(&dir.path().join(f)), 0o600, "{f}");
    }
}

#[tokio::test]
async fn closing_checkpoints_the_wal_and_never_waits_past_its_deadline() {
    use tokio::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let path = file_for(dir.path(), "work");
    let p = path.clone();
    let h = StoreHandle::spawn("work", move || Store::open(&p, "work", DEFAULT_BODY_BUDGET));
    let rows: Vec<NewMessage> = (1..=500).map(|u| msg(u, false)).collect();
    h.send(move |s| s.insert("INBOX", &rows));
    h.send(|s| s.put_body("INBOX", 1, &[b'x'; 100_000], 1));
    let wal = files::store_files(&path)[1].clone();
    assert!(h.call(|_| ()).await.is_some());
    assert!(
        std::fs::metadata(&wal).unwrap().len() > 100_000,
        "the body is in the WAL"
    );
    assert!(h.close(Instant::now() + Duration::from_secs(10)).await);
    assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0, "WAL folded in");
    let mut again = Store::open(&path, "work", DEFAULT_BODY_BUDGET);
    assert_eq!(
        again.kept("INBOX", 1, 2).map(|k| k.raw.len()),
        Some(100_000)
    );

    // A store thread stuck in a long job: quitting goes on at the deadline.
    let (release, stuck) = std::sync::mpsc::channel::<()>();
    h.send(move |_| {
        let _ = stuck.recv();
    });
    let start = Instant::now();
    assert!(!h.close(start + Duration::from_millis(100)).await);
    assert!(start.elapsed() < Duration::from_secs(5));
    let _ = release.send(());
}

#[test]
fn a_second_process_on_the_same_account_runs_without_the_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = super::file_for(dir.path(), "work");
    let first = Store::open_exclusive(&f, "work", u64::MAX);
    assert_eq!(first.file(), Some(f.as_path()));
    // Another process (here another open of the lock) finds it taken.
    let second = Store::open_exclusive(&f, "work", u64::MAX);
    assert_eq!(second.file(), None, "never two writers of one store");
    drop(first);
    let third = Store::open_exclusive(&f, "work", u64::MAX);
    assert_eq!(
        third.file(),
        Some(f.as_path()),
        "free again once the first is gone"
    );
}

#[test]
fn the_first_page_is_read_by_the_primary_key_without_a_sort() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("s.sqlite3"), "t", u64::MAX);
    s.insert(
        "INBOX",
        &(1..=50).map(|u| msg(u, false)).collect::<Vec<_>>(),
    );
    let plan: Vec<String> = {
        let mut q =
            s.db.prepare(&format!(
                "EXPLAIN QUERY PLAN {}",
                super::messages::LIST_ROWS
            ))
            .unwrap();
        q.query_map([1], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert!(
        plan.iter()
            .any(|p| p.contains("USING PRIMARY KEY (folder=?)")),
        "{plan:?}"
    );
    assert!(!plan.iter().any(|p| p.contains("TEMP B-TREE")), "{plan:?}");
    // Each page goes out when it is full, told whether it is the last.
    let mut seen = Vec::new();
    s.envelopes("INBOX", 20, 20, |p, last| {
        seen.push((p.len(), last));
        true
    });
    assert_eq!(seen, [(20, false), (20, false), (10, true)]);
}

#[test]
fn a_new_store_ends_in_wal_with_normal_syncs() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("s.sqlite3"), "t", u64::MAX);
    assert!(s.is_persistent());
    // The schema was made without syncs; the store then runs as usual.
    let sync: i64 =
        s.db.pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
    assert_eq!(sync, 1, "NORMAL");
    let mode: String =
        s.db.pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(
        super::schema::version(&s.db).unwrap(),
        super::schema::CURRENT
    );
    let mem = Store::in_memory("m", u64::MAX);
    let sync: i64 = mem
        .db
        .pragma_query_value(None, "synchronous", |r| r.get(0))
        .unwrap();
    assert_eq!(sync, 1, "NORMAL in memory too");
}

#[test]
fn recipients_are_kept_with_the_rows() {
    let mut s = Store::in_memory("t", DEFAULT_BODY_BUDGET);
    let mut m = msg(1, true);
    m.envelope = from_headers(
        b"From: Ann <a@x>\r\nTo: Bob <b@x>, c@x\r\nSubject: hi\r\n\r\n",
        EnvelopeMeta {
            uid: 1,
            ..Default::default()
        },
    );
    s.insert("Sent", &[m]);
    let mut rows = Vec::new();
    s.envelopes("Sent", 10, 10, |p, _| {
        rows.extend(p);
        true
    });
    assert_eq!(rows[0].to.as_str(), "Bob, c@x");
    assert_eq!(rows[0].from.as_str(), "Ann");
}

#[test]
fn moved_rows_are_copied_under_their_new_uids_where_the_target_allows() {
    let mut s = Store::in_memory("t", 1 << 20);
    s.save_folders(&[folder("INBOX"), folder("Trash"), folder("Old")]);
    s.commit_sync("INBOX", state(9));
    s.commit_sync("Old", state(5));
    s.insert("INBOX", &[msg(1, false), msg(2, true)]);
    // Trash never stored: the rows go in, without a sync state.
    let copied = s.copy_rows("INBOX", "Trash", 77, &[(2, 40), (99, 41)]);
    assert_eq!(copied.iter().map(|e| e.uid).collect::<Vec<_>>(), [40]);
    assert_eq!(copied[0].subject.as_str(), "message 2");
    assert_eq!(s.known("Trash"), [(40, msg(2, true).envelope.flags)]);
    assert!(s.folder_state("Trash").is_none());
    let q = crate::query::parse("").expect("q");
    let now = crate::query::Now {
        unix: 0,
        utc_offset: 0,
    };
    let found = s.search_everywhere(&["Trash".into()], &q, &now, 10);
    assert_eq!(found.not_stored, ["Trash"], "unverified rows are not shown");
    // And back: INBOX is of that UIDVALIDITY, so it holds them at once.
    s.copy_rows("Trash", "INBOX", 9, &[(40, 3)]);
    let found = s.search_everywhere(&["INBOX".into()], &q, &now, 10);
    let uids: Vec<u32> = found.folders[0].rows.iter().map(|e| e.uid).collect();
    assert_eq!(uids, [3, 2, 1]);
    // Another UIDVALIDITY (the folder was recreated): nothing copied.
    assert!(s.copy_rows("INBOX", "Old", 6, &[(1, 50)]).is_empty());
    assert!(s.known("Old").is_empty());
}

#[test]
fn a_search_across_folders_keeps_the_newest_up_to_its_cap_in_all() {
    let mut s = Store::in_memory("t", 1 << 20);
    s.save_folders(&[folder("INBOX"), folder("Archive"), folder("Never")]);
    s.commit_sync("INBOX", state(9));
    s.commit_sync("Archive", state(3));
    // Dates follow UIDs: Archive's 11..=15 are the newest.
    s.insert(
        "INBOX",
        &(1..=10).map(|u| msg(u, false)).collect::<Vec<_>>(),
    );
    s.insert(
        "Archive",
        &(11..=15).map(|u| msg(u, true)).collect::<Vec<_>>(),
    );
    let q = crate::query::parse("").expect("q");
    let now = crate::query::Now {
        unix: 0,
        utc_offset: 0,
    };
    let paths = ["INBOX".to_string(), "Archive".into(), "Never".into()];
    let found = s.search_everywhere(&paths, &q, &now, 7);
    assert!(found.cut);
    assert_eq!(found.searched, 2);
    assert_eq!(found.not_stored, ["Never"]);
    let mut kept: Vec<u32> = found
        .folders
        .iter()
        .flat_map(|f| f.rows.iter().map(|e| e.uid))
        .collect();
    kept.sort_unstable();
    assert_eq!(kept, [9, 10, 11, 12, 13, 14, 15]);
    // Under the cap: all, not cut; a query narrows in the store.
    let found = s.search_everywhere(&paths, &q, &now, 100);
    assert!(!found.cut);
    let unread = crate::query::parse("is:unread").expect("q");
    let found = s.search_everywhere(&paths, &unread, &now, 100);
    assert_eq!(found.folders.len(), 1);
    assert_eq!(found.folders[0].path, "INBOX");
}
