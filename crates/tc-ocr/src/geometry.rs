//! Coordinates as the OCR API returns them, and their conversion to [`Quad`]s.
//!
//! Two shapes share the name "polygon" in this API (spec §7.10): ExtractDocMulti's
//! [`Polygon`] is an object with four named corners, while General*OCR's
//! `TextDetection.Polygon` is an array of four [`Coord`]s. [`ItemCoord`] is an axis-aligned box.

use ocr_core::{Point, Quad};
use serde::{Deserialize, Serialize};

use ocr_core::lenient;

/// A point in pixels (model type `Coord`; `X`, `Y` Integer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Coord {
    /// Horizontal position, pixels.
    #[serde(
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub x: Option<i64>,
    /// Vertical position, pixels.
    #[serde(
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub y: Option<i64>,
}

impl Coord {
    /// The point, when both coordinates are present.
    pub fn point(&self) -> Option<Point> {
        Some(Point::new(self.x? as f64, self.y? as f64))
    }
}

/// A quadrilateral with named corners (model type `Polygon`, used by ExtractDocMulti).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Polygon {
    /// Top-left corner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_top: Option<Coord>,
    /// Top-right corner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub right_top: Option<Coord>,
    /// Bottom-right corner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub right_bottom: Option<Coord>,
    /// Bottom-left corner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_bottom: Option<Coord>,
}

impl Polygon {
    /// The quadrilateral, clockwise from the top-left, when all four corners are complete.
    ///
    /// ```
    /// use tc_ocr::geometry::{Coord, Polygon};
    /// let c = |x, y| Some(Coord { x: Some(x), y: Some(y) });
    /// let p = Polygon { left_top: c(1, 2), right_top: c(9, 2), right_bottom: c(9, 8), left_bottom: c(1, 8) };
    /// assert_eq!(p.quad().unwrap().bounding_rect(), (1.0, 2.0, 8.0, 6.0));
    /// assert!(Polygon::default().quad().is_none());
    /// ```
    pub fn quad(&self) -> Option<Quad> {
        Some(Quad::new([
            self.left_top?.point()?,
            self.right_top?.point()?,
            self.right_bottom?.point()?,
            self.left_bottom?.point()?,
        ]))
    }
}

/// An axis-aligned box (model type `ItemCoord`): top-left corner, width and height in pixels,
/// in the rotation-corrected image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ItemCoord {
    /// Left edge.
    #[serde(
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub x: Option<i64>,
    /// Top edge.
    #[serde(
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub y: Option<i64>,
    /// Width.
    #[serde(
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub width: Option<i64>,
    /// Height.
    #[serde(
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub height: Option<i64>,
}

impl ItemCoord {
    /// The box as a quadrilateral, when all four numbers are present.
    pub fn quad(&self) -> Option<Quad> {
        Some(Quad::from_rect(
            self.x? as f64,
            self.y? as f64,
            self.width? as f64,
            self.height? as f64,
        ))
    }
}

/// Four [`Coord`]s (clockwise from the top-left) as a quadrilateral; `None` unless there are
/// exactly four complete points.
///
/// ```
/// use tc_ocr::geometry::{quad_of_points, Coord};
/// let c = |x, y| Coord { x: Some(x), y: Some(y) };
/// let q = quad_of_points(&[c(0, 0), c(4, 0), c(4, 2), c(0, 2)]).unwrap();
/// assert_eq!(q.bounding_rect(), (0.0, 0.0, 4.0, 2.0));
/// assert!(quad_of_points(&[c(0, 0)]).is_none());
/// ```
pub fn quad_of_points(points: &[Coord]) -> Option<Quad> {
    match points {
        [a, b, c, d] => Some(Quad::new([a.point()?, b.point()?, c.point()?, d.point()?])),
        _ => None,
    }
}
