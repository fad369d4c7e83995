//! The worker's scheduling on an in-memory mailbox with tokio's clock
//! paused: what it asks of the server in which order, how fast it answers
//! a command while watching, how it backs off. (The IMAP side is tested
//! against a real Dovecot in tests/.)

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use super::{ConnState, FolderRef, WorkerCommand, WorkerEvent, WorkerOptions, spawn};
use crate::mail::backend::{
    Change, Features, FlagScan, FolderCount, KnownState, MailBackend, MailError, MailResult, Moved,
    Noticed, Selected,
};
use crate::mail::row_text::{BoxedClean, SharedClean};
use crate::mail::types::{Envelope, FlagKind, Flags, Folder, FolderRole, NewMessage, ThreadIds};
use crate::sanitize::Clean;
use crate::store::{Store, StoreHandle};

/// What one exchange with the (pretend) server takes.
const RTT: Duration = Duration::from_millis(5);

/// A mailbox in memory that writes down every call.
struct Memory {
    uids: Vec<u32>,
    calls: Arc<Mutex<Vec<String>>>,
    /// Connection attempts that fail before one succeeds.
    refuse: u32,
    /// What the server does once the worker watches the folder.
    at_watch: AtWatch,
    noticed: Vec<Change>,
    /// The server is unreachable until then: connects fail, probes too.
    down_until: Option<tokio::time::Instant>,
}

/// A server's misbehaviour while watched.
#[derive(Clone, Copy, PartialEq, Eq)]
enum AtWatch {
    Nothing,
    /// Ends the session (BYE, or a middlebox closing idle connections).
    Drop,
    /// Says something the client cannot place (UIDVALIDITY changed, the
    /// count went down): resync.
    Resync,
}

impl Memory {
    /// Writes the call down, then takes a round trip's time.
    async fn log(&self, call: String) {
        if let Ok(mut c) = self.calls.lock() {
            c.push(call);
        }
        tokio::time::sleep(RTT).await;
    }

    fn row(uid: u32) -> NewMessage {
        NewMessage {
            envelope: Envelope {
                uid,
                date: Some(1_790_000_000 + i64::from(uid)),
                from: SharedClean::line("Ann"),
                to: SharedClean::default(),
                subject: BoxedClean::line(&format!("note {uid}")),
                flags: Flags::default(),
                has_attachment: false,
                size: 10,
            },
            ids: ThreadIds::default(),
            sender: None,
        }
    }
}

impl MailBackend for Memory {
    async fn connect(&mut self) -> MailResult<()> {
        self.log("connect".into()).await;
        if self.refuse > 0 {
            self.refuse -= 1;
            return Err(MailError::Network("connection refused".into()));
        }
        if self
            .down_until
            .is_some_and(|t| tokio::time::Instant::now() < t)
        {
            return Err(MailError::Network("connection refused".into()));
        }
        Ok(())
    }

    async fn reachable(&self) -> bool {
        self.down_until
            .is_some_and(|t| tokio::time::Instant::now() >= t)
    }

    fn features(&self) -> Features {
        Features {
            idle: true,
            ..Features::default()
        }
    }

    async fn list_folders(&mut self) -> MailResult<Vec<Folder>> {
        self.log("list".into()).await;
        Ok(vec![Folder {
            path: "INBOX".into(),
            name: Clean::line("INBOX"),
            depth: 0,
            selectable: true,
            role: FolderRole::Inbox,
        }])
    }

    async fn select(&mut self, path: &str, _known: Option<KnownState>) -> MailResult<Selected> {
        self.log(format!("select {path}")).await;
        Ok(Selected {
            exists: self.uids.len() as u32,
            uid_validity: 9,
            uid_next: self.uids.last().map(|u| u + 1),
            highest_modseq: None,
            changes: None,
            read_only: false,
        })
    }

    async fn all_uids(&mut self) -> MailResult<Vec<u32>> {
        self.log("uids".into()).await;
        Ok(self.uids.clone())
    }

