//! Bounds against the radius: Montúfar 2017, Serra et al. 2018 (both global, flat in r), the local
//! analytic bound and the exact count at each radius, and their chart (log-scale y).

use super::fonts::{text_available, FAMILY};
use super::{backend_error, ImageKind};
use crate::bounds::{global_bounds, local_analytic, log10};
use crate::domain::{Domain, Norm};
use crate::enumerate::{count_regions, CountOptions};
use crate::error::Result;
use crate::network::Network;
use ndarray::Array1;
use num_bigint::BigUint;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;
use std::path::Path;

/// The count at one radius: exact, or a lower and an upper bound when the enumerator stopped.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CountCell {
    /// Whether `lower` is the exact count.
    pub exact: bool,
    /// Regions found: the exact count, or a certified lower bound.
    pub lower: u64,
    /// Decimal upper bound (= `lower` when exact).
    pub upper: String,
    /// Base-10 logarithm of `upper`.
    pub log10_upper: f64,
    /// Decisions of the enumerator near its interior tolerance (regions thinner than it are not
    /// counted; see `enumerate::INTERIOR_REL_TOL`).
    pub near_tolerance: u64,
}

/// One radius of the sweep; big integers as decimal strings with their log10 for plotting.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RadiusRow {
    /// The radius r of the ball, in its norm.
    pub radius: f64,
    /// Montúfar et al. (2017)'s global bound, decimal.
    pub montufar2017: String,
    /// Serra et al. (2018)'s global bound, decimal.
    pub serra2018: String,
    /// The local analytic bound in the ball of radius r, decimal.
    pub local_analytic: String,
    /// Base-10 logarithm of `montufar2017`.
    pub log10_montufar2017: f64,
    /// Base-10 logarithm of `serra2018`.
    pub log10_serra2018: f64,
    /// Base-10 logarithm of `local_analytic`.
    pub log10_local_analytic: f64,
    /// The count in the ball, when it was asked for.
    pub count: Option<CountCell>,
}

/// For each radius r: the global bounds (Montúfar 2017; Serra, Tjandraatmadja & Ramalingam 2018),
/// the local analytic bound in the ball B(center, r) in `norm` ([`local_analytic`]) and the count of
/// [`count_regions`] under `count` (its `time_limit` applies per radius; an early stop gives a
/// lower and an upper bound). `count = None` skips counting.
pub fn bounds_vs_radius(
    net: &Network,
    center: &Array1<f64>,
    norm: Norm,
    radii: &[f64],
    count: Option<&CountOptions>,
) -> Result<Vec<RadiusRow>> {
    bounds_vs_radius_with(net, center, norm, radii, |domain| match count {
        None => Ok(None),
        Some(settings) => {
            let c = count_regions(net, domain, settings, None)?;
            Ok(Some(CountCell {
                exact: c.exact,
                lower: c.lower,
                log10_upper: log10(&c.upper),
                upper: c.upper.to_string(),
                near_tolerance: c.near_tolerance,
            }))
        }
    })
}

/// [`bounds_vs_radius`] with the counting step supplied by the caller (tests use an
/// independent counter).
pub fn bounds_vs_radius_with(
    net: &Network,
    center: &Array1<f64>,
    norm: Norm,
    radii: &[f64],
    mut count: impl FnMut(&Domain) -> Result<Option<CountCell>>,
) -> Result<Vec<RadiusRow>> {
    let global = global_bounds(net.input_dim(), &net.hidden_widths());
    let mut rows: Vec<RadiusRow> = Vec::with_capacity(radii.len());
    for &r in radii {
        let domain = Domain::ball(center.clone(), r, norm)?;
        let local = local_analytic(net, &domain)?;
        let cell = count(&domain)?;
        rows.push(RadiusRow {
            radius: r,
            montufar2017: global.montufar2017.to_string(),
            serra2018: global.serra2018.to_string(),
            local_analytic: local.value.to_string(),
            log10_montufar2017: log10(&global.montufar2017),
            log10_serra2018: log10(&global.serra2018),
            log10_local_analytic: log10(&local.value),
            count: cell,
        });
    }
    mark_non_monotone(&mut rows);
    Ok(rows)
}

/// A sanity invariant across radii (issue 17): a larger ball meets at least the regions of a
/// smaller one around the same center. Exact counts that break it are both marked not exact
/// (something behind one of them went wrong; neither is trusted). A check, not a fix.
fn mark_non_monotone(rows: &mut [RadiusRow]) {
    let exact: Vec<(f64, u64, usize)> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            r.count
                .as_ref()
                .filter(|c| c.exact)
                .map(|c| (r.radius, c.lower, i))
        })
        .collect();
    let mut broken = Vec::new();
    for &(r1, n1, i) in &exact {
        for &(r2, n2, j) in &exact {
            if r1 < r2 && n1 > n2 {
                broken.extend([i, j]);
            }
        }
    }
    for i in broken {
        let row = &mut rows[i];
        if let Some(c) = row.count.as_mut() {
            // the local bound still holds as the upper end
            c.exact = false;
            c.upper.clone_from(&row.local_analytic);
            c.log10_upper = row.log10_local_analytic;
        }
    }
}

/// log10 of a count given as a small integer (for exact counts).
pub fn log10_u64(n: u64) -> f64 {
    log10(&BigUint::from(n))
}

