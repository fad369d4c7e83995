//! `[theme]` as written: a preset and per-element overrides. Plain data
//! (ratatui's colour and modifier types, no styles); `ui::theme` builds
//! the styles from it, and NO_COLOR may drop its colours there.

use std::fmt;
use std::str::FromStr;

use ratatui::style::{Color, Modifier};
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Preset {
    /// Today's look: named colours and two greys from the 256 palette.
    #[default]
    Dark,
    /// For light backgrounds: named colours and the 256 palette, no RGB.
    Light,
    /// The 16 ANSI colours only.
    Ansi16,
    /// No colour at all: modifiers only (what NO_COLOR gives).
    None,
}

const PRESETS: &str = "one of \"dark\", \"light\", \"16\", \"none\"";

impl<'de> Deserialize<'de> for Preset {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Preset;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(PRESETS)
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Preset, E> {
                match s {
                    "dark" => Ok(Preset::Dark),
                    "light" => Ok(Preset::Light),
                    "16" => Ok(Preset::Ansi16),
                    "none" => Ok(Preset::None),
                    _ => Err(E::custom(format!("{s:?} is not a preset: {PRESETS}"))),
                }
            }
            // `preset = 16` is what people type.
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Preset, E> {
                self.visit_str(&n.to_string())
            }
        }
        d.deserialize_any(V)
    }
}

/// `[theme]`. Every element is optional; the preset fills the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeConfig {
    #[serde(default)]
    pub preset: Preset,
    pub unread: Option<StyleSpec>,
    pub flagged: Option<StyleSpec>,
    pub deleted: Option<StyleSpec>,
    pub selection: Option<StyleSpec>,
    pub selection_unfocused: Option<StyleSpec>,
    pub border: Option<StyleSpec>,
    pub border_unfocused: Option<StyleSpec>,
    pub title: Option<StyleSpec>,
    pub title_unfocused: Option<StyleSpec>,
    pub status_bar: Option<StyleSpec>,
    pub error: Option<StyleSpec>,
    pub warning: Option<StyleSpec>,
    pub ok: Option<StyleSpec>,
    pub dim: Option<StyleSpec>,
    pub accent: Option<StyleSpec>,
    pub search_match: Option<StyleSpec>,
    pub header_label: Option<StyleSpec>,
    pub mark: Option<StyleSpec>,
}

/// One element's override: what is given replaces the preset's, what is
/// left out stays; `modifiers = []` clears the preset's modifiers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StyleSpec {
    pub fg: Option<Colour>,
    pub bg: Option<Colour>,
    pub modifiers: Option<Modifiers>,
}

/// A colour as written: a name, `"#rrggbb"`, 0–255 (a number or a
/// string), or `"default"` / `"reset"` for the terminal's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colour(pub Color);

impl FromStr for Colour {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if s.eq_ignore_ascii_case("default") {
            return Ok(Colour(Color::Reset));
        }
        Color::from_str(s).map(Colour).map_err(|_| {
            format!(
                "{s:?} is not a colour: use a name (red, lightblue, darkgray, …), \"#rrggbb\", 0-255 or \"default\""
            )
        })
    }
}

impl<'de> Deserialize<'de> for Colour {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Colour;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a colour name, \"#rrggbb\" or 0-255")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Colour, E> {
                s.parse().map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Colour, E> {
                u8::try_from(n)
                    .map(|i| Colour(Color::Indexed(i)))
                    .map_err(|_| E::custom(format!("{n} is not a colour index (0-255)")))
            }
        }
        d.deserialize_any(V)
    }
}

/// `modifiers = ["bold", "underlined"]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Modifiers(pub Modifier);

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum ModifierName {
    Bold,
    Dim,
    Italic,
    Underlined,
    Reversed,
    CrossedOut,
}

