//! PicWish OCR: `POST /api/tasks/document/ocr` (multipart) creates a task,
//! `GET /api/tasks/document/ocr/{task_id}` reports it: state 0 queued, 2–6 processing,
//! 1 done with a result file URL valid one hour, negative codes for failures (-7 for a file
//! that is not a whole document of a supported format, -3 for a URL the service cannot
//! download).
//!
//! The form takes `image_url`, `image_file`, `language`, `password` and `format`; any other
//! field is refused with 400 after it is read to its end without being kept (it may be
//! large), and a text field longer than 64 KiB is refused the same way. The file is hashed
//! while streamed; its first 8 MiB and last 64 KiB are kept.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::artifacts;
use crate::config::{PICWISH_CREATE_ACTION, PICWISH_QUERY_ACTION};
use crate::content::{self, Document, Format, Unreadable};
use crate::files::StoredFile;
use crate::http_util::{drain, header_str};
use crate::service::Service;
use crate::shared::{BodySize, Shared};
use crate::tasks::{Phase, TaskTable, Timeline, MAX_TASKS};

/// Largest image side.
const MAX_SIDE: u32 = 32_512;
/// Bytes of an upload kept for recognition (the rest is only hashed).
const KEEP: usize = 8 * 1024 * 1024;
/// Bytes kept of the end of an upload longer than [`KEEP`], to check that it is whole.
const KEEP_TAIL: usize = 64 * 1024;
/// Longest text field (`image_url`, `language`, `password`, `format`) read.
const MAX_TEXT_FIELD: usize = 64 * 1024;
/// The form fields of the create call.
const FIELDS: &[&str] = &["image_url", "image_file", "language", "password", "format"];
const MAX_LANGUAGES: usize = 10;
const MAX_PASSWORD: usize = 32;
const FORMATS: &[&str] = &["txt", "pdf", "docx", "xlsx", "pptx"];
/// Language names whose spelling the emulator knows; other well-formed names pass.
const KNOWN_LANGUAGES: &[&str] = &[
    "ChinesePRC",
    "ChineseTaiwan",
    "English",
    "Digits",
    "Japanese",
    "Korean",
    "French",
    "German",
    "Spanish",
    "Italian",
    "Portuguese",
    "Russian",
];

/// The message of state -7.
const INVALID_IMAGE: &str = "Invalid image file (e.g. corrupted image or incorrect format).";

/// A PicWish task.
#[derive(Clone)]
pub(crate) struct PicTask {
    id: String,
    timeline: Timeline,
    doc: Arc<Document>,
    format: String,
    /// Negative state and message when the task fails.
    failure: Option<(i64, String)>,
}

/// PicWish tasks.
pub(crate) struct PicWishState {
    tasks: TaskTable<String, PicTask>,
}

impl Default for PicWishState {
    fn default() -> Self {
        Self {
            tasks: TaskTable::new(MAX_TASKS),
        }
    }
}

/// A PicWish error answer: `{"status": <code>, "message": "…"}` with that HTTP status.
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        json!({ "status": status.as_u16(), "message": message }).to_string(),
    )
        .into_response()
}

fn success(data: Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        json!({ "status": 200, "message": "success", "data": data }).to_string(),
    )
        .into_response()
}

fn authorised(shared: &Shared, parts: &Parts) -> bool {
    header_str(&parts.headers, "x-api-key")
        .is_some_and(|key| shared.config.picwish_api_keys.iter().any(|k| k == key))
}

fn unauthorised() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        "Unauthorized API key. Check that X-API-KEY is correct and the service is enabled.",
    )
}

fn throttled() -> Response {
    error(
        StatusCode::TOO_MANY_REQUESTS,
        "Request frequency exceeds the QPS limit. Slow down or contact us to raise your QPS.",
    )
}

fn bad(message: impl AsRef<str>) -> Response {
    error(StatusCode::BAD_REQUEST, message.as_ref())
}

struct Upload {
    prefix: Vec<u8>,
    /// The last bytes (up to [`KEEP_TAIL`]) of an upload longer than [`KEEP`].
    tail: Vec<u8>,
    digest: [u8; 32],
    size: u64,
    name: String,
}

fn with_size(mut response: Response, size: u64) -> Response {
    response.extensions_mut().insert(BodySize(size));
    response
}

