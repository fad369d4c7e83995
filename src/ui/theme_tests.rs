//! The theme on screen: cell styles of rendered buffers, since snapshots
//! ignore styles.

use std::ffi::OsStr;
use std::path::Path;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};

use super::Theme;
use super::sign_in_tests;
use super::tests::sample_state;
use crate::action::{Action, PromptKey, UiAction};
use crate::config::theme::{Preset, ThemeConfig};
use crate::state::State;

fn buffer(s: &State, theme: &Theme) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(s.width, s.height)).expect("terminal");
    t.draw(|f| super::draw(s, theme, f)).expect("draw");
    t.backend().buffer().clone()
}

fn config(text: &str) -> ThemeConfig {
    crate::config::parse(Path::new("/c.toml"), text)
        .unwrap_or_else(|e| panic!("{e}"))
        .theme
}

/// The first row inside `area` whose text contains `needle`: its cells.
fn row<'a>(buf: &'a Buffer, area: Rect, needle: &str) -> Vec<&'a ratatui::buffer::Cell> {
    (area.top()..area.bottom())
        .map(|y| {
            (area.left()..area.right())
                .map(|x| &buf[(x, y)])
                .collect::<Vec<_>>()
        })
        .find(|cells| {
            cells
                .iter()
                .map(|c| c.symbol())
                .collect::<String>()
                .contains(needle)
        })
        .unwrap_or_else(|| panic!("no row with {needle:?}"))
}

/// Screens that between them use every style: panes, log, help, prompt
/// of a search, and the sign-in panels.
fn screens() -> Vec<State> {
    let mut out = Vec::new();
    for (w, h) in [(80, 24), (120, 40)] {
        let mut s = sample_state(w, h);
        out.push(sample_state(w, h));
        s.update(Action::Ui(UiAction::ToggleLog));
        out.push(s);
    }
    let mut help = sample_state(80, 24);
    help.update(Action::Ui(UiAction::Help));
    out.push(help);
    // Search matches in the list, the search line, the folder picker.
    let mut search = sample_state(120, 40);
    search.update(Action::Ui(UiAction::Search));
    for c in "re".chars() {
        search.update(Action::Prompt(PromptKey::Char(c)));
    }
    out.push(search);
    let mut picker = sample_state(80, 24);
    picker.update(Action::Ui(UiAction::GoToFolder));
    out.push(picker);
    for current in [0, 1, 2] {
        let mut s = sign_in_tests::state(120, 40, sign_in_tests::signed_in());
        s.current = current;
        out.push(s);
    }
    out
}

#[test]
fn no_color_means_no_colour_anywhere_yet_the_cursor_and_unread_show() {
    // NO_COLOR wins over the config's colours; its modifiers stay.
    let cfg = config(
        "[theme]\npreset = \"light\"\nunread = { fg = \"yellow\", bg = \"#102030\" }\nerror = { fg = 9 }\n",
    );
    let theme = Theme::new(&cfg, true);
    for s in screens() {
        let buf = buffer(&s, &theme);
        for (i, c) in buf.content().iter().enumerate() {
            assert!(
                c.fg == Color::Reset && c.bg == Color::Reset,
                "{}x{}: colour at cell {i} ({:?}): {c:?}",
                s.width,
                s.height,
                c.symbol()
            );
        }
    }
    let s = sample_state(120, 40);
    let buf = buffer(&s, &theme);
    let list = s.areas().messages;
    // The selected row (focused pane) reversed, an unread row bold.
    let selected = row(&buf, list, "Q4 numbers");
    assert!(
        selected[1..selected.len() - 1]
            .iter()
            .all(|c| c.modifier.contains(Modifier::REVERSED)),
        "{selected:?}"
    );
    let unread = row(&buf, list, "Standup moved");
    assert!(
        unread[1..unread.len() - 1].iter().all(
            |c| c.modifier.contains(Modifier::BOLD) && !c.modifier.contains(Modifier::REVERSED)
        ),
        "{unread:?}"
    );
    // Focus shows in the border's type.
    assert_eq!(buf[(list.x, list.y)].symbol(), "┏");
    let folders = s.areas().folders;
    assert_eq!(buf[(folders.x, folders.y)].symbol(), "┌");
}

