//! The reader as a pager on screen: full screen, folded headers, quotes
//! and the signature dimmed, long quotes folded, the search marked. Text
//! by snapshot; where a style carries the meaning, by the cells' styles
//! with the colourless theme (what NO_COLOR gives).

use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Modifier;

use super::Theme;
use super::tests::{sample_state, screen};
use crate::action::{Action, PromptKey, UiAction};
use crate::config::theme::Preset;
use crate::mail::message;
use crate::state::{Pane, State};
use crate::worker::WorkerEvent;

fn reply() -> String {
    let to: Vec<String> = [
        "Alice Martin",
        "Bob Okafor",
        "Dana Levi",
        "Eve Tanaka",
        "Farid Haddad",
        "Grace Kim",
        "Hugo Silva",
        "Ines Costa",
        "Jon Berg",
    ]
    .iter()
    .map(|n| {
        let first = n.split(' ').next().unwrap_or_default().to_lowercase();
        format!("{n} <{first}@contoso.example>")
    })
    .collect();
    let quote: String = (1..=12)
        .map(|i| format!("> Region {i}: figures as agreed on the call, see the sheet.\r\n"))
        .collect();
    format!(
        "From: Chen Wei <chen.wei@contoso.example>\r\nTo: {}\r\n\
Cc: Finance Team <finance@contoso.example>\r\nSubject: Re: Q4 numbers for the review\r\n\
Date: Tue, 03 Nov 2026 12:40:00 +0000\r\n\r\n\
Thanks, the East numbers look right; the needle is West.\r\n\r\n\
On Mon, Alice Martin wrote:\r\n{quote}>\r\n\
Can we meet Thursday to find the needle?\r\n\r\n-- \r\nChen Wei\r\nContoso Finance\r\n",
        to.join(", ")
    )
}

/// The sample screen with the reply open and the reader focused.
fn reading(width: u16, height: u16) -> State {
    let mut s = sample_state(width, height);
    let req = s.accounts[0].reader.req;
    let m = message::parse(9, reply().as_bytes());
    s.update(Action::Worker {
        account: 0,
        event: WorkerEvent::Message {
            req,
            message: Box::new(m),
        },
    });
    s.focus = Pane::Reader;
    s.update(Action::Tick { now: s.now });
    s
}

fn buffer(s: &State, theme: &Theme) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(s.width, s.height)).expect("test terminal");
    t.draw(|f| super::draw(s, theme, f)).expect("draw");
    t.backend().buffer().clone()
}

/// The modifiers of the first cell of the row that starts with `text`.
fn modifiers_at(buf: &Buffer, text: &str) -> Modifier {
    let area = buf.area;
    for y in 0..area.height {
        let row: String = (0..area.width).map(|x| buf[(x, y)].symbol()).collect();
        if let Some(at) = row.find(text) {
            let x = row[..at].chars().count() as u16;
            return buf[(x, y)].modifier;
        }
    }
    panic!("{text:?} is not on screen");
}

#[test]
fn full_screen_reader_80x24_and_120x40() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut s = reading(w, h);
        s.update(Action::Ui(UiAction::ToggleFullScreen));
        assert_snapshot!(format!("full_screen_reader_{w}x{h}"), screen(&s));
    }
}

#[test]
fn folded_headers_and_dimmed_quotes_80x24_and_120x40() {
    for (w, h) in [(80, 24), (120, 40)] {
        let s = reading(w, h);
        assert_snapshot!(format!("folded_headers_and_quotes_{w}x{h}"), screen(&s));
    }
    // Without colour the quote is dim and slanted, the signature dim.
    let mut s = reading(120, 40);
    s.update(Action::Ui(UiAction::ToggleFullScreen));
    let buf = buffer(&s, &Theme::preset(Preset::None));
    let quote = modifiers_at(&buf, "> Region 1:");
    assert!(
        quote.contains(Modifier::DIM | Modifier::ITALIC),
        "{quote:?}"
    );
    let signature = modifiers_at(&buf, "Contoso Finance");
    assert!(signature.contains(Modifier::DIM), "{signature:?}");
    let body = modifiers_at(&buf, "Can we meet");
    assert!(
        !body.intersects(Modifier::DIM | Modifier::ITALIC),
        "{body:?}"
    );
}

