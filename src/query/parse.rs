//! Tokens into an [`Expr`] by recursive descent. Precedence: NOT (and `-`)
//! binds tightest, then AND (also two terms side by side), then OR.
//!
//! ```text
//! query   := or?
//! or      := and ("OR" and)*
//! and     := unary ("AND"? unary)*
//! unary   := ("NOT" | "-") unary | primary
//! primary := "(" or ")" | word | "phrase" | field:value
//! ```

use std::ops::Range;

use super::ast::{Expr, Term, TextField, Value};
use super::error::{QueryError, column};
use super::fields::field_term;
use super::lex::{Tok, Token, lex};
use super::limits::{MAX_DEPTH, MAX_TERMS};

pub fn parse_expr(query: &str) -> Result<Expr, QueryError> {
    let tokens = lex(query)?;
    let mut p = Parser {
        query,
        tokens,
        at: 0,
        terms: 0,
    };
    if p.tokens.is_empty() {
        return Ok(Expr::all());
    }
    let e = p.or(0)?;
    match p.peek() {
        None => Ok(e),
        Some(t) => {
            let span = t.span.clone();
            Err(QueryError::new(
                span.clone(),
                format!(
                    "the parenthesis at column {} closes nothing (no “(” before it)",
                    p.col(span.start)
                ),
            ))
        }
    }
}

struct Parser<'a> {
    query: &'a str,
    tokens: Vec<Token>,
    at: usize,
    terms: usize,
}

