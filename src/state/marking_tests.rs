use crate::action::{Action, Command, PromptKey, StoreCommand, UiAction};
use crate::state::test_kit::*;
use crate::state::{Pane, State};
use crate::worker::{WorkerCommand, WorkerEvent};

fn key(s: &mut State, a: UiAction) -> Vec<Command> {
    s.update(Action::Ui(a))
}

fn mark_by(s: &mut State, query: &str) -> Vec<Command> {
    key(s, UiAction::MarkMatching);
    for c in query.chars() {
        s.update(Action::Prompt(PromptKey::Char(c)));
    }
    s.update(Action::Prompt(PromptKey::Enter))
}

fn marked(s: &State) -> Vec<u32> {
    let mut m: Vec<u32> = s.accounts[0].list.marked.iter().copied().collect();
    m.sort_unstable();
    m
}

fn said(s: &State) -> String {
    s.notice
        .as_ref()
        .map(|n| n.text.as_str().to_string())
        .unwrap_or_default()
}

fn search_req(cmds: &[Command]) -> Option<u64> {
    cmds.iter().find_map(|c| match c {
        Command::Worker {
            command: WorkerCommand::Search { req, .. },
            ..
        } => Some(*req),
        _ => None,
    })
}

fn threads_req(cmds: &[Command]) -> Option<u64> {
    cmds.iter().find_map(|c| match c {
        Command::Store {
            command: StoreCommand::Threads { req, .. },
            ..
        } => Some(*req),
        _ => None,
    })
}

/// Ten rows from Alice, "message 1" … "message 10"; even UIDs are read.
fn ready() -> State {
    let mut s = state();
    loaded(&mut s, 0, 10);
    s.focus = Pane::Messages;
    s
}

#[test]
fn unmark_all_takes_every_mark_off_and_says_how_many() {
    let mut s = ready();
    key(&mut s, UiAction::Mark);
    key(&mut s, UiAction::Mark);
    key(&mut s, UiAction::Mark);
    assert_eq!(marked(&s).len(), 3);
    key(&mut s, UiAction::UnmarkAll);
    assert!(marked(&s).is_empty());
    assert_eq!(said(&s), "3 messages unmarked");
    key(&mut s, UiAction::UnmarkAll);
    assert_eq!(said(&s), "nothing was marked");
}

#[test]
fn a_query_the_list_decides_marks_its_rows_without_the_server() {
    let mut s = ready();
    let cmds = mark_by(&mut s, "is:unread");
    assert_eq!(search_req(&cmds), None, "every row was decided");
    assert_eq!(marked(&s), vec![1, 3, 5, 7, 9]);
    assert_eq!(said(&s), "5 messages marked");
    // Marks add up, as NeoMutt's tag-pattern does.
    mark_by(&mut s, "subject:\"message 10\"");
    assert_eq!(marked(&s), vec![1, 3, 5, 7, 9, 10]);
    assert_eq!(said(&s), "1 more marked, 6 in all");
}

#[test]
fn rows_only_the_server_can_decide_are_marked_when_it_finds_them() {
    let mut s = ready();
    // A word may be in the text: the list cannot rule a row out.
    let cmds = mark_by(&mut s, "is:unread body:invoice");
    let req = search_req(&cmds).expect("the server is asked");
    assert!(marked(&s).is_empty());
    assert!(said(&s).contains("asking the server"), "{}", said(&s));
    // The server finds 2 (read: the list rules it out), 3, 5 and 99 (gone).
    worker(
        &mut s,
        0,
        WorkerEvent::Found {
            req,
            uids: vec![2, 3, 5, 99],
            offline: None,
        },
    );
    assert_eq!(marked(&s), vec![3, 5]);
    assert_eq!(said(&s), "2 more marked by the text search, 2 in all");
}

