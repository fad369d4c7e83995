//! The output of a command the message was piped to, over the screen
//! (the status bar stays below): how it ended first when worth saying,
//! then the lines, already cleaned and capped by the state.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::theme::Theme;
use crate::state::State;
use crate::text::format::truncate;

pub fn draw(state: &State, theme: &Theme, f: &mut Frame<'_>, area: Rect) {
    let Some(v) = &state.cli.view else { return };
    let status = state.areas().status.height;
    let area = Rect {
        height: area.height.saturating_sub(status),
        ..area
    };
    let rows = state.pipe_rows();
    let notes = v
        .notes
        .iter()
        .map(|n| Line::from(Span::styled(n.clone(), theme.error)));
    let lines = v.lines.iter().map(|l| Line::from(l.as_str().to_string()));
    let shown: Vec<Line<'_>> = notes.chain(lines).skip(v.scroll).take(rows).collect();
    let last = (v.scroll + rows).min(v.len());
    let title = format!(
        " | {} ",
        truncate(v.command.as_str(), usize::from(area.width) / 2)
    );
    let footer = format!(
        " {}-{} of {} · j k PgUp PgDn scroll · q Esc close ",
        (v.scroll + 1).min(v.len()),
        last,
        v.len()
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(title, theme.title))
        .title_bottom(Span::styled(footer, theme.dim));
    f.render_widget(Clear, area);
    f.render_widget(Paragraph::new(shown).block(block), area);
}