/// `POST /api/tasks/document/ocr`.
///
/// A request refused before its body is read (key, rate, content type) has the body read and
/// discarded first, and so has the rest of an upload refused part-way (too large, malformed):
/// the client then receives the answer, as from the real service, rather than a connection
/// reset in the middle of its upload.
pub(crate) async fn create(
    shared: &Shared,
    state: &PicWishState,
    parts: Parts,
    body: Body,
) -> Response {
    if !authorised(shared, &parts) {
        return with_size(unauthorised(), drain(body).await);
    }
    if !shared.within_rate_limit(PICWISH_CREATE_ACTION) {
        return with_size(throttled(), drain(body).await);
    }
    let content_type = header_str(&parts.headers, "content-type").unwrap_or_default();
    if !content_type
        .trim()
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        let response = bad("The request must be multipart/form-data.");
        return with_size(response, drain(body).await);
    }
    let request = Request::from_parts(parts, body);
    let mut multipart = match Multipart::from_request(request, &()).await {
        Ok(m) => m,
        Err(e) => return bad(format!("Malformed multipart body: {e}")),
    };
    let mut read: u64 = 0;
    let max = shared.config.picwish_max_upload;
    match read_form(&mut multipart, &mut read, max).await {
        Ok(form) => with_size(create_task(shared, state, form), read),
        Err(response) => {
            drain_form(&mut multipart).await;
            with_size(*response, read)
        }
    }
}

/// Reads and discards what is left of a multipart body (the rest of the current part and every
/// later one), stopping at its end or at the first error.
async fn drain_form(multipart: &mut Multipart) {
    while let Ok(Some(mut field)) = multipart.next_field().await {
        while let Ok(Some(_)) = field.chunk().await {}
    }
}

#[derive(Default)]
struct Form {
    image_url: Option<String>,
    image_file: Option<Upload>,
    language: Option<String>,
    password: Option<String>,
    format: Option<String>,
}

async fn read_form(
    multipart: &mut Multipart,
    read: &mut u64,
    max: u64,
) -> Result<Form, Box<Response>> {
    let mut form = Form::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(Box::new(bad(format!("Malformed multipart body: {e}")))),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "image_file" {
            if form.image_file.is_some() {
                return Err(Box::new(bad("image_file is given twice.")));
            }
            let file_name = field.file_name().unwrap_or("upload").to_owned();
            let mut field = field;
            let mut hasher = Sha256::new();
            let mut prefix = Vec::new();
            let mut tail: Vec<u8> = Vec::new();
            let mut size: u64 = 0;
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        size += chunk.len() as u64;
                        *read += chunk.len() as u64;
                        if size > max {
                            return Err(Box::new(error(
                                StatusCode::PAYLOAD_TOO_LARGE,
                                &format!(
                                    "The uploaded file exceeds the allowed size ({max} bytes)."
                                ),
                            )));
                        }
                        hasher.update(&chunk);
                        let mut rest = &chunk[..];
                        if prefix.len() < KEEP {
                            let take = (KEEP - prefix.len()).min(rest.len());
                            prefix.extend_from_slice(&rest[..take]);
                            rest = &rest[take..];
                        }
                        keep_tail(&mut tail, rest);
                    }
                    Ok(None) => break,
                    Err(e) => return Err(Box::new(bad(format!("Malformed multipart body: {e}")))),
                }
            }
            form.image_file = Some(Upload {
                prefix,
                tail,
                digest: hasher.finalize().into(),
                size,
                name: file_name,
            });
            continue;
        }
        let mut field = field;
        if !FIELDS.contains(&name.as_str()) {
            // Refused, and read to its end without keeping it (it may be large).
            while let Ok(Some(chunk)) = field.chunk().await {
                *read += chunk.len() as u64;
            }
            return Err(Box::new(bad(format!(
                "Unexpected form field `{name}`: the create call takes only {}.",
                FIELDS.join(", ")
            ))));
        }
        let mut bytes: Vec<u8> = Vec::new();
        let mut too_long = false;
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    *read += chunk.len() as u64;
                    // Past the limit the rest is read to its end and dropped.
                    too_long |= bytes.len() + chunk.len() > MAX_TEXT_FIELD;
                    if !too_long {
                        bytes.extend_from_slice(&chunk);
                    }
                }
                Ok(None) => break,
                Err(e) => return Err(Box::new(bad(format!("Malformed multipart body: {e}")))),
            }
        }
        if too_long {
            return Err(Box::new(bad(format!(
                "{name} is longer than {MAX_TEXT_FIELD} bytes."
            ))));
        }
        let Ok(text) = String::from_utf8(bytes) else {
            return Err(Box::new(bad(format!("{name} is not UTF-8 text."))));
        };
        let slot = match name.as_str() {
            "image_url" => &mut form.image_url,
            "language" => &mut form.language,
            "password" => &mut form.password,
            _ => &mut form.format,
        };
        if slot.is_some() {
            return Err(Box::new(bad(format!("{name} is given twice."))));
        }
        *slot = Some(text);
    }
    Ok(form)
}

