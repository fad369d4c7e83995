//! Small text rules of iCalendar (RFC 5545 §3.1, RFC 6868) that the
//! parser crate leaves to us: unfolded lines for copying blocks, caret
//! escapes in parameter values, and the cut of long values.

use super::limits::MAX_VALUE_CHARS;

/// The content lines of `source`, each unfolded: a line break followed by
/// a space or tab continues the line (that one whitespace character goes).
pub fn unfolded_lines(source: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in source.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        match line.as_bytes().first() {
            Some(b' ' | b'\t') if !out.is_empty() => {
                if let Some(last) = out.last_mut() {
                    last.push_str(&line[1..]);
                }
            }
            _ if line.is_empty() => {}
            _ => out.push(line.to_string()),
        }
    }
    out
}

/// RFC 6868 caret escapes in a parameter value: `^n` a line break, `^'`
/// a double quote, `^^` a caret; any other caret stays as written.
pub fn decode_param(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '^' {
            out.push(c);
            continue;
        }
        match chars.clone().next() {
            Some('n' | 'N') => {
                chars.next();
                out.push('\n');
            }
            Some('\'') => {
                chars.next();
                out.push('"');
            }
            Some('^') => {
                chars.next();
                out.push('^');
            }
            _ => out.push('^'),
        }
    }
    out
}

/// At most [`MAX_VALUE_CHARS`] characters of `s`, with an ellipsis when cut.
pub fn capped(s: &str) -> String {
    match s.char_indices().nth(MAX_VALUE_CHARS) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

/// A value for a TEXT property: `\`, `;`, `,` escaped, line breaks as
/// `\n`, other control characters left out (RFC 5545 §3.3.11).
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value: RFC 6868 caret escapes, quoted when it holds a
/// character that would end it; control characters left out.
pub fn escape_param(s: &str) -> String {
    let mut v = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '^' => v.push_str("^^"),
            '\n' => v.push_str("^n"),
            '"' => v.push_str("^'"),
            c if c.is_control() => {}
            c => v.push(c),
        }
    }
    if v.contains([':', ';', ',']) {
        format!("\"{v}\"")
    } else {
        v
    }
}

/// A value written as it is (a URI, a date): control characters left out.
pub fn plain(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

/// One content line folded at 75 octets (RFC 5545 §3.1), never inside a
/// UTF-8 character, each piece ended with CRLF.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut room = 75;
    let mut used = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > room {
            out.push_str("\r\n ");
            // The space that starts a continuation line counts.
            room = 74;
            used = 0;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfolding_joins_continuations_and_drops_one_blank() {
        let lines = unfolded_lines("SUMMARY:Quarterly re\r\n view\r\n\t meeting\r\nUID:1\n");
        assert_eq!(lines, ["SUMMARY:Quarterly review meeting", "UID:1"]);
    }

    #[test]
    fn caret_escapes() {
        assert_eq!(
            decode_param("Ann ^'Boss^' ^^^nNext"),
            "Ann \"Boss\" ^\nNext"
        );
        assert_eq!(decode_param("a^b"), "a^b");
        assert_eq!(escape_param("Ann \"Boss\" ^"), "Ann ^'Boss^' ^^");
        assert_eq!(escape_param("Doe, Jane"), "\"Doe, Jane\"");
        assert_eq!(decode_param(&escape_param("x^y\n\"z\"")), "x^y\n\"z\"");
    }

    #[test]
    fn text_escapes() {
        assert_eq!(escape_text("a;b,c\\d\ne\u{1b}[2J"), "a\\;b\\,c\\\\d\\ne[2J");
    }

    #[test]
    fn folding_keeps_lines_within_75_octets_and_characters_whole() {
        let line = format!("SUMMARY:{}", "Überprüfung ".repeat(20));
        let folded = fold(&line);
        for piece in folded.split("\r\n").filter(|p| !p.is_empty()) {
            assert!(piece.len() <= 75, "{} {piece:?}", piece.len());
        }
        assert_eq!(unfolded_lines(&folded), [line]);
        assert_eq!(fold("UID:1"), "UID:1\r\n");
    }

    #[test]
    fn long_values_are_cut() {
        let s = "x".repeat(MAX_VALUE_CHARS + 5);
        assert_eq!(capped(&s).chars().count(), MAX_VALUE_CHARS + 1);
        assert_eq!(capped("short"), "short");
    }
}
