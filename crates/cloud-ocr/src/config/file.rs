//! [`ConfigFile`]: provider settings for several providers in one TOML file.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use ocr_core::{Error, Result};

use super::kind::{ProviderKind, KNOWN_PROVIDERS};
use super::settings::ProviderConfig;

/// A TOML configuration file: an optional default `provider`, and one table per provider
/// holding its [`ProviderConfig`] settings (without the `provider` key).
///
/// ```toml
/// provider = "tc-ocr"            # used when no provider is chosen otherwise
///
/// [tc-ocr]
/// region = "ap-guangzhou"
/// rate_limits = { GeneralAccurateOCR = 5.0 }
///
/// [cos-ci]
/// bucket = "examplebucket-1250000000"
/// region = "ap-beijing"
///
/// [picwish]
/// credentials = { api_key_env = "MY_PICWISH_KEY" }
/// poll_interval_secs = 1.0
/// ```
///
/// Tables of providers this build does not include are accepted and ignored (one file can
/// serve several builds); any other top-level key is an error. `Debug` shows the provider
/// names only, never the settings (they may hold keys).
///
/// ```
/// use cloud_ocr::config::ConfigFile;
///
/// let file = ConfigFile::from_toml("provider = \"picwish\"\n[picwish]\nrate_limit = 1.0\n")?;
/// let kind = file.provider().expect("named in the file");
/// let config = file.provider_config(kind)?;
/// assert_eq!(config.rate_limit, Some(1.0));
/// # Ok::<(), ocr_core::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct ConfigFile {
    providers: Vec<ProviderKind>,
    prices: Prices,
    coordinator: Option<String>,
    sections: BTreeMap<String, toml::Table>,
    /// Where it was read from, for error messages (`configuration` when given as text).
    origin: Option<String>,
}

impl fmt::Debug for ConfigFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigFile")
            .field("providers", &self.providers)
            .field("sections", &self.sections.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// `provider = "a"` or `provider = ["a", "b"]`: one provider or a fallback chain.
fn provider_list(value: &toml::Value) -> Result<Vec<ProviderKind>> {
    let wrong = || {
        Error::config("configuration: `provider` must be a provider name or a list of them")
            .with_field("provider")
    };
    let names: Vec<&str> = match value {
        toml::Value::String(name) => vec![name.as_str()],
        toml::Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().ok_or_else(wrong))
            .collect::<Result<_>>()?,
        _ => return Err(wrong()),
    };
    if names.is_empty() {
        return Err(wrong());
    }
    let mut kinds: Vec<ProviderKind> = Vec::new();
    for name in names {
        let kind: ProviderKind = name.parse()?;
        if kinds.contains(&kind) {
            return Err(
                Error::config(format!("configuration: `provider` names {kind} twice"))
                    .with_field("provider"),
            );
        }
        kinds.push(kind);
    }
    Ok(kinds)
}

/// Unit prices from the `[prices]` table, per provider: `[prices.tc-ocr]` with
/// `currency = "USD"`, `per_call = 0.0015` (or per action, `per_call = { GeneralAccurateOCR =
/// 0.002 }`), `per_page`, `per_credit`, `per_1k_tokens`. Nothing is priced unless set here: the
/// library knows no prices (they change and differ by account).
///
/// ```
/// use cloud_ocr::config::ConfigFile;
/// let file = ConfigFile::from_toml(
///     "[prices.picwish]\ncurrency = \"USD\"\nper_credit = 0.05\n",
/// )?;
/// let p = file.prices().of("picwish").expect("priced");
/// assert_eq!(p.per_credit, Some(0.05));
/// // Only PicWish bills credits: a price per credit elsewhere would price nothing.
/// let err = ConfigFile::from_toml("[prices.tc-ocr]\nper_credit = 0.05\n").unwrap_err();
/// assert!(err.to_string().contains("only picwish bills that unit"));
/// # Ok::<(), ocr_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prices {
    by_provider: BTreeMap<String, UnitPrices>,
}

/// What one unit of usage of one provider costs.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitPrices {
    /// The currency the amounts are in (shown next to them).
    pub currency: Option<String>,
    /// Per billed call: one amount for every action, or one per action.
    pub per_call: Option<PerCall>,
    /// Per page.
    pub per_page: Option<f64>,
    /// Per credit (PicWish).
    pub per_credit: Option<f64>,
    /// Per thousand tokens (LKEAP).
    pub per_1k_tokens: Option<f64>,
}

