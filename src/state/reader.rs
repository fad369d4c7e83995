//! The reader's text, laid out once per message and width: a document of
//! logical lines (headers, notes, body, attached messages) and its rows
//! wrapped at the pane width. Drawing takes only the rows on screen and a
//! key only moves an index, so neither costs more for a bigger message.

use std::ops::Range;

use unicode_width::UnicodeWidthChar;

use crate::mail::link_numbers::number_links;
use crate::mail::message::{Attachment, BodySource, MessageView};
use crate::mail::view::{StyleRun, TextStyle};
use crate::sanitize::Clean;
use crate::text::format::human_size;

/// How a logical line is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// "Name: value": the first `label` bytes are the name.
    Header {
        label: usize,
        strong: bool,
    },
    /// Where an attached message starts.
    Separator,
    /// A limit met, a conversion done: said, but quietly.
    Note,
    /// A sign of forgery or damage.
    Warning,
    Body,
    /// A quoted line ("> …") of the body.
    Quote,
    /// A folded quoted block: "[... 23 quoted lines]".
    QuoteFold,
    /// The signature: from the "-- " line to the end of the body.
    Signature,
    /// A rule above or below the invitation block, the one above saying
    /// what the message is: the drawer draws it across the pane. `warn`
    /// for a cancellation.
    InviteRule {
        warn: bool,
    },
    /// A line of the invitation block: the first `label` bytes are the
    /// label.
    Invite {
        label: usize,
        tone: crate::calendar::LineKind,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocLine {
    pub kind: LineKind,
    pub text: Range<usize>,
}

/// How much of the message the reader shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shown {
    /// Every header, address lists whole; else long lists are cut.
    pub all_headers: bool,
    /// Quoted blocks over [`FOLD_QUOTES_OVER`] lines fold to one line.
    pub fold_quotes: bool,
    /// The message's other header fields too (Received, Message-ID …),
    /// as written.
    pub every_field: bool,
}

impl Shown {
    /// The message whole, its main headers: what the review shows.
    pub const ALL: Shown = Shown {
        all_headers: true,
        fold_quotes: false,
        every_field: false,
    };
}

/// A message's header lines: the main fields, its date (and the sender's
/// zone), and the other fields when all are shown.
struct Heads<'a> {
    fields: &'a [(&'static str, Clean)],
    date: Option<(i64, Option<i32>)>,
    others: &'a [(&'a str, String)],
}

/// Most other header fields `H` shows (a message may carry hundreds of
/// Received fields).
pub const MAX_OTHER_FIELDS: usize = 100;

/// The fields of the header block at the top of `source` other than
/// those the reader shows anyway, unfolded, in order, at most
/// [`MAX_OTHER_FIELDS`].
fn other_fields(source: &str) -> Vec<(&str, String)> {
    let block = source.split("\n\n").next().unwrap_or_default();
    let mut out: Vec<(&str, String)> = Vec::new();
    for line in block.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = out.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        if out.len() == MAX_OTHER_FIELDS {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        out.push((name.trim(), value.trim().to_string()));
    }
    out.retain(|(name, _)| {
        !["from", "to", "cc", "subject", "date"].contains(&name.to_ascii_lowercase().as_str())
    });
    out
}

/// A quoted block longer than this folds (when folding is on).
pub const FOLD_QUOTES_OVER: usize = 8;

/// Addresses a folded To or Cc shows before "+N more".
pub const FOLDED_ADDRESSES: usize = 3;

/// Everything the reader shows for one message, as one clean text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Doc {
    text: Clean,
    pub lines: Vec<DocLine>,
    /// Styled runs of the text (HTML bodies), by byte range of `text`, in
    /// order, apart.
    pub styles: Vec<(Range<usize>, TextStyle)>,
}

impl Doc {
    /// The text of every logical line, in order.
    pub fn lines_text(&self) -> impl Iterator<Item = &str> {
        self.lines.iter().map(|l| self.line_text(l))
    }

