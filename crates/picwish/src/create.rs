//! The create-task request: its source (exactly one of `image_url` / `image_file` by
//! construction), `language`, `password` and `format`, the checks that run before anything is
//! sent, and the multipart form, whose file part streams from disk.

use std::fmt;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use ocr_core::request::inspect;
use ocr_core::{Error, ErrorKind, Result, Source};
use reqwest::multipart::{Form, Part};
use tokio::io::AsyncReadExt;

use crate::limits::{input_limits, MAX_LANGUAGES, MAX_PASSWORD_CHARS};
use crate::result::ResultFormat;

/// How many bytes of a file are read at a time while streaming it into the request.
const UPLOAD_CHUNK: usize = 64 * 1024;

/// A create-task request (`POST /api/tasks/document/ocr`).
///
/// The source is given once, at construction: a URL (`image_url`) or a local file or bytes
/// (`image_file`), so "exactly one of them" holds by construction. Everything else is
/// optional and checked by [`CreateTask::validate`] (which
/// [`PicWish::create`](crate::PicWish::create) runs before sending). `Debug` never shows the
/// password.
///
/// ```
/// use picwish::{CreateTask, ResultFormat};
/// let task = CreateTask::from_file("scan.pdf")
///     .with_language(["English", "ChinesePRC", "Digits"])
///     .with_password("s3cret")
///     .with_format(ResultFormat::Docx);
/// assert_eq!(task.language(), ["English", "ChinesePRC", "Digits"]);
/// assert!(!format!("{task:?}").contains("s3cret"));
/// ```
#[derive(Clone)]
pub struct CreateTask {
    source: Source,
    language: Vec<String>,
    password: Option<String>,
    format: Option<ResultFormat>,
}

impl fmt::Debug for CreateTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.source {
            Source::Url(u) => format!("Url({})", crate::redact::redact_url(u.as_str())),
            Source::Path(p) => format!("Path({})", p.display()),
            Source::Bytes { data, file_name } => {
                format!("Bytes({} bytes, {:?})", data.len(), file_name)
            }
        };
        f.debug_struct("CreateTask")
            .field("source", &source)
            .field("language", &self.language)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("format", &self.format)
            .finish()
    }
}

impl CreateTask {
    /// A task for `source`: a URL becomes `image_url`, a path or bytes become `image_file`.
    pub fn new(source: Source) -> Self {
        CreateTask {
            source,
            language: Vec::new(),
            password: None,
            format: None,
        }
    }

    /// A task for a publicly reachable URL (`image_url`). Only a malformed URL is refused
    /// here; scheme and port are checked by [`CreateTask::validate`].
    ///
    /// ```
    /// assert!(picwish::CreateTask::from_url("https://example.com/a.png").is_ok());
    /// let err = picwish::CreateTask::from_url("not a url").unwrap_err();
    /// assert_eq!(err.field(), Some("image_url"));
    /// ```
    pub fn from_url(url: &str) -> Result<Self> {
        let parsed = url::Url::parse(url).map_err(|e| {
            Error::invalid_input("image_url", format!("is not a valid URL: {e}")).with_source(e)
        })?;
        Ok(CreateTask::new(Source::Url(parsed)))
    }

    /// A task for a local file, streamed from disk as `image_file` (never read into memory).
    pub fn from_file(path: impl Into<PathBuf>) -> Self {
        CreateTask::new(Source::Path(path.into()))
    }

    /// A task for bytes in memory, uploaded as `image_file` under `file_name` (or
    /// `upload.<ext>` after the sniffed format).
    pub fn from_bytes(data: impl Into<Bytes>, file_name: Option<&str>) -> Self {
        CreateTask::new(Source::Bytes {
            data: data.into(),
            file_name: file_name.map(str::to_owned),
        })
    }

