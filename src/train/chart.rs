//! Median and interquartile band against the epoch, one series per point group (SVG or PNG).

use crate::error::Result;
use crate::plot::fonts::{text_available, FAMILY};
use crate::plot::{backend_error, ImageKind};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::ops::Range;
use std::path::Path;

/// One group's summary per epoch: the median and the 25 % and 75 % quantiles.
#[derive(Clone, Debug, PartialEq)]
pub struct BandSeries {
    /// The group's name, shown in the legend.
    pub name: String,
    /// The x values: epoch numbers (0 = initialization).
    pub epochs: Vec<f64>,
    /// Median of the group at each epoch.
    pub median: Vec<f64>,
    /// 25 % quantile at each epoch (lower edge of the band).
    pub q25: Vec<f64>,
    /// 75 % quantile at each epoch (upper edge of the band).
    pub q75: Vec<f64>,
}

/// What to draw.
#[derive(Clone, Debug)]
pub struct BandChart<'a> {
    /// The groups to draw, one band and median line each.
    pub series: &'a [BandSeries],
    /// Title drawn above the chart.
    pub title: String,
    /// Label of the vertical axis.
    pub y_label: String,
    /// Width and height of the picture, in pixels.
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
    let (xr, yr) = band_ranges(c);
    let mut b = ChartBuilder::on(&root);
    b.margin(15);
    if text {
        b.caption(&c.title, (FAMILY, 20))
            .x_label_area_size(40)
            .y_label_area_size(70);
    }
    let mut chart = b.build_cartesian_2d(xr, yr)?;
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
        let band = band_polygon(s);
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

/// The x range (the epochs) and the y range (the quartiles, padded by 5 %) of a band chart.
fn band_ranges(c: &BandChart) -> (Range<f64>, Range<f64>) {
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
    (x0..x1, (y0 - pad)..(y1 + pad))
}

/// The interquartile band of a series as a polygon: q75 forward, then q25 backward, over the
/// epochs where both are finite.
fn band_polygon(s: &BandSeries) -> Vec<(f64, f64)> {
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
    band
}

/// The quartiles and extremes of one box: (q1, median, q3) and (min, max).
#[derive(Clone, Copy)]
struct BoxStats {
    q1: f64,
    med: f64,
    q3: f64,
    lo: f64,
    hi: f64,
}

/// The [`BoxStats`] of the finite values `v` (not empty).
fn box_stats(v: &[f64]) -> BoxStats {
    use crate::train::stats::quantile;
    let (q1, med, q3) = (quantile(v, 0.25), quantile(v, 0.5), quantile(v, 0.75));
    let (lo, hi) = v
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &t| {
            (a.min(t), b.max(t))
        });
    BoxStats {
        q1,
        med,
        q3,
        lo,
        hi,
    }
}

/// One box of [`draw_box_plot`]: a group's values.
#[derive(Clone, Debug, PartialEq)]
pub struct BoxGroup {
    /// The group's name, shown under its box.
    pub name: String,
    /// The group's values (any order).
    pub values: Vec<f64>,
}

/// Draws box plots to `path` (`.svg` or `.png`), one box per group: the interquartile range as
/// the box, the median as a bar across it, whiskers from the minimum to the maximum (Tukey's
/// plot without outliers: every value lies within its whiskers). Non-finite values are skipped.
pub fn draw_box_plot(groups: &[BoxGroup], title: &str, y_label: &str, path: &Path) -> Result<()> {
    let size = (800, 500);
    match ImageKind::from_path(path)? {
        ImageKind::Svg => render_boxes(
            SVGBackend::new(path, size).into_drawing_area(),
            groups,
            title,
            y_label,
        )
        .map_err(|e| backend_error(path, e)),
        ImageKind::Png => render_boxes(
            BitMapBackend::new(path, size).into_drawing_area(),
            groups,
            title,
            y_label,
        )
        .map_err(|e| backend_error(path, e)),
    }
}

fn render_boxes<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    groups: &[BoxGroup],
    title: &str,
    y_label: &str,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let text = text_available();
    let finite: Vec<Vec<f64>> = groups
        .iter()
        .map(|g| g.values.iter().copied().filter(|v| v.is_finite()).collect())
        .collect();
    let all = finite.iter().flatten().copied();
    let (y0, y1) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let (y0, y1) = if y0.is_finite() && y1 > y0 {
        (y0, y1)
    } else {
        (0.0, 1.0)
    };
    let pad = 0.05 * (y1 - y0);
    let n = groups.len().max(1) as f64;
    let mut b = ChartBuilder::on(&root);
    b.margin(15);
    if text {
        b.caption(title, (FAMILY, 20))
            .x_label_area_size(40)
            .y_label_area_size(70);
    }
    let mut chart = b.build_cartesian_2d(-0.5..(n - 0.5), (y0 - pad)..(y1 + pad))?;
    if text {
        let names: Vec<String> = groups.iter().map(|g| g.name.clone()).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(groups.len().max(1))
            .x_label_formatter(&|x| {
                let k = x.round();
                if (x - k).abs() < 1e-6 && k >= 0.0 {
                    names.get(k as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_desc(y_label)
            .label_style((FAMILY, 13))
            .draw()?;
    }
    for (k, v) in finite.iter().enumerate() {
        if v.is_empty() {
            continue;
        }
        let colour = COLOURS[k % COLOURS.len()];
        let x = k as f64;
        draw_box(&mut chart, x, &box_stats(v), colour)?;
    }
    root.present()?;
    Ok(())
}

/// Draws one box at `x`: the interquartile box, the median bar and the whiskers to the extremes.
fn draw_box<DB: DrawingBackend>(
    chart: &mut ChartContext<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    x: f64,
    stats: &BoxStats,
    colour: RGBColor,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let BoxStats {
        q1,
        med,
        q3,
        lo,
        hi,
    } = *stats;
    chart.draw_series(std::iter::once(Rectangle::new(
        [(x - 0.3, q1), (x + 0.3, q3)],
        colour.mix(0.35).filled(),
    )))?;
    chart.draw_series(std::iter::once(Rectangle::new(
        [(x - 0.3, q1), (x + 0.3, q3)],
        colour.stroke_width(2),
    )))?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(x - 0.3, med), (x + 0.3, med)],
        BLACK.stroke_width(3),
    )))?;
    for (from, to) in [(q3, hi), (q1, lo)] {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, from), (x, to)],
            colour.stroke_width(1),
        )))?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x - 0.12, to), (x + 0.12, to)],
            colour.stroke_width(1),
        )))?;
    }
    Ok(())
}
