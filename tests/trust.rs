//! What mailtui stores equals what the server holds, after any sequence of
//! actions: moves, deletes, undos, flags and mark-all from mailtui, mixed
//! with changes from another device. Against a real Dovecot over TLS, in
//! the full profile and the Exchange-shaped one (no CONDSTORE, QRESYNC,
//! UIDPLUS or MOVE there, so undo finds messages by Message-ID).

#[macro_use]
mod support;

use std::time::Duration;

use mailtui::auth::{PasswordSource, Secret};
use mailtui::imap::{ImapAuth, ImapBackend, ImapSettings, Timeouts, TlsMode};
use mailtui::mail::types::FlagKind;
use mailtui::store::{self, Store, StoreHandle};
use mailtui::worker::{FolderRef, WorkerCommand, WorkerEvent, WorkerHandle, WorkerOptions};
use support::dovecot::{Dovecot, Options};
use support::events::{Events, open, start, until};
use support::fixtures;
use support::other::OtherDevice;

const USER: &str = "erin@example.com";
const PASSWORD: &str = "pw-erin";
const FOLDERS: [&str; 4] = ["INBOX", "Trash", "Archive", "Work"];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Profile {
    Full,
    Exchange,
}

fn server(p: Profile) -> Dovecot {
    let d = Dovecot::start_with(Options {
        exchange: p == Profile::Exchange,
        ..Options::default()
    });
    d.add_user(USER, PASSWORD);
    for f in &FOLDERS[1..] {
        d.folder_dir(USER, f);
    }
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
            idle_slice: Duration::from_secs(5),
            poll: Duration::from_secs(1),
        },
    }
}

fn file_store(dir: &std::path::Path) -> StoreHandle {
    let f = store::file_for(dir, "test");
    StoreHandle::spawn("test", move || Store::open(&f, "test", u64::MAX))
}

/// The store's rows of a folder as (UID, seen, flagged).
fn stored(dir: &std::path::Path, path: &str) -> Vec<(u32, bool, bool)> {
    let mut s = Store::open(&store::file_for(dir, "test"), "check", u64::MAX);
    let mut rows: Vec<_> = s
        .known(path)
        .into_iter()
        .map(|(u, f)| (u, f.seen, f.flagged))
        .collect();
    rows.sort_unstable();
    rows
}

async fn other(d: &Dovecot) -> OtherDevice {
    OtherDevice::connect(d.imap_port, USER, PASSWORD).await
}

