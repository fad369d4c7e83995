//! Writing mail as the screen sees it: the keys, the review, the outbox
//! and what follows a send. The effects (editor, MIME, outbox, SMTP) are
//! played by feeding their events and reading the commands asked for.

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::action::{Action, Command, PromptKey, StoreCommand, UiAction};
use crate::compose::{AttachmentSource, ComposeKind, Draft, DraftAttachment};
use crate::keymap::Keymap;
use crate::mail::mime::parts::PartBytes;
use crate::mail::types::{FlagKind, FolderRole};
use crate::sanitize::Clean;
use crate::state::AccountInfo;
use crate::state::compose::{ComposeCommand, ComposeEvent, Followups, OutboxRow, RowState};
use crate::state::test_kit::*;
use crate::worker::{FolderRef, WorkerCommand, WorkerEvent};

const ORIGINAL: &[u8] = b"From: Alice <alice@example.com>\r\nTo: work@example.com\r\n\
Subject: message 5\r\nMessage-ID: <m5@example.com>\r\n\r\nHello\r\n";

fn inbox() -> FolderRef {
    FolderRef {
        path: "INBOX".into(),
        uid_validity: 1,
    }
}

fn source(uid: u32) -> Source {
    Source {
        account: 0,
        folder: inbox(),
        uid,
    }
}

fn key(s: &mut State, a: UiAction) -> Vec<Command> {
    s.update(Action::Ui(a))
}

/// A plain key as the app sends it with the default keys: every action
/// bound to it, the state runs the first that applies.
fn press(s: &mut State, c: char) -> Vec<Command> {
    let keys = Keymap::new(&[]).expect("default keys");
    let event = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    let actions = keys.resolve_all(&event).to_vec();
    assert!(!actions.is_empty(), "{c} is bound");
    s.update(Action::Keys(actions))
}

fn event(s: &mut State, e: ComposeEvent) -> Vec<Command> {
    s.update(Action::Compose(e))
}

fn compose_cmds(cmds: &[Command]) -> Vec<ComposeCommand> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Compose(c) => Some(c.clone()),
            _ => None,
        })
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

/// The one compose command among `cmds`.
fn one(cmds: &[Command]) -> ComposeCommand {
    let c = compose_cmds(cmds);
    assert_eq!(c.len(), 1, "{cmds:?}");
    c.into_iter().next().expect("one")
}

fn notice(s: &State) -> String {
    s.notice
        .as_ref()
        .map(|n| n.text.to_string())
        .unwrap_or_default()
}

fn notice_is_error(s: &State) -> bool {
    s.notice.as_ref().is_some_and(|n| n.error)
}

fn file() -> PathBuf {
    PathBuf::from("/tmp/mailtui-test/1.eml")
}

fn draft(subject: &str, body: &str) -> Draft {
    Draft {
        from: "work@example.com".into(),
        to: "Alice <alice@example.com>".into(),
        subject: subject.into(),
        body: body.into(),
        ..Draft::default()
    }
}

/// "work" (with Drafts and Sent) and "home", INBOX of "work" open with
/// five messages, the newest (UID 5) selected.
fn ready_with(work: AccountInfo) -> State {
    let mut s = StateBuilder::default()
        .account(work)
        .account(info("home"))
        .build();
    loaded(&mut s, 0, 5);
    worker(
        &mut s,
        0,
        WorkerEvent::Folders(vec![
            folder("INBOX", FolderRole::Inbox),
            folder("Drafts", FolderRole::Drafts),
            folder("Sent", FolderRole::Sent),
            folder("Deleted Items", FolderRole::Trash),
        ]),
    );
    s.focus = Pane::Messages;
    s
}

fn ready() -> State {
    ready_with(info("work"))
}

/// The store request an answer key makes: the whole message.
fn parts_req(cmds: &[Command]) -> u64 {
    match cmds {
        [
            Command::Store {
                account: 0,
                command: StoreCommand::LoadParts(p),
            },
        ] => {
            assert_eq!(p.sections, [WHOLE_MESSAGE], "the whole message");
            assert_eq!(p.sections, [""]);
            assert!(!p.view);
            p.req
        }
        _ => panic!("expected the message asked for, got {cmds:?}"),
    }
}

fn whole(req: u64) -> WorkerEvent {
    WorkerEvent::Parts {
        req,
        parts: vec![PartBytes {
            section: String::new(),
            file_name: None,
            mime: "message/rfc822".into(),
            charset: None,
            bytes: ORIGINAL.to_vec(),
            damaged: false,
        }],
    }
}

/// The id a Prepare command carries, checked for its kind.
fn prepared(cmds: &[Command], want: ComposeKind) -> u64 {
    match one(cmds) {
        ComposeCommand::Prepare {
            id, account, kind, ..
        } => {
            assert_eq!((account, kind), (0, want));
            id
        }
        other => panic!("expected Prepare, got {other:?}"),
    }
}

/// From the prepared draft through the editor to the review.
fn to_review(s: &mut State, id: u64, d: Draft) {
    let cmds = event(
        s,
        ComposeEvent::Ready {
            id,
            draft: Box::new(Draft::default()),
            file: file(),
            sizes: vec![],
        },
    );
    assert!(
        matches!(one(&cmds), ComposeCommand::Edit { id: i, file: f, .. } if i == id && f == file())
    );
    let sizes = vec![None; d.attachments.len()];
    let cmds = event(
        s,
        ComposeEvent::Edited {
            id,
            result: Ok(Box::new(d)),
            note: None,
            sizes,
        },
    );
    assert!(cmds.is_empty(), "{cmds:?}");
    assert!(s.reviewing());
}

/// A key that answers the selected message, up to the review.
fn answering(s: &mut State, a: UiAction, kind: ComposeKind, d: Draft) -> u64 {
    let req = parts_req(&key(s, a));
    let id = prepared(&worker(s, 0, whole(req)), kind);
    to_review(s, id, d);
    id
}

/// A new message, up to the review.
fn writing_new(s: &mut State, d: Draft) -> u64 {
    let id = prepared(&press(s, 'C'), ComposeKind::New);
    to_review(s, id, d);
    id
}

#[test]
fn reply_asks_for_the_whole_message_and_prepares_with_its_bytes() {
    let mut s = ready();
    let req = parts_req(&press(&mut s, 'r'));
    assert!(!s.reviewing());
    assert!(s.composing.is_some());
    let cmds = worker(&mut s, 0, whole(req));
    match one(&cmds) {
        ComposeCommand::Prepare {
            account: 0,
            kind: ComposeKind::Reply,
            original: Some(bytes),
            ..
        } => assert_eq!(bytes.as_slice(), ORIGINAL),
        other => panic!("{other:?}"),
    }
    let c = s.composing.as_ref().expect("writing");
    assert_eq!(c.source, Some(source(5)));
    assert_eq!(c.replaces, None);
}

#[test]
fn a_message_that_cannot_be_read_ends_the_answer_and_says_why() {
    let mut s = ready();
    let req = parts_req(&press(&mut s, 'R'));
    worker(
        &mut s,
        0,
        WorkerEvent::PartsFailed {
            req,
            error: Clean::line("the message is gone"),
        },
    );
    assert!(s.composing.is_none());
    assert!(notice(&s).contains("the message is gone") && notice_is_error(&s));
}

