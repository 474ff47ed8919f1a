//! `FileType`: the upper-case file type LKEAP requires with every document, and the documented
//! rules that depend on it (which actions accept it, size limits, whether base64 is allowed).

use std::fmt;
use std::str::FromStr;

use ocr_core::Format;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::site::Site;

/// One mebibyte: the documentation's "MB".
pub const MB: u64 = 1024 * 1024;

/// The largest `FileBase64` the service accepts, measured after encoding (8 MB).
pub const MAX_BASE64_BYTES: u64 = 8 * MB;

/// Which document API a rule is about: their accepted types and limits differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flow {
    /// `CreateReconstructDocumentFlow` (parse to Markdown, asynchronous).
    Reconstruct,
    /// `ReconstructDocumentSSE` (parse to Markdown over Server-Sent Events; being retired).
    ReconstructSse,
    /// `CreateSplitDocumentFlow` (split into chunks for retrieval).
    Split,
}

impl Flow {
    /// The submitting action's name.
    pub fn action(self) -> &'static str {
        match self {
            Flow::Reconstruct => "CreateReconstructDocumentFlow",
            Flow::ReconstructSse => "ReconstructDocumentSSE",
            Flow::Split => "CreateSplitDocumentFlow",
        }
    }
}

/// The `FileType` request field: the document's type as an upper-case extension.
///
/// ```
/// use lkeap::{FileType, Flow, Site};
/// assert_eq!(FileType::Pdf.as_str(), "PDF");
/// assert_eq!(FileType::from_extension("jpeg"), Some(FileType::Jpeg));
/// assert_eq!(FileType::Pdf.max_bytes(Flow::Reconstruct, Site::Domestic), 300 * 1024 * 1024);
/// assert!(FileType::Png.allows_base64(Flow::Reconstruct, Site::International));
/// assert!(!FileType::Docx.allows_base64(Flow::Reconstruct, Site::Domestic));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileType {
    /// `WPS` (Kingsoft Writer; domestic site only).
    Wps,
    /// `PDF`.
    Pdf,
    /// `DOC` (legacy Word).
    Doc,
    /// `DOCX`.
    Docx,
    /// `XLS` (legacy Excel).
    Xls,
    /// `XLSX`.
    Xlsx,
    /// `PPT` (legacy PowerPoint).
    Ppt,
    /// `PPTX`.
    Pptx,
    /// `MD` (Markdown).
    Md,
    /// `TXT`.
    Txt,
    /// `PNG`.
    Png,
    /// `JPG`.
    Jpg,
    /// `JPEG`.
    Jpeg,
    /// `CSV`.
    Csv,
    /// `HTML`.
    Html,
    /// `EPUB`.
    Epub,
    /// `BMP`.
    Bmp,
    /// `GIF`.
    Gif,
    /// `WEBP`.
    Webp,
    /// `HEIC`.
    Heic,
    /// `EPS`.
    Eps,
    /// `ICNS`.
    Icns,
    /// `IM`.
    Im,
    /// `PCX`.
    Pcx,
    /// `PPM`.
    Ppm,
    /// `TIFF`.
    Tiff,
    /// `XBM`.
    Xbm,
    /// `HEIF`.
    Heif,
    /// `JP2` (JPEG 2000).
    Jp2,
}

use FileType::*;

