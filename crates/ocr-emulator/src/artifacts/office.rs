//! Minimal Office Open XML files (DOCX, XLSX, PPTX) holding recognised text: the
//! PicWish results for `format=docx|xlsx|pptx`.

use super::{xml_escape, zip};

const XML_DECL: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;
const REL_OFFICE_DOC: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument";

fn root_rels(target: &str) -> String {
    format!(
        r#"{XML_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL_OFFICE_DOC}" Target="{target}"/></Relationships>"#
    )
}

/// A Word document: one paragraph per line, a page break between pages.
pub(crate) fn docx(pages: &[Vec<String>]) -> Result<Vec<u8>, std::io::Error> {
    let mut body = String::new();
    for (i, page) in pages.iter().enumerate() {
        if i > 0 {
            body.push_str(r#"<w:p><w:r><w:br w:type="page"/></w:r></w:p>"#);
        }
        for line in page {
            body.push_str(&format!(
                r#"<w:p><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
                xml_escape(line)
            ));
        }
    }
    let document = format!(
        r#"{XML_DECL}<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    let types = format!(
        r#"{XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#
    );
    zip(&[
        ("[Content_Types].xml".to_owned(), types.into_bytes()),
        (
            "_rels/.rels".to_owned(),
            root_rels("word/document.xml").into_bytes(),
        ),
        ("word/document.xml".to_owned(), document.into_bytes()),
    ])
}

/// A workbook with one sheet per page, one row per line (inline strings).
pub(crate) fn xlsx(pages: &[Vec<String>]) -> Result<Vec<u8>, std::io::Error> {
    let mut entries = Vec::new();
    let mut sheets = String::new();
    let mut rels = String::new();
    let mut overrides = String::new();
    for (i, page) in pages.iter().enumerate() {
        let n = i + 1;
        sheets.push_str(&format!(
            r#"<sheet name="Page {n}" sheetId="{n}" r:id="rId{n}"/>"#
        ));
        rels.push_str(&format!(
            r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>"#
        ));
        overrides.push_str(&format!(
            r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        ));
        let rows: String = page
            .iter()
            .enumerate()
            .map(|(r, line)| {
                format!(
                    r#"<row r="{0}"><c r="A{0}" t="inlineStr"><is><t xml:space="preserve">{1}</t></is></c></row>"#,
                    r + 1,
                    xml_escape(line)
                )
            })
            .collect();
        entries.push((
            format!("xl/worksheets/sheet{n}.xml"),
            format!(
                r#"{XML_DECL}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
            )
            .into_bytes(),
        ));
    }
    let workbook = format!(
        r#"{XML_DECL}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheets}</sheets></workbook>"#
    );
    let types = format!(
        r#"{XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>"#
    );
    let mut all = vec![
        ("[Content_Types].xml".to_owned(), types.into_bytes()),
        ("_rels/.rels".to_owned(), root_rels("xl/workbook.xml").into_bytes()),
        ("xl/workbook.xml".to_owned(), workbook.into_bytes()),
        (
            "xl/_rels/workbook.xml.rels".to_owned(),
            format!(
                r#"{XML_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#
            )
            .into_bytes(),
        ),
    ];
    all.extend(entries);
    zip(&all)
}

/// A presentation with one slide per page, one text paragraph per line.
pub(crate) fn pptx(pages: &[Vec<String>]) -> Result<Vec<u8>, std::io::Error> {
    let mut entries = Vec::new();
    let mut ids = String::new();
    let mut rels = String::new();
    let mut overrides = String::new();
    for (i, page) in pages.iter().enumerate() {
        let n = i + 1;
        ids.push_str(&format!(r#"<p:sldId id="{}" r:id="rId{n}"/>"#, 255 + n));
        rels.push_str(&format!(
            r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/slide{n}.xml"/>"#
        ));
        overrides.push_str(&format!(
            r#"<Override PartName="/ppt/slides/slide{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.slide+xml"/>"#
        ));
        let paragraphs: String = page
            .iter()
            .map(|line| format!("<a:p><a:r><a:t>{}</a:t></a:r></a:p>", xml_escape(line)))
            .collect();
        entries.push((
            format!("ppt/slides/slide{n}.xml"),
            format!(
                r#"{XML_DECL}<p:sld xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"><p:cSld><p:spTree><p:sp><p:txBody><a:bodyPr/>{paragraphs}</p:txBody></p:sp></p:spTree></p:cSld></p:sld>"#
            )
            .into_bytes(),
        ));
    }
    let presentation = format!(
        r#"{XML_DECL}<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><p:sldIdLst>{ids}</p:sldIdLst><p:sldSz cx="9144000" cy="6858000"/></p:presentation>"#
    );
    let types = format!(
        r#"{XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/>{overrides}</Types>"#
    );
    let mut all = vec![
        ("[Content_Types].xml".to_owned(), types.into_bytes()),
        ("_rels/.rels".to_owned(), root_rels("ppt/presentation.xml").into_bytes()),
        ("ppt/presentation.xml".to_owned(), presentation.into_bytes()),
        (
            "ppt/_rels/presentation.xml.rels".to_owned(),
            format!(
                r#"{XML_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#
            )
            .into_bytes(),
        ),
    ];
    all.extend(entries);
    zip(&all)
}
