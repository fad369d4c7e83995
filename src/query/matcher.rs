//! A query against what a row knows, in three values: a list row has its
//! sender's name, subject, date, flags and size, but not its recipients or
//! body, so `to:bob` is `Unknown` for it until something that knows more
//! (the store's index, the server) decides. AND, OR and NOT follow Kleene's
//! logic: `No AND Unknown` is `No`, `Yes OR Unknown` is `Yes`.

use super::ast::{Expr, Status, Term, TextField, Value};
use super::dates::{Bounds, Now, bounds};
use crate::mail::types::{Envelope, Flags};
use crate::text::fold::contains_folded;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Yes,
    No,
    Unknown,
}

impl Verdict {
    fn from_bool(b: bool) -> Self {
        if b { Verdict::Yes } else { Verdict::No }
    }

    pub fn and(self, other: Verdict) -> Self {
        match (self, other) {
            (Verdict::No, _) | (_, Verdict::No) => Verdict::No,
            (Verdict::Yes, Verdict::Yes) => Verdict::Yes,
            _ => Verdict::Unknown,
        }
    }

    pub fn or(self, other: Verdict) -> Self {
        match (self, other) {
            (Verdict::Yes, _) | (_, Verdict::Yes) => Verdict::Yes,
            (Verdict::No, Verdict::No) => Verdict::No,
            _ => Verdict::Unknown,
        }
    }
}

impl std::ops::Not for Verdict {
    type Output = Verdict;

    fn not(self) -> Verdict {
        match self {
            Verdict::Yes => Verdict::No,
            Verdict::No => Verdict::Yes,
            Verdict::Unknown => Verdict::Unknown,
        }
    }
}

/// What a row knows of one text field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Known<'a> {
    /// All of it: not finding a word there is a no.
    Whole(&'a str),
    /// Part of it (a sender's name without the address): finding a word
    /// is a yes, not finding it proves nothing.
    Part(&'a str),
    Missing,
}

impl Known<'_> {
    fn find(self, v: &Value) -> Verdict {
        match self {
            Known::Whole(t) => Verdict::from_bool(contains_folded(t, v.folded())),
            Known::Part(t) if contains_folded(t, v.folded()) => Verdict::Yes,
            Known::Part(_) | Known::Missing => Verdict::Unknown,
        }
    }
}

/// Everything a query can ask of one message; build it from a list row
/// with [`Facts::envelope`] and add what else is known.
#[derive(Clone, Copy, Debug)]
pub struct Facts<'a> {
    pub from: Known<'a>,
    pub to: Known<'a>,
    pub cc: Known<'a>,
    pub subject: Known<'a>,
    pub body: Known<'a>,
    pub flags: Option<Flags>,
    pub has_attachment: Option<bool>,
    pub size: Option<u32>,
    pub date: Option<i64>,
    /// Where the message is, for `folder:` and `account:`.
    pub place: Option<Place<'a>>,
}

/// A folder as `folder:` matches it: by its path or its last component,
/// in any case; and the account's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place<'a> {
    pub account: &'a str,
    /// The path as shown (decoded), e.g. `Projects/2026`.
    pub folder: &'a str,
    /// Separates levels of `folder` (`/` or `.`), if it has levels.
    pub delimiter: Option<char>,
}

impl<'a> Facts<'a> {
    /// Nothing known.
    pub fn unknown() -> Self {
        Facts {
            from: Known::Missing,
            to: Known::Missing,
            cc: Known::Missing,
            subject: Known::Missing,
            body: Known::Missing,
            flags: None,
            has_attachment: None,
            size: None,
            date: None,
            place: None,
        }
    }

    /// What a list row knows. Its sender is the display name where there
    /// is one (only part of From), else the address (all of it).
    pub fn envelope(e: &'a Envelope) -> Self {
        let from = e.from.as_str();
        let whole = from.split(", ").all(|p| p.contains('@'));
        Facts {
            from: if whole {
                Known::Whole(from)
            } else {
                Known::Part(from)
            },
            // The To names the row keeps (cut short, no addresses): a
            // name found there is a yes; not found proves nothing.
            to: if e.to.is_empty() {
                Known::Missing
            } else {
                Known::Part(e.to.as_str())
            },
            subject: Known::Whole(e.subject.as_str()),
            flags: Some(e.flags),
            has_attachment: Some(e.has_attachment),
            size: Some(e.size),
            date: e.date,
            ..Facts::unknown()
        }
    }

