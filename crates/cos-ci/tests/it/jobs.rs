//! ImageOCR jobs against wiremock: submit (both seed forms), describe, list, cancel, and the
//! validation rules that refuse a request before it is sent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use cos_ci::prelude::*;
use std::time::Duration;

use common::*;
use cos_ci::{
    CallbackFormat, CallbackMqConfig, CiTime, CosCiOp, ImageOcr, JobOperation, JobState,
    LanguageType, ListJobs, MqMode, OcrType, SubmitJob, TimeOrder,
};
use ocr_core::{ErrorKind, Timeouts};
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const JOB_ID: &str = "a3c193f288b2c11eeb60f39de2f86f409";

fn xml_response(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("content-type", "application/xml")
        .insert_header("x-ci-request-id", "NTk0MjdmODlfMjQ4OGY3XzYzYzhf")
        .set_body_string(body)
}

/// The seed's example 1 as a `SubmitJob`.
fn seed_template_job() -> SubmitJob {
    SubmitJob::with_template("input/test.jpg", "t1460606b9752148c4ab182f55163ba7cd")
        .with_user_data("This is my data.")
        .with_job_level(0)
        .with_callback("http://callback.demo.com")
        .with_callback_format(CallbackFormat::Json)
}

/// The seed's example 2 as a `SubmitJob`.
fn seed_inline_job() -> SubmitJob {
    let params = ImageOcr::new(OcrType::General)
        .with_language(LanguageType::Zh)
        .with_pdf_page(2)
        .with_words(true);
    SubmitJob::with_params("input/test.jpg", params)
        .with_user_data("This is my data.")
        .with_job_level(0)
        .with_callback("http://callback.demo.com")
        .with_callback_format(CallbackFormat::Json)
}

async fn assert_submit_request(server: &MockServer, expected_body: &str) {
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    let r = &received[0];
    assert_eq!(r.method.as_str(), "POST");
    assert_eq!(r.url.path(), format!("{CI_PREFIX}/jobs"));
    assert_eq!(r.url.query(), None);
    assert_eq!(std::str::from_utf8(&r.body).unwrap(), expected_body);
    let len = expected_body.len().to_string();
    let md5 = {
        use base64::Engine as _;
        use md5::Digest as _;
        base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(expected_body))
    };
    assert_signed(
        r,
        &format!("{CI_PREFIX}/jobs"),
        &[],
        &[
            ("content-length", &len),
            ("content-md5", &md5),
            ("content-type", "application/xml"),
            ("host", &host(server)),
        ],
        &credential(),
    );
}

#[tokio::test]
async fn submit_with_template_id_sends_the_seed_request_and_parses_the_seed_response() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("{CI_PREFIX}/jobs")))
        .respond_with(xml_response(fixture!("seed/submit_template_response.xml")))
        .expect(1)
        .mount(&server)
        .await;
    let job = client(&server)
        .submit_job(&seed_template_job())
        .await
        .unwrap();

    assert_submit_request(
        &server,
        &compact(fixture!("seed/submit_template_request.xml")),
    )
    .await;

    assert_eq!(job.code, "Success");
    assert_eq!(
        job.creation_time.as_ref().unwrap().as_str(),
        "2023-11-25T08:47:39+0800"
    );
    assert_eq!(
        job.creation_time.as_ref().unwrap().unix_secs(),
        Some(1_700_873_259)
    );
    assert_eq!(job.end_time, None, "`-` means unset");
    assert_eq!(job.start_time, None);
    let input = job.input.as_ref().unwrap();
    assert_eq!(input.bucket_id.as_deref(), Some("test-1234567890"));
    assert_eq!(input.object.as_deref(), Some("pic/ocr1.png"));
    assert_eq!(input.region.as_deref(), Some("ap-chongqing"));
    assert!(input.cos_headers.is_empty());
    assert_eq!(job.job_id, JOB_ID);
    assert_eq!(job.message, "");
    let op = job.operation.as_ref().unwrap();
    assert_eq!(op.job_level, Some(0));
    assert_eq!(
        op.template_id.as_deref(),
        Some("t1a545cd125ea04ec7a3cd455065d601cc")
    );
    assert_eq!(op.template_name.as_deref(), Some("ImageOCR-34"));
    assert_eq!(op.user_data.as_deref(), Some("This is my data."));
    assert_eq!(op.image_ocr, None);
    assert_eq!(op.detection, None);
    assert_eq!(
        job.queue_id.as_deref(),
        Some("pcaffdc4229a543b296b10b22586a1e57")
    );
    assert_eq!(job.state, JobState::Submitted);
    assert_eq!(job.tag, "ImageOCR");
    assert_eq!(job.progress, None);
    assert_eq!(job.workflow, None);
}

