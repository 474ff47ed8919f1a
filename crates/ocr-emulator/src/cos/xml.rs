//! XML out: a small writer for CI / COS response bodies (exact element names, repeated
//! elements without wrappers) and the COS / CI error body.

use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use axum::response::Response;

use crate::artifacts::xml_escape;
use crate::shared::Shared;

/// Builds an XML document element by element.
#[derive(Default)]
pub(crate) struct Xml {
    out: String,
}

impl Xml {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// `<?xml …?>` declaration as COS writes it.
    pub(crate) fn declaration(mut self) -> Self {
        self.out
            .push_str("<?xml version='1.0' encoding='utf-8' ?>\n");
        self
    }

    pub(crate) fn open(&mut self, tag: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(tag);
        self.out.push('>');
        self
    }

    pub(crate) fn close(&mut self, tag: &str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push('>');
        self
    }

    /// `<tag>text</tag>`, or `<tag/>` for empty text.
    pub(crate) fn leaf(&mut self, tag: &str, text: impl AsRef<str>) -> &mut Self {
        let text = text.as_ref();
        if text.is_empty() {
            self.empty(tag)
        } else {
            self.out.push('<');
            self.out.push_str(tag);
            self.out.push('>');
            self.out.push_str(&xml_escape(text));
            self.out.push_str("</");
            self.out.push_str(tag);
            self.out.push('>');
            self
        }
    }

    /// `<tag/>`.
    pub(crate) fn empty(&mut self, tag: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(tag);
        self.out.push_str("/>");
        self
    }

    /// `<tag><X>x</X><Y>y</Y></tag>`.
    pub(crate) fn point(&mut self, tag: &str, x: i64, y: i64) -> &mut Self {
        self.open(tag)
            .leaf("X", x.to_string())
            .leaf("Y", y.to_string())
            .close(tag)
    }

    pub(crate) fn finish(self) -> String {
        self.out
    }
}

/// An `application/xml` response with the service's request-id header.
pub(crate) fn xml_response(
    shared: &Shared,
    ci: bool,
    status: StatusCode,
    body: String,
) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/xml")
        .header(request_id_header(ci), shared.ids.cos_request_id())
        .header(
            header::SERVER,
            if ci { "tencent-ci" } else { "tencent-cos" },
        )
        .body(Body::from(body))
        .unwrap_or_default()
}

/// `x-ci-request-id` on CI hosts, `x-cos-request-id` on COS hosts.
pub(crate) fn request_id_header(ci: bool) -> &'static str {
    if ci {
        "x-ci-request-id"
    } else {
        "x-cos-request-id"
    }
}

/// A COS / CI error: `<Error><Code/><Message/>[<Resource/>]<RequestId/><TraceId/></Error>`
/// (CI errors have no `Resource`), with `x-cos-request-id` / `x-ci-request-id` equal to
/// the body's `RequestId`.
pub(crate) fn error_response(
    shared: &Shared,
    ci: bool,
    status: StatusCode,
    code: &str,
    message: &str,
    resource: &str,
) -> Response {
    let request_id = shared.ids.cos_request_id();
    let trace_id = shared.ids.hex("trace", 40);
    let mut x = Xml::new().declaration();
    x.open("Error").leaf("Code", code).leaf("Message", message);
    if !ci {
        x.leaf("Resource", resource);
    }
    x.leaf("RequestId", &request_id)
        .leaf("TraceId", trace_id)
        .close("Error");
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/xml")
        .header(request_id_header(ci), request_id)
        .header(
            header::SERVER,
            if ci { "tencent-ci" } else { "tencent-cos" },
        )
        .body(Body::from(x.finish()))
        .unwrap_or_default()
}

/// The same error for a HEAD request: status and headers only (HEAD answers carry no
/// body).
pub(crate) fn error_for(
    shared: &Shared,
    method: &Method,
    ci: bool,
    status: StatusCode,
    code: &str,
    message: &str,
    resource: &str,
) -> Response {
    let response = error_response(shared, ci, status, code, message, resource);
    if method == Method::HEAD {
        let (mut parts, _) = response.into_parts();
        parts.headers.remove(header::CONTENT_TYPE);
        parts.headers.insert(
            "x-cos-error-code",
            header::HeaderValue::from_str(code)
                .unwrap_or(header::HeaderValue::from_static("Error")),
        );
        Response::from_parts(parts, Body::empty())
    } else {
        response
    }
}
