//! Colours and styles, in one place: a `Theme` built once at start from
//! the `[theme]` config and NO_COLOR, and handed to every view.

use std::ffi::OsStr;

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType, Borders};

use crate::config::theme::{Preset, StyleSpec, ThemeConfig};

/// One style per element the views draw. Focus never rests on colour
/// alone: focused panes also get a thick border.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    pub unread: Style,
    pub flagged: Style,
    pub deleted: Style,
    /// The cursor row in the focused pane, and in the others.
    pub selection: Style,
    pub selection_unfocused: Style,
    pub border: Style,
    pub border_unfocused: Style,
    pub title: Style,
    pub title_unfocused: Style,
    pub status_bar: Style,
    pub error: Style,
    pub warning: Style,
    pub ok: Style,
    pub dim: Style,
    /// Keys, markers, names: what should catch the eye a little.
    pub accent: Style,
    pub search_match: Style,
    pub header_label: Style,
    /// The `*` of marked messages.
    pub mark: Style,
    /// The QR code: dark modules on light whatever the terminal's colours,
    /// so a phone reads it. Not configurable.
    pub qr: Style,
}

impl Default for Theme {
    fn default() -> Self {
        Theme::preset(Preset::Dark)
    }
}

const fn fg(c: Color) -> Style {
    Style::new().fg(c)
}

const fn with(m: Modifier) -> Style {
    Style::new().add_modifier(m)
}

const NONE: Style = Style::new();

impl Theme {
    /// The preset, then the overrides. With `no_color` (NO_COLOR set) the
    /// preset is `none` and only the overrides' modifiers apply.
    pub fn new(config: &ThemeConfig, no_color: bool) -> Theme {
        let mut t = Theme::preset(if no_color {
            Preset::None
        } else {
            config.preset
        });
        for (style, spec) in t.slots(config) {
            if let Some(spec) = spec {
                *style = apply(*style, spec, !no_color);
            }
        }
        t
    }

    pub fn preset(p: Preset) -> Theme {
        match p {
            Preset::Dark => DARK,
            Preset::Light => LIGHT,
            Preset::Ansi16 => ANSI16,
            Preset::None => NO_COLOUR,
        }
    }

    /// Every style, for tests that look at all of them.
    pub fn all(&self) -> [Style; 19] {
        let t = *self;
        [
            t.unread,
            t.flagged,
            t.deleted,
            t.selection,
            t.selection_unfocused,
            t.border,
            t.border_unfocused,
            t.title,
            t.title_unfocused,
            t.status_bar,
            t.error,
            t.warning,
            t.ok,
            t.dim,
            t.accent,
            t.search_match,
            t.header_label,
            t.mark,
            t.qr,
        ]
    }

    /// Each configurable style beside its override.
    fn slots<'a>(&'a mut self, c: &'a ThemeConfig) -> [(&'a mut Style, &'a Option<StyleSpec>); 18] {
        [
            (&mut self.unread, &c.unread),
            (&mut self.flagged, &c.flagged),
            (&mut self.deleted, &c.deleted),
            (&mut self.selection, &c.selection),
            (&mut self.selection_unfocused, &c.selection_unfocused),
            (&mut self.border, &c.border),
            (&mut self.border_unfocused, &c.border_unfocused),
            (&mut self.title, &c.title),
            (&mut self.title_unfocused, &c.title_unfocused),
            (&mut self.status_bar, &c.status_bar),
            (&mut self.error, &c.error),
            (&mut self.warning, &c.warning),
            (&mut self.ok, &c.ok),
            (&mut self.dim, &c.dim),
            (&mut self.accent, &c.accent),
            (&mut self.search_match, &c.search_match),
            (&mut self.header_label, &c.header_label),
            (&mut self.mark, &c.mark),
        ]
    }

    /// A bordered pane; focus shows in the border's type as well as its
    /// colour, so it survives NO_COLOR.
    pub fn pane(&self, title: String, focused: bool) -> Block<'static> {
        let (border, title_style, kind) = if focused {
            (self.border, self.title, BorderType::Thick)
        } else {
            (
                self.border_unfocused,
                self.title_unfocused,
                BorderType::Plain,
            )
        };
        Block::new()
            .borders(Borders::ALL)
            .border_type(kind)
            .border_style(border)
            .title(Span::styled(title, title_style))
    }

    /// The cursor row: strong when the pane has focus, faint otherwise.
    pub fn cursor(&self, focused: bool) -> Style {
        if focused {
            self.selection
        } else {
            self.selection_unfocused
        }
    }
}

