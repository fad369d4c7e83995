use super::*;
use crate::action::{Action, PromptKey};
use crate::mail::message::parse;
use crate::state::prompt::PromptKind;
use crate::state::reader::LineKind;
use crate::state::test_kit::*;
use crate::worker::WorkerEvent;

fn key(s: &mut State, a: UiAction) -> Vec<Command> {
    s.update(Action::Ui(a))
}

/// What the app sends for a key bound to several actions.
fn keys(s: &mut State, a: &[UiAction]) -> Vec<Command> {
    s.update(Action::Keys(a.to_vec()))
}

fn selected_uid(s: &State) -> u32 {
    s.accounts[0]
        .list
        .selected_envelope()
        .map(|e| e.uid)
        .unwrap_or_default()
}

/// The message the reader asked for arrives, parsed from `body`.
fn arrives(s: &mut State, headers: &str, body: &str) {
    let r = &s.accounts[0].reader;
    let (req, uid) = (r.req, r.uid.unwrap_or_default());
    let raw = format!("{headers}Subject: message {uid}\r\n\r\n{body}");
    let message = parse(uid, raw.as_bytes());
    worker(
        s,
        0,
        WorkerEvent::Message {
            req,
            message: Box::new(message),
        },
    );
}

/// Five messages (uid 5 newest, first; odd uids unread), a screen of
/// `width` columns, the first message open in the reader.
fn reading(width: u16, body: &str) -> State {
    let mut s = StateBuilder::default()
        .account(info("work"))
        .size(width, 30)
        .build();
    loaded(&mut s, 0, 5);
    s.focus = Pane::Messages;
    key(&mut s, UiAction::Open);
    arrives(&mut s, "", body);
    assert_eq!(s.focus, Pane::Reader);
    s
}

fn doc_lines(s: &State) -> Vec<(LineKind, String)> {
    let doc = s.accounts[0].reader.layout.doc.as_ref().unwrap();
    doc.lines
        .iter()
        .map(|l| (l.kind, doc.line_text(l).to_string()))
        .collect()
}

fn numbered(n: usize) -> String {
    (1..=n).map(|i| format!("line {i}\n")).collect()
}

#[test]
fn z_makes_the_reader_full_screen_and_back() {
    let mut s = reading(120, "hello");
    let normal = s.areas().reader;
    key(&mut s, UiAction::ToggleFullScreen);
    assert!(s.reader_full);
    let a = s.areas();
    assert_eq!((a.reader.x, a.reader.y, a.reader.width), (0, 0, 120));
    assert!(a.reader.height > normal.height);
    assert!(a.messages.is_empty() && a.folders.is_empty());
    // The reader lays out at its new width.
    assert_eq!(s.accounts[0].reader.layout.width, Some(118));
    key(&mut s, UiAction::ToggleFullScreen);
    assert!(!s.reader_full);
    assert_eq!(s.areas().reader, normal);
    assert_eq!(s.focus, Pane::Reader);
}

#[test]
fn enter_again_in_the_reader_is_full_screen_and_esc_goes_back_to_the_list() {
    let mut s = reading(120, "hello");
    key(&mut s, UiAction::Open);
    assert!(s.reader_full);
    key(&mut s, UiAction::Open);
    assert!(!s.reader_full);
    key(&mut s, UiAction::Open);
    key(&mut s, UiAction::Back);
    assert!(!s.reader_full);
    assert_eq!(s.focus, Pane::Messages);
    // The list never shrank for it: its rows are those beside the reader.
    assert!(s.list_rows() > 5);
}

#[test]
fn z_from_the_list_opens_the_selected_message_full_screen_and_reads_it() {
    let mut s = StateBuilder::default()
        .account(info("work"))
        .size(120, 30)
        .build();
    loaded(&mut s, 0, 5);
    s.focus = Pane::Messages;
    // Shown already (previewed), now read.
    let cmds = key(&mut s, UiAction::ToggleFullScreen);
    assert_eq!(s.accounts[0].reader.uid, Some(5));
    assert_eq!(marks_read(&cmds), [5]);
    assert_eq!(s.focus, Pane::Reader);
    assert!(s.reader_full);
    // Tab away: the layout is whole again.
    key(&mut s, UiAction::NextPane);
    assert!(!s.reader_full);
    assert!(!s.areas().messages.is_empty());
}

#[test]
fn side_panes_start_hidden_at_80_columns_and_show_at_120() {
    let s = reading(80, "hello");
    let a = s.areas();
    assert!(a.accounts.is_empty() && a.folders.is_empty());
    assert_eq!((a.messages.x, a.messages.width), (0, 80));
    assert_eq!(s.accounts[0].reader.layout.width, Some(78));
    let s = reading(120, "hello");
    assert!(!s.areas().folders.is_empty());
}

