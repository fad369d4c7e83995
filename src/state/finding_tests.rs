use crate::action::{Action, Command, PromptKey, UiAction};
use crate::state::test_kit::*;
use crate::state::{Pane, State};
use crate::worker::{WorkerCommand, WorkerEvent};

fn key(s: &mut State, a: UiAction) -> Vec<Command> {
    s.update(Action::Ui(a))
}

fn typed(s: &mut State, text: &str) -> Vec<Command> {
    text.chars()
        .flat_map(|c| s.update(Action::Prompt(PromptKey::Char(c))))
        .collect()
}

fn enter(s: &mut State) -> Vec<Command> {
    s.update(Action::Prompt(PromptKey::Enter))
}

/// The server searches among `cmds`: (request id, query as text).
fn searches(cmds: &[Command]) -> Vec<(u64, String)> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Worker {
                command: WorkerCommand::Search { req, query, .. },
                ..
            } => Some((*req, query.to_string())),
            _ => None,
        })
        .collect()
}

/// UIDs on screen, top to bottom.
fn shown(s: &State) -> Vec<u32> {
    let l = &s.accounts[0].list;
    (0..l.len())
        .filter_map(|i| l.row(i).map(|(e, _)| e.uid))
        .collect()
}

fn matches(s: &State) -> Vec<u32> {
    let mut m: Vec<u32> = s.accounts[0]
        .list
        .search
        .as_ref()
        .map(|x| x.matches.iter().copied().collect())
        .unwrap_or_default();
    m.sort_unstable();
    m
}

fn said(s: &State) -> String {
    s.notice
        .as_ref()
        .map(|n| n.text.as_str().to_string())
        .unwrap_or_default()
}

fn found(s: &mut State, req: u64, uids: Vec<u32>) -> Vec<Command> {
    worker(
        s,
        0,
        WorkerEvent::Found {
            req,
            uids,
            offline: None,
        },
    )
}

/// Five rows from Alice, "message 1" … "message 5"; even UIDs are read.
fn ready() -> State {
    let mut s = state();
    loaded(&mut s, 0, 5);
    s.focus = Pane::Messages;
    s
}

fn limit(s: &mut State, query: &str) -> Vec<Command> {
    key(s, UiAction::Limit);
    typed(s, query);
    enter(s)
}

#[test]
fn a_search_is_a_query_and_rows_that_decide_need_no_server() {
    let mut s = ready();
    key(&mut s, UiAction::Search);
    typed(&mut s, "from:alice is:unread");
    assert_eq!(matches(&s), [1, 3, 5]);
    let cmds = enter(&mut s);
    assert!(searches(&cmds).is_empty(), "every row decided: {cmds:?}");
    assert_eq!(said(&s), "3 matches");
    key(&mut s, UiAction::NextMatch);
    key(&mut s, UiAction::NextMatch);
    assert_eq!(
        s.accounts[0].list.selected_envelope().map(|e| e.uid),
        Some(1),
        "n moves between matches: 5, 3, 1"
    );
}

#[test]
fn a_query_that_does_not_read_yet_says_where_and_keeps_the_list() {
    let mut s = ready();
    key(&mut s, UiAction::Search);
    typed(&mut s, "is:unread");
    assert_eq!(matches(&s), [1, 3, 5]);
    typed(&mut s, " (subject:\"mess");
    let p = s.prompt.as_ref().expect("still typing");
    let e = p.error.as_ref().expect("an open quote");
    assert_eq!(e.span.start, 19, "at the quote: {e:?}");
    assert!(e.message.contains("column 20"), "{e:?}");
    assert_eq!(matches(&s), [1, 3, 5], "the last good matches stay");
    assert_eq!(shown(&s), [5, 4, 3, 2, 1], "and every row");
    // Enter does not take a query that does not read.
    let cmds = enter(&mut s);
    assert!(cmds.is_empty() && s.prompt.is_some(), "{cmds:?}");
    // Back to the text that read: no error, its matches.
    for _ in 0.." (subject:\"mess".len() {
        s.update(Action::Prompt(PromptKey::Backspace));
    }
    assert!(s.prompt.as_ref().is_some_and(|p| p.error.is_none()));
    assert_eq!(matches(&s), [1, 3, 5]);
    typed(&mut s, " (subject:\"mess");
    typed(&mut s, "age 3\"");
    assert!(
        s.prompt.as_ref().is_some_and(|p| p.error.is_some()),
        "( open"
    );
    typed(&mut s, ")");
    assert!(s.prompt.as_ref().is_some_and(|p| p.error.is_none()));
    assert_eq!(matches(&s), [3]);
}

