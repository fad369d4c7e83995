//! The log panel: the app's own tracing events, newest at the bottom.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tracing::Level;

use super::theme::Theme;
use crate::layout::inner_height;
use crate::state::State;
use crate::text::format::clock;

fn level_style(theme: &Theme, level: Level) -> Style {
    match level {
        Level::ERROR => theme.error,
        Level::WARN => theme.warning,
        Level::INFO => theme.ok,
        _ => theme.dim,
    }
}

pub fn draw(state: &State, theme: &Theme, f: &mut Frame<'_>, area: Rect, focused: bool) {
    let rows = inner_height(area);
    let end = state.log.len().saturating_sub(state.log_scroll);
    let start = end.saturating_sub(rows);
    let title = if state.log_scroll > 0 {
        format!(" Log (↑{}) ", state.log_scroll)
    } else {
        " Log ".to_string()
    };
    let lines: Vec<Line> = state
        .log
        .range(start..end)
        .map(|r| {
            Line::from(vec![
                Span::styled(clock(r.time, state.utc_offset), theme.dim),
                Span::raw(" "),
                Span::styled(format!("{:<5}", r.level), level_style(theme, r.level)),
                Span::raw(" "),
                Span::raw(r.text.as_str()),
            ])
        })
        .collect();
    f.render_widget(
        Paragraph::new(lines).block(theme.pane(title, focused)),
        area,
    );
}
