//! Completion in a To/Cc field, as plain functions of the field's text and
//! the cursor (a byte offset into it; one inside a character counts as the
//! start of that character, one past the end as the end).
//!
//! The field is a comma-separated list; commas inside quotes (`"Smith,
//! John"`), angle brackets or parentheses do not separate. The token
//! being completed is the entry the cursor is in, from its first
//! non-blank character; the query is the token's text up to the cursor.
//! Choosing a candidate replaces the whole entry with `Name <addr>` (the
//! name quoted when it needs to be, [`mailbox`]); at the end of the field
//! `, ` follows, ready for the next address.

use std::ops::Range;

use super::Candidate;

/// The entry of the field being completed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// Bytes of the field that a choice replaces.
    pub range: Range<usize>,
    /// What to look up: the entry up to the cursor, trimmed.
    pub query: String,
}

/// The cursor moved back to a character boundary, within the field.
fn clamp(field: &str, cursor: usize) -> usize {
    let mut c = cursor.min(field.len());
    while !field.is_char_boundary(c) {
        c -= 1;
    }
    c
}

/// Byte offsets of the commas that separate entries.
fn separators(field: &str) -> Vec<usize> {
    let (mut quoted, mut escaped) = (false, false);
    let (mut angle, mut paren) = (0u32, 0u32);
    let mut out = Vec::new();
    for (i, ch) in field.char_indices() {
        if quoted {
            match (escaped, ch) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => quoted = false,
                _ => {}
            }
            continue;
        }
        match ch {
            '"' => quoted = true,
            '<' => angle += 1,
            '>' => angle = angle.saturating_sub(1),
            '(' => paren += 1,
            ')' => paren = paren.saturating_sub(1),
            ',' if angle == 0 && paren == 0 => out.push(i),
            _ => {}
        }
    }
    out
}

/// The entry the cursor is in (see the module comment).
pub fn token_at(field: &str, cursor: usize) -> Token {
    let cursor = clamp(field, cursor);
    let commas = separators(field);
    let start = commas
        .iter()
        .rev()
        .find(|&&c| c < cursor)
        .map_or(0, |c| c + 1);
    let end = commas
        .iter()
        .find(|&&c| c >= cursor)
        .copied()
        .unwrap_or(field.len());
    let blank = field[start..end].len() - field[start..end].trim_start().len();
    let start = (start + blank).min(cursor.max(start));
    let query = field[start..cursor.max(start)].trim().to_string();
    Token {
        range: start..end,
        query,
    }
}

/// Whether a display name can go as it is: letters, digits, spaces and
/// RFC 5322's atom characters; anything else (`,` `.` `"` `@` `<` `(`, …)
/// needs quotes. Non-ASCII letters are fine (the sender encodes them).
fn plain_phrase(name: &str) -> bool {
    name.chars()
        .all(|c| !c.is_ascii() || c.is_ascii_alphanumeric() || " !#$%&'*+-/=?^_`{|}~".contains(c))
}

/// `Name <addr>`, with the name in quotes (and `\` and `"` in it escaped)
/// when it needs them; just `addr` without a name.
pub fn mailbox(name: &str, email: &str) -> String {
    let name = name.trim();
    if name.is_empty() {
        return email.to_string();
    }
    if plain_phrase(name) {
        return format!("{name} <{email}>");
    }
    let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\" <{email}>")
}

