//! The full load of a folder on an empty store against a real Dovecot, in
//! both server profiles: list rows fetched one window ahead give the same
//! rows as plain fetches, a cut connection
//! mid-load leaves no gap or duplicate, and a folder switch is served
//! before a long load goes on.

#[macro_use]
mod support;

use std::time::Duration;

use mailtui::auth::{PasswordSource, Secret};
use mailtui::imap::{ImapAuth, ImapBackend, ImapSettings, Timeouts, TlsMode};
use mailtui::mail::MailBackend;
use mailtui::worker::{ConnState, WorkerCommand, WorkerEvent, WorkerOptions};
use support::dovecot::{Dovecot, Options};
use support::events::{memory_store, open, rows, start, until};
use support::proxy::MeddlingProxy;

const USER: &str = "erin@example.com";
const PASSWORD: &str = "pw";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Profile {
    Full,
    Exchange,
}

/// A server whose INBOX holds `n` messages, and Archive three.
fn server(p: Profile, n: usize) -> Dovecot {
    let d = Dovecot::start_with(Options {
        exchange: p == Profile::Exchange,
        ..Options::default()
    });
    d.add_user(USER, PASSWORD);
    for start in (1..=n).step_by(5000) {
        let msgs: Vec<(Vec<u8>, &str)> = (start..(start + 5000).min(n + 1))
            .map(|i| {
                (
                    support::fixtures::simple(i),
                    if i % 3 == 0 { "S" } else { "" },
                )
            })
            .collect();
        d.deliver(USER, "INBOX", &msgs);
    }
    d.deliver(USER, "Archive", &support::fixtures::bulk(3, ""));
    d
}

fn settings(d: &Dovecot) -> ImapSettings {
    ImapSettings {
        host: "127.0.0.1".into(),
        port: d.imaps_port,
        tls: TlsMode::Implicit,
        ca_file: Some(d.ca_file.clone()),
        username: USER.into(),
        timeouts: Timeouts {
            connect: Duration::from_secs(5),
            command: Duration::from_secs(10),
            transfer: Duration::from_secs(30),
            idle_slice: Duration::from_secs(3),
            poll: Duration::from_secs(2),
        },
    }
}

fn auth() -> ImapAuth {
    ImapAuth::Password(PasswordSource::Plain(Secret::new(PASSWORD)))
}

/// Through a proxy that can cut the session (plain IMAP).
fn via(proxy: &MeddlingProxy, d: &Dovecot) -> ImapBackend {
    let s = ImapSettings {
        port: proxy.port,
        tls: TlsMode::None,
        ca_file: None,
        ..settings(d)
    };
    ImapBackend::new(s, auth())
}

/// What a row shows, to compare loads.
type Shown = (u32, String, String, u32, bool);

fn shown(e: &mailtui::mail::types::Envelope) -> Shown {
    (
        e.uid,
        e.subject.as_str().to_string(),
        e.from.as_str().to_string(),
        e.size,
        e.flags.seen,
    )
}

/// Every row of INBOX fetched plainly, one window at a time.
async fn plain_rows(d: &Dovecot) -> Vec<Shown> {
    let mut b = ImapBackend::new(settings(d), auth());
    b.connect().await.expect("connect");
    b.select("INBOX", None).await.expect("select");
    let uids = b.all_uids().await.expect("uids");
    let mut out = Vec::new();
    for w in uids.chunks(700) {
        out.extend(
            b.fetch_rows(w)
                .await
                .expect("rows")
                .iter()
                .map(|r| shown(&r.envelope)),
        );
    }
    b.disconnect().await;
    out.sort();
    out
}

fn loaded(events: &[WorkerEvent]) -> Vec<Shown> {
    let mut out: Vec<Shown> = events
        .iter()
        .flat_map(|e| match e {
            WorkerEvent::Inserted { envelopes, .. } => envelopes.iter().map(shown).collect(),
            _ => Vec::new(),
        })
        .collect();
    out.sort();
    out
}

both_profiles!(
    a_pipelined_load_gives_the_rows_of_plain_fetches,
    a_cut_mid_load_resumes_without_gap_or_duplicate,
);

