//! The picture of a slice: every region a filled polygon in its own colour, boundaries in black,
//! the domain outline, the center marked, the count in the title, equal aspect ratio. SVG
//! (plotters' SVG backend) or PNG (plotters' bitmap backend), chosen by the file extension.

use super::fonts::{text_available, FAMILY};
use super::palette::{assign_colours, PALETTE};
use super::{backend_error, ImageKind};
use crate::error::Result;
use crate::slice::{Polygon as RegionPolygon, SliceRegion};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// What to draw: regions and domain in plane coordinates (s, t), shown at `origin + (s, t)`.
#[derive(Clone, Debug)]
pub struct SlicePicture<'a> {
    /// The regions, each with its polygon.
    pub regions: &'a [SliceRegion],
    /// The domain's polygon, drawn as the outline.
    pub domain: &'a RegionPolygon,
    /// Title drawn above the picture.
    pub title: String,
    /// Added to plane coordinates for the axes (e.g. the center's coordinates for an axis plane).
    pub origin: [f64; 2],
    /// Labels of the horizontal and vertical axes.
    pub axis_labels: [String; 2],
    /// Width of the picture in pixels; the height adds room for the title.
    pub width: u32,
}

/// Draws `picture` to `path` (`.svg` or `.png`).
pub fn draw_slice(picture: &SlicePicture, path: &Path) -> Result<()> {
    let w = picture.width.max(200);
    let size = (w, w + 40);
    match ImageKind::from_path(path)? {
        ImageKind::Svg => {
            let root = SVGBackend::new(path, size).into_drawing_area();
            render(root, picture).map_err(|e| backend_error(path, e))
        }
        ImageKind::Png => {
            let root = BitMapBackend::new(path, size).into_drawing_area();
            render(root, picture).map_err(|e| backend_error(path, e))
        }
    }
}

fn render<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    pic: &SlicePicture,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let text = text_available();
    let area = if text {
        root.titled(&pic.title, (FAMILY, 20))?
    } else {
        root.clone()
    };
    let (aw, ah) = area.dim_in_pixel();
    let (margin, xlab, ylab) = if text {
        (15u32, 40u32, 60u32)
    } else {
        (15, 0, 0)
    };
    let pw = aw.saturating_sub(ylab + 2 * margin).max(1) as f64;
    let ph = ah.saturating_sub(xlab + 2 * margin).max(1) as f64;
    // Equal aspect ratio: one data unit is the same number of pixels on both axes.
    let (lo, hi) = pic.domain.bounding_box();
    let pad = 0.03 * (hi[0] - lo[0]).max(hi[1] - lo[1]).max(f64::MIN_POSITIVE);
    let per_px = ((hi[0] - lo[0] + 2.0 * pad) / pw).max((hi[1] - lo[1] + 2.0 * pad) / ph);
    let (cx, cy) = (
        pic.origin[0] + (lo[0] + hi[0]) / 2.0,
        pic.origin[1] + (lo[1] + hi[1]) / 2.0,
    );
    let xr = (cx - per_px * pw / 2.0)..(cx + per_px * pw / 2.0);
    let yr = (cy - per_px * ph / 2.0)..(cy + per_px * ph / 2.0);
    let mut chart = ChartBuilder::on(&area)
        .margin(margin)
        .x_label_area_size(xlab)
        .y_label_area_size(ylab)
        .build_cartesian_2d(xr, yr)?;
    if text {
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(pic.axis_labels[0].as_str())
            .y_desc(pic.axis_labels[1].as_str())
            .label_style((FAMILY, 13))
            .draw()?;
    }
    let o = pic.origin;
    let shift = |p: &[f64; 2]| (p[0] + o[0], p[1] + o[1]);
    let polys: Vec<RegionPolygon> = pic.regions.iter().map(|r| r.polygon.clone()).collect();
    let colours = assign_colours(&polys);
    chart.draw_series(pic.regions.iter().zip(&colours).map(|(r, &c)| {
        Polygon::new(
            r.polygon.vertices.iter().map(shift).collect::<Vec<_>>(),
            PALETTE[c].filled(),
        )
    }))?;
    let closed = |p: &RegionPolygon| {
        let mut pts: Vec<(f64, f64)> = p.vertices.iter().map(shift).collect();
        if let Some(&first) = pts.first() {
            pts.push(first);
        }
        pts
    };
    chart.draw_series(
        pic.regions
            .iter()
            .map(|r| PathElement::new(closed(&r.polygon), BLACK.stroke_width(1))),
    )?;
    chart.draw_series(std::iter::once(PathElement::new(
        closed(pic.domain),
        BLACK.stroke_width(2),
    )))?;
    chart.draw_series(std::iter::once(Circle::new((o[0], o[1]), 4, RED.filled())))?;
    root.present()?;
    Ok(())
}

/// Draws `slice` to `path` (`.svg` or `.png`, `width` pixels wide) and returns its report. On a
/// plane spanned by two positive coordinate axes e_i, e_j the axes show the input coordinates
/// x_i, x_j (1-based names); otherwise the plane coordinates s, t around the center.
pub fn write_slice_picture(
    slice: &crate::slice::Slice,
    path: &Path,
    width: u32,
) -> Result<crate::slice::SliceReport> {
    let p = &slice.plane;
    let axis = |d: &[f64]| {
        d.iter()
            .position(|&x| x == 1.0)
            .filter(|_| d.iter().filter(|&&x| x != 0.0).count() == 1)
    };
    let (origin, axis_labels) = match (axis(&p.u), axis(&p.v)) {
        (Some(i), Some(j)) => (
            [p.center[i], p.center[j]],
            [format!("x{}", i + 1), format!("x{}", j + 1)],
        ),
        _ => (
            [0.0, 0.0],
            ["s (along u)".to_string(), "t (along v)".to_string()],
        ),
    };
    let picture = SlicePicture {
        regions: &slice.regions,
        domain: &slice.domain_polygon,
        title: slice.title(),
        origin,
        axis_labels,
        width,
    };
    draw_slice(&picture, path)?;
    Ok(slice.report(&path.display().to_string()))
}