/// The field after choosing `choice` for the entry at `cursor`, and where
/// the cursor goes: after the inserted `, ` at the end of the field, else
/// right after the address (before the comma that follows it).
pub fn choose(field: &str, cursor: usize, choice: &Candidate) -> (String, usize) {
    let token = token_at(field, cursor);
    let before = &field[..token.range.start];
    let after = &field[token.range.end..];
    let mut out = String::with_capacity(field.len() + choice.email.len() + choice.name.len() + 8);
    out.push_str(before);
    if before.ends_with(',') {
        out.push(' ');
    }
    out.push_str(&mailbox(&choice.name, &choice.email));
    let at = out.len();
    if after.trim().is_empty() {
        out.push_str(", ");
        return (out.clone(), out.len());
    }
    out.push_str(after);
    (out, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn john() -> Candidate {
        Candidate {
            email: "john@x.example".into(),
            name: "John Smith".into(),
        }
    }

    /// The field with `|` marking the cursor.
    fn at(marked: &str) -> (String, usize) {
        let cursor = marked.find('|').unwrap();
        (marked.replace('|', ""), cursor)
    }

    fn token(marked: &str) -> (String, String) {
        let (field, cursor) = at(marked);
        let t = token_at(&field, cursor);
        (field[t.range].to_string(), t.query)
    }

    fn chosen(marked: &str, c: &Candidate) -> String {
        let (field, cursor) = at(marked);
        let (mut out, cur) = choose(&field, cursor, c);
        out.insert(cur, '|');
        out
    }

    #[test]
    fn the_token_is_the_entry_under_the_cursor() {
        assert_eq!(token("jo|"), ("jo".into(), "jo".into()));
        assert_eq!(token("|"), ("".into(), "".into()));
        assert_eq!(token("Ann <a@x>, jo sm|"), ("jo sm".into(), "jo sm".into()));
        assert_eq!(token("Ann <a@x>,   |"), ("".into(), "".into()));
        assert_eq!(
            token("jo|hn, b@x"),
            ("john".into(), "jo".into()),
            "up to the cursor"
        );
        assert_eq!(token("a@x, jo|, b@x"), ("jo".into(), "jo".into()));
        // Commas in quotes, brackets or comments do not separate.
        assert_eq!(
            token(r#""Smith, J|"#),
            (r#""Smith, J"#.into(), r#""Smith, J"#.into())
        );
        assert_eq!(
            token(r#""a \" , b" <a@x>, "Smith, J|"#),
            (r#""Smith, J"#.into(), r#""Smith, J"#.into())
        );
        assert_eq!(
            token("x (a, b) y|"),
            ("x (a, b) y".into(), "x (a, b) y".into())
        );
        // A cursor past the end or inside a character is clamped.
        assert_eq!(token_at("ü", 1).range, 0..2);
        assert_eq!(token_at("ab", 99).query, "ab");
    }

    #[test]
    fn choosing_replaces_the_entry() {
        assert_eq!(chosen("jo|", &john()), "John Smith <john@x.example>, |");
        assert_eq!(
            chosen("Ann <a@x>, jo|", &john()),
            "Ann <a@x>, John Smith <john@x.example>, |"
        );
        assert_eq!(
            chosen("Ann <a@x>,jo|", &john()),
            "Ann <a@x>, John Smith <john@x.example>, |"
        );
        assert_eq!(
            chosen("jo|hn, b@x", &john()),
            "John Smith <john@x.example>|, b@x"
        );
        assert_eq!(
            chosen("a@x, j|o  , b@x", &john()),
            "a@x, John Smith <john@x.example>|, b@x"
        );
        assert_eq!(chosen("jo|   ", &john()), "John Smith <john@x.example>, |");
        let bare = Candidate {
            email: "n@x".into(),
            name: String::new(),
        };
        assert_eq!(chosen("|", &bare), "n@x, |");
    }

    #[test]
    fn names_are_quoted_when_they_need_it() {
        assert_eq!(mailbox("John Smith", "j@x"), "John Smith <j@x>");
        assert_eq!(mailbox("Jürgen Müller", "j@x"), "Jürgen Müller <j@x>");
        assert_eq!(mailbox("O'Brien", "o@x"), "O'Brien <o@x>");
        assert_eq!(mailbox("Smith, John", "j@x"), r#""Smith, John" <j@x>"#);
        assert_eq!(mailbox("J. Smith", "j@x"), r#""J. Smith" <j@x>"#);
        assert_eq!(mailbox("a@b", "j@x"), r#""a@b" <j@x>"#);
        assert_eq!(mailbox(r#"The "Boss""#, "b@x"), r#""The \"Boss\"" <b@x>"#);
        assert_eq!(mailbox(r"C:\dir", "c@x"), r#""C:\\dir" <c@x>"#);
        assert_eq!(mailbox("  ", "e@x"), "e@x");
        // What completion writes is one entry again.
        let (field, _) = choose(
            "",
            0,
            &Candidate {
                email: "j@x".into(),
                name: "Smith, John".into(),
            },
        );
        assert_eq!(separators(&field), [field.len() - 2]);
    }
}
