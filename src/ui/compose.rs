//! The review screen of a message being written (its headers, the start
//! of its text, its attachments, warnings, and the keys), its preview as
//! sent, and the outbox list.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::theme::Theme;
use crate::compose::ComposeKind;
use crate::state::State;
use crate::state::compose::{Composing, Phase, RowState};
use crate::state::reader::LineKind;
use crate::text::count;
use crate::text::format::{fit, human_size, truncate};

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
        ComposeKind::Answer(_) => " Answer to an invitation ",
    }
}

/// Most rows a warning, the note or an outbox reason takes.
const MAX_WRAPPED_ROWS: usize = 3;

/// Most warnings listed; the rest are counted.
const MAX_WARNINGS: usize = 4;

/// `text` in rows of at most `width` columns, broken at spaces where it
/// can, at most `max` rows (the last one then ends in "…").
fn wrapped(text: &str, width: usize, max: usize) -> Vec<String> {
    let width = width.max(1);
    let mut rows = Vec::new();
    let mut row = String::new();
    let mut col = 0;
    for word in text.split(' ') {
        let w = word.width();
        if col > 0 && col + 1 + w > width {
            rows.push(std::mem::take(&mut row));
            col = 0;
        } else if col > 0 {
            row.push(' ');
            col += 1;
        }
        // A word longer than a row is broken between characters.
        for c in word.chars() {
            let cw = c.width().unwrap_or(0);
            if col + cw > width && col > 0 {
                rows.push(std::mem::take(&mut row));
                col = 0;
            }
            row.push(c);
            col += cw;
        }
    }
    rows.push(row);
    if max > 0 && rows.len() > max {
        let rest = rows.split_off(max - 1).join(" ");
        rows.push(truncate(&rest, width));
    }
    rows
}

/// The preview: the message laid out as the reader lays it out, scrolled.
fn draw_preview(state: &State, theme: &Theme, f: &mut Frame<'_>, area: Rect, c: &Composing) {
    let Some(l) = state.preview_layout() else {
        return;
    };
    let label = theme.header_label;
    let max = l.rows.len().saturating_sub(l.visible);
    let start = c.preview_scroll.min(max);
    let end = (start + l.visible).min(l.rows.len());
    let lines: Vec<Line> = l.rows[start..end]
        .iter()
        .map(|row| {
            let line = &l.doc.lines[row.line];
            let text = l.doc.line_text(line).get(row.start..row.end).unwrap_or("");
            match line.kind {
                LineKind::Header { label: len, .. } if row.start == 0 => {
                    let cut = if text.is_char_boundary(len.min(text.len())) {
                        len.min(text.len())
                    } else {
                        0
                    };
                    Line::from(vec![
                        Span::styled(text[..cut].to_string(), label),
                        Span::raw(text[cut..].to_string()),
                    ])
                }
                LineKind::Note => Line::styled(text.to_string(), theme.dim),
                LineKind::Warning => {
                    Line::styled(text.to_string(), theme.error.add_modifier(Modifier::BOLD))
                }
                LineKind::Separator => {
                    Line::styled(text.to_string(), label.add_modifier(Modifier::BOLD))
                }
                _ => Line::raw(text.to_string()),
            }
        })
        .collect();
    let mut block = theme.pane(
        format!("{}— as the recipients will see it (v: back) ", title(c)),
        true,
    );
    // What is out of sight, and how to get there.
    if l.rows.len() > l.visible {
        block = block.title_bottom(
            Line::styled(
                format!(
                    " lines {}–{} of {} · j/k, space: scroll ",
                    start + 1,
                    end,
                    l.rows.len()
                ),
                theme.dim,
            )
            .right_aligned(),
        );
    }
    f.render_widget(Paragraph::new(lines).block(block), area);
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
    if c.preview.is_some() {
        draw_preview(state, theme, f, area, c);
        return;
    }
    let width = usize::from(area.width.saturating_sub(2));
    let keys = match c.phase {
        Phase::Working => "working on it…",
        _ if c.confirm_discard => "q again: throw the message away · p: postpone it",
        _ => REVIEW_KEYS,
    };
    // On a narrow screen the keys take two rows rather than losing some.
    let keys = key_rows(keys, usize::from(area.width));
    let [main, foot] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(keys.len() as u16)]).areas(area);
    let height = usize::from(main.height.saturating_sub(2));
    let label = theme.header_label;
    let mut lines: Vec<Line> = Vec::new();
    let d = &c.draft;
    // To and Cc say the key that changes them (with completion).
    for (name, value, key) in [
        ("From", &d.from, ""),
        ("To", &d.to, "t"),
        ("Cc", &d.cc, "c"),
        ("Bcc", &d.bcc, ""),
        ("Subject", &d.subject, ""),
    ] {
        if value.is_empty() && !matches!(name, "To" | "Cc" | "Subject") {
            continue;
        }
        let hint = if key.is_empty() {
            String::new()
        } else {
            format!("  ({key})")
        };
        let room = width.saturating_sub(10 + hint.len());
        lines.push(Line::from(vec![
            Span::styled(format!("{name:>8}: "), label),
            Span::raw(truncate(value, room)),
            Span::styled(hint, theme.dim),
        ]));
    }
    // What is wrong is said whole: wrapped, not cut.
    if let Some(note) = &c.note {
        let style = theme.error.add_modifier(Modifier::BOLD);
        for row in wrapped(note, width, MAX_WRAPPED_ROWS) {
            lines.push(Line::styled(row, style));
        }
    }
    for w in c.warnings.iter().take(MAX_WARNINGS) {
        for (i, row) in wrapped(w, width.saturating_sub(2), MAX_WRAPPED_ROWS)
            .into_iter()
            .enumerate()
        {
            let mark = if i == 0 { "! " } else { "  " };
            lines.push(Line::styled(format!("{mark}{row}"), theme.warning));
        }
    }
    if c.warnings.len() > MAX_WARNINGS {
        lines.push(Line::styled(
            format!(
                "! and {} more",
                count(c.warnings.len() - MAX_WARNINGS, "warning")
            ),
            theme.warning,
        ));
    }
    lines.push(Line::raw(""));
    if d.calendar.is_some() {
        lines.push(Line::styled(
            "With the calendar answer (METHOD:REPLY)",
            theme.accent,
        ));
    }
    if d.attachments.is_empty() {
        lines.push(Line::styled(
            "No attachments (a attaches a file)",
            theme.dim,
        ));
    } else {
        // A long list shows the rows around the cursor, and says so.
        let fits = (height.saturating_sub(lines.len() + 3) / 2).max(3);
        let n = d.attachments.len();
        let first = if n > fits {
            c.cursor.saturating_sub(fits / 2).min(n - fits)
        } else {
            0
        };
        let last = (first + fits).min(n);
        let total: u64 = c.sizes.iter().map(|s| s.unwrap_or(0)).sum();
        let shown = if n > fits {
            format!("; {}–{last} shown, j/k moves", first + 1)
        } else {
            String::new()
        };
        lines.push(Line::styled(
            format!("Attachments ({n}, {}{shown}):", human_size(total as usize)),
            label,
        ));
        for (i, a) in d.attachments.iter().enumerate().take(last).skip(first) {
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
            // The size before the type: a long type is what gets cut.
            let name = truncate(&a.name, width.saturating_sub(4 + size.width()));
            lines.push(Line::styled(
                fit(&format!("  {name}  {size}  {}", a.mime), width),
                style,
            ));
        }
    }
    lines.push(Line::raw(""));
    let room = height.saturating_sub(lines.len());
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
    let block = theme.pane(title(c).to_string(), true);
    f.render_widget(Paragraph::new(lines).block(block), main);
    let keys: Vec<Line> = keys
        .into_iter()
        .map(|row| Line::styled(fit(&row, usize::from(foot.width)), theme.accent))
        .collect();
    f.render_widget(Paragraph::new(keys), foot);
}

