//! The `ImageOCR` parameters shared by jobs, templates and synchronous OCR, and their rules.

use std::fmt;
use std::str::FromStr;

use ocr_core::{Error, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::xml;

/// Defines a string-valued wire enum with its documented values and an `Other` catch-all that
/// keeps unknown values a response may carry (requests refuse `Other`).
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $field:literal {
            $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value outside the documented set, as received. Requests carrying it are refused
            /// before anything is sent.
            Other(String),
        }

        impl $name {
            /// Every documented value.
            pub const DOCUMENTED: &'static [$name] = &[$($name::$variant,)+];

            /// The value on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Other(s) => s,
                }
            }

            /// Decodes a wire value, keeping unknown ones as [`Other`](Self::Other).
            pub fn from_wire(s: &str) -> Self {
                match s {
                    $($wire => $name::$variant,)+
                    other => $name::Other(other.to_owned()),
                }
            }

            /// Whether the value is one of the documented ones.
            pub fn is_documented(&self) -> bool {
                !matches!(self, $name::Other(_))
            }

            pub(crate) fn documented_list() -> String {
                [$($wire),+].join(", ")
            }

            /// Refuses an undocumented value, naming `field`.
            pub(crate) fn check(&self, field: &str) -> Result<()> {
                if self.is_documented() {
                    Ok(())
                } else {
                    Err(Error::invalid_input(
                        field,
                        format!(
                            "`{}` is not one of the documented values ({})",
                            self.as_str(),
                            Self::documented_list()
                        ),
                    ))
                }
            }
        }

        impl FromStr for $name {
            type Err = Error;

            /// Parses a documented value; anything else is an `InvalidInput` error naming the
            /// wire field.
            fn from_str(s: &str) -> Result<Self> {
                let v = $name::from_wire(s.trim());
                v.check($field)?;
                Ok(v)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                Ok($name::from_wire(String::deserialize(d)?.trim()))
            }
        }
    };
}

wire_enum! {
    /// `Type`: which OCR engine to run.
    ///
    /// ```
    /// use cos_ci::OcrType;
    /// assert_eq!("accurate".parse::<OcrType>().unwrap(), OcrType::Accurate);
    /// assert_eq!("ocr".parse::<OcrType>().unwrap_err().field(), Some("Type"));
    /// ```
    OcrType, "Type" {
        /// `general`: general printed text (the default).
        General = "general",
        /// `accurate`: printed text, high-precision edition.
        Accurate = "accurate",
        /// `efficient`: printed text, streamlined edition.
        Efficient = "efficient",
        /// `fast`: printed text, high-speed edition.
        Fast = "fast",
        /// `handwriting`: handwriting.
        Handwriting = "handwriting",
    }
}

wire_enum! {
    /// `LanguageType`: the language to recognise (only with `Type` `general`). Every language
    /// is recognised mixed with English.
    ///
    /// ```
    /// use cos_ci::LanguageType;
    /// assert_eq!("jap".parse::<LanguageType>().unwrap(), LanguageType::Jap);
    /// assert!("ja".parse::<LanguageType>().is_err());
    /// ```
    LanguageType, "LanguageType" {
        /// `zh`: Chinese and English (the default).
        Zh = "zh",
        /// `zh_rare`: English, digits, rare and traditional Chinese characters, symbols.
        ZhRare = "zh_rare",
        /// `auto`: automatic.
        Auto = "auto",
        /// `mix`: mixed languages.
        Mix = "mix",
        /// `jap`: Japanese.
        Jap = "jap",
        /// `kor`: Korean.
        Kor = "kor",
        /// `spa`: Spanish.
        Spa = "spa",
        /// `fre`: French.
        Fre = "fre",
        /// `ger`: German.
        Ger = "ger",
        /// `por`: Portuguese.
        Por = "por",
        /// `vie`: Vietnamese.
        Vie = "vie",
        /// `may`: Malay.
        May = "may",
        /// `rus`: Russian.
        Rus = "rus",
        /// `ita`: Italian.
        Ita = "ita",
        /// `hol`: Dutch.
        Hol = "hol",
        /// `swe`: Swedish.
        Swe = "swe",
        /// `fin`: Finnish.
        Fin = "fin",
        /// `dan`: Danish.
        Dan = "dan",
        /// `nor`: Norwegian.
        Nor = "nor",
        /// `hun`: Hungarian.
        Hun = "hun",
        /// `tha`: Thai.
        Tha = "tha",
        /// `hi`: Hindi.
        Hi = "hi",
        /// `ara`: Arabic.
        Ara = "ara",
    }
}

