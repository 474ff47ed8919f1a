//! `ReconstructDocumentSSE`: parse a document with progress reported over Server-Sent Events
//! (spec §5.3). The service marks it as being retired, so nothing in this crate uses it by
//! default; call
//! [`Lkeap::reconstruct_document_sse`](../client/struct.Lkeap.html#method.reconstruct_document_sse)
//! explicitly.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::stream::{BoxStream, Stream, StreamExt};
use ocr_core::{Error, ErrorKind, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::event_stream::{EventStreamParser, ServerEvent};
use crate::file_type::FileType;
use crate::result_url::{non_empty, ResultUrl};
use crate::task::{ReconstructDocumentFailedPage, ResultType, TableResultType};
use crate::wire::{setters, source_request, wire_struct};
use ocr_core::lenient;

/// The action name.
pub(crate) const ACTION: &str = "ReconstructDocumentSSE";

wire_struct! {
    /// The request of `ReconstructDocumentSSE`.
    ///
    /// ```
    /// use lkeap::{FileType, ReconstructDocumentSseRequest};
    /// let req = ReconstructDocumentSseRequest::from_url(FileType::Pdf, "https://example.com/a.pdf");
    /// assert_eq!(
    ///     serde_json::to_string(&req).unwrap(),
    ///     r#"{"FileType":"PDF","FileUrl":"https://example.com/a.pdf"}"#
    /// );
    /// ```
    #[derive(Clone, PartialEq, Serialize)]
    #[serde(rename_all = "PascalCase")]
    #[non_exhaustive]
    pub struct ReconstructDocumentSseRequest {
        /// `FileType` (required).
        file_type: FileType,
        /// `FileUrl`.
        file_url: Option<String>,
        /// `FileBase64`: at most 8 MB after encoding.
        file_base64: Option<String>,
        /// `FileStartPageNumber`, inclusive.
        file_start_page_number: Option<i64>,
        /// `FileEndPageNumber`, inclusive (documents over 100 pages belong in the asynchronous flow).
        file_end_page_number: Option<i64>,
        /// `Config`.
        config: Option<ReconstructDocumentSseConfig>,
    }
}

source_request!(
    ReconstructDocumentSseRequest,
    /// Sets the options.
    config: ReconstructDocumentSseConfig
);

/// `MarkdownImageResponseType`: how images appear in the Markdown (a string on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MarkdownImageResponseType {
    /// `"0"`: as links (the default).
    #[serde(rename = "0")]
    Link,
    /// `"1"`: only the text recognised in the image.
    #[serde(rename = "1")]
    TextOnly,
}

wire_struct! {
    /// `ReconstructDocumentSSEConfig`; unset fields are not sent.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    #[non_exhaustive]
    pub struct ReconstructDocumentSseConfig {
        /// `TableResultType`.
        table_result_type: Option<TableResultType>,
        /// `MarkdownImageResponseType`.
        markdown_image_response_type: Option<MarkdownImageResponseType>,
        /// `ReturnPageFormat`.
        return_page_format: Option<bool>,
        /// `PageFormat` (`{{p}}` is the page number).
        page_format: Option<String>,
        /// `IgnoreFailedPage` (domestic).
        ignore_failed_page: Option<bool>,
        /// `ResultType` (domestic; default `"3"` here).
        result_type: Option<ResultType>,
    }
}

impl ReconstructDocumentSseConfig {
    setters! {
        /// Sets `TableResultType`.
        with_table_result_type(value: TableResultType) => table_result_type;
        /// Sets `MarkdownImageResponseType`.
        with_markdown_image_response_type(value: MarkdownImageResponseType)
            => markdown_image_response_type;
        /// Sets `ResultType`.
        with_result_type(value: ResultType) => result_type;
        /// Sets `IgnoreFailedPage`.
        with_ignore_failed_page(value: bool) => ignore_failed_page;
        /// Sets `PageFormat` and `ReturnPageFormat`.
        with_page_format(page_format);
    }
}

