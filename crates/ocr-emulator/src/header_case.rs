//! Response header names on the wire in the case the real services write them: `ETag`,
//! `Content-Type`, `Content-Length`, `Date`, `Last-Modified`… while COS's own headers stay
//! lower case (`x-cos-request-id`, `x-cos-hash-crc64ecma`, `x-cos-meta-*`).
//!
//! HTTP header names are case-insensitive, but not every client treats them so: the official
//! COS Python SDK copies the response headers into a plain `dict` and reads
//! `response['ETag']`. hyper keeps header names lower case and writes them so, unless the
//! response carries its (crate-private) header-case map, which it otherwise builds only
//! while parsing a message on a connection with `preserve_header_case`. So the emulator
//! parses one request that spells every name it wants canonical, through hyper on an
//! in-memory pipe, once at start, keeps that request's extensions, and adds a copy to every
//! response. A name not in the map is written lower case, as before.
//!
//! Should a future hyper stop attaching the map, the template is empty and every name goes
//! out lower case again; `tests/it/truth.rs` checks the bytes on the wire.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Extensions, Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;

use crate::fault::lock;

/// The names written in this exact spelling. Everything else goes out lower case, which is
/// how COS writes its `x-cos-*` headers.
pub(crate) const CANONICAL_NAMES: &[&str] = &[
    "Accept-Ranges",
    "Access-Control-Allow-Origin",
    "Cache-Control",
    "Connection",
    "Content-Disposition",
    "Content-Encoding",
    "Content-Language",
    "Content-Length",
    "Content-MD5",
    "Content-Range",
    "Content-Type",
    "Date",
    "ETag",
    "Expires",
    "Keep-Alive",
    "Last-Modified",
    "Location",
    "Retry-After",
    "Server",
    "Transfer-Encoding",
    "Vary",
    "X-TC-RequestId",
];

/// How long building the template may take before the emulator gives up on it.
const BUILD_TIMEOUT: Duration = Duration::from_secs(2);

/// The raw request whose header spelling becomes the template. `Content-Length` comes before
/// `Transfer-Encoding` (hyper records a length only while no transfer coding was seen), and
/// the chunked body is the empty one.
fn template_request() -> Vec<u8> {
    let mut text = String::from("GET / HTTP/1.1\r\nHost: emulator\r\n");
    for name in CANONICAL_NAMES {
        if matches!(*name, "Connection" | "Content-Length" | "Transfer-Encoding") {
            continue;
        }
        // Twice, so a header sent twice keeps its spelling both times.
        for _ in 0..2 {
            text.push_str(name);
            text.push_str(": x\r\n");
        }
    }
    text.push_str(
        "Content-Length: 0\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n",
    );
    text.into_bytes()
}

/// Extensions holding hyper's header-case map with [`CANONICAL_NAMES`] (empty if hyper did
/// not attach one).
pub(crate) async fn template() -> Extensions {
    tokio::time::timeout(BUILD_TIMEOUT, build())
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

async fn build() -> Option<Extensions> {
    let (mut client, server) = tokio::io::duplex(64 * 1024);
    let (tx, rx) = oneshot::channel::<Extensions>();
    let slot = Arc::new(Mutex::new(Some(tx)));
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        if let Some(tx) = lock(&slot).take() {
            let _ = tx.send(request.extensions().clone());
        }
        async { Ok::<_, Infallible>(Response::new(Body::empty())) }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .preserve_header_case(true)
        .serve_connection(TokioIo::new(server), service);
    let exchange = async move {
        client.write_all(&template_request()).await?;
        let mut answer = Vec::new();
        client.read_to_end(&mut answer).await?;
        Ok::<_, std::io::Error>(answer)
    };
    let (served, answered) = tokio::join!(connection, exchange);
    served.ok()?;
    answered.ok()?;
    rx.await.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hyper_hands_over_a_case_map() {
        let extensions = template().await;
        assert!(!extensions.is_empty(), "hyper attached no header-case map");
    }
}
