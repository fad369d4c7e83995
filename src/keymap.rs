//! Key bindings: defaults plus `[keys]` overrides from the config.

use std::collections::HashMap;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::action::UiAction;
use crate::config::KeyBinding;

/// A key may carry several actions for different contexts (`c` copies the
/// sign-in code while that panel is up, and picks a folder otherwise); the
/// state runs the first that applies.
#[derive(Debug, Clone)]
pub struct Keymap {
    map: HashMap<(KeyCode, KeyModifiers), Vec<UiAction>>,
}

const DEFAULTS: &[(&str, &str)] = &[
    ("q", "quit"),
    ("ctrl-c", "quit"),
    ("tab", "next_pane"),
    ("shift-tab", "prev_pane"),
    ("k", "up"),
    ("up", "up"),
    ("j", "down"),
    ("down", "down"),
    ("g", "top"),
    ("home", "top"),
    ("G", "bottom"),
    ("end", "bottom"),
    ("pageup", "page_up"),
    ("pagedown", "page_down"),
    ("enter", "open"),
    ("l", "open"),
    ("esc", "back"),
    ("h", "back"),
    ("L", "toggle_log"),
    ("?", "help"),
    ("a", "retry"),
    ("c", "copy"),
    ("c", "go_to_folder"),
    ("space", "mark"),
    ("v", "mark"),
    ("U", "toggle_read"),
    ("F", "toggle_flag"),
    ("M", "mark_folder_read"),
    ("d", "delete"),
    ("delete", "delete"),
    ("A", "archive"),
    ("m", "move"),
    ("u", "undo"),
    ("/", "search"),
    ("n", "next_match"),
    ("N", "prev_match"),
    ("T", "threads"),
    ("O", "sort"),
    ("V", "toggle_raw"),
    ("p", "parts"),
    ("b", "links"),
    ("s", "save_part"),
    ("S", "save_all"),
    ("o", "open_with"),
    ("y", "copy_link"),
    ("c", "copy_link"),
    ("[", "prev_account"),
    ("]", "next_account"),
    ("1", "account_1"),
    ("2", "account_2"),
    ("3", "account_3"),
    ("4", "account_4"),
    ("5", "account_5"),
    ("6", "account_6"),
    ("7", "account_7"),
    ("8", "account_8"),
    ("9", "account_9"),
];

/// A `[keys]` entry that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeymapError {
    #[error("unknown key \"{0}\"")]
    UnknownKey(String),
    #[error("line {line}: {source}")]
    BadKey {
        line: usize,
        source: Box<KeymapError>,
    },
    #[error("line {line}: key \"{key}\": unknown action \"{action}\"")]
    UnknownAction {
        line: usize,
        key: String,
        action: String,
    },
    /// A default binding names an action that does not exist (a bug).
    #[error("unknown action {0} in the default keys")]
    BadDefault(&'static str),
}

/// Parses "q", "G", "ctrl-n", "shift-tab", "pagedown", "f5", "space".
pub fn parse_key(spec: &str) -> Result<(KeyCode, KeyModifiers), KeymapError> {
    let mut mods = KeyModifiers::NONE;
    let mut rest = spec;
    loop {
        let lower = rest.to_ascii_lowercase();
        let (m, len) = if lower.starts_with("ctrl-") {
            (KeyModifiers::CONTROL, 5)
        } else if lower.starts_with("alt-") {
            (KeyModifiers::ALT, 4)
        } else if lower.starts_with("shift-") {
            (KeyModifiers::SHIFT, 6)
        } else {
            break;
        };
        if rest.len() == len {
            break;
        }
        mods |= m;
        rest = &rest[len..];
    }
    let code = match rest.to_ascii_lowercase().as_str() {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" if mods.contains(KeyModifiers::SHIFT) => {
            mods.remove(KeyModifiers::SHIFT);
            KeyCode::BackTab
        }
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "space" => KeyCode::Char(' '),
        "backspace" => KeyCode::Backspace,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pageup" | "pgup" => KeyCode::PageUp,
        "pagedown" | "pgdn" => KeyCode::PageDown,
        "delete" | "del" => KeyCode::Delete,
        f if f.len() > 1 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
            KeyCode::F(f[1..].parse().unwrap_or(1))
        }
        _ => {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => KeyCode::Char(c),
                _ => return Err(KeymapError::UnknownKey(spec.to_string())),
            }
        }
    };
    Ok(normalize(code, mods))
}

