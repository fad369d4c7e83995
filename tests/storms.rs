//! Storms, end to end: the real ImapBackend and account worker against a
//! fake server (tests/support/fake_imap.rs) that ends or confuses every
//! session, or asks for a resync every time the client waits for news.
//! Each test watches one window and counts logins or SELECTs; before the
//! backoffs these were hundreds (363 logins, 357–446 SELECTs in 15 s).

mod support;

use std::io;
use std::time::{Duration, Instant};

use mailtui::imap::{ImapBackend, Timeouts};
use mailtui::worker::{ConnState, WorkerCommand, WorkerEvent, WorkerOptions};
use support::events::{Events, memory_store, start};
use support::fake_imap::{Command, Conn, FakeImap, Flow, GARBAGE};

/// How long each storm is watched.
const WINDOW: Duration = Duration::from_secs(15);
/// Logins or SELECTs a storm may cause in [`WINDOW`]: the first two at
/// once, then after waits of 1, 2, 4 and 8 s, the sixth lands at ~15 s.
const BOUND: usize = 6;
/// Fewer than this in the window: the worker gave up, and the storm was
/// not tested.
const AT_LEAST: usize = 4;
/// CPU time the worker (and its backend) may spend in the window: they
/// run on the test's own thread, so a busy loop would show as seconds.
const MAX_CPU: Duration = Duration::from_secs(2);
/// Peak memory of the whole test process; expanding a VANISHED of four
/// billion UIDs would take 16 GB.
const MAX_RSS_KB: u64 = 512 * 1024;

fn backend(fake: &FakeImap) -> ImapBackend {
    support::fake_imap::backend_at(
        fake.port,
        Timeouts {
            connect: Duration::from_secs(2),
            command: Duration::from_secs(3),
            transfer: Duration::from_secs(5),
            idle_slice: Duration::from_secs(3),
            poll: Duration::from_secs(1),
        },
    )
}

/// Answers IDLE with "+ idling" and `lines`, then waits for DONE as a
/// well-behaved server would.
fn idle_saying(c: &mut Conn, cmd: &Command, lines: &[String]) -> io::Result<Flow> {
    c.line("+ idling")?;
    for l in lines {
        c.line(l)?;
    }
    loop {
        match c.read_line()? {
            None => return Ok(Flow::Close),
            Some(l) if l.eq_ignore_ascii_case("DONE") => break,
            Some(_) => {}
        }
    }
    c.ok(cmd)?;
    Ok(Flow::Handled)
}

/// What the worker said during one window, each event with when it came.
struct Run {
    events: Vec<(Instant, WorkerEvent)>,
    /// CPU time of this thread (the worker's) over the window.
    cpu: Duration,
    /// UIDs the store holds for INBOX once the window is over.
    stored: Vec<u32>,
}

impl Run {
    fn conn(&self) -> Vec<(Instant, &ConnState)> {
        self.events
            .iter()
            .filter_map(|(t, e)| match e {
                WorkerEvent::Conn(c) => Some((*t, c)),
                _ => None,
            })
            .collect()
    }

    fn count(&self, what: impl Fn(&WorkerEvent) -> bool) -> usize {
        self.events.iter().filter(|(_, e)| what(e)).count()
    }
}

/// Starts a worker on the fake, connects, opens INBOX and collects its
/// events for [`WINDOW`].
async fn storm(fake: &FakeImap) -> Run {
    let store = memory_store();
    let (w, mut rx) = start(backend(fake), store.clone(), WorkerOptions::default());
    let cpu_before = thread_cpu();
    w.commands.send(WorkerCommand::Connect).expect("worker");
    w.commands
        .send(WorkerCommand::OpenFolder {
            path: "INBOX".into(),
            req: 1,
        })
        .expect("worker");
    let events = collect(&mut rx, WINDOW).await;
    let cpu = thread_cpu().saturating_sub(cpu_before);
    let _ = w.commands.send(WorkerCommand::Shutdown);
    let _ = w.join.await;
    let mut stored: Vec<u32> = store
        .call(|s| s.known("INBOX"))
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(uid, _)| uid)
        .collect();
    stored.sort_unstable();
    Run {
        events,
        cpu,
        stored,
    }
}

