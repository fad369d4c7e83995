use super::*;
use crate::action::{Action, StoreCommand};
use crate::mail::message::{BodySource, MessageView};
use crate::mail::types::{Flags, FolderRole};
use crate::sanitize::Clean;
use crate::state::test_kit::*;
use crate::worker::WorkerEvent;

#[test]
fn inbox_opens_at_start_and_first_batch_is_previewed() {
    let mut s = state();
    let cmds = s.start();
    assert!(cmds.contains(&Command::Store {
        account: 0,
        command: StoreCommand::LoadFolders
    }));
    let req = open_req(&cmds, "INBOX");
    assert!(s.accounts[0].list.loading());
    // The folder list comes later and does not open INBOX again.
    let cmds = worker(
        &mut s,
        0,
        WorkerEvent::Folders(vec![folder("INBOX", FolderRole::Inbox)]),
    );
    assert!(cmds.is_empty(), "{cmds:?}");
    stored_none(&mut s, 0, req);
    selected(&mut s, 0, req, 3000);
    let cmds = worker(
        &mut s,
        0,
        WorkerEvent::Inserted {
            req,
            envelopes: vec![env(3000, true), env(2999, true)],
            remaining: 2998,
        },
    );
    assert_eq!(preview_uid(&cmds).map(|p| p.0), Some(3000), "{cmds:?}");
    assert!(
        s.accounts[0].list.loading(),
        "still loading older envelopes"
    );
    assert_eq!(s.accounts[0].list.items.len(), 2);
}

#[test]
fn stored_rows_show_before_the_server_answers_and_stale_ones_go() {
    let mut s = state();
    let req = open_req(&s.start(), "INBOX");
    let cmds = worker(
        &mut s,
        0,
        WorkerEvent::Stored {
            req,
            uid_validity: 7,
            envelopes: vec![env(9, false), env(8, true)],
            done: false,
            synced_at: Some(1_699_990_000),
        },
    );
    assert_eq!(
        preview_uid(&cmds).map(|p| p.0),
        Some(9),
        "stored rows open from the store"
    );
    worker(
        &mut s,
        0,
        WorkerEvent::Stored {
            req,
            uid_validity: 7,
            envelopes: vec![env(5, false)],
            done: true,
            synced_at: Some(1_699_990_000),
        },
    );
    let l = &s.accounts[0].list;
    assert_eq!(l.items.iter().map(|e| e.uid).collect::<Vec<_>>(), [9, 8, 5]);
    assert_eq!(
        (l.unread, l.synced_at, l.stored_done),
        (2, Some(1_699_990_000), true)
    );
    assert!(!l.loading());
    // The server has another UIDVALIDITY: the stored rows are other messages.
    worker(
        &mut s,
        0,
        WorkerEvent::Selected {
            req,
            path: "INBOX".into(),
            uid_validity: 8,
            exists: 1,
        },
    );
    assert!(s.accounts[0].list.items.is_empty());
    assert!(matches!(s.accounts[0].reader.content, ReaderContent::Empty));
}

#[test]
fn live_changes_update_the_list_and_the_reader() {
    let mut s = state();
    let req = loaded(&mut s, 0, 5);
    assert_eq!(s.accounts[0].reader.uid, Some(5));
    worker(
        &mut s,
        0,
        WorkerEvent::Inserted {
            req,
            envelopes: vec![env(6, false)],
            remaining: 0,
        },
    );
    let l = &s.accounts[0].list;
    assert_eq!(l.items[0].uid, 6, "new mail on top");
    assert_eq!(
        l.selected_envelope().map(|e| e.uid),
        Some(5),
        "selection stays"
    );
    worker(
        &mut s,
        0,
        WorkerEvent::FlagsChanged {
            req,
            updates: vec![crate::mail::types::FlagUpdate {
                uid: 6,
                flags: Flags {
                    seen: true,
                    ..Flags::default()
                },
            }],
        },
    );
    assert!(s.accounts[0].list.items[0].flags.seen);
    // The message being read is expunged elsewhere: it stays on screen,
    // marked, and nothing acts on it or on the row that took its place.
    let cmds = worker(&mut s, 0, WorkerEvent::Expunged { req, uids: vec![5] });
    assert!(preview_uid(&cmds).is_none(), "{cmds:?}");
    assert_eq!(s.accounts[0].list.items.len(), 5);
    assert_eq!(s.accounts[0].reader.uid, Some(5));
    assert!(s.accounts[0].reader.gone);
    assert!(s.update(Action::Ui(UiAction::Delete)).is_empty());
    assert!(
        s.notice
            .as_ref()
            .is_some_and(|n| n.error && n.text.as_str().contains("deleted on the server")),
        "{:?}",
        s.notice
    );
    // Moving on shows the next one: the row that took its place, not the
    // one after it.
    let took_its_place = s.accounts[0].list.selected_envelope().map(|e| e.uid);
    let cmds = s.update(Action::Ui(UiAction::Down));
    assert_eq!(preview_uid(&cmds).map(|p| p.0), took_its_place, "{cmds:?}");
    assert!(!s.accounts[0].reader.gone);
    assert!(s.notice.is_none(), "the refusal went with the message");
    // Counts of other folders.
    worker(
        &mut s,
        0,
        WorkerEvent::FolderCounts(vec![crate::mail::backend::FolderCount {
            path: "Archive".into(),
            total: 10,
            unseen: 4,
        }]),
    );
    assert_eq!(s.accounts[0].counts.get("Archive"), Some(&(10, 4)));
}

