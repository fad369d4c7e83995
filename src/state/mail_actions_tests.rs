use super::*;
use crate::action::{Action, Command, PromptKey, StoreCommand, UiAction};
use crate::mail::types::{FlagKind, FolderRole};
use crate::sanitize::Clean;
use crate::state::test_kit::*;
use crate::worker::{FolderRef, WorkerCommand, WorkerEvent};

fn inbox() -> FolderRef {
    FolderRef {
        path: "INBOX".into(),
        uid_validity: 1,
    }
}

fn key(s: &mut State, a: UiAction) -> Vec<Command> {
    s.update(Action::Ui(a))
}

fn typed(s: &mut State, text: &str) -> Vec<Command> {
    text.chars()
        .flat_map(|c| s.update(Action::Prompt(PromptKey::Char(c))))
        .collect()
}

fn worker_cmds(cmds: &[Command]) -> Vec<WorkerCommand> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Worker { command, .. } => Some(command.clone()),
            _ => None,
        })
        .collect()
}

/// The one worker command among `cmds`.
fn one(cmds: &[Command]) -> WorkerCommand {
    let w = worker_cmds(cmds);
    assert_eq!(w.len(), 1, "{cmds:?}");
    w.into_iter().next().expect("one")
}

fn uids(s: &State) -> Vec<u32> {
    let l = &s.accounts[0].list;
    (0..l.len())
        .filter_map(|i| l.row(i).map(|(e, _)| e.uid))
        .collect()
}

fn ready() -> State {
    let mut s = state();
    loaded(&mut s, 0, 5);
    s.focus = Pane::Messages;
    s
}

#[test]
fn marked_messages_are_flagged_together_and_undo_puts_each_back() {
    let mut s = ready();
    // 5 unread, 4 read (even UIDs are read).
    key(&mut s, UiAction::Mark);
    key(&mut s, UiAction::Mark);
    assert_eq!(s.accounts[0].list.targets(), [5, 4]);
    let cmds = key(&mut s, UiAction::ToggleRead);
    assert_eq!(
        worker_cmds(&cmds),
        [WorkerCommand::SetFlag {
            folder: inbox(),
            uids: vec![5, 4],
            flag: FlagKind::Seen,
            on: true
        }]
    );
    let l = &s.accounts[0].list;
    assert!(l.envelope(5).unwrap().flags.seen && l.envelope(4).unwrap().flags.seen);
    assert!(l.marked.is_empty(), "marks go once used");
    let cmds = key(&mut s, UiAction::Undo);
    assert_eq!(
        worker_cmds(&cmds),
        [
            WorkerCommand::SetFlag {
                folder: inbox(),
                uids: vec![4],
                flag: FlagKind::Seen,
                on: true
            },
            WorkerCommand::SetFlag {
                folder: inbox(),
                uids: vec![5],
                flag: FlagKind::Seen,
                on: false
            }
        ]
    );
    assert!(!s.accounts[0].list.envelope(5).unwrap().flags.seen);
    assert!(s.accounts[0].list.envelope(4).unwrap().flags.seen);
    assert_eq!(key(&mut s, UiAction::Undo), []);
    assert!(
        s.notice
            .as_ref()
            .is_some_and(|n| n.text.as_str() == "nothing to undo")
    );
}

#[test]
fn a_refused_flag_change_shows_the_real_flags_and_why() {
    let mut s = ready();
    key(&mut s, UiAction::ToggleFlag);
    assert!(s.accounts[0].list.envelope(5).unwrap().flags.flagged);
    let req = s.accounts[0].list.req;
    worker(
        &mut s,
        0,
        WorkerEvent::FlagsChanged {
            req,
            updates: vec![crate::mail::types::FlagUpdate {
                uid: 5,
                flags: crate::mail::types::Flags::default(),
            }],
        },
    );
    worker(
        &mut s,
        0,
        WorkerEvent::Failed {
            op: 0,
            error: Clean::line("change messages: Mailbox is read-only"),
        },
    );
    assert!(!s.accounts[0].list.envelope(5).unwrap().flags.flagged);
    let n = s.notice.as_ref().expect("notice");
    assert!(n.error && n.text.as_str().contains("read-only"), "{n:?}");
}

#[test]
fn delete_moves_to_trash_at_once_and_a_failure_puts_the_rows_back() {
    let mut s = ready();
    let cmds = key(&mut s, UiAction::Delete);
    let WorkerCommand::Move {
        folder,
        uids,
        to,
        op,
        ..
    } = one(&cmds)
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(
        (folder, uids.as_slice(), to.as_str()),
        (inbox(), &[5][..], "Deleted Items")
    );
    assert_eq!(uids_of(&s), [4, 3, 2, 1], "gone from the list at once");
    assert_eq!(
        s.accounts[0].list.selected_envelope().map(|e| e.uid),
        Some(4)
    );
    worker(
        &mut s,
        0,
        WorkerEvent::Failed {
            op,
            error: Clean::line("move messages: [TRYCREATE] no such folder"),
        },
    );
    assert_eq!(uids_of(&s), [5, 4, 3, 2, 1], "back where it was");
    assert!(
        s.notice
            .as_ref()
            .is_some_and(|n| n.error && n.text.as_str().contains("TRYCREATE"))
    );
    assert!(
        s.accounts[0].undo.is_empty(),
        "nothing to undo for a move that did not happen"
    );
}

