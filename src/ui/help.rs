//! `?`: the key bindings in a box over the screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::theme::Theme;
use crate::state::State;

pub fn draw(state: &State, theme: &Theme, f: &mut Frame<'_>, area: Rect) {
    // Too many keys for one column on this screen: two side by side.
    let fits = state.help.len() as u16 + 4 <= area.height;
    let columns = if fits { 1 } else { 2 };
    let per_column = state.help.len().div_ceil(columns);
    // Each column as wide as its own longest entry.
    let widths: Vec<(usize, usize)> = (0..columns)
        .map(|col| {
            let entries = state.help.iter().skip(col * per_column).take(per_column);
            entries.fold((0, 0), |(k, d), (key, desc)| {
                (
                    k.max(key.chars().count().min(24)),
                    d.max(desc.chars().count()),
                )
            })
        })
        .collect();
    let total: usize = widths.iter().map(|(k, d)| k + d + 4).sum();
    let width = (total as u16 + 2).min(area.width);
    let height = (per_column as u16 + 4).min(area.height);
    let [v] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(v);
    let entry = |(k, d): &(String, String), (key_w, desc_w): (usize, usize)| {
        vec![
            Span::styled(format!(" {k:<key_w$}  "), theme.accent),
            Span::raw(format!("{d:<desc_w$} ")),
        ]
    };
    let mut lines: Vec<Line> = (0..per_column)
        .map(|row| {
            let mut spans = Vec::new();
            for (col, w) in widths.iter().enumerate() {
                if let Some(e) = state.help.get(col * per_column + row) {
                    spans.extend(entry(e, *w));
                }
            }
            Line::from(spans)
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(" any key closes this", theme.dim));
    f.render_widget(Clear, popup);
    f.render_widget(
        Paragraph::new(lines).block(theme.pane(" Keys ".into(), true)),
        popup,
    );
}
