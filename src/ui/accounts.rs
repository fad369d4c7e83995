//! Accounts pane: one line each, with the connection state.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use crate::auth::service::TokenPhase;
use crate::layout::inner_width;
use crate::state::{AccountState, State};
use crate::text::format::{countdown, duration, fit, spinner};
use crate::worker::ConnState;

/// Glyph, colour and a few words for an account: its token state first
/// (OAuth accounts), then its connection.
pub fn badge(
    acc: &AccountState,
    theme: &Theme,
    now: i64,
    frame: u64,
) -> (&'static str, Style, String) {
    let warn = theme.warning;
    let ok = theme.ok;
    let bad = theme.error;
    if let Some(t) = &acc.token {
        match &t.phase {
            TokenPhase::SignedOut => return ("○", theme.dim, "signed out".into()),
            TokenPhase::WaitingForCode(c) => {
                return ("◷", warn, format!("code {}", countdown(c.expires_at - now)));
            }
            TokenPhase::WaitingForBrowser(_) => return ("◷", warn, "browser".into()),
            TokenPhase::SignInNeeded(_) => return ("✗", bad, "sign-in needed".into()),
            TokenPhase::Refreshing => return (spinner(frame), ok, "refreshing".into()),
            TokenPhase::SignedIn => {}
        }
    }
    let token_left = acc
        .token
        .as_ref()
        .and_then(|t| t.access_expires_at)
        .map(|at| format!("token {}", duration(at - now)));
    match &acc.conn {
        ConnState::Idle => ("○", theme.dim, token_left.unwrap_or_else(|| "idle".into())),
        ConnState::Connecting => (spinner(frame), warn, "connecting".into()),
        ConnState::Reconnecting => (spinner(frame), warn, "reconnecting".into()),
        ConnState::Connected if acc.busy() => (spinner(frame), ok, "loading".into()),
        ConnState::Connected => ("●", ok, token_left.unwrap_or_else(|| "connected".into())),
        ConnState::Retrying { .. } => (
            "↻",
            warn,
            match acc.retry_in(now) {
                Some(s) if s > 0 => format!("in {s}s"),
                _ => "retrying".into(),
            },
        ),
        ConnState::Failed(_) => ("✗", bad, "failed".into()),
    }
}

pub fn draw(state: &State, theme: &Theme, f: &mut Frame<'_>, area: Rect, focused: bool) {
    let width = inner_width(area);
    let lines: Vec<Line> = state
        .accounts
        .iter()
        .enumerate()
        .map(|(i, acc)| {
            let (glyph, style, words) = badge(acc, theme, state.now, state.frame);
            let key = if i < 9 {
                format!("{} ", i + 1)
            } else {
                "  ".into()
            };
            // "1 name   ● words" — words only when there is room.
            // Words only while the name keeps six columns.
            let words = if width >= 2 + 2 + 1 + words.chars().count() + 6 {
                format!(" {words}")
            } else {
                String::new()
            };
            let name_w = width.saturating_sub(2 + 2 + words.chars().count());
            let mut line = Line::from(vec![
                Span::styled(key, theme.dim),
                Span::raw(fit(acc.name.as_str(), name_w)),
                Span::raw(" "),
                Span::styled(glyph, style),
                Span::styled(words, style),
            ]);
            if i == state.current {
                line = line.style(theme.cursor(focused).add_modifier(Modifier::BOLD));
            }
            line
        })
        .collect();
    let block = theme.pane(" Accounts ".into(), focused);
    f.render_widget(Paragraph::new(lines).block(block), area);
}