#[test]
fn compose_prepares_without_an_original() {
    let mut s = ready();
    let cmds = press(&mut s, 'C');
    assert!(
        matches!(
            one(&cmds),
            ComposeCommand::Prepare {
                account: 0,
                kind: ComposeKind::New,
                original: None,
                ..
            }
        ),
        "{cmds:?}"
    );
}

#[test]
fn the_editor_runs_when_ready_and_its_text_comes_to_the_review_with_warnings() {
    let mut s = ready();
    let id = prepared(&press(&mut s, 'C'), ComposeKind::New);
    let d = Box::new(draft("", ""));
    let cmds = event(
        &mut s,
        ComposeEvent::Ready {
            id,
            draft: d.clone(),
            file: file(),
            sizes: vec![],
        },
    );
    assert_eq!(
        one(&cmds),
        ComposeCommand::Edit {
            id,
            file: file(),
            draft: d,
            rewrite: false,
        }
    );
    assert!(!s.reviewing(), "not while the editor runs");
    let cmds = event(
        &mut s,
        ComposeEvent::Edited {
            id,
            result: Ok(Box::new(draft("", "The report is attached."))),
            note: None,
            sizes: vec![],
        },
    );
    assert!(cmds.is_empty());
    assert!(s.reviewing());
    let c = s.composing.as_ref().expect("writing");
    assert_eq!(c.file, Some(file()));
    assert!(
        c.warnings.iter().any(|w| w.contains("subject is empty")),
        "{:?}",
        c.warnings
    );
    assert!(
        c.warnings.iter().any(|w| w.contains("“attached”")),
        "{:?}",
        c.warnings
    );
    // Attaching a file takes the attachment warning away.
    event(
        &mut s,
        ComposeEvent::Attached {
            id,
            path: "/tmp/report.pdf".into(),
            name: "report.pdf".into(),
            mime: "application/pdf".into(),
            size: 2048,
        },
    );
    let c = s.composing.as_ref().expect("writing");
    assert!(!c.warnings.iter().any(|w| w.contains("attached")));
    assert_eq!(c.sizes, [Some(2048)]);
    assert_eq!(notice(&s), "attached report.pdf");
}

#[test]
fn nothing_written_in_a_new_message_ends_it_and_its_file_goes() {
    for error in [
        "Nothing was written: no recipient, no subject and no text.",
        "The file is empty: nothing was written.",
    ] {
        let mut s = ready();
        let id = prepared(&press(&mut s, 'C'), ComposeKind::New);
        event(
            &mut s,
            ComposeEvent::Ready {
                id,
                draft: Box::default(),
                file: file(),
                sizes: vec![],
            },
        );
        let cmds = event(
            &mut s,
            ComposeEvent::Edited {
                id,
                result: Err(error.into()),
                note: None,
                sizes: vec![],
            },
        );
        assert_eq!(
            one(&cmds),
            ComposeCommand::Discard { file: file() },
            "{error}"
        );
        assert!(s.composing.is_none() && !s.reviewing(), "{error}");
        assert!(notice(&s).contains("no message"), "{}", notice(&s));
    }
}

#[test]
fn a_file_that_does_not_parse_stays_for_the_editor_and_cannot_be_sent() {
    let mut s = ready();
    let req = parts_req(&press(&mut s, 'r'));
    let id = prepared(&worker(&mut s, 0, whole(req)), ComposeKind::Reply);
    event(
        &mut s,
        ComposeEvent::Ready {
            id,
            draft: Box::new(draft("Re: message 5", "")),
            file: file(),
            sizes: vec![],
        },
    );
    let cmds = event(
        &mut s,
        ComposeEvent::Edited {
            id,
            result: Err("Line 3: not a header".into()),
            note: None,
            sizes: vec![],
        },
    );
    assert!(cmds.is_empty(), "the file is kept: {cmds:?}");
    assert!(s.reviewing());
    assert_eq!(
        s.composing.as_ref().and_then(|c| c.note.clone()).as_deref(),
        Some("Line 3: not a header")
    );
    assert!(press(&mut s, 'y').is_empty());
    assert!(notice(&s).contains("e to fix it"), "{}", notice(&s));
    let cmds = press(&mut s, 'e');
    assert!(matches!(one(&cmds), ComposeCommand::Edit { .. }));
}

#[test]
fn a_reply_sent_flags_the_original_and_keeps_one_copy_in_sent() {
    let mut s = ready();
    let id = answering(
        &mut s,
        UiAction::Reply,
        ComposeKind::Reply,
        draft("Re: message 5", "Thanks"),
    );
    let cmds = press(&mut s, 'y');
    let ComposeCommand::Send {
        id: sent_id,
        account: 0,
        draft: d,
        file: f,
        after,
    } = one(&cmds)
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(
        (sent_id, d.subject.as_str(), f),
        (id, "Re: message 5", Some(file()))
    );
    let want = Followups {
        answered: Some(source(5)),
        forwarded: None,
        save_sent: Some("Sent".into()),
        replaces_draft: None,
        server_filed: false,
    };
    assert_eq!(after, want);
    // Busy until the outbox has it.
    assert!(press(&mut s, 'y').is_empty());
    assert!(notice(&s).contains("busy"));
    let cmds = event(
        &mut s,
        ComposeEvent::Queued {
            id,
            entry: "e1".into(),
        },
    );
    assert!(cmds.is_empty());
    assert!(s.composing.is_none() && !s.reviewing());
    assert!(notice(&s).contains("Re: message 5"));

    event(
        &mut s,
        ComposeEvent::Outbox(vec![row("e1", RowState::Queued)]),
    );
    let bytes = Arc::new(b"sent bytes".to_vec());
    let cmds = event(
        &mut s,
        ComposeEvent::Sent {
            entry: "e1".into(),
            account: 0,
            after: want,
            bytes: bytes.clone(),
            message_id: "new@example.com".into(),
            reply: "250 2.0.0 Ok".into(),
        },
    );
    let w = worker_cmds(&cmds);
    assert_eq!(w.len(), 2, "{cmds:?}");
    assert_eq!(
        w[0],
        WorkerCommand::SetFlag {
            folder: inbox(),
            uids: vec![5],
            flag: FlagKind::Answered,
            on: true
        }
    );
    let WorkerCommand::Append {
        folder,
        bytes: appended,
        flags,
        message_id,
        op,
    } = w[1].clone()
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(folder, "Sent");
    assert!(Arc::ptr_eq(&appended, &bytes), "the bytes sent, not a copy");
    assert_eq!(flags, [FlagKind::Seen]);
    assert_eq!(message_id.as_deref(), Some("new@example.com"));
    assert!(
        compose_cmds(&cmds).is_empty(),
        "not finished before the copy"
    );
    assert!(
        s.accounts[0]
            .list
            .envelope(5)
            .is_some_and(|e| e.flags.answered),
        "the row shows it at once"
    );
    assert_eq!(s.outbox[0].state, RowState::Accepted);
    assert!(notice(&s).contains("sent to Alice"), "{}", notice(&s));
    let cmds = worker(&mut s, 0, WorkerEvent::Done { op, note: None });
    assert_eq!(one(&cmds), ComposeCommand::Finished { entry: "e1".into() });
}