impl<'de> Deserialize<'de> for Modifiers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names = Vec::<ModifierName>::deserialize(d)?;
        Ok(Modifiers(names.into_iter().fold(
            Modifier::empty(),
            |m, n| {
                m | match n {
                    ModifierName::Bold => Modifier::BOLD,
                    ModifierName::Dim => Modifier::DIM,
                    ModifierName::Italic => Modifier::ITALIC,
                    ModifierName::Underlined => Modifier::UNDERLINED,
                    ModifierName::Reversed => Modifier::REVERSED,
                    ModifierName::CrossedOut => Modifier::CROSSED_OUT,
                }
            },
        )))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn theme(text: &str) -> Result<ThemeConfig, String> {
        super::super::parse(Path::new("/c.toml"), text)
            .map(|c| c.theme)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn presets_and_overrides_parse() {
        let t = theme(
            "[theme]\npreset = \"16\"\nunread = { fg = \"yellow\", modifiers = [\"bold\", \"italic\"] }\n\
             selection = { bg = \"#303030\" }\nmark = { fg = 208, bg = \"default\", modifiers = [] }\n\
             [theme.status_bar]\nfg = \"LightBlue\"\nbg = \"236\"\n",
        )
        .unwrap();
        assert_eq!(t.preset, Preset::Ansi16);
        let unread = t.unread.unwrap();
        assert_eq!(unread.fg, Some(Colour(Color::Yellow)));
        assert_eq!(unread.bg, None);
        assert_eq!(
            unread.modifiers,
            Some(Modifiers(Modifier::BOLD | Modifier::ITALIC))
        );
        assert_eq!(
            t.selection.unwrap().bg,
            Some(Colour(Color::Rgb(0x30, 0x30, 0x30)))
        );
        let mark = t.mark.unwrap();
        assert_eq!(mark.fg, Some(Colour(Color::Indexed(208))));
        assert_eq!(mark.bg, Some(Colour(Color::Reset)));
        assert_eq!(mark.modifiers, Some(Modifiers(Modifier::empty())));
        let bar = t.status_bar.unwrap();
        assert_eq!(bar.fg, Some(Colour(Color::LightBlue)));
        assert_eq!(bar.bg, Some(Colour(Color::Indexed(236))));
        for p in ["dark", "light", "none"] {
            assert!(
                theme(&format!("[theme]\npreset = \"{p}\"\n")).is_ok(),
                "{p}"
            );
        }
        assert_eq!(theme("").unwrap(), ThemeConfig::default());
        assert_eq!(ThemeConfig::default().preset, Preset::Dark);
    }

    /// The commented lines of the example's `[theme]`, uncommented, parse.
    #[test]
    fn the_example_theme_parses_uncommented() {
        let example = include_str!("../../assets/config.example.toml");
        let section: String = example
            .lines()
            .skip_while(|l| *l != "[theme]")
            .take_while(|l| !l.is_empty())
            .map(|l| format!("{}\n", l.trim_start_matches("# ")))
            .collect();
        assert!(section.lines().count() > 3, "{section}");
        let t = theme(&section).unwrap_or_else(|e| panic!("{e}\n{section}"));
        assert_eq!(t.preset, Preset::Dark);
        assert!(t.unread.is_some() && t.status_bar.is_some(), "{t:?}");
    }

    #[test]
    fn errors_point_at_the_line_and_key() {
        let cases = [
            (
                "[theme]\npreset = \"solarized\"\n",
                ":2:10: theme.preset",
                "\"solarized\" is not a preset: one of",
            ),
            (
                "[theme]\npreset = 8\n",
                ":2:10: theme.preset",
                "\"8\" is not a preset",
            ),
            (
                "[theme]\npreset = true\n",
                ":2:10: theme.preset",
                "one of \"dark\"",
            ),
            (
                "[theme]\n\nunred = { fg = \"red\" }\n",
                ":3:1: theme",
                "unknown field `unred`",
            ),
            (
                "[theme]\nunread = { fg = \"redish\" }\n",
                ":2:17: theme.unread.fg",
                "not a colour",
            ),
            (
                "[theme]\nerror = { bg = \"#12345\" }\n",
                ":2:16: theme.error.bg",
                "not a colour",
            ),
            (
                "[theme]\nok = { fg = 256 }\n",
                ":2:13: theme.ok.fg",
                "0-255",
            ),
            (
                "[theme]\ndim = { fg = -1 }\n",
                ":2:14: theme.dim.fg",
                "0-255",
            ),
            (
                "[theme]\nmark = { modifiers = [\"bold\", \"blink\"] }\n",
                ":2:31: theme.mark.modifiers",
                "unknown variant `blink`",
            ),
            (
                "[theme]\nmark = { modifiers = \"bold\" }\n",
                ":2:22: theme.mark.modifiers",
                "",
            ),
            (
                "[theme]\nmark = { colour = \"red\" }\n",
                ":2:10: theme.mark",
                "unknown field `colour`",
            ),
            (
                "[theme.border]\nfg = \"red\"\nbold = true\n",
                ":3:1: theme.border",
                "unknown field `bold`",
            ),
        ];
        for (text, place, words) in cases {
            let e = theme(text).unwrap_err();
            assert!(e.starts_with(&format!("/c.toml{place}")), "{e}");
            assert!(e.contains(words), "{e}");
        }
    }
}
