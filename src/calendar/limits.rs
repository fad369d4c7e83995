//! Every bound on the work one calendar part can cause. An invitation is
//! input from a stranger: parsing ends soon, in bounded memory, and the
//! reader says which limit was met.

/// Calendar parts larger than this are not parsed (a real invitation is a
/// few KB; Outlook's with a long HTML-ish description stay under 100 KB).
pub const MAX_ICS_BYTES: usize = 1 << 20;

/// Components (VEVENT, VTIMEZONE, VALARM …) looked at; the rest is counted
/// only by the parser, never described.
pub const MAX_COMPONENTS: usize = 1000;

/// Attendees kept for the reader; the rest are counted ("and N more").
pub const MAX_ATTENDEES: usize = 50;

/// Characters kept of one text value (summary, location, a name).
pub const MAX_VALUE_CHARS: usize = 1000;

/// Characters of DESCRIPTION searched for an online-meeting link.
pub const MAX_DESCRIPTION_SCAN: usize = 64 << 10;

/// Lines of a VTIMEZONE block copied into a reply.
pub const MAX_VTIMEZONE_LINES: usize = 200;
