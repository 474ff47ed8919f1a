//! [`ProviderKind`]: which provider, by its id.

use std::fmt;
use std::str::FromStr;

use ocr_core::{Error, Result};
use serde::{Deserialize, Serialize};

/// The id of every provider cloud-ocr knows, whether or not this build includes it.
pub const KNOWN_PROVIDERS: [&str; 4] = ["tc-ocr", "lkeap", "cos-ci", "picwish"];

/// A provider compiled into this build, named by its id (`tc-ocr`, `lkeap`, `cos-ci`,
/// `picwish`). Each variant exists only with its cargo feature.
///
/// ```
/// # #[cfg(feature = "picwish")]
/// # fn main() -> Result<(), ocr_core::Error> {
/// use cloud_ocr::ProviderKind;
///
/// let kind: ProviderKind = "picwish".parse()?;
/// assert_eq!(kind.as_str(), "picwish");
/// assert_eq!(kind.credential_vars(), ["PICWISH_API_KEY"]);
/// assert!("nope".parse::<ProviderKind>().is_err());
/// # Ok(()) }
/// # #[cfg(not(feature = "picwish"))]
/// # fn main() {}
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[non_exhaustive]
pub enum ProviderKind {
    /// Tencent Cloud OCR (`tc-ocr`): GeneralAccurateOCR for text, ExtractDocMulti for fields.
    #[cfg(feature = "tc-ocr")]
    TcOcr,
    /// Tencent LKEAP document parsing (`lkeap`): documents to Markdown.
    #[cfg(feature = "lkeap")]
    Lkeap,
    /// COS + Cloud Infinite OCR jobs (`cos-ci`).
    #[cfg(feature = "cos-ci")]
    CosCi,
    /// PicWish OCR (`picwish`).
    #[cfg(feature = "picwish")]
    PicWish,
}

