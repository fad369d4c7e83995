use crate::action::{Action, Command, StoreCommand, UiAction};
use crate::mail::types::FlagKind;
use crate::state::test_kit::{env, loaded, state, worker};
use crate::state::{Pane, State};
use crate::store::everywhere::{Everywhere, FolderHits};
use crate::worker::{WorkerCommand, WorkerEvent};

fn key(s: &mut State, a: UiAction) -> Vec<Command> {
    s.update(Action::Ui(a))
}

/// The store questions among `cmds`: (account, paths, req).
fn asked(cmds: &[Command]) -> Vec<(usize, Vec<String>, u64)> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Store {
                account,
                command: StoreCommand::Everywhere { paths, req, .. },
            } => Some((*account, paths.clone(), *req)),
            _ => None,
        })
        .collect()
}

fn hits(path: &str, uids: &[u32]) -> FolderHits {
    FolderHits {
        path: path.into(),
        uid_validity: 1,
        // As `loaded` has them: even UIDs read.
        rows: uids.iter().rev().map(|u| env(*u, u % 2 == 0)).collect(),
    }
}

fn found(s: &mut State, account: usize, req: u64, folders: Vec<FolderHits>) -> Vec<Command> {
    let found = Everywhere {
        searched: folders.len(),
        validities: folders
            .iter()
            .map(|f| (f.path.clone(), f.uid_validity))
            .collect(),
        folders,
        ..Everywhere::default()
    };
    worker(
        s,
        account,
        WorkerEvent::FoundEverywhere {
            req,
            found: Box::new(found),
        },
    )
}

/// Two accounts with INBOX open; All inboxes opened from the folder pane
/// and answered: work has 1..=5, home 1..=3 (home's are newer by date).
fn all_inboxes() -> State {
    let mut s = state();
    loaded(&mut s, 0, 5);
    loaded(&mut s, 1, 3);
    s.focus = Pane::Folders;
    key(&mut s, UiAction::Up);
    assert_eq!(s.on_virtual, Some(0), "All inboxes sits above the folders");
    let cmds = key(&mut s, UiAction::Open);
    let q = asked(&cmds);
    assert_eq!(q.len(), 2, "{cmds:?}");
    assert!(
        q.iter()
            .all(|(_, paths, _)| paths == &["INBOX".to_string()])
    );
    let mut home = hits("INBOX", &[1, 2, 3]);
    for e in &mut home.rows {
        e.date = e.date.map(|d| d + 100);
    }
    found(&mut s, 0, q[0].2, vec![hits("INBOX", &[1, 2, 3, 4, 5])]);
    found(&mut s, 1, q[1].2, vec![home]);
    assert!(s.results_shown());
    assert_eq!(s.focus, Pane::Messages);
    s
}

fn shown(s: &State) -> Vec<(usize, u32)> {
    s.results
        .as_ref()
        .map(|r| r.rows.iter().map(|x| (x.account, x.env.uid)).collect())
        .unwrap_or_default()
}

#[test]
fn all_inboxes_lists_every_accounts_inbox_newest_first() {
    let s = all_inboxes();
    assert_eq!(
        shown(&s),
        [
            (1, 3),
            (1, 2),
            (1, 1),
            (0, 5),
            (0, 4),
            (0, 3),
            (0, 2),
            (0, 1)
        ]
    );
    // With one account there is nothing to gather.
    let mut one = crate::state::test_kit::StateBuilder::default()
        .account(crate::state::test_kit::info("solo"))
        .build();
    one.all_inboxes = true;
    assert!(one.virtual_folders().is_empty());
}

