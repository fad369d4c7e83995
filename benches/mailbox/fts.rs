//! MAILTUI_BENCH_ONLY=fts: the full-text index on a store of `n`
//! synthetic messages, each with a kept text body (about 2 KB of words
//! from a 20,000-word vocabulary, senders and recipients from 5,000
//! people): storing with the index kept current, the background build
//! from scratch, the index's size, query times for words and for
//! substrings of names and addresses, and the memory the index's
//! queries add. MAILTUI_BENCH_FTS_COMPARE=1 adds the tokenizers not
//! chosen (trigram over the bodies too) and a `LIKE` scan, for the record.

use std::path::Path;
use std::time::{Duration, Instant};

use mailtui::query::Now;
use mailtui::store::{self, Store};

/// A deterministic stream of numbers (no crate for it in a bench).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// Skewed towards small numbers, as word use is.
    fn skewed(&mut self, n: u64) -> u64 {
        let a = self.next() % n;
        let b = self.next() % n;
        a.min(b)
    }
}

const SYLLABLES: [&str; 24] = [
    "ka", "lo", "mi", "ne", "ro", "ta", "vu", "se", "di", "fa", "gu", "ha", "jo", "pe", "qui",
    "ri", "so", "tu", "wa", "xe", "yo", "zu", "bré", "ça",
];

fn word(i: u64) -> String {
    let mut w = String::new();
    let mut x = i + 24;
    while x > 0 {
        w.push_str(SYLLABLES[(x % 24) as usize]);
        x /= 24;
    }
    w
}

const VOCABULARY: u64 = 20_000;
const PEOPLE: u64 = 5_000;

fn person(i: u64) -> String {
    format!(
        "{} {} <{}.{}@{}.example>",
        capital(&word(i % 700)),
        capital(&word(1000 + i)),
        word(i % 700),
        word(1000 + i),
        word(3000 + i % 40)
    )
}

fn capital(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn message(uid: u32, rng: &mut Lcg) -> (Vec<u8>, String) {
    let from = person(rng.skewed(PEOPLE));
    let to = person(rng.skewed(PEOPLE));
    let subject: Vec<String> = (0..5).map(|_| word(rng.skewed(VOCABULARY))).collect();
    let mut text = String::with_capacity(2200);
    while text.len() < 2000 {
        text.push_str(&word(rng.skewed(VOCABULARY)));
        text.push(if rng.next().is_multiple_of(12) {
            '\n'
        } else {
            ' '
        });
    }
    let raw = format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {}\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\nMessage-ID: <m{uid}@bench>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n",
        subject.join(" ")
    );
    (raw.into_bytes(), text)
}

fn in_use(path: &Path) -> u64 {
    let db = rusqlite::Connection::open(path).expect("open");
    let _ = db.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
    let q = |p: &str| -> u64 {
        db.query_row(&format!("PRAGMA {p}"), [], |r| r.get::<_, i64>(0))
            .unwrap_or(0)
            .max(0) as u64
    };
    (q("page_count") - q("freelist_count")) * q("page_size")
}

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

fn percentiles(what: &str, mut v: Vec<Duration>) {
    v.sort();
    let at = |p: usize| v[(v.len() * p / 100).min(v.len() - 1)];
    println!(
        "{what}: p50 {:.2?}, p95 {:.2?}, max {:.2?} (n={})",
        at(50),
        at(95),
        v[v.len() - 1],
        v.len()
    );
}

fn mb(b: u64) -> String {
    format!("{:.1} MB", b as f64 / 1e6)
}

