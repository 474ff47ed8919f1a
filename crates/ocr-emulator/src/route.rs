//! Which service and action a request is for, from its headers, host and path.
//!
//! * an `X-TC-Action` header → Tencent Cloud API 3.0 (OCR or LKEAP by action name);
//! * `/api/tasks/document/ocr[/{task_id}]` → PicWish;
//! * `/cos/<bucket>/<key…>` or a `Host` of `<bucket>.cos.<region>.myqcloud.com` → COS;
//! * `/ci/<bucket>/…` or a `Host` of `<bucket>.ci.<region>.myqcloud.com` → CI;
//! * `/files/<id>/…` → result files;
//! * `/_emulator/…` with none of the above → the control API (never a service).

use axum::http::{HeaderMap, Method, Uri};

use crate::config::{PICWISH_CREATE_ACTION, PICWISH_QUERY_ACTION};
use crate::cos::BucketTarget;
use crate::http_util::{decode, header_str, parse_query};
use crate::service::Service;

/// PicWish create/query path.
pub(crate) const PICWISH_PATH: &str = "/api/tasks/document/ocr";

/// Where a request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Tencent,
    PicWishCreate,
    PicWishQuery(String),
    PicWishBadMethod,
    Bucket(BucketTarget),
    File,
    Index,
    NotFound,
}

/// A classified request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Route {
    pub(crate) service: Service,
    pub(crate) action: Option<String>,
    pub(crate) target: Target,
}

/// `(bucket, is_ci)` from a virtual-host style `Host` header.
fn bucket_host(host: &str) -> Option<(String, bool)> {
    let host = host.trim().to_ascii_lowercase();
    let host = host.rsplit_once(':').map_or(host.as_str(), |(h, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            host.as_str()
        }
    });
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 5 {
        return None;
    }
    let domain_ok = host.ends_with(".myqcloud.com") || host.ends_with(".tencentcos.cn");
    let service = labels.get(1).copied()?;
    if !domain_ok || !matches!(service, "cos" | "ci") {
        return None;
    }
    Some((labels.first()?.to_string(), service == "ci"))
}

/// True for a request to the control API (`/_emulator…`): one that carries no
/// `X-TC-Action` and is not addressed to a bucket host, so it can be for no service.
pub(crate) fn is_control(uri: &Uri, headers: &HeaderMap) -> bool {
    let path = uri.path();
    let prefix = crate::control::PREFIX;
    let control_path = path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'));
    control_path
        && headers.get("x-tc-action").is_none()
        && header_str(headers, "host").and_then(bucket_host).is_none()
}

/// Classifies a request.
pub(crate) fn classify(method: &Method, uri: &Uri, headers: &HeaderMap) -> Route {
    if let Some(action) = header_str(headers, "x-tc-action") {
        let action = action.trim().to_owned();
        return Route {
            service: crate::tencent::service_of(&action),
            action: Some(action),
            target: Target::Tencent,
        };
    }
    let raw_path = uri.path();
    let query = parse_query(uri.query().unwrap_or_default());
    if let Some((bucket, ci)) = header_str(headers, "host").and_then(bucket_host) {
        let sign_path = decode(raw_path);
        let key = if ci {
            sign_path.clone()
        } else {
            sign_path.trim_start_matches('/').to_owned()
        };
        return bucket_route(
            method,
            &query,
            BucketTarget {
                bucket,
                key,
                sign_path,
                ci,
                virtual_host: true,
            },
        );
    }
    if raw_path == PICWISH_PATH || raw_path == format!("{PICWISH_PATH}/") {
        return if *method == Method::POST {
            Route {
                service: Service::PicWish,
                action: Some(PICWISH_CREATE_ACTION.to_owned()),
                target: Target::PicWishCreate,
            }
        } else {
            Route {
                service: Service::PicWish,
                action: None,
                target: Target::PicWishBadMethod,
            }
        };
    }
    if let Some(id) = raw_path.strip_prefix(&format!("{PICWISH_PATH}/")) {
        let id = decode(id.trim_end_matches('/'));
        return if *method == Method::GET && !id.contains('/') {
            Route {
                service: Service::PicWish,
                action: Some(PICWISH_QUERY_ACTION.to_owned()),
                target: Target::PicWishQuery(id),
            }
        } else {
            Route {
                service: Service::PicWish,
                action: None,
                target: Target::PicWishBadMethod,
            }
        };
    }
    if raw_path.starts_with("/files/") {
        return Route {
            service: Service::Files,
            action: Some("GetFile".to_owned()),
            target: Target::File,
        };
    }
    let decoded = decode(raw_path);
    for (prefix, ci) in [("/cos/", false), ("/ci/", true)] {
        if let Some(rest) = decoded.strip_prefix(prefix) {
            let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                break;
            }
            let key = if ci {
                format!("/{key}")
            } else {
                key.to_owned()
            };
            return bucket_route(
                method,
                &query,
                BucketTarget {
                    bucket: bucket.to_owned(),
                    key,
                    sign_path: decoded.clone(),
                    ci,
                    virtual_host: false,
                },
            );
        }
    }
    if raw_path == "/" && (*method == Method::GET || *method == Method::HEAD) {
        return Route {
            service: Service::Unknown,
            action: Some("Index".to_owned()),
            target: Target::Index,
        };
    }
    Route {
        service: Service::Unknown,
        action: None,
        target: Target::NotFound,
    }
}

