//! Text a file carries in a form the emulator can read: a PNG `tEXt`/`iTXt` chunk with
//! keyword `Text`, a JPEG comment (COM) segment, PDF literal strings shown with
//! `Tj`/`TJ` in uncompressed content streams, or the file itself when it is UTF-8.

/// Keyword of the PNG text chunk whose value is "the text in the image".
pub(crate) const PNG_TEXT_KEYWORD: &str = "Text";

/// The text of a PNG `tEXt` (Latin-1) or uncompressed `iTXt` (UTF-8) chunk whose keyword
/// is `Text`; several such chunks are joined by newlines.
pub(crate) fn png_text(bytes: &[u8]) -> Option<String> {
    let mut i = 8;
    let mut found: Vec<String> = Vec::new();
    while i + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes.get(i..i + 4)?.try_into().ok()?) as usize;
        let kind = bytes.get(i + 4..i + 8)?;
        let data = bytes.get(i + 8..(i + 8).checked_add(len)?)?;
        match kind {
            b"tEXt" => {
                if let Some(pos) = data.iter().position(|b| *b == 0) {
                    if &data[..pos] == PNG_TEXT_KEYWORD.as_bytes() {
                        found.push(data[pos + 1..].iter().map(|b| char::from(*b)).collect());
                    }
                }
            }
            b"iTXt" => {
                if let Some(text) = itxt_text(data) {
                    found.push(text);
                }
            }
            b"IEND" => break,
            _ => {}
        }
        i += 12 + len;
    }
    (!found.is_empty()).then(|| found.join("\n"))
}

fn itxt_text(data: &[u8]) -> Option<String> {
    let key_end = data.iter().position(|b| *b == 0)?;
    if &data[..key_end] != PNG_TEXT_KEYWORD.as_bytes() {
        return None;
    }
    let compressed = *data.get(key_end + 1)?;
    if compressed != 0 {
        return None;
    }
    let rest = data.get(key_end + 3..)?;
    let lang_end = rest.iter().position(|b| *b == 0)?;
    let rest = rest.get(lang_end + 1..)?;
    let trans_end = rest.iter().position(|b| *b == 0)?;
    let text = rest.get(trans_end + 1..)?;
    Some(String::from_utf8_lossy(text).into_owned())
}

/// The text of the JPEG comment (COM, `FF FE`) segments before the image data.
pub(crate) fn jpeg_comment(bytes: &[u8]) -> Option<String> {
    let mut i = 2;
    let mut found: Vec<String> = Vec::new();
    while i + 4 <= bytes.len() {
        if bytes.get(i) != Some(&0xFF) {
            break;
        }
        let marker = *bytes.get(i + 1)?;
        if marker == 0xFF {
            i += 1;
            continue;
        }
        if marker == 0xD8 || (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            i += 2;
            continue;
        }
        if marker == 0xDA || marker == 0xD9 {
            break;
        }
        let len = usize::from(u16::from_be_bytes(
            bytes.get(i + 2..i + 4)?.try_into().ok()?,
        ));
        if marker == 0xFE {
            let data = bytes.get(i + 4..i + 2 + len)?;
            found.push(decode_text(data));
        }
        i += 2 + len;
    }
    (!found.is_empty()).then(|| found.join("\n"))
}

/// What a PDF tells about itself.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct PdfInfo {
    /// Number of page objects (`/Type /Page`).
    pub(crate) pages: usize,
    /// The first `/MediaBox`, in points.
    pub(crate) page_size: Option<(u32, u32)>,
    /// Lines shown by each uncompressed content stream that shows text, in file order
    /// (taken as page 1, 2, …).
    pub(crate) streams: Vec<Vec<String>>,
}