    /// The styled runs within `bytes` of a line's text, as ranges of
    /// that piece.
    pub fn styles_in(
        &self,
        line: &DocLine,
        bytes: Range<usize>,
    ) -> impl Iterator<Item = (Range<usize>, TextStyle)> + '_ {
        let (from, to) = (line.text.start + bytes.start, line.text.start + bytes.end);
        let first = self.styles.partition_point(|(r, _)| r.end <= from);
        self.styles[first..]
            .iter()
            .take_while(move |(r, _)| r.start < to)
            .map(move |(r, s)| (r.start.max(from) - from..r.end.min(to) - from, *s))
    }

    pub fn line_text(&self, line: &DocLine) -> &str {
        self.text
            .as_str()
            .get(line.text.clone())
            .unwrap_or_default()
    }

    fn push(&mut self, kind: LineKind, text: &Clean) {
        // Clean text may hold line breaks: one logical line per line.
        for part in text.as_str().split('\n') {
            let start = self.text.len();
            self.text.push(&Clean::text(part));
            self.lines.push(DocLine {
                kind,
                text: start..self.text.len(),
            });
        }
    }

    fn push_header(&mut self, name: &str, value: &Clean, strong: bool) {
        let start = self.text.len();
        // Text mode: the trailing space stays.
        let label = Clean::text(&format!("{name}: "));
        self.text.push(&label);
        self.text.push(value);
        self.lines.push(DocLine {
            kind: LineKind::Header {
                label: label.len(),
                strong,
            },
            text: start..self.text.len(),
        });
    }

    /// The body lines of `text` (trailing line breaks left out), sliced
    /// out of one copy: quoted lines and the signature told apart, long
    /// quoted blocks folded when `shown` says so.
    fn push_body(&mut self, text: &Clean, runs: &[StyleRun], shown: Shown) {
        let start = self.text.len();
        self.text.push(text);
        self.styles.extend(
            runs.iter()
                .filter(|r| r.start < r.end && r.end <= text.len())
                .map(|r| (start + r.start..start + r.end, r.style)),
        );
        let mut lines = Vec::new();
        let mut pos = start;
        for part in text.as_str().trim_end_matches('\n').split('\n') {
            lines.push((
                pos..pos + part.len(),
                is_quote(part),
                is_signature_mark(part),
            ));
            pos += part.len() + 1;
        }
        let mut signature = false;
        let mut i = 0;
        while i < lines.len() {
            let (range, quote, mark) = lines[i].clone();
            signature |= mark && !quote;
            if quote && !signature && shown.fold_quotes {
                let run = lines[i..].iter().take_while(|l| l.1).count();
                if run > FOLD_QUOTES_OVER {
                    self.push(
                        LineKind::QuoteFold,
                        &Clean::line(&format!("[... {run} quoted lines]")),
                    );
                    i += run;
                    continue;
                }
            }
            let kind = match (signature, quote) {
                (true, _) => LineKind::Signature,
                (false, true) => LineKind::Quote,
                (false, false) => LineKind::Body,
            };
            self.lines.push(DocLine { kind, text: range });
            i += 1;
        }
    }

    fn blank(&mut self) {
        self.push(LineKind::Body, &Clean::default());
    }

    fn push_section(
        &mut self,
        heads: Heads<'_>,
        warnings: &[Clean],
        attachments: &[Attachment],
        utc_offset: i32,
        shown: Shown,
    ) {
        let Heads {
            fields: headers,
            date,
            others,
        } = heads;
        for (name, value) in headers {
            let folded = (!shown.all_headers && matches!(*name, "To" | "Cc"))
                .then(|| fold_addresses(value.as_str()))
                .flatten();
            match folded {
                Some(short) => self.push_header(name, &Clean::line(&short), false),
                None => self.push_header(name, value, *name == "Subject"),
            }
        }
        if let Some((ts, zone)) = date {
            let text = crate::text::dates::long(ts, zone, utc_offset);
            self.push_header("Date", &Clean::line(&text), false);
        }
        for (name, value) in others {
            self.push_header(name, &Clean::line(value), false);
        }
        for w in warnings {
            self.push(LineKind::Warning, w);
        }
        if !attachments.is_empty() {
            let title = Clean::line(&format!("Attachments ({}):", attachments.len()));
            let start = self.text.len();
            self.text.push(&title);
            self.lines.push(DocLine {
                kind: LineKind::Header {
                    label: title.len(),
                    strong: false,
                },
                text: start..self.text.len(),
            });
            for a in attachments {
                let mut line = Clean::text("  + ");
                line.push(&a.name);
                line.push(&Clean::line(&format!(
                    "  {}  {}{}",
                    a.mime,
                    human_size(a.size),
                    if a.remote.is_some() {
                        "  (on the server)"
                    } else {
                        ""
                    }
                )));
                self.push(LineKind::Note, &line);
            }
        }
    }

    /// The message as the reader shows it: the invitation block first
    /// when it carries one (times in `zone`; `now` in Unix seconds), then
    /// [`Doc::message`].
    pub fn reader(
        m: &MessageView,
        utc_offset: i32,
        zone: &jiff::tz::TimeZone,
        now: i64,
        shown: Shown,
    ) -> Doc {
        let mut d = Doc::default();
        if let Some(part) = &m.calendar {
            d.push_invitation(part, zone, now);
        }
        d.push_message(m, utc_offset, shown);
        d
    }

    /// Width of the invitation block's labels ("Organizer:" and a space).
    const INVITE_LABEL: usize = 11;

    fn push_invitation(
        &mut self,
        part: &crate::calendar::CalendarPart,
        zone: &jiff::tz::TimeZone,
        now: i64,
    ) {
        use crate::calendar::{CalendarPart, LineKind as Tone};
        let labeled = |d: &mut Doc, name: &str, value: &Clean, tone: Tone| {
            let start = d.text.len();
            let label = if name.is_empty() {
                Clean::text(&" ".repeat(Self::INVITE_LABEL))
            } else {
                Clean::text(&format!(
                    "{:<w$}",
                    format!("{name}:"),
                    w = Self::INVITE_LABEL
                ))
            };
            d.text.push(&label);
            d.text.push(value);
            d.lines.push(DocLine {
                kind: LineKind::Invite {
                    label: label.len(),
                    tone,
                },
                text: start..d.text.len(),
            });
        };
        match part {
            CalendarPart::Invitation(inv) => {
                let now = chrono::DateTime::from_timestamp(now, 0).unwrap_or_default();
                let lines = crate::calendar::describe(inv, zone, now);
                // What the message is heads the block, in its top rule.
                let (head, rest) = match lines.split_first() {
                    Some((h, rest)) if matches!(h.kind, Tone::Status | Tone::Warning) => {
                        (Some(h), rest)
                    }
                    _ => (None, &lines[..]),
                };
                let mut rule = Clean::text("── ");
                rule.push(head.map_or(&Clean::line("Calendar"), |h| &h.value));
                let answerable =
                    !inv.cancelled && matches!(inv.method, crate::calendar::Method::Request);
                if answerable {
                    rule.push(&Clean::text(" · i answers"));
                }
                rule.push(&Clean::text(" "));
                let warn = head.is_some_and(|h| h.kind == Tone::Warning);
                self.push(LineKind::InviteRule { warn }, &rule);
                for l in rest {
                    labeled(self, l.label, &l.value, l.kind);
                }
            }
            CalendarPart::NotRead(why) => {
                self.push(
                    LineKind::InviteRule { warn: false },
                    &Clean::text("── Calendar "),
                );
                labeled(self, "Note", &Clean::line(why), Tone::Note);
            }
        }
        self.push(LineKind::InviteRule { warn: false }, &Clean::default());
    }

    /// The message as the reader shows it, without an invitation block
    /// (what a reply quotes and the review shows).
    pub fn message(m: &MessageView, utc_offset: i32) -> Doc {
        let mut d = Doc::default();
        d.push_message(m, utc_offset, Shown::ALL);
        d
    }

    fn push_message(&mut self, m: &MessageView, utc_offset: i32, shown: Shown) {
        let d = self;
        let others = if shown.every_field && m.source != BodySource::Raw {
            other_fields(m.raw.as_str())
        } else {
            Vec::new()
        };
        let heads = Heads {
            fields: &m.headers,
            date: m.date.map(|t| (t, m.date_zone)),
            others: &others,
        };
        d.push_section(heads, &m.warnings, &m.attachments, utc_offset, shown);
        for n in &m.notes {
            d.push(LineKind::Note, n);
        }
        let source_note = match m.source {
            BodySource::Html => Some("(converted from HTML)"),
            BodySource::Raw => Some("(could not parse this message; raw text follows)"),
            BodySource::None if m.nested.is_empty() => Some("(no text in this message)"),
            BodySource::None | BodySource::Plain => None,
        };
        if let Some(s) = source_note {
            d.push(LineKind::Note, &Clean::line(s));
        }
        d.blank();
        if !m.body.is_empty() {
            let (body, runs) = number_links(&m.body, &m.body_styles, &m.html_links);
            d.push_body(&body, &runs, shown);
        }
        for n in &m.nested {
            d.blank();
            let depth = if n.level > 1 {
                format!(" (inside attached message, level {})", n.level)
            } else {
                String::new()
            };
            d.push(
                LineKind::Separator,
                &Clean::line(&format!("──── Attached message{depth} ────")),
            );
            let heads = Heads {
                fields: &n.headers,
                date: n.date.map(|t| (t, n.date_zone)),
                others: &[],
            };
            d.push_section(heads, &n.warnings, &n.attachments, utc_offset, shown);
            match n.source {
                BodySource::Html => d.push(LineKind::Note, &Clean::line("(converted from HTML)")),
                BodySource::None => d.push(LineKind::Note, &Clean::line("(no text)")),
                _ => {}
            }
            d.blank();
            let (body, runs) = number_links(&n.body, &n.body_styles, &m.html_links);
            d.push_body(&body, &runs, shown);
        }
    }

    /// The message source, as received (cut at the raw limit).
    pub fn source(m: &MessageView) -> Doc {
        let mut d = Doc::default();
        d.push(
            LineKind::Note,
            &Clean::line("Message source (the same key shows the message again)"),
        );
        d.blank();
        d.push_body(&m.raw, &[], Shown::ALL);
        d
    }
}

