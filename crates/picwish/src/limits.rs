//! The documented limits of the PicWish OCR API, as constants and as ocr-core [`InputLimits`].
//!
//! Everything here comes from the "Guidelines and Limits" and the create-task parameter table
//! of the PicWish OCR documentation; the checks that use them run before anything is sent.

use std::time::Duration;

use ocr_core::{Format, InputLimits};

/// The provider id, as in [`ocr_core::Job::provider`] and in error messages.
pub const PROVIDER_ID: &str = "picwish";

/// The documented API host.
pub const DEFAULT_BASE_URL: &str = "https://techhk.aoscdn.com";

/// The environment variable [`PicWish::from_env`](crate::PicWish::from_env) reads the API key
/// from (the only place this crate reads the environment).
pub const API_KEY_ENV: &str = "PICWISH_API_KEY";

/// The request header that carries the API key.
pub const API_KEY_HEADER: &str = "X-API-KEY";

/// Largest source file: "Up to 200 MB", read as 200 MiB (200 × 1024 × 1024 bytes).
pub const MAX_FILE_BYTES: u64 = 200 * 1024 * 1024;

/// Longest image side in pixels: "Image files up to 32512 x 32512".
pub const MAX_IMAGE_SIDE: u32 = 32_512;

/// Most languages one task may name: "A file can contain up to 10 languages".
pub const MAX_LANGUAGES: usize = 10;

/// Longest source-file password, in characters: "Passwords can be up to 32 characters".
pub const MAX_PASSWORD_CHARS: usize = 32;

/// The only ports an `image_url` may use: "Do not use ports other than 80 or 443".
pub const URL_PORTS: [u16; 2] = [80, 443];

/// How long a result file URL stays valid after processing succeeds: one hour.
pub const RESULT_VALIDITY: Duration = Duration::from_secs(3600);

/// The documented default request rate ("default QPS is 2"), applied client-side.
pub const DEFAULT_RATE_LIMIT: f64 = 2.0;

/// The name of the one client-side rate limit, shared by create and query calls (the QPS is
/// the account's, not a call's): `.rate_limit(picwish::TASKS, 1.0)`, or `.rate_limit_all(1.0)`.
pub const TASKS: &str = "tasks";

/// The recommended polling interval: "We recommend polling every 1 second".
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(1);

/// The recommended total polling time: "keeping the total polling duration within 120 seconds".
pub const DEFAULT_WAIT_DEADLINE: Duration = Duration::from_secs(120);

/// The accepted source formats: pdf, ppt, pptx, xls, xlsx, doc, docx, jpeg/jpg, png, gif, bmp.
pub const SOURCE_FORMATS: [Format; 11] = [
    Format::Pdf,
    Format::Ppt,
    Format::Pptx,
    Format::Xls,
    Format::Xlsx,
    Format::Doc,
    Format::Docx,
    Format::Jpeg,
    Format::Png,
    Format::Gif,
    Format::Bmp,
];

/// The source limits as ocr-core checks them (formats by sniffing, size, image sides, URL
/// scheme and ports), so callers can compare providers before choosing one.
///
/// ```
/// let limits = picwish::input_limits();
/// assert_eq!(limits.max_bytes, 200 * 1024 * 1024);
/// assert_eq!(limits.max_side, Some(32512));
/// assert_eq!(limits.url_ports.as_deref(), Some(&[80, 443][..]));
/// ```
pub fn input_limits() -> InputLimits {
    InputLimits::new(SOURCE_FORMATS.to_vec(), MAX_FILE_BYTES)
        .with_sides(None, Some(MAX_IMAGE_SIDE))
        .with_url_ports(URL_PORTS.to_vec())
}
