//! Writing mail end to end: the real binary in tmux with a scripted
//! editor, sending through Dovecot's submission service, a private
//! Postfix relay and LMTP into the recipient's INBOX, read back as
//! delivered; flags, the Sent copy, drafts, and the outbox across a
//! stopped relay and a SIGKILL.

mod support;

use std::path::{Path, PathBuf};

use support::dovecot::{Dovecot, Options, SUBMISSION_HOST};
use support::relay::{Relay, header};
use support::tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_mailtui");
const ERIN: &str = "erin@example.com";
const BOB: &str = "bob@example.com";
const CAROL: &str = "carol@example.com";

/// A shell "editor": fills an empty To and Subject from files next to it
/// and puts the text of `text` after the headers, as a user would type.
const EDITOR: &str = r#"#!/bin/sh
f="$1"
d="$(dirname "$0")"
to="$(cat "$d/to" 2>/dev/null)"
subject="$(cat "$d/subject" 2>/dev/null)"
awk -v to="$to" -v subject="$subject" -v textfile="$d/text" '
  !done && /^To:[ ]*$/ && to != "" { print "To: " to; next }
  !done && /^Subject:[ ]*$/ && subject != "" { print "Subject: " subject; next }
  !done && /^$/ { print; while ((getline line < textfile) > 0) print line; done = 1; next }
  { print }' "$f" > "$f.new" && cat "$f.new" > "$f" && rm -f "$f.new"
echo "$f" >> "$d/edited"
"#;

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
    let editor = home.path().join("editor");
    std::fs::create_dir_all(&editor).unwrap();
    let script = editor.join("edit.sh");
    std::fs::write(&script, EDITOR).unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let cfg = home.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[accounts]]\nname = \"mail\"\nemail = \"{ERIN}\"\nprovider = \"generic\"\nfull_name = \"Erin Example\"\n\
             imap = {{ host = \"127.0.0.1\", port = {}, tls = \"implicit\" }}\nca_file = \"{}\"\n\
             smtp = {{ host = \"{SUBMISSION_HOST}\", port = {}, tls = \"starttls\" }}\n\
             auth = {{ method = \"password\", password = \"pw\" }}\n\
             [compose]\neditor = \"{}\"\n",
            d.imaps_port,
            d.ca_file.display(),
            d.submission_port,
            script.display()
        ),
    )
    .unwrap();
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
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !s.flags(ERIN, "INBOX").contains("\\Answered") || s.count(ERIN, "Sent Items") == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "{}",
            s.flags(ERIN, "INBOX")
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
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
