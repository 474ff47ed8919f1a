//! OCR templates (Tag `ImageOCR`) on the CI host: create (`POST /template`), update
//! (`PUT /template/<id>`), describe (`GET /template`) and delete (`DELETE /template/<id>`).

use ocr_core::{Error, Result};
use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::client::{tag, CosCi, CosCiOp};
use crate::jobs::{prefix_field, IMAGE_OCR_TAG};
use crate::params::ImageOcr;
use crate::time::{opt_time, CiTime};
use crate::transport::{Call, Payload};
use crate::validate;
use crate::xml;

/// Largest `pageSize` of a template query.
pub const MAX_TEMPLATE_PAGE_SIZE: u32 = 100;

/// The body of template create and update:
/// `<Request><Tag>ImageOCR</Tag><Name>…</Name><ImageOCR>…</ImageOCR></Request>`.
#[derive(Serialize)]
struct TemplateBody<'a> {
    #[serde(rename = "Tag")]
    tag: &'static str,
    #[serde(rename = "Name")]
    name: &'a str,
    #[serde(rename = "ImageOCR")]
    image_ocr: &'a ImageOcr,
}

/// An OCR template as the service describes it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct OcrTemplate {
    /// `TemplateId`, e.g. `t1460606b9752148c4ab182f55163ba7cd`.
    #[serde(rename = "TemplateId", default, deserialize_with = "xml::string")]
    pub template_id: String,
    /// `Tag`: `ImageOCR`.
    #[serde(rename = "Tag", default, deserialize_with = "xml::string")]
    pub tag: String,
    /// `Name`.
    #[serde(rename = "Name", default, deserialize_with = "xml::string")]
    pub name: String,
    /// `BucketId`.
    #[serde(rename = "BucketId", default, deserialize_with = "xml::opt_string")]
    pub bucket_id: Option<String>,
    /// `Category`: `Custom` or `Official`.
    #[serde(rename = "Category", default, deserialize_with = "xml::opt_string")]
    pub category: Option<String>,
    /// `CreateTime`.
    #[serde(rename = "CreateTime", default, deserialize_with = "opt_time")]
    pub create_time: Option<CiTime>,
    /// `UpdateTime`.
    #[serde(rename = "UpdateTime", default, deserialize_with = "opt_time")]
    pub update_time: Option<CiTime>,
    /// `ImageOCR`: the template's parameters.
    #[serde(rename = "ImageOCR", default)]
    pub image_ocr: Option<ImageOcr>,
}

/// The answer of template create and update.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct TemplateOutput {
    /// `RequestId`, else the `x-ci-request-id` header.
    #[serde(rename = "RequestId", default, deserialize_with = "xml::opt_string")]
    pub request_id: Option<String>,
    /// `Template`.
    #[serde(rename = "Template", default)]
    pub template: OcrTemplate,
}

/// The answer of template delete.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct DeleteTemplateOutput {
    /// `RequestId`, else the `x-ci-request-id` header.
    #[serde(rename = "RequestId", default, deserialize_with = "xml::opt_string")]
    pub request_id: Option<String>,
    /// `TemplateId`: the template deleted.
    #[serde(rename = "TemplateId", default, deserialize_with = "xml::opt_string")]
    pub template_id: Option<String>,
}

/// The answer of template describe.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct TemplateList {
    /// `RequestId`, else the `x-ci-request-id` header.
    #[serde(rename = "RequestId", default, deserialize_with = "xml::opt_string")]
    pub request_id: Option<String>,
    /// `TotalCount`.
    #[serde(rename = "TotalCount", default, deserialize_with = "xml::opt_int")]
    pub total_count: Option<u64>,
    /// `PageNumber`.
    #[serde(rename = "PageNumber", default, deserialize_with = "xml::opt_int")]
    pub page_number: Option<u32>,
    /// `PageSize`.
    #[serde(rename = "PageSize", default, deserialize_with = "xml::opt_int")]
    pub page_size: Option<u32>,
    /// `TemplateList` (repeated).
    #[serde(rename = "TemplateList", default)]
    pub template_list: Vec<OcrTemplate>,
}

