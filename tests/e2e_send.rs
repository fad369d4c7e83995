//! Writing mail end to end: the real binary in tmux with a scripted
//! editor, sending through Dovecot's submission service, a private
//! Postfix relay and LMTP into the recipient's INBOX, read back as
//! delivered; flags, the Sent copy, drafts, and the outbox across a
//! stopped relay and a SIGKILL.

mod support;

use std::path::{Path, PathBuf};

use mail_parser::MimeHeaders as _;

use support::dovecot::{Dovecot, Options, SUBMISSION_HOST};
use support::relay::{Relay, header};
use support::tmux::Tmux;
use support::writing::{install_editor, password_config};

const BIN: &str = env!("CARGO_BIN_EXE_mailtui");
const ERIN: &str = "erin@example.com";
const BOB: &str = "bob@example.com";
const CAROL: &str = "carol@example.com";

struct Setup {
    d: Dovecot,
    relay: Relay,
    home: tempfile::TempDir,
    cfg: PathBuf,
}

impl Setup {
    fn editor_dir(&self) -> PathBuf {
        self.home.path().join("editor")
    }

    /// What the scripted editor writes next.
    fn will_write(&self, to: &str, subject: &str, text: &str) {
        let dir = self.editor_dir();
        std::fs::write(dir.join("to"), to).unwrap();
        std::fs::write(dir.join("subject"), subject).unwrap();
        std::fs::write(dir.join("text"), text).unwrap();
    }

    fn run(&self, width: u16, height: u16) -> Tmux {
        Tmux::start(
            self.home.path(),
            width,
            height,
            BIN,
            &["--config", self.cfg.to_str().unwrap()],
        )
    }

    fn flags(&self, user: &str, folder: &str) -> String {
        self.d
            .doveadm(&["fetch", "-u", user, "flags hdr.subject", "mailbox", folder])
    }