/// The `ImageOCR` parameters: the body of an OCR template, the inline `Operation.ImageOCR` of a
/// job, and (as query parameters) the options of synchronous OCR.
///
/// Every field is optional; unset fields are omitted and the service applies its default
/// (`general`, `zh`, `false`, page `1`). The service rules are checked before anything is sent:
/// documented `Type`/`LanguageType` values, `LanguageType` with `general` only, `IsPdf` with
/// `general`/`fast`, `PdfPageNumber` (≥ 1) with `IsPdf=true` only, `IsWord` with
/// `general`/`accurate`, `EnableWordPolygon` with `handwriting`.
///
/// ```
/// use cos_ci::{ImageOcr, LanguageType, OcrType};
///
/// let params = ImageOcr::new(OcrType::General)
///     .with_language(LanguageType::Zh)
///     .with_pdf_page(2)
///     .with_words(true);
/// assert_eq!(params.is_pdf, Some(true));
/// assert!(params.validate().is_ok());
/// assert_eq!(ImageOcr::default().with_pdf_page(0).validate().unwrap_err().field(), Some("PdfPageNumber"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageOcr {
    /// `Type`: the engine.
    #[serde(rename = "Type", default, skip_serializing_if = "Option::is_none")]
    pub ocr_type: Option<OcrType>,
    /// `LanguageType`: the language (general only).
    #[serde(
        rename = "LanguageType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub language_type: Option<LanguageType>,
    /// `IsPdf`: accept PDF input as well as images (general/fast only).
    #[serde(
        rename = "IsPdf",
        default,
        deserialize_with = "xml::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_pdf: Option<bool>,
    /// `PdfPageNumber`: the one PDF page to recognise, 1-based (needs `IsPdf=true`).
    #[serde(
        rename = "PdfPageNumber",
        default,
        deserialize_with = "xml::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub pdf_page_number: Option<u32>,
    /// `IsWord`: return per-character `Words` (general/accurate only).
    #[serde(
        rename = "IsWord",
        default,
        deserialize_with = "xml::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_word: Option<bool>,
    /// `EnableWordPolygon`: return per-character `WordPolygon` (handwriting only).
    #[serde(
        rename = "EnableWordPolygon",
        default,
        deserialize_with = "xml::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub enable_word_polygon: Option<bool>,
}

/// How a parameter is named in errors: XML element names (jobs, templates) or query parameter
/// names (synchronous OCR).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Naming {
    Xml,
    Query,
}

impl Naming {
    fn name(self, xml: &'static str, query: &'static str) -> &'static str {
        match self {
            Naming::Xml => xml,
            Naming::Query => query,
        }
    }
}

impl ImageOcr {
    /// Parameters selecting the engine `ocr_type`, everything else at the service default.
    pub fn new(ocr_type: OcrType) -> Self {
        ImageOcr {
            ocr_type: Some(ocr_type),
            ..ImageOcr::default()
        }
    }

    /// Sets `LanguageType`.
    #[must_use]
    pub fn with_language(mut self, language: LanguageType) -> Self {
        self.language_type = Some(language);
        self
    }

    /// Recognises page `page` (1-based) of a PDF: sets `IsPdf=true` and `PdfPageNumber`.
    #[must_use]
    pub fn with_pdf_page(mut self, page: u32) -> Self {
        self.is_pdf = Some(true);
        self.pdf_page_number = Some(page);
        self
    }

    /// Sets `IsPdf`.
    #[must_use]
    pub fn with_pdf(mut self, is_pdf: bool) -> Self {
        self.is_pdf = Some(is_pdf);
        self
    }

    /// Sets `IsWord` (per-character results, general/accurate).
    #[must_use]
    pub fn with_words(mut self, is_word: bool) -> Self {
        self.is_word = Some(is_word);
        self
    }

    /// Sets `EnableWordPolygon` (per-character quads, handwriting).
    #[must_use]
    pub fn with_word_polygon(mut self, enable: bool) -> Self {
        self.enable_word_polygon = Some(enable);
        self
    }

    /// The engine that will run: `Type`, or `general` when unset.
    pub fn effective_type(&self) -> OcrType {
        self.ocr_type.clone().unwrap_or(OcrType::General)
    }

    /// Checks the documented rules (see the type's docs); errors name the XML element.
    pub fn validate(&self) -> Result<()> {
        self.validate_as(Naming::Xml)
    }

