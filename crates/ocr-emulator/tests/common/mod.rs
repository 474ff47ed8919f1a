//! Helpers shared by the emulator's integration tests: requests are built by hand
//! with reqwest and signed with tc-signing, independently of any client crate.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use ocr_emulator::{ClockMode, Emulator, EmulatorConfig, ServiceDurations, TaskDurations};
use reqwest::header::HeaderMap;
use serde_json::Value;
use tc_signing::{sign_cos, sign_tc3, CosRequest, Credential, KeyTime, PayloadHash, Tc3Request};

/// The manual clock's start: 2023-11-14T22:13:20Z.
pub const T0: u64 = 1_700_000_000;

/// Manual clock, no rate limits, tasks queued 10 s then processing 20 s.
pub fn manual_config() -> EmulatorConfig {
    EmulatorConfig::default()
        .with_clock(ClockMode::Manual { start_unix: T0 })
        .with_task_durations(TaskDurations::new(
            Duration::from_secs(10),
            Duration::from_secs(20),
        ))
        .without_rate_limits()
        .with_seed(7)
}

/// Manual clock, no rate limits, tasks that finish at once.
pub fn instant_config() -> EmulatorConfig {
    manual_config().with_service_durations(ServiceDurations::all(TaskDurations::INSTANT))
}

pub async fn start(config: EmulatorConfig) -> Emulator {
    Emulator::start(config).await.expect("emulator starts")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// `127.0.0.1:<port>`: the Host header reqwest sends.
pub fn host(emu: &Emulator) -> String {
    emu.local_addr().to_string()
}

/// The pieces of an API 3.0 call, to build or tamper with.
#[derive(Clone)]
pub struct Tc3Call {
    pub action: String,
    pub version: String,
    pub region: Option<String>,
    pub service: String,
    pub body: Vec<u8>,
    pub credential: Credential,
    pub timestamp: u64,
    pub content_type: String,
    pub sign_action: bool,
}

impl Tc3Call {
    pub fn new(emu: &Emulator, action: &str, body: &Value) -> Self {
        let lkeap = action.contains("Document");
        let card = action.contains("CardVerification");
        Tc3Call {
            action: action.to_owned(),
            version: if lkeap { "2024-05-22" } else { "2018-11-19" }.to_owned(),
            region: Some(if card { "ap-singapore" } else { "ap-guangzhou" }.to_owned()),
            service: if lkeap { "lkeap" } else { "ocr" }.to_owned(),
            body: serde_json::to_vec(body).unwrap(),
            credential: ocr_emulator::test_credential(),
            timestamp: emu.clock().now_unix(),
            content_type: "application/json".to_owned(),
            sign_action: false,
        }
    }

    /// Signs and returns (Authorization, extra headers).
    pub fn sign(&self, host: &str) -> (String, Vec<(String, String)>) {
        let extra: Vec<(&str, &str)> = if self.sign_action {
            vec![("X-TC-Action", self.action.as_str())]
        } else {
            vec![]
        };
        let request = Tc3Request {
            method: "POST",
            host,
            path: "/",
            query: "",
            content_type: &self.content_type,
            extra_signed_headers: &extra,
            payload: PayloadHash::Bytes(&self.body),
        };
        let signed = sign_tc3(&request, &self.credential, &self.service, self.timestamp);
        (signed.authorization().to_owned(), signed.headers().to_vec())
    }

    pub fn request(&self, emu: &Emulator) -> reqwest::RequestBuilder {
        let (authorization, extra) = self.sign(&host(emu));
        self.request_with_authorization(emu, &authorization, &extra)
    }

    pub fn request_with_authorization(
        &self,
        emu: &Emulator,
        authorization: &str,
        extra: &[(String, String)],
    ) -> reqwest::RequestBuilder {
        let mut rb = client()
            .post(emu.endpoints().tencent)
            .header("Authorization", authorization)
            .header("Content-Type", &self.content_type)
            .header("X-TC-Action", &self.action)
            .header("X-TC-Version", &self.version)
            .body(self.body.clone());
        if let Some(region) = &self.region {
            rb = rb.header("X-TC-Region", region);
        }
        for (name, value) in extra {
            rb = rb.header(name, value);
        }
        rb
    }

    pub async fn send(&self, emu: &Emulator) -> (Value, HeaderMap) {
        let response = self.request(emu).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let headers = response.headers().clone();
        (response.json().await.unwrap(), headers)
    }
}

/// Calls an API 3.0 action and returns `Response`.
pub async fn tc3(emu: &Emulator, action: &str, body: Value) -> Value {
    let (json, _) = Tc3Call::new(emu, action, &body).send(emu).await;
    json["Response"].clone()
}

/// The error code of an API 3.0 response (panics on success).
pub fn error_code(response: &Value) -> String {
    response["Error"]["Code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error, got {response}"))
        .to_owned()
}

/// Asserts an API 3.0 success and returns it.
pub fn success(response: Value) -> Value {
    assert!(
        response.get("Error").is_none(),
        "expected success, got {response}"
    );
    assert!(response["RequestId"]
        .as_str()
        .is_some_and(|r| r.len() == 36));
    response
}

pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A COS / CI request signed in the Authorization header.
pub struct CosCall<'a> {
    pub method: &'a str,
    /// Path under the emulator root, decoded, e.g. `/cos/examplebucket-1250000000/a.png`.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub credential: Credential,
    pub key_time: KeyTime,
    pub token_header: Option<&'static str>,
}