/// Terminals report 'G' as Char('G') with or without SHIFT; store without.
fn normalize(code: KeyCode, mut mods: KeyModifiers) -> (KeyCode, KeyModifiers) {
    if let KeyCode::Char(_) = code {
        mods.remove(KeyModifiers::SHIFT);
    }
    if code == KeyCode::BackTab {
        mods.remove(KeyModifiers::SHIFT);
    }
    (code, mods)
}

impl Keymap {
    pub fn new(overrides: &[KeyBinding]) -> Result<Keymap, KeymapError> {
        let mut map: HashMap<_, Vec<UiAction>> = HashMap::new();
        for (key, action) in DEFAULTS {
            let k = parse_key(key)?;
            let a = UiAction::from_name(action).ok_or(KeymapError::BadDefault(action))?;
            map.entry(k).or_default().push(a);
        }
        // A key named in the config means what the config says, only that.
        let mut overridden = std::collections::HashSet::new();
        for b in overrides {
            let k = parse_key(&b.key).map_err(|e| KeymapError::BadKey {
                line: b.at.line,
                source: Box::new(e),
            })?;
            if b.action == "none" {
                map.remove(&k);
                continue;
            }
            if overridden.insert(k) {
                map.remove(&k);
            }
            let a = UiAction::from_name(&b.action).ok_or_else(|| KeymapError::UnknownAction {
                line: b.at.line,
                key: b.key.clone(),
                action: b.action.clone(),
            })?;
            map.entry(k).or_default().push(a);
        }
        Ok(Keymap { map })
    }

    /// Every action the key is bound to, in the order to try them.
    pub fn resolve_all(&self, key: &KeyEvent) -> &[UiAction] {
        if key.kind == KeyEventKind::Release {
            return &[];
        }
        self.map
            .get(&normalize(key.code, key.modifiers))
            .map_or(&[], Vec::as_slice)
    }

    pub fn resolve(&self, key: &KeyEvent) -> Option<UiAction> {
        self.resolve_all(key).first().copied()
    }

    /// (keys, description) for the help overlay, in a stable order.
    pub fn help(&self) -> Vec<(String, String)> {
        let mut by_action: Vec<(UiAction, Vec<String>)> = Vec::new();
        let mut entries: Vec<_> = self
            .map
            .iter()
            .flat_map(|(k, actions)| actions.iter().map(move |a| (k, a)))
            .collect();
        // Single characters before named keys: "j down", not "down j".
        entries.sort_by_key(|(k, _)| {
            let name = key_name(k.0, k.1);
            (name.chars().count() > 1, name)
        });
        for (k, a) in entries {
            let name = key_name(k.0, k.1);
            match by_action.iter_mut().find(|(x, _)| x == a) {
                Some((_, keys)) => keys.push(name),
                None => by_action.push((*a, vec![name])),
            }
        }
        // Account keys 1..9 fold into one line.
        let accounts: Vec<String> = by_action
            .iter()
            .filter(|(a, _)| matches!(a, UiAction::Account(_)))
            .flat_map(|(_, k)| k.clone())
            .collect();
        let mut out: Vec<(String, String)> = Vec::new();
        for &(name, action, _) in UiAction::NAMED {
            if let Some((_, keys)) = by_action.iter().find(|(a, _)| *a == action) {
                out.push((keys.join(" "), action.description()));
            }
            if action == UiAction::NextAccount && !accounts.is_empty() {
                let label = if accounts.len() == 9 {
                    "1-9".to_string()
                } else {
                    accounts.join(" ")
                };
                out.push((label, "account by position".to_string()));
            }
            let _ = name;
        }
        out
    }
}

