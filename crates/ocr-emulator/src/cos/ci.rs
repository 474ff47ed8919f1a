//! CI ImageOCR jobs (submit, describe, list, cancel) and OCR templates (create, update,
//! describe, delete), XML in and out.

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::call::BucketCall;
use super::ci_ocr::{check_document, write_result, ImageOcrXml, OcrParams};
use super::xml::{xml_response, Xml};
use crate::clock::{ci_time, parse_ci_time};
use crate::content::{self, Document};
use crate::http_util::query_value;
use crate::service::Service;
use crate::shared::BodySize;
use crate::tasks::{Phase, TaskTable, Timeline, MAX_TASKS};

/// Largest XML request body.
const MAX_XML: usize = 1024 * 1024;
const STATES: &[&str] = &[
    "All",
    "Submitted",
    "Running",
    "Success",
    "Failed",
    "Pause",
    "Cancel",
];

/// An OCR job.
#[derive(Clone)]
pub(crate) struct CiJob {
    id: String,
    bucket: String,
    object: String,
    timeline: Timeline,
    template: Option<(String, String)>,
    inline: bool,
    params: OcrParams,
    user_data: Option<String>,
    job_level: String,
    queue_id: String,
    cancelled_at: Option<u64>,
    failure: Option<(String, String)>,
    doc: Arc<Document>,
    page: usize,
}

/// An OCR template.
#[derive(Clone)]
pub(crate) struct Template {
    id: String,
    bucket: String,
    name: String,
    params: OcrParams,
    created: u64,
    updated: u64,
}

/// Jobs and templates.
pub(crate) struct CiState {
    jobs: TaskTable<String, CiJob>,
    templates: TaskTable<String, Template>,
}

