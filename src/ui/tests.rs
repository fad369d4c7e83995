//! Render snapshots of every pane and the whole screen (TestBackend +
//! insta). The state is built through `update`, the way the app builds it.

use insta::assert_snapshot;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::{Frame, Terminal};

use super::Theme;

use crate::action::{Action, UiAction};
use crate::logging::LogRecord;
use crate::mail::envelope::{EnvelopeMeta, from_headers};
use crate::mail::message::{self, MessageView};
use crate::mail::row_text::{BoxedClean, SharedClean};
use crate::mail::types::{Envelope, Flags, Folder, FolderRole};
use crate::sanitize::Clean;
use crate::state::test_kit::{self, StateBuilder};
use crate::state::{AccountInfo, Pane, State};
use crate::worker::{ConnState, WorkerCommand, WorkerEvent};

/// Tue 03 Nov 2026 13:05 UTC.
const NOW: i64 = 1_793_711_100;

fn info(name: &str, kind: &str, server: &str) -> AccountInfo {
    let base = if kind == "IMAP" {
        test_kit::info(name)
    } else {
        test_kit::maildir_info(name, server)
    };
    AccountInfo {
        email: format!("alice@{name}.example"),
        server: server.into(),
        ..base
    }
}

fn folder(path: &str, name: &str, depth: usize, role: FolderRole) -> Folder {
    Folder {
        path: path.into(),
        name: Clean::line(name),
        depth,
        selectable: true,
        role,
    }
}

fn env(uid: u32, ago_secs: i64, from: &str, subject: &str, flags: Flags, att: bool) -> Envelope {
    Envelope {
        uid,
        date: Some(NOW - ago_secs),
        from: SharedClean::line(from),
        to: SharedClean::default(),
        subject: BoxedClean::line(subject),
        flags,
        has_attachment: att,
        size: 2048,
    }
}

const READ: Flags = Flags {
    seen: true,
    flagged: false,
    answered: false,
    draft: false,
    deleted: false,
};
const UNREAD: Flags = Flags {
    seen: false,
    flagged: false,
    answered: false,
    draft: false,
    deleted: false,
};

fn sample_message() -> MessageView {
    message::parse(
        9,
        "From: Chen Wei <chen.wei@contoso.example>\r\nTo: Alice Martin <alice@contoso.example>\r\n\
Cc: Bob Okafor <bob@contoso.example>\r\nSubject: Q4 numbers for the review\r\n\
Date: Tue, 03 Nov 2026 11:02:00 +0000\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAlice,\r\n\r\nAttached are the Q4 regional figures and the draft slides. \
The East region is ahead of plan; West needs a comment before Thursday's review, ideally with the new forecast.\r\n\r\nThanks,\r\nChen\r\n\
--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"review-draft.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K\r\n--b--\r\n"
            .as_bytes(),
    )
}

