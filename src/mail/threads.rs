//! Threads built on the client from Message-ID, In-Reply-To and References
//! (Jamie Zawinski's algorithm, as aerc and meli use it), never with the
//! server's THREAD command: Exchange has none, and a `* THREAD` answer is
//! one the IMAP parser under mailtui cannot read.
//!
//! Iterative throughout: a hostile References chain thousands deep must
//! not overflow the stack.

use std::collections::HashMap;

/// What threading needs of a message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThreadInput {
    pub uid: u32,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    /// Ids separated by spaces, oldest first, as stored.
    pub references: Option<String>,
    pub subject: String,
    pub date: Option<i64>,
}

/// Deepest level shown; deeper replies are shown at this depth.
pub const MAX_DEPTH: usize = 32;
/// References taken into account per message (the newest ones).
const MAX_REFS: usize = 100;

#[derive(Default)]
struct Container {
    message: Option<usize>,
    parent: Option<usize>,
    children: Vec<usize>,
}

/// The subject without reply and forward prefixes or list tags, lower
/// case: what threads are grouped and sorted by.
pub fn base_subject(subject: &str) -> String {
    let mut s = subject.trim();
    loop {
        let before = s;
        if let Some(rest) = s.strip_prefix('[')
            && let Some(end) = rest.find(']')
        {
            s = rest[end + 1..].trim_start();
        }
        for prefix in ["re", "fwd", "fw", "aw", "wg", "sv", "vs", "tr", "antw"] {
            let lower = s.get(..prefix.len()).map(str::to_ascii_lowercase);
            if lower.as_deref() == Some(prefix) {
                let rest = &s[prefix.len()..];
                // "Re:", "Re[2]:", "RE :"
                let rest =
                    rest.trim_start_matches(|c: char| c == '[' || c == ']' || c.is_ascii_digit());
                if let Some(r) = rest.trim_start().strip_prefix(':') {
                    s = r.trim_start();
                    break;
                }
            }
        }
        if s == before {
            break;
        }
    }
    s.to_lowercase()
}

fn is_reply(subject: &str) -> bool {
    base_subject(subject) != subject.trim().to_lowercase()
}

