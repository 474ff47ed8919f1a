//! Asynchronous `ImageOCR` jobs on the CI host: submit (`POST /jobs`), describe
//! (`GET /jobs/<ids>`), list (`GET /jobs?tag=ImageOCR…`) and cancel (`PUT /jobs/<ids>?cancel`).

use std::fmt;

use ocr_core::{Error, Result};
use reqwest::Method;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::client::{tag, CosCi, CosCiOp};
use crate::detection::Detection;
use crate::params::ImageOcr;
use crate::time::{opt_time, CiTime};
use crate::transport::{Call, Payload};
use crate::validate::{self, MAX_CANCEL_IDS};
use crate::xml;

/// The job tag of OCR jobs and templates.
pub const IMAGE_OCR_TAG: &str = "ImageOCR";

/// Largest `size` of one job list page.
pub const MAX_LIST_SIZE: u32 = 100;

/// `CallBackFormat`: the format of the job callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CallbackFormat {
    /// `XML` (the default).
    #[serde(rename = "XML")]
    Xml,
    /// `JSON`.
    #[serde(rename = "JSON")]
    Json,
}

/// `CallBackType`: how the job callback is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CallbackType {
    /// `Url`: an HTTP POST to `CallBack` (the default).
    Url,
    /// `TDMQ`: a message to the queue or topic in `CallBackMqConfig`.
    #[serde(rename = "TDMQ")]
    Tdmq,
}

/// `MqMode` of a TDMQ callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MqMode {
    /// `Queue` (the default).
    Queue,
    /// `Topic`.
    Topic,
}

/// `MqRegion` values a TDMQ callback accepts.
pub const MQ_REGIONS: &[&str] = &["sh", "bj", "gz", "cd", "hk"];

/// `CallBackMqConfig`: where a TDMQ callback goes (required with `CallBackType=TDMQ`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackMqConfig {
    /// `MqRegion`: `sh`, `bj`, `gz`, `cd` or `hk`.
    #[serde(rename = "MqRegion")]
    pub mq_region: String,
    /// `MqMode`: `Queue` or `Topic`.
    #[serde(rename = "MqMode")]
    pub mq_mode: MqMode,
    /// `MqName`: the TDMQ queue or topic name.
    #[serde(rename = "MqName")]
    pub mq_name: String,
}

/// `Request.Input` of a job submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobInput {
    /// `Object`: the key of the object to recognise, in the same bucket.
    #[serde(rename = "Object")]
    pub object: String,
}

/// `Request.Operation` of a job submission: a template or inline parameters, plus
/// pass-through data and priority.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct JobOperation {
    /// `TemplateId`: an `ImageOCR` template (takes priority over `ImageOCR`).
    #[serde(rename = "TemplateId", skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    /// `ImageOCR`: inline parameters.
    #[serde(rename = "ImageOCR", skip_serializing_if = "Option::is_none")]
    pub image_ocr: Option<ImageOcr>,
    /// `UserData`: passed through to the result, printable ASCII, at most 1024 characters.
    #[serde(rename = "UserData", skip_serializing_if = "Option::is_none")]
    pub user_data: Option<String>,
    /// `JobLevel`: priority 0, 1 or 2 (higher runs first; default 0).
    #[serde(rename = "JobLevel", skip_serializing_if = "Option::is_none")]
    pub job_level: Option<u8>,
}

/// A job submission: the body of `POST /jobs` with `Tag` `ImageOCR`.
///
/// ```
/// use cos_ci::{CallbackFormat, SubmitJob};
///
/// let job = SubmitJob::with_template("input/test.jpg", "t1460606b9752148c4ab182f55163ba7cd")
///     .with_user_data("This is my data.")
///     .with_job_level(0)
///     .with_callback("http://callback.demo.com")
///     .with_callback_format(CallbackFormat::Json);
/// assert!(job.validate().is_ok());
/// assert!(job.to_xml().unwrap().starts_with("<Request><Tag>ImageOCR</Tag><Input>"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SubmitJob {
    /// `Input`: the object to recognise.
    pub input: JobInput,
    /// `Operation`: how.
    pub operation: JobOperation,
    /// `QueueId`: the AI queue (default: the bucket's).
    pub queue_id: Option<String>,
    /// `CallBack`: a callback URL for this job; the literal `no` disables the queue's callback.
    pub callback: Option<String>,
    /// `CallBackFormat`.
    pub callback_format: Option<CallbackFormat>,
    /// `CallBackType`.
    pub callback_type: Option<CallbackType>,
    /// `CallBackMqConfig`: required with `CallBackType=TDMQ`.
    pub callback_mq_config: Option<CallbackMqConfig>,
}

