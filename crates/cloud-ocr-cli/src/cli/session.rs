//! Choosing and building the provider for a run, including the embedded emulator when no
//! credentials are configured.

use std::sync::Arc;

use cloud_ocr::config::{
    build_provider, readiness, ConfigFile, CredentialsConfig, ProviderConfig, Secret,
};
use cloud_ocr::core::Options;
use cloud_ocr::{Env, Error, ErrorKind, OcrProvider, ProviderKind, Result};
use ocr_emulator::{Emulator, EmulatorConfig};

use super::args::ProviderArgs;

/// The one line printed when the embedded emulator stands in because nothing is configured.
pub const NO_CREDENTIALS_NOTICE: &str = "cloud-ocr: no credentials found; using the embedded \
emulator (simulated results). Set TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY or \
PICWISH_API_KEY to use a real service.";

/// The one line printed when `--emulator` asks for the embedded emulator.
pub const EMULATOR_FLAG_NOTICE: &str =
    "cloud-ocr: using the embedded emulator (simulated results), as --emulator asks.";

/// A provider ready for a run, and the embedded emulator behind it, if any.
pub struct Session {
    /// The provider, shared by every task of the run.
    pub provider: Arc<dyn OcrProvider>,
    /// Whether results are simulated (the embedded emulator answers).
    pub simulated: bool,
    /// The request options of the configuration file (`options` of the provider's table).
    pub options: Options,
    emulator: Option<Emulator>,
}

impl Session {
    /// Chooses the provider from the flags, the configuration file and the environment:
    ///
    /// 1. `--emulator`: the embedded emulator, with `--provider` (default tc-ocr);
    /// 2. a provider named by `--provider` or the file: built from the file's settings and
    ///    `env`; missing credentials are a `Config` error naming the variables;
    /// 3. otherwise the first provider whose credentials are found; with `--endpoint`, tc-ocr;
    /// 4. otherwise, when nothing at all is configured (no configuration file, no credential
    ///    found), the embedded emulator, with a notice on stderr.
    ///
    /// Every table of the configuration file is checked first, and a source that is present
    /// but unusable (an unknown setting, a malformed profile file, a named variable that is
    /// unset, one key of a pair) is an error naming it: never a fallback to another provider
    /// or to the emulator.
    pub async fn open(args: &ProviderArgs, env: &Env) -> Result<Session> {
        let file = match &args.config {
            Some(path) => ConfigFile::load(path)?,
            None => ConfigFile::default(),
        };
        let chosen = args.provider.or(file.provider());
        let tencent_flags = args.profile.is_some() || args.region.is_some();
        // Flags win over the file's settings.
        let configure = |kind: ProviderKind| -> Result<ProviderConfig> {
            let mut config = file.provider_config(kind)?;
            if let Some(profile) = &args.profile {
                config.credentials.profile = Some(profile.clone());
            }
            if let Some(region) = &args.region {
                config.region = Some(region.clone());
            }
            Ok(config)
        };
        // A typo anywhere in the file is an error, whichever provider runs.
        for kind in ProviderKind::ALL {
            file.provider_config(*kind)?;
        }
        if args.emulator {
            return Session::embedded(chosen, &file, EMULATOR_FLAG_NOTICE).await;
        }
        let kind = match chosen {
            Some(kind) => kind,
            None => match detect(&configure, tencent_flags, env)? {
                Some(kind) => kind,
                None if args.endpoint.is_some() => default_kind()?,
                None if args.config.is_some() => {
                    return Err(Error::config(
                        "the configuration file names no `provider` and no provider's \
                         credentials were found: set `provider` (or --provider) and its \
                         credentials, or use --emulator for simulated results",
                    ))
                }
                None => return Session::embedded(None, &file, NO_CREDENTIALS_NOTICE).await,
            },
        };
        let mut config = configure(kind)?;
        if let Some(endpoint) = &args.endpoint {
            config.endpoint = Some(endpoint.clone());
        }
        tracing::debug!(provider = kind.as_str(), "building the provider");
        Ok(Session {
            provider: build_provider(&config, env)?,
            simulated: false,
            options: config.options,
            emulator: None,
        })
    }

    /// Starts the emulator in this process and points `kind` (default tc-ocr) at it with its
    /// test credentials.
    async fn embedded(
        kind: Option<ProviderKind>,
        file: &ConfigFile,
        notice: &str,
    ) -> Result<Session> {
        let kind = match kind {
            Some(kind) => kind,
            None => default_kind()?,
        };
        let options = file.provider_config(kind)?.options;
        let emulator = Emulator::start(EmulatorConfig::default())
            .await
            .map_err(|e| {
                Error::new(
                    ErrorKind::Service,
                    format!("cannot start the embedded emulator: {e}"),
                )
            })?;
        let provider = build_provider(&emulated(kind, &emulator), &Env::new());
        let provider = match provider {
            Ok(p) => p,
            Err(e) => {
                emulator.shutdown().await;
                return Err(e);
            }
        };
        eprintln!("{notice}");
        Ok(Session {
            provider,
            simulated: true,
            options,
            emulator: Some(emulator),
        })
    }

    /// Stops the embedded emulator, if any.
    pub async fn close(self) {
        if let Some(emulator) = self.emulator {
            emulator.shutdown().await;
        }
    }
}

/// The first provider whose credentials are found; an error as soon as one provider's
/// configured source is unusable (never skipped in favour of the next).
fn detect(
    configure: &dyn Fn(ProviderKind) -> Result<ProviderConfig>,
    tencent_only: bool,
    env: &Env,
) -> Result<Option<ProviderKind>> {
    for kind in ProviderKind::ALL {
        // --profile and --region are Tencent settings: PicWish is not a candidate then.
        if tencent_only && !kind.uses_tencent_credentials() {
            continue;
        }
        if readiness(&configure(*kind)?, env)? {
            return Ok(Some(*kind));
        }
    }
    Ok(None)
}

/// tc-ocr when this build has it, else the first provider it has.
fn default_kind() -> Result<ProviderKind> {
    ProviderKind::ALL.first().copied().ok_or_else(|| {
        Error::config("this build of cloud-ocr includes no provider (enable a provider feature)")
    })
}

/// The configuration of `kind` against the embedded emulator, with its test credentials.
fn emulated(kind: ProviderKind, emulator: &Emulator) -> ProviderConfig {
    let endpoints = emulator.endpoints();
    let mut config = ProviderConfig::new(kind);
    if kind.uses_tencent_credentials() {
        config = config
            .with_endpoint(endpoints.tencent.as_str())
            .with_credentials(CredentialsConfig {
                secret_id: Some(ocr_emulator::SECRET_ID.to_owned()),
                secret_key: Some(Secret::new(ocr_emulator::SECRET_KEY)),
                ..CredentialsConfig::default()
            });
    } else {
        config = config
            .with_endpoint(endpoints.picwish.as_str())
            .with_credentials(CredentialsConfig {
                api_key: Some(Secret::new(ocr_emulator::PICWISH_API_KEY)),
                ..CredentialsConfig::default()
            });
    }
    if kind.as_str() == "cos-ci" {
        config = config
            .with_bucket(endpoints.bucket.clone())
            .with_region(endpoints.region.clone());
        config.endpoint = None;
        config.cos_endpoint = Some(endpoints.cos.to_string());
        config.ci_endpoint = Some(endpoints.ci.to_string());
    }
    config
}
