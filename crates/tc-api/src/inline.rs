//! A file sent inline in a JSON body (`ImageBase64`, `FileBase64` …), encoded from its raw
//! bytes straight into the body as the body is written.
//!
//! The typed requests carry such a field as a `String` of base64, which a caller holding the
//! raw bytes must first make: the file, its base64 and the JSON body with the base64 in it,
//! three copies at once. A provider that reads the file itself puts [`Base64Bytes`] in the
//! body instead (through a small `#[serde(flatten)]` wrapper that names the field), so only
//! the file and the body are ever held: about 2.33 times the file.

use base64::display::Base64Display;
use base64::engine::general_purpose::STANDARD;
use serde::{Serialize, Serializer};

/// Raw bytes that serialize as a standard base64 string, written piece by piece into the
/// output (serde_json's `collect_str` writes a `Display` value without building it first).
///
/// ```
/// #[derive(serde::Serialize)]
/// struct WithImage<'a> {
///     #[serde(rename = "ImageBase64")]
///     image: tc_api::inline::Base64Bytes<'a>,
/// }
/// let body = serde_json::to_string(&WithImage { image: tc_api::inline::Base64Bytes(b"hi!") }).unwrap();
/// assert_eq!(body, r#"{"ImageBase64":"aGkh"}"#);
/// ```
#[derive(Clone, Copy)]
pub struct Base64Bytes<'a>(pub &'a [u8]);

impl Serialize for Base64Bytes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&Base64Display::new(self.0, &STANDARD))
    }
}

impl std::fmt::Debug for Base64Bytes<'_> {
    /// The length only: a document's content never goes to logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Base64Bytes({} bytes)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Typed {
        #[serde(skip_serializing_if = "Option::is_none")]
        image_url: Option<String>,
        is_pdf: bool,
    }

    #[derive(Serialize)]
    struct WithImage<'a> {
        #[serde(flatten)]
        request: &'a Typed,
        #[serde(rename = "ImageBase64")]
        image: Base64Bytes<'a>,
    }

    #[test]
    fn the_body_equals_the_typed_request_with_the_base64_string() {
        // Every length modulo 3, and bytes that need padding or give '+' and '/'.
        for len in [0usize, 1, 2, 3, 4, 5, 1023, 1024, 1025, 70_000] {
            let data: Vec<u8> = (0..len).map(|i| (i * 251 % 256) as u8).collect();
            let typed = Typed {
                image_url: None,
                is_pdf: true,
            };
            // Written as the client writes bodies (to bytes), then read back.
            let bytes = serde_json::to_vec(&WithImage {
                request: &typed,
                image: Base64Bytes(&data),
            })
            .unwrap();
            let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            let expected = serde_json::json!({
                "IsPdf": true,
                "ImageBase64": STANDARD.encode(&data),
            });
            assert_eq!(body, expected, "{len} bytes");
        }
    }

    #[test]
    fn debug_shows_the_length_only() {
        assert_eq!(
            format!("{:?}", Base64Bytes(b"secret")),
            "Base64Bytes(6 bytes)"
        );
    }
}