fn uids_of(s: &State) -> Vec<u32> {
    uids(s)
}

#[test]
fn undo_of_a_move_sends_the_messages_back_from_where_they_landed() {
    let mut s = ready();
    key(&mut s, UiAction::Mark);
    key(&mut s, UiAction::Mark);
    let cmds = key(&mut s, UiAction::Archive);
    let WorkerCommand::Move { to, op, .. } = one(&cmds) else {
        panic!("{cmds:?}")
    };
    assert_eq!(to, "Archive");
    // Too early: the move has not been confirmed yet.
    assert!(key(&mut s, UiAction::Undo).is_empty());
    let archive = FolderRef {
        path: "Archive".into(),
        uid_validity: 77,
    };
    worker(
        &mut s,
        0,
        WorkerEvent::Moved {
            op,
            target: Some(archive.clone()),
            target_uids: vec![31, 32],
            source_uids: vec![4, 5],
            message_ids: vec!["a@x".into(), "b@x".into()],
            removed: true,
        },
    );
    let cmds = key(&mut s, UiAction::Undo);
    let WorkerCommand::Move {
        folder, uids, to, ..
    } = one(&cmds)
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(
        (folder, uids, to.as_str()),
        (archive, vec![31, 32], "INBOX")
    );
}

#[test]
fn deleting_inside_trash_asks_first() {
    let mut s = ready();
    s.focus = Pane::Folders;
    // Top is All inboxes, above INBOX.
    key(&mut s, UiAction::Top);
    key(&mut s, UiAction::Down);
    key(&mut s, UiAction::Down);
    key(&mut s, UiAction::Down);
    let cmds = key(&mut s, UiAction::Open);
    let req = open_req(&cmds, "Deleted Items");
    worker(
        &mut s,
        0,
        WorkerEvent::Selected {
            req,
            path: "Deleted Items".into(),
            uid_validity: 9,
            exists: 1,
        },
    );
    worker(
        &mut s,
        0,
        WorkerEvent::Inserted {
            req,
            envelopes: vec![env(8, true)],
            remaining: 0,
        },
    );
    s.focus = Pane::Messages;
    assert!(key(&mut s, UiAction::Delete).is_empty());
    assert!(s.typing(), "a question is open");
    // 'q' here is an answer, not quit.
    assert!(s.update(Action::Prompt(PromptKey::Char('q'))).is_empty());
    assert!(!s.typing() && !s.quitting);
    assert_eq!(uids_of(&s), [8], "kept");
    key(&mut s, UiAction::Delete);
    let cmds = s.update(Action::Prompt(PromptKey::Char('y')));
    assert!(
        matches!(&worker_cmds(&cmds)[..], [WorkerCommand::Expunge { uids, .. }] if uids == &vec![8])
    );
    assert!(uids_of(&s).is_empty());
}

#[test]
fn without_a_trash_folder_the_config_is_named() {
    let mut s = state();
    s.accounts[0].start(0);
    let req = s.accounts[0].list.req;
    worker(
        &mut s,
        0,
        WorkerEvent::Folders(vec![folder("INBOX", FolderRole::Inbox)]),
    );
    worker(
        &mut s,
        0,
        WorkerEvent::Selected {
            req,
            path: "INBOX".into(),
            uid_validity: 1,
            exists: 1,
        },
    );
    worker(
        &mut s,
        0,
        WorkerEvent::Inserted {
            req,
            envelopes: vec![env(1, true)],
            remaining: 0,
        },
    );
    s.focus = Pane::Messages;
    assert!(key(&mut s, UiAction::Delete).is_empty());
    let n = s.notice.as_ref().expect("notice");
    assert!(n.error && n.text.as_str().contains("trash = "), "{n:?}");
    assert_eq!(uids_of(&s), [1]);
    // With the config naming one, it is used.
    s.accounts[0].info.archive = Some("Old".into());
    let cmds = key(&mut s, UiAction::Archive);
    assert!(matches!(&worker_cmds(&cmds)[..], [WorkerCommand::Move { to, .. }] if to == "Old"));
}

