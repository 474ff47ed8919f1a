//! Credential providers (environment, profile file, chain) and the redaction of
//! secrets in every `Debug` / `Display` output.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tc_signing::{
    derive_tc3_keys, sign_cos, sign_tc3, CosRequest, CosSigner, Credential, CredentialChain,
    CredentialError, EnvProvider, EnvSource, KeyTime, PayloadHash, ProfileProvider,
    ProvideCredential, StaticEnv, StaticProvider, Tc3Request, Tc3Signer, ENV_CREDENTIALS_FILE,
    ENV_SECRET_ID, ENV_SECRET_KEY, ENV_SESSION_TOKEN,
};

const HOME: &str = "/home/tester";
const HOME_FILE: &str = "/home/tester/.tencentcloud/credentials";

fn env(source: StaticEnv) -> Arc<dyn EnvSource> {
    Arc::new(source)
}

fn reason_of(err: &CredentialError) -> Option<&str> {
    match err {
        CredentialError::NotConfigured { reason, .. } | CredentialError::Invalid { reason, .. } => {
            Some(reason)
        }
        _ => None,
    }
}

// ---------------------------------------------------------------- environment

#[test]
fn env_provider_reads_id_and_key() {
    let provider = EnvProvider::new(env(StaticEnv::new()
        .var(ENV_SECRET_ID, "AKIDenv")
        .var(ENV_SECRET_KEY, "env-key")));
    let cred = provider.provide_credential().unwrap();
    assert_eq!(cred, Credential::new("AKIDenv", "env-key"));
    assert_eq!(provider.name(), "environment");
}

#[test]
fn env_provider_reads_the_session_token() {
    let provider = EnvProvider::new(env(StaticEnv::new()
        .var(ENV_SECRET_ID, "AKIDenv")
        .var(ENV_SECRET_KEY, "env-key")
        .var(ENV_SESSION_TOKEN, "env-token")));
    let cred = provider.provide_credential().unwrap();
    assert_eq!(cred.session_token(), Some("env-token"));
}

#[test]
fn env_provider_trims_values_and_treats_blank_as_unset() {
    let provider = EnvProvider::new(env(StaticEnv::new()
        .var(ENV_SECRET_ID, " AKIDenv\n")
        .var(ENV_SECRET_KEY, "\tenv-key ")
        .var(ENV_SESSION_TOKEN, "   ")));
    let cred = provider.provide_credential().unwrap();
    assert_eq!(cred.secret_id(), "AKIDenv");
    assert_eq!(cred.secret_key(), "env-key");
    assert_eq!(cred.session_token(), None);

    let blank = EnvProvider::new(env(StaticEnv::new()
        .var(ENV_SECRET_ID, "")
        .var(ENV_SECRET_KEY, " \t ")));
    let err = blank.provide_credential().unwrap_err();
    assert!(err.is_not_configured(), "{err}");
    assert_eq!(err.provider(), "environment");
}

#[test]
fn env_provider_unset_is_not_configured() {
    let err = EnvProvider::new(env(StaticEnv::new()))
        .provide_credential()
        .unwrap_err();
    assert!(err.is_not_configured());
    assert!(reason_of(&err).unwrap().contains(ENV_SECRET_ID));
}

#[test]
fn env_provider_half_set_is_invalid_and_names_the_missing_variable() {
    let id_only = EnvProvider::new(env(StaticEnv::new()
        .var(ENV_SECRET_ID, "AKIDenv")
        .var(ENV_SECRET_KEY, "  ")));
    let err = id_only.provide_credential().unwrap_err();
    assert!(matches!(
        err,
        CredentialError::Invalid {
            provider: "environment",
            ..
        }
    ));
    assert!(reason_of(&err)
        .unwrap()
        .contains(&format!("{ENV_SECRET_KEY} is unset")));

    let key_only = EnvProvider::new(env(StaticEnv::new().var(ENV_SECRET_KEY, "env-key")));
    let err = key_only.provide_credential().unwrap_err();
    assert!(matches!(err, CredentialError::Invalid { .. }));
    assert!(reason_of(&err)
        .unwrap()
        .contains(&format!("{ENV_SECRET_ID} is unset")));
    assert!(!err.to_string().contains("env-key"));
}

