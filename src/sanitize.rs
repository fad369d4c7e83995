//! The one gate between text that came from mail or a server and the screen.
//!
//! A terminal acts on escape sequences and control characters wherever they
//! appear, so a subject line could otherwise move the cursor, recolour the
//! screen or set the window title. Everything shown that we did not write
//! ourselves is turned into [`Clean`] first; views only accept `Clean`.
//!
//! What goes: ESC-introduced sequences (whole), invisible format characters
//! (bidi controls, zero-width characters, BOM, soft hyphen, tag characters).
//! What is replaced by [`PLACEHOLDER`]: any other C0/C1 control, one for one,
//! so that text written in a charset other than the one labelled (a C1 byte
//! where a letter was meant) shows where a letter is missing and loses
//! nothing after it. Line and paragraph separators become line breaks.

use std::fmt;

/// Shown instead of a control character that stood alone in the text.
pub const PLACEHOLDER: char = '\u{fffd}';

/// Text that is safe to put on a terminal: no escape sequences, no C0/C1
/// controls (other than newline in multi-line text), no bidi overrides or
/// other invisible format characters.
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

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The text, for a compact form that keeps it clean (see
    /// `mail::row_text`).
    pub(crate) fn into_string(self) -> String {
        self.0
    }

    /// Appends clean text: two clean texts side by side are still clean,
    /// since no sequence can start in one and end in the other.
    pub fn push(&mut self, other: &Clean) {
        self.0.push_str(&other.0);
    }

    /// Clean texts joined by `sep` (itself cleaned as text).
    pub fn join<'a>(parts: impl IntoIterator<Item = &'a Clean>, sep: &str) -> Clean {
        let sep = Clean::text(sep);
        let mut out = Clean::default();
        for (i, p) in parts.into_iter().enumerate() {
            if i > 0 {
                out.push(&sep);
            }
            out.push(p);
        }
        out
    }

    /// The first `max` bytes (cut back to a character boundary).
    pub fn truncated(&self, max: usize) -> Clean {
        if self.0.len() <= max {
            return self.clone();
        }
        let mut end = max;
        while !self.0.is_char_boundary(end) {
            end -= 1;
        }
        Clean(self.0[..end].to_string())
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
const C1_ST: char = '\u{9c}';

/// Characters that change how text around them is shown without showing
/// anything themselves: bidi controls (they can reorder a line so that it
/// reads differently from what it is), zero-width characters, the BOM, the
/// soft hyphen (terminals disagree on whether it takes a cell) and tag
/// characters (invisible ASCII look-alikes).
pub fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
        | '\u{200b}' | '\u{200d}' | '\u{2060}'..='\u{2064}' | '\u{206a}'..='\u{206f}'
        | '\u{feff}' | '\u{00ad}' | '\u{180e}' | '\u{fff9}'..='\u{fffb}'
        | '\u{e0000}'..='\u{e007f}'
    )
}

