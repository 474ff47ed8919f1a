#![doc = include_str!("../README.md")]
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
pub use ocr_core::{ClientOptions, ConfigureClient};
pub use params::{ImageOcr, LanguageType, OcrType};
pub use service_error::ServiceError;
pub use tc_signing::ConfigureCredentials;
pub use template::{
    DeleteTemplateOutput, OcrTemplate, TemplateCategory, TemplateList, TemplateOutput,
    TemplateQuery,
};
pub use time::CiTime;

/// The traits every builder's shared methods come from: `use cos_ci::prelude::*;`.
pub mod prelude {
    pub use ocr_core::{ConfigureClient, OcrProvider};
    pub use tc_signing::ConfigureCredentials;
}
