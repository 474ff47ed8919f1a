//! From native responses to the provider-neutral [`Document`] (the rules are listed in the
//! crate documentation), keeping the native response reachable with [`Document::native`].

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ocr_core::document::normalize_confidence;
use ocr_core::{Artifact, Document, Field, Format, Line, Page, Word};
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::Serialize;
use std::fmt;

use crate::actions::{
    APPLY_CARD_VERIFICATION_EXTERNAL, EXTRACT_DOC_MULTI, GENERAL_ACCURATE_OCR, GENERAL_BASIC_OCR,
    PROVIDER_ID,
};
use crate::card_verification::{GeneralCard, GetCardVerificationExternalResultResponse};
use crate::extract_doc_multi::ExtractDocMultiResponse;
use crate::general_ocr::{GeneralAccurateOcrResponse, GeneralBasicOcrResponse, TextDetection};
use crate::geometry::quad_of_points;

/// TextDetection confidences are percentages.
const CONFIDENCE_SCALE: f64 = 100.0;

/// A document of one billed call of `action`, which read one page (or image).
fn new_document(request_id: &Option<String>, action: &str) -> Document {
    let mut doc = Document::new(PROVIDER_ID);
    if let Some(id) = request_id.as_ref().filter(|id| !id.is_empty()) {
        doc.request_ids.push(id.clone());
    }
    doc.usage.call(action);
    doc.usage.pages = 1;
    doc
}

fn page_number(pdf_page_number: Option<u64>) -> u32 {
    pdf_page_number
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n > 0)
        .unwrap_or(1)
}

impl ExtractDocMultiResponse {
    /// The response as a [`Document`] of one page numbered `pdf_page_number` (1 when `None`),
    /// whose usage is the one billed `ExtractDocMulti` call and its page.
    ///
    /// ```
    /// use tc_ocr::ExtractDocMultiResponse;
    /// let response: ExtractDocMultiResponse = serde_json::from_str(
    ///     r#"{"Angle":0.5,"StructuralList":[{"Groups":[{"Lines":[{"Key":{"AutoName":"Total","ConfigName":null},"Value":{"AutoContent":"42"}}]}]}],"RequestId":"r1"}"#,
    /// ).unwrap();
    /// let doc = response.to_document(None);
    /// assert_eq!(doc.field("Total").unwrap().value, "42");
    /// assert_eq!(doc.pages[0].angle, Some(0.5));
    /// assert_eq!(doc.native::<ExtractDocMultiResponse>(), Some(&response));
    /// assert_eq!(doc.usage.calls["ExtractDocMulti"], 1);
    /// ```
    pub fn to_document(&self, pdf_page_number: Option<u64>) -> Document {
        let mut doc = new_document(&self.request_id, EXTRACT_DOC_MULTI);
        let number = page_number(pdf_page_number);
        let mut page = Page::new(number);
        page.angle = self.angle;
        for item in self.word_list.iter().flatten() {
            let words = item
                .word_coord
                .iter()
                .flatten()
                .map(|w| Word {
                    text: w.detected_text.clone().unwrap_or_default(),
                    confidence: None,
                    bbox: w.coord.and_then(|c| c.quad()),
                })
                .collect();
            page.lines.push(Line {
                text: item.detected_text.clone().unwrap_or_default(),
                confidence: None,
                bbox: item.coord.and_then(|c| c.quad()),
                words,
            });
        }
        doc.pages.push(page);
        for (g, group) in self.structural_list.iter().flatten().enumerate() {
            for (l, line) in group.groups.iter().flatten().enumerate() {
                for item in line.lines.iter().flatten() {
                    let key = item.key.as_ref().and_then(|k| {
                        k.config_name
                            .clone()
                            .filter(|n| !n.is_empty())
                            .or_else(|| k.auto_name.clone())
                    });
                    let value = item.value.as_ref();
                    doc.fields.push(Field {
                        key: key.unwrap_or_default(),
                        value: value
                            .and_then(|v| v.auto_content.clone())
                            .unwrap_or_default(),
                        confidence: None,
                        bbox: value.and_then(|v| v.coord).and_then(|c| c.quad()),
                        group: Some(format!("{g}.{l}")),
                        page: value
                            .and_then(|v| v.page_index.as_deref())
                            .and_then(|p| p.trim().parse::<u32>().ok())
                            .or(Some(number)),
                    });
                }
            }
        }
        doc.with_native(self.clone())
    }
}

