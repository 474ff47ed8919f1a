//! COS objects and CI OCR: signatures (header and pre-signed, published vectors),
//! the object store, ImageOCR jobs and templates, synchronous `?ci-process=OCR`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::Duration;

use common::*;
use ocr_emulator::samples::{pdf_with_text, png_with_text};
use ocr_emulator::{ClockMode, EmulatorConfig};
use tc_signing::{Credential, KeyTime};

const V_ID: &str = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q";
const V_KEY: &str = "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz";

#[tokio::test]
async fn put_head_get_delete() {
    let emu = start(manual_config()).await;
    let put = CosCall::cos(&emu, "PUT", "dir/numbers.txt")
        .header("content-type", "text/plain")
        .header("content-md5", "JfnnlDI7RTiF9RgfG2JNCw==")
        .header("x-cos-meta-origin", "test")
        .body("123456789")
        .send(&emu)
        .await;
    assert_eq!(put.status(), 200);
    assert_eq!(
        put.headers()["etag"],
        "\"25f9e794323b453885f5181f1b624d0b\""
    );
    // CRC-64/ECMA-182 check value of "123456789".
    assert_eq!(
        put.headers()["x-cos-hash-crc64ecma"],
        "11051210869376104954"
    );
    assert!(put.headers().contains_key("x-cos-request-id"));

    let head = CosCall::cos(&emu, "HEAD", "dir/numbers.txt")
        .send(&emu)
        .await;
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-length"], "9");
    assert_eq!(head.headers()["content-type"], "text/plain");
    assert_eq!(head.headers()["x-cos-meta-origin"], "test");

    let get = CosCall::cos(&emu, "GET", "dir/numbers.txt")
        .send(&emu)
        .await;
    assert_eq!(get.status(), 200);
    assert_eq!(get.text().await.unwrap(), "123456789");
    let range = CosCall::cos(&emu, "GET", "dir/numbers.txt")
        .header("range", "bytes=2-4")
        .send(&emu)
        .await;
    assert_eq!(range.status(), 206);
    assert_eq!(range.headers()["content-range"], "bytes 2-4/9");
    assert_eq!(range.text().await.unwrap(), "345");

    let delete = CosCall::cos(&emu, "DELETE", "dir/numbers.txt")
        .send(&emu)
        .await;
    assert_eq!(delete.status(), 204);
    let missing = CosCall::cos(&emu, "GET", "dir/numbers.txt")
        .send(&emu)
        .await;
    let request_id = missing.headers()["x-cos-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let (status, code, body) = cos_error(missing).await;
    assert_eq!((status, code.as_str()), (404, "NoSuchKey"));
    assert_eq!(xml_value(&body, "RequestId").unwrap(), request_id);
    assert!(xml_value(&body, "Resource")
        .unwrap()
        .ends_with("/dir/numbers.txt"));
    assert!(body.starts_with("<?xml"));
    let head = CosCall::cos(&emu, "HEAD", "dir/numbers.txt")
        .send(&emu)
        .await;
    assert_eq!(head.status(), 404);
    assert!(head.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn put_integrity_and_size() {
    let mut config = manual_config();
    config.max_object_size = 1024;
    let emu = start(config).await;
    let r = CosCall::cos(&emu, "PUT", "a")
        .header("content-md5", "AAAAAAAAAAAAAAAAAAAAAA==")
        .body("x")
        .send(&emu)
        .await;
    assert_eq!(cos_error(r).await.1, "BadDigest");
    let r = CosCall::cos(&emu, "PUT", "a")
        .header("content-md5", "nope")
        .body("x")
        .send(&emu)
        .await;
    assert_eq!(cos_error(r).await.1, "InvalidDigest");
    let r = CosCall::cos(&emu, "PUT", "a")
        .body(vec![0u8; 2048])
        .send(&emu)
        .await;
    let (status, code, _) = cos_error(r).await;
    assert_eq!((status, code.as_str()), (400, "EntityTooLarge"));
    let r = CosCall::new(&emu, "GET", "/cos/otherbucket-1250000000/a")
        .send(&emu)
        .await;
    let (status, code, _) = cos_error(r).await;
    assert_eq!((status, code.as_str()), (404, "NoSuchBucket"));
}

#[tokio::test]
async fn signature_failures_answer_403_with_their_codes() {
    let emu = start(manual_config()).await;
    emu.put_object(ocr_emulator::DEFAULT_BUCKET, "a.txt", b"hi".to_vec());
    let ok = CosCall::cos(&emu, "GET", "a.txt");
    assert_eq!(ok.send(&emu).await.status(), 200);

    // Tampered signature.
    let good = ok.signature(&emu).authorization();
    let last = if good.ends_with('0') { "1" } else { "0" };
    let auth = format!("{}{last}", &good[..good.len() - 1]);
    let r = ok
        .request_with_authorization(&emu, Some(&auth))
        .send()
        .await
        .unwrap();
    assert_eq!(cos_error(r).await.1, "SignatureDoesNotMatch");
    // Signed for another key than the one requested.
    let mut other = CosCall::cos(&emu, "GET", "b.txt");
    other.path = ok.path.clone();
    let wrong_path_auth = CosCall::cos(&emu, "GET", "b.txt")
        .signature(&emu)
        .authorization();
    let r = other
        .request_with_authorization(&emu, Some(&wrong_path_auth))
        .send()
        .await
        .unwrap();
    let (status, code, _) = cos_error(r).await;
    assert_eq!((status, code.as_str()), (403, "SignatureDoesNotMatch"));

    // Unknown key.
    let mut unknown = CosCall::cos(&emu, "GET", "a.txt");
    unknown.credential = Credential::new("AKIDnobody", "x");
    let (status, code, _) = cos_error(unknown.send(&emu).await).await;
    assert_eq!((status, code.as_str()), (403, "InvalidAccessKeyId"));

    // Expired window.
    let mut expired = CosCall::cos(&emu, "GET", "a.txt");
    expired.key_time = KeyTime::new(T0 - 7200, T0 - 3600);
    let (status, code, body) = cos_error(expired.send(&emu).await).await;
    assert_eq!((status, code.as_str()), (403, "AccessDenied"));
    assert_eq!(xml_value(&body, "Message").unwrap(), "Request has expired");

    // Clock skew: a Date header 20 minutes off, and a window starting in the future.
    let skewed = CosCall::cos(&emu, "GET", "a.txt").header("date", "Tue, 14 Nov 2023 21:53:20 GMT");
    let response = skewed.send(&emu).await;
    assert_eq!(response.headers()["date"], "Tue, 14 Nov 2023 22:13:20 GMT");
    let (status, code, _) = cos_error(response).await;
    assert_eq!((status, code.as_str()), (403, "RequestTimeTooSkewed"));
    let mut future = CosCall::cos(&emu, "GET", "a.txt");
    future.key_time = KeyTime::starting_at(T0 + 3600, 3600);
    assert_eq!(
        cos_error(future.send(&emu).await).await.1,
        "RequestTimeTooSkewed"
    );

    // Anonymous.
    let (status, code, _) = cos_error(
        ok.request_with_authorization(&emu, None)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, code.as_str()), (403, "AccessDenied"));

    // Temporary key: the token is required and checked.
    let mut temp = CosCall::cos(&emu, "GET", "a.txt");
    temp.credential = ocr_emulator::temporary_test_credential();
    assert_eq!(cos_error(temp.send(&emu).await).await.1, "AccessDenied");
    temp.token_header = Some("x-cos-security-token");
    assert_eq!(temp.send(&emu).await.status(), 200);
    // On a CI path x-ci-security-token works too; on COS it does not.
    temp.token_header = Some("x-ci-security-token");
    assert_eq!(temp.send(&emu).await.status(), 403);
    let mut ci = CosCall::ci(&emu, "GET", "jobs").query("tag", "ImageOCR");
    ci.credential = ocr_emulator::temporary_test_credential();
    ci.token_header = Some("x-ci-security-token");
    let r = ci.send(&emu).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("x-ci-request-id"));
}

#[tokio::test]
async fn presigned_urls_in_both_forms() {
    let emu = start(manual_config()).await;
    emu.put_object(
        ocr_emulator::DEFAULT_BUCKET,
        "doc/a b.txt",
        b"presigned".to_vec(),
    );
    let call =
        CosCall::cos(&emu, "GET", "doc/a b.txt").query("response-content-type", "text/plain");
    let url = call.presigned_url(&emu);
    let r = client().get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/plain");
    assert_eq!(r.text().await.unwrap(), "presigned");

    // The merged `sign=` form.
    let sig = call.signature(&emu);
    let base = url.split("&q-sign-algorithm").next().unwrap();
    let merged = format!("{base}&{}", sig.presigned_query_merged(None));
    assert_eq!(client().get(&merged).send().await.unwrap().status(), 200);

    // Temporary key: token in the query.
    let mut temp = CosCall::cos(&emu, "GET", "doc/a b.txt");
    temp.credential = ocr_emulator::temporary_test_credential();
    assert_eq!(
        client()
            .get(temp.presigned_url(&emu))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // A signed parameter changed in the URL.
    let changed = url.replace(
        "response-content-type=text%2Fplain",
        "response-content-type=text%2Fhtml",
    );
    assert_eq!(
        cos_error(client().get(&changed).send().await.unwrap())
            .await
            .1,
        "SignatureDoesNotMatch"
    );
    emu.clock().advance(Duration::from_secs(3600));
    let (status, code, _) = cos_error(client().get(&url).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (403, "AccessDenied"));
    // The recorded query hides the signature.
    let recorded = emu.recorded_requests();
    let last = recorded.last().unwrap();
    assert!(
        last.query.contains("q-signature=<redacted>"),
        "{}",
        last.query
    );
}

#[tokio::test]
async fn cos_doc_vectors_v1_put_and_v2_get_are_accepted() {
    let emu = start(
        EmulatorConfig::default()
            .with_clock(ClockMode::Manual {
                start_unix: 1_557_989_800,
            })
            .with_credential(Credential::new(V_ID, V_KEY)),
    )
    .await;
    let host = "examplebucket-1250000000.cos.ap-beijing.myqcloud.com";
    let path = "/exampleobject(%E8%85%BE%E8%AE%AF%E4%BA%91)";
    // V1: PUT, seven signed headers.
    let put = client()
        .put(format!("{}{}", emu.base_url().as_str().trim_end_matches('/'), path))
        .header("Host", host)
        .header("Date", "Thu, 16 May 2019 06:45:51 GMT")
        .header("Content-Type", "text/plain")
        .header("Content-MD5", "mQ/fVh815F3k6TAUm8m0eg==")
        .header("x-cos-acl", "private")
        .header("x-cos-grant-read", "uin=\"100000000011\"")
        .header(
            "Authorization",
            "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1557989151;1557996351&q-key-time=1557989151;1557996351&q-header-list=content-length;content-md5;content-type;date;host;x-cos-acl;x-cos-grant-read&q-url-param-list=&q-signature=3b8851a11a569213c17ba8fa7dcf2abec6935172",
        )
        .body("ObjectContent")
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200, "{}", put.text().await.unwrap());
    // V2: GET with response-* parameters, signed date and host.
    let get = client()
        .get(format!(
            "{}{}?response-content-type=application%2Foctet-stream&response-cache-control=max-age%3D600",
            emu.base_url().as_str().trim_end_matches('/'),
            path
        ))
        .header("Host", host)
        .header("Date", "Thu, 16 May 2019 06:55:53 GMT")
        .header(
            "Authorization",
            "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1557989753;1557996953&q-key-time=1557989753;1557996953&q-header-list=date;host&q-url-param-list=response-cache-control;response-content-type&q-signature=01681b8c9d798a678e43b685a9f1bba0f6c0e012",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 200);
    assert_eq!(get.headers()["content-type"], "application/octet-stream");
    assert_eq!(get.headers()["cache-control"], "max-age=600");
    assert_eq!(get.text().await.unwrap(), "ObjectContent");
    assert_eq!(
        emu.object("examplebucket-1250000000", "exampleobject(腾讯云)")
            .unwrap(),
        b"ObjectContent"
    );
}

#[tokio::test]
async fn ci_doc_vectors_d2_and_d3_pass_authentication() {
    let emu = start(
        EmulatorConfig::default()
            .with_clock(ClockMode::Manual {
                start_unix: 1_622_702_600,
            })
            .with_credential(Credential::new(V_ID, V_KEY)),
    )
    .await;
    let host = "examplebucket-1250000000.ci.ap-beijing.myqcloud.com";
    let root = emu.base_url().as_str().trim_end_matches('/').to_owned();
    let d2 = client()
        .get(format!("{root}/jobs?tag=ImageOCR&orderByTime=Desc&size=10&states=All"))
        .header("Host", host)
        .header("Authorization", "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1622702557;1622706157&q-key-time=1622702557;1622706157&q-header-list=host&q-url-param-list=orderbytime;size;states;tag&q-signature=4831bded8594d6d58262d04f0e617615c2d32202")
        .send()
        .await
        .unwrap();
    assert_eq!(d2.status(), 200);
    assert_eq!(
        d2.text().await.unwrap(),
        "<Response><NextToken/></Response>"
    );
    let d3 = client()
        .put(format!("{root}/jobs/a3c193f288b2c11eeb60f39de2f86f409?cancel"))
        .header("Host", host)
        .header("Authorization", "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1622702557;1622706157&q-key-time=1622702557;1622706157&q-header-list=host&q-url-param-list=cancel&q-signature=e71e9604496cf7f82b341bb14193ba4bc33c9711")
        .send()
        .await
        .unwrap();
    // Authenticated; the job is not there.
    let (status, code, _) = cos_error(d3).await;
    assert_eq!((status, code.as_str()), (404, "NoSuchJob"));
}

fn inline_job(object: &str, image_ocr: &str) -> String {
    format!(
        "<Request><Tag>ImageOCR</Tag><Input><Object>{object}</Object></Input><Operation><ImageOCR>{image_ocr}</ImageOCR><UserData>This is my data.</UserData><JobLevel>0</JobLevel></Operation><CallBack>http://callback.demo.com</CallBack><CallBackFormat>JSON</CallBackFormat></Request>"
    )
}

#[tokio::test]
async fn image_ocr_job_lifecycle() {
    let emu = start(manual_config()).await;
    let png = png_with_text(800, 600, "锄禾日当午\nSecond line");
    let r = CosCall::cos(&emu, "PUT", "input/test.png")
        .body(png)
        .send(&emu)
        .await;
    assert_eq!(r.status(), 200);
    let body = inline_job(
        "input/test.png",
        "<Type>general</Type><LanguageType>zh</LanguageType><IsWord>true</IsWord>",
    );
    let r = CosCall::ci(&emu, "POST", "jobs")
        .header("content-type", "application/xml")
        .body(body)
        .send(&emu)
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/xml");
    let xml = r.text().await.unwrap();
    assert_eq!(xml_value(&xml, "State").unwrap(), "Submitted");
    assert_eq!(xml_value(&xml, "Code").unwrap(), "Success");
    assert_eq!(xml_value(&xml, "StartTime").unwrap(), "-");
    assert_eq!(xml_value(&xml, "EndTime").unwrap(), "-");
    assert_eq!(
        xml_value(&xml, "CreationTime").unwrap(),
        "2023-11-15T06:13:20+0800"
    );
    assert_eq!(
        xml_value(&xml, "BucketId").unwrap(),
        ocr_emulator::DEFAULT_BUCKET
    );
    assert_eq!(xml_value(&xml, "Region").unwrap(), "ap-guangzhou");
    assert_eq!(xml_value(&xml, "UserData").unwrap(), "This is my data.");
    assert_eq!(xml_value(&xml, "Type").unwrap(), "general");
    assert!(xml.contains("<Message/>"));
    let job = xml_value(&xml, "JobId").unwrap();
    assert!(job.starts_with('a') && job.len() == 33);

    let describe = || async {
        CosCall::ci(&emu, "GET", &format!("jobs/{job}"))
            .send(&emu)
            .await
            .text()
            .await
            .unwrap()
    };
    emu.clock().advance(Duration::from_secs(12));
    let xml = describe().await;
    assert_eq!(xml_value(&xml, "State").unwrap(), "Running");
    assert_ne!(xml_value(&xml, "StartTime").unwrap(), "-");
    emu.clock().advance(Duration::from_secs(20));
    let xml = describe().await;
    assert_eq!(xml_value(&xml, "State").unwrap(), "Success");
    let detection = xml_value(&xml, "Detection").unwrap();
    assert_eq!(xml_count(&detection, "TextDetections"), 2);
    assert_eq!(xml_value(&detection, "DetectedText").unwrap(), "锄禾日当午");
    assert_eq!(
        xml_count(&xml_value(&detection, "TextDetections").unwrap(), "Polygon"),
        4
    );
    assert!(xml_value(&detection, "ItemPolygon")
        .unwrap()
        .contains("<Width>"));
    assert_eq!(xml_value(&detection, "Character").unwrap(), "锄");
    assert_eq!(xml_count(&detection, "WordCoordinate"), 4 * (5 + 10));
    assert!(detection.contains("<WordPolygon/>"));
    assert_eq!(xml_value(&detection, "Angel").unwrap(), "0");
    assert_eq!(xml_value(&detection, "Language").unwrap(), "zh");
    assert_eq!(xml_value(&detection, "PdfPageSize").unwrap(), "0");

    // Describe several, one unknown.
    let xml = CosCall::ci(&emu, "GET", &format!("jobs/{job},anothermissingjob"))
        .send(&emu)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(xml_count(&xml, "JobsDetail"), 1);
    assert_eq!(
        xml_value(&xml, "NonExistJobIds").unwrap(),
        "anothermissingjob"
    );
    assert_eq!(emu.submissions(ocr_emulator::Service::Ci), 1);
}

#[tokio::test]
async fn templates_jobs_list_and_cancel() {
    let emu = start(manual_config()).await;
    emu.put_object(
        ocr_emulator::DEFAULT_BUCKET,
        "in/a.png",
        png_with_text(800, 600, "A"),
    );
    emu.put_object(
        ocr_emulator::DEFAULT_BUCKET,
        "in/doc.pdf",
        pdf_with_text(&[&["one"], &["two"]]),
    );
    let template_body = "<Request><Tag>ImageOCR</Tag><Name>ImageOCR-34</Name><ImageOCR><Type>general</Type><LanguageType>zh</LanguageType><IsPdf>true</IsPdf><PdfPageNumber>2</PdfPageNumber></ImageOCR></Request>";
    let xml = CosCall::ci(&emu, "POST", "template")
        .body(template_body)
        .send(&emu)
        .await
        .text()
        .await
        .unwrap();
    let template = xml_value(&xml, "TemplateId").unwrap();
    assert!(template.starts_with("t1"));
    assert_eq!(xml_value(&xml, "Name").unwrap(), "ImageOCR-34");
    assert_eq!(xml_value(&xml, "Category").unwrap(), "Custom");
    assert!(xml_value(&xml, "RequestId").is_some());

    let job_body = format!("<Request><Tag>ImageOCR</Tag><Input><Object>in/doc.pdf</Object></Input><Operation><TemplateId>{template}</TemplateId></Operation></Request>");
    let xml = CosCall::ci(&emu, "POST", "jobs")
        .body(job_body.clone())
        .send(&emu)
        .await
        .text()
        .await
        .unwrap();
    let pdf_job = xml_value(&xml, "JobId").unwrap();
    assert_eq!(xml_value(&xml, "TemplateName").unwrap(), "ImageOCR-34");
    assert!(!xml.contains("<ImageOCR>"));
    let xml = CosCall::ci(&emu, "POST", "jobs")
        .body(inline_job("in/a.png", "<Type>accurate</Type>"))
        .send(&emu)
        .await
        .text()
        .await
        .unwrap();
    let png_job = xml_value(&xml, "JobId").unwrap();

    // Cancel the PNG job while it waits; the PDF job runs to the end.
    let r = CosCall::ci(&emu, "PUT", &format!("jobs/{png_job}"))
        .query("cancel", "")
        .send(&emu)
        .await;
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.unwrap().is_empty());
    emu.clock().advance(Duration::from_secs(31));
    let r = CosCall::ci(&emu, "PUT", &format!("jobs/{pdf_job}"))
        .query("cancel", "")
        .send(&emu)
        .await;
    assert_eq!(cos_error(r).await.1, "InvalidArgument");
    let xml = CosCall::ci(&emu, "GET", &format!("jobs/{pdf_job}"))
        .send(&emu)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(xml_value(&xml, "State").unwrap(), "Success");
    assert_eq!(xml_value(&xml, "DetectedText").unwrap(), "two");
    assert_eq!(xml_value(&xml, "PdfPageSize").unwrap(), "2");

    let list = |query: Vec<(&'static str, &'static str)>| {
        let mut call = CosCall::ci(&emu, "GET", "jobs").query("tag", "ImageOCR");
        for (k, v) in query {
            call = call.query(k, v);
        }
        call
    };
    let xml = list(vec![]).send(&emu).await.text().await.unwrap();
    assert_eq!(xml_count(&xml, "JobsDetail"), 2);
    // Newest first by default.
    assert_eq!(xml_value(&xml, "JobId").unwrap(), png_job);
    let xml = list(vec![("states", "Cancel")])
        .send(&emu)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(xml_count(&xml, "JobsDetail"), 1);
    assert_eq!(xml_value(&xml, "State").unwrap(), "Cancel");
    let xml = list(vec![("size", "1"), ("orderByTime", "Asc")])
        .send(&emu)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(xml_value(&xml, "JobId").unwrap(), pdf_job);
    assert_eq!(xml_value(&xml, "NextToken").unwrap(), "1");
    let xml = list(vec![("inputObject", "in/a.png")])
        .send(&emu)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(xml_count(&xml, "JobsDetail"), 1);
    let xml = list(vec![("endCreationTime", "2000-01-01T00:00:00+0800")])
        .send(&emu)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(xml_count(&xml, "JobsDetail"), 0);
    for bad in [
        ("size", "101"),
        ("states", "Done"),
        ("orderByTime", "Up"),
        ("startCreationTime", "yesterday"),
    ] {
        let r = list(vec![bad]).send(&emu).await;
        assert_eq!(cos_error(r).await.1, "InvalidArgument", "{bad:?}");
    }

    // Describe, update and delete templates.
    let xml = CosCall::ci(&emu, "GET", "template")
        .query("name", "ImageOCR")
        .send(&emu)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(xml_value(&xml, "TotalCount").unwrap(), "1");
    assert_eq!(xml_count(&xml, "TemplateList"), 1);
    let updated = template_body.replace("ImageOCR-34", "Renamed");
    let xml = CosCall::ci(&emu, "PUT", &format!("template/{template}"))
        .body(updated)
        .send(&emu)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(xml_value(&xml, "Name").unwrap(), "Renamed");
    let xml = CosCall::ci(&emu, "DELETE", &format!("template/{template}"))
        .send(&emu)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(xml_value(&xml, "TemplateId").unwrap(), template);
    let r = CosCall::ci(&emu, "POST", "jobs")
        .body(job_body)
        .send(&emu)
        .await;
    assert_eq!(cos_error(r).await.1, "InvalidArgument");
}

