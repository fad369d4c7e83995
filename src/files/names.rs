//! File names for saved attachments. The name comes from a stranger: it
//! may try to climb out of the download dir (`../../.bashrc`), hide as a
//! dot file, carry escape sequences or bidi overrides that make the name
//! read as something else (`invoice\u{202e}fdp.exe`), name a device on
//! Windows (`CON`), or be far longer than a file system allows. What comes
//! out is one plain file name, safe on Linux, macOS and Windows.

use crate::sanitize::{Clean, PLACEHOLDER, is_unsafe};

/// Longest name in bytes. File systems allow 255; this leaves room for a
/// " (9999)" suffix and a partial-download extension some tools add.
pub const MAX_FILE_NAME_BYTES: usize = 200;

/// An ending longer than this (in characters) is not kept as the
/// extension when a long name is cut: it is more likely text after a dot.
pub const MAX_EXTENSION_CHARS: usize = 16;

/// For a part without a usable name.
pub const FALLBACK_STEM: &str = "attachment";

/// Characters Windows (and macOS for ':') refuses in names; path
/// separators are dealt with before.
const FORBIDDEN: &[char] = &['<', '>', ':', '"', '|', '?', '*'];

/// Device names Windows opens instead of a file, with any extension.
const WINDOWS_RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Extensions for unnamed parts of common types.
const EXTENSIONS: &[(&str, &str)] = &[
    ("text/plain", ".txt"),
    ("text/html", ".html"),
    ("text/csv", ".csv"),
    ("text/calendar", ".ics"),
    ("message/rfc822", ".eml"),
    ("message/global", ".eml"),
    ("application/pdf", ".pdf"),
    ("application/zip", ".zip"),
    ("application/octet-stream", ".bin"),
    ("image/png", ".png"),
    ("image/jpeg", ".jpg"),
    ("image/gif", ".gif"),
];

/// A safe file name for a part named `raw` (as the sender wrote it) of
/// type `mime`: the last path component only, without control, escape,
/// bidi or zero-width characters, without leading dots, not a Windows
/// device name, at most [`MAX_FILE_NAME_BYTES`] (the extension kept), and
/// never empty.
pub fn safe_name(raw: Option<&str>, mime: &str) -> String {
    // Escape sequences go whole; invisible format characters go; other
    // controls become placeholders, dropped below.
    let clean = Clean::line(raw.unwrap_or_default());
    let last = clean
        .as_str()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    let plain: String = last
        .chars()
        .filter(|&c| c != PLACEHOLDER && !is_unsafe(c))
        .map(|c| if FORBIDDEN.contains(&c) { '_' } else { c })
        .collect();
    // No dot files; Windows drops trailing dots and spaces itself.
    let trimmed = plain
        .trim()
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' ']);
    let name = if trimmed.is_empty() {
        let ext = EXTENSIONS
            .iter()
            .find(|(m, _)| m.eq_ignore_ascii_case(mime))
            .map_or("", |(_, e)| *e);
        format!("{FALLBACK_STEM}{ext}")
    } else {
        trimmed.to_string()
    };
    let stem = name.split('.').next().unwrap_or_default().trim_end();
    let name = if WINDOWS_RESERVED
        .iter()
        .any(|r| r.eq_ignore_ascii_case(stem))
    {
        format!("_{name}")
    } else {
        name
    };
    cap(&name, MAX_FILE_NAME_BYTES)
}

/// `name` cut to `max` bytes, keeping its extension.
fn cap(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_string();
    }
    let (stem, ext) = split_extension(name);
    let ext = if ext.len() < max { ext } else { "" };
    let stem = if ext.is_empty() { name } else { stem };
    let mut end = max - ext.len();
    while !stem.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ext}", stem[..end].trim_end())
}

/// ("report", ".pdf"); no extension when the ending is long or the name
/// is all extension.
pub fn split_extension(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(i) if i > 0 && name[i + 1..].chars().count() <= MAX_EXTENSION_CHARS => {
            (&name[..i], &name[i..])
        }
        _ => (name, ""),
    }
}

