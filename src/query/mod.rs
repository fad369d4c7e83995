//! The query language for search and limit: `from:bob is:unread
//! date:..7d -subject:"weekly report"`, with AND/OR/NOT/-/parentheses.
//! UI-free: text in, an [`Expr`] (or a [`QueryError`] that says where and
//! what) out; then a three-valued [`Matcher`] for rows and the IMAP
//! SEARCH criteria for the server.
//!
//! Values keep their case for display and match in any case (Unicode
//! lower case on both sides, as the list's search does).
//!
//! In use:
//! - [`parse`] → [`Query`] or [`QueryError`] (a byte span and a sentence);
//!   [`show`] lays an error out for the status line or a popup.
//! - Rows: `let m = query.matcher(&now)`, then for each row
//!   `m.eval(&Facts::envelope(&row).at(place))` → [`Verdict`]; `Unknown`
//!   where the row lacks what the query asks (recipients, body).
//! - Server: [`Query::server_search`] → [`ServerSearch`]: criteria in
//!   [`Segment`]s (literals apart), whether `CHARSET UTF-8` is needed,
//!   whether to recheck the answer, and the terms only mailtui can check.
//! - Across folders: [`Query::could_match_in`] skips folders and accounts
//!   the query rules out.

pub mod ast;
pub mod dates;
pub mod error;
pub mod fields;
pub mod imap;
mod lex;
pub mod limits;
pub mod matcher;
mod parse;
pub mod show;
mod suggest;

use std::fmt;

pub use ast::{AgoUnit, DatePoint, DateSpec, Expr, Status, Term, TextField, Value};
pub use dates::Now;
pub use error::QueryError;
pub use imap::{Criteria, ImapOptions, Profile, Segment, ServerSearch};
pub use matcher::{Facts, Known, Matcher, Place, Verdict};

/// A parsed query. Its `Display` is the canonical form, which parses back
/// to the same query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    expr: Expr,
}

/// Reads `text` as a query. Blank text is the empty query (matches all).
pub fn parse(text: &str) -> Result<Query, QueryError> {
    parse::parse_expr(text).map(|expr| Query { expr })
}

impl Query {
    pub fn from_expr(expr: Expr) -> Self {
        Query { expr }
    }

    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// Whether this is the empty query, which matches every message.
    pub fn is_empty(&self) -> bool {
        self.expr.is_all()
    }

    /// Ready to check rows against, with relative dates taken from `now`.
    pub fn matcher(&self, now: &Now) -> Matcher<'_> {
        Matcher::new(&self.expr, now)
    }

    /// One row, once (for many rows, make a [`Matcher`] once).
    pub fn matches(&self, facts: &Facts<'_>, now: &Now) -> Verdict {
        self.matcher(now).eval(facts)
    }

    /// Whether any message of this folder could match: false when the
    /// query's `folder:`/`account:` terms alone rule the place out, so a
    /// search across folders can skip it.
    pub fn could_match_in(&self, place: Place<'_>) -> bool {
        // Nothing about the messages is known here, so a date never counts.
        let now = Now {
            unix: 0,
            utc_offset: 0,
        };
        self.matches(&Facts::unknown().at(place), &now) != Verdict::No
    }

    /// The words and phrases the query looks for (not those under a NOT),
    /// with where: what a view may highlight in the rows it shows.
    pub fn highlights(&self) -> Vec<(TextField, &Value)> {
        fn walk<'a>(e: &'a Expr, out: &mut Vec<(TextField, &'a Value)>) {
            match e {
                Expr::Term(Term::Text(f, v)) => out.push((*f, v)),
                Expr::Term(_) | Expr::Not(_) => {}
                Expr::And(v) | Expr::Or(v) => v.iter().for_each(|e| walk(e, out)),
            }
        }
        let mut out = Vec::new();
        walk(&self.expr, &mut out);
        out
    }

    /// The server's half of a search: criteria and what is left to check.
    pub fn server_search(&self, now: &Now, opts: ImapOptions) -> ServerSearch {
        imap::server_search(&self.expr, now, opts)
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.expr)
    }
}

#[cfg(test)]
mod dates_tests;
#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod imap_tests;
#[cfg(test)]
mod matcher_tests;
#[cfg(test)]
mod parse_tests;
#[cfg(test)]
mod show_tests;