#[test]
fn a_flag_goes_to_each_rows_own_account_and_folder_and_undo_takes_it_back() {
    let mut s = all_inboxes();
    // Mark one row of home and one of work.
    key(&mut s, UiAction::Mark);
    key(&mut s, UiAction::Down);
    key(&mut s, UiAction::Down);
    key(&mut s, UiAction::Mark);
    let cmds = key(&mut s, UiAction::ToggleFlag);
    let sets: Vec<(usize, String, Vec<u32>, bool)> = cmds
        .iter()
        .filter_map(|c| match c {
            Command::Worker {
                account,
                command:
                    WorkerCommand::SetFlag {
                        folder,
                        uids,
                        flag: FlagKind::Flagged,
                        on,
                    },
            } => Some((*account, folder.path.clone(), uids.clone(), *on)),
            _ => None,
        })
        .collect();
    assert_eq!(
        sets,
        [
            (0, "INBOX".to_string(), vec![5], true),
            (1, "INBOX".to_string(), vec![3], true)
        ]
    );
    // The accounts' own lists show it too.
    assert!(
        s.accounts[0]
            .list
            .envelope(5)
            .is_some_and(|e| e.flags.flagged)
    );
    assert!(
        s.accounts[1]
            .list
            .envelope(3)
            .is_some_and(|e| e.flags.flagged)
    );
    // One u takes the action back in both accounts.
    let cmds = key(&mut s, UiAction::Undo);
    assert!(cmds.iter().any(|c| matches!(c,
        Command::Worker { account: 0, command: WorkerCommand::SetFlag { uids, on: false, .. } } if uids == &vec![5])));
    assert!(cmds.iter().any(|c| matches!(c,
        Command::Worker { account: 1, command: WorkerCommand::SetFlag { uids, on: false, .. } } if uids == &vec![3])));
    assert!(
        key(&mut s, UiAction::Undo).is_empty(),
        "nothing more made here"
    );
}

