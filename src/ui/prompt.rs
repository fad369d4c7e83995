//! The open prompt: a line at the bottom for a search or a question, or
//! a box with the folders that match what was typed.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::format::{fit, truncate};
use super::theme::Theme;
use crate::state::State;
use crate::state::prompt::{Prompt, PromptKind};

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
        PromptKind::AttachPath => vec![
            Span::styled("Attach: ", label),
            Span::raw(p.text.clone()),
            Span::styled("█", theme.accent),
            Span::styled("   Tab completes · Enter attaches · Esc", theme.dim),
        ],
        _ => Vec::new(),
    };
    f.render_widget(Clear, at);
    f.render_widget(Paragraph::new(Line::from(spans)), at);
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
