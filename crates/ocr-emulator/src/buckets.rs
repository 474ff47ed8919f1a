//! COS buckets and their objects: the storage behind the COS service, which CI jobs and the
//! download of the emulator's own URLs read too.

use std::collections::HashMap;
use std::sync::Mutex;

use bytes::Bytes;

use crate::config::EmulatorConfig;
use crate::fault::lock;

/// A stored object.
#[derive(Clone)]
pub(crate) struct Object {
    pub(crate) data: Bytes,
    pub(crate) content_type: String,
    pub(crate) etag: String,
    pub(crate) crc64: u64,
    pub(crate) last_modified: u64,
    pub(crate) meta: Vec<(String, String)>,
}

impl Object {
    pub(crate) fn new(
        data: Bytes,
        content_type: String,
        meta: Vec<(String, String)>,
        now: u64,
    ) -> Self {
        use md5::Digest as _;
        let etag = format!("\"{}\"", hex::encode(md5::Md5::digest(&data)));
        let crc64 = crate::artifacts::checksum::crc64_ecma(&data);
        Self {
            data,
            content_type,
            etag,
            crc64,
            last_modified: now,
            meta,
        }
    }
}

/// Buckets and their objects.
pub(crate) struct Buckets {
    buckets: Mutex<HashMap<String, HashMap<String, Object>>>,
}

impl Buckets {
    /// The configured buckets, empty.
    pub(crate) fn new(config: &EmulatorConfig) -> Self {
        let mut buckets = HashMap::new();
        buckets.insert(config.default_bucket.clone(), HashMap::new());
        for b in &config.extra_buckets {
            buckets.insert(b.clone(), HashMap::new());
        }
        Self {
            buckets: Mutex::new(buckets),
        }
    }

    pub(crate) fn bucket_exists(&self, bucket: &str) -> bool {
        lock(&self.buckets).contains_key(bucket)
    }

    pub(crate) fn object(&self, bucket: &str, key: &str) -> Option<Object> {
        lock(&self.buckets).get(bucket)?.get(key).cloned()
    }

    pub(crate) fn put(&self, bucket: &str, key: &str, object: Object) -> bool {
        match lock(&self.buckets).get_mut(bucket) {
            Some(objects) => {
                objects.insert(key.to_owned(), object);
                true
            }
            None => false,
        }
    }

    pub(crate) fn delete(&self, bucket: &str, key: &str) {
        if let Some(objects) = lock(&self.buckets).get_mut(bucket) {
            objects.remove(key);
        }
    }

    /// Test setup: stores an object without a request (creating the bucket if needed).
    pub(crate) fn put_direct(&self, bucket: &str, key: &str, data: Vec<u8>, now: u64) {
        let object = Object::new(
            Bytes::from(data),
            "application/octet-stream".to_owned(),
            Vec::new(),
            now,
        );
        lock(&self.buckets)
            .entry(bucket.to_owned())
            .or_default()
            .insert(key.to_owned(), object);
    }
}
