//! OCR 2018-11-19 synchronous actions: ExtractDocMulti, GeneralBasicOCR,
//! GeneralAccurateOCR.

use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Value};

use super::call::{document, one_source, Call, Source};
use super::envelope::{fields, ok, TcError};
use super::params::{opt, Field, Ty};
use crate::content::{self, Document, Format, LaidLine, Rect, Unreadable};

const TEN_MB: usize = 10 * 1024 * 1024;

const ITEM_NAMES: &[Field] = &[
    opt("KeyName", Ty::Str),
    opt("KeyType", Ty::Int),
    opt("KeyPrompt", Ty::Str),
    opt("KeyExpectedValue", Ty::Str),
    opt("KeyAuditPrompt", Ty::Str),
];
const CONFIG_ADVANCED: &[Field] = &[opt("Scene", Ty::Str)];

/// ExtractDocMulti parameters (spec §6.1).
pub(crate) const EXTRACT_DOC_MULTI: &[Field] = &[
    opt("ImageUrl", Ty::Str),
    opt("ImageBase64", Ty::Str),
    opt("PdfPageNumber", Ty::UInt),
    opt("ItemNames", Ty::StrArray),
    opt("ItemNamesShowMode", Ty::Bool),
    opt("ReturnFullText", Ty::Bool),
    opt("ConfigId", Ty::Str),
    opt("EnableCoord", Ty::Bool),
    opt("OutputParentKey", Ty::Bool),
    opt("ConfigAdvanced", Ty::Obj(CONFIG_ADVANCED)),
    opt("OutputLanguage", Ty::Str),
    opt("NewItemNames", Ty::ObjArray(ITEM_NAMES)),
    opt("MultiModelVersion", Ty::Str),
];

/// GeneralBasicOCR parameters (spec §6.4).
pub(crate) const GENERAL_BASIC: &[Field] = &[
    opt("ImageBase64", Ty::Str),
    opt("ImageUrl", Ty::Str),
    opt("Scene", Ty::Str),
    opt("LanguageType", Ty::Str),
    opt("IsPdf", Ty::Bool),
    opt("PdfPageNumber", Ty::UInt),
    opt("IsWords", Ty::Bool),
];

/// GeneralAccurateOCR parameters (spec §6.4).
pub(crate) const GENERAL_ACCURATE: &[Field] = &[
    opt("ImageBase64", Ty::Str),
    opt("ImageUrl", Ty::Str),
    opt("IsWords", Ty::Bool),
    opt("EnableDetectSplit", Ty::Bool),
    opt("IsPdf", Ty::Bool),
    opt("PdfPageNumber", Ty::UInt),
    opt("EnableDetectText", Ty::Bool),
    opt("ConfigID", Ty::Str),
    opt("WordsType", Ty::Str),
];

const CONFIG_IDS: &[&str] = &[
    "General",
    "InvoiceEng",
    "WayBillEng",
    "CustomsDeclaration",
    "WeightNote",
    "MedicalMeter",
    "BillOfLading",
    "EntrustmentBook",
    "Statement",
    "BookingConfirmation",
    "AirWayBill",
    "Table",
    "SteelLabel",
    "CarInsurance",
    "MultiRealEstateCertificate",
    "MultiRealEstateMaterial",
    "HongKongUtilityBill",
    "OverseasCheques",
    "RegistrationCertificate",
    "GridPhoto",
    "SignaturePage",
    "SalesDeliveryNote",
];

/// `LanguageType` values of GeneralBasicOCR (and CI).
pub(crate) const LANGUAGE_TYPES: &[&str] = &[
    "zh", "zh_rare", "auto", "mix", "jap", "kor", "spa", "fre", "ger", "por", "vie", "may", "rus",
    "ita", "hol", "swe", "fin", "dan", "nor", "hun", "tha", "hi", "ara",
];

fn bad_value(message: impl Into<String>) -> TcError {
    TcError::new("InvalidParameterValue.InvalidParameterValueLimit", message)
}

fn one_of(value: Option<&str>, allowed: &[&str], key: &str) -> Result<(), TcError> {
    match value {
        Some(v) if !allowed.contains(&v) => Err(bad_value(format!(
            "`{key}` `{v}` is not one of: {}.",
            allowed.join(", ")
        ))),
        _ => Ok(()),
    }
}

