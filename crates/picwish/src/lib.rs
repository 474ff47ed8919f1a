#![doc = include_str!("../README.md")]
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
    MAX_PASSWORD_CHARS, PROVIDER_ID, RESULT_VALIDITY, SOURCE_FORMATS, TASKS, URL_PORTS,
};
pub use ocr_core::{ClientOptions, ConfigureClient};
pub use provider::{META_FORMAT, META_RESULT_VALIDITY};
pub use result::{ResultFile, ResultFormat};
pub use state::{PendingState, TaskFailure, TaskState};
pub use task::{ApiResponse, CreatedTask, TaskInfo};

/// The traits the builder's shared methods come from: `use picwish::prelude::*;`.
pub mod prelude {
    pub use ocr_core::{ConfigureClient, OcrProvider};
}
