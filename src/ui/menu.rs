//! The parts and links menus: a box over the screen with one row per
//! part (number, name, type, size; nested parts indented) or per link
//! (`[1] https://…`), and the keys that act on them.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::theme::Theme;
use crate::mail::message::PartKind;
use crate::state::State;
use crate::state::menu::{Menu, MenuKind};
use crate::text::format::{fit, human_size};

/// Indentation shown for nesting, at most this many levels.
const MAX_INDENT: usize = 6;

const PARTS_KEYS: &str = " Enter view · s save · S save all · o open · Esc close";
const LINKS_KEYS: &str = " Enter/o open · y copy · 1-9 pick · Esc close";

pub fn draw(state: &State, theme: &Theme, f: &mut Frame<'_>, area: Rect) {
    let Some(menu) = &state.menu else { return };
    let (title, keys) = match &menu.kind {
        MenuKind::Parts(p) => (format!(" Parts ({}) ", p.len()), PARTS_KEYS),
        MenuKind::Links(l) => (format!(" Links ({}) ", l.len()), LINKS_KEYS),
    };
    let width = area.width.saturating_sub(4).clamp(20, 96);
    let height = (menu.len() as u16 + 4).clamp(5, area.height.saturating_sub(2).max(5));
    let [v] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(v);
    let inner_w = usize::from(width.saturating_sub(2));
    let rows = usize::from(height.saturating_sub(4)).max(1);
    let first = menu.cursor.saturating_sub(rows - 1);
    let mut lines: Vec<Line> = (first..(first + rows).min(menu.len()))
        .map(|i| {
            let style = if i == menu.cursor {
                theme.cursor(true)
            } else {
                Style::new()
            };
            Line::styled(fit(&row(menu, i, inner_w), inner_w), style)
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(fit(keys, inner_w), theme.dim)));
    f.render_widget(Clear, popup);
    f.render_widget(Paragraph::new(lines).block(theme.pane(title, true)), popup);
}

fn row(menu: &Menu, i: usize, width: usize) -> String {
    match &menu.kind {
        MenuKind::Parts(parts) => {
            let Some(p) = parts.get(i) else {
                return String::new();
            };
            let indent = "  ".repeat(p.depth.saturating_sub(1).min(MAX_INDENT));
            let mark = match p.kind {
                PartKind::Message => "✉ ",
                _ => "",
            };
            let size = human_size(p.size);
            let left = format!(" {indent}{:<5} {mark}{}", p.section, p.label);
            let right = format!("{}  {size:>7} ", p.mime);
            // The type and size keep their place at the right; the name
            // gives way.
            let room = width.saturating_sub(right.chars().count() + 1);
            format!("{} {right}", fit(&left, room))
        }
        MenuKind::Links(links) => links
            .get(i)
            .map(|l| format!(" [{}] {}", i + 1, l.url))
            .unwrap_or_default(),
    }
}