/// What to draw: the rows and a title.
#[derive(Clone, Debug)]
pub struct BoundsChart<'a> {
    /// The radii of the sweep, smallest first.
    pub rows: &'a [RadiusRow],
    /// Title drawn above the chart.
    pub title: String,
    /// Width and height of the picture, in pixels.
    pub size: (u32, u32),
}

/// Draws the bounds chart to `path` (`.svg` or `.png`): x = radius, y = number of regions on a
/// log scale (plotted as log10 so that bounds beyond f64's range still draw; ticks read 10^k),
/// one line per bound, filled points for exact counts, hollow points for the lower bound of a
/// count that stopped early.
pub fn draw_bounds_chart(chart: &BoundsChart, path: &Path) -> Result<()> {
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

/// One bound's line on the chart.
struct Series {
    name: &'static str,
    colour: RGBColor,
    /// The bound's log10 in a row.
    value: fn(&RadiusRow) -> f64,
}

const SERIES: [Series; 3] = [
    Series {
        name: "Montúfar 2017",
        colour: RGBColor(31, 119, 180),
        value: |r| r.log10_montufar2017,
    },
    Series {
        name: "Serra et al. 2018",
        colour: RGBColor(255, 127, 14),
        value: |r| r.log10_serra2018,
    },
    Series {
        name: "local analytic",
        colour: RGBColor(44, 160, 44),
        value: |r| r.log10_local_analytic,
    },
];

/// The chart's ranges: radii (padded by 5 %) and log10 of the values (padded to whole decades
/// ± 0.2), and the number of decades spanned.
struct Ranges {
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    decades: f64,
}

/// The [`Ranges`] of `rows`: every finite bound and count, and at least [0, 1] in log10.
fn ranges(rows: &[RadiusRow]) -> Ranges {
    let (mut x0, mut x1) = rows
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), r| {
            (a.min(r.radius), b.max(r.radius))
        });
    if !(x0.is_finite() && x1.is_finite()) {
        (x0, x1) = (0.0, 1.0);
    }
    if x1 <= x0 {
        (x0, x1) = (x0 * 0.9, x1 * 1.1 + f64::MIN_POSITIVE);
    }
    let counts = |r: &RadiusRow| r.count.as_ref().map(|c| log10_u64(c.lower));
    let ys = rows
        .iter()
        .flat_map(|r| SERIES.iter().map(move |s| (s.value)(r)).chain(counts(r)));
    let (y0, y1) = ys
        .filter(|v| v.is_finite())
        .fold((0.0f64, 1.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let pad = 0.05 * (x1 - x0);
    Ranges {
        x: (x0 - pad)..(x1 + pad),
        y: (y0.floor() - 0.2)..(y1.ceil() + 0.2),
        decades: y1.ceil() - y0.floor(),
    }
}

/// The (radius, log10 count) points of the rows with a count, exact or not as `exact` says.
fn count_points(rows: &[RadiusRow], exact: bool) -> Vec<(f64, f64)> {
    rows.iter()
        .filter_map(|r| {
            r.count
                .as_ref()
                .filter(|c| c.exact == exact)
                .map(|c| (r.radius, log10_u64(c.lower)))
        })
        .collect()
}

fn render<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    c: &BoundsChart,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let text = text_available();
    let rows = c.rows;
    let Ranges {
        x: xr,
        y: yr,
        decades: yr_len,
    } = ranges(rows);
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
            .x_desc("radius")
            .y_desc("linear regions")
            .y_labels(((yr_len + 1.0) as usize).clamp(2, 12))
            .y_label_formatter(&|y| {
                if (y - y.round()).abs() < 1e-6 {
                    format!("1e{:.0}", y.round())
                } else {
                    String::new()
                }
            })
            .label_style((FAMILY, 13))
            .draw()?;
    }
    for Series {
        name,
        colour,
        value: f,
    } in SERIES
    {
        let s = chart.draw_series(LineSeries::new(
            rows.iter().map(|r| (r.radius, f(r))),
            // Montúfar's line wider: for small inputs it can coincide with Serra et al.'s.
            colour.stroke_width(if name.starts_with("Mont") { 5 } else { 2 }),
        ))?;
        if text {
            s.label(name).legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
            });
        }
    }
    draw_counts(&mut chart, rows, text)?;
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

/// The counts as points: filled when exact, hollow when the time limit left a lower bound.
fn draw_counts<DB: DrawingBackend>(
    chart: &mut ChartContext<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    rows: &[RadiusRow],
    text: bool,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let exact = count_points(rows, true);
    let partial = count_points(rows, false);
    let s = chart.draw_series(exact.iter().map(|&p| Circle::new(p, 4, BLACK.filled())))?;
    if text && !exact.is_empty() {
        s.label("exact count")
            .legend(|(x, y)| Circle::new((x + 10, y), 4, BLACK.filled()));
    }
    let s = chart.draw_series(
        partial
            .iter()
            .map(|&p| Circle::new(p, 4, BLACK.stroke_width(1))),
    )?;
    if text && !partial.is_empty() {
        s.label("count found before the time limit (lower bound)")
            .legend(|(x, y)| Circle::new((x + 10, y), 4, BLACK.stroke_width(1)));
    }
    Ok(())
}