/// Loads the document of an image action and checks it: a URL that cannot be downloaded
/// is `FailedOperation.DownLoadError`, a format the action does not take is `decode_code`,
/// a file that is not whole (truncated, broken) is `FailedOperation.ImageDecodeFailed`.
fn load(
    call: &Call<'_>,
    source: &Source,
    allowed: &[Format],
    decode_code: &str,
) -> Result<Document, TcError> {
    if let Source::Url(url) = source {
        super::call::check_url(url, "ImageUrl", "FailedOperation.DownLoadError")?;
    }
    let doc = document(call.shared, source, "image");
    if let Some(Unreadable::Unreachable(reason)) = &doc.unreadable {
        return Err(TcError::new(
            "FailedOperation.DownLoadError",
            format!("File download failed: {reason}."),
        ));
    }
    let format_known = !matches!(source, Source::Url(_)) || doc.size > 0;
    if format_known && !allowed.contains(&doc.format) {
        return Err(TcError::new(
            decode_code,
            format!(
                "The file could not be decoded as a supported format ({}): detected `{}`.",
                allowed
                    .iter()
                    .map(|f| f.name())
                    .collect::<Vec<_>>()
                    .join(", "),
                doc.format.name()
            ),
        ));
    }
    if let Some(Unreadable::Damaged(reason)) = &doc.unreadable {
        return Err(TcError::new(
            "FailedOperation.ImageDecodeFailed",
            format!("Image decoding failed: {reason}."),
        ));
    }
    Ok(doc)
}

/// Picks the page to recognise (1-based `PdfPageNumber`, default 1).
fn pick_page(doc: &Document, page: Option<u64>) -> Result<usize, TcError> {
    let page = page.unwrap_or(1);
    if page == 0 || page > doc.pages.len() as u64 {
        return Err(bad_value(format!(
            "`PdfPageNumber` {page} is outside the document's {} page(s).",
            doc.pages.len()
        )));
    }
    Ok(usize::try_from(page - 1).unwrap_or(0))
}

fn union(rects: &[Rect]) -> Option<Rect> {
    let first = rects.first()?;
    let (mut x0, mut y0, mut x1, mut y1) = (first.x, first.y, first.x + first.w, first.y + first.h);
    for r in rects {
        x0 = x0.min(r.x);
        y0 = y0.min(r.y);
        x1 = x1.max(r.x + r.w);
        y1 = y1.max(r.y + r.h);
    }
    Some(Rect {
        x: x0,
        y: y0,
        w: x1 - x0,
        h: y1 - y0,
    })
}

