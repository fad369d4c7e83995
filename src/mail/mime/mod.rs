//! Reading MIME within limits. The structure (where parts begin and end,
//! how deep they nest) is found by our own splitter: that is where real
//! mail is most often broken and where hostile mail attacks, so it runs in
//! one bounded pass with no recursion. mail-parser reads what it is good
//! at: header fields (addresses, dates, RFC 2047 words, RFC 2231
//! parameters), transfer encodings and charsets.

pub mod assemble;
pub mod calendar;
pub mod decode;
pub mod detached;
pub mod headers;
pub mod html;
pub mod html_styles;
pub mod limits;
pub mod lines;
pub mod part_view;
pub mod parts;
pub mod split;
