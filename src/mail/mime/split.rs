//! The MIME structure of a message as a flat list of parts, found in one
//! pass over its lines without recursion, within [`MAX_DEPTH`] and
//! [`MAX_PARTS`].
//!
//! A boundary line closes every part opened inside the multipart it
//! belongs to (RFC 2046 forbids an inner part to contain an outer
//! boundary), so a truncated inner multipart ends where the outer one goes
//! on instead of swallowing it; a multipart whose closing boundary never
//! comes ends with the message.

use std::ops::Range;

use super::headers::{self, PartInfo, TransferEncoding};
use super::limits::{MAX_DEPTH, MAX_PARSE_BYTES, MAX_PARTS};
use super::lines::{Lines, before_break};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Content: shown, converted or listed.
    Leaf,
    /// multipart/*: the children.
    Multipart,
    /// message/rfc822 not transfer-encoded: one child, the message.
    Message,
}

#[derive(Clone, Debug)]
pub struct Node {
    pub info: PartInfo,
    pub kind: Kind,
    pub header: Range<usize>,
    pub body: Range<usize>,
    pub children: Vec<usize>,
    pub depth: usize,
    /// A container left closed because it sat deeper than [`MAX_DEPTH`].
    pub opaque: bool,
}

/// A limit that left part of the message out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Depth,
    Parts,
    Size,
}

/// The parts of one message; node 0 is the message itself (its header
/// block is the message header), in document order.
#[derive(Debug, Default)]
pub struct Tree {
    pub nodes: Vec<Node>,
    pub limits: Vec<Limit>,
}

impl Tree {
    fn note(&mut self, limit: Limit) {
        if !self.limits.contains(&limit) {
            self.limits.push(limit);
        }
    }
}

/// Parts still allowed for one message, shared by the trees of its
/// transfer-encoded attached messages.
#[derive(Debug)]
pub struct Budget {
    pub parts: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget { parts: MAX_PARTS }
    }
}

struct Open {
    node: usize,
    /// Some while a multipart waits for its boundaries.
    boundary: Option<Vec<u8>>,
}

/// The structure of `raw`, whose top entity sits at `depth`.
pub fn split(raw: &[u8], depth: usize, budget: &mut Budget) -> Tree {
    let mut s = Splitter {
        raw,
        end: raw.len().min(MAX_PARSE_BYTES),
        tree: Tree::default(),
        stack: Vec::new(),
        waiting: 0,
    };
    if s.end < raw.len() {
        s.tree.note(Limit::Size);
    }
    s.run(depth, budget);
    s.tree
}

struct Splitter<'a> {
    raw: &'a [u8],
    end: usize,
    tree: Tree,
    /// Entities not yet ended, outermost first.
    stack: Vec<Open>,
    /// Multiparts on the stack still waiting for boundaries.
    waiting: usize,
}

