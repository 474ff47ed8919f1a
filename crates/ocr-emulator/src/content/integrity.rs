//! Whether a file is whole enough to decode, by its format's own structure: the checks a
//! decoder would trip over first (a truncated file, a missing end marker, a broken
//! compressed stream), not a full decode.
//!
//! | format | accepted when |
//! |---|---|
//! | PNG | `IHDR` first (valid size, bit depth and colour type), every chunk complete with its CRC (critical chunks), at least one `IDAT`, `IEND` at the end, and the `IDAT` data one complete zlib stream (checksum included; the pixel count is not compared) |
//! | JPEG | `SOI`, every marker segment complete, a frame header (`SOF`), scan data that ends in a marker, and `EOI` |
//! | PDF | `%%EOF` in the last 1024 bytes, `startxref` before it, and a page tree (`/Type /Pages`, or object streams that may hold it) |
//! | GIF | the trailer byte `;` at the end |
//! | BMP | a known DIB header, and (uncompressed) the whole pixel array present |
//! | TIFF | the first IFD inside the file |
//! | WebP | the RIFF size not beyond the end of the file |
//! | HEIC | top-level boxes that add up to the file |
//! | ZIP (DOCX, XLSX, PPTX…) | the end-of-central-directory record |
//! | OLE (DOC, XLS, PPT) | a valid sector size and at least one sector after the header |
//!
//! Text and unknown formats are not checked here (the services' format rules apply).
//! When only the beginning and the end of a large upload are kept, the checks that need
//! the middle (PNG image data, JPEG segments, the PDF page tree, BMP pixels) are skipped.

use flate2::{Decompress, FlushDecompress, Status};

use super::Format;
use crate::artifacts::checksum::crc32;

/// How much of a zlib stream is inflated at most while checking it (beyond this the rest is
/// assumed to be fine: the check is about truncation and corruption, not about bombs).
const MAX_INFLATE: u64 = 256 * 1024 * 1024;

/// Checks a whole file of this format; the error says what is wrong.
pub(crate) fn check(bytes: &[u8], format: Format) -> Result<(), String> {
    match format {
        Format::Png => png(bytes),
        Format::Jpeg => jpeg(bytes),
        Format::Pdf => pdf(bytes, true),
        other => ends(bytes, other).and_then(|()| heads(bytes, bytes.len() as u64, other)),
    }
}

/// Checks a file of which only `head` (its beginning) and `tail` (its end) are at hand, of
/// `size` bytes in all.
pub(crate) fn check_head_and_tail(
    head: &[u8],
    tail: &[u8],
    size: u64,
    format: Format,
) -> Result<(), String> {
    match format {
        Format::Png => {
            png_header(head)?;
            if !tail_contains(tail, b"IEND") {
                return Err("the file has no IEND chunk at its end: it is cut short".to_owned());
            }
            Ok(())
        }
        Format::Jpeg => {
            if !head.starts_with(&[0xFF, 0xD8]) {
                return Err("the file does not start with a JPEG SOI marker".to_owned());
            }
            if !tail_contains(tail, &[0xFF, 0xD9]) {
                return Err("the file has no end-of-image (EOI) marker: it is cut short".to_owned());
            }
            Ok(())
        }
        Format::Pdf => pdf(tail, false),
        other => ends(tail, other).and_then(|()| heads(head, size, other)),
    }
}

