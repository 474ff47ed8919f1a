//! Result files (LKEAP zips, PicWish results) served at `/files/<id>/<name>` behind
//! signed URLs that expire, in two shapes:
//!
//! * LKEAP result URLs are COS pre-signed URLs, like the real ones:
//!   `?q-sign-algorithm=sha1&q-ak=…&q-sign-time=<start>%3B<end>&q-key-time=…&q-header-list=&q-url-param-list=&q-signature=…`,
//!   signed for `GET` of the path with a key only this emulator holds
//!   ([`RESULT_FILES_SECRET_ID`]) and verified as COS verifies a pre-signed URL (so a
//!   `HEAD`, another path or a changed window fails the signature);
//! * PicWish result URLs: `?expires=<unix>&sign=<hex HMAC-SHA256>`.
//!
//! An expired URL answers 403 `AccessDenied` "Request has expired", a tampered one 403
//! (`SignatureDoesNotMatch` / `AccessDenied`), both with a COS-style XML body (served by
//! `result_files`).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use axum::http::StatusCode;
use bytes::Bytes;
use url::Url;

use tc_signing::{sign_cos, CosRequest, Credential, KeyTime};

use crate::auth::{verify_cos, CosInput};
use crate::crypto::{constant_time_eq, hmac_sha256};
use crate::fault::lock;
use crate::http_util::{borrow_pairs, decode, parse_query, query_value};

/// The `q-ak` of result-file URLs: a key id of this emulator's own, which opens nothing but
/// its result files.
pub(crate) const RESULT_FILES_SECRET_ID: &str = "AKIDEMULATORRESULTFILES0000000000000";

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

/// The file store and its URL signers.
pub(crate) struct FileStore {
    secret: [u8; 32],
    /// The key of the COS-style URLs.
    credential: Credential,
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
    /// A COS pre-signed URL refused as COS refuses it (code, message).
    Cos(&'static str, String),
}

impl FileError {
    /// The HTTP status, COS error code and message of the answer.
    pub(crate) fn answer(&self) -> (StatusCode, &'static str, String) {
        match self {
            FileError::Expired => (
                StatusCode::FORBIDDEN,
                "AccessDenied",
                "Request has expired".to_owned(),
            ),
            FileError::BadSignature | FileError::Malformed => (
                StatusCode::FORBIDDEN,
                "AccessDenied",
                "Access Denied. The URL signature does not match.".to_owned(),
            ),
            FileError::NotFound => (
                StatusCode::NOT_FOUND,
                "NoSuchKey",
                "The specified key does not exist.".to_owned(),
            ),
            FileError::Cos(code, message) => (StatusCode::FORBIDDEN, code, message.clone()),
        }
    }

    /// `HTTP 403 AccessDenied (Request has expired)`: for messages about a failed download.
    pub(crate) fn describe(&self) -> String {
        let (status, code, message) = self.answer();
        format!("HTTP {} {code} ({message})", status.as_u16())
    }
}

impl FileStore {
    pub(crate) fn new(secret: [u8; 32]) -> Self {
        let key = hex::encode(hmac_sha256(&secret, b"result-file-cos-key"));
        Self {
            secret,
            credential: Credential::new(RESULT_FILES_SECRET_ID, key),
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

    /// A COS pre-signed URL of a file for `GET`, valid from `start` to `end` (Unix seconds).
    pub(crate) fn cos_url(&self, base: &Url, id: &str, name: &str, start: u64, end: u64) -> String {
        let path = format!("/files/{id}/{name}");
        let signature = sign_cos(
            &CosRequest {
                method: "GET",
                path: &path,
                query: &[],
                headers: &[],
            },
            &self.credential,
            KeyTime::new(start, end.max(start)),
        );
        format!(
            "{base}files/{id}/{}?{}",
            tc_signing::cos_encode(name),
            signature.presigned_query(None)
        )
    }

    /// Checks a `/files/<id>[/<name>]` path and its query for a `method` request; returns the
    /// file.
    pub(crate) fn resolve(
        &self,
        method: &str,
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
        if query_value(&params, "q-signature").is_some() {
            let query_refs = borrow_pairs(&params);
            let input = CosInput {
                method,
                path: &decode(path),
                query: &query_refs,
                headers: &[],
                ci_host: false,
            };
            verify_cos(&input, std::slice::from_ref(&self.credential), now)
                .map_err(|e| FileError::Cos(e.code, e.message))?;
            return self.get(id).ok_or(FileError::NotFound);
        }
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
        assert!(store.resolve("GET", url.path(), q, 100).is_ok());
        assert_eq!(
            store.resolve("GET", url.path(), q, 101).err(),
            Some(FileError::Expired)
        );
        let tampered = q.replace("expires=100", "expires=999");
        assert_eq!(
            store.resolve("GET", url.path(), &tampered, 50).err(),
            Some(FileError::BadSignature)
        );
    }

    #[test]
    fn cos_presigned_urls_expire_and_resist_tampering() {
        let store = FileStore::new([9; 32]);
        store.put(
            "abc",
            StoredFile {
                bytes: Bytes::from_static(b"hi"),
                content_type: "application/zip",
                name: "r b.zip".into(),
            },
        );
        let base = Url::parse("http://127.0.0.1:1/").unwrap();
        let url = Url::parse(&store.cos_url(&base, "abc", "r b.zip", 100, 1900)).unwrap();
        let q = url.query().unwrap();
        assert!(q.starts_with("q-sign-algorithm=sha1&q-ak=AKIDEMULATORRESULTFILES"));
        assert!(q.contains("q-sign-time=100%3B1900&"));
        assert!(store.resolve("GET", url.path(), q, 1900).is_ok());
        let expired = store.resolve("GET", url.path(), q, 1901).err();
        assert_eq!(
            expired,
            Some(FileError::Cos("AccessDenied", "Request has expired".into()))
        );
        let stretched = q.replace("1900", "9900");
        assert!(matches!(
            store.resolve("GET", url.path(), &stretched, 1000),
            Err(FileError::Cos("SignatureDoesNotMatch", _))
        ));
        assert!(matches!(
            store.resolve("HEAD", url.path(), q, 1000),
            Err(FileError::Cos("SignatureDoesNotMatch", _))
        ));
        assert!(store
            .resolve("GET", "/files/abc/other.zip", q, 1000)
            .is_err());
    }
}