/// `category` of a template query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TemplateCategory {
    /// `Custom`: your templates (the default).
    Custom,
    /// `Official`: the service's preset templates.
    Official,
}

impl TemplateCategory {
    fn as_str(self) -> &'static str {
        match self {
            TemplateCategory::Custom => "Custom",
            TemplateCategory::Official => "Official",
        }
    }
}

/// Filters of `GET /template`.
///
/// `tag` is not sent unless set (the service default is `All`; filtering by `ImageOCR` is not
/// confirmed by the documentation), so set it with [`with_tag`](Self::with_tag) if the service
/// accepts it.
///
/// ```
/// use cos_ci::TemplateQuery;
/// let q = TemplateQuery::default().with_ids(["t1460606b9752148c4ab182f55163ba7cd"]).with_page(1, 10);
/// assert!(q.validate().is_ok());
/// assert!(TemplateQuery::default().with_page(1, 0).validate().is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TemplateQuery {
    /// `tag`: e.g. `ImageOCR`.
    pub tag: Option<String>,
    /// `category`.
    pub category: Option<TemplateCategory>,
    /// `ids`: template ids (sent as a comma list).
    pub ids: Vec<String>,
    /// `name`: a name prefix.
    pub name: Option<String>,
    /// `pageNumber`: from 1.
    pub page_number: Option<u32>,
    /// `pageSize`: 1–100.
    pub page_size: Option<u32>,
}

impl TemplateQuery {
    /// Sets `tag`.
    #[must_use]
    pub fn with_tag(mut self, tag: impl Into<String>) -> Self {
        self.tag = Some(tag.into());
        self
    }

    /// Sets `category`.
    #[must_use]
    pub fn with_category(mut self, category: TemplateCategory) -> Self {
        self.category = Some(category);
        self
    }

    /// Sets `ids`.
    #[must_use]
    pub fn with_ids<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.ids = ids.into_iter().map(Into::into).collect();
        self
    }

    /// Sets `name` (a prefix).
    #[must_use]
    pub fn with_name(mut self, prefix: impl Into<String>) -> Self {
        self.name = Some(prefix.into());
        self
    }

    /// Sets `pageNumber` and `pageSize`.
    #[must_use]
    pub fn with_page(mut self, number: u32, size: u32) -> Self {
        self.page_number = Some(number);
        self.page_size = Some(size);
        self
    }

    /// Checks `pageNumber` (≥ 1), `pageSize` (1–100) and the ids.
    pub fn validate(&self) -> Result<()> {
        if self.page_number == Some(0) {
            return Err(Error::invalid_input("pageNumber", "must be at least 1"));
        }
        if let Some(size) = self.page_size {
            validate::page_size("pageSize", size, MAX_TEMPLATE_PAGE_SIZE)?;
        }
        for id in &self.ids {
            validate::template_id("ids", id)?;
        }
        Ok(())
    }

    fn query(&self) -> Vec<(String, String)> {
        let mut q = Vec::new();
        if let Some(t) = &self.tag {
            q.push(("tag".to_owned(), t.clone()));
        }
        if let Some(c) = self.category {
            q.push(("category".to_owned(), c.as_str().to_owned()));
        }
        if !self.ids.is_empty() {
            q.push(("ids".to_owned(), self.ids.join(",")));
        }
        if let Some(n) = &self.name {
            q.push(("name".to_owned(), n.clone()));
        }
        if let Some(n) = self.page_number {
            q.push(("pageNumber".to_owned(), n.to_string()));
        }
        if let Some(n) = self.page_size {
            q.push(("pageSize".to_owned(), n.to_string()));
        }
        q
    }
}

fn template_body(name: &str, params: &ImageOcr) -> Result<String> {
    validate::template_name(name)?;
    params
        .validate()
        .map_err(|e| prefix_field(e, "ImageOCR."))?;
    xml::to_xml(
        "Request",
        &TemplateBody {
            tag: IMAGE_OCR_TAG,
            name,
            image_ocr: params,
        },
    )
}