#[test]
fn b_shows_and_hides_the_side_panes_and_focus_shows_them() {
    let mut s = reading(80, "hello");
    key(&mut s, UiAction::ToggleSidePanes);
    assert_eq!(s.side_panes, SidePanes::Show);
    assert!(!s.areas().folders.is_empty());
    key(&mut s, UiAction::ToggleSidePanes);
    assert_eq!(s.side_panes, SidePanes::Hide);
    assert!(s.areas().folders.is_empty());
    // Esc from the list reaches the folders, shown while they have focus.
    key(&mut s, UiAction::Back);
    key(&mut s, UiAction::Back);
    assert_eq!(s.focus, Pane::Folders);
    assert!(!s.areas().folders.is_empty());
    key(&mut s, UiAction::Open);
    assert_eq!(s.focus, Pane::Messages);
    assert!(s.areas().folders.is_empty());
    // Hidden at 120 columns when the setting says so.
    let mut s = reading(120, "hello");
    s.side_panes = SidePanes::Hide;
    assert!(s.areas().folders.is_empty());
    // Hiding them while they have focus moves it to the list.
    s.focus = Pane::Folders;
    s.side_panes = SidePanes::Show;
    key(&mut s, UiAction::ToggleSidePanes);
    assert_eq!(s.focus, Pane::Messages);
}

#[test]
fn j_and_k_open_the_next_and_previous_message_and_read_it() {
    let mut s = reading(120, "hello");
    assert_eq!(selected_uid(&s), 5);
    let cmds = key(&mut s, UiAction::NextMessage);
    assert_eq!(selected_uid(&s), 4);
    assert_eq!(loads(&cmds), Some(4));
    assert_eq!(s.focus, Pane::Reader);
    arrives(&mut s, "", "four");
    let cmds = key(&mut s, UiAction::NextMessage);
    assert_eq!(loads(&cmds), Some(3));
    assert_eq!(marks_read(&cmds), [3]);
    let cmds = key(&mut s, UiAction::PrevMessage);
    assert_eq!(loads(&cmds), Some(4));
    // At the ends: said, nothing else.
    key(&mut s, UiAction::PrevMessage);
    assert!(key(&mut s, UiAction::PrevMessage).is_empty());
    assert!(s.notice.as_ref().unwrap().text.as_str().contains("first"));
    // From the list: the same moves, previewed, not read.
    s.focus = Pane::Messages;
    let cmds = key(&mut s, UiAction::NextMessage);
    assert_eq!(loads(&cmds), Some(4));
    assert!(marks_read(&cmds).is_empty());
}

#[test]
fn next_and_previous_unread_skip_read_messages() {
    // uids 5..1, odd ones unread; 5 was read on opening.
    let mut s = reading(120, "hello");
    let cmds = key(&mut s, UiAction::NextUnread);
    assert_eq!(selected_uid(&s), 3);
    assert_eq!(marks_read(&cmds), [3]);
    key(&mut s, UiAction::NextUnread);
    assert_eq!(selected_uid(&s), 1);
    assert!(key(&mut s, UiAction::NextUnread).is_empty());
    assert!(
        s.notice
            .as_ref()
            .unwrap()
            .text
            .as_str()
            .contains("no unread")
    );
    assert_eq!(selected_uid(&s), 1);
    // 3 and 5 are read now: nothing before.
    assert!(key(&mut s, UiAction::PrevUnread).is_empty());
    assert_eq!(selected_uid(&s), 1);
    key(&mut s, UiAction::ToggleRead);
    s.focus = Pane::Messages;
    key(&mut s, UiAction::Top);
    s.focus = Pane::Reader;
    key(&mut s, UiAction::NextUnread);
    assert_eq!(selected_uid(&s), 1);
}

