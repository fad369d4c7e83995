//! Microsoft 365 with SMTP AUTH off, end to end: the real binary in tmux
//! against an Exchange-shaped Dovecot (XOAUTH2 through the test identity
//! provider), an Exchange-shaped SMTP server answering `535 5.7.139`, and
//! the identity provider's Graph imitation delivering into the Dovecot.
//! A reply goes out after one more approval, once, with one Sent copy that
//! mailtui did not APPEND.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use support::dovecot::{Dovecot, Options};
use support::fake_smtp::{FakeSmtp, Script, TENANT_DISABLED};
use support::graph::{SENT_ITEMS, dovecot_sink};
use support::idp::{CLIENT_ID, Idp};
use support::tmux::{Tmux, read_code};
use support::writing::install_editor;

const BIN: &str = env!("CARGO_BIN_EXE_mailtui");
const ALICE: &str = "alice@contoso.example";
const BOB: &str = "bob@example.com";

fn original() -> Vec<u8> {
    format!(
        "From: Bob Example <{BOB}>\r\nTo: Alice <{ALICE}>\r\n\
         Subject: Budget review\r\nDate: Fri, 27 Nov 2026 09:00:00 +0100\r\n\
         Message-ID: <budget-1@example.com>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         Can you send me the figures?\r\n"
    )
    .into_bytes()
}

fn count(d: &Dovecot, user: &str, folder: &str) -> usize {
    d.doveadm(&["search", "-u", user, "mailbox", folder, "ALL"])
        .lines()
        .count()
}

fn wait_count(d: &Dovecot, user: &str, folder: &str, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while count(d, user, folder) != n {
        assert!(
            Instant::now() < deadline,
            "{folder} of {user} never held {n} (holds {})",
            count(d, user, folder)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_reply_goes_through_graph_after_one_approval_when_smtp_is_off() {
    let idp = Idp::start();
    let d = Arc::new(Dovecot::start_with(Options {
        exchange: true,
        oauth2_introspection: Some(idp.introspection_url()),
        ..Default::default()
    }));
    idp.set_mail_sink(dovecot_sink(d.clone()));
    d.deliver(ALICE, "INBOX", &[(original(), "")]);
    d.deliver(ALICE, SENT_ITEMS, &[]);
    d.deliver(BOB, "INBOX", &[]);
    let fake = FakeSmtp::start(Script {
        auth_replies: std::iter::repeat_n(TENANT_DISABLED.to_string(), 10).collect(),
        ..Script::default()
    });

    let home = tempfile::tempdir().unwrap();
    let script = install_editor(home.path());
    std::fs::write(
        home.path().join("editor/text"),
        "Here they are: 4,2 million.\n",
    )
    .unwrap();
    // One file trusted for both servers' test CAs.
    let ca = home.path().join("ca.pem");
    let mut pem = std::fs::read(&d.ca_file).unwrap();
    pem.extend(std::fs::read(&fake.ca_file).unwrap());
    std::fs::write(&ca, pem).unwrap();
    let cfg = home.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[accounts]]\nname = \"work\"\nemail = \"{ALICE}\"\nprovider = \"microsoft\"\n\
             tenant = \"contoso.onmicrosoft.com\"\nclient_id = \"{CLIENT_ID}\"\nauthority = \"{base}\"\n\
             graph_url = \"{base}\"\nca_file = \"{ca}\"\n\
             imap = {{ host = \"127.0.0.1\", port = {imaps}, tls = \"implicit\" }}\n\
             smtp = {{ host = \"127.0.0.1\", port = {smtp}, tls = \"starttls\" }}\n\
             [compose]\neditor = \"{editor}\"\n",
            base = idp.base,
            ca = ca.display(),
            imaps = d.imaps_port,
            smtp = fake.port,
            editor = script.display()
        ),
    )
    .unwrap();

    let t = Tmux::start(
        home.path(),
        80,
        24,
        BIN,
        &["--config", cfg.to_str().unwrap()],
    );
    let first = t.sign_in_code();
    idp.approve(&first, ALICE);
    t.wait_for("Budget review");
    t.send(&["r"]);
    let review = t.wait_for("y send");
    assert!(review.contains("Re: Budget review"), "{review}");
    t.send(&["y"]);

    // SMTP is off: the code screen comes back, saying why, for Graph alone.
    let panel = t.wait_until("the Graph approval panel", |s| {
        s.contains("Microsoft Graph") && s.contains("Code: ") && read_code(s) != first
    });
    assert!(panel.contains("turned off SMTP"), "{panel}");
    assert_eq!(
        count(&d, BOB, "INBOX"),
        0,
        "nothing sent before the approval"
    );
    // Reading goes on meanwhile: the mailbox is still there behind it.
    idp.approve(&read_code(&panel), ALICE);

    wait_count(&d, BOB, "INBOX", 1);
    wait_count(&d, ALICE, SENT_ITEMS, 1);
    // \Answered on the original.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !d
        .doveadm(&["fetch", "-u", ALICE, "flags", "mailbox", "INBOX", "ALL"])
        .contains("\\Answered")
    {
        assert!(
            Instant::now() < deadline,
            "the original was never flagged answered"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    t.wait_for("↩");
    t.send(&["q"]);
    assert_eq!(t.wait_exit().0, 0);

    // Once: one delivery, one Sent copy (Graph's own), one Graph call, one
    // SMTP attempt; SMTP being off is remembered for the next run.
    assert_eq!(count(&d, BOB, "INBOX"), 1);
    assert_eq!(count(&d, ALICE, SENT_ITEMS), 1, "mailtui APPENDed nothing");
    let calls = idp.graph_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].status, 202);
    // The review asked SMTP its SIZE once; one AUTH, refused.
    assert_eq!(fake.stats().auths.len(), 1);
    let got = d.doveadm(&["fetch", "-u", BOB, "hdr", "mailbox", "INBOX", "ALL"]);
    assert!(got.contains("In-Reply-To: <budget-1@example.com>"), "{got}");
    let data = home.path().join("data/mailtui");
    assert!(data.join("sending/work.smtp-off").is_file());
    assert_eq!(std::fs::read_dir(data.join("outbox")).unwrap().count(), 0);
}
