//! What a COS or CI handler gets: the bucket and key a request is for, and the request.

use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::Response;

use super::xml;
use crate::shared::Shared;

/// A COS or CI request's bucket and object or resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BucketTarget {
    pub(crate) bucket: String,
    /// COS: the object key (no leading `/`; may be empty). CI: the resource path
    /// (`/jobs/…`, `/template…`).
    pub(crate) key: String,
    /// The decoded path as received: what the client signed.
    pub(crate) sign_path: String,
    /// True for the CI service.
    pub(crate) ci: bool,
    /// True when addressed by `Host` rather than by path.
    pub(crate) virtual_host: bool,
}

/// What a COS / CI handler needs about the request.
pub(crate) struct BucketCall<'a> {
    pub(crate) shared: &'a Shared,
    pub(crate) target: &'a BucketTarget,
    pub(crate) action: &'a str,
    pub(crate) parts: Parts,
    pub(crate) query: Vec<(String, String)>,
}

impl BucketCall<'_> {
    /// An error answer for this request.
    pub(crate) fn error(&self, status: StatusCode, code: &str, message: &str) -> Response {
        xml::error_for(
            self.shared,
            &self.parts.method,
            self.target.ci,
            status,
            code,
            message,
            &self.resource(),
        )
    }

    /// The `Resource` of COS errors: `<bucket>.cos.<region>.myqcloud.com/<key>`.
    pub(crate) fn resource(&self) -> String {
        format!(
            "{}.{}.{}.myqcloud.com/{}",
            self.target.bucket,
            if self.target.ci { "ci" } else { "cos" },
            self.shared.config.region,
            self.target.key.trim_start_matches('/')
        )
    }
}