#[test]
fn delete_moves_rows_to_each_accounts_trash_and_a_refusal_puts_them_back() {
    let mut s = all_inboxes();
    // An earlier step of home's own, made in its folder.
    s.switch_account(1);
    key(&mut s, UiAction::ToggleRead);
    s.switch_account(0);
    key(&mut s, UiAction::Mark);
    key(&mut s, UiAction::Down);
    key(&mut s, UiAction::Down);
    key(&mut s, UiAction::Mark);
    let cmds = key(&mut s, UiAction::Delete);
    let moves: Vec<(usize, u64, Vec<u32>, String)> = cmds
        .iter()
        .filter_map(|c| match c {
            Command::Worker {
                account,
                command: WorkerCommand::Move { uids, to, op, .. },
            } => Some((*account, *op, uids.clone(), to.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(moves.len(), 2, "{cmds:?}");
    assert_eq!(moves[0].2, [5]);
    assert_eq!(moves[1].2, [3]);
    assert!(moves.iter().all(|m| m.3 == "Deleted Items"));
    assert_eq!(shown(&s).len(), 6);
    assert!(
        s.accounts[0].list.envelope(5).is_none(),
        "gone from INBOX too"
    );
    // Home's server refuses: its row comes back, here and in its INBOX.
    let again = worker(
        &mut s,
        1,
        WorkerEvent::Failed {
            op: moves[1].1,
            error: crate::sanitize::Clean::line("no"),
        },
    );
    assert!(shown(&s).contains(&(1, 3)));
    assert!(s.accounts[1].list.envelope(3).is_some());
    assert_eq!(asked(&again).len(), 1, "home's store is asked again");
    // Work's lands; undo sends it back from Trash.
    worker(
        &mut s,
        0,
        WorkerEvent::Moved {
            op: moves[0].1,
            target: Some(crate::worker::FolderRef {
                path: "Deleted Items".into(),
                uid_validity: 9,
            }),
            target_uids: vec![70],
            source_uids: vec![5],
            message_ids: vec![],
            removed: true,
        },
    );
    // Undo: work's goes back from Trash; home's failed, so home's own
    // last step (a flag from its folder) is not touched.
    let cmds = key(&mut s, UiAction::Undo);
    assert!(
        cmds.iter().any(|c| matches!(c,
        Command::Worker { account: 0, command: WorkerCommand::Move { uids, to, .. } }
            if uids == &vec![70] && to == "INBOX")),
        "{cmds:?}"
    );
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Command::Worker { account: 1, .. })),
        "{cmds:?}"
    );
}

#[test]
fn enter_opens_the_row_in_its_folder_and_esc_comes_back() {
    let mut s = all_inboxes();
    // Home's UID 3, in the account that is not the current one.
    let cmds = key(&mut s, UiAction::Open);
    assert_eq!(s.current, 1);
    assert_eq!(s.focus, Pane::Reader);
    assert!(s.reader_full);
    // Shown (it was in home's reader already) and marked read.
    assert_eq!(s.accounts[1].reader.uid, Some(3));
    assert_eq!(crate::state::test_kit::marks_read(&cmds), [3]);
    // J: on through the results, into the other account.
    let mut seen = Vec::new();
    for _ in 0..3 {
        key(&mut s, UiAction::NextMessage);
        seen.push((s.current, s.account().and_then(|a| a.reader.uid)));
    }
    assert_eq!(seen, [(1, Some(2)), (1, Some(1)), (0, Some(5))]);
    let cmds = key(&mut s, UiAction::Back);
    assert!(s.results_shown());
    assert_eq!(s.focus, Pane::Messages);
    assert!(!s.reader_full);
    assert_eq!(s.results.as_ref().map(|r| r.selected), Some(3));
    // What was read on the way shows read here, and the stores are asked
    // again for what changed meanwhile.
    let read: Vec<bool> = s
        .results
        .as_ref()
        .map(|r| r.rows.iter().take(4).map(|x| x.env.flags.seen).collect())
        .unwrap_or_default();
    assert_eq!(read, [true, true, true, true]);
    assert_eq!(asked(&cmds).len(), 2);
    // Esc in the results: the folder again.
    key(&mut s, UiAction::Back);
    assert!(s.results.is_none());
}

#[test]
fn a_row_in_a_folder_not_open_opens_that_folder_then_shows_it() {
    let mut s = state();
    loaded(&mut s, 0, 5);
    loaded(&mut s, 1, 3);
    key(&mut s, UiAction::SearchEverywhere);
    for c in "apollo".chars() {
        s.update(Action::Prompt(crate::action::PromptKey::Char(c)));
    }
    let cmds = s.update(Action::Prompt(crate::action::PromptKey::Enter));
    let q = asked(&cmds);
    assert_eq!(q.len(), 2, "every folder of both: {cmds:?}");
    assert_eq!(q[0].1.len(), 4);
    found(&mut s, 0, q[0].2, vec![hits("Projects/Apollo", &[12])]);
    found(&mut s, 1, q[1].2, vec![]);
    let cmds = key(&mut s, UiAction::Open);
    let req = crate::state::test_kit::open_req(&cmds, "Projects/Apollo");
    assert_eq!(crate::state::test_kit::loads(&cmds), None, "not there yet");
    let cmds = worker(
        &mut s,
        0,
        WorkerEvent::Stored {
            req,
            uid_validity: 1,
            envelopes: vec![env(12, false), env(11, true)],
            done: true,
            synced_at: None,
        },
    );
    assert_eq!(crate::state::test_kit::loads(&cmds), Some(12));
    assert_eq!(crate::state::test_kit::marks_read(&cmds), [12]);
}

#[test]
fn the_view_stays_live_with_one_question_on_its_way_per_account() {
    let mut s = all_inboxes();
    let req = s.accounts[0].list.req;
    let ins = |n: u32| WorkerEvent::Inserted {
        req,
        envelopes: vec![env(n, false)],
        remaining: 0,
    };
    let first = asked(&worker(&mut s, 0, ins(6)));
    assert_eq!(first.len(), 1);
    // More changes while it is on its way: no more questions now...
    for n in 7..50 {
        assert!(asked(&worker(&mut s, 0, ins(n))).is_empty());
    }
    // ...one more after its answer, and none after that one's.
    let cmds = found(
        &mut s,
        0,
        first[0].2,
        vec![hits("INBOX", &[1, 2, 3, 4, 5, 6])],
    );
    let second = asked(&cmds);
    assert_eq!(second.len(), 1);
    assert!(shown(&s).contains(&(0, 6)));
    let cmds = found(&mut s, 0, second[0].2, vec![hits("INBOX", &[6, 7])]);
    assert!(asked(&cmds).is_empty());
    assert!(
        !shown(&s).contains(&(0, 5)),
        "rows the store no longer has go"
    );
    // A stale answer (an older question) changes nothing.
    found(&mut s, 0, first[0].2, vec![hits("INBOX", &[1])]);
    assert!(shown(&s).contains(&(0, 7)));
}

#[test]
fn a_query_that_rules_out_every_account_asks_nothing() {
    let mut s = state();
    loaded(&mut s, 0, 5);
    loaded(&mut s, 1, 3);
    let cmds = s.open_results(
        "x".into(),
        crate::query::parse("account:nobody").expect("q"),
    );
    assert!(asked(&cmds).is_empty());
    assert!(s.results.is_none());
    let cmds = s.open_results("x".into(), crate::query::parse("account:home").expect("q"));
    assert_eq!(asked(&cmds).iter().map(|q| q.0).collect::<Vec<_>>(), [1]);
}

#[test]
fn move_asks_for_one_account_at_a_time() {
    let mut s = all_inboxes();
    key(&mut s, UiAction::Mark);
    key(&mut s, UiAction::Down);
    key(&mut s, UiAction::Down);
    key(&mut s, UiAction::Mark);
    key(&mut s, UiAction::Move);
    assert!(s.prompt.is_none());
    assert!(s.notice.as_ref().is_some_and(|n| n.error));
    key(&mut s, UiAction::UnmarkAll);
    key(&mut s, UiAction::Move);
    assert!(s.prompt.is_some(), "one row: the picker of its account");
    for c in "arch".chars() {
        s.update(Action::Prompt(crate::action::PromptKey::Char(c)));
    }
    let cmds = s.update(Action::Prompt(crate::action::PromptKey::Enter));
    assert!(
        cmds.iter().any(|c| matches!(c,
        Command::Worker { account: 0, command: WorkerCommand::Move { uids, to, .. } }
            if uids == &vec![4] && to == "Archive")),
        "{cmds:?}"
    );
}

#[test]
fn keys_on_messages_act_on_the_results_whatever_the_focus() {
    let mut s = all_inboxes();
    // Reply and friends need an open message: nothing is written.
    let cmds = key(&mut s, UiAction::Reply);
    assert!(cmds.is_empty() && s.composing.is_none());
    assert!(
        s.notice
            .as_ref()
            .is_some_and(|n| n.text.as_str().contains("Enter"))
    );
    // From the folder pane, d deletes the results' row, not the hidden
    // list's selection.
    s.focus = Pane::Folders;
    let cmds = key(&mut s, UiAction::Delete);
    assert!(cmds.iter().any(|c| matches!(c,
        Command::Worker { account: 1, command: WorkerCommand::Move { uids, .. } } if uids == &vec![3])), "{cmds:?}");
    // Tab skips the reader, which the results hide.
    s.focus = Pane::Messages;
    key(&mut s, UiAction::NextPane);
    assert_ne!(s.focus, Pane::Reader);
    // `:move` moves the results' targets; `:go_to_folder` leaves them.
    s.focus = Pane::Messages;
    let cmds = s.run_line("move Archive");
    assert!(
        cmds.iter().any(|c| matches!(c,
        Command::Worker { account: 1, command: WorkerCommand::Move { uids, to, .. } }
            if uids == &vec![2] && to == "Archive")),
        "{cmds:?}"
    );
    s.run_line("go_to_folder INBOX");
    assert!(s.results.is_none());
}

#[test]
fn the_move_picker_moves_what_was_targeted_when_it_opened() {
    let mut s = all_inboxes();
    // Home's newest is selected; the picker opens for it.
    key(&mut s, UiAction::Move);
    assert_eq!(s.current, 1);
    // Meanwhile new mail at work, newer than all: with the cursor never
    // moved, it would be the selected row now.
    let open0 = s.accounts[0].list.req;
    let req = asked(&worker(
        &mut s,
        0,
        WorkerEvent::Inserted {
            req: open0,
            envelopes: vec![env(9, false)],
            remaining: 0,
        },
    ));
    let mut newer = hits("INBOX", &[1, 2, 3, 4, 5, 9]);
    newer.rows[0].date = Some(1_800_000_000);
    found(&mut s, 0, req[0].2, vec![newer]);
    assert_eq!(shown(&s)[0], (0, 9));
    for c in "arch".chars() {
        s.update(Action::Prompt(crate::action::PromptKey::Char(c)));
    }
    let cmds = s.update(Action::Prompt(crate::action::PromptKey::Enter));
    let moves: Vec<(usize, Vec<u32>)> = cmds
        .iter()
        .filter_map(|c| match c {
            Command::Worker {
                account,
                command: WorkerCommand::Move { uids, .. },
            } => Some((*account, uids.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(moves, [(1, vec![3])]);
}

#[test]
fn a_click_holds_the_cursor_on_its_row_as_answers_come() {
    let mut s = all_inboxes();
    let rows = s.list_rows();
    if let Some(r) = s.results.as_mut() {
        r.select(4, rows);
    }
    let open1 = s.accounts[1].list.req;
    let req = asked(&worker(
        &mut s,
        1,
        WorkerEvent::Synced { req: open1, at: 1 },
    ));
    let mut home = hits("INBOX", &[1, 2, 3, 4]);
    for e in &mut home.rows {
        e.date = e.date.map(|d| d + 100);
    }
    found(&mut s, 1, req[0].2, vec![home]);
    let r = s.results.as_ref().expect("results");
    assert_eq!(
        r.selected_row().map(|x| (x.account, x.env.uid)),
        Some((0, 4))
    );
}

#[test]
fn undo_waits_for_a_move_in_flight_and_offline_takes_it_back_before_it_is_sent() {
    let mut s = all_inboxes();
    key(&mut s, UiAction::Delete);
    // Online, the server has not answered: the step stays for later.
    assert!(key(&mut s, UiAction::Undo).is_empty());
    assert!(
        s.notice
            .as_ref()
            .is_some_and(|n| n.text.as_str().contains("still being done"))
    );
    assert_eq!(s.results.as_ref().map(|r| r.undo.len()), Some(1));
    // Offline: taken back here, and the worker drops it.
    worker(
        &mut s,
        1,
        WorkerEvent::Conn(crate::worker::ConnState::Retrying {
            attempt: 1,
            error: crate::sanitize::Clean::line("down"),
            retry_in_secs: 30,
        }),
    );
    let cmds = key(&mut s, UiAction::Undo);
    assert!(
        cmds.iter().any(|c| matches!(
            c,
            Command::Worker {
                account: 1,
                command: WorkerCommand::Cancel { .. }
            }
        )),
        "{cmds:?}"
    );
    assert_eq!(shown(&s)[0], (1, 3), "the row is back at once");
    assert!(s.results.as_ref().is_some_and(|r| r.moving.is_empty()));
}

#[test]
fn a_flag_undone_shows_as_it_was_and_the_stores_word_counts_once_stored() {
    let mut s = all_inboxes();
    key(&mut s, UiAction::ToggleFlag);
    let flagged = |s: &State| {
        s.results
            .as_ref()
            .is_some_and(|r| r.rows[0].env.flags.flagged)
    };
    assert!(flagged(&s));
    key(&mut s, UiAction::Undo);
    assert!(!flagged(&s), "shown unflagged at once");
    // The worker stored the changes: nothing is held, and the store is
    // asked (after the question the undo sent is answered).
    worker(
        &mut s,
        1,
        WorkerEvent::FlagsStored {
            path: "INBOX".into(),
        },
    );
    let r = s.results.as_ref().expect("results");
    assert!(r.flags.is_empty());
    assert!(r.parts[&1].asking.is_some() && r.parts[&1].stale);
}

#[test]
fn an_account_whose_folders_come_later_joins_the_results() {
    let mut s = state();
    loaded(&mut s, 0, 5);
    let cmds = s.open_results(
        "All inboxes".into(),
        crate::query::parse("folder:INBOX").expect("q"),
    );
    assert_eq!(asked(&cmds).len(), 1, "home has no folders yet");
    let cmds = worker(
        &mut s,
        1,
        WorkerEvent::Folders(vec![crate::state::test_kit::folder(
            "INBOX",
            crate::mail::types::FolderRole::Inbox,
        )]),
    );
    assert!(asked(&cmds).iter().any(|q| q.0 == 1), "{cmds:?}");
    assert!(s.results.as_ref().is_some_and(|r| r.accounts.contains(&1)));
}

#[test]
fn moved_rows_stay_out_until_an_answer_asked_after_the_move_landed() {
    let mut s = all_inboxes();
    let cmds = key(&mut s, UiAction::Delete);
    let op = cmds
        .iter()
        .find_map(|c| match c {
            Command::Worker {
                command: WorkerCommand::Move { op, .. },
                ..
            } => Some(*op),
            _ => None,
        })
        .expect("a move");
    // A question on its way from before the move landed...
    let open1 = s.accounts[1].list.req;
    let before = asked(&worker(
        &mut s,
        1,
        WorkerEvent::Synced { req: open1, at: 1 },
    ));
    worker(&mut s, 1, WorkerEvent::Done { op, note: None });
    // ...answers with the row still there: it stays out.
    let cmds = found(&mut s, 1, before[0].2, vec![hits("INBOX", &[1, 2, 3])]);
    assert!(!shown(&s).contains(&(1, 3)));
    // The answer asked after it has the store's word.
    let after = asked(&cmds);
    found(&mut s, 1, after[0].2, vec![hits("INBOX", &[1, 2])]);
    assert!(s.results.as_ref().is_some_and(|r| r.moving.is_empty()));
}

#[test]
fn a_folder_in_view_that_is_not_open_has_its_new_mail_fetched() {
    let mut s = state();
    loaded(&mut s, 0, 5);
    loaded(&mut s, 1, 3);
    // Work opens Projects: its INBOX is no longer kept current.
    s.current = 0;
    let cmds = s.run_line("go_to_folder Projects/Apollo");
    assert!(!cmds.is_empty());
    let cmds = s.run_line("saved All inboxes");
    let q = asked(&cmds);
    let fetches = |cmds: &[Command]| -> Vec<(usize, String, u32)> {
        cmds.iter()
            .filter_map(|c| match c {
                Command::Worker {
                    account,
                    command: WorkerCommand::FetchNew { folder, .. },
                } => Some((*account, folder.path.clone(), folder.uid_validity)),
                _ => None,
            })
            .collect()
    };
    let cmds = found(&mut s, 0, q[0].2, vec![hits("INBOX", &[1, 2])]);
    assert_eq!(fetches(&cmds), [(0, "INBOX".to_string(), 1)]);
    // Home has INBOX open: live already, nothing fetched.
    let cmds = found(&mut s, 1, q[1].2, vec![hits("INBOX", &[1])]);
    assert!(fetches(&cmds).is_empty());
    // Counts later: work's INBOX grew, so it is fetched again; a folder
    // the store does not hold is left to its opening.
    worker(
        &mut s,
        0,
        WorkerEvent::FolderCounts(vec![crate::mail::backend::FolderCount {
            path: "INBOX".into(),
            total: 5,
            unseen: 3,
        }]),
    );
    let cmds = worker(
        &mut s,
        0,
        WorkerEvent::FolderCounts(vec![
            crate::mail::backend::FolderCount {
                path: "INBOX".into(),
                total: 6,
                unseen: 4,
            },
            crate::mail::backend::FolderCount {
                path: "Archive".into(),
                total: 9,
                unseen: 0,
            },
        ]),
    );
    assert_eq!(fetches(&cmds), [(0, "INBOX".to_string(), 1)]);
    // Unchanged: nothing.
    let cmds = worker(
        &mut s,
        0,
        WorkerEvent::FolderCounts(vec![crate::mail::backend::FolderCount {
            path: "INBOX".into(),
            total: 6,
            unseen: 4,
        }]),
    );
    assert!(fetches(&cmds).is_empty());
}
