//! The COS object calls the OCR flow needs: `PUT Object` (streamed from a file, with
//! `Content-MD5`), `HEAD Object` and `DELETE Object`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use ocr_core::{Error, Format, Result};
use reqwest::Method;
use tokio::io::AsyncReadExt;

use crate::client::{tag, CosCi, CosCiOp};
use crate::endpoint::key_path;
use crate::transport::{md5_base64, Call, Payload, Reply};
use crate::validate::{self, MAX_PUT_OBJECT_BYTES};

/// Bytes read at a time while hashing a file before upload.
const HASH_CHUNK: usize = 64 * 1024;

/// Optional headers of a `PUT Object`.
///
/// ```
/// use cos_ci::PutObjectOptions;
/// let options = PutObjectOptions::default()
///     .with_content_type("image/png")
///     .with_metadata("source", "scanner-3");
/// assert_eq!(options.metadata["source"], "scanner-3");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PutObjectOptions {
    /// `Content-Type`; by default guessed from the key's extension, else
    /// `application/octet-stream`.
    pub content_type: Option<String>,
    /// `x-cos-storage-class`, e.g. `STANDARD`.
    pub storage_class: Option<String>,
    /// Custom metadata, sent as `x-cos-meta-<name>`; names use lower-case letters, digits and
    /// `-` only, values printable ASCII.
    pub metadata: BTreeMap<String, String>,
}

impl PutObjectOptions {
    /// Sets `Content-Type`.
    #[must_use]
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Sets `x-cos-storage-class`.
    #[must_use]
    pub fn with_storage_class(mut self, class: impl Into<String>) -> Self {
        self.storage_class = Some(class.into());
        self
    }

    /// Adds `x-cos-meta-<name>: <value>`.
    #[must_use]
    pub fn with_metadata(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(name.into(), value.into());
        self
    }

    fn headers(&self) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        if let Some(class) = &self.storage_class {
            check_header_value("x-cos-storage-class", class)?;
            out.push(("x-cos-storage-class".to_owned(), class.clone()));
        }
        for (name, value) in &self.metadata {
            if name.is_empty()
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                return Err(Error::invalid_input(
                    format!("x-cos-meta-{name}"),
                    "metadata names may only use lower-case letters, digits and `-`",
                ));
            }
            let header = format!("x-cos-meta-{name}");
            check_header_value(&header, value)?;
            out.push((header, value.clone()));
        }
        Ok(out)
    }
}

fn check_header_value(field: &str, value: &str) -> Result<()> {
    if value.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        Ok(())
    } else {
        Err(Error::invalid_input(field, "must be printable ASCII"))
    }
}

/// What `PUT Object` answered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PutObjectOutput {
    /// The key written.
    pub key: String,
    /// `ETag` (quoted; for a simple upload normally the hex MD5 of the content).
    pub etag: Option<String>,
    /// `x-cos-hash-crc64ecma`: the CRC-64/ECMA-182 of the object, decimal.
    pub crc64ecma: Option<String>,
    /// `x-cos-version-id`, when versioning is on.
    pub version_id: Option<String>,
    /// The Base64 MD5 that was sent as `Content-MD5`.
    pub content_md5: String,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
}

/// What `HEAD Object` told about an object.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectMeta {
    /// `Content-Length`.
    pub content_length: Option<u64>,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `ETag`.
    pub etag: Option<String>,
    /// `Last-Modified`, as sent.
    pub last_modified: Option<String>,
    /// `x-cos-hash-crc64ecma`.
    pub crc64ecma: Option<String>,
    /// `x-cos-storage-class`.
    pub storage_class: Option<String>,
    /// `x-cos-version-id`.
    pub version_id: Option<String>,
    /// `x-cos-meta-*` headers, by name without the prefix.
    pub metadata: BTreeMap<String, String>,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
}

/// What `DELETE Object` answered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteObjectOutput {
    /// `x-cos-version-id`, with versioning.
    pub version_id: Option<String>,
    /// `x-cos-delete-marker: true`, with versioning.
    pub delete_marker: bool,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
}