/// Keeps the last [`KEEP_TAIL`] bytes seen in `tail`.
fn keep_tail(tail: &mut Vec<u8>, chunk: &[u8]) {
    if chunk.len() >= KEEP_TAIL {
        tail.clear();
        tail.extend_from_slice(&chunk[chunk.len() - KEEP_TAIL..]);
        return;
    }
    let excess = (tail.len() + chunk.len()).saturating_sub(KEEP_TAIL);
    tail.drain(..excess.min(tail.len()));
    tail.extend_from_slice(chunk);
}

fn check_url(url: &str) -> Result<(), String> {
    let parsed = url::Url::parse(url.trim())
        .map_err(|_| format!("image_url `{url}` is not a valid URL."))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err("image_url must be an http or https URL.".to_owned());
    }
    if let Some(port) = parsed.port() {
        if port != 80 && port != 443 {
            return Err(format!(
                "image_url uses port {port}; only ports 80 and 443 are allowed."
            ));
        }
    }
    Ok(())
}

fn check_languages(list: &str) -> Result<(), String> {
    let names: Vec<&str> = list.split(',').map(str::trim).collect();
    if names.len() > MAX_LANGUAGES {
        return Err(format!(
            "language lists {} languages; at most {MAX_LANGUAGES} are allowed.",
            names.len()
        ));
    }
    for name in names {
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(format!(
                "language `{name}` is not a language name (comma-separated, e.g. English,ChinesePRC,Digits)."
            ));
        }
        if let Some(known) = KNOWN_LANGUAGES
            .iter()
            .find(|k| k.eq_ignore_ascii_case(name) && **k != name)
        {
            return Err(format!(
                "language names are case-sensitive: `{name}` should be `{known}`."
            ));
        }
    }
    Ok(())
}

fn create_task(shared: &Shared, state: &PicWishState, form: Form) -> Response {
    let url = form.image_url.filter(|u| !u.trim().is_empty());
    let file = form.image_file.filter(|f| f.size > 0 || !f.name.is_empty());
    let source_doc = match (url, file) {
        (Some(_), Some(_)) => {
            return bad("Use either image_url or image_file, not both: the other must be empty.")
        }
        (None, None) => return bad("One source file is required: image_url or image_file."),
        (Some(url), None) => {
            if let Err(message) = check_url(&url) {
                return bad(message);
            }
            shared.url_document(url.trim())
        }
        (None, Some(upload)) => {
            if upload.size == 0 {
                return bad("image_file is empty.");
            }
            content::recognize_upload(
                &upload.prefix,
                &upload.tail,
                upload.digest,
                upload.size,
                &upload.name,
            )
        }
    };
    if let Some(list) = &form.language {
        if let Err(message) = check_languages(list) {
            return bad(message);
        }
    }
    if let Some(password) = &form.password {
        if password.chars().count() > MAX_PASSWORD {
            return bad(format!(
                "password is longer than {MAX_PASSWORD} characters."
            ));
        }
    }
    let format = form.format.unwrap_or_else(|| "txt".to_owned());
    if !FORMATS.contains(&format.as_str()) {
        return bad(format!(
            "format `{format}` is not supported; use one of: {}.",
            FORMATS.join(", ")
        ));
    }
    if let Some((w, h)) = source_doc.image_size {
        if w > MAX_SIDE || h > MAX_SIDE {
            return bad(format!(
                "The image is {w}x{h}; images may be at most {MAX_SIDE} x {MAX_SIDE}."
            ));
        }
    }
    let mut failure = shared
        .take_task_failure(Service::PicWish, PICWISH_CREATE_ACTION)
        .map(|(code, message)| {
            (
                code.trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|c| *c < 0)
                    .unwrap_or(-1),
                message,
            )
        });
    let accepted = [
        Format::Pdf,
        Format::Ole,
        Format::Zip,
        Format::Jpeg,
        Format::Png,
        Format::Gif,
        Format::Bmp,
    ];
    if failure.is_none() {
        failure = match &source_doc.unreadable {
            Some(Unreadable::Unreachable(_)) => Some((
                -3,
                "The server failed to download your file. Check that the source image URL is available.".to_owned(),
            )),
            Some(Unreadable::Damaged(_)) => Some((-7, INVALID_IMAGE.to_owned())),
            None if source_doc.size > 0 && !accepted.contains(&source_doc.format) => {
                Some((-7, INVALID_IMAGE.to_owned()))
            }
            None => None,
        };
    }
    let id = shared.ids.uuid();
    state.tasks.insert(
        id.clone(),
        PicTask {
            id: id.clone(),
            timeline: Timeline::new(shared.clock.now_millis(), shared.config.durations.picwish),
            doc: Arc::new(source_doc),
            format,
            failure,
        },
    );
    shared
        .recorder
        .count_submission(Service::PicWish, PICWISH_CREATE_ACTION);
    success(json!({ "task_id": id }))
}

