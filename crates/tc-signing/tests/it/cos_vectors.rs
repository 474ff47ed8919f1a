//! COS `q-sign-algorithm=sha1` against the known-answer vectors V1–V6 and D1–D5 of
//! the COS/CI spec (§1.7), including the intermediates the spec gives.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use tc_signing::{sign_cos, CosRequest, CosSignature, CosSigner, Credential, KeyTime};

/// Keys of the official doc examples (V1–V4) and the derived CI vectors (D1–D5).
fn doc_credential() -> Credential {
    Credential::new(
        "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
        "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz",
    )
}

/// Keys of the Go SDK presign test (V6): literal asterisks.
fn go_presign_credential() -> Credential {
    Credential::new("QmFzZTY0IGlzIGEgZ*******", "ZfbOA78asKUYBcXFrJD0a1I*******")
}

const DOC_COS_HOST: &str = "examplebucket-1250000000.cos.ap-beijing.myqcloud.com";
const DOC_CI_HOST: &str = "examplebucket-1250000000.ci.ap-beijing.myqcloud.com";
const D_KEY_TIME: KeyTime = KeyTime {
    start: 1_622_702_557,
    end: 1_622_706_157,
};
const D_SIGN_KEY: &str = "3fcdb69dc9b3abf0e92982276ede6e7def618216";

/// The checks every vector shares: HttpString is rebuilt from its parts, and the
/// string to sign embeds the key time and the HttpString hash.
fn assert_consistent(signed: &CosSignature) {
    assert!(signed.http_string().ends_with('\n'));
    assert_eq!(
        signed.string_to_sign(),
        format!(
            "sha1\n{}\n{}\n",
            signed.key_time(),
            signed.http_string_sha1()
        )
    );
}

#[test]
fn cos_v1_doc_upload_object() {
    let request = CosRequest {
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
    };
    let signed = sign_cos(
        &request,
        &doc_credential(),
        KeyTime::new(1_557_989_151, 1_557_996_351),
    );
    assert_consistent(&signed);

    assert_eq!(
        signed.sign_key(),
        "eb2519b498b02ac213cb1f3d1a3d27a3b3c9bc5f"
    );
    assert_eq!(
        signed.header_list(),
        "content-length;content-md5;content-type;date;host;x-cos-acl;x-cos-grant-read"
    );
    assert_eq!(signed.url_param_list(), "");
    assert_eq!(signed.http_parameters(), "");
    let http_headers = "content-length=13&content-md5=mQ%2FfVh815F3k6TAUm8m0eg%3D%3D&content-type=text%2Fplain&date=Thu%2C%2016%20May%202019%2006%3A45%3A51%20GMT&host=examplebucket-1250000000.cos.ap-beijing.myqcloud.com&x-cos-acl=private&x-cos-grant-read=uin%3D%22100000000011%22";
    assert_eq!(signed.http_headers(), http_headers);
    assert_eq!(
        signed.http_string(),
        format!("put\n/exampleobject(腾讯云)\n\n{http_headers}\n")
    );
    assert_eq!(
        signed.http_string_sha1(),
        "8b2751e77f43a0995d6e9eb9477f4b685cca4172"
    );
    assert_eq!(
        signed.signature(),
        "3b8851a11a569213c17ba8fa7dcf2abec6935172"
    );
}