/// The wire form, in the documented element order: `Tag`, `Input`, `Operation`, `QueueId`,
/// `CallBack`, `CallBackFormat`, `CallBackType`, `CallBackMqConfig`.
#[derive(Serialize)]
struct SubmitBody<'a> {
    #[serde(rename = "Tag")]
    tag: &'static str,
    #[serde(rename = "Input")]
    input: &'a JobInput,
    #[serde(rename = "Operation")]
    operation: &'a JobOperation,
    #[serde(rename = "QueueId", skip_serializing_if = "Option::is_none")]
    queue_id: Option<&'a String>,
    #[serde(rename = "CallBack", skip_serializing_if = "Option::is_none")]
    callback: Option<&'a String>,
    #[serde(rename = "CallBackFormat", skip_serializing_if = "Option::is_none")]
    callback_format: Option<CallbackFormat>,
    #[serde(rename = "CallBackType", skip_serializing_if = "Option::is_none")]
    callback_type: Option<CallbackType>,
    #[serde(rename = "CallBackMqConfig", skip_serializing_if = "Option::is_none")]
    callback_mq_config: Option<&'a CallbackMqConfig>,
}

impl SubmitJob {
    /// Recognises `object` with the `ImageOCR` template `template_id`.
    pub fn with_template(object: impl Into<String>, template_id: impl Into<String>) -> Self {
        SubmitJob::new(
            object,
            JobOperation {
                template_id: Some(template_id.into()),
                ..JobOperation::default()
            },
        )
    }

    /// Recognises `object` with inline `ImageOCR` parameters.
    pub fn with_params(object: impl Into<String>, params: ImageOcr) -> Self {
        SubmitJob::new(
            object,
            JobOperation {
                image_ocr: Some(params),
                ..JobOperation::default()
            },
        )
    }

    /// A submission from its parts.
    pub fn new(object: impl Into<String>, operation: JobOperation) -> Self {
        SubmitJob {
            input: JobInput {
                object: object.into(),
            },
            operation,
            queue_id: None,
            callback: None,
            callback_format: None,
            callback_type: None,
            callback_mq_config: None,
        }
    }

    /// Sets `Operation.UserData`.
    #[must_use]
    pub fn with_user_data(mut self, data: impl Into<String>) -> Self {
        self.operation.user_data = Some(data.into());
        self
    }

    /// Sets `Operation.JobLevel` (0, 1 or 2).
    #[must_use]
    pub fn with_job_level(mut self, level: u8) -> Self {
        self.operation.job_level = Some(level);
        self
    }

    /// Sets `QueueId`.
    #[must_use]
    pub fn with_queue(mut self, queue_id: impl Into<String>) -> Self {
        self.queue_id = Some(queue_id.into());
        self
    }

    /// Sets `CallBack`.
    #[must_use]
    pub fn with_callback(mut self, url: impl Into<String>) -> Self {
        self.callback = Some(url.into());
        self
    }

    /// Sets `CallBackFormat`.
    #[must_use]
    pub fn with_callback_format(mut self, format: CallbackFormat) -> Self {
        self.callback_format = Some(format);
        self
    }

    /// Delivers the callback through TDMQ: sets `CallBackType=TDMQ` and `CallBackMqConfig`.
    #[must_use]
    pub fn with_tdmq_callback(mut self, config: CallbackMqConfig) -> Self {
        self.callback_type = Some(CallbackType::Tdmq);
        self.callback_mq_config = Some(config);
        self
    }

