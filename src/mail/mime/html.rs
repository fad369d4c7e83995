//! HTML to text within limits. html2text lays HTML out well but at a cost
//! that grows with the square of the nesting depth and about a hundred
//! bytes of memory per input byte, and it cannot be interrupted. So every
//! part is first read once by html5ever's tokenizer (linear): that gives
//! the nesting depth and a plain text of the part. Layout runs only within
//! [`MAX_HTML_BYTES`] and [`MAX_HTML_DEPTH`], on its own thread, waited
//! for until the message's HTML deadline; otherwise the plain text is
//! shown with a note saying why.

use std::cell::RefCell;
use std::sync::mpsc;
use std::time::Instant;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

use super::html_styles::{Laid, Styled, flatten};
use super::limits::{HTML_STACK_BYTES, MAX_HTML_BYTES, MAX_HTML_DEPTH};
use crate::mail::view::StyleRun;

/// HTML is laid out wide and wrapped by the reader at its own width.
const LAYOUT_WIDTH: usize = 400;

/// Text of an HTML part, and why it was not laid out if it was not.
#[derive(Debug)]
pub struct HtmlText {
    pub text: String,
    /// Bold, italics, headings and links of `text` (none without layout).
    pub styles: Vec<StyleRun>,
    pub note: Option<String>,
    /// The part's link targets (`href`s), whole, in document order.
    pub links: Vec<String>,
}

/// Most `href`s kept from one part (repeats included).
const MAX_HREFS: usize = 2 * crate::mail::links::MAX_LINKS;
/// Characters kept of one `href`: one past the link limit, so that a cut
/// can still be told.
const MAX_HREF_CHARS: usize = crate::mail::links::MAX_LINK_CHARS + 1;

/// Converts `html`, laying it out only if it fits the limits and `deadline`.
pub fn to_text(html: &str, deadline: Instant) -> HtmlText {
    if html.len() > MAX_HTML_BYTES {
        let scanned = scan(html);
        return HtmlText {
            text: scanned.text,
            styles: Vec::new(),
            links: scanned.hrefs,
            note: Some(format!(
                "HTML part of {} KB is over the {} KB layout limit; shown without layout",
                html.len() / 1024,
                MAX_HTML_BYTES / 1024
            )),
        };
    }
    let scanned = scan(html);
    if scanned.max_depth > MAX_HTML_DEPTH {
        return HtmlText {
            text: scanned.text,
            styles: Vec::new(),
            links: scanned.hrefs,
            note: Some(format!(
                "HTML nested over {MAX_HTML_DEPTH} levels deep; shown without layout"
            )),
        };
    }
    let late = || HtmlText {
        text: scanned.text.clone(),
        styles: Vec::new(),
        note: Some("HTML layout took too long; shown without layout".to_string()),
        links: scanned.hrefs.clone(),
    };
    let Some(left) = deadline.checked_duration_since(Instant::now()) else {
        return late();
    };
    let (tx, rx) = mpsc::sync_channel(1);
    let owned = html.to_string();
    let spawned = std::thread::Builder::new()
        .name("mailtui-html".into())
        .stack_size(HTML_STACK_BYTES)
        .spawn(move || {
            // The receiver may be gone (deadline passed): nothing to do then.
            let _ = tx.send(layout(&owned));
        });
    if spawned.is_err() {
        return late();
    }
    // A layout past the deadline is left to finish on its own thread; the
    // limits above bound how long that can be.
    match rx.recv_timeout(left) {
        Ok(laid) => HtmlText {
            text: laid.text,
            styles: laid.styles,
            note: None,
            links: scanned.hrefs,
        },
        Err(_) => late(),
    }
}

/// html2text's layout with its styles (bold, italics, headings, links),
/// trailing spaces trimmed. No link footnotes: the reader numbers links
/// as the links menu does, and the menu has them whole.
pub fn layout(html: &str) -> Laid {
    match html2text::config::with_decorator(Styled::default())
        .lines_from_read(html.as_bytes(), LAYOUT_WIDTH)
    {
        Ok(lines) => flatten(&lines),
        Err(_) => Laid {
            text: scan(html).text,
            styles: Vec::new(),
        },
    }
}

/// What one tokenizer pass finds.
pub struct Scan {
    /// The text of the part: no markup, scripts or styles; a line break
    /// for each block element.
    pub text: String,
    /// Deepest element nesting (elements whose end tag may be left out,
    /// like `<p>` and `<li>`, are not counted: unclosed they would look
    /// deep).
    pub max_depth: usize,
    /// Link targets of `<a>` and `<area>`, in document order.
    pub hrefs: Vec<String>,
}