impl Default for CiState {
    fn default() -> Self {
        Self {
            jobs: TaskTable::new(MAX_TASKS),
            templates: TaskTable::new(MAX_TASKS),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct InputXml {
    #[serde(rename = "Object")]
    object: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct OperationXml {
    #[serde(rename = "TemplateId")]
    template_id: Option<String>,
    #[serde(rename = "ImageOCR")]
    image_ocr: Option<ImageOcrXml>,
    #[serde(rename = "UserData")]
    user_data: Option<String>,
    #[serde(rename = "JobLevel")]
    job_level: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct MqConfigXml {
    #[serde(rename = "MqRegion")]
    mq_region: Option<String>,
    #[serde(rename = "MqMode")]
    mq_mode: Option<String>,
    #[serde(rename = "MqName")]
    mq_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct JobRequestXml {
    #[serde(rename = "Tag")]
    tag: Option<String>,
    #[serde(rename = "Input")]
    input: Option<InputXml>,
    #[serde(rename = "Operation")]
    operation: Option<OperationXml>,
    #[serde(rename = "QueueId")]
    queue_id: Option<String>,
    #[serde(rename = "CallBack")]
    callback: Option<String>,
    #[serde(rename = "CallBackFormat")]
    callback_format: Option<String>,
    #[serde(rename = "CallBackType")]
    callback_type: Option<String>,
    #[serde(rename = "CallBackMqConfig")]
    callback_mq_config: Option<MqConfigXml>,
}

#[derive(Debug, Default, Deserialize)]
struct TemplateRequestXml {
    #[serde(rename = "Tag")]
    tag: Option<String>,
    #[serde(rename = "Name")]
    name: Option<String>,
    #[serde(rename = "ImageOCR")]
    image_ocr: Option<ImageOcrXml>,
}

fn queue_id(bucket: &str) -> String {
    let h = hex::encode(Sha256::digest(format!("queue:{bucket}").as_bytes()));
    format!("p{}", &h[..32])
}

/// Splits `/jobs/<ids>` or `/template/<id>` into the id part.
fn resource_id(path: &str) -> Option<&str> {
    let path = path.trim_matches('/');
    path.split_once('/')
        .map(|(_, id)| id)
        .filter(|id| !id.is_empty())
}

pub(crate) async fn handle(call: &BucketCall<'_>, ci: &CiState, body: Body) -> Response {
    let body = match to_bytes(body, MAX_XML).await {
        Ok(b) => b,
        Err(_) => {
            return call.error(
                StatusCode::BAD_REQUEST,
                "XMLSizeLimit",
                "The XML request body is too large.",
            )
        }
    };
    let size = body.len() as u64;
    let text = String::from_utf8_lossy(&body).into_owned();
    let mut response = match call.action {
        "SubmitJob" => submit(call, ci, &text),
        "DescribeJobs" => describe(call, ci),
        "ListJobs" => list(call, ci),
        "CancelJob" => cancel(call, ci),
        "CreateTemplate" => save_template(call, ci, &text, None),
        "UpdateTemplate" => save_template(call, ci, &text, resource_id(&call.target.key)),
        "DescribeTemplates" => describe_templates(call, ci),
        "DeleteTemplate" => delete_template(call, ci),
        _ => call.error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
        ),
    };
    response.extensions_mut().insert(BodySize(size));
    response
}

fn invalid(call: &BucketCall<'_>, message: &str) -> Response {
    call.error(StatusCode::BAD_REQUEST, "InvalidArgument", message)
}

/// Parses an XML request body; the error is the `MalformedXML` message.
fn parse<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, String> {
    if text.trim().is_empty() {
        return Err("The request body is empty; a <Request> document is required.".to_owned());
    }
    quick_xml::de::from_str::<T>(text)
        .map_err(|e| format!("The XML you provided was not well-formed: {e}"))
}

fn malformed(call: &BucketCall<'_>, message: &str) -> Response {
    call.error(StatusCode::BAD_REQUEST, "MalformedXML", message)
}

fn submit(call: &BucketCall<'_>, ci: &CiState, text: &str) -> Response {
    let req: JobRequestXml = match parse(text) {
        Ok(r) => r,
        Err(message) => return malformed(call, &message),
    };
    let tag = req.tag.as_deref().map(str::trim).unwrap_or_default();
    if tag != "ImageOCR" {
        return invalid(
            call,
            &format!("Tag `{tag}` is not supported; use ImageOCR."),
        );
    }
    let Some(object) = req
        .input
        .as_ref()
        .and_then(|i| i.object.as_deref())
        .map(str::trim)
        .filter(|o| !o.is_empty())
    else {
        return invalid(
            call,
            "Input.Object is required: the key of the image to recognise.",
        );
    };
    let Some(operation) = req.operation else {
        return invalid(call, "Operation is required.");
    };
    let level = operation.job_level.as_deref().map(str::trim).unwrap_or("0");
    if !matches!(level, "0" | "1" | "2") {
        return invalid(
            call,
            &format!("Operation.JobLevel `{level}` must be 0, 1 or 2."),
        );
    }
    if let Some(data) = &operation.user_data {
        if data.chars().count() > 1024 || !data.chars().all(|c| (' '..='~').contains(&c)) {
            return invalid(
                call,
                "Operation.UserData must be printable ASCII of at most 1024 characters.",
            );
        }
    }
    if let Some(format) = req.callback_format.as_deref() {
        if !matches!(format, "XML" | "JSON") {
            return invalid(
                call,
                &format!("CallBackFormat `{format}` must be XML or JSON."),
            );
        }
    }
    match req.callback_type.as_deref() {
        None | Some("Url") => {}
        Some("TDMQ") => {
            let Some(mq) = &req.callback_mq_config else {
                return invalid(
                    call,
                    "CallBackMqConfig is required when CallBackType is TDMQ.",
                );
            };
            if !matches!(
                mq.mq_region.as_deref(),
                Some("sh" | "bj" | "gz" | "cd" | "hk")
            ) {
                return invalid(
                    call,
                    "CallBackMqConfig.MqRegion must be sh, bj, gz, cd or hk.",
                );
            }
            if !matches!(mq.mq_mode.as_deref(), None | Some("Queue" | "Topic")) {
                return invalid(call, "CallBackMqConfig.MqMode must be Queue or Topic.");
            }
            if mq.mq_name.as_deref().is_none_or(str::is_empty) {
                return invalid(call, "CallBackMqConfig.MqName is required.");
            }
        }
        Some(other) => {
            return invalid(
                call,
                &format!("CallBackType `{other}` must be Url or TDMQ."),
            )
        }
    }
    let _ = &req.callback;
    // TemplateId wins over inline parameters.
    let (template, params, inline) = match operation
        .template_id
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(id) => match ci
            .templates
            .get(&id.to_owned())
            .filter(|t| t.bucket == call.target.bucket)
        {
            Some(t) => (
                Some((t.id.clone(), t.name.clone())),
                t.params.clone(),
                false,
            ),
            None => {
                return invalid(
                    call,
                    &format!("Operation.TemplateId `{id}` does not exist."),
                )
            }
        },
        None => match &operation.image_ocr {
            Some(inline) => match inline.validate() {
                Ok(p) => (None, p, true),
                Err(message) => return invalid(call, &format!("Operation.ImageOCR: {message}")),
            },
            None => {
                return invalid(
                    call,
                    "The OCR parameters must be set: Operation.TemplateId or Operation.ImageOCR.",
                )
            }
        },
    };
    let Some(stored) = call.shared.buckets.object(&call.target.bucket, object) else {
        return call.error(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            &format!("The input object `{object}` does not exist."),
        );
    };
    let name = object.rsplit('/').next().unwrap_or(object).to_owned();
    let doc = content::recognize_bytes(&stored.data, &name);
    let (page, mut failure) = match check_document(&doc, &params) {
        Ok(page) => (page, None),
        Err(problem) => (0, Some(problem)),
    };
    if let Some(injected) = call.shared.take_task_failure(Service::Ci, "SubmitJob") {
        failure = Some(injected);
    }
    let bucket_queue = queue_id(&call.target.bucket);
    if let Some(q) = req.queue_id.as_deref().filter(|q| !q.is_empty()) {
        if q != bucket_queue {
            return invalid(
                call,
                &format!("QueueId `{q}` does not exist in this bucket."),
            );
        }
    }
    let job = CiJob {
        id: call.shared.ids.ci_job(),
        bucket: call.target.bucket.clone(),
        object: object.to_owned(),
        timeline: Timeline::new(
            call.shared.clock.now_millis(),
            call.shared.config.durations.ci,
        ),
        template,
        inline,
        params,
        user_data: operation.user_data.clone(),
        job_level: level.to_owned(),
        queue_id: bucket_queue,
        cancelled_at: None,
        failure,
        doc: Arc::new(doc),
        page,
    };
    ci.jobs.insert(job.id.clone(), job.clone());
    call.shared
        .recorder
        .count_submission(Service::Ci, "SubmitJob");
    let mut x = Xml::new();
    x.open("Response");
    job_detail(&mut x, call, &job);
    x.close("Response");
    xml_response(call.shared, true, StatusCode::OK, x.finish())
}

/// The state of a job now: `Submitted`, `Running`, `Success`, `Failed` or `Cancel`.
fn state(call: &BucketCall<'_>, job: &CiJob) -> &'static str {
    if job.cancelled_at.is_some() {
        return "Cancel";
    }
    match job.timeline.phase(call.shared.clock.now_millis()) {
        Phase::Queued => "Submitted",
        Phase::Processing(_) => "Running",
        Phase::Done if job.failure.is_some() => "Failed",
        Phase::Done => "Success",
    }
}

fn job_detail(x: &mut Xml, call: &BucketCall<'_>, job: &CiJob) {
    let state = state(call, job);
    let t = job.timeline;
    let (code, message) = match (&job.failure, state) {
        (Some((code, message)), "Failed") => (code.as_str(), message.as_str()),
        _ => ("Success", ""),
    };
    let start = match state {
        "Submitted" => "-".to_owned(),
        "Cancel" => "-".to_owned(),
        _ => ci_time(t.started_ms() / 1000),
    };
    let end = match state {
        "Success" | "Failed" => ci_time(t.finished_ms() / 1000),
        "Cancel" => ci_time(job.cancelled_at.unwrap_or_default()),
        _ => "-".to_owned(),
    };
    x.open("JobsDetail")
        .leaf("Code", code)
        .leaf("CreationTime", ci_time(t.created_ms / 1000))
        .leaf("EndTime", end);
    x.open("Input")
        .leaf("BucketId", &job.bucket)
        .leaf("Object", &job.object)
        .leaf("Region", &call.shared.config.region)
        .close("Input");
    x.leaf("JobId", &job.id).leaf("Message", message);
    x.open("Operation");
    if state == "Success" {
        x.open("Detection");
        write_result(x, &job.doc, job.page, &job.params);
        x.close("Detection");
    }
    if job.inline {
        ImageOcrXml::write(&job.params, x);
    }
    x.leaf("JobLevel", &job.job_level);
    if let Some((id, name)) = &job.template {
        x.leaf("TemplateId", id).leaf("TemplateName", name);
    }
    if let Some(data) = &job.user_data {
        x.leaf("UserData", data);
    }
    x.close("Operation")
        .leaf("QueueId", &job.queue_id)
        .leaf("StartTime", start)
        .leaf("State", state)
        .leaf("Tag", "ImageOCR")
        .close("JobsDetail");
}

fn describe(call: &BucketCall<'_>, ci: &CiState) -> Response {
    let Some(ids) = resource_id(&call.target.key) else {
        return invalid(call, "A job id is required.");
    };
    let mut x = Xml::new();
    x.open("Response");
    let mut missing = Vec::new();
    for id in ids.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        match ci
            .jobs
            .get(&id.to_owned())
            .filter(|j| j.bucket == call.target.bucket)
        {
            Some(job) => job_detail(&mut x, call, &job),
            None => missing.push(id.to_owned()),
        }
    }
    if !missing.is_empty() {
        x.leaf("NonExistJobIds", missing.join(","));
    }
    x.close("Response");
    xml_response(call.shared, true, StatusCode::OK, x.finish())
}

fn list(call: &BucketCall<'_>, ci: &CiState) -> Response {
    let q = |name: &str| {
        query_value(&call.query, name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    match q("tag") {
        Some("ImageOCR") => {}
        Some(other) => {
            return invalid(
                call,
                &format!("tag `{other}` is not supported; use ImageOCR."),
            )
        }
        None => return invalid(call, "tag is required (ImageOCR)."),
    }
    let ascending = match q("orderByTime") {
        None | Some("Desc") => false,
        Some("Asc") => true,
        Some(other) => {
            return invalid(call, &format!("orderByTime `{other}` must be Desc or Asc."))
        }
    };
    let size: usize = match q("size") {
        None => 10,
        Some(s) => match s.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => return invalid(call, &format!("size `{s}` must be between 1 and 100.")),
        },
    };
    let offset: usize = match q("nextToken") {
        None => 0,
        Some(t) => match t.parse() {
            Ok(n) => n,
            Err(_) => {
                return invalid(
                    call,
                    &format!("nextToken `{t}` is not a token of this emulator."),
                )
            }
        },
    };
    let states: Vec<&str> = match q("states") {
        None => vec!["All"],
        Some(list) => list.split(',').map(str::trim).collect(),
    };
    if let Some(bad) = states.iter().find(|s| !STATES.contains(s)) {
        return invalid(
            call,
            &format!("states `{bad}` must be one of: {}.", STATES.join(", ")),
        );
    }
    let mut times = [None, None];
    for (i, name) in ["startCreationTime", "endCreationTime"].iter().enumerate() {
        if let Some(text) = q(name) {
            match parse_ci_time(text) {
                Some(t) => times[i] = Some(t),
                None => {
                    return invalid(
                        call,
                        &format!("{name} `{text}` must look like 2001-01-01T00:00:00+0800."),
                    )
                }
            }
        }
    }
    let queue = q("queueId");
    let input = q("inputObject");
    let workflow_only = q("workflowId").is_some() || q("inventoryTriggerJobId").is_some();
    let mut jobs: Vec<CiJob> = ci
        .jobs
        .values()
        .into_iter()
        .filter(|j| j.bucket == call.target.bucket)
        .filter(|_| !workflow_only)
        .filter(|j| queue.is_none_or(|q| q == j.queue_id))
        .filter(|j| input.is_none_or(|o| o == j.object))
        .filter(|j| states.contains(&"All") || states.contains(&state(call, j)))
        .filter(|j| {
            let created = i64::try_from(j.timeline.created_ms / 1000).unwrap_or(i64::MAX);
            times[0].is_none_or(|s| created >= s) && times[1].is_none_or(|e| created <= e)
        })
        .collect();
    if !ascending {
        jobs.reverse();
    }
    let page: Vec<&CiJob> = jobs.iter().skip(offset).take(size).collect();
    let next = if offset.saturating_add(page.len()) < jobs.len() {
        (offset + page.len()).to_string()
    } else {
        String::new()
    };
    let mut x = Xml::new();
    x.open("Response");
    for job in page {
        job_detail(&mut x, call, job);
    }
    x.leaf("NextToken", next).close("Response");
    xml_response(call.shared, true, StatusCode::OK, x.finish())
}

fn cancel(call: &BucketCall<'_>, ci: &CiState) -> Response {
    if !call.query.iter().any(|(k, _)| k == "cancel") {
        return invalid(call, "PUT /jobs/<id> needs the `cancel` parameter.");
    }
    let Some(ids) = resource_id(&call.target.key) else {
        return invalid(call, "A job id is required.");
    };
    let ids: Vec<&str> = ids
        .split(',')
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .collect();
    if ids.len() > 10 {
        return invalid(call, "At most 10 jobs can be cancelled at once.");
    }
    for id in &ids {
        let Some(job) = ci
            .jobs
            .get(&(*id).to_owned())
            .filter(|j| j.bucket == call.target.bucket)
        else {
            return call.error(
                StatusCode::NOT_FOUND,
                "NoSuchJob",
                &format!("The job `{id}` does not exist."),
            );
        };
        match state(call, &job) {
            "Submitted" | "Cancel" => {}
            other => {
                return invalid(
                    call,
                    &format!(
                        "The job `{id}` is {other}; only jobs not yet executed can be cancelled."
                    ),
                )
            }
        }
    }
    let now = call.shared.clock.now_unix();
    for id in ids {
        ci.jobs.update(&id.to_owned(), |job| {
            job.cancelled_at.get_or_insert(now);
        });
    }
    axum::response::Response::builder()
        .status(StatusCode::OK)
        .header("x-ci-request-id", call.shared.ids.cos_request_id())
        .header(axum::http::header::CONTENT_LENGTH, 0)
        .body(Body::empty())
        .unwrap_or_default()
}

fn template_xml(x: &mut Xml, tag: &str, t: &Template) {
    x.open(tag)
        .leaf("TemplateId", &t.id)
        .leaf("Tag", "ImageOCR")
        .leaf("Name", &t.name)
        .leaf("BucketId", &t.bucket)
        .leaf("Category", "Custom")
        .leaf("CreateTime", ci_time(t.created))
        .leaf("UpdateTime", ci_time(t.updated));
    ImageOcrXml::write(&t.params, x);
    x.close(tag);
}

fn valid_name(name: &str) -> bool {
    let count = name.chars().count();
    (1..=64).contains(&count)
        && name.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '_' | '-' | '*')
                || ('\u{4e00}'..='\u{9fff}').contains(&c)
        })
}

fn save_template(call: &BucketCall<'_>, ci: &CiState, text: &str, id: Option<&str>) -> Response {
    let req: TemplateRequestXml = match parse(text) {
        Ok(r) => r,
        Err(message) => return malformed(call, &message),
    };
    let tag = req.tag.as_deref().map(str::trim).unwrap_or_default();
    if tag != "ImageOCR" {
        return invalid(
            call,
            &format!("Tag `{tag}` is not supported; use ImageOCR."),
        );
    }
    let name = req.name.as_deref().map(str::trim).unwrap_or_default();
    if !valid_name(name) {
        return invalid(
            call,
            "Name must be 1–64 characters of Chinese, letters, digits, `_`, `-` or `*`.",
        );
    }
    let Some(image_ocr) = &req.image_ocr else {
        return invalid(call, "ImageOCR is required.");
    };
    let params = match image_ocr.validate() {
        Ok(p) => p,
        Err(message) => return invalid(call, &format!("ImageOCR: {message}")),
    };
    let now = call.shared.clock.now_unix();
    let template = match id {
        Some(id) => {
            let Some(existing) = ci
                .templates
                .get(&id.to_owned())
                .filter(|t| t.bucket == call.target.bucket)
            else {
                return invalid(call, &format!("The template `{id}` does not exist."));
            };
            Template {
                name: name.to_owned(),
                params,
                updated: now,
                ..existing
            }
        }
        None => Template {
            id: call.shared.ids.ci_template(),
            bucket: call.target.bucket.clone(),
            name: name.to_owned(),
            params,
            created: now,
            updated: now,
        },
    };
    ci.templates.insert(template.id.clone(), template.clone());
    let mut x = Xml::new();
    x.open("Response")
        .leaf("RequestId", call.shared.ids.cos_request_id());
    template_xml(&mut x, "Template", &template);
    x.close("Response");
    xml_response(call.shared, true, StatusCode::OK, x.finish())
}

fn describe_templates(call: &BucketCall<'_>, ci: &CiState) -> Response {
    let q = |name: &str| {
        query_value(&call.query, name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let tag_ok = matches!(q("tag"), None | Some("All") | Some("ImageOCR"));
    let category = q("category").unwrap_or("Custom");
    if !matches!(category, "Custom" | "Official") {
        return invalid(
            call,
            &format!("category `{category}` must be Custom or Official."),
        );
    }
    let page_number: usize = match q("pageNumber").map(str::parse::<usize>) {
        None => 1,
        Some(Ok(n)) if n >= 1 => n,
        Some(_) => return invalid(call, "pageNumber must be a positive integer."),
    };
    let page_size: usize = match q("pageSize").map(str::parse::<usize>) {
        None => 10,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        Some(_) => return invalid(call, "pageSize must be between 1 and 100."),
    };
    let ids: Option<Vec<&str>> = q("ids").map(|i| i.split(',').map(str::trim).collect());
    let name = q("name");
    let all: Vec<Template> = ci
        .templates
        .values()
        .into_iter()
        .filter(|t| t.bucket == call.target.bucket && tag_ok && category == "Custom")
        .filter(|t| ids.as_ref().is_none_or(|ids| ids.contains(&t.id.as_str())))
        .filter(|t| name.is_none_or(|n| t.name.starts_with(n)))
        .collect();
    let mut x = Xml::new();
    x.open("Response")
        .leaf("RequestId", call.shared.ids.cos_request_id())
        .leaf("TotalCount", all.len().to_string())
        .leaf("PageNumber", page_number.to_string())
        .leaf("PageSize", page_size.to_string());
    for t in all
        .iter()
        .skip((page_number - 1).saturating_mul(page_size))
        .take(page_size)
    {
        template_xml(&mut x, "TemplateList", t);
    }
    x.close("Response");
    xml_response(call.shared, true, StatusCode::OK, x.finish())
}

fn delete_template(call: &BucketCall<'_>, ci: &CiState) -> Response {
    let Some(id) = resource_id(&call.target.key) else {
        return invalid(call, "A template id is required.");
    };
    let exists = ci
        .templates
        .get(&id.to_owned())
        .is_some_and(|t| t.bucket == call.target.bucket);
    if !exists {
        return invalid(call, &format!("The template `{id}` does not exist."));
    }
    ci.templates.remove(&id.to_owned());
    let mut x = Xml::new();
    x.open("Response")
        .leaf("RequestId", call.shared.ids.cos_request_id())
        .leaf("TemplateId", id)
        .close("Response");
    xml_response(call.shared, true, StatusCode::OK, x.finish())
}
