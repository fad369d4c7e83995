//! The parts of a message as a list the reader acts on (save, open, view),
//! each addressed by its IMAP section number ("1", "2", "2.1" …), and the
//! one way back from a section number to the part's content.
//!
//! Numbering follows RFC 3501: the children of a multipart are numbered
//! from 1 under it; an attached message's parts are numbered under the
//! attached message's number; a message that is not multipart has one
//! part, "1". A transfer-encoded attached message (which IMAP servers do
//! not open) is numbered the same way after decoding, so one scheme
//! reaches every part mailtui shows. A later fetch of single parts by
//! section (`BODY.PEEK[2.1]`) can use these numbers as they are, except
//! inside such encoded messages.

use super::decode::{decoded_len, transfer_decode, transfer_decode_checked};
use super::headers::{PartInfo, TransferEncoding, message_headers};
use super::split::{Budget, Kind, Tree, split};
pub use crate::mail::view::{PartEntry, PartKind};
use crate::sanitize::Clean;

/// A part's content, decoded, as the save and open commands take it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartBytes {
    pub section: String,
    /// The sender's name for it (see [`PartEntry::file_name`]).
    pub file_name: Option<String>,
    /// "type/subtype", lower case.
    pub mime: String,
    /// For text parts shown in the reader.
    pub charset: Option<String>,
    pub bytes: Vec<u8>,
    /// The transfer encoding was broken: `bytes` is what could be decoded.
    pub damaged: bool,
}

/// "2" + "1" = "2.1"; "" + "1" = "1".
pub fn join(prefix: &str, section: &str) -> String {
    match (prefix.is_empty(), section.is_empty()) {
        (true, _) => section.to_string(),
        (_, true) => prefix.to_string(),
        _ => format!("{prefix}.{section}"),
    }
}

/// Every part of `raw` worth acting on (leaves and attached messages), in
/// document order, within the MIME limits.
pub fn list(raw: &[u8]) -> Vec<PartEntry> {
    let mut budget = Budget::default();
    let tree = split(raw, 0, &mut budget);
    list_tree(raw, &tree, &mut budget)
}

/// [`list`] for a tree already split (shares the part budget).
pub fn list_tree(raw: &[u8], tree: &Tree, budget: &mut Budget) -> Vec<PartEntry> {
    let mut l = Lister {
        budget,
        out: Vec::new(),
    };
    if !tree.nodes.is_empty() {
        l.entity(raw, tree, 0, "");
    }
    l.out
}

struct Lister<'b> {
    budget: &'b mut Budget,
    out: Vec<PartEntry>,
}

impl Lister<'_> {
    /// The top entity of a message whose parts are numbered under `prefix`.
    fn entity(&mut self, raw: &[u8], tree: &Tree, id: usize, prefix: &str) {
        if tree.nodes[id].kind == Kind::Multipart {
            self.children(raw, tree, id, prefix);
        } else {
            self.node(raw, tree, id, join(prefix, "1"));
        }
    }

    fn children(&mut self, raw: &[u8], tree: &Tree, id: usize, prefix: &str) {
        for (i, &child) in tree.nodes[id].children.iter().enumerate() {
            self.node(raw, tree, child, join(prefix, &(i + 1).to_string()));
        }
    }

    fn node(&mut self, raw: &[u8], tree: &Tree, id: usize, section: String) {
        let n = &tree.nodes[id];
        match n.kind {
            Kind::Multipart => self.children(raw, tree, id, &section),
            Kind::Message => {
                let inner = n.children.first().copied();
                let subject = inner.and_then(|c| subject(raw, tree, c));
                self.out.push(message_entry(
                    &n.info,
                    &section,
                    n.depth,
                    subject,
                    n.body.len(),
                ));
                if let Some(c) = inner {
                    self.entity(raw, tree, c, &section);
                }
            }
            Kind::Leaf if n.info.is_message() && encoded(&n.info) && !n.opaque => {
                let body = raw.get(n.body.clone()).unwrap_or_default();
                let decoded = transfer_decode(body, n.info.encoding);
                let inner = split(&decoded, n.depth + 1, self.budget);
                let subject = (!inner.nodes.is_empty())
                    .then(|| subject(&decoded, &inner, 0))
                    .flatten();
                self.out.push(message_entry(
                    &n.info,
                    &section,
                    n.depth,
                    subject,
                    decoded.len(),
                ));
                if !inner.nodes.is_empty() {
                    self.entity(&decoded, &inner, 0, &section);
                }
            }
            Kind::Leaf => {
                let body = raw.get(n.body.clone()).unwrap_or_default();
                let kind = leaf_kind(&n.info);
                self.out.push(PartEntry {
                    section,
                    depth: n.depth,
                    kind,
                    label: Clean::line(n.info.name.as_deref().unwrap_or_default()),
                    file_name: n.info.name.clone(),
                    mime: Clean::line(&n.info.mime()),
                    size: decoded_len(body, n.info.encoding),
                    attachment: n.info.attachment
                        || n.opaque
                        || kind == PartKind::Other
                        || n.info.name.is_some(),
                });
            }
        }
    }
}

