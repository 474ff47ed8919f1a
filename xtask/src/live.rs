//! `cargo xtask fixtures --live --provider P`: the same cases against the real service.
//!
//! It refuses to run, touching nothing, unless the provider's credentials are in the
//! environment. Real services cannot be put behind the recording proxy (their host is signed),
//! so a live record holds the `Document` the client made of the real answer, scrubbed of
//! everything secret-shaped, in `fixtures/<provider>/live/<case>.json`. Compare it with the
//! emulator's `cases/` record to see where the emulator drifts from the service.

use std::fs;
use std::path::Path;
use std::sync::Arc;
use tc_signing::ConfigureCredentials;

use ocr_core::OcrProvider;
use regex::Regex;
use serde_json::{json, Value};

use crate::cases::{Case, CASES};
use crate::proxy::{redact_url_signatures, REDACTED};

/// The environment variables each provider needs for a live recording.
pub fn required_vars(provider: &str) -> Option<&'static [&'static str]> {
    Some(match provider {
        "tc-ocr" | "lkeap" => &["TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"],
        "cos-ci" => &[
            "TENCENTCLOUD_SECRET_ID",
            "TENCENTCLOUD_SECRET_KEY",
            "CLOUD_OCR_COS_BUCKET",
            "CLOUD_OCR_COS_REGION",
        ],
        "picwish" => &["PICWISH_API_KEY"],
        _ => return None,
    })
}

/// Checks that `provider` is known and its variables are set (non-blank) according to `var`.
pub fn check_ready(provider: &str, var: &dyn Fn(&str) -> Option<String>) -> Result<(), String> {
    let Some(vars) = required_vars(provider) else {
        return Err(format!(
            "unknown provider {provider:?}; choose one of tc-ocr, lkeap, cos-ci, picwish"
        ));
    };
    let missing: Vec<&str> = vars
        .iter()
        .copied()
        .filter(|v| var(v).is_none_or(|s| s.trim().is_empty()))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "cargo xtask fixtures --live --provider {provider} records against the real service \
             and needs {} in the environment; nothing was recorded or changed",
            missing.join(", ")
        ))
    }
}

/// Replaces everything secret-shaped in a recorded text: URL signatures, SecretIds, and the
/// APPID suffix of bucket names.
pub fn scrub(text: &str) -> String {
    let mut out = redact_url_signatures(text);
    let rules = [
        (r"AKID[0-9A-Za-z]{8,}", REDACTED),
        (
            r"([a-z0-9][a-z0-9-]*)-[0-9]{6,}(\.(cos|ci|pic)\.)",
            "$1-<appid>$2",
        ),
    ];
    for (pattern, replacement) in rules {
        if let Ok(re) = Regex::new(pattern) {
            out = re.replace_all(&out, replacement).into_owned();
        }
    }
    out
}

fn provider_from_env(case: &Case) -> Result<Arc<dyn OcrProvider>, String> {
    let err = |e: ocr_core::Error| e.to_string();
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    Ok(match case.provider {
        "tc-ocr" => Arc::new(
            tc_ocr::TencentOcr::builder()
                .credentials_from_env()
                .build()
                .map_err(err)?,
        ),
        "lkeap" => Arc::new(
            lkeap::Lkeap::builder()
                .credentials_from_env()
                .build()
                .map_err(err)?,
        ),
        "cos-ci" => Arc::new(
            cos_ci::CosCi::builder()
                .bucket(var("CLOUD_OCR_COS_BUCKET"))
                .region(var("CLOUD_OCR_COS_REGION"))
                .credentials_from_env()
                .build()
                .map_err(err)?,
        ),
        "picwish" => Arc::new(picwish::PicWish::from_env().map_err(err)?),
        other => return Err(format!("no provider {other}")),
    })
}

async fn record(case: &Case) -> Result<Value, String> {
    let provider = provider_from_env(case)?;
    let (request, sample) = case.sample_request()?;
    let job = provider.submit(&request).await.map_err(|e| e.to_string())?;
    let document = match &job.result {
        Some(doc) => (**doc).clone(),
        None => ocr_core::provider::wait(provider.as_ref(), &job)
            .await
            .map_err(|e| e.to_string())?,
    };
    let document = serde_json::to_string(&document).map_err(|e| e.to_string())?;
    let document: Value = serde_json::from_str(&scrub(&document)).map_err(|e| e.to_string())?;
    Ok(json!({
        "case": case.name,
        "provider": case.provider,
        "recorded_by": "cargo xtask fixtures --live",
        "input": { "sample": format!("fixtures/samples/{sample}") },
        "document": document,
    }))
}

/// Records every case of `provider` against the real service into `root/fixtures/<p>/live/`.
pub fn run(root: &Path, provider: &str) -> Result<usize, String> {
    check_ready(provider, &|k| std::env::var(k).ok())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let cases: Vec<&Case> = CASES.iter().filter(|c| c.provider == provider).collect();
    let records = runtime.block_on(async {
        let mut out = Vec::new();
        for case in &cases {
            out.push((case.name, record(case).await?));
        }
        Ok::<_, String>(out)
    })?;
    let dir = root.join("fixtures").join(provider).join("live");
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for (name, value) in &records {
        let mut text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
        text.push('\n');
        let path = dir.join(format!("{name}.json"));
        fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(records.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_without_credentials_and_names_them() {
        let none = |_: &str| None;
        let err = check_ready("tc-ocr", &none).unwrap_err();
        assert!(
            err.contains("TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY"),
            "{err}"
        );
        let blank = |_: &str| Some("  ".to_owned());
        assert!(check_ready("picwish", &blank)
            .unwrap_err()
            .contains("PICWISH_API_KEY"));
        let set = |_: &str| Some("x".to_owned());
        assert!(check_ready("cos-ci", &set).is_ok());
        assert!(check_ready("nope", &set).is_err());
    }

    #[test]
    fn scrub_removes_secret_shapes() {
        let text = r#"{"url":"https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a.zip?q-ak=AKIDabcdefgh12345678&q-signature=0123456789abcdef0123456789abcdef01234567","id":"AKIDzzzzzzzzzzzz"}"#;
        let out = scrub(text);
        assert!(!out.contains("AKID"), "{out}");
        assert!(!out.contains("1250000000"), "{out}");
        assert!(!out.contains("0123456789abcdef"), "{out}");
        assert!(out.contains("examplebucket-<appid>.cos."), "{out}");
    }
}