    /// Checks the documented rules: a valid `Input.Object` key; a `TemplateId` or `ImageOCR`;
    /// valid `ImageOCR` parameters; `UserData` printable ASCII up to 1024 characters;
    /// `JobLevel` 0–2; a `CallBackMqConfig` exactly when `CallBackType=TDMQ`, with a
    /// documented `MqRegion` and a name.
    pub fn validate(&self) -> Result<()> {
        validate::object_key("Input.Object", &self.input.object)?;
        let op = &self.operation;
        if op.template_id.is_none() && op.image_ocr.is_none() {
            return Err(Error::invalid_input(
                "Operation",
                "needs a TemplateId or ImageOCR parameters",
            ));
        }
        if let Some(id) = &op.template_id {
            validate::template_id("Operation.TemplateId", id)?;
        }
        if let Some(params) = &op.image_ocr {
            params
                .validate()
                .map_err(|e| prefix_field(e, "Operation.ImageOCR."))?;
        }
        if let Some(data) = &op.user_data {
            validate::user_data(data)?;
        }
        if let Some(level) = op.job_level {
            if level > 2 {
                return Err(Error::invalid_input(
                    "Operation.JobLevel",
                    format!("must be 0, 1 or 2, not {level}"),
                ));
            }
        }
        if let Some(queue) = &self.queue_id {
            if queue.is_empty() || !queue.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(Error::invalid_input(
                    "QueueId",
                    "must be a queue id (letters and digits)",
                ));
            }
        }
        if let Some(cb) = &self.callback {
            if cb.trim().is_empty() {
                return Err(Error::invalid_input(
                    "CallBack",
                    "must be a URL or `no`, not empty",
                ));
            }
        }
        match (self.callback_type, &self.callback_mq_config) {
            (Some(CallbackType::Tdmq), None) => {
                return Err(Error::invalid_input(
                    "CallBackMqConfig",
                    "is required when CallBackType is TDMQ",
                ))
            }
            (Some(CallbackType::Tdmq), Some(mq)) => {
                if !MQ_REGIONS.contains(&mq.mq_region.as_str()) {
                    return Err(Error::invalid_input(
                        "CallBackMqConfig.MqRegion",
                        format!("must be one of {}", MQ_REGIONS.join(", ")),
                    ));
                }
                if mq.mq_name.trim().is_empty() {
                    return Err(Error::invalid_input(
                        "CallBackMqConfig.MqName",
                        "must not be empty",
                    ));
                }
            }
            (_, Some(_)) => {
                return Err(Error::invalid_input(
                    "CallBackMqConfig",
                    "may only be set when CallBackType is TDMQ",
                ))
            }
            _ => {}
        }
        Ok(())
    }

    /// The XML body: `<Request><Tag>ImageOCR</Tag>…</Request>`, unset fields omitted.
    pub fn to_xml(&self) -> Result<String> {
        xml::to_xml(
            "Request",
            &SubmitBody {
                tag: IMAGE_OCR_TAG,
                input: &self.input,
                operation: &self.operation,
                queue_id: self.queue_id.as_ref(),
                callback: self.callback.as_ref(),
                callback_format: self.callback_format,
                callback_type: self.callback_type,
                callback_mq_config: self.callback_mq_config.as_ref(),
            },
        )
    }
}

/// Prefixes the field of a validation error (`Type` → `Operation.ImageOCR.Type`).
pub(crate) fn prefix_field(err: Error, prefix: &str) -> Error {
    match err.field() {
        Some(field) => {
            let full = format!("{prefix}{field}");
            err.with_field(full)
        }
        None => err,
    }
}

/// `State` of a job.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JobState {
    /// `Submitted`: waiting to run.
    Submitted,
    /// `Running`.
    Running,
    /// `Success`: finished; the result is in `Operation.Detection`.
    Success,
    /// `Failed`: finished with `Code` and `Message`.
    Failed,
    /// `Pause`: the queue was paused before the job ran.
    Pause,
    /// `Cancel`: cancelled before it ran.
    Cancel,
    /// A state outside the documented set, as received.
    Other(String),
}

