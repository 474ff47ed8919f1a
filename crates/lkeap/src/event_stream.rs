//! A small incremental parser of Server-Sent Events (the `text/event-stream` format).
//!
//! Bytes go in as they arrive ([`EventStreamParser::push`]); complete events come out. The rules
//! are the standard ones, as the official SDKs apply them:
//!
//! - lines end in `\n`, `\r\n` or `\r` (also when a chunk boundary splits `\r\n`);
//! - `field: value` with one optional space after the colon stripped; a line without a colon
//!   is a field with an empty value;
//! - `data` lines are joined with `\n`; `event`, `id` and `retry` (an integer) are recognised,
//!   other fields ignored;
//! - lines starting with `:` are comments;
//! - an empty line dispatches the event (nothing is dispatched when no `data` was seen);
//! - a leading byte-order mark is skipped.
//!
//! At the end of the stream, an event whose closing blank line never came is still dispatched
//! ([`EventStreamParser::finish`]), which is more forgiving than browsers are.

use ocr_core::{Error, ErrorKind, Result};

/// The longest line accepted, so a server that never sends a newline cannot exhaust memory.
pub const DEFAULT_MAX_LINE: usize = 16 * 1024 * 1024;

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerEvent {
    /// The `event` field, if any.
    pub event: Option<String>,
    /// The `data` lines joined with `\n`.
    pub data: String,
    /// The last `id` seen, if any.
    pub id: Option<String>,
    /// The `retry` field, in milliseconds, if any.
    pub retry: Option<u64>,
}

/// The incremental parser.
///
/// ```
/// use lkeap::event_stream::EventStreamParser;
/// let mut p = EventStreamParser::new();
/// let mut events = p.push(b": keep-alive\ndata: {\"a\":\ndata: 1}\n").unwrap();
/// assert!(events.is_empty());
/// events = p.push(b"\n").unwrap();
/// assert_eq!(events[0].data, "{\"a\":\n1}");
/// ```
#[derive(Debug)]
pub struct EventStreamParser {
    line: Vec<u8>,
    skip_lf: bool,
    started: bool,
    data: Option<String>,
    event: Option<String>,
    last_id: Option<String>,
    retry: Option<u64>,
    max_line: usize,
    /// A line too long, met after events of the same chunk were complete: those events were
    /// returned, and this is what the parser answers from then on.
    overflow: Option<usize>,
}

/// The error of a line longer than `max_line` bytes.
fn line_too_long(max_line: usize) -> Error {
    Error::new(
        ErrorKind::Decode,
        format!("the event stream sent a line longer than {max_line} bytes"),
    )
    .with_provider(crate::PROVIDER_ID)
}

impl Default for EventStreamParser {
    fn default() -> Self {
        EventStreamParser::new()
    }
}

impl EventStreamParser {
    /// A parser with the default line limit.
    pub fn new() -> Self {
        EventStreamParser::with_max_line(DEFAULT_MAX_LINE)
    }

    /// A parser refusing lines longer than `max_line` bytes.
    pub fn with_max_line(max_line: usize) -> Self {
        EventStreamParser {
            line: Vec::new(),
            skip_lf: false,
            started: false,
            data: None,
            event: None,
            last_id: None,
            retry: None,
            max_line,
            overflow: None,
        }
    }