impl<'a> CosCall<'a> {
    pub fn new(emu: &Emulator, method: &'a str, path: &str) -> Self {
        CosCall {
            method,
            path: path.to_owned(),
            query: vec![],
            headers: vec![],
            body: vec![],
            credential: ocr_emulator::test_credential(),
            key_time: KeyTime::starting_at(emu.clock().now_unix() - 60, 3600),
            token_header: None,
        }
    }

    pub fn cos(emu: &Emulator, method: &'a str, key: &str) -> Self {
        Self::new(
            emu,
            method,
            &format!("/cos/{}/{key}", emu.endpoints().bucket),
        )
    }

    pub fn ci(emu: &Emulator, method: &'a str, resource: &str) -> Self {
        Self::new(
            emu,
            method,
            &format!("/ci/{}/{resource}", emu.endpoints().bucket),
        )
    }

    pub fn query(mut self, k: &str, v: &str) -> Self {
        self.query.push((k.to_owned(), v.to_owned()));
        self
    }

    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.to_owned(), v.to_owned()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    fn url(&self, emu: &Emulator) -> String {
        let mut url = format!(
            "{}{}",
            emu.base_url().as_str().trim_end_matches('/'),
            tc_signing::cos_encode_path(&self.path)
        );
        if !self.query.is_empty() {
            url.push('?');
            url.push_str(
                &self
                    .query
                    .iter()
                    .map(|(k, v)| {
                        if v.is_empty() {
                            tc_signing::cos_encode(k)
                        } else {
                            format!(
                                "{}={}",
                                tc_signing::cos_encode(k),
                                tc_signing::cos_encode(v)
                            )
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("&"),
            );
        }
        url
    }

    /// The signature over host, the given headers (and content-length when there is
    /// a body), the token header when set, and every query parameter.
    pub fn signature(&self, emu: &Emulator) -> tc_signing::CosSignature {
        let host = host(emu);
        let mut signed: Vec<(String, String)> = vec![("host".into(), host)];
        signed.extend(self.headers.iter().cloned());
        if let (Some(name), Some(token)) = (self.token_header, self.credential.session_token()) {
            signed.push((name.to_owned(), token.to_owned()));
        }
        let signed_refs: Vec<(&str, &str)> = signed
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let query_refs: Vec<(&str, &str)> = self
            .query
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        sign_cos(
            &CosRequest {
                method: self.method,
                path: &self.path,
                query: &query_refs,
                headers: &signed_refs,
            },
            &self.credential,
            self.key_time,
        )
    }

    pub fn request(&self, emu: &Emulator) -> reqwest::RequestBuilder {
        let authorization = self.signature(emu).authorization();
        self.request_with_authorization(emu, Some(&authorization))
    }

    pub fn request_with_authorization(
        &self,
        emu: &Emulator,
        authorization: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let method = reqwest::Method::from_bytes(self.method.as_bytes()).unwrap();
        let mut rb = client().request(method, self.url(emu));
        if let Some(a) = authorization {
            rb = rb.header("Authorization", a);
        }
        for (k, v) in &self.headers {
            rb = rb.header(k, v);
        }
        if let (Some(name), Some(token)) = (self.token_header, self.credential.session_token()) {
            rb = rb.header(name, token);
        }
        if !self.body.is_empty() || self.method == "PUT" || self.method == "POST" {
            rb = rb.body(self.body.clone());
        }
        rb
    }

    /// A pre-signed URL (expanded form) for this request.
    pub fn presigned_url(&self, emu: &Emulator) -> String {
        let sig = self.signature(emu);
        let token = self.credential.session_token();
        let url = self.url(emu);
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}{}", sig.presigned_query(token))
    }

    pub async fn send(&self, emu: &Emulator) -> reqwest::Response {
        self.request(emu).send().await.unwrap()
    }
}

/// The text of the first `<tag>` element.
pub fn xml_value(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{tag}>"))? + start;
    Some(xml[start..end].to_owned())
}

/// How many `<tag>` / `<tag/>` elements there are.
pub fn xml_count(xml: &str, tag: &str) -> usize {
    xml.matches(&format!("<{tag}>")).count() + xml.matches(&format!("<{tag}/>")).count()
}

/// The `Code` of a COS / CI XML error.
pub async fn cos_error(response: reqwest::Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, xml_value(&text, "Code").unwrap_or_default(), text)
}

/// A PicWish multipart create request.
pub fn picwish_create(emu: &Emulator, form: reqwest::multipart::Form) -> reqwest::RequestBuilder {
    client()
        .post(format!("{}api/tasks/document/ocr", emu.endpoints().picwish))
        .header("X-API-KEY", ocr_emulator::PICWISH_API_KEY)
        .multipart(form)
}

pub fn picwish_query(emu: &Emulator, task_id: &str) -> reqwest::RequestBuilder {
    client()
        .get(format!(
            "{}api/tasks/document/ocr/{task_id}",
            emu.endpoints().picwish
        ))
        .header("X-API-KEY", ocr_emulator::PICWISH_API_KEY)
}

/// Reads a zip into (name, bytes) entries.
pub fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read as _;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut data = Vec::new();
        file.read_to_end(&mut data).unwrap();
        out.push((file.name().unwrap().to_string(), data));
    }
    out
}