fn tail_contains(tail: &[u8], needle: &[u8]) -> bool {
    let from = tail.len().saturating_sub(4096);
    tail.get(from..)
        .is_some_and(|t| t.windows(needle.len()).any(|w| w == needle))
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn le32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn le16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

/// The PNG signature and a valid `IHDR` as the first chunk; returns (width, height, bits per
/// pixel).
fn png_header(bytes: &[u8]) -> Result<(u32, u32, u32), String> {
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err("the PNG signature is missing".to_owned());
    }
    let cut = || "the file ends inside the IHDR chunk".to_owned();
    let len = be32(bytes, 8).ok_or_else(cut)?;
    if bytes.get(12..16) != Some(b"IHDR") {
        return Err("the first chunk is not IHDR".to_owned());
    }
    if len != 13 {
        return Err(format!("the IHDR chunk is {len} bytes long, not 13"));
    }
    let data = bytes.get(16..29).ok_or_else(cut)?;
    let stored = be32(bytes, 29).ok_or_else(cut)?;
    if crc32(bytes.get(12..29).unwrap_or_default()) != stored {
        return Err("the IHDR chunk fails its CRC".to_owned());
    }
    let width = be32(data, 0).unwrap_or(0);
    let height = be32(data, 4).unwrap_or(0);
    if width == 0 || height == 0 || width > 0x7FFF_FFFF || height > 0x7FFF_FFFF {
        return Err(format!("the image size {width}x{height} is not valid"));
    }
    let (depth, colour) = (data[8], data[9]);
    let channels = match (colour, depth) {
        (0, 1 | 2 | 4 | 8 | 16) => 1,
        (2, 8 | 16) => 3,
        (3, 1 | 2 | 4 | 8) => 1,
        (4, 8 | 16) => 2,
        (6, 8 | 16) => 4,
        _ => {
            return Err(format!(
                "bit depth {depth} with colour type {colour} is not a valid PNG combination"
            ))
        }
    };
    if data[10] != 0 || data[11] != 0 || data[12] > 1 {
        return Err("the IHDR compression, filter or interlace method is not valid".to_owned());
    }
    Ok((width, height, u32::from(depth) * channels))
}

fn png(bytes: &[u8]) -> Result<(), String> {
    let (width, height, bpp) = png_header(bytes)?;
    let row = (u64::from(width) * u64::from(bpp)).div_ceil(8) + 1;
    // Interlaced images have a few more filter bytes than rows; twice is a loose bound.
    let raw = row.saturating_mul(u64::from(height)).saturating_mul(2);
    let mut inflater = Inflater::new(raw.min(MAX_INFLATE));
    let mut i = 8;
    let mut idat = false;
    loop {
        let (Some(len), Some(kind)) = (be32(bytes, i), bytes.get(i + 4..i + 8)) else {
            return Err("the file ends before its IEND chunk: it is cut short".to_owned());
        };
        let name = String::from_utf8_lossy(kind).into_owned();
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err(format!("a chunk has the invalid type `{name}`"));
        }
        let end = i
            .checked_add(12)
            .and_then(|e| e.checked_add(len as usize))
            .filter(|e| *e <= bytes.len() && len <= 0x7FFF_FFFF)
            .ok_or_else(|| format!("the {name} chunk is cut short"))?;
        let data = bytes.get(i + 8..end - 4).unwrap_or_default();
        let critical = kind[0].is_ascii_uppercase();
        if critical
            && be32(bytes, end - 4) != Some(crc32(bytes.get(i + 4..end - 4).unwrap_or_default()))
        {
            return Err(format!("the {name} chunk fails its CRC"));
        }
        match kind {
            b"IDAT" => {
                idat = true;
                inflater.feed(data)?;
            }
            b"IEND" => break,
            _ => {}
        }
        i = end;
    }
    if !idat {
        return Err("the file has no image data (IDAT)".to_owned());
    }
    inflater.finish()
}

/// Inflates a zlib stream fed in pieces, keeping nothing but counts.
struct Inflater {
    state: Decompress,
    done: bool,
    out: Vec<u8>,
    limit: u64,
}

impl Inflater {
    fn new(limit: u64) -> Self {
        Self {
            state: Decompress::new(true),
            done: false,
            out: vec![0; 32 * 1024],
            limit,
        }
    }

