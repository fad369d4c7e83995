//! The open prompt: a line at the bottom for a search or a question, or
//! a box with the folders that match what was typed.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::theme::Theme;
use crate::state::State;
use crate::state::prompt::{Prompt, PromptKind};
use crate::text::format::{fit, truncate};

pub fn draw(state: &State, theme: &Theme, f: &mut Frame<'_>, area: Rect) {
    let Some(p) = &state.prompt else { return };
    if p.is_picker() {
        picker(state, theme, p, f, area);
    } else {
        line(state, theme, p, f, area);
    }
}

fn line(state: &State, theme: &Theme, p: &Prompt, f: &mut Frame<'_>, area: Rect) {
    let at = Rect {
        y: area.bottom().saturating_sub(1),
        height: 1,
        ..area
    };
    let label = theme.accent.add_modifier(Modifier::BOLD);
    let spans = match &p.kind {
        PromptKind::Search
        | PromptKind::Limit
        | PromptKind::MarkMatching
        | PromptKind::Everywhere
            if p.error.is_some() =>
        {
            query_error(theme, p, usize::from(at.width))
        }
        PromptKind::Limit => {
            let hint = "   Enter: show only the matches · empty: all · Esc";
            let room = usize::from(at.width)
                .saturating_sub(8 + unicode_width::UnicodeWidthStr::width(p.text.as_str()));
            vec![
                Span::styled("Limit: ", label),
                Span::raw(p.text.clone()),
                Span::styled("█", theme.accent),
                Span::styled(truncate(hint, room), theme.dim),
            ]
        }
        PromptKind::Search => {
            let matches = state
                .account()
                .and_then(|a| a.list.search.as_ref())
                .map_or(0, |s| s.matches.len());
            let hint = format!(
                "   {matches} in sender and subject · Enter: also search the text on the server · Esc: stop"
            );
            // What the typed text leaves; a cut hint ends in "…".
            let room = usize::from(at.width)
                .saturating_sub(2 + unicode_width::UnicodeWidthStr::width(p.text.as_str()));
            vec![
                Span::styled("/", label),
                Span::raw(p.text.clone()),
                Span::styled("█", theme.accent),
                Span::styled(truncate(&hint, room), theme.dim),
            ]
        }
        PromptKind::Everywhere => {
            let hint = "   Enter: every folder of every account, as stored · Esc";
            let room = usize::from(at.width)
                .saturating_sub(13 + unicode_width::UnicodeWidthStr::width(p.text.as_str()));
            vec![
                Span::styled("Everywhere: ", label),
                Span::raw(p.text.clone()),
                Span::styled("█", theme.accent),
                Span::styled(truncate(hint, room), theme.dim),
            ]
        }
        PromptKind::MarkMatching => {
            let hint = "   Enter: mark the shown messages that match · Esc";
            let room = usize::from(at.width)
                .saturating_sub(7 + unicode_width::UnicodeWidthStr::width(p.text.as_str()));
            vec![
                Span::styled("Mark: ", label),
                Span::raw(p.text.clone()),
                Span::styled("█", theme.accent),
                Span::styled(truncate(hint, room), theme.dim),
            ]
        }
        PromptKind::ConfirmExpunge { uids } => vec![Span::styled(
            format!(
                " Delete {} for good? This cannot be undone. (y / n) ",
                if uids.len() == 1 {
                    "this message".to_string()
                } else {
                    crate::text::count(uids.len(), "message")
                }
            ),
            theme.error.add_modifier(Modifier::BOLD),
        )],
        PromptKind::Recipients { cc } => {
            let hint = "   Tab: next · Enter: take it / done · Esc";
            let room = usize::from(at.width).saturating_sub(6);
            // The end of a long field stays in view.
            let text = tail(&p.text, room.saturating_sub(hint.len().min(room / 2)));
            vec![
                Span::styled(if *cc { "Cc: " } else { "To: " }, label),
                Span::raw(text),
                Span::styled("█", theme.accent),
                Span::styled(truncate(hint, room.saturating_sub(p.text.len())), theme.dim),
            ]
        }
        PromptKind::InvitationAnswer => vec![
            Span::styled("Answer the invitation: ", label),
            Span::styled("a", label),
            Span::raw(" accept · "),
            Span::styled("t", label),
            Span::raw(" tentative · "),
            Span::styled("d", label),
            Span::raw(" decline · "),
            Span::styled("Esc", label),
            Span::raw(" not now"),
        ],
        PromptKind::InvitationComment { answer } => {
            let hint = "   Enter: review it (empty: no comment) · Esc";
            let room = usize::from(at.width).saturating_sub(12);
            let text = tail(&p.text, room.saturating_sub(hint.len().min(room / 2)));
            vec![
                Span::styled(format!("{} — comment: ", answer.subject_prefix()), label),
                Span::raw(text),
                Span::styled("█", theme.accent),
                Span::styled(truncate(hint, room.saturating_sub(p.text.len())), theme.dim),
            ]
        }
        PromptKind::AttachPath => vec![
            Span::styled("Attach: ", label),
            Span::raw(p.text.clone()),
            Span::styled("█", theme.accent),
            Span::styled("   Tab completes · Enter attaches · Esc", theme.dim),
        ],
        PromptKind::FindInMessage => {
            let count = state.finding().map_or_else(String::new, |f| f.count());
            let hint = format!("   {count} in this message · Enter: keep (n / N) · Esc: clear");
            let room = usize::from(at.width).saturating_sub(2);
            let text = tail(&p.text, room.saturating_sub(hint.len().min(room / 2)));
            let room = room.saturating_sub(unicode_width::UnicodeWidthStr::width(text.as_str()));
            vec![
                Span::styled("/", label),
                Span::raw(text),
                Span::styled("█", theme.accent),
                Span::styled(truncate(&hint, room), theme.dim),
            ]
        }
        PromptKind::Command | PromptKind::Pipe { .. } => command(state, theme, p, at),
        _ => Vec::new(),
    };
    f.render_widget(Clear, at);
    f.render_widget(Paragraph::new(Line::from(spans)), at);
    if matches!(p.kind, PromptKind::Recipients { .. }) && !p.suggestions.is_empty() {
        suggestions(theme, p, f, at);
    }
}