impl CosCi {
    /// Creates an OCR template (`POST /template`, Tag `ImageOCR`).
    ///
    /// ```no_run
    /// use cos_ci::{ImageOcr, OcrType};
    /// # async fn demo(client: cos_ci::CosCi) -> Result<(), ocr_core::Error> {
    /// let out = client
    ///     .create_template("ImageOCR-123", &ImageOcr::new(OcrType::General).with_words(true))
    ///     .await?;
    /// println!("template {}", out.template.template_id);
    /// # Ok(()) }
    /// ```
    pub async fn create_template(&self, name: &str, params: &ImageOcr) -> Result<TemplateOutput> {
        let op = CosCiOp::CreateTemplate;
        let body = template_body(name, params).map_err(|e| tag(e, op))?;
        let call = Call::new(op, Method::POST, "template").payload(Payload::xml(body));
        self.template_call(&call).await
    }

    /// Replaces an OCR template's name and parameters (`PUT /template/<id>`).
    ///
    /// ```no_run
    /// use cos_ci::{ImageOcr, OcrType};
    /// # async fn demo(client: cos_ci::CosCi) -> Result<(), ocr_core::Error> {
    /// client
    ///     .update_template("t1460606b9752148c4ab182f55163ba7cd", "ImageOCR-123", &ImageOcr::new(OcrType::Accurate))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_template(
        &self,
        template_id: &str,
        name: &str,
        params: &ImageOcr,
    ) -> Result<TemplateOutput> {
        let op = CosCiOp::UpdateTemplate;
        validate::template_id("TemplateId", template_id).map_err(|e| tag(e, op))?;
        let body = template_body(name, params).map_err(|e| tag(e, op))?;
        let call = Call::new(op, Method::PUT, format!("template/{template_id}"))
            .payload(Payload::xml(body));
        self.template_call(&call).await
    }

    async fn template_call(&self, call: &Call) -> Result<TemplateOutput> {
        self.execute_then(call, |reply| {
            let mut out: TemplateOutput = xml::from_xml(&reply.body)?;
            if out.request_id.is_none() {
                out.request_id = reply.request_id();
            }
            Ok(out)
        })
        .await
    }

    /// Describes templates (`GET /template?…`).
    ///
    /// ```no_run
    /// use cos_ci::TemplateQuery;
    /// # async fn demo(client: cos_ci::CosCi) -> Result<(), ocr_core::Error> {
    /// let list = client.describe_templates(&TemplateQuery::default().with_name("ImageOCR")).await?;
    /// for t in &list.template_list {
    ///     println!("{} {}", t.template_id, t.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn describe_templates(&self, query: &TemplateQuery) -> Result<TemplateList> {
        let op = CosCiOp::DescribeTemplates;
        query.validate().map_err(|e| tag(e, op))?;
        let mut call = Call::new(op, Method::GET, "template");
        call.query = query.query();
        self.execute_then(&call, |reply| {
            let mut out: TemplateList = xml::from_xml(&reply.body)?;
            if out.request_id.is_none() {
                out.request_id = reply.request_id();
            }
            Ok(out)
        })
        .await
    }

    /// Deletes a template (`DELETE /template/<id>`).
    ///
    /// ```no_run
    /// # async fn demo(client: cos_ci::CosCi) -> Result<(), ocr_core::Error> {
    /// client.delete_template("t1460606b9752148c4ab182f55163ba7cd").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_template(&self, template_id: &str) -> Result<DeleteTemplateOutput> {
        let op = CosCiOp::DeleteTemplate;
        validate::template_id("TemplateId", template_id).map_err(|e| tag(e, op))?;
        let call = Call::new(op, Method::DELETE, format!("template/{template_id}"));
        self.execute_then(&call, |reply| {
            let mut out: DeleteTemplateOutput = if reply.body.iter().all(u8::is_ascii_whitespace) {
                DeleteTemplateOutput::default()
            } else {
                xml::from_xml(&reply.body)?
            };
            if out.request_id.is_none() {
                out.request_id = reply.request_id();
            }
            Ok(out)
        })
        .await
    }
}
