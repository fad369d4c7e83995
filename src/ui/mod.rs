//! Views: functions of `&State` that draw. They never change state and
//! never touch the network.

mod accounts;
mod folders;
pub mod format;
mod help;
pub mod layout;
mod log;
pub mod login;
mod menu;
mod messages;
mod prompt;
pub mod reader;
mod status_bar;
mod theme;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod sign_in_tests;

#[cfg(test)]
mod attachments_tests;

use ratatui::Frame;

use crate::state::{Pane, State};

pub fn draw(state: &State, frame: &mut Frame<'_>) {
    let a = state.areas();
    accounts::draw(state, frame, a.accounts, state.focus == Pane::Accounts);
    folders::draw(state, frame, a.folders, state.focus == Pane::Folders);
    messages::draw(state, frame, a.messages, state.focus == Pane::Messages);
    reader::draw(state, frame, a.reader, state.focus == Pane::Reader);
    if let Some(area) = a.log {
        log::draw(state, frame, area, state.focus == Pane::Log);
    }
    status_bar::draw(state, frame, a.status);
    if state.account().is_some_and(|acc| acc.wants_sign_in_panel()) {
        login::draw(state, frame, frame.area());
    }
    if state.menu.is_some() {
        menu::draw(state, frame, frame.area());
    }
    if state.prompt.is_some() {
        prompt::draw(state, frame, frame.area());
    }
    if state.show_help {
        help::draw(state, frame, frame.area());
    }
}
