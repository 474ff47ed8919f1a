//! Lenient decoding of the wire values whose JSON type the documentation leaves loose.
//!
//! The documentation calls the timestamps strings and `status`, `progress` and `state`
//! numbers; services of this kind are known to send a number where a string is documented and
//! the reverse, so both are accepted (and `null` wherever a value may be absent).

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// An optional string that may arrive as a JSON string, number or `null`.
pub(crate) fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(other) => {
            return Err(D::Error::custom(format!(
                "expected a string or a number, got {other}"
            )))
        }
    })
}

/// An optional number that may arrive as a JSON number (integer or float), a numeric string,
/// or `null`.
pub(crate) fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(v) => number(&v).map(Some).map_err(D::Error::custom),
    }
}

/// An optional integer that may arrive as an integer, an integral float or a numeric string.
pub(crate) fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(v) => integer(&v).map(Some).map_err(D::Error::custom),
    }
}

/// An integer from a JSON number or numeric string; floats must be integral.
pub(crate) fn integer(v: &Value) -> Result<i64, String> {
    if let Some(i) = v.as_i64() {
        return Ok(i);
    }
    let f = number(v)?;
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Ok(f as i64)
    } else {
        Err(format!("expected an integer, got {v}"))
    }
}

fn number(v: &Value) -> Result<f64, String> {
    match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| format!("unusable number {n}")),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .ok_or_else(|| format!("expected a number, got the string {s:?}")),
        other => Err(format!("expected a number, got {other}")),
    }
}

/// Unix seconds from a timestamp string (`"1700000000"`, or with a fraction).
pub(crate) fn unix_seconds(s: &str) -> Option<u64> {
    let t = s.trim();
    if let Ok(n) = t.parse::<u64>() {
        return Some(n);
    }
    let f = t.parse::<f64>().ok()?;
    (f.is_finite() && f >= 0.0).then(|| f.floor() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct T {
        #[serde(default, deserialize_with = "opt_string")]
        s: Option<String>,
        #[serde(default, deserialize_with = "opt_f64")]
        f: Option<f64>,
        #[serde(default, deserialize_with = "opt_i64")]
        i: Option<i64>,
    }

    fn parse(json: &str) -> T {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn accepts_both_spellings_and_null() {
        let t = parse(r#"{"s":1700000000,"f":"42","i":4.0}"#);
        assert_eq!(t.s.as_deref(), Some("1700000000"));
        assert_eq!(t.f, Some(42.0));
        assert_eq!(t.i, Some(4));
        let t = parse(r#"{"s":null,"f":null,"i":null}"#);
        assert!(t.s.is_none() && t.f.is_none() && t.i.is_none());
        let t = parse("{}");
        assert!(t.s.is_none() && t.f.is_none() && t.i.is_none());
        let t = parse(r#"{"s":"x","f":99.5,"i":"-7"}"#);
        assert_eq!(
            (t.s.as_deref(), t.f, t.i),
            (Some("x"), Some(99.5), Some(-7))
        );
    }

    #[test]
    fn refuses_what_is_not_a_number() {
        assert!(serde_json::from_str::<T>(r#"{"i":1.5}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"f":"abc"}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"s":[1]}"#).is_err());
    }

    #[test]
    fn timestamps() {
        assert_eq!(unix_seconds("1700000000"), Some(1_700_000_000));
        assert_eq!(unix_seconds(" 1700000000.75 "), Some(1_700_000_000));
        assert_eq!(unix_seconds("-1"), None);
        assert_eq!(unix_seconds("soon"), None);
    }
}
