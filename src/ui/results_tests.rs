//! The results view: All inboxes across two accounts, at 80×24 and
//! 120×40, with the account column, the folder pane's virtual folder, and
//! what the stores did not hold in the title.

use insta::assert_snapshot;

use super::tests::{sample_state, screen};
use crate::action::{Action, Command, StoreCommand, UiAction};
use crate::mail::row_text::{BoxedClean, SharedClean};
use crate::mail::types::{Envelope, Flags, Folder, FolderRole};
use crate::sanitize::Clean;
use crate::state::{Pane, State};
use crate::store::everywhere::{Everywhere, FolderHits};
use crate::worker::WorkerEvent;

fn home_row(uid: u32, date: i64, from: &str, subject: &str, seen: bool) -> Envelope {
    Envelope {
        uid,
        date: Some(date),
        from: SharedClean::line(from),
        to: SharedClean::default(),
        subject: BoxedClean::line(subject),
        flags: Flags {
            seen,
            ..Flags::default()
        },
        has_attachment: false,
        size: 2048,
    }
}

/// All inboxes open on the sample: work's INBOX as the sample has it and
/// two messages at home, one of them the newest; `missing` folders of
/// home never stored.
fn all_inboxes(width: u16, height: u16, missing: usize) -> State {
    let mut s = sample_state(width, height);
    s.update(Action::Worker {
        account: 1,
        event: WorkerEvent::Folders(vec![Folder {
            path: "INBOX".into(),
            name: Clean::line("Inbox"),
            depth: 0,
            selectable: true,
            role: FolderRole::Inbox,
        }]),
    });
    s.focus = Pane::Folders;
    s.on_virtual = Some(0);
    let cmds = s.update(Action::Ui(UiAction::Open));
    let reqs: Vec<(usize, u64)> = cmds
        .iter()
        .filter_map(|c| match c {
            Command::Store {
                account,
                command: StoreCommand::Everywhere { req, .. },
            } => Some((*account, *req)),
            _ => None,
        })
        .collect();
    assert_eq!(reqs.len(), 2, "{cmds:?}");
    let work: Vec<Envelope> = s.accounts[0].list.items.iter().take(6).cloned().collect();
    let newest = work.iter().filter_map(|e| e.date).max().unwrap_or(0);
    let home = vec![
        home_row(41, newest + 60, "Dad", "Photos from the weekend", false),
        home_row(
            40,
            newest - 86_400 * 3,
            "Fabrikam Bank",
            "Your statement is ready",
            true,
        ),
    ];
    for (account, req, rows) in [(0, reqs[0].1, work), (1, reqs[1].1, home)] {
        let found = Everywhere {
            folders: vec![FolderHits {
                path: "INBOX".into(),
                uid_validity: 1,
                rows,
            }],
            searched: 1,
            not_stored: (0..if account == 1 { missing } else { 0 })
                .map(|i| format!("F{i}"))
                .collect(),
            cut: false,
            validities: vec![("INBOX".into(), 1)],
        };
        s.update(Action::Worker {
            account,
            event: WorkerEvent::FoundEverywhere {
                req,
                found: Box::new(found),
            },
        });
    }
    s
}

#[test]
fn all_inboxes_80x24() {
    let s = all_inboxes(80, 24, 0);
    let shown = screen(&s);
    assert!(shown.contains("All inboxes · 8"), "{shown}");
    assert!(shown.contains("Photos from the weekend"), "{shown}");
    // Each row says whose it is.
    let dad = shown
        .lines()
        .find(|l| l.contains("Photos"))
        .unwrap_or_default();
    assert!(dad.contains("home"), "{dad}");
    assert_snapshot!(shown);
}

#[test]
fn all_inboxes_120x40() {
    let mut s = all_inboxes(120, 40, 2);
    s.update(Action::Ui(UiAction::Mark));
    let shown = screen(&s);
    assert!(shown.contains("1 marked"), "{shown}");
    assert!(shown.contains("2 folders not stored yet"), "{shown}");
    assert!(shown.contains("▸ ⌕ All inboxes"), "{shown}");
    assert_snapshot!(shown);
}
