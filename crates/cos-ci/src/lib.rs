//! # cos-ci
//!
//! Tencent Cloud Object Storage (COS) + Cloud Infinite (CI) OCR, for one bucket:
//!
//! - [`CosCi`], configured by [`CosCiBuilder`] with the bucket (`name-appid`), region,
//!   credentials (temporary tokens too), the default COS and CI hosts or base URLs (tests, the
//!   emulator, proxies), timeouts, retry, per-operation rate limits ([`CosCiOp`]) and your own
//!   `reqwest::Client`;
//! - COS objects: [`CosCi::put_object_file`] (streamed from disk with `Content-MD5`),
//!   [`CosCi::put_object_bytes`], [`CosCi::head_object`], [`CosCi::delete_object`];
//! - `ImageOCR` jobs: [`CosCi::submit_job`] ([`SubmitJob`] with a `TemplateId` or inline
//!   [`ImageOcr`] parameters), [`CosCi::describe_jobs`] / [`CosCi::describe_job`],
//!   [`CosCi::list_jobs`], [`CosCi::cancel_jobs`]; results as [`JobDetail`] and [`Detection`];
//! - OCR templates: [`CosCi::create_template`], [`CosCi::update_template`],
//!   [`CosCi::describe_templates`], [`CosCi::delete_template`];
//! - synchronous OCR: [`CosCi::ocr_object`] (`?ci-process=OCR`) and [`CosCi::ocr_url`]
//!   (`detect-url`);
//! - [`ocr_core::OcrProvider`] (id `"cos-ci"`): uploads a local document under a key prefix,
//!   submits a job, polls it, maps the result into a [`ocr_core::Document`] and deletes the
//!   upload (see [`provider`]).
//!
//! Every request is signed with `q-sign-algorithm=sha1` ([`tc_signing::CosSigner`]; the window
//! starts 60 s before now and lasts an hour; `host`, `content-type`, `content-length`,
//! `content-md5`, the `x-cos-*`/`x-ci-*` headers and every query parameter are signed) and sent
//! through [`ocr_core::Runtime::run`]. COS/CI XML errors map to [`ocr_core::ErrorKind`]s (see
//! [`service_error`]); `RequestTimeTooSkewed` is answered by learning the server's clock from
//! `Date` and signing once more. Bad input is refused with `InvalidInput`, naming the wire
//! field, before anything is sent.
//!
//! ```no_run
//! use std::sync::Arc;
//! use cos_ci::CosCi;
//! use ocr_core::{OcrProvider, Request};
//!
//! # async fn demo() -> Result<(), ocr_core::Error> {
//! let provider: Arc<dyn OcrProvider> = Arc::new(
//!     CosCi::builder()
//!         .bucket("examplebucket-1250000000")
//!         .region("ap-beijing")
//!         .credentials_from_env()
//!         .build()?,
//! );
//! let doc = provider.recognize(&Request::from_path("scan.png")).await?;
//! println!("{}", doc.text());
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod client;
pub mod detection;
pub mod endpoint;
pub mod jobs;
pub mod mapping;
mod object;
mod params;
pub mod provider;
pub mod service_error;
mod sync_ocr;
pub mod template;
mod time;
mod transport;
pub mod validate;
mod xml;

pub use client::{
    CosCi, CosCiBuilder, CosCiOp, DEFAULT_KEY_PREFIX, PROVIDER_ID, SIGNATURE_BACKDATE,
    SIGNATURE_LIFETIME,
};
pub use detection::{
    CharDetection, Coord, Detection, ItemPolygon, SyncOcrResult, TextDetection, WordCoordPoint,
    WordPolygon,
};
pub use jobs::{
    CallbackFormat, CallbackMqConfig, CallbackType, CancelJobsOutput, CosHeader,
    DescribeJobsOutput, JobDetail, JobInput, JobInputDetail, JobOperation, JobOperationDetail,
    JobState, ListJobs, ListJobsOutput, MqMode, SubmitJob, TimeOrder, WorkflowDetail,
};
pub use object::{DeleteObjectOutput, ObjectMeta, PutObjectOptions, PutObjectOutput};
pub use params::{ImageOcr, LanguageType, OcrType};
pub use service_error::ServiceError;
pub use template::{
    DeleteTemplateOutput, OcrTemplate, TemplateCategory, TemplateList, TemplateOutput,
    TemplateQuery,
};
pub use time::CiTime;