#[tokio::test]
async fn job_and_template_rules() {
    let emu = start(manual_config()).await;
    emu.put_object(
        ocr_emulator::DEFAULT_BUCKET,
        "in/a.png",
        png_with_text(800, 600, "A"),
    );
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "MalformedXML"),
        ("<Request><Tag>ImageOCR".to_owned(), "MalformedXML"),
        (inline_job("in/a.png", "").replace("ImageOCR</Tag>", "Nope</Tag>"), "InvalidArgument"),
        (inline_job("in/a.png", "<Type>accurate</Type><IsPdf>true</IsPdf>"), "InvalidArgument"),
        (inline_job("in/a.png", "<IsPdf>true</IsPdf><PdfPageNumber>0</PdfPageNumber>"), "InvalidArgument"),
        (inline_job("in/a.png", "<LanguageType>elvish</LanguageType>"), "InvalidArgument"),
        (inline_job("in/a.png", "<Type>fast</Type><IsWord>true</IsWord>"), "InvalidArgument"),
        (inline_job("in/a.png", "<Type>magic</Type>"), "InvalidArgument"),
        (inline_job("in/missing.png", "<Type>general</Type>"), "NoSuchKey"),
        ("<Request><Tag>ImageOCR</Tag><Input><Object>in/a.png</Object></Input><Operation/></Request>".to_owned(), "InvalidArgument"),
        (inline_job("in/a.png", "").replace("<JobLevel>0", "<JobLevel>5"), "InvalidArgument"),
    ];
    for (body, code) in cases {
        let r = CosCall::ci(&emu, "POST", "jobs")
            .body(body.clone())
            .send(&emu)
            .await;
        let request_id = r.headers().get("x-ci-request-id").cloned();
        let (_, got, xml) = cos_error(r).await;
        assert_eq!(got, code, "{body}");
        assert!(request_id.is_some());
        assert!(!xml.contains("<Resource>"), "CI errors carry no Resource");
    }
    let bad_name = "<Request><Tag>ImageOCR</Tag><Name>bad name!</Name><ImageOCR><Type>general</Type></ImageOCR></Request>";
    let r = CosCall::ci(&emu, "POST", "template")
        .body(bad_name)
        .send(&emu)
        .await;
    assert_eq!(cos_error(r).await.1, "InvalidArgument");
    let no_params = "<Request><Tag>ImageOCR</Tag><Name>ok</Name></Request>";
    let r = CosCall::ci(&emu, "POST", "template")
        .body(no_params)
        .send(&emu)
        .await;
    assert_eq!(cos_error(r).await.1, "InvalidArgument");
    assert_eq!(emu.submissions(ocr_emulator::Service::Ci), 0);
}