/// `ResponseType` of an event. The model says `"1"` / `"2"`, the official examples show
/// `"PROGRESS"` / `"TASK_RSP"`: both are accepted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ResponseType {
    /// `"1"` or `"PROGRESS"`: a progress report.
    Progress,
    /// `"2"` or `"TASK_RSP"`: the final result.
    TaskResponse,
    /// Anything else, as sent.
    Other(String),
}

impl ResponseType {
    /// The type a wire value names.
    pub fn from_wire(s: &str) -> ResponseType {
        match s.trim() {
            "1" | "PROGRESS" => ResponseType::Progress,
            "2" | "TASK_RSP" => ResponseType::TaskResponse,
            other => ResponseType::Other(other.to_owned()),
        }
    }

    /// The wire value (the examples' spelling for known types).
    pub fn as_str(&self) -> &str {
        match self {
            ResponseType::Progress => "PROGRESS",
            ResponseType::TaskResponse => "TASK_RSP",
            ResponseType::Other(s) => s,
        }
    }
}

impl Serialize for ResponseType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ResponseType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = lenient::opt_string(d)?.unwrap_or_default();
        Ok(ResponseType::from_wire(&s))
    }
}

wire_struct! {
    /// One event of the stream: the JSON object in an event's `data`.
    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct ReconstructDocumentSseEvent {
        /// `TaskId`.
        task_id: Option<String>,
        /// `ResponseType`.
        response_type: Option<ResponseType>,
        /// `Progress`: `"0"` to `"100"`.
        progress: Option<String> = "lenient::opt_string",
        /// `ProgressMessage`.
        progress_message: Option<String>,
        /// `DocumentRecognizeResultUrl`: empty until the result exists.
        document_recognize_result_url: Option<ResultUrl>,
        /// `FailedPages`.
        failed_pages: Option<Vec<ReconstructDocumentFailedPage>>,
        /// `FailPageNum`.
        fail_page_num: Option<i64> = "lenient::opt_i64",
        /// `SuccessPageNum`.
        success_page_num: Option<i64> = "lenient::opt_i64",
    }
}

impl ReconstructDocumentSseEvent {
    /// Whether this is the final event (`"2"` / `"TASK_RSP"`).
    pub fn is_final(&self) -> bool {
        self.response_type == Some(ResponseType::TaskResponse)
    }

    /// `Progress` as a percentage, if it is one.
    pub fn percent(&self) -> Option<u8> {
        let p = self.progress.as_deref()?.trim().parse::<f64>().ok()?;
        (0.0..=100.0).contains(&p).then_some(p.round() as u8)
    }

    /// The result URL, when the service sent a non-empty one.
    pub fn result_url(&self) -> Option<&ResultUrl> {
        non_empty(&self.document_recognize_result_url)
    }
}

/// Turns one server event into a typed event, or the error it reports.
///
/// ```
/// use lkeap::event_stream::ServerEvent;
/// let event = ServerEvent { data: r#"{"ResponseType":"TASK_RSP","Progress":"100"}"#.into(), ..Default::default() };
/// assert!(lkeap::sse::decode_event(&event).unwrap().is_final());
/// ```
pub fn decode_event(event: &ServerEvent) -> Result<ReconstructDocumentSseEvent> {
    let value: serde_json::Value = serde_json::from_str(&event.data).map_err(|e| {
        Error::new(ErrorKind::Decode, "an event of the stream is not JSON")
            .with_provider(crate::PROVIDER_ID)
            .with_operation(ACTION)
            .with_source(e)
    })?;
    // Errors before the stream are JSON envelopes; an error inside the stream is not
    // documented, so both an enveloped and a bare `Error` object are recognised.
    let body = value.get("Response").unwrap_or(&value);
    if let Some(err) = body.get("Error").filter(|e| e.is_object()) {
        let code = err.get("Code").and_then(|c| c.as_str()).unwrap_or_default();
        if !code.is_empty() {
            let message = err.get("Message").and_then(|m| m.as_str()).unwrap_or("");
            let class = tc_api::error_code::classify(code);
            let mut e = Error::new(class.kind, message)
                .with_code(code)
                .with_provider(crate::PROVIDER_ID)
                .with_operation(ACTION)
                .with_retryable(false);
            if let Some(id) = body.get("RequestId").and_then(|r| r.as_str()) {
                e = e.with_request_id(id);
            }
            return Err(e);
        }
    }
    serde_json::from_value(body.clone()).map_err(|e| {
        Error::new(
            ErrorKind::Decode,
            format!("an event of the stream does not match the documented shape: {e}"),
        )
        .with_provider(crate::PROVIDER_ID)
        .with_operation(ACTION)
        .with_source(e)
    })
}

