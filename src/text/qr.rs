//! A QR code as lines of text, for a phone camera: the sign-in panel and
//! `mailtui login` both print it.

use qrcode::QrCode;
use qrcode::render::unicode::Dense1x2;

/// QR modules as half blocks, dark on light whatever the terminal's colours.
pub fn qr_lines(text: &str) -> Option<Vec<String>> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    let rendered = code
        .render::<Dense1x2>()
        .dark_color(Dense1x2::Dark)
        .light_color(Dense1x2::Light)
        .quiet_zone(true)
        .build();
    Some(rendered.lines().map(str::to_string).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_of_a_verification_address_fits_a_small_terminal() {
        let lines = qr_lines("https://microsoft.com/devicelogin").unwrap();
        // Version 3 (29 modules) plus a 4-module quiet zone, two modules per row.
        assert!(lines.len() <= 19, "{}", lines.len());
        assert!(lines[0].chars().count() <= 37);
        assert!(lines.iter().all(|l| l.chars().all(|c| " ▀▄█".contains(c))));
    }
}
