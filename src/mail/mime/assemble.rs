//! From the part tree to what the reader shows: the text of the message
//! (plain text preferred, HTML converted when it is all there is), the
//! attachment list, and the attached messages with their headers and text
//! after it, as mutt shows them. Each part is cleaned on its own, so a
//! broken sequence in one part cannot reach into the next.

use std::time::Instant;

use super::decode::{decoded_len, to_text, transfer_decode};
use super::headers::{MessageHeaders, PartInfo, TransferEncoding, message_headers};
use super::html;
use super::html_styles::{shifted, within};
use super::limits::{
    HTML_TIME_BUDGET, MAX_DEPTH, MAX_PARSE_BYTES, MAX_PARTS, MAX_RAW_BYTES, MAX_TEXT_BYTES,
};
use super::split::{Budget, Kind, Limit, Tree, split};
use crate::mail::partial::{TEXT_PART_MAX, marks, size_text};
use crate::mail::view::{Attachment, BodySource, MessageView, NestedMessage, StyleRun};
use crate::sanitize::Clean;

/// The reader's view of `raw`, without the raw source (the caller adds it).
pub fn build(uid: u32, raw: &[u8], partial: bool) -> MessageView {
    let mut budget = Budget::default();
    let tree = split(raw, 0, &mut budget);
    let mut a = Assembler {
        partial,
        budget,
        deadline: Instant::now() + HTML_TIME_BUDGET,
        text_left: MAX_TEXT_BYTES,
        limits: tree.limits.clone(),
        notes: Vec::new(),
        nested: Vec::new(),
        nested_links: Vec::new(),
    };
    let mut main = Section::default();
    if !tree.nodes.is_empty() {
        a.walk(raw, &tree, 0, &mut main, 0);
    }
    let h = tree
        .nodes
        .first()
        .map(|n| message_headers(raw, n.header.clone()))
        .unwrap_or_default();
    let (body, body_styles, source) = main.finish();
    let html_links = crate::mail::links::merge(main.links(), a.nested_links.concat());
    let calendar = super::calendar::find(raw, &tree);
    let mut parts = super::parts::list_tree(raw, &tree, &mut a.budget);
    if partial {
        renumber(raw, &tree, &mut parts);
    }
    let mut notes: Vec<Clean> = a
        .limits
        .iter()
        .map(|l| Clean::line(&limit_note(*l)))
        .collect();
    if partial
        && let Some(top) = tree.nodes.first()
        && let Some(size) = marks(raw.get(top.header.clone()).unwrap_or_default()).partial
    {
        notes.insert(
            0,
            Clean::line(&format!(
                "This message is {}: only its text was fetched. Attachments are fetched when saved or opened.",
                size_text(size)
            )),
        );
    }
    notes.extend(a.notes);
    MessageView {
        uid,
        headers: header_lines(&h),
        date: h.date,
        date_zone: h.date_zone,
        body,
        body_styles,
        source,
        attachments: main.attachments,
        notes,
        warnings: repeated_warnings(&h),
        nested: a.nested,
        raw: Clean::default(),
        raw_bytes: std::sync::Arc::from(&[][..]),
        html_links,
        parts,
        calendar,
    }
}

/// A stand-in's parts carry the big message's own section numbers in
/// their marks: the parts menu shows and asks for those, with the sizes
/// of what was left out.
fn renumber(raw: &[u8], tree: &Tree, parts: &mut [crate::mail::view::PartEntry]) {
    let Some(top) = tree.nodes.first() else {
        return;
    };
    let real: Vec<_> = top
        .children
        .iter()
        .map(|&c| marks(raw.get(tree.nodes[c].header.clone()).unwrap_or_default()))
        .collect();
    for p in parts.iter_mut() {
        let (first, rest) = p.section.split_once('.').unwrap_or((&p.section, ""));
        let Some(m) = first
            .parse::<usize>()
            .ok()
            .and_then(|k| real.get(k.checked_sub(1)?))
        else {
            continue;
        };
        let Some(section) = &m.section else { continue };
        if rest.is_empty() {
            if let Some(size) = m.left_out {
                p.size = size as usize;
            }
            p.section = section.clone();
        } else {
            p.section = format!("{section}.{rest}");
        }
    }
}

