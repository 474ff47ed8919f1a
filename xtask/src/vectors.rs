//! Signing vectors in machine-readable form: each case's inputs and every intermediate
//! (canonical request, string to sign, signature), computed by `tc-signing`.
//!
//! The published vectors carry their published signature next to the computed one, and a test
//! below fails if they ever differ. The credentials here are the documentation's own example
//! keys (or obviously fake ones), never real ones.

use serde_json::{json, Value};
use tc_signing::{sign_cos, sign_tc3, CosRequest, Credential, KeyTime, PayloadHash, Tc3Request};

struct Tc3Case {
    name: &'static str,
    source: &'static str,
    secret_id: &'static str,
    secret_key: &'static str,
    token: Option<&'static str>,
    method: &'static str,
    host: &'static str,
    content_type: &'static str,
    extra_signed_headers: &'static [(&'static str, &'static str)],
    body: &'static str,
    service: &'static str,
    timestamp: u64,
    published_signature: Option<&'static str>,
}

const DOC_BODY: &str =
    r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
const NODE_BODY: &str = r#"{"Action":"DescribeInstances","Version":"2017-03-12"}"#;

const TC3_CASES: &[Tc3Case] = &[
    Tc3Case {
        name: "kat_a_current_doc_example",
        source: "Tencent Cloud signature v3 documentation (signs x-tc-action)",
        secret_id: "AKID********************************",
        secret_key: "********************************",
        token: None,
        method: "POST",
        host: "cvm.tencentcloudapi.com",
        content_type: "application/json; charset=utf-8",
        extra_signed_headers: &[("X-TC-Action", "DescribeInstances")],
        body: DOC_BODY,
        service: "cvm",
        timestamp: 1_551_113_065,
        published_signature: Some(
            "10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f",
        ),
    },
    Tc3Case {
        name: "kat_b_older_doc_example",
        source: "Tencent Cloud signature v3 documentation, older revision",
        secret_id: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        secret_key: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        token: None,
        method: "POST",
        host: "cvm.tencentcloudapi.com",
        content_type: "application/json; charset=utf-8",
        extra_signed_headers: &[],
        body: DOC_BODY,
        service: "cvm",
        timestamp: 1_551_113_065,
        published_signature: Some(
            "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168",
        ),
    },
    Tc3Case {
        name: "kat_c_node_sdk_post",
        source: "tencentcloud-sdk-nodejs test/common/sign.test.ts",
        secret_id: "test-secret-id",
        secret_key: "test-secret-key",
        token: None,
        method: "POST",
        host: "cvm.tencentcloudapi.com",
        content_type: "application/json",
        extra_signed_headers: &[],
        body: NODE_BODY,
        service: "cvm",
        timestamp: 1_640_995_200,
        published_signature: Some(
            "96473b50fe407833672a5d6d067238d88bb44c8abcc39ef83baa3132afbfadd3",
        ),
    },
    Tc3Case {
        name: "kat_c_node_sdk_get_variant",
        source: "tencentcloud-sdk-nodejs test/common/sign.test.ts (GET, JSON payload hashed)",
        secret_id: "test-secret-id",
        secret_key: "test-secret-key",
        token: None,
        method: "GET",
        host: "cvm.tencentcloudapi.com",
        content_type: "application/x-www-form-urlencoded",
        extra_signed_headers: &[],
        body: NODE_BODY,
        service: "cvm",
        timestamp: 1_640_995_200,
        published_signature: Some(
            "39ce411ac32014b7d814118b33f82d3445be566f67e1f4b369ccdc3791ce9a13",
        ),
    },
    Tc3Case {
        name: "ocr_extract_doc_multi_with_token",
        source: "cloud-ocr (fake credentials)",
        secret_id: "AKIDFAKE-cloud-ocr-fixture",
        secret_key: "fake-secret-key-for-fixtures",
        token: Some("fake-session-token"),
        method: "POST",
        host: "ocr.tencentcloudapi.com",
        content_type: "application/json",
        extra_signed_headers: &[],
        body: r#"{"ImageUrl":"https://example.com/invoice.png","ItemNames":["Total"]}"#,
        service: "ocr",
        timestamp: 1_763_683_200,
        published_signature: None,
    },
];