/// The size of a regular file.
pub(crate) async fn file_len(path: &Path) -> Result<u64> {
    let meta = tokio::fs::metadata(path).await.map_err(|e| {
        Error::invalid_input("body", format!("cannot read {}", path.display())).with_source(e)
    })?;
    if !meta.is_file() {
        return Err(Error::invalid_input(
            "body",
            format!("{} is not a regular file", path.display()),
        ));
    }
    Ok(meta.len())
}

/// The size and Base64 MD5 of a file, read once in chunks (never into one buffer).
pub(crate) async fn hash_file(path: &Path) -> Result<(u64, String)> {
    use base64::Engine as _;
    use md5::Digest as _;
    let open_error = |e: std::io::Error| {
        Error::invalid_input("body", format!("cannot read {}", path.display())).with_source(e)
    };
    let mut file = tokio::fs::File::open(path).await.map_err(open_error)?;
    let meta = file.metadata().await.map_err(open_error)?;
    if !meta.is_file() {
        return Err(Error::invalid_input(
            "body",
            format!("{} is not a regular file", path.display()),
        ));
    }
    let mut hasher = md5::Md5::new();
    let mut buf = vec![0u8; HASH_CHUNK];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buf).await.map_err(open_error)?;
        if n == 0 {
            break;
        }
        total += n as u64;
        hasher.update(&buf[..n]);
    }
    let md5 = base64::engine::general_purpose::STANDARD.encode(hasher.finalize());
    Ok((total, md5))
}

fn check_put_size(len: u64) -> Result<()> {
    if len > MAX_PUT_OBJECT_BYTES {
        return Err(Error::invalid_input(
            "Content-Length",
            format!(
                "is {len} bytes; one PUT Object takes at most 5 GB ({MAX_PUT_OBJECT_BYTES} bytes), \
                 larger objects need multipart upload"
            ),
        ));
    }
    Ok(())
}

fn content_type_for(key: &str, options: &PutObjectOptions) -> String {
    options.content_type.clone().unwrap_or_else(|| {
        Format::from_file_name(key)
            .map(|f| f.media_type().to_owned())
            .unwrap_or_else(|| "application/octet-stream".to_owned())
    })
}

fn put_output(key: &str, md5: String, reply: &Reply) -> PutObjectOutput {
    PutObjectOutput {
        key: key.to_owned(),
        etag: reply.header("etag"),
        crc64ecma: reply.header("x-cos-hash-crc64ecma"),
        version_id: reply.header("x-cos-version-id"),
        content_md5: md5,
        request_id: reply.request_id(),
    }
}

impl CosCi {
    /// Uploads a local file to `key` with `PUT Object`, streaming it from disk.
    ///
    /// The file is read once first, in chunks, for its `Content-MD5` (COS answers `BadDigest`
    /// if the upload does not match), then streamed with an exact `Content-Length`. Refused
    /// before sending: bad keys, non-regular files, files over 5 GB, bad metadata names.
    ///
    /// The same bytes to the same key can be written any number of times, so an upload is
    /// retried like a read (server errors, bare gateway statuses, throttling, connection
    /// failures), each attempt streaming the file again from disk.
    ///
    /// ```no_run
    /// # async fn demo(client: cos_ci::CosCi) -> Result<(), ocr_core::Error> {
    /// let out = client.put_object_file("scans/page-1.png", "page-1.png", &Default::default()).await?;
    /// println!("stored, ETag {:?}", out.etag);
    /// # Ok(()) }
    /// ```
    pub async fn put_object_file(
        &self,
        key: &str,
        path: impl AsRef<Path>,
        options: &PutObjectOptions,
    ) -> Result<PutObjectOutput> {
        let path: PathBuf = path.as_ref().to_owned();
        let refuse = |e: Error| tag(e, CosCiOp::PutObject);
        validate::object_key("Key", key).map_err(refuse)?;
        let headers = options.headers().map_err(refuse)?;
        // The size is checked before the file is read for its MD5.
        check_put_size(file_len(&path).await.map_err(refuse)?).map_err(refuse)?;
        let (len, md5) = hash_file(&path).await.map_err(refuse)?;
        check_put_size(len).map_err(refuse)?;
        let payload = Payload::File {
            path,
            len,
            content_type: content_type_for(key, options),
            md5: md5.clone(),
        };
        self.put(key, headers, payload, md5).await
    }

