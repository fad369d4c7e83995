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
    // The review screen's keys come first: while it is up, they win over
    // what the same keys do elsewhere (aerc's review keys).
    ("y", "send_message"),
    ("e", "edit_message"),
    ("a", "attach_file"),
    ("d", "detach_file"),
    ("p", "postpone"),
    ("v", "preview"),
    ("t", "edit_to"),
    ("c", "edit_cc"),
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
    // Space reads on in the reader (a page, then the next message) and
    // marks in the list: the first that applies runs.
    ("space", "next_page"),
    ("space", "mark"),
    ("v", "mark"),
    // NeoMutt's untag-pattern and tag-thread keys; `*` as in file managers.
    ("ctrl-t", "unmark_all"),
    ("*", "mark_matching"),
    ("alt-t", "mark_thread"),
    ("U", "toggle_read"),
    ("F", "toggle_flag"),
    ("M", "mark_folder_read"),
    ("d", "delete"),
    ("delete", "delete"),
    ("A", "archive"),
    ("m", "move"),
    (":", "command_line"),
    ("|", "pipe"),
    ("u", "undo"),
    // In the reader (focused or full screen) `/` `n` `N` search the
    // message; elsewhere the list.
    ("/", "find_in_message"),
    ("/", "search"),
    // aerc's filter key: `l` (NeoMutt's limit) opens, vim-style, here.
    ("\\", "limit"),
    ("E", "search_everywhere"),
    ("n", "find_next"),
    ("n", "next_match"),
    ("N", "find_prev"),
    ("N", "prev_match"),
    ("z", "toggle_full_screen"),
    ("B", "toggle_side_panes"),
    ("J", "next_message"),
    ("K", "prev_message"),
    ("}", "next_unread"),
    ("{", "prev_unread"),
    ("H", "toggle_headers"),
    ("X", "toggle_quotes"),
    ("T", "threads"),
    ("O", "sort"),
    ("I", "sort_reverse"),
    ("V", "toggle_raw"),
    ("p", "parts"),
    ("b", "links"),
    ("s", "save_part"),
    ("S", "save_all"),
    ("o", "open_with"),
    ("y", "copy_link"),
    ("c", "copy_link"),
    ("r", "reply"),
    ("R", "reply_all"),
    ("f", "forward"),
    ("alt-f", "forward_other"),
    ("C", "compose"),
    ("e", "edit_as_new"),
    ("Q", "outbox"),
    ("i", "answer_invitation"),
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

pub use crate::state::help::HelpEntry;

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

    /// The help overlay's lines, in a stable order: each action once, with
    /// its keys and its name in `[keys]`.
    pub fn help(&self) -> Vec<HelpEntry> {
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
        let mut out = Vec::new();
        for &(name, action, description) in UiAction::NAMED {
            if let Some((_, keys)) = by_action.iter().find(|(a, _)| *a == action) {
                out.push(HelpEntry {
                    keys: keys.join(" "),
                    name: name.to_string(),
                    description: description.to_string(),
                });
            }
            if action == UiAction::NextAccount && !accounts.is_empty() {
                let keys = if accounts.len() == 9 {
                    "1-9".to_string()
                } else {
                    accounts.join(" ")
                };
                out.push(HelpEntry {
                    keys,
                    name: "account_N".to_string(),
                    description: "account N (1-9) by position".to_string(),
                });
            }
        }
        out
    }
}