struct CosCase {
    name: &'static str,
    source: &'static str,
    secret_id: &'static str,
    secret_key: &'static str,
    method: &'static str,
    path: &'static str,
    query: &'static [(&'static str, &'static str)],
    headers: &'static [(&'static str, &'static str)],
    key_time: (u64, u64),
    published_signature: Option<&'static str>,
}

const DOC_ID: &str = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q";
const DOC_KEY: &str = "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz";
const DOC_COS_HOST: &str = "examplebucket-1250000000.cos.ap-beijing.myqcloud.com";
const DOC_CI_HOST: &str = "examplebucket-1250000000.ci.ap-beijing.myqcloud.com";
const D_KEY_TIME: (u64, u64) = (1_622_702_557, 1_622_706_157);

const COS_CASES: &[CosCase] = &[
    CosCase {
        name: "cos_v1_doc_upload_object",
        source: "COS documentation 436/7778, upload an object",
        secret_id: DOC_ID,
        secret_key: DOC_KEY,
        method: "PUT",
        path: "/exampleobject(腾讯云)",
        query: &[],
        headers: &[
            ("Date", "Thu, 16 May 2019 06:45:51 GMT"),
            ("Host", DOC_COS_HOST),
            ("Content-Type", "text/plain"),
            ("Content-Length", "13"),
            ("Content-MD5", "mQ/fVh815F3k6TAUm8m0eg=="),
            ("x-cos-acl", "private"),
            ("x-cos-grant-read", "uin=\"100000000011\""),
        ],
        key_time: (1_557_989_151, 1_557_996_351),
        published_signature: Some("3b8851a11a569213c17ba8fa7dcf2abec6935172"),
    },
    CosCase {
        name: "cos_v2_doc_download_object",
        source: "COS documentation 436/7778, download an object",
        secret_id: DOC_ID,
        secret_key: DOC_KEY,
        method: "GET",
        path: "/exampleobject(腾讯云)",
        query: &[
            ("response-content-type", "application/octet-stream"),
            ("response-cache-control", "max-age=600"),
        ],
        headers: &[
            ("Date", "Thu, 16 May 2019 06:55:53 GMT"),
            ("Host", DOC_COS_HOST),
        ],
        key_time: (1_557_989_753, 1_557_996_953),
        published_signature: Some("01681b8c9d798a678e43b685a9f1bba0f6c0e012"),
    },
    CosCase {
        name: "cos_v4_older_doc_ranged_download",
        source: "COS documentation 436/7778, older revision",
        secret_id: DOC_ID,
        secret_key: DOC_KEY,
        method: "GET",
        path: "/testfile",
        query: &[],
        headers: &[
            ("Host", "bucket1-1254000000.cos.ap-beijing.myqcloud.com"),
            ("Range", "bytes=0-3"),
        ],
        key_time: (1_417_773_892, 1_417_853_898),
        published_signature: Some("4b6cbab14ce01381c29032423481ebffd514e8be"),
    },
    CosCase {
        name: "cos_d1_sync_ocr_on_cos_host",
        source: "derived CI vector (spec cos-ci.md §1.7)",
        secret_id: DOC_ID,
        secret_key: DOC_KEY,
        method: "GET",
        path: "/test.jpg",
        query: &[
            ("ci-process", "OCR"),
            ("type", "general"),
            ("language-type", "zh"),
        ],
        headers: &[("host", DOC_COS_HOST)],
        key_time: D_KEY_TIME,
        published_signature: Some("b03b2be12ada096270c0bb537bf3188858f0fc63"),
    },
    CosCase {
        name: "cos_d2_list_jobs",
        source: "derived CI vector (spec cos-ci.md §1.7)",
        secret_id: DOC_ID,
        secret_key: DOC_KEY,
        method: "GET",
        path: "/jobs",
        query: &[
            ("tag", "ImageOCR"),
            ("orderByTime", "Desc"),
            ("size", "10"),
            ("states", "All"),
        ],
        headers: &[("host", DOC_CI_HOST)],
        key_time: D_KEY_TIME,
        published_signature: Some("4831bded8594d6d58262d04f0e617615c2d32202"),
    },
    CosCase {
        name: "cos_d3_cancel_job",
        source: "derived CI vector (spec cos-ci.md §1.7)",
        secret_id: DOC_ID,
        secret_key: DOC_KEY,
        method: "PUT",
        path: "/jobs/a3c193f288b2c11eeb60f39de2f86f409",
        query: &[("cancel", "")],
        headers: &[("host", DOC_CI_HOST)],
        key_time: D_KEY_TIME,
        published_signature: Some("e71e9604496cf7f82b341bb14193ba4bc33c9711"),
    },
    CosCase {
        name: "cos_d5_submit_job_with_ci_token_header",
        source: "derived CI vector (spec cos-ci.md §1.7)",
        secret_id: DOC_ID,
        secret_key: DOC_KEY,
        method: "POST",
        path: "/jobs",
        query: &[],
        headers: &[
            ("content-length", "166"),
            ("content-md5", "z0E41hV0pbCgH3LydQJ/Jw=="),
            ("content-type", "application/xml"),
            ("host", DOC_CI_HOST),
            ("x-ci-security-token", "exampletoken"),
        ],
        key_time: D_KEY_TIME,
        published_signature: Some("a70c2f9b2f47554cbc98f780dc94e8c40da7b0fb"),
    },
];