// ---------------------------------------------------------------- profile

const PROFILE: &str = "\
; Tencent Cloud credentials
# written by hand

[other]
secret_id = AKIDother
secret_key = other-key

[default]
   secret_id   =   AKIDprofile   
secret_key=profile-key
";

#[test]
fn profile_default_path_is_under_home() {
    let provider = ProfileProvider::new(env(StaticEnv::new().home(HOME).file(HOME_FILE, PROFILE)));
    assert_eq!(provider.resolve_path(), Some(PathBuf::from(HOME_FILE)));
    let cred = provider.provide_credential().unwrap();
    assert_eq!(cred, Credential::new("AKIDprofile", "profile-key"));
    assert_eq!(provider.name(), "profile");
}

#[test]
fn profile_override_variable_wins_over_home() {
    let provider = ProfileProvider::new(env(StaticEnv::new()
        .home(HOME)
        .file(HOME_FILE, PROFILE)
        .var(ENV_CREDENTIALS_FILE, "/etc/custom-creds")
        .file(
            "/etc/custom-creds",
            "[default]\nsecret_id=AKIDcustom\nsecret_key=custom-key\n",
        )));
    assert_eq!(
        provider.resolve_path(),
        Some(PathBuf::from("/etc/custom-creds"))
    );
    assert_eq!(
        provider.provide_credential().unwrap().secret_id(),
        "AKIDcustom"
    );
}

#[test]
fn profile_blank_override_falls_back_to_home() {
    let provider = ProfileProvider::new(env(StaticEnv::new()
        .home(HOME)
        .file(HOME_FILE, PROFILE)
        .var(ENV_CREDENTIALS_FILE, "  ")));
    assert_eq!(
        provider.provide_credential().unwrap().secret_id(),
        "AKIDprofile"
    );
}

#[test]
fn profile_reads_the_token_and_other_sections() {
    let text = "[default]\nsecret_id = AKIDtmp\nsecret_key = tmp-key\ntoken = tmp-token\n\n[ci]\nsecret_id = AKIDci\nsecret_key = ci-key\n";
    let source = env(StaticEnv::new().home(HOME).file(HOME_FILE, text));
    let cred = ProfileProvider::new(Arc::clone(&source))
        .provide_credential()
        .unwrap();
    assert_eq!(cred.session_token(), Some("tmp-token"));

    let ci = ProfileProvider::new(source).with_profile_name("ci");
    let cred = ci.provide_credential().unwrap();
    assert_eq!(cred, Credential::new("AKIDci", "ci-key"));
}

#[test]
fn profile_explicit_path_is_used() {
    let provider =
        ProfileProvider::new(env(StaticEnv::new().file("/x/creds", PROFILE))).with_path("/x/creds");
    assert_eq!(
        provider.provide_credential().unwrap().secret_id(),
        "AKIDprofile"
    );
}

#[test]
fn profile_missing_file_is_not_configured() {
    let err = ProfileProvider::new(env(StaticEnv::new().home(HOME)))
        .provide_credential()
        .unwrap_err();
    assert!(err.is_not_configured());
    assert!(reason_of(&err).unwrap().contains(HOME_FILE));

    // No home directory and no override: nothing to look at.
    let err = ProfileProvider::new(env(StaticEnv::new()))
        .provide_credential()
        .unwrap_err();
    assert!(err.is_not_configured());
}

#[test]
fn profile_missing_file_that_was_asked_for_is_invalid() {
    let cases = [
        (
            ProfileProvider::new(env(StaticEnv::new()
                .home(HOME)
                .var("TENCENTCLOUD_CREDENTIALS_FILE", "/run/secrets/tc"))),
            "TENCENTCLOUD_CREDENTIALS_FILE",
        ),
        (
            ProfileProvider::new(env(StaticEnv::new()
                .home(HOME)
                .var("TENCENTCLOUD_PROFILE", "work"))),
            "TENCENTCLOUD_PROFILE=work",
        ),
        (
            ProfileProvider::new(env(StaticEnv::new().home(HOME))).with_profile_name("work"),
            "[work]",
        ),
        (
            ProfileProvider::new(env(StaticEnv::new())).with_path("/etc/tc/credentials"),
            "/etc/tc/credentials",
        ),
    ];
    for (provider, named) in cases {
        let err = provider.provide_credential().unwrap_err();
        assert!(!err.is_not_configured(), "{err}");
        assert!(reason_of(&err).unwrap().contains(named), "{err}");
    }
}

