//! The status bar's priorities: the layout as a plain function, then the
//! whole screen at 80×24 and 60×20.

use insta::assert_snapshot;
use ratatui::style::Style;

use super::{Part, cut, lay_out};
use crate::action::{Action, UiAction};
use crate::mail::message::parse;
use crate::mail::types::{Folder, FolderRole};
use crate::sanitize::Clean;
use crate::state::{Pane, State};
use crate::ui::tests::{sample_state, screen};
use crate::worker::WorkerEvent;

fn part(text: &str, rank: u8, droppable: bool) -> Part {
    Part {
        text: text.into(),
        short: None,
        rank,
        droppable,
        style: Style::new(),
    }
}

fn line(parts: &[Part], room: usize) -> String {
    lay_out(parts, 3, room)
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" | ")
}

#[test]
fn everything_fits_when_there_is_room() {
    let parts = [
        part("a", 1, true),
        part("bb", 0, false),
        part("ccc", 2, true),
    ];
    assert_eq!(line(&parts, 80), "a | bb | ccc");
    assert_eq!(line(&parts, 12), "a | bb | ccc");
}

#[test]
fn short_forms_first_then_drops_then_cuts() {
    let mut conn = part("connected to outlook.office365.com:993", 6, true);
    conn.short = Some("connected".into());
    let parts = [
        part(" work ", 1, false),
        conn,
        part("1 message moved to Deleted Items (u: undo)", 0, false),
        part("Inbox 3,120 msgs, 3 unread so far", 4, true),
    ];
    // Room for all but the connection's details: its short form.
    assert_eq!(
        line(&parts, 100),
        " work  | connected | 1 message moved to Deleted Items (u: undo) | Inbox 3,120 msgs, 3 unread so far"
    );
    // Less: the connection goes before the folder counts.
    assert_eq!(
        line(&parts, 90),
        " work  | 1 message moved to Deleted Items (u: undo) | Inbox 3,120 msgs, 3 unread so far"
    );
    // Less again: only what the last action did, whole, and the account.
    assert_eq!(
        line(&parts, 60),
        " work  | 1 message moved to Deleted Items (u: undo)"
    );
    // Narrower: the account name is cut before the notice is.
    assert_eq!(
        line(&parts, 48),
        " w… | 1 message moved to Deleted Items (u: undo)"
    );
    // Narrower than the notice: cut, its undo key kept.
    assert_eq!(line(&parts, 40), "1 message moved to Deleted It… (u: undo)");
}

#[test]
fn a_part_that_went_early_comes_back_when_a_later_short_form_makes_room() {
    let mut folder = part("Inbox 3,120 msgs, 3 unread so far", 4, true);
    folder.short = Some("Inbox 3 unread".into());
    let parts = [
        part(" work ", 1, false),
        part("1 message moved to Deleted Items (u: undo)", 0, false),
        folder,
        part("?: help ", 5, true),
    ];
    // The help hint goes first, then the folder's short form leaves room
    // for it again.
    assert_eq!(
        line(&parts, 80),
        " work  | 1 message moved to Deleted Items (u: undo) | Inbox 3 unread | ?: help "
    );
}

#[test]
fn whatever_is_cut_ends_in_an_ellipsis_and_fits_in_cells() {
    let parts = [part("日本語のお知らせです、とても長い", 0, false)];
    for room in 2..20 {
        let shown = lay_out(&parts, 3, room);
        let text = shown[0].clone().unwrap_or_default();
        assert!(
            unicode_width::UnicodeWidthStr::width(text.as_str()) <= room,
            "{room}: {text:?}"
        );
        assert!(text.ends_with('…'), "{room}: {text:?}");
    }
    // Too little room for a cell of text and the "…": nothing.
    assert_eq!(lay_out(&parts, 3, 1), [None]);
}

#[test]
fn a_key_hint_stays_whole_when_there_is_room_for_it() {
    assert_eq!(
        cut("sign-in needed — token revoked (a: sign in)", 28),
        "sign-in needed… (a: sign in)"
    );
    assert_eq!(cut("3 messages moved (u: undo)", 12), "3… (u: undo)");
    assert_eq!(cut("3 messages moved (u: undo)", 11), "3 messages…");
    // Not a hint: an ordinary text that ends in a long parenthesis.
    assert_eq!(
        cut(
            "connection failed (the server closed the connection early)",
            20
        ),
        "connection failed (…"
    );
    assert_eq!(cut("refused (os error 111)", 12), "refused (os…");
    assert_eq!(
        cut("end of this part (Esc: back)", 20),
        "end of… (Esc: back)"
    );
    assert_eq!(cut("fits", 4), "fits");
}

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
    assert!(
        bar.contains("offline: showing what was stored 5m ago"),
        "{bar}"
    );
    assert!(bar.contains("retry 2 in 4s: cannot connect"), "{bar}");
    assert!(bar.trim_end().ends_with('…'), "{bar}");
}
