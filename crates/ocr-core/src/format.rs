//! Document formats: recognised from their first bytes, not from what a file name claims.
//!
//! [`Format::sniff`] looks at magic bytes (and, for ZIP-based Office files, at the part names
//! near the start of the archive). Text formats have no magic and are only known from a file
//! extension ([`Format::from_extension`]). [`image_dimensions`] reads width and height from an
//! image header, so pixel limits can be enforced before an upload.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A document format a provider may accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Format {
    /// PNG image.
    Png,
    /// JPEG image.
    Jpeg,
    /// GIF image.
    Gif,
    /// Windows bitmap.
    Bmp,
    /// TIFF image.
    Tiff,
    /// WebP image.
    Webp,
    /// HEIC/HEIF image.
    Heic,
    /// PDF document.
    Pdf,
    /// Legacy Word document (OLE compound file).
    Doc,
    /// Word document (Office Open XML).
    Docx,
    /// Legacy Excel workbook (OLE compound file).
    Xls,
    /// Excel workbook (Office Open XML).
    Xlsx,
    /// Legacy PowerPoint deck (OLE compound file).
    Ppt,
    /// PowerPoint deck (Office Open XML).
    Pptx,
    /// Plain text.
    Txt,
    /// Markdown.
    Markdown,
    /// Comma-separated values.
    Csv,
}

impl Format {
    /// Every format, for listings.
    pub const ALL: [Format; 17] = [
        Format::Png,
        Format::Jpeg,
        Format::Gif,
        Format::Bmp,
        Format::Tiff,
        Format::Webp,
        Format::Heic,
        Format::Pdf,
        Format::Doc,
        Format::Docx,
        Format::Xls,
        Format::Xlsx,
        Format::Ppt,
        Format::Pptx,
        Format::Txt,
        Format::Markdown,
        Format::Csv,
    ];