#[tokio::test]
async fn submit_with_inline_parameters_sends_the_seed_request_and_parses_the_seed_response() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(xml_response(fixture!("seed/submit_inline_response.xml")))
        .expect(1)
        .mount(&server)
        .await;
    let job = client(&server)
        .submit_job(&seed_inline_job())
        .await
        .unwrap();

    assert_submit_request(
        &server,
        &compact(fixture!("seed/submit_inline_request.xml")),
    )
    .await;

    assert_eq!(job.job_id, JOB_ID);
    assert_eq!(job.state, JobState::Submitted);
    let op = job.operation.as_ref().unwrap();
    assert_eq!(op.template_id, None);
    assert_eq!(op.template_name, None);
    assert_eq!(op.user_data.as_deref(), Some("This is my data."));
    assert_eq!(op.job_level, Some(0));
    let params = op.image_ocr.as_ref().unwrap();
    assert_eq!(params.ocr_type, Some(OcrType::General));
    assert_eq!(params.language_type, Some(LanguageType::Zh));
    assert_eq!(params.is_pdf, Some(true));
    assert_eq!(params.pdf_page_number, Some(2));
    assert_eq!(params.is_word, Some(true));
    assert_eq!(params.enable_word_polygon, None);
}

#[tokio::test]
async fn the_seed_response_sample_parses() {
    // The response section's sample (no UserData), through the describe call.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(xml_response(fixture!("seed/response_body_sample.xml")))
        .mount(&server)
        .await;
    let job = client(&server).describe_job(JOB_ID).await.unwrap();
    let op = job.operation.unwrap();
    assert_eq!(op.user_data, None);
    assert_eq!(
        op.template_id.as_deref(),
        Some("t1a545cd125ea04ec7a3cd455065d601cc")
    );
    assert_eq!(op.template_name.as_deref(), Some("ImageOCR-34"));
    assert_eq!(job.state, JobState::Submitted);
    assert_eq!(job.end_time, None);
}

#[tokio::test]
async fn temporary_credentials_send_and_sign_the_token_header() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(xml_response(fixture!("seed/submit_template_response.xml")))
        .expect(1)
        .mount(&server)
        .await;
    let cred = credential().with_session_token(TOKEN);
    let c = builder(&server).credential(cred.clone()).build().unwrap();
    c.submit_job(&seed_template_job()).await.unwrap();
    let r = &server.received_requests().await.unwrap()[0];
    let body = std::str::from_utf8(&r.body).unwrap().to_owned();
    let md5 = header(r, "content-md5").unwrap().to_owned();
    // A loopback base URL is not a CI host name, so the token goes in the header every host
    // accepts (TokenHeader::for_host).
    assert_signed(
        r,
        &format!("{CI_PREFIX}/jobs"),
        &[],
        &[
            ("content-length", &body.len().to_string()),
            ("content-md5", &md5),
            ("content-type", "application/xml"),
            ("host", &host(&server)),
            ("x-cos-security-token", TOKEN),
        ],
        &cred,
    );
}

