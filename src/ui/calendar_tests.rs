//! The invitation block at the top of the reader: real invitations at
//! 80×24 and 120×40 (TestBackend + insta).

use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::Theme;
use super::tests::{sample_state, screen};
use crate::action::Action;
use crate::mail::message;
use crate::state::State;
use crate::worker::WorkerEvent;

const OUTLOOK: &str = include_str!("../../tests/fixtures/calendar/outlook-request.eml");
const CANCEL: &str = include_str!("../../tests/fixtures/calendar/outlook-cancel.ics");
const GOOGLE: &str = include_str!("../../tests/fixtures/calendar/google-recurring.ics");

fn with_message(width: u16, height: u16, raw: &str) -> State {
    let mut s = sample_state(width, height);
    s.zone = crate::calendar::zones::iana("Europe/London").expect("zone");
    let req = s.accounts[0].reader.req;
    s.update(Action::Worker {
        account: 0,
        event: WorkerEvent::Message {
            req,
            message: Box::new(message::parse(9, raw.as_bytes())),
        },
    });
    s
}

/// An invitation sent as a message of its own (`text/calendar` only).
fn calendar_mail(subject: &str, ics: &str) -> String {
    format!(
        "From: Priya Nair <priya.nair@contoso.example>\r\nSubject: {subject}\r\n\
Content-Type: text/calendar; charset=utf-8; method=CANCEL\r\n\r\n{ics}"
    )
}

fn reader_pane(s: &State) -> String {
    let a = s.areas().reader;
    let mut t = Terminal::new(TestBackend::new(a.width, a.height)).expect("terminal");
    t.draw(|f| super::reader::draw(s, &Theme::default(), f, f.area(), false))
        .expect("draw");
    t.backend().to_string()
}

#[test]
fn outlook_invitation_80x24() {
    assert_snapshot!(screen(&with_message(80, 24, OUTLOOK)));
}

#[test]
fn outlook_invitation_120x40() {
    assert_snapshot!(screen(&with_message(120, 40, OUTLOOK)));
}

#[test]
fn cancellation_in_the_reader_80x24() {
    let s = with_message(80, 24, &calendar_mail("Canceled: Supplier visit", CANCEL));
    assert_snapshot!(reader_pane(&s));
}

#[test]
fn recurring_invitation_in_the_reader_120x40() {
    let s = with_message(120, 40, &calendar_mail("Stand-up", GOOGLE));
    assert_snapshot!(reader_pane(&s));
}

#[test]
fn the_quoted_text_of_a_reply_leaves_the_block_out() {
    let m = message::parse(9, OUTLOOK.as_bytes());
    let doc = crate::state::reader::Doc::message(&m, 0);
    assert!(!doc.lines_text().any(|l| l.starts_with("── ")));
    let doc = crate::state::reader::Doc::reader(
        &m,
        0,
        &jiff::tz::TimeZone::UTC,
        0,
        crate::state::reader::Shown::ALL,
    );
    assert_eq!(
        doc.lines_text().next(),
        Some("── New invitation · i answers ")
    );
}

#[test]
fn escape_sequences_in_an_invitation_never_reach_the_screen() {
    let ics = include_str!("../../tests/fixtures/calendar/hostile-escapes.ics");
    let s = with_message(120, 40, &calendar_mail("x", ics));
    let a = s.areas().reader;
    let mut t = Terminal::new(TestBackend::new(a.width, a.height)).expect("terminal");
    t.draw(|f| super::reader::draw(&s, &Theme::default(), f, f.area(), false))
        .expect("draw");
    let buf = t.backend().buffer();
    let text: String = buf.content().iter().map(|c| c.symbol()).collect();
    assert!(text.contains("day now really"), "{text}");
    assert!(!text.chars().any(|c| c.is_control()), "{text:?}");
    assert!(!text.contains("evil") && !text.contains("owned"), "{text}");
}
