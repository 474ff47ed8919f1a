//! The base URL of each emulated service.

use url::Url;

use crate::config::EmulatorConfig;

/// Where to point each client.
///
/// All services share one port: `tencent` and `picwish` are the root URL (API 3.0 posts
/// to `/`, PicWish uses `/api/tasks/document/ocr`), `cos` and `ci` are path-style bucket
/// URLs (`/cos/<bucket>/`, `/ci/<bucket>/`). A COS or CI client signs the path it sends,
/// bucket prefix included (`/cos/<bucket>/<key>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// Tencent Cloud API 3.0 (OCR and LKEAP): the root URL.
    pub tencent: Url,
    /// PicWish: the root URL.
    pub picwish: Url,
    /// COS objects of the default bucket: `<root>cos/<bucket>/`.
    pub cos: Url,
    /// CI jobs and templates of the default bucket: `<root>ci/<bucket>/`.
    pub ci: Url,
    /// The default bucket (`<name>-<appid>`).
    pub bucket: String,
    /// The bucket region.
    pub region: String,
}

impl Endpoints {
    pub(crate) fn new(base: &Url, config: &EmulatorConfig) -> Self {
        let join = |path: String| base.join(&path).unwrap_or_else(|_| base.clone());
        Self {
            tencent: base.clone(),
            picwish: base.clone(),
            cos: join(format!("cos/{}/", config.default_bucket)),
            ci: join(format!("ci/{}/", config.default_bucket)),
            bucket: config.default_bucket.clone(),
            region: config.region.clone(),
        }
    }

    /// The COS base URL of another bucket on the same emulator.
    ///
    /// ```
    /// # async fn demo() -> Result<(), ocr_emulator::StartError> {
    /// let emulator = ocr_emulator::Emulator::start(Default::default()).await?;
    /// let url = emulator.endpoints().cos_bucket("other-1250000000");
    /// assert!(url.as_str().ends_with("/cos/other-1250000000/"));
    /// # Ok(()) }
    /// ```
    pub fn cos_bucket(&self, bucket: &str) -> Url {
        self.tencent
            .join(&format!("cos/{bucket}/"))
            .unwrap_or_else(|_| self.cos.clone())
    }

    /// The CI base URL of another bucket on the same emulator.
    pub fn ci_bucket(&self, bucket: &str) -> Url {
        self.tencent
            .join(&format!("ci/{bucket}/"))
            .unwrap_or_else(|_| self.ci.clone())
    }
}
