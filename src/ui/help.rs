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
    let key_w = state
        .help
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0)
        .min(24);
    let desc_w = state
        .help
        .iter()
        .map(|(_, d)| d.chars().count())
        .max()
        .unwrap_or(0);
    let column_w = key_w + desc_w + 4;
    let width = ((column_w * columns) as u16 + 2).min(area.width);
    let height = (per_column as u16 + 4).min(area.height);
    let [v] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(v);
    let entry = |(k, d): &(String, String)| {
        vec![
            Span::styled(format!(" {k:<key_w$}  "), theme.accent),
            Span::raw(format!("{d:<desc_w$} ")),
        ]
    };
    let mut lines: Vec<Line> = (0..per_column)
        .map(|row| {
            let mut spans = Vec::new();
            for col in 0..columns {
                if let Some(e) = state.help.get(col * per_column + row) {
                    spans.extend(entry(e));
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