fn key_name(code: KeyCode, mods: KeyModifiers) -> String {
    let base = match code {
        KeyCode::Char(' ') => "space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::BackTab => "shift-tab".to_string(),
        KeyCode::PageUp => "pgup".to_string(),
        KeyCode::PageDown => "pgdn".to_string(),
        KeyCode::F(n) => format!("f{n}"),
        other => format!("{other:?}").to_lowercase(),
    };
    let mut s = String::new();
    if mods.contains(KeyModifiers::CONTROL) {
        s.push_str("ctrl-");
    }
    if mods.contains(KeyModifiers::ALT) {
        s.push_str("alt-");
    }
    s + &base
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Location;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    fn binding(key: &str, action: &str) -> KeyBinding {
        KeyBinding {
            key: key.into(),
            action: action.into(),
            at: Location { line: 7, column: 1 },
        }
    }

    #[test]
    fn defaults_follow_the_design() {
        let km = Keymap::new(&[]).unwrap();
        assert_eq!(
            km.resolve(&key(KeyCode::Char('q'), KeyModifiers::NONE)),
            Some(UiAction::Quit)
        );
        assert_eq!(
            km.resolve(&key(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(UiAction::Bottom)
        );
        assert_eq!(
            km.resolve(&key(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(UiAction::PrevPane)
        );
        assert_eq!(
            km.resolve(&key(KeyCode::Char('3'), KeyModifiers::NONE)),
            Some(UiAction::Account(2))
        );
        assert_eq!(
            km.resolve(&key(KeyCode::Char(']'), KeyModifiers::NONE)),
            Some(UiAction::NextAccount)
        );
        assert_eq!(
            km.resolve(&key(KeyCode::Char('L'), KeyModifiers::SHIFT)),
            Some(UiAction::ToggleLog)
        );
        assert_eq!(
            km.resolve(&key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(UiAction::Quit)
        );
        assert_eq!(
            km.resolve(&key(KeyCode::Char('z'), KeyModifiers::NONE)),
            None
        );
    }

    #[test]
    fn overrides_replace_and_remove() {
        let km = Keymap::new(&[
            binding("ctrl-n", "down"),
            binding("q", "none"),
            binding("x", "quit"),
        ])
        .unwrap();
        assert_eq!(
            km.resolve(&key(KeyCode::Char('n'), KeyModifiers::CONTROL)),
            Some(UiAction::Down)
        );
        assert_eq!(
            km.resolve(&key(KeyCode::Char('q'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            km.resolve(&key(KeyCode::Char('x'), KeyModifiers::NONE)),
            Some(UiAction::Quit)
        );
    }

    #[test]
    fn a_key_can_carry_actions_for_several_contexts() {
        let km = Keymap::new(&[]).unwrap();
        let c = key(KeyCode::Char('c'), KeyModifiers::NONE);
        assert_eq!(
            km.resolve_all(&c),
            [UiAction::Copy, UiAction::GoToFolder, UiAction::CopyLink]
        );
        // Named in the config: only what the config says.
        let km = Keymap::new(&[binding("c", "search"), binding("c", "undo")]).unwrap();
        assert_eq!(km.resolve_all(&c), [UiAction::Search, UiAction::Undo]);
        let help = Keymap::new(&[]).unwrap().help();
        assert!(
            help.iter().any(|(k, d)| k == "c" && d == "go to a folder"),
            "{help:?}"
        );
        assert!(
            help.iter()
                .any(|(k, d)| k.contains("space") && k.contains('v') && d.contains("mark")),
            "{help:?}"
        );
    }

    #[test]
    fn bad_overrides_name_the_line() {
        let e = Keymap::new(&[binding("ctrl-n", "fly")]).unwrap_err();
        assert!(
            matches!(&e, KeymapError::UnknownAction { line: 7, action, .. } if action == "fly")
        );
        assert_eq!(
            e.to_string(),
            "line 7: key \"ctrl-n\": unknown action \"fly\""
        );
        let e = Keymap::new(&[binding("hyper-x", "quit")]).unwrap_err();
        assert!(matches!(&e, KeymapError::BadKey { line: 7, .. }), "{e:?}");
        assert_eq!(e.to_string(), "line 7: unknown key \"hyper-x\"");
    }

    #[test]
    fn parses_key_names() {
        assert_eq!(
            parse_key("f5").unwrap(),
            (KeyCode::F(5), KeyModifiers::NONE)
        );
        assert_eq!(
            parse_key("ctrl-alt-x").unwrap(),
            (
                KeyCode::Char('x'),
                KeyModifiers::CONTROL | KeyModifiers::ALT
            )
        );
        assert_eq!(
            parse_key("space").unwrap(),
            (KeyCode::Char(' '), KeyModifiers::NONE)
        );
        assert_eq!(
            parse_key("-").unwrap(),
            (KeyCode::Char('-'), KeyModifiers::NONE)
        );
        assert!(parse_key("nope").is_err());
    }

    #[test]
    fn every_named_action_has_a_default_key_and_a_help_line() {
        let help = Keymap::new(&[]).unwrap().help();
        for (name, action, _) in UiAction::NAMED {
            assert!(
                help.iter().any(|(_, d)| *d == action.description()),
                "{name} has no key in the help"
            );
        }
        for (key, action) in [("p", "parts"), ("b", "links"), ("s", "save_part")] {
            assert!(DEFAULTS.contains(&(key, action)), "{key} {action}");
        }
    }

    #[test]
    fn help_lists_each_action_once() {
        let help = Keymap::new(&[]).unwrap().help();
        let quit = help.iter().find(|(_, d)| d == "quit").unwrap();
        assert_eq!(quit.0, "q ctrl-c");
        assert!(
            help.iter()
                .any(|(k, d)| k == "1-9" && d == "account by position")
        );
    }
}