#[test]
fn a_sent_copy_that_fails_is_said_and_the_entry_still_finishes() {
    let mut s = ready();
    let after = Followups {
        save_sent: Some("Sent".into()),
        ..Followups::default()
    };
    let cmds = event(&mut s, sent("e1", after));
    let [WorkerCommand::Append { op, .. }] = worker_cmds(&cmds)[..] else {
        panic!("{cmds:?}")
    };
    let cmds = worker(
        &mut s,
        0,
        WorkerEvent::Failed {
            op,
            error: Clean::line("NO [OVERQUOTA] quota exceeded"),
        },
    );
    assert_eq!(
        one(&cmds),
        ComposeCommand::Finished { entry: "e1".into() },
        "never sent again for a failed copy"
    );
    assert!(notice(&s).contains("quota") && notice_is_error(&s));
}

#[test]
fn a_forward_sent_is_flagged_forwarded() {
    let mut s = ready();
    answering(
        &mut s,
        UiAction::Forward,
        ComposeKind::Forward {
            as_attachment: false,
        },
        draft("Fwd: message 5", "See below"),
    );
    let ComposeCommand::Send { after, .. } = one(&press(&mut s, 'y')) else {
        panic!()
    };
    assert_eq!(
        after,
        Followups {
            answered: None,
            forwarded: Some(source(5)),
            save_sent: Some("Sent".into()),
            replaces_draft: None,
            server_filed: false,
        }
    );
    let cmds = event(&mut s, sent("e1", after));
    assert!(matches!(
        &worker_cmds(&cmds)[..],
        [
            WorkerCommand::SetFlag {
                flag: FlagKind::Forwarded,
                on: true,
                ..
            },
            WorkerCommand::Append { .. }
        ]
    ));
}

#[test]
fn the_other_forward_key_forwards_the_other_way() {
    let mut s = ready();
    let req = parts_req(&key(&mut s, UiAction::ForwardOther));
    prepared(
        &worker(&mut s, 0, whole(req)),
        ComposeKind::Forward {
            as_attachment: true,
        },
    );
}

#[test]
fn where_the_server_files_sent_mail_no_copy_is_kept() {
    let mut s = ready_with(AccountInfo {
        appends_sent: false,
        ..info("work")
    });
    answering(
        &mut s,
        UiAction::Reply,
        ComposeKind::Reply,
        draft("Re: message 5", "Thanks"),
    );
    let ComposeCommand::Send { after, .. } = one(&press(&mut s, 'y')) else {
        panic!()
    };
    assert_eq!(after.save_sent, None);
    assert_eq!(after.answered, Some(source(5)));
    let cmds = event(&mut s, sent("e1", after));
    assert!(matches!(
        &worker_cmds(&cmds)[..],
        [WorkerCommand::SetFlag {
            flag: FlagKind::Answered,
            ..
        }]
    ));
    assert_eq!(
        compose_cmds(&cmds),
        [ComposeCommand::Finished { entry: "e1".into() }],
        "finished straight away"
    );
}

#[test]
fn without_a_sent_folder_the_review_says_so() {
    let mut s = ready();
    worker(
        &mut s,
        0,
        WorkerEvent::Folders(vec![folder("INBOX", FolderRole::Inbox)]),
    );
    writing_new(&mut s, draft("Hello", "Hi"));
    let c = s.composing.as_ref().expect("writing");
    assert!(
        c.warnings.iter().any(|w| w.contains("no Sent folder")),
        "{:?}",
        c.warnings
    );
}

#[test]
fn postpone_stores_the_message_in_drafts_and_then_drops_its_file() {
    let mut s = ready();
    let id = writing_new(&mut s, draft("Plans", "Later"));
    let cmds = press(&mut s, 'p');
    assert!(
        matches!(one(&cmds), ComposeCommand::BuildDraft { id: i, account: 0, draft } if i == id && draft.subject == "Plans")
    );
    let bytes = Arc::new(b"draft bytes".to_vec());
    let cmds = event(
        &mut s,
        ComposeEvent::Built {
            id,
            bytes: bytes.clone(),
            message_id: "d1@example.com".into(),
        },
    );
    let [
        WorkerCommand::Append {
            folder,
            bytes: b,
            flags,
            message_id,
            op,
        },
    ] = &worker_cmds(&cmds)[..]
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(folder, "Drafts");
    assert!(Arc::ptr_eq(b, &bytes));
    assert_eq!(flags, &[FlagKind::Seen, FlagKind::Draft]);
    assert_eq!(message_id.as_deref(), Some("d1@example.com"));
    assert!(s.composing.is_some(), "kept until Drafts has it");
    let cmds = worker(
        &mut s,
        0,
        WorkerEvent::Done {
            op: *op,
            note: None,
        },
    );
    assert_eq!(
        compose_cmds(&cmds),
        [ComposeCommand::Discard { file: file() }]
    );
    assert!(worker_cmds(&cmds).is_empty(), "no draft replaced");
    assert!(s.composing.is_none());
    assert!(notice(&s).contains("Drafts"));
}

#[test]
fn a_failed_postpone_goes_back_to_the_review_and_says_why() {
    let mut s = ready();
    let id = writing_new(&mut s, draft("Plans", "Later"));
    press(&mut s, 'p');
    let cmds = event(
        &mut s,
        ComposeEvent::Built {
            id,
            bytes: Arc::new(Vec::new()),
            message_id: "d1@example.com".into(),
        },
    );
    let [WorkerCommand::Append { op, .. }] = worker_cmds(&cmds)[..] else {
        panic!("{cmds:?}")
    };
    let cmds = worker(
        &mut s,
        0,
        WorkerEvent::Failed {
            op,
            error: Clean::line("Mailbox is read-only"),
        },
    );
    assert!(cmds.is_empty(), "the file is kept: {cmds:?}");
    assert!(s.reviewing());
    assert_eq!(
        s.composing.as_ref().map(|c| c.phase.clone()),
        Some(Phase::Review)
    );
    assert!(notice(&s).contains("not postponed: Mailbox is read-only") && notice_is_error(&s));
    // And the review works again.
    assert!(matches!(
        one(&press(&mut s, 'y')),
        ComposeCommand::Send { .. }
    ));
}

#[test]
fn a_failed_send_goes_back_to_the_review_and_says_why() {
    let mut s = ready();
    let id = writing_new(&mut s, draft("Plans", "Later"));
    press(&mut s, 'y');
    event(
        &mut s,
        ComposeEvent::Failed {
            id,
            error: "cannot write the outbox: disk full".into(),
        },
    );
    assert!(s.reviewing());
    assert!(notice(&s).contains("disk full") && notice_is_error(&s));
    assert!(matches!(
        one(&press(&mut s, 'y')),
        ComposeCommand::Send { .. }
    ));
}