#[test]
fn cos_v2_doc_download_object() {
    let request = CosRequest {
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
    };
    let signed = sign_cos(
        &request,
        &doc_credential(),
        KeyTime::new(1_557_989_753, 1_557_996_953),
    );
    assert_consistent(&signed);

    assert_eq!(
        signed.sign_key(),
        "937914bf490e9e8c189836aad2052e4feeb35eaf"
    );
    assert_eq!(
        signed.url_param_list(),
        "response-cache-control;response-content-type"
    );
    assert_eq!(
        signed.http_parameters(),
        "response-cache-control=max-age%3D600&response-content-type=application%2Foctet-stream"
    );
    assert_eq!(signed.header_list(), "date;host");
    assert_eq!(
        signed.http_headers(),
        "date=Thu%2C%2016%20May%202019%2006%3A55%3A53%20GMT&host=examplebucket-1250000000.cos.ap-beijing.myqcloud.com"
    );
    assert_eq!(
        signed.http_string_sha1(),
        "54ecfe22f59d3514fdc764b87a32d8133ea611e6"
    );
    assert_eq!(
        signed.signature(),
        "01681b8c9d798a678e43b685a9f1bba0f6c0e012"
    );

    assert_eq!(
        signed.presigned_query(None),
        "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q\
         &q-sign-time=1557989753%3B1557996953&q-key-time=1557989753%3B1557996953\
         &q-header-list=date%3Bhost&q-url-param-list=response-cache-control%3Bresponse-content-type\
         &q-signature=01681b8c9d798a678e43b685a9f1bba0f6c0e012"
    );
    assert_eq!(
        signed.authorization(),
        "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q\
         &q-sign-time=1557989753;1557996953&q-key-time=1557989753;1557996953\
         &q-header-list=date;host&q-url-param-list=response-cache-control;response-content-type\
         &q-signature=01681b8c9d798a678e43b685a9f1bba0f6c0e012"
    );
}

#[test]
fn cos_v3_older_doc_upload_with_storage_class() {
    let request = CosRequest {
        method: "PUT",
        path: "/testfile2",
        query: &[],
        headers: &[
            ("Host", "bucket1-1254000000.cos.ap-beijing.myqcloud.com"),
            (
                "x-cos-content-sha1",
                "7b502c3a1f48c8609ae212cdfb639dee39673f5e",
            ),
            ("x-cos-storage-class", "nearline"),
        ],
    };
    let signed = sign_cos(
        &request,
        &doc_credential(),
        KeyTime::new(1_417_773_892, 1_417_853_898),
    );
    assert_consistent(&signed);

    assert_eq!(
        signed.sign_key(),
        "d265642cf75792e70e35030fd14e73134094d673"
    );
    assert_eq!(
        signed.http_string(),
        "put\n/testfile2\n\nhost=bucket1-1254000000.cos.ap-beijing.myqcloud.com\
         &x-cos-content-sha1=7b502c3a1f48c8609ae212cdfb639dee39673f5e&x-cos-storage-class=nearline\n"
    );
    assert_eq!(
        signed.http_string_sha1(),
        "e139a157c8e880c7ee269ea2919bfc6171b5e7dd"
    );
    assert_eq!(
        signed.header_list(),
        "host;x-cos-content-sha1;x-cos-storage-class"
    );
    assert_eq!(
        signed.signature(),
        "84f5be2187452d2fe276dbdca932143ef8161145"
    );
}

#[test]
fn cos_v4_older_doc_ranged_download() {
    let request = CosRequest {
        method: "GET",
        path: "/testfile",
        query: &[],
        headers: &[
            ("Host", "bucket1-1254000000.cos.ap-beijing.myqcloud.com"),
            ("Range", "bytes=0-3"),
        ],
    };
    let signed = sign_cos(
        &request,
        &doc_credential(),
        KeyTime::new(1_417_773_892, 1_417_853_898),
    );
    assert_consistent(&signed);

    assert_eq!(
        signed.http_string(),
        "get\n/testfile\n\nhost=bucket1-1254000000.cos.ap-beijing.myqcloud.com&range=bytes%3D0-3\n"
    );
    assert_eq!(
        signed.http_string_sha1(),
        "3a529544cb1559b8be98f079df87742e8fad26dc"
    );
    assert_eq!(signed.header_list(), "host;range");
    assert_eq!(
        signed.signature(),
        "4b6cbab14ce01381c29032423481ebffd514e8be"
    );
}