impl Splitter<'_> {
    fn run(&mut self, depth: usize, budget: &mut Budget) {
        let Some(mut pos) = self.start_entity(0, None, depth, budget) else {
            return self.close_all(self.end);
        };
        'scan: while self.waiting > 0 {
            for (line_pos, line) in Lines::new(self.raw, pos, self.end) {
                let Some((level, closing)) = self.delimiter(line.content) else {
                    continue;
                };
                let floor = self.tree.nodes[self.stack[level].node].body.start;
                let cut = before_break(self.raw, line_pos, floor);
                self.close_above(level, cut);
                let after = line_pos + line.len_with_eol();
                if closing {
                    self.stack[level].boundary = None;
                    self.waiting -= 1;
                    pos = after;
                } else {
                    let parent = self.stack[level].node;
                    let child_depth = self.tree.nodes[parent].depth + 1;
                    match self.start_entity(after, Some(parent), child_depth, budget) {
                        Some(p) => pos = p,
                        None => {
                            self.close_all(cut);
                            return;
                        }
                    }
                }
                continue 'scan;
            }
            break;
        }
        self.close_all(self.end);
    }

    /// Which waiting multipart `line` is a boundary of (innermost first),
    /// and whether it is the closing one.
    fn delimiter(&self, line: &[u8]) -> Option<(usize, bool)> {
        delimiter_of(&self.stack, line)
    }

    /// Reads the entity whose header block starts at `pos`; returns where
    /// its content starts, or None when the part budget is spent.
    fn start_entity(
        &mut self,
        mut pos: usize,
        mut parent: Option<usize>,
        mut depth: usize,
        budget: &mut Budget,
    ) -> Option<usize> {
        // Attached messages start their own entity right away: a loop, not
        // recursion, however deep they go.
        loop {
            if budget.parts == 0 {
                self.tree.note(Limit::Parts);
                return None;
            }
            budget.parts -= 1;
            let in_digest =
                parent.is_some_and(|p| self.tree.nodes[p].info.is("multipart", "digest"));
            let stack = &self.stack;
            let block = headers::find_block(self.raw, pos, self.end, |l| {
                delimiter_of(stack, l).is_some()
            });
            let info = headers::part_info(self.raw, block.header.clone(), in_digest);
            let id = self.tree.nodes.len();
            let body_start = block.body_start;
            let container = info.is_multipart() || info.is_message();
            let opaque = container && depth >= MAX_DEPTH;
            if opaque {
                self.tree.note(Limit::Depth);
            }
            let has_body = body_start < self.end
                && Lines::new(self.raw, body_start, self.end)
                    .next()
                    .is_some_and(|(_, l)| self.delimiter(l.content).is_none());
            let kind = if opaque {
                Kind::Leaf
            } else if info.is_multipart() && info.boundary.is_some() {
                Kind::Multipart
            } else if info.is_message() && info.encoding == TransferEncoding::Identity && has_body {
                Kind::Message
            } else {
                Kind::Leaf
            };
            let boundary = match kind {
                Kind::Multipart => info.boundary.as_ref().map(|b| b.as_bytes().to_vec()),
                _ => None,
            };
            self.tree.nodes.push(Node {
                info,
                kind,
                header: block.header,
                body: body_start..body_start,
                children: Vec::new(),
                depth,
                opaque,
            });
            if let Some(p) = parent {
                self.tree.nodes[p].children.push(id);
            }
            if boundary.is_some() {
                self.waiting += 1;
            }
            self.stack.push(Open { node: id, boundary });
            if kind != Kind::Message {
                return Some(body_start);
            }
            pos = body_start;
            parent = Some(id);
            depth += 1;
        }
    }

    /// Ends every entity opened inside stack level `level` at `cut`.
    fn close_above(&mut self, level: usize, cut: usize) {
        while self.stack.len() > level + 1 {
            self.pop(cut);
        }
    }

    fn close_all(&mut self, cut: usize) {
        while !self.stack.is_empty() {
            self.pop(cut);
        }
    }

    fn pop(&mut self, cut: usize) {
        let Some(open) = self.stack.pop() else { return };
        if open.boundary.is_some() {
            self.waiting -= 1;
        }
        let node = &mut self.tree.nodes[open.node];
        node.body.end = cut.max(node.body.start);
        // A multipart whose boundary never came is text (as other readers
        // show it), not an empty container.
        if node.kind == Kind::Multipart && node.children.is_empty() {
            node.kind = Kind::Leaf;
            node.info.ctype = "text".into();
            node.info.subtype = "plain".into();
        }
    }
}

