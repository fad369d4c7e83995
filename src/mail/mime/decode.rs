//! Part content to bytes (transfer encoding) and bytes to text (charset),
//! with mail-parser's decoders and the fallbacks real mail needs.

use std::borrow::Cow;

use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;

use super::headers::TransferEncoding;

/// The content of a part. Broken base64 keeps what decodes; broken
/// quoted-printable keeps the undecodable sequences as they are.
pub fn transfer_decode(body: &[u8], encoding: TransferEncoding) -> Cow<'_, [u8]> {
    match encoding {
        TransferEncoding::Identity => Cow::Borrowed(body),
        TransferEncoding::Base64 => Cow::Owned(
            base64_decode(body)
                .unwrap_or_else(|| base64_decode(&base64_only(body)).unwrap_or_default()),
        ),
        TransferEncoding::QuotedPrintable => {
            Cow::Owned(quoted_printable_decode(body).unwrap_or_else(|| qp_lenient(body)))
        }
    }
}

/// [`transfer_decode`], and whether the encoding was damaged (what could
/// be decoded is kept; a saved attachment says so).
pub fn transfer_decode_checked(body: &[u8], encoding: TransferEncoding) -> (Cow<'_, [u8]>, bool) {
    match encoding {
        TransferEncoding::Identity => (Cow::Borrowed(body), false),
        TransferEncoding::Base64 => match base64_decode(body) {
            Some(b) => (Cow::Owned(b), false),
            None => (
                Cow::Owned(base64_decode(&base64_only(body)).unwrap_or_default()),
                true,
            ),
        },
        TransferEncoding::QuotedPrintable => match quoted_printable_decode(body) {
            Some(b) => (Cow::Owned(b), false),
            None => (Cow::Owned(qp_lenient(body)), true),
        },
    }
}

/// Decoded size without decoding (for attachments that are only listed).
pub fn decoded_len(body: &[u8], encoding: TransferEncoding) -> usize {
    match encoding {
        TransferEncoding::Base64 => {
            let data = body.iter().filter(|&&b| is_base64(b)).count();
            data * 3 / 4
        }
        _ => transfer_decode(body, encoding).len(),
    }
}

fn is_base64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

/// The base64 alphabet only, stopping at padding: junk lines in the
/// middle are skipped instead of failing the whole part.
fn base64_only(body: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = body.iter().copied().filter(|&b| is_base64(b)).collect();
    out.truncate(out.len() / 4 * 4);
    out
}

/// Quoted-printable where `=` not followed by two hex digits or a line
/// break stays as written (what a sender who never encoded meant).
fn qp_lenient(body: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        let b = body[i];
        if b == b'=' {
            match (body.get(i + 1), body.get(i + 2)) {
                (Some(b'\n'), _) => {
                    i += 2;
                    continue;
                }
                (Some(b'\r'), Some(b'\n')) => {
                    i += 3;
                    continue;
                }
                (Some(&h), Some(&l)) => {
                    if let (Some(h), Some(l)) = (hex(h), hex(l)) {
                        out.push(h << 4 | l);
                        i += 3;
                        continue;
                    }
                }
                _ => {}
            }
        }
        out.push(b);
        i += 1;
    }
    out
}

/// ISO 8859 charsets whose Windows sibling puts letters where ISO has C1
/// controls: a text labelled with the first but holding bytes 0x80–0x9F was
/// written in the second (a common mislabelling).
const WINDOWS_SIBLING: &[(&str, &str)] = &[
    ("iso-8859-1", "windows-1252"),
    ("iso-8859-2", "windows-1250"),
    ("iso-8859-7", "windows-1253"),
    ("iso-8859-9", "windows-1254"),
    ("iso-8859-13", "windows-1257"),
    ("iso-8859-15", "windows-1252"),
    ("latin2", "windows-1250"),
];

/// Bytes to text in `charset`. Unlabelled or ASCII-labelled text that is
/// valid UTF-8 is read as UTF-8; unlabelled text that is not is read as
/// windows-1252; an unknown charset falls back to UTF-8 with replacement.
pub fn to_text(bytes: &[u8], charset: Option<&str>) -> String {
    let label = charset.map(|c| c.trim().trim_matches('"').to_ascii_lowercase());
    let label = label.as_deref().filter(|l| !l.is_empty());
    let is_utf8 = || std::str::from_utf8(bytes).is_ok();
    let label = match label {
        None | Some("us-ascii" | "ascii") if is_utf8() => return lossy(bytes),
        None => "windows-1252",
        Some(l) => {
            let has_c1 = || bytes.iter().any(|b| (0x80..=0x9f).contains(b));
            WINDOWS_SIBLING
                .iter()
                .find(|(iso, _)| *iso == l || l.replace('_', "-") == *iso)
                .filter(|_| has_c1())
                .map(|(_, win)| *win)
                .unwrap_or(l)
        }
    };
    match charset_decoder(label.as_bytes()) {
        Some(decode) => decode(bytes),
        None => lossy(bytes),
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfer_encodings_decode_and_survive_damage() {
        let b64 = transfer_decode(b"SGVs\r\nbG8=\r\n", TransferEncoding::Base64);
        assert_eq!(&*b64, b"Hello");
        let junk = transfer_decode(
            b"SGVs\r\n!!! junk !!!\r\nbG8h\r\n",
            TransferEncoding::Base64,
        );
        assert!(junk.starts_with(b"Hel"), "{junk:?}");
        let qp = transfer_decode(b"caf=C3=A9 =\r\nau lait", TransferEncoding::QuotedPrintable);
        assert_eq!(&*qp, "café au lait".as_bytes());
        let bad = transfer_decode(b"1+1=2 and =C3=A9", TransferEncoding::QuotedPrintable);
        assert_eq!(&*bad, "1+1=2 and é".as_bytes());
        assert_eq!(
            decoded_len(b"JVBERi0xLjQK\r\n", TransferEncoding::Base64),
            9
        );
        let (ok, damaged) = transfer_decode_checked(b"SGVs\r\nbG8=\r\n", TransferEncoding::Base64);
        assert_eq!((&*ok, damaged), (&b"Hello"[..], false));
        let (part, damaged) =
            transfer_decode_checked(b"SGVs\r\n!!!\r\nbG8h\r\n", TransferEncoding::Base64);
        assert!(damaged && part.starts_with(b"Hel"), "{part:?}");
        let (_, damaged) =
            transfer_decode_checked(b"1+1=2 and =C3=A9", TransferEncoding::QuotedPrintable);
        assert!(damaged);
    }

    #[test]
    fn charsets_with_the_fallbacks_real_mail_needs() {
        assert_eq!(to_text(b"Gr\xfc\xdfe", Some("ISO-8859-1")), "Grüße");
        // windows-1250 labelled iso-8859-2: 0x9E is ž, 0x9A is š.
        assert_eq!(
            to_text(b"\x9e\xe1d\xe1m, \x9aest", Some("iso-8859-2")),
            "žádám, šest"
        );
        // Real iso-8859-2 (no C1 bytes) stays iso-8859-2: 0xBE is ž.
        assert_eq!(to_text(b"\xbe", Some("iso-8859-2")), "ž");
        assert_eq!(to_text("日本".as_bytes(), Some("us-ascii")), "日本");
        assert_eq!(to_text(b"caf\xe9", None), "café");
        assert_eq!(to_text("café".as_bytes(), None), "café");
        assert_eq!(to_text(b"x\xff", Some("x-unknown")), "x\u{fffd}");
    }
}