    pub fn at(self, place: Place<'a>) -> Self {
        Facts {
            place: Some(place),
            ..self
        }
    }
}

impl Place<'_> {
    fn folder_is(&self, v: &Value) -> bool {
        let want = v.folded();
        let last = self
            .delimiter
            .and_then(|d| self.folder.rsplit(d).next())
            .unwrap_or(self.folder);
        same_folded(self.folder, want) || same_folded(last, want)
    }
}

/// `text` lower-cased is `lower`, without allocating.
fn same_folded(text: &str, lower: &str) -> bool {
    text.chars().flat_map(char::to_lowercase).eq(lower.chars())
}

/// A query made ready for one "now": date terms become times once, not
/// once a row.
#[derive(Clone, Debug)]
pub struct Matcher<'q> {
    root: Node<'q>,
}

#[derive(Clone, Debug)]
enum Node<'q> {
    Term(&'q Term),
    Date(Bounds),
    Not(Box<Node<'q>>),
    And(Vec<Node<'q>>),
    Or(Vec<Node<'q>>),
}

impl<'q> Matcher<'q> {
    pub fn new(e: &'q Expr, now: &Now) -> Self {
        Matcher {
            root: compile(e, now),
        }
    }

    pub fn eval(&self, facts: &Facts<'_>) -> Verdict {
        eval(&self.root, facts)
    }
}

fn compile<'q>(e: &'q Expr, now: &Now) -> Node<'q> {
    match e {
        Expr::Term(Term::Date(spec)) => Node::Date(bounds(spec, now)),
        Expr::Term(t) => Node::Term(t),
        Expr::Not(e) => Node::Not(Box::new(compile(e, now))),
        Expr::And(v) => Node::And(v.iter().map(|e| compile(e, now)).collect()),
        Expr::Or(v) => Node::Or(v.iter().map(|e| compile(e, now)).collect()),
    }
}

fn eval(n: &Node<'_>, facts: &Facts<'_>) -> Verdict {
    match n {
        Node::Term(t) => term(t, facts),
        Node::Date(b) => known(facts.date.map(|d| b.contains(d))),
        Node::Not(n) => !eval(n, facts),
        Node::And(v) => {
            let mut acc = Verdict::Yes;
            for n in v {
                acc = acc.and(eval(n, facts));
                if acc == Verdict::No {
                    break;
                }
            }
            acc
        }
        Node::Or(v) => {
            let mut acc = Verdict::No;
            for n in v {
                acc = acc.or(eval(n, facts));
                if acc == Verdict::Yes {
                    break;
                }
            }
            acc
        }
    }
}

fn known(b: Option<bool>) -> Verdict {
    b.map_or(Verdict::Unknown, Verdict::from_bool)
}

fn term(t: &Term, f: &Facts<'_>) -> Verdict {
    match t {
        Term::Text(field, v) => match field {
            TextField::From => f.from.find(v),
            TextField::To => f.to.find(v),
            TextField::Cc => f.cc.find(v),
            TextField::Subject => f.subject.find(v),
            TextField::Body => f.body.find(v),
            TextField::Any => {
                // The body counts where it is known; a row without one is
                // decided by its headers.
                let body = match f.body {
                    Known::Missing => Verdict::No,
                    b => b.find(v),
                };
                [f.from, f.subject, f.to, f.cc]
                    .iter()
                    .fold(body, |acc, k| acc.or(k.find(v)))
            }
        },
        Term::Is(s) => known(f.flags.map(|fl| match s {
            Status::Unread => !fl.seen,
            Status::Read => fl.seen,
            Status::Flagged => fl.flagged,
            Status::Answered => fl.answered,
            Status::Draft => fl.draft,
            Status::Deleted => fl.deleted,
        })),
        Term::HasAttachment => known(f.has_attachment),
        // Compiled to `Node::Date`.
        Term::Date(_) => Verdict::Unknown,
        Term::Larger(n) => known(f.size.map(|s| s > *n)),
        Term::Smaller(n) => known(f.size.map(|s| s < *n)),
        Term::Folder(v) => known(f.place.map(|p| p.folder_is(v))),
        Term::Account(v) => known(f.place.map(|p| same_folded(p.account, v.folded()))),
    }
}