    /// Uploads bytes from memory to `key` with `PUT Object` (with `Content-MD5`).
    ///
    /// ```no_run
    /// # async fn demo(client: cos_ci::CosCi) -> Result<(), ocr_core::Error> {
    /// client.put_object_bytes("notes/hello.txt", "hello".into(), &Default::default()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn put_object_bytes(
        &self,
        key: &str,
        data: Bytes,
        options: &PutObjectOptions,
    ) -> Result<PutObjectOutput> {
        let refuse = |e: Error| tag(e, CosCiOp::PutObject);
        validate::object_key("Key", key).map_err(refuse)?;
        let headers = options.headers().map_err(refuse)?;
        check_put_size(data.len() as u64).map_err(refuse)?;
        let md5 = md5_base64(&data);
        let payload = Payload::Memory {
            data,
            content_type: content_type_for(key, options),
            md5: md5.clone(),
        };
        self.put(key, headers, payload, md5).await
    }

    pub(crate) async fn put(
        &self,
        key: &str,
        headers: Vec<(String, String)>,
        payload: Payload,
        md5: String,
    ) -> Result<PutObjectOutput> {
        let mut call = Call::new(CosCiOp::PutObject, Method::PUT, key_path(key)).payload(payload);
        call.headers = headers;
        let reply = self.execute(&call).await?;
        Ok(put_output(key, md5, &reply))
    }

    /// Reads an object's metadata with `HEAD Object`; `None` when it does not exist (HEAD 404
    /// has no body, so any 404 means "absent").
    ///
    /// ```no_run
    /// # async fn demo(client: cos_ci::CosCi) -> Result<(), ocr_core::Error> {
    /// if let Some(meta) = client.head_object("scans/page-1.png").await? {
    ///     println!("{:?} bytes", meta.content_length);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn head_object(&self, key: &str) -> Result<Option<ObjectMeta>> {
        validate::object_key("Key", key).map_err(|e| tag(e, CosCiOp::HeadObject))?;
        let mut call = Call::new(CosCiOp::HeadObject, Method::HEAD, key_path(key));
        call.accept_404 = true;
        let reply = self.execute(&call).await?;
        if reply.status == 404 {
            return Ok(None);
        }
        let metadata = reply
            .headers
            .iter()
            .filter_map(|(name, value)| {
                let suffix = name.as_str().strip_prefix("x-cos-meta-")?;
                Some((suffix.to_owned(), value.to_str().ok()?.to_owned()))
            })
            .collect();
        Ok(Some(ObjectMeta {
            content_length: reply.header("content-length").and_then(|v| v.parse().ok()),
            content_type: reply.header("content-type"),
            etag: reply.header("etag"),
            last_modified: reply.header("last-modified"),
            crc64ecma: reply.header("x-cos-hash-crc64ecma"),
            storage_class: reply.header("x-cos-storage-class"),
            version_id: reply.header("x-cos-version-id"),
            metadata,
            request_id: reply.request_id(),
        }))
    }

    /// Deletes an object with `DELETE Object`.
    ///
    /// ```no_run
    /// # async fn demo(client: cos_ci::CosCi) -> Result<(), ocr_core::Error> {
    /// client.delete_object("scans/page-1.png").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_object(&self, key: &str) -> Result<DeleteObjectOutput> {
        validate::object_key("Key", key).map_err(|e| tag(e, CosCiOp::DeleteObject))?;
        let call = Call::new(CosCiOp::DeleteObject, Method::DELETE, key_path(key));
        let reply = self.execute(&call).await?;
        Ok(DeleteObjectOutput {
            version_id: reply.header("x-cos-version-id"),
            delete_marker: reply
                .header("x-cos-delete-marker")
                .is_some_and(|v| v.eq_ignore_ascii_case("true")),
            request_id: reply.request_id(),
        })
    }
}
