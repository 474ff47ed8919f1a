//! CI OCR shared by jobs, templates and the synchronous `?ci-process=OCR`: the
//! `ImageOCR` parameters and the `TextDetections` result XML.

use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::call::BucketCall;
use super::xml::{xml_response, Xml};
use crate::content::{self, Document, Format, LaidLine, Unreadable};
use crate::http_util::query_value;
use crate::tencent::ocr::LANGUAGE_TYPES;

const TYPES: &[&str] = &["general", "accurate", "efficient", "fast", "handwriting"];
/// The sync OCR limit: 7 MB after base64 encoding.
const MAX_BASE64: u64 = 7 * 1024 * 1024;

/// `ImageOCR` as sent (every value is text in XML).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub(crate) struct ImageOcrXml {
    #[serde(rename = "Type")]
    pub(crate) ty: Option<String>,
    #[serde(rename = "LanguageType")]
    pub(crate) language_type: Option<String>,
    #[serde(rename = "IsPdf")]
    pub(crate) is_pdf: Option<String>,
    #[serde(rename = "PdfPageNumber")]
    pub(crate) pdf_page_number: Option<String>,
    #[serde(rename = "IsWord")]
    pub(crate) is_word: Option<String>,
    #[serde(rename = "EnableWordPolygon")]
    pub(crate) enable_word_polygon: Option<String>,
}

/// Validated OCR parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OcrParams {
    pub(crate) ty: String,
    pub(crate) language: String,
    pub(crate) is_pdf: bool,
    pub(crate) pdf_page: u32,
    pub(crate) is_word: bool,
    pub(crate) word_polygon: bool,
}

fn flag(value: Option<&str>, name: &str) -> Result<bool, String> {
    match value.map(str::trim) {
        None | Some("") => Ok(false),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => Err(format!("{name} must be true or false, not `{other}`.")),
    }
}

impl ImageOcrXml {
    /// Checks the documented rules (value sets, and which options each `Type` allows).
    pub(crate) fn validate(&self) -> Result<OcrParams, String> {
        let ty = self
            .ty
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .unwrap_or("general")
            .to_owned();
        if !TYPES.contains(&ty.as_str()) {
            return Err(format!("Type `{ty}` is not one of: {}.", TYPES.join(", ")));
        }
        let language = self
            .language_type
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .unwrap_or("zh")
            .to_owned();
        if !LANGUAGE_TYPES.contains(&language.as_str()) {
            return Err(format!(
                "LanguageType `{language}` is not one of: {}.",
                LANGUAGE_TYPES.join(", ")
            ));
        }
        let is_pdf = flag(self.is_pdf.as_deref(), "IsPdf")?;
        let is_word = flag(self.is_word.as_deref(), "IsWord")?;
        let word_polygon = flag(self.enable_word_polygon.as_deref(), "EnableWordPolygon")?;
        if is_pdf && !matches!(ty.as_str(), "general" | "fast") {
            return Err(format!(
                "IsPdf applies only to Type general or fast, not `{ty}`."
            ));
        }
        if is_word && !matches!(ty.as_str(), "general" | "accurate") {
            return Err(format!(
                "IsWord applies only to Type general or accurate, not `{ty}`."
            ));
        }
        if word_polygon && ty != "handwriting" {
            return Err(format!(
                "EnableWordPolygon applies only to Type handwriting, not `{ty}`."
            ));
        }
        // The page number "takes effect only when IsPdf is true": otherwise it is ignored
        // (cos-python-sdk-v5 always sends `ispdf=false&pdf-pagenumber=1`).
        let pdf_page = match self.pdf_page_number.as_deref().map(str::trim) {
            None | Some("") => 1,
            Some(_) if !is_pdf => 1,
            Some(text) => text
                .parse()
                .ok()
                .filter(|p| *p >= 1)
                .ok_or_else(|| format!("PdfPageNumber `{text}` must be a positive integer."))?,
        };
        Ok(OcrParams {
            ty,
            language,
            is_pdf,
            pdf_page,
            is_word,
            word_polygon,
        })
    }

