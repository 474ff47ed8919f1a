//! `lkeap_sse`: the Server-Sent Events parser (`lkeap::event_stream`) and the typed stream of
//! `ReconstructDocumentSSE` on top of it (`lkeap::ReconstructDocumentStream::from_chunks`, fed
//! from memory).
//!
//! Input: one byte choosing how the rest is cut into chunks, then the stream's bytes.
//!
//! Invariants:
//! - the events do not depend on how the bytes are cut into chunks (one push, the chosen cuts,
//!   byte by byte), nor does whether a too-long line is refused;
//! - an event's `data` never holds `\r`, its `event` and `id` never hold a line break, its
//!   `id` never a NUL; there are never more events than lines;
//! - the typed stream yields exactly the decoded events in order, ends after the first error
//!   or the final event (always with one of the two, never silently), carries the stream's
//!   request id on every error, and a progress it reports is a percentage.

use std::time::Duration;

use futures_util::StreamExt;
use lkeap::event_stream::{EventStreamParser, ServerEvent};
use lkeap::sse::decode_event;
use lkeap::ReconstructDocumentStream;

/// The line cap used besides the default one, small enough for the fuzzer to reach.
const SMALL_MAX_LINE: usize = 64;

/// Checks one input.
pub fn check(data: &[u8]) {
    let Some((&mode, bytes)) = data.split_first() else {
        return;
    };
    let chunks = cut(bytes, mode);
    let whole = parse(&[bytes], lkeap::event_stream::DEFAULT_MAX_LINE);
    let events = whole
        .as_ref()
        .unwrap_or_else(|_| panic!("the default line cap cannot be reached by a fuzz input"));
    assert_eq!(
        &parse(&chunks, lkeap::event_stream::DEFAULT_MAX_LINE),
        &whole,
        "the events depend on where the chunks were cut"
    );
    let bytewise: Vec<&[u8]> = bytes.chunks(1).collect();
    assert_eq!(
        &parse(&bytewise, lkeap::event_stream::DEFAULT_MAX_LINE),
        &whole,
        "the events differ when the stream arrives byte by byte"
    );
    // With a small line cap, the refusal is a property of the bytes, not of the cuts.
    let small_whole = parse(&[bytes], SMALL_MAX_LINE);
    let small_cut = parse(&chunks, SMALL_MAX_LINE);
    assert_eq!(
        small_whole.is_err(),
        small_cut.is_err(),
        "a too-long line is refused or not depending on the cuts"
    );
    if let Ok(small) = &small_whole {
        assert_eq!(
            small, events,
            "a line cap that is not reached changed the events"
        );
    }

    let lines = bytes.iter().filter(|&&b| b == b'\n' || b == b'\r').count() + 1;
    assert!(events.len() <= lines, "more events than lines");
    for ev in events {
        assert!(!ev.data.contains('\r'), "data holds a CR: {ev:?}");
        if let Some(name) = &ev.event {
            assert!(
                !name.contains(['\r', '\n']),
                "event name holds a line break"
            );
        }
        if let Some(id) = &ev.id {
            assert!(
                !id.contains(['\r', '\n', '\0']),
                "id holds a line break or NUL"
            );
        }
    }

    check_typed_stream(&chunks, events);
}

/// Cuts `bytes` into chunks whose lengths follow from `mode` (a tiny generator, so that the
/// fuzzer controls the cuts with one byte).
fn cut(bytes: &[u8], mode: u8) -> Vec<&[u8]> {
    let mut state = u32::from(mode) | 0x100;
    let mut rest = bytes;
    let mut out = Vec::new();
    while !rest.is_empty() {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let len = 1 + (state >> 16) as usize % 7;
        let (head, tail) = rest.split_at(len.min(rest.len()));
        out.push(head);
        rest = tail;
    }
    out
}

/// Every event of a stream delivered in `chunks`, or whether it was refused.
fn parse(chunks: &[&[u8]], max_line: usize) -> Result<Vec<ServerEvent>, ()> {
    let mut parser = EventStreamParser::with_max_line(max_line);
    let mut out = Vec::new();
    for chunk in chunks {
        out.extend(parser.push(chunk).map_err(|e| {
            assert_eq!(e.kind(), ocr_core::ErrorKind::Decode, "{e}");
        })?);
    }
    // A line too long met after complete events of the same chunk: those were returned,
    // and the end of the stream answers with the error.
    if parser.overflow_error().is_some() {
        return Err(());
    }
    out.extend(parser.finish());
    Ok(out)
}

fn check_typed_stream(chunks: &[&[u8]], events: &[ServerEvent]) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap_or_else(|e| panic!("cannot start a runtime: {e}"));
    let owned: Vec<ocr_core::Result<Vec<u8>>> = chunks.iter().map(|c| Ok(c.to_vec())).collect();
    let items = runtime.block_on(async {
        let mut stream = ReconstructDocumentStream::from_chunks(
            futures_util::stream::iter(owned),
            Some("req-fuzz".to_owned()),
            Duration::from_secs(3600),
        );
        let mut items = Vec::new();
        while let Some(item) = stream.next().await {
            items.push(item);
            assert!(
                items.len() <= events.len() + 1,
                "the typed stream never ends"
            );
        }
        // Polled again after its end, it keeps ending.
        assert!(stream.next().await.is_none(), "an item after the end");
        items
    });

    let mut expected = events.iter().map(decode_event);
    let last = items.len().saturating_sub(1);
    for (i, item) in items.iter().enumerate() {
        match item {
            Ok(event) => {
                let want = expected.next();
                assert!(
                    matches!(&want, Some(Ok(w)) if w == event),
                    "item {i} is not the decoded event: {event:?} vs {want:?}"
                );
                if let Some(p) = event.percent() {
                    assert!(p <= 100, "a percentage over 100: {p}");
                }
                if event.is_final() {
                    assert_eq!(i, last, "items after the final event");
                }
            }
            Err(err) => {
                assert_eq!(i, last, "items after an error");
                assert_eq!(err.provider(), Some(lkeap::PROVIDER_ID), "{err}");
                // Either the error an event reported (carrying its own request id, or the
                // stream's), or the end of the stream without a final event.
                assert!(
                    err.request_id().is_some(),
                    "the stream's request id is lost: {err}"
                );
                match expected.next() {
                    Some(Err(want)) => assert_eq!(want.kind(), err.kind(), "{err}"),
                    Some(Ok(ev)) => panic!("an error instead of the event {ev:?}: {err}"),
                    None => assert_eq!(err.kind(), ocr_core::ErrorKind::Transport, "{err}"),
                }
            }
        }
    }
    if items.last().is_some_and(Result::is_ok) {
        assert!(
            items
                .last()
                .is_some_and(|i| i.as_ref().is_ok_and(|e| e.is_final())),
            "the stream ended without a final event and without an error"
        );
    }
    if items.is_empty() {
        panic!("the typed stream ended without an item (neither a final event nor an error)");
    }
}