/// A quoted line: "> …", also indented (as laid-out HTML quotes are).
fn is_quote(line: &str) -> bool {
    line.trim_start().starts_with('>')
}

/// The line that starts a signature ("-- ", some mailers drop the space).
fn is_signature_mark(line: &str) -> bool {
    line == "-- " || line == "--"
}

/// The addresses of a To or Cc value, split at the commas between them
/// (not those inside quotes, comments or angle brackets).
fn split_addresses(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut quoted, mut depth, mut angle) = (false, 0usize, false);
    let mut start = 0;
    let mut escaped = false;
    for (at, c) in value.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' if !quoted && depth == 0 && !angle => {
                out.push(value[start..at].trim());
                start = at + 1;
            }
            _ => {}
        }
    }
    out.push(value[start..].trim());
    out.retain(|a| !a.is_empty());
    out
}

/// A long address list cut to its first few and "+N more"; None when it
/// is short enough to show whole.
fn fold_addresses(value: &str) -> Option<String> {
    let all = split_addresses(value);
    if all.len() <= FOLDED_ADDRESSES + 1 {
        return None;
    }
    Some(format!(
        "{} +{} more",
        all[..FOLDED_ADDRESSES].join(", "),
        all.len() - FOLDED_ADDRESSES
    ))
}

