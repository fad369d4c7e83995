use super::*;
use crate::action::Action;
use crate::mail::message::{BodySource, MessageView};
use crate::sanitize::Clean;
use crate::state::Pane;
use crate::state::test_kit::*;
use crate::worker::{WorkerCommand, WorkerEvent};

/// What the app sends for Space with the default keys.
fn space() -> Action {
    Action::Keys(vec![UiAction::NextPage, UiAction::Mark])
}

fn notice(s: &State) -> String {
    s.notice
        .as_ref()
        .map(|n| n.text.to_string())
        .unwrap_or_default()
}

fn selected_uid(s: &State) -> u32 {
    s.accounts[0]
        .list
        .selected_envelope()
        .map(|e| e.uid)
        .unwrap_or_default()
}

/// The message the reader asked for arrives, `lines` lines long.
fn arrives(s: &mut State, lines: usize) {
    let r = &s.accounts[0].reader;
    let (req, uid) = (r.req, r.uid.unwrap_or_default());
    let body = (0..lines)
        .map(|i| format!("line {i}"))
        .collect::<Vec<_>>()
        .join("\n");
    let message = MessageView {
        uid,
        headers: vec![],
        date: None,
        date_zone: None,
        body: Clean::text(&body),
        body_styles: vec![],
        source: BodySource::Plain,
        attachments: vec![],
        notes: vec![],
        warnings: vec![],
        nested: vec![],
        raw: Clean::default(),
        raw_bytes: std::sync::Arc::from(&[][..]),
        parts: vec![],
        calendar: None,
        html_links: vec![],
    };
    worker(
        s,
        0,
        WorkerEvent::Message {
            req,
            message: Box::new(message),
        },
    );
}

/// Five messages (uid 5 newest, first); `uid` opened in the reader with a
/// body of `lines` lines.
fn reading(uid: u32, lines: usize) -> State {
    let mut s = state();
    loaded(&mut s, 0, 5);
    s.focus = Pane::Messages;
    while selected_uid(&s) != uid {
        s.update(Action::Ui(UiAction::Down));
    }
    s.update(Action::Ui(UiAction::Open));
    arrives(&mut s, lines);
    assert_eq!(s.focus, Pane::Reader);
    s
}

#[test]
fn space_in_the_reader_pages_down_then_opens_the_next_message() {
    let mut s = reading(4, 100);
    let max = s.reader_max_scroll();
    let page = s.page();
    assert!(max > 2 * page, "a message of several pages: {max} {page}");
    assert!(s.update(space()).is_empty());
    assert_eq!(s.accounts[0].reader.scroll, page);
    // Page after page, stopping at the end (the last row at the bottom).
    let mut presses = 1;
    while s.accounts[0].reader.scroll < max {
        assert!(s.update(space()).is_empty());
        presses += 1;
    }
    assert_eq!(presses, max.div_ceil(page));
    assert_eq!(s.accounts[0].reader.scroll, max);
    assert_eq!(selected_uid(&s), 4);
    // At the end: the next message, shown from its top and read.
    let cmds = s.update(space());
    assert_eq!(selected_uid(&s), 3);
    assert_eq!(loads(&cmds), Some(3));
    assert_eq!(marks_read(&cmds), [3]);
    assert_eq!(s.accounts[0].reader.scroll, 0);
    assert_eq!(s.focus, Pane::Reader);
    assert!(s.accounts[0].list.marked.is_empty());
}