#[test]
fn the_move_picker_narrows_as_you_type_and_keys_are_text() {
    let mut s = ready();
    key(&mut s, UiAction::Move);
    assert!(s.typing());
    let cmds = typed(&mut s, "apo");
    assert!(cmds.is_empty() && !s.quitting);
    let p = s.prompt.as_ref().expect("picker");
    assert_eq!(p.choices.len(), 1);
    let cmds = s.update(Action::Prompt(PromptKey::Enter));
    assert!(
        matches!(&worker_cmds(&cmds)[..], [WorkerCommand::Move { to, uids, .. }] if to == "Projects/Apollo" && uids == &vec![5])
    );
    assert!(!s.typing());
}

#[test]
fn go_to_folder_picks_by_name() {
    let mut s = ready();
    // `c` carries two actions: copying the sign-in code only applies with
    // its panel up.
    s.update(Action::Keys(vec![UiAction::Copy, UiAction::GoToFolder]));
    assert!(s.typing());
    typed(&mut s, "arch");
    let cmds = s.update(Action::Prompt(PromptKey::Enter));
    open_req(&cmds, "Archive");
    assert_eq!(s.focus, Pane::Messages);
}

#[test]
fn search_filters_as_you_type_then_asks_the_server_and_merges() {
    let mut s = ready();
    key(&mut s, UiAction::Search);
    typed(&mut s, "message 3");
    let l = &s.accounts[0].list;
    assert_eq!(l.search.as_ref().map(|x| x.matches.len()), Some(1));
    assert_eq!(l.selected_envelope().map(|e| e.uid), Some(3));
    let cmds = s.update(Action::Prompt(PromptKey::Enter));
    let WorkerCommand::Search { query, req, .. } = one(&cmds) else {
        panic!("{cmds:?}")
    };
    assert_eq!(query.to_string(), "message 3");
    let said = |s: &State| s.notice.as_ref().map(|n| n.text.as_str().to_string());
    assert_eq!(
        said(&s).as_deref(),
        Some("1 match here; asking the server…")
    );
    worker(
        &mut s,
        0,
        WorkerEvent::Found {
            req,
            uids: vec![1, 3, 999],
            offline: None,
        },
    );
    assert_eq!(
        said(&s).as_deref(),
        Some("2 matches, 1 of them found in the text")
    );
    let m = &s.accounts[0].list.search.as_ref().unwrap().matches;
    assert!(
        m.contains(&1) && m.contains(&3) && !m.contains(&999),
        "{m:?}"
    );
    key(&mut s, UiAction::NextMatch);
    assert_eq!(
        s.accounts[0].list.selected_envelope().map(|e| e.uid),
        Some(1)
    );
    key(&mut s, UiAction::PrevMatch);
    assert_eq!(
        s.accounts[0].list.selected_envelope().map(|e| e.uid),
        Some(3)
    );
    key(&mut s, UiAction::Back);
    assert!(s.accounts[0].list.search.is_none(), "Esc ends the search");
    assert_eq!(s.focus, Pane::Messages, "and does not leave the pane");
}

#[test]
fn threads_come_from_the_store_and_sort_cycles() {
    let mut s = ready();
    let cmds = key(&mut s, UiAction::Threads);
    let Some(Command::Store {
        command: StoreCommand::Threads { path, req },
        ..
    }) = cmds.first()
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(path, "INBOX");
    worker(
        &mut s,
        0,
        WorkerEvent::Threads {
            req: *req,
            rows: vec![(5, 0), (2, 1), (4, 0), (3, 1), (1, 0)],
        },
    );
    assert_eq!(uids(&s), [5, 2, 4, 3, 1]);
    key(&mut s, UiAction::Threads);
    assert_eq!(uids(&s), [5, 4, 3, 2, 1]);
    key(&mut s, UiAction::Sort);
    assert_eq!(s.accounts[0].list.sort, crate::state::SortBy::Date.into());
}

