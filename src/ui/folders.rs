//! Folder tree of the current account.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use unicode_width::UnicodeWidthStr;

use super::theme::Theme;
use crate::layout::{inner_height, inner_width};
use crate::state::Reach;
use crate::state::State;
use crate::text::format::{fit, spinner, thousands};
use crate::worker::ConnState;

pub fn draw(state: &State, theme: &Theme, f: &mut Frame<'_>, area: Rect, focused: bool) {
    let block = theme.pane(" Folders ".into(), focused);
    let Some(acc) = state.account() else {
        f.render_widget(Paragraph::new("no accounts").block(block), area);
        return;
    };
    let width = inner_width(area);
    let saved = virtual_rows(state, theme, width, focused);
    if acc.folders.is_empty() {
        let text = match (&acc.conn, acc.reach()) {
            (ConnState::Failed(_), _) => "—".to_string(),
            (_, Reach::Online) => format!("{} loading…", spinner(state.frame)),
            (_, Reach::Connecting) => format!("{} connecting…", spinner(state.frame)),
            (_, Reach::SigningIn | Reach::SignIn) => "after sign-in".to_string(),
            (_, Reach::Offline) => "none stored (offline)".to_string(),
        };
        let mut lines = saved;
        lines.push(Line::styled(text, theme.dim));
        f.render_widget(Paragraph::new(lines).block(block), area);
        return;
    }
    // Saved searches, the rule and the folders scroll as one list, the
    // cursor kept in view.
    let rows = inner_height(area);
    let above = saved.len();
    let cursor = state.on_virtual.unwrap_or(above + acc.folder_cursor);
    let offset = crate::state::mouse::folder_offset(cursor, rows);
    let open = acc.list.path.as_deref().filter(|_| !state.results_shown());
    let folders = acc
        .folders
        .iter()
        .enumerate()
        .skip(offset.saturating_sub(above))
        .take(rows)
        .map(|(i, folder)| {
            let indent = "  ".repeat(folder.depth.min(6));
            let mark = if Some(folder.path.as_str()) == open {
                "▸ "
            } else {
                "  "
            };
            // Unread count at the right edge, as mutt's sidebar has it.
            // The open folder's count follows its list as it changes.
            let unread = if Some(folder.path.as_str()) == open && !acc.list.items.is_empty() {
                Some(acc.list.unread as u32)
            } else {
                acc.counts.get(&folder.path).map(|(_, u)| *u)
            };
            let unread = unread
                .filter(|u| *u > 0)
                .map(|u| format!(" {}", thousands(u64::from(u))))
                .unwrap_or_default();
            let room = width.saturating_sub(unread.width());
            let text = format!(
                "{}{unread}",
                fit(&format!("{mark}{indent}{}", folder.name), room)
            );
            let mut style = Style::new();
            if !folder.selectable {
                style = theme.dim;
            }
            if Some(folder.path.as_str()) == open {
                style = style.add_modifier(Modifier::BOLD);
            }
            if i == acc.folder_cursor && state.on_virtual.is_none() {
                style = style.patch(theme.cursor(focused));
            }
            Line::styled(text, style)
        });
    let lines: Vec<Line> = saved
        .into_iter()
        .skip(offset)
        .chain(folders)
        .take(rows)
        .collect();
    f.render_widget(Paragraph::new(lines).block(block), area);
}

/// The saved searches (All inboxes first) above the folders, then a rule;
/// nothing when there are none. The open one is marked like a folder, with
/// its unread count once known.
fn virtual_rows(state: &State, theme: &Theme, width: usize, focused: bool) -> Vec<Line<'static>> {
    let saved = state.virtual_folders();
    if saved.is_empty() {
        return Vec::new();
    }
    let open = state
        .results
        .as_ref()
        .filter(|r| r.shown || r.reading.is_some())
        .map(|r| r.name.as_str());
    let mut out: Vec<Line<'static>> = saved
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let is_open = open == Some(s.name.as_str());
            let mark = if is_open { "▸ " } else { "  " };
            let unread = state
                .results
                .as_ref()
                .filter(|_| is_open)
                .map(|r| r.unread())
                .filter(|u| *u > 0)
                .map(|u| format!(" {}", thousands(u as u64)))
                .unwrap_or_default();
            let room = width.saturating_sub(unread.width());
            let name = crate::sanitize::Clean::line(&s.name);
            let text = format!("{}{unread}", fit(&format!("{mark}⌕ {name}"), room));
            let mut style = theme.accent;
            if is_open {
                style = style.add_modifier(Modifier::BOLD);
            }
            if state.on_virtual == Some(i) {
                style = style.patch(theme.cursor(focused));
            }
            Line::styled(text, style)
        })
        .collect();
    out.push(Line::styled("─".repeat(width), theme.dim));
    out
}
