//! The limit view and a query that does not read, as the screen shows them.

use insta::assert_snapshot;

use super::tests::{sample_state, screen};
use crate::action::{Action, PromptKey, UiAction};
use crate::state::Pane;

fn typed(s: &mut crate::state::State, text: &str) {
    for c in text.chars() {
        s.update(Action::Prompt(PromptKey::Char(c)));
    }
}

#[test]
fn limited_list_80x24() {
    let mut s = sample_state(80, 24);
    s.focus = Pane::Messages;
    s.update(Action::Ui(UiAction::Limit));
    typed(&mut s, "is:unread");
    s.update(Action::Prompt(PromptKey::Enter));
    let shown = screen(&s);
    assert!(
        shown.contains("Inbox · limit: is:unread · 3 of 3,120"),
        "{shown}"
    );
    assert_snapshot!(shown);
}

/// The prompt keeps the query, marks the place at fault and says why, on
/// one line of 80 columns.
#[test]
fn a_query_error_points_at_its_place_in_the_prompt() {
    let mut s = sample_state(80, 24);
    s.focus = Pane::Messages;
    s.update(Action::Ui(UiAction::Search));
    typed(&mut s, "from:bob form:alice");
    let shown = screen(&s);
    let last = shown
        .lines()
        .rfind(|l| l.contains("/from:bob"))
        .unwrap_or_default();
    assert!(last.contains("form:alice"), "{shown}");
    assert!(last.contains("unknown field"), "{last}");
    assert!(last.contains("column 10"), "{last}");
    // The list is untouched: no search yet, every row there.
    assert!(shown.contains("Standup moved"), "{shown}");
}

/// Marks by query: the prompt at 80 columns, then the title counting the
/// marks and those off screen.
#[test]
fn marks_by_query_and_the_marks_off_screen_80x24() {
    let mut s = sample_state(80, 24);
    s.focus = Pane::Messages;
    s.update(Action::Ui(UiAction::MarkMatching));
    typed(&mut s, "is:unread");
    let prompt = screen(&s);
    let last = prompt
        .lines()
        .rfind(|l| l.contains("Mark:"))
        .unwrap_or_default();
    assert!(last.contains("Mark: is:unread"), "{prompt}");
    assert!(last.contains("Enter: mark"), "{last}");
    s.update(Action::Prompt(PromptKey::Enter));
    let shown = screen(&s);
    assert!(shown.contains("3 marked "), "{shown}");
    // Far down the list, the marked rows near the top are off screen.
    s.update(Action::Ui(UiAction::Bottom));
    let shown = screen(&s);
    assert!(shown.contains("3 marked, 1 off screen"), "{shown}");
    assert_snapshot!(shown);
}
