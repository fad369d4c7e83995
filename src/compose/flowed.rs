//! format=flowed (RFC 3676): text sent with soft line breaks (a space
//! before the break) that the recipient's program may rejoin and rewrap.

/// Lines are broken before this width (RFC 3676 recommends 66–78).
pub const FLOWED_WIDTH: usize = 72;

/// `text` as format=flowed (DelSp=no): each paragraph line longer than
/// [`FLOWED_WIDTH`] is broken at spaces with the space left at the end of
/// the line; trailing spaces of hard breaks removed; lines starting with
/// a space, `From ` or `>` that are not quotes space-stuffed. Quoted
/// lines keep their length (they are not rewrapped); the signature
/// separator `-- ` stays as it is.
pub fn to_flowed(text: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let body = text.strip_suffix('\n').unwrap_or(text);
    for line in body.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line == "-- " {
            lines.push(line.to_string());
            continue;
        }
        let line = line.trim_end_matches([' ', '\t']);
        if line.starts_with('>') {
            lines.push(line.to_string());
            continue;
        }
        for (i, piece) in wrap(line, FLOWED_WIDTH).into_iter().enumerate() {
            // Space-stuffing: a line starting with a space, `>` or `From `
            // gets one more space (the first piece cannot start with `>`).
            let stuff = piece.starts_with(' ')
                || piece.starts_with("From ")
                || (i > 0 && piece.starts_with('>'));
            lines.push(if stuff {
                format!(" {piece}")
            } else {
                piece.to_string()
            });
        }
    }
    let mut out = lines.join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Pieces of `line`, each at most `width` characters where a space allows,
/// every piece but the last ending in the space it broke after.
fn wrap(line: &str, width: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = line;
    while rest.chars().count() > width {
        // The last space within the width (keeping it on this line), else
        // the first space after it: a long word is not cut.
        let limit = rest
            .char_indices()
            .nth(width)
            .map_or(rest.len(), |(i, _)| i);
        let cut = rest[..limit]
            .rfind(' ')
            .filter(|&i| !rest[..i].trim_start().is_empty())
            .or_else(|| rest[limit..].find(' ').map(|i| i + limit));
        let Some(cut) = cut else { break };
        // Runs of spaces stay on the line before the break.
        let mut end = cut + 1;
        while rest[end..].starts_with(' ') && end < rest.len() - 1 {
            end += 1;
        }
        if end >= rest.len() {
            break;
        }
        pieces.push(&rest[..end]);
        rest = &rest[end..];
    }
    pieces.push(rest);
    pieces
}

/// Flowed text back to lines as written: soft breaks joined (with the
/// space removed under DelSp=yes), space-stuffing undone.
pub fn unflow(text: &str, delsp: bool) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut para = String::new();
    let mut open: Option<usize> = None;
    let body = text.strip_suffix('\n').unwrap_or(text);
    let flush = |para: &mut String, lines: &mut Vec<String>| {
        let done = std::mem::take(para);
        lines.push(if done == "-- " {
            done
        } else {
            done.trim_end().to_string()
        });
    };
    for raw_line in body.split('\n') {
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        let depth = line.chars().take_while(|&c| c == '>').count();
        if open.is_some_and(|d| d != depth) {
            // A change of quote depth ends the paragraph (RFC 3676 4.5).
            flush(&mut para, &mut lines);
            open = None;
        }
        // A paragraph's first quoted line keeps its marks as written; the
        // stuffed space of an unquoted line and the marks of a
        // continuation go.
        let content = if open.is_none() && depth > 0 {
            line
        } else {
            let rest = &line[depth..];
            rest.strip_prefix(' ').unwrap_or(rest)
        };
        if content.ends_with(' ') && content != "-- " {
            para.push_str(if delsp {
                &content[..content.len() - 1]
            } else {
                content
            });
            open = Some(depth);
        } else {
            para.push_str(content);
            flush(&mut para, &mut lines);
            open = None;
        }
    }
    if open.is_some() {
        flush(&mut para, &mut lines);
    }
    let mut out = lines.join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    out
}
