//! Pictures drawn with plotters: the linear regions of a 2-D slice ([`slice_svg`]) and the
//! bounds against the radius ([`bounds_chart`]). SVG through plotters' SVG backend, PNG through
//! its bitmap backend; text through the pure-Rust `ab_glyph` path ([`fonts`]).

pub mod bounds_chart;
pub mod fonts;
pub mod palette;
pub mod slice_svg;

pub use bounds_chart::{
    bounds_vs_radius, bounds_vs_radius_with, draw_bounds_chart, BoundsChart, CountCell, RadiusRow,
};
pub use slice_svg::{draw_slice, write_slice_picture, SlicePicture};

use crate::error::{Error, Result};
use std::path::Path;

/// The image formats the pictures can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageKind {
    /// Scalable vector graphics (`.svg`).
    Svg,
    /// A raster image (`.png`).
    Png,
}

impl ImageKind {
    /// The kind named by the file extension (`.svg` or `.png`, any case).
    pub fn from_path(path: &Path) -> Result<ImageKind> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("svg") => Ok(ImageKind::Svg),
            Some("png") => Ok(ImageKind::Png),
            _ => Err(Error::format(
                path,
                "file name",
                "unknown picture format; expected a file ending in .svg or .png",
            )),
        }
    }
}

/// A plotters drawing error on `path` as an I/O error of that file.
pub(crate) fn backend_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::io(path, std::io::Error::other(format!("drawing failed: {e}")))
}
