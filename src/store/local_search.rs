//! A query answered from the store: text terms through the full-text
//! indexes (see fts.rs), flags, dates, sizes and attachments from the
//! rows. The answer may hold more than the query asks (word prefixes for
//! substrings, `folder:`/`account:` taken as true); the caller checks it
//! with the matcher, as it does the server's. It misses what the store
//! lacks (text of bodies not kept), which the server's search adds.

use rusqlite::params_from_iter;
use rusqlite::types::Value as Sql;

use super::Store;
use crate::query::dates::bounds;
use crate::query::{Expr, Now, Query, Status, Term, TextField};

/// UIDs one local search returns at most.
pub const LOCAL_RESULTS_MAX: usize = 200_000;

/// Substrings shorter than this cannot use the trigram index.
const TRIGRAM: usize = 3;

/// A WHERE clause over `messages m` and its parameters.
#[derive(Debug, Default, PartialEq)]
pub struct Clause {
    pub sql: String,
    pub params: Vec<Sql>,
}

/// The clause for `e` on the messages of folder `folder` (its row id),
/// each term read at its polarity (under an odd number of NOTs it is
/// false): what the store cannot decide is widened to what keeps every
/// possible match.
pub fn clause(e: &Expr, now: &Now, folder: i64) -> Clause {
    let mut c = Clause::default();
    walk(e, now, true, folder, &mut c);
    c
}

fn walk(e: &Expr, now: &Now, positive: bool, folder: i64, c: &mut Clause) {
    match e {
        Expr::Term(t) => term(t, now, positive, folder, c),
        Expr::Not(inner) => {
            c.sql.push_str("NOT (");
            walk(inner, now, !positive, folder, c);
            c.sql.push(')');
        }
        Expr::And(v) | Expr::Or(v) if v.is_empty() => c
            .sql
            .push_str(if matches!(e, Expr::And(_)) { "1" } else { "0" }),
        Expr::And(v) | Expr::Or(v) => {
            let op = if matches!(e, Expr::And(_)) {
                " AND "
            } else {
                " OR "
            };
            c.sql.push('(');
            for (i, x) in v.iter().enumerate() {
                if i > 0 {
                    c.sql.push_str(op);
                }
                walk(x, now, positive, folder, c);
            }
            c.sql.push(')');
        }
    }
}

/// What a term the store cannot decide stands for at this polarity.
fn widened(positive: bool) -> &'static str {
    if positive { "1" } else { "0" }
}

fn term(t: &Term, now: &Now, positive: bool, folder: i64, c: &mut Clause) {
    match t {
        Term::Text(field, v) => text(*field, v.as_str(), positive, folder, c),
        Term::Is(s) => {
            let (bit, set) = match s {
                Status::Unread => (1, false),
                Status::Read => (1, true),
                Status::Flagged => (2, true),
                Status::Answered => (4, true),
                Status::Draft => (8, true),
                Status::Deleted => (16, true),
            };
            let op = if set { "!=" } else { "=" };
            c.sql.push_str(&format!("(m.flags & {bit}) {op} 0"));
        }
        Term::HasAttachment => c.sql.push_str("m.attachment != 0"),
        Term::Date(spec) => {
            let b = bounds(spec, now);
            c.sql.push_str("(m.date IS NOT NULL");
            if let Some(s) = b.start {
                c.sql.push_str(" AND m.date >= ?");
                c.params.push(Sql::Integer(s));
            }
            if let Some(e) = b.end {
                c.sql.push_str(" AND m.date < ?");
                c.params.push(Sql::Integer(e));
            }
            c.sql.push(')');
        }
        Term::Larger(n) => {
            c.sql.push_str("m.size > ?");
            c.params.push(Sql::Integer(i64::from(*n)));
        }
        Term::Smaller(n) => {
            c.sql.push_str("m.size < ?");
            c.params.push(Sql::Integer(i64::from(*n)));
        }
        // The caller's matcher decides where the search runs.
        Term::Folder(_) | Term::Account(_) => c.sql.push_str(widened(positive)),
    }
}

/// `"text"`, quotes doubled: FTS5's string, whatever it holds.
fn fts_string(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

fn has_word(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

fn text(field: TextField, value: &str, positive: bool, folder: i64, c: &mut Clause) {
    // Words and their prefixes: the value as a phrase whose last word is
    // a prefix (`"weekly rep"*`).
    let words = |cols: &str| format!("{cols}{} *", fts_string(value));
    // Substrings of names and addresses.
    let names = |cols: &str| format!("{cols}{}", fts_string(value));
    let long = value.chars().count() >= TRIGRAM;
    let mut tests: Vec<(&str, String)> = Vec::new();
    match field {
        TextField::Any => {
            if has_word(value) {
                tests.push(("fts_words", words("")));
            }
            if long {
                tests.push(("fts_names", names("")));
            }
        }
        TextField::From | TextField::To | TextField::Cc => {
            let col = match field {
                TextField::From => "sender : ",
                TextField::To => "rcpt : ",
                _ => "cc : ",
            };
            if long {
                tests.push(("fts_names", names(col)));
            } else if has_word(value) {
                tests.push(("fts_words", words(col)));
            }
        }
        TextField::Subject | TextField::Body => {
            let col = if field == TextField::Subject {
                "subject : "
            } else {
                "body : "
            };
            if has_word(value) {
                tests.push(("fts_words", words(col)));
            }
        }
    }
    if tests.is_empty() {
        c.sql.push_str(widened(positive));
        return;
    }
    // The folder's rows of the index (keys `folder << 32 | uid`) as UIDs,
    // in one list: the primary key finds them, no scan of the folder.
    let low = super::fts::rowid(folder, 0);
    let high = super::fts::rowid(folder, u32::MAX);
    let selects: Vec<String> = tests
        .iter()
        .map(|(table, _)| {
            format!(
                "SELECT rowid - {low} FROM {table} WHERE {table} MATCH ? AND rowid BETWEEN {low} AND {high}"
            )
        })
        .collect();
    c.sql
        .push_str(&format!("m.uid IN ({})", selects.join(" UNION ")));
    c.params
        .extend(tests.into_iter().map(|(_, matching)| Sql::Text(matching)));
}

impl Store {
    /// The UIDs of the folder's stored messages the query may match, by
    /// what the store holds; newest first.
    pub fn search_local(&mut self, path: &str, query: &Query, now: &Now) -> Vec<u32> {
        self.read("search the index", |db| {
            let Some(id) = Store::find_folder(db, path)? else {
                return Ok(Vec::new());
            };
            let c = clause(query.expr(), now, id);
            let sql = format!(
                "SELECT m.uid FROM messages m WHERE m.folder = ? AND ({}) ORDER BY m.uid DESC LIMIT {LOCAL_RESULTS_MAX}",
                c.sql
            );
            let mut params = vec![Sql::Integer(id)];
            params.extend(c.params);
            let mut q = db.prepare(&sql)?;
            let rows = q.query_map(params_from_iter(params), |r| {
                Ok(super::folders::clamp_u32(r.get(0)?))
            })?;
            rows.collect()
        })
        .unwrap_or_default()
    }
}