#[tokio::test]
async fn a_submit_that_times_out_is_not_resent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            xml_response(fixture!("seed/submit_template_response.xml"))
                .set_delay(Duration::from_secs(2)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let c = builder(&server)
        .timeouts(Timeouts {
            connect: Duration::from_secs(1),
            attempt: Duration::from_millis(200),
            total: Duration::from_secs(5),
        })
        .build()
        .unwrap();
    let err = c.submit_job(&seed_template_job()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown);
    assert_eq!(err.operation(), Some("SubmitJob"));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn describe_parses_the_detection_field_by_field() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{CI_PREFIX}/jobs/{JOB_ID}")))
        .respond_with(xml_response(fixture!("responses/describe_success.xml")))
        .expect(1)
        .mount(&server)
        .await;
    let out = client(&server).describe_jobs(&[JOB_ID]).await.unwrap();
    let r = &server.received_requests().await.unwrap()[0];
    assert_eq!(r.url.query(), None);
    assert!(r.body.is_empty());
    assert_eq!(header(r, "content-type"), None);
    assert_signed(
        r,
        &format!("{CI_PREFIX}/jobs/{JOB_ID}"),
        &[],
        &[("host", &host(&server))],
        &credential(),
    );

    assert_eq!(
        out.request_id.as_deref(),
        Some("NTk0MjdmODlfMjQ4OGY3XzYzYzhf")
    );
    assert!(out.non_exist_job_ids.is_empty());
    let job = &out.jobs_detail[0];
    assert_eq!(job.state, JobState::Success);
    assert!(job.state.is_final());
    assert_eq!(
        job.end_time.as_ref().unwrap().as_str(),
        "2023-11-25T08:47:40+0800"
    );
    assert_eq!(
        job.start_time.as_ref().unwrap().as_str(),
        "2023-11-25T08:47:39+0800"
    );
    let d = job.detection().unwrap();
    assert_eq!(d.angel, Some(0.0));
    assert_eq!(d.language, None, "<Language/> is empty");
    assert_eq!(d.pdf_page_size, Some(0));
    assert_eq!(d.text_detections.len(), 3);
    let first = &d.text_detections[0];
    assert_eq!(first.detected_text, "锄禾日当午");
    assert_eq!(first.confidence, Some(98));
    let item = first.item_polygon.unwrap();
    assert_eq!(
        (item.x, item.y, item.width, item.height),
        (Some(40), Some(24), Some(176), Some(35))
    );
    let points: Vec<_> = first.polygon.iter().map(|c| c.xy().unwrap()).collect();
    assert_eq!(points, vec![(40, 24), (215, 24), (215, 58), (40, 58)]);
    assert!(first.words.is_empty(), "placeholder Words are dropped");
    assert!(first.word_polygon.is_empty(), "<WordPolygon/> is dropped");
    assert_eq!(d.text_detections[1].detected_text, "汗滴禾下土");
    assert_eq!(d.text_detections[1].confidence, Some(91));
    assert_eq!(d.text_detections[2].detected_text, "谁知盘中餐");
    assert!(d.text_detections[2].polygon.is_empty());
}

#[tokio::test]
async fn describe_handwriting_word_polygons() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(xml_response(fixture!("responses/describe_handwriting.xml")))
        .mount(&server)
        .await;
    let job = client(&server).describe_job(JOB_ID).await.unwrap();
    let op = job.operation.as_ref().unwrap();
    assert_eq!(op.job_level, Some(2));
    assert_eq!(op.user_data.as_deref(), Some("batch-7"));
    let params = op.image_ocr.as_ref().unwrap();
    assert_eq!(params.ocr_type, Some(OcrType::Handwriting));
    assert_eq!(params.enable_word_polygon, Some(true));
    let d = job.detection().unwrap();
    assert_eq!(d.angel, Some(-1.5));
    assert_eq!(d.language.as_deref(), Some("zh"));
    let line = &d.text_detections[0];
    assert_eq!(line.word_polygon.len(), 2);
    assert_eq!(
        line.word_polygon[0].corners(),
        Some([(10, 10), (30, 10), (30, 30), (10, 30)])
    );
    assert_eq!(
        line.word_polygon[1].corners(),
        Some([(30, 10), (50, 10), (50, 30), (30, 30)])
    );
}