    /// Writes `<ImageOCR>…</ImageOCR>` with the validated values.
    pub(crate) fn write(params: &OcrParams, x: &mut Xml) {
        x.open("ImageOCR")
            .leaf("Type", &params.ty)
            .leaf("LanguageType", &params.language)
            .leaf("IsPdf", params.is_pdf.to_string());
        if params.is_pdf {
            x.leaf("PdfPageNumber", params.pdf_page.to_string());
        }
        x.leaf("IsWord", params.is_word.to_string())
            .leaf("EnableWordPolygon", params.word_polygon.to_string())
            .close("ImageOCR");
    }
}

/// Why a document cannot be recognised with these parameters: (code, message). A URL that
/// cannot be downloaded is `InvalidImageSource`; an unsupported format and a file that is
/// not whole (truncated, broken) are `InvalidImageFormat`.
pub(crate) fn check_document(
    doc: &Document,
    params: &OcrParams,
) -> Result<usize, (String, String)> {
    if let Some(Unreadable::Unreachable(reason)) = &doc.unreadable {
        return Err((
            "InvalidImageSource".to_owned(),
            format!("The input could not be downloaded: {reason}."),
        ));
    }
    let allowed = [Format::Png, Format::Jpeg, Format::Bmp, Format::Pdf];
    if doc.size > 0 && !allowed.contains(&doc.format) {
        return Err((
            "InvalidImageFormat".to_owned(),
            format!(
                "The input is `{}`; OCR accepts PNG, JPG, JPEG, BMP and PDF.",
                doc.format.name()
            ),
        ));
    }
    if let Some(Unreadable::Damaged(reason)) = &doc.unreadable {
        return Err((
            "InvalidImageFormat".to_owned(),
            format!("The input could not be decoded: {reason}."),
        ));
    }
    if doc.size.saturating_mul(4).div_ceil(3) > MAX_BASE64 {
        return Err((
            "ImageTooLarge".to_owned(),
            "The input exceeds 7 MB after base64 encoding.".to_owned(),
        ));
    }
    let is_pdf_input = doc.format == Format::Pdf;
    if is_pdf_input && !params.is_pdf {
        return Err((
            "InvalidImageFormat".to_owned(),
            "The input is a PDF: set IsPdf (ispdf) to true.".to_owned(),
        ));
    }
    let page = if is_pdf_input {
        params.pdf_page as usize
    } else {
        1
    };
    if page > doc.pages.len() {
        return Err((
            "InvalidArgument".to_owned(),
            format!(
                "PdfPageNumber {page} is beyond the document's {} pages.",
                doc.pages.len()
            ),
        ));
    }
    Ok(page - 1)
}

fn text_detection(x: &mut Xml, line: &LaidLine, params: &OcrParams) {
    x.open("TextDetections")
        .leaf("Confidence", line.confidence.to_string())
        .leaf("DetectedText", &line.text);
    x.open("ItemPolygon")
        .leaf("Height", line.rect.h.to_string())
        .leaf("Width", line.rect.w.to_string())
        .leaf("X", line.rect.x.to_string())
        .leaf("Y", line.rect.y.to_string())
        .close("ItemPolygon");
    for (px, py) in line.rect.corners() {
        x.point("Polygon", px, py);
    }
    if params.word_polygon {
        for c in &line.chars {
            let [lt, rt, rb, lb] = c.rect.corners();
            x.open("WordPolygon")
                .point("LeftBottom", lb.0, lb.1)
                .point("LeftTop", lt.0, lt.1)
                .point("RightBottom", rb.0, rb.1)
                .point("RightTop", rt.0, rt.1)
                .close("WordPolygon");
        }
    } else {
        x.empty("WordPolygon");
    }
    if params.is_word {
        for c in &line.chars {
            x.open("Words")
                .leaf("Character", &c.text)
                .leaf("Confidence", c.confidence.to_string())
                .open("WordCoordPoint");
            for (px, py) in c.rect.corners() {
                x.point("WordCoordinate", px, py);
            }
            x.close("WordCoordPoint").close("Words");
        }
    } else {
        x.open("Words")
            .empty("Character")
            .leaf("Confidence", "0")
            .empty("WordCoordPoint")
            .close("Words");
    }
    x.close("TextDetections");
}

