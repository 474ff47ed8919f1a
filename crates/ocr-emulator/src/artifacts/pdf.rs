//! Minimal valid PDF files whose pages show text with `Tj` in uncompressed content
//! streams (so the emulator reads them back): PicWish `format=pdf` results and test
//! inputs.

/// Escapes a string for a PDF literal string. Non-ASCII characters become `?` (the
/// standard fonts have no glyphs for them; the text file result keeps the real text).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            _ => out.push('?'),
        }
    }
    out
}

/// A PDF with one page per entry of `pages`, each showing its lines top to bottom in
/// Helvetica on a US Letter page.
pub(crate) fn pdf(pages: &[Vec<String>]) -> Vec<u8> {
    let pages: Vec<Vec<String>> = if pages.is_empty() {
        vec![Vec::new()]
    } else {
        pages.to_vec()
    };
    let n = pages.len();
    // Objects: 1 catalog, 2 pages, 3 font, then per page: page, content.
    let mut objects: Vec<String> = Vec::new();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".to_owned());
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    objects.push(format!(
        "<< /Type /Pages /Kids [{}] /Count {n} >>",
        kids.join(" ")
    ));
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned());
    for (i, lines) in pages.iter().enumerate() {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            5 + 2 * i
        ));
        let mut content = String::from("BT /F1 12 Tf 72 720 Td 14 TL\n");
        for line in lines {
            content.push_str(&format!("({}) Tj T*\n", escape(line)));
        }
        content.push_str("ET");
        objects.push(format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ));
    }
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::extract::pdf_info;

    #[test]
    fn reads_back() {
        let p = pdf(&[
            vec!["Hello (1)".into(), "Second".into()],
            vec!["Page two".into()],
        ]);
        let info = pdf_info(&p);
        assert_eq!(info.pages, 2);
        assert_eq!(info.page_size, Some((612, 792)));
        assert_eq!(info.streams[0], ["Hello (1)", "Second"]);
        assert_eq!(info.streams[1], ["Page two"]);
    }
}
