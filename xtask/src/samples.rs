//! Sample documents, generated rather than downloaded: a PNG, a JPEG and a two-page PDF that a
//! person can open and read, small enough to commit.
//!
//! Each sample also carries its text in a form a program can read without OCR (a PNG `tEXt`
//! chunk with keyword `Text`, a JPEG comment segment, PDF `Tj` strings). The emulator
//! "recognises" exactly that text, so the command-line tool's first run prints something real.

use font8x8::legacy::BASIC_LEGACY;

/// The text of the PNG sample: a short invoice.
pub const INVOICE_TEXT: &str = "INVOICE No. 2026-0117\n\
Date: 2026-11-21\n\
Bill to: Example Trading Co.\n\
Item: OCR credits x 1000\n\
Total: 42.00 USD";

/// The text of the JPEG sample: a receipt.
pub const RECEIPT_TEXT: &str = "CORNER CAFE\n\
Flat white 3.80\n\
Croissant 2.40\n\
Total 6.20\n\
Thank you!";

/// The pages of the PDF sample: a short letter.
pub const LETTER_PAGES: [&str; 2] = [
    "Dear reader,\n\
This letter is a sample document for cloud-ocr.\n\
It has two pages of plain text.",
    "The second page ends the letter.\n\
Kind regards,\n\
The cloud-ocr team",
];

/// The pages of the multi-page PDF sample: a five-page report, one marker line per page.
pub const REPORT_PAGES: [&str; 5] = [
    "QUARTERLY REPORT\n\
Page 1: Summary\n\
Revenue grew in every region.",
    "Page 2: Revenue\n\
North 1200\n\
South 950",
    "Page 3: Costs\n\
Staff 700\n\
Cloud 180",
    "Page 4: Outlook\n\
Hiring two engineers.",
    "Page 5: Sign-off\n\
Approved by the board.",
];

/// Pixels per font cell side (the font is 8x8).
const SCALE: usize = 3;
const MARGIN: usize = 24;
const LINE_GAP: usize = 10;

/// A white grayscale canvas with `text` drawn in black with the 8x8 font.
fn render(text: &str) -> (usize, usize, Vec<u8>) {
    let lines: Vec<&str> = text.lines().collect();
    let cols = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let cell = 8 * SCALE;
    let width = 2 * MARGIN + cols * cell;
    let height = 2 * MARGIN + lines.len() * (cell + LINE_GAP) - LINE_GAP;
    let mut pixels = vec![255u8; width * height];
    for (row, line) in lines.iter().enumerate() {
        for (col, ch) in line.chars().enumerate() {
            let code = ch as usize;
            let glyph = BASIC_LEGACY.get(code).copied().unwrap_or([0; 8]);
            let x0 = MARGIN + col * cell;
            let y0 = MARGIN + row * (cell + LINE_GAP);
            for (gy, bits) in glyph.iter().enumerate() {
                for gx in 0..8 {
                    if bits & (1 << gx) == 0 {
                        continue;
                    }
                    for dy in 0..SCALE {
                        for dx in 0..SCALE {
                            let x = x0 + gx * SCALE + dx;
                            let y = y0 + gy * SCALE + dy;
                            pixels[y * width + x] = 0;
                        }
                    }
                }
            }
        }
    }
    (width, height, pixels)
}