pub fn scan(html: &str) -> Scan {
    let sink = Sink(RefCell::new(ScanState::default()));
    let tok = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    // Feeding returns early only for scripts, which this sink never asks for.
    let _ = tok.feed(&input);
    tok.end();
    let state = tok.sink.0.into_inner();
    let text = state
        .out
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("\n");
    Scan {
        text: collapse_blank_lines(&text),
        max_depth: state.max_depth,
        hrefs: state.hrefs,
    }
}

fn collapse_blank_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.trim().lines() {
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[derive(Default)]
struct ScanState {
    out: String,
    depth: usize,
    max_depth: usize,
    /// Inside <script>, <style> …: text not shown.
    hidden: Option<String>,
    hrefs: Vec<String>,
}

struct Sink(RefCell<ScanState>);

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param", "keygen",
];
const OPTIONAL_END: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "rb", "rt", "rp", "colgroup",
    "thead", "tbody", "tfoot", "html", "head", "body",
];
const BLOCK: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "blockquote",
    "pre",
    "hr",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "section",
    "article",
    "header",
    "footer",
    "center",
    "address",
    "form",
    "fieldset",
    "title",
];
const HIDDEN: &[&str] = &["script", "style", "head", "template", "noscript", "object"];

impl ScanState {
    fn tag(&mut self, tag: &Tag) -> TokenSinkResult<()> {
        let name: &str = tag.name.as_ref();
        if let Some(h) = &self.hidden {
            if tag.kind == TagKind::EndTag && h == name {
                self.hidden = None;
            }
            return TokenSinkResult::Continue;
        }
        if tag.kind == TagKind::StartTag && matches!(name, "a" | "area") {
            self.href(tag);
        }
        if BLOCK.contains(&name) && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
        if matches!(name, "td" | "th") && tag.kind == TagKind::StartTag {
            self.out.push(' ');
        }
        let counted = !VOID.contains(&name) && !OPTIONAL_END.contains(&name);
        match tag.kind {
            TagKind::StartTag if counted && !tag.self_closing => {
                self.depth += 1;
                self.max_depth = self.max_depth.max(self.depth);
            }
            TagKind::EndTag if counted => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        if tag.kind == TagKind::StartTag && !tag.self_closing && HIDDEN.contains(&name) {
            self.hidden = Some(name.to_string());
            return match name {
                "script" => TokenSinkResult::RawData(RawKind::ScriptData),
                "style" | "noscript" => TokenSinkResult::RawData(RawKind::Rawtext),
                _ => TokenSinkResult::Continue,
            };
        }
        TokenSinkResult::Continue
    }

    /// Keeps the tag's `href` (entities already decoded by the tokenizer).
    fn href(&mut self, tag: &Tag) {
        if self.hrefs.len() >= MAX_HREFS {
            return;
        }
        let Some(attr) = tag.attrs.iter().find(|a| &*a.name.local == "href") else {
            return;
        };
        // HTML strips leading and trailing white space from URLs and
        // drops tabs and line breaks inside them.
        let url: String = attr
            .value
            .trim()
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .take(MAX_HREF_CHARS)
            .collect();
        if !url.is_empty() {
            self.hrefs.push(url);
        }
    }

    fn chars(&mut self, text: &str) {
        if self.hidden.is_some() {
            return;
        }
        // HTML collapses white space; line breaks come from block tags.
        for c in text.chars() {
            if c.is_whitespace() && c != '\u{a0}' {
                if !self.out.ends_with([' ', '\n']) && !self.out.is_empty() {
                    self.out.push(' ');
                }
            } else {
                self.out.push(c);
            }
        }
    }
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut st = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) => st.tag(&tag),
            Token::CharacterTokens(t) => {
                st.chars(&t);
                TokenSinkResult::Continue
            }
            _ => TokenSinkResult::Continue,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::mail::view::TextStyle;

    fn soon() -> Instant {
        Instant::now() + Duration::from_secs(30)
    }

    #[test]
    fn lays_out_ordinary_html() {
        let t = to_text(
            "<h1>Title</h1><p>First <a href=\"https://example.com/x\">link</a>.</p><ul><li>one</li></ul>",
            soon(),
        );
        assert!(t.note.is_none());
        assert_eq!(t.text, "Title\n\nFirst link.\n* one", "{}", t.text);
        let styled = |want: &str| {
            t.styles
                .iter()
                .find(|r| &t.text[r.start..r.end] == want)
                .map(|r| (r.style, r.target.clone()))
        };
        assert_eq!(styled("Title"), Some((TextStyle::HEADING, None)));
        assert_eq!(
            styled("link"),
            Some((TextStyle::LINK, Some("https://example.com/x".into())))
        );
    }