/// `GET /api/tasks/document/ocr/{task_id}`.
pub(crate) fn query(shared: &Shared, state: &PicWishState, parts: &Parts, id: &str) -> Response {
    if !authorised(shared, parts) {
        return unauthorised();
    }
    if !shared.within_rate_limit(PICWISH_QUERY_ACTION) {
        return throttled();
    }
    let Some(task) = state.tasks.get(&id.to_owned()) else {
        return error(StatusCode::NOT_FOUND, "The task_id does not exist.");
    };
    let now = shared.clock.now_millis();
    let secs = |ms: u64| (ms / 1000).to_string();
    let t = task.timeline;
    let mut data = json!({ "task_id": task.id, "created_at": secs(t.created_ms) });
    let Some(map) = data.as_object_mut() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "Server-side exception.");
    };
    match t.phase(now) {
        Phase::Queued => {
            map.insert("progress".into(), json!(0));
            map.insert("state".into(), json!(0));
        }
        Phase::Processing(p) => {
            let state = match p {
                0..=9 => 2,
                10..=19 => 3,
                20..=69 => 4,
                70..=89 => 6,
                _ => 5,
            };
            map.insert("processed_at".into(), json!(secs(t.started_ms())));
            map.insert("progress".into(), json!(p));
            map.insert("state".into(), json!(state));
        }
        Phase::Done => {
            map.insert("processed_at".into(), json!(secs(t.started_ms())));
            map.insert("completed_at".into(), json!(secs(t.finished_ms())));
            if let Some((state, message)) = &task.failure {
                map.insert("progress".into(), json!(0));
                map.insert("state".into(), json!(state));
                return (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/json")],
                    json!({ "status": 200, "message": message, "data": data }).to_string(),
                )
                    .into_response();
            }
            let expires = (t.finished_ms() / 1000)
                .saturating_add(shared.config.picwish_result_validity.as_secs());
            match result_file(shared, &task) {
                Ok(name) => {
                    let url = shared
                        .files
                        .url(&shared.base_url, &file_id(&task), &name, expires);
                    map.insert("file".into(), json!(url));
                }
                Err(_) => {
                    // Processing succeeded but the result could not be stored (-2).
                    map.insert("progress".into(), json!(100));
                    map.insert("state".into(), json!(-2));
                    return success(data);
                }
            }
            map.insert("progress".into(), json!(100));
            map.insert("state".into(), json!(1));
        }
    }
    success(data)
}

fn file_id(task: &PicTask) -> String {
    format!("picwish-{}", task.id)
}

/// Stores the result file (once) and returns its name.
fn result_file(shared: &Shared, task: &PicTask) -> Result<String, std::io::Error> {
    let name = format!("{}.{}", task.doc.stem(), task.format);
    let id = file_id(task);
    if shared.files.get(&id).is_some() {
        return Ok(name);
    }
    let pages: Vec<Vec<String>> = task.doc.pages.iter().map(|p| p.lines.clone()).collect();
    let (bytes, content_type): (Vec<u8>, &'static str) = match task.format.as_str() {
        "pdf" => (artifacts::pdf::pdf(&pages), "application/pdf"),
        "docx" => (
            artifacts::office::docx(&pages)?,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        "xlsx" => (
            artifacts::office::xlsx(&pages)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "pptx" => (
            artifacts::office::pptx(&pages)?,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        _ => (
            {
                let mut text = task.doc.text();
                text.push('\n');
                text.into_bytes()
            },
            "text/plain; charset=utf-8",
        ),
    };
    shared.files.put(
        &id,
        StoredFile {
            bytes: Bytes::from(bytes),
            content_type,
            name: name.clone(),
        },
    );
    Ok(name)
}
