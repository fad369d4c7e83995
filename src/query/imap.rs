//! A query as IMAP SEARCH criteria (RFC 3501 §6.4.4), for the server's
//! half of a search. Nothing here touches the network: the result says
//! what to send, whether it needs `CHARSET UTF-8` and literals, and what
//! the server cannot check.
//!
//! `folder:`, `account:` and `has:attachment` are not IMAP criteria. The
//! server gets a query that asks at least as much as the user's (each of
//! those terms widened to "anything" where it counts for a match, and to
//! "nothing" under a NOT), and the caller checks what comes back with the
//! matcher. Exchange over-matches (SUBJECT finds more than it should), so
//! its answers are always checked; it also misses upper-case body terms,
//! so its profile sends every string in lower case (SEARCH ignores case).

use std::fmt;

use chrono::Datelike;

use super::ast::{DateSpec, Expr, Status, Term, TextField};
use super::dates::{Now, bounds, imap_date, is_midnight, local_day};

/// Server behaviour that changes what is sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Profile {
    #[default]
    Standard,
    /// Microsoft 365 / Exchange: strings in lower case, answers rechecked.
    Exchange,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImapOptions {
    pub profile: Profile,
    /// SENTSINCE/SENTBEFORE/SENTON (the Date field, as the list shows it
    /// and the matcher checks) instead of SINCE/BEFORE/ON (the server's
    /// arrival date). With arrival dates, a message whose Date field is
    /// far from its arrival can be missed by the server.
    pub sent_dates: bool,
    /// The server searches US-ASCII only (Exchange answers CHARSET UTF-8
    /// with `NO [BADCHARSET (US-ASCII)]`): non-ASCII text is never sent;
    /// [`ServerSearch::unsearchable`] names it.
    pub ascii_only: bool,
}

/// Part of a command: text to send as is, or a literal (sent as `{n}`,
/// then after the server's go-ahead the bytes; at once with LITERAL+).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Text(String),
    Literal(Vec<u8>),
}

/// SEARCH criteria: what follows `UID SEARCH [CHARSET UTF-8] `.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Criteria {
    segments: Vec<Segment>,
    /// A string holds non-ASCII text: send `CHARSET UTF-8` before the
    /// criteria.
    pub charset_utf8: bool,
}

/// The server's half of a search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerSearch {
    pub criteria: Criteria,
    /// Check each message the server returns with the matcher (rows it
    /// says `No` to go): the server's answer may hold more than the query
    /// asks for. False only when every term is one IMAP says exactly
    /// (fields, flags, sizes) on a server that keeps to it; dates are whole
    /// days on the server, bare words (TEXT) look at every header, and
    /// Exchange over-matches.
    pub recheck: bool,
    /// The terms left to the caller (`folder:`, `account:`,
    /// `has:attachment`), in query order.
    pub local_terms: Vec<Term>,
    /// Text the server cannot search at all (non-ASCII on Exchange): its
    /// answer says nothing about these, so asking it would only list
    /// messages the rows cannot rule out.
    pub unsearchable: Vec<String>,
}

pub fn server_search(e: &Expr, now: &Now, opts: ImapOptions) -> ServerSearch {
    let mut local_terms = Vec::new();
    let mut unsearchable = Vec::new();
    let mut exact = opts.profile != Profile::Exchange;
    e.each_term(&mut |t| {
        if !on_server(t) {
            local_terms.push(t.clone());
        }
        if let Term::Text(_, v) = t
            && opts.ascii_only
            && !v.as_str().is_ascii()
        {
            unsearchable.push(v.as_str().to_string());
        }
        exact &= on_server(t) && !matches!(t, Term::Date(_) | Term::Text(TextField::Any, _));
    });
    let mut w = Writer {
        segments: Vec::new(),
        text: String::new(),
        charset_utf8: false,
    };
    match widen(e, now, opts, true) {
        Approx::All => w.push("ALL"),
        Approx::Nothing => w.push("NOT ALL"),
        Approx::Some(c) => w.top(&c),
    }
    if !w.text.is_empty() {
        let text = std::mem::take(&mut w.text);
        w.segments.push(Segment::Text(text));
    }
    ServerSearch {
        criteria: Criteria {
            segments: w.segments,
            charset_utf8: w.charset_utf8,
        },
        recheck: !exact,
        local_terms,
        unsearchable,
    }
}

fn on_server(t: &Term) -> bool {
    !matches!(t, Term::Folder(_) | Term::Account(_) | Term::HasAttachment)
}

