//! The parts and links menus, saving and opening, and parts shown inside
//! the reader, driven through `update` with real MIME messages.

use std::path::PathBuf;

use super::super::test_kit::*;
use super::*;
use crate::action::{Action, Command, StoreCommand, UiAction};
use crate::files::{FileEvent, FilesCommand, FilesSettings};
use crate::mail::message::parse;
use crate::mail::mime::parts::PartBytes;
use crate::state::Pane;
use crate::worker::WorkerEvent;

const MIXED: &str = "From: a@x\r\nSubject: files\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n\
--m\r\nContent-Type: text/plain\r\n\r\nSee https://example.com/report and\r\nhttps://example.org/b.\r\n\
--m\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\nContent-Disposition: attachment; filename=\"report.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n\
--m\r\nContent-Type: message/rfc822\r\n\r\n\
Subject: Inner note\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n\
--i\r\nContent-Type: text/plain\r\n\r\ninner text\r\n\
--i\r\nContent-Type: text/csv; name=\"data.csv\"\r\n\r\na,b\r\n--i--\r\n\
--m--\r\n";

/// A state with MIXED open in the reader of account 0, files to /dl.
fn reading() -> State {
    let mut s = state();
    loaded(&mut s, 0, 3);
    s.files = FilesSettings {
        download_dir: PathBuf::from("/dl"),
        open_command: None,
    };
    let (uid, req) = {
        let r = &s.accounts[0].reader;
        (r.uid.unwrap(), r.req)
    };
    worker(
        &mut s,
        0,
        WorkerEvent::Message {
            req,
            message: Box::new(parse(uid, MIXED.as_bytes())),
        },
    );
    s.focus = Pane::Reader;
    s
}

fn key(s: &mut State, a: UiAction) -> Vec<Command> {
    s.update(Action::Ui(a))
}

