//! Input rules checked before anything is sent: names, keys, ids and limits.

use ocr_core::{Error, Result};

/// The whole default COS domain `<BucketName-APPID>.cos.<Region>.myqcloud.com` may be at most
/// this long, which bounds the bucket name (COS bucket naming rules).
pub const MAX_BUCKET_DOMAIN_LEN: usize = 60;

/// Longest object key COS accepts, in UTF-8 bytes (COS object-key rules; not in the spec).
pub const MAX_KEY_BYTES: usize = 850;

/// Largest body of one `PUT Object`: 5 GB; larger objects need multipart upload.
pub const MAX_PUT_OBJECT_BYTES: u64 = 5 * 1024 * 1024 * 1024;

/// CI OCR reads images of at most 7 MB **after Base64 encoding**.
pub const MAX_OCR_BASE64_BYTES: u64 = 7 * 1024 * 1024;

/// The largest raw file whose Base64 form fits in [`MAX_OCR_BASE64_BYTES`]: 5,505,024 bytes.
pub const MAX_OCR_FILE_BYTES: u64 = MAX_OCR_BASE64_BYTES / 4 * 3;

/// `Operation.UserData`: at most this many characters, printable ASCII.
pub const MAX_USER_DATA_CHARS: usize = 1024;

/// Cancel takes at most this many job ids at once.
pub const MAX_CANCEL_IDS: usize = 10;

/// Template names are at most this many characters.
pub const MAX_TEMPLATE_NAME_CHARS: usize = 64;

/// Length of the Base64 encoding of `n` bytes.
pub fn base64_len(n: u64) -> u64 {
    n.div_ceil(3).saturating_mul(4)
}

/// A full bucket name `<BucketName>-<APPID>`: lower-case letters, digits and `-`, not starting
/// or ending with `-`, a numeric APPID, and a default domain of at most 60 characters.
pub(crate) fn bucket(bucket: &str, region: &str) -> Result<()> {
    const FIELD: &str = "Bucket";
    let (name, appid) = bucket.rsplit_once('-').ok_or_else(|| {
        Error::invalid_input(
            FIELD,
            "must be <BucketName>-<APPID>, e.g. examplebucket-1250000000",
        )
    })?;
    if appid.is_empty() || !appid.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid_input(
            FIELD,
            "must end with -<APPID>, the numeric account APPID",
        ));
    }
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(Error::invalid_input(
            FIELD,
            "BucketName may only use lower-case letters a-z, digits 0-9 and `-`",
        ));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err(Error::invalid_input(
            FIELD,
            "BucketName must not start or end with `-`",
        ));
    }
    let domain_len = bucket.len() + ".cos.".len() + region.len() + ".myqcloud.com".len();
    if domain_len > MAX_BUCKET_DOMAIN_LEN {
        return Err(Error::invalid_input(
            FIELD,
            format!(
                "is too long: <bucket>.cos.<region>.myqcloud.com must be at most \
                 {MAX_BUCKET_DOMAIN_LEN} characters, here {domain_len}"
            ),
        ));
    }
    Ok(())
}

/// A region id such as `ap-beijing`: lower-case letters, digits and `-`.
pub(crate) fn region(region: &str) -> Result<()> {
    if region.is_empty()
        || !region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        || region.starts_with('-')
        || region.ends_with('-')
    {
        return Err(Error::invalid_input(
            "Region",
            format!("`{region}` is not a region id like ap-beijing (a-z, 0-9 and `-`)"),
        ));
    }
    Ok(())
}

/// An object key: not empty, at most 850 UTF-8 bytes, no leading `/`, no ASCII control
/// characters, and no `.` or `..` segment (a URL would resolve them away).
pub(crate) fn object_key(field: &str, key: &str) -> Result<()> {
    if key.is_empty() {
        return Err(Error::invalid_input(field, "must not be empty"));
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(Error::invalid_input(
            field,
            format!(
                "is {} bytes long; object keys are at most {MAX_KEY_BYTES} bytes",
                key.len()
            ),
        ));
    }
    if key.starts_with('/') {
        return Err(Error::invalid_input(
            field,
            "must not start with `/` (write `dir/file.jpg`, not `/dir/file.jpg`)",
        ));
    }
    if key.chars().any(|c| c.is_ascii_control()) {
        return Err(Error::invalid_input(
            field,
            "must not contain control characters",
        ));
    }
    if key.split('/').any(|seg| seg == "." || seg == "..") {
        return Err(Error::invalid_input(
            field,
            "must not contain `.` or `..` path segments",
        ));
    }
    Ok(())
}

/// A key prefix (may be empty): the key rules, applied to the prefix itself.
pub(crate) fn key_prefix(prefix: &str) -> Result<()> {
    if prefix.is_empty() {
        return Ok(());
    }
    object_key("key_prefix", prefix)?;
    // Room for the 32-hex-digit content hash and an extension.
    if prefix.len() + 40 > MAX_KEY_BYTES {
        return Err(Error::invalid_input(
            "key_prefix",
            "leaves no room for the object name within 850 bytes",
        ));
    }
    Ok(())
}

