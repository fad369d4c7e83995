//! Sending figures on real parts: Dovecot's submission service with a
//! private Postfix relay on loopback, mailtui's send path in process and
//! the real binary in tmux; peak memory of a 25 MB attachment sent in a
//! fresh child process. Prints medians; asserts nothing.
//! Run: `cargo bench --bench send` (as root: the relay is a real Postfix;
//! MAILTUI_BENCH_SENDS to change the number of in-process sends).

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use mailtui::compose::{self, BuildOptions, Draft, DraftAttachment};
use mailtui::outgoing::Outgoing;
use mailtui::state::compose::{ComposeCommand, ComposeEvent, Followups};
use support::dovecot::{Dovecot, Options, SUBMISSION_HOST};
use support::relay::Relay;
use support::tmux::Tmux;
use support::writing::{install_editor, password_config};
use tokio::sync::mpsc::UnboundedReceiver;

const BIN: &str = env!("CARGO_BIN_EXE_mailtui");
const ERIN: &str = "erin@example.com";
const BOB: &str = "bob@example.com";
/// Set in the re-executed bench: run the memory figure and exit.
const CHILD: &str = "MAILTUI_BENCH_SEND_CHILD";
const ATTACHMENT_BYTES: usize = 25 << 20;
/// The longest any one send may take here.
const SEND_TIMEOUT: Duration = Duration::from_secs(120);

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn show(what: &str, v: Vec<Duration>) -> Duration {
    let n = v.len();
    let lo = v.iter().min().copied().unwrap_or_default();
    let hi = v.iter().max().copied().unwrap_or_default();
    let m = median(v);
    println!("{what}: median {m:.1?} (min {lo:.1?}, max {hi:.1?}, n={n})");
    m
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A line of /proc/self/status in kB (VmHWM, VmRSS).
fn status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

struct Setup {
    d: Dovecot,
    relay: Relay,
    home: tempfile::TempDir,
    cfg: PathBuf,
}

impl Setup {
    fn start() -> Setup {
        let d = Dovecot::start_with(Options {
            submission: true,
            ..Default::default()
        });
        for u in [ERIN, BOB] {
            d.add_user(u, "pw");
        }
        for i in 0..10 {
            d.add_user(&tmux_recipient(i), "pw");
        }
        d.deliver(ERIN, "Sent Items", &[]);
        d.deliver(ERIN, "Drafts", &[]);
        let relay = Relay::start(&d);
        let home = tempfile::tempdir().expect("temp dir");
        let script = install_editor(home.path());
        let cfg = password_config(home.path(), &d, ERIN, &script);
        Setup {
            d,
            relay,
            home,
            cfg,
        }
    }
}

fn tmux_recipient(i: usize) -> String {
    format!("reader{i}@example.com")
}

fn small_draft(n: usize) -> Draft {
    Draft {
        from: format!("Erin Example <{ERIN}>"),
        to: format!("Bob Example <{BOB}>"),
        subject: format!("Bench {n}"),
        body: "Friday works — see you at noon.\n\nErin\n".into(),
        ..Default::default()
    }
}

/// The app's send path for the config's first account, on this runtime.
fn outgoing(cfg: &Path, data: &Path) -> (Outgoing, UnboundedReceiver<ComposeEvent>) {
    let config = mailtui::config::load(cfg).expect("the config loads");
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let o = Outgoing::new(
        &config.accounts,
        &[None],
        vec![None],
        config.compose,
        data,
        tx,
        0,
    );
    (o, rx)
}

static IDS: AtomicU64 = AtomicU64::new(1);

/// Hands the draft to the send path; (time to Queued, time to Sent).
async fn send_through_outgoing(
    o: &Outgoing,
    rx: &mut UnboundedReceiver<ComposeEvent>,
    draft: Draft,
    on_event: impl Fn(&ComposeEvent),
) -> (Duration, Duration) {
    let id = IDS.fetch_add(1, Ordering::Relaxed);
    let t = Instant::now();
    o.handle(ComposeCommand::Send {
        id,
        account: 0,
        draft: Box::new(draft),
        file: None,
        after: Followups::default(),
    });
    let mut queued = None;
    let mut entry = String::new();
    loop {
        let ev = tokio::time::timeout(SEND_TIMEOUT, rx.recv())
            .await
            .expect("an answer within the send timeout")
            .expect("the send path is running");
        on_event(&ev);
        match ev {
            ComposeEvent::Queued { id: i, entry: e } if i == id => {
                queued = Some(t.elapsed());
                entry = e;
            }
            ComposeEvent::Sent { entry: e, .. } if e == entry => {
                let sent = t.elapsed();
                // As the app does once the follow-ups are done.
                o.handle(ComposeCommand::Finished { entry });
                return (queued.unwrap_or_default(), sent);
            }
            ComposeEvent::SendFailed { sentence, .. } => panic!("not sent: {sentence}"),
            ComposeEvent::Failed { error, .. } => panic!("not sent: {error}"),
            _ => {}
        }
    }
}

fn lettre_transport(d: &Dovecot) -> AsyncSmtpTransport<Tokio1Executor> {
    let pem = std::fs::read(&d.ca_file).expect("read the CA");
    let tls = TlsParameters::builder(SUBMISSION_HOST.to_string())
        .add_root_certificate(Certificate::from_pem(&pem).expect("the CA parses"))
        .build_rustls()
        .expect("TLS parameters");
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(SUBMISSION_HOST)
        .port(d.submission_port)
        .tls(Tls::Required(tls))
        .credentials(Credentials::new(ERIN.into(), "pw".into()))
        .timeout(Some(SEND_TIMEOUT))
        .build()
}

/// 1 (a) and (b), interleaved so that drift in the machine's load hits both.
fn in_process(s: &Setup, rt: &tokio::runtime::Runtime, n: usize) -> (Duration, Duration) {
    let data = s.home.path().join("data-in-process");
    std::fs::create_dir_all(&data).expect("mkdir");
    let (o, mut rx) = rt.block_on(async { outgoing(&s.cfg, &data) });
    let built = compose::build(
        &small_draft(0),
        &BuildOptions {
            now: chrono::Utc::now().timestamp(),
            zone_offset_secs: 0,
            keep_bcc: false,
            message_id: None,
            format_flowed: false,
        },
    )
    .expect("build");
    println!(
        "message: {} bytes, 1 recipient, STARTTLS + AUTH PLAIN per send",
        built.bytes.len()
    );
    let transport = lettre_transport(&s.d);
    let envelope = Envelope::new(
        Some(ERIN.parse().expect("address")),
        vec![BOB.parse().expect("address")],
    )
    .expect("envelope");
    let (mut queued, mut mailtui, mut lettre) = (Vec::new(), Vec::new(), Vec::new());
    // One of each first: connections, the relay's processes, caches.
    for i in 0..=n {
        let (q, sent) = rt.block_on(send_through_outgoing(&o, &mut rx, small_draft(i), |_| {}));
        s.relay.wait_until_idle(&s.d);
        let t = Instant::now();
        rt.block_on(transport.send_raw(&envelope, &built.bytes))
            .expect("lettre sends");
        let direct = t.elapsed();
        s.relay.wait_until_idle(&s.d);
        if i > 0 {
            queued.push(q);
            mailtui.push(sent);
            lettre.push(direct);
        }
    }
    show(
        "1a mailtui, Send command to Queued (built, in the outbox)",
        queued,
    );
    let a = show("1a mailtui, Send command to Sent (server's 250)", mailtui);
    let b = show(
        "1b lettre send_raw alone, same bytes (server's time)",
        lettre,
    );
    println!(
        "1  mailtui's own cost: {:.1} ms (goal < 100 ms)",
        ms(a) - ms(b)
    );
    (a, b)
}

/// Keys straight to the pane, without the support's 60 ms pause after a key.
fn key_now(t: &Tmux, key: &str) {
    let out = Command::new("tmux")
        .args(["-L", &t.session, "-f", "/dev/null", "send-keys", "-t"])
        .args([&t.session, key])
        .output()
        .expect("tmux");
    assert!(out.status.success(), "tmux send-keys failed");
}

/// 1 (c): `y` on the review screen to "sent to" on the status bar.
fn binary(s: &Setup, n: usize) -> (Duration, Duration) {
    let t = Tmux::start(
        s.home.path(),
        140,
        40,
        BIN,
        &["--config", s.cfg.to_str().expect("utf-8 path")],
    );
    t.wait_for("connected");
    let editor = s.home.path().join("editor");
    let (mut took, mut polls) = (Vec::new(), Vec::new());
    for i in 0..=n {
        let to = tmux_recipient(i);
        let subject = format!("Bench in tmux {i}");
        std::fs::write(editor.join("to"), &to).expect("write");
        std::fs::write(editor.join("subject"), &subject).expect("write");
        std::fs::write(editor.join("text"), "See you at noon.\n").expect("write");
        t.send(&["C"]);
        t.wait_until("the review screen", |sc| {
            sc.contains(&subject) && sc.contains("y send")
        });
        let want = format!("sent to {to}");
        let start = Instant::now();
        key_now(&t, "y");
        let mut captures = 0u32;
        let took_now = loop {
            let before = Instant::now();
            let screen = t.screen();
            captures += 1;
            if screen.contains(&want) {
                // The screen was last seen without it before this capture.
                break before.max(start) - start;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "no {want:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(5));
        };
        let per_poll = start.elapsed() / captures.max(1);
        // The Sent copy is stored after "sent to"; let it and the relay finish.
        let deadline = Instant::now() + Duration::from_secs(30);
        while sent_count(&s.d) < i + 1 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        s.relay.wait_until_idle(&s.d);
        if i > 0 {
            took.push(took_now);
            polls.push(per_poll);
        }
    }
    t.send(&["q"]);
    t.wait_exit();
    let c = show("1c binary in tmux, y to \"sent to\" on screen", took);
    let p = show(
        "   time between screen captures (the granularity of 1c)",
        polls,
    );
    (c, p)
}

fn sent_count(d: &Dovecot) -> usize {
    d.doveadm(&["search", "-u", ERIN, "mailbox", "Sent Items", "ALL"])
        .lines()
        .count()
}

/// The figures of one child run.
struct Memory {
    before_kb: u64,
    peak_kb: u64,
    phases: Vec<(String, u64)>,
    message_bytes: u64,
}

/// 2: runs the child and reads what it printed.
fn memory(s: &Setup, attachment: &Path) -> Memory {
    let data = tempfile::tempdir_in(s.home.path()).expect("temp dir");
    let out = Command::new(std::env::current_exe().expect("this bench"))
        .env(CHILD, "1")
        .env("MAILTUI_BENCH_CONFIG", &s.cfg)
        .env("MAILTUI_BENCH_DATA", data.path())
        .env("MAILTUI_BENCH_ATTACHMENT", attachment)
        .output()
        .expect("run the child");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the child failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let value = |key: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    let phases = text
        .lines()
        .filter_map(|l| l.strip_prefix("phase "))
        .filter_map(|l| {
            let (name, kb) = l.rsplit_once(' ')?;
            Some((name.to_string(), kb.parse().ok()?))
        })
        .collect();
    s.relay.wait_until_idle(&s.d);
    Memory {
        before_kb: value("before_kb="),
        peak_kb: value("peak_kb="),
        phases,
        message_bytes: value("message_bytes="),
    }
}

/// The child: one message with the attachment, through the app's send
/// path; VmHWM before and after, and the highest VmRSS seen in each
/// phase (sampled every millisecond) to say where the memory goes.
fn child() {
    let env = |k: &str| PathBuf::from(std::env::var_os(k).unwrap_or_default());
    let (cfg, data, attachment) = (
        env("MAILTUI_BENCH_CONFIG"),
        env("MAILTUI_BENCH_DATA"),
        env("MAILTUI_BENCH_ATTACHMENT"),
    );
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (o, mut rx) = rt.block_on(async { outgoing(&cfg, &data) });
    let mut draft = small_draft(0);
    draft.attachments.push(DraftAttachment::file(&attachment));

    const PHASES: [&str; 4] = [
        "build + outbox write",
        "connect + auth",
        "outbox read + transfer",
        "Sent event (outbox read again)",
    ];
    let phase = Arc::new(AtomicUsize::new(0));
    let peaks: Arc<Vec<AtomicU64>> = Arc::new(PHASES.iter().map(|_| AtomicU64::new(0)).collect());
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let (phase, peaks, done) = (phase.clone(), peaks.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                let rss = status_kb("VmRSS:");
                peaks[phase.load(Ordering::Relaxed)].fetch_max(rss, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(1));
            }
        })
    };
    let before = status_kb("VmHWM:");
    let message_bytes = AtomicU64::new(0);
    rt.block_on(send_through_outgoing(&o, &mut rx, draft, |ev| match ev {
        ComposeEvent::Queued { .. } => phase.store(1, Ordering::Relaxed),
        ComposeEvent::Progress { step, .. } if step == "sending" => {
            phase.store(2, Ordering::Relaxed)
        }
        ComposeEvent::Sent { bytes, .. } => {
            phase.store(3, Ordering::Relaxed);
            message_bytes.store(bytes.len() as u64, Ordering::Relaxed);
        }
        _ => {}
    }));
    // The Sent event is dropped; let the sampler see the last of it.
    std::thread::sleep(Duration::from_millis(20));
    done.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    let peak = status_kb("VmHWM:");
    println!("before_kb={before}");
    println!("peak_kb={peak}");
    println!("message_bytes={}", message_bytes.load(Ordering::Relaxed));
    for (name, kb) in PHASES.iter().zip(peaks.iter()) {
        println!("phase {name} {}", kb.load(Ordering::Relaxed));
    }
}

