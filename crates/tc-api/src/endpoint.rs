//! Where API 3.0 requests go.

use std::fmt;

use ocr_core::{Error, Result};
use url::Url;

/// The root domain of Tencent Cloud API 3.0.
pub const ROOT_DOMAIN: &str = "tencentcloudapi.com";

/// Which host serves a product.
///
/// ```
/// use tc_api::Endpoint;
/// assert_eq!(Endpoint::Domestic.url("ocr").unwrap().as_str(), "https://ocr.tencentcloudapi.com/");
/// assert_eq!(
///     Endpoint::International.url("lkeap").unwrap().as_str(),
///     "https://lkeap.intl.tencentcloudapi.com/"
/// );
/// assert_eq!(
///     Endpoint::Regional("ap-shanghai".into()).url("ocr").unwrap().as_str(),
///     "https://ocr.ap-shanghai.tencentcloudapi.com/"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// `<service>.tencentcloudapi.com`: the nearest domestic access point.
    Domestic,
    /// `<service>.intl.tencentcloudapi.com`: the international site.
    International,
    /// `<service>.<region>.tencentcloudapi.com`: pinned to one region.
    Regional(String),
    /// Any base URL: a proxy, the emulator, a test server. Its path must be `/`.
    Custom(Url),
}

impl Endpoint {
    /// A custom base URL, checked: http or https, a host, no query.
    pub fn custom(base: &str) -> Result<Self> {
        let url = Url::parse(base)
            .map_err(|e| Error::config(format!("endpoint {base:?} is not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(Error::config(format!(
                "endpoint {base:?} must be an http or https URL with a host"
            )));
        }
        if url.query().is_some() {
            return Err(Error::config(format!(
                "endpoint {base:?} must not have a query"
            )));
        }
        Ok(Endpoint::Custom(url))
    }

    /// The URL requests for `service` are posted to.
    pub fn url(&self, service: &str) -> Result<Url> {
        let text = match self {
            Endpoint::Domestic => format!("https://{service}.{ROOT_DOMAIN}/"),
            Endpoint::International => format!("https://{service}.intl.{ROOT_DOMAIN}/"),
            Endpoint::Regional(region) => format!("https://{service}.{region}.{ROOT_DOMAIN}/"),
            Endpoint::Custom(url) => return Ok(url.clone()),
        };
        Url::parse(&text).map_err(|e| Error::config(format!("bad endpoint {text:?}: {e}")))
    }
}

/// Which Tencent Cloud site serves the account. Accounts are site-specific: keys of a
/// Tencent Cloud International account work only on the international hosts
/// (`<service>.intl.tencentcloudapi.com`), keys of a Tencent Cloud China account only on the
/// domestic ones (`<service>.tencentcloudapi.com`). The documentation this project follows is
/// the international site's, so it is the default.
///
/// ```
/// use tc_api::Site;
/// assert_eq!(Site::default(), Site::International);
/// assert_eq!("intl".parse::<Site>()?, Site::International);
/// assert_eq!(Site::Domestic.endpoint().url("ocr")?.as_str(), "https://ocr.tencentcloudapi.com/");
/// # Ok::<(), ocr_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Site {
    /// Tencent Cloud International (`<service>.intl.tencentcloudapi.com`).
    #[default]
    International,
    /// Tencent Cloud China (`<service>.tencentcloudapi.com`).
    Domestic,
}

impl Site {
    /// The endpoint of the site's API 3.0 hosts.
    pub fn endpoint(self) -> Endpoint {
        match self {
            Site::Domestic => Endpoint::Domestic,
            Site::International => Endpoint::International,
        }
    }

    /// A stable lowercase name (`"intl"`, `"domestic"`), as written in configuration and jobs.
    pub fn as_str(self) -> &'static str {
        match self {
            Site::Domestic => "domestic",
            Site::International => "intl",
        }
    }

    /// The site named `name`: `intl` (or `international`) or `domestic`.
    pub fn from_name(name: &str) -> Option<Site> {
        match name.trim() {
            "domestic" => Some(Site::Domestic),
            "intl" | "international" => Some(Site::International),
            _ => None,
        }
    }
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Site {
    type Err = Error;

    fn from_str(name: &str) -> Result<Site> {
        Site::from_name(name).ok_or_else(|| {
            Error::config(format!("`site` must be `intl` or `domestic`, not `{name}`"))
                .with_field("site")
        })
    }
}

/// The language of error messages (`X-TC-Language`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Simplified Chinese.
    ZhCn,
    /// English.
    EnUs,
}

impl Language {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::EnUs => "en-US",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The value of the `Host` header for `url`: the host, plus the port when it is not the
/// scheme's default. It is signed, so it must be exactly what is sent.
pub fn host_header(url: &Url) -> Result<String> {
    let host = url
        .host_str()
        .ok_or_else(|| Error::config(format!("endpoint {url} has no host")))?;
    Ok(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_endpoints_are_checked() {
        assert!(Endpoint::custom("http://127.0.0.1:8080/").is_ok());
        assert!(Endpoint::custom("ftp://x/").is_err());
        assert!(Endpoint::custom("http://x/?a=b").is_err());
        assert!(Endpoint::custom("nonsense").is_err());
    }

    #[test]
    fn host_header_keeps_non_default_port() {
        let u = Url::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(host_header(&u).unwrap(), "127.0.0.1:8080");
        let u = Url::parse("https://ocr.tencentcloudapi.com:443/").unwrap();
        assert_eq!(host_header(&u).unwrap(), "ocr.tencentcloudapi.com");
    }
}
