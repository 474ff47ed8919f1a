//! COS object calls against wiremock: PUT (streamed file and bytes), HEAD, DELETE, and their
//! validation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use cos_ci::prelude::*;
use std::io::Write;

use bytes::Bytes;
use common::*;
use cos_ci::PutObjectOptions;
use ocr_core::ErrorKind;
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn md5_base64(data: &[u8]) -> String {
    use base64::Engine as _;
    use md5::Digest as _;
    base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(data))
}

fn put_ok() -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("etag", "\"0123456789abcdef0123456789abcdef\"")
        .insert_header("x-cos-hash-crc64ecma", "16749565679157681890")
        .insert_header("x-cos-request-id", "NWU5MDNkYzlfZDRjNzJhMDlfNjk")
}

/// Content larger than one 64 KiB hashing chunk, not a multiple of it.
fn content() -> Vec<u8> {
    (0..200_003u32).map(|i| (i * 7 % 251) as u8).collect()
}

#[tokio::test]
async fn put_object_file_streams_the_file_with_content_md5() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(put_ok())
        .expect(1)
        .mount(&server)
        .await;
    let data = content();
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(&data).unwrap();

    let key = "dir/a b+c(1).png";
    let out = client(&server)
        .put_object_file(key, file.path(), &PutObjectOptions::default())
        .await
        .unwrap();

    let r = &server.received_requests().await.unwrap()[0];
    assert_eq!(r.method.as_str(), "PUT");
    assert_eq!(
        r.url.path(),
        format!("{COS_PREFIX}/dir/a%20b%2Bc%281%29.png"),
        "each key segment is encoded, `/` kept"
    );
    assert_eq!(r.url.query(), None);
    assert_eq!(r.body, data);
    let md5 = md5_base64(&data);
    assert_signed(
        r,
        &format!("{COS_PREFIX}/{key}"),
        &[],
        &[
            ("content-length", "200003"),
            ("content-md5", &md5),
            ("content-type", "image/png"),
            ("host", &host(&server)),
        ],
        &credential(),
    );
    assert_eq!(header(r, "transfer-encoding"), None);

    assert_eq!(out.key, key);
    assert_eq!(out.content_md5, md5);
    assert_eq!(
        out.etag.as_deref(),
        Some("\"0123456789abcdef0123456789abcdef\"")
    );
    assert_eq!(out.crc64ecma.as_deref(), Some("16749565679157681890"));
    assert_eq!(out.version_id, None);
    assert_eq!(
        out.request_id.as_deref(),
        Some("NWU5MDNkYzlfZDRjNzJhMDlfNjk")
    );
}

#[tokio::test]
async fn put_object_bytes_sends_and_signs_metadata_headers() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(format!(
            "{COS_PREFIX}/notes/%E8%85%BE%E8%AE%AF%E4%BA%91.txt"
        )))
        .respond_with(put_ok().insert_header("x-cos-version-id", "v1"))
        .expect(1)
        .mount(&server)
        .await;
    let options = PutObjectOptions::default()
        .with_content_type("text/plain")
        .with_storage_class("STANDARD_IA")
        .with_metadata("source", "scanner-3");
    let out = client(&server)
        .put_object_bytes(
            "notes/腾讯云.txt",
            Bytes::from_static(b"ObjectContent"),
            &options,
        )
        .await
        .unwrap();
    assert_eq!(out.version_id.as_deref(), Some("v1"));
    let r = &server.received_requests().await.unwrap()[0];
    assert_eq!(r.body, b"ObjectContent");
    assert_signed(
        r,
        &format!("{COS_PREFIX}/notes/腾讯云.txt"),
        &[],
        &[
            ("content-length", "13"),
            ("content-md5", "mQ/fVh815F3k6TAUm8m0eg=="),
            ("content-type", "text/plain"),
            ("host", &host(&server)),
            ("x-cos-meta-source", "scanner-3"),
            ("x-cos-storage-class", "STANDARD_IA"),
        ],
        &credential(),
    );
}

#[tokio::test]
async fn temporary_credentials_use_the_cos_token_header() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let cred = credential().with_session_token(TOKEN);
    let c = builder(&server).credential(cred.clone()).build().unwrap();
    c.delete_object("a.jpg").await.unwrap();
    let r = &server.received_requests().await.unwrap()[0];
    assert_signed(
        r,
        &format!("{COS_PREFIX}/a.jpg"),
        &[],
        &[("host", &host(&server)), ("x-cos-security-token", TOKEN)],
        &cred,
    );
}

