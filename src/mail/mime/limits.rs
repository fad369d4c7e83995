//! Every bound on the work one message can cause. A message is input from
//! a stranger: whatever it holds, parsing ends soon, in bounded memory and
//! stack, and the reader says which limit was met.

use std::time::Duration;

/// Deepest MIME nesting followed (multiparts and attached messages both
/// count a level). Real mail stays far below: a forward of a forward of a
/// forward is about ten levels. Parts deeper than this are listed, not
/// opened.
pub const MAX_DEPTH: usize = 64;

/// Most MIME parts looked at in one message (attached messages included).
/// A digest of a few hundred messages fits; beyond this the rest of the
/// message is left out (the raw source still shows it).
pub const MAX_PARTS: usize = 4096;

/// Bytes of a message that are parsed at all; the rest is left out. Fetch
/// limits keep whole messages well below this.
pub const MAX_PARSE_BYTES: usize = 64 << 20;

/// Bytes of text the reader is given for one message (all parts and
/// attached messages together).
pub const MAX_TEXT_BYTES: usize = 32 << 20;

/// Bytes of the raw source kept for the raw view.
pub const MAX_RAW_BYTES: usize = 1 << 20;

/// HTML parts larger than this are not laid out; their text is shown
/// without layout. The layout engine needs about 100 bytes of memory per
/// input byte (20 MB of HTML took 2.2 GB).
pub const MAX_HTML_BYTES: usize = 2 << 20;

/// HTML nested deeper than this (element inside element) is not laid out:
/// layout cost grows with the square of the depth (a megabyte of nested
/// `<div>`s took a minute) and its recursion with the depth.
pub const MAX_HTML_DEPTH: usize = 200;

/// Time all HTML layout of one message may take together; after it, the
/// remaining HTML is shown as plain text.
pub const HTML_TIME_BUDGET: Duration = Duration::from_secs(3);

/// Stack for the HTML layout thread: its recursion follows the element
/// nesting, at most [`MAX_HTML_DEPTH`] deep.
pub const HTML_STACK_BYTES: usize = 64 << 20;

/// Stack for the parse thread. The MIME walk recurses once per level, at
/// most [`MAX_DEPTH`] deep, with small frames; this leaves a wide margin.
pub const PARSE_STACK_BYTES: usize = 16 << 20;

/// Time a whole parse may take before the reader gets the raw source
/// instead. Above [`HTML_TIME_BUDGET`], which normally ends a parse first.
pub const PARSE_TIME_BUDGET: Duration = Duration::from_secs(8);
