//! Writing signature text into one buffer without intermediate strings.
//!
//! A signature is built as a single buffer (canonical request, string to sign,
//! `Authorization` value…) and each intermediate is a [`Span`] of it: one allocation
//! instead of one per intermediate, and no `format!`. The buffer is bytes while it
//! is written (so that lower-casing, hex and percent-encoding are plain byte loops)
//! and becomes a `String` once, at the end.

/// A byte range of a signature's text; always on `char` boundaries, because every
/// span starts and ends between two pushes of whole strings or ASCII bytes.
///
/// Offsets are `u32` to keep signatures small (they are moved around by value); a
/// text cannot reach 4 GiB, as a request with such headers could not be sent.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Span {
    start: u32,
    end: u32,
}

impl Span {
    /// The span `start..end`.
    pub(crate) fn new(start: usize, end: usize) -> Self {
        let offset = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Self {
            start: offset(start),
            end: offset(end),
        }
    }

    fn range(self) -> std::ops::Range<usize> {
        // u32 always fits usize on the platforms this crate builds for (32 and 64 bit).
        self.start as usize..self.end as usize
    }

    /// The bytes of this span of `text` (empty if it does not fit).
    pub(crate) fn bytes_of(self, text: &str) -> &[u8] {
        text.as_bytes().get(self.range()).unwrap_or_default()
    }

    /// The text of this span (empty if it does not fit `text`, which cannot happen
    /// for a span of the same text).
    pub(crate) fn of(self, text: &str) -> &str {
        text.get(self.range()).unwrap_or_default()
    }
}

/// Writes `bytes` as lower-case hex into the start of `out` (as far as it reaches).
///
/// Arithmetic rather than a table lookup, so that the compiler can convert many
/// bytes at a time.
#[inline]
pub(crate) fn hex_into(bytes: &[u8], out: &mut [u8]) {
    // `n` below 16: '0'..='9' for 0..=9, 'a'..='f' for 10..=15 ((n + 6) >> 4 is 1 from 10).
    let digit = |n: u8| n + b'0' + ((n + 6) >> 4) * (b'a' - b'0' - 10);
    for (pair, byte) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = digit(byte >> 4);
        pair[1] = digit(byte & 0x0f);
    }
}