#[tokio::test]
async fn describe_several_ids_reports_the_unknown_ones() {
    let server = MockServer::start().await;
    let other = "a00000000000000000000000000000000";
    Mock::given(method("GET"))
        .and(path(format!("{CI_PREFIX}/jobs/{JOB_ID},{other}")))
        .respond_with(xml_response(fixture!(
            "responses/describe_partly_unknown.xml"
        )))
        .expect(1)
        .mount(&server)
        .await;
    let out = client(&server)
        .describe_jobs(&[JOB_ID, other])
        .await
        .unwrap();
    let r = &server.received_requests().await.unwrap()[0];
    assert_signed(
        r,
        &format!("{CI_PREFIX}/jobs/{JOB_ID},{other}"),
        &[],
        &[("host", &host(&server))],
        &credential(),
    );
    assert_eq!(out.jobs_detail.len(), 1);
    assert_eq!(out.jobs_detail[0].state, JobState::Pause);
    assert!(!out.jobs_detail[0].state.is_final());
    assert_eq!(out.non_exist_job_ids, vec![other.to_owned()]);
}

#[tokio::test]
async fn describing_an_unknown_job_is_result_expired() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(xml_response(fixture!("responses/describe_unknown.xml")))
        .mount(&server)
        .await;
    let err = client(&server)
        .describe_job("a00000000000000000000000000000000")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResultExpired);
    assert_eq!(err.code(), Some("NoSuchJob"));
    assert_eq!(err.request_id(), Some("NTk0MjdmODlfMjQ4OGY3XzYzYzhf"));
}

#[tokio::test]
async fn list_sends_every_filter_and_parses_the_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{CI_PREFIX}/jobs")))
        .respond_with(xml_response(fixture!("responses/list_jobs.xml")))
        .expect(1)
        .mount(&server)
        .await;
    let mut filters = ListJobs::default()
        .with_queue("pcaffdc4229a543b296b10b22586a1e57")
        .with_input_object("input/a b.jpg")
        .with_order(TimeOrder::Asc)
        .with_next_token("tok1")
        .with_size(100)
        .with_states([JobState::Success, JobState::Cancel])
        .with_creation_window(
            Some(CiTime::parse("2023-11-25T00:00:00+0800").unwrap()),
            Some(CiTime::from_unix(1_700_900_000, 480)),
        );
    filters.workflow_id = Some("w1".into());
    filters.inventory_trigger_job_id = Some("b1".into());
    let page = client(&server).list_jobs(&filters).await.unwrap();

    let r = &server.received_requests().await.unwrap()[0];
    let expected: Vec<(&str, &str)> = vec![
        ("tag", "ImageOCR"),
        ("queueId", "pcaffdc4229a543b296b10b22586a1e57"),
        ("workflowId", "w1"),
        ("inventoryTriggerJobId", "b1"),
        ("inputObject", "input/a b.jpg"),
        ("orderByTime", "Asc"),
        ("nextToken", "tok1"),
        ("size", "100"),
        ("states", "Success,Cancel"),
        ("startCreationTime", "2023-11-25T00:00:00+0800"),
        ("endCreationTime", "2023-11-25T16:13:20+0800"),
    ];
    let got = query(r);
    assert_eq!(
        got.iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect::<Vec<_>>(),
        expected
    );
    // Encoded once on the wire: space as %20, `/` and `+` and `:` escaped.
    assert!(r
        .url
        .query()
        .unwrap()
        .contains("inputObject=input%2Fa%20b.jpg"));
    assert!(r
        .url
        .query()
        .unwrap()
        .contains("startCreationTime=2023-11-25T00%3A00%3A00%2B0800"));
    assert_signed(
        r,
        &format!("{CI_PREFIX}/jobs"),
        &expected,
        &[("host", &host(&server))],
        &credential(),
    );
    let auth = header(r, "authorization").unwrap();
    assert!(auth.contains("&q-url-param-list=endcreationtime;inputobject;inventorytriggerjobid;nexttoken;orderbytime;queueid;size;startcreationtime;states;tag;workflowid&"));

    assert_eq!(page.next_token.as_deref(), Some("fa1c9b2a"));
    assert_eq!(page.jobs_detail.len(), 2);
    assert_eq!(
        page.jobs_detail[0].job_id,
        "a10000000000000000000000000000001"
    );
    assert_eq!(page.jobs_detail[0].state, JobState::Success);
    assert_eq!(page.jobs_detail[1].state, JobState::Cancel);
    assert_eq!(page.jobs_detail[1].message, "The job was cancelled.");
    assert_eq!(
        page.jobs_detail[1].operation.as_ref().unwrap().job_level,
        Some(1)
    );
}