/// Messages in thread order, with the depth of each. Threads come newest
/// first (by their newest message); within a thread, replies follow what
/// they answer, oldest first.
pub fn thread(msgs: &[ThreadInput]) -> Vec<(u32, u8)> {
    let mut containers: Vec<Container> = Vec::new();
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    for (i, m) in msgs.iter().enumerate() {
        // A message's own container; a duplicate or missing id gets one of
        // its own.
        let own = match m.message_id.as_deref().filter(|id| !id.is_empty()) {
            Some(id) => {
                let c = id_of(id, &mut containers, &mut by_id);
                if containers[c].message.is_none() {
                    c
                } else {
                    containers.push(Container::default());
                    containers.len() - 1
                }
            }
            None => {
                containers.push(Container::default());
                containers.len() - 1
            }
        };
        containers[own].message = Some(i);
        let mut refs: Vec<&str> = m
            .references
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(|r| r.trim_matches(|c| c == '<' || c == '>'))
            .filter(|r| !r.is_empty())
            .collect();
        if let Some(irt) = m
            .in_reply_to
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            && refs.last() != Some(&irt)
        {
            refs.push(irt);
        }
        if refs.len() > MAX_REFS {
            refs.drain(..refs.len() - MAX_REFS);
        }
        // Chain the references: each the parent of the next, unless that
        // would make a loop or the child already has a parent.
        let mut prev: Option<usize> = None;
        for r in &refs {
            let c = id_of(r, &mut containers, &mut by_id);
            if let Some(p) = prev
                && p != c
                && containers[c].parent.is_none()
                && !is_ancestor(&containers, c, p)
            {
                link(&mut containers, p, c);
            }
            prev = Some(c);
        }
        // The message hangs under the last reference.
        if let Some(p) = prev
            && p != own
            && !is_ancestor(&containers, own, p)
        {
            unlink(&mut containers, own);
            link(&mut containers, p, own);
        }
    }

    // Roots, with empty containers pruned: their children take their place.
    let mut roots: Vec<usize> = (0..containers.len())
        .filter(|c| containers[*c].parent.is_none())
        .collect();
    let mut i = 0;
    while i < roots.len() {
        let c = roots[i];
        if containers[c].message.is_none() {
            let kids = std::mem::take(&mut containers[c].children);
            if kids.is_empty() {
                roots.swap_remove(i);
                continue;
            }
            for k in &kids {
                containers[*k].parent = None;
            }
            roots.swap_remove(i);
            roots.extend(kids);
            continue;
        }
        i += 1;
    }
    // Empty containers inside threads: splice their children up.
    let mut stack: Vec<usize> = roots.clone();
    while let Some(c) = stack.pop() {
        let mut kids = std::mem::take(&mut containers[c].children);
        let mut j = 0;
        while j < kids.len() {
            let k = kids[j];
            if containers[k].message.is_none() {
                let grand = std::mem::take(&mut containers[k].children);
                for g in &grand {
                    containers[*g].parent = Some(c);
                }
                kids.swap_remove(j);
                kids.extend(grand);
                continue;
            }
            j += 1;
        }
        stack.extend(kids.iter().copied());
        containers[c].children = kids;
    }

    // Replies whose parent is not here, grouped under the thread with the
    // same subject that is not itself a reply.
    let mut by_subject: HashMap<String, usize> = HashMap::new();
    for &r in &roots {
        if let Some(m) = containers[r].message
            && !is_reply(&msgs[m].subject)
        {
            by_subject
                .entry(base_subject(&msgs[m].subject))
                .or_insert(r);
        }
    }
    roots.retain(|&r| {
        let Some(m) = containers[r].message else {
            return true;
        };
        if !is_reply(&msgs[m].subject) {
            return true;
        }
        match by_subject.get(&base_subject(&msgs[m].subject)) {
            Some(&top) if top != r => {
                containers[r].parent = Some(top);
                containers[top].children.push(r);
                false
            }
            _ => true,
        }
    });

    // Order: siblings oldest first; threads by their newest message.
    let date = |c: usize| {
        containers[c]
            .message
            .and_then(|m| msgs[m].date)
            .unwrap_or(i64::MIN)
    };
    let mut newest: HashMap<usize, i64> = HashMap::new();
    for &r in &roots {
        let mut best = i64::MIN;
        let mut st = vec![r];
        while let Some(c) = st.pop() {
            best = best.max(date(c));
            st.extend(containers[c].children.iter().copied());
        }
        newest.insert(r, best);
    }
    let uid = |c: usize| containers[c].message.map_or(0, |m| msgs[m].uid);
    roots.sort_by_key(|r| (std::cmp::Reverse(newest[r]), std::cmp::Reverse(uid(*r))));
    let mut out = Vec::with_capacity(msgs.len());
    for &r in &roots {
        let mut st = vec![(r, 0usize)];
        while let Some((c, depth)) = st.pop() {
            if let Some(m) = containers[c].message {
                out.push((msgs[m].uid, depth.min(MAX_DEPTH) as u8));
            }
            let mut kids = containers[c].children.clone();
            kids.sort_by_key(|k| (date(*k), uid(*k)));
            // Pushed in reverse so the oldest comes out first.
            for k in kids.into_iter().rev() {
                st.push((k, depth + 1));
            }
        }
    }
    out
}

/// The container for a message id, made on first sight.
fn id_of<'a>(
    id: &'a str,
    containers: &mut Vec<Container>,
    by_id: &mut HashMap<&'a str, usize>,
) -> usize {
    *by_id.entry(id).or_insert_with(|| {
        containers.push(Container::default());
        containers.len() - 1
    })
}

fn link(containers: &mut [Container], parent: usize, child: usize) {
    containers[child].parent = Some(parent);
    containers[parent].children.push(child);
}

fn unlink(containers: &mut [Container], child: usize) {
    if let Some(p) = containers[child].parent.take() {
        containers[p].children.retain(|c| *c != child);
    }
}

/// Whether `a` is `b` or one of its ancestors.
fn is_ancestor(containers: &[Container], a: usize, b: usize) -> bool {
    let mut cur = Some(b);
    let mut steps = 0;
    while let Some(c) = cur {
        if c == a {
            return true;
        }
        cur = containers[c].parent;
        steps += 1;
        if steps > containers.len() {
            return true;
        }
    }
    false
}

#[cfg(test)]
#[path = "threads_tests.rs"]
mod tests;