impl FileType {
    /// Every type, in the documentation's order.
    pub const ALL: [FileType; 29] = [
        Wps, Pdf, Doc, Docx, Xls, Xlsx, Ppt, Pptx, Md, Txt, Png, Jpg, Jpeg, Csv, Html, Epub, Bmp,
        Gif, Webp, Heic, Eps, Icns, Im, Pcx, Ppm, Tiff, Xbm, Heif, Jp2,
    ];

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Wps => "WPS",
            Pdf => "PDF",
            Doc => "DOC",
            Docx => "DOCX",
            Xls => "XLS",
            Xlsx => "XLSX",
            Ppt => "PPT",
            Pptx => "PPTX",
            Md => "MD",
            Txt => "TXT",
            Png => "PNG",
            Jpg => "JPG",
            Jpeg => "JPEG",
            Csv => "CSV",
            Html => "HTML",
            Epub => "EPUB",
            Bmp => "BMP",
            Gif => "GIF",
            Webp => "WEBP",
            Heic => "HEIC",
            Eps => "EPS",
            Icns => "ICNS",
            Im => "IM",
            Pcx => "PCX",
            Ppm => "PPM",
            Tiff => "TIFF",
            Xbm => "XBM",
            Heif => "HEIF",
            Jp2 => "JP2",
        }
    }

    /// The type a file extension names (case-insensitive, with or without the dot).
    pub fn from_extension(ext: &str) -> Option<FileType> {
        let ext = ext.trim_start_matches('.').to_ascii_lowercase();
        Some(match ext.as_str() {
            "markdown" => Md,
            "htm" => Html,
            "tif" => Tiff,
            other => {
                return FileType::ALL
                    .into_iter()
                    .find(|t| t.as_str().eq_ignore_ascii_case(other))
            }
        })
    }

    /// The type named by a file name's extension.
    pub fn from_file_name(name: &str) -> Option<FileType> {
        let (_, ext) = name.rsplit_once('.')?;
        FileType::from_extension(ext)
    }

    /// The type of a format recognised by `ocr-core` (JPEG maps to `JPG`, HEIC to `HEIC`).
    pub fn from_format(format: Format) -> Option<FileType> {
        Some(match format {
            Format::Png => Png,
            Format::Jpeg => Jpg,
            Format::Gif => Gif,
            Format::Bmp => Bmp,
            Format::Tiff => Tiff,
            Format::Webp => Webp,
            Format::Heic => Heic,
            Format::Pdf => Pdf,
            Format::Doc => Doc,
            Format::Docx => Docx,
            Format::Xls => Xls,
            Format::Xlsx => Xlsx,
            Format::Ppt => Ppt,
            Format::Pptx => Pptx,
            Format::Txt => Txt,
            Format::Markdown => Md,
            Format::Csv => Csv,
            _ => return None,
        })
    }

    /// Recognises the type of a local file from its first bytes, using the file name only to
    /// refine a container (`.jpeg` vs `.jpg`, `.heif`, the legacy Office and WPS files that
    /// share one container) and for formats that have no magic bytes (text, HTML) or that
    /// `ocr-core` does not sniff (EPUB, EPS, ICNS, IM, PCX, PPM, XBM, JP2).
    ///
    /// A name that claims a sniffable format the content does not have is refused (`None`).
    ///
    /// ```
    /// use lkeap::FileType;
    /// assert_eq!(FileType::detect(b"%PDF-1.7\n", Some("scan.bin")), Some(FileType::Pdf));
    /// assert_eq!(FileType::detect(b"# Title\n", Some("notes.md")), Some(FileType::Md));
    /// assert_eq!(FileType::detect(b"# Title\n", Some("fake.png")), None);
    /// ```
    pub fn detect(head: &[u8], file_name: Option<&str>) -> Option<FileType> {
        let by_name = file_name.and_then(FileType::from_file_name);
        match Format::sniff(head) {
            Some(Format::Jpeg) if by_name == Some(Jpeg) => Some(Jpeg),
            Some(Format::Heic) if by_name == Some(Heif) => Some(Heif),
            Some(Format::Doc) => match by_name {
                Some(t @ (Doc | Xls | Ppt | Wps)) => Some(t),
                _ => Some(Doc),
            },
            Some(format) => FileType::from_format(format),
            None => match by_name? {
                t @ (Md | Txt | Csv | Html) if is_text(head) => Some(t),
                t @ (Wps | Epub | Eps | Icns | Im | Pcx | Ppm | Xbm | Jp2) => Some(t),
                _ => None,
            },
        }
    }

    /// Whether it is an image.
    pub fn is_image(self) -> bool {
        matches!(
            self,
            Png | Jpg
                | Jpeg
                | Bmp
                | Gif
                | Webp
                | Heic
                | Eps
                | Icns
                | Im
                | Pcx
                | Ppm
                | Tiff
                | Xbm
                | Heif
                | Jp2
        )
    }

    /// Whether it has pages a page range can select (`FileStartPageNumber` applies to PDF,
    /// PPT, PPTX and DOC per the documentation; DOCX and WPS paginate the same way).
    pub fn is_paged(self) -> bool {
        matches!(self, Pdf | Doc | Docx | Ppt | Pptx | Wps)
    }

    /// Whether `flow` accepts this type on `site`.
    pub fn accepted_by(self, flow: Flow, site: Site) -> bool {
        if self == Wps && site == Site::International && flow != Flow::Split {
            return false;
        }
        match flow {
            Flow::Reconstruct => true,
            Flow::ReconstructSse => !matches!(self, Html | Epub),
            Flow::Split => matches!(
                self,
                Wps | Pdf
                    | Doc
                    | Docx
                    | Xls
                    | Xlsx
                    | Ppt
                    | Pptx
                    | Md
                    | Txt
                    | Png
                    | Jpg
                    | Jpeg
                    | Csv
                    | Html
                    | Epub
            ),
        }
    }

    /// The documented size limit of a file of this type for `flow` on `site`, in bytes.
    pub fn max_bytes(self, flow: Flow, site: Site) -> u64 {
        let mb = match (flow, site) {
            (Flow::ReconstructSse, _) => match self {
                Wps | Pdf | Doc | Docx | Ppt | Pptx => 100,
                Md | Txt | Xls | Xlsx | Csv => 10,
                _ => 20,
            },
            (Flow::Reconstruct | Flow::Split, _) => match self {
                Pdf => match (flow, site) {
                    (Flow::Reconstruct, Site::International) => 100,
                    (Flow::Split, Site::International) => 500,
                    _ => 300,
                },
                Wps | Docx | Doc | Ppt | Pptx => 200,
                Md | Txt => 10,
                _ => 20,
            },
        };
        mb * MB
    }

    /// Whether a document of this type may be sent inline as `FileBase64` (rather than as a
    /// URL) to `flow` on `site`.
    pub fn allows_base64(self, flow: Flow, site: Site) -> bool {
        match flow {
            // Deprecated there and undocumented per type: the size rule is all that is known.
            Flow::Split => true,
            Flow::Reconstruct | Flow::ReconstructSse => match self {
                Png | Jpg | Jpeg | Pdf | Bmp | Tiff => true,
                Gif => site == Site::Domestic,
                _ => false,
            },
        }
    }

    /// The types that may be sent as `FileBase64` to `flow` on `site`, for messages.
    pub fn base64_types(flow: Flow, site: Site) -> Vec<&'static str> {
        FileType::ALL
            .into_iter()
            .filter(|t| t.accepted_by(flow, site) && t.allows_base64(flow, site))
            .map(FileType::as_str)
            .collect()
    }
}

