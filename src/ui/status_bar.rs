//! One line at the bottom for the current account: its connection, its
//! tokens (tenant, time left, last refresh, refresh-token age, scopes), the
//! open folder, and the help key. Parts drop off the end when narrow.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::format::{clock, duration, thousands};
use super::theme::Theme;
use crate::auth::service::{TokenPhase, TokenStatus};
use crate::state::{AccountState, ServerKind, State};
use crate::worker::ConnState;

fn connection(acc: &AccountState, theme: &Theme) -> (String, Style) {
    let warn = theme.warning;
    if let Some(t) = &acc.token {
        match &t.phase {
            TokenPhase::SignInNeeded(reason) => {
                return (
                    format!("sign-in needed — {reason} (a: sign in)"),
                    theme.error,
                );
            }
            TokenPhase::SignedOut => {
                let note = t.note.as_ref().map(|n| format!("{n} ")).unwrap_or_default();
                return (format!("{note}signed out (a: sign in)"), theme.dim);
            }
            TokenPhase::WaitingForCode(_) | TokenPhase::WaitingForBrowser(_) => {
                return ("waiting for sign-in".to_string(), warn);
            }
            TokenPhase::SignedIn | TokenPhase::Refreshing => {}
        }
    }
    match &acc.conn {
        ConnState::Idle => ("not connected".to_string(), theme.dim),
        ConnState::Connecting => (format!("connecting to {}…", acc.info.server), warn),
        ConnState::Reconnecting => (format!("reconnecting to {}…", acc.info.server), warn),
        ConnState::Connected if acc.info.kind == ServerKind::Maildir => {
            ("local Maildir".to_string(), theme.ok)
        }
        ConnState::Connected => (format!("connected to {}", acc.info.server), theme.ok),
        ConnState::Retrying {
            attempt,
            error,
            retry_in_secs,
        } => (
            format!("retry {attempt} in {retry_in_secs}s: {error}"),
            warn,
        ),
        ConnState::Failed(e) => (format!("{e} — a: retry"), theme.error),
    }
}

/// Without a working connection, what is shown comes from the store: say
/// so, and how old it is.
fn offline_note(acc: &AccountState, now: i64) -> Option<String> {
    if acc.info.kind == ServerKind::Maildir || matches!(acc.conn, ConnState::Connected) {
        return None;
    }
    let at = acc.list.synced_at?;
    Some(format!(
        "offline: showing what was stored {} ago",
        duration(now - at)
    ))
}

/// Token facts, most useful first. Never the token.
fn token_parts(
    t: &TokenStatus,
    theme: &Theme,
    tenant: Option<&str>,
    now: i64,
    utc_offset: i32,
) -> Vec<Span<'static>> {
    let mut parts = Vec::new();
    if let Some(tenant) = tenant {
        parts.push(Span::styled(format!("tenant {tenant}"), theme.accent));
    }
    if let Some(at) = t.access_expires_at {
        let left = at - now;
        let style = if left < 300 {
            theme.warning
        } else {
            Style::new()
        };
        let text = if left > 0 {
            format!("access token {} left", duration(left))
        } else {
            "access token expired".into()
        };
        parts.push(Span::styled(text, style));
    }
    if let Some((at, result)) = &t.last_refresh {
        let (text, style) = match result {
            Ok(()) => (
                format!("refreshed {} ok", clock(*at, utc_offset)),
                theme.dim,
            ),
            Err(e) => (
                format!("refresh failed {}: {e}", clock(*at, utc_offset)),
                theme.warning,
            ),
        };
        parts.push(Span::styled(text, style));
    }
    if let Some(at) = t.refresh_issued_at {
        parts.push(Span::styled(
            format!("refresh token {} old", duration(now - at)),
            theme.dim,
        ));
    }
    if !t.scopes.is_empty() {
        // Only the last path part of URL scopes: "IMAP.AccessAsUser.All".
        let scopes: Vec<&str> = t
            .scopes
            .iter()
            .map(|s| s.rsplit('/').next().unwrap_or(s))
            .collect();
        parts.push(Span::styled(
            format!("scopes {}", scopes.join(" ")),
            theme.dim,
        ));
    }
    parts
}