impl JobState {
    /// The documented states.
    pub const DOCUMENTED: [JobState; 6] = [
        JobState::Submitted,
        JobState::Running,
        JobState::Success,
        JobState::Failed,
        JobState::Pause,
        JobState::Cancel,
    ];

    /// The state on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            JobState::Submitted => "Submitted",
            JobState::Running => "Running",
            JobState::Success => "Success",
            JobState::Failed => "Failed",
            JobState::Pause => "Pause",
            JobState::Cancel => "Cancel",
            JobState::Other(s) => s,
        }
    }

    /// Decodes a state; case is ignored (the doc also writes `RUNNING`).
    pub fn from_wire(s: &str) -> JobState {
        let s = s.trim();
        JobState::DOCUMENTED
            .into_iter()
            .find(|state| state.as_str().eq_ignore_ascii_case(s))
            .unwrap_or_else(|| JobState::Other(s.to_owned()))
    }

    /// Whether the job has ended (`Success`, `Failed` or `Cancel`).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            JobState::Success | JobState::Failed | JobState::Cancel
        )
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for JobState {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for JobState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Ok(JobState::from_wire(&String::deserialize(d)?))
    }
}

/// `Input.CosHeaders` of a workflow-triggered job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct CosHeader {
    /// `Key`.
    #[serde(rename = "Key", default, deserialize_with = "xml::string")]
    pub key: String,
    /// `Value`.
    #[serde(rename = "Value", default, deserialize_with = "xml::string")]
    pub value: String,
}

/// `JobsDetail.Input`: the object the job read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct JobInputDetail {
    /// `BucketId`.
    #[serde(rename = "BucketId", default, deserialize_with = "xml::opt_string")]
    pub bucket_id: Option<String>,
    /// `Object`.
    #[serde(rename = "Object", default, deserialize_with = "xml::opt_string")]
    pub object: Option<String>,
    /// `Region`.
    #[serde(rename = "Region", default, deserialize_with = "xml::opt_string")]
    pub region: Option<String>,
    /// `CosHeaders` (repeated; workflow-triggered jobs only).
    #[serde(rename = "CosHeaders", default)]
    pub cos_headers: Vec<CosHeader>,
}

/// `JobsDetail.Operation`: the echoed operation and, when done, the result.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct JobOperationDetail {
    /// `TemplateId`.
    #[serde(rename = "TemplateId", default, deserialize_with = "xml::opt_string")]
    pub template_id: Option<String>,
    /// `TemplateName` (with a template).
    #[serde(rename = "TemplateName", default, deserialize_with = "xml::opt_string")]
    pub template_name: Option<String>,
    /// `ImageOCR`: the inline parameters, echoed.
    #[serde(rename = "ImageOCR", default)]
    pub image_ocr: Option<ImageOcr>,
    /// `UserData`.
    #[serde(rename = "UserData", default, deserialize_with = "xml::opt_string")]
    pub user_data: Option<String>,
    /// `JobLevel`.
    #[serde(rename = "JobLevel", default, deserialize_with = "xml::opt_int")]
    pub job_level: Option<u8>,
    /// `Detection`: the OCR result, once the job succeeded.
    #[serde(rename = "Detection", default)]
    pub detection: Option<Detection>,
}

/// `JobsDetail.Workflow` of a workflow-triggered job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct WorkflowDetail {
    /// `RunId`.
    #[serde(rename = "RunId", default, deserialize_with = "xml::opt_string")]
    pub run_id: Option<String>,
    /// `WorkflowId`.
    #[serde(rename = "WorkflowId", default, deserialize_with = "xml::opt_string")]
    pub workflow_id: Option<String>,
    /// `WorkflowName`.
    #[serde(rename = "WorkflowName", default, deserialize_with = "xml::opt_string")]
    pub workflow_name: Option<String>,
    /// `Name`.
    #[serde(rename = "Name", default, deserialize_with = "xml::opt_string")]
    pub name: Option<String>,
}

