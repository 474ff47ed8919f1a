//! What a run bills: usage in words, priced with the configuration's `[prices]`, and the
//! totals of a batch.

use std::collections::BTreeMap;

use cloud_ocr::config::Prices;
use cloud_ocr::core::Usage;
use serde::Serialize;

/// Usage in words: `3 billed call(s) (GeneralAccurateOCR×3), 3 page(s)`, plus tokens and
/// credits when the service reports them.
pub fn describe(usage: &Usage) -> String {
    let calls: Vec<String> = usage
        .calls
        .iter()
        .map(|(action, n)| format!("{action}×{n}"))
        .collect();
    let mut text = format!("{} billed call(s)", usage.total_calls());
    if !calls.is_empty() {
        text.push_str(&format!(" ({})", calls.join(", ")));
    }
    text.push_str(&format!(", {} page(s)", usage.pages));
    if let Some(tokens) = usage.tokens {
        text.push_str(&format!(", {tokens} token(s)"));
    }
    if let Some(credits) = usage.credits {
        text.push_str(&format!(", {credits} credit(s)"));
    }
    text
}

/// ` ≈ 0.0150 USD` when `prices` prices `provider`, else nothing; units the table leaves
/// unpriced are named (` (not priced: credits)`).
pub fn priced(prices: &Prices, provider: &str, usage: &Usage) -> String {
    let Some(estimate) = prices.amount(provider, usage) else {
        return String::new();
    };
    let mut text = format!(
        " ≈ {:.4} {}",
        estimate.amount,
        estimate.currency.as_deref().unwrap_or("")
    )
    .trim_end()
    .to_owned();
    if !estimate.unpriced.is_empty() {
        text.push_str(&format!(" (not priced: {})", estimate.unpriced.join(", ")));
    }
    text
}

/// Usage summed per provider, for a batch's summary.
#[derive(Debug, Default, Serialize)]
pub struct Totals {
    /// Per provider id.
    pub by_provider: BTreeMap<String, Usage>,
    /// Results served from the cache (no request).
    pub cached: usize,
}

impl Totals {
    /// Adds the usage of one result of `provider`.
    pub fn add(&mut self, provider: &str, usage: &Usage) {
        self.by_provider
            .entry(provider.to_owned())
            .or_default()
            .add(usage);
    }

    /// All providers together.
    pub fn all(&self) -> Usage {
        let mut all = Usage::default();
        for usage in self.by_provider.values() {
            all.add(usage);
        }
        all
    }

    /// One line per provider, with its price when known.
    pub fn lines(&self, prices: &Prices) -> Vec<String> {
        self.by_provider
            .iter()
            .map(|(provider, usage)| {
                format!(
                    "cloud-ocr:   {provider}: {}{}",
                    describe(usage),
                    priced(prices, provider, usage)
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_reads_as_words_and_totals_add_up() {
        let mut a = Usage::default();
        a.call("GeneralAccurateOCR");
        a.call("GeneralAccurateOCR");
        a.pages = 2;
        assert_eq!(
            describe(&a),
            "2 billed call(s) (GeneralAccurateOCR×2), 2 page(s)"
        );
        let mut totals = Totals::default();
        totals.add("tc-ocr", &a);
        totals.add("tc-ocr", &a);
        assert_eq!(totals.all().total_calls(), 4);
        assert_eq!(totals.all().pages, 4);
    }
}