/// Whether the list should mark the message as having attachments: a part
/// the sender marked as one, or a named part that is not inline media.
pub fn has_attachment(tree: &Tree) -> bool {
    tree.nodes.iter().any(|n| {
        n.kind == Kind::Leaf
            && (n.info.attachment
                || (n.info.name.is_some()
                    && !matches!(n.info.ctype.as_str(), "image" | "audio" | "video")))
    })
}

fn limit_note(limit: Limit) -> String {
    match limit {
        Limit::Depth => format!(
            "Parts nested more than {MAX_DEPTH} levels deep are not opened; the raw source shows them."
        ),
        Limit::Parts => {
            format!("This message has more than {MAX_PARTS} parts; the rest is not shown.")
        }
        Limit::Size => format!(
            "Only the first {} MB of this message are read.",
            MAX_PARSE_BYTES >> 20
        ),
    }
}

pub fn header_lines(h: &MessageHeaders) -> Vec<(&'static str, Clean)> {
    let mut out = Vec::new();
    let mut push = |name: &'static str, value: &Option<String>| {
        if let Some(v) = value.as_ref().filter(|v| !v.trim().is_empty()) {
            out.push((name, Clean::line(v)));
        }
    };
    push("From", &h.from);
    push("To", &h.to);
    push("Cc", &h.cc);
    push("Subject", &h.subject);
    out
}

/// One line naming every field that appears more than once.
pub fn repeated_warnings(h: &MessageHeaders) -> Vec<Clean> {
    if h.repeated.is_empty() {
        return Vec::new();
    }
    let fields: Vec<String> = h
        .repeated
        .iter()
        .map(|(name, n)| format!("{n} {name}"))
        .collect();
    vec![Clean::line(&format!(
        "Warning: this message has {} fields; the first of each is shown. \
         A repeated field is a sign of forgery.",
        fields.join(", ")
    ))]
}

/// Text of one message (the main one or an attached one) as it is found.
#[derive(Default)]
struct Section {
    plain: Vec<Clean>,
    /// Laid-out HTML parts with their styled runs.
    html: Vec<(Clean, Vec<StyleRun>)>,
    /// The `href`s of the HTML parts, in order.
    html_links: Vec<String>,
    attachments: Vec<Attachment>,
}

impl Section {
    /// Plain text parts if there are any, else the converted HTML ones
    /// (with their styles).
    fn finish(&self) -> (Clean, Vec<StyleRun>, BodySource) {
        if !self.plain.is_empty() {
            (
                Clean::join(&self.plain, "\n"),
                Vec::new(),
                BodySource::Plain,
            )
        } else if !self.html.is_empty() {
            let mut styles = Vec::new();
            let mut at = 0;
            for (text, runs) in &self.html {
                styles.extend(shifted(runs, at));
                at += text.len() + 1;
            }
            let body = Clean::join(self.html.iter().map(|(t, _)| t), "\n");
            (body, styles, BodySource::Html)
        } else {
            (Clean::default(), Vec::new(), BodySource::None)
        }
    }

    /// The links of the HTML shown, if HTML is what is shown.
    fn links(&self) -> Vec<crate::mail::links::Link> {
        if self.plain.is_empty() {
            crate::mail::links::from_targets(self.html_links.iter().map(String::as_str))
        } else {
            Vec::new()
        }
    }
}

struct Assembler {
    /// `raw` is a big message's stand-in: its marks count.
    partial: bool,
    budget: Budget,
    deadline: Instant,
    text_left: usize,
    limits: Vec<Limit>,
    notes: Vec<Clean>,
    nested: Vec<NestedMessage>,
    /// The HTML links of each attached message (as `nested`).
    nested_links: Vec<Vec<crate::mail::links::Link>>,
}

/// Parts whose text is shown as it is (besides text/plain).
fn is_plain_like(info: &PartInfo) -> bool {
    match info.ctype.as_str() {
        "text" => matches!(
            info.subtype.as_str(),
            "" | "plain" | "rfc822-headers" | "x-diff" | "x-patch" | "diff"
        ),
        "message" => matches!(
            info.subtype.as_str(),
            "delivery-status"
                | "global-delivery-status"
                | "disposition-notification"
                | "feedback-report"
        ),
        _ => false,
    }
}