/// The result elements (`TextDetections`…, `Language`, `Angel`, `PdfPageSize`) of one
/// page, written into the open parent element.
pub(crate) fn write_result(x: &mut Xml, doc: &Document, page: usize, params: &OcrParams) {
    if let Some(p) = doc.pages.get(page) {
        for line in p.laid_out() {
            text_detection(x, &line, params);
        }
    }
    let language = if params.ty == "general" {
        params.language.as_str()
    } else {
        ""
    };
    x.leaf("Language", language).leaf("Angel", "0").leaf(
        "PdfPageSize",
        if doc.format == Format::Pdf {
            doc.pages.len()
        } else {
            0
        }
        .to_string(),
    );
}

/// `GET /<key>?ci-process=OCR` (or `/?ci-process=OCR&detect-url=…`).
pub(crate) fn sync_ocr(call: &BucketCall<'_>) -> Response {
    let process = query_value(&call.query, "ci-process").unwrap_or_default();
    if process != "OCR" {
        return call.error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            &format!("ci-process `{process}` is not emulated (only OCR)."),
        );
    }
    let params = ImageOcrXml {
        ty: query_value(&call.query, "type").map(str::to_owned),
        language_type: query_value(&call.query, "language-type").map(str::to_owned),
        is_pdf: query_value(&call.query, "ispdf").map(str::to_owned),
        pdf_page_number: query_value(&call.query, "pdf-pagenumber").map(str::to_owned),
        is_word: query_value(&call.query, "isword").map(str::to_owned),
        enable_word_polygon: query_value(&call.query, "enable-word-polygon").map(str::to_owned),
    };
    let params = match params.validate() {
        Ok(p) => p,
        Err(message) => return call.error(StatusCode::BAD_REQUEST, "InvalidArgument", &message),
    };
    let doc = match query_value(&call.query, "detect-url").filter(|u| !u.is_empty()) {
        Some(url) => {
            if url::Url::parse(url).map(|u| matches!(u.scheme(), "http" | "https")) != Ok(true) {
                return call.error(
                    StatusCode::BAD_REQUEST,
                    "InvalidArgument",
                    "detect-url must be an http(s) URL, encoded once in the query.",
                );
            }
            call.shared.url_document(url)
        }
        None => {
            let Some(object) = call
                .shared
                .buckets
                .object(&call.target.bucket, &call.target.key)
            else {
                return call.error(
                    StatusCode::NOT_FOUND,
                    "NoSuchKey",
                    "The specified key does not exist.",
                );
            };
            let name = call
                .target
                .key
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned();
            content::recognize_bytes(&object.data, &name)
        }
    };
    let page = match check_document(&doc, &params) {
        Ok(page) => page,
        Err((code, message)) => return call.error(StatusCode::BAD_REQUEST, &code, &message),
    };
    call.shared
        .recorder
        .count_submission(crate::service::Service::Cos, "CiProcessOCR");
    let mut x = Xml::new().declaration();
    x.open("Response");
    write_result(&mut x, &doc, page, &params);
    x.leaf("RequestId", call.shared.ids.cos_request_id())
        .close("Response");
    xml_response(call.shared, false, StatusCode::OK, x.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xml(ty: &str) -> ImageOcrXml {
        ImageOcrXml {
            ty: Some(ty.to_owned()),
            ..Default::default()
        }
    }

    #[test]
    fn rules() {
        assert_eq!(ImageOcrXml::default().validate().unwrap().ty, "general");
        assert!(xml("nope").validate().is_err());
        let mut p = xml("accurate");
        p.is_pdf = Some("true".into());
        assert!(p.validate().unwrap_err().contains("IsPdf"));
        let mut p = xml("general");
        p.pdf_page_number = Some("2".into());
        assert_eq!(p.validate().unwrap().pdf_page, 1, "ignored without IsPdf");
        p.is_pdf = Some("false".into());
        assert_eq!(
            p.validate().unwrap().pdf_page,
            1,
            "ignored with IsPdf false"
        );
        p.is_pdf = Some("true".into());
        assert_eq!(p.validate().unwrap().pdf_page, 2);
        p.pdf_page_number = Some("0".into());
        assert!(p.validate().is_err());
        let mut p = xml("handwriting");
        p.is_word = Some("true".into());
        assert!(p.validate().is_err());
        let mut p = xml("general");
        p.language_type = Some("klingon".into());
        assert!(p.validate().is_err());
        p.is_word = Some("yes".into());
        assert!(p.validate().is_err());
    }
}