fn main() {
    if std::env::var_os(CHILD).is_some() {
        child();
        return;
    }
    let n: usize = std::env::var("MAILTUI_BENCH_SENDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    println!("load average at start: {}", load_average());
    let s = Setup::start();
    let rt = tokio::runtime::Runtime::new().expect("runtime");

    let (a, b) = in_process(&s, &rt, n);
    let (c, poll) = binary(&s, 5);

    let attachment = s.home.path().join("big.bin");
    // Incompressible bytes (a photo, an archive), as base64 sees them.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..ATTACHMENT_BYTES)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    std::fs::write(&attachment, &bytes).expect("write the attachment");
    drop(bytes);
    let runs: Vec<Memory> = (0..2).map(|_| memory(&s, &attachment)).collect();
    let mb = |kb: u64| kb as f64 / 1024.0;
    for (i, m) in runs.iter().enumerate() {
        println!(
            "2  run {}: VmHWM before {:.1} MB, after {:.1} MB: {:.1} MB for a {} MB attachment \
             ({:.1} MB message), {:.2}x",
            i + 1,
            mb(m.before_kb),
            mb(m.peak_kb),
            mb(m.peak_kb - m.before_kb),
            ATTACHMENT_BYTES >> 20,
            m.message_bytes as f64 / (1 << 20) as f64,
            (m.peak_kb - m.before_kb) as f64 * 1024.0 / ATTACHMENT_BYTES as f64
        );
        for (name, kb) in &m.phases {
            println!(
                "     highest VmRSS in {name}: {:.1} MB over the start",
                mb(kb.saturating_sub(m.before_kb))
            );
        }
    }
    let worst = runs
        .iter()
        .map(|m| m.peak_kb - m.before_kb)
        .max()
        .unwrap_or(0);

    println!("\nsummary (load average now: {})", load_average());
    println!("| figure | value | goal |");
    println!("|---|---|---|");
    println!(
        "| 1a send path, Send to Sent (median) | {:.1} ms | |",
        ms(a)
    );
    println!("| 1b lettre send_raw alone (median) | {:.1} ms | |", ms(b));
    println!(
        "| 1a - 1b, mailtui's own cost | {:.1} ms | < 100 ms |",
        ms(a) - ms(b)
    );
    println!(
        "| 1c binary, y to \"sent to\" (median, ±{:.0} ms capture) | {:.1} ms | |",
        ms(poll),
        ms(c)
    );
    println!(
        "| 2 peak RSS over start, 25 MB attachment | {:.1} MB | < 75 MB |",
        mb(worst)
    );
}