/// A price per call: the same for every action, or per action.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(untagged)]
pub enum PerCall {
    /// The same for every action.
    Every(f64),
    /// Per action (wire name).
    PerAction(BTreeMap<String, f64>),
}

impl Prices {
    fn from_toml(value: toml::Value) -> Result<Prices> {
        let toml::Value::Table(table) = value else {
            return Err(Error::config(
                "configuration: `prices` must be a table of tables ([prices.<provider>])",
            )
            .with_field("prices"));
        };
        let mut by_provider = BTreeMap::new();
        for (name, section) in table {
            if !KNOWN_PROVIDERS.contains(&name.as_str()) {
                return Err(Error::config(format!(
                    "configuration: [prices.{name}] names no provider ({})",
                    KNOWN_PROVIDERS.join(", ")
                ))
                .with_field("prices"));
            }
            let prices: UnitPrices = section.try_into().map_err(|e: toml::de::Error| {
                Error::config(format!(
                    "configuration: [prices.{name}]: {}",
                    without_values(e.message().trim())
                ))
                .with_field("prices")
            })?;
            let amounts = [prices.per_page, prices.per_credit, prices.per_1k_tokens]
                .into_iter()
                .flatten()
                .chain(match &prices.per_call {
                    Some(PerCall::Every(x)) => vec![*x],
                    Some(PerCall::PerAction(m)) => m.values().copied().collect(),
                    None => Vec::new(),
                });
            // A unit the provider never reports would price nothing, silently.
            let units = [
                ("per_credit", prices.per_credit.is_some(), "picwish"),
                ("per_1k_tokens", prices.per_1k_tokens.is_some(), "lkeap"),
            ];
            for (unit, set, only) in units {
                if set && name != only {
                    return Err(Error::config(format!(
                        "configuration: [prices.{name}] `{unit}`: only {only} bills that unit, \
                         so it would price nothing here"
                    ))
                    .with_field("prices"));
                }
            }
            for amount in amounts {
                if !(amount.is_finite() && amount >= 0.0) {
                    return Err(Error::config(format!(
                        "configuration: [prices.{name}]: prices are numbers of 0 or more"
                    ))
                    .with_field("prices"));
                }
            }
            by_provider.insert(name, prices);
        }
        Ok(Prices { by_provider })
    }

    /// The prices of `provider`, if the table sets any.
    pub fn of(&self, provider: &str) -> Option<&UnitPrices> {
        self.by_provider.get(provider)
    }

    /// Whether no price is set.
    pub fn is_empty(&self) -> bool {
        self.by_provider.is_empty()
    }

    /// The estimated amount of `usage` billed by `provider`; `None` when the table prices
    /// nothing for it. Units the usage has but the table does not price are named in
    /// [`Estimate::unpriced`] (and count as 0), so a typo in an action name or a price for the
    /// wrong unit shows instead of a silent 0.
    ///
    /// ```
    /// use cloud_ocr::config::ConfigFile;
    /// use cloud_ocr::core::Usage;
    /// let file = ConfigFile::from_toml("[prices.tc-ocr]\nper_call = { GeneralAccurateOCRR = 0.002 }\n")?;
    /// let mut usage = Usage::default();
    /// usage.call("GeneralAccurateOCR");
    /// let estimate = file.prices().amount("tc-ocr", &usage).expect("priced");
    /// assert_eq!(estimate.amount, 0.0);
    /// assert_eq!(estimate.unpriced, vec!["GeneralAccurateOCR calls".to_owned()]);
    ///
    /// // PicWish bills a call as a credit: a price per credit covers its calls.
    /// let file = ConfigFile::from_toml("[prices.picwish]\nper_credit = 0.05\n")?;
    /// let mut usage = Usage::default();
    /// usage.call("create");
    /// usage.credits = Some(1);
    /// let estimate = file.prices().amount("picwish", &usage).expect("priced");
    /// assert_eq!((estimate.amount, estimate.unpriced.len()), (0.05, 0));
    /// # Ok::<(), ocr_core::Error>(())
    /// ```
    pub fn amount(&self, provider: &str, usage: &ocr_core::Usage) -> Option<Estimate> {
        let p = self.of(provider)?;
        let mut unpriced = Vec::new();
        let calls: f64 = match &p.per_call {
            Some(PerCall::Every(x)) => usage.total_calls() as f64 * x,
            Some(PerCall::PerAction(m)) => usage
                .calls
                .iter()
                .map(|(action, n)| match m.get(action) {
                    Some(price) => *n as f64 * price,
                    None => {
                        unpriced.push(format!("{action} calls"));
                        0.0
                    }
                })
                .sum(),
            None => 0.0,
        };
        let units = [
            ("pages", p.per_page, usage.pages as f64, usage.pages > 0),
            (
                "credits",
                p.per_credit,
                usage.credits.unwrap_or(0) as f64,
                usage.credits.unwrap_or(0) > 0,
            ),
            (
                "tokens",
                p.per_1k_tokens.map(|x| x / 1000.0),
                usage.tokens.unwrap_or(0) as f64,
                usage.tokens.unwrap_or(0) > 0,
            ),
        ];
        let mut total = calls;
        // Calls without a price of their own are covered when another unit they use is priced
        // (PicWish bills each call as a credit): named only when nothing prices them.
        let other_priced = units
            .iter()
            .any(|(_, price, _, used)| price.is_some() && *used);
        if p.per_call.is_none() && usage.total_calls() > 0 && !other_priced {
            unpriced.push("calls".to_owned());
        }
        for (name, price, quantity, used) in units {
            match price {
                Some(price) => total += price * quantity,
                None if used && name != "pages" => unpriced.push(name.to_owned()),
                None => {}
            }
        }
        // Pages are often included in the per-call price: unpriced pages are named only when
        // nothing else is priced either.
        if total == 0.0 && usage.pages > 0 && p.per_page.is_none() && unpriced.is_empty() {
            unpriced.push("pages".to_owned());
        }
        Some(Estimate {
            amount: total,
            currency: p.currency.clone(),
            unpriced,
        })
    }
}