#[test]
fn stale_results_are_dropped() {
    let mut s = state();
    let req = loaded(&mut s, 0, 5);
    // The user opens another folder; a late batch of the old one arrives.
    s.focus = Pane::Folders;
    // Top is All inboxes, above INBOX.
    s.update(Action::Ui(UiAction::Top));
    s.update(Action::Ui(UiAction::Down));
    s.update(Action::Ui(UiAction::Down));
    let cmds = s.update(Action::Ui(UiAction::Open));
    open_req(&cmds, "Archive");
    worker(
        &mut s,
        0,
        WorkerEvent::Inserted {
            req,
            envelopes: vec![env(99, false)],
            remaining: 0,
        },
    );
    assert!(s.accounts[0].list.items.is_empty());
    assert_eq!(s.focus, Pane::Messages);
}

#[test]
fn moving_the_selection_fetches_only_the_new_message_and_ignores_old_bodies() {
    let mut s = state();
    loaded(&mut s, 0, 5);
    let first_req = s.accounts[0].reader.req;
    s.focus = Pane::Messages;
    let cmds = s.update(Action::Ui(UiAction::Down));
    let Some((4, req)) = preview_uid(&cmds) else {
        panic!("{cmds:?}")
    };
    let view = |uid| MessageView {
        uid,
        headers: vec![],
        date: None,
        date_zone: None,
        body: Clean::text("hello"),
        body_styles: vec![],
        source: BodySource::Plain,
        attachments: vec![],
        notes: vec![],
        warnings: vec![],
        nested: vec![],
        raw: Clean::default(),
        raw_bytes: std::sync::Arc::from(&[][..]),
        html_links: vec![],
        parts: vec![],
        calendar: None,
    };
    worker(
        &mut s,
        0,
        WorkerEvent::Message {
            req: first_req,
            message: Box::new(view(5)),
        },
    );
    assert!(matches!(
        s.accounts[0].reader.content,
        ReaderContent::Loading
    ));
    worker(
        &mut s,
        0,
        WorkerEvent::Message {
            req,
            message: Box::new(view(4)),
        },
    );
    assert!(matches!(&s.accounts[0].reader.content, ReaderContent::Loaded(m) if m.uid == 4));
}

#[test]
fn open_marks_read_once_and_focuses_the_reader() {
    let mut s = state();
    loaded(&mut s, 0, 5);
    s.focus = Pane::Messages;
    // uid 5 is unread (odd).
    let cmds = s.update(Action::Ui(UiAction::Open));
    assert!(cmds.contains(&Command::Worker {
        account: 0,
        command: WorkerCommand::SetFlag {
            folder: crate::worker::FolderRef {
                path: "INBOX".into(),
                uid_validity: 1,
            },
            uids: vec![5],
            flag: crate::mail::types::FlagKind::Seen,
            on: true,
        }
    }));
    assert!(s.accounts[0].list.items[0].flags.seen);
    assert_eq!(s.focus, Pane::Reader);
    s.focus = Pane::Messages;
    assert!(s.update(Action::Ui(UiAction::Open)).is_empty());
}