async fn a_pipelined_load_gives_the_rows_of_plain_fetches(p: Profile) {
    // Several windows of rows.
    let n = 17_000;
    let d = server(p, n);
    let expected = plain_rows(&d).await;
    assert_eq!(expected.len(), n);
    let (w, mut rx) = start(
        ImapBackend::new(settings(&d), auth()),
        memory_store(),
        WorkerOptions::default(),
    );
    w.commands.send(WorkerCommand::Connect).expect("alive");
    let (_, events) = open(&w, &mut rx, "INBOX", 1).await;
    let got = loaded(&events);
    assert_eq!(got.len(), expected.len(), "each row once");
    assert!(got == expected, "the rows differ from plain fetches");
    w.commands.send(WorkerCommand::Shutdown).expect("alive");
}

async fn a_cut_mid_load_resumes_without_gap_or_duplicate(p: Profile) {
    let n = 3500;
    let d = server(p, n);
    let proxy = MeddlingProxy::start(d.imap_port).await;
    // Newest first: 3401-3500 by number, then windows of 1000 UIDs from
    // 3400 down; UID 17xx is read while the window below is already asked.
    proxy.cut_after(b" FETCH (UID 17");
    let (w, mut rx) = start(via(&proxy, &d), memory_store(), WorkerOptions::default());
    w.commands.send(WorkerCommand::Connect).expect("alive");
    let (_, events) = open(&w, &mut rx, "INBOX", 1).await;
    assert!(
        events.contains(&WorkerEvent::Conn(ConnState::Reconnecting)),
        "the session was cut: {:?}",
        events
            .iter()
            .filter(|e| matches!(e, WorkerEvent::Conn(_)))
            .collect::<Vec<_>>()
    );
    assert!(proxy.sessions() >= 2);
    let mut uids = rows(&events);
    uids.sort_unstable();
    let all: Vec<u32> = (1..=n as u32).collect();
    assert_eq!(uids.len(), n, "each row once");
    assert!(uids == all, "every row, none twice");
    w.commands.send(WorkerCommand::Shutdown).expect("alive");
}

/// A switch while a big folder is still being listed and loaded: the other
/// folder's rows come next, with at most the exchanges in flight between.
#[tokio::test]
async fn a_switch_during_a_long_load_is_served_before_the_load_goes_on() {
    // Dozens of windows of rows.
    let n = 35_000;
    let d = server(Profile::Full, n);
    for (stage, first) in [("listing", 1), ("loading rows", 3)] {
        let (w, mut rx) = start(
            ImapBackend::new(settings(&d), auth()),
            memory_store(),
            WorkerOptions::default(),
        );
        w.commands.send(WorkerCommand::Connect).expect("alive");
        w.commands
            .send(WorkerCommand::OpenFolder {
                path: "INBOX".into(),
                req: 1,
            })
            .expect("alive");
        // The first screen, then (for the second stage) two windows.
        let mut inserts = 0;
        until(&mut rx, 60, |e| {
            if matches!(e, WorkerEvent::Inserted { req: 1, .. }) {
                inserts += 1;
            }
            inserts == first
        })
        .await;
        w.commands
            .send(WorkerCommand::OpenFolder {
                path: "Archive".into(),
                req: 2,
            })
            .expect("alive");
        let after = until(&mut rx, 60, |e| {
            matches!(e, WorkerEvent::Synced { req: 2, .. })
        })
        .await;
        let archive: usize = after
            .iter()
            .map(|e| match e {
                WorkerEvent::Inserted {
                    req: 2, envelopes, ..
                } => envelopes.len(),
                _ => 0,
            })
            .sum();
        assert_eq!(archive, 3, "{stage}: the other folder's rows");
        assert!(
            !after
                .iter()
                .any(|e| matches!(e, WorkerEvent::Synced { req: 1, .. })),
            "{stage}: the big folder finished first"
        );
        let behind = after
            .iter()
            .filter(|e| matches!(e, WorkerEvent::Inserted { req: 1, .. }))
            .count();
        assert!(
            behind <= 2,
            "{stage}: {behind} windows of the big folder came before the switch"
        );
        w.commands.send(WorkerCommand::Shutdown).expect("alive");
    }
}