#[test]
fn under_a_limit_only_the_shown_rows_are_marked() {
    let mut s = ready();
    key(&mut s, UiAction::Limit);
    for c in "subject:\"message 1\"".chars() {
        s.update(Action::Prompt(PromptKey::Char(c)));
    }
    s.update(Action::Prompt(PromptKey::Enter));
    // "message 1" and "message 10" are shown.
    mark_by(&mut s, "from:alice");
    assert_eq!(marked(&s), vec![1, 10]);
}

#[test]
fn a_query_that_does_not_read_keeps_the_prompt_with_why() {
    let mut s = ready();
    mark_by(&mut s, "(is:unread");
    let p = s.prompt.as_ref().expect("the prompt stays");
    assert!(p.error.is_some());
    assert!(marked(&s).is_empty());
}

#[test]
fn an_answer_for_a_folder_left_since_marks_nothing() {
    let mut s = ready();
    let cmds = mark_by(&mut s, "body:invoice");
    let req = search_req(&cmds).expect("the server is asked");
    s.accounts[0].list.path = Some("Archive".into());
    worker(
        &mut s,
        0,
        WorkerEvent::Found {
            req,
            uids: vec![3],
            offline: None,
        },
    );
    assert!(marked(&s).is_empty());
}

#[test]
fn an_answer_after_the_folder_was_opened_again_marks_nothing() {
    let mut s = ready();
    let cmds = mark_by(&mut s, "body:invoice");
    let req = search_req(&cmds).expect("the server is asked");
    // INBOX opened afresh (away and back): the same path, other rows.
    let _ = s.accounts[0].open_folder(0, 0);
    assert_eq!(s.accounts[0].marking, None);
    worker(
        &mut s,
        0,
        WorkerEvent::Found {
            req,
            uids: vec![3],
            offline: None,
        },
    );
    assert!(marked(&s).is_empty());
}

#[test]
fn mark_thread_in_the_thread_view_marks_the_block_and_again_unmarks_it() {
    let mut s = ready();
    // Threads: 7, 6, 5, 2 alone, 10 ← 4 ← 3, 9 alone, 8 ← 1.
    s.accounts[0].list.set_threads(Some(vec![
        (7, 0),
        (6, 0),
        (5, 0),
        (2, 0),
        (10, 0),
        (4, 1),
        (3, 2),
        (9, 0),
        (8, 0),
        (1, 1),
    ]));
    s.accounts[0].list.selected = 5;
    let cmds = key(&mut s, UiAction::MarkThread);
    assert_eq!(threads_req(&cmds), None, "the view has the threads");
    assert_eq!(marked(&s), vec![3, 4, 10]);
    assert_eq!(said(&s), "thread: 3 messages marked");
    key(&mut s, UiAction::MarkThread);
    assert!(marked(&s).is_empty());
    assert_eq!(said(&s), "thread: 3 messages unmarked");
}

#[test]
fn mark_thread_outside_the_thread_view_asks_the_store_and_keeps_the_order() {
    let mut s = ready();
    // Row 2 is UID 8 (newest first).
    s.accounts[0].list.selected = 2;
    let cmds = key(&mut s, UiAction::MarkThread);
    let req = threads_req(&cmds).expect("the thread order is asked of the store");
    worker(
        &mut s,
        0,
        WorkerEvent::Threads {
            req,
            rows: vec![(10, 0), (9, 0), (8, 0), (5, 1), (2, 2), (7, 0)],
        },
    );
    assert_eq!(marked(&s), vec![2, 5, 8]);
    assert!(
        s.accounts[0].list.view.as_ref().is_none_or(|v| !v.threads),
        "the list stays in its order"
    );
}

#[test]
fn the_title_count_of_marks_off_screen_follows_the_scroll() {
    let mut s = ready();
    let l = &mut s.accounts[0].list;
    l.marked.extend([10, 9, 1]);
    // Rows: 10 9 8 … 1; four on screen from the top.
    l.offset = 0;
    assert_eq!(l.marked_off_screen(4), 1);
    l.offset = 6;
    assert_eq!(l.marked_off_screen(4), 2);
    assert_eq!(
        l.marked_off_screen(100),
        2,
        "rows above the top are off screen"
    );
}
