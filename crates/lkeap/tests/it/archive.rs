//! Result archives, including hostile ones built here: zip-slip, absolute paths, a bomb over the
//! cap, sizes that lie, too many entries. Each is refused with a typed error, through the
//! client's download and through extraction into a directory, and nothing lands outside it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use lkeap::{ArchiveLimits, EntryKind, Lkeap, ResultArchive};
use ocr_core::{Error, ErrorKind, Job, JobStatus, OcrProvider};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Serves `zip` as the result of task `t` and returns a client with `limits`.
async fn serving(zip: Vec<u8>, limits: ArchiveLimits) -> (MockServer, Lkeap) {
    let server = MockServer::start().await;
    let url = result_url(&server, "hostile.zip", NOW + 1800);
    action("GetReconstructDocumentResult")
        .respond_with(envelope(json!({
            "Status": "Success", "DocumentRecognizeResultUrl": url, "RequestId": "rid"
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/doc_parse/output_files/hostile.zip"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(zip, "application/zip"))
        .mount(&server)
        .await;
    let client = builder(&server).archive_limits(limits).build().unwrap();
    (server, client)
}

/// The archive is refused by every path: the provider's poll, the typed download, and
/// extraction into a directory (which stays empty, and nothing appears beside it).
async fn assert_refused(zip: Vec<u8>, limits: ArchiveLimits, says: &[&str]) {
    let (_server, client) = serving(zip.clone(), limits).await;
    let check = |err: &Error| {
        assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
        assert_eq!(err.provider(), Some("lkeap"));
        for s in says {
            assert!(err.message().contains(s), "{err} should say {s:?}");
        }
    };
    let err = client.poll(&Job::new("lkeap", "t", NOW)).await.unwrap_err();
    check(&err);
    let done = client.get_reconstruct_document_result("t").await.unwrap();
    check(
        &client
            .download_reconstruct_archive("t", &done)
            .await
            .unwrap_err(),
    );

    let root = tempfile::tempdir().unwrap();
    let target = root.path().join("out");
    check(
        &client
            .extract_reconstruct_archive("t", &done, &target)
            .await
            .unwrap_err(),
    );
    let beside: Vec<_> = std::fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        beside,
        vec![std::ffi::OsString::from("out")],
        "nothing outside the target"
    );
    assert_eq!(
        count_files(&target),
        0,
        "refused extraction leaves no files"
    );

    check(&ResultArchive::from_zip(&zip, &limits).unwrap_err());
}

fn count_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| {
                let p = e.unwrap().path();
                if p.is_dir() {
                    count_files(&p)
                } else {
                    1
                }
            })
            .sum()
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn zip_slip_is_refused() {
    let zip = zip_of(&[
        ("ok.md", b"# fine"),
        ("../evil.sh", b"#!/bin/sh\nrm -rf ~\n"),
    ]);
    assert_refused(zip, ArchiveLimits::default(), &["\"../evil.sh\"", "`..`"]).await;
    let nested = zip_of(&[("images/../../evil.md", b"x")]);
    assert_refused(nested, ArchiveLimits::default(), &["climbs out"]).await;
}

#[tokio::test]
async fn absolute_paths_are_refused() {
    let zip = zip_of(&[("/etc/cron.d/evil", b"* * * * * root evil")]);
    assert_refused(
        zip,
        ArchiveLimits::default(),
        &["\"/etc/cron.d/evil\"", "absolute path"],
    )
    .await;
    let windows = zip_of(&[("C:\\Windows\\evil.dll", b"MZ")]);
    assert_refused(windows, ArchiveLimits::default(), &["absolute path"]).await;
}

#[tokio::test]
async fn a_bomb_over_the_entry_cap_is_refused() {
    // 4 MiB of zeros deflates to a few KiB.
    let zeros = vec![0u8; 4 * 1024 * 1024];
    let zip = zip_of(&[("bomb.md", &zeros)]);
    assert!(zip.len() < 64 * 1024, "the bomb is small: {}", zip.len());
    let limits = ArchiveLimits::default().with_max_entry_bytes(1024 * 1024);
    assert_refused(zip, limits, &["\"bomb.md\"", "per-entry cap of 1048576"]).await;
}

#[tokio::test]
async fn many_entries_over_the_total_cap_are_refused() {
    let chunk = vec![b'x'; 600 * 1024];
    let zip = zip_of(&[("a.md", &chunk), ("b.md", &chunk)]);
    let limits = ArchiveLimits::default()
        .with_max_entry_bytes(1024 * 1024)
        .with_max_total_bytes(1024 * 1024);
    assert_refused(zip, limits, &["\"b.md\"", "total over the cap of 1048576"]).await;
}

/// Rewrites the uncompressed size of every entry (local and central headers) to `size`.
fn lie_about_sizes(mut zip: Vec<u8>, size: u32) -> Vec<u8> {
    let mut i = 0;
    while i + 4 <= zip.len() {
        match &zip[i..i + 4] {
            b"PK\x03\x04" => zip[i + 22..i + 26].copy_from_slice(&size.to_le_bytes()),
            b"PK\x01\x02" => zip[i + 24..i + 28].copy_from_slice(&size.to_le_bytes()),
            _ => {}
        }
        i += 1;
    }
    zip
}

#[tokio::test]
async fn a_bomb_that_lies_about_its_size_is_refused() {
    let zeros = vec![0u8; 3 * 1024 * 1024];
    let zip = lie_about_sizes(zip_of(&[("liar.md", &zeros)]), 100);
    let limits = ArchiveLimits::default().with_max_entry_bytes(1024 * 1024);
    assert_refused(zip, limits, &["\"liar.md\""]).await;
}

#[tokio::test]
async fn too_many_entries_are_refused() {
    let names: Vec<String> = (0..11).map(|i| format!("images/{i}.png")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    let limits = ArchiveLimits::default().with_max_entries(10);
    assert_refused(
        zip_of(&entries),
        limits,
        &["has 11 entries, over the cap of 10"],
    )
    .await;
}

#[tokio::test]
async fn a_download_larger_than_the_archive_cap_is_refused() {
    let zip = sample_archive();
    let limits = ArchiveLimits::default().with_max_archive_bytes(100);
    let (_server, client) = serving(zip, limits).await;
    let err = client.poll(&Job::new("lkeap", "t", NOW)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(
        err.message().contains("larger than the cap of 100 bytes"),
        "{err}"
    );
}

#[tokio::test]
async fn symlinks_and_duplicates_are_refused() {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.add_symlink(
        "link",
        "/etc/passwd",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    let zip = w.finish().unwrap().into_inner();
    let err = ResultArchive::from_zip(&zip, &ArchiveLimits::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.message().contains("symbolic link"), "{err}");

    let dup = zip_of(&[("a.md", b"1"), ("./a.md", b"2")]);
    let err = ResultArchive::from_zip(&dup, &ArchiveLimits::default()).unwrap_err();
    assert!(err.message().contains("appears twice"), "{err}");
}

#[tokio::test]
async fn garbage_instead_of_a_zip_is_a_decode_error() {
    let (_server, client) =
        serving(b"<html>expired</html>".to_vec(), ArchiveLimits::default()).await;
    let err = client.poll(&Job::new("lkeap", "t", NOW)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.message().contains("not a readable zip"), "{err}");
}

#[tokio::test]
async fn a_well_formed_archive_is_read_and_classified() {
    let archive = ResultArchive::from_zip(&sample_archive(), &ArchiveLimits::default()).unwrap();
    let kinds: Vec<_> = archive
        .entries()
        .iter()
        .map(|e| (e.path(), e.kind()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("report.md", EntryKind::Markdown),
            ("pages/page_1.md", EntryKind::PageMarkdown(1)),
            ("pages/page_2.md", EntryKind::PageMarkdown(2)),
            ("json/page_1.json", EntryKind::PageJson(1)),
            ("json/page_2.json", EntryKind::PageJson(2)),
            ("images/fig1.png", EntryKind::Image),
        ]
    );
    assert_eq!(archive.page_markdown()[&1], "# Report");
    assert_eq!(archive.images().count(), 1);
    assert_eq!(archive.images().next().unwrap().file_name(), "fig1.png");
}

#[tokio::test]
async fn pages_numbered_from_zero_are_shifted() {
    let zip = zip_of(&[("0.md", b"first"), ("1.md", b"second")]);
    let (_server, client) = serving(zip, ArchiveLimits::default()).await;
    let JobStatus::Done(doc) = client.poll(&Job::new("lkeap", "t", NOW)).await.unwrap() else {
        panic!("expected done");
    };
    let pages: Vec<_> = doc
        .pages
        .iter()
        .map(|p| (p.number, p.markdown.as_deref().unwrap()))
        .collect();
    assert_eq!(pages, [(1, "first"), (2, "second")]);
    assert_eq!(doc.markdown, None);
    assert_eq!(doc.text(), "first\n\nsecond");
}

#[test]
fn extraction_replaces_files_but_never_follows_symlinks() {
    let root = tempfile::tempdir().unwrap();
    let target = root.path().join("out");
    let outside = root.path().join("outside");
    std::fs::create_dir_all(&target).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, target.join("images")).unwrap();
    let zip = zip_of(&[("doc.md", b"new"), ("images/x.png", b"x")]);
    std::fs::write(target.join("doc.md"), b"old").unwrap();
    let err = ResultArchive::extract_zip(&zip, &target, &ArchiveLimits::default());
    #[cfg(unix)]
    {
        let err = err.unwrap_err();
        assert!(err.message().contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
    }
    #[cfg(not(unix))]
    let _ = err;
}