fn bucket_route(method: &Method, query: &[(String, String)], target: BucketTarget) -> Route {
    let action = if target.ci {
        crate::cos::ci_action(method, &target.key, query)
    } else {
        crate::cos::cos_action(method, &target.key, query)
    };
    Route {
        service: if target.ci { Service::Ci } else { Service::Cos },
        action: Some(action.to_owned()),
        target: Target::Bucket(target),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(method: Method, uri: &str, host: &str) -> Route {
        let mut headers = HeaderMap::new();
        headers.insert("host", host.parse().unwrap());
        classify(&method, &uri.parse().unwrap(), &headers)
    }

    #[test]
    fn hosts_and_paths() {
        let r = route(
            Method::PUT,
            "/dir/a%20b.png",
            "examplebucket-1250000000.cos.ap-beijing.myqcloud.com:8080",
        );
        assert_eq!(r.service, Service::Cos);
        assert_eq!(r.action.as_deref(), Some("PutObject"));
        let Target::Bucket(t) = r.target else {
            panic!()
        };
        assert_eq!(t.key, "dir/a b.png");
        assert_eq!(t.sign_path, "/dir/a b.png");
        assert!(t.virtual_host);

        let r = route(Method::POST, "/ci/b-1/jobs", "127.0.0.1:1");
        assert_eq!(r.service, Service::Ci);
        assert_eq!(r.action.as_deref(), Some("SubmitJob"));
        let Target::Bucket(t) = r.target else {
            panic!()
        };
        assert_eq!((t.bucket.as_str(), t.key.as_str()), ("b-1", "/jobs"));
        assert_eq!(t.sign_path, "/ci/b-1/jobs");

        let r = route(Method::GET, "/api/tasks/document/ocr/abc", "127.0.0.1:1");
        assert_eq!(r.target, Target::PicWishQuery("abc".into()));
        let r = route(Method::GET, "/files/x/y.zip?expires=1", "127.0.0.1:1");
        assert_eq!(r.service, Service::Files);
        let r = route(Method::GET, "/nothing", "127.0.0.1:1");
        assert_eq!(r.target, Target::NotFound);
    }

    #[test]
    fn control_paths_never_take_a_service_request() {
        let control = |uri: &str, host: &str, action: Option<&str>| {
            let mut headers = HeaderMap::new();
            headers.insert("host", host.parse().unwrap());
            if let Some(a) = action {
                headers.insert("x-tc-action", a.parse().unwrap());
            }
            is_control(&uri.parse().unwrap(), &headers)
        };
        assert!(control("/_emulator/record", "127.0.0.1:1", None));
        assert!(control("/_emulator", "localhost:1", None));
        assert!(!control("/_emulatorx", "127.0.0.1:1", None));
        assert!(!control(
            "/_emulator/record",
            "127.0.0.1:1",
            Some("ExtractDocMulti")
        ));
        assert!(!control(
            "/_emulator/record",
            "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com",
            None
        ));
        assert!(!control("/cos/b-1/_emulator/record", "127.0.0.1:1", None));
    }
}
