//! Inputs the emulator can read text from, for your tests: a PNG with a `Text` chunk,
//! a JPEG header with a comment, a PDF showing text. Whatever text you put in is what
//! the emulator "recognises" (`Key: Value` lines become fields).

use crate::artifacts;

/// A valid grey PNG of `width` × `height` pixels carrying `text` in a `tEXt` (or, for
/// non-Latin-1 text, `iTXt`) chunk with keyword `Text`.
///
/// ```
/// let png = ocr_emulator::samples::png_with_text(800, 600, "Invoice\nTotal: 12.00");
/// assert!(png.starts_with(b"\x89PNG"));
/// ```
pub fn png_with_text(width: u32, height: u32, text: &str) -> Vec<u8> {
    artifacts::png::png(width, height, text, 0)
}

/// The header of a JPEG of `width` × `height` pixels with `text` in a comment (COM)
/// segment: enough for the emulator (format, size and text), not a decodable picture.
///
/// ```
/// let jpeg = ocr_emulator::samples::jpeg_with_comment(640, 480, "Name: Ada");
/// assert!(jpeg.starts_with(&[0xFF, 0xD8]));
/// ```
pub fn jpeg_with_comment(width: u32, height: u32, text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8];
    for chunk in text.as_bytes().chunks(65_000) {
        out.extend_from_slice(&[0xFF, 0xFE]);
        let len = u16::try_from(chunk.len() + 2).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(chunk);
    }
    let w = u16::try_from(width).unwrap_or(u16::MAX);
    let h = u16::try_from(height).unwrap_or(u16::MAX);
    out.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 0x08]);
    out.extend_from_slice(&h.to_be_bytes());
    out.extend_from_slice(&w.to_be_bytes());
    out.extend_from_slice(&[0x01, 0x01, 0x11, 0x00]);
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

/// A valid PDF with one page per entry, each showing its lines (ASCII; other characters
/// become `?`).
///
/// ```
/// let pdf = ocr_emulator::samples::pdf_with_text(&[&["Page one", "Total: 3"], &["Page two"]]);
/// assert!(pdf.starts_with(b"%PDF-"));
/// ```
pub fn pdf_with_text(pages: &[&[&str]]) -> Vec<u8> {
    let pages: Vec<Vec<String>> = pages
        .iter()
        .map(|p| p.iter().map(|l| (*l).to_owned()).collect())
        .collect();
    artifacts::pdf::pdf(&pages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::recognize_bytes;

    #[test]
    fn the_emulator_reads_its_samples() {
        let d = recognize_bytes(&png_with_text(800, 600, "A\nB: c"), "a.png");
        assert_eq!(d.pages[0].lines, ["A", "B: c"]);
        assert_eq!(d.image_size, Some((800, 600)));
        let d = recognize_bytes(&jpeg_with_comment(640, 480, "Hello"), "a.jpg");
        assert_eq!(d.pages[0].lines, ["Hello"]);
        assert_eq!(d.image_size, Some((640, 480)));
        let d = recognize_bytes(&pdf_with_text(&[&["one"], &["two"]]), "a.pdf");
        assert_eq!(d.pages.len(), 2);
        assert_eq!(d.pages[1].lines, ["two"]);
    }
}