fn encoded(info: &PartInfo) -> bool {
    info.encoding != TransferEncoding::Identity
}

fn leaf_kind(info: &PartInfo) -> PartKind {
    if info.is("text", "html") {
        PartKind::Html
    } else if info.ctype == "text" || info.is_message() {
        // A message part too deep to open is still text to read.
        PartKind::Text
    } else {
        PartKind::Other
    }
}

fn subject(raw: &[u8], tree: &Tree, id: usize) -> Option<String> {
    message_headers(raw, tree.nodes[id].header.clone())
        .subject
        .filter(|s| !s.trim().is_empty())
}

fn message_entry(
    info: &PartInfo,
    section: &str,
    depth: usize,
    subject: Option<String>,
    size: usize,
) -> PartEntry {
    let file_name = info
        .name
        .clone()
        .or_else(|| subject.as_ref().map(|s| format!("{s}.eml")));
    PartEntry {
        section: section.to_string(),
        depth,
        kind: PartKind::Message,
        label: Clean::line(info.name.as_deref().or(subject.as_deref()).unwrap_or("")),
        file_name,
        mime: Clean::line(&info.mime()),
        size,
        attachment: true,
    }
}

/// The content of the part at `section`, decoded; None when there is no
/// such part (or it is a multipart, which has no content of its own).
pub fn extract(raw: &[u8], section: &str) -> Option<PartBytes> {
    let path: Vec<usize> = section
        .split('.')
        .map(|n| n.parse::<usize>().ok().filter(|n| *n > 0))
        .collect::<Option<_>>()?;
    let mut budget = Budget::default();
    let tree = split(raw, 0, &mut budget);
    if tree.nodes.is_empty() {
        return None;
    }
    let mut found = find_entity(raw, &tree, 0, &path, &mut budget)?;
    found.section = section.to_string();
    Some(found)
}

fn find_entity(
    raw: &[u8],
    tree: &Tree,
    id: usize,
    path: &[usize],
    budget: &mut Budget,
) -> Option<PartBytes> {
    let (&first, rest) = path.split_first()?;
    if tree.nodes[id].kind == Kind::Multipart {
        let child = *tree.nodes[id].children.get(first - 1)?;
        find_node(raw, tree, child, rest, budget)
    } else if first == 1 {
        find_node(raw, tree, id, rest, budget)
    } else {
        None
    }
}

fn find_node(
    raw: &[u8],
    tree: &Tree,
    id: usize,
    rest: &[usize],
    budget: &mut Budget,
) -> Option<PartBytes> {
    let n = &tree.nodes[id];
    let body = raw.get(n.body.clone()).unwrap_or_default();
    match n.kind {
        Kind::Multipart => {
            let (&first, rest) = rest.split_first()?;
            let child = *n.children.get(first - 1)?;
            find_node(raw, tree, child, rest, budget)
        }
        Kind::Message if rest.is_empty() => {
            let subject = n.children.first().and_then(|&c| subject(raw, tree, c));
            let entry = message_entry(&n.info, "", n.depth, subject, body.len());
            Some(PartBytes {
                section: String::new(),
                file_name: entry.file_name,
                mime: n.info.mime(),
                charset: None,
                bytes: body.to_vec(),
                damaged: false,
            })
        }
        Kind::Message => find_entity(raw, tree, *n.children.first()?, rest, budget),
        Kind::Leaf if rest.is_empty() => {
            let (bytes, damaged) = transfer_decode_checked(body, n.info.encoding);
            let file_name = if n.info.is_message() && n.info.name.is_none() {
                let inner = split(&bytes, n.depth + 1, budget);
                (!inner.nodes.is_empty())
                    .then(|| subject(&bytes, &inner, 0))
                    .flatten()
                    .map(|s| format!("{s}.eml"))
            } else {
                n.info.name.clone()
            };
            Some(PartBytes {
                section: String::new(),
                file_name,
                mime: n.info.mime(),
                charset: n.info.charset.clone(),
                bytes: bytes.into_owned(),
                damaged,
            })
        }
        Kind::Leaf if n.info.is_message() && encoded(&n.info) && !n.opaque => {
            let decoded = transfer_decode(body, n.info.encoding);
            let inner = split(&decoded, n.depth + 1, budget);
            if inner.nodes.is_empty() {
                return None;
            }
            find_entity(&decoded, &inner, 0, rest, budget)
        }
        Kind::Leaf => None,
    }
}

#[cfg(test)]
#[path = "parts_tests.rs"]
mod tests;