/// An estimated amount, from [`Prices::amount`].
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// The amount, in `currency`.
    pub amount: f64,
    /// The currency the table names, if any.
    pub currency: Option<String>,
    /// Units of the usage the table does not price (counted as 0): `"GeneralAccurateOCR
    /// calls"`, `"credits"` …
    pub unpriced: Vec<String>,
}

/// A TOML error without the source excerpt the parser would quote (it may hold a key).
/// A serde message without the offending value (`invalid type: string "…"` would echo a
/// secret put in the wrong place).
fn without_values(message: &str) -> String {
    for marker in ["invalid type: ", "invalid value: "] {
        if let Some(at) = message.find(marker) {
            let rest = &message[at + marker.len()..];
            let end = rest.find(", expected").unwrap_or(rest.len());
            return format!(
                "{}{marker}(value not shown){}",
                &message[..at],
                &rest[end..]
            );
        }
    }
    message.to_owned()
}

fn toml_error(context: &str, text: &str, err: &toml::de::Error) -> Error {
    let line = err
        .span()
        .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
    let at = line.map(|l| format!(" (line {l})")).unwrap_or_default();
    Error::config(format!(
        "{context}{at}: {}",
        without_values(err.message().trim())
    ))
}

impl ConfigFile {
    /// Parses the TOML text of a configuration file.
    ///
    /// # Errors
    ///
    /// [`Config`](ocr_core::ErrorKind::Config) for malformed TOML, an unknown top-level key,
    /// or a `provider` this build does not include.
    ///
    /// ```
    /// use cloud_ocr::config::ConfigFile;
    ///
    /// let file = ConfigFile::from_toml("[picwish]\nrate_limit = 1.0\n")?;
    /// assert_eq!(file.provider(), None);
    ///
    /// let typo = ConfigFile::from_toml("provder = \"picwish\"\n").unwrap_err();
    /// assert_eq!(typo.kind(), ocr_core::ErrorKind::Config);
    /// assert_eq!(typo.field(), Some("provder"));
    /// # Ok::<(), ocr_core::Error>(())
    /// ```
    pub fn from_toml(text: &str) -> Result<ConfigFile> {
        let table: toml::Table =
            toml::from_str(text).map_err(|e| toml_error("configuration", text, &e))?;
        let mut file = ConfigFile::default();
        for (key, value) in table {
            if key == "provider" {
                file.providers = provider_list(&value)?;
            } else if key == "prices" {
                file.prices = Prices::from_toml(value)?;
            } else if key == "coordinator" {
                let toml::Value::String(url) = value else {
                    return Err(Error::config(
                        "configuration: `coordinator` must be a Redis URL (\"redis://host:port/db\")",
                    )
                    .with_field("coordinator"));
                };
                file.coordinator = Some(url);
            } else if KNOWN_PROVIDERS.contains(&key.as_str()) {
                let toml::Value::Table(section) = value else {
                    return Err(Error::config(format!(
                        "configuration: `{key}` must be a table of settings ([{key}])"
                    ))
                    .with_field(key));
                };
                file.sections.insert(key, section);
            } else {
                return Err(Error::config(format!(
                    "configuration: unknown key `{key}`; expected `provider`, `prices`, `coordinator` \
                     or a table named after a provider ({})",
                    KNOWN_PROVIDERS.join(", ")
                ))
                .with_field(key));
            }
        }
        Ok(file)
    }

