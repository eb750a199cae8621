//! Printed documents as self-contained HTML with print CSS: one file that the app previews and
//! prints, that the CLI writes, and that headless Chromium turns into the same PDF. Nothing is
//! fetched: styles are inline and QR codes are inline SVG, so a document opens offline.
//!
//! Templates live in `templates/` (askama, escaped by default: a matter typed as
//! `<img onerror=…>` prints as text). Pages are A4 with the GB/T 9704 margins (top 37 mm,
//! binding side 28 mm, a 156 × 225 mm text block).

mod slip;

pub use slip::SlipOptions;

use qrcode::QrCode;
use qrcode::render::svg;

use crate::error::{Error, Result};

/// An ID number as the visitor's copy shows it: the first four and last four characters.
pub fn mask_id_number(id: &str) -> String {
    mask(id, 4, 4)
}

/// A phone number as the visitor's copy shows it: `138****5678`.
pub fn mask_phone(phone: &str) -> String {
    mask(phone, 3, 4)
}

fn mask(text: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = text.trim().chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let hidden = chars.len() - head - tail;
    let mut masked: String = chars[..head].iter().collect();
    masked.push_str(&"*".repeat(hidden));
    masked.extend(&chars[chars.len() - tail..]);
    masked
}

/// `text` as an inline SVG QR code, generated here (no service, no network).
fn qr_svg(text: &str) -> Result<String> {
    let code = QrCode::new(text.as_bytes())
        .map_err(|err| Error::invalid(format!("无法生成二维码：{err}")))?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(96, 96)
        .quiet_zone(false)
        .build();
    // Drop the XML declaration: the SVG goes inside an HTML page.
    Ok(image
        .find("<svg")
        .map_or(image.clone(), |start| image[start..].to_owned()))
}

/// Shortens `text` to `max` characters for a printed summary, marking the cut.
fn summary(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(max).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_only_the_ends() {
        assert_eq!(mask_id_number("11010519491231002X"), "1101**********002X");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("123"), "***");
    }

    #[test]
    fn summaries_cut_on_characters_not_bytes() {
        assert_eq!(summary("出嫁女土地权益", 3), "出嫁女…");
        assert_eq!(summary(" 短 ", 3), "短");
    }

    #[test]
    fn qr_code_is_inline_svg() {
        let svg = qr_svg("BX-2026-0001").unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("viewBox"));
    }
}