/// `:` and `|`: the line (its end in view), then Tab's choices or a hint.
fn command(state: &State, theme: &Theme, p: &Prompt, at: Rect) -> Vec<Span<'static>> {
    let label = match p.kind {
        PromptKind::Pipe { text: true } => "| text to: ",
        PromptKind::Pipe { .. } => "| ",
        _ => ":",
    };
    let hint = match (&state.cli.hint, &p.kind) {
        (Some(h), _) => format!("   {h}"),
        (None, PromptKind::Command) => {
            "   Tab completes · ↑↓ history · Enter runs · Esc".to_string()
        }
        (None, _) => "   a shell command, the message on its stdin · ↑↓ history · Esc".to_string(),
    };
    let room = usize::from(at.width).saturating_sub(label.chars().count() + 1);
    let text = tail(
        &p.text,
        room.saturating_sub(hint.chars().count().min(room / 2)),
    );
    let room = room.saturating_sub(unicode_width::UnicodeWidthStr::width(text.as_str()));
    vec![
        Span::styled(label, theme.accent.add_modifier(Modifier::BOLD)),
        Span::raw(text),
        Span::styled("█", theme.accent),
        Span::styled(truncate(&hint, room), theme.dim),
    ]
}

/// A query that does not read: the text with the place at fault marked,
/// then why, cut to the line (both from `query::show`, which also shows
/// control characters as U+FFFD).
fn query_error(theme: &Theme, p: &Prompt, width: usize) -> Vec<Span<'static>> {
    use crate::query::show;
    let Some(err) = &p.error else {
        return Vec::new();
    };
    let label = match p.kind {
        PromptKind::Limit => "Limit: ",
        PromptKind::MarkMatching => "Mark: ",
        PromptKind::Everywhere => "Everywhere: ",
        _ => "/",
    };
    let label_w = label.chars().count();
    // The query gets up to half the line; the message the rest.
    let room = width.saturating_sub(label_w);
    let ptr = show::pointer(&p.text, err, (room / 2).max(12));
    let message_room = room.saturating_sub(ptr.width() + 3);
    vec![
        Span::styled(label, theme.accent.add_modifier(Modifier::BOLD)),
        Span::raw(ptr.before),
        Span::styled(ptr.marked, theme.error.add_modifier(Modifier::REVERSED)),
        Span::raw(ptr.after),
        Span::raw("   "),
        Span::styled(show::one_line(err, message_room), theme.error),
    ]
}