    /// Sets the source languages (`language`): at most 10 case-sensitive names such as
    /// `English`, `ChinesePRC`, `Digits`, sent comma-separated. Empty means the service default
    /// (ChinesePRC, English and Digits).
    pub fn with_language<I, S>(mut self, languages: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.language = languages.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the password of a protected source file (`password`, at most 32 characters).
    pub fn with_password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// Sets the result file format (`format`); unset, the field is not sent.
    pub fn with_format(mut self, format: ResultFormat) -> Self {
        self.format = Some(format);
        self
    }

    /// The source.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The languages, as they will be sent.
    pub fn language(&self) -> &[String] {
        &self.language
    }

    /// Whether a password is set (the password itself is not exposed).
    pub fn has_password(&self) -> bool {
        self.password.is_some()
    }

    /// The result format, if set.
    pub fn format(&self) -> Option<ResultFormat> {
        self.format
    }

    /// Checks every documented rule without sending anything: source format (sniffed from the
    /// content), size ≤ 200 MB, image sides ≤ 32512, URL scheme http/https on port 80 or 443,
    /// at most 10 language names of letters, digits, `_` or `-`, and a password of 1 to 32
    /// characters. Failures are [`ErrorKind::InvalidInput`] naming the wire field.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let task = picwish::CreateTask::from_url("https://example.com:8080/a.png").unwrap();
    /// let err = task.validate().await.unwrap_err();
    /// assert_eq!(err.field(), Some("image_url"));
    /// # }
    /// ```
    pub async fn validate(&self) -> Result<()> {
        self.prepare().await.map(|_| ())
    }

    /// Validates and captures what the form needs, so each attempt can rebuild it.
    pub(crate) async fn prepare(&self) -> Result<Prepared> {
        let language = check_languages(&self.language)?;
        if let Some(password) = &self.password {
            check_password(password)?;
        }
        let field = match self.source {
            Source::Url(_) => "image_url",
            _ => "image_file",
        };
        let info = inspect(&self.source, &input_limits())
            .await
            .map_err(|e| e.with_field(field))?;
        let upload = match &self.source {
            Source::Url(url) => Upload::Url(url.to_string()),
            Source::Path(path) => {
                let (name, media_type) = upload_name(&info);
                Upload::File {
                    path: path.clone(),
                    len: info.size.unwrap_or(0),
                    name,
                    media_type,
                }
            }
            Source::Bytes { data, .. } => {
                let (name, media_type) = upload_name(&info);
                Upload::Bytes {
                    data: data.clone(),
                    name,
                    media_type,
                }
            }
        };
        Ok(Prepared {
            upload,
            language,
            password: self.password.clone(),
            format: self.format,
        })
    }
}

fn upload_name(info: &ocr_core::request::SourceInfo) -> (String, &'static str) {
    let media_type = info
        .format
        .map(ocr_core::Format::media_type)
        .unwrap_or("application/octet-stream");
    let name = match (&info.file_name, info.format) {
        (Some(name), _) if !name.is_empty() => safe_upload_name(name),
        (_, Some(format)) => format!("upload.{}", format.extension()),
        _ => "upload".to_owned(),
    };
    (name, media_type)
}

/// A file name that is safe inside `Content-Disposition: form-data; filename="…"`: control
/// characters (CR and LF would start a new header), `"` and `\` become `_` (RFC 7578 §4.2
/// leaves the escaping of these to the sender; replacing them cannot be misread).
pub(crate) fn safe_upload_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_control() || c == '"' || c == '\\' {
                '_'
            } else {
                c
            }
        })
        .collect()
}

fn check_languages(languages: &[String]) -> Result<Option<String>> {
    if languages.is_empty() {
        return Ok(None);
    }
    if languages.len() > MAX_LANGUAGES {
        return Err(Error::invalid_input(
            "language",
            format!(
                "names {} languages; a file can contain at most {MAX_LANGUAGES}",
                languages.len()
            ),
        ));
    }
    for name in languages {
        let ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !ok {
            return Err(Error::invalid_input(
                "language",
                format!(
                    "has the name {name:?}; names are non-empty, case-sensitive words of ASCII \
                     letters, digits, '_' or '-' (for example English, ChinesePRC, Digits), \
                     given one per entry, not comma-joined"
                ),
            ));
        }
    }
    Ok(Some(languages.join(",")))
}

