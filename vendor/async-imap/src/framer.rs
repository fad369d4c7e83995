//! mailtui: finds where one server response ends before the parser runs.
//!
//! A response ends at a line break outside a literal (`{n}` CRLF and n
//! bytes) and outside a quoted string (which cannot span lines anyway).
//! Scanning resumes where it stopped, so each byte is looked at once
//! however many reads a long line takes; the parser then runs once per
//! response instead of once per read.

use std::io;

/// Longest text of one response outside its literals. A `UID SEARCH ALL`
/// of a million-message folder is about 8 MiB.
pub const MAX_LINE: usize = 32 * 1024 * 1024;
/// Largest single literal (a message body), as mailtui's own guard.
pub const MAX_LITERAL: u64 = 64 * 1024 * 1024;
/// Largest response, its literals included (a FETCH of a header and a
/// body part of the biggest message allowed).
pub const MAX_RESPONSE: usize = 2 * MAX_LITERAL as usize + MAX_LINE;
/// A framed response the parser still calls incomplete (a text response
/// ending in `{n}`, say) is tried again with the next line; past this
/// many tries in one response the server is not speaking IMAP.
const MAX_TRIES: u8 = 8;

const MIB: usize = 1024 * 1024;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Mode {
    #[default]
    Normal,
    Quoted,
    QuotedEscape,
    /// Inside `{`: the digits so far, and whether there were any.
    LiteralSize(u64, bool),
    /// After `}`: the CRLF that starts the literal.
    LiteralCr(u64),
    LiteralLf(u64),
    Literal(u64),
}

/// What a scan found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// Not yet a whole response; read more.
    Partial,
    /// A response ends after this many bytes.
    End(usize),
    /// `{n}` CRLF ended a line that might be a whole text response
    /// (`* OK text {5}`): ask the parser about the first this-many bytes,
    /// then call [`Framer::resume`] with what it said.
    Maybe(usize),
}

#[derive(Debug, Default)]
pub(crate) struct Framer {
    mode: Mode,
    /// Bytes of the response in progress already scanned.
    scanned: usize,
    /// Of those, outside literals.
    line: usize,
    tries: u8,
}

impl Framer {
    /// Scans `pending` (the response in progress, from its first byte)
    /// from where the last call stopped.
    pub(crate) fn scan(&mut self, pending: &[u8]) -> io::Result<Found> {
        let mut i = self.scanned;
        while i < pending.len() {
            // Most bytes change nothing: jump to the next one that may
            // (a response line is scanned at memchr's speed, not byte by byte).
            let stops = match self.mode {
                Mode::Normal => Some((b'"', b'{', b'\n')),
                Mode::Quoted => Some((b'\\', b'"', b'\n')),
                _ => None,
            };
            if let Some((x, y, z)) = stops {
                let rest = &pending[i..];
                let skip = memchr::memchr3(x, y, z, rest).unwrap_or(rest.len());
                self.line += skip;
                i += skip;
                if self.line > MAX_LINE {
                    return Err(too_big(format!(
                        "a response line longer than {} MiB",
                        MAX_LINE / MIB
                    )));
                }
                if i == pending.len() {
                    break;
                }
            }
            let b = pending[i];
            if let Mode::Literal(n) = self.mode {
                let take = (n as usize).min(pending.len() - i);
                i += take;
                let left = n - take as u64;
                self.mode = if left == 0 {
                    Mode::Normal
                } else {
                    Mode::Literal(left)
                };
                continue;
            }
            self.line += 1;
            i += 1;
            self.mode = match self.mode {
                Mode::Quoted => match b {
                    b'\\' => Mode::QuotedEscape,
                    b'"' => Mode::Normal,
                    b'\n' => return Ok(self.finish(i)),
                    _ => Mode::Quoted,
                },
                Mode::QuotedEscape if b == b'\n' => return Ok(self.finish(i)),
                Mode::QuotedEscape => Mode::Quoted,
                Mode::LiteralSize(n, any) => match b {
                    b'0'..=b'9' => {
                        let n = n.saturating_mul(10).saturating_add(u64::from(b - b'0'));
                        if n > MAX_LITERAL {
                            return Err(too_big(format!(
                                "a literal of more than {} MiB",
                                MAX_LITERAL / MIB as u64
                            )));
                        }
                        Mode::LiteralSize(n, true)
                    }
                    b'+' | b'-' if any => Mode::LiteralSize(n, any),
                    b'}' if any => Mode::LiteralCr(n),
                    _ => match self.normal(b, i) {
                        Some(end) => return Ok(end),
                        None => self.mode,
                    },
                },
                Mode::LiteralCr(n) => match b {
                    b'\r' => Mode::LiteralLf(n),
                    b'\n' => match self.literal(n, i, pending) {
                        Some(found) => return Ok(found),
                        None => self.mode,
                    },
                    _ => match self.normal(b, i) {
                        Some(end) => return Ok(end),
                        None => self.mode,
                    },
                },
                Mode::LiteralLf(n) => match b {
                    b'\n' => match self.literal(n, i, pending) {
                        Some(found) => return Ok(found),
                        None => self.mode,
                    },
                    _ => match self.normal(b, i) {
                        Some(end) => return Ok(end),
                        None => self.mode,
                    },
                },
                Mode::Normal => match self.normal(b, i) {
                    Some(end) => return Ok(end),
                    None => self.mode,
                },
                Mode::Literal(_) => unreachable!("handled above"),
            };
            if self.line > MAX_LINE {
                return Err(too_big(format!(
                    "a response line longer than {} MiB",
                    MAX_LINE / MIB
                )));
            }
        }
        if i > MAX_RESPONSE {
            return Err(too_big(format!(
                "a response longer than {} MiB",
                MAX_RESPONSE / MIB
            )));
        }
        self.scanned = i;
        Ok(Found::Partial)
    }

