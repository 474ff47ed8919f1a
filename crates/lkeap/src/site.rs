//! Domestic and international sites, their hosts and the regions each action accepts.

use ocr_core::{Error, ErrorKind, Result};
use tc_api::Endpoint;

/// The domestic default region: the one domestic region every document action accepts.
pub const DOMESTIC_REGION: &str = "ap-guangzhou";
/// The only international region of LKEAP.
pub const INTERNATIONAL_REGION: &str = "ap-jakarta";
/// The international host of `ReconstructDocumentSSE`, which differs from the other actions'.
pub const INTERNATIONAL_SSE_HOST: &str = "lkeap.ai.intl.tencentcloudapi.com";

pub use tc_api::Site;

/// What LKEAP does differently on each [`Site`]: default region, the SSE host, the regions
/// each action accepts. The site itself is tc-api's, shared with tc-ocr.
pub trait SiteRules: Copy {
    /// The region used when none is configured.
    fn default_region(self) -> &'static str;
    /// The endpoint of `ReconstructDocumentSSE` (its own host on the international site).
    ///
    /// ```
    /// use lkeap::{Site, SiteRules};
    /// let url = Site::International.sse_endpoint().unwrap().url("lkeap").unwrap();
    /// assert_eq!(url.as_str(), "https://lkeap.ai.intl.tencentcloudapi.com/");
    /// ```
    fn sse_endpoint(self) -> Result<Endpoint>;
    /// The regions `action` accepts on this site, if the documentation restricts them.
    ///
    /// ```
    /// use lkeap::{Site, SiteRules};
    /// assert_eq!(
    ///     Site::Domestic.regions_of("ReconstructDocumentSSE"),
    ///     Some(&["ap-guangzhou", "ap-shanghai"][..])
    /// );
    /// assert_eq!(Site::Domestic.regions_of("CreateSplitDocumentFlow"), None);
    /// ```
    fn regions_of(self, action: &str) -> Option<&'static [&'static str]>;
    /// Refuses, before sending, a region the documentation says `action` does not accept.
    fn check_region(self, action: &str, region: &str) -> Result<()>;
}

impl SiteRules for Site {
    fn default_region(self) -> &'static str {
        match self {
            Site::Domestic => DOMESTIC_REGION,
            Site::International => INTERNATIONAL_REGION,
        }
    }

    fn sse_endpoint(self) -> Result<Endpoint> {
        match self {
            Site::Domestic => Ok(Endpoint::Domestic),
            Site::International => Endpoint::custom(&format!("https://{INTERNATIONAL_SSE_HOST}/")),
        }
    }

    fn regions_of(self, action: &str) -> Option<&'static [&'static str]> {
        match self {
            Site::International => Some(&[INTERNATIONAL_REGION]),
            Site::Domestic => match action {
                "CreateReconstructDocumentFlow" | "GetReconstructDocumentResult" => {
                    Some(&["ap-beijing", "ap-guangzhou"])
                }
                "ReconstructDocumentSSE" | "GetSplitDocumentResult" => {
                    Some(&["ap-guangzhou", "ap-shanghai"])
                }
                _ => None,
            },
        }
    }

    fn check_region(self, action: &str, region: &str) -> Result<()> {
        match self.regions_of(action) {
            Some(allowed) if !allowed.contains(&region) => Err(Error::new(
                ErrorKind::Config,
                format!(
                    "{action} is not offered in region {region} on the {self} site (documented \
                     regions: {})",
                    allowed.join(", ")
                ),
            )
            .with_field("Region")
            .with_provider(crate::PROVIDER_ID)
            .with_operation(action.to_owned())),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_regions() {
        assert_eq!(
            Site::Domestic.endpoint().url("lkeap").unwrap().as_str(),
            "https://lkeap.tencentcloudapi.com/"
        );
        assert_eq!(
            Site::International
                .endpoint()
                .url("lkeap")
                .unwrap()
                .as_str(),
            "https://lkeap.intl.tencentcloudapi.com/"
        );
        assert_eq!(
            Site::Domestic
                .sse_endpoint()
                .unwrap()
                .url("lkeap")
                .unwrap()
                .as_str(),
            "https://lkeap.tencentcloudapi.com/"
        );
        assert_eq!(Site::Domestic.default_region(), "ap-guangzhou");
        assert_eq!(Site::International.default_region(), "ap-jakarta");
        assert!(Site::Domestic
            .check_region("CreateReconstructDocumentFlow", "ap-beijing")
            .is_ok());
        let err = Site::Domestic
            .check_region("ReconstructDocumentSSE", "ap-beijing")
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.message().contains("ap-guangzhou, ap-shanghai"), "{err}");
        assert!(Site::International
            .check_region("GetSplitDocumentResult", "ap-guangzhou")
            .is_err());
        for s in [Site::Domestic, Site::International] {
            assert_eq!(Site::from_name(s.as_str()), Some(s));
        }
    }
}
