//! Small valid PNG files: the placeholder image of LKEAP results, the card portrait,
//! and test inputs that carry text in a `tEXt` chunk.

use super::checksum::{adler32, crc32};

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(u32::MAX).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A zlib stream of stored (uncompressed) blocks.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let mut blocks = data.chunks(65_535).peekable();
    if blocks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xFF, 0xFF]);
    }
    while let Some(block) = blocks.next() {
        out.push(u8::from(blocks.peek().is_none()));
        let len = u16::try_from(block.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

/// A grey-scale PNG of `width` × `height` with a soft diagonal pattern, and a `tEXt`
/// chunk `Text` holding `text` (Latin-1 bytes; non-Latin-1 characters go into an
/// `iTXt` chunk instead) when it is not empty.
pub(crate) fn png(width: u32, height: u32, text: &str, seed: u8) -> Vec<u8> {
    let (width, height) = (width.max(1), height.max(1));
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    if !text.is_empty() {
        if text.chars().all(|c| (c as u32) < 256) {
            let mut data = b"Text\0".to_vec();
            data.extend(text.chars().map(|c| c as u8));
            chunk(&mut out, b"tEXt", &data);
        } else {
            let mut data = b"Text\0\0\0\0\0".to_vec();
            data.extend_from_slice(text.as_bytes());
            chunk(&mut out, b"iTXt", &data);
        }
    }
    // Keep the pixel data small: tall or wide images repeat a short pattern.
    let row_len = width as usize + 1;
    let total = row_len.saturating_mul(height as usize);
    let raw: Vec<u8> = if total <= 4 * 1024 * 1024 {
        let mut raw = Vec::with_capacity(total);
        for y in 0..height {
            raw.push(0);
            for x in 0..width {
                raw.push(200u8.wrapping_add(((x + y) % 48) as u8).wrapping_add(seed));
            }
        }
        raw
    } else {
        Vec::new()
    };
    chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    chunk(&mut out, b"IEND", &[]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{extract, format};

    #[test]
    fn reads_back() {
        let p = png(32, 16, "Hello\nThere", 0);
        let f = format::Format::sniff(&p);
        assert_eq!(f, format::Format::Png);
        assert_eq!(format::image_dimensions(&p, f), Some((32, 16)));
        assert_eq!(extract::png_text(&p).as_deref(), Some("Hello\nThere"));
        let q = png(8, 8, "你好", 0);
        assert_eq!(extract::png_text(&q).as_deref(), Some("你好"));
    }
}
