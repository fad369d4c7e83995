//! Query text into tokens, each with its byte span. Refuses what no query
//! holds (control and invisible characters, unclosed quotes) and anything
//! longer than [`MAX_QUERY_CHARS`] before looking further.

use std::ops::Range;

use super::error::{QueryError, column};
use super::limits::MAX_QUERY_CHARS;
use crate::sanitize::is_unsafe;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tok {
    LParen,
    RParen,
    /// `-` right before a term.
    Minus,
    And,
    Or,
    Not,
    /// A bare word, or a quoted phrase (empty for `""`).
    Text(String),
    /// `name:value`; `value` is None when nothing follows the colon.
    Field {
        name: String,
        name_span: Range<usize>,
        value: Option<(String, Range<usize>)>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub tok: Tok,
    pub span: Range<usize>,
}

/// Ends a bare word (besides white space).
fn is_break(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '"')
}

pub fn lex(query: &str) -> Result<Vec<Token>, QueryError> {
    check_chars(query)?;
    let mut lexer = Lexer { query, at: 0 };
    let mut out = Vec::new();
    while let Some(t) = lexer.next()? {
        out.push(t);
    }
    Ok(out)
}

/// Length first (so a 10 KB paste costs one pass), then characters.
fn check_chars(query: &str) -> Result<(), QueryError> {
    if let Some((at, _)) = query.char_indices().nth(MAX_QUERY_CHARS) {
        let total = query.chars().count();
        return Err(QueryError::new(
            at..query.len(),
            format!(
                "the query is {total} characters long; the limit is {MAX_QUERY_CHARS} (it is cut at column {})",
                MAX_QUERY_CHARS + 1
            ),
        ));
    }
    if let Some((at, c)) = query.char_indices().find(|&(_, c)| is_unsafe(c)) {
        let what = if c.is_control() {
            "control character"
        } else {
            "invisible character"
        };
        return Err(QueryError::new(
            at..at + c.len_utf8(),
            format!(
                "{what} U+{:04X} at column {} is not allowed in a query",
                c as u32,
                column(query, at)
            ),
        ));
    }
    Ok(())
}

struct Lexer<'a> {
    query: &'a str,
    at: usize,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.query[self.at..].chars().next()
    }

    fn next(&mut self) -> Result<Option<Token>, QueryError> {
        while let Some(c) = self.peek().filter(|c| c.is_whitespace()) {
            self.at += c.len_utf8();
        }
        let start = self.at;
        let Some(c) = self.peek() else {
            return Ok(None);
        };
        let simple = |tok, len| Token {
            tok,
            span: start..start + len,
        };
        match c {
            '(' => {
                self.at += 1;
                Ok(Some(simple(Tok::LParen, 1)))
            }
            ')' => {
                self.at += 1;
                Ok(Some(simple(Tok::RParen, 1)))
            }
            '"' => {
                let (text, end) = self.quoted(start)?;
                Ok(Some(Token {
                    tok: Tok::Text(text),
                    span: start..end,
                }))
            }
            '-' => {
                self.at += 1;
                match self.peek() {
                    Some(n) if !n.is_whitespace() && n != ')' => Ok(Some(simple(Tok::Minus, 1))),
                    _ => Err(QueryError::new(
                        start..start + 1,
                        format!(
                            "“-” at column {} must be followed by a term, with no space (as in -from:bob)",
                            column(self.query, start)
                        ),
                    )),
                }
            }
            _ => self.word(start).map(Some),
        }
    }

    /// A quoted string from `start` (its opening quote): the text with
    /// `\"` and `\\` unescaped, and where it ends.
    fn quoted(&mut self, start: usize) -> Result<(String, usize), QueryError> {
        let mut text = String::new();
        let mut chars = self.query[start + 1..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    let end = start + 1 + i + 1;
                    self.at = end;
                    return Ok((text, end));
                }
                '\\' => match chars.clone().next() {
                    Some((_, n @ ('"' | '\\'))) => {
                        chars.next();
                        text.push(n);
                    }
                    _ => text.push('\\'),
                },
                _ => text.push(c),
            }
        }
        Err(QueryError::new(
            start..self.query.len(),
            format!(
                "the quote opened at column {} is never closed",
                column(self.query, start)
            ),
        ))
    }

    fn word(&mut self, start: usize) -> Result<Token, QueryError> {
        let rest = &self.query[start..];
        let len = rest.find(is_break).unwrap_or(rest.len());
        let word = &rest[..len];
        self.at = start + len;
        let span = start..start + len;
        let tok = match word {
            "AND" => Tok::And,
            "OR" => Tok::Or,
            "NOT" => Tok::Not,
            _ => match word.split_once(':') {
                Some((name, value))
                    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic()) =>
                {
                    let name_span = start..start + name.len();
                    let value_start = start + name.len() + 1;
                    return if !value.is_empty() {
                        Ok(Token {
                            tok: Tok::Field {
                                name: name.to_string(),
                                name_span,
                                value: Some((value.to_string(), value_start..span.end)),
                            },
                            span,
                        })
                    } else if self.peek() == Some('"') {
                        let (text, end) = self.quoted(value_start)?;
                        Ok(Token {
                            tok: Tok::Field {
                                name: name.to_string(),
                                name_span,
                                value: Some((text, value_start..end)),
                            },
                            span: start..end,
                        })
                    } else {
                        Ok(Token {
                            tok: Tok::Field {
                                name: name.to_string(),
                                name_span,
                                value: None,
                            },
                            span,
                        })
                    };
                }
                _ => Tok::Text(word.to_string()),
            },
        };
        Ok(Token { tok, span })
    }
}