/// One `JobsDetail`: a job as submit, describe, list and callbacks report it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct JobDetail {
    /// `Code`: `Success`, or the error code of a failed job.
    #[serde(rename = "Code", default, deserialize_with = "xml::string")]
    pub code: String,
    /// `Message`: the error description of a failed job (often empty).
    #[serde(rename = "Message", default, deserialize_with = "xml::string")]
    pub message: String,
    /// `JobId`.
    #[serde(rename = "JobId", default, deserialize_with = "xml::string")]
    pub job_id: String,
    /// `Tag`: `ImageOCR`.
    #[serde(rename = "Tag", default, deserialize_with = "xml::string")]
    pub tag: String,
    /// `State`.
    #[serde(rename = "State")]
    pub state: JobState,
    /// `Progress` (present on some job types).
    #[serde(rename = "Progress", default, deserialize_with = "xml::opt_string")]
    pub progress: Option<String>,
    /// `CreationTime`; `None` when `-`.
    #[serde(rename = "CreationTime", default, deserialize_with = "opt_time")]
    pub creation_time: Option<CiTime>,
    /// `StartTime`; `None` when `-` (not started).
    #[serde(rename = "StartTime", default, deserialize_with = "opt_time")]
    pub start_time: Option<CiTime>,
    /// `EndTime`; `None` when `-` (not ended).
    #[serde(rename = "EndTime", default, deserialize_with = "opt_time")]
    pub end_time: Option<CiTime>,
    /// `QueueId`.
    #[serde(rename = "QueueId", default, deserialize_with = "xml::opt_string")]
    pub queue_id: Option<String>,
    /// `Input`.
    #[serde(rename = "Input", default)]
    pub input: Option<JobInputDetail>,
    /// `Operation`.
    #[serde(rename = "Operation", default)]
    pub operation: Option<JobOperationDetail>,
    /// `Workflow`.
    #[serde(rename = "Workflow", default)]
    pub workflow: Option<WorkflowDetail>,
}

impl JobDetail {
    /// The OCR result, once the job succeeded.
    pub fn detection(&self) -> Option<&Detection> {
        self.operation.as_ref()?.detection.as_ref()
    }
}

/// The answer of `POST /jobs`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct SubmitReply {
    #[serde(rename = "JobsDetail", default)]
    jobs_detail: Vec<JobDetail>,
}

/// The answer of `GET /jobs/<ids>`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct DescribeJobsOutput {
    /// `JobsDetail` (repeated): the jobs found.
    #[serde(rename = "JobsDetail", default)]
    pub jobs_detail: Vec<JobDetail>,
    /// `NonExistJobIds`: the ids that are unknown (comma lists and repeated elements are both
    /// flattened).
    #[serde(rename = "NonExistJobIds", default, deserialize_with = "id_list")]
    pub non_exist_job_ids: Vec<String>,
    /// The `x-ci-request-id` of the call.
    #[serde(skip)]
    pub request_id: Option<String>,
}

fn id_list<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<String>, D::Error> {
    let raw: Vec<String> = Vec::deserialize(d)?;
    Ok(raw
        .iter()
        .flat_map(|s| s.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect())
}

/// `orderByTime` of a job list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeOrder {
    /// `Desc`: newest first (the default).
    Desc,
    /// `Asc`: oldest first.
    Asc,
}

impl TimeOrder {
    fn as_str(self) -> &'static str {
        match self {
            TimeOrder::Desc => "Desc",
            TimeOrder::Asc => "Asc",
        }
    }
}