pub fn draw(state: &State, theme: &Theme, f: &mut Frame<'_>, area: Rect) {
    let bar = theme.status_bar;
    let Some(acc) = state.account() else {
        let hint = "No accounts configured: see mailtui --help, or try mailtui --demo";
        f.render_widget(Paragraph::new(hint).style(bar), area);
        return;
    };
    let (conn_text, conn_style) = connection(acc, theme);
    let offline = offline_note(acc, state.now);
    let bold = theme.accent.add_modifier(Modifier::BOLD);
    let name = Span::styled(format!(" {} ", acc.name), bold);
    let mut optional = Vec::new();
    // What the last action did (or why it could not) comes first.
    if let Some(n) = state.notice.as_ref().filter(|n| n.until > state.now) {
        let style = if n.error {
            theme.error.add_modifier(Modifier::BOLD)
        } else {
            theme.accent
        };
        optional.push(Span::styled(n.text.to_string(), style));
    }
    if let Some(folder) = acc.open_folder_name() {
        let so_far = if acc.list.remaining > 0 {
            " so far"
        } else {
            ""
        };
        let total = acc.list.items.len() as u64 + u64::from(acc.list.remaining);
        let (shown, noun) = (thousands(total), crate::text::noun(total, "message"));
        let unread = thousands(acc.list.unread as u64);
        optional.push(Span::raw(format!(
            "{folder} {shown} {noun}, {unread} unread{so_far}"
        )));
    }
    if acc.token.is_none() {
        optional.push(Span::styled(format!("auth: {}", acc.info.auth), theme.dim));
    }
    let right = Span::styled(" ?: help ", theme.dim);
    let right_w = right.width() as u16;
    let room = area.width.saturating_sub(right_w) as usize;
    // Offline, what is shown is the store's: said before the (long) reason.
    let mut fixed = vec![name];
    if let Some(note) = offline {
        fixed.push(Span::styled(note, theme.warning));
    }
    fixed.push(Span::styled(conn_text, conn_style));
    let first = fill(theme, fixed, optional, room);
    let line1 = Rect { height: 1, ..area };
    let left_area = Rect {
        width: area.width.saturating_sub(right_w),
        ..line1
    };
    let right_area = Rect {
        x: area.x + left_area.width,
        width: area.width - left_area.width,
        ..line1
    };
    f.render_widget(Paragraph::new(first).style(bar), left_area);
    f.render_widget(Paragraph::new(Line::from(right)).style(bar), right_area);
    // Second line: the account's tokens.
    if let Some(t) = &acc.token
        && area.height > 1
    {
        let mut parts = token_parts(
            t,
            theme,
            acc.info.tenant.as_deref(),
            state.now,
            state.utc_offset,
        )
        .into_iter();
        let head: Vec<Span> = parts.next().into_iter().collect();
        let mut second = fill(
            theme,
            head,
            parts.collect(),
            (area.width as usize).saturating_sub(1),
        );
        second.spans.insert(0, Span::raw(" "));
        let line2 = Rect {
            y: area.y + 1,
            height: 1,
            ..area
        };
        f.render_widget(Paragraph::new(second).style(bar), line2);
    }
}

/// `fixed` joined by separators, then as many of `optional` as fit in `room`.
fn fill<'a>(theme: &Theme, fixed: Vec<Span<'a>>, optional: Vec<Span<'a>>, room: usize) -> Line<'a> {
    let sep = Span::styled(" │ ", theme.dim);
    let mut spans: Vec<Span> = Vec::new();
    for s in fixed {
        if !spans.is_empty() {
            spans.push(sep.clone());
        }
        spans.push(s);
    }
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
    Line::from(spans)
}