/// Every event until `window` has passed (the window is the measurement).
async fn collect(rx: &mut Events, window: Duration) -> Vec<(Instant, WorkerEvent)> {
    let deadline = tokio::time::Instant::now() + window;
    let mut seen = Vec::new();
    while let Ok(Some((_, ev))) = tokio::time::timeout_at(deadline, rx.recv()).await {
        seen.push((Instant::now(), ev));
    }
    assert!(
        tokio::time::Instant::now() >= deadline,
        "the worker stopped early: {seen:#?}"
    );
    seen
}

/// User plus system time of the calling thread, from /proc.
fn thread_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").expect("/proc/thread-self/stat");
    // Fields after the command name (which may hold spaces) in brackets.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    // utime and stime are fields 14 and 15; `rest` starts at field 3.
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    // The kernel reports in USER_HZ, 100 on every Linux this runs on.
    Duration::from_millis(ticks * 10)
}

/// The process's peak resident memory in kB.
fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .expect("VmHWM in /proc/self/status")
}

/// A server that ends every session at IDLE: logins stay few, and the
/// status the worker reports never says connected without a session.
fn assert_reconnects_at_a_falling_rate(fake: &FakeImap, run: &Run) {
    let stats = fake.stats();
    let logins = stats.most_logins_within(WINDOW);
    assert!(logins <= BOUND, "{logins} logins in 15 s");
    assert!(logins >= AT_LEAST, "it keeps reconnecting: {logins}");
    assert!(
        stats.count("IDLE") >= AT_LEAST - 1,
        "{:?}",
        stats.commands()
    );

    // Connected only after a login the server saw, one per login; a lost
    // session is followed by an attempt (Reconnecting, after a wait that
    // says how long) before the next Connected.
    let conn = run.conn();
    let login_times = stats.login_times();
    let connected: Vec<Instant> = conn
        .iter()
        .filter(|(_, c)| **c == ConnState::Connected)
        .map(|(t, _)| *t)
        .collect();
    assert!(
        connected.len() <= login_times.len() && connected.len() + 1 >= login_times.len(),
        "{} Connected for {} logins: {conn:#?}",
        connected.len(),
        login_times.len()
    );
    for (i, t) in connected.iter().enumerate() {
        assert!(
            *t >= login_times[i],
            "Connected #{} came before its login: {conn:#?}",
            i + 1
        );
    }
    let mut up = false;
    for (_, c) in &conn {
        match c {
            ConnState::Connected => {
                assert!(!up, "Connected twice without a loss: {conn:#?}");
                up = true;
            }
            ConnState::Connecting | ConnState::Reconnecting | ConnState::Retrying { .. } => {
                up = false
            }
            ConnState::Failed(e) => panic!("gave up: {e:?}"),
            ConnState::Idle => {}
        }
    }
    let waits: Vec<u64> = conn
        .iter()
        .filter_map(|(_, c)| match c {
            ConnState::Retrying { retry_in_secs, .. } => Some(*retry_in_secs),
            _ => None,
        })
        .collect();
    eprintln!(
        "{logins} logins, {} IDLEs, waits {waits:?}, worker CPU {:?}",
        stats.count("IDLE"),
        run.cpu
    );
    assert!(waits.len() >= 2, "{conn:#?}");
    let n = waits.len().min(4);
    assert_eq!(waits[..n], [1, 2, 4, 8][..n], "the waits double: {waits:?}");
    assert_sane(run);
}

/// A server that asks for a resync at every IDLE: SELECTs stay few, on
/// one session, and the folder's rows are never dropped for it.
fn assert_resyncs_at_a_falling_rate(fake: &FakeImap, run: &Run) {
    let stats = fake.stats();
    let selects = stats.selects();
    assert!(selects <= BOUND, "{selects} SELECTs in 15 s");
    assert!(selects >= AT_LEAST, "it does resync: {selects}");
    assert_eq!(stats.logins(), 1, "the session lives on");
    assert!(
        stats.count("IDLE") >= AT_LEAST - 1,
        "{:?}",
        stats.commands()
    );
    let selected = run.count(|e| matches!(e, WorkerEvent::Selected { .. }));
    eprintln!(
        "{selects} SELECTs, {} IDLEs, {selected} Selected events, worker CPU {:?}, peak memory {} kB",
        stats.count("IDLE"),
        run.cpu,
        peak_rss_kb()
    );
    assert!(selected <= selects, "{selected} Selected for {selects}");
    // The server holds three messages all along: the list may be redone,
    // never left empty.
    assert_eq!(run.stored, [1, 2, 3], "the store after the storm");
    assert_sane(run);
}