#[test]
fn cos_v5_go_sdk_authorization() {
    let credential = Credential::new(
        "QmFzZTY0IGlzIGEgZ2VuZXJp",
        "AKIDZfbOA78asKUYBcXFrJD0a1ICvR98JM",
    );
    let request = CosRequest {
        method: "PUT",
        path: "/testfile2",
        query: &[],
        headers: &[
            ("Host", "testbucket-125000000.cos.ap-guangzhou.myqcloud.com"),
            (
                "x-cos-content-sha1",
                "db8ac1c259eb89d4a131b253bacfca5f319d54f2",
            ),
            // Misspelt in the Go test; signed through the `x-cos-` prefix rule.
            ("x-cos-stroage-class", "nearline"),
        ],
    };
    let signed = sign_cos(
        &request,
        &credential,
        KeyTime::new(1_480_932_292, 1_481_012_292),
    );
    assert_consistent(&signed);

    assert_eq!(
        signed.sign_key(),
        "95d110a8ead64cac52083100db75b7e3f369e72f"
    );
    assert_eq!(
        signed.http_string_sha1(),
        "113b22e92b74237531fafbfc8bb9e67be55645c7"
    );
    assert_eq!(
        signed.authorization(),
        "q-sign-algorithm=sha1&q-ak=QmFzZTY0IGlzIGEgZ2VuZXJp\
         &q-sign-time=1480932292;1481012292&q-key-time=1480932292;1481012292\
         &q-header-list=host;x-cos-content-sha1;x-cos-stroage-class&q-url-param-list=\
         &q-signature=ce4ac0ecbcdb30538b3fee0a97cc6389694ce53a"
    );
}

#[test]
fn cos_v6a_go_presigned_no_params() {
    let request = CosRequest {
        method: "PUT",
        path: "/test.jpg",
        query: &[],
        headers: &[],
    };
    let signed = sign_cos(
        &request,
        &go_presign_credential(),
        KeyTime::new(1_622_702_557, 1_622_706_157),
    );
    assert_consistent(&signed);

    assert_eq!(
        signed.sign_key(),
        "9127879125ac514f301995a1f5f4fc6f7ca4e04b"
    );
    assert_eq!(signed.http_string(), "put\n/test.jpg\n\n\n");
    assert_eq!(
        signed.http_string_sha1(),
        "58095d62e01e6c3d335bf6f9398c5b85698a6f04"
    );
    assert_eq!(
        signed.signature(),
        "820975b5a8eccce9455b94d4ebed14d66654bf3c"
    );
    // Presigned values are encoded like `encodeURIComponent` (the Go helper's set),
    // which keeps the `*` of this secret id literal.
    assert_eq!(
        signed.presigned_query(None),
        "q-sign-algorithm=sha1&q-ak=QmFzZTY0IGlzIGEgZ*******\
         &q-sign-time=1622702557%3B1622706157&q-key-time=1622702557%3B1622706157\
         &q-header-list=&q-url-param-list=\
         &q-signature=820975b5a8eccce9455b94d4ebed14d66654bf3c"
    );
}

#[test]
fn cos_v6b_go_presigned_merged_with_param() {
    let request = CosRequest {
        method: "PUT",
        path: "/test.jpg",
        query: &[("test", "params")],
        headers: &[],
    };
    let signed = sign_cos(
        &request,
        &go_presign_credential(),
        KeyTime::new(1_622_702_557, 1_622_706_157),
    );
    assert_consistent(&signed);

    assert_eq!(signed.http_string(), "put\n/test.jpg\ntest=params\n\n");
    assert_eq!(
        signed.http_string_sha1(),
        "499e3b4d8da172314c553d35ceba8d78b449522a"
    );
    assert_eq!(
        signed.signature(),
        "7757e84ed5f8953eafc30afcd2a5d1ad68e00d67"
    );
    assert_eq!(
        format!("test=params&{}", signed.presigned_query_merged(None)),
        "test=params&sign=q-sign-algorithm%3Dsha1%26q-ak%3DQmFzZTY0IGlzIGEgZ*******\
         %26q-sign-time%3D1622702557%3B1622706157%26q-key-time%3D1622702557%3B1622706157\
         %26q-header-list%3D%26q-url-param-list%3Dtest\
         %26q-signature%3D7757e84ed5f8953eafc30afcd2a5d1ad68e00d67"
    );
}

