//! The message itself: the rows of its layout that are on screen. The
//! layout (headers, notes, body, attached messages, wrapped at the pane
//! width) is made once in state; drawing costs the same for any size.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use crate::layout::inner_height;
use crate::mail::view::TextStyle;
use crate::state::find::Find;
use crate::state::reader::{Layout, LineKind, Row};
use crate::state::{ReaderContent, State};
use crate::text::format::spinner;

/// Ends a source row whose line goes on in the next row.
const CUT_MARK: &str = "→";

fn visible_lines<'a>(
    layout: &'a Layout,
    theme: &Theme,
    scroll: usize,
    height: usize,
    find: Option<&Find>,
) -> Vec<Line<'a>> {
    let label = theme.header_label;
    let start = scroll.min(layout.rows.len());
    let end = (start + height).min(layout.rows.len());
    layout.rows[start..end]
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let (line, text) = layout.row_text(row);
            let line_kind = line.kind;
            let line = match line.kind {
                LineKind::Header { label: len, strong } => {
                    // The label ends inside this row only on its first row.
                    let cut = if row.start == 0 {
                        len.min(text.len())
                    } else {
                        0
                    };
                    let cut = if text.is_char_boundary(cut) { cut } else { 0 };
                    let value = if strong {
                        Style::new().add_modifier(Modifier::BOLD)
                    } else {
                        Style::new()
                    };
                    Line::from(vec![
                        Span::styled(&text[..cut], label),
                        Span::styled(&text[cut..], value),
                    ])
                }
                LineKind::Separator => Line::styled(text, label.add_modifier(Modifier::BOLD)),
                LineKind::Note => Line::styled(text, theme.dim),
                LineKind::Warning => Line::styled(text, theme.error.add_modifier(Modifier::BOLD)),
                LineKind::Body => Line::raw(text),
                // Quiet, and slanted so it reads as quoted without colour.
                LineKind::Quote | LineKind::QuoteFold => {
                    Line::styled(text, theme.dim.add_modifier(Modifier::ITALIC))
                }
                LineKind::Signature => Line::styled(text, theme.dim),
                LineKind::InviteRule { warn } => {
                    // Across the pane, whatever its width.
                    let room = layout.width.unwrap_or(0);
                    let used = unicode_width::UnicodeWidthStr::width(text);
                    let rule = format!("{text}{}", "─".repeat(room.saturating_sub(used)));
                    let style = if warn { theme.warning } else { theme.accent };
                    Line::styled(rule, style.add_modifier(Modifier::BOLD))
                }
                LineKind::Invite { label: len, tone } => {
                    let cut = if row.start == 0 {
                        len.min(text.len())
                    } else {
                        0
                    };
                    let cut = if text.is_char_boundary(cut) { cut } else { 0 };
                    Line::from(vec![
                        Span::styled(&text[..cut], label),
                        Span::styled(&text[cut..], invite_style(theme, tone)),
                    ])
                }
            };
            // HTML's styles over the line's own.
            let line = match (line_kind, &layout.doc) {
                (LineKind::Body | LineKind::Quote, Some(doc)) if !doc.styles.is_empty() => {
                    let (doc_line, _) = layout.row_text(row);
                    let ranges: Vec<(usize, usize, Style)> = doc
                        .styles_in(doc_line, row.start..row.end)
                        .map(|(r, s)| (r.start, r.end, text_style(theme, s)))
                        .collect();
                    if ranges.is_empty() {
                        line
                    } else {
                        overlay(line, &ranges)
                    }
                }
                _ => line,
            };
            let line = match find {
                Some(f) => highlight(line, row, f, theme),
                None => line,
            };
            // In the source a row break is ours, not the message's: say so.
            if layout.raw && layout.continues(start + i) {
                // In the last column, where the wrap left room for it.
                let room = layout.width.unwrap_or(0).saturating_sub(1);
                let pad = " ".repeat(room.saturating_sub(line.width()));
                let mut line = line;
                line.push_span(Span::raw(pad));
                line.push_span(Span::styled(CUT_MARK, theme.dim));
                line
            } else {
                line
            }
        })
        .collect()
}

/// How an HTML style shows: by modifiers first, so it reads without
/// colour too (NO_COLOR); links and headings take the accent colour.
fn text_style(theme: &Theme, s: TextStyle) -> Style {
    let mut style = Style::new();
    if s.contains(TextStyle::HEADING) {
        style = style.patch(theme.accent).add_modifier(Modifier::BOLD);
    }
    if s.contains(TextStyle::STRONG) {
        style = style.add_modifier(Modifier::BOLD);
    }
    if s.contains(TextStyle::EMPHASIS) {
        style = style.add_modifier(Modifier::ITALIC);
    }
    if s.contains(TextStyle::STRIKE) {
        style = style.add_modifier(Modifier::CROSSED_OUT);
    }
    if s.contains(TextStyle::CODE)
        && let Some(c) = theme.header_label.fg
    {
        style = style.fg(c);
    }
    if s.contains(TextStyle::LINK) {
        style = style.patch(theme.accent).add_modifier(Modifier::UNDERLINED);
    }
    if s.contains(TextStyle::LINK_NUMBER) {
        style = style.patch(theme.dim);
    }
    style
}