/// The open stream of a `ReconstructDocumentSSE` call: typed events, ending with the final one
/// (after which the stream ends), or with an error.
///
/// The stream ends in an error if the connection closes before the final event, if no byte
/// arrives for the idle timeout, or if an event reports an error.
pub struct ReconstructDocumentStream {
    request_id: Option<String>,
    inner: BoxStream<'static, Result<ReconstructDocumentSseEvent>>,
}

impl fmt::Debug for ReconstructDocumentStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReconstructDocumentStream")
            .field("request_id", &self.request_id)
            .finish_non_exhaustive()
    }
}

impl ReconstructDocumentStream {
    /// The request id, from the `X-TC-RequestId` response header.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// Reads the stream to its end and returns the final event.
    ///
    /// ```no_run
    /// # async fn demo(client: lkeap::Lkeap, req: lkeap::ReconstructDocumentSseRequest) -> Result<(), ocr_core::Error> {
    /// let last = client.reconstruct_document_sse(&req).await?.final_event().await?;
    /// println!("{:?}", last.result_url());
    /// # Ok(()) }
    /// ```
    pub async fn final_event(mut self) -> Result<ReconstructDocumentSseEvent> {
        let mut last = None;
        while let Some(event) = self.next().await {
            last = Some(event?);
        }
        last.filter(ReconstructDocumentSseEvent::is_final)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Decode,
                    "the event stream ended without a final event",
                )
                .with_provider(crate::PROVIDER_ID)
                .with_operation(ACTION)
            })
    }

    /// A stream over raw chunks of bytes (exposed for tests and replays of recorded streams).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use std::time::Duration;
    /// let body = b"data: {\"ResponseType\":\"2\",\"Progress\":\"100\"}\n\n".to_vec();
    /// let stream = lkeap::ReconstructDocumentStream::from_chunks(
    ///     futures_util::stream::iter(vec![Ok::<_, ocr_core::Error>(body)]),
    ///     None,
    ///     Duration::from_secs(5),
    /// );
    /// assert_eq!(stream.final_event().await.unwrap().percent(), Some(100));
    /// # }
    /// ```
    pub fn from_chunks<S, B>(chunks: S, request_id: Option<String>, idle: Duration) -> Self
    where
        S: Stream<Item = Result<B>> + Send + 'static,
        B: AsRef<[u8]> + Send + 'static,
    {
        let state = State {
            chunks: chunks.boxed(),
            parser: EventStreamParser::new(),
            queue: std::collections::VecDeque::new(),
            done: false,
            idle,
            request_id: request_id.clone(),
        };
        // Fused: polled again after its end, the stream keeps answering `None` (an unfold
        // alone would panic).
        let inner = futures_util::stream::unfold(state, |mut st| async move {
            let item = st.next_item().await?;
            Some((item, st))
        })
        .fuse()
        .boxed();
        ReconstructDocumentStream { request_id, inner }
    }
}

struct State<B> {
    chunks: BoxStream<'static, Result<B>>,
    parser: EventStreamParser,
    queue: std::collections::VecDeque<ServerEvent>,
    done: bool,
    idle: Duration,
    request_id: Option<String>,
}

impl<B: AsRef<[u8]>> State<B> {
    fn fail(&mut self, err: Error) -> Option<Result<ReconstructDocumentSseEvent>> {
        self.done = true;
        let err = match &self.request_id {
            Some(id) if err.request_id().is_none() => err.with_request_id(id.clone()),
            _ => err,
        };
        Some(Err(err))
    }

