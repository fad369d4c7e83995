//! The one gate between text that came from mail or a server and the screen.
//!
//! A terminal acts on escape sequences and control characters wherever they
//! appear, so a subject line could otherwise move the cursor, recolour the
//! screen or set the window title. Everything shown that we did not write
//! ourselves is turned into [`Clean`] first; views only accept `Clean`.

use std::fmt;

/// Text that is safe to put on a terminal: no escape sequences, no C0/C1
/// controls (other than newline in multi-line text), no bidi overrides.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Clean(String);

impl Clean {
    /// For one-line fields (subjects, names, folder names, errors): every
    /// line break or tab becomes a single space.
    pub fn line(raw: &str) -> Self {
        let mut out = String::with_capacity(raw.len());
        strip_into(raw, &mut out, Mode::Line);
        Clean(out)
    }

    /// For bodies: keeps line breaks, expands tabs to 8-column stops and
    /// drops carriage returns.
    pub fn text(raw: &str) -> Self {
        let mut out = String::with_capacity(raw.len());
        strip_into(raw, &mut out, Mode::Text);
        Clean(out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Clean {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Clean {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Line,
    Text,
}

const ESC: char = '\u{1b}';
const BEL: char = '\u{07}';
const C1_CSI: char = '\u{9b}';
const C1_ST: char = '\u{9c}';
const C1_OSC: char = '\u{9d}';
const C1_DCS: char = '\u{90}';
const C1_SOS: char = '\u{98}';
const C1_PM: char = '\u{9e}';
const C1_APC: char = '\u{9f}';

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

fn strip_into(raw: &str, out: &mut String, mode: Mode) {
    let mut chars = raw.chars().peekable();
    // Column within the current line, for tab expansion in bodies.
    let mut col = 0usize;
    while let Some(c) = chars.next() {
        match c {
            ESC => match chars.next() {
                Some('[') => skip_csi(&mut chars),
                Some(']' | 'P' | 'X' | '^' | '_') => skip_string(&mut chars),
                // Two-byte escapes (ESC c, ESC 7, ESC ( B …): the next char is
                // consumed with the ESC. An intermediate byte takes one more.
                Some(' '..='/') => {
                    chars.next();
                }
                _ => {}
            },
            C1_CSI => skip_csi(&mut chars),
            C1_OSC | C1_DCS | C1_SOS | C1_PM | C1_APC => skip_string(&mut chars),
            '\n' if mode == Mode::Text => {
                out.push('\n');
                col = 0;
            }
            '\t' if mode == Mode::Text => {
                let pad = 8 - col % 8;
                out.extend(std::iter::repeat_n(' ', pad));
                col += pad;
            }
            '\n' | '\t' | '\r' if mode == Mode::Line => {
                // Collapse runs of folding whitespace into one space.
                if !out.ends_with(' ') && !out.is_empty() {
                    out.push(' ');
                }
            }
            c if c.is_control() || is_bidi_control(c) => {}
            c => {
                out.push(c);
                col += 1;
            }
        }
    }
    if mode == Mode::Line {
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
    }
}

/// Control Sequence: parameter and intermediate bytes, then one final byte
/// in 0x40..=0x7e. Stops early at anything else so that a truncated
/// sequence cannot swallow the rest of the text.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(&c) = chars.peek() {
        match c {
            '\u{30}'..='\u{3f}' | '\u{20}'..='\u{2f}' => {
                chars.next();
            }
            '\u{40}'..='\u{7e}' => {
                chars.next();
                return;
            }
            _ => return,
        }
    }
}

/// OSC/DCS/APC/PM/SOS: everything up to BEL, ST (ESC \) or C1 ST.
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            BEL | C1_ST => return,
            ESC => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_controls(s: &str) -> bool {
        s.chars()
            .any(|c| (c.is_control() && c != '\n') || is_bidi_control(c))
    }

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(
            Clean::line("Grüße aus Köln 🎉").as_str(),
            "Grüße aus Köln 🎉"
        );
        assert_eq!(Clean::text("a\nb").as_str(), "a\nb");
    }

    #[test]
    fn csi_colour_and_cursor_moves_are_removed() {
        let s = Clean::line("\x1b[31mRED\x1b[0m \x1b[2J\x1b[10;20Hmoved \x1b[?1049h");
        assert_eq!(s.as_str(), "RED moved");
    }

    #[test]
    fn osc_title_and_hyperlinks_are_removed() {
        let s = Clean::line("a\x1b]0;pwned title\x07b\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\c");
        assert_eq!(s.as_str(), "ablinkc");
    }

    #[test]
    fn c1_controls_are_removed() {
        let s = Clean::line("x\u{9b}31my\u{9d}0;title\u{9c}z\u{85}w");
        assert_eq!(s.as_str(), "xyzw");
    }

    #[test]
    fn dcs_and_two_byte_escapes_are_removed() {
        let s = Clean::line("a\x1bPq#0;2;0;0;0\x1b\\b\x1bcc\x1b(Bd\x1b7e");
        assert_eq!(s.as_str(), "abcde");
    }

    #[test]
    fn truncated_sequences_do_not_eat_following_text() {
        assert_eq!(Clean::line("a\x1b[12").as_str(), "a");
        assert_eq!(Clean::line("a\x1b[1;\u{e9}b").as_str(), "a\u{e9}b");
        assert_eq!(Clean::line("end\x1b").as_str(), "end");
    }

    #[test]
    fn line_mode_folds_breaks_and_tabs() {
        assert_eq!(
            Clean::line("Re: hello\r\n\tworld").as_str(),
            "Re: hello world"
        );
        assert_eq!(Clean::line("trailing\n").as_str(), "trailing");
    }

    #[test]
    fn text_mode_keeps_newlines_expands_tabs_and_drops_cr() {
        assert_eq!(
            Clean::text("a\tb\r\nab\tc").as_str(),
            "a       b\nab      c"
        );
    }

    #[test]
    fn bell_backspace_del_and_bidi_overrides_are_removed() {
        let s = Clean::text("a\x07b\x08c\x7fd\u{202e}e\u{2066}f\x00g");
        assert_eq!(s.as_str(), "abcdefg");
    }

    #[test]
    fn every_byte_pattern_comes_out_clean() {
        // Exhaustive over short sequences of the interesting characters.
        let alphabet = [
            '\x1b', '[', ']', '\x07', '\\', 'P', 'm', '\u{9b}', '\u{9c}', '\r', '\t', 'a', ';', '0',
        ];
        let mut input = String::new();
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    input.clear();
                    input.extend([a, b, c, 'z']);
                    assert!(!has_controls(Clean::text(&input).as_str()), "{input:?}");
                    assert!(!has_controls(Clean::line(&input).as_str()), "{input:?}");
                }
            }
        }
    }
}
