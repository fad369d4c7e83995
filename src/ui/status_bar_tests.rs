//! The status bar's priorities on the whole screen at 80×24 and 60×20
//! (the layout's own tests are in status_line.rs).

use crate::action::{Action, UiAction};
use crate::mail::message::parse;
use crate::mail::types::{Folder, FolderRole};
use crate::sanitize::Clean;
use crate::state::{Pane, State};
use crate::ui::tests::{sample_state, screen};
use crate::worker::WorkerEvent;
use insta::assert_snapshot;

/// The work account with a Trash folder, and the second message deleted.
fn deleted(width: u16, height: u16) -> State {
    let mut s = sample_state(width, height);
    let folder = |path: &str, role| Folder {
        path: path.into(),
        name: Clean::line(path),
        depth: 0,
        selectable: true,
        role,
    };
    s.update(Action::Worker {
        account: 0,
        event: WorkerEvent::Folders(vec![
            folder("INBOX", FolderRole::Inbox),
            folder("Deleted Items", FolderRole::Trash),
        ]),
    });
    s.focus = Pane::Messages;
    s.update(Action::Ui(UiAction::Delete));
    s
}

#[test]
fn delete_confirmation_with_its_undo_key_80x24() {
    let s = deleted(80, 24);
    let screen = screen(&s);
    let bar = screen.lines().last().unwrap_or_default();
    assert!(
        bar.contains("1 message moved to Deleted Items (u: undo)"),
        "{screen}"
    );
    assert_snapshot!(screen);
}

#[test]
fn delete_confirmation_with_its_undo_key_60x20() {
    let s = deleted(60, 20);
    let screen = screen(&s);
    let bar = screen.lines().last().unwrap_or_default();
    assert!(
        bar.contains("1 message moved to Deleted Items (u: undo)"),
        "{screen}"
    );
    assert_snapshot!(screen);
}

const WITH_LINK: &str = "From: Chen Wei <chen.wei@contoso.example>\r\nSubject: photos\r\n\
Content-Type: text/plain\r\n\r\nPhotos at https://photos.contoso.example/album/7\r\n";

/// `o` in the links menu with no `open_command`: the long hint, cut.
fn open_without_command(width: u16, height: u16) -> State {
    let mut s = sample_state(width, height);
    let req = s.accounts[0].reader.req;
    s.update(Action::Worker {
        account: 0,
        event: WorkerEvent::Message {
            req,
            message: Box::new(parse(3119, WITH_LINK.as_bytes())),
        },
    });
    s.focus = Pane::Reader;
    s.update(Action::Ui(UiAction::Links));
    s.update(Action::Ui(UiAction::OpenWith));
    s.update(Action::Ui(UiAction::Back));
    s
}

#[test]
fn long_hint_cut_with_an_ellipsis_80x24() {
    let s = open_without_command(80, 24);
    let notice = s
        .notice
        .as_ref()
        .map(|n| n.text.to_string())
        .unwrap_or_default();
    assert!(notice.chars().count() > 80, "{notice}");
    let screen = screen(&s);
    let bar = screen.lines().last().unwrap_or_default();
    assert!(
        bar.contains("no open command: set open_command"),
        "{screen}"
    );
    assert!(bar.contains('…'), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn long_hint_cut_with_an_ellipsis_60x20() {
    let s = open_without_command(60, 20);
    let screen = screen(&s);
    let bar = screen.lines().last().unwrap_or_default();
    assert!(bar.contains("no open command"), "{screen}");
    assert!(bar.contains('…'), "{screen}");
    assert_snapshot!(screen);
}

/// Offline with a long reason at 100 columns: the offline note whole, the
/// reason cut with "…", nothing clipped without a mark.
#[test]
fn offline_note_stays_and_a_long_reason_is_cut() {
    use crate::worker::ConnState;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::layout::Rect;

    let mut s = sample_state(100, 30);
    let req = s.accounts[0].list.req;
    let now = s.now;
    s.update(Action::Worker {
        account: 0,
        event: WorkerEvent::Synced { req, at: now - 300 },
    });
    s.update(Action::Worker {
        account: 0,
        event: WorkerEvent::Conn(ConnState::Retrying {
            attempt: 2,
            error: Clean::line(
                "cannot connect to outlook.office365.com:993: Connection refused (os error 111)",
            ),
            retry_in_secs: 4,
        }),
    });
    let mut t = Terminal::new(TestBackend::new(100, 1)).expect("terminal");
    t.draw(|f| super::draw(&s, &crate::ui::Theme::default(), f, Rect::new(0, 0, 100, 1)))
        .expect("draw");
    let bar: String = (0..100)
        .map(|x| t.backend().buffer()[(x, 0)].symbol().to_string())
        .collect();
    assert!(bar.contains("offline: as of 5m ago"), "{bar}");
    assert!(
        bar.contains("retry 2 in 4s (a: now): cannot connect"),
        "{bar}"
    );
    assert!(bar.trim_end().ends_with('…'), "{bar}");
}

#[test]
fn the_search_index_build_shows_until_it_is_done() {
    let mut s = sample_state(120, 40);
    let progress = |done, total| Action::Worker {
        account: 0,
        event: WorkerEvent::Indexing(crate::store::IndexProgress { done, total }),
    };
    s.update(progress(420, 1000));
    let screen = screen(&s);
    let bar = screen.lines().last().unwrap_or_default();
    assert!(bar.contains("indexing 42%"), "{screen}");
    s.update(progress(1000, 1000));
    let screen = crate::ui::tests::screen(&s);
    assert!(!screen.contains("indexing"), "{screen}");
}