#[test]
fn headers_fold_long_lists_and_h_shows_them_all() {
    let to: Vec<String> = (1..=9).map(|i| format!("P{i} <p{i}@x.example>")).collect();
    let headers = format!(
        "Received: from a.example\r\n\tby b.example\r\nFrom: A <a@x.example>\r\nTo: {}\r\n\
Cc: \"Doe, Jane\" <j@x.example>\r\nMessage-ID: <m1@x.example>\r\n",
        to.join(", ")
    );
    let mut s = StateBuilder::default()
        .account(info("work"))
        .size(120, 30)
        .build();
    loaded(&mut s, 0, 5);
    key(&mut s, UiAction::Open);
    arrives(&mut s, &headers, "hello");
    let lines = doc_lines(&s);
    let to_line = lines.iter().find(|l| l.1.starts_with("To: ")).unwrap();
    assert_eq!(
        to_line.1,
        "To: P1 <p1@x.example>, P2 <p2@x.example>, P3 <p3@x.example> +6 more"
    );
    // A comma inside quotes is not between addresses: short, shown whole.
    assert!(
        lines
            .iter()
            .any(|l| l.1 == "Cc: \"Doe, Jane\" <j@x.example>")
    );
    assert!(!lines.iter().any(|l| l.1.starts_with("Received")));
    key(&mut s, UiAction::ToggleHeaders);
    assert!(s.all_headers);
    let lines = doc_lines(&s);
    let to_line = lines.iter().find(|l| l.1.starts_with("To: ")).unwrap();
    assert!(to_line.1.ends_with("P9 <p9@x.example>"), "{}", to_line.1);
    // And the other fields, unfolded, after the main ones.
    let texts: Vec<&str> = lines.iter().map(|l| l.1.as_str()).collect();
    let subject = texts
        .iter()
        .position(|t| t.starts_with("Subject: "))
        .unwrap();
    let received = texts
        .iter()
        .position(|t| *t == "Received: from a.example by b.example")
        .unwrap_or_else(|| panic!("{texts:?}"));
    assert!(received > subject);
    assert!(texts.contains(&"Message-ID: <m1@x.example>"));
    assert_eq!(texts.iter().filter(|t| t.starts_with("From: ")).count(), 1);
    // It holds for the next message too, until toggled again.
    key(&mut s, UiAction::NextMessage);
    assert!(s.all_headers);
}

#[test]
fn quotes_and_the_signature_are_told_apart_and_long_quotes_fold() {
    let quote: String = (1..=12).map(|i| format!("> quoted {i}\n")).collect();
    let body =
        format!("Hi,\n\nOn Monday Bob wrote:\n{quote}> \nshort:\n> one\n\nThanks\n-- \nAlice\n");
    let mut s = reading(120, &body);
    let lines = doc_lines(&s);
    let kind = |text: &str| lines.iter().find(|l| l.1 == text).map(|l| l.0);
    assert_eq!(kind("> quoted 3"), Some(LineKind::Quote));
    assert_eq!(kind("> one"), Some(LineKind::Quote));
    assert_eq!(kind("Thanks"), Some(LineKind::Body));
    assert_eq!(kind("-- "), Some(LineKind::Signature));
    assert_eq!(kind("Alice"), Some(LineKind::Signature));
    key(&mut s, UiAction::ToggleQuotes);
    assert!(s.fold_quotes);
    let lines = doc_lines(&s);
    assert!(
        lines
            .iter()
            .any(|l| l.0 == LineKind::QuoteFold && l.1 == "[... 13 quoted lines]"),
        "{lines:?}"
    );
    assert!(!lines.iter().any(|l| l.1 == "> quoted 3"));
    // A short quote stays.
    assert!(lines.iter().any(|l| l.1 == "> one"));
    key(&mut s, UiAction::ToggleQuotes);
    assert!(doc_lines(&s).iter().any(|l| l.1 == "> quoted 3"));
}

fn type_text(s: &mut State, text: &str) {
    for c in text.chars() {
        s.update(Action::Prompt(PromptKey::Char(c)));
    }
}

const SLASH: &[UiAction] = &[UiAction::FindInMessage, UiAction::Search];
const N: &[UiAction] = &[UiAction::FindNext, UiAction::NextMatch];
const SHIFT_N: &[UiAction] = &[UiAction::FindPrev, UiAction::PrevMatch];