/// A job id: letters and digits only (ids look like `a3c193f288b2c11eeb60f39de2f86f409`).
pub(crate) fn job_id(id: &str) -> Result<()> {
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Error::invalid_input(
            "JobId",
            format!("`{id}` is not a job id (letters and digits only)"),
        ));
    }
    Ok(())
}

/// A template id: letters and digits only (ids look like `t1460606b9752148c4ab182f55163ba7cd`).
pub(crate) fn template_id(field: &str, id: &str) -> Result<()> {
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Error::invalid_input(
            field,
            format!("`{id}` is not a template id (letters and digits only)"),
        ));
    }
    Ok(())
}

/// `UserData`: printable ASCII, at most 1024 characters.
pub(crate) fn user_data(value: &str) -> Result<()> {
    const FIELD: &str = "Operation.UserData";
    if value.len() > MAX_USER_DATA_CHARS {
        return Err(Error::invalid_input(
            FIELD,
            format!(
                "is {} characters long; at most {MAX_USER_DATA_CHARS} are allowed",
                value.chars().count()
            ),
        ));
    }
    if !value.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        return Err(Error::invalid_input(
            FIELD,
            "must be printable ASCII (space to `~`)",
        ));
    }
    Ok(())
}

/// A template `Name`: Chinese characters, English letters, digits, `_`, `-` and `*`, at most
/// 64 characters.
pub(crate) fn template_name(name: &str) -> Result<()> {
    const FIELD: &str = "Name";
    if name.is_empty() {
        return Err(Error::invalid_input(FIELD, "must not be empty"));
    }
    let count = name.chars().count();
    if count > MAX_TEMPLATE_NAME_CHARS {
        return Err(Error::invalid_input(
            FIELD,
            format!("is {count} characters long; at most {MAX_TEMPLATE_NAME_CHARS} are allowed"),
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '*') || is_han(c)))
    {
        return Err(Error::invalid_input(
            FIELD,
            format!(
                "may only use Chinese characters, letters, digits, `_`, `-` and `*` (found {bad:?})"
            ),
        ));
    }
    Ok(())
}

fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2A6DF}'
        | '\u{2A700}'..='\u{2EBEF}'
        | '\u{30000}'..='\u{3134F}')
}

/// A `1..=max` page size.
pub(crate) fn page_size(field: &str, size: u32, max: u32) -> Result<()> {
    if size == 0 || size > max {
        return Err(Error::invalid_input(
            field,
            format!("must be between 1 and {max}, not {size}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_rules() {
        assert!(bucket("examplebucket-1250000000", "ap-beijing").is_ok());
        // The doc's longest example: exactly 60 characters.
        assert!(bucket("123456789012345678901-1250000000", "ap-beijing").is_ok());
        for bad in [
            "123456789012345678901x-1250000000",
            "examplebucket",
            "example_bucket-1250000000",
            "ExampleBucket-1250000000",
            "-example-1250000000",
            "example--1250000000",
            "examplebucket-12a",
            "-1250000000",
        ] {
            let err = bucket(bad, "ap-beijing").unwrap_err();
            assert_eq!(err.field(), Some("Bucket"), "{bad}");
        }
    }

    #[test]
    fn key_rules() {
        assert!(object_key("Key", "dir/a b+c(1)!*'~.jpg").is_ok());
        assert!(object_key("Key", "腾讯云.png").is_ok());
        for bad in ["", "/a.jpg", "a/../b", "./a", "a\nb", &"k".repeat(851)] {
            assert!(object_key("Key", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn base64_sizes() {
        assert_eq!(MAX_OCR_FILE_BYTES, 5_505_024);
        assert_eq!(base64_len(MAX_OCR_FILE_BYTES), MAX_OCR_BASE64_BYTES);
        assert!(base64_len(MAX_OCR_FILE_BYTES + 1) > MAX_OCR_BASE64_BYTES);
        assert_eq!(base64_len(1), 4);
    }

    #[test]
    fn names_and_ids() {
        assert!(template_name("ImageOCR-34").is_ok());
        assert!(template_name("文字识别_*").is_ok());
        assert!(template_name("bad name").is_err());
        assert!(template_name(&"a".repeat(65)).is_err());
        assert!(job_id("a3c193f288b2c11eeb60f39de2f86f409").is_ok());
        assert!(job_id("a,b").is_err());
        assert!(user_data("This is my data.").is_ok());
        assert!(user_data("données").is_err());
        assert!(region("ap-beijing").is_ok());
        assert!(region("AP-Beijing").is_err());
        assert!(region("ap.beijing").is_err());
    }
}