    /// Waits (bounded) until a message of the folder has `flag`.
    fn wait_flag(&self, user: &str, folder: &str, flag: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !self.flags(user, folder).contains(flag) {
            assert!(
                std::time::Instant::now() < deadline,
                "no {flag} in {folder}: {}",
                self.flags(user, folder)
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// Waits (bounded) until the folder holds `n` messages.
    fn wait_count(&self, user: &str, folder: &str, n: usize) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while self.count(user, folder) != n {
            assert!(
                std::time::Instant::now() < deadline,
                "{folder} of {user} never held {n}: {}",
                self.flags(user, folder)
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    fn count(&self, user: &str, folder: &str) -> usize {
        self.d
            .doveadm(&["search", "-u", user, "mailbox", folder, "ALL"])
            .lines()
            .count()
    }
}

fn start(exchange: bool) -> Setup {
    let d = Dovecot::start_with(Options {
        submission: true,
        exchange,
        ..Default::default()
    });
    for u in [ERIN, BOB, CAROL] {
        d.add_user(u, "pw");
    }
    // Sent Items (SPECIAL-USE \Sent in this Dovecot) and Drafts, by name.
    d.deliver(ERIN, "Sent Items", &[]);
    d.deliver(ERIN, "Drafts", &[]);
    let relay = Relay::start(&d);
    let home = tempfile::tempdir().unwrap();
    let script = install_editor(home.path());
    let cfg = password_config(home.path(), &d, ERIN, &script);
    Setup {
        d,
        relay,
        home,
        cfg,
    }
}

fn original() -> Vec<u8> {
    format!(
        "From: Bob Example <{BOB}>\r\nTo: Erin Example <{ERIN}>\r\nCc: Carol <{CAROL}>\r\n\
         Subject: AW: Lunch on Friday?\r\nDate: Fri, 27 Nov 2026 09:00:00 +0100\r\n\
         Message-ID: <lunch-1@example.com>\r\nReferences: <plan-0@example.com>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         Shall we try the new place?\r\n\r\n-- \r\nBob\r\n"
    )
    .into_bytes()
}

fn body_text(message: &[u8]) -> String {
    let m = mail_parser::MessageParser::new().parse(message).unwrap();
    m.body_text(0).unwrap_or_default().into_owned()
}

#[test]
fn a_reply_to_all_arrives_threaded_and_quoted_and_is_filed_once() {
    let s = start(false);
    s.d.deliver(ERIN, "INBOX", &[(original(), "")]);
    s.will_write("", "", "Friday works — see you at noon.\n");
    let t = s.run(120, 40);
    t.wait_for("Lunch on Friday?");
    t.send(&["R"]);
    let review = t.wait_for("Reply to all");
    assert!(review.contains("Re: Lunch on Friday?"), "{review}");
    assert!(review.contains("y send"), "{review}");
    t.send(&["y"]);
    t.wait_for("sent to");

    let got = s
        .relay
        .wait_for_header(&s.d, BOB, "In-Reply-To", "lunch-1@example.com");
    assert_eq!(
        header(&got, "Subject").as_deref(),
        Some("Re: Lunch on Friday?")
    );
    let refs = header(&got, "References").unwrap_or_default();
    assert!(
        refs.contains("plan-0@example.com") && refs.contains("lunch-1@example.com"),
        "{refs}"
    );
    assert!(header(&got, "Bcc").is_none());
    let text = body_text(&got);
    assert!(
        text.starts_with("Friday works — see you at noon."),
        "{text}"
    );
    assert!(text.contains("> Shall we try the new place?"), "{text}");
    assert!(
        !text.contains("> Bob"),
        "the quoted signature is dropped: {text}"
    );
    // Reply to all: Carol got it too, Erin (the sender) did not.
    s.relay
        .wait_for_header(&s.d, CAROL, "In-Reply-To", "lunch-1@example.com");
    s.relay.wait_until_idle(&s.d);
    assert_eq!(s.count(ERIN, "INBOX"), 1, "no copy to myself");

    // \Answered on the original, one copy in Sent.
    s.wait_flag(ERIN, "INBOX", "\\Answered");
    s.wait_count(ERIN, "Sent Items", 1);
    t.wait_for("↩");
    t.send(&["q"]);
    assert_eq!(t.wait_exit().0, 0);
    assert_eq!(s.count(ERIN, "Sent Items"), 1);
    assert!(s.flags(ERIN, "Sent Items").contains("\\Seen"));
    // Nothing left behind: the outbox and the editor's file are empty.
    let data = s.home.path().join("data/mailtui");
    assert_eq!(dir_len(&data.join("outbox")), 0);
    assert_eq!(dir_len(&data.join("compose")), 0);
}

fn dir_len(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

#[test]
fn new_mail_with_non_ascii_everywhere_goes_out_over_xoauth2_and_exchange_files_it_itself() {
    use support::idp::{CLIENT_ID, Idp};
    let idp = Idp::start();
    let d = Dovecot::start_with(Options {
        submission: true,
        exchange: true,
        oauth2_introspection: Some(idp.introspection_url()),
        ..Default::default()
    });
    let alice = "alice@contoso.example";
    d.add_user(BOB, "pw");
    d.deliver(alice, "INBOX", &[(original(), "S")]);
    d.deliver(alice, "Sent Items", &[]);
    let relay = Relay::start(&d);
    let home = tempfile::tempdir().unwrap();
    let script = install_editor(home.path());
    let editor = home.path().join("editor");
    std::fs::write(editor.join("to"), format!("Zoë Brontë <{BOB}>")).unwrap();
    std::fs::write(editor.join("subject"), "Größenänderung — 価格表 ✓").unwrap();
    std::fs::write(editor.join("text"), "Grüße aus Zürich,\nvoilà le 価格表.\n").unwrap();
    let attachment = home.path().join("Übersicht 2026 — 価格.pdf");
    let pdf: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    std::fs::write(&attachment, &pdf).unwrap();
    let cfg = home.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[accounts]]\nname = \"work\"\nemail = \"{alice}\"\nprovider = \"microsoft\"\ntenant = \"contoso.onmicrosoft.com\"\n\
             client_id = \"{CLIENT_ID}\"\nauthority = \"{}\"\nca_file = \"{}\"\nfull_name = \"Álice Märtin\"\n\
             imap = {{ host = \"127.0.0.1\", port = {}, tls = \"implicit\" }}\n\
             smtp = {{ host = \"{SUBMISSION_HOST}\", port = {}, tls = \"starttls\" }}\n\
             [compose]\neditor = \"{}\"\n",
            idp.base,
            d.ca_file.display(),
            d.imaps_port,
            d.submission_port,
            script.display()
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
    idp.approve(&t.sign_in_code(), alice);
    t.wait_for("Lunch on Friday?");
    t.send(&["C"]);
    // The editor's text shows once it has returned: a key sent earlier
    // could arrive while the editor has the terminal.
    t.wait_for("Grüße aus Zürich");
    t.send(&["a"]);
    t.wait_for("Attach:");
    t.send_raw(&attachment.display().to_string());
    t.send(&["Enter"]);
    let review = t.wait_for("Attachments (1");
    assert!(review.contains("y send"), "{review}");
    t.send(&["y"]);
    t.wait_for("sent to");

    let got = relay.wait_for_header(&d, BOB, "Return-Path", alice);
    let m = mail_parser::MessageParser::new().parse(&got).unwrap();
    assert_eq!(m.subject(), Some("Größenänderung — 価格表 ✓"));
    let from = m.from().and_then(|a| a.first()).unwrap();
    assert_eq!(from.name(), Some("Álice Märtin"));
    let to = m.to().and_then(|a| a.first()).unwrap();
    assert_eq!(to.name(), Some("Zoë Brontë"));
    assert!(
        m.body_text(0)
            .unwrap()
            .starts_with("Grüße aus Zürich,\nvoilà le 価格表.")
    );
    let att = m.attachments().next().expect("the attachment");
    assert_eq!(att.attachment_name(), Some("Übersicht 2026 — 価格.pdf"));
    assert_eq!(att.contents(), &pdf[..], "the attachment arrives intact");
    // Exchange files sent mail itself: mailtui stores no copy.
    t.send(&["q"]);
    assert_eq!(t.wait_exit().0, 0);
    let sent = d.doveadm(&["search", "-u", alice, "mailbox", "Sent Items", "ALL"]);
    assert_eq!(sent.lines().count(), 0, "nothing APPENDed: {sent}");
}

#[test]
fn a_message_the_relay_refused_waits_in_the_outbox_through_a_kill_and_goes_once() {
    let mut s = start(false);
    s.will_write(BOB, "Quarterly numbers", "Here they are.\n");
    s.relay.stop();
    let t = s.run(120, 40);
    t.wait_for("connected");
    t.send(&["C"]);
    t.wait_for("Here they are.");
    t.send(&["y"]);
    // Dovecot cannot reach its relay: a temporary failure, said on screen.
    let shown = t.wait_for("not sent");
    assert!(shown.contains("1 unsent (Q)"), "{shown}");
    let outbox = s.home.path().join("data/mailtui/outbox");
    assert_eq!(dir_len(&outbox), 2, "the message and its description");
    assert_eq!(dir_len(&s.home.path().join("data/mailtui/compose")), 0);

    // mailtui is killed; the relay comes back; nothing goes by itself.
    let pid = t.program_pid("mailtui");
    assert!(
        std::process::Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status()
            .unwrap()
            .success()
    );
    // Gone (the shell's note of it may wrap anywhere on the dead screen).
    t.wait_until("mailtui is gone", |_| {
        !Path::new(&format!("/proc/{pid}")).exists()
    });
    drop(t);
    s.relay.resume();
    let t = s.run(120, 40);
    t.wait_for("1 unsent (Q)");
    s.relay.wait_until_idle(&s.d);
    assert_eq!(s.count(BOB, "INBOX"), 0, "never sent without the user");
    t.send(&["Q"]);
    t.wait_for("Outbox (1)");
    t.send(&["a"]);
    t.wait_for("sent to");
    let got = s
        .relay
        .wait_for_header(&s.d, BOB, "Subject", "Quarterly numbers");
    let id = header(&got, "Message-ID").unwrap();
    s.relay.wait_until_idle(&s.d);
    assert_eq!(
        s.relay.deliveries(&s.d, BOB, id.trim_matches(['<', '>'])),
        1
    );
    t.wait_until("the outbox empties", |sc| !sc.contains("unsent"));
    s.wait_count(ERIN, "Sent Items", 1);
    t.send(&["Escape", "q"]);
    assert_eq!(t.wait_exit().0, 0);
    assert_eq!(dir_len(&outbox), 0);
    assert_eq!(s.count(ERIN, "Sent Items"), 1);
}

#[test]
fn a_postponed_message_waits_in_drafts_and_goes_from_there_once() {
    let s = start(false);
    s.will_write(CAROL, "Draft for later", "First thoughts.\n");
    let t = s.run(80, 24);
    t.wait_for("connected");
    t.send(&["C"]);
    t.wait_for("First thoughts.");
    t.send(&["p"]);
    t.wait_for("in Drafts");
    assert_eq!(s.count(ERIN, "Drafts"), 1);
    assert!(s.flags(ERIN, "Drafts").contains("\\Draft"));

    // Recalled from Drafts: the editor adds a line; sent; the draft goes.
    s.will_write("", "", "Second thoughts.\n");
    t.send(&["c"]);
    t.send_raw("Drafts");
    t.send(&["Enter"]);
    t.wait_for("Draft for later");
    t.wait_for("e: continue it");
    t.send(&["e"]);
    t.wait_for("y send");
    t.send(&["y"]);
    t.wait_for("sent to");
    let got = s
        .relay
        .wait_for_header(&s.d, CAROL, "Subject", "Draft for later");
    let text = body_text(&got);
    assert!(
        text.starts_with("Second thoughts.\nFirst thoughts."),
        "{text}"
    );
    // The draft leaves the list (the reader keeps it, marked deleted).
    t.wait_for("Drafts · 0");
    s.wait_count(ERIN, "Sent Items", 1);
    t.send(&["q"]);
    assert_eq!(t.wait_exit().0, 0);
    assert_eq!(s.count(ERIN, "Drafts"), 0);
    assert_eq!(s.count(ERIN, "Sent Items"), 1);
}

#[test]
fn a_forward_carries_the_attachments_and_flags_the_original() {
    let s = start(false);
    use base64::Engine as _;
    let attachment: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&attachment);
    let mut message = format!(
        "From: Chen Wei <chen@example.com>\r\nTo: {ERIN}\r\nSubject: Q4 numbers\r\n\
         Date: Tue, 1 Dec 2026 10:00:00 +0000\r\nMessage-ID: <q4@example.com>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nThe numbers are attached.\r\n--b\r\n\
         Content-Type: application/vnd.ms-excel; name=\"Q4 numbers.xls\"\r\n\
         Content-Disposition: attachment; filename=\"Q4 numbers.xls\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n"
    );
    for chunk in b64.as_bytes().chunks(76) {
        message.push_str(std::str::from_utf8(chunk).unwrap());
        message.push_str("\r\n");
    }
    message.push_str("--b--\r\n");
    s.d.deliver(ERIN, "INBOX", &[(message.into_bytes(), "S")]);
    s.will_write(BOB, "", "FYI, see below.\n");
    let t = s.run(120, 40);
    t.wait_for("Q4 numbers");
    t.send(&["f"]);
    let review = t.wait_for(" Forward ");
    assert!(review.contains("Attachments (1"), "{review}");
    t.send(&["y"]);
    t.wait_for("sent to");
    let got = s.relay.wait_for_header(&s.d, BOB, "Return-Path", ERIN);
    let m = mail_parser::MessageParser::new().parse(&got).unwrap();
    assert!(m.subject().unwrap_or_default().starts_with("Fwd: "));
    let text = m.body_text(0).unwrap();
    assert!(text.starts_with("FYI, see below."), "{text}");
    assert!(text.contains("Forwarded message"), "{text}");
    let att = m.attachments().next().expect("the attachment");
    assert_eq!(att.attachment_name(), Some("Q4 numbers.xls"));
    assert_eq!(att.contents(), &attachment[..], "intact");
    s.wait_flag(ERIN, "INBOX", "$Forwarded");
    t.send(&["q"]);
    assert_eq!(t.wait_exit().0, 0);
}

#[test]
fn a_killed_editor_and_a_killed_mailtui_lose_no_text() {
    let s = start(false);
    s.will_write(BOB, "Notes from the call", "Action items:\n- ship it\n");
    std::fs::write(s.editor_dir().join("mode"), "crash").unwrap();
    let t = s.run(80, 24);
    t.wait_for("connected");
    t.send(&["C"]);
    // The review comes back with the reason; the keys work (raw mode).
    let review = t.wait_for("killed by signal 9");
    assert!(review.contains("Notes from the call"), "{review}");
    t.send(&["v"]);
    t.wait_for("as the recipients will see it");
    t.send(&["v"]);
    t.wait_for("y send");

    // mailtui is told to stop while the message waits for review.
    let pid = t.program_pid("mailtui");
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(t.wait_exit().0, 143);
    drop(t);

    // The next start offers the text back; it goes from there.
    std::fs::write(s.editor_dir().join("mode"), "").unwrap();
    s.will_write("", "", "(sent after a restart)\n");
    let t = s.run(80, 24);
    t.wait_for("1 unsent (Q)");
    t.send(&["Q"]);
    let outbox = t.wait_for("e continues it");
    assert!(outbox.contains("Notes from the call"), "{outbox}");
    t.send(&["e"]);
    t.wait_for("y send");
    t.send(&["y"]);
    t.wait_for("sent to");
    let got = s
        .relay
        .wait_for_header(&s.d, BOB, "Subject", "Notes from the call");
    let text = body_text(&got);
    assert!(
        text.starts_with("(sent after a restart)\nAction items:\n- ship it"),
        "{text}"
    );
    s.wait_count(ERIN, "Sent Items", 1);
    t.send(&["q"]);
    assert_eq!(t.wait_exit().0, 0);
    assert_eq!(dir_len(&s.home.path().join("data/mailtui/compose")), 0);
}

#[test]
fn recipients_complete_from_mail_seen_and_the_book_is_there_for_editors() {
    let s = start(false);
    s.d.deliver(ERIN, "INBOX", &[(original(), "S")]);
    s.will_write("", "Addresses", "Completed, not typed.\n");
    let t = s.run(80, 24);
    t.wait_for("Lunch on Friday?");
    t.send(&["C"]);
    t.wait_for("y send");
    t.send(&["t"]);
    t.wait_for("To: ");
    t.send_raw("bob");
    let shown = t.wait_for(" Addresses ");
    assert!(shown.contains("Bob Example <bob@example.com>"), "{shown}");
    t.send(&["Enter", "Enter"]);
    t.wait_for("To: Bob Example <bob@example.com>  (t)");
    // Back in the editor, the address chosen here is in the file.
    s.will_write("", "", "One more line.\n");
    t.send(&["e"]);
    t.wait_for("One more line.");
    t.wait_for("To: Bob Example <bob@example.com>  (t)");
    t.send(&["y"]);
    t.wait_for("sent to");
    let got = s.relay.wait_for_header(&s.d, BOB, "Subject", "Addresses");
    assert!(body_text(&got).starts_with("One more line.\nCompleted, not typed."));
    assert_eq!(
        header(&got, "To").as_deref(),
        Some("\"Bob Example\" <bob@example.com>")
    );
    s.wait_count(ERIN, "Sent Items", 1);

    // While mailtui runs, an editor plugin asks the same book.
    let out = std::process::Command::new(BIN)
        .args(["--config", s.cfg.to_str().unwrap(), "addresses", "bo"])
        .env("HOME", s.home.path())
        .env("XDG_CONFIG_HOME", s.home.path().join("config"))
        .env("XDG_DATA_HOME", s.home.path().join("data"))
        .env("XDG_STATE_HOME", s.home.path().join("state"))
        .env("XDG_CACHE_HOME", s.home.path().join("cache"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let lines = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        lines.lines().next(),
        Some("bob@example.com\tBob Example"),
        "{lines}"
    );
    t.send(&["q"]);
    assert_eq!(t.wait_exit().0, 0);
}

/// A Google Calendar invitation read as one and accepted with a comment:
/// the organizer gets "Accepted: …" with a METHOD:REPLY that parses back
/// with Erin's PARTSTAT and the invitation's UID, through the real
/// submission and relay; the invitation gets \Answered and stays put.
#[test]
fn an_invitation_is_shown_and_accepted_with_a_comment() {
    let s = start(false);
    let ics = std::fs::read_to_string("tests/fixtures/calendar/google-recurring.ics")
        .unwrap()
        .replace("maria.lopez@gmail.example", BOB)
        .replace("alice@contoso.example", ERIN);
    let invitation = format!(
        "From: Maria Lopez <{BOB}>\r\nTo: {ERIN}\r\nSubject: Invitation: Stand-up\r\n\
         Date: Wed, 28 Oct 2026 15:45:12 +0000\r\nMessage-ID: <invite-1@google.example>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/calendar; charset=UTF-8; method=REQUEST\r\n\r\n{ics}"
    );
    s.d.deliver(ERIN, "INBOX", &[(invitation.into_bytes(), "")]);
    let t = s.run(80, 24);
    t.wait_for("Invitation: Stand-up");
    t.send(&["Enter"]);
    let shown = t.wait_for("every week on Monday and Wednesday");
    assert!(shown.contains("meet.google.com/abc-defg-hij"), "{shown}");
    t.send(&["i"]);
    t.wait_for("Answer the invitation");
    t.send(&["a"]);
    t.wait_for("comment:");
    t.send_raw("See you there");
    t.send(&["Enter"]);
    let review = t.wait_for("Answer to an invitation");
    assert!(review.contains("Accepted: Stand-up"), "{review}");
    t.send(&["y"]);

    let got = s
        .relay
        .wait_for_header(&s.d, BOB, "In-Reply-To", "invite-1@google.example");
    assert_eq!(
        header(&got, "Subject").as_deref(),
        Some("Accepted: Stand-up")
    );
    let m = mail_parser::MessageParser::new().parse(&got).unwrap();
    let cal = m
        .parts
        .iter()
        .find(|p| {
            p.content_type()
                .is_some_and(|c| c.ctype() == "text" && c.subtype() == Some("calendar"))
        })
        .expect("a calendar part");
    assert_eq!(
        cal.content_type().and_then(|c| c.attribute("method")),
        Some("REPLY")
    );
    let back = mailtui::calendar::parse(cal.text_contents().unwrap()).expect("parses");
    assert_eq!(back.method, mailtui::calendar::Method::Reply);
    assert_eq!(
        back.uid.as_deref(),
        Some("5k2vq9l3r1o0m8n6b4c2x0z9y7@google.com")
    );
    let erin = back
        .attendees
        .iter()
        .find(|a| a.person.address.eq_ignore_ascii_case(ERIN))
        .expect("Erin answers");
    assert_eq!(erin.partstat, mailtui::calendar::PartStat::Accepted);
    assert!(body_text(&got).contains("See you there"));
    s.wait_flag(ERIN, "INBOX", "\\Answered");
    t.send(&["q"]);
    assert_eq!(t.wait_exit().0, 0);
    assert_eq!(
        s.count(ERIN, "INBOX"),
        1,
        "the invitation stays where it was"
    );
}
