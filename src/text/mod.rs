//! Text that state, views and commands all write: counts with their
//! nouns, dates in the list and the reader, sizes, durations, widths, and
//! a QR code as lines. UI-free, so state need not reach into `ui` for it.

pub mod dates;
pub mod fold;
pub mod format;
pub mod plural;
pub mod qr;

pub use plural::{count, noun};