/// Whether `head` looks like UTF-8 text (allowing a cut multi-byte sequence at the end).
fn is_text(head: &[u8]) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

impl fmt::Display for FileType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FileType {
    type Err = ocr_core::Error;

    /// Parses a wire value or an extension, case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FileType::from_extension(s).ok_or_else(|| {
            ocr_core::Error::invalid_input(
                "FileType",
                format!("{s:?} is not a documented file type"),
            )
        })
    }
}

impl Serialize for FileType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for FileType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        FileType::from_extension(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown FileType {s:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_values_round_trip() {
        for t in FileType::ALL {
            assert_eq!(FileType::from_extension(t.as_str()), Some(t));
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{}\"", t.as_str()));
            assert_eq!(serde_json::from_str::<FileType>(&json).unwrap(), t);
        }
        assert_eq!(FileType::from_extension(".TIF"), Some(Tiff));
        assert_eq!(FileType::from_extension("exe"), None);
    }

    #[test]
    fn detection_prefers_content_and_refines_by_name() {
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10];
        assert_eq!(FileType::detect(&jpeg, None), Some(Jpg));
        assert_eq!(FileType::detect(&jpeg, Some("a.JPEG")), Some(Jpeg));
        assert_eq!(FileType::detect(&jpeg, Some("a.png")), Some(Jpg));
        let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        assert_eq!(FileType::detect(&ole, Some("a.wps")), Some(Wps));
        assert_eq!(FileType::detect(&ole, Some("a.xls")), Some(Xls));
        assert_eq!(FileType::detect(&ole, None), Some(Doc));
        assert_eq!(
            FileType::detect(b"<html></html>", Some("a.htm")),
            Some(Html)
        );
        assert_eq!(
            FileType::detect(b"PK\x03\x04mimetype", Some("b.epub")),
            Some(Epub)
        );
        assert_eq!(
            FileType::detect(&[0xFF, 0xFE, 0x00, 0xD8], Some("a.txt")),
            None
        );
        assert_eq!(FileType::detect(b"plain", None), None);
    }

    #[test]
    fn per_flow_acceptance_and_limits() {
        assert!(!Wps.accepted_by(Flow::Reconstruct, Site::International));
        assert!(Wps.accepted_by(Flow::Reconstruct, Site::Domestic));
        assert!(!Html.accepted_by(Flow::ReconstructSse, Site::Domestic));
        assert!(!Gif.accepted_by(Flow::Split, Site::Domestic));
        assert_eq!(
            Pdf.max_bytes(Flow::Reconstruct, Site::International),
            100 * MB
        );
        assert_eq!(Pdf.max_bytes(Flow::Split, Site::International), 500 * MB);
        assert_eq!(
            Pdf.max_bytes(Flow::ReconstructSse, Site::Domestic),
            100 * MB
        );
        assert_eq!(
            Xlsx.max_bytes(Flow::ReconstructSse, Site::Domestic),
            10 * MB
        );
        assert_eq!(Xlsx.max_bytes(Flow::Reconstruct, Site::Domestic), 20 * MB);
        assert_eq!(Md.max_bytes(Flow::Reconstruct, Site::Domestic), 10 * MB);
        assert_eq!(Docx.max_bytes(Flow::Split, Site::Domestic), 200 * MB);
        assert!(!Gif.allows_base64(Flow::Reconstruct, Site::International));
        assert_eq!(
            FileType::base64_types(Flow::Reconstruct, Site::Domestic),
            ["PDF", "PNG", "JPG", "JPEG", "BMP", "GIF", "TIFF"]
        );
    }
}
