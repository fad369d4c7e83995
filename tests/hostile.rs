//! mailtui against a hostile IMAP server (tests/support/fake_imap.rs):
//! long and endless lines, answers too big to buffer, a server that
//! trickles. Each names the limit it checks.

mod support;

use std::time::Duration;

use mailtui::auth::{PasswordSource, Secret};
use mailtui::imap::{ImapAuth, ImapBackend, ImapSettings, Timeouts, TlsMode};
use mailtui::mail::MailBackend;
use support::fake_imap::{FakeImap, Flow, Folder};

fn settings(port: u16) -> ImapSettings {
    ImapSettings {
        host: "127.0.0.1".into(),
        port,
        tls: TlsMode::None,
        ca_file: None,
        username: "user@example.com".into(),
        timeouts: Timeouts {
            connect: Duration::from_secs(5),
            command: Duration::from_secs(10),
            transfer: Duration::from_secs(30),
            ..Timeouts::default()
        },
    }
}

fn backend(fake: &FakeImap) -> ImapBackend {
    ImapBackend::new(
        settings(fake.port),
        ImapAuth::Password(PasswordSource::Plain(Secret::new("pw"))),
    )
}

#[tokio::test]
async fn the_fake_server_serves_a_well_behaved_session() {
    let fake = FakeImap::builder()
        .folders(vec![
            Folder::new("INBOX", 7, 1..=20),
            Folder::new("Archive", 3, [5, 9]),
        ])
        .start();
    let mut b = backend(&fake);
    b.connect().await.expect("login");
    let folders = b.list_folders().await.expect("list");
    assert_eq!(folders.len(), 2, "{folders:?}");
    let sel = b.select("INBOX", None).await.expect("select");
    assert_eq!(sel.uid_validity, 7);
    let uids = b.all_uids().await.expect("search");
    assert_eq!(uids, (1..=20).collect::<Vec<u32>>());
    let rows = b.fetch_rows(&uids[..5]).await.expect("fetch");
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[0].envelope.subject.as_str(), "Message 1");
    let body = b.fetch_message(3).await.expect("body");
    assert!(String::from_utf8_lossy(&body).contains("Body of message 3"));
    assert_eq!(fake.stats().logins(), 1);
    assert_eq!(fake.stats().selects(), 1);
    assert!(fake.stats().bytes_sent() > 500);
}

#[tokio::test]
async fn a_script_can_end_the_session_at_idle() {
    let fake = FakeImap::builder()
        .on("IDLE", |c, _| {
            c.line("+ idling")?;
            c.line("* BYE going away")?;
            Ok(Flow::Close)
        })
        .start();
    let stats_wait = Duration::from_secs(10);
    let mut s = std::net::TcpStream::connect(("127.0.0.1", fake.port)).unwrap();
    use std::io::{BufRead, BufReader, Write};
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    assert!(line.starts_with("* OK"), "{line}");
    s.write_all(b"a1 LOGIN u p\r\na2 SELECT INBOX\r\na3 IDLE\r\n")
        .unwrap();
    let mut all = String::new();
    while r.read_line(&mut line).unwrap() > 0 {
        all.push_str(&line);
        line.clear();
    }
    assert!(all.contains("* BYE going away"), "{all}");
    assert!(
        fake.stats()
            .wait_until(stats_wait, |s| s.closed_sessions() == 1)
    );
    assert_eq!(fake.stats().count("IDLE"), 1);
}
