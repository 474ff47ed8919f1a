//! Which emulated service a request belongs to.

use std::fmt;

/// The services behind the emulator's one port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    /// Tencent Cloud OCR (API 3.0, version 2018-11-19).
    Ocr,
    /// Tencent LKEAP document parsing (API 3.0, version 2024-05-22).
    Lkeap,
    /// COS object storage (path `/cos/<bucket>/…` or host `<bucket>.cos.<region>…`).
    Cos,
    /// Cloud Infinite jobs and templates (path `/ci/<bucket>/…` or host `<bucket>.ci.<region>…`).
    Ci,
    /// PicWish OCR (`/api/tasks/document/ocr`).
    PicWish,
    /// Result files served by the emulator (`/files/<id>`).
    Files,
    /// Anything else (answered 404, or an API 3.0 request for an unknown action).
    Unknown,
}

impl Service {
    /// A short lower-case name (`ocr`, `lkeap`, `cos`, `ci`, `picwish`, `files`, `unknown`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Service::Ocr => "ocr",
            Service::Lkeap => "lkeap",
            Service::Cos => "cos",
            Service::Ci => "ci",
            Service::PicWish => "picwish",
            Service::Files => "files",
            Service::Unknown => "unknown",
        }
    }
}

impl std::str::FromStr for Service {
    type Err = String;

    /// Parses the short name [`as_str`](Self::as_str) gives (case-insensitive).
    ///
    /// ```
    /// use ocr_emulator::Service;
    /// assert_eq!("picwish".parse::<Service>(), Ok(Service::PicWish));
    /// assert!("s3".parse::<Service>().is_err());
    /// ```
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let all = [
            Service::Ocr,
            Service::Lkeap,
            Service::Cos,
            Service::Ci,
            Service::PicWish,
            Service::Files,
            Service::Unknown,
        ];
        all.into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                format!(
                    "`{text}` is not a service (one of: {})",
                    all.map(|s| s.as_str()).join(", ")
                )
            })
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
