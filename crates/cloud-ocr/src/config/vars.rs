//! The environment variables configuration reads, named once.

/// Tencent Cloud secret id (all official SDKs' name).
pub const TENCENT_SECRET_ID: &str = "TENCENTCLOUD_SECRET_ID";
/// Tencent Cloud secret key.
pub const TENCENT_SECRET_KEY: &str = "TENCENTCLOUD_SECRET_KEY";
/// Session token of temporary Tencent Cloud keys.
pub const TENCENT_SESSION_TOKEN: &str = "TENCENTCLOUD_SESSION_TOKEN";
/// Overrides the Tencent profile file path (default `~/.tencentcloud/credentials`).
pub const TENCENT_CREDENTIALS_FILE: &str = "TENCENTCLOUD_CREDENTIALS_FILE";
/// The PicWish API key (the `picwish` crate's own name).
pub const PICWISH_API_KEY: &str = "PICWISH_API_KEY";
/// The COS bucket (`<name>-<appid>`) the `cos-ci` provider uploads to, unless configured.
pub const COS_BUCKET: &str = "CLOUD_OCR_COS_BUCKET";
/// The region of that bucket (e.g. `ap-beijing`), unless configured.
pub const COS_REGION: &str = "CLOUD_OCR_COS_REGION";