    #[test]
    fn styles_come_as_runs_not_marks() {
        let t = to_text(
            "<h2>Planned <i>maintenance</i></h2><p>On <b>Saturday</b> between \
<strong>02:00 and <em>04:00</em></strong>, <s>not</s> <code>vpn</code>.</p>\
<blockquote>quoted <b>bold</b></blockquote>",
            soon(),
        );
        let text = &t.text;
        assert!(!text.contains('*') && !text.contains('#'), "{text}");
        assert!(!text.contains('\u{e000}'), "{text:?}");
        let runs: Vec<(&str, TextStyle)> = t
            .styles
            .iter()
            .map(|r| (&text[r.start..r.end], r.style))
            .collect();
        assert_eq!(
            runs,
            [
                ("Planned ", TextStyle::HEADING),
                ("maintenance", TextStyle::HEADING.with(TextStyle::EMPHASIS)),
                ("Saturday", TextStyle::STRONG),
                ("02:00 and ", TextStyle::STRONG),
                ("04:00", TextStyle::STRONG.with(TextStyle::EMPHASIS)),
                ("not", TextStyle::STRIKE),
                ("vpn", TextStyle::CODE),
                ("bold", TextStyle::STRONG),
            ]
        );
        assert!(text.contains("> quoted bold"), "{text}");
        // Runs are in order and apart.
        assert!(t.styles.windows(2).all(|w| w[0].end <= w[1].start));
    }

    #[test]
    fn tables_stay_readable() {
        let t = to_text(
            "<table><tr><th>Service</th><th>Status</th></tr>\
<tr><td>VPN</td><td><b>down</b></td></tr><tr><td>Mail</td><td>fine</td></tr></table>",
            soon(),
        );
        let lines: Vec<&str> = t.text.lines().collect();
        let vpn = lines.iter().find(|l| l.contains("VPN")).unwrap();
        assert!(vpn.contains("down"), "{}", t.text);
        let mail = lines.iter().find(|l| l.contains("Mail")).unwrap();
        // The columns line up.
        assert_eq!(vpn.find("down"), mail.find("fine"), "{}", t.text);
    }

    #[test]
    fn scan_gives_text_without_markup_scripts_or_styles() {
        let s = scan(
            "<html><head><title>t</title><style>p{color:red}</style></head><body>\
<div>Hello&nbsp;<b>world</b> &amp; you</div><script>if (a<b) alert(1)</script>\
<p>second<br>line</p></body></html>",
        );
        assert_eq!(s.text, "Hello\u{a0}world & you\nsecond\nline\n");
        assert_eq!(s.max_depth, 2);
    }

    #[test]
    fn hrefs_are_kept_whole_in_order_with_entities_decoded() {
        let long = format!("https://x.example/?a=1&amp;b={}", "z".repeat(700));
        let html = format!(
            "<head><link href=\"https://style.example/\"></head>\
<p><a href=\" {long}\n\">one</a> <a name=x>no href</a>\
<map><area href=\"https://map.example/\"></map>\
<script>document.write('<a href=\"https://script.example/\">')</script>\
<A HREF='https://b.example/'>b</A></p>"
        );
        let t = to_text(&html, soon());
        let want = format!("https://x.example/?a=1&b={}", "z".repeat(700));
        assert_eq!(
            t.links,
            [want.as_str(), "https://map.example/", "https://b.example/"]
        );
        // The laid-out link carries it whole too.
        assert!(
            t.styles
                .iter()
                .any(|r| r.target.as_deref().is_some_and(|u| u.trim() == want)),
            "{:?}",
            t.styles
        );
        // Without layout the hrefs are the same.
        let late = to_text(&html, Instant::now() - Duration::from_secs(1));
        assert_eq!(late.links, t.links);
    }

    #[test]
    fn deep_nesting_is_not_laid_out() {
        let depth = 5000;
        let html = format!(
            "{}deep text{}",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let s = scan(&html);
        assert_eq!(s.max_depth, depth);
        let t = to_text(&html, soon());
        assert!(
            t.note.as_deref().is_some_and(|n| n.contains("nested")),
            "{:?}",
            t.note
        );
        assert_eq!(t.text.trim(), "deep text");
    }

    #[test]
    fn a_passed_deadline_gives_the_plain_text() {
        let t = to_text("<p>hi</p>", Instant::now() - Duration::from_secs(1));
        assert!(t.note.is_some());
        assert_eq!(t.text.trim(), "hi");
    }
}
