//! One line at the bottom for the current account: its connection, its
//! tokens (tenant, time left, last refresh, refresh-token age, scopes), the
//! open folder, and the help key. On a narrow line the parts give way by
//! importance ([`lay_out`]): what the last action did, with its undo key,
//! always stays; connection details go first; whatever is cut ends in "…".

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use unicode_width::UnicodeWidthStr;

use super::status_line::{Part, cut, lay_out};
use super::theme::Theme;
use crate::auth::service::{TokenPhase, TokenStatus};
use crate::state::{AccountState, ServerKind, State};
use crate::text::format::{clock, duration, thousands};
use crate::worker::ConnState;

/// The connection as the status bar says it.
struct Conn {
    text: String,
    /// What is left of it on a narrow line.
    short: Option<String>,
    style: Style,
    /// Something is wrong or pending (kept when there is room for little
    /// else); else it is a detail that gives way first.
    problem: bool,
}

fn connection(acc: &AccountState, theme: &Theme, now: i64) -> Conn {
    let warn = theme.warning;
    // A problem keeps its reason (cut if need be); only a server name is
    // a detail to leave out.
    let conn = |text: String, short: Option<&str>, style, problem| Conn {
        text,
        short: short.map(str::to_string),
        style,
        problem,
    };
    if let Some(t) = &acc.token {
        match &t.phase {
            TokenPhase::SignInNeeded(reason) => {
                return conn(
                    format!("sign-in needed — {reason} (a: sign in)"),
                    None,
                    theme.error,
                    true,
                );
            }
            TokenPhase::SignedOut => {
                let note = t.note.as_ref().map(|n| format!("{n} ")).unwrap_or_default();
                return conn(
                    format!("{note}signed out (a: sign in)"),
                    None,
                    theme.dim,
                    true,
                );
            }
            TokenPhase::WaitingForCode(_) | TokenPhase::WaitingForBrowser(_) => {
                return conn("waiting for sign-in".to_string(), None, warn, true);
            }
            TokenPhase::SignedIn | TokenPhase::Refreshing => {}
        }
    }
    match &acc.conn {
        ConnState::Idle => conn("not connected".to_string(), None, theme.dim, false),
        ConnState::Connecting => conn(
            format!("connecting to {}…", acc.info.server),
            Some("connecting…"),
            warn,
            false,
        ),
        ConnState::Reconnecting => conn(
            format!("reconnecting to {}…", acc.info.server),
            Some("reconnecting…"),
            warn,
            true,
        ),
        ConnState::Connected if acc.info.kind == ServerKind::Maildir => {
            conn("local Maildir".to_string(), None, theme.ok, false)
        }
        ConnState::Connected => conn(
            format!("connected to {}", acc.info.server),
            Some("connected"),
            theme.ok,
            false,
        ),
        ConnState::Retrying { attempt, error, .. } => {
            let when = match acc.retry_in(now) {
                Some(s) if s > 0 => format!("retry {attempt} in {s}s (a: now)"),
                _ => format!("retry {attempt} now"),
            };
            conn(format!("{when}: {error}"), None, warn, true)
        }
        ConnState::Failed(e) => conn(format!("{e} (a: retry)"), None, theme.error, true),
    }
}

/// Without a working connection, what is shown comes from the store:
/// since when.
fn offline_since(acc: &AccountState) -> Option<i64> {
    if acc.info.kind == ServerKind::Maildir || matches!(acc.conn, ConnState::Connected) {
        return None;
    }
    acc.list.synced_at
}