    async fn fetch_newest(&mut self, n: usize) -> MailResult<Vec<NewMessage>> {
        self.log(format!("newest {n}")).await;
        let from = self.uids.len().saturating_sub(n);
        Ok(self.uids[from..].iter().map(|u| Memory::row(*u)).collect())
    }

    async fn fetch_rows(&mut self, uids: &[u32]) -> MailResult<Vec<NewMessage>> {
        self.log(format!("rows {}", uids.len())).await;
        Ok(uids.iter().map(|u| Memory::row(*u)).collect())
    }

    async fn fetch_rows_above(&mut self, uid: u32) -> MailResult<Vec<NewMessage>> {
        self.log(format!("above {uid}")).await;
        Ok(Vec::new())
    }

    async fn fetch_flags(&mut self, lo: u32, hi: u32, _: Option<u64>) -> MailResult<FlagScan> {
        self.log(format!("flags {lo}:{hi}")).await;
        Ok(FlagScan::default())
    }

    async fn fetch_message(&mut self, uid: u32) -> MailResult<Vec<u8>> {
        self.log(format!("body {uid}")).await;
        Ok(format!("Subject: note {uid}\r\n\r\nbody {uid}\r\n").into_bytes())
    }

    async fn store_flag(&mut self, _: &[u32], _: FlagKind, _: bool) -> MailResult<()> {
        Ok(())
    }

    async fn move_messages(&mut self, uids: &[u32], to: &str) -> MailResult<Moved> {
        self.log(format!("move {uids:?} {to}")).await;
        Ok(Moved::default())
    }

    async fn expunge_messages(&mut self, _: &[u32]) -> MailResult<bool> {
        Ok(true)
    }

    async fn search(
        &mut self,
        query: &crate::query::Query,
        _: &crate::query::Now,
    ) -> MailResult<Vec<u32>> {
        self.log(format!("search {query}")).await;
        Ok(Vec::new())
    }

    async fn find_message_ids(&mut self, _: &[String]) -> MailResult<Vec<u32>> {
        Ok(Vec::new())
    }

