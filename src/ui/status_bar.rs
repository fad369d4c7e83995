//! One line at the bottom: the current account, its connection, the open
//! folder, how it signs in, and the help key.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::format::thousands;
use super::theme;
use crate::state::State;
use crate::worker::ConnState;

pub fn draw(state: &State, f: &mut Frame<'_>, area: Rect) {
    let bar = Style::new().bg(Color::Indexed(235));
    let Some(acc) = state.account() else {
        let hint = "No accounts configured: see mailtui --help, or try mailtui --demo";
        f.render_widget(Paragraph::new(hint).style(bar), area);
        return;
    };
    let sep = Span::styled(" │ ", theme::dim());
    let (conn_text, conn_style) = match &acc.conn {
        ConnState::Idle => ("not connected".to_string(), theme::dim()),
        ConnState::Connecting => (
            format!("connecting to {}…", acc.info.server),
            Style::new().fg(theme::WARN),
        ),
        ConnState::Connected => (
            format!("connected to {}", acc.info.server),
            Style::new().fg(theme::OK),
        ),
        ConnState::Retrying {
            attempt,
            error,
            retry_in_secs,
        } => (
            format!("retry {attempt} in {retry_in_secs}s: {error}"),
            Style::new().fg(theme::WARN),
        ),
        ConnState::Failed(e) => (format!("{e} — a: retry"), Style::new().fg(theme::ERROR)),
    };
    let mut spans = vec![
        Span::styled(
            format!(" {} ", acc.name),
            Style::new().add_modifier(Modifier::BOLD).fg(theme::ACCENT),
        ),
        sep.clone(),
        Span::styled(conn_text, conn_style),
    ];
    if let Some(path) = &acc.list.path {
        let name = acc
            .folders
            .iter()
            .find(|f| &f.path == path)
            .map(|f| f.name.to_string());
        let unread = acc.list.items.iter().filter(|e| !e.flags.seen).count();
        spans.push(sep.clone());
        spans.push(Span::raw(format!(
            "{} {} msgs, {} unread{}",
            name.unwrap_or_else(|| path.clone()),
            thousands(acc.list.exists as u64),
            thousands(unread as u64),
            if acc.list.remaining > 0 {
                " so far"
            } else {
                ""
            }
        )));
    }
    spans.push(sep.clone());
    spans.push(Span::styled(
        format!("auth: {}", acc.info.auth),
        theme::dim(),
    ));
    let left = Line::from(spans);
    let right = Span::styled(" ?: help ", theme::dim());
    let right_w = right.width() as u16;
    let left_area = Rect {
        width: area.width.saturating_sub(right_w),
        ..area
    };
    let right_area = Rect {
        x: area.x + left_area.width,
        width: area.width - left_area.width,
        ..area
    };
    f.render_widget(Paragraph::new(left).style(bar), left_area);
    f.render_widget(Paragraph::new(Line::from(right)).style(bar), right_area);
}
