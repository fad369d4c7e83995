//! The `[notify]` section of `doctor`: what this terminal will get when
//! new mail arrives, from the config and the environment (TERM,
//! TERM_PROGRAM, tmux or screen, SSH). The environment is passed in, so
//! the report is a plain function of what it is given.

use serde::Serialize;

use crate::notify::{Desktop, NotifySettings};
use crate::sanitize::Clean;

/// Longest environment value shown.
const MAX_VALUE_CHARS: usize = 60;

/// The variables the report reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TermEnv {
    pub term: Option<String>,
    pub term_program: Option<String>,
    /// Set by iTerm2, and sent over SSH with the LC_* variables.
    pub lc_terminal: Option<String>,
    pub tmux: bool,
    /// GNU screen (STY).
    pub screen: bool,
    pub ssh: bool,
    pub kitty: bool,
    pub vte: bool,
    pub konsole: bool,
    pub windows_terminal: bool,
}

impl TermEnv {
    /// From a lookup of environment variables (the real one: `std::env::var`).
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> TermEnv {
        let set = |k: &str| get(k).is_some_and(|v| !v.is_empty());
        let value = |k: &str| {
            get(k).filter(|v| !v.is_empty()).map(|v| {
                Clean::line(&v)
                    .as_str()
                    .chars()
                    .take(MAX_VALUE_CHARS)
                    .collect()
            })
        };
        TermEnv {
            term: value("TERM"),
            term_program: value("TERM_PROGRAM"),
            lc_terminal: value("LC_TERMINAL"),
            tmux: set("TMUX"),
            screen: set("STY"),
            ssh: set("SSH_CONNECTION") || set("SSH_TTY") || set("SSH_CLIENT"),
            kitty: set("KITTY_WINDOW_ID"),
            vte: set("VTE_VERSION"),
            konsole: set("KONSOLE_VERSION"),
            windows_terminal: set("WT_SESSION"),
        }
    }

    pub fn current() -> TermEnv {
        TermEnv::from_vars(|k| std::env::var(k).ok())
    }

    /// The terminal, as far as the variables tell (inside tmux, screen or
    /// SSH they often tell only the multiplexer's or nothing).
    fn terminal(&self) -> Option<&'static str> {
        let program = self.term_program.as_deref().unwrap_or("");
        let term = self.term.as_deref().unwrap_or("");
        let lc = self.lc_terminal.as_deref().unwrap_or("");
        Some(if program == "iTerm.app" || lc == "iTerm2" {
            "iTerm2"
        } else if program == "WezTerm" {
            "WezTerm"
        } else if program == "ghostty" || term == "xterm-ghostty" {
            "Ghostty"
        } else if self.kitty || term == "xterm-kitty" {
            "kitty"
        } else if term.starts_with("foot") {
            "foot"
        } else if self.windows_terminal {
            "Windows Terminal"
        } else if self.konsole {
            "Konsole"
        } else if term.starts_with("rxvt-unicode") {
            "rxvt-unicode"
        } else if self.vte {
            "a VTE terminal (GNOME Terminal, Tilix…)"
        } else if program == "Apple_Terminal" {
            "Terminal.app"
        } else {
            return None;
        })
    }
}

/// Whether a terminal shows a desktop escape as a notice.
fn understands(terminal: &str, desktop: Desktop) -> bool {
    match desktop {
        Desktop::Off => false,
        Desktop::Osc9 => matches!(
            terminal,
            "iTerm2" | "WezTerm" | "Ghostty" | "kitty" | "foot" | "Windows Terminal"
        ),
        Desktop::Osc777 => {
            matches!(terminal, "rxvt-unicode" | "Konsole" | "Ghostty")
                || terminal.starts_with("a VTE")
        }
        Desktop::Osc99 => terminal == "kitty",
    }
}

fn desktop_name(d: Desktop) -> &'static str {
    match d {
        Desktop::Off => "off",
        Desktop::Osc9 => "osc9",
        Desktop::Osc777 => "osc777",
        Desktop::Osc99 => "osc99",
    }
}

/// The best escape for a terminal, to suggest.
fn suggestion(terminal: &str) -> Option<&'static str> {
    [Desktop::Osc9, Desktop::Osc777, Desktop::Osc99]
        .into_iter()
        .find(|d| understands(terminal, *d))
        .map(desktop_name)
}

/// One line of the section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Line {
    pub name: &'static str,
    pub detail: String,
    /// Something the user may want to change.
    pub warning: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotifyReport {
    pub bell: bool,
    pub title: bool,
    pub desktop: &'static str,
    pub tmux: bool,
    pub screen: bool,
    pub ssh: bool,
    /// The terminal as the environment tells it; None: not known.
    pub terminal: Option<&'static str>,
    pub lines: Vec<Line>,
}

fn line(name: &'static str, detail: impl Into<String>, warning: Option<String>) -> Line {
    Line {
        name,
        detail: detail.into(),
        warning,
    }
}