    async fn watch(
        &mut self,
        max: Duration,
        stop: impl Future<Output = ()> + Send,
    ) -> MailResult<()> {
        // Watching takes no round trip: it waits for the server to speak.
        if let Ok(mut c) = self.calls.lock() {
            c.push("watch".into());
        }
        match self.at_watch {
            AtWatch::Nothing => {}
            AtWatch::Drop => {
                tokio::time::sleep(RTT).await;
                return Err(MailError::Network(
                    "the server closed the connection".into(),
                ));
            }
            AtWatch::Resync => {
                tokio::time::sleep(RTT).await;
                self.noticed.push(Change::Resync(
                    "UIDVALIDITY changed during the session".into(),
                ));
                return Ok(());
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(max) => {}
            _ = stop => {}
        }
        Ok(())
    }

    fn take_changes(&mut self) -> Noticed {
        Noticed {
            folder: Some("INBOX".into()),
            changes: std::mem::take(&mut self.noticed),
        }
    }

    async fn folder_counts(&mut self, _: &[String]) -> MailResult<Vec<FolderCount>> {
        self.log("counts".into()).await;
        Ok(Vec::new())
    }

    async fn disconnect(&mut self) {}
}

type Events = UnboundedReceiver<(usize, WorkerEvent)>;

fn start(uids: u32, refuse: u32) -> (super::WorkerHandle, Events, Arc<Mutex<Vec<String>>>) {
    start_with(uids, refuse, AtWatch::Nothing)
}

fn start_with(
    uids: u32,
    refuse: u32,
    at_watch: AtWatch,
) -> (super::WorkerHandle, Events, Arc<Mutex<Vec<String>>>) {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let backend = Memory {
        uids: (1..=uids).collect(),
        calls: calls.clone(),
        refuse,
        at_watch,
        noticed: Vec::new(),
        down_until: None,
    };
    let store = StoreHandle::spawn("test", || Store::in_memory("test", u64::MAX));
    let (tx, rx) = unbounded_channel();
    let w = spawn(
        0,
        "test".into(),
        backend,
        store,
        WorkerOptions::default(),
        tx,
    );
    (w, rx, calls)
}

async fn until(rx: &mut Events, want: impl Fn(&WorkerEvent) -> bool) -> Vec<WorkerEvent> {
    let mut seen = Vec::new();
    while let Some((_, e)) = rx.recv().await {
        let done = want(&e);
        seen.push(e);
        if done {
            return seen;
        }
    }
    panic!("the worker stopped: {seen:#?}")
}

/// The calls so far. (A body's parse runs on a thread of its own with a
/// deadline, which a paused clock may rush: these tests look at the calls,
/// not at the parsed message.)
fn calls(c: &Arc<Mutex<Vec<String>>>) -> Vec<String> {
    c.lock().map(|c| c.clone()).unwrap_or_default()
}

#[tokio::test(start_paused = true)]
async fn a_new_folder_shows_its_newest_rows_before_anything_else_and_a_body_jumps_the_queue() {
    let (w, mut rx, log) = start(20_000, 0);
    w.commands.send(WorkerCommand::Connect).unwrap();
    w.commands
        .send(WorkerCommand::OpenFolder {
            path: "INBOX".into(),
            req: 1,
        })
        .unwrap();
    let ev = until(&mut rx, |e| matches!(e, WorkerEvent::Inserted { .. })).await;
    let Some(WorkerEvent::Inserted {
        envelopes,
        remaining,
        ..
    }) = ev.last()
    else {
        unreachable!()
    };
    assert_eq!((envelopes.len(), *remaining), (100, 19_900));
    assert_eq!(
        calls(&log)[..3],
        ["connect", "select INBOX", "newest 100"],
        "the first screen before the folder list and the UID list"
    );
    // Asked for while the rest of the folder is still to come.
    w.commands
        .send(WorkerCommand::FetchMessage {
            folder: FolderRef {
                path: "INBOX".into(),
                uid_validity: 9,
            },
            uid: 20_000,
            req: 2,
            size: Some(10),
        })
        .unwrap();
    until(&mut rx, |e| {
        matches!(e, WorkerEvent::Message { req: 2, .. })
    })
    .await;
    let c = calls(&log);
    let body = c.iter().position(|x| x == "body 20000").expect("fetched");
    let rows_before = c[..body].iter().filter(|x| x.starts_with("rows")).count();
    assert!(
        rows_before <= 1,
        "at most one window ahead of the body: {c:?}"
    );
    until(&mut rx, |e| matches!(e, WorkerEvent::Synced { .. })).await;
    let c = calls(&log);
    assert!(
        c.contains(&"list".to_string()) && c.contains(&"uids".to_string()),
        "{c:?}"
    );
    let fetched: usize = c
        .iter()
        .filter_map(|x| x.strip_prefix("rows ")?.parse::<usize>().ok())
        .sum();
    assert_eq!(fetched, 19_900, "every row once: {c:?}");
}

#[tokio::test(start_paused = true)]
async fn a_command_while_watching_is_served_at_once() {
    let (w, mut rx, log) = start(50, 0);
    w.commands.send(WorkerCommand::Connect).unwrap();
    w.commands
        .send(WorkerCommand::OpenFolder {
            path: "INBOX".into(),
            req: 1,
        })
        .unwrap();
    until(&mut rx, |e| matches!(e, WorkerEvent::Synced { .. })).await;
    // Let it settle into watching the folder.
    while !calls(&log).contains(&"watch".to_string()) {
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let t = tokio::time::Instant::now();
    w.commands
        .send(WorkerCommand::FetchMessage {
            folder: FolderRef {
                path: "INBOX".into(),
                uid_validity: 9,
            },
            uid: 7,
            req: 3,
            size: Some(10),
        })
        .unwrap();
    // Spin without letting the paused clock run: only the worker's own
    // waits move it.
    let real = std::time::Instant::now();
    while !calls(&log).contains(&"body 7".to_string()) {
        assert!(
            real.elapsed() < Duration::from_secs(10),
            "{:?}",
            calls(&log)
        );
        tokio::task::yield_now().await;
    }
    assert!(t.elapsed() < Duration::from_millis(50), "{:?}", t.elapsed());
}

#[tokio::test(start_paused = true)]
async fn refused_connections_back_off_doubling() {
    let (w, mut rx, log) = start(1, 4);
    let t = tokio::time::Instant::now();
    w.commands.send(WorkerCommand::Connect).unwrap();
    let ev = until(&mut rx, |e| {
        matches!(e, WorkerEvent::Conn(ConnState::Connected))
    })
    .await;
    let waits: Vec<u64> = ev
        .iter()
        .filter_map(|e| match e {
            WorkerEvent::Conn(ConnState::Retrying { retry_in_secs, .. }) => Some(*retry_in_secs),
            _ => None,
        })
        .collect();
    assert_eq!(waits, [1, 2, 4, 8]);
    let took = t.elapsed().as_secs();
    assert!((15..17).contains(&took), "waited {took}s");
    assert_eq!(calls(&log).iter().filter(|c| *c == "connect").count(), 5);
}

/// Counts `what` among the calls made in the first `window` of virtual
/// time after the folder was first up to date.
async fn calls_within(
    what: &str,
    window: Duration,
    at_watch: AtWatch,
) -> (usize, Vec<WorkerEvent>) {
    let (w, mut rx, log) = start_with(20, 0, at_watch);
    w.commands.send(WorkerCommand::Connect).unwrap();
    w.commands
        .send(WorkerCommand::OpenFolder {
            path: "INBOX".into(),
            req: 1,
        })
        .unwrap();
    until(&mut rx, |e| matches!(e, WorkerEvent::Synced { .. })).await;
    let before = calls(&log).iter().filter(|c| *c == what).count();
    tokio::time::sleep(window).await;
    let mut events = Vec::new();
    while let Ok((_, e)) = rx.try_recv() {
        events.push(e);
    }
    let after = calls(&log).iter().filter(|c| *c == what).count();
    (after - before, events)
}

#[tokio::test(start_paused = true)]
async fn a_session_that_dies_at_idle_reconnects_at_a_falling_rate() {
    // Each session logs in, syncs the folder, and dies once watched. A
    // finished sync is no sign of health: only a session that lasts is.
    let (logins, events) = calls_within("connect", Duration::from_secs(15), AtWatch::Drop).await;
    // Waits of 0, 1, 2, 4, 8 s: at most five logins in 15 s.
    assert!(logins <= 5, "{logins} logins in 15 s");
    assert!(logins >= 3, "it keeps trying: {logins}");
    let waits: Vec<u64> = events
        .iter()
        .filter_map(|e| match e {
            WorkerEvent::Conn(ConnState::Retrying { retry_in_secs, .. }) => Some(*retry_in_secs),
            _ => None,
        })
        .collect();
    assert_eq!(waits[..3], [1, 2, 4], "the status bar says when: {waits:?}");
    // Never "connected" without a session that then does something.
    let (logins, _) = calls_within("connect", Duration::from_secs(600), AtWatch::Drop).await;
    assert!(
        logins <= 16,
        "{logins} logins in 10 minutes (one a minute at most after the first few)"
    );
}

#[tokio::test(start_paused = true)]
async fn a_folder_that_keeps_asking_for_resyncs_gets_them_at_a_falling_rate() {
    let (selects, _) = calls_within("select INBOX", Duration::from_secs(15), AtWatch::Resync).await;
    assert!(selects <= 5, "{selects} SELECTs in 15 s");
    assert!(selects >= 3, "it does resync: {selects}");
    let (selects, _) =
        calls_within("select INBOX", Duration::from_secs(600), AtWatch::Resync).await;
    assert!(selects <= 16, "{selects} SELECTs in 10 minutes");
}

#[tokio::test(start_paused = true)]
async fn a_server_that_comes_back_is_logged_into_within_seconds() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let t0 = tokio::time::Instant::now();
    let back = Duration::from_secs(100);
    let backend = Memory {
        uids: (1..=5).collect(),
        calls: log.clone(),
        refuse: 0,
        at_watch: AtWatch::Nothing,
        noticed: Vec::new(),
        down_until: Some(t0 + back),
    };
    let store = StoreHandle::spawn("test", || Store::in_memory("test", u64::MAX));
    let (tx, mut rx) = unbounded_channel();
    let w = spawn(
        0,
        "test".into(),
        backend,
        store,
        WorkerOptions::default(),
        tx,
    );
    w.commands.send(WorkerCommand::Connect).unwrap();
    until(&mut rx, |e| {
        matches!(e, WorkerEvent::Conn(ConnState::Connected))
    })
    .await;
    let took = t0.elapsed();
    // Backoff alone would try at 63 s and then at 123 s.
    assert!(
        took >= back && took <= back + Duration::from_secs(3),
        "connected {took:?} after the start, the server came back at {back:?}"
    );
    let connects = calls(&log).iter().filter(|c| *c == "connect").count();
    assert!(connects <= 8, "{connects} connection attempts");
}

#[tokio::test(start_paused = true)]
async fn a_move_cancelled_before_the_connection_came_is_never_sent() {
    let (w, mut rx, log) = start(20, 2);
    let folder = FolderRef {
        path: "INBOX".into(),
        uid_validity: 9,
    };
    let send = |c| w.commands.send(c).unwrap();
    send(WorkerCommand::OpenFolder {
        path: "INBOX".into(),
        req: 1,
    });
    for op in [5, 6] {
        send(WorkerCommand::Move {
            folder: folder.clone(),
            uids: vec![op as u32],
            message_ids: vec![],
            to: "Trash".into(),
            op,
        });
    }
    // Undone while offline: only the other one reaches the server.
    send(WorkerCommand::Cancel { op: 5 });
    send(WorkerCommand::Connect);
    until(&mut rx, |e| matches!(e, WorkerEvent::Moved { op: 6, .. })).await;
    let moves: Vec<String> = calls(&log)
        .into_iter()
        .filter(|c| c.starts_with("move"))
        .collect();
    assert_eq!(moves, ["move [6] Trash"]);
}

/// A search and a limit asked at once: both are answered, in the order
/// asked; past the few kept, the oldest waiting one gives way.
#[tokio::test(start_paused = true)]
async fn searches_asked_together_are_each_answered() {
    let (w, mut rx, log) = start(50, 0);
    w.commands.send(WorkerCommand::Connect).unwrap();
    w.commands
        .send(WorkerCommand::OpenFolder {
            path: "INBOX".into(),
            req: 1,
        })
        .unwrap();
    let ev = until(&mut rx, |e| matches!(e, WorkerEvent::Selected { .. })).await;
    let Some(WorkerEvent::Selected { uid_validity, .. }) = ev.last() else {
        unreachable!()
    };
    let folder = FolderRef {
        path: "INBOX".into(),
        uid_validity: *uid_validity,
    };
    let now = crate::query::Now {
        unix: 1_800_000_000,
        utc_offset: 0,
    };
    for (req, q) in [
        (10, "a"),
        (11, "b"),
        (12, "c"),
        (13, "d"),
        (14, "e"),
        (15, "f"),
    ] {
        w.commands
            .send(WorkerCommand::Search {
                folder: folder.clone(),
                query: crate::query::parse(q).unwrap(),
                now,
                req,
            })
            .unwrap();
    }
    let ev = until(&mut rx, |e| matches!(e, WorkerEvent::Found { req: 15, .. })).await;
    let found: Vec<u64> = ev
        .iter()
        .filter_map(|e| match e {
            WorkerEvent::Found { req, .. } => Some(*req),
            _ => None,
        })
        .collect();
    assert_eq!(found, [12, 13, 14, 15], "{:?}", calls(&log));
}