#[test]
fn an_undone_move_puts_the_messages_back_in_their_place_and_says_so() {
    let mut s = ready();
    key(&mut s, UiAction::Down);
    key(&mut s, UiAction::Mark);
    key(&mut s, UiAction::Mark);
    let cmds = key(&mut s, UiAction::Delete);
    let WorkerCommand::Move { op, uids, .. } = one(&cmds) else {
        panic!("{cmds:?}")
    };
    assert_eq!(uids, vec![4, 3]);
    assert_eq!(uids_of(&s), [5, 2, 1]);
    let trash = FolderRef {
        path: "Deleted Items".into(),
        uid_validity: 8,
    };
    worker(
        &mut s,
        0,
        WorkerEvent::Moved {
            op,
            target: Some(trash),
            target_uids: vec![31, 32],
            source_uids: vec![3, 4],
            message_ids: vec![],
            removed: true,
        },
    );
    let cmds = key(&mut s, UiAction::Undo);
    let WorkerCommand::Move { op, uids, .. } = one(&cmds) else {
        panic!("{cmds:?}")
    };
    assert_eq!(uids, vec![31, 32]);
    let inbox = FolderRef {
        path: "INBOX".into(),
        uid_validity: 9,
    };
    worker(
        &mut s,
        0,
        WorkerEvent::Moved {
            op,
            target: Some(inbox),
            target_uids: vec![40, 41],
            source_uids: vec![31, 32],
            message_ids: vec![],
            removed: true,
        },
    );
    assert!(
        s.notice
            .as_ref()
            .is_some_and(|n| n.text.as_str() == "2 messages restored to INBOX"),
        "{:?}",
        s.notice
    );
    // They come back as new mail under new UIDs, shown where they were.
    let req = s.accounts[0].list.req;
    worker(
        &mut s,
        0,
        WorkerEvent::Inserted {
            req,
            envelopes: vec![env(41, true), env(40, true)],
            remaining: 0,
        },
    );
    assert_eq!(uids_of(&s), [5, 41, 40, 2, 1]);
    assert_eq!(
        s.accounts[0].list.selected_envelope().map(|e| e.uid),
        Some(41),
        "the cursor on what came back"
    );
}

#[test]
fn a_move_undone_while_offline_comes_back_here_and_leaves_the_worker_queue() {
    let mut s = ready();
    s.accounts[0].conn = crate::worker::ConnState::Retrying {
        attempt: 2,
        error: Clean::line("connection refused"),
        retry_in_secs: 8,
    };
    let cmds = key(&mut s, UiAction::Delete);
    let WorkerCommand::Move { op, .. } = one(&cmds) else {
        panic!("{cmds:?}")
    };
    assert!(
        s.notice
            .as_ref()
            .is_some_and(|n| n.text.as_str().contains("once online")),
        "offline, nothing has moved yet: {:?}",
        s.notice
    );
    assert_eq!(uids_of(&s), [4, 3, 2, 1]);
    let cmds = key(&mut s, UiAction::Undo);
    assert_eq!(one(&cmds), WorkerCommand::Cancel { op });
    assert_eq!(uids_of(&s), [5, 4, 3, 2, 1], "back at once");
    assert!(s.accounts[0].undo.is_empty());
}

#[test]
fn an_unread_message_an_undo_brings_back_is_no_new_mail() {
    let mut s = ready();
    s.notify.bell = true;
    let req = s.accounts[0].list.req;
    worker(&mut s, 0, WorkerEvent::Synced { req, at: 1 });
    // UID 5 is unread.
    let cmds = key(&mut s, UiAction::Delete);
    let WorkerCommand::Move { op, .. } = one(&cmds) else {
        panic!("{cmds:?}")
    };
    let trash = FolderRef {
        path: "Deleted Items".into(),
        uid_validity: 8,
    };
    worker(
        &mut s,
        0,
        WorkerEvent::Moved {
            op,
            target: Some(trash),
            target_uids: vec![31],
            source_uids: vec![5],
            message_ids: vec![],
            removed: true,
        },
    );
    let cmds = key(&mut s, UiAction::Undo);
    let WorkerCommand::Move { op, .. } = one(&cmds) else {
        panic!("{cmds:?}")
    };
    worker(
        &mut s,
        0,
        WorkerEvent::Moved {
            op,
            target: Some(inbox()),
            target_uids: vec![40],
            source_uids: vec![31],
            message_ids: vec![],
            removed: true,
        },
    );
    let cmds = worker(
        &mut s,
        0,
        WorkerEvent::Inserted {
            req,
            envelopes: vec![env(40, false)],
            remaining: 0,
        },
    );
    assert!(
        !cmds.iter().any(|c| matches!(c, Command::Alert { .. })),
        "{cmds:?}"
    );
    // Real new mail after it still rings.
    let cmds = worker(
        &mut s,
        0,
        WorkerEvent::Inserted {
            req,
            envelopes: vec![env(41, false)],
            remaining: 0,
        },
    );
    assert!(
        cmds.iter().any(|c| matches!(c, Command::Alert { .. })),
        "{cmds:?}"
    );
}

#[test]
fn a_flag_change_says_what_it_did_and_how_to_take_it_back() {
    let mut s = ready();
    // UID 5 is unread.
    key(&mut s, UiAction::ToggleRead);
    assert_eq!(
        s.notice.as_ref().map(|n| n.text.as_str()),
        Some("1 message marked read (u: undo)")
    );
    key(&mut s, UiAction::ToggleFlag);
    assert_eq!(
        s.notice.as_ref().map(|n| n.text.as_str()),
        Some("1 message flagged (u: undo)")
    );
    key(&mut s, UiAction::ToggleFlag);
    assert_eq!(
        s.notice.as_ref().map(|n| n.text.as_str()),
        Some("1 message unflagged (u: undo)")
    );
}