/// The parts request among `cmds`.
fn asked(cmds: &[Command]) -> PartsRequest {
    cmds.iter()
        .find_map(|c| match c {
            Command::Store {
                command: StoreCommand::LoadParts(r),
                ..
            } => Some(r.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no parts asked for: {cmds:?}"))
}

fn notice(s: &State) -> String {
    s.notice
        .as_ref()
        .map(|n| n.text.to_string())
        .unwrap_or_default()
}

fn pdf(section: &str) -> PartBytes {
    PartBytes {
        section: section.into(),
        file_name: Some("report.pdf".into()),
        mime: "application/pdf".into(),
        charset: None,
        bytes: b"%PDF-1.4\n".to_vec(),
        damaged: false,
    }
}

#[test]
fn the_parts_menu_opens_on_the_first_attachment_and_saves_it() {
    let mut s = reading();
    assert!(key(&mut s, UiAction::Parts).is_empty());
    let m = s.menu.as_ref().expect("menu open");
    let MenuKind::Parts(parts) = &m.kind else {
        panic!("{m:?}")
    };
    let sections: Vec<&str> = parts.iter().map(|p| p.section.as_str()).collect();
    assert_eq!(sections, ["1", "2", "3", "3.1", "3.2"]);
    assert_eq!(m.cursor, 1, "on report.pdf");
    // Keys move the highlight, not the message list.
    let list_before = s.accounts[0].list.selected;
    key(&mut s, UiAction::Down);
    key(&mut s, UiAction::Down);
    assert_eq!(s.menu.as_ref().unwrap().cursor, 3);
    key(&mut s, UiAction::Bottom);
    assert_eq!(s.menu.as_ref().unwrap().cursor, 4);
    key(&mut s, UiAction::Account(1));
    assert_eq!(s.menu.as_ref().unwrap().cursor, 1, "2 picks the second");
    assert_eq!(s.accounts[0].list.selected, list_before);
    assert_eq!(s.current, 0, "digits pick entries, not accounts");
    // Keys for other things wait until the menu is closed.
    assert!(key(&mut s, UiAction::Delete).is_empty());
    assert_eq!(s.accounts[0].list.items.len(), 3);

    let r = asked(&key(&mut s, UiAction::SavePart));
    assert_eq!(
        (r.sections.as_slice(), r.view),
        (&["2".to_string()][..], false)
    );
    assert_eq!(notice(&s), "saving report.pdf…");
    let cmds = worker(
        &mut s,
        0,
        WorkerEvent::Parts {
            req: r.req,
            parts: vec![pdf("2")],
        },
    );
    assert_eq!(
        cmds,
        [Command::Files(FilesCommand::Save {
            op: r.req,
            dir: PathBuf::from("/dl"),
            parts: vec![pdf("2")]
        })]
    );
    // The same answer again (or a stale one) does nothing.
    assert!(
        worker(
            &mut s,
            0,
            WorkerEvent::Parts {
                req: r.req,
                parts: vec![pdf("2")]
            }
        )
        .is_empty()
    );
    s.update(Action::Files(FileEvent::Progress {
        op: r.req,
        name: "report.pdf".into(),
        done: 3 << 20,
        total: 12 << 20,
    }));
    assert_eq!(notice(&s), "saving report.pdf: 3.0 MB of 12 MB (25%)");
    s.update(Action::Files(FileEvent::Saved {
        op: r.req,
        report: crate::files::save::SaveReport {
            dir: "/dl".into(),
            saved: vec!["/dl/report (1).pdf".into()],
            damaged: vec![],
            errors: vec![],
        },
    }));
    assert_eq!(notice(&s), "saved report (1).pdf in /dl");
    key(&mut s, UiAction::Back);
    assert!(s.menu.is_none());
    assert_eq!(s.focus, Pane::Reader, "Esc closed only the menu");
}

#[test]
fn save_all_takes_attachments_but_not_what_an_attached_message_holds() {
    let mut s = reading();
    let r = asked(&key(&mut s, UiAction::SaveAll));
    assert_eq!(r.sections, ["2", "3"]);
    assert_eq!(notice(&s), "saving 2 attachments…");
    // A message without attachments says so.
    let mut s = state();
    loaded(&mut s, 0, 1);
    let req = s.accounts[0].reader.req;
    worker(
        &mut s,
        0,
        WorkerEvent::Message {
            req,
            message: Box::new(parse(1, b"Subject: x\r\n\r\nhello\r\n")),
        },
    );
    assert!(key(&mut s, UiAction::SaveAll).is_empty());
    assert_eq!(notice(&s), "no attachments to save");
}

#[test]
fn failures_and_damage_are_said_and_nothing_is_left_waiting() {
    let mut s = reading();
    let r = asked(&key(&mut s, UiAction::SaveAll));
    worker(
        &mut s,
        0,
        WorkerEvent::PartsFailed {
            req: r.req,
            error: Clean::line("the message has no part 9"),
        },
    );
    assert_eq!(notice(&s), "the message has no part 9");
    assert!(s.notice.as_ref().unwrap().error);
    assert!(s.accounts[0].part_requests.is_empty());
    s.update(Action::Files(FileEvent::Saved {
        op: 1,
        report: crate::files::save::SaveReport {
            dir: "/dl".into(),
            saved: vec!["/dl/a.bin".into(), "/dl/b.bin".into()],
            damaged: vec!["b.bin".into()],
            errors: vec!["c.bin: cannot write".into()],
        },
    }));
    assert_eq!(
        notice(&s),
        "saved 2 files in /dl; b.bin: damaged transfer encoding, saved what could be decoded; not saved: c.bin: cannot write"
    );
    s.update(Action::Files(FileEvent::Saved {
        op: 2,
        report: crate::files::save::SaveReport {
            dir: "/ro".into(),
            errors: vec![
                "/ro is not writable (Permission denied); set [files] download_dir".into(),
            ],
            ..Default::default()
        },
    }));
    assert!(notice(&s).starts_with("/ro is not writable"));
}

#[test]
fn an_attached_message_opens_in_the_reader_and_esc_comes_back() {
    let mut s = reading();
    key(&mut s, UiAction::Parts);
    key(&mut s, UiAction::Down);
    assert_eq!(s.menu.as_ref().unwrap().part().unwrap().section, "3");
    let outer_req = s.accounts[0].reader.req;
    let r = asked(&key(&mut s, UiAction::Open));
    assert_eq!(
        (r.sections.as_slice(), r.view),
        (&["3".to_string()][..], true)
    );
    assert!(s.menu.is_none());
    let reader = &s.accounts[0].reader;
    assert!(matches!(reader.content, ReaderContent::Loading));
    assert_eq!(reader.outer.len(), 1);
    assert_eq!(
        reader.title.as_ref().map(|t| t.to_string()).as_deref(),
        Some("Attached message 3: Inner note")
    );
    let inner = crate::mail::mime::part_view::view(r.uid, MIXED.as_bytes(), "3").unwrap();
    worker(
        &mut s,
        0,
        WorkerEvent::Message {
            req: r.req,
            message: Box::new(inner),
        },
    );
    let ReaderContent::Loaded(m) = &s.accounts[0].reader.content else {
        panic!("not loaded")
    };
    assert!(m.body.as_str().contains("inner text"));
    assert!(
        s.accounts[0]
            .reader
            .layout
            .doc
            .as_ref()
            .is_some_and(|d| d.lines_text().any(|l| l.contains("inner text"))),
        "laid out"
    );
    // Its parts are numbered under it.
    key(&mut s, UiAction::Parts);
    assert_eq!(s.menu.as_ref().unwrap().part().unwrap().section, "2");
    let save = asked(&key(&mut s, UiAction::SavePart));
    assert_eq!(save.sections, ["3.2"]);
    key(&mut s, UiAction::Back);
    assert!(s.menu.is_none());
    // Esc: back to the message, as it was.
    key(&mut s, UiAction::Back);
    let reader = &s.accounts[0].reader;
    assert!(reader.outer.is_empty() && reader.title.is_none());
    assert_eq!(reader.req, outer_req);
    let ReaderContent::Loaded(m) = &reader.content else {
        panic!("not back")
    };
    assert_eq!(m.headers[1], ("Subject", Clean::line("files")));
    assert_eq!(s.focus, Pane::Reader);
    // One more Esc leaves the reader as before.
    key(&mut s, UiAction::Back);
    assert_eq!(s.focus, Pane::Messages);
}

#[test]
fn a_part_that_cannot_be_had_shows_why_and_esc_still_comes_back() {
    let mut s = reading();
    key(&mut s, UiAction::Parts);
    key(&mut s, UiAction::Top);
    let r = asked(&key(&mut s, UiAction::Open));
    assert_eq!(r.sections, ["1"]);
    worker(
        &mut s,
        0,
        WorkerEvent::PartsFailed {
            req: r.req,
            error: Clean::line("offline"),
        },
    );
    assert!(matches!(
        &s.accounts[0].reader.content,
        ReaderContent::Failed(e) if e.as_str() == "offline"
    ));
    key(&mut s, UiAction::Back);
    assert!(matches!(
        s.accounts[0].reader.content,
        ReaderContent::Loaded(_)
    ));
}

#[test]
fn opening_needs_the_command_and_then_uses_it() {
    let mut s = reading();
    key(&mut s, UiAction::Parts);
    assert!(key(&mut s, UiAction::OpenWith).is_empty());
    assert!(notice(&s).contains("open_command = \"xdg-open\" under [files]"));
    assert!(s.notice.as_ref().unwrap().error);
    // Enter on a PDF opens it too (it cannot be shown as text).
    assert!(key(&mut s, UiAction::Open).is_empty());
    s.files.open_command = Some(vec!["xdg-open".into()]);
    let r = asked(&key(&mut s, UiAction::Open));
    assert_eq!(r.sections, ["2"]);
    let cmds = worker(
        &mut s,
        0,
        WorkerEvent::Parts {
            req: r.req,
            parts: vec![pdf("2")],
        },
    );
    assert_eq!(
        cmds,
        [Command::Files(FilesCommand::OpenPart {
            op: r.req,
            command: vec!["xdg-open".into()],
            part: pdf("2")
        })]
    );
    s.update(Action::Files(FileEvent::Opened {
        op: r.req,
        what: "report.pdf".into(),
    }));
    assert_eq!(notice(&s), "opened report.pdf");
}

#[test]
fn links_are_numbered_copied_and_opened() {
    let mut s = reading();
    key(&mut s, UiAction::Links);
    let m = s.menu.as_ref().expect("links menu");
    let MenuKind::Links(links) = &m.kind else {
        panic!("{m:?}")
    };
    let urls: Vec<&str> = links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(
        urls,
        ["https://example.com/report", "https://example.org/b"]
    );
    key(&mut s, UiAction::Account(1));
    assert_eq!(
        key(&mut s, UiAction::CopyLink),
        [Command::Copy("https://example.org/b".into())]
    );
    assert_eq!(notice(&s), "link 2 copied to the clipboard (OSC 52)");
    // `c` carries three actions; in the links menu it copies.
    key(&mut s, UiAction::Top);
    assert_eq!(
        s.update(Action::Keys(vec![
            UiAction::Copy,
            UiAction::GoToFolder,
            UiAction::CopyLink
        ])),
        [Command::Copy("https://example.com/report".into())]
    );
    assert!(s.prompt.is_none(), "no folder picker");
    assert!(key(&mut s, UiAction::Open).is_empty());
    assert!(notice(&s).contains("y copies the link"));
    s.files.open_command = Some(vec!["xdg-open".into()]);
    let cmds = key(&mut s, UiAction::Open);
    assert!(
        matches!(&cmds[..], [Command::Files(FilesCommand::OpenLink { command, url, .. })]
            if command == &["xdg-open"] && url == "https://example.com/report"),
        "{cmds:?}"
    );
    // b again closes; p switches to the parts.
    key(&mut s, UiAction::Parts);
    assert!(s.menu.as_ref().is_some_and(|m| !m.is_links()));
    key(&mut s, UiAction::Parts);
    assert!(s.menu.is_none());
    // Without a message or links there is nothing to list.
    let mut s = state();
    loaded(&mut s, 0, 1);
    key(&mut s, UiAction::Links);
    assert!(s.menu.is_none());
    assert_eq!(notice(&s), "the message is still loading");
}

#[test]
fn a_menu_closes_when_its_message_goes() {
    let mut s = reading();
    key(&mut s, UiAction::Parts);
    let uid = s.accounts[0].reader.uid.unwrap();
    let req = s.accounts[0].list.req;
    worker(
        &mut s,
        0,
        WorkerEvent::Expunged {
            req,
            uids: vec![uid],
        },
    );
    assert!(s.menu.is_none());
}

/// An HTML message's links are its hrefs, whole; one over the limit is
/// cut and copying or opening it says so.
#[test]
fn html_links_come_from_the_hrefs_and_a_cut_one_says_so() {
    let long = format!(
        "https://eur01.safelinks.protection.outlook.com/?url={}",
        "a".repeat(5000)
    );
    let safe = format!(
        "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fexample.com%2F&data={}&reserved=0",
        "05%7C02%7C".repeat(60)
    );
    let raw = format!(
        "From: a@x\r\nSubject: html\r\nContent-Type: text/html\r\n\r\n\
<p><a href=\"{}\">report</a> and <a href=\"{long}\">long</a>, again \
<a href=\"{}\">the report</a>; also https://plain.example/x</p>\r\n",
        safe.replace('&', "&amp;"),
        safe.replace('&', "&amp;"),
    );
    let mut s = reading();
    let (uid, req) = {
        let r = &s.accounts[0].reader;
        (r.uid.unwrap(), r.req)
    };
    worker(
        &mut s,
        0,
        WorkerEvent::Message {
            req,
            message: Box::new(parse(uid, raw.as_bytes())),
        },
    );
    key(&mut s, UiAction::Links);
    let m = s.menu.as_ref().expect("links menu");
    let MenuKind::Links(links) = &m.kind else {
        panic!("{m:?}")
    };
    let urls: Vec<&str> = links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(urls.len(), 3, "{urls:?}");
    assert_eq!(urls[0], safe);
    assert_eq!(urls[1].chars().count(), MAX_LINK_CHARS);
    assert!(long.starts_with(urls[1]));
    assert_eq!(urls[2], "https://plain.example/x");
    key(&mut s, UiAction::Down);
    key(&mut s, UiAction::CopyLink);
    assert_eq!(
        notice(&s),
        format!("link 2 copied to the clipboard (OSC 52) (cut at {MAX_LINK_CHARS} characters)")
    );
    s.files.open_command = Some(vec!["xdg-open".into()]);
    key(&mut s, UiAction::Open);
    assert_eq!(
        notice(&s),
        format!("opening link 2… (cut at {MAX_LINK_CHARS} characters)")
    );
}
