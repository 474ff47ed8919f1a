//! From a CI `Detection` to the neutral [`Document`]: one page of lines with quads,
//! confidences in `0..=1`, and per-character words where the service returned them.

use ocr_core::document::normalize_confidence;
use ocr_core::{Document, Line, Page, Point, Quad, Word};

use crate::client::PROVIDER_ID;
use crate::detection::{Coord, Detection, TextDetection};

/// Where the page came from and how big it is, when known.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PageInfo {
    /// 1-based page number (the PDF page recognised, else 1).
    pub number: u32,
    /// Width and height in pixels, when known.
    pub size: Option<(u32, u32)>,
}

/// Maps a `Detection` into a one-page [`Document`].
///
/// Each `TextDetections` becomes a [`Line`]: `DetectedText`, `Confidence / 100`, and the
/// `Polygon` as its quad (or the `ItemPolygon` box when the polygon is not four points). Words
/// come from `Words` (one per character, with `WordCoordPoint` corners) or, for handwriting,
/// from `WordPolygon` paired with the characters of the line when the counts match. `Angel`
/// becomes the page angle. The native `Detection` stays reachable through
/// [`Document::native`].
///
/// ```
/// use cos_ci::mapping::{detection_to_document, PageInfo};
/// use cos_ci::Detection;
///
/// let doc = detection_to_document(&Detection::default(), PageInfo { number: 1, size: None });
/// assert_eq!(doc.provider, "cos-ci");
/// assert!(doc.native::<Detection>().is_some());
/// ```
pub fn detection_to_document(detection: &Detection, page: PageInfo) -> Document {
    let mut p = Page::new(page.number.max(1));
    p.angle = detection.angel;
    if let Some((w, h)) = page.size {
        p.width = Some(f64::from(w));
        p.height = Some(f64::from(h));
    }
    p.lines = detection.text_detections.iter().map(line).collect();
    let mut doc = Document::new(PROVIDER_ID);
    doc.pages.push(p);
    doc.with_native(detection.clone())
}

fn point(c: &Coord) -> Option<Point> {
    let (x, y) = c.xy()?;
    Some(Point::new(x as f64, y as f64))
}

fn quad_of(coords: &[Coord]) -> Option<Quad> {
    if coords.len() != 4 {
        return None;
    }
    Some(Quad::new([
        point(&coords[0])?,
        point(&coords[1])?,
        point(&coords[2])?,
        point(&coords[3])?,
    ]))
}

fn confidence(value: Option<u32>) -> Option<f32> {
    value.and_then(|c| normalize_confidence(f64::from(c), 100.0))
}

fn line(t: &TextDetection) -> Line {
    let bbox = quad_of(&t.polygon).or_else(|| {
        let b = t.item_polygon?;
        Some(Quad::from_rect(
            b.x? as f64,
            b.y? as f64,
            b.width? as f64,
            b.height? as f64,
        ))
    });
    let mut words: Vec<Word> = t
        .words
        .iter()
        .map(|w| Word {
            text: w.character.clone(),
            confidence: confidence(w.confidence),
            bbox: w
                .word_coord_point
                .as_ref()
                .and_then(|p| quad_of(&p.word_coordinate)),
        })
        .collect();
    if words.is_empty() && !t.word_polygon.is_empty() {
        let chars: Vec<char> = t
            .detected_text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if chars.len() == t.word_polygon.len() {
            words = chars
                .iter()
                .zip(&t.word_polygon)
                .map(|(c, poly)| Word {
                    text: c.to_string(),
                    confidence: None,
                    bbox: poly
                        .corners()
                        .map(|cs| Quad::new(cs.map(|(x, y)| Point::new(x as f64, y as f64)))),
                })
                .collect();
        }
    }
    Line {
        text: t.detected_text.clone(),
        confidence: confidence(t.confidence),
        bbox,
        words,
    }
}
