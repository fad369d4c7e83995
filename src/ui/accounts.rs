//! Accounts pane: one line each, with the connection state.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::format::{fit, spinner};
use super::layout::inner_width;
use super::theme;
use crate::state::{AccountState, State};
use crate::worker::ConnState;

/// Glyph, colour and a few words for a connection state.
pub fn conn_badge(acc: &AccountState, frame: u64) -> (&'static str, Style, String) {
    match &acc.conn {
        ConnState::Idle => ("○", theme::dim(), "idle".into()),
        ConnState::Connecting => (
            spinner(frame),
            Style::new().fg(theme::WARN),
            "connecting".into(),
        ),
        ConnState::Connected if acc.busy() => {
            (spinner(frame), Style::new().fg(theme::OK), "loading".into())
        }
        ConnState::Connected => ("●", Style::new().fg(theme::OK), "connected".into()),
        ConnState::Retrying { attempt, .. } => (
            "↻",
            Style::new().fg(theme::WARN),
            format!("retry {attempt}"),
        ),
        ConnState::Failed(_) => ("✗", Style::new().fg(theme::ERROR), "failed".into()),
    }
}

pub fn draw(state: &State, f: &mut Frame<'_>, area: Rect, focused: bool) {
    let width = inner_width(area);
    let lines: Vec<Line> = state
        .accounts
        .iter()
        .enumerate()
        .map(|(i, acc)| {
            let (glyph, style, words) = conn_badge(acc, state.frame);
            let key = if i < 9 {
                format!("{} ", i + 1)
            } else {
                "  ".into()
            };
            // "1 name   ● words" — words only when there is room.
            let words = if width >= 20 + words.len() {
                format!(" {words}")
            } else {
                String::new()
            };
            let name_w = width.saturating_sub(2 + 2 + words.chars().count());
            let mut line = Line::from(vec![
                Span::styled(key, theme::dim()),
                Span::raw(fit(acc.name.as_str(), name_w)),
                Span::raw(" "),
                Span::styled(glyph, style),
                Span::styled(words, style),
            ]);
            if i == state.current {
                line = line.style(theme::cursor(focused).add_modifier(Modifier::BOLD));
            }
            line
        })
        .collect();
    let block = theme::pane(" Accounts ".into(), focused);
    f.render_widget(Paragraph::new(lines).block(block), area);
}
