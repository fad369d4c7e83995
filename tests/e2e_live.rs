//! The real binary in tmux against a real Dovecot: a folder that stays
//! current, survives being killed, and reads offline.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mailtui::store::{self, Store};
use support::dovecot::{Dovecot, Options};
use support::tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_mailtui");
const USER: &str = "erin@example.com";

fn server() -> Dovecot {
    let d = Dovecot::start();
    d.add_user(USER, "pw");
    d
}

fn config(home: &Path, d: &Dovecot) -> PathBuf {
    let cfg = home.join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[accounts]]\nname = \"mail\"\nemail = \"{USER}\"\nprovider = \"generic\"\n\
             imap = {{ host = \"127.0.0.1\", port = {}, tls = \"implicit\" }}\nca_file = \"{}\"\n\
             auth = {{ method = \"password\", password = \"pw\" }}\n",
            d.imaps_port,
            d.ca_file.display()
        ),
    )
    .unwrap();
    cfg
}

fn run(home: &Path, cfg: &Path) -> Tmux {
    Tmux::start(home, 120, 40, BIN, &["--config", cfg.to_str().unwrap()])
}

fn store_file(home: &Path) -> PathBuf {
    store::file_for(&home.join("cache/mailtui"), "mail")
}

/// Rows the running app's store has committed, read beside it.
fn stored_rows(file: &Path) -> i64 {
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
    rusqlite::Connection::open_with_flags(file, flags)
        .and_then(|db| db.query_row("SELECT count(*) FROM messages", [], |r| r.get(0)))
        .unwrap_or(0)
}

fn log(home: &Path) -> String {
    std::fs::read_to_string(home.join("state/mailtui/mailtui.log")).unwrap_or_default()
}

/// The pid of mailtui under the pane's shell.
fn app_pid(t: &Tmux) -> String {
    let shell = t.query("#{pane_pid}");
    let shell = shell.trim();
    let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children")).unwrap();
    children
        .split_whitespace()
        .next()
        .expect("mailtui runs in the pane")
        .to_string()
}

#[test]
fn killed_mid_sync_then_restarted_loses_nothing() {
    let d = server();
    d.deliver(USER, "INBOX", &support::fixtures::bulk(6000, ""));
    d.index(USER);
    let home = tempfile::tempdir().unwrap();
    let cfg = config(home.path(), &d);

    let t = run(home.path(), &cfg);
    // Killed while older rows are still coming in, once some are stored
    // (the screen may show a batch the store's thread has yet to write).
    t.wait_for(" of 6,000 ");
    let file = store_file(home.path());
    t.wait_until("rows stored", |_| stored_rows(&file) > 0);
    let pid = app_pid(&t);
    assert!(
        std::process::Command::new("kill")
            .args(["-9", &pid])
            .status()
            .unwrap()
            .success()
    );
    t.wait_exit();

    // What was stored is whole: real UIDs, no sync recorded as finished.
    {
        let mut s = Store::open(&store_file(home.path()), "check", u64::MAX);
        let known = s.known("INBOX");
        assert!(
            !known.is_empty() && known.len() < 6000,
            "{} rows",
            known.len()
        );
        assert!(known.iter().all(|(u, _)| (1..=6000).contains(u)));
        assert!(
            s.folder_state("INBOX")
                .is_none_or(|f| f.synced_at.is_none()),
            "an unfinished sync is not recorded as done"
        );
    }

    // The next start shows what was kept at once and fetches the rest.
    let t = run(home.path(), &cfg);
    t.wait_until("all rows", |s| {
        s.contains("Inbox · 6,000 ") && !s.contains("syncing")
    });
    t.send(&["q"]);
    assert_eq!(t.wait_exit().0, 0);
    let mut s = Store::open(&store_file(home.path()), "check", u64::MAX);
    let known = s.known("INBOX");
    assert_eq!(known.len(), 6000);
    assert!(
        s.folder_state("INBOX")
            .is_some_and(|f| f.synced_at.is_some())
    );
}