    /// The usual file extension, lowercase, without a dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Jpeg => "jpg",
            Format::Gif => "gif",
            Format::Bmp => "bmp",
            Format::Tiff => "tiff",
            Format::Webp => "webp",
            Format::Heic => "heic",
            Format::Pdf => "pdf",
            Format::Doc => "doc",
            Format::Docx => "docx",
            Format::Xls => "xls",
            Format::Xlsx => "xlsx",
            Format::Ppt => "ppt",
            Format::Pptx => "pptx",
            Format::Txt => "txt",
            Format::Markdown => "md",
            Format::Csv => "csv",
        }
    }

    /// The media type to send in `Content-Type`.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Png => "image/png",
            Format::Jpeg => "image/jpeg",
            Format::Gif => "image/gif",
            Format::Bmp => "image/bmp",
            Format::Tiff => "image/tiff",
            Format::Webp => "image/webp",
            Format::Heic => "image/heic",
            Format::Pdf => "application/pdf",
            Format::Doc => "application/msword",
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            Format::Xls => "application/vnd.ms-excel",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Ppt => "application/vnd.ms-powerpoint",
            Format::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            Format::Txt => "text/plain",
            Format::Markdown => "text/markdown",
            Format::Csv => "text/csv",
        }
    }

    /// Whether this is a raster image format.
    pub fn is_image(self) -> bool {
        matches!(
            self,
            Format::Png
                | Format::Jpeg
                | Format::Gif
                | Format::Bmp
                | Format::Tiff
                | Format::Webp
                | Format::Heic
        )
    }

    /// The format a file extension names (case-insensitive, with or without the dot).
    ///
    /// ```
    /// use ocr_core::Format;
    /// assert_eq!(Format::from_extension(".JPEG"), Some(Format::Jpeg));
    /// assert_eq!(Format::from_extension("exe"), None);
    /// ```
    pub fn from_extension(ext: &str) -> Option<Format> {
        let ext = ext.trim_start_matches('.').to_ascii_lowercase();
        Some(match ext.as_str() {
            "png" => Format::Png,
            "jpg" | "jpeg" | "jpe" => Format::Jpeg,
            "gif" => Format::Gif,
            "bmp" => Format::Bmp,
            "tif" | "tiff" => Format::Tiff,
            "webp" => Format::Webp,
            "heic" | "heif" => Format::Heic,
            "pdf" => Format::Pdf,
            "doc" => Format::Doc,
            "docx" => Format::Docx,
            "xls" => Format::Xls,
            "xlsx" => Format::Xlsx,
            "ppt" => Format::Ppt,
            "pptx" => Format::Pptx,
            "txt" | "text" => Format::Txt,
            "md" | "markdown" => Format::Markdown,
            "csv" => Format::Csv,
            _ => return None,
        })
    }

    /// The format named by a file name's extension.
    pub fn from_file_name(name: &str) -> Option<Format> {
        let (_, ext) = name.rsplit_once('.')?;
        Format::from_extension(ext)
    }

    /// Recognises a format from the first bytes of a file (at least 16 bytes, ideally a few
    /// KiB so ZIP-based Office files can be told apart). `None` when nothing matches.
    ///
    /// Legacy Office files share one container (OLE), so `Doc`/`Xls`/`Ppt` are told apart by
    /// [`Format::detect`] using the file name; `sniff` alone reports them as [`Format::Doc`].
    ///
    /// ```
    /// use ocr_core::Format;
    /// assert_eq!(Format::sniff(b"%PDF-1.7\n..."), Some(Format::Pdf));
    /// assert_eq!(Format::sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(Format::Png));
    /// assert_eq!(Format::sniff(b"hello"), None);
    /// ```
    pub fn sniff(head: &[u8]) -> Option<Format> {
        let starts = |magic: &[u8]| head.starts_with(magic);
        if starts(b"\x89PNG\r\n\x1a\n") {
            Some(Format::Png)
        } else if starts(&[0xFF, 0xD8, 0xFF]) {
            Some(Format::Jpeg)
        } else if starts(b"GIF87a") || starts(b"GIF89a") {
            Some(Format::Gif)
        } else if starts(b"BM") && head.len() >= 26 && bmp_header_plausible(head) {
            Some(Format::Bmp)
        } else if starts(b"II*\0") || starts(b"MM\0*") {
            Some(Format::Tiff)
        } else if starts(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
            Some(Format::Webp)
        } else if head.get(4..8) == Some(b"ftyp")
            && matches!(
                head.get(8..12),
                Some(b"heic" | b"heix" | b"mif1" | b"msf1" | b"heim" | b"heis" | b"hevc")
            )
        {
            Some(Format::Heic)
        } else if find(head.get(..1024).unwrap_or(head), b"%PDF-").is_some() {
            // The PDF header may be preceded by junk within the first KiB (readers accept it).
            Some(Format::Pdf)
        } else if starts(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            Some(Format::Doc)
        } else if starts(b"PK\x03\x04") {
            sniff_office_zip(head)
        } else {
            None
        }
    }

    /// Recognises a format from content first and then from the file name: the name refines
    /// a legacy Office container and names text formats, which have no magic bytes.
    pub fn detect(head: &[u8], file_name: Option<&str>) -> Option<Format> {
        let by_name = file_name.and_then(Format::from_file_name);
        match Format::sniff(head) {
            Some(Format::Doc) => match by_name {
                Some(f @ (Format::Doc | Format::Xls | Format::Ppt)) => Some(f),
                _ => Some(Format::Doc),
            },
            Some(f) => Some(f),
            None => match by_name {
                Some(f @ (Format::Txt | Format::Markdown | Format::Csv)) if is_utf8_text(head) => {
                    Some(f)
                }
                _ => None,
            },
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

/// Whether `head` is UTF-8 text, allowing it to end in the middle of a multi-byte sequence
/// (it is only the first part of a file).
fn is_utf8_text(head: &[u8]) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

fn bmp_header_plausible(head: &[u8]) -> bool {
    // BITMAPINFOHEADER sizes: 12, 40, 52, 56, 108, 124.
    let dib = u32::from_le_bytes([head[14], head[15], head[16], head[17]]);
    matches!(dib, 12 | 40 | 52 | 56 | 64 | 108 | 124)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn sniff_office_zip(head: &[u8]) -> Option<Format> {
    // Part names appear in the local file headers; Office writes its main folder early.
    if find(head, b"word/").is_some() {
        Some(Format::Docx)
    } else if find(head, b"xl/").is_some() {
        Some(Format::Xlsx)
    } else if find(head, b"ppt/").is_some() {
        Some(Format::Pptx)
    } else {
        None
    }
}

/// Width and height of an image in pixels, read from its header.
///
/// Supports PNG, GIF, BMP, JPEG (scans to the first start-of-frame marker) and WebP (lossy,
/// lossless, extended). Returns `None` when the header is not there or not understood.
///
/// ```
/// let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
/// png.extend_from_slice(&640u32.to_be_bytes());
/// png.extend_from_slice(&480u32.to_be_bytes());
/// assert_eq!(ocr_core::format::image_dimensions(&png), Some((640, 480)));
/// ```
pub fn image_dimensions(head: &[u8]) -> Option<(u32, u32)> {
    match Format::sniff(head)? {
        Format::Png => {
            let w = be32(head.get(16..20)?);
            let h = be32(head.get(20..24)?);
            Some((w, h))
        }
        Format::Gif => {
            let w = u16::from_le_bytes([*head.get(6)?, *head.get(7)?]);
            let h = u16::from_le_bytes([*head.get(8)?, *head.get(9)?]);
            Some((u32::from(w), u32::from(h)))
        }
        Format::Bmp => {
            let dib = le32(head.get(14..18)?);
            if dib == 12 {
                let w = u16::from_le_bytes([*head.get(18)?, *head.get(19)?]);
                let h = u16::from_le_bytes([*head.get(20)?, *head.get(21)?]);
                Some((u32::from(w), u32::from(h)))
            } else {
                let w = i32::from_le_bytes(head.get(18..22)?.try_into().ok()?);
                let h = i32::from_le_bytes(head.get(22..26)?.try_into().ok()?);
                Some((w.unsigned_abs(), h.unsigned_abs()))
            }
        }
        Format::Jpeg => jpeg_dimensions(head),
        Format::Webp => webp_dimensions(head),
        _ => None,
    }
}

fn be32(b: &[u8]) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[..4]);
    u32::from_be_bytes(a)
}

fn le32(b: &[u8]) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[..4]);
    u32::from_le_bytes(a)
}

