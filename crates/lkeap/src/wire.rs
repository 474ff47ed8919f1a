//! What the wire types of every flow share: structs of optional fields left out of the JSON when
//! unset, their `with_*` setters, and the `Debug` forms that hide a request's content.

use std::fmt;

use crate::file_type::FileType;
use crate::result_url::redact_url;

/// Defines a wire struct: every field public, taken as its default when the JSON lacks it, and
/// left out of the JSON when it is an unset option (other values are always sent); a field
/// written `name: T = "path",` is also deserialized with the function at `path` (say
/// `"lenient::opt_i64"`).
macro_rules! wire_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $($(#[$field_meta:meta])* $field:ident: $ty:ty $(= $with:tt)?,)*
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $(
                $(#[$field_meta])*
                #[serde(default, skip_serializing_if = "crate::wire::Omitted::omitted")]
                $(#[serde(deserialize_with = $with)])?
                pub $field: $ty,
            )*
        }
    };
}
pub(crate) use wire_struct;

/// Whether a field of a [`wire_struct!`] is left out of the JSON: an unset option is, a value
/// of any other type never is.
pub(crate) trait Omitted {
    /// Whether to leave the field out.
    fn omitted(&self) -> bool;
}

impl<T> Omitted for Option<T> {
    fn omitted(&self) -> bool {
        self.is_none()
    }
}

impl Omitted for String {
    fn omitted(&self) -> bool {
        false
    }
}

impl Omitted for FileType {
    fn omitted(&self) -> bool {
        false
    }
}

/// Writes the `with_*` setters of a wire struct: `with_x(value: T) => x;` sets the option `x`
/// to `Some(value)`, `with_x(value: impl Into<T>) => x;` to `Some(value.into())`;
/// `with_x(pages);` sets the page range `start..=end`; `with_x(page_format);` sets `PageFormat`
/// and turns `ReturnPageFormat` on, without which the format has no effect.
macro_rules! setters {
    () => {};
    ($(#[$doc:meta])* $setter:ident(pages); $($rest:tt)*) => {
        $(#[$doc])*
        pub fn $setter(mut self, start: i64, end: i64) -> Self {
            self.file_start_page_number = Some(start);
            self.file_end_page_number = Some(end);
            self
        }
        $crate::wire::setters! { $($rest)* }
    };
    ($(#[$doc:meta])* $setter:ident(page_format); $($rest:tt)*) => {
        $(#[$doc])*
        pub fn $setter(mut self, value: impl Into<String>) -> Self {
            self.page_format = Some(value.into());
            self.return_page_format = Some(true);
            self
        }
        $crate::wire::setters! { $($rest)* }
    };
    (
        $(#[$doc:meta])* $setter:ident($value:ident: impl Into<$ty:ty>) => $field:ident;
        $($rest:tt)*
    ) => {
        $(#[$doc])*
        pub fn $setter(mut self, $value: impl Into<$ty>) -> Self {
            self.$field = Some($value.into());
            self
        }
        $crate::wire::setters! { $($rest)* }
    };
    ($(#[$doc:meta])* $setter:ident($value:ident: $ty:ty) => $field:ident; $($rest:tt)*) => {
        $(#[$doc])*
        pub fn $setter(mut self, $value: $ty) -> Self {
            self.$field = Some($value);
            self
        }
        $crate::wire::setters! { $($rest)* }
    };
}
pub(crate) use setters;

/// Writes what the parse flow's and the streaming action's requests share (both carry the
/// document as one of `FileUrl` / `FileBase64`, a page range and a `Config` of type `$config`):
/// their constructors and setters, the source fields the documented rules check, and a `Debug`
/// form without the URL's query string or the inline content.
macro_rules! source_request {
    ($name:ident, $(#[$config_doc:meta])* config: $config:ty) => {
        impl $name {
            /// A document the service downloads from `url`.
            pub fn from_url(
                file_type: $crate::file_type::FileType,
                url: impl Into<String>,
            ) -> Self {
                $name {
                    file_type,
                    file_url: Some(url.into()),
                    file_base64: None,
                    file_start_page_number: None,
                    file_end_page_number: None,
                    config: None,
                }
            }

            /// A document whose content is sent inline from raw bytes when the request is
            /// sent (`Lkeap::create_task_inline`): no source field is set here.
            #[allow(dead_code)] // the streaming request is given its file by the caller
            pub(crate) fn for_inline_file(file_type: $crate::file_type::FileType) -> Self {
                $name {
                    file_url: None,
                    ..$name::from_url(file_type, String::new())
                }
            }

            /// A document sent inline, already base64-encoded.
            pub fn from_base64(
                file_type: $crate::file_type::FileType,
                base64: impl Into<String>,
            ) -> Self {
                $name {
                    file_url: None,
                    file_base64: Some(base64.into()),
                    ..$name::from_url(file_type, String::new())
                }
            }

            $crate::wire::setters! {
                /// Parses pages `start..=end` only (1-based).
                with_pages(pages);
                $(#[$config_doc])*
                with_config(config: $config) => config;
            }
        }

        impl $crate::validate::DocumentRequest for $name {
            fn source(&self) -> $crate::validate::SourceFields<'_> {
                $crate::validate::SourceFields {
                    file_type: self.file_type,
                    file_url: self.file_url.as_deref(),
                    file_base64: self.file_base64.as_deref(),
                    start: self.file_start_page_number,
                    end: self.file_end_page_number,
                }
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("file_type", &self.file_type)
                    .field("file_url", &$crate::wire::UrlShown(self.file_url.as_deref()))
                    .field("file_base64", &$crate::wire::Base64Len(&self.file_base64))
                    .field("file_start_page_number", &self.file_start_page_number)
                    .field("file_end_page_number", &self.file_end_page_number)
                    .field("config", &self.config)
                    .finish()
            }
        }
    };
}
pub(crate) use source_request;

/// Formats the inline content of a request as its size only.
pub(crate) struct Base64Len<'a>(pub(crate) &'a Option<String>);

impl fmt::Debug for Base64Len<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(b) => write!(f, "<{} base64 characters>", b.len()),
            None => f.write_str("None"),
        }
    }
}

/// Formats a caller's URL (possibly pre-signed) without its query string.
pub(crate) struct UrlShown<'a>(pub(crate) Option<&'a str>);

impl fmt::Debug for UrlShown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(u) => write!(f, "{:?}", redact_url(u)),
            None => f.write_str("None"),
        }
    }
}
