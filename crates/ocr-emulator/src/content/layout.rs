//! Plausible geometry for recognised lines: laid out top to bottom inside the page,
//! each with a box, a confidence, words and characters.

use sha2::{Digest, Sha256};

/// An axis-aligned box in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rect {
    pub(crate) x: i64,
    pub(crate) y: i64,
    pub(crate) w: i64,
    pub(crate) h: i64,
}

impl Rect {
    /// The corners clockwise from top-left: (x, y) pairs.
    pub(crate) fn corners(&self) -> [(i64, i64); 4] {
        [
            (self.x, self.y),
            (self.x + self.w, self.y),
            (self.x + self.w, self.y + self.h),
            (self.x, self.y + self.h),
        ]
    }
}

/// A word of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LaidWord {
    pub(crate) text: String,
    pub(crate) rect: Rect,
}

/// A character of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LaidChar {
    pub(crate) text: String,
    pub(crate) rect: Rect,
    pub(crate) confidence: u8,
}

/// A line with its geometry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LaidLine {
    pub(crate) text: String,
    pub(crate) rect: Rect,
    /// 0–100.
    pub(crate) confidence: u8,
    pub(crate) words: Vec<LaidWord>,
    pub(crate) chars: Vec<LaidChar>,
}

fn char_units(c: char) -> i64 {
    // CJK and other wide characters take about two Latin widths.
    if (c as u32) >= 0x1100 {
        2
    } else {
        1
    }
}

fn score(text: &str, salt: u64, base: u8, spread: u8) -> u8 {
    let mut h = Sha256::new();
    h.update(text.as_bytes());
    h.update(salt.to_le_bytes());
    let b: [u8; 32] = h.finalize().into();
    base + b[0] % spread.max(1)
}

/// Lays out `lines` on a `width` × `height` page.
pub(crate) fn layout(lines: &[String], width: u32, height: u32) -> Vec<LaidLine> {
    let (width, height) = (i64::from(width.max(20)), i64::from(height.max(20)));
    let n = i64::try_from(lines.len().max(1)).unwrap_or(i64::MAX);
    let margin_x = (width / 20).max(1);
    let margin_y = (height / 20).max(1);
    let avail_w = (width - 2 * margin_x).max(1);
    let avail_h = (height - 2 * margin_y).max(1);
    let pitch = (avail_h / n).clamp(1, 72);
    let line_h = (pitch * 3 / 4).max(1);
    let unit_w = (line_h * 11 / 20).max(1);
    lines
        .iter()
        .enumerate()
        .map(|(index, text)| {
            let y = margin_y + pitch * i64::try_from(index).unwrap_or(0);
            let units: i64 = text.chars().map(char_units).sum::<i64>().max(1);
            // Shrink characters of a line too long for the page.
            let line_w = (units * unit_w).min(avail_w);
            let at = |u: i64| margin_x + u * line_w / units;
            let rect = Rect {
                x: margin_x,
                y,
                w: line_w,
                h: line_h,
            };
            let mut chars = Vec::new();
            let mut words = Vec::new();
            let mut u = 0;
            let mut word = String::new();
            let mut word_u = 0;
            for (ci, c) in text.chars().enumerate() {
                let cu = char_units(c);
                if c == ' ' {
                    if !word.is_empty() {
                        words.push(LaidWord {
                            text: std::mem::take(&mut word),
                            rect: Rect {
                                x: at(word_u),
                                y,
                                w: at(u) - at(word_u),
                                h: line_h,
                            },
                        });
                    }
                    u += cu;
                    continue;
                }
                if word.is_empty() {
                    word_u = u;
                }
                word.push(c);
                chars.push(LaidChar {
                    text: c.to_string(),
                    rect: Rect {
                        x: at(u),
                        y,
                        w: at(u + cu) - at(u),
                        h: line_h,
                    },
                    confidence: score(text, ci as u64 + 1, 85, 15),
                });
                u += cu;
            }
            if !word.is_empty() {
                words.push(LaidWord {
                    text: word,
                    rect: Rect {
                        x: at(word_u),
                        y,
                        w: at(u) - at(word_u),
                        h: line_h,
                    },
                });
            }
            LaidLine {
                text: text.clone(),
                rect,
                confidence: score(text, 0, 90, 10),
                words,
                chars,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fit_the_page_top_to_bottom() {
        let lines: Vec<String> = vec!["Hello world".into(), "第二行 text".into()];
        let laid = layout(&lines, 800, 600);
        assert_eq!(laid.len(), 2);
        assert!(laid[0].rect.y < laid[1].rect.y);
        for l in &laid {
            assert!(l.rect.x >= 0 && l.rect.x + l.rect.w <= 800);
            assert!(l.rect.y + l.rect.h <= 600);
            assert!((90..=99).contains(&l.confidence));
        }
        assert_eq!(laid[0].words.len(), 2);
        assert_eq!(laid[0].words[1].text, "world");
        assert_eq!(laid[0].chars.len(), 10);
        assert_eq!(layout(&lines, 800, 600), laid);
    }

    #[test]
    fn long_lines_shrink() {
        let long = "x".repeat(5000);
        let laid = layout(&[long], 100, 100);
        assert!(laid[0].rect.x + laid[0].rect.w <= 100);
    }
}
