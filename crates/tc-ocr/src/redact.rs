//! How requests show in `Debug`: URLs without their query (pre-signed URLs carry signatures
//! and tokens there) and base64 payloads as their length only.

use std::fmt;

/// A URL as it may be logged: scheme, host and path; user info, query and fragment replaced.
///
/// ```
/// assert_eq!(
///     tc_ocr::redact::url("https://b.cos.ap-guangzhou.myqcloud.com/a.png?q-sign-algorithm=sha1&q-signature=abc"),
///     "https://b.cos.ap-guangzhou.myqcloud.com/a.png?<redacted>"
/// );
/// assert_eq!(tc_ocr::redact::url("https://example.com/a.png"), "https://example.com/a.png");
/// ```
pub fn url(raw: &str) -> String {
    if url::Url::parse(raw).is_ok() {
        return ocr_core::redact::url(raw);
    }
    // Not a URL: show only what comes before any query, fragment or user-info marker.
    match raw.split_once(['?', '#', '@']) {
        Some((head, _)) => format!("{head}<redacted>"),
        None => raw.to_owned(),
    }
}

/// Shows an optional URL field redacted.
pub(crate) struct OptUrl<'a>(pub &'a Option<String>);

impl fmt::Debug for OptUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(u) => write!(f, "Some({:?})", url(u)),
            None => f.write_str("None"),
        }
    }
}

/// Shows an optional base64 payload as its length.
pub(crate) struct OptBase64<'a>(pub &'a Option<String>);

impl fmt::Debug for OptBase64<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(b) => write!(f, "Some(<{} base64 characters>)", b.len()),
            None => f.write_str("None"),
        }
    }
}

/// For a request type with `image_url` and `image_base64` fields: its `from_url` and
/// `from_base64` constructors, and a `Debug` that shows the URL redacted, the payload as its
/// length, and the other `fields` as they are.
macro_rules! image_request {
    ($ty:ident { $($field:ident),* $(,)? }) => {
        impl $ty {
            /// A request for the document at `url`, everything else unset.
            pub fn from_url(url: impl Into<String>) -> Self {
                $ty {
                    image_url: Some(url.into()),
                    ..Self::default()
                }
            }

            /// A request for a document given as base64 (no line breaks), everything else
            /// unset.
            pub fn from_base64(base64: impl Into<String>) -> Self {
                $ty {
                    image_base64: Some(base64.into()),
                    ..Self::default()
                }
            }
        }

        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($ty))
                    .field("image_url", &$crate::redact::OptUrl(&self.image_url))
                    .field("image_base64", &$crate::redact::OptBase64(&self.image_base64))
                    $(.field(stringify!($field), &self.$field))*
                    .finish()
            }
        }
    };
}
pub(crate) use image_request;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_user_info_query_and_fragment() {
        assert_eq!(
            url("https://user:pw@example.com/a?sig=1#frag"),
            "https://example.com/a?<redacted>"
        );
        assert_eq!(url("not a url?token=x"), "not a url<redacted>");
        assert_eq!(url("plain"), "plain");
        let shown = format!("{:?}", OptUrl(&Some("https://e.com/x?k=v".into())));
        assert_eq!(shown, r#"Some("https://e.com/x?<redacted>")"#);
        assert_eq!(
            format!("{:?}", OptBase64(&Some("abcd".into()))),
            "Some(<4 base64 characters>)"
        );
        assert_eq!(format!("{:?}", OptBase64(&None)), "None");
    }
}