#[test]
fn cos_d1_sync_ocr_on_cos_host() {
    let request = CosRequest {
        method: "GET",
        path: "/test.jpg",
        query: &[
            ("ci-process", "OCR"),
            ("type", "general"),
            ("language-type", "zh"),
        ],
        headers: &[("host", DOC_COS_HOST)],
    };
    let signed = sign_cos(&request, &doc_credential(), D_KEY_TIME);
    assert_consistent(&signed);

    assert_eq!(signed.sign_key(), D_SIGN_KEY);
    assert_eq!(
        signed.http_string(),
        "get\n/test.jpg\nci-process=OCR&language-type=zh&type=general\n\
         host=examplebucket-1250000000.cos.ap-beijing.myqcloud.com\n"
    );
    assert_eq!(signed.url_param_list(), "ci-process;language-type;type");
    assert_eq!(
        signed.signature(),
        "b03b2be12ada096270c0bb537bf3188858f0fc63"
    );
}

#[test]
fn cos_d2_list_jobs_lowercases_camel_case_keys() {
    let request = CosRequest {
        method: "GET",
        path: "/jobs",
        query: &[
            ("tag", "ImageOCR"),
            ("orderByTime", "Desc"),
            ("size", "10"),
            ("states", "All"),
        ],
        headers: &[("host", DOC_CI_HOST)],
    };
    let signed = sign_cos(&request, &doc_credential(), D_KEY_TIME);
    assert_consistent(&signed);

    assert_eq!(signed.sign_key(), D_SIGN_KEY);
    assert_eq!(
        signed.http_string(),
        "get\n/jobs\norderbytime=Desc&size=10&states=All&tag=ImageOCR\n\
         host=examplebucket-1250000000.ci.ap-beijing.myqcloud.com\n"
    );
    assert_eq!(signed.url_param_list(), "orderbytime;size;states;tag");
    assert_eq!(
        signed.signature(),
        "4831bded8594d6d58262d04f0e617615c2d32202"
    );
}

#[test]
fn cos_d3_cancel_job_signs_empty_value() {
    let request = CosRequest {
        method: "PUT",
        path: "/jobs/a3c193f288b2c11eeb60f39de2f86f409",
        query: &[("cancel", "")],
        headers: &[("host", DOC_CI_HOST)],
    };
    let signed = sign_cos(&request, &doc_credential(), D_KEY_TIME);
    assert_consistent(&signed);

    assert_eq!(
        signed.http_string(),
        "put\n/jobs/a3c193f288b2c11eeb60f39de2f86f409\ncancel=\n\
         host=examplebucket-1250000000.ci.ap-beijing.myqcloud.com\n"
    );
    assert_eq!(signed.url_param_list(), "cancel");
    assert_eq!(
        signed.signature(),
        "e71e9604496cf7f82b341bb14193ba4bc33c9711"
    );
}

#[test]
fn cos_d4_reserved_characters_in_path_and_values_and_token_header() {
    let request = CosRequest {
        method: "GET",
        path: "/dir/a b+c(1)!*'~.jpg",
        query: &[
            ("ci-process", "OCR"),
            ("detect-url", "http://www.example.com/abc.jpg"),
        ],
        headers: &[
            ("host", DOC_COS_HOST),
            ("x-cos-security-token", "tok/en+=="),
        ],
    };
    let signed = sign_cos(&request, &doc_credential(), D_KEY_TIME);
    assert_consistent(&signed);

    assert_eq!(
        signed.http_string(),
        "get\n/dir/a b+c(1)!*'~.jpg\nci-process=OCR&detect-url=http%3A%2F%2Fwww.example.com%2Fabc.jpg\n\
         host=examplebucket-1250000000.cos.ap-beijing.myqcloud.com&x-cos-security-token=tok%2Fen%2B%3D%3D\n"
    );
    assert_eq!(signed.header_list(), "host;x-cos-security-token");
    assert_eq!(
        signed.signature(),
        "a58f2d21337e6f3a778ced3ac23ec8223968e44a"
    );
}