#[tokio::test]
async fn synchronous_ci_process_ocr() {
    let emu = start(manual_config()).await;
    emu.put_object(
        ocr_emulator::DEFAULT_BUCKET,
        "pic/ocr.png",
        png_with_text(800, 600, "Hello OCR"),
    );
    let r = CosCall::cos(&emu, "GET", "pic/ocr.png")
        .query("ci-process", "OCR")
        .query("type", "general")
        .query("language-type", "zh")
        .query("isword", "true")
        .send(&emu)
        .await;
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("x-cos-request-id"));
    let xml = r.text().await.unwrap();
    assert!(xml.contains("<Response><TextDetections>"));
    assert_eq!(xml_value(&xml, "DetectedText").unwrap(), "Hello OCR");
    assert_eq!(xml_count(&xml, "Words"), 8);
    assert!(xml_value(&xml, "RequestId").is_some());
    let conf: i64 = xml_value(&xml, "Confidence").unwrap().parse().unwrap();
    assert!((0..=100).contains(&conf));

    // detect-url instead of the key: nothing fetched, text derived from the URL.
    let r = CosCall::cos(&emu, "GET", "")
        .query("ci-process", "OCR")
        .query("detect-url", "http://www.example.com/abc.jpg")
        .send(&emu)
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        xml_value(&r.text().await.unwrap(), "DetectedText").unwrap(),
        "abc.jpg"
    );

    emu.put_object(
        ocr_emulator::DEFAULT_BUCKET,
        "pic/doc.pdf",
        pdf_with_text(&[&["x"]]),
    );
    let r = CosCall::cos(&emu, "GET", "pic/doc.pdf")
        .query("ci-process", "OCR")
        .send(&emu)
        .await;
    let (status, code, _) = cos_error(r).await;
    assert_eq!((status, code.as_str()), (400, "InvalidImageFormat"));
    let r = CosCall::cos(&emu, "GET", "pic/doc.pdf")
        .query("ci-process", "OCR")
        .query("ispdf", "true")
        .send(&emu)
        .await;
    assert_eq!(r.status(), 200);
    let r = CosCall::cos(&emu, "GET", "pic/ocr.png")
        .query("ci-process", "OCR")
        .query("type", "handwriting")
        .query("isword", "true")
        .send(&emu)
        .await;
    assert_eq!(cos_error(r).await.1, "InvalidArgument");
    assert_eq!(emu.submission_counts()["CiProcessOCR"], 3);
}

#[tokio::test]
async fn virtual_host_addressing() {
    let emu = start(manual_config()).await;
    let host = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";
    let signed = tc_signing::sign_cos(
        &tc_signing::CosRequest {
            method: "PUT",
            path: "/vh.txt",
            query: &[],
            headers: &[("host", host)],
        },
        &ocr_emulator::test_credential(),
        KeyTime::starting_at(T0, 600),
    );
    let r = client()
        .put(format!("{}vh.txt", emu.base_url()))
        .header("Host", host)
        .header("Authorization", signed.authorization())
        .body("virtual")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        emu.object(ocr_emulator::DEFAULT_BUCKET, "vh.txt").unwrap(),
        b"virtual"
    );
    let recorded = emu.recorded_requests();
    assert_eq!(recorded.last().unwrap().service, ocr_emulator::Service::Cos);
    assert_eq!(
        recorded.last().unwrap().action.as_deref(),
        Some("PutObject")
    );
}
