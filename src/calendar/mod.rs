//! Meeting invitations: a `text/calendar` part read into an
//! [`Invitation`], described for the reader, and answered with a REPLY.
//! Nothing here knows about the terminal; nothing from the invitation is
//! executed or fetched, and recurrences are never expanded.

pub mod describe;
pub mod limits;
pub mod model;
pub mod parse;
pub mod reply;
pub mod text;
pub mod vtimezone;
pub mod words;
pub mod zones;

pub use describe::{Line, LineKind, describe};
pub use model::*;
pub use parse::{NotRead, parse};
pub use reply::{Answer, ReplyError, ReplyParts, reply};

/// A calendar part of a message as the reader gets it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CalendarPart {
    Invitation(Box<Invitation>),
    /// Not read, and why (a sentence).
    NotRead(String),
}

impl CalendarPart {
    /// The part's text parsed, or why it was not.
    pub fn from_text(source: &str) -> CalendarPart {
        match parse(source) {
            Ok(i) => CalendarPart::Invitation(Box::new(i)),
            Err(e) => CalendarPart::NotRead(e.to_string()),
        }
    }

    pub fn invitation(&self) -> Option<&Invitation> {
        match self {
            CalendarPart::Invitation(i) => Some(i),
            CalendarPart::NotRead(_) => None,
        }
    }
}
