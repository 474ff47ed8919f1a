//! XML in and out (quick-xml with serde), and the lenient decoders the CI XML needs.
//!
//! Every CI value is text: numbers, floats and booleans arrive as strings, empty elements
//! (`<Message/>`, `<Language/>`) mean "empty", and repeated elements have no wrapper (one item
//! looks like a single object). The helpers here decode such text without failing on an empty
//! element or an integer written as a float.

use std::str::FromStr;

use ocr_core::{Error, Result};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

/// Serialises `value` as `<{root}>…</{root}>`, without XML declaration or indentation.
pub(crate) fn to_xml<T: Serialize>(root: &str, value: &T) -> Result<String> {
    quick_xml::se::to_string_with_root(root, value).map_err(|e| {
        Error::invalid_input("body", "cannot be encoded as XML").with_source(Box::new(e))
    })
}

/// Parses an XML response body (the root element's name is not checked).
pub(crate) fn from_xml<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    let text = std::str::from_utf8(body)
        .map_err(|e| Error::decode("the XML response is not valid UTF-8").with_source(e))?;
    quick_xml::de::from_str(text)
        .map_err(|e| Error::decode(format!("cannot parse the XML response: {e}")).with_source(e))
}

/// The trimmed text of an optional element; an absent or empty element is `None`.
fn text<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    let raw: Option<String> = Option::deserialize(d)?;
    Ok(raw.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()))
}

/// An optional number from element text: empty is `None`; an integer field also accepts a
/// float with no fractional part (`"12.0"`).
pub(crate) fn opt_int<'de, D, T>(d: D) -> std::result::Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr + TryFrom<i64>,
{
    let Some(s) = text(d)? else {
        return Ok(None);
    };
    if let Ok(v) = s.parse::<T>() {
        return Ok(Some(v));
    }
    let float: f64 = s
        .parse()
        .map_err(|_| serde::de::Error::custom(format!("`{s}` is not a number")))?;
    if float.fract() == 0.0 && float.abs() < 9.0e15 {
        if let Ok(v) = T::try_from(float as i64) {
            return Ok(Some(v));
        }
    }
    Err(serde::de::Error::custom(format!(
        "`{s}` is not an integer in range"
    )))
}

/// An optional float from element text (`"359.99"`, `"0"`); empty is `None`.
pub(crate) fn opt_f64<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<f64>, D::Error> {
    let Some(s) = text(d)? else {
        return Ok(None);
    };
    s.parse::<f64>()
        .map(Some)
        .map_err(|_| serde::de::Error::custom(format!("`{s}` is not a number")))
}

/// An optional boolean from element text (`"true"`/`"false"`, any case, also `1`/`0`);
/// empty is `None`.
pub(crate) fn opt_bool<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<bool>, D::Error> {
    let Some(s) = text(d)? else {
        return Ok(None);
    };
    match s.to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(Some(true)),
        "false" | "0" => Ok(Some(false)),
        _ => Err(serde::de::Error::custom(format!("`{s}` is not a boolean"))),
    }
}

/// An optional string; an empty element is `None`.
pub(crate) fn opt_string<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    text(d)
}

/// A string that may be absent or empty (`<Message/>`): both give `""`.
pub(crate) fn string<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    Ok(text(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Probe {
        #[serde(rename = "I", default, deserialize_with = "opt_int")]
        i: Option<u32>,
        #[serde(rename = "F", default, deserialize_with = "opt_f64")]
        f: Option<f64>,
        #[serde(rename = "B", default, deserialize_with = "opt_bool")]
        b: Option<bool>,
        #[serde(rename = "S", default, deserialize_with = "string")]
        s: String,
    }

    #[test]
    fn lenient_values() {
        let p: Probe = from_xml(b"<P><I>12.0</I><F>359.99</F><B>TRUE</B><S/></P>").unwrap();
        assert_eq!(
            p,
            Probe {
                i: Some(12),
                f: Some(359.99),
                b: Some(true),
                s: String::new()
            }
        );
        let p: Probe = from_xml(b"<P><I/><F> </F></P>").unwrap();
        assert_eq!(p.i, None);
        assert_eq!(p.f, None);
        assert_eq!(p.b, None);
        assert!(from_xml::<Probe>(b"<P><I>1.5</I></P>").is_err());
        assert!(from_xml::<Probe>(b"<P><I>-1</I></P>").is_err());
        assert!(from_xml::<Probe>(b"<P><B>maybe</B></P>").is_err());
    }

    #[test]
    fn bad_xml_is_a_decode_error() {
        let err = from_xml::<Probe>(b"<P><I>1</P>").unwrap_err();
        assert_eq!(err.kind(), ocr_core::ErrorKind::Decode);
    }
}