/// The `n`th other name for `name`: "report (1).pdf".
pub fn numbered(name: &str, n: usize) -> String {
    let (stem, ext) = split_extension(name);
    format!("{stem} ({n}){ext}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn safe(raw: &str) -> String {
        safe_name(Some(raw), "application/octet-stream")
    }

    #[test]
    fn path_components_and_dot_files_go() {
        assert_eq!(safe("../../.bashrc"), "bashrc");
        assert_eq!(safe("/etc/passwd"), "passwd");
        assert_eq!(safe("..\\..\\Windows\\evil.exe"), "evil.exe");
        assert_eq!(safe("dir/"), "attachment.bin", "no last component");
        assert_eq!(safe(".."), "attachment.bin");
        assert_eq!(safe("...."), "attachment.bin");
        assert_eq!(safe(". . ."), "attachment.bin");
        assert_eq!(safe(""), "attachment.bin");
        assert_eq!(safe_name(None, "application/pdf"), "attachment.pdf");
        assert_eq!(safe_name(None, "x-unknown/thing"), "attachment");
        assert_eq!(safe("report.pdf"), "report.pdf");
        assert_eq!(safe("name."), "name", "trailing dots go");
    }

    #[test]
    fn control_escape_bidi_and_zero_width_characters_go() {
        assert_eq!(safe("a\x1b[31mred\x1b[0m.txt"), "ared.txt");
        assert_eq!(safe("title\x1b]0;pwned\x07.txt"), "title.txt");
        assert_eq!(safe("bell\x07\x00nul\nline.txt"), "bellnul line.txt");
        // A right-to-left override makes "invoice<RLO>fdp.exe" read as "invoiceexe.pdf".
        assert_eq!(safe("invoice\u{202e}fdp.exe"), "invoicefdp.exe");
        assert_eq!(
            safe("zero\u{200b}\u{feff}\u{2060}width.txt"),
            "zerowidth.txt"
        );
        assert_eq!(safe("\u{200b}.\u{200b}."), "attachment.bin");
        assert_eq!(safe("a:b*c?.txt"), "a_b_c_.txt");
        for c in safe("\x1b[2J\u{202e}\u{2066}x\u{9b}y").chars() {
            assert!(!is_unsafe(c) && c != PLACEHOLDER, "{c:?}");
        }
    }

    #[test]
    fn windows_device_names_are_changed() {
        assert_eq!(safe("CON"), "_CON");
        assert_eq!(safe("con.txt"), "_con.txt");
        assert_eq!(safe("LPT1.tar.gz"), "_LPT1.tar.gz");
        assert_eq!(safe("CONSOLE.txt"), "CONSOLE.txt");
        assert_eq!(safe("nul "), "_nul");
    }

    #[test]
    fn long_names_are_cut_keeping_the_extension() {
        let long = format!("{}.pdf", "a".repeat(300));
        let cut = safe(&long);
        assert_eq!(cut.len(), MAX_FILE_NAME_BYTES);
        assert!(cut.ends_with("aaa.pdf"), "{cut}");
        // Multi-byte characters are cut on a boundary.
        let cut = safe(&format!("{}.txt", "ü".repeat(300)));
        assert!(
            cut.len() <= MAX_FILE_NAME_BYTES && cut.ends_with("ü.txt"),
            "{cut}"
        );
        // A long ending is no extension.
        let cut = safe(&format!("a.{}", "b".repeat(300)));
        assert_eq!(cut.len(), MAX_FILE_NAME_BYTES);
        assert!(cut.starts_with("a.bbb"));
    }

    #[test]
    fn numbered_names_keep_the_extension() {
        assert_eq!(numbered("report.pdf", 1), "report (1).pdf");
        assert_eq!(numbered("README", 2), "README (2)");
        assert_eq!(numbered("a.tar.gz", 3), "a.tar (3).gz");
    }
}