/// The search's hits on this row marked: each one standing out, the one
/// `n` / `N` went to more (reversed, so it shows without colour too).
fn highlight<'a>(line: Line<'a>, row: &Row, find: &Find, theme: &Theme) -> Line<'a> {
    let hit = theme
        .search_match
        .add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
    let first = find.hits.partition_point(|h| h.line < row.line);
    let ranges: Vec<(usize, usize, Style)> = find.hits[first..]
        .iter()
        .enumerate()
        .take_while(|(_, h)| h.line == row.line)
        .filter(|(_, h)| h.end > row.start && h.start < row.end)
        .map(|(k, h)| {
            let style = if first + k == find.current {
                hit.add_modifier(Modifier::REVERSED)
            } else {
                hit
            };
            (
                h.start.max(row.start) - row.start,
                h.end.min(row.end) - row.start,
                style,
            )
        })
        .collect();
    if ranges.is_empty() {
        return line;
    }
    overlay(line, &ranges)
}

/// `line` with the byte ranges (of its text, in order) patched with their
/// styles; spans are split where a range starts or ends inside one.
fn overlay<'a>(line: Line<'a>, ranges: &[(usize, usize, Style)]) -> Line<'a> {
    // The line's own style (a quote's dimness, a warning's colour) is kept:
    // only its spans are rebuilt.
    let (style, alignment) = (line.style, line.alignment);
    let mut spans = Vec::with_capacity(line.spans.len() + 2 * ranges.len());
    let mut at = 0;
    for span in line.spans {
        let text = span.content.as_ref();
        let (from, to) = (at, at + text.len());
        let mut cut = from;
        for &(s, e, style) in ranges.iter().filter(|r| r.1 > from && r.0 < to) {
            let (s, e) = (s.max(from), e.min(to));
            if !text.is_char_boundary(s - from) || !text.is_char_boundary(e - from) {
                continue;
            }
            if s > cut {
                spans.push(Span::styled(
                    text[cut - from..s - from].to_string(),
                    span.style,
                ));
            }
            spans.push(Span::styled(
                text[s - from..e - from].to_string(),
                span.style.patch(style),
            ));
            cut = e;
        }
        if cut == from {
            spans.push(span.clone());
        } else if cut < to {
            spans.push(Span::styled(text[cut - from..].to_string(), span.style));
        }
        at = to;
    }
    Line {
        spans,
        style,
        alignment,
    }
}

/// How a line of the invitation block reads: what the message is stands
/// out, a cancellation warns, notes stay quiet.
fn invite_style(theme: &Theme, tone: crate::calendar::LineKind) -> Style {
    use crate::calendar::LineKind as Tone;
    match tone {
        Tone::Status => theme.accent.add_modifier(Modifier::BOLD),
        Tone::Warning => theme.warning.add_modifier(Modifier::BOLD),
        Tone::Note => theme.dim,
        Tone::Field | Tone::Attendee => Style::new(),
    }
}

pub fn draw(state: &State, theme: &Theme, f: &mut Frame<'_>, area: Rect, focused: bool) {
    let Some(acc) = state.account() else {
        f.render_widget(theme.pane(" Message ".into(), focused), area);
        return;
    };
    let r = &acc.reader;
    let title = match (&r.title, r.layout.raw) {
        (Some(t), true) => format!(" Source of {t} (Esc: back) "),
        (Some(t), false) => format!(" {t} (Esc: back) "),
        (None, true) => " Message source ".to_string(),
        // A draft offers to be continued.
        (None, false)
            if acc.list.path.is_some()
                && acc.list.path == acc.folder_for(crate::mail::types::FolderRole::Drafts) =>
        {
            " Draft (e: continue it) ".to_string()
        }
        (None, false) => " Message ".to_string(),
    };
    let title = if r.gone {
        format!(
            "{} · deleted on the server (move on to continue) ",
            title.trim_end()
        )
    } else {
        title
    };
    let block = theme.pane(title, focused);
    let para = match &r.content {
        ReaderContent::Empty => Paragraph::new(Line::styled("No message selected", theme.dim)),
        ReaderContent::Loading if !acc.online() => Paragraph::new(Line::styled(
            "Not stored — loads when the account is back online",
            theme.dim,
        )),
        ReaderContent::Loading => Paragraph::new(Line::styled(
            format!("{} loading message…", spinner(state.frame)),
            theme.dim,
        )),
        ReaderContent::Failed(e) => Paragraph::new(Line::styled(e.to_string(), theme.error)),
        ReaderContent::Loaded(_) => Paragraph::new(visible_lines(
            &r.layout,
            theme,
            r.scroll,
            inner_height(area),
            r.find.as_ref(),
        )),
    };
    f.render_widget(para.block(block), area);
}