fn check_password(password: &str) -> Result<()> {
    let chars = password.chars().count();
    if chars == 0 {
        return Err(Error::invalid_input(
            "password",
            "is empty; leave it unset for a file without a password",
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(Error::invalid_input(
            "password",
            format!("is {chars} characters long; passwords can be up to {MAX_PASSWORD_CHARS}"),
        ));
    }
    Ok(())
}

/// A validated request, ready to be turned into a multipart form for each attempt.
#[derive(Clone)]
pub(crate) struct Prepared {
    upload: Upload,
    language: Option<String>,
    password: Option<String>,
    format: Option<ResultFormat>,
}

#[derive(Clone)]
enum Upload {
    Url(String),
    File {
        path: PathBuf,
        len: u64,
        name: String,
        media_type: &'static str,
    },
    Bytes {
        data: Bytes,
        name: String,
        media_type: &'static str,
    },
}

impl Prepared {
    /// The multipart form, parts in this order: the source (`image_url` or `image_file`),
    /// `language`, `password`, `format`; unset fields are not sent. A file is opened here and
    /// streamed in chunks as the request body is written.
    pub(crate) async fn form(&self) -> Result<Form> {
        let mut form = Form::new();
        form = match &self.upload {
            Upload::Url(url) => form.text("image_url", url.clone()),
            Upload::File {
                path,
                len,
                name,
                media_type,
            } => {
                let file = tokio::fs::File::open(path)
                    .await
                    .map_err(|e| open_error(path, e))?;
                // Never send more than was validated and announced, even if the file grows.
                let reader = file.take(*len);
                let stream = tokio_util::io::ReaderStream::with_capacity(reader, UPLOAD_CHUNK);
                let part = Part::stream_with_length(reqwest::Body::wrap_stream(stream), *len)
                    .file_name(name.clone())
                    .mime_str(media_type)
                    .map_err(mime_error)?;
                form.part("image_file", part)
            }
            Upload::Bytes {
                data,
                name,
                media_type,
            } => {
                let part = Part::stream_with_length(data.clone(), data.len() as u64)
                    .file_name(name.clone())
                    .mime_str(media_type)
                    .map_err(mime_error)?;
                form.part("image_file", part)
            }
        };
        if let Some(language) = &self.language {
            form = form.text("language", language.clone());
        }
        if let Some(password) = &self.password {
            form = form.text("password", password.clone());
        }
        if let Some(format) = self.format {
            form = form.text("format", format.as_str());
        }
        Ok(form)
    }
}

fn open_error(path: &Path, err: std::io::Error) -> Error {
    Error::new(
        ErrorKind::InvalidInput,
        format!("cannot open {} for upload", path.display()),
    )
    .with_field("image_file")
    .with_source(err)
}

fn mime_error(err: reqwest::Error) -> Error {
    Error::config("cannot set the upload content type").with_source(err)
}

#[cfg(test)]
mod tests {
    #[test]
    fn upload_names_cannot_inject_headers() {
        assert_eq!(
            super::safe_upload_name("a\r\nX-Evil: 1\".png"),
            "a__X-Evil: 1_.png"
        );
        assert_eq!(super::safe_upload_name("résumé.pdf"), "résumé.pdf");
    }

    use super::*;

    #[test]
    fn language_rules() {
        assert_eq!(check_languages(&[]).unwrap(), None);
        let ok: Vec<String> = ["English", "ChinesePRC", "Digits"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            check_languages(&ok).unwrap().as_deref(),
            Some("English,ChinesePRC,Digits")
        );
        let ten: Vec<String> = (0..10).map(|i| format!("L{i}")).collect();
        assert!(check_languages(&ten).is_ok());
        let eleven: Vec<String> = (0..11).map(|i| format!("L{i}")).collect();
        assert!(check_languages(&eleven).is_err());
        for bad in ["", "English,Digits", "Chinese PRC", "Français"] {
            let err = check_languages(&[bad.to_owned()]).unwrap_err();
            assert_eq!(err.field(), Some("language"), "{bad}");
        }
    }

    #[test]
    fn password_rules() {
        assert!(check_password(&"p".repeat(32)).is_ok());
        assert!(
            check_password(&"é".repeat(32)).is_ok(),
            "characters, not bytes"
        );
        assert!(check_password(&"p".repeat(33)).is_err());
        assert!(check_password("").is_err());
        let err = check_password(&"p".repeat(40)).unwrap_err();
        assert!(!err.to_string().contains("pppp"), "{err}");
    }
}
