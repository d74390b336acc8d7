//! Median and interquartile band against the epoch, one series per point group (SVG or PNG).

use crate::error::Result;
use crate::plot::fonts::{text_available, FAMILY};
use crate::plot::{backend_error, ImageKind};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// One group's summary per epoch: the median and the 25 % and 75 % quantiles.
#[derive(Clone, Debug, PartialEq)]
pub struct BandSeries {
    pub name: String,
    pub epochs: Vec<f64>,
    pub median: Vec<f64>,
    pub q25: Vec<f64>,
    pub q75: Vec<f64>,
}

/// What to draw.
#[derive(Clone, Debug)]
pub struct BandChart<'a> {
    pub series: &'a [BandSeries],
    pub title: String,
    pub y_label: String,
    pub size: (u32, u32),
}

const COLOURS: [RGBColor; 4] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
];

/// Draws the chart to `path` (`.svg` or `.png`): x = epoch, for each series its median as a line
/// and the interquartile range as a translucent band. Non-finite values are skipped.
pub fn draw_band_chart(chart: &BandChart, path: &Path) -> Result<()> {
    match ImageKind::from_path(path)? {
        ImageKind::Svg => render(SVGBackend::new(path, chart.size).into_drawing_area(), chart)
            .map_err(|e| backend_error(path, e)),
        ImageKind::Png => render(
            BitMapBackend::new(path, chart.size).into_drawing_area(),
            chart,
        )
        .map_err(|e| backend_error(path, e)),
    }
}

fn render<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    c: &BandChart,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let text = text_available();
    let xs = c.series.iter().flat_map(|s| s.epochs.iter().copied());
    let (x0, x1) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let (x0, x1) = if x0.is_finite() && x1 > x0 {
        (x0, x1)
    } else {
        (0.0, 1.0)
    };
    let ys = c
        .series
        .iter()
        .flat_map(|s| s.q25.iter().chain(&s.q75).chain(&s.median).copied())
        .filter(|v| v.is_finite());
    let (y0, y1) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let (y0, y1) = if y0.is_finite() && y1 > y0 {
        (y0, y1)
    } else if y0.is_finite() {
        (y0 - 0.5, y0 + 0.5)
    } else {
        (0.0, 1.0)
    };
    let pad = 0.05 * (y1 - y0);
    let mut b = ChartBuilder::on(&root);
    b.margin(15);
    if text {
        b.caption(&c.title, (FAMILY, 20))
            .x_label_area_size(40)
            .y_label_area_size(70);
    }
    let mut chart = b.build_cartesian_2d(x0..x1, (y0 - pad)..(y1 + pad))?;
    if text {
        chart
            .configure_mesh()
            .x_desc("epoch")
            .y_desc(c.y_label.as_str())
            .label_style((FAMILY, 13))
            .draw()?;
    }
    for (k, s) in c.series.iter().enumerate() {
        let colour = COLOURS[k % COLOURS.len()];
        let ok = |i: &usize| s.q25[*i].is_finite() && s.q75[*i].is_finite();
        let mut band: Vec<(f64, f64)> = (0..s.epochs.len())
            .filter(ok)
            .map(|i| (s.epochs[i], s.q75[i]))
            .collect();
        band.extend(
            (0..s.epochs.len())
                .rev()
                .filter(ok)
                .map(|i| (s.epochs[i], s.q25[i])),
        );
        if band.len() >= 3 {
            chart.draw_series(std::iter::once(Polygon::new(
                band,
                colour.mix(0.2).filled(),
            )))?;
        }
        let line = chart.draw_series(LineSeries::new(
            (0..s.epochs.len())
                .filter(|&i| s.median[i].is_finite())
                .map(|i| (s.epochs[i], s.median[i])),
            colour.stroke_width(2),
        ))?;
        if text {
            line.label(format!("{} (median, IQR band)", s.name))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
                });
        }
    }
    if text {
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font((FAMILY, 13))
            .draw()?;
    }
    root.present()?;
    Ok(())
}
