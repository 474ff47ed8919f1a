//! What a recognition was billed, in the service's own units.
//!
//! Every call of these services is billed: Tencent OCR per call (one call per PDF page), LKEAP
//! per page and token, Cloud Infinite per page (and COS per request), PicWish one credit per
//! task. A [`Document`](crate::Document) carries the [`Usage`] that produced it, a
//! [`Job`](crate::Job) what its submission billed, and
//! [`OcrProvider::estimate`](crate::OcrProvider::estimate) tells what a request would be billed
//! without sending it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What was (or would be) billed: calls per action, pages, and the service's own units.
///
/// Only billed calls are counted: submissions, recognitions and the uploads the service bills.
/// Polls, result queries, downloads and clean-up are not. A failed call the service refused is
/// not counted either (the services bill what they accept).
///
/// ```
/// use ocr_core::Usage;
/// let mut page = Usage::default();
/// page.call("GeneralAccurateOCR");
/// page.pages = 1;
///
/// let mut document = Usage::default();
/// for _ in 0..5 {
///     document.add(&page);
/// }
/// assert_eq!(document.calls["GeneralAccurateOCR"], 5);
/// assert_eq!(document.pages, 5);
/// assert_eq!(document.total_calls(), 5);
/// assert_eq!(
///     serde_json::to_string(&document).unwrap(),
///     r#"{"calls":{"GeneralAccurateOCR":5},"pages":5}"#
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    /// Billed calls per action (wire name), e.g. `{"GeneralAccurateOCR": 5}`. Only billed calls
    /// (submissions, recognitions, uploads the service bills); polls/queries/downloads are not
    /// counted.
    #[serde(default)]
    pub calls: BTreeMap<String, u64>,
    /// Pages billed/processed (a 5-page PDF recognised whole = 5; an image = 1). 0 when the
    /// number is not known: the service reports none and it cannot be counted locally (a
    /// PicWish PDF or Office document, say, billed per task whatever its length).
    #[serde(default)]
    pub pages: u64,
    /// Tokens the service reported (LKEAP), if any. Known only once the work is done: an
    /// estimate leaves it `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<u64>,
    /// Credits consumed (PicWish: 1 per successful create), if the service bills in credits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits: Option<u64>,
    /// The result was simulated (emulator stand-in): billed nothing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub simulated: bool,
}

impl Usage {
    /// Counts one more billed call of `action`.
    ///
    /// ```
    /// let mut usage = ocr_core::Usage::default();
    /// usage.call("PutObject");
    /// usage.call("SubmitJob");
    /// usage.call("SubmitJob");
    /// assert_eq!(usage.calls["SubmitJob"], 2);
    /// assert_eq!(usage.total_calls(), 3);
    /// ```
    pub fn call(&mut self, action: &str) {
        *self.calls.entry(action.to_owned()).or_insert(0) += 1;
    }

    /// Adds `other` to this usage: calls per action, pages, tokens and credits are summed (a
    /// quantity absent from both stays absent). `simulated` is left as it is: what a total of
    /// simulated and real results means is the caller's to decide.
    ///
    /// ```
    /// use ocr_core::Usage;
    /// let mut total = Usage::default();
    /// let mut task = Usage { pages: 3, tokens: Some(100), ..Usage::default() };
    /// task.call("CreateReconstructDocumentFlow");
    /// total.add(&task);
    /// total.add(&task);
    /// assert_eq!(total.tokens, Some(200));
    /// assert_eq!(total.credits, None);
    /// assert_eq!(total.pages, 6);
    /// ```
    pub fn add(&mut self, other: &Usage) {
        for (action, n) in &other.calls {
            *self.calls.entry(action.clone()).or_insert(0) += n;
        }
        self.pages += other.pages;
        self.tokens = sum(self.tokens, other.tokens);
        self.credits = sum(self.credits, other.credits);
    }

    /// Billed calls of every action together.
    pub fn total_calls(&self) -> u64 {
        self.calls.values().sum()
    }

    /// Whether nothing at all is recorded (the default): no call, page, token or credit, and
    /// not simulated.
    ///
    /// ```
    /// let mut usage = ocr_core::Usage::default();
    /// assert!(usage.is_empty());
    /// usage.pages = 1;
    /// assert!(!usage.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        *self == Usage::default()
    }
}

fn sum(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_serialises_to_calls_and_pages_only() {
        let json = serde_json::to_string(&Usage::default()).unwrap();
        assert_eq!(json, r#"{"calls":{},"pages":0}"#);
        let back: Usage = serde_json::from_str("{}").unwrap();
        assert!(back.is_empty());
    }

    #[test]
    fn everything_round_trips() {
        let mut usage = Usage {
            pages: 2,
            tokens: Some(7),
            credits: Some(1),
            simulated: true,
            ..Usage::default()
        };
        usage.call("CreateTask");
        let json = serde_json::to_value(&usage).unwrap();
        assert_eq!(json["simulated"], true);
        assert_eq!(json["credits"], 1);
        let back: Usage = serde_json::from_value(json).unwrap();
        assert_eq!(back, usage);
    }

    #[test]
    fn add_sums_and_keeps_simulated() {
        let mut a = Usage {
            credits: Some(1),
            ..Usage::default()
        };
        a.call("X");
        let mut b = Usage {
            tokens: Some(5),
            simulated: true,
            ..Usage::default()
        };
        b.call("X");
        b.call("Y");
        a.add(&b);
        assert_eq!(a.calls.get("X"), Some(&2));
        assert_eq!(a.calls.get("Y"), Some(&1));
        assert_eq!(a.tokens, Some(5));
        assert_eq!(a.credits, Some(1));
        assert!(!a.simulated);
        assert_eq!(a.total_calls(), 3);
    }
}