fn op_name(t: &Tok) -> &'static str {
    match t {
        Tok::And => "AND",
        Tok::Or => "OR",
        Tok::Not => "NOT",
        _ => "-",
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn col(&self, at: usize) -> usize {
        column(self.query, at)
    }

    /// Whether the next token can start an operand.
    fn operand_next(&self) -> bool {
        matches!(
            self.peek().map(|t| &t.tok),
            Some(Tok::LParen | Tok::Minus | Tok::Not | Tok::Text(_) | Tok::Field { .. })
        )
    }

    /// After an operator: an error when no operand follows it.
    fn need_operand(&self, op: &Token) -> Result<(), QueryError> {
        if self.operand_next() {
            return Ok(());
        }
        let name = op_name(&op.tok);
        let why = match self.peek() {
            Some(Token {
                tok: t @ (Tok::And | Tok::Or),
                span,
            }) => format!(
                "is followed by another operator, {} at column {}",
                op_name(t),
                self.col(span.start)
            ),
            Some(Token { span, .. }) => format!(
                "has nothing after it before the “)” at column {}",
                self.col(span.start)
            ),
            None => "has nothing after it".into(),
        };
        Err(QueryError::new(
            op.span.clone(),
            format!("{name} at column {} {why}", self.col(op.span.start)),
        ))
    }

    fn deeper(&self, depth: usize, span: &Range<usize>) -> Result<usize, QueryError> {
        if depth >= MAX_DEPTH {
            return Err(QueryError::new(
                span.clone(),
                format!(
                    "the query nests more than {MAX_DEPTH} levels deep at column {}",
                    self.col(span.start)
                ),
            ));
        }
        Ok(depth + 1)
    }

    fn or(&mut self, depth: usize) -> Result<Expr, QueryError> {
        let mut items = vec![self.and(depth)?];
        while let Some(op) = self.peek().filter(|t| t.tok == Tok::Or).cloned() {
            self.at += 1;
            self.need_operand(&op)?;
            items.push(self.and(depth)?);
        }
        Ok(join(items, Expr::Or))
    }

    fn and(&mut self, depth: usize) -> Result<Expr, QueryError> {
        let mut items = vec![self.unary(depth)?];
        loop {
            match self.peek().map(|t| &t.tok) {
                None | Some(Tok::RParen | Tok::Or) => break,
                Some(Tok::And) => {
                    let op = self.tokens[self.at].clone();
                    self.at += 1;
                    self.need_operand(&op)?;
                }
                Some(_) => {}
            }
            items.push(self.unary(depth)?);
        }
        Ok(join(items, Expr::And))
    }

    fn unary(&mut self, depth: usize) -> Result<Expr, QueryError> {
        let Some(t) = self.peek().cloned() else {
            // Callers check for an operand first; this is the end anyway.
            return Err(QueryError::new(
                self.query.len()..self.query.len(),
                "the query ends where a term was expected",
            ));
        };
        match t.tok {
            Tok::Not | Tok::Minus => {
                let inner_depth = self.deeper(depth, &t.span)?;
                self.at += 1;
                self.need_operand(&t)?;
                Ok(Expr::Not(Box::new(self.unary(inner_depth)?)))
            }
            _ => self.primary(depth),
        }
    }

    fn primary(&mut self, depth: usize) -> Result<Expr, QueryError> {
        let Some(t) = self.peek().cloned() else {
            return Err(QueryError::new(
                self.query.len()..self.query.len(),
                "the query ends where a term was expected",
            ));
        };
        let col = self.col(t.span.start);
        match t.tok {
            Tok::LParen => {
                let inner_depth = self.deeper(depth, &t.span)?;
                self.at += 1;
                match self.peek().map(|n| (&n.tok, n.span.end)) {
                    Some((Tok::RParen, end)) => {
                        return Err(QueryError::new(
                            t.span.start..end,
                            format!("the parentheses at column {col} hold nothing"),
                        ));
                    }
                    None => {
                        return Err(unclosed(&t.span, col));
                    }
                    _ => {}
                }
                let e = self.or(inner_depth)?;
                match self.peek() {
                    Some(Token {
                        tok: Tok::RParen, ..
                    }) => {
                        self.at += 1;
                        Ok(e)
                    }
                    _ => Err(unclosed(&t.span, col)),
                }
            }
            Tok::RParen => Err(QueryError::new(
                t.span,
                format!("the parenthesis at column {col} closes nothing (no “(” before it)"),
            )),
            Tok::And | Tok::Or => Err(QueryError::new(
                t.span,
                format!("{} at column {col} has nothing before it", op_name(&t.tok)),
            )),
            // `unary` takes these.
            Tok::Not | Tok::Minus => self.unary(depth),
            Tok::Text(text) => {
                self.count_term(&t.span)?;
                self.at += 1;
                if text.is_empty() {
                    return Err(QueryError::new(
                        t.span,
                        format!("the quotes at column {col} hold nothing"),
                    ));
                }
                Ok(Expr::Term(Term::Text(TextField::Any, Value::new(&text))))
            }
            Tok::Field {
                name,
                name_span,
                value,
            } => {
                self.count_term(&t.span)?;
                self.at += 1;
                field_term(self.query, &name, name_span, value).map(Expr::Term)
            }
        }
    }

    fn count_term(&mut self, span: &Range<usize>) -> Result<(), QueryError> {
        self.terms += 1;
        if self.terms > MAX_TERMS {
            return Err(QueryError::new(
                span.clone(),
                format!(
                    "the query has more than {MAX_TERMS} terms (the next one is at column {})",
                    self.col(span.start)
                ),
            ));
        }
        Ok(())
    }
}

fn unclosed(open: &Range<usize>, col: usize) -> QueryError {
    QueryError::new(
        open.clone(),
        format!("the parenthesis opened at column {col} is never closed"),
    )
}

/// One item stays itself; operands of the same operator merge, so the
/// tree has one canonical shape.
fn join(items: Vec<Expr>, make: fn(Vec<Expr>) -> Expr) -> Expr {
    if items.len() == 1 {
        return items.into_iter().next().unwrap_or_else(Expr::all);
    }
    let mut flat = Vec::with_capacity(items.len());
    for e in items {
        match (make(Vec::new()), e) {
            (Expr::And(_), Expr::And(inner)) | (Expr::Or(_), Expr::Or(inner)) => flat.extend(inner),
            (_, e) => flat.push(e),
        }
    }
    make(flat)
}