pub fn figures(n: u32) {
    println!("\n== the full-text index, {n} messages with text bodies ==");
    let dir = tempfile::tempdir().expect("tmp");
    let path = store::file_for(dir.path(), "bench");
    let mut rng = Lcg(7);
    let mut texts = Vec::new();
    let mut rows = Vec::new();
    let mut raws = Vec::new();
    for uid in 1..=n {
        let (raw, text) = message(uid, &mut rng);
        let meta = mailtui::mail::envelope::EnvelopeMeta {
            uid,
            size: raw.len() as u32,
            ..Default::default()
        };
        rows.push(mailtui::mail::list_row::from_headers(&raw, meta));
        raws.push(raw);
        texts.push(text);
    }
    let text_bytes: usize = texts.iter().map(String::len).sum();
    println!("text: {}", mb(text_bytes as u64));

    let mut s = Store::open(&path, "bench", u64::MAX);
    let t = Instant::now();
    for batch in rows.chunks(mailtui::worker::BATCH) {
        s.insert("INBOX", batch);
    }
    let rows_time = t.elapsed();
    let t = Instant::now();
    for (i, raw) in raws.iter().enumerate() {
        s.put_body("INBOX", i as u32 + 1, raw, 1);
    }
    println!(
        "stored with the index kept current: {n} rows {rows_time:.1?}, {n} bodies {:.1?}",
        t.elapsed()
    );
    drop(s);
    let with_index = in_use(&path);

    let mut s = Store::open(&path, "bench", u64::MAX);
    s.reset_index();
    drop(s);
    let without = in_use(&path);
    println!(
        "size: {} in use with the index, {} without: the index {}",
        mb(with_index),
        mb(without),
        mb(with_index.saturating_sub(without))
    );

    let mut s = Store::open(&path, "bench", u64::MAX);
    let t = Instant::now();
    let mut slices = Vec::new();
    while s.index_pending() {
        let b = Instant::now();
        s.index_batch();
        slices.push(b.elapsed());
    }
    println!(
        "background build from scratch: {:.1?} in {} slices",
        t.elapsed(),
        slices.len()
    );
    percentiles("  one slice (what another job waits at most)", slices);
    drop(s);
    println!("size after the build: {}", mb(in_use(&path)));

    // Queries on a store opened afresh, as after a start.
    let before = rss_kb();
    let mut s = Store::open(&path, "bench", u64::MAX);
    let now = Now {
        unix: 1_800_000_000,
        utc_offset: 0,
    };
    let mut run = |label: &str, queries: Vec<String>| {
        let mut times = Vec::new();
        let mut hits = 0;
        for q in &queries {
            let q = mailtui::query::parse(q).expect("query");
            let t = Instant::now();
            hits += s.search_local("INBOX", &q, &now).len();
            times.push(t.elapsed());
        }
        percentiles(
            &format!("{label} ({} hits a query on average)", hits / queries.len()),
            times,
        );
    };
    let mut rng = Lcg(99);
    let common: Vec<String> = (0..200).map(|_| word(rng.skewed(200))).collect();
    let rare: Vec<String> = (0..200)
        .map(|_| word(5_000 + rng.next() % (VOCABULARY - 5_000)))
        .collect();
    let two: Vec<String> = (0..200)
        .map(|_| {
            format!(
                "{} {}",
                word(rng.skewed(2_000)),
                word(rng.skewed(VOCABULARY))
            )
        })
        .collect();
    let names: Vec<String> = (0..200)
        .map(|_| {
            let w = word(1000 + rng.next() % PEOPLE);
            let part: String = w.chars().skip(1).take(5).collect();
            format!("from:{part}")
        })
        .collect();
    let addresses: Vec<String> = (0..200)
        .map(|_| format!("to:{}.example", word(3000 + rng.next() % 40)))
        .collect();
    run("query: a common word", common);
    run("query: a rare word", rare);
    run("query: two words", two);
    run("query: a substring of a name (from:)", names);
    run("query: an address's domain (to:)", addresses);
    let after = rss_kb();
    println!(
        "memory the index's queries add: {} kB resident",
        after.saturating_sub(before)
    );

    // Results across folders: the store asked as All inboxes or a search
    // everywhere asks it, then the rows checked, merged and sorted as the
    // results view does: from the question to the rows to draw. (A folder
    // counts as stored once a sync committed.)
    s.commit_sync(
        "INBOX",
        mailtui::sync::FolderSync {
            uid_validity: 1,
            uid_next: Some(n + 1),
            highest_modseq: None,
            synced_at: Some(1_800_000_000),
        },
    );
    let mut rng = Lcg(5);
    let cases: Vec<(&str, Vec<String>)> = vec![
        (
            "results: All inboxes (folder:INBOX)",
            vec!["folder:INBOX".into(); 20],
        ),
        ("results: is:unread", vec!["is:unread".into(); 20]),
        (
            "results: a common word",
            (0..50).map(|_| word(rng.skewed(200))).collect(),
        ),
        (
            "results: a rare word",
            (0..50)
                .map(|_| word(5_000 + rng.next() % (VOCABULARY - 5_000)))
                .collect(),
        ),
        (
            "results: a substring of a name (from:)",
            (0..50)
                .map(|_| {
                    let w = word(1000 + rng.next() % PEOPLE);
                    format!("from:{}", w.chars().skip(1).take(5).collect::<String>())
                })
                .collect(),
        ),
    ];
    for (label, queries) in cases {
        let mut times = Vec::new();
        let mut rows = 0;
        for q in &queries {
            let q = mailtui::query::parse(q).expect("query");
            let t = Instant::now();
            let found = s.search_everywhere(&["INBOX".into()], &q, &now, store::EVERYWHERE_MAX);
            let mut r = mailtui::state::results::Results::new("bench".into(), q, now, vec![0]);
            r.answer(0, "bench", found, 40);
            times.push(t.elapsed());
            rows += r.rows.len();
        }
        percentiles(
            &format!("{label} ({} rows on average)", rows / queries.len()),
            times,
        );
    }
    drop(s);

    if std::env::var("MAILTUI_BENCH_FTS_COMPARE").is_ok() {
        compare(&path, &texts);
    }
}