/// One screen row: a piece of a logical line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    /// Byte range within the line's text.
    pub start: usize,
    pub end: usize,
}

/// Word wrap at `width` columns: break after the last space that fits,
/// else (a word longer than the row) between characters.
pub fn wrap(doc: &Doc, width: usize) -> Vec<Row> {
    let width = width.max(1);
    let mut rows = Vec::with_capacity(doc.lines.len());
    for (i, line) in doc.lines.iter().enumerate() {
        let text = doc.line_text(line);
        let mut start = 0;
        let mut col = 0;
        // Byte offset just after the last space in this row, and its column.
        let mut space: Option<(usize, usize)> = None;
        for (at, c) in text.char_indices() {
            let w = c.width().unwrap_or(0);
            if col + w > width && col > 0 {
                match space.filter(|&(s, _)| s > start) {
                    Some((s, s_col)) => {
                        rows.push(Row {
                            line: i,
                            start,
                            end: s,
                        });
                        start = s;
                        col -= s_col;
                    }
                    None => {
                        rows.push(Row {
                            line: i,
                            start,
                            end: at,
                        });
                        start = at;
                        col = 0;
                    }
                }
                space = None;
                if col + w > width && col > 0 {
                    rows.push(Row {
                        line: i,
                        start,
                        end: at,
                    });
                    start = at;
                    col = 0;
                }
            }
            col += w;
            if c == ' ' {
                space = Some((at + 1, col));
            }
        }
        rows.push(Row {
            line: i,
            start,
            end: text.len(),
        });
    }
    rows
}

/// The reader's layout for the message it shows.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    pub doc: Option<Doc>,
    /// The width `rows` were wrapped at.
    pub width: Option<usize>,
    pub rows: Vec<Row>,
    /// Showing the source instead of the message.
    pub raw: bool,
    /// What `doc` was made to show.
    pub shown: Shown,
}