fn jpeg_dimensions(data: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    while i + 4 <= data.len() {
        if data[i] != 0xFF {
            return None;
        }
        let marker = data[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        // Markers without a length.
        if marker == 0xD8 || marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            i += 2;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([data[i + 2], *data.get(i + 3)?]));
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            let h = u16::from_be_bytes([*data.get(i + 5)?, *data.get(i + 6)?]);
            let w = u16::from_be_bytes([*data.get(i + 7)?, *data.get(i + 8)?]);
            return Some((u32::from(w), u32::from(h)));
        }
        if len < 2 {
            return None;
        }
        i += 2 + len;
    }
    None
}

fn webp_dimensions(data: &[u8]) -> Option<(u32, u32)> {
    match data.get(12..16)? {
        b"VP8 " => {
            // Frame tag (3) + start code (3), then 14-bit width and height.
            let w = u16::from_le_bytes([*data.get(26)?, *data.get(27)?]) & 0x3FFF;
            let h = u16::from_le_bytes([*data.get(28)?, *data.get(29)?]) & 0x3FFF;
            Some((u32::from(w), u32::from(h)))
        }
        b"VP8L" => {
            let b = data.get(21..25)?;
            let bits = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        b"VP8X" => {
            let b = data.get(24..30)?;
            let w = u32::from_le_bytes([b[0], b[1], b[2], 0]) + 1;
            let h = u32::from_le_bytes([b[3], b[4], b[5], 0]) + 1;
            Some((w, h))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_every_magic() {
        let cases: &[(&[u8], Format)] = &[
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", Format::Png),
            (b"\xFF\xD8\xFF\xE0\0\x10JFIF", Format::Jpeg),
            (b"GIF89a\x01\0\x01\0", Format::Gif),
            (
                b"BM\0\0\0\0\0\0\0\0\0\0\0\0\x28\0\0\0\x02\0\0\0\x03\0\0\0\x01\0",
                Format::Bmp,
            ),
            (b"II*\0\x08\0\0\0", Format::Tiff),
            (b"MM\0*\0\0\0\x08", Format::Tiff),
            (b"RIFF\0\0\0\0WEBPVP8 ", Format::Webp),
            (b"\0\0\0\x18ftypheic\0\0\0\0", Format::Heic),
            (b"%PDF-1.4\n", Format::Pdf),
            (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0", Format::Doc),
            (
                b"PK\x03\x04....[Content_Types].xml....word/document.xml",
                Format::Docx,
            ),
            (b"PK\x03\x04....xl/workbook.xml", Format::Xlsx),
            (b"PK\x03\x04....ppt/presentation.xml", Format::Pptx),
        ];
        for (head, want) in cases {
            assert_eq!(Format::sniff(head), Some(*want), "{want:?}");
        }
        assert_eq!(Format::sniff(b"PK\x03\x04plain.zip"), None);
        assert_eq!(Format::sniff(b"BMxx"), None);
        assert_eq!(Format::sniff(b""), None);
    }

    #[test]
    fn detect_refines_with_name() {
        let ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0";
        assert_eq!(Format::detect(ole, Some("a.XLS")), Some(Format::Xls));
        assert_eq!(Format::detect(ole, Some("a.ppt")), Some(Format::Ppt));
        assert_eq!(Format::detect(ole, None), Some(Format::Doc));
        assert_eq!(
            Format::detect(b"# hi", Some("a.md")),
            Some(Format::Markdown)
        );
        assert_eq!(Format::detect(b"\xFF\xFE\xFD", Some("a.txt")), None);
        // Content wins over a lying name.
        assert_eq!(
            Format::detect(b"%PDF-1.4", Some("a.png")),
            Some(Format::Pdf)
        );
        assert_eq!(Format::detect(b"nothing", Some("a.png")), None);
    }

    #[test]
    fn dimensions_of_each_image_kind() {
        let gif = b"GIF89a\x20\x03\x58\x02";
        assert_eq!(image_dimensions(gif), Some((800, 600)));
        let mut bmp = b"BM\0\0\0\0\0\0\0\0\0\0\0\0\x28\0\0\0".to_vec();
        bmp.extend_from_slice(&100i32.to_le_bytes());
        bmp.extend_from_slice(&(-50i32).to_le_bytes());
        assert_eq!(image_dimensions(&bmp), Some((100, 50)));
        // JPEG: SOI, APP0 (len 16), SOF0 with 8-bit, h=200, w=300.
        let mut jpg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        jpg.extend_from_slice(&[0; 14]);
        jpg.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0xC8, 0x01, 0x2C]);
        assert_eq!(image_dimensions(&jpg), Some((300, 200)));
        let mut webp = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
        webp.extend_from_slice(&[0x3F, 0x01, 0x00, 0xDF, 0x00, 0x00]);
        assert_eq!(image_dimensions(&webp), Some((320, 224)));
        assert_eq!(image_dimensions(b"%PDF-1.4"), None);
    }
}
