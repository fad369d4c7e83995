//! Snapshots of the parts and links menus and of an attached message
//! shown inside the reader.

use insta::assert_snapshot;

use super::tests::{sample_state, screen};
use crate::action::{Action, UiAction};
use crate::mail::message::parse;
use crate::state::{Pane, State};
use crate::worker::WorkerEvent;

/// A forward: text with links, a PDF whose name tries to leave the
/// download dir, and an attached message with its own attachment.
const FORWARD: &str = "From: Chen Wei <chen.wei@contoso.example>\r\nSubject: Fwd: site survey\r\n\
Content-Type: multipart/mixed; boundary=m\r\n\r\n\
--m\r\nContent-Type: text/plain\r\n\r\nPhotos at https://photos.contoso.example/album/7 and the form at\r\n\
https://forms.contoso.example/survey?id=42. Old notes: https://wiki.contoso.example/Survey_(2025).\r\n\
--m\r\nContent-Type: application/pdf; name=\"../../survey.pdf\"\r\nContent-Disposition: attachment; filename=\"../../survey.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K\r\n\
--m\r\nContent-Type: message/rfc822\r\n\r\n\
From: Site Team <site@contoso.example>\r\nSubject: Survey results\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n\
--i\r\nContent-Type: text/plain\r\n\r\nThe survey is done; numbers attached.\r\n\
--i\r\nContent-Type: text/csv; name=\"numbers.csv\"\r\n\r\nroom,area\r\nA,12\r\n--i--\r\n\
--m--\r\n";

fn with_forward(width: u16, height: u16) -> State {
    let mut s = sample_state(width, height);
    let req = s.accounts[0].reader.req;
    s.update(Action::Worker {
        account: 0,
        event: WorkerEvent::Message {
            req,
            message: Box::new(parse(3119, FORWARD.as_bytes())),
        },
    });
    s.focus = Pane::Reader;
    s
}

#[test]
fn parts_menu_80x24() {
    let mut s = with_forward(80, 24);
    s.update(Action::Ui(UiAction::Parts));
    let screen = screen(&s);
    assert!(
        screen.contains("../../survey.pdf"),
        "the name as sent:\n{screen}"
    );
    assert_snapshot!(screen);
}

#[test]
fn links_menu_80x24() {
    let mut s = with_forward(80, 24);
    s.update(Action::Ui(UiAction::Links));
    s.update(Action::Ui(UiAction::Down));
    assert_snapshot!(screen(&s));
}

#[test]
fn attached_message_in_the_reader_120x40() {
    let mut s = with_forward(120, 40);
    s.update(Action::Ui(UiAction::Parts));
    s.update(Action::Ui(UiAction::Down));
    let cmds = s.update(Action::Ui(UiAction::Open));
    assert!(!cmds.is_empty());
    let (uid, req) = (3119, s.accounts[0].reader.req);
    let view = crate::mail::mime::part_view::view(uid, FORWARD.as_bytes(), "3");
    s.update(Action::Worker {
        account: 0,
        event: WorkerEvent::Message {
            req,
            message: Box::new(view.expect("a view of the attached message")),
        },
    });
    let shown = screen(&s);
    assert!(
        shown.contains("Attached message 3: Survey results (Esc: back)"),
        "{shown}"
    );
    assert_snapshot!(shown);
    s.update(Action::Ui(UiAction::Back));
    let back = screen(&s);
    assert!(
        back.contains("Fwd: site survey") && !back.contains("Esc: back"),
        "{back}"
    );
}