pub fn report(settings: &NotifySettings, env: &TermEnv) -> NotifyReport {
    let terminal = env.terminal();
    let multiplexer = if env.tmux {
        Some("tmux")
    } else if env.screen {
        Some("screen")
    } else {
        None
    };
    let mut lines = Vec::new();
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(not set)".into());
    let mut about = format!(
        "TERM={}, TERM_PROGRAM={}",
        shown(&env.term),
        shown(&env.term_program)
    );
    match terminal {
        Some(t) => about.push_str(&format!(": {t}")),
        None => about.push_str(": not recognised"),
    }
    lines.push(line("terminal", about, None));
    lines.push(line(
        "multiplexer",
        match multiplexer {
            Some("tmux") => {
                "inside tmux: it passes the bell on; the title reaches the window with \
                             `set -g set-titles on`"
                    .to_string()
            }
            Some(m) => format!("inside {m}: it passes the bell on"),
            _ => "none".to_string(),
        },
        None,
    ));
    lines.push(line(
        "session",
        if env.ssh {
            "over SSH: the bell and escapes travel with the text, to the terminal you sit at"
        } else {
            "local"
        },
        None,
    ));
    lines.push(line(
        "bell",
        if settings.bell {
            format!(
                "on: new mail rings (at most once per {} s)",
                crate::notify::ALERT_INTERVAL_SECS
            )
        } else {
            "off ([notify] bell = true to hear new mail)".to_string()
        },
        None,
    ));
    lines.push(line(
        "title",
        if settings.title {
            "on: the window title counts unread mail"
        } else {
            "off"
        },
        None,
    ));
    let desktop = settings.desktop;
    let (detail, warning) = if desktop == Desktop::Off {
        let hint = terminal.and_then(suggestion).map(|s| {
            format!(
                "{} shows desktop notices: [notify] desktop = \"{s}\"",
                terminal.unwrap_or("")
            )
        });
        ("off".to_string(), hint.filter(|_| multiplexer.is_none()))
    } else {
        let name = desktop_name(desktop);
        let warning = if let Some(m) = multiplexer {
            Some(format!(
                "inside {m}, {name} needs passthrough to reach the terminal, which mailtui does \
                 not add: the notice is dropped (the bell still rings)"
            ))
        } else {
            match terminal {
                Some(t) if understands(t, desktop) => None,
                Some(t) => Some(match suggestion(t) {
                    Some(s) => format!("{t} does not know {name}; it knows {s}"),
                    None => format!("{t} does not know {name}; it may show nothing"),
                }),
                None => Some(format!(
                    "this terminal is not recognised: {name} may show nothing, or stray text"
                )),
            }
        };
        let detail = match (terminal, &warning) {
            (Some(t), None) => format!("{name}: {t} understands it"),
            _ => name.to_string(),
        };
        (detail, warning)
    };
    lines.push(line("desktop", detail, warning));
    NotifyReport {
        bell: settings.bell,
        title: settings.title,
        desktop: desktop_name(desktop),
        tmux: env.tmux,
        screen: env.screen,
        ssh: env.ssh,
        terminal,
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> TermEnv {
        TermEnv::from_vars(|k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        })
    }

    fn text(settings: NotifySettings, vars: &[(&str, &str)]) -> String {
        crate::doctor::text::notify(&report(&settings, &env(vars)))
    }

    #[test]
    fn the_defaults_in_a_local_iterm() {
        let out = text(
            NotifySettings::default(),
            &[("TERM", "xterm-256color"), ("TERM_PROGRAM", "iTerm.app")],
        );
        assert_eq!(
            out,
            "[notify]
  ✓ terminal         TERM=xterm-256color, TERM_PROGRAM=iTerm.app: iTerm2
  ✓ multiplexer      none
  ✓ session          local
  ✓ bell             on: new mail rings (at most once per 30 s)
  ✓ title            on: the window title counts unread mail
  ! desktop          off
                     warning: iTerm2 shows desktop notices: [notify] desktop = \"osc9\""
        );
    }

    #[test]
    fn tmux_over_ssh_drops_desktop_escapes() {
        let settings = NotifySettings {
            desktop: Desktop::Osc777,
            bell: false,
            ..NotifySettings::default()
        };
        let r = report(
            &settings,
            &env(&[
                ("TERM", "tmux-256color"),
                ("TERM_PROGRAM", "tmux"),
                ("TMUX", "/tmp/tmux-1000/default,123,0"),
                ("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22"),
                ("VTE_VERSION", "7600"),
            ]),
        );
        assert!(r.tmux && r.ssh && !r.bell);
        let out = crate::doctor::text::notify(&r);
        assert!(out.contains("inside tmux: it passes the bell on"), "{out}");
        assert!(out.contains("over SSH"), "{out}");
        assert!(out.contains("bell             off"), "{out}");
        assert!(
            out.contains("warning: inside tmux, osc777 needs passthrough"),
            "{out}"
        );
    }

    #[test]
    fn a_desktop_escape_the_terminal_does_not_know_is_said() {
        let osc99 = NotifySettings {
            desktop: Desktop::Osc99,
            ..NotifySettings::default()
        };
        let out = text(osc99, &[("TERM", "xterm-256color"), ("WT_SESSION", "x")]);
        assert!(
            out.contains("Windows Terminal does not know osc99; it knows osc9"),
            "{out}"
        );
        let out = text(osc99, &[("TERM", "xterm-kitty"), ("KITTY_WINDOW_ID", "1")]);
        assert!(
            out.contains("desktop          osc99: kitty understands it"),
            "{out}"
        );
        let out = text(osc99, &[("TERM", "vt100")]);
        assert!(
            out.contains("not recognised: osc99 may show nothing"),
            "{out}"
        );
        let out = text(osc99, &[("TERM", "screen"), ("STY", "1.pts-0")]);
        assert!(out.contains("inside screen"), "{out}");
    }

    #[test]
    fn hostile_values_are_cleaned_and_cut() {
        let long = format!("\x1b]0;pwned\x07{}", "x".repeat(500));
        let r = report(&NotifySettings::default(), &env(&[("TERM", &long)]));
        let out = crate::doctor::text::notify(&r);
        assert!(!out.contains('\x1b') && !out.contains('\x07'), "{out:?}");
        assert!(out.len() < 1000);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["bell"], true);
        assert_eq!(json["desktop"], "off");
        assert_eq!(json["lines"][0]["name"], "terminal");
    }
}