#[test]
fn profile_malformed_is_invalid_and_names_the_path_not_the_value() {
    let cases = [
        (
            "[other]\nsecret_id = AKIDx\nsecret_key = Zq7-leaky-value\n",
            "no [default] section",
        ),
        (
            "[default]\nsecret_id = AKIDx\n",
            "no non-blank `secret_key`",
        ),
        (
            "[default]\nsecret_id = AKIDx\nsecret_key =   \n",
            "no non-blank `secret_key`",
        ),
        (
            "[default]\nsecret_key = Zq7-leaky-value\n",
            "no non-blank `secret_id`",
        ),
        ("[default]\nsecret_id = AKIDx\nZq7-leaky-value\n", "line 3"),
        ("[default\nsecret_key = Zq7-leaky-value\n", "line 1"),
    ];
    for (text, rule) in cases {
        let provider = ProfileProvider::new(env(StaticEnv::new().home(HOME).file(HOME_FILE, text)));
        let err = provider.provide_credential().unwrap_err();
        assert!(
            matches!(
                err,
                CredentialError::Invalid {
                    provider: "profile",
                    ..
                }
            ),
            "{err:?}"
        );
        let shown = format!("{err} {err:?}");
        assert!(shown.contains(HOME_FILE), "{shown}");
        assert!(shown.contains(rule), "{shown}");
        assert!(!shown.contains("leaky"), "{shown}");
    }
}

/// A source whose file reads fail with a permission error.
#[derive(Debug)]
struct Unreadable;

impl EnvSource for Unreadable {
    fn var(&self, _name: &str) -> Option<String> {
        None
    }
    fn home_dir(&self) -> Option<PathBuf> {
        Some(PathBuf::from(HOME))
    }
    fn read_to_string(&self, _path: &Path) -> io::Result<String> {
        Err(io::Error::new(io::ErrorKind::PermissionDenied, "denied"))
    }
}