/// Filters of `GET /jobs` (the `tag=ImageOCR` filter is always sent).
///
/// ```
/// use cos_ci::{JobState, ListJobs, TimeOrder};
///
/// let query = ListJobs::default()
///     .with_size(10)
///     .with_order(TimeOrder::Desc)
///     .with_states([JobState::Success, JobState::Failed]);
/// assert!(query.validate().is_ok());
/// assert!(ListJobs::default().with_size(101).validate().is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListJobs {
    /// `queueId`: the queue to list.
    pub queue_id: Option<String>,
    /// `workflowId`: jobs triggered by this workflow.
    pub workflow_id: Option<String>,
    /// `inventoryTriggerJobId`: jobs triggered by this batch job.
    pub inventory_trigger_job_id: Option<String>,
    /// `inputObject`: the exact input key.
    pub input_object: Option<String>,
    /// `orderByTime`.
    pub order_by_time: Option<TimeOrder>,
    /// `nextToken`: the page token from the previous answer.
    pub next_token: Option<String>,
    /// `size`: 1–100 (default 10).
    pub size: Option<u32>,
    /// `states`: empty means all.
    pub states: Vec<JobState>,
    /// `startCreationTime`.
    pub start_creation_time: Option<CiTime>,
    /// `endCreationTime`.
    pub end_creation_time: Option<CiTime>,
}

impl ListJobs {
    /// Sets `size`.
    #[must_use]
    pub fn with_size(mut self, size: u32) -> Self {
        self.size = Some(size);
        self
    }

    /// Sets `orderByTime`.
    #[must_use]
    pub fn with_order(mut self, order: TimeOrder) -> Self {
        self.order_by_time = Some(order);
        self
    }

    /// Sets `states`.
    #[must_use]
    pub fn with_states(mut self, states: impl IntoIterator<Item = JobState>) -> Self {
        self.states = states.into_iter().collect();
        self
    }

    /// Sets `queueId`.
    #[must_use]
    pub fn with_queue(mut self, queue_id: impl Into<String>) -> Self {
        self.queue_id = Some(queue_id.into());
        self
    }

    /// Sets `inputObject`.
    #[must_use]
    pub fn with_input_object(mut self, key: impl Into<String>) -> Self {
        self.input_object = Some(key.into());
        self
    }

    /// Sets `nextToken`.
    #[must_use]
    pub fn with_next_token(mut self, token: impl Into<String>) -> Self {
        self.next_token = Some(token.into());
        self
    }

    /// Sets the creation-time window (`startCreationTime`, `endCreationTime`).
    #[must_use]
    pub fn with_creation_window(mut self, start: Option<CiTime>, end: Option<CiTime>) -> Self {
        self.start_creation_time = start;
        self.end_creation_time = end;
        self
    }

    /// Checks `size` (1–100), `states` (documented states only), the times
    /// (`YYYY-MM-DDTHH:MM:SS+HHMM`) and `inputObject` (key rules).
    pub fn validate(&self) -> Result<()> {
        if let Some(size) = self.size {
            validate::page_size("size", size, MAX_LIST_SIZE)?;
        }
        if let Some(JobState::Other(s)) =
            self.states.iter().find(|s| matches!(s, JobState::Other(_)))
        {
            return Err(Error::invalid_input(
                "states",
                format!(
                    "`{s}` is not a job state (Submitted, Running, Success, Failed, Pause, Cancel)"
                ),
            ));
        }
        for (field, time) in [
            ("startCreationTime", &self.start_creation_time),
            ("endCreationTime", &self.end_creation_time),
        ] {
            if let Some(t) = time {
                if t.unix_secs().is_none() {
                    return Err(Error::invalid_input(
                        field,
                        format!("`{t}` is not a time like 2001-01-01T00:00:00+0800"),
                    ));
                }
            }
        }
        if let Some(key) = &self.input_object {
            validate::object_key("inputObject", key)?;
        }
        Ok(())
    }

    #[cfg(test)]
    pub(crate) fn query_for_test(&self) -> Vec<(String, String)> {
        self.query()
    }

