//! # picwish
//!
//! A client for the PicWish OCR API, usable on its own or as an [`ocr_core::OcrProvider`].
//!
//! PicWish OCR is an asynchronous task flow:
//!
//! 1. [`PicWish::create`] posts the source (a URL as `image_url`, or a file streamed from disk
//!    as the `image_file` multipart part) with optional `language`, `password` and `format`,
//!    and returns the `task_id`. Every documented rule is checked first
//!    ([`CreateTask::validate`]); nothing is sent when one is broken.
//! 2. [`PicWish::query`] reads the task: timestamps, progress and the state code, typed as
//!    [`TaskState`] (succeeded, [`PendingState`], or a [`TaskFailure`] with its documented
//!    meaning).
//! 3. [`PicWish::wait`] polls every second (up to 120 s by default) and, once the task
//!    succeeds, downloads the result file within its one-hour validity: a `txt` result
//!    becomes the document's lines, other formats a document artefact.
//!
//! Every call goes through the shared ocr-core runtime: timeouts, retry (429 honouring
//! `Retry-After`, 5xx, connection failures; a create that may have reached the service is never
//! resent) and a client-side rate limit of 2 requests per second (the documented QPS), shared by
//! all clones. HTTP statuses map to [`ocr_core::ErrorKind`]s as listed in [`http_status`].
//!
//! The API key travels in `X-API-KEY` and never appears in `Debug`, `Display` or errors.
//! [`PicWish::from_env`] (through [`PicWishBuilder::api_key_from_env`]) reads it from
//! `PICWISH_API_KEY`; that is the only place this crate reads the environment.
//!
//! ```no_run
//! use picwish::{CreateTask, PicWish, ResultFormat};
//!
//! # async fn run() -> Result<(), ocr_core::Error> {
//! let client = PicWish::builder().api_key("YOUR_API_KEY").build()?;
//! let task = CreateTask::from_file("invoice.pdf")
//!     .with_language(["English", "Digits"])
//!     .with_format(ResultFormat::Txt);
//! let created = client.create(&task).await?;
//! let document = client.wait(&created.data.task_id, task.format()).await?;
//! println!("{}", document.text());
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod client;
mod create;
pub mod http_status;
mod limits;
mod provider;
mod redact;
mod result;
mod state;
mod task;

pub use client::{PicWish, PicWishBuilder};
pub use create::CreateTask;
pub use limits::{
    input_limits, API_KEY_ENV, API_KEY_HEADER, DEFAULT_BASE_URL, DEFAULT_POLL_INTERVAL,
    DEFAULT_RATE_LIMIT, DEFAULT_WAIT_DEADLINE, MAX_FILE_BYTES, MAX_IMAGE_SIDE, MAX_LANGUAGES,
    MAX_PASSWORD_CHARS, PROVIDER_ID, RESULT_VALIDITY, SOURCE_FORMATS, URL_PORTS,
};
pub use provider::{META_FORMAT, META_RESULT_VALIDITY};
pub use result::{ResultFile, ResultFormat};
pub use state::{PendingState, TaskFailure, TaskState};
pub use task::{ApiResponse, CreatedTask, TaskInfo};
