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
    if acc.folders.is_empty() {
        let text = match (&acc.conn, acc.reach()) {
            (ConnState::Failed(_), _) => "—".to_string(),
            (_, Reach::Online) => format!("{} loading…", spinner(state.frame)),
            (_, Reach::Connecting) => format!("{} connecting…", spinner(state.frame)),
            (_, Reach::SigningIn | Reach::SignIn) => "after sign-in".to_string(),
            (_, Reach::Offline) => "none stored (offline)".to_string(),
        };
        f.render_widget(
            Paragraph::new(Line::styled(text, theme.dim)).block(block),
            area,
        );
        return;
    }
    let rows = inner_height(area);
    let width = inner_width(area);
    // Keep the cursor in view.
    let offset = crate::state::mouse::folder_offset(acc.folder_cursor, rows);
    let open = acc.list.path.as_deref();
    let lines: Vec<Line> = acc
        .folders
        .iter()
        .enumerate()
        .skip(offset)
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
            if i == acc.folder_cursor {
                style = style.patch(theme.cursor(focused));
            }
            Line::styled(text, style)
        })
        .collect();
    f.render_widget(Paragraph::new(lines).block(block), area);
}