/// Two accounts: "work" connected with a half-loaded inbox and a message
/// open, "home" still connecting.
pub(super) fn sample_state(width: u16, height: u16) -> State {
    let mut s = StateBuilder::default()
        .account(info("work", "IMAP", "outlook.office365.com:993"))
        .account(info("home", "IMAP", "imap.fabrikam.example:993"))
        .now(NOW)
        .help()
        .size(width, height)
        .build();
    let w = |s: &mut State, event| s.update(Action::Worker { account: 0, event });
    w(&mut s, WorkerEvent::Conn(ConnState::Connected));
    let cmds = w(
        &mut s,
        WorkerEvent::Folders(vec![
            folder("INBOX", "Inbox", 0, FolderRole::Inbox),
            folder("Drafts", "Drafts", 0, FolderRole::Drafts),
            folder("Sent Items", "Sent Items", 0, FolderRole::Sent),
            folder("Projects", "Projects", 0, FolderRole::Other),
            folder("Projects/Apollo", "Apollo", 1, FolderRole::Other),
            folder("Projects/Entw&APw-rfe", "Entwürfe", 1, FolderRole::Other),
        ]),
    );
    let req = cmds
        .iter()
        .find_map(|c| match c {
            crate::action::Command::Worker {
                command: WorkerCommand::OpenFolder { req, .. },
                ..
            } => Some(*req),
            _ => None,
        })
        .unwrap_or_else(|| panic!("expected the inbox to open, got {cmds:?}"));
    w(
        &mut s,
        WorkerEvent::Stored {
            req,
            uid_validity: 0,
            envelopes: vec![],
            done: true,
            synced_at: None,
        },
    );
    w(
        &mut s,
        WorkerEvent::Selected {
            path: "INBOX".into(),
            req,
            uid_validity: 1,
            exists: 3120,
        },
    );
    let flagged = Flags {
        flagged: true,
        ..UNREAD
    };
    let answered = Flags {
        answered: true,
        ..READ
    };
    let envelopes = vec![
        env(
            3120,
            600,
            "Bob Okafor",
            "Standup moved to 10:15 today",
            UNREAD,
            false,
        ),
        env(
            3119,
            7200,
            "Chen Wei",
            "Q4 numbers for the review",
            flagged,
            true,
        ),
        env(
            3118,
            86400,
            "Contoso IT",
            "Scheduled maintenance: Saturday 02:00–04:00",
            UNREAD,
            false,
        ),
        env(
            3117,
            2 * 86400,
            "Jürgen Müller",
            "Lieferung für München – Termin bestätigt",
            READ,
            false,
        ),
        env(
            3116,
            3 * 86400,
            "Светлана Иванова",
            "Отчёт за ноябрь",
            READ,
            false,
        ),
        env(
            3115,
            4 * 86400,
            "山田 由紀",
            "来週の打ち合わせについて",
            answered,
            false,
        ),
        env(3114, 40 * 86400, "People Team", "", READ, false),
        env(
            3113,
            400 * 86400,
            "A sender with a very long display name indeed",
            "A subject that is much too long to fit in any reasonable column width at all",
            READ,
            true,
        ),
    ];
    w(
        &mut s,
        WorkerEvent::Inserted {
            req,
            envelopes,
            remaining: 3112,
        },
    );
    // Select the second message and let its body arrive.
    s.focus = Pane::Messages;
    s.update(Action::Ui(UiAction::Down));
    let req = s.accounts[0].reader.req;
    w(
        &mut s,
        WorkerEvent::Message {
            req,
            message: Box::new(sample_message()),
        },
    );
    s.update(Action::Worker {
        account: 1,
        event: WorkerEvent::Conn(ConnState::Connecting),
    });
    for (i, (level, text)) in [
        (tracing::Level::INFO, "mailtui started accounts=2"),
        (tracing::Level::INFO, "connected account=work"),
        (tracing::Level::INFO, "folder opened account=work folder=INBOX messages=3120"),
        (tracing::Level::WARN, "connection failed: cannot connect to imap.fabrikam.example:993: Connection refused; retrying in 2s account=home attempt=1"),
    ]
    .into_iter()
    .enumerate()
    {
        s.update(Action::Log(LogRecord { time: NOW - 60 + i as i64, level, text: Clean::line(text) }));
    }
    s
}