#[test]
fn all_headers_and_folded_quotes_120x40() {
    let mut s = reading(120, 40);
    s.update(Action::Ui(UiAction::ToggleFullScreen));
    s.update(Action::Ui(UiAction::ToggleHeaders));
    s.update(Action::Ui(UiAction::ToggleQuotes));
    assert_snapshot!(screen(&s));
}

#[test]
fn search_in_the_message_80x24() {
    let mut s = reading(80, 24);
    s.update(Action::Ui(UiAction::ToggleFullScreen));
    s.update(Action::Keys(vec![
        UiAction::FindInMessage,
        UiAction::Search,
    ]));
    for c in "needle".chars() {
        s.update(Action::Prompt(PromptKey::Char(c)));
    }
    s.update(Action::Prompt(PromptKey::Enter));
    s.update(Action::Keys(vec![UiAction::FindNext, UiAction::NextMatch]));
    s.update(Action::Tick { now: s.now + 60 });
    let out = screen(&s);
    assert!(out.contains("/needle 2/2"), "{out}");
    assert_snapshot!(out);
    // Each hit stands out without colour; the one `n` went to is reversed.
    let buf = buffer(&s, &Theme::preset(Preset::None));
    let first = modifiers_at(&buf, "needle is West");
    assert!(first.contains(Modifier::UNDERLINED), "{first:?}");
    assert!(!first.contains(Modifier::REVERSED), "{first:?}");
    let current = modifiers_at(&buf, "needle?");
    assert!(
        current.contains(Modifier::REVERSED | Modifier::UNDERLINED),
        "{current:?}"
    );
}

#[test]
fn a_hit_in_a_quote_keeps_the_quote_dim() {
    let mut s = reading(120, 40);
    s.update(Action::Ui(UiAction::ToggleFullScreen));
    s.update(Action::Keys(vec![
        UiAction::FindInMessage,
        UiAction::Search,
    ]));
    for c in "figures".chars() {
        s.update(Action::Prompt(PromptKey::Char(c)));
    }
    s.update(Action::Prompt(PromptKey::Enter));
    let buf = buffer(&s, &Theme::preset(Preset::None));
    // The row's first cell is no hit: it keeps the quote's own style.
    let quote = modifiers_at(&buf, "> Region 1:");
    assert!(
        quote.contains(Modifier::DIM | Modifier::ITALIC),
        "{quote:?}"
    );
    let hit = modifiers_at(&buf, "figures as agreed");
    assert!(
        hit.contains(Modifier::UNDERLINED | Modifier::DIM),
        "{hit:?}"
    );
}

/// The demo's HTML notice (a table, bold dates, a link).
const DEMO_NOTICE: &[u8] =
    include_bytes!("../../assets/demo/work/cur/1795674600.M3P1.demo.mailtui:2,");

#[test]
fn html_mail_shows_styles_not_marks_80x24_and_120x40() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut s = sample_state(w, h);
        let req = s.accounts[0].reader.req;
        s.update(Action::Worker {
            account: 0,
            event: WorkerEvent::Message {
                req,
                message: Box::new(message::parse(9, DEMO_NOTICE)),
            },
        });
        s.focus = Pane::Reader;
        s.update(Action::Ui(UiAction::ToggleFullScreen));
        let out = screen(&s);
        assert!(out.contains("┃Planned maintenance "), "{out}");
        assert!(!out.contains("**") && !out.contains("## "), "{out}");
        assert_snapshot!(format!("html_notice_{w}x{h}"), out);
        // The styles carry what the marks said, without colour too.
        let buf = buffer(&s, &Theme::preset(Preset::None));
        assert!(modifiers_at(&buf, "Planned maintenance").contains(Modifier::BOLD));
        assert!(modifiers_at(&buf, "Saturday 28 November").contains(Modifier::BOLD));
        assert!(!modifiers_at(&buf, "Dear colleague").contains(Modifier::BOLD));
        s.update(Action::Ui(UiAction::Bottom));
        let out = screen(&s);
        assert!(out.contains("status page[1]"), "{out}");
        let buf = buffer(&s, &Theme::preset(Preset::None));
        assert!(modifiers_at(&buf, "status page").contains(Modifier::UNDERLINED));
        assert!(modifiers_at(&buf, "[1]").contains(Modifier::DIM));
        // The link's number is the links menu's.
        s.update(Action::Ui(UiAction::Links));
        let menu = screen(&s);
        assert!(
            menu.contains("[1] https://status.contoso.example/maint/2026-11-28"),
            "{menu}"
        );
    }
}
