//! The quoted original of a reply: an attribution line, the text with
//! `> ` before each line (its signature left out), and the user's own
//! signature below `-- `.

use std::sync::mpsc;

use chrono::{DateTime, FixedOffset, Offset, Utc};
use html2text::render::TextDecorator;

use super::address::Address;
use crate::mail::mime::html::scan;
use crate::mail::mime::limits::{
    HTML_STACK_BYTES, HTML_TIME_BUDGET, MAX_HTML_BYTES, MAX_HTML_DEPTH,
};

/// HTML is laid out at this width: the quote adds two columns and the
/// lines stay within the 78 that mail readers expect.
const HTML_QUOTE_WIDTH: usize = 76;

/// The attribution line: `{date}` (the sender's local time), `{name}`
/// (the display name, else the address) and `{email}` filled in.
pub fn attribution(template: &str, from: Option<&Address>, date: Option<(i64, i32)>) -> String {
    let email = from.map(|a| a.email.as_str()).unwrap_or("");
    let name = from
        .and_then(|a| a.name.as_deref())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or(if email.is_empty() { "someone" } else { email });
    let date = date
        .and_then(|(ts, zone)| readable_date(ts, zone))
        .unwrap_or_else(|| "an unknown date".to_string());
    let line = template
        .replace("{date}", &date)
        .replace("{name}", name)
        .replace("{email}", email);
    super::address::one_line(&line)
}

/// "Tue, 3 Nov 2026 at 10:15" in the zone `offset` (seconds east of UTC).
pub fn readable_date(ts: i64, offset: i32) -> Option<String> {
    let zone = FixedOffset::east_opt(offset).unwrap_or(Utc.fix());
    let t: DateTime<FixedOffset> = DateTime::from_timestamp(ts, 0)?.with_timezone(&zone);
    Some(t.format("%a, %-d %b %Y at %H:%M").to_string())
}

/// `text` without its signature: from the last line that is exactly
/// `-- ` (RFC 3676's separator) to the end.
pub fn drop_signature(text: &str) -> &str {
    before_last(text, |l| l == "-- ")
}

/// `text` up to its last line that `is_separator` accepts (all of it
/// without one).
fn before_last(text: &str, is_separator: impl Fn(&str) -> bool) -> &str {
    let mut cut = None;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        if is_separator(line.trim_end_matches(['\n', '\r'])) {
            cut = Some(pos);
        }
        pos += line.len();
    }
    cut.map_or(text, |c| &text[..c])
}

/// [`drop_signature`] for text rendered from HTML: `-- ` or `--`.
fn drop_html_signature(text: &str) -> &str {
    before_last(text, |l| l == "-- " || l == "--")
}

