//! Where requests go: the default COS and CI hosts of a bucket, or base URLs (tests, the
//! emulator, proxies), and how an object key or a CI path becomes a URL.

use ocr_core::{Error, Result};
use percent_encoding::percent_decode_str;
use tc_signing::{cos_encode, cos_encode_path};
use url::Url;

/// The two services a bucket talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// COS, the object store: `<bucket>.cos.<region>.myqcloud.com` (objects and synchronous OCR).
    Cos,
    /// Cloud Infinite: `<bucket>.ci.<region>.myqcloud.com` (jobs and templates).
    Ci,
}

/// The default COS host of a bucket: `<bucket>.cos.<region>.myqcloud.com`.
///
/// ```
/// assert_eq!(
///     cos_ci::endpoint::default_host(cos_ci::endpoint::Service::Ci, "examplebucket-1250000000", "ap-beijing"),
///     "examplebucket-1250000000.ci.ap-beijing.myqcloud.com"
/// );
/// ```
pub fn default_host(service: Service, bucket: &str, region: &str) -> String {
    let label = match service {
        Service::Cos => "cos",
        Service::Ci => "ci",
    };
    format!("{bucket}.{label}.{region}.myqcloud.com")
}

/// A base URL requests are built on: always ends with `/`, has no query or fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Base {
    url: Url,
}

impl Base {
    /// The default HTTPS base of `service` for the bucket.
    pub(crate) fn default_for(service: Service, bucket: &str, region: &str) -> Result<Base> {
        let url = format!("https://{}/", default_host(service, bucket, region));
        Base::parse("endpoint", &url)
    }

    /// A caller's base URL: `http` or `https`, a host, no user info, query or fragment. A
    /// missing trailing `/` is added, so `http://h/cos/b` and `http://h/cos/b/` are the same.
    pub(crate) fn parse(field: &str, text: &str) -> Result<Base> {
        let mut url = Url::parse(text).map_err(|e| {
            Error::config(format!("{field} `{text}` is not a valid URL: {e}")).with_field(field)
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::config(format!(
                "{field} must use http or https, not {}",
                url.scheme()
            ))
            .with_field(field));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(Error::config(format!("{field} has no host")).with_field(field));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::config(format!(
                "{field} must not carry user info; configure credentials instead"
            ))
            .with_field(field));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(
                Error::config(format!("{field} must not have a query or fragment"))
                    .with_field(field),
            );
        }
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(Base { url })
    }

    /// The base as text.
    pub(crate) fn as_str(&self) -> &str {
        self.url.as_str()
    }

    /// The `Host` header requests to this base carry: the authority, with the port when it is
    /// not the scheme's default (as HTTP clients send it).
    #[cfg(test)]
    pub(crate) fn host(&self) -> String {
        host_header(&self.url)
    }

    /// The URL of `relative` (already percent-encoded, no leading `/`) with `query` (decoded
    /// pairs; an empty value is written as a bare name, like `?cancel`).
    pub(crate) fn url(&self, relative: &str, query: &[(String, String)]) -> Result<Url> {
        let mut text = format!("{}{}", self.url.as_str(), relative);
        if !query.is_empty() {
            text.push('?');
            let pairs: Vec<String> = query
                .iter()
                .map(|(k, v)| {
                    if v.is_empty() {
                        cos_encode(k)
                    } else {
                        format!("{}={}", cos_encode(k), cos_encode(v))
                    }
                })
                .collect();
            text.push_str(&pairs.join("&"));
        }
        Url::parse(&text)
            .map_err(|e| Error::invalid_input("Key", format!("cannot form a request URL: {e}")))
    }
}

/// The relative, encoded path of an object key: each `/`-separated segment percent-encoded.
pub(crate) fn key_path(key: &str) -> String {
    cos_encode_path(key)
}

/// The `Host` header value for `url`.
pub(crate) fn host_header(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// The decoded path that the signature covers (the full path, base path included).
pub(crate) fn signed_path(url: &Url) -> String {
    percent_decode_str(url.path())
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_style_base_keeps_its_path_in_the_signature() {
        let base = Base::parse(
            "cos_base_url",
            "http://127.0.0.1:9000/cos/examplebucket-1250000000",
        )
        .unwrap();
        assert_eq!(
            base.as_str(),
            "http://127.0.0.1:9000/cos/examplebucket-1250000000/"
        );
        assert_eq!(base.host(), "127.0.0.1:9000");
        let url = base
            .url(
                &key_path("dir/a b+c(1)!*'~.jpg"),
                &[("ci-process".into(), "OCR".into())],
            )
            .unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9000/cos/examplebucket-1250000000/dir/a%20b%2Bc%281%29%21%2A%27~.jpg?ci-process=OCR"
        );
        assert_eq!(
            signed_path(&url),
            "/cos/examplebucket-1250000000/dir/a b+c(1)!*'~.jpg"
        );
    }

    #[test]
    fn default_hosts_omit_the_https_port() {
        let base =
            Base::default_for(Service::Cos, "examplebucket-1250000000", "ap-beijing").unwrap();
        assert_eq!(
            base.host(),
            "examplebucket-1250000000.cos.ap-beijing.myqcloud.com"
        );
        let url = base.url(&key_path("腾讯云.jpg"), &[]).unwrap();
        assert_eq!(signed_path(&url), "/腾讯云.jpg");
        let url = base
            .url("jobs/a1", &[("cancel".into(), String::new())])
            .unwrap();
        assert_eq!(url.query(), Some("cancel"));
    }

    #[test]
    fn bad_base_urls_are_config_errors() {
        for bad in [
            "ftp://h/",
            "http://user:pw@h/",
            "http://h/?x=1",
            "not a url",
        ] {
            assert_eq!(
                Base::parse("ci_base_url", bad).unwrap_err().kind(),
                ocr_core::ErrorKind::Config,
                "{bad}"
            );
        }
    }
}