fn assert_sane(run: &Run) {
    assert!(run.cpu <= MAX_CPU, "the worker spent {:?} of CPU", run.cpu);
    let rss = peak_rss_kb();
    assert!(rss <= MAX_RSS_KB, "peak memory {rss} kB");
}

#[tokio::test]
async fn a_server_that_says_bye_at_every_idle_is_reconnected_to_at_a_falling_rate() {
    let fake = FakeImap::builder()
        .on("IDLE", |c, _| {
            c.line("+ idling")?;
            c.line("* BYE going away")?;
            Ok(Flow::Close)
        })
        .start();
    let run = storm(&fake).await;
    assert_reconnects_at_a_falling_rate(&fake, &run);
}

#[tokio::test]
async fn a_connection_closed_without_a_word_at_every_idle_is_reopened_at_a_falling_rate() {
    let fake = FakeImap::builder()
        .on("IDLE", |_, _| Ok(Flow::Close))
        .start();
    let run = storm(&fake).await;
    assert_reconnects_at_a_falling_rate(&fake, &run);
}

#[tokio::test]
async fn garbage_for_an_answer_to_every_idle_reconnects_at_a_falling_rate() {
    let fake = FakeImap::builder()
        .on("IDLE", |c, _| {
            // Every other session at the start of IDLE, the rest after it.
            if c.session % 2 == 0 {
                c.line("+ idling")?;
            }
            c.send(GARBAGE)?;
            // The client gives up on the session; the fake waits for that.
            while c.read_line()?.is_some() {}
            Ok(Flow::Close)
        })
        .start();
    let run = storm(&fake).await;
    assert_reconnects_at_a_falling_rate(&fake, &run);
}

#[tokio::test]
async fn a_new_uidvalidity_at_every_idle_is_reselected_at_a_falling_rate() {
    let fake = FakeImap::builder()
        .on("IDLE", |c, cmd| {
            let v = {
                let mut w = c.world();
                let f = w.folder_mut("INBOX");
                f.uidvalidity += 1;
                f.uidvalidity
            };
            idle_saying(c, cmd, &[format!("* OK [UIDVALIDITY {v}] changed")])
        })
        .start();
    let run = storm(&fake).await;
    assert_resyncs_at_a_falling_rate(&fake, &run);
    // Each new UIDVALIDITY replaces the rows once: no more than SELECTs.
    let validities: Vec<u32> = run
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            WorkerEvent::Selected { uid_validity, .. } => Some(*uid_validity),
            _ => None,
        })
        .collect();
    assert!(validities.windows(2).all(|w| w[0] < w[1]), "{validities:?}");
}

#[tokio::test]
async fn a_count_going_down_at_every_idle_is_reselected_at_a_falling_rate() {
    let fake = FakeImap::builder()
        .on("IDLE", |c, cmd| idle_saying(c, cmd, &["* 1 EXISTS".into()]))
        .start();
    let run = storm(&fake).await;
    assert_resyncs_at_a_falling_rate(&fake, &run);
    // The server still holds all three: none of them left the list.
    let expunged = run.count(|e| matches!(e, WorkerEvent::Expunged { .. }));
    assert_eq!(expunged, 0, "{:#?}", run.events);
}

#[tokio::test]
async fn vanished_everything_at_every_idle_is_reselected_at_a_falling_rate() {
    let fake = FakeImap::builder()
        .capabilities("IMAP4rev1 IDLE ENABLE UIDPLUS MOVE LITERAL+ AUTH=PLAIN CONDSTORE QRESYNC")
        .on("IDLE", |c, cmd| {
            idle_saying(c, cmd, &["* VANISHED 1:4294967295".into()])
        })
        .start();
    let run = storm(&fake).await;
    assert_resyncs_at_a_falling_rate(&fake, &run);
    let expunged = run.count(|e| matches!(e, WorkerEvent::Expunged { .. }));
    assert_eq!(expunged, 0, "{:#?}", run.events);
}