#[test]
fn accounts_keep_their_own_selection() {
    let mut s = state();
    loaded(&mut s, 0, 30);
    loaded(&mut s, 1, 10);
    s.focus = Pane::Messages;
    s.update(Action::Ui(UiAction::PageDown));
    let work_sel = s.accounts[0].list.selected;
    assert!(work_sel > 0);
    s.update(Action::Ui(UiAction::Account(1)));
    assert_eq!(s.current, 1);
    s.update(Action::Ui(UiAction::Down));
    assert_eq!(s.accounts[1].list.selected, 1);
    s.update(Action::Ui(UiAction::NextAccount));
    assert_eq!(s.current, 0);
    assert_eq!(s.accounts[0].list.selected, work_sel);
    s.update(Action::Ui(UiAction::PrevAccount));
    assert_eq!(s.current, 1);
    s.update(Action::Ui(UiAction::Account(7)));
    assert_eq!(s.current, 1, "no 8th account: unchanged");
}

#[test]
fn page_down_and_bottom_keep_the_selection_visible() {
    let mut s = state();
    loaded(&mut s, 0, 200);
    s.focus = Pane::Messages;
    s.update(Action::Ui(UiAction::Bottom));
    let l = &s.accounts[0].list;
    let rows = inner_height(s.areas().messages);
    assert_eq!(l.selected, 199);
    assert_eq!(l.offset, 200 - rows);
    s.update(Action::Resize {
        width: 120,
        height: 40,
    });
    let rows = inner_height(s.areas().messages);
    let l = &s.accounts[0].list;
    assert!(l.selected >= l.offset && l.selected < l.offset + rows);
}

#[test]
fn help_closes_on_any_key_and_quit_quits() {
    let mut s = state();
    s.update(Action::Ui(UiAction::Help));
    assert!(s.show_help);
    s.update(Action::Unbound);
    assert!(!s.show_help);
    s.update(Action::Ui(UiAction::Help));
    assert!(s.update(Action::Ui(UiAction::Retry)).is_empty());
    assert!(!s.show_help);
    assert_eq!(s.update(Action::Ui(UiAction::Quit)), vec![Command::Quit]);
    assert!(s.quitting);
}

#[test]
fn tab_cycles_panes_including_log_when_shown() {
    let mut s = state();
    s.focus = Pane::Accounts;
    let mut seen = vec![];
    for _ in 0..4 {
        s.update(Action::Ui(UiAction::NextPane));
        seen.push(s.focus);
    }
    assert_eq!(
        seen,
        [Pane::Folders, Pane::Messages, Pane::Reader, Pane::Accounts]
    );
    s.update(Action::Ui(UiAction::ToggleLog));
    s.focus = Pane::Reader;
    s.update(Action::Ui(UiAction::NextPane));
    assert_eq!(s.focus, Pane::Log);
    s.update(Action::Ui(UiAction::ToggleLog));
    assert_eq!(s.focus, Pane::Messages);
    s.update(Action::Ui(UiAction::PrevPane));
    assert_eq!(s.focus, Pane::Folders);
}

#[test]
fn retry_only_when_the_account_is_not_connected() {
    let mut s = state();
    worker(&mut s, 0, WorkerEvent::Conn(ConnState::Connected));
    assert!(s.update(Action::Ui(UiAction::Retry)).is_empty());
    assert_eq!(
        s.notice.as_ref().map(|n| n.text.as_str()),
        Some("connected already"),
        "a says why it did nothing"
    );
    assert_eq!(
        s.notice.as_ref().map(|n| n.text.as_str()),
        Some("connected already"),
        "a says why it did nothing"
    );
    worker(
        &mut s,
        0,
        WorkerEvent::Conn(ConnState::Failed(Clean::line("login refused"))),
    );
    assert_eq!(
        s.update(Action::Ui(UiAction::Retry)),
        vec![Command::Worker {
            account: 0,
            command: WorkerCommand::Connect
        }]
    );
}

#[test]
fn log_is_bounded_and_scrolls() {
    let mut s = state();
    for i in 0..(LOG_CAPACITY + 10) {
        s.update(Action::Log(crate::logging::LogRecord {
            time: i as i64,
            level: tracing::Level::INFO,
            text: Clean::line("x"),
        }));
    }
    assert_eq!(s.log.len(), LOG_CAPACITY);
    assert_eq!(s.log.front().map(|r| r.time), Some(10));
    s.show_log = true;
    s.focus = Pane::Log;
    s.update(Action::Ui(UiAction::Up));
    assert_eq!(s.log_scroll, 1);
    s.update(Action::Ui(UiAction::Bottom));
    assert_eq!(s.log_scroll, 0);
}

