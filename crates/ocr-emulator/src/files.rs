//! Result files (LKEAP zips, PicWish results) served at `/files/<id>/<name>` behind
//! pre-signed-looking URLs: `?expires=<unix>&sign=<hex HMAC-SHA256>`. An expired or
//! tampered URL answers 403 with a COS-style `AccessDenied` XML body.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use url::Url;

use crate::crypto::{constant_time_eq, hmac_sha256};
use crate::fault::lock;
use crate::http_util::{parse_query, query_value};

/// Most files kept; the oldest go first.
const MAX_FILES: usize = 2_048;
/// Most bytes kept in all files together.
const MAX_BYTES: usize = 512 * 1024 * 1024;

/// A stored result file.
#[derive(Clone)]
pub(crate) struct StoredFile {
    pub(crate) bytes: Bytes,
    pub(crate) content_type: &'static str,
    pub(crate) name: String,
}

struct Store {
    files: HashMap<String, StoredFile>,
    order: VecDeque<String>,
    bytes: usize,
}

/// The file store and its URL signer.
pub(crate) struct FileStore {
    secret: [u8; 32],
    store: Mutex<Store>,
}

/// Why a file URL was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FileError {
    /// Not a `/files/…` URL of this emulator, or badly formed.
    Malformed,
    /// The signature does not match.
    BadSignature,
    /// Past its `expires`.
    Expired,
    /// No such file (any more).
    NotFound,
}

impl FileStore {
    pub(crate) fn new(secret: [u8; 32]) -> Self {
        Self {
            secret,
            store: Mutex::new(Store {
                files: HashMap::new(),
                order: VecDeque::new(),
                bytes: 0,
            }),
        }
    }

    /// Stores (or replaces) a file.
    pub(crate) fn put(&self, id: &str, file: StoredFile) {
        let mut store = lock(&self.store);
        if let Some(old) = store.files.remove(id) {
            store.bytes = store.bytes.saturating_sub(old.bytes.len());
            store.order.retain(|k| k != id);
        }
        store.bytes += file.bytes.len();
        store.files.insert(id.to_owned(), file);
        store.order.push_back(id.to_owned());
        while store.order.len() > MAX_FILES || (store.bytes > MAX_BYTES && store.order.len() > 1) {
            let Some(oldest) = store.order.pop_front() else {
                break;
            };
            if let Some(old) = store.files.remove(&oldest) {
                store.bytes = store.bytes.saturating_sub(old.bytes.len());
            }
        }
    }

    pub(crate) fn get(&self, id: &str) -> Option<StoredFile> {
        lock(&self.store).files.get(id).cloned()
    }

    fn signature(&self, id: &str, expires: u64) -> String {
        hex::encode(hmac_sha256(
            &self.secret,
            format!("{id}\n{expires}").as_bytes(),
        ))
    }

    /// The URL of a file, valid until `expires` (Unix seconds).
    pub(crate) fn url(&self, base: &Url, id: &str, name: &str, expires: u64) -> String {
        let name = tc_signing::cos_encode(name);
        format!(
            "{base}files/{id}/{name}?expires={expires}&sign={}",
            self.signature(id, expires)
        )
    }

    /// Checks a `/files/<id>[/<name>]` path and its query; returns the file.
    pub(crate) fn resolve(
        &self,
        path: &str,
        query: &str,
        now: u64,
    ) -> Result<StoredFile, FileError> {
        let rest = path.strip_prefix("/files/").ok_or(FileError::Malformed)?;
        let id = rest.split('/').next().unwrap_or_default();
        if id.is_empty() {
            return Err(FileError::Malformed);
        }
        let params = parse_query(query);
        let expires: u64 = query_value(&params, "expires")
            .and_then(|e| e.parse().ok())
            .ok_or(FileError::Malformed)?;
        let sign = query_value(&params, "sign").ok_or(FileError::Malformed)?;
        if !constant_time_eq(&self.signature(id, expires), sign) {
            return Err(FileError::BadSignature);
        }
        if now > expires {
            return Err(FileError::Expired);
        }
        self.get(id).ok_or(FileError::NotFound)
    }
}

/// Answers `GET`/`HEAD /files/…`.
pub(crate) fn handle(app: &crate::app::App, method: &Method, path: &str, query: &str) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return crate::cos::xml::error_response(
            app,
            false,
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
            path,
        );
    }
    match app.files.resolve(path, query, app.clock.now_unix()) {
        Ok(file) => {
            let len = file.bytes.len();
            let body = if method == Method::HEAD {
                Body::empty()
            } else {
                Body::from(file.bytes)
            };
            Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, file.content_type)
                .header(header::CONTENT_LENGTH, len)
                .header(
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}\"", file.name.replace('"', "")),
                )
                .header("x-cos-request-id", app.ids.cos_request_id())
                .body(body)
                .unwrap_or_default()
        }
        Err(e) => {
            let (status, code, message) = match e {
                FileError::Expired => {
                    (StatusCode::FORBIDDEN, "AccessDenied", "Request has expired")
                }
                FileError::BadSignature | FileError::Malformed => (
                    StatusCode::FORBIDDEN,
                    "AccessDenied",
                    "Access Denied. The URL signature does not match.",
                ),
                FileError::NotFound => (
                    StatusCode::NOT_FOUND,
                    "NoSuchKey",
                    "The specified key does not exist.",
                ),
            };
            crate::cos::xml::error_response(app, false, status, code, message, path)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_expire_and_resist_tampering() {
        let store = FileStore::new([9; 32]);
        store.put(
            "abc",
            StoredFile {
                bytes: Bytes::from_static(b"hi"),
                content_type: "text/plain",
                name: "r.txt".into(),
            },
        );
        let base = Url::parse("http://127.0.0.1:1/").unwrap();
        let url = Url::parse(&store.url(&base, "abc", "r.txt", 100)).unwrap();
        let q = url.query().unwrap();
        assert!(store.resolve(url.path(), q, 100).is_ok());
        assert_eq!(
            store.resolve(url.path(), q, 101).err(),
            Some(FileError::Expired)
        );
        let tampered = q.replace("expires=100", "expires=999");
        assert_eq!(
            store.resolve(url.path(), &tampered, 50).err(),
            Some(FileError::BadSignature)
        );
    }
}
