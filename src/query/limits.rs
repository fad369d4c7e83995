//! What a query may hold. Queries come from the keyboard, a paste or the
//! config (saved searches); each limit gives a clear error, never a hang.

/// Characters in one query.
pub const MAX_QUERY_CHARS: usize = 2000;
/// Parentheses and NOTs inside each other.
pub const MAX_DEPTH: usize = 32;
/// Terms (field terms, words, phrases) in one query; also keeps the IMAP
/// SEARCH command a server gets to a sensible length.
pub const MAX_TERMS: usize = 64;
/// How far back a relative date may reach (`36500d`, `300y`), in days.
pub const MAX_AGO_DAYS: u64 = 300 * 366;