/// Reads page count, page size and shown text from a PDF.
pub(crate) fn pdf_info(bytes: &[u8]) -> PdfInfo {
    PdfInfo {
        pages: count_pages(bytes),
        page_size: media_box(bytes),
        streams: content_streams(bytes)
            .into_iter()
            .map(content_lines)
            .filter(|lines| !lines.is_empty())
            .collect(),
    }
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from >= hay.len() {
        return None;
    }
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn count_pages(bytes: &[u8]) -> usize {
    let mut count = 0;
    let mut pos = 0;
    while let Some(at) = find(bytes, b"/Type", pos) {
        let mut j = at + 5;
        while bytes.get(j).is_some_and(|b| b.is_ascii_whitespace()) {
            j += 1;
        }
        if bytes.get(j..j + 5) == Some(b"/Page") && bytes.get(j + 5).is_none_or(|b| *b != b's') {
            count += 1;
        }
        pos = at + 5;
    }
    count
}

fn media_box(bytes: &[u8]) -> Option<(u32, u32)> {
    let at = find(bytes, b"/MediaBox", 0)?;
    let open = find(bytes, b"[", at)?;
    let close = find(bytes, b"]", open)?;
    let inner = std::str::from_utf8(bytes.get(open + 1..close)?).ok()?;
    let nums: Vec<f64> = inner
        .split_whitespace()
        .filter_map(|t| t.parse::<f64>().ok())
        .collect();
    if nums.len() != 4 {
        return None;
    }
    let w = (nums[2] - nums[0]).abs().round();
    let h = (nums[3] - nums[1]).abs().round();
    if w < 1.0 || h < 1.0 || w > 100_000.0 || h > 100_000.0 {
        return None;
    }
    Some((w as u32, h as u32))
}

/// Data of every stream whose dictionary has no `/Filter`.
fn content_streams(bytes: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut dict_start = 0;
    while let Some(at) = find(bytes, b"stream", pos) {
        let is_end = at >= 3 && bytes.get(at - 3..at) == Some(b"end");
        if is_end {
            pos = at + 6;
            dict_start = at + 6;
            continue;
        }
        let mut start = at + 6;
        if bytes.get(start) == Some(&b'\r') {
            start += 1;
        }
        if bytes.get(start) == Some(&b'\n') {
            start += 1;
        }
        let Some(end) = find(bytes, b"endstream", start) else {
            break;
        };
        let dict = bytes.get(dict_start..at).unwrap_or_default();
        let dict = match find(dict, b"obj", 0) {
            Some(_) => {
                let last_obj = dict
                    .windows(3)
                    .rposition(|w| w == b"obj")
                    .unwrap_or_default();
                dict.get(last_obj..).unwrap_or_default()
            }
            None => dict,
        };
        if find(dict, b"/Filter", 0).is_none() {
            if let Some(data) = bytes.get(start..end) {
                out.push(data);
            }
        }
        pos = end + 9;
        dict_start = pos;
    }
    out
}

enum Operand {
    Str(Vec<u8>),
    Num(f64),
    Array(Vec<Operand>),
    Other,
}

/// Lines shown by `Tj`, `'`, `"` (one string each) and `TJ` (an array of strings and
/// kerning numbers; a kerning of more than 200 thousandths becomes a space).
fn content_lines(data: &[u8]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut stack: Vec<Vec<Operand>> = vec![Vec::new()];
    let mut i = 0;
    while i < data.len() {
        let c = data[i];
        match c {
            b'%' => {
                while i < data.len() && data[i] != b'\n' && data[i] != b'\r' {
                    i += 1;
                }
            }
            b'(' => {
                let (s, next) = literal_string(data, i + 1);
                push(&mut stack, Operand::Str(s));
                i = next;
                continue;
            }
            b'<' if data.get(i + 1) == Some(&b'<') => i += 1,
            b'>' if data.get(i + 1) == Some(&b'>') => i += 1,
            b'<' => {
                let end = find(data, b">", i + 1).unwrap_or(data.len());
                let hex: Vec<u8> = data
                    .get(i + 1..end)
                    .unwrap_or_default()
                    .iter()
                    .copied()
                    .filter(u8::is_ascii_hexdigit)
                    .collect();
                let mut bytes = Vec::with_capacity(hex.len() / 2 + 1);
                for pair in hex.chunks(2) {
                    let hi = hex_val(pair[0]);
                    let lo = pair.get(1).map_or(0, |b| hex_val(*b));
                    bytes.push(hi << 4 | lo);
                }
                push(&mut stack, Operand::Str(bytes));
                i = end + 1;
                continue;
            }
            b'[' => stack.push(Vec::new()),
            b']' => {
                if stack.len() > 1 {
                    let items = stack.pop().unwrap_or_default();
                    push(&mut stack, Operand::Array(items));
                }
            }
            b'/' => {
                i += 1;
                while i < data.len() && !is_delimiter(data[i]) {
                    i += 1;
                }
                push(&mut stack, Operand::Other);
                continue;
            }
            c if c.is_ascii_whitespace() => {}
            _ => {
                let start = i;
                while i < data.len() && !is_delimiter(data[i]) {
                    i += 1;
                }
                let token = data.get(start..i).unwrap_or_default();
                if let Some(n) = std::str::from_utf8(token)
                    .ok()
                    .and_then(|t| t.parse::<f64>().ok())
                {
                    push(&mut stack, Operand::Num(n));
                } else {
                    let operands = stack.last_mut();
                    if let Some(operands) = operands {
                        if let Some(line) = shown_text(token, operands) {
                            let line = line.trim().to_owned();
                            if !line.is_empty() {
                                lines.push(line);
                            }
                        }
                        operands.clear();
                    }
                }
                if i == start {
                    i += 1;
                }
                continue;
            }
        }
        i += 1;
    }
    lines
}

fn push(stack: &mut [Vec<Operand>], op: Operand) {
    if let Some(top) = stack.last_mut() {
        top.push(op);
    }
}

fn shown_text(operator: &[u8], operands: &[Operand]) -> Option<String> {
    match operator {
        b"Tj" | b"'" | b"\"" => match operands.last()? {
            Operand::Str(s) => Some(decode_text(s)),
            _ => None,
        },
        b"TJ" => match operands.last()? {
            Operand::Array(items) => {
                let mut text = String::new();
                for item in items {
                    match item {
                        Operand::Str(s) => text.push_str(&decode_text(s)),
                        Operand::Num(n) if *n < -200.0 => text.push(' '),
                        _ => {}
                    }
                }
                Some(text)
            }
            _ => None,
        },
        _ => None,
    }
}

fn is_delimiter(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'/' | b'%')
}

