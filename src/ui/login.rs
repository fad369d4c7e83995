//! The sign-in panel: the device code in large type, the address, a QR
//! code of it for a phone camera, and a countdown. Or, for browser sign-in,
//! the address and the `ssh -L` line. Or why sign-in is needed.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use tui_big_text::{BigText, PixelSize};

use super::theme::Theme;
use crate::auth::service::{TokenPhase, TokenStatus};
use crate::sanitize::Clean;
use crate::state::{AccountState, State};
use crate::text::format::countdown;
use crate::text::qr::qr_lines;

fn title(acc: &AccountState) -> String {
    match &acc.info.tenant {
        Some(t) => format!(" Sign in: {} ({t}) ", acc.name),
        None => format!(" Sign in: {} ", acc.name),
    }
}

/// Why a sign-in was asked for while signed in (to send mail), as the
/// panel's first line: a title would cut it at 80 columns.
fn reason_line(acc: &AccountState, theme: &Theme) -> Option<Line<'static>> {
    let r = acc.sign_in_reason.as_ref()?;
    let mut chars = r.chars();
    let first: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    Some(Line::styled(
        format!("{first}{}.", chars.as_str()),
        theme.warning,
    ))
}

fn key(theme: &Theme, k: &str) -> Span<'static> {
    Span::styled(k.to_string(), theme.accent.add_modifier(Modifier::BOLD))
}

/// Centred box of at most `w`×`h`.
fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(h.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [r] = Layout::horizontal([Constraint::Length(w.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    r
}

pub fn draw(state: &State, theme: &Theme, f: &mut Frame<'_>, area: Rect) {
    let Some(acc) = state.account() else { return };
    let Some(t) = &acc.token else { return };
    match &t.phase {
        TokenPhase::WaitingForCode(code) => {
            let remaining = code.expires_at - state.now;
            device_code(
                theme,
                f,
                area,
                &title(acc),
                reason_line(acc, theme),
                &Clean::line(&code.user_code),
                &Clean::line(&code.verification_uri),
                remaining,
            )
        }
        TokenPhase::WaitingForBrowser(p) => {
            let url = Clean::line(&p.url);
            let mut lines: Vec<Line<'static>> = reason_line(acc, theme).into_iter().collect();
            lines.extend([
                Line::raw("Open this address in a browser and sign in:"),
                Line::raw(""),
                Line::styled(url.to_string(), theme.accent),
                Line::raw(""),
                Line::raw("If the browser runs on another machine, first run there:"),
                Line::styled(p.ssh_hint(), Style::new().add_modifier(Modifier::BOLD)),
                Line::raw(""),
                Line::from(vec![
                    key(theme, "c"),
                    Span::raw(" copy the address   "),
                    key(theme, "Esc"),
                    Span::raw(" cancel"),
                ]),
            ]);
            message_box(theme, f, area, &title(acc), lines, 76)
        }
        TokenPhase::SignedOut | TokenPhase::SignInNeeded(_) => match &t.admin_consent {
            Some(admin) => {
                let keys = vec![
                    Line::from(vec![
                        key(theme, "a"),
                        Span::raw(" sign in again once an admin approved"),
                    ]),
                    Line::from(vec![key(theme, "Esc"), Span::raw(" not now")]),
                ];
                admin_box(theme, f, area, &title(acc), admin, keys)
            }
            None => message_box(theme, f, area, &title(acc), prompt_lines(t, theme, acc), 64),
        },
        TokenPhase::SignedIn | TokenPhase::Refreshing => {
            if let Some(admin) = &t.admin_consent {
                let mut lines = Vec::new();
                if let Some(note) = &t.note {
                    lines.push(Line::styled(note.to_string(), theme.warning));
                    lines.push(Line::raw(""));
                }
                lines.push(Line::from(vec![key(theme, "Esc"), Span::raw(" close")]));
                admin_box(theme, f, area, &title(acc), admin, lines);
            }
        }
    }
}

/// Only a tenant admin can approve: what, the link (and its QR code, to
/// pass on from a phone), and `c` to copy it.
fn admin_box(
    theme: &Theme,
    f: &mut Frame<'_>,
    area: Rect,
    title: &str,
    admin: &crate::auth::service::AdminConsent,
    after: Vec<Line<'static>>,
) {
    let url = Clean::line(&admin.url).to_string();
    let mut lines = vec![
        Line::styled(
            "An administrator must approve mailtui".to_string(),
            theme.error,
        ),
        Line::raw(format!(
            "Your organisation lets only an admin approve apps that read or send mail. \
             Ask an admin of your tenant to open this link and approve mailtui for: {}.",
            admin.permissions
        )),
        Line::raw(""),
        Line::styled(url.clone(), theme.accent.add_modifier(Modifier::BOLD)),
        Line::raw(""),
        Line::from(vec![key(theme, "c"), Span::raw(" copy the link")]),
    ];
    lines.extend(after);
    let qr = qr_lines(&url).unwrap_or_default();
    let qr_w = qr.first().map(|l| l.chars().count()).unwrap_or(0) as u16;
    let text_w: u16 = 56;
    let inner_w = text_w.saturating_sub(2).max(1) as usize;
    let rows: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(inner_w).max(1))
        .sum();
    let with_qr = area.width >= qr_w + text_w + 5 && area.height >= qr.len() as u16 + 2;
    if !with_qr {
        // As wide as fits, so the link takes as few lines as it can.
        let width = area.width.saturating_sub(4).clamp(text_w + 4, 100);
        return message_box(theme, f, area, title, lines, width);
    }
    let height = (qr.len() as u16).max(rows as u16) + 2;
    let inner = panel(theme, f, centered(area, qr_w + text_w + 5, height), title);
    let t = beside_qr(theme, f, inner, qr);
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), t);
}