/// What was not chosen: trigram over the bodies too, and no index.
fn compare(path: &Path, texts: &[String]) {
    let db = rusqlite::Connection::open(path).expect("open");
    let before = in_use(path);
    let t = Instant::now();
    db.execute_batch(
        "CREATE VIRTUAL TABLE cmp_tri USING fts5(body, content='', contentless_delete=1, tokenize='trigram');
         BEGIN;",
    )
    .expect("create");
    {
        let mut q = db
            .prepare("INSERT INTO cmp_tri (rowid, body) VALUES (?1, ?2)")
            .expect("prepare");
        for (i, text) in texts.iter().enumerate() {
            q.execute(rusqlite::params![i as i64 + 1, text])
                .expect("insert");
        }
    }
    db.execute_batch("COMMIT").expect("commit");
    println!(
        "not chosen: trigram over the bodies: built in {:.1?}, {}",
        t.elapsed(),
        mb(in_use(path).saturating_sub(before))
    );
    let mut rng = Lcg(5);
    let mut times = Vec::new();
    for _ in 0..50 {
        let w = word(5_000 + rng.next() % 15_000);
        let t = Instant::now();
        let n: i64 = db
            .query_row(
                "SELECT COUNT(*) FROM cmp_tri WHERE cmp_tri MATCH ?1",
                [format!("\"{w}\"")],
                |r| r.get(0),
            )
            .expect("query");
        std::hint::black_box(n);
        times.push(t.elapsed());
    }
    percentiles("  its queries (a rare word as a substring)", times);
    let mut times = Vec::new();
    for _ in 0..10 {
        let w = word(1000 + rng.next() % PEOPLE);
        let t = Instant::now();
        let n: i64 = db
            .query_row(
                "SELECT COUNT(*) FROM messages WHERE sender LIKE ?1",
                [format!("%{}%", w.chars().skip(1).collect::<String>())],
                |r| r.get(0),
            )
            .expect("query");
        std::hint::black_box(n);
        times.push(t.elapsed());
    }
    percentiles("not chosen: no index, LIKE over the senders", times);
}
