//! Which regions each action accepts (spec §4.2).

use super::envelope::TcError;

/// The region constants of the official SDKs.
pub(crate) const KNOWN_REGIONS: &[&str] = &[
    "ap-bangkok",
    "ap-beijing",
    "ap-chengdu",
    "ap-chongqing",
    "ap-guangzhou",
    "ap-guangzhou-open",
    "ap-hongkong",
    "ap-jakarta",
    "ap-mumbai",
    "ap-seoul",
    "ap-shanghai",
    "ap-nanjing",
    "ap-shanghai-fsi",
    "ap-shenzhen-fsi",
    "ap-singapore",
    "ap-tokyo",
    "eu-frankfurt",
    "eu-moscow",
    "na-ashburn",
    "na-siliconvalley",
    "na-toronto",
    "sa-saopaulo",
];

enum Rule {
    /// Optional; if sent, must be a known region.
    Optional,
    /// Required and one of these.
    OneOf(&'static [&'static str]),
    /// Required, any known region.
    AnyKnown,
}

fn rule(action: &str) -> Rule {
    match action {
        "CreateReconstructDocumentFlow" | "GetReconstructDocumentResult" => {
            Rule::OneOf(&["ap-beijing", "ap-guangzhou", "ap-jakarta"])
        }
        "ReconstructDocumentSSE" | "GetSplitDocumentResult" => {
            Rule::OneOf(&["ap-guangzhou", "ap-shanghai", "ap-jakarta"])
        }
        "CreateSplitDocumentFlow" => Rule::AnyKnown,
        "ApplyCardVerificationExternal" | "GetCardVerificationExternalResult" => {
            Rule::OneOf(&["ap-singapore"])
        }
        _ => Rule::Optional,
    }
}

/// Checks `X-TC-Region` for an action: `MissingParameter` when a required region is
/// absent, `UnsupportedRegion` when the action does not serve it.
pub(crate) fn check(action: &str, region: Option<&str>) -> Result<(), TcError> {
    let region = region.map(str::trim).filter(|r| !r.is_empty());
    let unsupported = |r: &str| {
        TcError::new(
            "UnsupportedRegion",
            format!("The action `{action}` does not support the region `{r}`."),
        )
    };
    match (rule(action), region) {
        (Rule::Optional, None) => Ok(()),
        (Rule::Optional | Rule::AnyKnown, Some(r)) => {
            if KNOWN_REGIONS.contains(&r) {
                Ok(())
            } else {
                Err(unsupported(r))
            }
        }
        (Rule::OneOf(list), Some(r)) => {
            if list.contains(&r) {
                Ok(())
            } else {
                Err(TcError::new(
                    "UnsupportedRegion",
                    format!(
                        "The action `{action}` does not support the region `{r}`; it supports: {}.",
                        list.join(", ")
                    ),
                ))
            }
        }
        (Rule::OneOf(_) | Rule::AnyKnown, None) => Err(TcError::new(
            "MissingParameter",
            format!("The request is missing a required parameter `Region` (header X-TC-Region); `{action}` needs one."),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_action_rules() {
        assert!(check("ExtractDocMulti", None).is_ok());
        assert!(check("ExtractDocMulti", Some("ap-guangzhou")).is_ok());
        assert_eq!(
            check("ExtractDocMulti", Some("mars-1")).unwrap_err().code,
            "UnsupportedRegion"
        );
        assert!(check("CreateReconstructDocumentFlow", Some("ap-beijing")).is_ok());
        assert_eq!(
            check("CreateReconstructDocumentFlow", Some("ap-shanghai"))
                .unwrap_err()
                .code,
            "UnsupportedRegion"
        );
        assert_eq!(
            check("GetReconstructDocumentResult", None)
                .unwrap_err()
                .code,
            "MissingParameter"
        );
        assert!(check("GetCardVerificationExternalResult", Some("ap-singapore")).is_ok());
        assert!(check("CreateSplitDocumentFlow", Some("ap-tokyo")).is_ok());
    }
}