/// A cleared, bordered panel; its inside.
fn panel(theme: &Theme, f: &mut Frame<'_>, r: Rect, title: &str) -> Rect {
    f.render_widget(Clear, r);
    let block = theme.pane(title.to_string(), true);
    let inner = block.inner(r);
    f.render_widget(block, r);
    inner
}

/// The QR code at the left of `inner`; the area right of it.
fn beside_qr(theme: &Theme, f: &mut Frame<'_>, inner: Rect, qr: Vec<String>) -> Rect {
    let qr_w = qr.first().map(|l| l.chars().count()).unwrap_or(0) as u16;
    let [q, _, t] = Layout::horizontal([
        Constraint::Length(qr_w),
        Constraint::Length(2),
        Constraint::Min(0),
    ])
    .areas(inner);
    let qr_text: Vec<Line> = qr.into_iter().map(Line::raw).collect();
    f.render_widget(Paragraph::new(qr_text).style(theme.qr), q);
    t
}

fn prompt_lines(t: &TokenStatus, theme: &Theme, acc: &AccountState) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    match &t.phase {
        TokenPhase::SignInNeeded(reason) => {
            lines.push(Line::styled("Sign-in needed:".to_string(), theme.error));
            lines.push(Line::raw(reason.to_string()));
        }
        _ => {
            lines.push(Line::raw(format!("{} is not signed in.", acc.name)));
            if let Some(note) = &t.note {
                lines.push(Line::styled(note.to_string(), theme.warning));
            }
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        key(theme, "a"),
        Span::raw(" sign in (you approve on your phone or any browser)"),
    ]));
    lines.push(Line::from(vec![key(theme, "Esc"), Span::raw(" not now")]));
    lines
}

fn message_box(
    theme: &Theme,
    f: &mut Frame<'_>,
    area: Rect,
    title: &str,
    lines: Vec<Line<'static>>,
    width: u16,
) {
    let inner_w = width.saturating_sub(4).max(1) as usize;
    let rows: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(inner_w).max(1))
        .sum();
    let r = centered(area, width, rows as u16 + 2);
    f.render_widget(Clear, r);
    let p = Paragraph::new(lines).wrap(Wrap { trim: false }).block(
        theme
            .pane(title.to_string(), true)
            .padding(ratatui::widgets::Padding::horizontal(1)),
    );
    f.render_widget(p, r);
}

#[allow(clippy::too_many_arguments)]
fn device_code(
    theme: &Theme,
    f: &mut Frame<'_>,
    area: Rect,
    title: &str,
    reason: Option<Line<'static>>,
    code: &Clean,
    uri: &Clean,
    remaining: i64,
) {
    let qr = qr_lines(uri.as_str()).unwrap_or_default();
    let qr_w = qr.first().map(|l| l.chars().count()).unwrap_or(0) as u16;
    let qr_h = qr.len() as u16;
    let big_w = (code.as_str().chars().count() as u16) * 4;
    let text_w = big_w.max(uri.as_str().chars().count() as u16 + 2).max(40);
    // The QR code goes beside the text when there is room, else it is left out.
    let with_qr = area.width >= qr_w + text_w + 5 && area.height >= qr_h + 2;
    let width = if with_qr {
        qr_w + text_w + 5
    } else {
        text_w + 4
    };
    // The reason, wrapped to the text's width, then a blank line.
    let reason_rows = reason
        .as_ref()
        .map_or(0, |l| (l.width() as u16).div_ceil(text_w.max(1)) + 1);
    let height = if with_qr {
        qr_h.max(13 + reason_rows) + 2
    } else {
        15 + reason_rows
    };
    let inner = panel(theme, f, centered(area, width, height), title);
    let text_area = if with_qr {
        beside_qr(theme, f, inner, qr)
    } else {
        inner
    };
    let expiry_style = if remaining < 60 {
        theme.error
    } else {
        theme.dim
    };
    let [why, top, big, bottom] = Layout::vertical([
        Constraint::Length(reason_rows),
        Constraint::Length(4),
        Constraint::Length(4),
        Constraint::Min(0),
    ])
    .areas(text_area);
    if let Some(reason) = reason {
        f.render_widget(Paragraph::new(reason).wrap(Wrap { trim: true }), why);
    }
    let top_lines = vec![
        Line::raw("On your phone or any browser, open"),
        Line::styled(uri.to_string(), theme.accent.add_modifier(Modifier::BOLD)),
        Line::raw(""),
        Line::raw("and enter the code:"),
    ];
    f.render_widget(Paragraph::new(top_lines), top);
    let big_text = BigText::builder()
        .pixel_size(PixelSize::Quadrant)
        .style(theme.warning)
        .lines(vec![Line::raw(code.to_string())])
        .build();
    f.render_widget(big_text, big);
    let bottom_lines = vec![
        Line::from(vec![
            Span::raw("Code: "),
            Span::styled(code.to_string(), Style::new().add_modifier(Modifier::BOLD)),
        ]),
        Line::styled(format!("expires in {}", countdown(remaining)), expiry_style),
        Line::raw(""),
        Line::from(vec![
            key(theme, "c"),
            Span::raw(" copy code   "),
            key(theme, "Esc"),
            Span::raw(" cancel"),
        ]),
        Line::styled("This closes by itself once you approve.", theme.dim),
    ];
    f.render_widget(Paragraph::new(bottom_lines), bottom);
}