/// Token facts, most useful first. Never the token.
fn token_parts(
    t: &TokenStatus,
    theme: &Theme,
    tenant: Option<&str>,
    now: i64,
    utc_offset: i32,
) -> Vec<(String, Style)> {
    let mut parts = Vec::new();
    if let Some(tenant) = tenant {
        parts.push((format!("tenant {tenant}"), theme.accent));
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
        parts.push((text, style));
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
        parts.push((text, style));
    }
    if let Some(at) = t.refresh_issued_at {
        parts.push((
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
        parts.push((format!("scopes {}", scopes.join(" ")), theme.dim));
    }
    parts
}

/// Separator between parts: " │ ".
const SEP: usize = 3;

pub fn draw(state: &State, theme: &Theme, f: &mut Frame<'_>, area: Rect) {
    let bar = theme.status_bar;
    let Some(acc) = state.account() else {
        let hint = "No accounts configured: see mailtui --help, or try mailtui --demo";
        let hint = cut(hint, usize::from(area.width));
        f.render_widget(Paragraph::new(hint).style(bar), area);
        return;
    };
    let conn = connection(acc, theme, state.now);
    let bold = theme.accent.add_modifier(Modifier::BOLD);
    let notice = state.notice.as_ref().filter(|n| n.until > state.now);
    // In rank order, kept longest first: what the last action did (or why
    // it could not) and its undo key; the account; what is wrong with its
    // connection; then details.
    let mut parts = vec![Part::new(format!(" {} ", acc.name), 1, bold).kept()];
    // Mail not yet sent stays in sight, with the key that lists it; a long
    // notice to its right is cut first.
    if let Some(unsent) = state.unsent() {
        parts.push(Part::new(format!("{unsent} (Q)"), 0, theme.warning).kept());
    }
    // Offline, what is shown is the store's: said before the (long)
    // reason, and kept longer.
    if let Some(at) = offline_since(acc) {
        let ago = duration(state.now - at);
        let text = format!("offline: as of {ago} ago");
        let part = Part::new(text, 2, theme.warning);
        parts.push(if notice.is_none() { part.kept() } else { part });
    }
    let conn_rank = if conn.problem { 3 } else { 7 };
    let mut conn_part = Part::new(conn.text, conn_rank, conn.style).short(conn.short);
    if conn.problem && notice.is_none() {
        conn_part = conn_part.kept();
    }
    parts.push(conn_part);
    if let Some(n) = notice {
        let style = if n.error {
            theme.error.add_modifier(Modifier::BOLD)
        } else {
            theme.accent
        };
        parts.push(Part::new(n.text.to_string(), 0, style).kept());
    }
    // The reader's search: what, and which of how many is in view.
    if let Some(find) = state.finding() {
        let count = find.count();
        parts.push(
            Part::new(format!("/{} {count}", find.text), 1, theme.accent)
                .short(Some(count))
                .kept(),
        );
    }
    if let Some(r) = state
        .results
        .as_ref()
        .filter(|r| r.shown || r.reading.is_some())
    {
        // The results, not the account's folder, are what is in view.
        let n = thousands(r.rows.len() as u64);
        let at = thousands(r.selected as u64 + 1);
        let (text, short) = if r.shown {
            (
                format!("{}: {n} · Enter: open · Esc: back to the folder", r.name),
                format!("{}: {n}", r.name),
            )
        } else {
            (
                format!("{} {at}/{n} · J K: on · Esc: back", r.name),
                format!("{at}/{n} · Esc: back"),
            )
        };
        parts.push(Part::new(text, 4, Style::new()).short(Some(short)));
    } else if let Some(folder) = acc.open_folder_name() {
        let so_far = if acc.list.remaining > 0 {
            " so far"
        } else {
            ""
        };
        let total = acc.list.items.len() as u64 + u64::from(acc.list.remaining);
        let (shown, noun) = (thousands(total), crate::text::noun(total, "message"));
        let unread = thousands(acc.list.unread as u64);
        parts.push(
            Part::new(
                format!("{folder} {shown} {noun}, {unread} unread{so_far}"),
                4,
                Style::new(),
            )
            .short(Some(format!("{folder} {unread} unread"))),
        );
    }
    if let Some(p) = acc.indexing {
        let pct = p.done * 100 / p.total.max(1);
        parts.push(Part::new(format!("indexing {pct}%"), 6, theme.dim));
    }
    if acc.token.is_none() {
        parts.push(Part::new(format!("auth: {}", acc.info.auth), 8, theme.dim));
    }
    // On the right, where it always was.
    parts.push(Part::new("?: help ", 5, theme.dim));
    let shown = lay_out(&parts, SEP, usize::from(area.width));
    let help = shown.last().cloned().flatten();
    let left = joined(theme, &parts, &shown[..shown.len() - 1]);
    let line1 = Rect { height: 1, ..area };
    let right_w = help.as_ref().map_or(0, |h| h.width() as u16 + 1);
    let left_area = Rect {
        width: area.width.saturating_sub(right_w),
        ..line1
    };
    f.render_widget(Paragraph::new(left).style(bar), left_area);
    if let Some(help) = help {
        let right_area = Rect {
            x: area.x + left_area.width,
            width: area.width - left_area.width,
            ..line1
        };
        let right = Line::from(vec![Span::raw(" "), Span::styled(help, theme.dim)]);
        f.render_widget(Paragraph::new(right).style(bar), right_area);
    }
    // Second line: the account's tokens, the first (tenant) kept longest.
    if let Some(t) = &acc.token
        && area.height > 1
    {
        let parts: Vec<Part> = token_parts(
            t,
            theme,
            acc.info.tenant.as_deref(),
            state.now,
            state.utc_offset,
        )
        .into_iter()
        .enumerate()
        .map(|(i, (text, style))| {
            let p = Part::new(text, i as u8, style);
            if i == 0 { p.kept() } else { p }
        })
        .collect();
        let shown = lay_out(&parts, SEP, usize::from(area.width).saturating_sub(1));
        let mut second = joined(theme, &parts, &shown);
        second.spans.insert(0, Span::raw(" "));
        let line2 = Rect {
            y: area.y + 1,
            height: 1,
            ..area
        };
        f.render_widget(Paragraph::new(second).style(bar), line2);
    }
}

/// The parts left standing, in their places, with separators between.
fn joined(theme: &Theme, parts: &[Part], shown: &[Option<String>]) -> Line<'static> {
    let sep = Span::styled(" │ ", theme.dim);
    let mut spans: Vec<Span> = Vec::new();
    for (part, text) in parts.iter().zip(shown) {
        let Some(text) = text else { continue };
        if !spans.is_empty() {
            spans.push(sep.clone());
        }
        spans.push(Span::styled(text.clone(), part.style));
    }
    Line::from(spans)
}

#[cfg(test)]
#[path = "status_bar_tests.rs"]
mod tests;