/// The reported case: three Spaces and `d` in the reader must delete the
/// message on screen, having read every one on the way, and mark nothing.
#[test]
fn three_spaces_and_d_delete_the_message_on_screen() {
    let mut s = reading(5, 3);
    let mut read = Vec::new();
    for _ in 0..3 {
        let cmds = s.update(space());
        read.extend(marks_read(&cmds));
        arrives(&mut s, 3);
    }
    assert_eq!(selected_uid(&s), 2);
    assert_eq!(s.accounts[0].reader.uid, Some(2));
    assert!(s.accounts[0].list.marked.is_empty());
    // uid 3 was unread (odd); 4 and 2 were read already.
    assert_eq!(read, [3]);
    let cmds = s.update(Action::Ui(UiAction::Delete));
    let moved: Vec<u32> = cmds
        .iter()
        .find_map(|c| match c {
            Command::Worker {
                command: WorkerCommand::Move { uids, .. },
                ..
            } => Some(uids.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{cmds:?}"));
    assert_eq!(moved, [2]);
}

#[test]
fn space_waits_for_a_loading_message_and_stops_at_the_last() {
    let mut s = reading(2, 3);
    // The next one is still loading: Space does not skip past it.
    let cmds = s.update(space());
    assert_eq!(loads(&cmds), Some(1));
    assert!(s.update(space()).is_empty());
    assert_eq!(selected_uid(&s), 1);
    arrives(&mut s, 3);
    assert!(s.update(space()).is_empty());
    assert_eq!(selected_uid(&s), 1);
    assert_eq!(notice(&s), "this is the last message");
    assert!(s.accounts[0].list.marked.is_empty());
}

#[test]
fn space_in_the_list_still_marks_and_v_marks_in_the_reader() {
    let mut s = state();
    loaded(&mut s, 0, 5);
    s.focus = Pane::Messages;
    s.update(space());
    assert!(s.accounts[0].list.marked.contains(&5));
    assert_eq!(selected_uid(&s), 4);
    let mut s = reading(4, 100);
    s.update(Action::Ui(UiAction::Mark));
    assert!(s.accounts[0].list.marked.contains(&4));
}

#[test]
fn next_page_bound_alone_pages_the_list() {
    let mut s = state();
    loaded(&mut s, 0, 50);
    s.focus = Pane::Messages;
    s.update(Action::Ui(UiAction::NextPage));
    assert_eq!(s.accounts[0].list.selected, s.page());
    assert!(s.accounts[0].list.marked.is_empty());
}

#[test]
fn an_unbound_key_says_so_outside_prompts() {
    let mut s = StateBuilder::default().account(info("work")).help().build();
    s.update(Action::NotBound("r".into()));
    assert_eq!(notice(&s), "`r` is not bound — ? for help");
    // With help up, a key only closes it.
    s.notice = None;
    s.update(Action::Ui(UiAction::Help));
    s.update(Action::NotBound("r".into()));
    assert!(!s.show_help);
    assert_eq!(notice(&s), "");
    // In a prompt keys are text: nothing said.
    s.update(Action::Ui(UiAction::Search));
    assert!(s.typing());
    s.update(Action::NotBound("r".into()));
    assert_eq!(notice(&s), "");
    // Help on another key: the hint names it.
    let mut s = state();
    s.help = crate::keymap::Keymap::new(&[crate::config::KeyBinding {
        key: "f1".into(),
        action: "help".into(),
        at: crate::config::Location { line: 1, column: 1 },
    }])
    .map(|k| k.help())
    .unwrap_or_default();
    s.update(Action::NotBound("R".into()));
    assert_eq!(notice(&s), "`R` is not bound — ? for help");
    s.help.retain(|e| e.name != "help");
    s.update(Action::NotBound("R".into()));
    assert_eq!(notice(&s), "`R` is not bound");
}

#[test]
fn help_scrolls_with_the_moving_keys_and_closes_on_others() {
    let mut s = StateBuilder::default()
        .account(info("work"))
        .help()
        .size(80, 24)
        .build();
    s.update(Action::Ui(UiAction::Help));
    let layout = s.help_layout();
    assert_eq!(
        layout,
        HelpLayout::new(&s.help, 80, 23),
        "the status bar stays"
    );
    assert!(layout.max_scroll() > 0, "{layout:?}");
    s.update(Action::Ui(UiAction::Down));
    assert!(s.show_help);
    assert_eq!(s.help_scroll, 1);
    s.update(space());
    assert_eq!(
        s.help_scroll,
        (1 + layout.visible - 1).min(layout.max_scroll())
    );
    s.update(Action::Ui(UiAction::Bottom));
    assert_eq!(s.help_scroll, layout.max_scroll());
    s.update(Action::Ui(UiAction::Down));
    assert_eq!(s.help_scroll, layout.max_scroll());
    s.update(Action::Ui(UiAction::Top));
    assert_eq!(s.help_scroll, 0);
    s.update(Action::Ui(UiAction::PageDown));
    assert!(s.help_scroll > 0);
    s.update(Action::Ui(UiAction::ToggleLog));
    assert!(!s.show_help);
    assert!(!s.show_log, "the closing key does nothing else");
    // Opened again: from the top.
    s.update(Action::Ui(UiAction::Help));
    assert_eq!(s.help_scroll, 0);
    assert_eq!(s.update(Action::Ui(UiAction::Quit)), vec![Command::Quit]);
}

/// In a sorted view the selection is a display row, not an index into
/// the rows as they arrived: the message shown is the one marked read.
#[test]
fn the_message_shown_is_the_one_marked_read_in_a_sorted_view() {
    let mut s = state();
    loaded(&mut s, 0, 5);
    s.focus = Pane::Messages;
    s.accounts[0].list.set_sort(crate::state::SortBy::Subject);
    // The unread message (odd uid) whose row differs from its arrival
    // position.
    let list = &s.accounts[0].list;
    let (row, uid) = (0..5)
        .filter_map(|i| list.row(i).map(|(e, _)| (i, e.uid, e.flags.seen)))
        .find(|&(i, uid, seen)| !seen && list.items[i].uid != uid)
        .map(|(i, uid, _)| (i, uid))
        .expect("sorting by subject moves an unread message");
    s.accounts[0].list.selected = row;
    let cmds = s.update(Action::Ui(UiAction::Open));
    assert_eq!(marks_read(&cmds), [uid]);
    assert!(
        s.accounts[0]
            .list
            .envelope(uid)
            .is_some_and(|e| e.flags.seen)
    );
    // Space at the end of it: the next row's message is the one read.
    arrives(&mut s, 1);
    let next = s.accounts[0]
        .list
        .row(row + 1)
        .map(|(e, _)| (e.uid, e.flags.seen));
    let cmds = s.update(space());
    match next {
        Some((next, false)) => assert_eq!(marks_read(&cmds), [next]),
        Some((next, true)) => {
            assert_eq!(loads(&cmds), Some(next));
            assert!(marks_read(&cmds).is_empty());
        }
        None => assert!(cmds.is_empty()),
    }
}