#[tokio::test]
async fn head_object_reads_the_metadata_headers() {
    let server = MockServer::start().await;
    Mock::given(method("HEAD"))
        .and(path(format!("{COS_PREFIX}/input/test.jpg")))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "image/jpeg")
                .insert_header("content-length", "5301")
                .insert_header("etag", "\"abc\"")
                .insert_header("last-modified", "Mon, 28 Jun 2022 15:23:12 GMT")
                .insert_header("x-cos-hash-crc64ecma", "123")
                .insert_header("x-cos-storage-class", "STANDARD")
                .insert_header("x-cos-meta-source", "scanner-3")
                .insert_header("x-cos-request-id", "head-1"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let meta = client(&server)
        .head_object("input/test.jpg")
        .await
        .unwrap()
        .unwrap();
    let r = &server.received_requests().await.unwrap()[0];
    assert_eq!(r.method.as_str(), "HEAD");
    assert_signed(
        r,
        &format!("{COS_PREFIX}/input/test.jpg"),
        &[],
        &[("host", &host(&server))],
        &credential(),
    );
    assert_eq!(meta.content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(meta.content_length, Some(5301));
    assert_eq!(meta.etag.as_deref(), Some("\"abc\""));
    assert_eq!(
        meta.last_modified.as_deref(),
        Some("Mon, 28 Jun 2022 15:23:12 GMT")
    );
    assert_eq!(meta.crc64ecma.as_deref(), Some("123"));
    assert_eq!(meta.storage_class.as_deref(), Some("STANDARD"));
    assert_eq!(meta.version_id, None);
    assert_eq!(
        meta.metadata.get("source").map(String::as_str),
        Some("scanner-3")
    );
    assert_eq!(meta.request_id.as_deref(), Some("head-1"));
}

#[tokio::test]
async fn head_of_a_missing_object_is_none() {
    let server = MockServer::start().await;
    Mock::given(method("HEAD"))
        .respond_with(ResponseTemplate::new(404).insert_header("x-cos-request-id", "h404"))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(
        client(&server).head_object("missing.jpg").await.unwrap(),
        None
    );
}

#[tokio::test]
async fn delete_object_reports_versioning_headers() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(format!("{COS_PREFIX}/input/test.jpg")))
        .respond_with(
            ResponseTemplate::new(204)
                .insert_header("x-cos-version-id", "v2")
                .insert_header("x-cos-delete-marker", "true")
                .insert_header("x-cos-request-id", "del-1"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let out = client(&server)
        .delete_object("input/test.jpg")
        .await
        .unwrap();
    assert_eq!(out.version_id.as_deref(), Some("v2"));
    assert!(out.delete_marker);
    assert_eq!(out.request_id.as_deref(), Some("del-1"));
    let r = &server.received_requests().await.unwrap()[0];
    assert_signed(
        r,
        &format!("{COS_PREFIX}/input/test.jpg"),
        &[],
        &[("host", &host(&server))],
        &credential(),
    );
}

#[tokio::test]
async fn object_validation_refuses_before_sending() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let c = client(&server);
    let opts = PutObjectOptions::default();
    let bytes = || Bytes::from_static(b"x");

    let long_key = "k".repeat(851);
    for key in [
        "",
        "/a.jpg",
        "a/./b.jpg",
        "a/../b.jpg",
        "a\u{7}b.jpg",
        long_key.as_str(),
    ] {
        for err in [
            c.put_object_bytes(key, bytes(), &opts).await.unwrap_err(),
            c.head_object(key).await.unwrap_err(),
            c.delete_object(key).await.unwrap_err(),
        ] {
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{key:?}: {err}");
            assert_eq!(err.field(), Some("Key"));
        }
    }

    let err = c
        .put_object_bytes(
            "a.jpg",
            bytes(),
            &opts.clone().with_metadata("Bad_Name", "v"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("x-cos-meta-Bad_Name"));
    let err = c
        .put_object_bytes("a.jpg", bytes(), &opts.clone().with_metadata("ok", "naïve"))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("x-cos-meta-ok"));
    let err = c
        .put_object_bytes(
            "a.jpg",
            bytes(),
            &opts.clone().with_storage_class("STANDARD\n"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("x-cos-storage-class"));

    // Over 5 GB: a sparse file, refused from its size before it is read.
    let big = tempfile::NamedTempFile::new().unwrap();
    big.as_file().set_len(5 * 1024 * 1024 * 1024 + 1).unwrap();
    let err = c
        .put_object_file("big.bin", big.path(), &opts)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(err.field(), Some("Content-Length"));

    let dir = tempfile::tempdir().unwrap();
    let err = c
        .put_object_file("d.bin", dir.path(), &opts)
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("body"));
    let err = c
        .put_object_file("m.bin", dir.path().join("missing"), &opts)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(err.field(), Some("body"));

    assert!(server.received_requests().await.unwrap().is_empty());
}
