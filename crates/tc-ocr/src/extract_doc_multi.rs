//! ExtractDocMulti (multimodal document extraction, alias SmartStructuralPro): request and
//! response as on the wire (spec §6.1).
//!
//! Synchronous: one call returns the structured fields (`StructuralList`) and the restored full
//! text (`WordList`). Documented rate limit: 5 requests per second.

use serde::{Deserialize, Serialize};

use crate::geometry::Polygon;
use crate::redact::image_request;
use ocr_core::lenient;

/// The request of ExtractDocMulti. Every field is optional on the wire; exactly one of
/// [`image_url`](Self::image_url) and [`image_base64`](Self::image_base64) must be set (the
/// client checks this before sending).
///
/// ```
/// use tc_ocr::ExtractDocMultiRequest;
/// let req = ExtractDocMultiRequest {
///     item_names: Some(vec!["number".into()]),
///     config_id: Some("General".into()),
///     ..ExtractDocMultiRequest::from_url("https://example.com/invoice.png")
/// };
/// assert_eq!(
///     serde_json::to_string(&req).unwrap(),
///     r#"{"ImageUrl":"https://example.com/invoice.png","ItemNames":["number"],"ConfigId":"General"}"#
/// );
/// ```
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ExtractDocMultiRequest {
    /// URL of the image or PDF (≤ 10 MB after base64; PNG, JPG, JPEG, BMP, PDF, Word, Excel;
    /// not GIF; 20–10000 px; downloaded within 3 s). Wins over `ImageBase64` on the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// Base64 of the image or PDF, ≤ 10 MB after encoding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_base64: Option<String>,
    /// The PDF page to recognise (1-based, a single page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdf_page_number: Option<u64>,
    /// Extra field names to extract, e.g. `["name", "gender"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_names: Option<Vec<String>>,
    /// `true`: only the custom fields; `false`: default fields plus custom ones (service
    /// default `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_names_show_mode: Option<bool>,
    /// Turns on full-text field recognition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_full_text: Option<bool>,
    /// The template: `General`, `InvoiceEng`, `WayBillEng`, `CustomsDeclaration`, `WeightNote`,
    /// `MedicalMeter`, `BillOfLading`, `EntrustmentBook`, `Statement`, `BookingConfirmation`,
    /// `AirWayBill`, `Table`, `SteelLabel`, `CarInsurance`, `MultiRealEstateCertificate`,
    /// `MultiRealEstateMaterial`, `HongKongUtilityBill`, `OverseasCheques`,
    /// `RegistrationCertificate`, `GridPhoto`, `SignaturePage`, `SalesDeliveryNote` (domestic).
    /// Note the spelling `ConfigId` (GeneralAccurateOCR says `ConfigID`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_id: Option<String>,
    /// Returns coordinates for full-text fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_coord: Option<bool>,
    /// Parent/child key recognition (service default on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_parent_key: Option<bool>,
    /// Single-attribute template configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_advanced: Option<ConfigAdvanced>,
    /// Language of added keys: `cn` or `en`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_language: Option<String>,
    /// Custom fields with type and prompt (domestic site only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_item_names: Option<Vec<ItemNames>>,
    /// Model version, `"1.0"` or `"2.0"` (domestic site only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_model_version: Option<String>,
}

image_request!(ExtractDocMultiRequest {
    pdf_page_number,
    item_names,
    item_names_show_mode,
    return_full_text,
    config_id,
    enable_coord,
    output_parent_key,
    config_advanced,
    output_language,
    new_item_names,
    multi_model_version
});

/// Single-attribute template configuration (model type `ConfigAdvanced`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfigAdvanced {
    /// The scene, e.g. `only_hw` (semantics not documented).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scene: Option<String>,
}

/// A custom field with its type and prompt (model type `ItemNames`, domestic only).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ItemNames {
    /// The field name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
    /// `0` key–value pair (default), `1` table field.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub key_type: Option<i64>,
    /// A description of the field, as a prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_prompt: Option<String>,
    /// The expected value, for audit comparison.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_expected_value: Option<String>,
    /// The audit rule, as a prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_audit_prompt: Option<String>,
}

/// The response of ExtractDocMulti. Every field may be absent or `null`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ExtractDocMultiResponse {
    /// Image rotation in degrees; horizontal text is 0, clockwise positive.
    #[serde(
        deserialize_with = "lenient::opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub angle: Option<f64>,
    /// The structured results.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub structural_list: Option<Vec<GroupInfo>>,
    /// The restored full text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub word_list: Option<Vec<WordItem>>,
    /// "Number of sample identification fields" (the model's wording).
    #[serde(
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub token_num: Option<i64>,
    /// The request id, for support.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// A group of structured lines (model type `GroupInfo`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GroupInfo {
    /// The lines of the group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<LineInfo>>,
}

/// One line of a group (model type `LineInfo`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct LineInfo {
    /// The key–value items of the line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<ItemInfo>>,
}

/// One extracted key–value item (model type `ItemInfo`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ItemInfo {
    /// The key (nullable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<ItemKey>,
    /// The value (nullable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<ItemValue>,
    /// Whether the field passed the audit comparison (domestic only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_result: Option<bool>,
}

/// The key of an item (model type `Key`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ItemKey {
    /// The field name as recognised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_name: Option<String>,
    /// The configured name: the key you asked for in `ItemNames` (nullable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_name: Option<String>,
}

/// The value of an item (model type `Value`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ItemValue {
    /// The recognised value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_content: Option<String>,
    /// Where the value is (nullable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coord: Option<Polygon>,
    /// The page the value is on, as a string (domestic only, nullable).
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub page_index: Option<String>,
}

/// A piece of the restored full text (model type `WordItem`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct WordItem {
    /// The text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected_text: Option<String>,
    /// Where it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coord: Option<Polygon>,
    /// Paragraph information: a JSON document inside a string, e.g.
    /// `{"Parag":{"ParagNo":2,"ParagType":0,"DetectNo":0}}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advanced_info: Option<String>,
    /// Per-word text and coordinates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub word_coord: Option<Vec<WordPolygon>>,
}

/// One word of a [`WordItem`] (model type `WordPolygon`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct WordPolygon {
    /// The text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected_text: Option<String>,
    /// Where it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coord: Option<Polygon>,
}
