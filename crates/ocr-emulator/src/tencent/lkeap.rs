//! LKEAP 2024-05-22 document parsing: reconstruct (document → Markdown zip), split
//! (document → JSONL chunks zip), and the SSE stream variant.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{json, Value};

use super::call::{check_url, document, one_source, Call, Source};
use super::envelope::{fields, ok, TcError};
use super::params::{opt, req, Field, Ty};
use crate::artifacts;
use crate::content::{Document, Format, Unreadable};
use crate::files::StoredFile;
use crate::shared::Shared;
use crate::tasks::{Phase, TaskTable, Timeline};

const EIGHT_MB: usize = 8 * 1024 * 1024;

const RECONSTRUCT_CONFIG: &[Field] = &[
    opt("TableResultType", Ty::Str),
    opt("ResultType", Ty::Str),
    opt("IgnoreFailedPage", Ty::Bool),
    opt("ReturnPageFormat", Ty::Bool),
    opt("PageFormat", Ty::Str),
];
const SSE_CONFIG: &[Field] = &[
    opt("TableResultType", Ty::Str),
    opt("MarkdownImageResponseType", Ty::Str),
    opt("ReturnPageFormat", Ty::Bool),
    opt("PageFormat", Ty::Str),
    opt("IgnoreFailedPage", Ty::Bool),
    opt("ResultType", Ty::Str),
];
const SPLIT_CONFIG: &[Field] = &[
    opt("TableResultType", Ty::Str),
    opt("ResultType", Ty::Str),
    opt("EnableMllm", Ty::Bool),
    opt("MaxChunkSize", Ty::Int),
    opt("IgnoreFailedPage", Ty::Bool),
    opt("SplitResultType", Ty::Str),
    opt("SplitTableResultType", Ty::Str),
    opt("ReturnPageFormat", Ty::Bool),
    opt("PageFormat", Ty::Str),
];

/// CreateReconstructDocumentFlow parameters (spec §5.1).
pub(crate) const CREATE_RECONSTRUCT: &[Field] = &[
    req("FileType", Ty::Str),
    opt("FileUrl", Ty::Str),
    opt("FileBase64", Ty::Str),
    opt("FileStartPageNumber", Ty::Int),
    opt("FileEndPageNumber", Ty::Int),
    opt("Config", Ty::Obj(RECONSTRUCT_CONFIG)),
];
/// ReconstructDocumentSSE parameters (spec §5.3).
pub(crate) const SSE: &[Field] = &[
    req("FileType", Ty::Str),
    opt("FileUrl", Ty::Str),
    opt("FileBase64", Ty::Str),
    opt("FileStartPageNumber", Ty::Int),
    opt("FileEndPageNumber", Ty::Int),
    opt("Config", Ty::Obj(SSE_CONFIG)),
];
/// CreateSplitDocumentFlow parameters (spec §5.4).
pub(crate) const CREATE_SPLIT: &[Field] = &[
    req("FileType", Ty::Str),
    req("FileUrl", Ty::Str),
    opt("FileName", Ty::Str),
    opt("FileBase64", Ty::Str),
    opt("FileStartPageNumber", Ty::Int),
    opt("FileEndPageNumber", Ty::Int),
    opt("Config", Ty::Obj(SPLIT_CONFIG)),
];
/// Get*Result parameters.
pub(crate) const GET_RESULT: &[Field] = &[req("TaskId", Ty::Str)];

const RECONSTRUCT_TYPES: &[&str] = &[
    "WPS", "PDF", "DOC", "DOCX", "XLS", "XLSX", "PPT", "PPTX", "MD", "TXT", "PNG", "JPG", "JPEG",
    "CSV", "HTML", "EPUB", "BMP", "GIF", "WEBP", "HEIC", "EPS", "ICNS", "IM", "PCX", "PPM", "TIFF",
    "XBM", "HEIF", "JP2",
];
const SSE_TYPES: &[&str] = &[
    "WPS", "PDF", "DOC", "DOCX", "PPT", "PPTX", "MD", "TXT", "XLS", "XLSX", "CSV", "PNG", "JPG",
    "JPEG", "BMP", "GIF", "WEBP", "HEIC", "EPS", "ICNS", "IM", "PCX", "PPM", "TIFF", "XBM", "HEIF",
    "JP2",
];
const SPLIT_TYPES: &[&str] = &[
    "WPS", "PDF", "DOC", "DOCX", "XLS", "XLSX", "PPT", "PPTX", "MD", "TXT", "PNG", "JPG", "JPEG",
    "CSV", "HTML", "EPUB",
];
const BASE64_TYPES: &[&str] = &["PNG", "JPG", "JPEG", "PDF", "GIF", "BMP", "TIFF"];
const DEFAULT_PAGE_FORMAT: &str = "<page_num>page {{p}}</page_num>";
const DEFAULT_CHUNK: usize = 1_000;
/// Longest page range a task may ask for.
const MAX_RANGE: u64 = 1_000;
/// Pages a stream may parse; larger documents belong to the async API.
const SSE_MAX_PAGES: usize = 100;