/// The last `width` columns of `text` (with "…" in front when cut).
fn tail(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    if text.width() <= width {
        return text.to_string();
    }
    let mut out: Vec<char> = Vec::new();
    let mut w = 1;
    for ch in text.chars().rev() {
        let cw = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
        if w + cw > width {
            break;
        }
        w += cw;
        out.push(ch);
    }
    out.reverse();
    format!("…{}", out.into_iter().collect::<String>())
}

/// The addresses that fit, in a box just above the prompt line.
fn suggestions(theme: &Theme, p: &Prompt, f: &mut Frame<'_>, line: Rect) {
    let rows = p.suggestions.len() as u16;
    let width = line.width.clamp(20, 72);
    let height = (rows + 2).min(line.y);
    if height < 3 {
        return;
    }
    let area = Rect {
        x: line.x,
        y: line.y - height,
        width,
        height,
    };
    let inner = usize::from(width.saturating_sub(2));
    let lines: Vec<Line> = p
        .suggestions
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let text = crate::addresses::complete::mailbox(&c.name, &c.email);
            let style = if i == p.cursor {
                theme.cursor(true)
            } else {
                ratatui::style::Style::new()
            };
            Line::styled(crate::text::format::fit(&text, inner), style)
        })
        .collect();
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines).block(theme.pane(" Addresses ".to_string(), true)),
        area,
    );
}

fn picker(state: &State, theme: &Theme, p: &Prompt, f: &mut Frame<'_>, area: Rect) {
    let Some(acc) = state.account() else { return };
    let title = match p.kind {
        PromptKind::MoveTo { ref uids } if uids.len() == 1 => " Move the message to… ".to_string(),
        PromptKind::MoveTo { ref uids } => {
            format!(" Move {} to… ", crate::text::count(uids.len(), "message"))
        }
        _ => " Go to folder ".to_string(),
    };
    let width = (area.width.saturating_sub(4)).clamp(20, 60);
    let height = (area.height.saturating_sub(4)).clamp(5, 20);
    let [v] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(v);
    let inner_w = usize::from(width.saturating_sub(2));
    let rows = usize::from(height.saturating_sub(4));
    let first = p.cursor.saturating_sub(rows.saturating_sub(1));
    let mut lines = vec![
        Line::from(vec![
            Span::styled("› ", theme.accent),
            Span::raw(p.text.clone()),
            Span::styled("█", theme.accent),
        ]),
        Line::raw(""),
    ];
    for (n, i) in p.choices.iter().enumerate().skip(first).take(rows) {
        let Some(folder) = acc.folders.get(*i) else {
            continue;
        };
        let label = if folder.depth > 0 {
            format!("{}{}", "  ".repeat(folder.depth.min(6)), folder.name)
        } else {
            folder.name.to_string()
        };
        let style = if n == p.cursor {
            theme.cursor(true)
        } else {
            Style::new()
        };
        lines.push(Line::styled(fit(&label, inner_w), style));
    }
    if p.choices.is_empty() {
        lines.push(Line::styled("no folder matches", theme.dim));
    }
    f.render_widget(Clear, popup);
    f.render_widget(Paragraph::new(lines).block(theme.pane(title, true)), popup);
}
