//! Lines of a byte range, CRLF or bare LF.

/// One line: its text without the line break, and the break's length.
#[derive(Clone, Copy, Debug)]
pub struct Line<'a> {
    pub content: &'a [u8],
    pub eol: usize,
}

impl Line<'_> {
    pub fn len_with_eol(&self) -> usize {
        self.content.len() + self.eol
    }
}

/// Yields (offset, line) for each line of `raw[start..end]`.
pub struct Lines<'a> {
    raw: &'a [u8],
    pos: usize,
    end: usize,
}

impl<'a> Lines<'a> {
    pub fn new(raw: &'a [u8], start: usize, end: usize) -> Self {
        let end = end.min(raw.len());
        Lines {
            raw,
            pos: start.min(end),
            end,
        }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = (usize, Line<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.end {
            return None;
        }
        let start = self.pos;
        let rest = &self.raw[start..self.end];
        let (content, eol) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) if i > 0 && rest[i - 1] == b'\r' => (&rest[..i - 1], 2),
            Some(i) => (&rest[..i], 1),
            None => (rest, 0),
        };
        self.pos = start + content.len() + eol;
        Some((start, Line { content, eol }))
    }
}

/// Where the line break before `pos` starts (RFC 2046: the break before a
/// boundary belongs to the boundary), not going below `floor`.
pub fn before_break(raw: &[u8], pos: usize, floor: usize) -> usize {
    let mut p = pos;
    if p > floor && raw.get(p - 1) == Some(&b'\n') {
        p -= 1;
        if p > floor && raw.get(p - 1) == Some(&b'\r') {
            p -= 1;
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_crlf_and_lf() {
        let raw = b"a\r\nbb\n\nc";
        let got: Vec<(usize, &[u8], usize)> = Lines::new(raw, 0, raw.len())
            .map(|(p, l)| (p, l.content, l.eol))
            .collect();
        assert_eq!(
            got,
            [(0, &b"a"[..], 2), (3, b"bb", 1), (6, b"", 1), (7, b"c", 0)]
        );
        assert_eq!(before_break(raw, 3, 0), 1);
        assert_eq!(before_break(raw, 6, 3), 5);
        assert_eq!(before_break(raw, 3, 3), 3);
    }
}