/// The box of the value part of a `Key: Value` line (the words after the key).
fn value_rect(line: &LaidLine) -> Rect {
    let key_word = line
        .words
        .iter()
        .position(|w| w.text.contains(':') || w.text.contains('：'));
    match key_word {
        Some(i) if i + 1 < line.words.len() => {
            let rects: Vec<Rect> = line.words[i + 1..].iter().map(|w| w.rect).collect();
            union(&rects).unwrap_or(line.rect)
        }
        _ => line.rect,
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct NewItemName {
    key_name: Option<String>,
    key_type: Option<i64>,
    key_expected_value: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExtractDocMultiRequest {
    pdf_page_number: Option<u64>,
    item_names: Option<Vec<String>>,
    item_names_show_mode: Option<bool>,
    config_id: Option<String>,
    enable_coord: Option<bool>,
    output_language: Option<String>,
    new_item_names: Option<Vec<NewItemName>>,
    multi_model_version: Option<String>,
}

fn normalise_key(key: &str) -> String {
    key.chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// ExtractDocMulti: fields from the `Key: Value` lines of the page (plus the requested
/// item names) and every line as full text.
pub(crate) fn extract_doc_multi(call: &Call<'_>) -> Result<Response, TcError> {
    let req: ExtractDocMultiRequest = call.typed()?;
    one_of(req.config_id.as_deref(), CONFIG_IDS, "ConfigId")?;
    one_of(
        req.output_language.as_deref(),
        &["cn", "en"],
        "OutputLanguage",
    )?;
    one_of(
        req.multi_model_version.as_deref(),
        &["1.0", "2.0"],
        "MultiModelVersion",
    )?;
    for item in req.new_item_names.iter().flatten() {
        if let Some(t) = item.key_type {
            if t != 0 && t != 1 {
                return Err(bad_value(format!(
                    "`NewItemNames.KeyType` {t} is not 0 or 1."
                )));
            }
        }
    }
    let source = one_source(
        &call.params,
        "ImageUrl",
        "ImageBase64",
        TEN_MB,
        "LimitExceeded.TooLargeFileError",
        "FailedOperation.ImageDecodeFailed",
        true,
    )?
    .ok_or_else(|| {
        TcError::new(
            "MissingParameter",
            "One of `ImageUrl` or `ImageBase64` is required.",
        )
    })?;
    let doc = load(
        call,
        &source,
        &[
            Format::Png,
            Format::Jpeg,
            Format::Bmp,
            Format::Pdf,
            Format::Zip,
            Format::Ole,
        ],
        "FailedOperation.ImageDecodeFailed",
    )?;
    let page_index = pick_page(&doc, req.pdf_page_number)?;
    let page = doc
        .pages
        .get(page_index)
        .cloned()
        .unwrap_or_else(|| content::Page {
            lines: Vec::new(),
            width: content::DEFAULT_PAGE.0,
            height: content::DEFAULT_PAGE.1,
        });
    let laid = page.laid_out();
    let page_label = (page_index + 1).to_string();

    // Auto fields: `Key: Value` lines of the page.
    let auto: Vec<(String, String, &LaidLine)> = laid
        .iter()
        .filter_map(|l| content::split_field(&l.text).map(|(k, v)| (k.to_owned(), v.to_owned(), l)))
        .collect();
    let mut custom: Vec<(String, Option<String>)> = req
        .item_names
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|n| (n, None))
        .collect();
    for item in req.new_item_names.iter().flatten() {
        if let Some(name) = &item.key_name {
            custom.push((name.clone(), item.key_expected_value.clone()));
        }
    }
    let only_custom = req.item_names_show_mode.unwrap_or(true) && !custom.is_empty();
    let item = |auto_name: &str,
                config_name: Option<&str>,
                value: Option<(&str, &LaidLine)>,
                audit: bool| {
        let value = match value {
            Some((text, line)) => json!({
                "AutoContent": text,
                "Coord": polygon_object(&value_rect(line)),
                "PageIndex": page_label,
            }),
            None => json!({ "AutoContent": "", "Coord": null, "PageIndex": null }),
        };
        json!({
            "Key": { "AutoName": auto_name, "ConfigName": config_name },
            "Value": value,
            "AuditResult": audit,
        })
    };
    let mut items: Vec<Value> = Vec::new();
    if !only_custom {
        for (key, value, line) in &auto {
            items.push(item(key, None, Some((value, line)), false));
        }
    }
    for (name, expected) in &custom {
        let wanted = normalise_key(name);
        let found = auto.iter().find(|(k, _, _)| normalise_key(k) == wanted);
        let audit = match (expected, found) {
            (Some(e), Some((_, v, _))) => e.trim() == v.trim(),
            _ => false,
        };
        match found {
            Some((key, value, line)) => {
                items.push(item(key, Some(name), Some((value, line)), audit))
            }
            None => items.push(item(name, Some(name), None, false)),
        }
    }
    let enable_coord = req.enable_coord.unwrap_or(false);
    let word_list: Vec<Value> = laid
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let word_coord: Vec<Value> = if enable_coord {
                line.words
                    .iter()
                    .map(|w| json!({ "DetectedText": w.text, "Coord": polygon_object(&w.rect) }))
                    .collect()
            } else {
                Vec::new()
            };
            json!({
                "DetectedText": line.text,
                "Coord": polygon_object(&line.rect),
                "AdvancedInfo": json!({ "Parag": { "ParagNo": i + 1, "ParagType": 0, "DetectNo": i } }).to_string(),
                "WordCoord": word_coord,
            })
        })
        .collect();
    let token_num = items.len();
    let groups: Vec<Value> = items.into_iter().map(|i| json!({ "Lines": [i] })).collect();
    let structural = if groups.is_empty() {
        Vec::new()
    } else {
        vec![json!({ "Groups": groups })]
    };
    call.shared
        .recorder
        .count_submission(call.service, call.action);
    Ok(ok(
        call.shared,
        fields(json!({
            "Angle": 0,
            "StructuralList": structural,
            "WordList": word_list,
            "TokenNum": token_num,
        })),
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GeneralRequest {
    language_type: Option<String>,
    is_pdf: Option<bool>,
    pdf_page_number: Option<u64>,
    is_words: Option<bool>,
    enable_detect_text: Option<bool>,
    #[serde(rename = "ConfigID")]
    config_id: Option<String>,
    words_type: Option<String>,
}

fn text_detection(
    line: &LaidLine,
    paragraph: usize,
    is_words: bool,
    language: Option<&str>,
) -> Value {
    let [x, y, w, h] = [line.rect.x, line.rect.y, line.rect.w, line.rect.h];
    let (words, points): (Vec<Value>, Vec<Value>) = if is_words {
        line.chars
            .iter()
            .map(|c| {
                (
                    json!({ "Confidence": c.confidence, "Character": c.text }),
                    json!({ "WordCoordinate": polygon_array(&c.rect) }),
                )
            })
            .unzip()
    } else {
        (Vec::new(), Vec::new())
    };
    let mut detection = json!({
        "DetectedText": line.text,
        "Confidence": line.confidence,
        "Polygon": polygon_array(&line.rect),
        "AdvancedInfo": json!({ "Parag": { "ParagNo": paragraph } }).to_string(),
        "ItemPolygon": { "X": x, "Y": y, "Width": w, "Height": h },
        "Words": words,
        "WordCoordPoint": points,
    });
    if let (Some(lang), Some(map)) = (language, detection.as_object_mut()) {
        map.insert("Language".to_owned(), Value::String(lang.to_owned()));
    }
    detection
}

fn general(call: &Call<'_>, accurate: bool) -> Result<Response, TcError> {
    let req: GeneralRequest = call.typed()?;
    if !accurate {
        one_of(req.language_type.as_deref(), LANGUAGE_TYPES, "LanguageType")?;
    } else {
        one_of(req.config_id.as_deref(), &["OCR", "MulOCR"], "ConfigID")?;
        one_of(req.words_type.as_deref(), &["0", "1", "2"], "WordsType")?;
    }
    let decode_code = if accurate {
        "InvalidParameter.EngineImageDecodeFailed"
    } else {
        "FailedOperation.ImageDecodeFailed"
    };
    let source = one_source(
        &call.params,
        "ImageUrl",
        "ImageBase64",
        TEN_MB,
        "LimitExceeded.TooLargeFileError",
        decode_code,
        true,
    )?
    .ok_or_else(|| {
        TcError::new(
            "MissingParameter",
            "One of `ImageUrl` or `ImageBase64` is required.",
        )
    })?;
    let doc = load(
        call,
        &source,
        &[Format::Png, Format::Jpeg, Format::Bmp, Format::Pdf],
        decode_code,
    )?;
    let is_pdf = req.is_pdf.unwrap_or(false);
    let pdf_input = doc.format == Format::Pdf;
    if pdf_input && !is_pdf {
        return Err(TcError::new(
            decode_code,
            "The file is a PDF: set `IsPdf` to true to recognise PDF files.",
        ));
    }
    let page_index = pick_page(&doc, if pdf_input { req.pdf_page_number } else { None })?;
    let page = doc
        .pages
        .get(page_index)
        .cloned()
        .unwrap_or_else(|| content::Page {
            lines: Vec::new(),
            width: content::DEFAULT_PAGE.0,
            height: content::DEFAULT_PAGE.1,
        });
    let lines = if accurate && req.enable_detect_text == Some(false) {
        vec![page.lines.join(" ")]
    } else {
        page.lines.clone()
    };
    if lines.iter().all(|l| l.trim().is_empty()) {
        return Err(TcError::new(
            "FailedOperation.ImageNoText",
            "No text was found in the image.",
        ));
    }
    let laid = content::layout(&lines, page.width, page.height);
    let is_words = req.is_words.unwrap_or(false);
    let mul = accurate && req.config_id.as_deref() == Some("MulOCR");
    let detections: Vec<Value> = laid
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let lang = mul.then(|| {
                if line.text.chars().any(|c| (c as u32) >= 0x2E80) {
                    "zh"
                } else {
                    "en"
                }
            });
            text_detection(line, i + 1, is_words, lang)
        })
        .collect();
    call.shared
        .recorder
        .count_submission(call.service, call.action);
    let body = if accurate {
        json!({ "TextDetections": detections, "Angel": 0, "Angle": 0 })
    } else {
        let language = match req.language_type.as_deref() {
            None | Some("auto") => "zh",
            Some(l) => l,
        };
        json!({
            "TextDetections": detections,
            "Language": language,
            "Angel": 0,
            "PdfPageSize": if pdf_input { doc.pages.len() } else { 0 },
            "Angle": 0,
        })
    };
    Ok(ok(call.shared, fields(body)))
}

/// GeneralBasicOCR.
pub(crate) fn general_basic(call: &Call<'_>) -> Result<Response, TcError> {
    general(call, false)
}

/// GeneralAccurateOCR.
pub(crate) fn general_accurate(call: &Call<'_>) -> Result<Response, TcError> {
    general(call, true)
}

/// A JSON `{X, Y}`.
fn coord(x: i64, y: i64) -> Value {
    json!({ "X": x, "Y": y })
}

/// A JSON `Polygon` object (`LeftTop`, `RightTop`, `RightBottom`, `LeftBottom`).
fn polygon_object(rect: &Rect) -> Value {
    let [lt, rt, rb, lb] = rect.corners();
    json!({
        "LeftTop": coord(lt.0, lt.1),
        "RightTop": coord(rt.0, rt.1),
        "RightBottom": coord(rb.0, rb.1),
        "LeftBottom": coord(lb.0, lb.1),
    })
}

/// A JSON array of the 4 corners.
fn polygon_array(rect: &Rect) -> Value {
    Value::Array(rect.corners().iter().map(|(x, y)| coord(*x, *y)).collect())
}