/// The PNG sample: the invoice text rendered, plus a `tEXt` chunk `Text` holding it.
pub fn invoice_png() -> Result<Vec<u8>, String> {
    let (width, height, pixels) = render(INVOICE_TEXT);
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width as u32, height as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        // `Fast` is png's own fdeflate; the flate2-backed levels change bytes with the flate2 backend
        // that workspace feature unification happens to select, which would make fixtures unstable.
        encoder.set_compression(png::Compression::Fast);
        encoder
            .add_text_chunk("Text".to_owned(), INVOICE_TEXT.to_owned())
            .map_err(|e| e.to_string())?;
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer
            .write_image_data(&pixels)
            .map_err(|e| e.to_string())?;
        writer.finish().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// The JPEG sample: the receipt text rendered, plus a comment (COM) segment holding it.
pub fn receipt_jpeg() -> Result<Vec<u8>, String> {
    let (width, height, pixels) = render(RECEIPT_TEXT);
    let mut encoded = Vec::new();
    let encoder = jpeg_encoder::Encoder::new(&mut encoded, 85);
    encoder
        .encode(
            &pixels,
            width as u16,
            height as u16,
            jpeg_encoder::ColorType::Luma,
        )
        .map_err(|e| e.to_string())?;
    // Insert `FF FE <len> <text>` right after SOI.
    let text = RECEIPT_TEXT.as_bytes();
    let len = u16::try_from(text.len() + 2).map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(encoded.len() + text.len() + 4);
    out.extend_from_slice(&encoded[..2]);
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(text);
    out.extend_from_slice(&encoded[2..]);
    Ok(out)
}

/// Escapes a PDF literal string.
fn pdf_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('(');
    for c in s.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out.push(')');
    out
}

/// The PDF sample: two A4 pages of Helvetica text in uncompressed content streams.
pub fn letter_pdf() -> Vec<u8> {
    text_pdf(&LETTER_PAGES)
}

/// The multi-page PDF sample: five A4 pages, each with its own text.
pub fn report_pdf() -> Vec<u8> {
    text_pdf(&REPORT_PAGES)
}

/// A PDF of A4 pages of Helvetica text (one entry per page) in uncompressed content streams.
fn text_pdf(page_texts: &[&str]) -> Vec<u8> {
    let pages = page_texts.len();
    // Objects: 1 catalog, 2 pages, 3 font, then per page: page object, content stream.
    let mut objects: Vec<String> = Vec::new();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".to_owned());
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    objects.push(format!(
        "<< /Type /Pages /Kids [{}] /Count {pages} >>",
        kids.join(" ")
    ));
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned());
    for (i, text) in page_texts.iter().enumerate() {
        let mut content = String::from("BT\n/F1 14 Tf\n72 770 Td\n18 TL\n");
        for (n, line) in text.lines().enumerate() {
            if n > 0 {
                content.push_str("T*\n");
            }
            content.push_str(&pdf_string(line));
            content.push_str(" Tj\n");
        }
        content.push_str("ET\n");
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {} 0 R \
             /Resources << /Font << /F1 3 0 R >> >> >>",
            5 + 2 * i
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        ));
    }
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{body}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for off in offsets {
        out.push_str(&format!("{off:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_carries_its_text_and_decodes() {
        let data = invoice_png().unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(&data));
        let reader = decoder.read_info().unwrap();
        let info = reader.info();
        assert!(info.width > 400);
        assert_eq!(info.uncompressed_latin1_text[0].keyword, "Text");
        assert_eq!(info.uncompressed_latin1_text[0].text, INVOICE_TEXT);
    }

    #[test]
    fn jpeg_starts_with_soi_then_comment() {
        let data = receipt_jpeg().unwrap();
        assert_eq!(&data[..4], &[0xFF, 0xD8, 0xFF, 0xFE]);
        assert!(data.windows(11).any(|w| w == b"CORNER CAFE"));
        assert_eq!(&data[data.len() - 2..], &[0xFF, 0xD9]);
    }

    #[test]
    fn pdf_xref_offsets_point_at_objects() {
        let pdf = letter_pdf();
        let text = String::from_utf8(pdf).unwrap();
        let xref_at: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(text[xref_at..].starts_with("xref"));
        for (i, line) in text[xref_at..].lines().skip(3).take(7).enumerate() {
            let off: usize = line[..10].parse().unwrap();
            assert!(
                text[off..].starts_with(&format!("{} 0 obj", i + 1)),
                "{line}"
            );
        }
        assert!(text.contains("(The second page ends the letter.) Tj"));
    }

    #[test]
    fn samples_are_deterministic() {
        assert_eq!(invoice_png().unwrap(), invoice_png().unwrap());
        assert_eq!(receipt_jpeg().unwrap(), receipt_jpeg().unwrap());
        assert_eq!(letter_pdf(), letter_pdf());
    }
}