    fn query(&self) -> Vec<(String, String)> {
        let mut q = vec![("tag".to_owned(), IMAGE_OCR_TAG.to_owned())];
        let mut push = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                q.push((k.to_owned(), v));
            }
        };
        push("queueId", self.queue_id.clone());
        push("workflowId", self.workflow_id.clone());
        push(
            "inventoryTriggerJobId",
            self.inventory_trigger_job_id.clone(),
        );
        push("inputObject", self.input_object.clone());
        push(
            "orderByTime",
            self.order_by_time.map(|o| o.as_str().to_owned()),
        );
        push("nextToken", self.next_token.clone());
        push("size", self.size.map(|s| s.to_string()));
        if !self.states.is_empty() {
            let states: Vec<&str> = self.states.iter().map(JobState::as_str).collect();
            push("states", Some(states.join(",")));
        }
        push(
            "startCreationTime",
            self.start_creation_time
                .as_ref()
                .map(|t| t.as_str().to_owned()),
        );
        push(
            "endCreationTime",
            self.end_creation_time
                .as_ref()
                .map(|t| t.as_str().to_owned()),
        );
        q
    }
}

/// The answer of `GET /jobs`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ListJobsOutput {
    /// `JobsDetail` (repeated).
    #[serde(rename = "JobsDetail", default)]
    pub jobs_detail: Vec<JobDetail>,
    /// `NextToken`: pass it as `nextToken` for the next page; `None` on the last page.
    #[serde(rename = "NextToken", default, deserialize_with = "xml::opt_string")]
    pub next_token: Option<String>,
    /// The `x-ci-request-id` of the call.
    #[serde(skip)]
    pub request_id: Option<String>,
}

/// The answer of `PUT /jobs/<ids>?cancel`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CancelJobsOutput {
    /// The `x-ci-request-id` of the call.
    pub request_id: Option<String>,
}

fn check_ids(ids: &[&str], max: Option<usize>) -> Result<String> {
    if ids.is_empty() {
        return Err(Error::invalid_input("JobId", "give at least one job id"));
    }
    if let Some(max) = max {
        if ids.len() > max {
            return Err(Error::invalid_input(
                "JobId",
                format!("at most {max} job ids per call, not {}", ids.len()),
            ));
        }
    }
    for id in ids {
        validate::job_id(id)?;
    }
    Ok(ids.join(","))
}

impl CosCi {
    /// Submits an `ImageOCR` job (`POST /jobs`) and returns its `JobsDetail` (normally
    /// `Submitted`).
    ///
    /// Billed: a failure after the request may have reached the service is not retried (it
    /// could create a second job) but returned as `OutcomeUnknown`; look the job up with
    /// [`list_jobs`](Self::list_jobs) by `inputObject` before submitting again.
    ///
    /// ```no_run
    /// use cos_ci::{ImageOcr, LanguageType, OcrType, SubmitJob};
    /// # async fn demo(client: cos_ci::CosCi) -> Result<(), ocr_core::Error> {
    /// let params = ImageOcr::new(OcrType::General).with_language(LanguageType::Zh);
    /// let job = client.submit_job(&SubmitJob::with_params("input/test.jpg", params)).await?;
    /// println!("{} is {}", job.job_id, job.state);
    /// # Ok(()) }
    /// ```
    pub async fn submit_job(&self, job: &SubmitJob) -> Result<JobDetail> {
        let op = CosCiOp::SubmitJob;
        job.validate().map_err(|e| tag(e, op))?;
        let body = job.to_xml().map_err(|e| tag(e, op))?;
        let call = Call::new(op, Method::POST, "jobs").payload(Payload::xml(body));
        self.execute_then(&call, |reply| {
            let parsed: SubmitReply = xml::from_xml(&reply.body)?;
            parsed
                .jobs_detail
                .into_iter()
                .next()
                .ok_or_else(|| Error::decode("the submit response has no JobsDetail"))
        })
        .await
    }