#[test]
fn the_server_decides_what_rows_cannot_and_its_answer_is_checked() {
    let mut s = ready();
    key(&mut s, UiAction::Search);
    // Recipients are not in a row: the server decides; the subject is.
    typed(&mut s, "to:bob subject:\"message 2\"");
    assert!(matches(&s).is_empty());
    let cmds = enter(&mut s);
    let [(req, ref q)] = searches(&cmds)[..] else {
        panic!("{cmds:?}")
    };
    assert_eq!(q, "to:bob subject:\"message 2\"");
    // An Exchange-like answer with more than the query asks: the rows
    // whose subject rules them out go.
    found(&mut s, req, vec![1, 2, 3]);
    assert_eq!(matches(&s), [2]);
    assert_eq!(said(&s), "1 match, 1 of them found in the text");
}

#[test]
fn a_plain_word_matches_sender_and_subject_then_the_server_finds_the_text() {
    let mut s = ready();
    key(&mut s, UiAction::Search);
    typed(&mut s, "alice");
    assert_eq!(matches(&s), [1, 2, 3, 4, 5]);
    typed(&mut s, "x");
    assert!(matches(&s).is_empty());
    let cmds = enter(&mut s);
    let [(req, _)] = searches(&cmds)[..] else {
        panic!("a word may be in the text: {cmds:?}")
    };
    found(&mut s, req, vec![4]);
    assert_eq!(matches(&s), [4]);
}

#[test]
fn limit_shows_only_matches_and_esc_brings_all_back() {
    let mut s = ready();
    let cmds = limit(&mut s, "is:unread");
    assert!(searches(&cmds).is_empty(), "{cmds:?}");
    assert_eq!(shown(&s), [5, 3, 1]);
    assert_eq!(said(&s), "3 messages (Esc: all)");
    assert_eq!(s.focus, Pane::Messages);
    key(&mut s, UiAction::Back);
    assert_eq!(shown(&s), [5, 4, 3, 2, 1]);
    assert_eq!(said(&s), "limit off: all 5 messages");
    assert_eq!(s.focus, Pane::Messages, "Esc did not leave the pane");
    // An empty limit brings all back too.
    limit(&mut s, "is:read");
    assert_eq!(shown(&s), [4, 2]);
    limit(&mut s, "");
    assert_eq!(shown(&s), [5, 4, 3, 2, 1]);
    assert!(s.accounts[0].list.limit.is_none());
}

#[test]
fn limit_composes_with_sort_and_threads() {
    let mut s = ready();
    // Arrival → date → sender → subject.
    for _ in 0..3 {
        key(&mut s, UiAction::Sort);
    }
    assert_eq!(shown(&s), [1, 2, 3, 4, 5], "by subject");
    limit(&mut s, "is:unread");
    assert_eq!(shown(&s), [1, 3, 5], "limited, still by subject");
    key(&mut s, UiAction::Sort);
    assert_eq!(shown(&s), [5, 3, 1], "back to arrival, still limited");
    // Threads from the store, then limited.
    key(&mut s, UiAction::Threads);
    let req = s.accounts[0].threads_req;
    worker(
        &mut s,
        0,
        WorkerEvent::Threads {
            req,
            rows: vec![(2, 0), (3, 1), (1, 0), (4, 0), (5, 1)],
        },
    );
    assert_eq!(shown(&s), [3, 1, 5]);
    let l = &s.accounts[0].list;
    assert_eq!(l.row(0).map(|(_, d)| d), Some(1), "depth kept");
    key(&mut s, UiAction::Back);
    assert_eq!(shown(&s), [2, 3, 1, 4, 5], "all threads back");
}

