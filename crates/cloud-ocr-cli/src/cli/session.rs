//! Choosing and building the provider for a run, including the embedded emulator when no
//! credentials are configured.

use std::sync::Arc;

use cloud_ocr::cache::{default_dir, Cached, DirStore};
use cloud_ocr::config::{
    build_provider, check_settings, readiness, ConfigFile, CredentialsConfig, Prices,
    ProviderConfig, Secret,
};
use cloud_ocr::core::rate_limit::RateLimitBackend;
use cloud_ocr::core::{Options, Request, Usage};
use cloud_ocr::fallback::Fallback;
use cloud_ocr::{Env, Error, ErrorKind, OcrProvider, OutputFormat, ProviderKind, Result};
use ocr_emulator::{Emulator, EmulatorConfig};

use super::args::{check_card_region, check_shown, CostArgs, ProviderArgs, RecognitionArgs};
use super::exit::Exit;

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
    /// The request options of the configuration file (`options` of the provider's table; of
    /// the first provider of a chain).
    pub options: Options,
    /// What results depend on besides document and options (the cache key's scope).
    pub scope: String,
    /// The providers' ids, in chain order (one for a single provider).
    pub ids: Vec<&'static str>,
    /// The result cache in front of the provider, if one is used.
    pub cache: Option<Arc<Cached>>,
    /// The configuration's unit prices.
    pub prices: Prices,
    /// The chain, when several providers were named (what `provider` is, or wraps).
    chain: Option<Arc<Fallback>>,
    emulator: Option<Emulator>,
    /// Why the embedded emulator runs, for stderr.
    notice: Option<&'static str>,
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
    ///
    /// With `quiet`, the notice that `--emulator` was honoured is not printed; the notice that
    /// nothing was configured (so results are simulated) always is.
    pub async fn open(
        args: &ProviderArgs,
        cost: &CostArgs,
        env: &Env,
        quiet: bool,
    ) -> Result<Session> {
        Session::open_shared(args, cost, env, None, quiet).await
    }

    /// [`open`](Self::open), with every provider's rate-limit budgets kept in `shared` (a
    /// coordinator's Redis) when given. The embedded emulator is refused then: its jobs would
    /// live in one process only.
    pub async fn open_shared(
        args: &ProviderArgs,
        cost: &CostArgs,
        env: &Env,
        shared: Option<Arc<dyn RateLimitBackend>>,
        quiet: bool,
    ) -> Result<Session> {
        let file = match &args.config {
            Some(path) => ConfigFile::load(path)?,
            None => ConfigFile::default(),
        };
        let mut session = Session::choose(args, &file, env, shared.clone()).await?;
        match session.notice {
            Some(EMULATOR_FLAG_NOTICE) if quiet => {}
            Some(notice) if shared.is_none() => eprintln!("{notice}"),
            _ => {}
        }
        if shared.is_some() && session.simulated {
            session.close().await;
            return Err(Error::config(
                "a coordinator shares jobs between processes, and the embedded emulator's jobs \
                 live in one process: set credentials (or --endpoint to an emulator started \
                 with `cloud-ocr emulator`)",
            )
            .with_field("coordinator"));
        }
        session.prices = file.prices().clone();
        if session.simulated && (cost.cache.is_some() || cost.refresh || cost.cache_urls) {
            eprintln!(
                "cloud-ocr: warning: simulated results are never cached: --cache, --refresh \
                 and --cache-urls have no effect on the embedded emulator"
            );
        }
        if cost.no_cache || session.simulated {
            return Ok(session);
        }
        let Some(dir) = cost.cache.clone().or_else(|| default_dir(env)) else {
            eprintln!(
                "cloud-ocr: warning: no cache folder (HOME is not set): results are not \
                 cached; give one with --cache DIR"
            );
            return Ok(session);
        };
        let scope = session.scope.clone();
        let cached = Arc::new(
            Cached::new(
                Arc::clone(&session.provider),
                Arc::new(DirStore::new(dir)),
                scope,
            )
            .refresh(cost.refresh)
            .cache_urls(cost.cache_urls),
        );
        session.provider = Arc::clone(&cached) as Arc<dyn OcrProvider>;
        session.cache = Some(cached);
        Ok(session)
    }

    async fn choose(
        args: &ProviderArgs,
        file: &ConfigFile,
        env: &Env,
        shared: Option<Arc<dyn RateLimitBackend>>,
    ) -> Result<Session> {
        let chosen: Vec<ProviderKind> = if args.provider.is_empty() {
            file.providers().to_vec()
        } else {
            args.provider.clone()
        };
        // Named twice is a mistake in the list itself: said first, whatever else is set.
        if let Some((_, kind)) = chosen
            .iter()
            .enumerate()
            .find(|(i, kind)| chosen[..*i].contains(kind))
        {
            return Err(
                Error::config(format!("a fallback chain names {kind} twice"))
                    .with_field("provider"),
            );
        }
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
        // A typo or a bad value anywhere in the file is an error, whichever provider runs
        // (the embedded emulator included).
        for kind in ProviderKind::ALL {
            check_settings(&file.provider_config(*kind)?)?;
        }
        same_options(&chosen, file)?;
        if args.emulator {
            return Session::embedded(chosen, file, EMULATOR_FLAG_NOTICE).await;
        }
        if chosen.len() > 1 && args.endpoint.is_some() {
            return Err(Error::config(
                "--endpoint applies to one provider; for a chain, set each provider's \
                 `endpoint` in its table of the configuration file",
            )
            .with_field("endpoint"));
        }
        let kinds = match chosen.as_slice() {
            [] => match detect(&configure, tencent_flags, env)? {
                Some(kind) => vec![kind],
                None if args.endpoint.is_some() => vec![default_kind()?],
                None if args.config.is_some() => {
                    return Err(Error::config(
                        "the configuration file names no `provider` and no provider's \
                         credentials were found: set `provider` (or --provider) and its \
                         credentials, or use --emulator for simulated results",
                    ))
                }
                None => return Session::embedded(Vec::new(), file, NO_CREDENTIALS_NOTICE).await,
            },
            kinds => kinds.to_vec(),
        };
        let mut configs = Vec::new();
        for kind in &kinds {
            let mut config = configure(*kind)?;
            if let Some(endpoint) = &args.endpoint {
                // The flag names where every request goes: the file's per-service hosts of
                // cos-ci would otherwise take precedence over it.
                config.endpoint = Some(endpoint.clone());
                config.cos_endpoint = None;
                config.ci_endpoint = None;
                if kind.as_str() == "tc-ocr" {
                    // Its site chooses the host only (LKEAP's also chooses its rules).
                    config.site = None;
                }
            }
            if let Some(backend) = &shared {
                config = config.with_rate_limit_backend(Arc::clone(backend));
            }
            configs.push(config);
        }
        tracing::debug!(providers = ?kinds, "building the provider");
        Session::from_configs(&configs, env, false)
    }

    /// One provider, or a fallback chain of several, from their configurations.
    fn from_configs(configs: &[ProviderConfig], env: &Env, simulated: bool) -> Result<Session> {
        let mut members = Vec::new();
        for config in configs {
            members.push(build_provider(config, env)?);
        }
        let ids: Vec<&'static str> = members.iter().map(|m| m.id()).collect();
        let (provider, chain): (Arc<dyn OcrProvider>, _) = match members.len() {
            1 => (members.remove(0), None),
            _ => {
                let chain = Arc::new(Fallback::new(members)?);
                (chain.clone(), Some(chain))
            }
        };
        let scope: Vec<String> = configs.iter().map(ProviderConfig::cache_scope).collect();
        Ok(Session {
            provider,
            simulated,
            options: configs
                .first()
                .map(|c| c.options.clone())
                .unwrap_or_default(),
            scope: scope.join(";"),
            ids,
            cache: None,
            prices: Prices::default(),
            chain,
            emulator: None,
            notice: None,
        })
    }

    /// What `request` would be billed and by which provider (in a chain, the first member
    /// that accepts it); nothing is sent.
    pub async fn estimate(&self, request: &Request) -> Result<(&'static str, Usage)> {
        match &self.chain {
            Some(chain) => chain.estimate_member(request).await,
            None => {
                let usage = self.provider.estimate(request).await?;
                Ok((self.provider_id(), usage))
            }
        }
    }

    /// The id of the single provider, or of the chain's first member.
    fn provider_id(&self) -> &'static str {
        self.ids.first().copied().unwrap_or_default()
    }

    /// Starts the emulator in this process and points `kind` (default tc-ocr) at it with its
    /// test credentials.
    async fn embedded(
        kinds: Vec<ProviderKind>,
        file: &ConfigFile,
        notice: &'static str,
    ) -> Result<Session> {
        let kinds = match kinds.is_empty() {
            false => kinds,
            true => vec![default_kind()?],
        };
        let options = file.provider_config(kinds[0])?.options;
        let emulator = Emulator::start(EmulatorConfig::default())
            .await
            .map_err(|e| {
                Error::new(
                    ErrorKind::Service,
                    format!("cannot start the embedded emulator: {e}"),
                )
            })?;
        let configs: Vec<ProviderConfig> = kinds.iter().map(|k| emulated(*k, &emulator)).collect();
        let mut session = match Session::from_configs(&configs, &Env::new(), true) {
            Ok(s) => s,
            Err(e) => {
                emulator.shutdown().await;
                return Err(e);
            }
        };
        session.notice = Some(notice);
        session.options = options;
        session.emulator = Some(emulator);
        Ok(session)
    }

    /// Refuses (exit 2, saying why) settings that would have no effect once the provider is
    /// known: outputs asked for by `recognition` or the configured options that `format`
    /// would drop, and a `--region` the document kind does not use.
    pub fn refuse_ignored(
        &self,
        args: &ProviderArgs,
        recognition: &RecognitionArgs,
        format: OutputFormat,
    ) -> std::result::Result<(), Exit> {
        let options = recognition.apply(self.options.clone());
        check_shown(&options, format)
            .and_then(|()| check_card_region(args.region.as_deref(), &options, &self.ids))
            .map_err(|message| {
                eprintln!("cloud-ocr: {message}");
                Exit::Usage
            })
    }

    /// What results depend on besides the inputs: the providers and the recognition options
    /// (`--strict` aside: it changes what counts as a failure, not a result). A batch's
    /// `--out` and a coordinated run both keep it, to refuse a run that asks for other results.
    pub fn result_settings(&self, recognition: &RecognitionArgs) -> serde_json::Value {
        let mut options = recognition.apply(self.options.clone());
        options.strict = false;
        serde_json::json!({ "providers": self.ids, "options": options })
    }

    /// Prints what the result cache could not do (a result it could not store or read), once.
    pub fn print_cache_warnings(&self) {
        if let Some(cache) = &self.cache {
            for warning in cache.take_warnings() {
                eprintln!("cloud-ocr: warning: {warning}");
            }
        }
    }

    /// Stops the embedded emulator, if any.
    pub async fn close(self) {
        if let Some(emulator) = self.emulator {
            emulator.shutdown().await;
        }
    }
}

/// The coordinator's URL: `flag` (`--coordinator`), else the configuration file's
/// `coordinator`.
pub fn coordinator_url(flag: Option<&str>, args: &ProviderArgs) -> Result<Option<String>> {
    if let Some(url) = flag {
        return Ok(Some(url.to_owned()));
    }
    let Some(path) = &args.config else {
        return Ok(None);
    };
    Ok(ConfigFile::load(path)?.coordinator().map(str::to_owned))
}

/// A chain sends one request, with one set of options, to whichever member takes it: members
/// whose `options` tables differ are refused, since all but one table would be dropped.
fn same_options(chain: &[ProviderKind], file: &ConfigFile) -> Result<()> {
    let Some((first, rest)) = chain.split_first() else {
        return Ok(());
    };
    let options = file.provider_config(*first)?.options;
    for kind in rest {
        if file.provider_config(*kind)?.options != options {
            return Err(Error::config(format!(
                "a fallback chain sends every member the same request options, and the \
                 `options` of [{kind}] differ from those of [{first}]: make the tables the \
                 same (flags apply to every member)"
            ))
            .with_field("options"));
        }
    }
    Ok(())
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