fn delimiter_of(stack: &[Open], line: &[u8]) -> Option<(usize, bool)> {
    let rest = line.strip_prefix(b"--")?;
    stack.iter().enumerate().rev().find_map(|(i, open)| {
        let tail = rest.strip_prefix(open.boundary.as_deref()?)?;
        let (closing, tail) = match tail.strip_prefix(b"--") {
            Some(t) => (true, t),
            None => (false, tail),
        };
        tail.iter()
            .all(|&b| b == b' ' || b == b'\t')
            .then_some((i, closing))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(raw: &str) -> Tree {
        split(raw.as_bytes(), 0, &mut Budget::default())
    }

    fn bodies<'a>(raw: &'a str, t: &Tree) -> Vec<(String, &'a str)> {
        t.nodes
            .iter()
            .filter(|n| n.kind == Kind::Leaf)
            .map(|n| (n.info.mime(), &raw[n.body.clone()]))
            .collect()
    }

    #[test]
    fn nested_multiparts_and_messages() {
        let raw = "Content-Type: multipart/mixed; boundary=m\r\n\r\npreamble\r\n\
--m\r\nContent-Type: text/plain\r\n\r\nhello\r\n\
--m\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\nContent-Type: multipart/alternative; boundary=a\r\n\r\n\
--a\r\n\r\ninner plain\r\n--a\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--a--\r\n\
--m--\r\nepilogue\r\n";
        let t = tree(raw);
        let kinds: Vec<(Kind, usize)> = t.nodes.iter().map(|n| (n.kind, n.depth)).collect();
        assert_eq!(
            kinds,
            [
                (Kind::Multipart, 0),
                (Kind::Leaf, 1),
                (Kind::Message, 1),
                (Kind::Multipart, 2),
                (Kind::Leaf, 3),
                (Kind::Leaf, 3),
            ]
        );
        assert_eq!(
            bodies(raw, &t),
            [
                ("text/plain".into(), "hello"),
                ("text/plain".into(), "inner plain"),
                ("text/html".into(), "<p>x</p>"),
            ]
        );
        assert_eq!(t.nodes[0].children, [1, 2]);
        assert!(t.limits.is_empty());
    }

    #[test]
    fn a_missing_closing_boundary_ends_with_the_message() {
        let raw = "Content-Type: multipart/mixed; boundary=m\n\n--m\n\nfirst\n--m\nContent-Type: text/plain\n\nsecond\n";
        let t = tree(raw);
        assert_eq!(
            bodies(raw, &t),
            [
                ("text/plain".into(), "first"),
                ("text/plain".into(), "second\n")
            ]
        );
    }

    #[test]
    fn a_truncated_inner_multipart_ends_at_the_outer_boundary() {
        let raw = "Content-Type: multipart/mixed; boundary=outer\r\n\r\n--outer\r\n\
Content-Type: multipart/alternative; boundary=inner\r\n\r\n--inner\r\n\r\ninner text\r\n\
--outer\r\nContent-Type: text/plain\r\n\r\nouter second\r\n--outer--\r\n";
        let t = tree(raw);
        assert_eq!(
            bodies(raw, &t),
            [
                ("text/plain".into(), "inner text"),
                ("text/plain".into(), "outer second")
            ]
        );
    }

    #[test]
    fn boundary_prefixes_and_unknown_boundaries_are_body_text() {
        let raw =
            "Content-Type: multipart/mixed; boundary=b\n\n--b\n\n--bb is not it\n--c\n--b--\n";
        let t = tree(raw);
        assert_eq!(
            bodies(raw, &t),
            [("text/plain".into(), "--bb is not it\n--c")]
        );
    }

    #[test]
    fn a_multipart_without_its_boundary_is_text() {
        let raw = "Content-Type: multipart/mixed; boundary=zz\n\njust text\n";
        let t = tree(raw);
        assert_eq!(bodies(raw, &t), [("text/plain".into(), "just text\n")]);
    }

    #[test]
    fn digest_parts_default_to_messages() {
        let raw = "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nfirst\n--d\n\nSubject: two\n\nsecond\n--d--\n";
        let t = tree(raw);
        let kinds: Vec<Kind> = t.nodes.iter().map(|n| n.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Multipart,
                Kind::Message,
                Kind::Leaf,
                Kind::Message,
                Kind::Leaf
            ]
        );
        assert_eq!(&raw[t.nodes[4].body.clone()], "second");
    }

    #[test]
    fn deep_nesting_stops_at_the_depth_limit() {
        let mut raw = String::new();
        for _ in 0..10_000 {
            raw.push_str("Content-Type: message/rfc822\r\n\r\n");
        }
        raw.push_str("Subject: bottom\r\n\r\ntext\r\n");
        let t = tree(&raw);
        assert_eq!(t.limits, [Limit::Depth]);
        assert!(t.nodes.len() <= MAX_DEPTH + 1, "{}", t.nodes.len());
        assert!(t.nodes.last().is_some_and(|n| n.opaque));
    }

    #[test]
    fn part_count_stops_at_the_budget() {
        let mut raw = String::from("Content-Type: multipart/mixed; boundary=b\n\n");
        for i in 0..50 {
            raw.push_str(&format!("--b\n\npart {i}\n"));
        }
        let t = split(raw.as_bytes(), 0, &mut Budget { parts: 10 });
        assert_eq!(t.limits, [Limit::Parts]);
        assert_eq!(t.nodes.len(), 10);
        assert_eq!(&raw[t.nodes[9].body.clone()], "part 8");
    }
}