    fn feed(&mut self, mut input: &[u8]) -> Result<(), String> {
        while !input.is_empty() && !self.done {
            if self.state.total_out() >= self.limit {
                // Enough has been checked; the rest is not inflated.
                self.done = true;
                return Ok(());
            }
            let (in_before, out_before) = (self.state.total_in(), self.state.total_out());
            let status = self
                .state
                .decompress(input, &mut self.out, FlushDecompress::None)
                .map_err(|e| format!("the image data is not a valid zlib stream ({e})"))?;
            let used = usize::try_from(self.state.total_in() - in_before).unwrap_or(input.len());
            input = input.get(used..).unwrap_or_default();
            if status == Status::StreamEnd {
                self.done = true;
            } else if used == 0 && self.state.total_out() == out_before {
                return Err("the image data is not a valid zlib stream".to_owned());
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Result<(), String> {
        if self.done {
            return Ok(());
        }
        // Drain what the decoder still holds.
        for _ in 0..1024 {
            let before = self.state.total_out();
            match self
                .state
                .decompress(&[], &mut self.out, FlushDecompress::Finish)
            {
                Ok(Status::StreamEnd) => return Ok(()),
                Ok(_) if self.state.total_out() > before => {
                    if self.state.total_out() >= self.limit {
                        return Ok(());
                    }
                }
                Ok(_) => break,
                Err(e) => return Err(format!("the image data is not a valid zlib stream ({e})")),
            }
        }
        Err("the image data (zlib stream) is cut short".to_owned())
    }
}

fn jpeg(bytes: &[u8]) -> Result<(), String> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return Err("the file does not start with a JPEG SOI marker".to_owned());
    }
    let cut = "the file ends before its end-of-image (EOI) marker: it is cut short";
    let mut i = 2;
    let mut frame = false;
    loop {
        let Some(&byte) = bytes.get(i) else {
            return Err(cut.to_owned());
        };
        if byte != 0xFF {
            return Err(format!("a marker was expected at byte {i}"));
        }
        let Some(&marker) = bytes.get(i + 1) else {
            return Err(cut.to_owned());
        };
        match marker {
            // Fill bytes before a marker.
            0xFF => i += 1,
            0xD9 => {
                return if frame {
                    Ok(())
                } else {
                    Err("the file has no frame header (SOF)".to_owned())
                };
            }
            0xD8 | 0xD0..=0xD7 | 0x01 => i += 2,
            _ => {
                let len = bytes
                    .get(i + 2..i + 4)
                    .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
                    .ok_or_else(|| cut.to_owned())?;
                if len < 2 {
                    return Err(format!(
                        "marker FF{marker:02X} has the invalid length {len}"
                    ));
                }
                let end = i + 2 + len;
                if end > bytes.len() {
                    return Err(format!("the segment of marker FF{marker:02X} is cut short"));
                }
                let is_sof =
                    (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
                if is_sof {
                    let components = bytes.get(i + 9).copied().unwrap_or(0);
                    let width = bytes
                        .get(i + 7..i + 9)
                        .map_or(0, |b| u16::from_be_bytes([b[0], b[1]]));
                    if len < 8 || components == 0 || len != 8 + 3 * usize::from(components) {
                        return Err("the frame header (SOF) is malformed".to_owned());
                    }
                    if width == 0 {
                        return Err("the frame header (SOF) gives a width of 0".to_owned());
                    }
                    frame = true;
                }
                i = end;
                if marker == 0xDA {
                    // Entropy-coded data runs until a marker other than a stuffed zero or a
                    // restart marker.
                    loop {
                        let Some(pos) = bytes
                            .get(i..)
                            .and_then(|r| r.iter().position(|b| *b == 0xFF))
                        else {
                            return Err(cut.to_owned());
                        };
                        i += pos;
                        match bytes.get(i + 1) {
                            None => return Err(cut.to_owned()),
                            Some(0x00 | 0xD0..=0xD7 | 0xFF) => i += 1,
                            Some(_) => break,
                        }
                    }
                }
            }
        }
    }
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// `/Type /Pages` with any whitespace between.
fn has_page_tree(bytes: &[u8]) -> bool {
    let mut from = 0;
    while let Some(pos) = bytes
        .get(from..)
        .and_then(|r| r.windows(5).position(|w| w == b"/Type"))
    {
        let mut j = from + pos + 5;
        while bytes.get(j).is_some_and(u8::is_ascii_whitespace) {
            j += 1;
        }
        if bytes.get(j..j + 6) == Some(b"/Pages") {
            return true;
        }
        from = from + pos + 5;
    }
    contains(bytes, b"/ObjStm")
}

/// `bytes` is the whole file (`whole`) or only its end.
fn pdf(bytes: &[u8], whole: bool) -> Result<(), String> {
    let tail_start = bytes.len().saturating_sub(1024);
    let tail = bytes.get(tail_start..).unwrap_or_default();
    let Some(eof) = find_last(tail, b"%%EOF") else {
        return Err(
            "the file has no %%EOF marker at its end: it is cut short or not a PDF".to_owned(),
        );
    };
    let before_eof = bytes.get(..tail_start + eof).unwrap_or_default();
    if find_last(before_eof, b"startxref").is_none() {
        return Err("the file has no startxref before its %%EOF".to_owned());
    }
    if whole && !has_page_tree(bytes) {
        return Err("the file has no page tree (/Type /Pages)".to_owned());
    }
    Ok(())
}

/// The checks that need only the end of a file.
fn ends(tail: &[u8], format: Format) -> Result<(), String> {
    match format {
        Format::Gif => {
            let trimmed = tail
                .iter()
                .rposition(|b| *b != 0)
                .and_then(|p| tail.get(p).copied());
            if trimmed != Some(0x3B) {
                return Err("the GIF has no trailer (;) at its end: it is cut short".to_owned());
            }
            Ok(())
        }
        Format::Zip => {
            let from = tail.len().saturating_sub(65_557);
            if !tail.get(from..).is_some_and(|t| contains(t, b"PK\x05\x06")) {
                return Err(
                    "the archive has no end-of-central-directory record: it is cut short"
                        .to_owned(),
                );
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The checks that need only the beginning of a file of `size` bytes.
fn heads(head: &[u8], size: u64, format: Format) -> Result<(), String> {
    let whole = head.len() as u64 == size;
    match format {
        Format::Bmp => {
            let header = le32(head, 14).unwrap_or(0);
            if !matches!(header, 12 | 40 | 52 | 56 | 64 | 108 | 124) {
                return Err(format!("the BMP header size {header} is not a known one"));
            }
            let offset = u64::from(le32(head, 10).unwrap_or(0));
            if offset >= size {
                return Err("the BMP pixel data starts beyond the end of the file".to_owned());
            }
            if header >= 40 && whole {
                let width = u64::from(le32(head, 18).unwrap_or(0));
                let height = u64::from(
                    i32::from_le_bytes(le32(head, 22).unwrap_or(0).to_le_bytes()).unsigned_abs(),
                );
                let bpp = u64::from(le16(head, 28).unwrap_or(0));
                let compression = le32(head, 30).unwrap_or(0);
                if compression == 0 && matches!(bpp, 1 | 4 | 8 | 16 | 24 | 32) {
                    let row = (width * bpp).div_ceil(32) * 4;
                    if offset.saturating_add(row.saturating_mul(height)) > size {
                        return Err("the BMP pixel data is cut short".to_owned());
                    }
                }
            }
            Ok(())
        }
        Format::Tiff => {
            let offset = if head.starts_with(b"II") {
                le32(head, 4)
            } else {
                be32(head, 4)
            }
            .unwrap_or(0);
            if offset < 8 || u64::from(offset) + 2 > size {
                return Err("the TIFF's first image directory is outside the file".to_owned());
            }
            Ok(())
        }
        Format::Webp => {
            let riff = u64::from(le32(head, 4).unwrap_or(0));
            if riff + 8 > size {
                return Err(
                    "the WebP file is shorter than its RIFF header says: it is cut short"
                        .to_owned(),
                );
            }
            Ok(())
        }
        Format::Heic if whole => {
            let mut i: u64 = 0;
            while i < size {
                let at = usize::try_from(i).unwrap_or(usize::MAX);
                let Some(short) = be32(head, at) else {
                    return Err("the HEIC file ends inside a box header".to_owned());
                };
                let len = match short {
                    0 => size - i,
                    1 => head
                        .get(at + 8..at + 16)
                        .map(|b| {
                            u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
                        })
                        .ok_or_else(|| "the HEIC file ends inside a box header".to_owned())?,
                    n => u64::from(n),
                };
                if len < 8 || i + len > size {
                    return Err(
                        "a HEIC box runs past the end of the file: it is cut short".to_owned()
                    );
                }
                i += len;
            }
            Ok(())
        }
        Format::Ole => {
            let shift = le16(head, 30).unwrap_or(0);
            if !matches!(shift, 9 | 12) {
                return Err(format!(
                    "the compound file's sector shift {shift} is not valid"
                ));
            }
            let sector = 1u64 << shift;
            if size < 512 + sector {
                return Err("the compound file has no sector after its header".to_owned());
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::samples::{jpeg_with_comment, pdf_with_text, png_with_text};

    fn fixture(name: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/samples")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[test]
    fn samples_and_fixtures_are_whole() {
        let inputs = [
            ("png", png_with_text(800, 600, "Invoice\nTotal: 3")),
            ("png non-latin", png_with_text(64, 64, "发票 Grüße")),
            ("png large", png_with_text(20_000, 20_000, "big")),
            ("png no text", png_with_text(1, 1, "")),
            ("jpeg", jpeg_with_comment(640, 480, "Name: Ada")),
            ("jpeg no text", jpeg_with_comment(640, 480, "")),
            ("pdf", pdf_with_text(&[&["one"], &["two", "three"]])),
            ("pdf empty", pdf_with_text(&[])),
            ("invoice.png", fixture("invoice.png")),
            ("receipt.jpg", fixture("receipt.jpg")),
            ("letter.pdf", fixture("letter.pdf")),
            ("report.pdf", fixture("report.pdf")),
        ];
        for (name, bytes) in inputs {
            let format = Format::sniff(&bytes);
            assert_eq!(check(&bytes, format), Ok(()), "{name}");
        }
    }

    #[test]
    fn every_cut_of_a_sample_is_refused() {
        let png = png_with_text(24, 8, "Hi");
        let jpeg = jpeg_with_comment(64, 48, "Hi");
        let pdf = pdf_with_text(&[&["Hi"]]);
        // The PDF stays whole when only its final newline is cut.
        for (name, bytes, keep) in [("png", &png, 8), ("jpeg", &jpeg, 3), ("pdf", &pdf, 6)] {
            let format = Format::sniff(bytes);
            let whole_down_to = if name == "pdf" {
                bytes.len() - 1
            } else {
                bytes.len()
            };
            for len in keep..whole_down_to {
                assert!(
                    check(&bytes[..len], format).is_err(),
                    "{name} cut to {len} of {} bytes passed",
                    bytes.len()
                );
            }
        }
    }

    #[test]
    fn broken_insides_are_refused() {
        let mut png = png_with_text(24, 8, "");
        // Flip a byte of the image data and fix the chunk CRC: only zlib can tell.
        let idat = png.windows(4).position(|w| w == b"IDAT").unwrap();
        let len = u32::from_be_bytes(png[idat - 4..idat].try_into().unwrap()) as usize;
        png[idat + 4 + len - 2] ^= 0xFF;
        let crc = crc32(&png[idat..idat + 4 + len]);
        png[idat + 4 + len..idat + 8 + len].copy_from_slice(&crc.to_be_bytes());
        assert!(check(&png, Format::Png).unwrap_err().contains("zlib"));
        let mut png = png_with_text(24, 8, "");
        png[20] ^= 1; // inside IHDR: CRC mismatch
        assert!(check(&png, Format::Png).unwrap_err().contains("CRC"));
        assert!(check(
            b"%PDF-1.4\n1 0 obj<<>>endobj\nstartxref\n0\n%%EOF\n",
            Format::Pdf
        )
        .unwrap_err()
        .contains("page tree"));
        assert!(check(b"GIF89a\x01\x00\x01\x00\x00\x00\x00", Format::Gif).is_err());
        assert!(check(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", Format::Gif).is_ok());
        assert!(check(b"PK\x03\x04docx", Format::Zip).is_err());
        let mut bmp = b"BM".to_vec();
        bmp.extend_from_slice(&[0; 8]);
        bmp.extend_from_slice(&54u32.to_le_bytes());
        bmp.extend_from_slice(&40u32.to_le_bytes());
        bmp.extend_from_slice(&4u32.to_le_bytes());
        bmp.extend_from_slice(&4u32.to_le_bytes());
        bmp.extend_from_slice(&1u16.to_le_bytes());
        bmp.extend_from_slice(&24u16.to_le_bytes());
        bmp.extend_from_slice(&[0; 24]);
        assert!(check(&bmp, Format::Bmp).is_err(), "no pixels");
        bmp.extend_from_slice(&[0; 48]);
        assert_eq!(check(&bmp, Format::Bmp), Ok(()));
    }

    #[test]
    fn head_and_tail_of_large_files() {
        let pdf = pdf_with_text(&[&["Hi"]]);
        assert_eq!(
            check_head_and_tail(&pdf[..100], &pdf[pdf.len() - 200..], 1 << 30, Format::Pdf),
            Ok(())
        );
        assert!(check_head_and_tail(&pdf[..100], &pdf[..200], 1 << 30, Format::Pdf).is_err());
        let png = png_with_text(24, 8, "Hi");
        assert_eq!(
            check_head_and_tail(&png[..60], &png[png.len() - 20..], 1 << 30, Format::Png),
            Ok(())
        );
        assert!(check_head_and_tail(&png[..60], &png[..80], 1 << 30, Format::Png).is_err());
    }
}
