//! Addresses as the user writes them in To/Cc/Bcc: `Name <a@b>`,
//! `"Smith, John" <j@x>`, `a@b (Name)`, bare `a@b`, groups
//! (`team: a@b, c@d;`), separated by commas.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    pub name: Option<String>,
    pub email: String,
}

/// An entry of an address list that is not an address: the text as the
/// user wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadAddress(pub String);

impl fmt::Display for BadAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "“{}” is not an email address", self.0)
    }
}

impl std::error::Error for BadAddress {}

/// Every address of `s`, or the first entry that is not one.
pub fn parse_addresses(s: &str) -> Result<Vec<Address>, BadAddress> {
    let (good, bad) = parse_lenient(s);
    match bad.into_iter().next() {
        Some(b) => Err(b),
        None => Ok(good),
    }
}

/// The addresses of `s` that parse, and the entries that do not.
pub fn parse_lenient(s: &str) -> (Vec<Address>, Vec<BadAddress>) {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for entry in split_entries(s) {
        let entry = entry.trim();
        if entry.is_empty() {
            continue;
        }
        match parse_one(entry) {
            Some(a) => good.push(a),
            None => bad.push(BadAddress(one_line(entry))),
        }
    }
    (good, bad)
}

/// Splits at commas (and group `;`) outside quotes, angle brackets and
/// comments; a group's name (`team:`) is dropped.
fn split_entries(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut quoted, mut escaped, mut angle, mut comment) = (false, false, false, 0usize);
    for c in s.chars() {
        if escaped {
            cur.push(c);
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted || comment > 0 => {
                cur.push(c);
                escaped = true;
            }
            '"' if comment == 0 => {
                quoted = !quoted;
                cur.push(c);
            }
            '(' if !quoted && !angle => {
                comment += 1;
                cur.push(c);
            }
            ')' if !quoted && !angle && comment > 0 => {
                comment -= 1;
                cur.push(c);
            }
            '<' if !quoted && comment == 0 => {
                angle = true;
                cur.push(c);
            }
            '>' if !quoted && comment == 0 => {
                angle = false;
                cur.push(c);
            }
            ',' | ';' if !quoted && !angle && comment == 0 => {
                out.push(std::mem::take(&mut cur));
            }
            ':' if !quoted && !angle && comment == 0 && !cur.contains('@') => {
                // A group name: its members follow.
                cur.clear();
            }
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn parse_one(entry: &str) -> Option<Address> {
    let (text, comment) = take_comments(entry);
    let text = text.trim();
    if let Some(open) = find_unquoted(text, '<') {
        let close = text[open..].find('>')? + open;
        if !text[close + 1..].trim().is_empty() {
            return None;
        }
        let email = text[open + 1..close].trim();
        // A source route (`<@relay:a@b>`) is obsolete; take the mailbox.
        let email = email.rsplit_once(':').map_or(email, |(_, e)| e).trim();
        if !valid_email(email) {
            return None;
        }
        let name = unquote(text[..open].trim());
        let name = Some(name).filter(|n| !n.is_empty()).or(comment);
        return Some(Address {
            name,
            email: email.to_string(),
        });
    }
    let email = text.trim_matches(|c| c == '<' || c == '>').trim();
    valid_email(email).then(|| Address {
        name: comment,
        email: email.to_string(),
    })
}

/// The text without `(comments)` outside quotes, and the first comment.
fn take_comments(s: &str) -> (String, Option<String>) {
    let mut out = String::new();
    let mut first: Option<String> = None;
    let mut cur = String::new();
    let (mut quoted, mut escaped, mut depth) = (false, false, 0usize);
    for c in s.chars() {
        if depth > 0 {
            if escaped {
                cur.push(c);
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '(' {
                depth += 1;
                cur.push(c);
            } else if c == ')' {
                depth -= 1;
                if depth == 0 {
                    if first.is_none() && !cur.trim().is_empty() {
                        first = Some(cur.trim().to_string());
                    }
                    cur.clear();
                } else {
                    cur.push(c);
                }
            } else {
                cur.push(c);
            }
            continue;
        }
        if escaped {
            escaped = false;
        } else if c == '\\' && quoted {
            escaped = true;
        } else if c == '"' {
            quoted = !quoted;
        } else if c == '(' && !quoted {
            depth = 1;
            continue;
        }
        out.push(c);
    }
    (out, first)
}

fn find_unquoted(s: &str, want: char) -> Option<usize> {
    let (mut quoted, mut escaped) = (false, false);
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' && quoted {
            escaped = true;
        } else if c == '"' {
            quoted = !quoted;
        } else if c == want && !quoted {
            return Some(i);
        }
    }
    None
}

/// A display name without its quotes and backslash escapes.
fn unquote(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut escaped = false;
    for c in name.chars() {
        if escaped {
            out.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c != '"' {
            out.push(c);
        }
    }
    one_line(out.trim())
}

/// `local@domain`: one `@`, a local part without spaces or specials, a
/// domain of dot-separated labels. Non-ASCII is allowed (SMTPUTF8, IDN).
pub fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    let local_ok = if local.len() >= 2 && local.starts_with('"') && local.ends_with('"') {
        !local[1..local.len() - 1].chars().any(|c| c.is_control())
    } else {
        !local.is_empty()
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && !local.chars().any(|c| {
                c.is_whitespace()
                    || c.is_control()
                    || matches!(
                        c,
                        '<' | '>' | '(' | ')' | '[' | ']' | ',' | ';' | ':' | '"' | '@' | '\\'
                    )
            })
    };
    let domain_ok = if domain.starts_with('[') && domain.ends_with(']') {
        domain.len() > 2
    } else {
        !domain.is_empty()
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| {
                        c.is_alphanumeric()
                            || c == '-'
                            || (!c.is_ascii() && !c.is_control() && !c.is_whitespace())
                    })
            })
    };
    local_ok && domain_ok && email.len() <= 254
}

/// Line breaks and other controls become spaces: a value from outside
/// cannot start a header of its own.
pub fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        out.push(if c.is_control() { ' ' } else { c });
    }
    out
}

/// `Name <a@b>` with the name quoted where it needs it, or `a@b`.
pub fn format_address(a: &Address) -> String {
    let email = one_line(&a.email);
    match a.name.as_deref().map(|n| one_line(n.trim())) {
        Some(n) if !n.is_empty() && n != email => {
            if n.chars().any(|c| "()<>[]:;@\\,.\"".contains(c)) {
                let escaped = n.replace('\\', "\\\\").replace('"', "\\\"");
                format!("\"{escaped}\" <{email}>")
            } else {
                format!("{n} <{email}>")
            }
        }
        _ => email,
    }
}

pub fn format_list(list: &[Address]) -> String {
    list.iter()
        .map(format_address)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Same mailbox: addresses compare without regard to case.
pub fn same_email(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim()) || a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// `list` without later repeats of an address (the first spelling stays).
pub fn dedup(list: Vec<Address>) -> Vec<Address> {
    let mut out: Vec<Address> = Vec::with_capacity(list.len());
    for a in list {
        if !out.iter().any(|b| same_email(&a.email, &b.email)) {
            out.push(a);
        }
    }
    out
}
