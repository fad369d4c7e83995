//! Threading headers of a reply: `In-Reply-To` is the parent's
//! Message-ID, `References` the parent's References (or its In-Reply-To)
//! plus its Message-ID, kept to a length servers and clients accept.

/// Most message ids kept in References (RFC 5322 sets no limit; long
/// threads grow it without end, and some servers refuse long lines).
pub const MAX_REFERENCES: usize = 20;
/// Most characters of the References value: the header stays under the
/// 998-character line limit even unfolded.
pub const MAX_REFERENCES_CHARS: usize = 900;

/// The References of a reply to a message with these fields. Ids are
/// without angle brackets. When too long, the first id (the thread's
/// root) and the last ones are kept.
pub fn references_for(
    parent_references: &[String],
    parent_in_reply_to: Option<&str>,
    parent_message_id: Option<&str>,
) -> Vec<String> {
    let mut ids: Vec<String> = if parent_references.is_empty() {
        parent_in_reply_to.into_iter().map(str::to_string).collect()
    } else {
        parent_references.to_vec()
    };
    ids.extend(parent_message_id.map(str::to_string));
    let mut seen: Vec<String> = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(id) = clean_id(&id)
            && !seen.contains(&id)
        {
            seen.push(id);
        }
    }
    trim(seen)
}

fn trim(mut ids: Vec<String>) -> Vec<String> {
    let len = |ids: &[String]| ids.iter().map(|i| i.len() + 3).sum::<usize>();
    while ids.len() > 2 && (ids.len() > MAX_REFERENCES || len(&ids) > MAX_REFERENCES_CHARS) {
        ids.remove(1);
    }
    ids
}

/// A message id without brackets and spaces; None when it cannot be one
/// (empty, or with characters that would break the header).
pub fn clean_id(id: &str) -> Option<String> {
    let id = id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    let ok = !id.is_empty()
        && id.len() <= MAX_REFERENCES_CHARS / 2
        && id
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"' | '\\'));
    ok.then(|| id.to_string())
}
