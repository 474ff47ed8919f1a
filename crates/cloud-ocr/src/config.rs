//! Providers built from configuration, so an application switches provider without code
//! changes.
//!
//! - [`ProviderKind`]: which provider (`tc-ocr`, `lkeap`, `cos-ci`, `picwish`; each exists
//!   only with its cargo feature);
//! - [`ProviderConfig`]: its settings as serde data (endpoint, region, bucket, credentials by
//!   value or from named variables, timeouts, rate limits, polling);
//! - [`build_provider`]: the configuration plus an [`Env`](crate::Env) in, an
//!   `Arc<dyn OcrProvider>` out; missing credentials are a
//!   [`Config`](ocr_core::ErrorKind::Config) error naming the variables to set;
//! - `ConfigFile` (feature `toml`): several providers' settings in one TOML file.
//!
//! Where settings come from when unset:
//!
//! | provider | credentials | other |
//! |---|---|---|
//! | `tc-ocr`, `lkeap` | `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY` (+ `TENCENTCLOUD_SESSION_TOKEN`), else `~/.tencentcloud/credentials` (or `TENCENTCLOUD_CREDENTIALS_FILE`) | |
//! | `cos-ci` | as above | `CLOUD_OCR_COS_BUCKET`, `CLOUD_OCR_COS_REGION` |
//! | `picwish` | `PICWISH_API_KEY` | |

mod build;
#[cfg(feature = "toml")]
mod file;
mod kind;
mod settings;
pub mod vars;

pub use build::{build_provider, check_ready, check_settings, detect_provider, readiness};
#[cfg(feature = "toml")]
pub use file::{ConfigFile, Estimate, PerCall, Prices, UnitPrices};
pub use kind::{ProviderKind, KNOWN_PROVIDERS};
pub use settings::{
    CredentialsConfig, HttpClient, ProviderConfig, Secret, SharedRateLimit, TimeoutsConfig,
};
