//! The review screen of a message being written (its headers, the start
//! of its text, its attachments, warnings, and the keys), its preview as
//! sent, and the outbox list.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::format::{fit, human_size, truncate};
use super::theme::Theme;
use crate::compose::ComposeKind;
use crate::state::State;
use crate::state::compose::{Composing, Phase};

/// The keys, shown at the foot; short enough for 80 columns.
pub const REVIEW_KEYS: &str =
    "y send · e edit · a attach · d detach · p postpone · v preview · q discard";

fn title(c: &Composing) -> &'static str {
    match c.kind {
        ComposeKind::New => " New message ",
        ComposeKind::Reply => " Reply ",
        ComposeKind::ReplyAll => " Reply to all ",
        ComposeKind::Forward { .. } => " Forward ",
        ComposeKind::EditAsNew => " Edited as new ",
        ComposeKind::Recall => " Draft ",
    }
}

/// The whole screen above the status bar.
pub fn draw(state: &State, theme: &Theme, f: &mut Frame<'_>, area: Rect) {
    let Some(c) = &state.composing else { return };
    let status = state.areas().status.height;
    let area = Rect {
        height: area.height.saturating_sub(status),
        ..area
    };
    f.render_widget(Clear, area);
    let width = usize::from(area.width.saturating_sub(2));
    let label = theme.header_label;
    let mut lines: Vec<Line> = Vec::new();
    if let Some(view) = &c.preview {
        for (name, value) in &view.headers {
            lines.push(Line::from(vec![
                Span::styled(format!("{name}: "), label),
                Span::raw(value.to_string()),
            ]));
        }
        if let Some(date) = view.date {
            lines.push(Line::from(vec![
                Span::styled("Date: ", label),
                Span::raw(crate::text::dates::long(
                    date,
                    view.date_zone,
                    state.utc_offset,
                )),
            ]));
        }
        for a in &view.attachments {
            lines.push(Line::styled(
                format!("[{} · {} · {}]", a.name, a.mime, human_size(a.size)),
                theme.accent,
            ));
        }
        lines.push(Line::raw(""));
        lines.extend(view.body.as_str().lines().map(|l| Line::raw(l.to_string())));
        let block = theme.pane(
            format!("{}— as the recipients will see it (v: back) ", title(c)),
            true,
        );
        f.render_widget(
            Paragraph::new(lines)
                .block(block)
                .wrap(Wrap { trim: false }),
            area,
        );
        return;
    }
    let d = &c.draft;
    for (name, value) in [
        ("From", &d.from),
        ("To", &d.to),
        ("Cc", &d.cc),
        ("Bcc", &d.bcc),
        ("Subject", &d.subject),
    ] {
        if value.is_empty() && !matches!(name, "To" | "Subject") {
            continue;
        }
        lines.push(Line::from(vec![
            Span::styled(format!("{name:>8}: "), label),
            Span::raw(truncate(value, width.saturating_sub(10))),
        ]));
    }
    if let Some(note) = &c.note {
        lines.push(Line::styled(
            truncate(note, width),
            theme.error.add_modifier(Modifier::BOLD),
        ));
    }
    for w in &c.warnings {
        lines.push(Line::styled(
            truncate(&format!("! {w}"), width),
            theme.warning,
        ));
    }
    lines.push(Line::raw(""));
    if d.attachments.is_empty() {
        lines.push(Line::styled(
            "No attachments (a attaches a file)",
            theme.dim,
        ));
    } else {
        let total: u64 = c.sizes.iter().map(|s| s.unwrap_or(0)).sum();
        lines.push(Line::styled(
            format!(
                "Attachments ({}, {}):",
                d.attachments.len(),
                human_size(total as usize)
            ),
            label,
        ));
        for (i, a) in d.attachments.iter().enumerate() {
            let size = c
                .sizes
                .get(i)
                .copied()
                .flatten()
                .map_or("?".to_string(), |s| human_size(s as usize));
            let style = if i == c.cursor {
                theme.cursor(true)
            } else {
                Style::new()
            };
            lines.push(Line::styled(
                fit(&format!("  {}  {}  {size}", a.name, a.mime), width),
                style,
            ));
        }
    }
    lines.push(Line::raw(""));
    let used = lines.len() + 4;
    let room = usize::from(area.height).saturating_sub(used);
    let body: Vec<&str> = d.body.lines().collect();
    for l in body.iter().take(room) {
        lines.push(Line::styled(truncate(l, width), theme.dim));
    }
    if body.len() > room && room > 0 {
        lines.pop();
        lines.push(Line::styled(
            format!(
                "… {} more lines (e to edit, v to preview)",
                body.len() - room + 1
            ),
            theme.dim,
        ));
    }
    let keys = match c.phase {
        Phase::Working => "working on it…".to_string(),
        _ if c.confirm_discard => "q again: throw the message away · p: postpone it".to_string(),
        _ => REVIEW_KEYS.to_string(),
    };
    let [main, foot] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    let block = theme.pane(title(c).to_string(), true);
    f.render_widget(Paragraph::new(lines).block(block), main);
    f.render_widget(
        Paragraph::new(Line::styled(
            fit(&keys, usize::from(foot.width)),
            theme.accent,
        )),
        foot,
    );
}

/// The outbox, in a box over the screen.
pub fn draw_outbox(state: &State, theme: &Theme, f: &mut Frame<'_>, area: Rect) {
    let width = area.width.saturating_sub(4).clamp(20, 100);
    let rows = state.outbox.len().max(1) as u16;
    let height = (rows * 2 + 4).clamp(5, area.height.saturating_sub(2).max(5));
    let [v] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(v);
    let inner = usize::from(width.saturating_sub(2));
    let mut lines = Vec::new();
    if state.outbox.is_empty() {
        lines.push(Line::styled(
            "Nothing waiting: every message went out.",
            theme.dim,
        ));
    }
    for (i, r) in state.outbox.iter().enumerate() {
        let style = if i == state.outbox_cursor {
            theme.cursor(true)
        } else {
            Style::new()
        };
        let account = state
            .accounts
            .get(r.account)
            .map(|a| a.name.as_str())
            .unwrap_or("?");
        lines.push(Line::styled(
            fit(
                &format!("{account}: {} → {}", r.subject, r.recipients),
                inner,
            ),
            style,
        ));
        let detail_style = match r.state {
            crate::state::compose::RowState::Failed(_)
            | crate::state::compose::RowState::Uncertain => theme.error,
            _ => theme.dim,
        };
        lines.push(Line::styled(
            fit(&format!("  {}", r.describe()), inner),
            detail_style,
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        fit("a send again · d delete · Esc close", inner),
        theme.dim,
    ));
    f.render_widget(Clear, popup);
    f.render_widget(
        Paragraph::new(lines).block(theme.pane(format!(" Outbox ({}) ", state.outbox.len()), true)),
        popup,
    );
}