fn tc3_case(case: &Tc3Case) -> Value {
    let mut credential = Credential::new(case.secret_id, case.secret_key);
    if let Some(token) = case.token {
        credential = credential.with_session_token(token);
    }
    let request = Tc3Request {
        method: case.method,
        host: case.host,
        path: "/",
        query: "",
        content_type: case.content_type,
        extra_signed_headers: case.extra_signed_headers,
        payload: PayloadHash::Bytes(case.body.as_bytes()),
    };
    let signed = sign_tc3(&request, &credential, case.service, case.timestamp);
    json!({
        "name": case.name,
        "source": case.source,
        "input": {
            "secret_id": case.secret_id,
            "secret_key": case.secret_key,
            "session_token": case.token,
            "method": case.method,
            "host": case.host,
            "path": "/",
            "query": "",
            "content_type": case.content_type,
            "extra_signed_headers": case.extra_signed_headers,
            "body": case.body,
            "service": case.service,
            "timestamp": case.timestamp,
        },
        "payload_hash": signed.payload_hash(),
        "canonical_request": signed.canonical_request(),
        "credential_scope": signed.credential_scope(),
        "string_to_sign": signed.string_to_sign(),
        "signed_headers": signed.signed_headers(),
        "signature": signed.signature(),
        "published_signature": case.published_signature,
        "authorization": signed.authorization(),
    })
}

fn cos_case(case: &CosCase) -> Value {
    let credential = Credential::new(case.secret_id, case.secret_key);
    let request = CosRequest {
        method: case.method,
        path: case.path,
        query: case.query,
        headers: case.headers,
    };
    let signed = sign_cos(
        &request,
        &credential,
        KeyTime::new(case.key_time.0, case.key_time.1),
    );
    json!({
        "name": case.name,
        "source": case.source,
        "input": {
            "secret_id": case.secret_id,
            "secret_key": case.secret_key,
            "method": case.method,
            "path": case.path,
            "query": case.query,
            "headers": case.headers,
            "key_time": format!("{};{}", case.key_time.0, case.key_time.1),
        },
        "sign_key": signed.sign_key(),
        "url_param_list": signed.url_param_list(),
        "http_parameters": signed.http_parameters(),
        "header_list": signed.header_list(),
        "http_headers": signed.http_headers(),
        "http_string": signed.http_string(),
        "http_string_sha1": signed.http_string_sha1(),
        "string_to_sign": signed.string_to_sign(),
        "signature": signed.signature(),
        "published_signature": case.published_signature,
        "authorization": signed.authorization(),
    })
}

/// `fixtures/signing/tc3.json`.
pub fn tc3_vectors() -> Value {
    json!({
        "algorithm": "TC3-HMAC-SHA256",
        "generated_by": "cargo xtask fixtures",
        "vectors": TC3_CASES.iter().map(tc3_case).collect::<Vec<_>>(),
    })
}

/// `fixtures/signing/cos.json`.
pub fn cos_vectors() -> Value {
    json!({
        "algorithm": "q-sign-algorithm=sha1",
        "generated_by": "cargo xtask fixtures",
        "vectors": COS_CASES.iter().map(cos_case).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_signatures_reproduce() {
        for set in [tc3_vectors(), cos_vectors()] {
            for v in set["vectors"].as_array().unwrap() {
                if let Some(published) = v["published_signature"].as_str() {
                    assert_eq!(v["signature"], published, "{}", v["name"]);
                }
            }
        }
    }
}
