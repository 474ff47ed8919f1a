//! Lenient decoding of response fields whose JSON type the services do not keep exactly.
//!
//! API models say `Integer`, `Float` or `String`, but an integer field may come back as `12.0`
//! or `"12"`, a float as `0`, a numeric string field as a bare number. These `deserialize_with`
//! helpers accept those shapes and explicit `null`, so a harmless representation change never
//! fails a whole response, while values that are not numbers at all are still refused.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

/// An `Integer` field: accepts integers, integral floats (`12.0`), numeric strings and `null`.
/// A fraction (`1.5`) is refused: it means the field is not what the documentation says.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct T {
///     #[serde(default, deserialize_with = "ocr_core::lenient::opt_i64")]
///     n: Option<i64>,
/// }
/// let t: T = serde_json::from_str(r#"{"n": "42"}"#).unwrap();
/// assert_eq!(t.n, Some(42));
/// assert!(serde_json::from_str::<T>(r#"{"n": 1.5}"#).is_err());
/// ```
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_any(IntVisitor)
}

/// A `Float` field: accepts integers, floats, numeric strings and `null`.
pub fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    d.deserialize_any(FloatVisitor)
}

/// A `String` field that looks like a number on the wire (`PageIndex`, `Height` …): accepts
/// strings, numbers, booleans and `null`.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    d.deserialize_any(StringVisitor)
}

struct IntVisitor;

impl<'de> Visitor<'de> for IntVisitor {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer, a number, a numeric string or null")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        i64::try_from(v)
            .map(Some)
            .map_err(|_| E::custom(format!("integer {v} is out of range")))
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
        if let Ok(i) = t.parse::<i64>() {
            return Ok(Some(i));
        }
        match t.parse::<f64>() {
            Ok(f) => self.visit_f64(f),
            Err(_) => Err(E::custom(format!("{v:?} is not a number"))),
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

struct FloatVisitor;

impl<'de> Visitor<'de> for FloatVisitor {
    type Value = Option<f64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, a numeric string or null")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(None);
        }
        t.parse::<f64>()
            .map(Some)
            .map_err(|_| E::custom(format!("{v:?} is not a number")))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

struct StringVisitor;

impl<'de> Visitor<'de> for StringVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, a number or null")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// Unix seconds from a timestamp string (`"1700000000"`, or with a fraction, which is dropped).
///
/// ```
/// assert_eq!(ocr_core::lenient::unix_seconds(" 1700000000.75 "), Some(1_700_000_000));
/// assert_eq!(ocr_core::lenient::unix_seconds("soon"), None);
/// ```
pub fn unix_seconds(s: &str) -> Option<u64> {
    let t = s.trim();
    if let Ok(n) = t.parse::<u64>() {
        return Some(n);
    }
    let f = t.parse::<f64>().ok()?;
    (f.is_finite() && f >= 0.0).then(|| f.floor() as u64)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct T {
        #[serde(deserialize_with = "super::opt_i64")]
        i: Option<i64>,
        #[serde(deserialize_with = "super::opt_f64")]
        f: Option<f64>,
        #[serde(deserialize_with = "super::opt_string")]
        s: Option<String>,
    }

    fn parse(json: &str) -> T {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn numbers_in_any_shape() {
        let t = parse(r#"{"i": 12.0, "f": 3, "s": 7}"#);
        assert_eq!((t.i, t.f, t.s.as_deref()), (Some(12), Some(3.0), Some("7")));
        let t = parse(r#"{"i": "42", "f": "1.5", "s": "2"}"#);
        assert_eq!((t.i, t.f, t.s.as_deref()), (Some(42), Some(1.5), Some("2")));
        let t = parse(r#"{"i": null, "f": null, "s": null}"#);
        assert_eq!((t.i, t.f, t.s), (None, None, None));
        let t = parse(r#"{}"#);
        assert_eq!((t.i, t.f, t.s), (None, None, None));
        assert!(serde_json::from_str::<T>(r#"{"i": "abc"}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"i": 1.5}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"f": "abc"}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"s": [1]}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"i": [1]}"#).is_err());
    }
}
