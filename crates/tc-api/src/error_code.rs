//! From Tencent Cloud error codes to [`ErrorKind`]s.
//!
//! API 3.0 answers errors with HTTP 200 and `Response.Error.Code`. The code's family (the part
//! before the first dot) mostly decides the kind; a few sub-codes are moved to where a caller
//! would look for them (a file that is too large is the caller's input, an account in arrears
//! is quota, not a failure of the service).

use ocr_core::ErrorKind;

/// How a code is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classification {
    /// The kind of error.
    pub kind: ErrorKind,
    /// Whether another attempt may succeed.
    pub retryable: bool,
}

const fn class(kind: ErrorKind, retryable: bool) -> Classification {
    Classification { kind, retryable }
}

/// Codes that mean the account cannot be billed any further.
const QUOTA_MARKERS: [&str; 5] = [
    "InArrears",
    "ArrearsError",
    "ResourcePackageRunOut",
    "ChargeStatusException",
    "CountLimitError",
];

/// Codes that mean "the service had a transient problem, try again".
const TRANSIENT: [&str; 7] = [
    "InternalError",
    "ServiceUnavailable",
    "FailedOperation.InternalError",
    "FailedOperation.EngineServerError",
    "FailedOperation.EngineRecognizeTimeout",
    "FailedOperation.UploadResultFileFailed",
    "ResourceUnavailable.TaxNetworkError",
];

/// `FailedOperation` codes that refuse the document itself.
const INPUT_REFUSALS: [&str; 3] = [
    "FailedOperation.ImageDecodeFailed",
    "FailedOperation.DownLoadError",
    "FailedOperation.ImageSizeTooLarge",
];

/// Classifies a Tencent Cloud API 3.0 error code.
///
/// ```
/// use ocr_core::ErrorKind;
/// use tc_api::error_code::classify;
/// assert_eq!(classify("AuthFailure.SignatureFailure").kind, ErrorKind::Auth);
/// assert!(classify("RequestLimitExceeded").retryable);
/// assert_eq!(classify("ResourceUnavailable.InArrears").kind, ErrorKind::Quota);
/// assert_eq!(classify("LimitExceeded.TooLargeFileError").kind, ErrorKind::InvalidInput);
/// ```
pub fn classify(code: &str) -> Classification {
    use ErrorKind::*;
    if TRANSIENT.contains(&code) || code.starts_with("InternalError.") {
        return class(Service, true);
    }
    if QUOTA_MARKERS.iter().any(|m| code.contains(m)) {
        return class(Quota, false);
    }
    let family = code.split('.').next().unwrap_or(code);
    match family {
        "AuthFailure" | "UnauthorizedOperation" | "IpInBlacklist" | "IpNotInWhitelist" => {
            class(Auth, false)
        }
        "RequestLimitExceeded" => class(Throttled, true),
        "InvalidParameter"
        | "InvalidParameterValue"
        | "MissingParameter"
        | "UnknownParameter"
        | "RequestSizeLimitExceeded"
        | "InvalidRequest" => class(InvalidInput, false),
        "LimitExceeded" => {
            if code.ends_with("TooLargeFileError") || code.ends_with("ExceededMaxPagesError") {
                class(InvalidInput, false)
            } else {
                class(Quota, false)
            }
        }
        "ResourcesSoldOut" => class(Quota, false),
        "UnsupportedOperation"
        | "UnsupportedRegion"
        | "UnsupportedProtocol"
        | "ActionOffline"
        | "InvalidAction"
        | "NoSuchVersion"
        | "NoSuchProduct" => class(Unsupported, false),
        "FailedOperation" if code == "FailedOperation.UnOpenError" => class(Unsupported, false),
        // The input itself was refused (undecodable, undownloadable, too large): the caller's
        // to fix, like an invalid parameter; another attempt or service would fare no better.
        "FailedOperation" if INPUT_REFUSALS.contains(&code) => class(InvalidInput, false),
        _ => class(Service, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ErrorKind::*;

    #[test]
    fn table() {
        let cases = [
            ("AuthFailure.SignatureExpire", Auth, false),
            ("AuthFailure.SecretIdNotFound", Auth, false),
            ("AuthFailure.TokenFailure", Auth, false),
            ("UnauthorizedOperation", Auth, false),
            ("RequestLimitExceeded", Throttled, true),
            ("RequestLimitExceeded.UinLimitExceeded", Throttled, true),
            ("InternalError", Service, true),
            ("FailedOperation.InternalError", Service, true),
            ("ServiceUnavailable", Service, true),
            ("InvalidParameter.FileURLInvalid", InvalidInput, false),
            (
                "InvalidParameterValue.InvalidParameterValueLimit",
                InvalidInput,
                false,
            ),
            ("MissingParameter", InvalidInput, false),
            ("UnknownParameter", InvalidInput, false),
            ("LimitExceeded.TooLargeFileError", InvalidInput, false),
            ("LimitExceeded", Quota, false),
            ("ResourceUnavailable.InArrears", Quota, false),
            ("ResourceUnavailable.ResourcePackageRunOut", Quota, false),
            ("ResourcesSoldOut.ChargeStatusException", Quota, false),
            ("FailedOperation.ArrearsError", Quota, false),
            ("FailedOperation.CountLimitError", Quota, false),
            ("UnsupportedRegion", Unsupported, false),
            ("FailedOperation.UnOpenError", Unsupported, false),
            ("FailedOperation.ImageDecodeFailed", InvalidInput, false),
            ("FailedOperation.DownLoadError", InvalidInput, false),
            ("FailedOperation.ImageNoText", Service, false),
            ("SomethingNew.Entirely", Service, false),
        ];
        for (code, kind, retryable) in cases {
            assert_eq!(classify(code), class(kind, retryable), "{code}");
        }
    }
}