    /// Feeds bytes; returns the events they completed.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<ServerEvent>> {
        if let Some(max_line) = self.overflow {
            return Err(line_too_long(max_line));
        }
        let mut out = Vec::new();
        let mut rest = bytes;
        if !self.started && !rest.is_empty() {
            // A BOM may be split across chunks; wait until three bytes are known.
            let mut probe = self.line.clone();
            probe.extend_from_slice(rest);
            if probe.len() < 3 && b"\xEF\xBB\xBF".starts_with(&probe) {
                self.line = probe;
                return Ok(out);
            }
            self.started = true;
            if probe.starts_with(b"\xEF\xBB\xBF") {
                let skip = 3 - self.line.len().min(3);
                self.line.clear();
                rest = &rest[skip.min(rest.len())..];
            }
        }
        for &b in rest {
            if self.skip_lf {
                self.skip_lf = false;
                if b == b'\n' {
                    continue;
                }
            }
            match b {
                b'\n' | b'\r' => {
                    self.skip_lf = b == b'\r';
                    let line = std::mem::take(&mut self.line);
                    if let Some(ev) = self.line_done(&line) {
                        out.push(ev);
                    }
                }
                _ => {
                    if self.line.len() >= self.max_line {
                        // The events complete before it are delivered; the error follows.
                        self.overflow = Some(self.max_line);
                        self.line.clear();
                        return if out.is_empty() {
                            Err(line_too_long(self.max_line))
                        } else {
                            Ok(out)
                        };
                    }
                    self.line.push(b);
                }
            }
        }
        Ok(out)
    }

    /// The error a line too long left, if the parser met one: every [`push`](Self::push)
    /// after it answers with it, and so should the end of the stream.
    pub fn overflow_error(&self) -> Option<Error> {
        self.overflow.map(line_too_long)
    }

    /// Ends the stream: returns the event still pending, if it has data (none after a line
    /// too long: see [`overflow_error`](Self::overflow_error)).
    pub fn finish(&mut self) -> Option<ServerEvent> {
        if self.overflow.is_some() {
            return None;
        }
        let line = std::mem::take(&mut self.line);
        if !line.is_empty() {
            if let Some(ev) = self.line_done(&line) {
                return Some(ev);
            }
        }
        self.dispatch()
    }

    fn line_done(&mut self, line: &[u8]) -> Option<ServerEvent> {
        if line.is_empty() {
            return self.dispatch();
        }
        if line[0] == b':' {
            return None;
        }
        let text = String::from_utf8_lossy(line);
        let (field, value) = match text.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (text.as_ref(), ""),
        };
        match field {
            "data" => match &mut self.data {
                Some(d) => {
                    d.push('\n');
                    d.push_str(value);
                }
                None => self.data = Some(value.to_owned()),
            },
            "event" => self.event = Some(value.to_owned()),
            "id" if !value.contains('\0') => self.last_id = Some(value.to_owned()),
            "retry" => {
                if let Ok(ms) = value.trim().parse::<u64>() {
                    self.retry = Some(ms);
                }
            }
            _ => {}
        }
        None
    }

    fn dispatch(&mut self) -> Option<ServerEvent> {
        let event = self.event.take();
        let data = self.data.take()?;
        Some(ServerEvent {
            event,
            data,
            id: self.last_id.clone(),
            retry: self.retry,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(chunks: &[&[u8]]) -> Vec<ServerEvent> {
        let mut p = EventStreamParser::new();
        let mut out = Vec::new();
        for c in chunks {
            out.extend(p.push(c).unwrap());
        }
        out.extend(p.finish());
        out
    }

    #[test]
    fn fields_comments_and_dispatch() {
        let evs = all(&[
            b"retry: 3000\n: comment\nevent: progress\nid: 7\ndata:x\ndata:  y\n\ndata: z\n\n",
        ]);
        assert_eq!(evs.len(), 2);
        assert_eq!(evs[0].event.as_deref(), Some("progress"));
        assert_eq!(evs[0].data, "x\n y");
        assert_eq!(evs[0].id.as_deref(), Some("7"));
        assert_eq!(evs[0].retry, Some(3000));
        assert_eq!(evs[1].event, None);
        assert_eq!(evs[1].id.as_deref(), Some("7"), "id persists");
    }

    #[test]
    fn every_line_ending_and_split_chunks() {
        let evs = all(&[b"data: a\r", b"\n\r\ndata: b\r\rdata", b": c\n", b"\n"]);
        let data: Vec<_> = evs.iter().map(|e| e.data.as_str()).collect();
        assert_eq!(data, ["a", "b", "c"]);
    }

    #[test]
    fn blank_lines_without_data_dispatch_nothing() {
        assert!(all(&[b"\n\n: hi\n\nevent: x\n\n"]).is_empty());
    }

    #[test]
    fn field_without_colon_and_unknown_fields() {
        let evs = all(&[b"data\nfoo: bar\n\n"]);
        assert_eq!(evs.len(), 1);
        assert_eq!(evs[0].data, "");
    }

    #[test]
    fn bom_is_skipped_even_when_split() {
        let evs = all(&[b"\xEF", b"\xBB\xBFdata: ok\n\n"]);
        assert_eq!(evs[0].data, "ok");
    }

    #[test]
    fn trailing_event_without_blank_line_is_kept() {
        let evs = all(&[b"data: last"]);
        assert_eq!(evs[0].data, "last");
    }

    #[test]
    fn multibyte_text_split_across_chunks() {
        let text = "data: 开始文档解析\n\n".as_bytes();
        let (a, b) = text.split_at(9);
        let evs = all(&[a, b]);
        assert_eq!(evs[0].data, "开始文档解析");
    }

    #[test]
    fn overlong_lines_are_refused() {
        let mut p = EventStreamParser::with_max_line(4);
        assert!(p.push(b"data").is_ok());
        assert_eq!(p.push(b"x").unwrap_err().kind(), ErrorKind::Decode);
    }

    #[test]
    fn events_before_an_overlong_line_are_delivered_then_the_error() {
        let mut p = EventStreamParser::with_max_line(16);
        let events = p.push(b"data: one\n\ndata: 0123456789abcdefXYZ").unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].data, "one");
        assert_eq!(p.push(b"\n\n").unwrap_err().kind(), ErrorKind::Decode);
        assert_eq!(p.finish(), None);
        assert!(p.overflow_error().is_some());
    }
}