    /// Describes jobs by id (`GET /jobs/<id1,id2,…>`). Unknown ids are listed in
    /// `non_exist_job_ids` rather than failing the call.
    ///
    /// ```no_run
    /// # async fn demo(client: cos_ci::CosCi) -> Result<(), ocr_core::Error> {
    /// let out = client.describe_jobs(&["a3c193f288b2c11eeb60f39de2f86f409"]).await?;
    /// for job in &out.jobs_detail {
    ///     println!("{} {}", job.job_id, job.state);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn describe_jobs(&self, ids: &[&str]) -> Result<DescribeJobsOutput> {
        let op = CosCiOp::DescribeJobs;
        let joined = check_ids(ids, None).map_err(|e| tag(e, op))?;
        // Ids are letters and digits, so the comma list is sent as is, like the doc shows.
        let path = format!("jobs/{joined}");
        self.execute_then(&Call::new(op, Method::GET, path), |reply| {
            let mut out: DescribeJobsOutput = xml::from_xml(&reply.body)?;
            out.request_id = reply.request_id();
            Ok(out)
        })
        .await
    }

    /// Describes one job. A job the service does not know (listed in `NonExistJobIds`, or
    /// absent from the answer) is a `ResultExpired` error with code `NoSuchJob`.
    ///
    /// ```no_run
    /// # async fn demo(client: cos_ci::CosCi) -> Result<(), ocr_core::Error> {
    /// let job = client.describe_job("a3c193f288b2c11eeb60f39de2f86f409").await?;
    /// if let Some(detection) = job.detection() {
    ///     println!("{} lines", detection.text_detections.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn describe_job(&self, id: &str) -> Result<JobDetail> {
        Ok(self.describe_one(id).await?.0)
    }

    /// [`describe_job`](Self::describe_job) with the call's request id.
    pub(crate) async fn describe_one(&self, id: &str) -> Result<(JobDetail, Option<String>)> {
        let out = self.describe_jobs(&[id]).await?;
        let request_id = out.request_id.clone();
        match out.jobs_detail.into_iter().find(|j| j.job_id == id) {
            Some(detail) => Ok((detail, request_id)),
            None => {
                let mut err = Error::new(
                    ocr_core::ErrorKind::ResultExpired,
                    format!("job {id} does not exist (NonExistJobIds)"),
                )
                .with_code("NoSuchJob");
                if let Some(rid) = request_id {
                    err = err.with_request_id(rid);
                }
                Err(tag(err, CosCiOp::DescribeJobs))
            }
        }
    }

    /// Lists `ImageOCR` jobs (`GET /jobs?tag=ImageOCR&…`), one page at a time.
    ///
    /// ```no_run
    /// use cos_ci::{JobState, ListJobs};
    /// # async fn demo(client: cos_ci::CosCi) -> Result<(), ocr_core::Error> {
    /// let page = client.list_jobs(&ListJobs::default().with_states([JobState::Running])).await?;
    /// println!("{} running, more: {}", page.jobs_detail.len(), page.next_token.is_some());
    /// # Ok(()) }
    /// ```
    pub async fn list_jobs(&self, query: &ListJobs) -> Result<ListJobsOutput> {
        let op = CosCiOp::ListJobs;
        query.validate().map_err(|e| tag(e, op))?;
        let mut call = Call::new(op, Method::GET, "jobs");
        call.query = query.query();
        self.execute_then(&call, |reply| {
            let mut out: ListJobsOutput = xml::from_xml(&reply.body)?;
            out.request_id = reply.request_id();
            Ok(out)
        })
        .await
    }

    /// Cancels jobs that have not started yet (`PUT /jobs/<id1,…>?cancel`, at most 10 ids).
    ///
    /// ```no_run
    /// # async fn demo(client: cos_ci::CosCi) -> Result<(), ocr_core::Error> {
    /// client.cancel_jobs(&["a3c193f288b2c11eeb60f39de2f86f409"]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn cancel_jobs(&self, ids: &[&str]) -> Result<CancelJobsOutput> {
        let op = CosCiOp::CancelJobs;
        let joined = check_ids(ids, Some(MAX_CANCEL_IDS)).map_err(|e| tag(e, op))?;
        // Ids are letters and digits, so the comma list is sent as is, like the doc shows.
        let path = format!("jobs/{joined}");
        let call = Call::new(op, Method::PUT, path).query("cancel", "");
        let reply = self.execute(&call).await?;
        Ok(CancelJobsOutput {
            request_id: reply.request_id(),
        })
    }
}