#[test]
fn actions_under_a_limit_work_on_the_shown_rows() {
    let mut s = ready();
    // A mark on a row the limit leaves out is dropped.
    key(&mut s, UiAction::Down);
    key(&mut s, UiAction::Mark);
    assert!(s.accounts[0].list.marked.contains(&4));
    limit(&mut s, "is:unread");
    assert!(s.accounts[0].list.marked.is_empty());
    assert_eq!(
        s.accounts[0].list.selected_envelope().map(|e| e.uid),
        Some(3),
        "the selection stays on its message"
    );
    key(&mut s, UiAction::Top);
    // Read under `is:unread`: it stays until the limit is applied again.
    key(&mut s, UiAction::ToggleRead);
    assert_eq!(shown(&s), [5, 3, 1]);
    // Marks and a delete reach the shown rows only.
    key(&mut s, UiAction::Mark);
    key(&mut s, UiAction::Mark);
    let cmds = key(&mut s, UiAction::Delete);
    let moved: Vec<Vec<u32>> = cmds
        .iter()
        .filter_map(|c| match c {
            Command::Worker {
                command: WorkerCommand::Move { uids, .. },
                ..
            } => Some(uids.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(moved, [vec![5, 3]]);
    assert_eq!(shown(&s), [1]);
    // Undone before it got anywhere (offline): the rows come back, shown.
    worker(
        &mut s,
        0,
        WorkerEvent::Conn(crate::worker::ConnState::Connecting),
    );
    key(&mut s, UiAction::Undo);
    assert_eq!(shown(&s), [5, 3, 1]);
    // "Mark all read" reads what is shown.
    let cmds = key(&mut s, UiAction::MarkFolderRead);
    let set: Vec<Vec<u32>> = cmds
        .iter()
        .filter_map(|c| match c {
            Command::Worker {
                command: WorkerCommand::SetFlag { uids, .. },
                ..
            } => Some(uids.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(set, [vec![3, 1]]);
    assert!(s.accounts[0].list.envelope(2).is_some_and(|e| e.flags.seen));
    assert!(s.accounts[0].list.envelope(4).is_some_and(|e| e.flags.seen));
    // Applied again, it shows what matches now.
    limit(&mut s, "is:unread");
    assert!(shown(&s).is_empty());
}

#[test]
fn new_mail_and_expunges_keep_a_limit_true() {
    let mut s = ready();
    limit(&mut s, "is:unread");
    let req = s.accounts[0].list.req;
    let mut new = vec![env(7, true), env(6, false)];
    new[0].flags.seen = true;
    worker(
        &mut s,
        0,
        WorkerEvent::Inserted {
            req,
            envelopes: new,
            remaining: 0,
        },
    );
    assert_eq!(
        shown(&s),
        [6, 5, 3, 1],
        "the unread one shows, the read one not"
    );
    worker(&mut s, 0, WorkerEvent::Expunged { req, uids: vec![3] });
    assert_eq!(shown(&s), [6, 5, 1]);
    assert_eq!(s.accounts[0].list.items.len(), 6);
}

#[test]
fn rows_a_limit_cannot_decide_are_asked_of_the_server() {
    let mut s = ready();
    let cmds = limit(&mut s, "to:bob OR is:flagged");
    let [(req, ref q)] = searches(&cmds)[..] else {
        panic!("{cmds:?}")
    };
    assert_eq!(q, "to:bob OR is:flagged");
    assert!(shown(&s).is_empty());
    assert_eq!(said(&s), "0 shown; asking the server about the rest…");
    found(&mut s, req, vec![2, 4, 99]);
    assert_eq!(shown(&s), [4, 2]);
    assert_eq!(said(&s), "2 messages shown, 2 of them found by the server");
    // New mail the answer did not cover is asked about too.
    let list_req = s.accounts[0].list.req;
    let cmds = worker(
        &mut s,
        0,
        WorkerEvent::Inserted {
            req: list_req,
            envelopes: vec![env(6, false)],
            remaining: 0,
        },
    );
    let [(again, _)] = searches(&cmds)[..] else {
        panic!("{cmds:?}")
    };
    assert_ne!(again, req);
    found(&mut s, again, vec![6]);
    assert_eq!(shown(&s), [6, 4, 2]);
}

#[test]
fn a_huge_or_hostile_limit_is_a_clear_error_not_a_hang() {
    let mut s = ready();
    key(&mut s, UiAction::Limit);
    let text: String = std::iter::repeat_n('x', 10 * 1024).collect();
    typed(&mut s, &text);
    let p = s.prompt.as_ref().expect("open");
    let e = p.error.as_ref().expect("too long");
    assert!(e.message.contains("the limit is 2000"), "{}", e.message);
    assert!(enter(&mut s).is_empty());
    assert_eq!(shown(&s), [5, 4, 3, 2, 1], "nothing applied");
    s.update(Action::Prompt(PromptKey::Esc));
    key(&mut s, UiAction::Limit);
    typed(&mut s, "from:a\u{7}b");
    let e = s.prompt.as_ref().and_then(|p| p.error.clone());
    assert!(
        e.is_some_and(|e| e.message.contains("control character U+0007 at column 7")),
        "{:?}",
        s.prompt
    );
}

#[test]
fn the_limit_key_is_backslash_and_named_limit() {
    let help = crate::keymap::Keymap::new(&[]).expect("keys").help();
    let line = help
        .iter()
        .find(|h| h.name == "limit")
        .expect("in the help");
    assert_eq!(line.keys, "\\");
    assert!(line.description.contains("Esc: all"), "{line:?}");
}

#[test]
fn a_limit_shows_its_rows_from_the_top_with_the_selection_in_view() {
    // Scrolled far down a long folder, on a message the limit keeps.
    let mut s = state();
    loaded(&mut s, 0, 300);
    s.focus = Pane::Messages;
    key(&mut s, UiAction::Bottom);
    let rows = s.list_rows();
    assert!(s.accounts[0].list.offset > 0);
    limit(&mut s, "is:unread");
    let l = &s.accounts[0].list;
    assert_eq!(l.len(), 150);
    // The selection (the oldest unread) is on screen, and no row above the
    // screen is left hidden that could have shown.
    assert_eq!(l.row(l.selected).map(|(e, _)| e.uid), Some(1));
    assert!(l.selected >= l.offset && l.selected < l.offset + rows);
    assert_eq!(l.offset, l.len() - rows);
    // A limit of a few rows shows them all from the first.
    limit(&mut s, "\"message 299\" OR \"message 298\"");
    let l = &s.accounts[0].list;
    assert!(l.len() < rows, "{}", l.len());
    assert_eq!(l.offset, 0);
}

#[test]
fn offline_the_index_answers_alone_and_says_the_server_was_not_asked() {
    let mut s = ready();
    key(&mut s, UiAction::Search);
    typed(&mut s, "to:bob");
    let cmds = enter(&mut s);
    let [(req, _)] = searches(&cmds)[..] else {
        panic!("{cmds:?}")
    };
    worker(
        &mut s,
        0,
        WorkerEvent::Found {
            req,
            uids: vec![4],
            offline: Some(crate::sanitize::Clean::line("offline")),
        },
    );
    assert_eq!(matches(&s), [4]);
    assert_eq!(
        said(&s),
        "1 match, 1 of them from the local index (the server: offline)"
    );
    // Back online, the server's answer (the index's merged in) adds to it
    // without repeats.
    found(&mut s, req, vec![2, 4]);
    assert_eq!(matches(&s), [2, 4]);
}

#[test]
fn a_limit_that_leaves_nothing_leaves_nothing_in_the_reader() {
    let mut s = ready();
    assert!(s.accounts[0].reader.uid.is_some(), "a message is shown");
    limit(&mut s, "is:flagged is:draft");
    assert!(shown(&s).is_empty());
    assert_eq!(s.accounts[0].reader.uid, None);
    // All back: the selected row is shown again.
    let cmds = limit(&mut s, "");
    assert!(crate::state::test_kit::loads(&cmds).is_some(), "{cmds:?}");
}