#[test]
fn presets_keep_their_colour_promises() {
    let indexed_or_rgb = |c: Option<Color>| matches!(c, Some(Color::Indexed(_) | Color::Rgb(..)));
    let rgb = |c: Option<Color>| matches!(c, Some(Color::Rgb(..)));
    let ansi = Theme::preset(Preset::Ansi16);
    let light = Theme::preset(Preset::Light);
    for st in ansi.all() {
        assert!(
            !indexed_or_rgb(st.fg) && !indexed_or_rgb(st.bg),
            "16: {st:?}"
        );
    }
    for st in light.all() {
        assert!(!rgb(st.fg) && !rgb(st.bg), "light: {st:?}");
    }
    for st in Theme::preset(Preset::None).all() {
        assert!(st.fg.is_none() && st.bg.is_none(), "none: {st:?}");
    }
    // On screen too: no view may add a colour of its own.
    for s in screens() {
        for c in buffer(&s, &ansi).content() {
            assert!(
                !indexed_or_rgb(Some(c.fg)) && !indexed_or_rgb(Some(c.bg)),
                "16: {c:?}"
            );
        }
        for c in buffer(&s, &light).content() {
            assert!(!rgb(Some(c.fg)) && !rgb(Some(c.bg)), "light: {c:?}");
        }
    }
    // The default is the look mailtui always had.
    let dark = Theme::default();
    assert_eq!(dark, Theme::new(&ThemeConfig::default(), false));
    assert_eq!(dark.selection_unfocused.bg, Some(Color::Indexed(236)));
    assert_eq!(dark.status_bar.bg, Some(Color::Indexed(235)));
    assert_eq!(dark.error.fg, Some(Color::Red));
}

#[test]
fn an_override_changes_the_unread_row() {
    let s = sample_state(120, 40);
    let list = s.areas().messages;
    let cell = |theme: &Theme| {
        let buf = buffer(&s, theme);
        // A column in the sender: the row's own style, no span's.
        let x = list.width as usize - 20;
        row(&buf, list, "Standup moved")[x].clone()
    };
    let before = cell(&Theme::default());
    assert_eq!(before.fg, Color::Reset);
    assert!(before.modifier.contains(Modifier::BOLD));

    let cfg = config("[theme]\nunread = { fg = \"yellow\", modifiers = [\"italic\"] }\n");
    let after = cell(&Theme::new(&cfg, false));
    assert_eq!(after.fg, Color::Yellow);
    assert!(after.modifier.contains(Modifier::ITALIC));
    assert!(
        !after.modifier.contains(Modifier::BOLD),
        "modifiers replace"
    );

    // Left out keeps the preset's; NO_COLOR drops the colour only.
    let cfg = config("[theme]\nunread = { bg = \"#102030\" }\n");
    let t = Theme::new(&cfg, false);
    assert_eq!(t.unread.bg, Some(Color::Rgb(0x10, 0x20, 0x30)));
    assert!(t.unread.add_modifier.contains(Modifier::BOLD));
    let cfg = config("[theme]\nunread = { fg = \"red\", modifiers = [\"underlined\"] }\n");
    let plain = cell(&Theme::new(&cfg, true));
    assert_eq!(plain.fg, Color::Reset);
    assert!(plain.modifier.contains(Modifier::UNDERLINED));
}

#[test]
fn no_color_is_set_and_not_empty() {
    assert!(!super::theme::no_color(None));
    assert!(!super::theme::no_color(Some(OsStr::new(""))));
    assert!(super::theme::no_color(Some(OsStr::new("1"))));
    assert!(super::theme::no_color(Some(OsStr::new("0"))));
}