    async fn next_item(&mut self) -> Option<Result<ReconstructDocumentSseEvent>> {
        loop {
            if self.done {
                return None;
            }
            if let Some(ev) = self.queue.pop_front() {
                match decode_event(&ev) {
                    Ok(event) => {
                        if event.is_final() {
                            self.done = true;
                        }
                        return Some(Ok(event));
                    }
                    Err(e) => return self.fail(e),
                }
            }
            match tokio::time::timeout(self.idle, self.chunks.next()).await {
                Err(_) => {
                    let msg = format!(
                        "no data on the event stream for {}s",
                        self.idle.as_secs_f64()
                    );
                    return self.fail(
                        Error::new(ErrorKind::Timeout, msg)
                            .with_provider(crate::PROVIDER_ID)
                            .with_operation(ACTION),
                    );
                }
                Ok(Some(Ok(bytes))) => match self.parser.push(bytes.as_ref()) {
                    Ok(events) => self.queue.extend(events),
                    Err(e) => return self.fail(e.with_operation(ACTION)),
                },
                Ok(Some(Err(e))) => return self.fail(e.with_operation(ACTION)),
                Ok(None) => {
                    if let Some(e) = self.parser.overflow_error() {
                        return self.fail(e.with_operation(ACTION));
                    }
                    if let Some(ev) = self.parser.finish() {
                        self.queue.push_back(ev);
                        continue;
                    }
                    return self.fail(
                        Error::new(
                            ErrorKind::Transport,
                            "the event stream ended before the final result",
                        )
                        .with_provider(crate::PROVIDER_ID)
                        .with_operation(ACTION),
                    );
                }
            }
        }
    }
}

impl Stream for ReconstructDocumentStream {
    type Item = Result<ReconstructDocumentSseEvent>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(data: &str) -> ServerEvent {
        ServerEvent {
            data: data.to_owned(),
            ..ServerEvent::default()
        }
    }

    #[tokio::test]
    async fn polled_after_its_end_the_stream_keeps_ending() {
        let chunks = futures_util::stream::iter(vec![Ok::<_, ocr_core::Error>(
            b"data: {\"ResponseType\":\"TASK_RSP\",\"Progress\":100}\n\n".to_vec(),
        )]);
        let mut stream =
            ReconstructDocumentStream::from_chunks(chunks, None, Duration::from_secs(5));
        assert!(stream.next().await.is_some_and(|e| e.is_ok()));
        assert!(stream.next().await.is_none());
        assert!(stream.next().await.is_none(), "a second poll after the end");
    }

    #[test]
    fn both_spellings_of_response_type() {
        let a = decode_event(&ev(r#"{"ResponseType":"1","Progress":"40"}"#)).unwrap();
        assert_eq!(a.response_type, Some(ResponseType::Progress));
        assert_eq!(a.percent(), Some(40));
        let b = decode_event(&ev(r#"{"ResponseType":"TASK_RSP","Progress":100}"#)).unwrap();
        assert!(b.is_final());
        assert_eq!(b.percent(), Some(100));
        let c = decode_event(&ev(r#"{"ResponseType":"2"}"#)).unwrap();
        assert!(c.is_final());
        let d = decode_event(&ev(r#"{"ResponseType":"HEARTBEAT"}"#)).unwrap();
        assert_eq!(
            d.response_type,
            Some(ResponseType::Other("HEARTBEAT".into()))
        );
    }

    #[test]
    fn errors_in_the_stream_are_errors() {
        let e = decode_event(&ev(
            r#"{"Response":{"Error":{"Code":"FailedOperation.OcrFailed","Message":"no"},"RequestId":"r9"}}"#,
        ))
        .unwrap_err();
        assert_eq!(e.code(), Some("FailedOperation.OcrFailed"));
        assert_eq!(e.request_id(), Some("r9"));
        assert_eq!(
            decode_event(&ev("{")).unwrap_err().kind(),
            ErrorKind::Decode
        );
    }
}