#[test]
fn cos_d5_submit_job_with_ci_token_header() {
    const BODY: &str = "<Request><Tag>ImageOCR</Tag><Input><Object>input/test.jpg</Object></Input><Operation><TemplateId>t1460606b9752148c4ab182f55163ba7cd</TemplateId></Operation></Request>";
    assert_eq!(BODY.len(), 166);
    let request = CosRequest {
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
    };
    let signed = sign_cos(&request, &doc_credential(), D_KEY_TIME);
    assert_consistent(&signed);

    assert_eq!(
        signed.http_string(),
        "post\n/jobs\n\ncontent-length=166&content-md5=z0E41hV0pbCgH3LydQJ%2FJw%3D%3D\
         &content-type=application%2Fxml&host=examplebucket-1250000000.ci.ap-beijing.myqcloud.com\
         &x-ci-security-token=exampletoken\n"
    );
    assert_eq!(
        signed.signature(),
        "a70c2f9b2f47554cbc98f780dc94e8c40da7b0fb"
    );
}

#[test]
fn presigned_query_appends_the_encoded_token() {
    let request = CosRequest {
        method: "GET",
        path: "/a.jpg",
        query: &[],
        headers: &[],
    };
    let signed = sign_cos(&request, &doc_credential(), D_KEY_TIME);
    let query = signed.presigned_query(Some("tok/en+=="));
    assert!(query.ends_with(&format!(
        "&q-signature={}&x-cos-security-token=tok%2Fen%2B%3D%3D",
        signed.signature()
    )));
    let merged = signed.presigned_query_merged(Some("t"));
    assert!(merged.starts_with("sign=q-sign-algorithm%3Dsha1%26"));
    assert!(merged.ends_with("&x-cos-security-token=t"));
}

#[test]
fn cos_signer_matches_sign_cos_and_caches_per_key_time() {
    let signer = CosSigner::new();
    let credential = doc_credential();
    let request = CosRequest {
        method: "GET",
        path: "/test.jpg",
        query: &[("ci-process", "OCR")],
        headers: &[("host", DOC_COS_HOST)],
    };
    let other = CosRequest {
        method: "HEAD",
        ..request
    };
    assert_eq!(
        signer.sign(&request, &credential, D_KEY_TIME),
        sign_cos(&request, &credential, D_KEY_TIME)
    );
    assert_eq!(
        signer.sign(&other, &credential, D_KEY_TIME),
        sign_cos(&other, &credential, D_KEY_TIME)
    );
    assert_eq!(signer.key_derivations(), 1);
    assert_eq!(
        signer.sign(&request, &credential, D_KEY_TIME).sign_key(),
        D_SIGN_KEY
    );

    let later = KeyTime::starting_at(D_KEY_TIME.start + 60, 3_600);
    assert_eq!(
        signer.sign(&request, &credential, later),
        sign_cos(&request, &credential, later)
    );
    assert_eq!(signer.key_derivations(), 2);
    assert_eq!(signer.cached_keys(), 2);
}

#[test]
fn path_without_leading_slash_or_empty_is_normalised() {
    let credential = doc_credential();
    let sign = |path| {
        let request = CosRequest {
            method: "GET",
            path,
            query: &[],
            headers: &[],
        };
        sign_cos(&request, &credential, D_KEY_TIME)
            .http_string()
            .to_owned()
    };
    assert_eq!(sign(""), "get\n/\n\n\n");
    assert_eq!(sign("a.jpg"), sign("/a.jpg"));
}
