//! Reading big IMAP answers: `UID SEARCH` of 100,000 and 800,000 UIDs
//! (one line of 0.7 / 6.3 MB; every open of a big Exchange folder runs
//! one), and a QRESYNC SELECT with 100,000 changed flags (memory). The
//! fake server of tests/support on loopback; prints medians and asserts
//! nothing. Run: `cargo bench --bench parse`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use mailtui::auth::{PasswordSource, Secret};
use mailtui::imap::{ImapAuth, ImapBackend, ImapSettings, Timeouts, TlsMode};
use mailtui::mail::MailBackend;
use mailtui::mail::backend::KnownState;
use support::fake_imap::{FakeImap, Flow, Folder, flag_storm, search_line};
use tokio::io::AsyncWriteExt;

const RUNS: usize = 5;

fn backend(port: u16) -> ImapBackend {
    ImapBackend::new(
        ImapSettings {
            host: "127.0.0.1".into(),
            port,
            tls: TlsMode::None,
            ca_file: None,
            username: "bench@example.com".into(),
            timeouts: Timeouts::default(),
        },
        ImapAuth::Password(PasswordSource::Plain(Secret::new("pw"))),
    )
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Resident memory now and at its peak, in MB.
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
            >> 10
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// async-imap's reader alone, fed from memory in 64 KiB pieces.
async fn reader_only(bytes: &[u8]) -> Duration {
    let (a, mut b) = tokio::io::duplex(64 * 1024);
    let mut client = async_imap::Client::new(a);
    let data = bytes.to_vec();
    let feed = tokio::spawn(async move {
        let _ = b.write_all(&data).await;
        b
    });
    let started = Instant::now();
    loop {
        match client.read_response().await {
            Ok(Some(r)) if matches!(r.parsed(), async_imap::imap_proto::Response::Done { .. }) => {
                break;
            }
            Ok(Some(_)) => {}
            other => panic!("{:?}", other.map(|r| r.is_some())),
        }
    }
    let took = started.elapsed();
    let _ = feed.await;
    took
}

async fn flag_storm_memory() {
    let fake = FakeImap::builder()
        .capabilities("IMAP4rev1 IDLE ENABLE CONDSTORE QRESYNC UIDPLUS")
        .on("SELECT", |c, cmd| {
            c.send(
                b"* 100000 EXISTS\r\n* OK [UIDVALIDITY 1] ok\r\n* OK [UIDNEXT 100001] ok\r\n\
                  * OK [HIGHESTMODSEQ 900000] ok\r\n",
            )?;
            c.send(&flag_storm(100_000))?;
            c.line(&format!("{} OK [READ-WRITE] selected", cmd.tag))?;
            Ok(Flow::Handled)
        })
        .start();
    let mut b = backend(fake.port);
    b.connect().await.expect("connect");
    let (before, _) = memory();
    let started = Instant::now();
    let sel = b
        .select(
            "INBOX",
            Some(KnownState {
                uid_validity: 1,
                highest_modseq: 5,
            }),
        )
        .await
        .expect("select");
    let took = started.elapsed();
    let n = sel.changes.as_ref().map_or(0, |c| c.flags.len());
    let (_, peak) = memory();
    drop(sel);
    let (after, _) = memory();
    println!(
        "QRESYNC SELECT, {n} flag changes ({:.1} MB): {took:.1?}; RSS {before} MB before, \
         peak {peak} MB, {after} MB after",
        fake.stats().bytes_sent() as f64 / 1e6
    );
}

async fn search(count: u32) {
    let uids: Vec<u32> = (1..=count).collect();
    let mut answer = search_line(&uids);
    let line = answer.len();
    answer.extend_from_slice(b"a1 OK done\r\n");
    let mut times = Vec::new();
    for _ in 0..RUNS {
        times.push(reader_only(&answer).await);
    }
    println!(
        "UID SEARCH of {count} UIDs ({:.1} MB line), reader alone: median {:.1?}",
        line as f64 / 1e6,
        median(times)
    );
    let fake = FakeImap::builder()
        .folders(vec![Folder::new("INBOX", 1, 1..=count)])
        .start();
    let mut b = backend(fake.port);
    b.connect().await.expect("connect");
    b.select("INBOX", None).await.expect("select");
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let got = b.all_uids().await.expect("search");
        times.push(started.elapsed());
        assert_eq!(got.len(), count as usize);
    }
    println!(
        "UID SEARCH of {count} UIDs, mailtui over loopback: median {:.1?}",
        median(times)
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        // First, while the process is small: its peak is this answer's.
        flag_storm_memory().await;
        search(100_000).await;
        search(800_000).await;
    });
}
