//! A PicWish create call with a 200 MB form field of an unexpected name is refused with 400
//! without the field ever being held in memory: a counting global allocator measures the peak
//! heap growth while the client streams it and the emulator reads it.
//!
//! This file is its own test binary so the allocator counts this test alone. The counting
//! allocator needs `unsafe impl GlobalAlloc`; the library itself forbids unsafe code.
#![allow(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

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

const MIB: usize = 1024 * 1024;
/// The unexpected field: 200 MiB, streamed.
const FIELD_CHUNKS: usize = 200;
/// How far the heap may grow while the field goes through.
const HEAP_BUDGET: usize = 32 * MIB;

static CHUNK: [u8; MIB] = [b'x'; MIB];

#[tokio::test]
async fn an_unexpected_200_mb_field_is_refused_without_being_buffered() {
    let emu = start(instant_config()).await;
    let chunks = futures_util::stream::iter(
        (0..FIELD_CHUNKS).map(|_| Ok::<_, std::io::Error>(bytes::Bytes::from_static(&CHUNK))),
    );
    let form = Form::new()
        .text("image_url", "https://example.com/a.png")
        .part(
            "extra",
            Part::stream_with_length(
                reqwest::Body::wrap_stream(chunks),
                (FIELD_CHUNKS * MIB) as u64,
            ),
        );

    let before = CURRENT.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let response = picwish_create(&emu, form)
        .send()
        .await
        .expect("an answer, not a reset connection");
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    let growth = PEAK.load(Ordering::SeqCst).saturating_sub(before);

    assert!(
        growth < HEAP_BUDGET,
        "the heap grew by {} MiB while a {FIELD_CHUNKS} MiB field went through",
        growth / MIB
    );
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["status"], 400);
    assert!(
        body["message"].as_str().unwrap().contains("`extra`"),
        "{body}"
    );
    assert_eq!(emu.submissions(ocr_emulator::Service::PicWish), 0);
    let recorded = emu.recorded_requests();
    assert!(recorded.last().unwrap().body_size >= (FIELD_CHUNKS * MIB) as u64);
}