/// Criteria before they are written.
#[derive(Clone, Debug)]
enum C {
    /// A key with no argument (`UNSEEN`) or a number or date (`LARGER 10`).
    Atom(String),
    /// A key with a string argument (`FROM "bob"`).
    Str(&'static str, String),
    Not(Box<C>),
    And(Vec<C>),
    Or(Vec<C>),
}

enum Approx {
    All,
    Nothing,
    Some(C),
}

/// `e` with every term the server cannot check replaced so that the
/// result matches at least (`over`) or at most (`!over`) what `e` does.
fn widen(e: &Expr, now: &Now, opts: ImapOptions, over: bool) -> Approx {
    match e {
        Expr::Term(t) if !on_server(t) => {
            if over {
                Approx::All
            } else {
                Approx::Nothing
            }
        }
        Expr::Term(t) => key(t, now, opts, over),
        Expr::Not(inner) => match widen(inner, now, opts, !over) {
            Approx::All => Approx::Nothing,
            Approx::Nothing => Approx::All,
            Approx::Some(c) => Approx::Some(C::Not(Box::new(c))),
        },
        Expr::And(v) => {
            let mut out = Vec::new();
            for e in v {
                match widen(e, now, opts, over) {
                    Approx::Nothing => return Approx::Nothing,
                    Approx::All => {}
                    Approx::Some(c) => out.push(c),
                }
            }
            collect(out, C::And, Approx::All)
        }
        Expr::Or(v) => {
            let mut out = Vec::new();
            for e in v {
                match widen(e, now, opts, over) {
                    Approx::All => return Approx::All,
                    Approx::Nothing => {}
                    Approx::Some(c) => out.push(c),
                }
            }
            collect(out, C::Or, Approx::Nothing)
        }
    }
}

fn collect(mut v: Vec<C>, make: fn(Vec<C>) -> C, empty: Approx) -> Approx {
    match v.len() {
        0 => empty,
        1 => v.pop().map_or(empty, Approx::Some),
        _ => Approx::Some(make(v)),
    }
}

/// One term as a key: exact where IMAP can say it exactly, else widened
/// (`over`) or narrowed (`!over`).
fn key(t: &Term, now: &Now, opts: ImapOptions, over: bool) -> Approx {
    let c = match t {
        // A server that searches US-ASCII only: such a term is the
        // matcher's alone, and `ServerSearch::unsearchable` names it.
        Term::Text(_, v) if opts.ascii_only && !v.as_str().is_ascii() => {
            return if over { Approx::All } else { Approx::Nothing };
        }
        // Exchange finds more than it should, so a NOT of its answer
        // would miss messages: the server cannot narrow here.
        Term::Text(..) if !over && opts.profile == Profile::Exchange => return Approx::Nothing,
        // TEXT looks at every header; narrowed, a word is looked for only
        // where the matcher looks.
        Term::Text(TextField::Any, v) if !over => C::Or(
            ["FROM", "TO", "CC", "SUBJECT", "BODY"]
                .into_iter()
                .map(|k| C::Str(k, v.as_str().to_string()))
                .collect(),
        ),
        Term::Text(field, v) => {
            let name = match field {
                TextField::Any => "TEXT",
                TextField::From => "FROM",
                TextField::To => "TO",
                TextField::Cc => "CC",
                TextField::Subject => "SUBJECT",
                TextField::Body => "BODY",
            };
            let text = match opts.profile {
                Profile::Exchange => v.folded().to_string(),
                Profile::Standard => v.as_str().to_string(),
            };
            C::Str(name, text)
        }
        Term::Is(s) => C::Atom(
            match s {
                Status::Unread => "UNSEEN",
                Status::Read => "SEEN",
                Status::Flagged => "FLAGGED",
                Status::Answered => "ANSWERED",
                Status::Draft => "DRAFT",
                Status::Deleted => "DELETED",
            }
            .into(),
        ),
        Term::Larger(n) => C::Atom(format!("LARGER {n}")),
        Term::Smaller(n) => C::Atom(format!("SMALLER {n}")),
        Term::Date(spec) => return date(spec, now, opts, over),
        // Not on the server; `widen` takes these first.
        Term::HasAttachment | Term::Folder(_) | Term::Account(_) => return Approx::All,
    };
    Approx::Some(c)
}

/// IMAP dates are whole days (the server's, without time zones): SINCE the
/// first day, BEFORE the day after the last. A bound within a day takes
/// all of that day when widening (the matcher trims it to the second),
/// none of it when narrowing.
fn date(spec: &DateSpec, now: &Now, opts: ImapOptions, over: bool) -> Approx {
    let (since, before, on) = if opts.sent_dates {
        ("SENTSINCE", "SENTBEFORE", "SENTON")
    } else {
        ("SINCE", "BEFORE", "ON")
    };
    let b = bounds(spec, now);
    let first = b.start.and_then(|s| {
        let day = local_day(s, now)?;
        if over || is_midnight(s, now) {
            Some(day)
        } else {
            day.succ_opt()
        }
    });
    let after_last = b.end.and_then(|e| {
        let day = local_day(e, now)?;
        if !over || is_midnight(e, now) {
            Some(day)
        } else {
            day.succ_opt()
        }
    });
    // IMAP dates have four-digit years: a bound past year 9999 or before
    // year 1 either rules everything out or nothing.
    let first = match first {
        Some(d) if d.year() > 9999 => return Approx::Nothing,
        Some(d) if d.year() < 1 => None,
        d => d,
    };
    let after_last = match after_last {
        Some(d) if d.year() < 1 => return Approx::Nothing,
        Some(d) if d.year() > 9999 => None,
        d => d,
    };
    match (first, after_last) {
        (Some(a), Some(b)) if a >= b => Approx::Nothing,
        (Some(a), Some(b)) if a.succ_opt() == Some(b) => {
            Approx::Some(C::Atom(format!("{on} {}", imap_date(a))))
        }
        (Some(a), Some(b)) => Approx::Some(C::And(vec![
            C::Atom(format!("{since} {}", imap_date(a))),
            C::Atom(format!("{before} {}", imap_date(b))),
        ])),
        (Some(a), None) => Approx::Some(C::Atom(format!("{since} {}", imap_date(a)))),
        (None, Some(b)) => Approx::Some(C::Atom(format!("{before} {}", imap_date(b)))),
        (None, None) => Approx::All,
    }
}

struct Writer {
    segments: Vec<Segment>,
    text: String,
    charset_utf8: bool,
}

impl Writer {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }

