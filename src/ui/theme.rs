//! Colours and styles, in one place.

use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Block, BorderType, Borders};

pub const ACCENT: Color = Color::Cyan;
pub const OK: Color = Color::Green;
pub const WARN: Color = Color::Yellow;
pub const ERROR: Color = Color::Red;
pub const DIM: Color = Color::DarkGray;
/// Rows matching the active search.
pub const MATCH: Color = Color::Magenta;

pub fn pane(title: String, focused: bool) -> Block<'static> {
    let (border, title_style) = if focused {
        (
            Style::new().fg(ACCENT),
            Style::new().fg(ACCENT).add_modifier(Modifier::BOLD),
        )
    } else {
        (Style::new().fg(DIM), Style::new())
    };
    Block::new()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(border)
        .title(ratatui::text::Span::styled(title, title_style))
}

/// The cursor row: strong when the pane has focus, faint otherwise.
pub fn cursor(focused: bool) -> Style {
    if focused {
        Style::new().add_modifier(Modifier::REVERSED)
    } else {
        Style::new().bg(Color::Indexed(236))
    }
}

pub fn dim() -> Style {
    Style::new().fg(DIM)
}