    pub(crate) fn validate_as(&self, naming: Naming) -> Result<()> {
        let type_field = naming.name("Type", "type");
        let lang_field = naming.name("LanguageType", "language-type");
        let pdf_field = naming.name("IsPdf", "ispdf");
        let page_field = naming.name("PdfPageNumber", "pdf-pagenumber");
        let word_field = naming.name("IsWord", "isword");
        let poly_field = naming.name("EnableWordPolygon", "enable-word-polygon");

        if let Some(t) = &self.ocr_type {
            t.check(type_field)?;
        }
        let ty = self.effective_type();
        if let Some(lang) = &self.language_type {
            lang.check(lang_field)?;
            if ty != OcrType::General {
                return Err(Error::invalid_input(
                    lang_field,
                    format!("only applies to {type_field} general, not {ty}"),
                ));
            }
        }
        if self.is_pdf == Some(true) && !matches!(ty, OcrType::General | OcrType::Fast) {
            return Err(Error::invalid_input(
                pdf_field,
                format!("only applies to {type_field} general or fast, not {ty}"),
            ));
        }
        if let Some(page) = self.pdf_page_number {
            if self.is_pdf != Some(true) {
                return Err(Error::invalid_input(
                    page_field,
                    format!("may only be set together with {pdf_field}=true"),
                ));
            }
            if page == 0 {
                return Err(Error::invalid_input(
                    page_field,
                    "must be at least 1 (pages are 1-based)",
                ));
            }
        }
        if self.is_word == Some(true) && !matches!(ty, OcrType::General | OcrType::Accurate) {
            return Err(Error::invalid_input(
                word_field,
                format!("only applies to {type_field} general or accurate, not {ty}"),
            ));
        }
        if self.enable_word_polygon == Some(true) && ty != OcrType::Handwriting {
            return Err(Error::invalid_input(
                poly_field,
                format!("only applies to {type_field} handwriting, not {ty}"),
            ));
        }
        Ok(())
    }

    /// The synchronous-OCR query parameters, in documented order (without `ci-process`).
    pub(crate) fn query_pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(t) = &self.ocr_type {
            out.push(("type".to_owned(), t.as_str().to_owned()));
        }
        if let Some(l) = &self.language_type {
            out.push(("language-type".to_owned(), l.as_str().to_owned()));
        }
        if let Some(b) = self.is_pdf {
            out.push(("ispdf".to_owned(), b.to_string()));
        }
        if let Some(p) = self.pdf_page_number {
            out.push(("pdf-pagenumber".to_owned(), p.to_string()));
        }
        if let Some(b) = self.is_word {
            out.push(("isword".to_owned(), b.to_string()));
        }
        if let Some(b) = self.enable_word_polygon {
            out.push(("enable-word-polygon".to_owned(), b.to_string()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(p: &ImageOcr) -> Option<String> {
        p.validate()
            .err()
            .and_then(|e| e.field().map(str::to_owned))
    }

    #[test]
    fn rules_name_the_field() {
        let hw = ImageOcr::new(OcrType::Handwriting);
        assert_eq!(
            field(&hw.clone().with_language(LanguageType::Zh)).as_deref(),
            Some("LanguageType")
        );
        assert_eq!(field(&hw.clone().with_pdf(true)).as_deref(), Some("IsPdf"));
        assert_eq!(
            field(&hw.clone().with_words(true)).as_deref(),
            Some("IsWord")
        );
        assert_eq!(field(&hw.clone().with_word_polygon(true)), None);
        assert_eq!(
            field(&ImageOcr::new(OcrType::General).with_word_polygon(true)).as_deref(),
            Some("EnableWordPolygon")
        );
        let p = ImageOcr {
            pdf_page_number: Some(2),
            ..ImageOcr::default()
        };
        assert_eq!(field(&p).as_deref(), Some("PdfPageNumber"));
        assert_eq!(field(&ImageOcr::new(OcrType::Fast).with_pdf_page(3)), None);
        assert_eq!(
            field(&ImageOcr::new(OcrType::Other("x".into()))).as_deref(),
            Some("Type")
        );
        let p = ImageOcr {
            language_type: Some(LanguageType::Other("xx".into())),
            ..ImageOcr::default()
        };
        assert_eq!(field(&p).as_deref(), Some("LanguageType"));
        // Unset flags and explicit false are always fine.
        assert_eq!(field(&hw.with_words(false).with_pdf(false)), None);
    }

    #[test]
    fn query_naming() {
        let err = ImageOcr::default()
            .with_word_polygon(true)
            .validate_as(Naming::Query)
            .unwrap_err();
        assert_eq!(err.field(), Some("enable-word-polygon"));
    }

    #[test]
    fn enums_round_trip_and_keep_unknown_values() {
        for t in OcrType::DOCUMENTED {
            assert_eq!(&OcrType::from_wire(t.as_str()), t);
        }
        assert_eq!(LanguageType::DOCUMENTED.len(), 23);
        assert_eq!(
            OcrType::from_wire("newtype"),
            OcrType::Other("newtype".into())
        );
    }
}
