//! Small helpers over HTTP request parts.

use axum::body::Body;
use axum::http::HeaderMap;
use futures_util::StreamExt;
use percent_encoding::percent_decode_str;

/// The most request-body bytes [`drain`] reads and throws away.
const DRAIN_LIMIT: u64 = 1024 * 1024 * 1024;

/// Reads and discards the rest of a request body that is refused before it is read, as a
/// server's lingering close does: a client still sending a large (chunked) upload then
/// receives the answer (401, 403, 429, 503…) instead of a connection reset, which it would
/// have to treat as "the request may have been processed". Stops at the end of the body, at
/// the first error, or after [`DRAIN_LIMIT`] bytes; returns the bytes read.
pub(crate) async fn drain(body: Body) -> u64 {
    let mut stream = body.into_data_stream();
    let mut read: u64 = 0;
    while let Some(Ok(chunk)) = stream.next().await {
        read = read.saturating_add(chunk.len() as u64);
        if read > DRAIN_LIMIT {
            break;
        }
    }
    read
}

/// Decoded query parameters in received order, as `application/x-www-form-urlencoded`:
/// `+` is a space (the official SDKs encode spaces so), `%2B` a plus; a parameter without
/// `=` has an empty value.
pub(crate) fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode_query(k), decode_query(v))
        })
        .collect()
}

/// Percent-decodes a query component, `+` meaning a space (lossy UTF-8).
fn decode_query(s: &str) -> String {
    decode(&s.replace('+', "%20"))
}

/// Percent-decodes a path (`+` stays `+`; lossy UTF-8).
pub(crate) fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Headers as `(lower-case name, value)` pairs (non-UTF-8 values lossily decoded).
pub(crate) fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// Borrowed view of owned pairs.
pub(crate) fn borrow_pairs(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect()
}

/// The first value of a header as text.
pub(crate) fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The first value of a query parameter.
pub(crate) fn query_value<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_is_decoded() {
        assert_eq!(
            parse_query("a=1&cancel&detect-url=http%3A%2F%2Fx%2Fy+z%2B1&&b=&c+d=e"),
            vec![
                ("a".to_owned(), "1".to_owned()),
                ("cancel".to_owned(), String::new()),
                ("detect-url".to_owned(), "http://x/y z+1".to_owned()),
                ("b".to_owned(), String::new()),
                ("c d".to_owned(), "e".to_owned()),
            ]
        );
    }
}