fn text_page(
    number: u32,
    detections: &Option<Vec<TextDetection>>,
    angle: Option<f64>,
    angel: Option<f64>,
) -> Page {
    let mut page = Page::new(number);
    page.angle = angle.or(angel);
    for d in detections.iter().flatten() {
        let bbox = d
            .polygon
            .as_deref()
            .and_then(quad_of_points)
            .or_else(|| d.item_polygon.and_then(|r| r.quad()));
        let boxes: Vec<_> = d.word_coord_point.iter().flatten().collect();
        let words = d
            .words
            .iter()
            .flatten()
            .enumerate()
            .map(|(i, w)| Word {
                text: w.character.clone().unwrap_or_default(),
                confidence: w
                    .confidence
                    .and_then(|c| normalize_confidence(c as f64, CONFIDENCE_SCALE)),
                bbox: boxes
                    .get(i)
                    .and_then(|b| b.word_coordinate.as_deref())
                    .and_then(quad_of_points),
            })
            .collect();
        page.lines.push(Line {
            text: d.detected_text.clone().unwrap_or_default(),
            confidence: d
                .confidence
                .and_then(|c| normalize_confidence(c as f64, CONFIDENCE_SCALE)),
            bbox,
            words,
        });
    }
    page
}

impl GeneralAccurateOcrResponse {
    /// The response as a [`Document`] of one page numbered `pdf_page_number` (1 when `None`),
    /// whose usage is the one billed `GeneralAccurateOCR` call and its page.
    ///
    /// ```
    /// use tc_ocr::GeneralAccurateOcrResponse;
    /// let response: GeneralAccurateOcrResponse = serde_json::from_str(
    ///     r#"{"TextDetections":[{"DetectedText":"Hello","Confidence":99}],"Angle":0,"RequestId":"r"}"#,
    /// ).unwrap();
    /// let doc = response.to_document(None);
    /// assert_eq!(doc.text(), "Hello");
    /// assert_eq!(doc.pages[0].lines[0].confidence, Some(0.99));
    /// assert_eq!((doc.usage.calls["GeneralAccurateOCR"], doc.usage.pages), (1, 1));
    /// ```
    pub fn to_document(&self, pdf_page_number: Option<u64>) -> Document {
        let mut doc = new_document(&self.request_id, GENERAL_ACCURATE_OCR);
        doc.pages.push(text_page(
            page_number(pdf_page_number),
            &self.text_detections,
            self.angle,
            self.angel,
        ));
        doc.with_native(self.clone())
    }
}

impl GeneralBasicOcrResponse {
    /// The response as a [`Document`] of one page numbered `pdf_page_number` (1 when `None`),
    /// whose usage is the one billed `GeneralBasicOCR` call and its page.
    ///
    /// ```
    /// use tc_ocr::GeneralBasicOcrResponse;
    /// let response: GeneralBasicOcrResponse =
    ///     serde_json::from_str(r#"{"TextDetections":[{"DetectedText":"Hi","Confidence":80}]}"#).unwrap();
    /// let doc = response.to_document(None);
    /// assert_eq!(doc.text(), "Hi");
    /// assert_eq!(doc.usage.calls["GeneralBasicOCR"], 1);
    /// ```
    pub fn to_document(&self, pdf_page_number: Option<u64>) -> Document {
        let mut doc = new_document(&self.request_id, GENERAL_BASIC_OCR);
        doc.pages.push(text_page(
            page_number(pdf_page_number),
            &self.text_detections,
            self.angle,
            self.angel,
        ));
        doc.with_native(self.clone())
    }
}