#[test]
fn slash_in_the_reader_finds_in_the_message_and_n_moves_between_hits() {
    let mut body = numbered(200);
    body.push_str("the needle is here\n");
    body.push_str(&numbered(100));
    body.push_str("Needle again, and a needle\n");
    let mut s = reading(120, &body);
    keys(&mut s, SLASH);
    assert_eq!(
        s.prompt.as_ref().map(|p| &p.kind),
        Some(&PromptKind::FindInMessage)
    );
    type_text(&mut s, "needle");
    let f = s.finding().unwrap();
    assert_eq!(f.count(), "1/3");
    // Scrolled to it as it was typed.
    let scroll = s.accounts[0].reader.scroll;
    let hit = f.hits[0];
    let row = crate::state::find::row_of(&s.accounts[0].reader.layout, hit).unwrap();
    assert!(row >= scroll && row < scroll + s.reader_height());
    assert!(scroll > 100);
    s.update(Action::Prompt(PromptKey::Enter));
    assert!(s.prompt.is_none());
    assert!(s.notice.as_ref().unwrap().text.as_str().contains("1/3"));
    keys(&mut s, N);
    assert_eq!(s.finding().unwrap().count(), "2/3");
    let after = s.accounts[0].reader.scroll;
    assert!(after > scroll);
    keys(&mut s, N);
    assert_eq!(s.finding().unwrap().count(), "3/3");
    keys(&mut s, N);
    assert_eq!(s.finding().unwrap().count(), "1/3");
    assert!(s.notice.as_ref().unwrap().text.as_str().contains("top"));
    keys(&mut s, SHIFT_N);
    assert_eq!(s.finding().unwrap().count(), "3/3");
    // The list's selection never moved.
    assert_eq!(selected_uid(&s), 5);
    // Esc clears the search and stays in the reader; Esc again leaves.
    key(&mut s, UiAction::Back);
    assert!(s.finding().is_none());
    assert_eq!(s.focus, Pane::Reader);
    // Without a search, n is the list's next match again.
    assert!(!s.applies(UiAction::FindNext));
    key(&mut s, UiAction::Back);
    assert_eq!(s.focus, Pane::Messages);
}

#[test]
fn slash_in_the_list_is_the_list_search_and_esc_in_the_prompt_clears() {
    let mut s = reading(120, "find me");
    s.focus = Pane::Messages;
    keys(&mut s, SLASH);
    assert_eq!(
        s.prompt.as_ref().map(|p| &p.kind),
        Some(&PromptKind::Search)
    );
    s.update(Action::Prompt(PromptKey::Esc));
    s.focus = Pane::Reader;
    keys(&mut s, SLASH);
    type_text(&mut s, "zzz");
    assert_eq!(s.finding().unwrap().count(), "0/0");
    s.update(Action::Prompt(PromptKey::Esc));
    assert!(s.prompt.is_none() && s.finding().is_none());
    // An empty search kept is no search.
    keys(&mut s, SLASH);
    s.update(Action::Prompt(PromptKey::Enter));
    assert!(s.finding().is_none());
}

#[test]
fn the_search_follows_the_lines_when_headers_unfold() {
    let to: Vec<String> = (1..=9).map(|i| format!("P{i} <p{i}@x.example>")).collect();
    let headers = format!("To: {}\r\n", to.join(", "));
    let mut s = StateBuilder::default()
        .account(info("work"))
        .size(120, 30)
        .build();
    loaded(&mut s, 0, 5);
    key(&mut s, UiAction::Open);
    arrives(&mut s, &headers, "p9 is here");
    keys(&mut s, SLASH);
    type_text(&mut s, "p9");
    s.update(Action::Prompt(PromptKey::Enter));
    assert_eq!(s.finding().unwrap().count(), "1/1");
    key(&mut s, UiAction::ToggleHeaders);
    // "P9 <p9@…>" in To, then the body.
    assert_eq!(s.finding().unwrap().hits.len(), 3);
}

/// Headers or quotes toggled move the lines: the current hit is the first
/// one in view, not the same number of a hit somewhere else.
#[test]
fn the_current_hit_after_a_toggle_is_the_one_in_view() {
    let mut body = String::new();
    for i in 0..20 {
        body.push_str(&format!("> quoted needle {i}\n"));
    }
    body.push_str(&numbered(150));
    body.push_str("the needle below\n");
    body.push_str(&numbered(150));
    body.push_str("and a last needle\n");
    let mut s = reading(120, &body);
    // Long quotes folded: only the two hits below them.
    key(&mut s, UiAction::ToggleQuotes);
    keys(&mut s, SLASH);
    type_text(&mut s, "needle");
    s.update(Action::Prompt(PromptKey::Enter));
    assert_eq!(s.finding().unwrap().count(), "1/2");
    keys(&mut s, N);
    assert_eq!(s.finding().unwrap().count(), "2/2");
    // Shown whole: twenty more hits above; the one in view stays current.
    key(&mut s, UiAction::ToggleQuotes);
    let r = &s.accounts[0].reader;
    let f = s.finding().unwrap();
    assert_eq!(f.hits.len(), 22);
    let text = &doc_lines(&s)[f.hits[f.current].line].1;
    assert!(text.contains("last needle"), "{text}");
    let row = crate::state::find::row_of(&r.layout, f.hits[f.current]).unwrap();
    assert!(
        row >= r.scroll && row < r.scroll + s.reader_height(),
        "{row} {}",
        r.scroll
    );
}
