//! `cos_ci_xml`: the COS / Cloud Infinite XML responses, decoded into cos-ci's public response
//! types, plus the `<Error>` body through `ServiceError::parse`.
//!
//! The crate's XML helper (`cos_ci::xml::from_xml`) is private; [`from_xml`] here does what it
//! does (the body as UTF-8, then `quick_xml::de::from_str`, with the same quick-xml build: one
//! version, the `overlapped-lists` feature cos-ci enables), so the types and their lenient
//! field decoders are exercised exactly as the client runs them.
//!
//! Input: a response body, decoded as every response type.
//!
//! Invariants:
//! - the `<Error>` body parses to a non-empty code, or to nothing;
//! - text fields are trimmed and optional ones never `Some("")`; unset times (`-`) are `None`;
//!   a job id list holds no empty id and no comma; placeholder words are dropped;
//! - a job state survives its wire form; a time either converts to Unix seconds or is refused
//!   by `CiTime::parse`, never both, never a panic;
//! - a detection maps to a one-page `Document` with one line per `TextDetections`, the same
//!   text, and confidences within `0..=1`.

use cos_ci::mapping::{detection_to_document, PageInfo};
use cos_ci::{
    CiTime, DescribeJobsOutput, Detection, JobDetail, JobState, ListJobsOutput, ServiceError,
    SyncOcrResult, TemplateList, TemplateOutput,
};
use serde::de::DeserializeOwned;

/// What `cos_ci`'s private `xml::from_xml` does.
pub fn from_xml<T: DeserializeOwned>(body: &[u8]) -> Option<T> {
    let text = std::str::from_utf8(body).ok()?;
    quick_xml::de::from_str(text).ok()
}

/// Checks one input.
pub fn check(data: &[u8]) {
    if let Some(err) = ServiceError::parse(data, &reqwest::header::HeaderMap::new()) {
        assert!(!err.code.is_empty(), "an error without a code: {err:?}");
        if let Some(xml) = from_xml::<ServiceError>(data).filter(|e| !e.code.is_empty()) {
            assert_eq!(err, xml, "the XML form is not the one taken");
            trimmed(&xml.code);
            trimmed(&xml.message);
            for s in [&xml.resource, &xml.request_id, &xml.trace_id] {
                opt(s);
            }
        }
    }
    if let Some(out) = from_xml::<DescribeJobsOutput>(data) {
        for id in &out.non_exist_job_ids {
            assert!(!id.is_empty() && !id.contains(','), "a bad id {id:?}");
            trimmed(id);
        }
        out.jobs_detail.iter().for_each(job);
    }
    if let Some(out) = from_xml::<ListJobsOutput>(data) {
        opt(&out.next_token);
        out.jobs_detail.iter().for_each(job);
    }
    if let Some(out) = from_xml::<SyncOcrResult>(data) {
        opt(&out.request_id);
        opt(&out.language);
        detection(&out.to_detection());
    }
    if let Some(out) = from_xml::<TemplateOutput>(data) {
        opt(&out.request_id);
        trimmed(&out.template.template_id);
        time(&out.template.create_time);
        time(&out.template.update_time);
    }
    if let Some(out) = from_xml::<TemplateList>(data) {
        opt(&out.request_id);
    }
}

fn job(j: &JobDetail) {
    for s in [&j.code, &j.message, &j.job_id, &j.tag] {
        trimmed(s);
    }
    opt(&j.progress);
    opt(&j.queue_id);
    assert_eq!(
        JobState::from_wire(j.state.as_str()),
        j.state,
        "state {:?}",
        j.state
    );
    for t in [&j.creation_time, &j.start_time, &j.end_time] {
        time(t);
    }
    if let Some(d) = j.detection() {
        detection(d);
    }
}

fn time(t: &Option<CiTime>) {
    let Some(t) = t else { return };
    let text = t.as_str();
    assert!(
        !text.is_empty() && text != "-",
        "an unset time decoded as {t:?}"
    );
    trimmed(text);
    let secs = t.unix_secs();
    let parsed = CiTime::parse(text);
    assert_eq!(secs.is_some(), parsed.is_ok(), "{text:?}");
}

fn detection(d: &Detection) {
    opt(&d.language);
    for t in &d.text_detections {
        trimmed(&t.detected_text);
        for w in &t.words {
            assert!(!w.character.is_empty(), "a placeholder word was kept");
        }
        for p in &t.word_polygon {
            assert!(
                p.left_top.is_some()
                    || p.right_top.is_some()
                    || p.right_bottom.is_some()
                    || p.left_bottom.is_some(),
                "a placeholder word polygon was kept"
            );
        }
    }
    let number = d.pdf_page_size.unwrap_or(1);
    let doc = detection_to_document(d, PageInfo { number, size: None });
    assert_eq!(doc.pages.len(), 1);
    let page = &doc.pages[0];
    assert_eq!(page.number, number.max(1));
    assert_eq!(page.lines.len(), d.text_detections.len());
    for (line, t) in page.lines.iter().zip(&d.text_detections) {
        assert_eq!(line.text, t.detected_text);
        unit(line.confidence);
        for w in &line.words {
            unit(w.confidence);
        }
        for q in line
            .bbox
            .iter()
            .chain(line.words.iter().filter_map(|w| w.bbox.as_ref()))
        {
            for p in &q.points {
                assert!(p.x.is_finite() && p.y.is_finite(), "{q:?}");
            }
        }
    }
    assert!(
        doc.native::<Detection>().is_some(),
        "the native result is lost"
    );
}

fn unit(c: Option<f32>) {
    if let Some(c) = c {
        assert!((0.0..=1.0).contains(&c), "confidence {c}");
    }
}

fn trimmed(s: &str) {
    assert_eq!(s, s.trim(), "text not trimmed");
}

fn opt(s: &Option<String>) {
    if let Some(s) = s {
        assert!(!s.is_empty(), "an empty optional text is Some");
        trimmed(s);
    }
}