/// Each line of `text` quoted: `> ` before a line, `>` before one already
/// quoted and for an empty one (no trailing spaces, which format=flowed
/// would read as soft breaks). Leading and trailing blank lines go; long
/// lines are kept as they are.
pub fn quote_lines(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let start = lines
        .iter()
        .position(|l| !l.is_empty())
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(start, |e| e + 1);
    let mut out = String::with_capacity(text.len() + (end - start) * 2);
    for line in &lines[start..end] {
        if line.is_empty() {
            out.push('>');
        } else if line.starts_with('>') {
            out.push('>');
            out.push_str(line);
        } else {
            out.push_str("> ");
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// The attribution and the quoted text, ending in a newline. Text made
/// from HTML has lost the separator's trailing space (`<p>-- <br>`), so
/// there a line of just `--` starts the signature too.
pub fn quoted_reply(attribution: &str, text: &str, from_html: bool) -> String {
    let text = if from_html {
        drop_html_signature(text)
    } else {
        drop_signature(text)
    };
    let quoted = quote_lines(text);
    if quoted.is_empty() {
        return format!("{attribution}\n");
    }
    format!("{attribution}\n{quoted}")
}

/// `body` with the signature below `-- ` at its end (none when unset).
pub fn with_signature(body: &str, signature: Option<&str>) -> String {
    let Some(sig) = signature
        .map(|s| s.trim_end())
        .filter(|s| !s.trim().is_empty())
    else {
        return body.to_string();
    };
    let sig = sig.replace("\r\n", "\n");
    let sig = sig
        .strip_prefix("-- \n")
        .or_else(|| sig.strip_prefix("--\n"))
        .unwrap_or(&sig);
    let mut out = body.to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str("-- \n");
    out.push_str(sig);
    out.push('\n');
    out
}

/// HTML to plain text for quoting: laid out without any markup (no
/// `**bold**`, `[links][1]` or `#` headings), within the reader's HTML
/// limits; past them, the tokenizer's plain text.
pub fn html_to_text(html: &str) -> String {
    let scanned = scan(html);
    if html.len() > MAX_HTML_BYTES || scanned.max_depth > MAX_HTML_DEPTH {
        return scanned.text;
    }
    let (tx, rx) = mpsc::sync_channel(1);
    let owned = html.to_string();
    let spawned = std::thread::Builder::new()
        .name("mailtui-quote-html".into())
        .stack_size(HTML_STACK_BYTES)
        .spawn(move || {
            let text = html2text::config::with_decorator(QuoteDecorator)
                .no_table_borders()
                .string_from_read(owned.as_bytes(), HTML_QUOTE_WIDTH)
                .ok();
            // The receiver may be gone (too late): nothing to do then.
            let _ = tx.send(text);
        });
    if spawned.is_err() {
        return scanned.text;
    }
    match rx.recv_timeout(HTML_TIME_BUDGET) {
        Ok(Some(text)) => one_blank_line(&text),
        _ => scanned.text,
    }
}

/// Lines without trailing spaces, runs of blank lines as one (HTML mail
/// spaces paragraphs with empty ones).
fn one_blank_line(text: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() && out.last().is_some_and(|l| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    out.join("\n")
}

/// Plain text as a person would type it: no emphasis marks, no link
/// footnotes, list items with `- ` or `1. `, quotes with `> `.
#[derive(Clone, Copy, Debug)]
struct QuoteDecorator;

impl TextDecorator for QuoteDecorator {
    type Annotation = ();

    fn decorate_link_start(&mut self, _url: &str) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_link_end(&mut self) -> String {
        String::new()
    }
    fn decorate_em_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_em_end(&self) -> String {
        String::new()
    }
    fn decorate_strong_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_strong_end(&self) -> String {
        String::new()
    }
    fn decorate_strikeout_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_strikeout_end(&self) -> String {
        String::new()
    }
    fn decorate_code_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_code_end(&self) -> String {
        String::new()
    }
    fn decorate_preformat_first(&self) {}
    fn decorate_preformat_cont(&self) {}
    fn decorate_image(&mut self, _src: &str, title: &str) -> (String, ()) {
        (title.to_string(), ())
    }
    fn header_prefix(&self, _level: usize) -> String {
        String::new()
    }
    fn quote_prefix(&self) -> String {
        "> ".to_string()
    }
    fn unordered_item_prefix(&self) -> String {
        "- ".to_string()
    }
    fn ordered_item_prefix(&self, i: i64) -> String {
        format!("{i}. ")
    }
    fn make_subblock_decorator(&self) -> Self {
        QuoteDecorator
    }
}

#[cfg(test)]
mod signature_tests {
    use super::*;

    #[test]
    fn a_signature_from_html_loses_its_space_and_still_goes() {
        // html2text renders `<p>-- <br>Bob</p>` as "--" then "Bob".
        let text = "Shall we try the new place?\n\n--\nBob\n";
        let q = quoted_reply("Bob wrote:", text, true);
        assert_eq!(q, "Bob wrote:\n> Shall we try the new place?\n");
        // In plain text "--" alone is not the separator (a row of dashes).
        let q = quoted_reply("Bob wrote:", text, false);
        assert!(q.contains("> --\n> Bob"), "{q}");
    }
}
