//! `[ui] columns`: which columns the message list shows, in order, and
//! the width of those that may have one (`"correspondent:22"`).

/// A column of the message list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    /// Unread, flagged or answered, attachment (3 columns).
    Flags,
    Date,
    Sender,
    Recipient,
    /// The recipient in Sent and Drafts, the sender elsewhere.
    Correspondent,
    /// Human: `512`, `4.2K`, `1.3M`.
    Size,
    Subject,
    /// In results across accounts; shown when rows have one.
    Account,
    /// In results across folders; shown when rows have one.
    Folder,
}

const NAMES: [(&str, ColumnKind); 9] = [
    ("flags", ColumnKind::Flags),
    ("date", ColumnKind::Date),
    ("sender", ColumnKind::Sender),
    ("recipient", ColumnKind::Recipient),
    ("correspondent", ColumnKind::Correspondent),
    ("size", ColumnKind::Size),
    ("subject", ColumnKind::Subject),
    ("account", ColumnKind::Account),
    ("folder", ColumnKind::Folder),
];

/// Most columns in the list.
pub const MAX_COLUMNS: usize = 12;
/// Widest a column may be set.
pub const MAX_WIDTH: u16 = 200;

/// One column: what it shows, and its width when set (else it follows
/// the terminal's width).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub kind: ColumnKind,
    pub width: Option<u16>,
}

impl ColumnKind {
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("?", |(n, _)| n)
    }

    /// Columns whose width is their content's (flags) or the date
    /// formats' (date): no width may be set.
    fn fixed(self) -> bool {
        matches!(self, ColumnKind::Flags | ColumnKind::Date)
    }
}

/// Today's list: markers, date, who, subject.
pub fn default_columns() -> Vec<Column> {
    [
        ColumnKind::Flags,
        ColumnKind::Date,
        ColumnKind::Correspondent,
        ColumnKind::Subject,
    ]
    .into_iter()
    .map(|kind| Column { kind, width: None })
    .collect()
}

fn names() -> String {
    NAMES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
}

/// One entry: `name` or `name:width`.
pub fn parse_column(entry: &str) -> Result<Column, String> {
    let shown = crate::sanitize::Clean::line(entry);
    let (name, width) = match entry.split_once(':') {
        Some((n, w)) => (n.trim(), Some(w.trim())),
        None => (entry.trim(), None),
    };
    let Some(kind) = NAMES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, k)| *k)
    else {
        return Err(format!("\"{shown}\": unknown column (one of: {})", names()));
    };
    let width = match width {
        None => None,
        Some(_) if kind.fixed() => {
            return Err(format!(
                "\"{shown}\": {} takes no width (it is as wide as what it shows)",
                kind.name()
            ));
        }
        Some(w) => match w.parse::<u16>() {
            Ok(n) if (1..=MAX_WIDTH).contains(&n) => Some(n),
            _ => {
                return Err(format!(
                    "\"{shown}\": the width must be a number from 1 to {MAX_WIDTH}"
                ));
            }
        },
    };
    Ok(Column { kind, width })
}

/// The whole list: at least one column, each at most once.
pub fn parse_columns(entries: &[String]) -> Result<Vec<Column>, String> {
    if entries.is_empty() {
        return Err(format!("name at least one column (of: {})", names()));
    }
    if entries.len() > MAX_COLUMNS {
        return Err(format!("at most {MAX_COLUMNS} columns"));
    }
    let mut out: Vec<Column> = Vec::new();
    for e in entries {
        let c = parse_column(e)?;
        if out.iter().any(|o| o.kind == c.kind) {
            return Err(format!("\"{}\" is named twice", c.kind.name()));
        }
        out.push(c);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(e: &[&str]) -> Result<Vec<Column>, String> {
        parse_columns(&e.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn columns_read_with_their_widths() {
        let c = list(&["flags", "date", "correspondent:22", "Size", "subject"]).unwrap();
        assert_eq!(c.len(), 5);
        assert_eq!(
            c[2],
            Column {
                kind: ColumnKind::Correspondent,
                width: Some(22)
            }
        );
        assert_eq!(c[3].kind, ColumnKind::Size);
        assert_eq!(c[4].width, None);
        assert_eq!(list(&["subject"]).unwrap().len(), 1);
        assert_eq!(default_columns().len(), 4);
    }

    #[test]
    fn bad_entries_are_named() {
        let e = list(&["flags", "sendr"]).unwrap_err();
        assert!(
            e.starts_with("\"sendr\": unknown column (one of: flags, date"),
            "{e}"
        );
        let e = list(&["sender:0"]).unwrap_err();
        assert!(e.contains("\"sender:0\"") && e.contains("1 to 200"), "{e}");
        assert!(list(&["sender:abc"]).unwrap_err().contains("sender:abc"));
        assert!(list(&["sender:999"]).is_err());
        assert!(list(&["date:10"]).unwrap_err().contains("takes no width"));
        assert!(list(&["subject", "subject"]).unwrap_err().contains("twice"));
        assert!(list(&[]).is_err());
        let many: Vec<&str> = std::iter::repeat_n("size", 13).collect();
        assert!(list(&many).unwrap_err().contains("at most 12"));
        let e = list(&["x\u{1b}[2J"]).unwrap_err();
        assert!(!e.contains('\u{1b}'), "{e:?}");
    }
}