impl Layout {
    /// Lays `m` out at `width` unless that is done already; an invitation
    /// it carries is shown in `zone`, `now` (Unix seconds) telling past
    /// meetings. Whether the doc was made anew (its lines changed).
    pub fn ensure(
        &mut self,
        m: &MessageView,
        width: usize,
        utc_offset: i32,
        zone: &jiff::tz::TimeZone,
        now: i64,
        shown: Shown,
    ) -> bool {
        let made = self.doc.is_none() || self.shown != shown;
        if made {
            self.doc = Some(if self.raw {
                Doc::source(m)
            } else {
                Doc::reader(m, utc_offset, zone, now, shown)
            });
            self.shown = shown;
            self.width = None;
        }
        if self.width != Some(width)
            && let Some(doc) = &self.doc
        {
            // The source keeps its last column for the mark that says a
            // line goes on in the next row: there, a row break is not in
            // the message.
            let wrap_at = if self.raw {
                width.saturating_sub(1)
            } else {
                width
            };
            self.rows = wrap(doc, wrap_at);
            self.width = Some(width);
        }
        made
    }

    /// Whether row `index` is cut and its line goes on in the next row.
    pub fn continues(&self, index: usize) -> bool {
        match (self.rows.get(index), self.rows.get(index + 1)) {
            (Some(a), Some(b)) => a.line == b.line,
            _ => false,
        }
    }

    /// Switches between the message and its source.
    pub fn toggle_raw(&mut self) {
        *self = Layout {
            raw: !self.raw,
            ..Layout::default()
        };
    }

    /// The last scroll position: the last row at the bottom of the pane.
    pub fn max_scroll(&self, height: usize) -> usize {
        self.rows.len().saturating_sub(height)
    }

    /// The text of a row.
    pub fn row_text(&self, row: &Row) -> (&DocLine, &str) {
        static EMPTY: DocLine = DocLine {
            kind: LineKind::Body,
            text: 0..0,
        };
        let Some(doc) = &self.doc else {
            return (&EMPTY, "");
        };
        let Some(line) = doc.lines.get(row.line) else {
            return (&EMPTY, "");
        };
        let text = doc
            .line_text(line)
            .get(row.start..row.end)
            .unwrap_or_default();
        (line, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Doc {
        let mut d = Doc::default();
        d.push_body(&Clean::text(text), &[], Shown::ALL);
        d
    }

    fn rows(text: &str, width: usize) -> Vec<String> {
        let d = doc(text);
        wrap(&d, width)
            .iter()
            .map(|r| d.line_text(&d.lines[r.line])[r.start..r.end].to_string())
            .collect()
    }

    #[test]
    fn wraps_at_spaces_and_inside_long_words() {
        assert_eq!(rows("aaa bbb ccc", 7), ["aaa ", "bbb ccc"]);
        assert_eq!(rows("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(rows("ab abcdefgh", 4), ["ab ", "abcd", "efgh"]);
        assert_eq!(rows("one\n\ntwo", 10), ["one", "", "two"]);
    }

    #[test]
    fn the_source_marks_cut_lines_and_keeps_a_column_for_it() {
        let raw = format!(
            "Subject: short\r\nX-Long: {}\r\n\r\nbody\r\n",
            "y".repeat(30)
        );
        let m = crate::mail::message::parse(1, raw.as_bytes());
        let mut l = Layout {
            raw: true,
            ..Layout::default()
        };
        l.ensure(&m, 20, 0, &jiff::tz::TimeZone::UTC, 0, Shown::default());
        let texts: Vec<&str> = l.rows.iter().map(|r| l.row_text(r).1).collect();
        assert!(texts.iter().all(|t| t.chars().count() <= 19), "{texts:?}");
        let long = texts.iter().position(|t| t.starts_with("X-Long")).unwrap();
        assert!(l.continues(long) && l.continues(long + 1));
        assert!(!l.continues(long + 2), "{texts:?}");
        let short = texts.iter().position(|t| *t == "Subject: short").unwrap();
        assert!(!l.continues(short));
        assert!(!l.continues(l.rows.len() - 1));
        assert!(!l.continues(l.rows.len()));
    }

    #[test]
    fn wide_characters_count_two_columns() {
        assert_eq!(rows("日本語です", 4), ["日本", "語で", "す"]);
        // A wide character in a one-column pane still goes somewhere.
        assert_eq!(rows("日本", 1), ["日", "本"]);
    }

    #[test]
    fn every_row_fits_and_nothing_is_lost() {
        let text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do \
eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, \
quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.";
        for width in 1..40 {
            let r = rows(text, width);
            assert_eq!(r.concat(), text, "width {width}");
            assert!(
                r.iter()
                    .all(|row| unicode_width::UnicodeWidthStr::width(row.as_str()) <= width),
                "width {width}: {r:?}"
            );
        }
    }
}