#[test]
fn reader_scroll_is_bounded_by_the_message() {
    let mut s = state();
    loaded(&mut s, 0, 1);
    let req = s.accounts[0].reader.req;
    let body = (0..100)
        .map(|i| format!("line {i}"))
        .collect::<Vec<_>>()
        .join("\n");
    let m = MessageView {
        uid: 1,
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
        html_links: vec![],
        parts: vec![],
        calendar: None,
    };
    worker(
        &mut s,
        0,
        WorkerEvent::Message {
            req,
            message: Box::new(m),
        },
    );
    s.focus = Pane::Reader;
    s.update(Action::Ui(UiAction::Bottom));
    let max = s.accounts[0].reader.scroll;
    assert!(max > 50 && max < 100, "{max}");
    s.update(Action::Ui(UiAction::Down));
    assert_eq!(s.accounts[0].reader.scroll, max);
}

fn show(s: &mut State, raw: &str) {
    loaded(s, 0, 1);
    let req = s.accounts[0].reader.req;
    let message = Box::new(crate::mail::message::parse(1, raw.as_bytes()));
    worker(s, 0, WorkerEvent::Message { req, message });
    s.focus = Pane::Reader;
}

/// The rows on screen, as text.
fn screen_rows(s: &State) -> Vec<String> {
    let r = &s.accounts[0].reader;
    let h = inner_height(s.areas().reader);
    r.layout.rows[r.scroll..(r.scroll + h).min(r.layout.rows.len())]
        .iter()
        .map(|row| r.layout.row_text(row).1.to_string())
        .collect()
}

#[test]
fn the_last_line_of_long_wrapped_lines_is_reachable() {
    let mut s = state();
    s.update(Action::Resize {
        width: 80,
        height: 24,
    });
    // Long lines wrap to many rows each; the old guess lost some.
    let body: String = (0..40)
        .map(|i| format!("{}END{i}\r\n", "word ".repeat(60)))
        .collect();
    show(&mut s, &format!("Subject: long\r\n\r\n{body}"));
    s.update(Action::Ui(UiAction::Bottom));
    let rows = screen_rows(&s);
    assert!(
        rows.last().is_some_and(|r| r.ends_with("END39")),
        "{rows:?}"
    );
    let at_bottom = s.accounts[0].reader.scroll;
    s.update(Action::Ui(UiAction::PageDown));
    assert_eq!(s.accounts[0].reader.scroll, at_bottom);
    // A narrower pane wraps again and the end is still the end.
    s.update(Action::Resize {
        width: 50,
        height: 24,
    });
    s.update(Action::Ui(UiAction::Bottom));
    let rows = screen_rows(&s);
    assert!(
        rows.last().is_some_and(|r| r.ends_with("END39")),
        "{rows:?}"
    );
    s.update(Action::Ui(UiAction::Top));
    assert_eq!(screen_rows(&s)[0], "Subject: long");
}

#[test]
fn the_source_is_behind_a_key() {
    let mut s = state();
    show(
        &mut s,
        "Subject: s\r\nContent-Type: text/plain\r\nX-Secret-Header: shown in source\r\n\r\nbody\r\n",
    );
    let all = |s: &State| {
        let l = &s.accounts[0].reader.layout;
        l.rows
            .iter()
            .map(|r| l.row_text(r).1.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(!all(&s).contains("X-Secret-Header"));
    s.update(Action::Ui(UiAction::ToggleRaw));
    assert!(s.accounts[0].reader.layout.raw);
    assert!(
        all(&s).contains("X-Secret-Header: shown in source"),
        "{}",
        all(&s)
    );
    s.update(Action::Ui(UiAction::ToggleRaw));
    assert!(!all(&s).contains("X-Secret-Header"));
}

#[test]
fn rows_the_worker_adds_to_the_store_reach_the_open_list_once() {
    let mut s = state();
    loaded(&mut s, 0, 5);
    let added = |path: &str, validity: u32, uids: &[u32]| WorkerEvent::RowsAdded {
        path: path.into(),
        uid_validity: validity,
        envelopes: uids.iter().map(|u| env(*u, false)).collect(),
    };
    worker(&mut s, 0, added("INBOX", 1, &[7, 3]));
    let uids: Vec<u32> = s.accounts[0].list.items.iter().map(|e| e.uid).collect();
    assert_eq!(uids, [7, 5, 4, 3, 2, 1]);
    // Another folder, or the folder as it was before UIDVALIDITY changed:
    // nothing shown.
    worker(&mut s, 0, added("Archive", 1, &[9]));
    worker(&mut s, 0, added("INBOX", 2, &[8]));
    assert_eq!(s.accounts[0].list.items.len(), 6);
}
