//! Messages of every shape the reader must handle, as raw RFC 5322 bytes.

pub fn simple(i: usize) -> Vec<u8> {
    format!(
        "From: Sender {s} <sender{s}@example.com>\r\nTo: bob@example.com\r\nSubject: Message number {i}\r\n\
Date: Mon, 2 Nov 2026 {h:02}:{m:02}:00 +0000\r\nMessage-ID: <m{i}@example.com>\r\n\r\nBody of message {i}.\r\n",
        s = i % 17,
        h = (i / 60) % 24,
        m = i % 60,
    )
    .into_bytes()
}

pub const PLAIN: &str = "From: Alice <alice@example.com>\r\nTo: Bob <bob@example.com>\r\n\
Subject: Plain hello\r\nDate: Tue, 3 Nov 2026 10:00:00 +0000\r\n\r\nHello Bob,\r\nplain text here.\r\n";

pub const HTML_ONLY: &str = "From: News <news@example.com>\r\nSubject: HTML only\r\n\
Date: Tue, 3 Nov 2026 10:01:00 +0000\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
<html><body><h1>Big news</h1><p>Read <a href=\"https://example.com/n\">this</a>.</p><script>x()</script></body></html>\r\n";

pub const ALTERNATIVE: &str = "From: Shop <shop@example.com>\r\nSubject: Alternative\r\n\
Date: Tue, 3 Nov 2026 10:02:00 +0000\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n\
--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe plain part.\r\n\
--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>The <b>HTML</b> part.</p>\r\n--alt--\r\n";

pub const ATTACHMENT: &str = "From: Carol <carol@example.com>\r\nSubject: With attachment\r\n\
Date: Tue, 3 Nov 2026 10:03:00 +0000\r\nContent-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n\
--mix\r\nContent-Type: text/plain\r\n\r\nSee the report.\r\n\
--mix\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\nContent-Disposition: attachment; filename=\"report.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSPj4Kc3RyZWFtCg==\r\n--mix--\r\n";

pub const LATIN1: &[u8] = b"From: =?iso-8859-1?q?J=FCrgen?= <j@example.de>\r\nSubject: =?iso-8859-1?q?Gr=FC=DFe_aus_K=F6ln?=\r\n\
Date: Tue, 3 Nov 2026 10:04:00 +0000\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\
Content-Transfer-Encoding: 8bit\r\n\r\nSch\xf6ne Gr\xfc\xdfe!\r\n";

/// Shift_JIS body with an ISO-2022-JP encoded subject.
pub fn japanese() -> Vec<u8> {
    let mut m = b"From: yuki@example.jp\r\nSubject: =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=\r\n\
Date: Tue, 3 Nov 2026 10:05:00 +0000\r\nContent-Type: text/plain; charset=Shift_JIS\r\n\r\n"
        .to_vec();
    m.extend_from_slice(&[0x93, 0xfa, 0x96, 0x7b, 0x8c, 0xea, b'\r', b'\n']);
    m
}

/// Unterminated multipart, a part with bogus base64, a header line with no colon.
pub const BROKEN: &str = "From: broken@example.com\r\nSubject: Broken MIME\r\nThis header line is junk\r\n\
Date: Tue, 3 Nov 2026 10:06:00 +0000\r\nContent-Type: multipart/mixed; boundary=\"nope\"\r\n\r\n\
--nope\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!! not base64 but still text\r\n";

pub const HOSTILE: &str = "From: \"Evil\x1b[31m\" <evil@example.com>\r\nSubject: pwn\x1b]0;title\x07ed\r\n\
Date: Tue, 3 Nov 2026 10:07:00 +0000\r\n\r\nline one\x1b[2J\x1b[H\r\n\x1b[1A\x1b[2Kline two\r\n";

/// `n` simple messages, all with the same Maildir flags.
pub fn bulk(n: usize, flags: &str) -> Vec<(Vec<u8>, &str)> {
    (1..=n).map(|i| (simple(i), flags)).collect()
}

/// About 1.3 MB: 40,000 message/rfc822 parts, each inside the last.
pub fn nested_messages() -> Vec<u8> {
    let mut raw = Vec::new();
    raw.extend_from_slice(b"From: nest@example.org\r\nSubject: nested\r\n");
    for _ in 0..40_000 {
        raw.extend_from_slice(b"Content-Type: message/rfc822\r\n\r\n");
    }
    raw.extend_from_slice(b"Subject: bottom\r\n\r\nthe bottom\r\n");
    raw
}

/// A 9 MB message: a 3 MB text part (with an HTML alternative), a 6 MB
/// base64 attachment and a small forwarded message. Returns the message
/// and the attachment's bytes.
pub fn big_with_attachment() -> (Vec<u8>, Vec<u8>) {
    use base64::Engine as _;
    let data: Vec<u8> = (0..6_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&data);
    let mut m = String::from(
        "From: Big Sender <big@example.com>\r\nTo: bob@example.com\r\nSubject: quarterly data\r\n\
         Date: Tue, 1 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n\
         --outer\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n\
         --alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nStart of the report.\r\n",
    );
    for i in 0..100_000 {
        m.push_str(&format!("line {i} of the report, Grüße\r\n"));
    }
    m.push_str(
        "--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>the html version</p>\r\n--alt--\r\n\
         --outer\r\nContent-Type: application/octet-stream; name=\"data.bin\"\r\n\
         Content-Disposition: attachment; filename=\"data.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
    );
    for chunk in b64.as_bytes().chunks(76) {
        m.push_str(std::str::from_utf8(chunk).unwrap());
        m.push_str("\r\n");
    }
    m.push_str(
        "--outer\r\nContent-Type: message/rfc822\r\n\r\n\
         From: inner@example.com\r\nSubject: the forwarded note\r\n\r\nInner text here.\r\n\
         --outer--\r\n",
    );
    (m.into_bytes(), data)
}
