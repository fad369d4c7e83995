//! What a query says, without where it was written: the parser makes it,
//! the matcher and the IMAP translation read it, and `Display` writes it
//! back in one canonical form that parses to the same tree.

use std::fmt;

/// A boolean combination of terms. `And(vec![])` is the empty query: it
/// matches everything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    Term(Term),
    Not(Box<Expr>),
    /// Two or more operands (none for the empty query), none an `And`.
    And(Vec<Expr>),
    /// Two or more operands, none an `Or`.
    Or(Vec<Expr>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Term {
    /// `from:x`, `subject:"a b"`, or a bare word or phrase (`Any`).
    Text(TextField, Value),
    Is(Status),
    HasAttachment,
    Date(DateSpec),
    /// `larger:10k`: more than this many bytes.
    Larger(u32),
    /// `smaller:10k`: fewer than this many bytes.
    Smaller(u32),
    Folder(Value),
    Account(Value),
}

/// Where a text term looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextField {
    /// A bare word or phrase: sender, recipients, subject, and the body
    /// where it is known.
    Any,
    From,
    To,
    Cc,
    Subject,
    Body,
}

impl TextField {
    /// The field's name in a query (`None` for bare words).
    pub fn name(self) -> Option<&'static str> {
        match self {
            TextField::Any => None,
            TextField::From => Some("from"),
            TextField::To => Some("to"),
            TextField::Cc => Some("cc"),
            TextField::Subject => Some("subject"),
            TextField::Body => Some("body"),
        }
    }
}

/// `is:` values: one flag each, `read`/`unread` both for \Seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Unread,
    Read,
    Flagged,
    Answered,
    Draft,
    Deleted,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Unread,
        Status::Read,
        Status::Flagged,
        Status::Answered,
        Status::Draft,
        Status::Deleted,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Status::Unread => "unread",
            Status::Read => "read",
            Status::Flagged => "flagged",
            Status::Answered => "answered",
            Status::Draft => "draft",
            Status::Deleted => "deleted",
        }
    }
}

/// Text as typed (shown back to the user) and lower-cased (matched).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value {
    text: String,
    folded: String,
}

impl Value {
    /// `text` must not be empty (the parser refuses empty values).
    pub fn new(text: &str) -> Self {
        Value {
            text: text.to_string(),
            folded: text.to_lowercase(),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Unicode lower case, for [`crate::text::fold::contains_folded`].
    pub fn folded(&self) -> &str {
        &self.folded
    }
}

/// A `date:` value: one point or span, or a range between two.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateSpec {
    /// `2026-11-27`, `2026-11`, `2025`; a relative `7d` alone means the
    /// same as `..7d`.
    Single(DatePoint),
    /// `A..B`, `A..`, `..B`; at least one end is there.
    Range(Option<DatePoint>, Option<DatePoint>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatePoint {
    Day {
        year: i32,
        month: u32,
        day: u32,
    },
    Month {
        year: i32,
        month: u32,
    },
    Year(i32),
    /// So many units back from now.
    Ago(u32, AgoUnit),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgoUnit {
    Days,
    Weeks,
    Months,
    Years,
}

impl AgoUnit {
    pub fn letter(self) -> char {
        match self {
            AgoUnit::Days => 'd',
            AgoUnit::Weeks => 'w',
            AgoUnit::Months => 'm',
            AgoUnit::Years => 'y',
        }
    }
}

impl Expr {
    /// The empty query, which matches everything.
    pub fn all() -> Self {
        Expr::And(Vec::new())
    }

    pub fn is_all(&self) -> bool {
        matches!(self, Expr::And(v) if v.is_empty())
    }

    /// Calls `f` on every term.
    pub fn each_term(&self, f: &mut impl FnMut(&Term)) {
        match self {
            Expr::Term(t) => f(t),
            Expr::Not(e) => e.each_term(f),
            Expr::And(v) | Expr::Or(v) => v.iter().for_each(|e| e.each_term(f)),
        }
    }
}

/// Words the parser reads as operators; as text they need quotes.
pub(crate) const OPERATORS: [&str; 3] = ["AND", "OR", "NOT"];

/// Whether `text` reads back as one bare word with this meaning.
fn needs_quotes(text: &str, bare: bool) -> bool {
    text.is_empty()
        || text.starts_with('-')
        || (bare && (OPERATORS.contains(&text) || text.contains(':')))
        || text
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '(' | ')' | '"' | '\\'))
}

fn write_value(f: &mut fmt::Formatter<'_>, text: &str, bare: bool) -> fmt::Result {
    if needs_quotes(text, bare) {
        write!(f, "\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        f.write_str(text)
    }
}

impl fmt::Display for DatePoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            DatePoint::Day { year, month, day } => write!(f, "{year:04}-{month:02}-{day:02}"),
            DatePoint::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            DatePoint::Year(year) => write!(f, "{year:04}"),
            DatePoint::Ago(n, unit) => write!(f, "{n}{}", unit.letter()),
        }
    }
}

impl fmt::Display for DateSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateSpec::Single(p) => write!(f, "{p}"),
            DateSpec::Range(a, b) => {
                if let Some(a) = a {
                    write!(f, "{a}")?;
                }
                f.write_str("..")?;
                if let Some(b) = b {
                    write!(f, "{b}")?;
                }
                Ok(())
            }
        }
    }
}

/// Sizes in the largest unit that divides them exactly.
pub fn size_text(bytes: u32) -> String {
    const UNITS: [(u32, char); 3] = [(1 << 30, 'G'), (1 << 20, 'M'), (1 << 10, 'k')];
    for (unit, letter) in UNITS {
        if bytes != 0 && bytes.is_multiple_of(unit) {
            return format!("{}{letter}", bytes / unit);
        }
    }
    bytes.to_string()
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Term::Text(field, v) => match field.name() {
                None => write_value(f, v.as_str(), true),
                Some(name) => {
                    write!(f, "{name}:")?;
                    write_value(f, v.as_str(), false)
                }
            },
            Term::Is(s) => write!(f, "is:{}", s.name()),
            Term::HasAttachment => f.write_str("has:attachment"),
            Term::Date(d) => write!(f, "date:{d}"),
            Term::Larger(n) => write!(f, "larger:{}", size_text(*n)),
            Term::Smaller(n) => write!(f, "smaller:{}", size_text(*n)),
            Term::Folder(v) => {
                f.write_str("folder:")?;
                write_value(f, v.as_str(), false)
            }
            Term::Account(v) => {
                f.write_str("account:")?;
                write_value(f, v.as_str(), false)
            }
        }
    }
}

impl fmt::Display for Expr {
    /// Canonical: `AND` left implicit, `-` for NOT, parentheses only where
    /// precedence (NOT > AND > OR) needs them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Term(t) => write!(f, "{t}"),
            Expr::Not(e) => match **e {
                Expr::And(_) | Expr::Or(_) => write!(f, "-({e})"),
                _ => write!(f, "-{e}"),
            },
            Expr::And(v) => {
                for (i, e) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    match e {
                        Expr::Or(_) => write!(f, "({e})")?,
                        _ => write!(f, "{e}")?,
                    }
                }
                Ok(())
            }
            Expr::Or(v) => {
                for (i, e) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" OR ")?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
        }
    }
}
