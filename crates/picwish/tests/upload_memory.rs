//! A large file is streamed through create without being read into memory: a counting global
//! allocator measures the peak heap growth during the upload, and a loopback server that
//! discards the body checks that every byte arrived.
//!
//! This file is its own test binary so the allocator counts this test alone. The counting
//! allocator needs `unsafe impl GlobalAlloc`; the library itself forbids unsafe code.
#![allow(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use picwish::prelude::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

use picwish::{CreateTask, PicWish};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Wraps the system allocator and tracks the bytes currently allocated and their peak.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let now = CURRENT.fetch_add(bytes, Ordering::SeqCst) + bytes;
    PEAK.fetch_max(now, Ordering::SeqCst);
}

fn shrank(bytes: usize) {
    CURRENT.fetch_sub(bytes, Ordering::SeqCst);
}

// SAFETY: every call is forwarded unchanged to `System`; the counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size > layout.size() {
                grew(new_size - layout.size());
            } else {
                shrank(layout.size() - new_size);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Starts the peak at the current level and returns that level.
fn reset_peak() -> usize {
    let now = CURRENT.load(Ordering::SeqCst);
    PEAK.store(now, Ordering::SeqCst);
    now
}

const MIB: usize = 1024 * 1024;
/// The generated file: 64 MiB.
const FILE_LEN: usize = 64 * MIB;
/// How far the heap may grow while the file is uploaded.
const HEAP_BUDGET: usize = 8 * MIB;
/// How much of the body's start and end the server keeps.
const KEEP: usize = 4096;

/// What the server saw, without keeping the body.
#[derive(Debug)]
struct Received {
    request_line: String,
    headers: Vec<(String, String)>,
    /// The first [`KEEP`] bytes of the body.
    head: Vec<u8>,
    /// The last [`KEEP`] bytes of the body.
    tail: Vec<u8>,
    /// Body bytes read.
    count: u64,
    /// Σ byte × (position + 1), wrapping: checks every byte and its place.
    checksum: u64,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Accepts one HTTP/1.1 request, reads its Content-Length body in 64 KiB pieces (counting and
/// checksumming, keeping only its first and last few KiB), and answers a created task.
async fn serve_one(listener: TcpListener) -> Received {
    let (mut socket, _) = listener.accept().await.unwrap();
    let mut buf = vec![0u8; 64 * 1024];
    let mut pending: Vec<u8> = Vec::new();
    let head_end = loop {
        let n = socket.read(&mut buf).await.unwrap();
        assert!(n > 0, "connection closed before the request head ended");
        pending.extend_from_slice(&buf[..n]);
        if let Some(i) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        assert!(pending.len() < 16 * 1024, "request head too long");
    };
    let head_text = String::from_utf8(pending[..head_end].to_vec()).unwrap();
    let mut lines = head_text.split("\r\n");
    let request_line = lines.next().unwrap().to_owned();
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap();
            (k.trim().to_owned(), v.trim().to_owned())
        })
        .collect();
    let mut received = Received {
        request_line,
        headers,
        head: Vec::with_capacity(KEEP),
        tail: Vec::with_capacity(2 * KEEP),
        count: 0,
        checksum: 0,
    };
    assert!(received.header("transfer-encoding").is_none());
    let length: u64 = received.header("content-length").unwrap().parse().unwrap();

    let take = |bytes: &[u8], r: &mut Received| {
        for &b in bytes {
            r.count += 1;
            r.checksum = r.checksum.wrapping_add(u64::from(b).wrapping_mul(r.count));
        }
        let room = KEEP.saturating_sub(r.head.len());
        r.head.extend_from_slice(&bytes[..room.min(bytes.len())]);
        r.tail.extend_from_slice(bytes);
        if r.tail.len() > KEEP {
            let cut = r.tail.len() - KEEP;
            r.tail.drain(..cut);
        }
    };
    let first_body = pending[head_end + 4..].to_vec();
    take(&first_body, &mut received);
    while received.count < length {
        let n = socket.read(&mut buf).await.unwrap();
        assert!(
            n > 0,
            "connection closed after {} body bytes",
            received.count
        );
        take(&buf[..n], &mut received);
    }
    let body = r#"{"status":200,"message":"success","data":{"task_id":"big-upload-1"}}"#;
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    socket.write_all(response.as_bytes()).await.unwrap();
    socket.shutdown().await.unwrap();
    received
}

/// Writes the file in 1 MiB chunks (a PDF header, then byte `i` = `i mod 251`) and returns
/// the sums the checksum needs: Σ b and Σ j·b over the file's bytes (j 0-based), wrapping.
fn write_file(path: &std::path::Path) -> (u64, u64) {
    const HEADER: &[u8] = b"%PDF-1.7\n";
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut chunk = vec![0u8; MIB];
    let (mut sum, mut weighted) = (0u64, 0u64);
    for start in (0..FILE_LEN).step_by(MIB) {
        for (k, b) in chunk.iter_mut().enumerate() {
            let j = start + k;
            *b = HEADER.get(j).copied().unwrap_or((j % 251) as u8);
            sum = sum.wrapping_add(u64::from(*b));
            weighted = weighted.wrapping_add((j as u64).wrapping_mul(u64::from(*b)));
        }
        file.write_all(&chunk).unwrap();
    }
    file.flush().unwrap();
    (sum, weighted)
}

fn weighted_sum(bytes: &[u8], start_pos: u64) -> u64 {
    bytes.iter().enumerate().fold(0u64, |acc, (i, &b)| {
        acc.wrapping_add(u64::from(b).wrapping_mul(start_pos + i as u64 + 1))
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_64_mib_file_streams_with_a_small_heap() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.pdf");
    let (file_sum, file_weighted) = write_file(&path);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), FILE_LEN as u64);

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(serve_one(listener));
    let client = PicWish::builder()
        .api_key("pw-test-key-memory")
        .base_url(format!("http://{address}"))
        .no_rate_limits()
        .build()
        .unwrap();
    let task = CreateTask::from_file(&path);

    let baseline = reset_peak();
    let created = client.create(&task).await.unwrap();
    let growth = PEAK.load(Ordering::SeqCst) - baseline;
    let received = server.await.unwrap();

    println!(
        "uploaded {} bytes; peak heap growth during create: {growth} bytes ({:.2} MiB)",
        received.count,
        growth as f64 / MIB as f64
    );
    assert_eq!(created.data.task_id, "big-upload-1");
    assert!(
        growth < HEAP_BUDGET,
        "the heap grew by {growth} bytes while uploading a {FILE_LEN}-byte file"
    );

    // The server saw the whole request: the announced length, and every byte of the file.
    assert_eq!(
        received.request_line,
        "POST /api/tasks/document/ocr HTTP/1.1"
    );
    assert_eq!(received.header("x-api-key"), Some("pw-test-key-memory"));
    let length: u64 = received.header("content-length").unwrap().parse().unwrap();
    assert_eq!(received.count, length);
    let boundary = received
        .header("content-type")
        .unwrap()
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap()
        .to_owned();
    let part_head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"image_file\"; \
         filename=\"big.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
    );
    assert!(received.head.starts_with(part_head.as_bytes()));
    let file_start = part_head.len();
    assert_eq!(
        &received.head[file_start..file_start + 9],
        b"%PDF-1.7\n",
        "the file follows the part headers"
    );
    let closing = format!("\r\n--{boundary}--\r\n");
    assert!(received.tail.ends_with(closing.as_bytes()));
    assert_eq!(
        received.count,
        (file_start + FILE_LEN + closing.len()) as u64,
        "exactly the file between the part headers and the closing boundary"
    );
    assert!(find(&received.head, b"name=\"format\"").is_none());
    let start = file_start as u64;
    let expected = weighted_sum(part_head.as_bytes(), 0)
        .wrapping_add((start + 1).wrapping_mul(file_sum))
        .wrapping_add(file_weighted)
        .wrapping_add(weighted_sum(closing.as_bytes(), start + FILE_LEN as u64));
    assert_eq!(received.checksum, expected, "every byte arrived in order");

    // Control: the allocator does see a file read into memory. (Not to the byte: a runtime
    // thread may free a few bytes it held at the baseline meanwhile.)
    let baseline = reset_peak();
    let whole = std::fs::read(&path).unwrap();
    let growth = PEAK.load(Ordering::SeqCst).saturating_sub(baseline);
    assert_eq!(whole.len(), FILE_LEN);
    assert!(
        growth >= FILE_LEN - 64 * 1024,
        "the control read grew the heap by {growth} bytes"
    );
}