/// What must never reach the screen from a [`Clean`] text (newline aside).
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_invisible_format(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn strip_into(raw: &str, out: &mut String, mode: Mode) {
    let mut chars = raw.chars().peekable();
    // Column within the current line, for tab expansion in bodies.
    let mut col = 0usize;
    while let Some(c) = chars.next() {
        match c {
            ESC => skip_escape(&mut chars),
            '\r' if mode == Mode::Text => {}
            '\n' | '\u{0b}' | '\u{0c}' | '\u{2028}' | '\u{2029}' if mode == Mode::Text => {
                out.push('\n');
                col = 0;
            }
            '\t' if mode == Mode::Text => {
                let pad = 8 - col % 8;
                out.extend(std::iter::repeat_n(' ', pad));
                col += pad;
            }
            '\n' | '\t' | '\r' | '\u{0b}' | '\u{0c}' | '\u{2028}' | '\u{2029}' => {
                // Collapse runs of folding whitespace into one space.
                if !out.ends_with(' ') && !out.is_empty() {
                    out.push(' ');
                }
            }
            c if is_invisible_format(c) => {}
            c if c.is_control() => {
                out.push(PLACEHOLDER);
                col += 1;
            }
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

/// After an ESC: the sequence it starts goes with it. A malformed or cut
/// sequence ends at the first character that cannot belong to it, so it
/// cannot swallow the text after it.
fn skip_escape(chars: &mut Chars<'_>) {
    match chars.peek().copied() {
        Some('[') => {
            chars.next();
            skip_csi(chars);
        }
        Some(']' | 'P' | 'X' | '^' | '_') => {
            chars.next();
            skip_string(chars);
        }
        // nF escapes (ESC ( B …): intermediates, then one final byte.
        Some(' '..='/') => {
            while chars.next_if(|c| matches!(c, ' '..='/')).is_some() {}
            chars.next_if(|c| matches!(c, '0'..='~'));
        }
        // Two-character escapes (ESC c, ESC 7, ESC =, ESC \ …).
        Some('0'..='~') => {
            chars.next();
        }
        // A lone ESC: only it goes.
        _ => {}
    }
}

/// Control Sequence: parameter and intermediate bytes, then one final byte
/// in 0x40..=0x7e. Stops early at anything else.
fn skip_csi(chars: &mut Chars<'_>) {
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

/// OSC/DCS/APC/PM/SOS: everything up to BEL, ST (ESC \ or C1 ST). A line
/// break ends it too (and is kept): no title or hyperlink spans lines in
/// real mail, and an unterminated one must not eat the rest of the text.
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(&c) = chars.peek() {
        match c {
            '\n' | '\r' => return,
            BEL | C1_ST => {
                chars.next();
                return;
            }
            ESC => {
                chars.next();
                // ST ends the string; any other escape starts a new sequence.
                if chars.next_if_eq(&'\\').is_none() {
                    skip_escape(chars);
                }
                return;
            }
            _ => {
                chars.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_unsafe(s: &str) -> bool {
        s.chars().any(|c| c != '\n' && is_unsafe(c))
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
    fn a_lone_c1_control_is_replaced_alone() {
        // C1 "introducers" are single characters here: only ESC starts a
        // sequence, so the text after them stays.
        let s = Clean::line("x\u{9b}31my\u{9d}0;title\u{9c}z\u{85}w\u{90}v\u{98}u\u{9e}t\u{9f}s");
        assert_eq!(
            s.as_str(),
            "x\u{fffd}31my\u{fffd}0;title\u{fffd}z\u{fffd}w\u{fffd}v\u{fffd}u\u{fffd}t\u{fffd}s"
        );
    }

    #[test]
    fn a_mislabelled_windows_1250_body_keeps_its_text() {
        // "Dobrý den, žádám …" written in windows-1250, read as iso-8859-2:
        // 0x9E (ž in windows-1250) becomes U+009E.
        let s = Clean::text(
            "Dobr\u{fd} den,\n\u{9e}\u{e1}d\u{e1}m o schv\u{e1}len\u{ed}.\nD\u{11b}kuji",
        );
        assert_eq!(s.as_str(), "Dobrý den,\n\u{fffd}ádám o schválení.\nDěkuji");
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
        assert_eq!(Clean::line("a\x1b\u{e9}b").as_str(), "a\u{e9}b");
        // An unterminated title ends at the line break.
        assert_eq!(
            Clean::text("a\x1b]0;no end\nnext line").as_str(),
            "a\nnext line"
        );
        // An escape inside a string starts a new sequence.
        assert_eq!(Clean::line("a\x1b]0;t\x1b[31mb").as_str(), "ab");
    }

    #[test]
    fn line_mode_folds_breaks_and_tabs() {
        assert_eq!(
            Clean::line("Re: hello\r\n\tworld").as_str(),
            "Re: hello world"
        );
        assert_eq!(Clean::line("trailing\n").as_str(), "trailing");
        assert_eq!(Clean::line("a\u{2028}b\u{2029}c").as_str(), "a b c");
    }

    #[test]
    fn text_mode_keeps_newlines_expands_tabs_and_drops_cr() {
        assert_eq!(
            Clean::text("a\tb\r\nab\tc").as_str(),
            "a       b\nab      c"
        );
        assert_eq!(
            Clean::text("a\u{2028}b\u{2029}c\x0cd").as_str(),
            "a\nb\nc\nd"
        );
    }

    #[test]
    fn lone_controls_become_placeholders_and_bidi_goes() {
        let s = Clean::text("a\x07b\x08c\x7fd\u{202e}e\u{2066}f\x00g");
        assert_eq!(s.as_str(), "a\u{fffd}b\u{fffd}c\u{fffd}def\u{fffd}g");
    }

    #[test]
    fn invisible_format_characters_are_removed() {
        let s = Clean::line(
            "p\u{61c}a\u{200b}y\u{200d}p\u{feff}a\u{ad}l\u{e0001}\u{e0070}\u{e007f}.com\u{2060}",
        );
        assert_eq!(s.as_str(), "paypal.com");
    }

    #[test]
    fn joining_and_truncating_stay_clean() {
        let a = Clean::line("é");
        let j = Clean::join([&a, &Clean::line("b")], "\x1b[2J, ");
        assert_eq!(j.as_str(), "é, b");
        assert_eq!(Clean::line("éé").truncated(3).as_str(), "é");
    }

    #[test]
    fn every_byte_pattern_comes_out_clean() {
        // Exhaustive over short sequences of the interesting characters.
        let alphabet = [
            '\x1b',
            '[',
            ']',
            '\x07',
            '\\',
            'P',
            'm',
            '\u{9b}',
            '\u{9c}',
            '\r',
            '\t',
            'a',
            ';',
            '0',
            '\n',
            '(',
            '\u{200b}',
            '\u{e0041}',
        ];
        let mut input = String::new();
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    input.clear();
                    input.extend([a, b, c, 'z']);
                    assert!(!has_unsafe(Clean::text(&input).as_str()), "{input:?}");
                    let line = Clean::line(&input);
                    assert!(!has_unsafe(line.as_str()), "{input:?}");
                    assert!(!line.as_str().contains('\n'), "{input:?}");
                }
            }
        }
    }
}
