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
        ConnState::Connected if acc.info.kind == "Maildir" => {
            ("local Maildir".to_string(), Style::new().fg(theme::OK))
        }
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
    let name = Span::styled(
        format!(" {} ", acc.name),
        Style::new().add_modifier(Modifier::BOLD).fg(theme::ACCENT),
    );
    // Optional parts, most useful first; dropped from the end when narrow.
    let mut optional = vec![Span::styled(
        format!("auth: {}", acc.info.auth),
        theme::dim(),
    )];
    if let Some(path) = &acc.list.path {
        let folder = acc
            .folders
            .iter()
            .find(|f| &f.path == path)
            .map(|f| f.name.to_string())
            .unwrap_or_else(|| path.clone());
        let unread = acc.list.items.iter().filter(|e| !e.flags.seen).count();
        let so_far = if acc.list.remaining > 0 {
            " so far"
        } else {
            ""
        };
        optional.insert(
            0,
            Span::raw(format!(
                "{folder} {} msgs, {} unread{so_far}",
                thousands(acc.list.exists as u64),
                thousands(unread as u64),
            )),
        );
    }
    let right = Span::styled(" ?: help ", theme::dim());
    let room = (area.width as usize).saturating_sub(right.width());
    let mut spans = vec![name, sep.clone(), Span::styled(conn_text, conn_style)];
    let mut used: usize = spans.iter().map(Span::width).sum();
    for part in optional {
        let w = sep.width() + part.width();
        if used + w > room {
            break;
        }
        used += w;
        spans.push(sep.clone());
        spans.push(part);
    }
    let left = Line::from(spans);
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
