//! Synchronous OCR on the COS host: `GET /<key>?ci-process=OCR` for an object in the bucket,
//! `GET /?ci-process=OCR&detect-url=<url>` for a public URL.

use ocr_core::{Error, Result};
use reqwest::Method;

use crate::client::{tag, CosCi, CosCiOp};
use crate::detection::SyncOcrResult;
use crate::endpoint::key_path;
use crate::params::{ImageOcr, Naming};
use crate::transport::Call;
use crate::validate;
use crate::xml;

impl CosCi {
    /// Recognises an object of the bucket synchronously (`GET /<key>?ci-process=OCR` with
    /// `type`, `language-type`, `ispdf`, `pdf-pagenumber`, `isword`, `enable-word-polygon`
    /// from `params`; unset ones are omitted).
    ///
    /// The service reads images up to 7 MB after Base64 encoding (about 5.2 MB). Billed: not
    /// resent after a failure that may have reached the service.
    ///
    /// ```no_run
    /// use cos_ci::{ImageOcr, LanguageType, OcrType};
    /// # async fn demo(client: cos_ci::CosCi) -> Result<(), ocr_core::Error> {
    /// let params = ImageOcr::new(OcrType::General).with_language(LanguageType::Zh);
    /// let result = client.ocr_object("test.jpg", &params).await?;
    /// for line in &result.text_detections {
    ///     println!("{} ({:?})", line.detected_text, line.confidence);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn ocr_object(&self, key: &str, params: &ImageOcr) -> Result<SyncOcrResult> {
        let op = CosCiOp::SyncOcr;
        validate::object_key("Key", key).map_err(|e| tag(e, op))?;
        params.validate_as(Naming::Query).map_err(|e| tag(e, op))?;
        let mut call = Call::new(op, Method::GET, key_path(key)).query("ci-process", "OCR");
        call.query.extend(params.query_pairs());
        self.sync_ocr(&call).await
    }

    /// Recognises the image at a public `http`/`https` URL synchronously
    /// (`GET /?ci-process=OCR&detect-url=<url>`; the URL is encoded once in the query).
    ///
    /// ```no_run
    /// # async fn demo(client: cos_ci::CosCi) -> Result<(), ocr_core::Error> {
    /// let result = client.ocr_url("http://www.example.com/abc.jpg", &Default::default()).await?;
    /// println!("{:?}", result.request_id);
    /// # Ok(()) }
    /// ```
    pub async fn ocr_url(&self, url: &str, params: &ImageOcr) -> Result<SyncOcrResult> {
        let op = CosCiOp::SyncOcr;
        check_detect_url(url).map_err(|e| tag(e, op))?;
        params.validate_as(Naming::Query).map_err(|e| tag(e, op))?;
        let mut call = Call::new(op, Method::GET, "")
            .query("ci-process", "OCR")
            .query("detect-url", url);
        call.query.extend(params.query_pairs());
        self.sync_ocr(&call).await
    }

    async fn sync_ocr(&self, call: &Call) -> Result<SyncOcrResult> {
        self.execute_then(call, |reply| {
            let mut out: SyncOcrResult = xml::from_xml(&reply.body)?;
            if out.request_id.is_none() {
                out.request_id = reply.request_id();
            }
            Ok(out)
        })
        .await
    }
}

fn check_detect_url(text: &str) -> Result<()> {
    let url = url::Url::parse(text)
        .map_err(|e| Error::invalid_input("detect-url", format!("is not a valid URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::invalid_input(
            "detect-url",
            format!("must use http or https, not {}", url.scheme()),
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid_input("detect-url", "has no host"));
    }
    Ok(())
}