impl Assembler {
    /// Walks part `id`; recursion is bounded by the tree's depth limit.
    fn walk(&mut self, raw: &[u8], tree: &Tree, id: usize, sec: &mut Section, level: usize) {
        let node = &tree.nodes[id];
        match node.kind {
            Kind::Multipart if node.info.subtype == "alternative" => {
                if let Some(&child) = pick_alternative(tree, &node.children) {
                    self.walk(raw, tree, child, sec, level);
                }
            }
            Kind::Multipart => {
                for &child in &node.children {
                    self.walk(raw, tree, child, sec, level);
                }
            }
            Kind::Message => {
                sec.attachments.push(self.message_attachment(raw, tree, id));
                if let Some(&child) = node.children.first() {
                    self.attached(raw, tree, child, level + 1);
                }
            }
            Kind::Leaf => self.leaf(raw, tree, id, sec, level),
        }
    }

    fn leaf(&mut self, raw: &[u8], tree: &Tree, id: usize, sec: &mut Section, level: usize) {
        let node = &tree.nodes[id];
        let info = &node.info;
        let body = raw.get(node.body.clone()).unwrap_or_default();
        if self.partial {
            let m = marks(raw.get(node.header.clone()).unwrap_or_default());
            if let (Some(size), Some(section)) = (m.left_out, m.section) {
                let mut a = attachment(info, body, "(unnamed)");
                a.size = size as usize;
                a.remote = Some(section);
                sec.attachments.push(a);
                return;
            }
            if let Some(full) = m.cut {
                self.notes.push(Clean::line(&format!(
                    "A text part of {} is shown only in part (its first {}).",
                    size_text(full),
                    size_text(u64::from(TEXT_PART_MAX))
                )));
            }
        }
        if node.opaque {
            sec.attachments
                .push(attachment(info, body, "(not opened: nested too deep)"));
            return;
        }
        if info.is_message() && info.encoding != TransferEncoding::Identity {
            // A transfer-encoded attached message: decoded, then split like
            // the outer one, within the same part budget.
            sec.attachments
                .push(attachment(info, body, "(attached message)"));
            let decoded = transfer_decode(body, info.encoding);
            let inner = split(&decoded, node.depth + 1, &mut self.budget);
            for l in &inner.limits {
                if !self.limits.contains(l) {
                    self.limits.push(*l);
                }
            }
            if !inner.nodes.is_empty() {
                self.attached(&decoded, &inner, 0, level + 1);
            }
            return;
        }
        if info.attachment || !(is_plain_like(info) || info.is("text", "html")) {
            sec.attachments.push(attachment(info, body, "(unnamed)"));
            return;
        }
        if self.text_left == 0 {
            return;
        }
        let text = to_text(
            &transfer_decode(body, info.encoding),
            info.charset.as_deref(),
        );
        if info.is("text", "html") {
            let h = html::to_text(&text, self.deadline);
            if let Some(n) = h.note {
                self.notes.push(Clean::line(&n));
            }
            let whole = Clean::text(&h.text);
            // The runs point into the laid-out text: if cleaning changed
            // it (a control character in the mail), they would be off.
            let styles = if whole.as_str() == h.text {
                h.styles
            } else {
                Vec::new()
            };
            let clean = self.capped(whole);
            let styles = within(styles, clean.len());
            sec.html.push((clean, styles));
            sec.html_links.extend(h.links);
        } else {
            let clean = self.capped(Clean::text(&text));
            sec.plain.push(clean);
        }
    }

    /// An attached message as a section of its own after the main text.
    fn attached(&mut self, raw: &[u8], tree: &Tree, id: usize, level: usize) {
        let h = message_headers(raw, tree.nodes[id].header.clone());
        let slot = self.nested.len();
        self.nested_links.push(Vec::new());
        self.nested.push(NestedMessage {
            level,
            headers: header_lines(&h),
            date: h.date,
            date_zone: h.date_zone,
            body: Clean::default(),
            body_styles: Vec::new(),
            source: BodySource::None,
            attachments: Vec::new(),
            warnings: repeated_warnings(&h),
        });
        let mut sec = Section::default();
        self.walk(raw, tree, id, &mut sec, level);
        let (body, body_styles, source) = sec.finish();
        if let Some(l) = self.nested_links.get_mut(slot) {
            *l = sec.links();
        }
        let n = &mut self.nested[slot];
        n.body = body;
        n.body_styles = body_styles;
        n.source = source;
        n.attachments = sec.attachments;
    }