    /// The top level is a list of keys (AND) without parentheses.
    fn top(&mut self, c: &C) {
        match c {
            C::And(v) => self.list(v),
            _ => self.key(c),
        }
    }

    fn list(&mut self, v: &[C]) {
        for (i, c) in v.iter().enumerate() {
            if i > 0 {
                self.push(" ");
            }
            self.key(c);
        }
    }

    /// One search key; an AND of several needs parentheses.
    fn key(&mut self, c: &C) {
        match c {
            C::Atom(a) => self.push(a),
            C::Str(name, s) => {
                self.push(name);
                self.push(" ");
                self.string(s);
            }
            C::Not(inner) => {
                self.push("NOT ");
                self.key(inner);
            }
            C::And(v) => {
                self.push("(");
                self.list(v);
                self.push(")");
            }
            // OR takes two keys: OR a OR b c.
            C::Or(v) => {
                for c in &v[..v.len().saturating_sub(1)] {
                    self.push("OR ");
                    self.key(c);
                    self.push(" ");
                }
                if let Some(last) = v.last() {
                    self.key(last);
                }
            }
        }
    }

    /// A quoted string when it is plain printable ASCII without quotes or
    /// backslashes, else a literal.
    fn string(&mut self, s: &str) {
        let plain = s
            .bytes()
            .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\');
        if plain {
            self.push("\"");
            self.push(s);
            self.push("\"");
            return;
        }
        if !s.is_ascii() {
            self.charset_utf8 = true;
        }
        let text = std::mem::take(&mut self.text);
        if !text.is_empty() {
            self.segments.push(Segment::Text(text));
        }
        self.segments.push(Segment::Literal(s.as_bytes().to_vec()));
    }
}

impl Criteria {
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    pub fn literals(&self) -> usize {
        self.segments
            .iter()
            .filter(|s| matches!(s, Segment::Literal(_)))
            .count()
    }

    /// The criteria as one line, when they need no literal.
    pub fn line(&self) -> Option<String> {
        (self.literals() == 0).then(|| self.to_string())
    }

    /// What to send, in steps: each step but the last ends with a literal's
    /// `{n}` and waits for the server's `+`; the next begins with the
    /// literal's bytes. With LITERAL+ (`{n+}`) it is all one step. Put
    /// `UID SEARCH ` (and `CHARSET UTF-8 `) before the first.
    pub fn steps(&self, literal_plus: bool) -> Vec<Vec<u8>> {
        let mut steps = Vec::new();
        let mut cur = Vec::new();
        for s in &self.segments {
            match s {
                Segment::Text(t) => cur.extend_from_slice(t.as_bytes()),
                Segment::Literal(b) => {
                    if literal_plus {
                        cur.extend_from_slice(format!("{{{}+}}\r\n", b.len()).as_bytes());
                    } else {
                        cur.extend_from_slice(format!("{{{}}}", b.len()).as_bytes());
                        steps.push(std::mem::take(&mut cur));
                    }
                    cur.extend_from_slice(b);
                }
            }
        }
        steps.push(cur);
        steps
    }
}

impl fmt::Display for Criteria {
    /// As sent with LITERAL+, the line breaks after each `{n+}` included.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for step in self.steps(true) {
            f.write_str(&String::from_utf8_lossy(&step))?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "imap_widen_tests.rs"]
mod widen_tests;
