//! Modified UTF-7 (RFC 3501 §5.1.3), the encoding of IMAP folder names and
//! of Maildir++ folder directories.

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;

/// Decodes a folder name. Malformed shift sequences are kept as they are,
/// so a broken name is still shown (and still usable as a path).
pub fn decode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let Some(dash) = after.find('-') else {
            out.push_str(&rest[amp..]);
            return out;
        };
        let encoded = &after[..dash];
        if encoded.is_empty() {
            out.push('&');
        } else if let Some(text) = decode_run(encoded) {
            out.push_str(&text);
        } else {
            out.push_str(&rest[amp..amp + 1 + dash + 1]);
        }
        rest = &after[dash + 1..];
    }
    out.push_str(rest);
    out
}

fn decode_run(encoded: &str) -> Option<String> {
    let bytes = STANDARD_NO_PAD.decode(encoded.replace(',', "/")).ok()?;
    if bytes.len() % 2 != 0 {
        return None;
    }
    let units = bytes
        .chunks_exact(2)
        .map(|p| u16::from_be_bytes([p[0], p[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .ok()
}

/// Encodes a folder name for the wire.
pub fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending: Vec<u16> = Vec::new();
    let flush = |pending: &mut Vec<u16>, out: &mut String| {
        if pending.is_empty() {
            return;
        }
        let bytes: Vec<u8> = pending.iter().flat_map(|u| u.to_be_bytes()).collect();
        out.push('&');
        out.push_str(&STANDARD_NO_PAD.encode(bytes).replace('/', ","));
        out.push('-');
        pending.clear();
    };
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut pending, &mut out);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut buf = [0u16; 2];
            pending.extend_from_slice(c.encode_utf16(&mut buf));
        }
    }
    flush(&mut pending, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_rfc_examples() {
        assert_eq!(decode("Entw&APw-rfe"), "Entwürfe");
        assert_eq!(decode("&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-"), "Отправленные");
        assert_eq!(
            decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
            "~peter/mail/台北/日本語"
        );
        assert_eq!(decode("Tom &- Jerry"), "Tom & Jerry");
    }

    #[test]
    fn broken_sequences_are_kept() {
        assert_eq!(decode("a&b"), "a&b");
        assert_eq!(decode("x&!!!-y"), "x&!!!-y");
        assert_eq!(decode("&AGE"), "&AGE");
    }

    #[test]
    fn round_trips() {
        for s in [
            "INBOX",
            "Entwürfe",
            "Tom & Jerry",
            "日本語/台北",
            "emoji 📬 box",
        ] {
            assert_eq!(decode(&encode(s)), s);
        }
        assert_eq!(encode("Entwürfe"), "Entw&APw-rfe");
    }
}