/// The name of a key worth saying "not bound" about: printable characters
/// (with or without Shift) and the common named keys. Not Ctrl or Alt
/// chords (terminals and multiplexers claim many), nor media or modifier
/// keys a terminal may report on their own.
pub fn not_bound_name(key: &KeyEvent) -> Option<String> {
    if key.kind == KeyEventKind::Release
        || key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SUPER)
    {
        return None;
    }
    let (code, mods) = normalize(key.code, key.modifiers);
    match code {
        KeyCode::Char(c) if c.is_control() => None,
        KeyCode::Char(_)
        | KeyCode::Enter
        | KeyCode::Tab
        | KeyCode::BackTab
        | KeyCode::Backspace
        | KeyCode::Delete
        | KeyCode::Insert
        | KeyCode::Home
        | KeyCode::End
        | KeyCode::PageUp
        | KeyCode::PageDown
        | KeyCode::Up
        | KeyCode::Down
        | KeyCode::Left
        | KeyCode::Right
        | KeyCode::Esc
        | KeyCode::F(_) => {
            let shift = if mods.contains(KeyModifiers::SHIFT) {
                "shift-"
            } else {
                ""
            };
            Some(format!("{shift}{}", key_name(code, mods)))
        }
        _ => None,
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
            km.resolve(&key(KeyCode::Char('Z'), KeyModifiers::SHIFT)),
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
            [
                UiAction::EditCc,
                UiAction::Copy,
                UiAction::GoToFolder,
                UiAction::CopyLink
            ]
        );
        // Named in the config: only what the config says.
        let km = Keymap::new(&[binding("c", "search"), binding("c", "undo")]).unwrap();
        assert_eq!(km.resolve_all(&c), [UiAction::Search, UiAction::Undo]);
        let help = Keymap::new(&[]).unwrap().help();
        assert!(
            help.iter()
                .any(|e| e.keys == "c" && e.description == "go to a folder"),
            "{help:?}"
        );
        assert!(
            help.iter()
                .any(|e| e.keys == "v space" && e.name == "mark" && e.description.contains("mark")),
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
                help.iter()
                    .any(|e| e.name == *name && e.description == action.description()),
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
        let quit = help.iter().find(|e| e.name == "quit").unwrap();
        assert_eq!(quit.keys, "q ctrl-c");
        assert!(
            help.iter()
                .any(|e| e.keys == "1-9" && e.name == "account_N")
        );
        let names: Vec<&str> = help.iter().map(|e| e.name.as_str()).collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{names:?}");
    }

    #[test]
    fn space_reads_on_in_the_reader_and_marks_in_the_list() {
        let km = Keymap::new(&[]).unwrap();
        let space = key(KeyCode::Char(' '), KeyModifiers::NONE);
        assert_eq!(km.resolve_all(&space), [UiAction::NextPage, UiAction::Mark]);
        let v = key(KeyCode::Char('v'), KeyModifiers::NONE);
        // v previews on the review screen, marks elsewhere.
        assert_eq!(km.resolve_all(&v), [UiAction::Preview, UiAction::Mark]);
        let help = km.help();
        let next = help.iter().find(|e| e.name == "next_page").unwrap();
        assert_eq!(next.keys, "space");
        let mark = help.iter().find(|e| e.name == "mark").unwrap();
        assert_eq!(mark.keys, "v space");
    }

    #[test]
    fn plain_keys_have_names_to_say_they_are_not_bound() {
        let name = |code, mods| not_bound_name(&key(code, mods));
        assert_eq!(
            name(KeyCode::Char('r'), KeyModifiers::NONE).as_deref(),
            Some("r")
        );
        assert_eq!(
            name(KeyCode::Char('R'), KeyModifiers::SHIFT).as_deref(),
            Some("R")
        );
        assert_eq!(
            name(KeyCode::Char('é'), KeyModifiers::NONE).as_deref(),
            Some("é")
        );
        assert_eq!(
            name(KeyCode::F(7), KeyModifiers::NONE).as_deref(),
            Some("f7")
        );
        assert_eq!(
            name(KeyCode::Left, KeyModifiers::NONE).as_deref(),
            Some("left")
        );
        assert_eq!(
            name(KeyCode::Left, KeyModifiers::SHIFT).as_deref(),
            Some("shift-left")
        );
        assert_eq!(
            name(KeyCode::Insert, KeyModifiers::NONE).as_deref(),
            Some("insert")
        );
        // Chords and keys no one types on purpose: nothing said.
        assert_eq!(name(KeyCode::Char('r'), KeyModifiers::CONTROL), None);
        assert_eq!(name(KeyCode::Char('r'), KeyModifiers::ALT), None);
        assert_eq!(name(KeyCode::CapsLock, KeyModifiers::NONE), None);
        assert_eq!(name(KeyCode::Null, KeyModifiers::NONE), None);
        let mut release = key(KeyCode::Char('r'), KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        assert_eq!(not_bound_name(&release), None);
    }
}