/// The keys in rows of `width`, broken between keys (never inside one).
fn key_rows(keys: &str, width: usize) -> Vec<String> {
    let mut rows: Vec<String> = Vec::new();
    for key in keys.split(" · ") {
        match rows.last_mut() {
            Some(row) if row.width() + 3 + key.width() <= width => {
                row.push_str(" · ");
                row.push_str(key);
            }
            _ => rows.push(key.to_string()),
        }
    }
    rows
}

/// The outbox, in a box over the screen: each entry with what became of
/// it, the reason of a failure whole; a long list around the cursor.
pub fn draw_outbox(state: &State, theme: &Theme, f: &mut Frame<'_>, area: Rect) {
    let width = area.width.saturating_sub(4).clamp(20, 100);
    let inner = usize::from(width.saturating_sub(2));
    let mut entries: Vec<Vec<Line>> = Vec::new();
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
        let mut lines = vec![Line::styled(
            fit(
                &format!("{account}: {} → {}", r.subject, r.recipients),
                inner,
            ),
            style,
        )];
        let detail_style = match r.state {
            RowState::Failed(_) | RowState::Uncertain => theme.error,
            _ => theme.dim,
        };
        for row in wrapped(&r.describe(), inner.saturating_sub(2), MAX_WRAPPED_ROWS) {
            lines.push(Line::styled(format!("  {row}"), detail_style));
        }
        entries.push(lines);
    }
    // Borders, the blank line and the keys.
    let most = area.height.saturating_sub(2).max(5);
    let room = usize::from(most.saturating_sub(4));
    let cursor = state.outbox_cursor.min(entries.len().saturating_sub(1));
    let rows = |from: usize, to: usize| -> usize { entries[from..to].iter().map(Vec::len).sum() };
    let mut first = 0;
    while first < cursor && rows(first, cursor + 1) > room {
        first += 1;
    }
    let mut last = first;
    while last < entries.len() && rows(first, last + 1) <= room {
        last += 1;
    }
    let last = last.max((first + 1).min(entries.len()));
    let mut lines: Vec<Line> = entries[first..last].iter().flatten().cloned().collect();
    if state.outbox.is_empty() {
        lines.push(Line::styled(
            "Nothing waiting: every message went out.",
            theme.dim,
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        fit("a send again · e edit · d delete · Esc close", inner),
        theme.dim,
    ));
    let n = state.outbox.len();
    let title = if first > 0 || last < n {
        format!(" Outbox ({n}; {}–{last} shown, j/k moves) ", first + 1)
    } else {
        format!(" Outbox ({n}) ")
    };
    let height = (lines.len() as u16 + 2).clamp(5, most);
    let [v] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(v);
    f.render_widget(Clear, popup);
    f.render_widget(Paragraph::new(lines).block(theme.pane(title, true)), popup);
}