/// `n` in decimal, zero-padded to at least `min_digits` digits (at most 20): the
/// digits are `buf[start..]`.
pub(crate) fn decimal(mut n: u64, min_digits: usize) -> ([u8; 20], usize) {
    let mut buf = [b'0'; 20];
    let mut start = buf.len();
    loop {
        start -= 1;
        // `n % 10` is below 10: the cast keeps it exactly.
        buf[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    (buf, start.min(buf.len().saturating_sub(min_digits)))
}

/// ASCII-case-insensitive ordering of two strings, as their lower-cased forms order.
pub(crate) fn cmp_lower(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes()
        .map(|b| b.to_ascii_lowercase())
        .cmp(b.bytes().map(|b| b.to_ascii_lowercase()))
}

/// `s.trim()`, quicker when there is nothing to trim (the usual case): every
/// whitespace character starts with a byte that is at most `b' '` or not ASCII.
pub(crate) fn trim(s: &str) -> &str {
    let plain = |b: Option<&u8>| b.is_some_and(|&b| b > b' ' && b.is_ascii());
    let bytes = s.as_bytes();
    if plain(bytes.first()) && plain(bytes.last()) {
        s
    } else {
        s.trim()
    }
}

/// A UTF-8 text under construction.
///
/// Everything pushed is a whole `&str` or ASCII, or `&str` bytes with only ASCII
/// bytes changed, so the bytes are always valid UTF-8 between pushes.
#[derive(Default)]
pub(crate) struct TextBuf {
    bytes: Vec<u8>,
}

impl TextBuf {
    /// An empty text with room for `capacity` bytes.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            bytes: Vec::with_capacity(capacity),
        }
    }

    /// Length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Bytes allocated.
    pub(crate) fn capacity(&self) -> usize {
        self.bytes.capacity()
    }

    /// Empties the text, keeping its allocation.
    pub(crate) fn clear(&mut self) {
        self.bytes.clear();
    }

    /// The span from `start` to the current end.
    pub(crate) fn since(&self, start: usize) -> Span {
        Span::new(start, self.bytes.len())
    }

    /// The bytes of `span`.
    pub(crate) fn bytes_of(&self, span: Span) -> &[u8] {
        self.bytes.get(span.range()).unwrap_or_default()
    }

    /// Appends a string.
    pub(crate) fn push_str(&mut self, s: &str) {
        self.bytes.extend_from_slice(s.as_bytes());
    }

    /// Appends an ASCII byte (given as a `char` literal's byte, e.g. `b'\n'`).
    pub(crate) fn push_ascii(&mut self, byte: u8) {
        debug_assert!(byte.is_ascii());
        self.bytes.push(byte);
    }

    /// Appends a slice of this text's own bytes (the text of `span`).
    pub(crate) fn push_span(&mut self, span: Span) {
        let range = span.range();
        if range.end <= self.bytes.len() {
            self.bytes.extend_from_within(range);
        }
    }

    /// Appends bytes copied from another text (`other` must be whole UTF-8 pieces of
    /// a [`TextBuf`], i.e. the bytes of one of its spans).
    pub(crate) fn push_text_bytes(&mut self, other: &[u8]) {
        self.bytes.extend_from_slice(other);
    }

    /// Appends `s` with ASCII letters lower-cased, like `s.to_ascii_lowercase()`.
    pub(crate) fn push_lower(&mut self, s: &str) {
        self.push_lower_bytes(s.as_bytes());
    }

    /// Appends bytes of a [`TextBuf`] or `&str` (whole UTF-8 pieces) with ASCII letters
    /// lower-cased.
    pub(crate) fn push_lower_bytes(&mut self, bytes: &[u8]) {
        self.bytes
            .extend(bytes.iter().map(|byte| byte.to_ascii_lowercase()));
    }

    /// Appends `s` with ASCII letters upper-cased, like `s.to_ascii_uppercase()`.
    pub(crate) fn push_upper(&mut self, s: &str) {
        self.bytes
            .extend(s.bytes().map(|byte| byte.to_ascii_uppercase()));
    }

    /// Appends `bytes` as lower-case hex.
    pub(crate) fn push_hex(&mut self, bytes: &[u8]) {
        let start = self.bytes.len();
        self.bytes.resize(start + 2 * bytes.len(), 0);
        if let Some(out) = self.bytes.get_mut(start..) {
            hex_into(bytes, out);
        }
    }

    /// Appends `n` in decimal, zero-padded to at least `min_digits` digits (at most 20).
    pub(crate) fn push_decimal(&mut self, n: u64, min_digits: usize) {
        let (buf, start) = decimal(n, min_digits);
        self.bytes.extend_from_slice(&buf[start..]);
    }

    /// Appends `s` percent-encoded byte by byte: bytes for which `keep` is true as they
    /// are (lower-cased if `lower`), every other byte as `%XX` with `digits`.
    pub(crate) fn push_percent_encoded(
        &mut self,
        s: &str,
        keep: &[bool; 256],
        digits: &[u8; 16],
        lower: bool,
    ) {
        self.bytes.reserve(s.len());
        for b in s.bytes() {
            if keep[usize::from(b)] {
                self.bytes
                    .push(if lower { b.to_ascii_lowercase() } else { b });
            } else {
                self.bytes.extend_from_slice(&[
                    b'%',
                    digits[usize::from(b >> 4)],
                    digits[usize::from(b & 0x0f)],
                ]);
            }
        }
    }

    /// The finished text.
    pub(crate) fn into_string(self) -> String {
        // Always valid (see the type's documentation); the lossy branch is never
        // taken, and spans stay valid even if it were (nothing would change length
        // for the ASCII-and-whole-str content written here).
        String::from_utf8(self.bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(f: impl FnOnce(&mut TextBuf)) -> String {
        let mut buf = TextBuf::default();
        f(&mut buf);
        buf.into_string()
    }

    #[test]
    fn hex_matches_the_hex_crate() {
        let bytes: Vec<u8> = (0..=255).collect();
        for len in [0, 1, 20, 31, 32, 33, 64, 256] {
            let shown = text(|t| {
                t.push_ascii(b'x');
                t.push_hex(&bytes[..len]);
            });
            assert_eq!(shown, format!("x{}", hex::encode(&bytes[..len])));
        }
    }

    #[test]
    fn decimal_pads_and_covers_the_range() {
        for (n, min, expected) in [
            (0, 1, "0"),
            (7, 2, "07"),
            (2019, 4, "2019"),
            (5, 4, "0005"),
            (12_345, 4, "12345"),
            (u64::MAX, 1, "18446744073709551615"),
            (u64::MAX, 30, "18446744073709551615"),
        ] {
            assert_eq!(text(|t| t.push_decimal(n, min)), expected);
        }
    }

    #[test]
    fn case_helpers_match_std() {
        for s in [
            "",
            "abc",
            "ABC",
            "Mixed-Case",
            "腾讯Cloud",
            "X-TC-Action",
            "ÀÉ",
        ] {
            assert_eq!(text(|t| t.push_lower(s)), s.to_ascii_lowercase());
            assert_eq!(text(|t| t.push_upper(s)), s.to_ascii_uppercase());
            assert_eq!(
                cmp_lower(s, "x-tc-action"),
                s.to_ascii_lowercase().as_str().cmp("x-tc-action")
            );
        }
    }

    #[test]
    fn trim_matches_std() {
        for s in [
            "",
            " ",
            "a",
            " a ",
            "a\t",
            "\u{a0}a",
            "a\u{3000}",
            "\u{85}",
            "ab c",
            "\x7f",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn spans_copy_within_the_text() {
        let mut buf = TextBuf::with_capacity(4);
        buf.push_str("head:");
        let start = buf.len();
        buf.push_str("bödy");
        let span = buf.since(start);
        buf.push_span(span);
        assert_eq!(buf.bytes_of(span), "bödy".as_bytes());
        let shown = buf.into_string();
        assert_eq!(shown, "head:bödybödy");
        assert_eq!(span.of(&shown), "bödy");
        assert_eq!(Span::default().of(&shown), "");
    }
}
