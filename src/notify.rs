//! Telling the user about new mail through the terminal, which works over
//! SSH: the bell, a desktop notification escape (OSC 9, OSC 777 or OSC 99,
//! whichever the terminal understands), and the window title. Only what
//! the user turned on is sent, and nothing from a message but its sender
//! and subject, cleaned and cut short, and only when asked for.

use crate::sanitize::Clean;

/// Longest sender or subject put into a notification.
pub const MAX_FIELD_CHARS: usize = 60;
/// Longest window title.
pub const MAX_TITLE_CHARS: usize = 80;
/// Fewest seconds between two new-mail alerts (bell or desktop notice):
/// a burst of mail rings once.
pub const ALERT_INTERVAL_SECS: i64 = 30;

/// Which desktop notification escape the terminal understands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Desktop {
    #[default]
    Off,
    /// iTerm2, WezTerm, Windows Terminal, foot, kitty, ghostty…
    Osc9,
    /// rxvt-unicode, Konsole, VTE-based terminals (GNOME Terminal).
    Osc777,
    /// kitty's own protocol.
    Osc99,
}

/// `[notify]` in the config.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotifySettings {
    pub bell: bool,
    pub desktop: Desktop,
    /// Put the unread count in the window title.
    pub title: bool,
    /// Put the newest message's sender and subject in the notification.
    pub show_sender: bool,
}

impl Default for NotifySettings {
    fn default() -> Self {
        // The bell and the title are safe everywhere, over SSH and in tmux
        // too; a desktop escape a terminal does not know may print as
        // text, so it waits to be asked for.
        NotifySettings {
            bell: true,
            desktop: Desktop::Off,
            title: true,
            show_sender: false,
        }
    }
}

/// One line, no control characters, no `;` (a field separator in OSC 777),
/// at most `max` characters.
fn field(text: &str, max: usize) -> String {
    let clean = Clean::line(text);
    let mut out: String = clean
        .as_str()
        .chars()
        .map(|c| if c == ';' { ',' } else { c })
        .take(max)
        .collect();
    if clean.as_str().chars().count() > max {
        out.push('…');
    }
    out
}

/// The escape sequence for a desktop notification.
pub fn desktop(kind: Desktop, title: &str, body: &str) -> Option<String> {
    let (title, body) = (
        field(title, MAX_FIELD_CHARS),
        field(body, MAX_FIELD_CHARS * 2),
    );
    Some(match kind {
        Desktop::Off => return None,
        Desktop::Osc9 => format!("\x1b]9;{title}: {body}\x07"),
        Desktop::Osc777 => format!("\x1b]777;notify;{title};{body}\x07"),
        Desktop::Osc99 => format!("\x1b]99;;{title}: {body}\x1b\\"),
    })
}

/// The window title (OSC 2).
pub fn title(text: &str) -> String {
    format!("\x1b]2;{}\x07", field(text, MAX_TITLE_CHARS))
}

/// What the notification says about `count` new messages.
pub fn body(count: usize, newest: Option<(&str, &str)>, show_sender: bool) -> String {
    let what = format!("{count} new {}", crate::text::noun(count as u64, "message"));
    match newest.filter(|_| show_sender) {
        Some((from, subject)) => format!(
            "{what}, latest from {}: {}",
            field(from, MAX_FIELD_CHARS),
            field(subject, MAX_FIELD_CHARS)
        ),
        None => what,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_terminal_gets_its_own_escape() {
        assert_eq!(desktop(Desktop::Off, "a", "b"), None);
        assert_eq!(
            desktop(Desktop::Osc9, "mailtui", "2 new").as_deref(),
            Some("\x1b]9;mailtui: 2 new\x07")
        );
        assert_eq!(
            desktop(Desktop::Osc777, "mailtui", "2 new").as_deref(),
            Some("\x1b]777;notify;mailtui;2 new\x07")
        );
        assert_eq!(
            desktop(Desktop::Osc99, "m", "x").as_deref(),
            Some("\x1b]99;;m: x\x1b\\")
        );
    }

    #[test]
    fn nothing_from_a_message_can_break_out_of_the_escape() {
        let hostile = "Evil\x07\x1b]0;pwned\x07; rm -rf\u{9c}\x1b\\";
        let seq = desktop(Desktop::Osc777, hostile, hostile).unwrap_or_default();
        // One sequence: the only ESC and BEL are its own.
        assert_eq!(seq.matches('\x1b').count(), 1, "{seq:?}");
        assert_eq!(seq.matches('\x07').count(), 1, "{seq:?}");
        assert_eq!(
            seq.matches(';').count(),
            3,
            "fields cannot be forged: {seq:?}"
        );
        let t = title(&"x".repeat(500));
        assert!(t.chars().count() < MAX_TITLE_CHARS + 10);
    }

    #[test]
    fn the_sender_only_when_asked_for() {
        assert_eq!(body(1, Some(("Ann", "Hi")), false), "1 new message");
        assert_eq!(
            body(3, Some(("Ann", "Hi")), true),
            "3 new messages, latest from Ann: Hi"
        );
        assert_eq!(body(2, None, true), "2 new messages");
    }
}
