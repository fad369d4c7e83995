//! The list's columns as `[ui] columns` sets them, the size sort, and the
//! Sent folder showing whom mail went to (80×24 and 120×40).

use insta::assert_snapshot;

use super::tests::{sample_state, screen};
use crate::action::{Action, Command, UiAction};
use crate::config::columns::parse_columns;
use crate::mail::row_text::{BoxedClean, SharedClean};
use crate::mail::types::{Envelope, Flags};
use crate::state::{Pane, State};
use crate::worker::{WorkerCommand, WorkerEvent};

/// Tue 03 Nov 2026 13:05 UTC, as in the sample state.
const NOW: i64 = 1_793_711_100;

fn columns(s: &mut State, entries: &[&str]) {
    s.columns = parse_columns(&entries.iter().map(|e| e.to_string()).collect::<Vec<_>>())
        .expect("columns read");
}

/// The sample inbox with sizes from 300 bytes to 12 MB, sorted by size,
/// smallest first.
fn by_size(w: u16, h: u16) -> State {
    let mut s = sample_state(w, h);
    columns(
        &mut s,
        &["flags", "date", "correspondent:22", "size", "subject"],
    );
    let sizes = [
        300,
        4_300,
        12 * 1024 * 1024,
        38 * 1024,
        999,
        1_363_149,
        70_000,
        2_048,
    ];
    for (e, size) in s.accounts[0].list.items.iter_mut().zip(sizes) {
        e.size = size;
    }
    s.update(Action::Ui(UiAction::Sort));
    s.update(Action::Ui(UiAction::Sort));
    s.update(Action::Ui(UiAction::Sort));
    s.update(Action::Ui(UiAction::Sort));
    s.update(Action::Ui(UiAction::SortReverse));
    assert_eq!(s.accounts[0].list.sort.label(), "size ↑");
    s
}

#[test]
fn custom_columns_sorted_by_size() {
    assert_snapshot!(screen(&by_size(80, 24)));
    assert_snapshot!(screen(&by_size(120, 40)));
}

fn sent_row(uid: u32, ago: i64, to: &str, subject: &str) -> Envelope {
    Envelope {
        uid,
        date: Some(NOW - ago),
        from: SharedClean::line("Alice Martin"),
        to: SharedClean::line(to),
        subject: BoxedClean::line(subject),
        flags: Flags {
            seen: true,
            ..Flags::default()
        },
        has_attachment: false,
        size: 5_000,
    }
}

/// The sample state with Sent Items open.
fn sent(w: u16, h: u16, entries: &[&str]) -> State {
    let mut s = sample_state(w, h);
    columns(&mut s, entries);
    let at = s.accounts[0]
        .folders
        .iter()
        .position(|f| f.path == "Sent Items")
        .expect("a Sent folder");
    let cmds = s.accounts[0].open_folder(at, 0);
    let req = cmds
        .iter()
        .find_map(|c| match c {
            Command::Worker {
                command: WorkerCommand::OpenFolder { req, .. },
                ..
            } => Some(*req),
            _ => None,
        })
        .expect("Sent Items opens");
    let rows = vec![
        sent_row(40, 900, "Bob Okafor", "Re: Standup moved to 10:15 today"),
        sent_row(
            39,
            3 * 3600,
            "Chen Wei, Bob Okafor",
            "Re: Q4 numbers for the review",
        ),
        sent_row(38, 2 * 86400, "Jürgen Müller", "Lieferung für München"),
        // Stored before recipients were kept: a dash, never the sender
        // (the user).
        sent_row(37, 30 * 86400, "", "Notes from the offsite"),
        sent_row(36, 380 * 86400, "team@contoso.example", "Happy new year"),
    ];
    s.update(Action::Worker {
        account: 0,
        event: WorkerEvent::Stored {
            req,
            uid_validity: 1,
            envelopes: rows,
            done: true,
            synced_at: Some(NOW - 60),
        },
    });
    s.focus = Pane::Messages;
    s
}

#[test]
fn the_sent_folder_shows_recipients() {
    let default = ["flags", "date", "correspondent", "subject"];
    assert_snapshot!(screen(&sent(80, 24, &default)));
    assert_snapshot!(screen(&sent(120, 40, &default)));
    // Asked for by name, the sender stays the sender.
    let s = sent(120, 40, &["date", "sender:14", "recipient:20", "subject"]);
    let text = screen(&s);
    assert!(
        text.contains("Alice Martin   Chen Wei, Bob Okafor"),
        "{text}"
    );
}
