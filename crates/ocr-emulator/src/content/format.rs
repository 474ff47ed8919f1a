//! File formats from magic bytes, and image dimensions from image headers.

/// A file format recognised from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Png,
    Jpeg,
    Gif,
    Bmp,
    Tiff,
    Webp,
    Heic,
    Pdf,
    /// A ZIP container (DOCX, XLSX, PPTX, EPUB…).
    Zip,
    /// An OLE compound file (DOC, XLS, PPT).
    Ole,
    /// Valid UTF-8 without NUL bytes.
    Text,
    Unknown,
}

impl Format {
    /// Sniffs the format of `bytes` (only the first few KiB matter).
    pub(crate) fn sniff(bytes: &[u8]) -> Format {
        let starts = |magic: &[u8]| bytes.starts_with(magic);
        if starts(b"\x89PNG\r\n\x1a\n") {
            Format::Png
        } else if starts(&[0xFF, 0xD8, 0xFF]) {
            Format::Jpeg
        } else if starts(b"GIF87a") || starts(b"GIF89a") {
            Format::Gif
        } else if starts(b"BM") && bytes.len() >= 26 {
            Format::Bmp
        } else if starts(b"II*\0") || starts(b"MM\0*") {
            Format::Tiff
        } else if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
            Format::Webp
        } else if bytes.get(4..8) == Some(b"ftyp")
            && matches!(
                bytes.get(8..12),
                Some(b"heic" | b"heix" | b"mif1" | b"msf1" | b"heif")
            )
        {
            Format::Heic
        } else if starts(b"%PDF-") {
            Format::Pdf
        } else if starts(b"PK\x03\x04") {
            Format::Zip
        } else if starts(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            Format::Ole
        } else if !bytes.is_empty() && looks_like_text(bytes) {
            Format::Text
        } else {
            Format::Unknown
        }
    }

    /// A lower-case name for messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Jpeg => "jpeg",
            Format::Gif => "gif",
            Format::Bmp => "bmp",
            Format::Tiff => "tiff",
            Format::Webp => "webp",
            Format::Heic => "heic",
            Format::Pdf => "pdf",
            Format::Zip => "zip",
            Format::Ole => "ole",
            Format::Text => "text",
            Format::Unknown => "unknown",
        }
    }
}

/// UTF-8 (allowing a cut multi-byte sequence at the very end of a prefix) without NUL.
fn looks_like_text(bytes: &[u8]) -> bool {
    if bytes.contains(&0) {
        return false;
    }
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && bytes.len() - e.valid_up_to() < 4,
    }
}

/// Width and height in pixels, read from the image header when the format has one
/// that is cheap to read.
pub(crate) fn image_dimensions(bytes: &[u8], format: Format) -> Option<(u32, u32)> {
    let be32 = |at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
    };
    let le16 = |at: usize| -> Option<u32> {
        Some(u32::from(u16::from_le_bytes(
            bytes.get(at..at + 2)?.try_into().ok()?,
        )))
    };
    let dims = match format {
        Format::Png => (be32(16)?, be32(20)?),
        Format::Gif => (le16(6)?, le16(8)?),
        Format::Bmp => {
            let w = i32::from_le_bytes(bytes.get(18..22)?.try_into().ok()?);
            let h = i32::from_le_bytes(bytes.get(22..26)?.try_into().ok()?);
            (w.unsigned_abs(), h.unsigned_abs())
        }
        Format::Jpeg => jpeg_dimensions(bytes)?,
        Format::Webp => webp_dimensions(bytes)?,
        _ => return None,
    };
    (dims.0 > 0 && dims.1 > 0).then_some(dims)
}

fn jpeg_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    while i + 4 <= bytes.len() {
        if bytes.get(i) != Some(&0xFF) {
            return None;
        }
        let marker = *bytes.get(i + 1)?;
        if marker == 0xFF {
            i += 1;
            continue;
        }
        if marker == 0xD8 || (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            i += 2;
            continue;
        }
        let len = usize::from(u16::from_be_bytes(
            bytes.get(i + 2..i + 4)?.try_into().ok()?,
        ));
        let is_sof = (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            let h = u16::from_be_bytes(bytes.get(i + 5..i + 7)?.try_into().ok()?);
            let w = u16::from_be_bytes(bytes.get(i + 7..i + 9)?.try_into().ok()?);
            return Some((u32::from(w), u32::from(h)));
        }
        if marker == 0xDA || marker == 0xD9 {
            return None;
        }
        i += 2 + len;
    }
    None
}

fn webp_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let le24 = |at: usize| -> Option<u32> {
        let b = bytes.get(at..at + 3)?;
        Some(u32::from(b[0]) | (u32::from(b[1]) << 8) | (u32::from(b[2]) << 16))
    };
    match bytes.get(12..16)? {
        b"VP8X" => Some((le24(24)? + 1, le24(27)? + 1)),
        b"VP8 " => {
            let w = u16::from_le_bytes(bytes.get(26..28)?.try_into().ok()?) & 0x3FFF;
            let h = u16::from_le_bytes(bytes.get(28..30)?.try_into().ok()?) & 0x3FFF;
            Some((u32::from(w), u32::from(h)))
        }
        b"VP8L" => {
            let b = bytes.get(21..25)?;
            let bits = u32::from_le_bytes(b.try_into().ok()?);
            Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_magic_bytes() {
        assert_eq!(Format::sniff(b"\x89PNG\r\n\x1a\nrest"), Format::Png);
        assert_eq!(Format::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Format::Jpeg);
        assert_eq!(Format::sniff(b"%PDF-1.4\n"), Format::Pdf);
        assert_eq!(Format::sniff(b"PK\x03\x04...."), Format::Zip);
        assert_eq!(Format::sniff("hello 世界".as_bytes()), Format::Text);
        assert_eq!(Format::sniff(b"\x00\x01\x02"), Format::Unknown);
        assert_eq!(Format::sniff(b""), Format::Unknown);
    }

    #[test]
    fn reads_dimensions() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&800u32.to_be_bytes());
        png.extend_from_slice(&600u32.to_be_bytes());
        assert_eq!(image_dimensions(&png, Format::Png), Some((800, 600)));
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01,
            0x2C, 0x02, 0x58, 0x03,
        ];
        assert_eq!(image_dimensions(&jpeg, Format::Jpeg), Some((600, 300)));
        let mut gif = b"GIF89a".to_vec();
        gif.extend_from_slice(&[0x20, 0x03, 0x58, 0x02]);
        assert_eq!(image_dimensions(&gif, Format::Gif), Some((800, 600)));
    }
}