fn hex_val(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => 0,
    }
}

/// Parses a literal string starting after its `(`; returns the bytes and the index
/// after the closing `)`.
fn literal_string(data: &[u8], mut i: usize) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    let mut depth = 1;
    while i < data.len() {
        let c = data[i];
        match c {
            b'\\' => {
                i += 1;
                let Some(&e) = data.get(i) else { break };
                match e {
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'0'..=b'7' => {
                        let mut v: u32 = 0;
                        let mut k = 0;
                        while k < 3 && data.get(i).is_some_and(|d| (b'0'..=b'7').contains(d)) {
                            v = v * 8 + u32::from(data[i] - b'0');
                            i += 1;
                            k += 1;
                        }
                        out.push((v & 0xFF) as u8);
                        continue;
                    }
                    b'\r' => {
                        if data.get(i + 1) == Some(&b'\n') {
                            i += 1;
                        }
                    }
                    b'\n' => {}
                    other => out.push(other),
                }
            }
            b'(' => {
                depth += 1;
                out.push(c);
            }
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return (out, i + 1);
                }
                out.push(c);
            }
            _ => out.push(c),
        }
        i += 1;
    }
    (out, i)
}

/// UTF-16BE with a BOM, else UTF-8, else Latin-1.
pub(crate) fn decode_text(bytes: &[u8]) -> String {
    if bytes.starts_with(&[0xFE, 0xFF]) {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|b| char::from(*b)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut v = (data.len() as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(data);
        v.extend_from_slice(&[0, 0, 0, 0]);
        v
    }

    #[test]
    fn png_text_chunks() {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"IHDR", &[0; 13]));
        png.extend(chunk(b"tEXt", b"Comment\0not this"));
        png.extend(chunk(b"tEXt", b"Text\0Hello\nWorld"));
        png.extend(chunk(b"iTXt", "Text\0\0\0\0\0Grüße".as_bytes()));
        png.extend(chunk(b"IEND", b""));
        assert_eq!(png_text(&png).as_deref(), Some("Hello\nWorld\nGrüße"));
    }

    #[test]
    fn jpeg_comments() {
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xFE, 0x00, 0x07];
        jpeg.extend_from_slice(b"Hi 1\n");
        jpeg.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x02]);
        assert_eq!(jpeg_comment(&jpeg).as_deref(), Some("Hi 1\n"));
    }

    #[test]
    fn pdf_text_and_pages() {
        let pdf = b"%PDF-1.4\n1 0 obj << /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >> endobj\n\
            2 0 obj << /Type /Page /MediaBox [0 0 612 792] >> endobj\n\
            3 0 obj << /Type/Page >> endobj\n\
            4 0 obj << /Length 60 >>\nstream\nBT /F1 12 Tf 72 720 Td (Hello \\(PDF\\)) Tj 0 -14 Td [(Wor) -300 (ld)] TJ ET\nendstream\nendobj\n\
            5 0 obj << /Length 9 /Filter /FlateDecode >>\nstream\nxx (no) Tj\nendstream\nendobj\n\
            6 0 obj << /Length 20 >>\nstream\nBT <48690a> Tj ET\nendstream\nendobj\n%%EOF";
        let info = pdf_info(pdf);
        assert_eq!(info.pages, 2);
        assert_eq!(info.page_size, Some((612, 792)));
        assert_eq!(
            info.streams,
            vec![
                vec!["Hello (PDF)".to_owned(), "Wor ld".to_owned()],
                vec!["Hi".to_owned()]
            ]
        );
    }
}