    /// A byte outside quotes and literals; `Some` when it ends the response.
    fn normal(&mut self, b: u8, after: usize) -> Option<Found> {
        self.mode = match b {
            b'"' => Mode::Quoted,
            b'{' => Mode::LiteralSize(0, false),
            b'\n' => return Some(self.finish(after)),
            _ => Mode::Normal,
        };
        None
    }

    fn finish(&mut self, after: usize) -> Found {
        self.scanned = after;
        self.mode = Mode::Normal;
        Found::End(after)
    }

    /// `{n}` CRLF seen, the literal's first byte at `after`; `Some` when
    /// the parser is to be asked first.
    fn literal(&mut self, n: u64, after: usize, pending: &[u8]) -> Option<Found> {
        self.mode = Mode::Literal(n);
        if self.tries < MAX_TRIES && text_response(pending) {
            self.scanned = after;
            return Some(Found::Maybe(after));
        }
        if n == 0 {
            self.mode = Mode::Normal;
        }
        None
    }

    /// After [`Found::Maybe`] the parser wanted more: the bytes after it
    /// are a literal after all. Or after [`Found::End`] the parser wanted
    /// more: the response goes on past that line. Scans on either way.
    pub(crate) fn resume(&mut self, pending: &[u8]) -> io::Result<Found> {
        if self.tries >= MAX_TRIES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the server sent a response whose end cannot be found",
            ));
        }
        if matches!(self.mode, Mode::Literal(0)) {
            self.mode = Mode::Normal;
        }
        self.tries += 1;
        self.scan(pending)
    }

    /// A response was taken off the front; the next starts afresh.
    pub(crate) fn reset(&mut self) {
        *self = Framer::default();
    }
}

/// Whether a response starts like one whose text may end in `{n}`:
/// a continuation or a status response (`* OK …`, `tag NO …`).
fn text_response(pending: &[u8]) -> bool {
    if pending.first() == Some(&b'+') {
        return true;
    }
    let mut words = pending.splitn(3, |b| *b == b' ');
    let _tag = words.next();
    let Some(word) = words.next() else {
        return false;
    };
    ["OK", "NO", "BAD", "BYE", "PREAUTH"]
        .iter()
        .any(|s| word.eq_ignore_ascii_case(s.as_bytes()))
}

fn too_big(what: String) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("the server sent {what}; dropping the connection"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `bytes` in pieces of `step`; the response ends found.
    fn frames(bytes: &[u8], step: usize) -> Vec<usize> {
        let mut f = Framer::default();
        let mut ends = Vec::new();
        let mut start = 0;
        let mut have = 0;
        while have < bytes.len() {
            have = (have + step).min(bytes.len());
            loop {
                match f.scan(&bytes[start..have]).unwrap() {
                    Found::Partial => break,
                    Found::End(n) => {
                        ends.push(start + n);
                        start += n;
                        f.reset();
                    }
                    Found::Maybe(_) => match f.resume(&bytes[start..have]).unwrap() {
                        Found::End(n) => {
                            ends.push(start + n);
                            start += n;
                            f.reset();
                        }
                        _ => break,
                    },
                }
            }
        }
        ends
    }

    #[test]
    fn responses_end_at_line_breaks_outside_literals_in_any_split() {
        let resp: &[u8] =
            b"* 1 FETCH (BODY[] {7}\r\na\r\nb\r\n)\r\n* OK \"q\\\"uoted\"\r\na1 OK done\r\n";
        let first = resp.iter().position(|b| *b == b')').unwrap() + 3;
        let second = first + b"* OK \"q\\\"uoted\"\r\n".len();
        for step in 1..resp.len() {
            assert_eq!(frames(resp, step), vec![first, second, resp.len()], "{step}");
        }
    }

    #[test]
    fn a_line_past_the_cap_is_refused() {
        let mut f = Framer::default();
        let chunk = vec![b'1'; 1024 * 1024];
        let mut pending = Vec::new();
        let err = loop {
            pending.extend_from_slice(&chunk);
            match f.scan(&pending) {
                Ok(Found::Partial) => {}
                Ok(other) => panic!("{other:?}"),
                Err(e) => break e,
            }
        };
        assert!(pending.len() <= MAX_LINE + chunk.len());
        assert!(err.to_string().contains("longer than 32 MiB"), "{err}");
    }

    #[test]
    fn a_huge_literal_is_refused_before_it_arrives() {
        let mut f = Framer::default();
        let e = f.scan(b"* 1 FETCH (BODY[] {530000000}\r\n").unwrap_err();
        assert!(e.to_string().contains("literal"), "{e}");
    }
}