fn render(width: u16, height: u16, draw: impl FnOnce(&mut Frame<'_>)) -> String {
    let mut t = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    t.draw(draw).expect("draw");
    t.backend().to_string()
}

pub(super) fn screen(s: &State) -> String {
    render(s.width, s.height, |f| super::draw(s, &Theme::default(), f))
}

#[test]
fn full_screen_80x24() {
    assert_snapshot!(screen(&sample_state(80, 24)));
}

#[test]
fn full_screen_120x40() {
    assert_snapshot!(screen(&sample_state(120, 40)));
}

#[test]
fn full_screen_with_log_80x24() {
    let mut s = sample_state(80, 24);
    s.update(Action::Ui(UiAction::ToggleLog));
    assert_snapshot!(screen(&s));
}

#[test]
fn full_screen_with_log_120x40() {
    let mut s = sample_state(120, 40);
    s.update(Action::Ui(UiAction::ToggleLog));
    assert_snapshot!(screen(&s));
}

#[test]
fn help_overlay_80x24() {
    let mut s = sample_state(80, 24);
    s.update(Action::Ui(UiAction::Help));
    assert_snapshot!(screen(&s));
}

/// The end of the help at 80×24: scrolled, with the position shown.
#[test]
fn help_overlay_scrolled_80x24() {
    let mut s = sample_state(80, 24);
    s.update(Action::Ui(UiAction::Help));
    s.update(Action::Ui(UiAction::Bottom));
    let screen = screen(&s);
    assert!(screen.contains("copy_link"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn second_account_connecting_120x40() {
    let mut s = sample_state(120, 40);
    s.update(Action::Ui(UiAction::Account(1)));
    assert_snapshot!(screen(&s));
}

#[test]
fn failed_account_80x24() {
    let mut s = sample_state(80, 24);
    s.update(Action::Worker {
        account: 1,
        event: WorkerEvent::Conn(ConnState::Failed(Clean::line(
            "login as alice@fabrikam.example refused: [AUTHENTICATIONFAILED] Authentication failed.",
        ))),
    });
    s.update(Action::Ui(UiAction::NextAccount));
    assert_snapshot!(screen(&s));
}

#[test]
fn no_accounts_80x24() {
    let mut s = StateBuilder::default().now(NOW).build();
    s.update(Action::Resize {
        width: 80,
        height: 24,
    });
    assert_snapshot!(screen(&s));
}

#[test]
fn pane_accounts() {
    let mut s = sample_state(120, 40);
    s.update(Action::Worker {
        account: 1,
        event: WorkerEvent::Conn(ConnState::Retrying {
            attempt: 3,
            error: Clean::line("refused"),
            retry_in_secs: 4,
        }),
    });
    let a = s.areas().accounts;
    assert_snapshot!(render(a.width, a.height, |f| super::accounts::draw(
        &s,
        &Theme::default(),
        f,
        f.area(),
        true
    )));
}

#[test]
fn pane_folders() {
    let mut s = sample_state(80, 24);
    // The panes as they are beside each other (at 80 columns the side
    // panes are hidden unless shown).
    s.side_panes = crate::config::SidePanes::Show;
    let a = s.areas().folders;
    assert_snapshot!(render(a.width, a.height, |f| super::folders::draw(
        &s,
        &Theme::default(),
        f,
        f.area(),
        false
    )));
}

#[test]
fn pane_messages_80_and_120() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut s = sample_state(w, h);
        s.side_panes = crate::config::SidePanes::Show;
        let a = s.areas().messages;
        let out = render(a.width, a.height, |f| {
            super::messages::draw(&s, &Theme::default(), f, f.area(), true)
        });
        assert_snapshot!(format!("messages_{w}x{h}"), out);
    }
}

#[test]
fn pane_reader_scrolled() {
    let mut s = sample_state(80, 24);
    s.side_panes = crate::config::SidePanes::Show;
    s.focus = Pane::Reader;
    s.update(Action::Ui(UiAction::Down));
    s.update(Action::Ui(UiAction::Down));
    let a = s.areas().reader;
    assert_snapshot!(render(a.width, a.height, |f| super::reader::draw(
        &s,
        &Theme::default(),
        f,
        f.area(),
        true
    )));
}

#[test]
fn pane_log_scrolled_back() {
    let mut s = sample_state(80, 24);
    s.update(Action::Ui(UiAction::ToggleLog));
    s.focus = Pane::Log;
    s.update(Action::Ui(UiAction::Up));
    let a = s.areas().log.expect("log shown");
    assert_snapshot!(render(a.width, a.height, |f| super::log::draw(
        &s,
        &Theme::default(),
        f,
        f.area(),
        true
    )));
}

#[test]
fn pane_status_bar_retrying() {
    let mut s = sample_state(120, 40);
    s.update(Action::Worker {
        account: 0,
        event: WorkerEvent::Conn(ConnState::Retrying {
            attempt: 2,
            error: Clean::line("connection lost"),
            retry_in_secs: 2,
        }),
    });
    assert_snapshot!(render(120, 1, |f| super::status_bar::draw(
        &s,
        &Theme::default(),
        f,
        Rect::new(0, 0, 120, 1)
    )));
}

#[test]
fn html_only_message_in_the_reader() {
    let mut s = sample_state(80, 24);
    let raw = "From: Contoso IT <it@contoso.example>\r\nSubject: Maintenance\r\nContent-Type: text/html\r\n\r\n\
<h2>Planned maintenance</h2><p>On <b>Saturday</b> the VPN is down.</p><ul><li>VPN: down</li><li>Mail: fine</li></ul>";
    let req = s.accounts[0].reader.req;
    s.update(Action::Worker {
        account: 0,
        event: WorkerEvent::Message {
            req,
            message: Box::new(message::parse(9, raw.as_bytes())),
        },
    });
    let a = s.areas().reader;
    assert_snapshot!(render(a.width, a.height, |f| super::reader::draw(
        &s,
        &Theme::default(),
        f,
        f.area(),
        false
    )));
}

/// Hostile mail end to end: raw bytes with escape sequences through the
/// parsers and the views; no cell of the screen may hold a control char.
#[test]
fn hostile_mail_renders_without_control_characters() {
    let mut s = sample_state(120, 40);
    let headers = b"From: \"Evil\x1b[31m Corp\" <x@evil.example>\r\nSubject: =?UTF-8?B?G10wO293bmVkBxtbMkpIaQ==?= \x1b[1A\r\n\r\n";
    let hostile = from_headers(
        headers,
        EnvelopeMeta {
            uid: 1,
            ..Default::default()
        },
    );
    let req = s.accounts[0].list.req;
    s.update(Action::Worker {
        account: 0,
        event: WorkerEvent::Inserted {
            req,
            envelopes: vec![hostile],
            remaining: 0,
        },
    });
    s.update(Action::Ui(UiAction::Bottom));
    let body = "Subject: x\x1b]2;title\x07\r\n\r\nline\x1b[2J\x1b[H one\u{9b}31m\r\n\x1b]8;;http://e\x1b\\link\x1b]8;;\x1b\\\r\n";
    let req = s.accounts[0].reader.req;
    s.update(Action::Worker {
        account: 0,
        event: WorkerEvent::Message {
            req,
            message: Box::new(message::parse(1, body.as_bytes())),
        },
    });
    let mut t = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    t.draw(|f| super::draw(&s, &Theme::default(), f))
        .expect("draw");
    let buf = t.backend().buffer();
    for cell in buf.content() {
        assert!(
            !cell.symbol().chars().any(|c| c.is_control()),
            "control char in cell {:?}",
            cell.symbol()
        );
    }
    let text = t.backend().to_string();
    assert!(text.contains("Evil Corp") && text.contains("Hi"), "{text}");
}

/// Unread counts in the folder pane, and the status bar of an account
/// that lost its server: what shows is stored, and how old it is.
#[test]
fn folder_counts_and_offline_status() {
    let mut s = sample_state(120, 40);
    s.update(Action::Worker {
        account: 0,
        event: WorkerEvent::FolderCounts(vec![
            crate::mail::backend::FolderCount {
                path: "INBOX".into(),
                total: 3120,
                unseen: 1204,
            },
            crate::mail::backend::FolderCount {
                path: "Projects/Apollo".into(),
                total: 9,
                unseen: 2,
            },
            crate::mail::backend::FolderCount {
                path: "Drafts".into(),
                total: 4,
                unseen: 0,
            },
        ]),
    });
    let req = s.accounts[0].list.req;
    s.update(Action::Worker {
        account: 0,
        event: WorkerEvent::Synced {
            req,
            at: NOW - 2 * 3600 - 300,
        },
    });
    s.update(Action::Worker {
        account: 0,
        event: WorkerEvent::Conn(ConnState::Retrying {
            attempt: 3,
            error: Clean::line("cannot connect to outlook.office365.com:993: refused"),
            retry_in_secs: 4,
        }),
    });
    let a = s.areas().folders;
    let folders = render(a.width, a.height, |f| {
        super::folders::draw(&s, &Theme::default(), f, f.area(), false)
    });
    // The open folder counts its list as it changes; the others show the
    // server's count.
    assert!(
        !folders.contains("1,204") && folders.contains("Apollo           2"),
        "{folders}"
    );
    let bar = render(160, 1, |f| {
        super::status_bar::draw(&s, &Theme::default(), f, Rect::new(0, 0, 160, 1))
    });
    assert!(bar.contains("offline: as of 2h05m ago"), "{bar}");
    assert_snapshot!(format!("{folders}\n{bar}"));
}

/// A forged second From, a note from a limit and an attached message: all
/// three are on screen, the warning in the error colour.
#[test]
fn reader_shows_warnings_notes_and_attached_messages() {
    let mut s = sample_state(100, 40);
    let raw = "From: Real <real@example.org>\r\nSubject: Fwd: plan\r\nFrom: Forged <ceo@example.com>\r\n\
Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n\
--m\r\nContent-Type: text/html\r\n\r\n<div>ignored, plain text exists</div>\r\n\
--m\r\nContent-Type: message/rfc822\r\n\r\nFrom: Carl <carl@example.net>\r\nSubject: plan\r\n\r\nThe plan itself.\r\n--m--\r\n";
    let req = s.accounts[0].reader.req;
    s.update(Action::Worker {
        account: 0,
        event: WorkerEvent::Message {
            req,
            message: Box::new(message::parse(9, raw.as_bytes())),
        },
    });
    let a = s.areas().reader;
    let mut t = Terminal::new(TestBackend::new(a.width, a.height)).expect("terminal");
    t.draw(|f| super::reader::draw(&s, &Theme::default(), f, f.area(), true))
        .expect("draw");
    let text = t.backend().to_string();
    assert!(text.contains("From: Real <real@example.org>"), "{text}");
    assert!(!text.contains("ceo@example.com"), "{text}");
    assert!(
        text.contains("Warning: this message has 2 From fields"),
        "{text}"
    );
    assert!(text.contains("──── Attached message ────"), "{text}");
    assert!(
        text.contains("Subject: plan") && text.contains("The plan itself."),
        "{text}"
    );
    let buf = t.backend().buffer();
    let warning_row = (0..buf.area.height)
        .find(|&y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .contains("Warning")
        })
        .expect("warning row");
    assert_eq!(Some(buf[(1, warning_row)].fg), Theme::default().error.fg);
}

/// The source view wraps long lines and ends each cut row with a dim
/// mark, so a wrapped header never reads as a folded one.
#[test]
fn source_view_marks_cut_lines() {
    let mut s = sample_state(80, 24);
    s.focus = Pane::Reader;
    s.update(Action::Ui(UiAction::ToggleRaw));
    for _ in 0..10 {
        s.update(Action::Ui(UiAction::Down));
    }
    let a = s.areas().reader;
    let out = render(a.width, a.height, |f| {
        super::reader::draw(&s, &Theme::default(), f, f.area(), true)
    });
    assert!(out.contains("→"), "{out}");
    assert_snapshot!(out);
    // The mark is dim: not a character of the message.
    let theme = Theme::default();
    let mut t = Terminal::new(TestBackend::new(a.width, a.height)).expect("test terminal");
    t.draw(|f| super::reader::draw(&s, &theme, f, f.area(), true))
        .expect("draw");
    let buf = t.backend().buffer();
    let marks: Vec<_> = buf.content().iter().filter(|c| c.symbol() == "→").collect();
    assert_eq!(marks.len(), 2);
    assert!(
        marks
            .iter()
            .all(|c| c.fg == theme.dim.fg.unwrap_or_default())
    );
}

/// The search line's hint gives way to what is typed, and says it was cut.
#[test]
fn search_hint_is_cut_with_an_ellipsis_at_80_columns() {
    let mut s = sample_state(80, 24);
    s.focus = crate::state::Pane::Messages;
    s.update(Action::Ui(crate::action::UiAction::Search));
    for c in "number 2849".chars() {
        s.update(Action::Prompt(crate::action::PromptKey::Char(c)));
    }
    let shown = screen(&s);
    let last = shown
        .lines()
        .rfind(|l| l.contains("/number 2849"))
        .unwrap_or_default()
        .to_string();
    assert!(last.contains("in sender and subject"), "{shown}");
    assert!(last.trim_end_matches(['"', ' ']).ends_with('…'), "{last}");
}
