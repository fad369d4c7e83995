//! Limits on what a server may send, checked on the raw bytes before the
//! IMAP parser sees them. The parser recurses once per parenthesis and
//! buffers a whole literal before looking at it, so a hostile or broken
//! server could otherwise overflow the stack with a deeply nested
//! BODYSTRUCTURE or make the client buffer half a gigabyte.

/// Parentheses open at once in one response. Real BODYSTRUCTUREs of deeply
/// nested mail stay well under 100.
pub const MAX_DEPTH: u32 = 200;
/// Largest literal accepted (a message body or header block).
pub const MAX_LITERAL: u64 = 64 * 1024 * 1024;

/// Bytes that can change the state outside quotes and literals.
const NORMAL_STOPS: [bool; 256] = stops(b"()\"{\n");
/// Bytes that can end or escape a quoted string.
const QUOTED_STOPS: [bool; 256] = stops(b"\\\"\r\n");

const fn stops(bytes: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        t[bytes[i] as usize] = true;
        i += 1;
    }
    t
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Mode {
    #[default]
    Normal,
    Quoted,
    QuotedEscape,
    /// Digits of `{n}` or `{n+}` so far.
    LiteralSize(u64),
    /// After `}`: waiting for the CRLF that starts the literal.
    LiteralCr(u64),
    LiteralLf(u64),
    Literal(u64),
}

#[derive(Clone, Debug, Default)]
pub struct Guard {
    mode: Mode,
    depth: u32,
}

impl Guard {
    /// Checks the next bytes of the stream; an error means the connection
    /// must be dropped (its state is unknown from here).
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), String> {
        let mut i = 0;
        while i < bytes.len() {
            // Jump over the bytes that change nothing in this mode: the
            // guard sees every byte of a full load, and a byte-by-byte
            // state machine was 4% of the worker's CPU there.
            let stops = match self.mode {
                Mode::Normal => Some(&NORMAL_STOPS),
                Mode::Quoted => Some(&QUOTED_STOPS),
                _ => None,
            };
            if let Some(stops) = stops {
                match bytes[i..].iter().position(|b| stops[usize::from(*b)]) {
                    Some(skip) => i += skip,
                    None => break,
                }
            }
            let b = bytes[i];
            self.mode = match self.mode {
                Mode::Literal(n) => {
                    // Skip the literal's content in one go.
                    let take = (n as usize).min(bytes.len() - i);
                    i += take;
                    let left = n - take as u64;
                    self.mode = if left == 0 {
                        Mode::Normal
                    } else {
                        Mode::Literal(left)
                    };
                    continue;
                }
                Mode::Quoted => match b {
                    b'\\' => Mode::QuotedEscape,
                    b'"' => Mode::Normal,
                    b'\r' | b'\n' => self.end_line(),
                    _ => Mode::Quoted,
                },
                Mode::QuotedEscape => Mode::Quoted,
                Mode::LiteralSize(n) => match b {
                    b'0'..=b'9' => {
                        let n = n.saturating_mul(10).saturating_add(u64::from(b - b'0'));
                        if n > MAX_LITERAL {
                            return Err(format!(
                                "the server announced a literal of more than {} MB; refusing it",
                                MAX_LITERAL / (1024 * 1024)
                            ));
                        }
                        Mode::LiteralSize(n)
                    }
                    b'+' => Mode::LiteralSize(n),
                    b'}' => Mode::LiteralCr(n),
                    _ => self.normal(b)?,
                },
                Mode::LiteralCr(n) => match b {
                    b'\r' => Mode::LiteralLf(n),
                    b'\n' => Mode::Literal(n),
                    _ => self.normal(b)?,
                },
                Mode::LiteralLf(n) => match b {
                    b'\n' if n == 0 => Mode::Normal,
                    b'\n' => Mode::Literal(n),
                    _ => self.normal(b)?,
                },
                Mode::Normal => self.normal(b)?,
            };
            i += 1;
        }
        Ok(())
    }

    fn normal(&mut self, b: u8) -> Result<Mode, String> {
        Ok(match b {
            b'(' => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(format!(
                        "the server sent a response nested more than {MAX_DEPTH} levels deep; refusing it"
                    ));
                }
                Mode::Normal
            }
            b')' => {
                self.depth = self.depth.saturating_sub(1);
                Mode::Normal
            }
            b'"' => Mode::Quoted,
            b'{' => Mode::LiteralSize(0),
            b'\n' => self.end_line(),
            _ => Mode::Normal,
        })
    }

    /// A line break outside a literal ends the response (a quoted string
    /// cannot span lines), so nesting starts over.
    fn end_line(&mut self) -> Mode {
        self.depth = 0;
        Mode::Normal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed_all(parts: &[&[u8]]) -> Result<(), String> {
        let mut g = Guard::default();
        parts.iter().try_for_each(|p| g.feed(p))
    }

    #[test]
    fn ordinary_responses_pass_in_any_split() {
        let resp: &[u8] = b"* 1 FETCH (UID 5 FLAGS (\\Seen) BODY[HEADER] {12}\r\n(((((((((((\n)\r\n* OK \"a (quoted\" (x)\r\n";
        for cut in 0..resp.len() {
            let (a, b) = resp.split_at(cut);
            assert_eq!(feed_all(&[a, b]), Ok(()), "cut at {cut}");
        }
    }

    #[test]
    fn literal_content_does_not_count_as_nesting() {
        let inner = "(".repeat(5000);
        let resp = format!("* 1 FETCH (BODY[] {{{}}}\r\n{inner})\r\n", inner.len());
        assert_eq!(feed_all(&[resp.as_bytes()]), Ok(()));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let resp = format!("* 1 FETCH (BODYSTRUCTURE {}", "(".repeat(20_000));
        let e = feed_all(&[resp.as_bytes()]).unwrap_err();
        assert!(e.contains("nested"), "{e}");
    }

    #[test]
    fn nesting_starts_over_on_each_line() {
        let line = format!("* OK {}\r\n", "(".repeat(150));
        let many = line.repeat(10);
        assert_eq!(feed_all(&[many.as_bytes()]), Ok(()));
    }

    #[test]
    fn a_huge_literal_is_refused_before_it_arrives() {
        let e = feed_all(&[b"* 1 FETCH (BODY[] {530000000}\r\n"]).unwrap_err();
        assert!(e.contains("literal"), "{e}");
        assert_eq!(feed_all(&[b"* 1 FETCH (BODY[] {1024}\r\n"]), Ok(()));
        assert_eq!(feed_all(&[b"a LOGIN {5+}\r\n"]), Ok(()));
    }

    #[test]
    fn quoted_parentheses_and_escapes_are_text() {
        let resp = format!("* OK \"{}\\\"(\"\r\n", "(".repeat(500));
        assert_eq!(feed_all(&[resp.as_bytes()]), Ok(()));
    }
}