fn apply(base: Style, spec: &StyleSpec, colours: bool) -> Style {
    let mut s = base;
    if colours {
        if let Some(c) = spec.fg {
            s.fg = Some(c.0);
        }
        if let Some(c) = spec.bg {
            s.bg = Some(c.0);
        }
    }
    if let Some(m) = spec.modifiers {
        s.add_modifier = m.0;
        s.sub_modifier = Modifier::empty();
    }
    s
}

/// https://no-color.org: set and not empty means no colour.
pub fn no_color(value: Option<&OsStr>) -> bool {
    value.is_some_and(|v| !v.is_empty())
}

/// The look mailtui always had.
const DARK: Theme = Theme {
    unread: with(Modifier::BOLD),
    flagged: NONE,
    deleted: with(Modifier::CROSSED_OUT),
    selection: with(Modifier::REVERSED),
    selection_unfocused: Style::new().bg(Color::Indexed(236)),
    border: fg(Color::Cyan),
    border_unfocused: fg(Color::DarkGray),
    title: fg(Color::Cyan).add_modifier(Modifier::BOLD),
    title_unfocused: NONE,
    status_bar: Style::new().bg(Color::Indexed(235)),
    error: fg(Color::Red),
    warning: fg(Color::Yellow),
    ok: fg(Color::Green),
    dim: fg(Color::DarkGray),
    accent: fg(Color::Cyan),
    search_match: fg(Color::Magenta),
    header_label: fg(Color::Cyan),
    mark: fg(Color::Yellow).add_modifier(Modifier::BOLD),
    qr: fg(Color::Black).bg(Color::White),
};

/// Dark text on a light background: blue for accents, and from the 256
/// palette an orange for warnings (yellow is unreadable on white), a
/// darker green and greys.
const LIGHT: Theme = Theme {
    selection_unfocused: Style::new().bg(Color::Indexed(252)),
    border: fg(Color::Blue),
    border_unfocused: fg(Color::Indexed(247)),
    title: fg(Color::Blue).add_modifier(Modifier::BOLD),
    status_bar: Style::new().bg(Color::Indexed(254)),
    warning: fg(Color::Indexed(130)),
    ok: fg(Color::Indexed(28)),
    dim: fg(Color::Indexed(242)),
    accent: fg(Color::Blue),
    header_label: fg(Color::Blue),
    mark: fg(Color::Indexed(130)).add_modifier(Modifier::BOLD),
    ..DARK
};

/// The 16 ANSI colours only. No background of our own on the status bar
/// (no ANSI colour is safe behind every text colour there); the unfocused
/// cursor is underlined.
const ANSI16: Theme = Theme {
    selection_unfocused: with(Modifier::UNDERLINED),
    status_bar: NONE,
    ..DARK
};

/// No colour: modifiers carry what colour did.
const NO_COLOUR: Theme = Theme {
    unread: with(Modifier::BOLD),
    flagged: NONE,
    deleted: with(Modifier::CROSSED_OUT),
    selection: with(Modifier::REVERSED),
    selection_unfocused: with(Modifier::UNDERLINED),
    border: NONE,
    border_unfocused: NONE,
    title: with(Modifier::BOLD),
    title_unfocused: NONE,
    status_bar: with(Modifier::REVERSED),
    error: with(Modifier::BOLD),
    warning: NONE,
    ok: NONE,
    dim: with(Modifier::DIM),
    accent: NONE,
    search_match: with(Modifier::ITALIC),
    header_label: with(Modifier::BOLD),
    mark: with(Modifier::BOLD),
    qr: NONE,
};