#[test]
fn profile_unreadable_file_is_an_io_error() {
    let err = ProfileProvider::new(Arc::new(Unreadable))
        .provide_credential()
        .unwrap_err();
    match &err {
        CredentialError::Io {
            provider,
            path,
            source,
        } => {
            assert_eq!(*provider, "profile");
            assert_eq!(path, Path::new(HOME_FILE));
            assert_eq!(source.kind(), io::ErrorKind::PermissionDenied);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(!err.is_not_configured());
    assert!(std::error::Error::source(&err).is_some());
}

// ---------------------------------------------------------------- chain

#[test]
fn chain_falls_through_not_configured() {
    let chain =
        CredentialChain::default_chain(env(StaticEnv::new().home(HOME).file(HOME_FILE, PROFILE)));
    assert_eq!(
        chain.provide_credential().unwrap().secret_id(),
        "AKIDprofile"
    );
    assert_eq!(chain.name(), "chain");
    let names: Vec<_> = chain.providers().iter().map(|p| p.name()).collect();
    assert_eq!(names, ["environment", "profile"]);
}

#[test]
fn chain_prefers_the_environment() {
    let chain = CredentialChain::default_chain(env(StaticEnv::new()
        .var(ENV_SECRET_ID, "AKIDenv")
        .var(ENV_SECRET_KEY, "env-key")
        .home(HOME)
        .file(HOME_FILE, PROFILE)));
    assert_eq!(chain.provide_credential().unwrap().secret_id(), "AKIDenv");
}

#[test]
fn chain_stops_at_invalid_and_names_the_provider() {
    // A half-set environment is reported even though the profile would work.
    let chain = CredentialChain::default_chain(env(StaticEnv::new()
        .var(ENV_SECRET_ID, "AKIDenv")
        .home(HOME)
        .file(HOME_FILE, PROFILE)));
    let err = chain.provide_credential().unwrap_err();
    assert!(matches!(
        err,
        CredentialError::Invalid {
            provider: "environment",
            ..
        }
    ));
    assert!(err.to_string().contains("`environment`"));

    // An invalid profile stops a chain that would continue to a static provider.
    let source = env(StaticEnv::new().home(HOME).file(HOME_FILE, "[default]\n"));
    let chain = CredentialChain::new(vec![
        Arc::new(EnvProvider::new(Arc::clone(&source))),
        Arc::new(ProfileProvider::new(source)),
        Arc::new(StaticProvider::new(Credential::new(
            "AKIDstatic",
            "static-key",
        ))),
    ]);
    let err = chain.provide_credential().unwrap_err();
    assert_eq!(err.provider(), "profile");
}

#[test]
fn chain_reaches_a_later_static_provider() {
    let source = env(StaticEnv::new());
    let chain = CredentialChain::new(vec![
        Arc::new(EnvProvider::new(Arc::clone(&source))),
        Arc::new(ProfileProvider::new(source)),
        Arc::new(StaticProvider::new(Credential::new(
            "AKIDstatic",
            "static-key",
        ))),
    ]);
    assert_eq!(
        chain.provide_credential().unwrap().secret_id(),
        "AKIDstatic"
    );
}

#[test]
fn chain_all_not_configured_lists_every_provider() {
    let chain = CredentialChain::default_chain(env(StaticEnv::new().home(HOME)));
    let err = chain.provide_credential().unwrap_err();
    assert!(err.is_not_configured());
    assert_eq!(err.provider(), "chain");
    let reason = reason_of(&err).unwrap();
    assert!(reason.contains("environment:"), "{reason}");
    assert!(reason.contains(ENV_SECRET_ID), "{reason}");
    assert!(reason.contains("profile:"), "{reason}");
    assert!(reason.contains(HOME_FILE), "{reason}");

    let empty = CredentialChain::new(Vec::new());
    assert!(empty.provide_credential().unwrap_err().is_not_configured());
}

// ---------------------------------------------------------------- redaction

/// Distinctive secrets: no 4-character window of them occurs in ordinary output.
const SECRET_KEY: &str = "QvZkWjXpLmNbRtYh";
const TOKEN: &str = "GfDsAzUiOpErTyCvBq";

fn assert_redacted(label: &str, shown: &str) {
    for secret in [SECRET_KEY, TOKEN] {
        let chars: Vec<char> = secret.chars().collect();
        for window in chars.windows(4) {
            let piece: String = window.iter().collect();
            assert!(
                !shown.contains(&piece),
                "{label} leaks {piece:?} of a secret: {shown}"
            );
        }
    }
}

#[test]
fn secrets_never_appear_in_debug_or_display() {
    let credential = Credential::new("AKIDvisible", SECRET_KEY)
        .with_session_token(TOKEN)
        .with_expiry(SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000));
    let profile_text =
        format!("[default]\nsecret_id = AKIDvisible\nsecret_key = {SECRET_KEY}\ntoken = {TOKEN}\n");
    let source = env(StaticEnv::new()
        .var(ENV_SECRET_ID, "AKIDvisible")
        .var(ENV_SECRET_KEY, SECRET_KEY)
        .var(ENV_SESSION_TOKEN, TOKEN)
        .home(HOME)
        .file(HOME_FILE, profile_text));

    let static_provider = StaticProvider::new(credential.clone());
    let env_provider = EnvProvider::new(Arc::clone(&source));
    let profile_provider = ProfileProvider::new(Arc::clone(&source));
    let chain = CredentialChain::default_chain(Arc::clone(&source));
    // Every provider really holds the secrets.
    assert_eq!(
        env_provider.provide_credential().unwrap(),
        credential.clone().with_expiry_cleared()
    );
    assert_eq!(
        profile_provider.provide_credential().unwrap().secret_key(),
        SECRET_KEY
    );

    let tc3_request = Tc3Request {
        extra_signed_headers: &[("X-TC-Token", TOKEN)],
        ..Tc3Request::new(
            "POST",
            "ocr.tencentcloudapi.com",
            "application/json",
            PayloadHash::Bytes(b"{}"),
        )
    };
    let tc3_signer = Tc3Signer::new();
    let tc3_signature = tc3_signer.sign(&tc3_request, &credential, "ocr", 1_700_000_000);
    assert!(tc3_signature.headers().iter().any(|(_, v)| v == TOKEN));
    let plain_signature = sign_tc3(&tc3_request, &credential, "ocr", 1_700_000_000);
    let derived = derive_tc3_keys(SECRET_KEY, "2023-11-14", "ocr");

    let cos_request = CosRequest {
        method: "GET",
        path: "/a.jpg",
        query: &[("x-cos-security-token", TOKEN)],
        headers: &[
            ("host", "b-1.cos.ap-beijing.myqcloud.com"),
            ("x-cos-security-token", TOKEN),
        ],
    };
    let cos_signer = CosSigner::new();
    let key_time = KeyTime::starting_at(1_700_000_000, 3_600);
    let cos_signature = cos_signer.sign(&cos_request, &credential, key_time);
    assert_eq!(cos_signature, sign_cos(&cos_request, &credential, key_time));

    let bad_profile = ProfileProvider::new(env(StaticEnv::new().home(HOME).file(
        HOME_FILE,
        format!("[default]\nsecret_id = AKIDvisible\n{SECRET_KEY}\n{TOKEN}\n"),
    )))
    .provide_credential()
    .unwrap_err();
    let half_env = EnvProvider::new(env(StaticEnv::new().var(ENV_SECRET_KEY, SECRET_KEY)))
        .provide_credential()
        .unwrap_err();
    let io_error = CredentialError::Io {
        provider: "profile",
        path: PathBuf::from(HOME_FILE),
        source: io::Error::new(io::ErrorKind::PermissionDenied, "denied"),
    };

    let debug_views = [
        ("Credential", format!("{credential:?}")),
        ("Credential pretty", format!("{credential:#?}")),
        ("StaticProvider", format!("{static_provider:?}")),
        ("EnvProvider", format!("{env_provider:?}")),
        ("ProfileProvider", format!("{profile_provider:?}")),
        ("CredentialChain", format!("{chain:?}")),
        ("StaticEnv", format!("{source:?}")),
        ("Tc3Request", format!("{tc3_request:?}")),
        ("Tc3Signer", format!("{tc3_signer:?}")),
        ("Tc3Signature", format!("{tc3_signature:?}")),
        ("Tc3Signature plain", format!("{plain_signature:?}")),
        ("Tc3DerivedKeys", format!("{derived:?}")),
        ("CosRequest", format!("{cos_request:?}")),
        ("CosSigner", format!("{cos_signer:?}")),
        ("CosSignature", format!("{cos_signature:?}")),
        (
            "CredentialError invalid profile",
            format!("{bad_profile:?}"),
        ),
        ("CredentialError half env", format!("{half_env:?}")),
        ("CredentialError io", format!("{io_error:?}")),
    ];
    for (label, shown) in &debug_views {
        assert_redacted(label, shown);
    }
    let display_views = [
        ("CredentialError invalid profile", bad_profile.to_string()),
        ("CredentialError half env", half_env.to_string()),
        ("CredentialError io", io_error.to_string()),
        ("KeyTime", key_time.to_string()),
    ];
    for (label, shown) in &display_views {
        assert_redacted(label, shown);
    }

    // Derived secrets stay out of Debug too.
    let derived_shown = format!("{derived:?}");
    assert!(!derived_shown.contains(&hex::encode(derived.secret_signing)[..8]));
    let cos_shown = format!("{cos_signature:?}");
    assert!(!cos_shown.contains(cos_signature.sign_key()));
    // While the public parts remain visible for debugging.
    assert!(format!("{credential:?}").contains("AKIDvisible"));
    assert!(cos_shown.contains(cos_signature.signature()));
}

/// Test helper: the environment yields no expiry, so compare without it.
trait ClearExpiry {
    fn with_expiry_cleared(self) -> Credential;
}

impl ClearExpiry for Credential {
    fn with_expiry_cleared(self) -> Credential {
        let base = Credential::new(self.secret_id(), self.secret_key());
        match self.session_token() {
            Some(token) => base.with_session_token(token),
            None => base,
        }
    }
}