    /// Reads and parses a configuration file.
    ///
    /// # Errors
    ///
    /// [`Config`](ocr_core::ErrorKind::Config) when the file cannot be read or parsed; the
    /// message names the file.
    ///
    /// ```no_run
    /// let file = cloud_ocr::config::ConfigFile::load("cloud-ocr.toml".as_ref())?;
    /// # let _ = file;
    /// # Ok::<(), ocr_core::Error>(())
    /// ```
    pub fn load(path: &Path) -> Result<ConfigFile> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::config(format!(
                "cannot read the configuration file {}",
                path.display()
            ))
            .with_source(e)
        })?;
        let mut file = ConfigFile::from_toml(&text).map_err(|e| {
            let field = e.field().unwrap_or("config").to_owned();
            Error::config(format!("{}: {}", path.display(), e.message())).with_field(field)
        })?;
        file.origin = Some(path.display().to_string());
        Ok(file)
    }

    /// The `coordinator` the file names: the Redis URL (`redis://host:port/db`) of a shared job
    /// store and work queue for batches run by several workers, if any.
    ///
    /// ```
    /// use cloud_ocr::config::ConfigFile;
    ///
    /// let file = ConfigFile::from_toml("coordinator = \"redis://127.0.0.1:6379/0\"\n")?;
    /// assert_eq!(file.coordinator(), Some("redis://127.0.0.1:6379/0"));
    /// # Ok::<(), ocr_core::Error>(())
    /// ```
    pub fn coordinator(&self) -> Option<&str> {
        self.coordinator.as_deref()
    }

    /// The default provider the file names, if any.
    ///
    /// ```
    /// # #[cfg(feature = "lkeap")]
    /// # fn main() -> Result<(), ocr_core::Error> {
    /// use cloud_ocr::config::ConfigFile;
    /// use cloud_ocr::ProviderKind;
    ///
    /// let file = ConfigFile::from_toml("provider = \"lkeap\"\n")?;
    /// assert_eq!(file.provider(), Some(ProviderKind::Lkeap));
    /// # Ok(()) }
    /// # #[cfg(not(feature = "lkeap"))]
    /// # fn main() {}
    /// ```
    pub fn provider(&self) -> Option<ProviderKind> {
        self.providers.first().copied()
    }

    /// The providers the file names, in order: one (`provider = "tc-ocr"`) or a fallback chain
    /// (`provider = ["tc-ocr", "picwish"]`); empty when it names none.
    ///
    /// ```
    /// # #[cfg(all(feature = "tc-ocr", feature = "picwish"))]
    /// # fn main() -> Result<(), ocr_core::Error> {
    /// use cloud_ocr::config::ConfigFile;
    /// use cloud_ocr::ProviderKind;
    ///
    /// let file = ConfigFile::from_toml("provider = [\"tc-ocr\", \"picwish\"]\n")?;
    /// assert_eq!(file.providers(), &[ProviderKind::TcOcr, ProviderKind::PicWish]);
    /// # Ok(()) }
    /// # #[cfg(not(all(feature = "tc-ocr", feature = "picwish")))]
    /// # fn main() {}
    /// ```
    pub fn providers(&self) -> &[ProviderKind] {
        &self.providers
    }

    /// The `[prices]` table: what one unit of each provider's usage costs.
    pub fn prices(&self) -> &Prices {
        &self.prices
    }

    /// The settings of `kind`: its table, or nothing set when the file has none.
    ///
    /// # Errors
    ///
    /// [`Config`](ocr_core::ErrorKind::Config) for an unknown setting or a value of the
    /// wrong type, naming the table.
    ///
    /// ```
    /// # #[cfg(all(feature = "tc-ocr", feature = "picwish"))]
    /// # fn main() -> Result<(), ocr_core::Error> {
    /// use cloud_ocr::config::ConfigFile;
    /// use cloud_ocr::{ProviderConfig, ProviderKind};
    ///
    /// let file = ConfigFile::from_toml("[tc-ocr]\nregion = \"ap-singapore\"\nmax_atempts = 5\n")?;
    /// // No table: nothing set.
    /// let picwish = file.provider_config(ProviderKind::PicWish)?;
    /// assert_eq!(picwish, ProviderConfig::new(ProviderKind::PicWish));
    /// // A misspelt setting is named, with its table.
    /// let err = file.provider_config(ProviderKind::TcOcr).unwrap_err();
    /// assert_eq!(err.field(), Some("tc-ocr.max_atempts"));
    /// # Ok(()) }
    /// # #[cfg(not(all(feature = "tc-ocr", feature = "picwish")))]
    /// # fn main() {}
    /// ```
    pub fn provider_config(&self, kind: ProviderKind) -> Result<ProviderConfig> {
        let Some(section) = self.sections.get(kind.as_str()) else {
            return Ok(ProviderConfig::new(kind));
        };
        if section.contains_key("provider") {
            return Err(Error::config(format!(
                "configuration: [{kind}] must not set `provider` (the table name says it)"
            ))
            .with_field("provider"));
        }
        let origin = self.origin.as_deref().unwrap_or("configuration");
        let parse = |table: toml::Table| {
            let mut table = table;
            table.insert("provider".into(), toml::Value::String(kind.as_str().into()));
            toml::Value::Table(table).try_into::<ProviderConfig>()
        };
        parse(section.clone()).map_err(|e| {
            // Name the key: the first setting that fails on its own.
            let key = section.iter().find_map(|(key, value)| {
                let mut one = toml::Table::new();
                one.insert(key.clone(), value.clone());
                parse(one).is_err().then(|| key.clone())
            });
            let message = without_values(e.message().trim());
            match key {
                Some(key) => Error::config(format!("{origin}: [{kind}] `{key}`: {message}"))
                    .with_field(format!("{kind}.{key}")),
                None => Error::config(format!("{origin}: [{kind}]: {message}"))
                    .with_field(kind.as_str()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_of_the_wrong_type_is_never_echoed_and_its_key_is_named() {
        let file = ConfigFile::from_toml("[tc-ocr]\ncredentials = \"SECRET-VALUE\"\n").unwrap();
        let err = file.provider_config(ProviderKind::ALL[0]).unwrap_err();
        let text = err.to_string();
        assert!(!text.contains("SECRET-VALUE"), "{text}");
        assert!(text.contains("[tc-ocr] `credentials`"), "{text}");
        assert_eq!(err.field(), Some("tc-ocr.credentials"));
    }

    #[test]
    fn unknown_top_level_keys_are_refused() {
        let err = ConfigFile::from_toml("regoin = \"x\"\n").unwrap_err();
        assert_eq!(err.kind(), ocr_core::ErrorKind::Config);
        assert!(err.to_string().contains("unknown key `regoin`"), "{err}");
    }

    #[test]
    fn malformed_toml_names_the_line_without_quoting_it() {
        let err = ConfigFile::from_toml("[picwish]\ncredentials = { api_key = \"sekrit-value\" \n")
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("line"), "{text}");
        assert!(!text.contains("sekrit-value"), "{text}");
    }

    #[test]
    fn tables_of_known_providers_outside_this_build_are_ignored() {
        let text = KNOWN_PROVIDERS
            .iter()
            .map(|name| format!("[{name}]\nrate_limit = 1.0\n"))
            .collect::<String>();
        let file = ConfigFile::from_toml(&text).unwrap();
        for kind in ProviderKind::ALL {
            assert_eq!(file.provider_config(*kind).unwrap().rate_limit, Some(1.0));
        }
    }

    #[test]
    fn unknown_settings_in_a_table_are_refused_and_secrets_are_not_debugged() {
        for kind in ProviderKind::ALL {
            let text = format!(
                "[{kind}]\nrate_limt = 1.0\ncredentials = {{ api_key = \"sekrit-value\" }}\n"
            );
            let file = ConfigFile::from_toml(&text).unwrap();
            assert!(!format!("{file:?}").contains("sekrit-value"));
            let err = file.provider_config(*kind).unwrap_err();
            assert!(err.to_string().contains("rate_limt"), "{err}");
            assert!(!err.to_string().contains("sekrit-value"), "{err}");
        }
    }

    #[test]
    fn a_missing_table_means_defaults() {
        let file = ConfigFile::from_toml("").unwrap();
        assert_eq!(file.provider(), None);
        for kind in ProviderKind::ALL {
            assert_eq!(
                file.provider_config(*kind).unwrap(),
                ProviderConfig::new(*kind)
            );
        }
    }
}
