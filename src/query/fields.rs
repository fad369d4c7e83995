//! `name:value` terms: which names exist, and reading each one's value.

use std::ops::Range;

use super::ast::{Status, Term, TextField, Value};
use super::dates::parse_spec;
use super::error::{QueryError, column, list_or, quoted};
use super::suggest::closest;

/// Every field a query may name, in the order the help lists them.
pub const FIELDS: [&str; 12] = [
    "from", "to", "cc", "subject", "body", "is", "has", "date", "larger", "smaller", "folder",
    "account",
];

/// `has:` values.
pub const HAS_VALUES: [&str; 1] = ["attachment"];

const DATE_FORMS: &str = "write a day (2026-11-27), a month (2026-11), a year (2025), a time back from now (7d, 2w, 3m, 1y) or a range (2025-01-01..2025-03-31, ..7d)";

const SIZE_FORMS: &str = "write bytes (500) or a number with k, M or G (10k, 2M)";

fn example(field: &str) -> &'static str {
    match field {
        "from" => "from:alice",
        "to" => "to:bob",
        "cc" => "cc:carol",
        "subject" => "subject:\"weekly report\"",
        "body" => "body:invoice",
        "is" => "is:unread",
        "has" => "has:attachment",
        "date" => "date:2026-11",
        "larger" => "larger:10k",
        "smaller" => "smaller:2M",
        "folder" => "folder:INBOX",
        _ => "account:work",
    }
}

pub fn field_term(
    query: &str,
    name: &str,
    name_span: Range<usize>,
    value: Option<(String, Range<usize>)>,
) -> Result<Term, QueryError> {
    let col = column(query, name_span.start);
    let lower = name.to_ascii_lowercase();
    let Some(field) = FIELDS.iter().copied().find(|f| *f == lower) else {
        return Err(unknown_field(query, name, name_span, value.as_ref()));
    };
    let (value, span) = match value {
        Some((v, span)) if !v.is_empty() => (v, span),
        _ => {
            let group = query
                .get(name_span.end + 1..)
                .is_some_and(|rest| rest.starts_with('('));
            let hint = if group {
                format!(" (a field takes one value: write (from:a OR from:b), not {lower}:(…))")
            } else {
                String::new()
            };
            return Err(QueryError::new(
                name_span.start..name_span.end + 1,
                format!(
                    "{lower}: at column {col} needs a value right after the colon, as in {}{hint}",
                    example(field)
                ),
            ));
        }
    };
    let vcol = column(query, span.start);
    let text = |f| Ok(Term::Text(f, Value::new(&value)));
    match field {
        "from" => text(TextField::From),
        "to" => text(TextField::To),
        "cc" => text(TextField::Cc),
        "subject" => text(TextField::Subject),
        "body" => text(TextField::Body),
        "folder" => Ok(Term::Folder(Value::new(&value))),
        "account" => Ok(Term::Account(Value::new(&value))),
        "is" => status(&value, span, vcol),
        "has" => has(&value, span, vcol),
        "date" => parse_spec(&value).map(Term::Date).map_err(|(at, detail)| {
            let bad = &value[at.clone()];
            let start = span.start + at.start;
            QueryError::new(
                start..span.start + at.end,
                format!(
                    "{} at column {} is not a date{detail}; {DATE_FORMS}",
                    quoted(bad),
                    column(query, start)
                ),
            )
        }),
        "larger" => size(&value, span, vcol).map(Term::Larger),
        _ => size(&value, span, vcol).map(Term::Smaller),
    }
}

fn unknown_field(
    query: &str,
    name: &str,
    span: Range<usize>,
    value: Option<&(String, Range<usize>)>,
) -> QueryError {
    let col = column(query, span.start);
    let known = FIELDS.map(|f| format!("{f}:")).join(" ");
    let message = match closest(name, &FIELDS) {
        Some(best) => format!(
            "unknown field “{name}:” at column {col}; did you mean “{best}:”? Fields: {known}"
        ),
        None => {
            let word = format!("{name}:{}", value.map_or("", |(v, _)| v.as_str()));
            // A long word is not repeated: the query is on screen anyway.
            let example = if word.chars().count() <= 40 {
                format!(": \"{}\"", word.replace('\\', "\\\\").replace('"', "\\\""))
            } else {
                String::new()
            };
            format!(
                "unknown field “{}:” at column {col} (fields: {known}); to search for the text, put it in quotes{example}",
                cut(name)
            )
        }
    };
    QueryError::new(span, message)
}

/// A name cut for a message.
fn cut(name: &str) -> String {
    if name.chars().count() > 40 {
        format!("{}…", name.chars().take(40).collect::<String>())
    } else {
        name.to_string()
    }
}

fn status(value: &str, span: Range<usize>, col: usize) -> Result<Term, QueryError> {
    let lower = value.to_lowercase();
    if let Some(s) = Status::ALL.iter().find(|s| s.name() == lower) {
        return Ok(Term::Is(*s));
    }
    let names = Status::ALL.map(Status::name);
    let hint = closest(&lower, &names)
        .map(|b| format!("did you mean “is:{b}”? "))
        .unwrap_or_default();
    Err(QueryError::new(
        span,
        format!(
            "unknown value {} for is: at column {col}; {hint}is: takes {}",
            quoted(value),
            list_or(&names)
        ),
    ))
}

fn has(value: &str, span: Range<usize>, col: usize) -> Result<Term, QueryError> {
    let lower = value.to_lowercase();
    if lower == "attachment" || lower == "attachments" {
        return Ok(Term::HasAttachment);
    }
    let hint = closest(&lower, &HAS_VALUES)
        .map(|b| format!("did you mean “has:{b}”? "))
        .unwrap_or_default();
    Err(QueryError::new(
        span,
        format!(
            "unknown value {} for has: at column {col}; {hint}has: takes {}",
            quoted(value),
            list_or(&HAS_VALUES)
        ),
    ))
}

/// `500`, `500b`, `10k`, `10kb`, `2M`, `1G`: binary units, any case.
fn size(value: &str, span: Range<usize>, col: usize) -> Result<u32, QueryError> {
    let digits_end = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let (n, unit) = value.split_at(digits_end);
    let shift = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => Some(0),
        "k" | "kb" => Some(10),
        "m" | "mb" => Some(20),
        "g" | "gb" => Some(30),
        _ => None,
    };
    let bad = |detail: &str| {
        QueryError::new(
            span.clone(),
            format!(
                "{} at column {col} is not a size{detail}; {SIZE_FORMS}",
                quoted(value)
            ),
        )
    };
    let (Some(shift), false) = (shift, n.is_empty()) else {
        return Err(bad(""));
    };
    n.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_shl(shift).filter(|b| b >> shift == n))
        .and_then(|b| u32::try_from(b).ok())
        .ok_or_else(|| bad(" (sizes go up to 4294967295 bytes, just under 4G)"))
}
