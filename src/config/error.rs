//! Config errors: each names the file, line, column and key.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A place in the config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, thiserror::Error)]
pub struct ConfigError {
    pub path: PathBuf,
    pub at: Option<Location>,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(at) = self.at {
            write!(f, ":{}:{}", at.line, at.column)?;
        }
        if let Some(key) = &self.key {
            write!(f, ": {key}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A problem found in one account's settings: where (a span; `None` for
/// the account's `name`), which key below the account, and why.
pub(super) type FieldError = (Option<Range<usize>>, &'static str, String);

/// The config file being read, to turn byte spans into places.
#[derive(Clone, Copy)]
pub(super) struct Source<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

impl Source<'_> {
    pub fn error(
        &self,
        span: Option<Range<usize>>,
        key: Option<String>,
        message: String,
    ) -> ConfigError {
        ConfigError {
            path: self.path.to_path_buf(),
            at: span.map(|s| self.location(s.start)),
            key,
            message,
        }
    }

    pub fn location(&self, offset: usize) -> Location {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before
            .rsplit('\n')
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(0)
            + 1;
        Location { line, column }
    }

    /// The line (1-based) where a span starts.
    pub fn line(&self, span: Range<usize>) -> usize {
        self.location(span.start).line
    }
}

/// The key a place in the file belongs to, as the user wrote it
/// (`accounts[1].imap.port`, `ui.columns`): the table header above it
/// (counting `[[array]]` entries) and the nearest `key =` at or before it.
/// Read from the text, so the deserializer needs no wrapper to track its
/// path (which doubled the config code in the binary).
pub(super) fn key_at(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let mut table = String::new();
    let mut arrays: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut key: Option<String> = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if at > offset {
            break;
        }
        let start = at;
        at += line.len();
        let t = line.trim();
        if t.starts_with('[') {
            key = None;
            if start > offset {
                break;
            }
            let array = t.starts_with("[[");
            let name = t.trim_start_matches('[');
            let name = name.split(']').next().unwrap_or_default().trim();
            // `[accounts.imap]` under `[[accounts]]` is the last entry's.
            let mut path = String::new();
            let parts: Vec<&str> = name.split('.').collect();
            for (i, part) in parts.iter().enumerate() {
                let part = part.trim().trim_matches('"');
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(part);
                let this_array = array && i + 1 == parts.len();
                if let Some(n) = arrays.get(&path).filter(|_| !this_array) {
                    path.push_str(&format!("[{}]", n.saturating_sub(1)));
                }
            }
            if array {
                let n = arrays.entry(name.to_string()).or_insert(0);
                *n += 1;
                path.push_str(&format!("[{}]", *n - 1));
            }
            table = path;
            continue;
        }
        // The keys on this line up to the place: `imap = { port = "x" }`
        // gives imap.port (a key per level of braces; strings skipped).
        let mut upto = if offset < at {
            offset - start
        } else {
            line.len()
        };
        // A place on a key (an unknown field) is that key's.
        if let Some(eq) = line[upto..].find('=')
            && line[upto..upto + eq]
                .trim()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        {
            upto += eq + 1;
        }
        let mut names: Vec<String> = Vec::new();
        let (mut depth, mut word, mut quoted) = (0usize, String::new(), false);
        for c in line[..upto.min(line.len())].chars() {
            match c {
                '"' | '\'' => quoted = !quoted,
                _ if quoted => {}
                '=' => {
                    let name = word.trim().to_string();
                    let plain = !name.is_empty()
                        && name
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
                    if plain {
                        names.truncate(depth);
                        names.push(name);
                    }
                    word.clear();
                }
                '{' => {
                    depth += 1;
                    word.clear();
                }
                '}' => {
                    depth = depth.saturating_sub(1);
                    names.truncate(depth + 1);
                    word.clear();
                }
                ',' | '[' | ']' => word.clear(),
                c => word.push(c),
            }
        }
        if !names.is_empty() {
            key = Some(names.join("."));
        }
    }
    let key = key.map(|k| {
        if table.is_empty() {
            k
        } else {
            format!("{table}.{k}")
        }
    });
    key.or((!table.is_empty()).then_some(table))
}

#[cfg(test)]
mod key_tests {
    use super::key_at;

    const TEXT: &str = "theme = 3\n[ui]\ncolumns = [\n  \"flags\",\n  7,\n]\n\n[[accounts]]\nname = \"a\"\n[[accounts]]\nname = \"b\"\nimap = { host = \"h\", port = \"x\" }\n[accounts.smtp]\nport = -1\n";

    fn at(needle: &str) -> Option<String> {
        key_at(TEXT, TEXT.find(needle).expect("in the text"))
    }

    #[test]
    fn the_key_of_a_place_is_read_from_the_text() {
        assert_eq!(at("3").as_deref(), Some("theme"));
        assert_eq!(at("7").as_deref(), Some("ui.columns"));
        assert_eq!(at("\"a\"").as_deref(), Some("accounts[0].name"));
        assert_eq!(at("\"b\"").as_deref(), Some("accounts[1].name"));
        assert_eq!(at("\"x\"").as_deref(), Some("accounts[1].imap.port"));
        assert_eq!(at("-1").as_deref(), Some("accounts[1].smtp.port"));
        assert_eq!(key_at("", 0), None);
        assert_eq!(key_at("[x]", 99).as_deref(), Some("x"));
        // An unknown field: the place is the key itself.
        let unknown = "[[accounts]]\nname = \"a\"\nhots = \"h\"\n";
        let at = unknown.find("hots").expect("in the text");
        assert_eq!(key_at(unknown, at).as_deref(), Some("accounts[0].hots"));
    }
}