#[tokio::test]
async fn cancel_puts_with_a_bare_cancel_parameter() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(format!("{CI_PREFIX}/jobs/{JOB_ID}")))
        .respond_with(ResponseTemplate::new(200).insert_header("x-ci-request-id", "cancel-req-1"))
        .expect(1)
        .mount(&server)
        .await;
    let out = client(&server).cancel_jobs(&[JOB_ID]).await.unwrap();
    assert_eq!(out.request_id.as_deref(), Some("cancel-req-1"));
    let r = &server.received_requests().await.unwrap()[0];
    assert_eq!(r.url.query(), Some("cancel"));
    assert!(r.body.is_empty());
    assert_signed(
        r,
        &format!("{CI_PREFIX}/jobs/{JOB_ID}"),
        &[("cancel", "")],
        &[("host", &host(&server))],
        &credential(),
    );
    assert!(header(r, "authorization")
        .unwrap()
        .contains("&q-url-param-list=cancel&"));
}

#[tokio::test]
async fn every_validation_rule_refuses_before_sending() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let c = client(&server);
    let base = || seed_template_job();
    let inline = |p: ImageOcr| SubmitJob::with_params("input/test.jpg", p);

    let bad_type = ImageOcr {
        ocr_type: Some(OcrType::Other("ocr".into())),
        ..ImageOcr::default()
    };
    let bad_lang = ImageOcr {
        language_type: Some(LanguageType::Other("ja".into())),
        ..ImageOcr::default()
    };
    let page_without_pdf = ImageOcr {
        pdf_page_number: Some(2),
        ..ImageOcr::new(OcrType::General)
    };

    let submit_cases: Vec<(SubmitJob, &str)> = vec![
        (
            SubmitJob::with_template("/input/test.jpg", "t1"),
            "Input.Object",
        ),
        (SubmitJob::with_template("", "t1"), "Input.Object"),
        (SubmitJob::with_template("a/../b.jpg", "t1"), "Input.Object"),
        (
            SubmitJob::new("input/test.jpg", JobOperation::default()),
            "Operation",
        ),
        (
            SubmitJob::with_template("input/test.jpg", "t-1/x"),
            "Operation.TemplateId",
        ),
        (inline(bad_type), "Operation.ImageOCR.Type"),
        (inline(bad_lang), "Operation.ImageOCR.LanguageType"),
        (
            inline(ImageOcr::new(OcrType::Fast).with_language(LanguageType::Zh)),
            "Operation.ImageOCR.LanguageType",
        ),
        (inline(page_without_pdf), "Operation.ImageOCR.PdfPageNumber"),
        (
            inline(ImageOcr::default().with_pdf_page(0)),
            "Operation.ImageOCR.PdfPageNumber",
        ),
        (
            inline(ImageOcr::new(OcrType::Accurate).with_pdf(true)),
            "Operation.ImageOCR.IsPdf",
        ),
        (
            inline(ImageOcr::new(OcrType::Fast).with_words(true)),
            "Operation.ImageOCR.IsWord",
        ),
        (
            inline(ImageOcr::new(OcrType::General).with_word_polygon(true)),
            "Operation.ImageOCR.EnableWordPolygon",
        ),
        (base().with_user_data("données"), "Operation.UserData"),
        (
            base().with_user_data("x".repeat(1025)),
            "Operation.UserData",
        ),
        (base().with_job_level(3), "Operation.JobLevel"),
        (base().with_queue("queue/1"), "QueueId"),
        (base().with_callback(" "), "CallBack"),
        (
            {
                let mut j = base();
                j.callback_type = Some(cos_ci::CallbackType::Tdmq);
                j
            },
            "CallBackMqConfig",
        ),
        (
            base().with_tdmq_callback(CallbackMqConfig {
                mq_region: "sg".into(),
                mq_mode: MqMode::Queue,
                mq_name: "q".into(),
            }),
            "CallBackMqConfig.MqRegion",
        ),
        (
            base().with_tdmq_callback(CallbackMqConfig {
                mq_region: "gz".into(),
                mq_mode: MqMode::Topic,
                mq_name: "".into(),
            }),
            "CallBackMqConfig.MqName",
        ),
        (
            {
                let mut j = base();
                j.callback_mq_config = Some(CallbackMqConfig {
                    mq_region: "gz".into(),
                    mq_mode: MqMode::Topic,
                    mq_name: "t".into(),
                });
                j
            },
            "CallBackMqConfig",
        ),
    ];
    for (job, field) in submit_cases {
        let err = c.submit_job(&job).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{field}: {err}");
        assert_eq!(err.field(), Some(field), "{err}");
        assert_eq!(err.operation(), Some(CosCiOp::SubmitJob.name()));
        assert_eq!(err.provider(), Some("cos-ci"));
    }

    let too_many: Vec<String> = (0..11).map(|i| format!("a{i}")).collect();
    let too_many: Vec<&str> = too_many.iter().map(String::as_str).collect();
    for (result, field) in [
        (c.cancel_jobs(&too_many).await.map(|_| ()), "JobId"),
        (c.cancel_jobs(&[]).await.map(|_| ()), "JobId"),
        (c.cancel_jobs(&["a,b"]).await.map(|_| ()), "JobId"),
        (c.describe_jobs(&[]).await.map(|_| ()), "JobId"),
        (c.describe_job("../x").await.map(|_| ()), "JobId"),
        (
            c.list_jobs(&ListJobs::default().with_size(0))
                .await
                .map(|_| ()),
            "size",
        ),
        (
            c.list_jobs(&ListJobs::default().with_size(101))
                .await
                .map(|_| ()),
            "size",
        ),
        (
            c.list_jobs(&ListJobs::default().with_states([JobState::Other("All".into())]))
                .await
                .map(|_| ()),
            "states",
        ),
        (
            c.list_jobs(&ListJobs::default().with_input_object("/abs.jpg"))
                .await
                .map(|_| ()),
            "inputObject",
        ),
        (
            {
                let mut q = ListJobs::default();
                q.start_creation_time = Some(unchecked_time("2023-11-25 00:00:00"));
                c.list_jobs(&q).await.map(|_| ())
            },
            "startCreationTime",
        ),
    ] {
        let err = result.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{field}: {err}");
        assert_eq!(err.field(), Some(field), "{err}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// A `CiTime` as a response could carry it (unchecked: `CiTime::parse` would refuse it), to
/// prove the list filter checks it again.
fn unchecked_time(text: &str) -> CiTime {
    #[derive(serde::Deserialize)]
    struct R {
        #[serde(rename = "JobsDetail")]
        d: cos_ci::JobDetail,
    }
    let xml = format!(
        "<Response><JobsDetail><JobId>x</JobId><State>Running</State><CreationTime>{text}</CreationTime></JobsDetail></Response>"
    );
    let r: R = quick_xml::de::from_str(&xml).unwrap();
    r.d.creation_time.unwrap()
}
