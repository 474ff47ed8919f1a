//! Lenient decoding of numbers and strings in responses.
//!
//! The API models say "Integer" or "String", but the services are not always strict about it
//! (spec §7.8–7.9): an integer may come back as `3.0`, a number-in-a-string as a bare number.
//! These helpers accept both shapes, and explicit `null`, instead of failing the whole response.

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;

struct IntVisitor;

impl<'de> Visitor<'de> for IntVisitor {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer, an integral float, a number in a string, or null")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        i64::try_from(v)
            .map(Some)
            .map_err(|_| E::custom(format!("{v} does not fit a 64-bit signed integer")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 {
            Ok(Some(v as i64))
        } else {
            Err(E::custom(format!("{v} is not an integer")))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(None);
        }
        if let Ok(n) = t.parse::<i64>() {
            return Ok(Some(n));
        }
        match t.parse::<f64>() {
            Ok(f) => self.visit_f64(f),
            Err(_) => Err(E::custom(format!("{v:?} is not a number"))),
        }
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(IntVisitor)
    }
}

/// An optional integer that may arrive as an int, an integral float, a numeric string or null.
pub(crate) fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_option(IntVisitor)
}

/// An optional string that may arrive as a string, a number, a boolean, null, or (for free-form
/// fields) any JSON value, which is kept as its JSON text.
pub(crate) fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match value {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct T {
        #[serde(default, deserialize_with = "opt_i64")]
        n: Option<i64>,
        #[serde(default, deserialize_with = "opt_string")]
        s: Option<String>,
    }

    fn parse(json: &str) -> Result<T, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn integers_in_any_reasonable_shape() {
        assert_eq!(parse(r#"{"n":3}"#).unwrap().n, Some(3));
        assert_eq!(parse(r#"{"n":3.0}"#).unwrap().n, Some(3));
        assert_eq!(parse(r#"{"n":"42"}"#).unwrap().n, Some(42));
        assert_eq!(parse(r#"{"n":null}"#).unwrap().n, None);
        assert_eq!(parse(r#"{}"#).unwrap().n, None);
        assert!(parse(r#"{"n":3.5}"#).is_err());
        assert!(parse(r#"{"n":"x"}"#).is_err());
    }

    #[test]
    fn strings_accept_numbers_and_null() {
        assert_eq!(parse(r#"{"s":"50"}"#).unwrap().s.as_deref(), Some("50"));
        assert_eq!(parse(r#"{"s":50}"#).unwrap().s.as_deref(), Some("50"));
        assert_eq!(parse(r#"{"s":null}"#).unwrap().s, None);
        assert_eq!(
            parse(r#"{"s":{"a":1}}"#).unwrap().s.as_deref(),
            Some(r#"{"a":1}"#)
        );
    }
}