/// Waits until the store's rows of `path` equal the server's; panics with
/// both after the deadline. Settling takes a few round trips (IDLE news,
/// the op's answer, a reselect), so this waits for equality rather than
/// for one event.
async fn settles(dir: &std::path::Path, phone: &mut OtherDevice, path: &str, what: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let server = phone.uid_flags(path).await;
        let mine = stored(dir, path);
        if server == mine {
            return;
        }
        if tokio::time::Instant::now() > deadline {
            panic!(
                "{what}: {path} differs from the server\n server: {server:?}\n stored: {mine:?}"
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn answer(rx: &mut Events, op: u64, seen: &mut Vec<WorkerEvent>) -> WorkerEvent {
    let ev = support::events::answer(rx, op).await;
    let last = ev.last().cloned().expect("an answer");
    seen.extend(ev);
    last
}

struct Client {
    w: WorkerHandle,
    rx: Events,
    inbox: FolderRef,
    events: Vec<WorkerEvent>,
    next_op: u64,
}

impl Client {
    async fn start(d: &Dovecot, dir: &std::path::Path) -> Client {
        let (w, mut rx) = start(
            ImapBackend::new(
                settings(d),
                ImapAuth::Password(PasswordSource::Plain(Secret::new(PASSWORD))),
            ),
            file_store(dir),
            WorkerOptions::default(),
        );
        w.commands.send(WorkerCommand::Connect).expect("worker");
        let (inbox, events) = open(&w, &mut rx, "INBOX", 1).await;
        Client {
            w,
            rx,
            inbox,
            events,
            next_op: 100,
        }
    }

    /// Sends a move and waits for its answer.
    async fn send_move(
        &mut self,
        folder: FolderRef,
        uids: Vec<u32>,
        message_ids: Vec<String>,
        to: &str,
    ) -> WorkerEvent {
        self.next_op += 1;
        let op = self.next_op;
        self.w
            .commands
            .send(WorkerCommand::Move {
                folder,
                uids,
                message_ids,
                to: to.into(),
                op,
            })
            .expect("worker");
        answer(&mut self.rx, op, &mut self.events).await
    }

    /// Moves INBOX messages; returns the undo (the folder and UIDs where
    /// they went, or their Message-IDs where the server did not say).
    async fn move_to(
        &mut self,
        uids: Vec<u32>,
        to: &str,
    ) -> Option<(FolderRef, Vec<u32>, Vec<String>)> {
        let inbox = self.inbox.clone();
        match self.send_move(inbox, uids, vec![], to).await {
            WorkerEvent::Moved {
                target,
                target_uids,
                message_ids,
                ..
            } => Some(match target {
                Some(t) => (t, target_uids, message_ids),
                None => (
                    FolderRef {
                        path: to.into(),
                        uid_validity: 0,
                    },
                    Vec::new(),
                    message_ids,
                ),
            }),
            _ => None,
        }
    }

    async fn undo(&mut self, (from, uids, ids): (FolderRef, Vec<u32>, Vec<String>)) -> WorkerEvent {
        self.send_move(from, uids, ids, "INBOX").await
    }

    fn flag(&mut self, uids: Vec<u32>, flag: FlagKind, on: bool) {
        self.w
            .commands
            .send(WorkerCommand::SetFlag {
                folder: self.inbox.clone(),
                uids,
                flag,
                on,
            })
            .expect("worker");
    }

    /// Every UID the worker told the UI was expunged from INBOX.
    fn expunged_from_inbox(&mut self) -> Vec<u32> {
        while let Ok((_, e)) = self.rx.try_recv() {
            self.events.push(e);
        }
        self.events
            .iter()
            .filter_map(|e| match e {
                WorkerEvent::Expunged { req: 1, uids } => Some(uids.clone()),
                _ => None,
            })
            .flatten()
            .collect()
    }
}

both_profiles!(
    an_undo_of_a_message_gone_meanwhile_says_so,
    an_undo_hides_nothing_in_the_folder_it_returns_to,
    random_actions_and_another_device_leave_every_folder_equal_to_the_server,
);

/// Undo moves a message back from Trash while Trash is selected; the
/// server's word that it left Trash names its UID there, which must not
/// remove the INBOX message that happens to have the same UID.
async fn an_undo_hides_nothing_in_the_folder_it_returns_to(p: Profile) {
    let d = server(p);
    d.deliver(USER, "INBOX", &fixtures::bulk(5, ""));
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = Client::start(&d, dir.path()).await;
    let mut phone = other(&d).await;
    // Trash numbers its messages from 1, so each undo's report names a
    // UID that INBOX has too.
    for round in 0..3 {
        let server: Vec<u32> = phone.uid_flags("INBOX").await.iter().map(|r| r.0).collect();
        let newest = *server.last().expect("messages");
        let undo = c
            .move_to(vec![newest], "Trash")
            .await
            .expect("moved to Trash");
        c.undo(undo).await;
        settles(dir.path(), &mut phone, "INBOX", &format!("undo {round}")).await;
        settles(dir.path(), &mut phone, "Trash", &format!("undo {round}")).await;
        let server: Vec<u32> = phone.uid_flags("INBOX").await.iter().map(|r| r.0).collect();
        assert_eq!(server.len(), 5, "the server still holds all five");
        // The restored message comes back under a new UID; nothing else
        // may ever have been reported gone.
        let wrongly_gone: Vec<u32> = c
            .expunged_from_inbox()
            .into_iter()
            .filter(|u| server.contains(u))
            .collect();
        assert!(
            wrongly_gone.is_empty(),
            "round {round}: reported expunged but still on the server: {wrongly_gone:?}"
        );
    }
    let _ = c.w.commands.send(WorkerCommand::Shutdown);
}

/// Another device empties Trash before the undo: the undo says nothing
/// came back, never "restored".
async fn an_undo_of_a_message_gone_meanwhile_says_so(p: Profile) {
    let d = server(p);
    d.deliver(USER, "INBOX", &fixtures::bulk(3, ""));
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = Client::start(&d, dir.path()).await;
    let undo = c.move_to(vec![3], "Trash").await.expect("moved to Trash");
    let mut phone = other(&d).await;
    phone.select("Trash").await;
    phone.expunge("1:*").await;
    match c.undo(undo).await {
        WorkerEvent::Done { note: Some(n), .. } => {
            assert!(n.as_str().contains("no longer on the server"), "{n}")
        }
        WorkerEvent::Failed { error, .. } => {
            assert!(error.as_str().contains("no longer there"), "{error}")
        }
        other => panic!("an undo of nothing must not report a move: {other:?}"),
    }
    settles(dir.path(), &mut phone, "INBOX", "after the failed undo").await;
    assert_eq!(phone.uid_flags("INBOX").await.len(), 2);
    let _ = c.w.commands.send(WorkerCommand::Shutdown);
}

/// A tiny deterministic generator: the same seed gives the same actions,
/// so a failure names a sequence that can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

async fn random_actions_and_another_device_leave_every_folder_equal_to_the_server(p: Profile) {
    let d = server(p);
    d.deliver(USER, "INBOX", &fixtures::bulk(30, ""));
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = Client::start(&d, dir.path()).await;
    let mut phone = other(&d).await;
    let mut log = Vec::new();
    // Several seeds in a row on one mailbox; INBOX is compared after each.
    for seed in [0x5eed_0001u64, 0x5eed_0002, 0x5eed_0003] {
        let seed = seed ^ (p == Profile::Exchange) as u64;
        let mut rng = Rng(seed);
        let mut undos = Vec::new();
        log.push(format!("seed {seed:#x}"));
        for step in 0..16 {
            let inbox: Vec<u32> = phone.uid_flags("INBOX").await.iter().map(|r| r.0).collect();
            let pick = |rng: &mut Rng| inbox.get(rng.below(inbox.len())).copied();
            // Moves take from the newer half, so the low UIDs that the
            // other folders also use stay in INBOX to be confused with.
            let newer = |rng: &mut Rng| {
                let half = inbox.len() / 2;
                inbox.get(half + rng.below(inbox.len() - half)).copied()
            };
            match rng.below(10) {
                0 | 1 if !inbox.is_empty() => {
                    let to = ["Trash", "Archive", "Work"][rng.below(3)];
                    let uid = newer(&mut rng).unwrap_or(1);
                    log.push(format!("move {uid} to {to}"));
                    if let Some(u) = c.move_to(vec![uid], to).await {
                        undos.push(u);
                    }
                }
                2 | 3 if !undos.is_empty() => {
                    let u = undos.remove(rng.below(undos.len()));
                    log.push(format!("undo from {}", u.0.path));
                    c.undo(u).await;
                }
                4 if !inbox.is_empty() => {
                    let uid = pick(&mut rng).unwrap_or(1);
                    let on = rng.below(2) == 0;
                    log.push(format!("flag {uid} {on}"));
                    c.flag(vec![uid], FlagKind::Flagged, on);
                }
                5 if !inbox.is_empty() => {
                    log.push("mark all read".into());
                    c.flag(inbox.clone(), FlagKind::Seen, true);
                }
                6 => {
                    log.push("another device delivers".into());
                    phone.append("INBOX", &fixtures::simple(100 + step)).await;
                }
                7 if !inbox.is_empty() => {
                    let uid = pick(&mut rng).unwrap_or(1);
                    log.push(format!("another device expunges {uid}"));
                    phone.select("INBOX").await;
                    phone.expunge(&uid.to_string()).await;
                }
                8 if !inbox.is_empty() => {
                    let uid = pick(&mut rng).unwrap_or(1);
                    log.push(format!("another device flags {uid}"));
                    phone.select("INBOX").await;
                    phone
                        .store(&uid.to_string(), "+FLAGS (\\Seen \\Flagged)")
                        .await;
                }
                _ => {
                    log.push("another device moves the newest to Work".into());
                    if let Some(uid) = inbox.last() {
                        phone.select("INBOX").await;
                        phone.copy_to(&uid.to_string(), "Work").await;
                        phone.expunge(&uid.to_string()).await;
                    }
                }
            }
        }
        let what = log.join("; ");
        settles(dir.path(), &mut phone, "INBOX", &what).await;
        let server: Vec<u32> = phone.uid_flags("INBOX").await.iter().map(|r| r.0).collect();
        let wrongly_gone: Vec<u32> = c
            .expunged_from_inbox()
            .into_iter()
            .filter(|u| server.contains(u))
            .collect();
        assert!(
            wrongly_gone.is_empty(),
            "{what}: reported gone, still there: {wrongly_gone:?}"
        );
    }
    let what = log.join("; ");
    // Every other folder, as the user sees it on opening.
    for (i, f) in FOLDERS[1..].iter().enumerate() {
        open(&c.w, &mut c.rx, f, 10 + i as u64).await;
        settles(dir.path(), &mut phone, f, &what).await;
    }
    let _ = c.w.commands.send(WorkerCommand::Shutdown);
}

/// After an outage long enough for the backoff to reach 16 s, mailtui logs
/// in again within seconds of the server's return, without a key: it
/// checks whether the server answers while it waits.
#[tokio::test]
async fn a_server_that_returns_is_reconnected_within_seconds() {
    let mut d = server(Profile::Full);
    d.deliver(USER, "INBOX", &fixtures::bulk(2, ""));
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = Client::start(&d, dir.path()).await;
    d.stop();
    // Waits of 1, 2, 4, 8 then 16 s: the next try is far off.
    until(&mut c.rx, 60, |e| {
        matches!(e, WorkerEvent::Conn(mailtui::worker::ConnState::Retrying { retry_in_secs, .. }) if *retry_in_secs >= 16)
    })
    .await;
    d.restart();
    let back = std::time::Instant::now();
    until(&mut c.rx, 7, |e| {
        matches!(e, WorkerEvent::Conn(mailtui::worker::ConnState::Connected))
    })
    .await;
    eprintln!(
        "reconnected {:.2} s after the server returned",
        back.elapsed().as_secs_f64()
    );
    let _ = c.w.commands.send(WorkerCommand::Shutdown);
}

/// A server that answers a FETCH with messages nobody asked for (here one
/// past the last sequence number, and one UID outside the window): no
/// such row ever reaches the list, not even for a moment.
#[tokio::test]
async fn rows_never_asked_for_never_show() {
    use support::fake_imap::{FakeImap, Flow, Folder, fetch_response};
    let fake = FakeImap::builder()
        .folders(vec![Folder::new("INBOX", 7, 1..=5)])
        .on("FETCH", |c, cmd| {
            let items = cmd.args.split_once(' ').map_or("", |(_, i)| i).to_string();
            c.send(&fetch_response(6, 777, &items, false))?;
            Ok(Flow::Default)
        })
        .on("UID FETCH", |c, cmd| {
            let items = cmd.args.split_once(' ').map_or("", |(_, i)| i).to_string();
            c.send(&fetch_response(2, 888, &items, false))?;
            Ok(Flow::Default)
        })
        .start();
    let backend = support::fake_imap::backend_at(
        fake.port,
        Timeouts {
            connect: Duration::from_secs(5),
            command: Duration::from_secs(5),
            transfer: Duration::from_secs(10),
            idle_slice: Duration::from_secs(5),
            poll: Duration::from_secs(2),
        },
    );
    let (w, mut rx) = start(
        backend,
        support::events::memory_store(),
        WorkerOptions::default(),
    );
    w.commands.send(WorkerCommand::Connect).expect("worker");
    let (_, events) = open(&w, &mut rx, "INBOX", 1).await;
    let shown: Vec<u32> = events
        .iter()
        .flat_map(|e| match e {
            WorkerEvent::Stored { envelopes, .. } | WorkerEvent::Inserted { envelopes, .. } => {
                envelopes.iter().map(|e| e.uid).collect()
            }
            _ => Vec::new(),
        })
        .collect();
    assert!(
        !shown.contains(&777) && !shown.contains(&888),
        "rows not asked for reached the list: {shown:?}"
    );
    let mut rows = support::events::rows(&events);
    rows.sort_unstable();
    assert_eq!(rows, [1, 2, 3, 4, 5]);
    assert!(
        fake.stats().count("FETCH") >= 1,
        "the first screen was fetched by sequence number"
    );
    let _ = w.commands.send(WorkerCommand::Shutdown);
}