impl ProviderKind {
    /// Every provider compiled into this build, in the order the CLI tries them when it looks
    /// for credentials.
    pub const ALL: &'static [ProviderKind] = &[
        #[cfg(feature = "tc-ocr")]
        ProviderKind::TcOcr,
        #[cfg(feature = "lkeap")]
        ProviderKind::Lkeap,
        #[cfg(feature = "cos-ci")]
        ProviderKind::CosCi,
        #[cfg(feature = "picwish")]
        ProviderKind::PicWish,
    ];

    /// The provider id, as in [`ocr_core::OcrProvider::id`].
    ///
    /// ```
    /// use cloud_ocr::ProviderKind;
    ///
    /// for kind in ProviderKind::ALL {
    ///     assert_eq!(kind.as_str().parse::<ProviderKind>()?, *kind);
    ///     assert_eq!(kind.to_string(), kind.as_str());
    /// }
    /// # Ok::<(), ocr_core::Error>(())
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            #[cfg(feature = "tc-ocr")]
            ProviderKind::TcOcr => "tc-ocr",
            #[cfg(feature = "lkeap")]
            ProviderKind::Lkeap => "lkeap",
            #[cfg(feature = "cos-ci")]
            ProviderKind::CosCi => "cos-ci",
            #[cfg(feature = "picwish")]
            ProviderKind::PicWish => "picwish",
        }
    }

    /// The environment variables that carry this provider's credentials (and, for `cos-ci`,
    /// its bucket and region), as named in the error when they are missing.
    ///
    /// ```
    /// # #[cfg(feature = "cos-ci")]
    /// # fn main() {
    /// use cloud_ocr::{build_provider, Env, ProviderConfig, ProviderKind};
    ///
    /// let kind = ProviderKind::CosCi;
    /// assert!(kind.credential_vars().contains(&"CLOUD_OCR_COS_BUCKET"));
    /// let err = build_provider(&ProviderConfig::new(kind), &Env::new()).unwrap_err();
    /// assert!(kind.credential_vars().iter().all(|var| err.to_string().contains(var)));
    /// # }
    /// # #[cfg(not(feature = "cos-ci"))]
    /// # fn main() {}
    /// ```
    pub fn credential_vars(self) -> &'static [&'static str] {
        match self {
            #[cfg(feature = "tc-ocr")]
            ProviderKind::TcOcr => &[
                super::vars::TENCENT_SECRET_ID,
                super::vars::TENCENT_SECRET_KEY,
            ],
            #[cfg(feature = "lkeap")]
            ProviderKind::Lkeap => &[
                super::vars::TENCENT_SECRET_ID,
                super::vars::TENCENT_SECRET_KEY,
            ],
            #[cfg(feature = "cos-ci")]
            ProviderKind::CosCi => &[
                super::vars::TENCENT_SECRET_ID,
                super::vars::TENCENT_SECRET_KEY,
                super::vars::COS_BUCKET,
                super::vars::COS_REGION,
            ],
            #[cfg(feature = "picwish")]
            ProviderKind::PicWish => &[super::vars::PICWISH_API_KEY],
        }
    }

    /// Whether the provider signs with Tencent Cloud credentials (and so also reads the
    /// profile file).
    ///
    /// ```
    /// # #[cfg(all(feature = "lkeap", feature = "picwish"))]
    /// # fn main() {
    /// use cloud_ocr::ProviderKind;
    ///
    /// assert!(ProviderKind::Lkeap.uses_tencent_credentials());
    /// assert!(!ProviderKind::PicWish.uses_tencent_credentials());
    /// # }
    /// # #[cfg(not(all(feature = "lkeap", feature = "picwish")))]
    /// # fn main() {}
    /// ```
    pub fn uses_tencent_credentials(self) -> bool {
        match self {
            #[cfg(feature = "tc-ocr")]
            ProviderKind::TcOcr => true,
            #[cfg(feature = "lkeap")]
            ProviderKind::Lkeap => true,
            #[cfg(feature = "cos-ci")]
            ProviderKind::CosCi => true,
            #[cfg(feature = "picwish")]
            ProviderKind::PicWish => false,
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProviderKind {
    type Err = Error;

    /// Parses a provider id. An unknown name, or one whose feature this build lacks, is a
    /// [`Config`](ocr_core::ErrorKind::Config) error that lists the names that work.
    fn from_str(s: &str) -> Result<Self> {
        let name = s.trim();
        if let Some(kind) = ProviderKind::ALL.iter().find(|k| k.as_str() == name) {
            return Ok(*kind);
        }
        let available: Vec<&str> = ProviderKind::ALL.iter().map(|k| k.as_str()).collect();
        let available = if available.is_empty() {
            "none (enable a provider feature)".to_owned()
        } else {
            available.join(", ")
        };
        let message = if KNOWN_PROVIDERS.contains(&name) {
            format!(
                "provider `{name}` is not part of this build (its cargo feature `{name}` is off); \
                 available: {available}"
            )
        } else {
            format!("unknown provider `{name}`; available: {available}")
        };
        Err(Error::config(message).with_field("provider"))
    }
}

impl TryFrom<String> for ProviderKind {
    type Error = Error;

    fn try_from(value: String) -> Result<Self> {
        value.parse()
    }
}

impl From<ProviderKind> for String {
    fn from(kind: ProviderKind) -> String {
        kind.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_compiled_kind_round_trips_by_name_and_serde() {
        for kind in ProviderKind::ALL {
            assert_eq!(kind.as_str().parse::<ProviderKind>().ok(), Some(*kind));
            let json = serde_json::to_string(kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            let back: ProviderKind = serde_json::from_str(&json).unwrap();
            assert_eq!(back, *kind);
            assert!(!kind.credential_vars().is_empty());
        }
    }

    #[test]
    fn unknown_names_list_what_is_available() {
        let err = "tesseract".parse::<ProviderKind>().unwrap_err();
        assert_eq!(err.kind(), ocr_core::ErrorKind::Config);
        assert!(err.to_string().contains("unknown provider `tesseract`"));
        for kind in ProviderKind::ALL {
            assert!(err.to_string().contains(kind.as_str()));
        }
    }
}