/// Which flow a task belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Reconstruct,
    Split,
}

/// Output options of a task.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    result_type: String,
    return_page_format: bool,
    page_format: String,
    ignore_failed_page: bool,
    image_links: bool,
    max_chunk: usize,
    mllm: bool,
}

/// An LKEAP task.
#[derive(Clone)]
pub(crate) struct LkeapTask {
    id: String,
    kind: Kind,
    timeline: Timeline,
    doc: Arc<Document>,
    /// 0-based pages parsed.
    pages: Vec<usize>,
    /// 1-based pages requested beyond the document.
    failed_pages: Vec<u64>,
    options: Options,
    failure: Option<(String, String)>,
}

/// LKEAP tasks by id.
pub(crate) type LkeapTasks = TaskTable<String, LkeapTask>;

fn bad_value(message: impl Into<String>) -> TcError {
    TcError::new("InvalidParameterValue.InvalidParameterValueLimit", message)
}

fn check_choice(value: Option<&str>, allowed: &[&str], key: &str) -> Result<(), TcError> {
    match value {
        Some(v) if !allowed.contains(&v) => Err(bad_value(format!(
            "`{key}` `{v}` is not one of: {}.",
            allowed.join(", ")
        ))),
        _ => Ok(()),
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct Config {
    table_result_type: Option<String>,
    result_type: Option<String>,
    ignore_failed_page: Option<bool>,
    return_page_format: Option<bool>,
    page_format: Option<String>,
    markdown_image_response_type: Option<String>,
    enable_mllm: Option<bool>,
    max_chunk_size: Option<i64>,
    split_result_type: Option<String>,
    split_table_result_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateRequest {
    file_type: String,
    file_name: Option<String>,
    file_start_page_number: Option<i64>,
    file_end_page_number: Option<i64>,
    config: Option<Config>,
}

fn expected_format(file_type: &str) -> Option<Format> {
    Some(match file_type {
        "PNG" => Format::Png,
        "JPG" | "JPEG" => Format::Jpeg,
        "PDF" => Format::Pdf,
        "GIF" => Format::Gif,
        "BMP" => Format::Bmp,
        "TIFF" => Format::Tiff,
        _ => return None,
    })
}

fn max_size(file_type: &str) -> u64 {
    const MB: u64 = 1024 * 1024;
    match file_type {
        "PDF" => 300 * MB,
        "WPS" | "DOCX" | "DOC" | "PPT" | "PPTX" => 200 * MB,
        "TXT" | "MD" => 10 * MB,
        _ => 20 * MB,
    }
}

/// Validates a create request and builds its task (not yet stored).
fn prepare(call: &Call<'_>, kind: Kind, sse: bool) -> Result<LkeapTask, TcError> {
    let req: CreateRequest = call.typed()?;
    let types = match (kind, sse) {
        (_, true) => SSE_TYPES,
        (Kind::Reconstruct, false) => RECONSTRUCT_TYPES,
        (Kind::Split, false) => SPLIT_TYPES,
    };
    if !types.contains(&req.file_type.as_str()) {
        let code = if sse {
            "InvalidParameterValue.InvalidParameterValueLimit"
        } else {
            "InvalidParameter.InvalidFileType"
        };
        return Err(TcError::new(
            code,
            format!(
                "`FileType` `{}` is not supported; use one of: {}.",
                req.file_type,
                types.join(", ")
            ),
        ));
    }
    let config = req.config.unwrap_or_default();
    check_choice(
        config.table_result_type.as_deref(),
        &["0", "1"],
        "Config.TableResultType",
    )?;
    check_choice(
        config.result_type.as_deref(),
        &["0", "1", "2", "3", "4", "5"],
        "Config.ResultType",
    )?;
    check_choice(
        config.markdown_image_response_type.as_deref(),
        &["0", "1"],
        "Config.MarkdownImageResponseType",
    )?;
    check_choice(
        config.split_result_type.as_deref(),
        &["0", "1", "2", "3", "4", "5"],
        "Config.SplitResultType",
    )?;
    check_choice(
        config.split_table_result_type.as_deref(),
        &["0", "1"],
        "Config.SplitTableResultType",
    )?;
    if let Some(size) = config.max_chunk_size {
        if size <= 0 {
            return Err(bad_value(format!(
                "`Config.MaxChunkSize` {size} must be positive."
            )));
        }
    }
    let return_page_format = config.return_page_format.unwrap_or(false);
    if let Some(format) = &config.page_format {
        if format.is_empty() {
            return Err(bad_value("`Config.PageFormat` must not be empty."));
        }
    }
    for (key, value) in [
        ("FileStartPageNumber", req.file_start_page_number),
        ("FileEndPageNumber", req.file_end_page_number),
    ] {
        if let Some(v) = value {
            if v < 1 {
                return Err(bad_value(format!("`{key}` {v} must be at least 1.")));
            }
        }
    }
    if let (Some(s), Some(e)) = (req.file_start_page_number, req.file_end_page_number) {
        if s > e {
            return Err(bad_value(format!(
                "`FileStartPageNumber` {s} is after `FileEndPageNumber` {e}."
            )));
        }
    }
    if kind == Kind::Split {
        if let Some(name) = &req.file_name {
            if !name.contains('.') {
                return Err(TcError::new(
                    "InvalidParameter.InvalidFileFormat",
                    format!("`FileName` `{name}` must include the extension."),
                ));
            }
        }
    }
    // Split: FileUrl is required and wins; FileBase64 is deprecated there.
    let source = if kind == Kind::Split {
        let mut params = call.params.clone();
        params.remove("FileBase64");
        one_source(
            &params,
            "FileUrl",
            "FileBase64",
            EIGHT_MB,
            "LimitExceeded.TooLargeFileError",
            "InvalidParameter.InvalidFileFormat",
            true,
        )?
    } else {
        one_source(
            &call.params,
            "FileUrl",
            "FileBase64",
            EIGHT_MB,
            "LimitExceeded.TooLargeFileError",
            "InvalidParameter.InvalidFileFormat",
            true,
        )?
    }
    .ok_or_else(|| {
        TcError::new(
            "MissingParameter",
            "One of `FileUrl` or `FileBase64` is required.",
        )
    })?;
    if let Source::Url(url) = &source {
        check_url(url, "FileUrl", "InvalidParameter.FileURLInvalid")?;
    }
    if let Source::Bytes(_) = &source {
        if !BASE64_TYPES.contains(&req.file_type.as_str()) {
            return Err(TcError::new(
                "InvalidParameter.InvalidFileType",
                format!(
                    "`FileBase64` accepts only {}; use `FileUrl` for {}.",
                    BASE64_TYPES.join(", "),
                    req.file_type
                ),
            ));
        }
    }
    let name = match (&req.file_name, &source) {
        (Some(n), _) => n.clone(),
        (None, Source::Url(url)) => crate::content::url_file_name(url),
        (None, Source::Bytes(_)) => format!("document.{}", req.file_type.to_ascii_lowercase()),
    };
    let doc = document(call.shared, &source, &name);
    if doc.size > max_size(&req.file_type) {
        return Err(TcError::new(
            "LimitExceeded.TooLargeFileError",
            format!(
                "The {} file is {} bytes; the limit is {} bytes.",
                req.file_type,
                doc.size,
                max_size(&req.file_type)
            ),
        ));
    }
    if doc.size > 0 {
        if let Some(expected) = expected_format(&req.file_type) {
            if doc.format != expected {
                return Err(TcError::new(
                    "InvalidParameter.InvalidFileFormat",
                    format!(
                        "The file is `{}`, not the announced `{}`.",
                        doc.format.name(),
                        req.file_type
                    ),
                ));
            }
        }
        if let (Source::Bytes(_), Some((w, h))) = (&source, doc.image_size) {
            if w.min(h) < 20 || w.max(h) > 10_000 {
                return Err(TcError::new(
                    "InvalidParameter.InvalidFileFormat",
                    format!("The image is {w}x{h} px; sides must be 20–10000 px."),
                ));
            }
        }
    }
    let total = doc.pages.len() as u64;
    let start = req.file_start_page_number.map_or(1, |v| v.unsigned_abs());
    let end = req
        .file_end_page_number
        .map_or(total.max(start), |v| v.unsigned_abs());
    if end.saturating_sub(start) >= MAX_RANGE {
        return Err(TcError::new(
            "LimitExceeded.ExceededMaxPagesError",
            format!("The page range {start}–{end} is longer than {MAX_RANGE} pages."),
        ));
    }
    let injected: Vec<u64> = call
        .shared
        .take_failed_pages(call.service, call.action)
        .unwrap_or_default()
        .into_iter()
        .map(u64::from)
        .collect();
    let pages: Vec<usize> = (start..=end.min(total))
        .filter(|p| !injected.contains(p))
        .filter_map(|p| usize::try_from(p - 1).ok())
        .collect();
    let mut failed_pages: Vec<u64> = (start.max(total + 1)..=end).collect();
    failed_pages.extend(
        injected
            .iter()
            .filter(|p| (start..=end.min(total)).contains(p)),
    );
    failed_pages.sort_unstable();
    if sse && pages.len() > SSE_MAX_PAGES {
        return Err(TcError::new(
            "LimitExceeded.ExceededMaxPagesError",
            format!("{} pages is more than a stream parses ({SSE_MAX_PAGES}); use CreateReconstructDocumentFlow.", pages.len()),
        ));
    }
    let default_result = if sse { "3" } else { "0" };
    let result_type = match kind {
        Kind::Reconstruct => config.result_type.clone(),
        Kind::Split => config
            .split_result_type
            .clone()
            .or(config.result_type.clone()),
    }
    .unwrap_or_else(|| default_result.to_owned());
    let failure = call
        .shared
        .take_task_failure(call.service, call.action)
        .or_else(|| unreadable_failure(&doc, sse));
    let durations = call.shared.config.durations.lkeap;
    Ok(LkeapTask {
        id: call.shared.ids.lkeap_task(),
        kind,
        timeline: Timeline::new(call.shared.clock.now_millis(), durations),
        doc: Arc::new(doc),
        pages,
        failed_pages,
        options: Options {
            result_type,
            return_page_format,
            page_format: config
                .page_format
                .unwrap_or_else(|| DEFAULT_PAGE_FORMAT.to_owned()),
            ignore_failed_page: config.ignore_failed_page.unwrap_or(true),
            image_links: config.markdown_image_response_type.as_deref() != Some("1"),
            max_chunk: config
                .max_chunk_size
                .and_then(|v| usize::try_from(v).ok())
                .unwrap_or(DEFAULT_CHUNK),
            mllm: config.enable_mllm.unwrap_or(false),
        },
        failure,
    })
}

/// How a task fails on an input the service cannot read: a URL it cannot download fails
/// with `InvalidParameter.FileURLInvalid` "url download failed" (the documented example);
/// a file that is not whole fails with `FailedOperation.FileParseError` in the async flows
/// and `FailedOperation.NonsupportParse` in the stream.
fn unreadable_failure(doc: &Document, sse: bool) -> Option<(String, String)> {
    Some(match doc.unreadable.as_ref()? {
        Unreadable::Unreachable(reason) => (
            "InvalidParameter.FileURLInvalid".to_owned(),
            format!("url download failed: {reason}"),
        ),
        Unreadable::Damaged(reason) if sse => (
            "FailedOperation.NonsupportParse".to_owned(),
            format!("the file cannot be parsed: {reason}"),
        ),
        Unreadable::Damaged(reason) => (
            "FailedOperation.FileParseError".to_owned(),
            format!("file parse failed: {reason}"),
        ),
    })
}

/// CreateReconstructDocumentFlow.
pub(crate) fn create_reconstruct(call: &Call<'_>, tasks: &LkeapTasks) -> Result<Response, TcError> {
    create(call, tasks, Kind::Reconstruct)
}

/// CreateSplitDocumentFlow.
pub(crate) fn create_split(call: &Call<'_>, tasks: &LkeapTasks) -> Result<Response, TcError> {
    create(call, tasks, Kind::Split)
}

fn create(call: &Call<'_>, tasks: &LkeapTasks, kind: Kind) -> Result<Response, TcError> {
    let task = prepare(call, kind, false)?;
    let id = task.id.clone();
    tasks.insert(id.clone(), task);
    call.shared
        .recorder
        .count_submission(call.service, call.action);
    Ok(ok(call.shared, fields(json!({ "TaskId": id }))))
}

/// GetReconstructDocumentResult.
pub(crate) fn get_reconstruct(call: &Call<'_>, tasks: &LkeapTasks) -> Result<Response, TcError> {
    get(call, tasks, Kind::Reconstruct)
}

/// GetSplitDocumentResult.
pub(crate) fn get_split(call: &Call<'_>, tasks: &LkeapTasks) -> Result<Response, TcError> {
    get(call, tasks, Kind::Split)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetRequest {
    task_id: String,
}

fn failed_pages_json(task: &LkeapTask) -> Value {
    Value::Array(
        task.failed_pages
            .iter()
            .map(|p| json!({ "PageNumber": p }))
            .collect(),
    )
}

fn usage(task: &LkeapTask) -> Value {
    let chars: usize = task
        .pages
        .iter()
        .filter_map(|p| task.doc.pages.get(*p))
        .flat_map(|p| p.lines.iter())
        .map(|l| l.chars().count())
        .sum();
    let pages = task.pages.len();
    let tokens = chars / 2 + pages * 16;
    let (split, mllm) = match task.kind {
        Kind::Split => (tokens / 4, if task.options.mllm { pages * 64 } else { 0 }),
        Kind::Reconstruct => (0, 0),
    };
    json!({
        "PageNumber": pages,
        "TotalToken": tokens + split + mllm,
        "TotalTokens": tokens + split + mllm,
        "SplitTokens": split,
        "MllmTokens": mllm,
        "SuccessPageNum": pages,
        "FailPageNum": task.failed_pages.len(),
        "FileSize": task.doc.size,
    })
}

fn get(call: &Call<'_>, tasks: &LkeapTasks, kind: Kind) -> Result<Response, TcError> {
    let req: GetRequest = call.typed()?;
    let task = tasks
        .get(&req.task_id)
        .filter(|t| t.kind == kind)
        .ok_or_else(|| {
            TcError::new(
                "InvalidParameter",
                format!("The task `{}` does not exist.", req.task_id),
            )
        })?;
    let phase = task.timeline.phase(call.shared.clock.now_millis());
    let status = match phase {
        Phase::Queued => "WaitExecute",
        Phase::Processing(_) => "Processing",
        Phase::Done => "Success",
    };
    if phase != Phase::Done {
        return Ok(ok(
            call.shared,
            fields(
                json!({ "Status": status, "DocumentRecognizeResultUrl": "", "FailedPages": [] }),
            ),
        ));
    }
    if let Some(failure) = task_failure(&task) {
        return Ok(ok(
            call.shared,
            fields(json!({
                "Status": "Failed",
                "FailedPages": failed_pages_json(&task),
                "Error": { "Code": failure.0, "Message": failure.1 },
            })),
        ));
    }
    let url = result_url(call.shared, &task)?;
    Ok(ok(
        call.shared,
        fields(json!({
            "Status": "Success",
            "DocumentRecognizeResultUrl": url,
            "FailedPages": failed_pages_json(&task),
            "Usage": usage(&task),
        })),
    ))
}

/// The failure of a task: injected, or failed pages that may not be ignored, or
/// nothing to parse at all.
fn task_failure(task: &LkeapTask) -> Option<(String, String)> {
    if let Some(f) = &task.failure {
        return Some(f.clone());
    }
    if !task.failed_pages.is_empty() && !task.options.ignore_failed_page {
        return Some((
            "FailedOperation.FileParseError".to_owned(),
            format!("pages {:?} could not be parsed", task.failed_pages),
        ));
    }
    if task.pages.is_empty() {
        return Some((
            "FailedOperation.FileParseError".to_owned(),
            "the requested page range has no pages".to_owned(),
        ));
    }
    None
}

/// Stores the result zip (once; deterministic) and signs a fresh COS pre-signed URL, valid
/// from now for `lkeap_result_validity` (30 minutes by default).
fn result_url(shared: &Shared, task: &LkeapTask) -> Result<String, TcError> {
    let file_id = format!("lkeap-{}", task.id);
    if shared.files.get(&file_id).is_none() {
        let zip = build_zip(task).map_err(|e| {
            TcError::new(
                "FailedOperation.UploadResultFileFailed",
                format!("could not build the result file: {e}"),
            )
        })?;
        shared.files.put(
            &file_id,
            StoredFile {
                bytes: Bytes::from(zip),
                content_type: "application/zip",
                name: format!("{}.zip", task.doc.stem()),
            },
        );
    }
    let now = shared.clock.now_unix();
    let expires = now.saturating_add(shared.config.lkeap_result_validity.as_secs());
    Ok(shared.files.cos_url(
        &shared.base_url,
        &file_id,
        &format!("{}.zip", task.doc.stem()),
        now,
        expires,
    ))
}

fn page_markdown(task: &LkeapTask, index: usize, first: bool, stem: &str) -> String {
    let Some(page) = task.doc.pages.get(index) else {
        return String::new();
    };
    let mut out = Vec::new();
    for (i, line) in page.lines.iter().enumerate() {
        if first && i == 0 && !line.starts_with('#') {
            out.push(format!("# {line}"));
        } else {
            out.push(line.clone());
        }
    }
    if first && task.options.image_links {
        out.push(format!("![image](images/{stem}_1.png)"));
    }
    let mut md = out.join("\n\n");
    if task.options.return_page_format {
        md.push_str("\n\n");
        md.push_str(
            &task
                .options
                .page_format
                .replace("{{p}}", &(index + 1).to_string()),
        );
    }
    md.push('\n');
    md
}

fn full_markdown(task: &LkeapTask, stem: &str) -> String {
    task.pages
        .iter()
        .enumerate()
        .map(|(n, p)| page_markdown(task, *p, n == 0, stem))
        .collect::<Vec<_>>()
        .join("\n")
}

fn page_json(task: &LkeapTask, index: usize) -> Vec<u8> {
    let Some(page) = task.doc.pages.get(index) else {
        return Vec::new();
    };
    let lines: Vec<Value> = page
        .laid_out()
        .iter()
        .map(|l| {
            json!({
                "text": l.text,
                "polygon": l.rect.corners().iter().map(|(x, y)| json!([x, y])).collect::<Vec<_>>(),
                "confidence": f64::from(l.confidence) / 100.0,
            })
        })
        .collect();
    let doc = json!({
        "page_number": index + 1,
        "width": page.width,
        "height": page.height,
        "angle": 0,
        "lines": lines,
    });
    serde_json::to_vec_pretty(&doc).unwrap_or_default()
}

fn image(task: &LkeapTask) -> Vec<u8> {
    artifacts::png::png(32, 24, "", task.doc.digest[0])
}

/// The result zip: `<stem>.md` (full Markdown), `pages/<n>.md`, `pages/<n>.json`
/// according to ResultType, `images/<stem>_1.png`; for split tasks `<stem>.md`,
/// `<stem>.jsonl` (chunks), `<stem>_mllm.json` and the image.
fn build_zip(task: &LkeapTask) -> Result<Vec<u8>, std::io::Error> {
    let stem = task.doc.stem();
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    match task.kind {
        Kind::Reconstruct => {
            let rt = task.options.result_type.as_str();
            let full = matches!(rt, "0" | "3" | "4" | "5");
            let page_json_wanted = matches!(rt, "1" | "3" | "5");
            let page_md = matches!(rt, "2" | "4" | "5");
            if full {
                entries.push((
                    format!("{stem}.md"),
                    full_markdown(task, &stem).into_bytes(),
                ));
            }
            for (n, p) in task.pages.iter().enumerate() {
                if page_md {
                    entries.push((
                        format!("pages/{}.md", p + 1),
                        page_markdown(task, *p, n == 0, &stem).into_bytes(),
                    ));
                }
                if page_json_wanted {
                    entries.push((format!("pages/{}.json", p + 1), page_json(task, *p)));
                }
            }
        }
        Kind::Split => {
            entries.push((
                format!("{stem}.md"),
                full_markdown(task, &stem).into_bytes(),
            ));
            entries.push((format!("{stem}.jsonl"), chunks(task).into_bytes()));
            let mllm = if task.options.mllm {
                json!([{ "image": format!("images/{stem}_1.png"), "description": "A small grey placeholder image." }])
            } else {
                json!([])
            };
            entries.push((format!("{stem}_mllm.json"), mllm.to_string().into_bytes()));
        }
    }
    entries.push((format!("images/{stem}_1.png"), image(task)));
    artifacts::zip(&entries)
}

/// JSONL chunks: lines grouped up to `MaxChunkSize` characters; `org_data` is the
/// chunk's paragraphs, `big_data` its whole page.
fn chunks(task: &LkeapTask) -> String {
    let mut out = String::new();
    for p in &task.pages {
        let Some(page) = task.doc.pages.get(*p) else {
            continue;
        };
        let big = page.lines.join("\n");
        let mut current: Vec<&str> = Vec::new();
        let mut size = 0;
        let flush = |current: &mut Vec<&str>, out: &mut String| {
            if current.is_empty() {
                return;
            }
            let text = current.join("\n");
            let line = json!({ "page_content": text, "org_data": text, "big_data": big });
            out.push_str(&line.to_string());
            out.push('\n');
            current.clear();
        };
        for line in &page.lines {
            let len = line.chars().count();
            if size + len > task.options.max_chunk && !current.is_empty() {
                flush(&mut current, &mut out);
                size = 0;
            }
            current.push(line);
            size += len + 1;
        }
        flush(&mut current, &mut out);
    }
    out
}

/// ReconstructDocumentSSE: progress events, then the final `TASK_RSP` event with the
/// result URL. Events are paced over the configured processing time on the system
/// clock and sent at once on a manual clock.
pub(crate) fn sse(call: &Call<'_>, tasks: &LkeapTasks) -> Result<Response, TcError> {
    let task = prepare(call, Kind::Reconstruct, true)?;
    if let Some((code, message)) = task_failure(&task) {
        return Err(TcError::new(code, message));
    }
    let mut finished = task.clone();
    // A stream's task is complete once streamed; it can also be polled afterwards.
    finished.timeline = Timeline::new(0, crate::config::TaskDurations::INSTANT);
    tasks.insert(task.id.clone(), finished.clone());
    let url = result_url(call.shared, &finished)?;
    call.shared
        .recorder
        .count_submission(call.service, call.action);
    let request_id = call.shared.ids.uuid();
    let pages = task.pages.len();
    let mut events: Vec<Value> = vec![json!({
        "TaskId": task.id,
        "ResponseType": "PROGRESS",
        "Progress": "0",
        "ProgressMessage": "开始文档解析",
        "DocumentRecognizeResultUrl": "",
        "FailedPages": [],
        "FailPageNum": 0,
        "SuccessPageNum": 0,
    })];
    for n in 1..=pages {
        events.push(json!({
            "TaskId": task.id,
            "ResponseType": "PROGRESS",
            "Progress": (n * 100 / (pages + 1)).to_string(),
            "ProgressMessage": format!("解析第{n}页"),
            "DocumentRecognizeResultUrl": "",
            "FailedPages": [],
            "FailPageNum": 0,
            "SuccessPageNum": n,
        }));
    }
    events.push(json!({
        "TaskId": task.id,
        "ResponseType": "TASK_RSP",
        "Progress": "100",
        "ProgressMessage": "完成文档解析",
        "DocumentRecognizeResultUrl": url,
        "FailedPages": failed_pages_json(&task),
        "FailPageNum": task.failed_pages.len(),
        "SuccessPageNum": pages,
    }));
    let pace = if call.shared.clock.is_manual() {
        Duration::ZERO
    } else {
        let d = call.shared.config.durations.lkeap;
        (d.queued + d.processing) / u32::try_from(events.len()).unwrap_or(1).max(1)
    };
    let frames: Vec<Bytes> = events
        .iter()
        .map(|e| Bytes::from(format!("data: {e}\n\n")))
        .collect();
    let stream = futures_util::stream::unfold((frames, 0usize), move |(frames, i)| async move {
        let frame = frames.get(i).cloned()?;
        if i > 0 && !pace.is_zero() {
            tokio::time::sleep(pace).await;
        }
        Some((Ok::<Bytes, std::io::Error>(frame), (frames, i + 1)))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "text/event-stream")
        .header(header::CACHE_CONTROL, "no-cache")
        .header("X-TC-RequestId", request_id)
        .body(Body::from_stream(stream))
        .map_err(|e| TcError::new("InternalError", e.to_string()))
}