    fn message_attachment(&self, raw: &[u8], tree: &Tree, id: usize) -> Attachment {
        let node = &tree.nodes[id];
        let subject = node
            .children
            .first()
            .and_then(|&c| message_headers(raw, tree.nodes[c].header.clone()).subject)
            .filter(|s| !s.trim().is_empty())
            .map(|s| format!("{s}.eml"));
        let name = node.info.name.clone().or(subject);
        Attachment {
            name: Clean::line(name.as_deref().unwrap_or("(attached message)")),
            mime: Clean::line(&node.info.mime()),
            size: node.body.len(),
            remote: None,
        }
    }

    /// Text within what is left of [`MAX_TEXT_BYTES`].
    fn capped(&mut self, text: Clean) -> Clean {
        if text.len() <= self.text_left {
            self.text_left -= text.len();
            return text;
        }
        let cut = text.truncated(self.text_left);
        self.text_left = 0;
        self.notes.push(Clean::line(&format!(
            "Text over {} MB is not shown; the raw source has the rest.",
            MAX_TEXT_BYTES >> 20
        )));
        cut
    }
}

fn attachment(info: &PartInfo, body: &[u8], unnamed: &str) -> Attachment {
    Attachment {
        name: Clean::line(info.name.as_deref().unwrap_or(unnamed)),
        mime: Clean::line(&info.mime()),
        size: decoded_len(body, info.encoding),
        remote: None,
    }
}

/// The alternative to show: the first that has plain text, else the first
/// with HTML, else the last (the sender's richest).
fn pick_alternative<'a>(tree: &Tree, children: &'a [usize]) -> Option<&'a usize> {
    pick_alternative_by(tree, children, &is_plain_like)
}

/// [`pick_alternative`] with the caller's idea of plain text.
pub fn pick_alternative_by<'a>(
    tree: &Tree,
    children: &'a [usize],
    plain: &dyn Fn(&PartInfo) -> bool,
) -> Option<&'a usize> {
    let has = |id: usize, want: &dyn Fn(&PartInfo) -> bool| {
        // The subtree of a part is the run of nodes after it that sit
        // deeper (nodes are in document order).
        let depth = tree.nodes[id].depth;
        std::iter::once(&tree.nodes[id])
            .chain(tree.nodes[id + 1..].iter().take_while(|n| n.depth > depth))
            .any(|n| n.kind == Kind::Leaf && !n.info.attachment && want(&n.info))
    };
    children
        .iter()
        .find(|&&c| has(c, plain))
        .or_else(|| {
            children
                .iter()
                .find(|&&c| has(c, &|i| i.is("text", "html")))
        })
        .or(children.last())
}

/// [`crate::mail::message::parse`] of a message as fetched: with `partial`, `raw` is a stand-in
/// for a big message (see [`crate::mail::partial`]) and its marks count.
pub fn parse_as(uid: u32, raw: &[u8], partial: bool) -> MessageView {
    let mut view = build(uid, raw, partial);
    view.raw = raw_source(raw);
    if !partial && raw.len() <= MAX_RAW_BYTES {
        view.raw_bytes = std::sync::Arc::from(raw);
    }
    if raw.len() > MAX_RAW_BYTES {
        // Said only in the raw view's own header, not above the text.
        view.raw = {
            let mut r = Clean::line(&format!("[{}]", raw_cut_note(raw.len())));
            r.push(&Clean::text("\n"));
            r.push(&view.raw);
            r
        };
    }
    view
}

/// The first [`MAX_RAW_BYTES`] of the source, cleaned.
pub fn raw_source(raw: &[u8]) -> Clean {
    let head = &raw[..raw.len().min(MAX_RAW_BYTES)];
    Clean::text(&String::from_utf8_lossy(head))
}

pub fn raw_cut_note(len: usize) -> String {
    format!(
        "Source of {} KB; only the first {} KB are shown.",
        len / 1024,
        MAX_RAW_BYTES / 1024
    )
}
