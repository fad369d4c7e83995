//! Views: functions of `&State` that draw. They never change state and
//! never touch the network.

mod accounts;
mod columns;
mod compose;
mod folders;
mod help;
mod log;
pub mod login;
mod menu;
mod messages;
mod pipe;
mod prompt;
pub mod reader;
mod results;
mod status_bar;
mod status_line;
pub mod theme;

#[cfg(test)]
mod theme_tests;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod sign_in_tests;

#[cfg(test)]
mod attachments_tests;

#[cfg(test)]
mod compose_tests;

#[cfg(test)]
mod calendar_tests;

#[cfg(test)]
mod pager_tests;

#[cfg(test)]
mod columns_tests;
#[cfg(test)]
mod command_line_tests;
#[cfg(test)]
mod limit_tests;
#[cfg(test)]
mod results_tests;

use ratatui::Frame;

use crate::state::{Pane, State};
pub use theme::Theme;

pub fn draw(state: &State, theme: &Theme, frame: &mut Frame<'_>) {
    let a = state.areas();
    // A pane left out of the layout (side panes hidden, the reader full
    // screen) has no room.
    if !a.accounts.is_empty() {
        accounts::draw(
            state,
            theme,
            frame,
            a.accounts,
            state.focus == Pane::Accounts,
        );
    }
    if !a.folders.is_empty() {
        folders::draw(state, theme, frame, a.folders, state.focus == Pane::Folders);
    }
    let results = state.results.as_ref().filter(|r| r.shown);
    if let (false, Some(r)) = (a.messages.is_empty(), results) {
        results::draw(
            state,
            r,
            theme,
            frame,
            a.messages,
            state.focus == Pane::Messages,
        );
    } else if !a.messages.is_empty() {
        messages::draw(
            state,
            theme,
            frame,
            a.messages,
            state.focus == Pane::Messages,
        );
    }
    reader::draw(state, theme, frame, a.reader, state.focus == Pane::Reader);
    if let Some(area) = a.log {
        log::draw(state, theme, frame, area, state.focus == Pane::Log);
    }
    status_bar::draw(state, theme, frame, a.status);
    if state.account().is_some_and(|acc| acc.wants_sign_in_panel()) {
        login::draw(state, theme, frame, frame.area());
    }
    if state.reviewing() {
        compose::draw(state, theme, frame, frame.area());
    }
    if state.show_outbox {
        compose::draw_outbox(state, theme, frame, frame.area());
    }
    if state.menu.is_some() {
        menu::draw(state, theme, frame, frame.area());
    }
    if state.cli.view.is_some() {
        pipe::draw(state, theme, frame, frame.area());
    }
    if state.prompt.is_some() {
        prompt::draw(state, theme, frame, frame.area());
    }
    if state.show_help {
        help::draw(state, theme, frame, frame.area());
    }
}
