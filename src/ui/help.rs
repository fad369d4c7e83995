//! `?`: the key bindings in a box over the screen: keys, the action's name
//! for `[keys]` in the config, and what it does. Scrolls where it does not
//! fit (the state keeps the offset, by the same [`HelpLayout`]).

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::theme::Theme;
use crate::keymap::HelpEntry;
use crate::state::State;
use crate::text::format::fit;

pub fn draw(state: &State, theme: &Theme, f: &mut Frame<'_>, area: Rect) {
    let layout = state.help_layout();
    // The status bar stays in view below.
    let status = state.areas().status.height;
    let area = Rect {
        height: area.height.saturating_sub(status),
        ..area
    };
    let width = (layout.box_width() as u16).min(area.width);
    let height = (layout.box_height() as u16).min(area.height);
    let [v] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(v);
    let [kw, nw, dw] = layout.widths;
    let fields = |k: &str, n: &str, d: &str, strong| {
        let key_style = if strong { theme.accent } else { theme.dim };
        vec![
            Span::styled(format!(" {}  ", fit(k, kw)), key_style),
            Span::styled(format!("{}  ", fit(n, nw)), theme.dim),
            Span::raw(format!("{} ", fit(d, dw))),
        ]
    };
    let header =
        (0..layout.columns).flat_map(|_| fields("key", "[keys] name", "what it does", false));
    let mut lines = vec![Line::from(header.collect::<Vec<_>>())];
    let scroll = state.help_scroll.min(layout.max_scroll());
    for row in scroll..scroll + layout.visible {
        let mut spans = Vec::new();
        for col in 0..layout.columns {
            if let Some(HelpEntry {
                keys,
                name,
                description,
            }) = state.help.get(col * layout.per_column + row)
            {
                spans.extend(fields(keys, name, description, true));
            }
        }
        lines.push(Line::from(spans));
    }
    let footer = if layout.max_scroll() > 0 {
        " j k PgUp PgDn scroll · any other key closes this"
    } else {
        " any key closes this"
    };
    lines.push(Line::styled(footer, theme.dim));
    let mut block = theme.pane(" Keys ".into(), true);
    if layout.max_scroll() > 0 {
        let shown = format!(
            " {}-{} of {} ",
            scroll + 1,
            scroll + layout.visible,
            layout.per_column
        );
        block = block.title_bottom(Line::styled(shown, theme.dim).right_aligned());
    }
    f.render_widget(Clear, popup);
    f.render_widget(Paragraph::new(lines).block(block), popup);
}