/// "work" with its Drafts folder open, holding one draft (UID 8).
fn in_drafts() -> State {
    let mut s = ready();
    s.update(Action::Keys(vec![UiAction::Copy, UiAction::GoToFolder]));
    for c in "Drafts".chars() {
        s.update(Action::Prompt(PromptKey::Char(c)));
    }
    let cmds = s.update(Action::Prompt(PromptKey::Enter));
    let req = open_req(&cmds, "Drafts");
    worker(
        &mut s,
        0,
        WorkerEvent::Selected {
            req,
            path: "Drafts".into(),
            uid_validity: 7,
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
    s
}

fn old_draft() -> Source {
    Source {
        account: 0,
        folder: FolderRef {
            path: "Drafts".into(),
            uid_validity: 7,
        },
        uid: 8,
    }
}

#[test]
fn a_recalled_draft_postponed_again_replaces_the_old_one() {
    let mut s = in_drafts();
    let req = parts_req(&press(&mut s, 'e'));
    let id = prepared(&worker(&mut s, 0, whole(req)), ComposeKind::Recall);
    let c = s.composing.as_ref().expect("writing");
    assert_eq!(
        (c.source.clone(), c.replaces.clone()),
        (None, Some(old_draft()))
    );
    to_review(&mut s, id, draft("Plans", "Later, longer"));
    press(&mut s, 'p');
    let cmds = event(
        &mut s,
        ComposeEvent::Built {
            id,
            bytes: Arc::new(Vec::new()),
            message_id: "d2@example.com".into(),
        },
    );
    let [WorkerCommand::Append { op, .. }] = worker_cmds(&cmds)[..] else {
        panic!("{cmds:?}")
    };
    let cmds = worker(&mut s, 0, WorkerEvent::Done { op, note: None });
    assert_eq!(
        compose_cmds(&cmds),
        [ComposeCommand::Discard { file: file() }]
    );
    assert!(
        matches!(
            &worker_cmds(&cmds)[..],
            [WorkerCommand::Expunge { folder, uids, .. }] if *folder == old_draft().folder && uids == &[8]
        ),
        "{cmds:?}"
    );
    assert!(
        s.accounts[0].list.envelope(8).is_none(),
        "the old draft leaves the list"
    );
}

#[test]
fn a_recalled_draft_sent_removes_the_old_one_once_the_server_took_it() {
    let mut s = in_drafts();
    let req = parts_req(&press(&mut s, 'e'));
    let id = prepared(&worker(&mut s, 0, whole(req)), ComposeKind::Recall);
    to_review(&mut s, id, draft("Plans", "Done"));
    let ComposeCommand::Send { after, .. } = one(&press(&mut s, 'y')) else {
        panic!()
    };
    assert_eq!(after.replaces_draft, Some(old_draft()));
    assert_eq!(
        (after.answered.clone(), after.forwarded.clone()),
        (None, None)
    );
    let cmds = event(&mut s, sent("e1", after));
    assert!(
        matches!(
            &worker_cmds(&cmds)[..],
            [WorkerCommand::Expunge { uids, .. }, WorkerCommand::Append { .. }] if uids == &[8]
        ),
        "{cmds:?}"
    );
}

#[test]
fn edit_as_new_outside_drafts_keeps_the_original() {
    let mut s = ready();
    let req = parts_req(&press(&mut s, 'e'));
    prepared(&worker(&mut s, 0, whole(req)), ComposeKind::EditAsNew);
    let c = s.composing.as_ref().expect("writing");
    assert_eq!(
        (c.source.clone(), c.replaces.clone()),
        (Some(source(5)), None)
    );
}

#[test]
fn q_once_warns_and_keeps_the_message_twice_throws_it_away() {
    for esc in [false, true] {
        let mut s = ready();
        writing_new(&mut s, draft("Plans", "Later"));
        let quit = |s: &mut State| {
            if esc {
                key(s, UiAction::Back)
            } else {
                press(s, 'q')
            }
        };
        let once = quit(&mut s);
        assert!(once.is_empty(), "{once:?}");
        assert!(s.reviewing() && !s.quitting);
        assert!(notice(&s).contains("q again"), "{}", notice(&s));
        assert!(s.composing.as_ref().is_some_and(|c| c.confirm_discard));
        let twice = quit(&mut s);
        assert_eq!(
            compose_cmds(&twice),
            [ComposeCommand::Discard { file: file() }]
        );
        assert!(!twice.contains(&Command::Quit));
        assert!(s.composing.is_none() && !s.quitting);
    }
}

#[test]
fn another_key_between_the_two_q_keeps_the_message() {
    let mut s = ready();
    writing_new(&mut s, draft("Plans", "Later"));
    press(&mut s, 'q');
    key(&mut s, UiAction::Down);
    assert!(press(&mut s, 'q').is_empty());
    assert!(s.reviewing(), "asked again");
}

fn with_attachments(subject: &str) -> Draft {
    let att = |name: &str| DraftAttachment {
        name: name.into(),
        mime: "application/pdf".into(),
        source: AttachmentSource::File(PathBuf::from(format!("/tmp/{name}"))),
    };
    Draft {
        attachments: vec![att("a.pdf"), att("b.pdf")],
        ..draft(subject, "Both attached")
    }
}

#[test]
fn shared_keys_mean_the_review_while_it_is_up_and_their_usual_thing_otherwise() {
    // Outside the review: d deletes, p lists parts, v marks, y does nothing.
    let mut s = ready();
    let cmds = press(&mut s, 'v');
    assert!(cmds.iter().all(|c| !matches!(c, Command::Compose(_))));
    assert_eq!(s.accounts[0].list.marked.len(), 1, "v marked");
    key(&mut s, UiAction::Up);
    s.accounts[0].list.marked.clear();
    assert!(press(&mut s, 'y').is_empty());
    assert!(s.composing.is_none());
    assert!(press(&mut s, 'a').is_empty());
    assert_eq!(
        notice(&s),
        "connected already",
        "a is the connection's retry"
    );
    press(&mut s, 'd');
    assert!(
        s.accounts[0].list.envelope(5).is_none(),
        "d deleted the selected message"
    );

    // On the review: the same keys work on the message being written.
    let mut s = ready();
    let id = writing_new(&mut s, with_attachments("Both"));
    let rows = s.accounts[0].list.len();
    let cmds = press(&mut s, 'd');
    assert!(cmds.is_empty(), "{cmds:?}");
    let c = s.composing.as_ref().expect("writing");
    assert_eq!(c.draft.attachments.len(), 1, "d detached");
    assert_eq!(c.draft.attachments[0].name, "b.pdf");
    assert_eq!(notice(&s), "removed a.pdf");
    assert_eq!(s.accounts[0].list.len(), rows, "nothing deleted");
    press(&mut s, 'a');
    assert!(
        s.prompt
            .as_ref()
            .is_some_and(|p| matches!(p.kind, PromptKind::AttachPath)),
        "a asks for a file"
    );
    for c in "/tmp/c.txt".chars() {
        s.update(Action::Prompt(PromptKey::Char(c)));
    }
    let cmds = s.update(Action::Prompt(PromptKey::Enter));
    assert_eq!(
        one(&cmds),
        ComposeCommand::Attach {
            id,
            path: "/tmp/c.txt".into()
        }
    );
    let cmds = press(&mut s, 'v');
    assert!(matches!(one(&cmds), ComposeCommand::Preview { id: i, .. } if i == id));
    assert!(s.accounts[0].list.marked.is_empty(), "v marked nothing");
    let cmds = press(&mut s, 'p');
    assert!(matches!(one(&cmds), ComposeCommand::BuildDraft { .. }));
    assert!(s.menu.is_none(), "p opened no parts menu");
}

#[test]
fn y_sends_from_the_review_and_r_does_not_start_another_message() {
    let mut s = ready();
    writing_new(&mut s, draft("Plans", "Later"));
    for c in ['r', 'R', 'f', 'C'] {
        let cmds = press(&mut s, c);
        assert!(cmds.is_empty(), "{c}: {cmds:?}");
        assert!(
            notice(&s).contains("finish it first"),
            "{c}: {}",
            notice(&s)
        );
        assert!(s.reviewing());
    }
    assert!(matches!(
        one(&press(&mut s, 'y')),
        ComposeCommand::Send { .. }
    ));
}

#[test]
fn a_second_compose_while_writing_only_says_so() {
    let mut s = ready();
    let req = parts_req(&press(&mut s, 'r'));
    let id = prepared(&worker(&mut s, 0, whole(req)), ComposeKind::Reply);
    event(
        &mut s,
        ComposeEvent::Ready {
            id,
            draft: Box::new(draft("Re: message 5", "")),
            file: file(),
            sizes: vec![],
        },
    );
    let cmds = press(&mut s, 'C');
    assert!(cmds.is_empty(), "{cmds:?}");
    assert!(notice(&s).contains("finish it first"), "{}", notice(&s));
    // The first one carries on.
    let c = s.composing.as_ref().expect("writing");
    assert_eq!((c.id, c.kind), (id, ComposeKind::Reply));
}

/// Reading the original can wait long (offline, it waits for the
/// connection); nothing is written yet, so another key starts over.
#[test]
fn a_key_while_the_original_is_read_starts_over() {
    let mut s = ready();
    let req = parts_req(&press(&mut s, 'r'));
    let id = prepared(&press(&mut s, 'C'), ComposeKind::New);
    assert!(
        worker(&mut s, 0, whole(req)).is_empty(),
        "the old answer is dropped"
    );
    let c = s.composing.as_ref().expect("writing");
    assert_eq!((c.id, c.kind), (id, ComposeKind::New));
}

#[test]
fn preview_shows_and_v_or_esc_closes_it() {
    let mut s = ready();
    let id = writing_new(&mut s, draft("Plans", "Later"));
    press(&mut s, 'v');
    let view = crate::mail::message::parse(0, b"Subject: Plans\r\n\r\nLater\r\n");
    event(
        &mut s,
        ComposeEvent::Preview {
            id,
            view: Box::new(view),
        },
    );
    assert!(s.composing.as_ref().is_some_and(|c| c.preview.is_some()));
    assert!(press(&mut s, 'v').is_empty());
    assert!(s.composing.as_ref().is_some_and(|c| c.preview.is_none()));
    press(&mut s, 'v');
    event(
        &mut s,
        ComposeEvent::Preview {
            id,
            view: Box::new(crate::mail::message::parse(0, b"Subject: x\r\n\r\n")),
        },
    );
    key(&mut s, UiAction::Back);
    let c = s.composing.as_ref().expect("kept");
    assert!(
        c.preview.is_none() && !c.confirm_discard,
        "Esc only closed it"
    );
}

#[test]
fn answers_for_a_message_no_longer_written_are_dropped() {
    let mut s = ready();
    let id = writing_new(&mut s, draft("Plans", "Later"));
    press(&mut s, 'q');
    press(&mut s, 'q');
    let cmds = event(
        &mut s,
        ComposeEvent::Ready {
            id,
            draft: Box::default(),
            file: file(),
            sizes: vec![],
        },
    );
    assert!(cmds.is_empty());
    assert!(s.composing.is_none());
}

fn row(entry: &str, state: RowState) -> OutboxRow {
    OutboxRow {
        entry: entry.into(),
        account: 0,
        subject: format!("subject {entry}"),
        recipients: "Alice <alice@example.com>".into(),
        created: 1_700_000_000,
        state,
    }
}

fn sent(entry: &str, after: Followups) -> ComposeEvent {
    ComposeEvent::Sent {
        entry: entry.into(),
        account: 0,
        after,
        bytes: Arc::new(b"bytes".to_vec()),
        message_id: "x@example.com".into(),
        reply: "250 Ok".into(),
    }
}

/// The outbox open with a failed, an uncertain and a sending row.
fn outbox() -> State {
    let mut s = ready();
    event(
        &mut s,
        ComposeEvent::Outbox(vec![
            row(
                "failed",
                RowState::Failed("the server refused the login".into()),
            ),
            row("uncertain", RowState::Uncertain),
            row("sending", RowState::Sending("sending 1.2 MB".into())),
        ]),
    );
    assert!(press(&mut s, 'Q').is_empty());
    assert!(s.show_outbox);
    s
}

#[test]
fn the_outbox_retries_a_failed_message_at_once() {
    let mut s = outbox();
    let cmds = press(&mut s, 'a');
    assert_eq!(
        one(&cmds),
        ComposeCommand::Retry {
            entry: "failed".into()
        }
    );
    assert!(worker_cmds(&cmds).is_empty(), "not the connection retry");
}

#[test]
fn the_outbox_asks_before_sending_an_uncertain_message_again() {
    let mut s = outbox();
    press(&mut s, 'j');
    assert_eq!(s.outbox_cursor, 1);
    assert!(press(&mut s, 'a').is_empty());
    assert!(notice(&s).contains("may have this one"), "{}", notice(&s));
    assert_eq!(
        one(&press(&mut s, 'a')),
        ComposeCommand::Retry {
            entry: "uncertain".into()
        }
    );
    // The question is for one key only.
    assert!(press(&mut s, 'a').is_empty());
}

#[test]
fn one_confirmation_is_not_taken_for_the_other() {
    let mut s = outbox();
    press(&mut s, 'j');
    // a asked about sending again; d must still ask about deleting.
    press(&mut s, 'a');
    assert!(press(&mut s, 'd').is_empty(), "d asks first");
    assert!(notice(&s).contains("d again"), "{}", notice(&s));
    // And the other way round.
    let mut s = outbox();
    press(&mut s, 'j');
    press(&mut s, 'd');
    assert!(press(&mut s, 'a').is_empty(), "a asks first");
    assert!(notice(&s).contains("may have this one"), "{}", notice(&s));
}

#[test]
fn the_outbox_deletes_after_asking() {
    let mut s = outbox();
    assert!(press(&mut s, 'd').is_empty());
    assert!(notice(&s).contains("d again"));
    assert_eq!(
        one(&press(&mut s, 'd')),
        ComposeCommand::Remove {
            entry: "failed".into()
        }
    );
    assert_eq!(
        s.accounts[0].list.len(),
        5,
        "no message deleted from the list"
    );
}

#[test]
fn a_message_being_sent_is_neither_retried_nor_deleted() {
    let mut s = outbox();
    key(&mut s, UiAction::Down);
    key(&mut s, UiAction::Down);
    assert_eq!(s.outbox_cursor, 2);
    for k in ['a', 'a', 'd', 'd'] {
        assert!(press(&mut s, k).is_empty());
        assert!(notice(&s).contains("on its way"));
    }
}

#[test]
fn the_outbox_closes_with_its_key_or_esc() {
    let mut s = outbox();
    press(&mut s, 'Q');
    assert!(!s.show_outbox);
    press(&mut s, 'Q');
    key(&mut s, UiAction::Back);
    assert!(!s.show_outbox);
}

#[test]
fn unsent_counts_what_waits_and_what_is_on_its_way() {
    let mut s = ready();
    assert_eq!(s.unsent(), None);
    event(
        &mut s,
        ComposeEvent::Outbox(vec![row("a", RowState::Sending("connecting".into()))]),
    );
    assert_eq!(s.unsent().as_deref(), Some("sending 1 message"));
    event(
        &mut s,
        ComposeEvent::Outbox(vec![
            row("a", RowState::Failed("refused".into())),
            row("b", RowState::Uncertain),
            row("c", RowState::Sending("connecting".into())),
            row("d", RowState::Accepted),
        ]),
    );
    assert_eq!(s.unsent().as_deref(), Some("2 unsent"));
    event(
        &mut s,
        ComposeEvent::Outbox(vec![row("d", RowState::Accepted)]),
    );
    assert_eq!(s.unsent(), None, "accepted is not unsent");
}

#[test]
fn progress_and_failure_show_on_the_row() {
    let mut s = ready();
    event(
        &mut s,
        ComposeEvent::Outbox(vec![row("e1", RowState::Queued)]),
    );
    event(
        &mut s,
        ComposeEvent::Progress {
            entry: "e1".into(),
            step: "connecting".into(),
        },
    );
    assert_eq!(s.outbox[0].state, RowState::Sending("connecting".into()));
    assert_eq!(s.outbox[0].describe(), "connecting");
    let why = "the server refused the login: sign in again for sending";
    let cmds = event(
        &mut s,
        ComposeEvent::SendFailed {
            entry: "e1".into(),
            account: 0,
            sentence: why.into(),
            sign_in: false,
            approve: None,
        },
    );
    assert!(cmds.is_empty());
    assert_eq!(s.outbox[0].state, RowState::Failed(why.into()));
    assert_eq!(s.outbox[0].describe(), why);
    assert_eq!(notice(&s), format!("not sent: {why} (Q: outbox)"));
    assert!(notice_is_error(&s));
    assert_eq!(s.unsent().as_deref(), Some("1 unsent"));
}

#[test]
fn another_accounts_op_with_the_same_number_is_not_taken_for_a_postpone() {
    let mut s = ready();
    let id = writing_new(&mut s, draft("Plans", "Later"));
    press(&mut s, 'p');
    let cmds = event(
        &mut s,
        ComposeEvent::Built {
            id,
            bytes: Arc::new(Vec::new()),
            message_id: "d1@example.com".into(),
        },
    );
    let [WorkerCommand::Append { op, .. }] = worker_cmds(&cmds)[..] else {
        panic!("{cmds:?}")
    };
    // "home" finishes an op of its own that happens to have that number.
    let cmds = worker(&mut s, 1, WorkerEvent::Done { op, note: None });
    assert!(compose_cmds(&cmds).is_empty(), "{cmds:?}");
    assert!(s.composing.is_some(), "still waiting for Drafts");
    let cmds = worker(&mut s, 0, WorkerEvent::Done { op, note: None });
    assert_eq!(
        compose_cmds(&cmds),
        [ComposeCommand::Discard { file: file() }]
    );
}

#[test]
fn the_preview_scrolls_and_leaves_the_attachments_alone() {
    let mut s = ready();
    let id = writing_new(&mut s, with_attachments("Both"));
    key(&mut s, UiAction::Down);
    press(&mut s, 'v');
    let mut raw = String::from("Subject: Both\r\n\r\n");
    for i in 1..=60 {
        raw.push_str(&format!("line {i}\r\n"));
    }
    event(
        &mut s,
        ComposeEvent::Preview {
            id,
            view: Box::new(crate::mail::message::parse(0, raw.as_bytes())),
        },
    );
    let layout = s.preview_layout().expect("shown");
    // 80×24: the status bar and the borders take 3 rows.
    assert_eq!(layout.visible, 21);
    let max = layout.rows.len() - layout.visible;
    let scroll = |s: &State| s.composing.as_ref().map_or(0, |c| c.preview_scroll);
    press(&mut s, 'j');
    assert_eq!(scroll(&s), 1);
    s.update(Action::Keys(vec![UiAction::NextPage, UiAction::Mark]));
    assert_eq!(scroll(&s), 21, "space pages");
    assert!(s.accounts[0].list.marked.is_empty());
    press(&mut s, 'G');
    assert_eq!(scroll(&s), max);
    press(&mut s, 'j');
    assert_eq!(scroll(&s), max, "not past the end");
    press(&mut s, 'g');
    assert_eq!(scroll(&s), 0);
    press(&mut s, 'k');
    assert_eq!(scroll(&s), 0);
    assert_eq!(
        s.composing.as_ref().map(|c| c.cursor),
        Some(1),
        "the attachment cursor stayed"
    );
    // Back on the review the keys move among the attachments again.
    key(&mut s, UiAction::Back);
    press(&mut s, 'k');
    assert_eq!(s.composing.as_ref().map(|c| c.cursor), Some(0));
}

#[test]
fn the_attach_prompt_completes_paths_and_a_bad_file_keeps_the_review() {
    let mut s = ready();
    let id = writing_new(&mut s, draft("Plans", "Later"));
    press(&mut s, 'a');
    for c in "/tmp/re".chars() {
        s.update(Action::Prompt(PromptKey::Char(c)));
    }
    let cmds = s.update(Action::Prompt(PromptKey::Complete));
    assert_eq!(
        one(&cmds),
        ComposeCommand::Complete {
            id,
            text: "/tmp/re".into()
        }
    );
    event(
        &mut s,
        ComposeEvent::Completed {
            id,
            text: "/tmp/report".into(),
            choices: vec!["report.pdf".into(), "report.odt".into()],
        },
    );
    assert_eq!(
        s.prompt.as_ref().map(|p| p.text.as_str()),
        Some("/tmp/report")
    );
    assert!(
        notice(&s).contains("report.pdf  report.odt"),
        "{}",
        notice(&s)
    );
    s.update(Action::Prompt(PromptKey::Char('/')));
    let cmds = s.update(Action::Prompt(PromptKey::Enter));
    assert_eq!(
        one(&cmds),
        ComposeCommand::Attach {
            id,
            path: "/tmp/report/".into()
        }
    );
    event(
        &mut s,
        ComposeEvent::Failed {
            id,
            error: "/tmp/report/ is a directory, not a file".into(),
        },
    );
    assert!(s.reviewing(), "the message stays");
    assert!(notice(&s).contains("is a directory") && notice_is_error(&s));
    assert!(
        s.composing
            .as_ref()
            .is_some_and(|c| c.draft.attachments.is_empty())
    );
}

#[test]
fn a_reply_sent_while_another_folder_is_open_flags_it_on_the_server_only() {
    let mut s = in_drafts();
    let after = Followups {
        // UID 8 of INBOX; Drafts, open, has a UID 8 too.
        answered: Some(source(8)),
        ..Followups::default()
    };
    // Only flags here: this account's Sent copy is another test's.
    s.accounts[0].info.appends_sent = false;
    let cmds = event(&mut s, sent("e1", after));
    assert_eq!(
        worker_cmds(&cmds),
        [WorkerCommand::SetFlag {
            folder: inbox(),
            uids: vec![8],
            flag: FlagKind::Answered,
            on: true
        }]
    );
    assert!(
        s.accounts[0]
            .list
            .envelope(8)
            .is_some_and(|e| !e.flags.answered),
        "the draft with another folder's UID is left alone"
    );
    assert_eq!(
        compose_cmds(&cmds),
        [ComposeCommand::Finished { entry: "e1".into() }]
    );
}

/// A sign-in from before mailtui sent mail lacks SMTP.Send: the code
/// screen comes back once, with the reason, and the message goes again
/// once signed in.
#[test]
fn a_sign_in_without_the_right_to_send_asks_once_and_sends_after() {
    use crate::auth::service::{AuthCommand, TokenPhase, TokenStatus};
    let mut s = ready();
    let signed_in = |scopes: &[&str]| TokenStatus {
        phase: TokenPhase::SignedIn,
        scopes: scopes.iter().map(|x| x.to_string()).collect(),
        ..TokenStatus::new()
    };
    s.accounts[0].token = Some(signed_in(&[
        "https://outlook.office.com/IMAP.AccessAsUser.All",
        "offline_access",
    ]));
    let failed = |entry: &str| ComposeEvent::SendFailed {
        entry: entry.into(),
        account: 0,
        sentence: "The server turned down the sign-in for sending (5.7.3)".into(),
        sign_in: true,
        approve: None,
    };
    let cmds = event(&mut s, failed("e1"));
    assert_eq!(
        cmds,
        [Command::Auth {
            account: 0,
            command: AuthCommand::SignIn
        }]
    );
    assert_eq!(
        s.accounts[0].sign_in_reason.as_deref(),
        Some("approve sending mail")
    );
    // A second refusal meanwhile does not start another sign-in.
    assert!(event(&mut s, failed("e2")).is_empty());
    // The status published as the flow starts is not its end.
    let token = |s: &mut State, status: TokenStatus| {
        s.update(Action::Worker {
            account: 0,
            event: crate::worker::WorkerEvent::Token(Box::new(status)),
        })
    };
    let same = s.accounts[0].token.clone().unwrap();
    assert!(token(&mut s, same).is_empty());
    let waiting = TokenStatus {
        phase: TokenPhase::WaitingForCode(crate::auth::oauth::DeviceCode::new(
            "ABCD",
            "https://microsoft.com/devicelogin",
            2_000_000_000,
        )),
        ..TokenStatus::new()
    };
    assert!(token(&mut s, waiting).is_empty());
    // Signed in again (with the scope): the flow ended, the waiting
    // message goes.
    let status = TokenStatus {
        flows_ended: 1,
        ..signed_in(&[
            "https://outlook.office.com/IMAP.AccessAsUser.All",
            "https://outlook.office.com/SMTP.Send",
        ])
    };
    let cmds = s.update(Action::Worker {
        account: 0,
        event: crate::worker::WorkerEvent::Token(Box::new(status)),
    });
    assert!(
        cmds.contains(&Command::Compose(ComposeCommand::Retry {
            entry: "e1".into()
        })),
        "{cmds:?}"
    );
    assert_eq!(s.accounts[0].sign_in_reason, None);
    // With the scope, a refusal is only said.
    assert!(
        !event(&mut s, failed("e3"))
            .iter()
            .any(|c| matches!(c, Command::Auth { .. }))
    );
}

/// `e` in the outbox takes a message not sent back into the editor (an
/// earlier run's unfinished file, or an entry), never one on its way.
#[test]
fn e_in_the_outbox_takes_a_message_back_into_the_editor() {
    let mut s = ready();
    event(
        &mut s,
        ComposeEvent::Outbox(vec![
            row("e1", RowState::Failed("refused".into())),
            row("/data/compose/1-2-3.eml", RowState::Unfinished),
            row("e3", RowState::Sending("sending".into())),
        ]),
    );
    key(&mut s, UiAction::Outbox);
    let cmds = key(&mut s, UiAction::EditAsNew);
    let id = match one(&cmds) {
        ComposeCommand::Reedit { id, account, entry } => {
            assert_eq!((account, entry.as_str()), (0, "e1"));
            id
        }
        other => panic!("{other:?}"),
    };
    assert!(!s.show_outbox, "the editor comes next");
    assert!(s.composing.as_ref().is_some_and(|c| c.id == id));
    // Ready opens the editor as for any message.
    let cmds = event(
        &mut s,
        ComposeEvent::Ready {
            id,
            draft: Box::new(draft("subject e1", "text")),
            file: file(),
            sizes: Vec::new(),
        },
    );
    assert!(matches!(one(&cmds), ComposeCommand::Edit { .. }));
    // The unfinished file is continued by Reopen.
    let mut s = ready();
    event(
        &mut s,
        ComposeEvent::Outbox(vec![row("/data/compose/1-2-3.eml", RowState::Unfinished)]),
    );
    key(&mut s, UiAction::Outbox);
    let cmds = key(&mut s, UiAction::EditAsNew);
    assert!(
        matches!(one(&cmds), ComposeCommand::Reopen { ref file, .. } if file.ends_with("1-2-3.eml")),
        "{cmds:?}"
    );
    // One on its way stays.
    let mut s = ready();
    event(
        &mut s,
        ComposeEvent::Outbox(vec![row("e3", RowState::Sending("sending".into()))]),
    );
    key(&mut s, UiAction::Outbox);
    assert!(key(&mut s, UiAction::EditAsNew).is_empty());
    assert!(s.composing.is_none());
}

/// A message accepted before the account's folders were listed (sent at
/// once after start, or finished from the outbox at start) gets its Sent
/// copy once the folder list comes, not never.
#[test]
fn the_sent_copy_waits_for_the_folder_list() {
    let mut s = ready();
    let folders = std::mem::take(&mut s.accounts[0].folders);
    assert!(folders.iter().any(|f| f.role == FolderRole::Sent));
    let cmds = event(&mut s, sent("e1", Followups::default()));
    assert!(cmds.is_empty(), "{cmds:?}");
    let cmds = s.update(Action::Worker {
        account: 0,
        event: WorkerEvent::Folders(folders),
    });
    let appended = worker_cmds(&cmds).into_iter().any(|c| {
        matches!(c, WorkerCommand::Append { ref folder, ref message_id, .. }
            if folder == "Sent" && message_id.as_deref() == Some("x@example.com"))
    });
    assert!(appended, "{cmds:?}");
    assert!(s.sent_waiting.is_empty());
}

/// SMTP off for the tenant: sending through Graph asks for that one
/// permission, and the message goes once it is approved; a refused or
/// cancelled approval sends nothing and says why.
#[test]
fn graph_sending_asks_for_its_approval_once() {
    use crate::auth::service::{AuthCommand, TokenPhase, TokenStatus};
    let mut s = ready();
    let signed_in = || TokenStatus {
        phase: TokenPhase::SignedIn,
        scopes: vec!["https://outlook.office.com/IMAP.AccessAsUser.All".into()],
        ..TokenStatus::new()
    };
    s.accounts[0].token = Some(signed_in());
    let scopes = vec![
        "https://graph.microsoft.com/Mail.Send".to_string(),
        "offline_access".to_string(),
    ];
    let failed = |entry: &str| ComposeEvent::SendFailed {
        entry: entry.into(),
        account: 0,
        sentence: "needs approval".into(),
        sign_in: false,
        approve: Some(scopes.clone()),
    };
    let cmds = event(&mut s, failed("e1"));
    assert_eq!(
        cmds,
        [Command::Auth {
            account: 0,
            command: AuthCommand::SignInFor(scopes.clone())
        }]
    );
    assert!(
        s.accounts[0]
            .sign_in_reason
            .as_deref()
            .is_some_and(|r| r.contains("Microsoft Graph")),
        "{:?}",
        s.accounts[0].sign_in_reason
    );
    // Another message meanwhile waits for the same approval.
    assert!(event(&mut s, failed("e2")).is_empty());
    let token = |s: &mut State, status: TokenStatus| {
        s.update(Action::Worker {
            account: 0,
            event: crate::worker::WorkerEvent::Token(Box::new(status)),
        })
    };
    let retries = |cmds: &[Command]| {
        cmds.iter()
            .filter_map(|c| match c {
                Command::Compose(ComposeCommand::Retry { entry }) => Some(entry.clone()),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    assert!(retries(&token(&mut s, signed_in())).is_empty());
    let waiting = TokenStatus {
        phase: TokenPhase::WaitingForCode(crate::auth::oauth::DeviceCode::new(
            "ABCD",
            "https://microsoft.com/devicelogin",
            2_000_000_000,
        )),
        ..TokenStatus::new()
    };
    assert!(retries(&token(&mut s, waiting.clone())).is_empty());
    // The same entry failing again meanwhile is queued once.
    assert!(event(&mut s, failed("e2")).is_empty());
    let ended = |n: u64| TokenStatus {
        flows_ended: n,
        ..signed_in()
    };
    assert_eq!(retries(&token(&mut s, ended(1))), ["e1", "e2"]);
    assert_eq!(s.accounts[0].sign_in_reason, None);
    // Refused again after the approval: said, no second code.
    assert!(event(&mut s, failed("e1")).is_empty());
    assert!(
        notice(&s).contains("still refused after your approval"),
        "{}",
        notice(&s)
    );

    // Declined this time: nothing is sent, the reason is said.
    event(&mut s, failed("e3"));
    token(&mut s, waiting);
    let declined = TokenStatus {
        note: Some(crate::sanitize::Clean::line("The sign-in was declined.")),
        ..ended(2)
    };
    assert!(retries(&token(&mut s, declined)).is_empty());
    assert!(
        s.notice
            .as_ref()
            .is_some_and(|m| m.text.as_str().contains("declined")),
        "{:?}",
        s.notice
    );
    assert_eq!(s.accounts[0].sign_in_reason, None);
}

/// `i` on an invitation: a/t/d, an optional comment, then the message is
/// read whole and the answer prepared with the comment, straight to the
/// review (mailtui wrote it; `e` edits). What is no invitation is said.
#[test]
fn i_answers_an_invitation_after_a_choice_and_a_comment() {
    use crate::calendar::Answer;
    use crate::state::prompt::PromptKind;
    let mut s = ready();
    let show = |s: &mut State, raw: &[u8]| {
        s.accounts[0].reader.uid = Some(5);
        s.accounts[0].reader.content =
            crate::state::ReaderContent::Loaded(Box::new(crate::mail::message::parse(5, raw)));
    };
    show(&mut s, ORIGINAL);
    assert!(press(&mut s, 'i').is_empty());
    assert!(
        notice(&s).contains("no meeting invitation"),
        "{}",
        notice(&s)
    );
    assert!(s.prompt.is_none());

    let cancel = std::fs::read("tests/fixtures/calendar/outlook-cancel.ics").unwrap();
    let mut mail = b"From: Org <org@example.com>\r\nSubject: Cancelled\r\nContent-Type: text/calendar; method=CANCEL\r\n\r\n".to_vec();
    mail.extend(&cancel);
    show(&mut s, &mail);
    assert!(press(&mut s, 'i').is_empty());
    assert!(notice(&s).contains("cancellation"), "{}", notice(&s));

    let invitation = std::fs::read("tests/fixtures/calendar/outlook-request.eml").unwrap();
    show(&mut s, &invitation);
    assert!(press(&mut s, 'i').is_empty());
    assert_eq!(
        s.prompt.as_ref().map(|p| &p.kind),
        Some(&PromptKind::InvitationAnswer)
    );
    // Anything but a, t or d leaves it.
    s.update(Action::Prompt(PromptKey::Char('x')));
    assert!(s.prompt.is_none() && s.composing.is_none());
    press(&mut s, 'i');
    s.update(Action::Prompt(PromptKey::Char('t')));
    assert_eq!(
        s.prompt.as_ref().map(|p| &p.kind),
        Some(&PromptKind::InvitationComment {
            answer: Answer::Tentative
        })
    );
    for c in "I may be late".chars() {
        s.update(Action::Prompt(PromptKey::Char(c)));
    }
    let req = parts_req(&s.update(Action::Prompt(PromptKey::Enter)));
    let cmds = worker(&mut s, 0, whole(req));
    let id = match one(&cmds) {
        ComposeCommand::Prepare {
            id,
            kind: ComposeKind::Answer(Answer::Tentative),
            comment: Some(c),
            original: Some(_),
            ..
        } => {
            assert_eq!(c, "I may be late");
            id
        }
        other => panic!("{other:?}"),
    };
    let cmds = event(
        &mut s,
        ComposeEvent::Ready {
            id,
            draft: Box::new(draft("Tentative: Quarterly review", "x")),
            file: file(),
            sizes: Vec::new(),
        },
    );
    assert!(cmds.is_empty(), "no editor: {cmds:?}");
    assert!(s.reviewing());
    assert_eq!(
        s.composing.as_ref().and_then(|c| c.source.clone()),
        Some(source(5)),
        "\\Answered goes on the invitation once sent"
    );
}

/// A flow that ends before it ever shows a code (Esc at once, the
/// provider unreachable) ends the wait too: the next refusal asks again.
#[test]
fn an_approval_that_never_showed_a_code_does_not_block_the_next() {
    use crate::auth::service::{AuthCommand, TokenPhase, TokenStatus};
    let mut s = ready();
    let at = |n: u64| TokenStatus {
        phase: TokenPhase::SignedIn,
        flows_ended: n,
        ..TokenStatus::new()
    };
    s.accounts[0].token = Some(at(0));
    let scopes = vec!["https://graph.microsoft.com/Mail.Send".to_string()];
    let failed = |entry: &str| ComposeEvent::SendFailed {
        entry: entry.into(),
        account: 0,
        sentence: "needs approval".into(),
        sign_in: false,
        approve: Some(scopes.clone()),
    };
    assert_eq!(event(&mut s, failed("e1")).len(), 1);
    let unreachable = TokenStatus {
        note: Some(crate::sanitize::Clean::line(
            "Cannot reach the sign-in service",
        )),
        ..at(1)
    };
    s.update(Action::Worker {
        account: 0,
        event: crate::worker::WorkerEvent::Token(Box::new(unreachable)),
    });
    assert_eq!(s.accounts[0].sign_in_reason, None);
    assert!(notice(&s).contains("Cannot reach"), "{}", notice(&s));
    assert_eq!(
        event(&mut s, failed("e1")),
        [Command::Auth {
            account: 0,
            command: AuthCommand::SignInFor(scopes.clone())
        }]
    );
}

/// Graph filed the Sent copy: no APPEND, even with save_sent = true.
#[test]
fn a_copy_the_server_filed_is_not_appended_again() {
    let mut s = ready_with(AccountInfo {
        appends_sent: true,
        ..info("work")
    });
    let cmds = event(
        &mut s,
        ComposeEvent::Sent {
            entry: "e1".into(),
            account: 0,
            after: Followups {
                save_sent: Some("Sent".into()),
                server_filed: true,
                ..Followups::default()
            },
            bytes: Arc::new(b"Subject: x\r\n\r\nx\r\n".to_vec()),
            message_id: "m@x".into(),
            reply: crate::send::GRAPH_ACCEPTED.into(),
        },
    );
    assert!(
        !worker_cmds(&cmds)
            .iter()
            .any(|c| matches!(c, WorkerCommand::Append { .. })),
        "{cmds:?}"
    );
    assert!(
        compose_cmds(&cmds)
            .iter()
            .any(|c| matches!(c, ComposeCommand::Finished { .. })),
        "{cmds:?}"
    );
}