#[test]
fn with_the_server_down_stored_mail_and_opened_messages_still_read() {
    let mut d = server();
    d.deliver(USER, "INBOX", &support::fixtures::bulk(30, ""));
    let home = tempfile::tempdir().unwrap();
    let cfg = config(home.path(), &d);

    let t = run(home.path(), &cfg);
    // The newest message is previewed, so its body is kept.
    t.wait_for("Body of message 30");
    t.wait_until("synced", |s| {
        s.contains("Inbox · 30 ") && !s.contains("syncing")
    });
    t.send(&["q"]);
    t.wait_exit();

    d.stop();
    let started = Instant::now();
    let t = run(home.path(), &cfg);
    let s = t.wait_for("Body of message 30");
    assert!(s.contains("Message number 29"), "{s}");
    let s = t.wait_for("offline: as of");
    assert!(!s.contains("connected to"), "{s}");
    eprintln!("offline screen after {:?}", started.elapsed());
    t.send(&["q"]);
    assert_eq!(t.wait_exit().0, 0);
}

#[test]
fn a_damaged_cache_is_set_aside_and_an_unwritable_one_runs_uncached() {
    let d = server();
    d.deliver(USER, "INBOX", &support::fixtures::bulk(3, ""));

    let home = tempfile::tempdir().unwrap();
    let cfg = config(home.path(), &d);
    let file = store_file(home.path());
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, vec![0x42; 100_000]).unwrap();
    let t = run(home.path(), &cfg);
    t.wait_until("synced", |s| {
        s.contains("Inbox · 3 ") && !s.contains("syncing")
    });
    t.send(&["q"]);
    t.wait_exit();
    assert!(
        log(home.path()).contains("moving it aside"),
        "{}",
        log(home.path())
    );
    let mut s = Store::open(&file, "check", u64::MAX);
    assert_eq!(s.known("INBOX").len(), 3, "a new store was built");

    // The cache dir cannot be created (a file is in the way).
    let home = tempfile::tempdir().unwrap();
    let cfg = config(home.path(), &d);
    std::fs::create_dir_all(home.path().join("cache")).unwrap();
    std::fs::write(home.path().join("cache/mailtui"), "in the way").unwrap();
    let t = run(home.path(), &cfg);
    t.wait_until("synced", |s| {
        s.contains("Inbox · 3 ") && !s.contains("syncing")
    });
    t.send(&["q"]);
    assert_eq!(t.wait_exit().0, 0);
    let l = log(home.path());
    assert_eq!(l.matches("running uncached").count(), 1, "said once:\n{l}");
}

/// Sign-in dies while mailtui sits idle: the server ends the session and
/// the screen says "sign-in needed" with no key pressed.
#[test]
fn a_revoked_sign_in_shows_without_a_key_press() {
    use support::idp::{CLIENT_ID, Idp};

    let idp = Idp::start();
    let d = Dovecot::start_with(Options {
        oauth2_introspection: Some(idp.introspection_url()),
        ..Default::default()
    });
    let alice = "alice@contoso.example";
    d.deliver(
        alice,
        "INBOX",
        &[(support::fixtures::PLAIN.as_bytes().to_vec(), "")],
    );
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[accounts]]\nname = \"work\"\nemail = \"{alice}\"\nprovider = \"microsoft\"\ntenant = \"contoso.onmicrosoft.com\"\n\
             client_id = \"{CLIENT_ID}\"\nauthority = \"{}\"\nca_file = \"{}\"\n\
             imap = {{ host = \"127.0.0.1\", port = {}, tls = \"implicit\" }}\n",
            idp.base,
            d.ca_file.display(),
            d.imaps_port
        ),
    )
    .unwrap();
    let t = run(home.path(), &cfg);
    idp.approve(&t.sign_in_code(), alice);
    t.wait_until("synced", |s| {
        s.contains("Plain hello") && s.contains("connected to")
    });

    // An admin revokes the sessions; the server ends ours.
    idp.revoke(alice);
    std::thread::sleep(Duration::from_millis(300));
    d.kick(alice);
    let s = t.wait_for("sign-in needed");
    assert!(!s.contains("connected to"), "{s}");
    t.send(&["q"]);
    assert_eq!(t.wait_exit().0, 0);
}
