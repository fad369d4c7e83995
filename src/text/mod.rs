//! Text that state, views and commands all write: counts with their
//! nouns, dates in the list and the reader. UI-free, so state need not
//! reach into `ui` for it.

pub mod dates;
pub mod plural;

pub use plural::{count, noun};
