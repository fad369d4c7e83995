//! `?`: the key bindings in a box over the screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::theme;
use crate::state::State;

pub fn draw(state: &State, f: &mut Frame<'_>, area: Rect) {
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
    let width = (key_w + desc_w + 6) as u16;
    let height = state.help.len() as u16 + 4;
    let [v] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(v);
    let mut lines: Vec<Line> = state
        .help
        .iter()
        .map(|(k, d)| {
            Line::from(vec![
                Span::styled(format!(" {k:<key_w$}  "), Style::new().fg(theme::ACCENT)),
                Span::raw(d.as_str()),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(" any key closes this", theme::dim()));
    f.render_widget(Clear, popup);
    f.render_widget(
        Paragraph::new(lines).block(theme::pane(" Keys ".into(), true)),
        popup,
    );
}