fn push_card(doc: &mut Document, side: &str, card: &GeneralCard) {
    let address = card.address.as_ref().map(wire_fields).unwrap_or_default();
    let address = address
        .into_iter()
        .map(|(key, value)| (format!("Address.{key}"), value));
    for (key, value) in wire_fields(card).into_iter().chain(address) {
        doc.fields.push(Field {
            key,
            value,
            group: Some(side.to_owned()),
            ..Field::default()
        });
    }
}

/// The non-empty text fields of a wire struct under their wire names, in the order the model
/// declares them (what serde writes; a `serde_json::Value` would sort them by name).
fn wire_fields<T: Serialize>(value: &T) -> Vec<(String, String)> {
    let Ok(text) = serde_json::to_string(value) else {
        return Vec::new();
    };
    serde_json::from_str::<TextFields>(&text)
        .map(|fields| fields.0)
        .unwrap_or_default()
}

/// A JSON object's string members in document order; others (objects, numbers) left out.
struct TextFields(Vec<(String, String)>);

impl<'de> Deserialize<'de> for TextFields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> Visitor<'de> for Members {
            type Value = TextFields;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TextFields, A::Error> {
                let mut members = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, serde_json::Value>()? {
                    if let serde_json::Value::String(text) = value {
                        if !text.is_empty() {
                            members.push((key, text));
                        }
                    }
                }
                Ok(TextFields(members))
            }
        }
        deserializer.deserialize_map(Members)
    }
}

impl GetCardVerificationExternalResultResponse {
    /// The response as a [`Document`] of fields (no pages). Its usage is the one billed
    /// `ApplyCardVerificationExternal` call this is the result of, and its one image (the
    /// result call itself is a query, not billed).
    ///
    /// ```
    /// use tc_ocr::GetCardVerificationExternalResultResponse;
    /// let response: GetCardVerificationExternalResultResponse = serde_json::from_str(
    ///     r#"{"Status":"WARNING","WarnInfo":["PaperCopy"],"CardInfo":{"FullName":"A B","Sex":""}}"#,
    /// ).unwrap();
    /// let doc = response.to_document();
    /// assert_eq!(doc.field("FullName").unwrap().group.as_deref(), Some("front"));
    /// assert!(doc.field("Sex").is_none()); // empty strings are left out
    /// assert_eq!(doc.field("WarnInfo").unwrap().value, "PaperCopy");
    /// assert_eq!(doc.usage.calls["ApplyCardVerificationExternal"], 1);
    /// ```
    pub fn to_document(&self) -> Document {
        let mut doc = new_document(&self.request_id, APPLY_CARD_VERIFICATION_EXTERNAL);
        if let Some(card) = &self.card_info {
            push_card(&mut doc, "front", card);
        }
        if let Some(card) = &self.back_card_info {
            push_card(&mut doc, "back", card);
        }
        let verification = |key: &str, value: &str| Field {
            key: key.to_owned(),
            value: value.to_owned(),
            group: Some("verification".to_owned()),
            ..Field::default()
        };
        if let Some(status) = self.status.as_deref().filter(|s| !s.is_empty()) {
            doc.fields.push(verification("Status", status));
        }
        for warning in self.warn_info.iter().flatten() {
            doc.fields.push(verification("WarnInfo", warning));
        }
        if let Some(head) = self.head_image_base64.as_deref().filter(|h| !h.is_empty()) {
            if let Ok(data) = STANDARD.decode(head) {
                let format = Format::sniff(&data);
                doc.files.push(Artifact {
                    name: format!("head.{}", format.map(Format::extension).unwrap_or("bin")),
                    media_type: format.map(|f| f.media_type().to_owned()),
                    data: Some(data),
                    ..Artifact::default()
                });
            }
        }
        doc.with_native(self.clone())
    }
}
