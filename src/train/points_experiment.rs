//! `experiment points`: are there more linear regions in balls centred at training points than
//! at other points? (Zhu, Lin & Tang 2020, finding (b).)

use super::chart::{draw_box_plot, BoxGroup};
use super::data::{normal, Dataset};
use super::distance::boundary_distance;
use super::dynamics::{sample_points, thread_pool, write_summary_json, DataChoice};
use super::stats::{mann_whitney, quantile, MannWhitney};
use super::trainer::{train, TrainSettings};
use crate::bounds::local_analytic;
use crate::domain::{Domain, Norm};
use crate::enumerate::{count_regions, CountOptions};
use crate::error::{Error, Result};
use crate::network::Network;
use ndarray::{Array1, Axis};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How [`run_points`] runs. [`PointsSettings::new`] gives the quick or the full defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct PointsSettings {
    /// Quick or full defaults; recorded in the output.
    pub quick: bool,
    /// Directory the CSV files, charts and summary are written to.
    pub out_dir: PathBuf,
    /// Seed of the data, the training and the choice of points.
    pub seed: u64,
    /// The data set.
    pub data: DataChoice,
    /// Hidden widths of the network trained.
    pub hidden: Vec<usize>,
    /// Epochs of training.
    pub epochs: usize,
    /// Examples per mini-batch.
    pub batch_size: usize,
    /// Adam step size.
    pub learning_rate: f64,
    /// Points per group.
    pub points: usize,
    /// Radius of the ball around each point, in `norm`.
    pub radius: f64,
    /// Norm of the ball around each point.
    pub norm: Norm,
    /// Time limit of each count (the result is then a lower/upper sandwich).
    pub count_time_limit: Duration,
    /// Worker threads of each count.
    pub threads: usize,
}

impl PointsSettings {
    /// The same data, network and radius as [`super::DynamicsSettings::new`]; quick: 20 epochs,
    /// 60 points per group, 2 s per count; full: 60 epochs, 200 points, 20 s.
    pub fn new(quick: bool, out_dir: PathBuf, seed: u64) -> Self {
        let d = super::DynamicsSettings::new(quick, out_dir, seed);
        PointsSettings {
            quick,
            out_dir: d.out_dir,
            seed,
            data: d.data,
            hidden: d.hidden,
            epochs: d.epochs,
            batch_size: d.batch_size,
            learning_rate: d.learning_rate,
            points: d.points,
            radius: d.radius,
            norm: d.norm,
            count_time_limit: d.count_time_limit,
            threads: d.threads,
        }
    }
}

/// One group's counts and distances summarized, and its comparison with the training points.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupSummary {
    /// The group's name (`"train"` first).
    pub group: &'static str,
    /// Points in the group.
    pub points: usize,
    /// Points whose count was exact.
    pub counts_exact: usize,
    /// Median count (lower bound).
    pub count_median: f64,
    /// 25 % quantile of the count (lower bound).
    pub count_q25: f64,
    /// 75 % quantile of the count (lower bound).
    pub count_q75: f64,
    /// Median distance to the region boundary, in the ball's norm.
    pub distance_median: f64,
    /// Mann–Whitney of the training points' counts against this group's (None for "train").
    pub counts_train_vs_this: Option<MannWhitney>,
    /// Mann–Whitney of the training points' distances against this group's (None for "train").
    pub distances_train_vs_this: Option<MannWhitney>,
}

/// What [`run_points`] found and wrote.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PointsSummary {
    /// The data set's description.
    pub data: String,
    /// Hidden widths of the network trained.
    pub hidden: Vec<usize>,
    /// Epochs of training.
    pub epochs: usize,
    /// Radius of the ball around each point.
    pub radius: f64,
    /// Norm of the ball: `"l2"` or `"linf"`.
    pub norm: String,
    /// The seed of the run.
    pub seed: u64,
    /// Training accuracy after the last epoch (fraction).
    pub final_train_accuracy: f64,
    /// One summary per group, the training points first.
    pub groups: Vec<GroupSummary>,
    /// Plain-text verdict, with the numbers.
    pub verdict: String,
    /// The files written (CSV, charts, JSON).
    pub files: Vec<PathBuf>,
    /// Wall-clock seconds of the run.
    pub seconds: f64,
}

struct Measured {
    count: u64,
    exact: bool,
    local: String,
    distance: f64,
}

fn measure(net: &Network, x: &Array1<f64>, s: &PointsSettings) -> Result<Measured> {
    let domain = Domain::ball(x.clone(), s.radius, s.norm)?;
    let local = local_analytic(net, &domain)?;
    let cs = CountOptions {
        threads: 1,
        time_limit: Some(s.count_time_limit),
        ..Default::default()
    };
    let c = count_regions(net, &domain, &cs, None)?;
    let d = boundary_distance(net, x.view(), s.norm)?;
    Ok(Measured {
        count: c.lower,
        exact: c.exact,
        local: local.value.to_string(),
        distance: d.distance,
    })
}

/// Trains the network as [`super::run_dynamics`] does, then counts the regions in the ball of
/// `radius` (time-limited; the lower bound when not exact) and the boundary distance at four
/// groups of `points` points: training points, test points, points uniform in the training
/// data's bounding box, and Gaussian points with the training data's per-coordinate mean and
/// standard deviation. Each other group is compared with the training points by the
/// Mann–Whitney U test ([`mann_whitney`]; effect size: probability of superiority and
/// rank-biserial correlation). Writes `points.csv` and `points_summary.json` to `out_dir`.
///
/// Finding (b) of Zhu, Lin & Tang (2020) predicts more regions at training points than at the
/// other points; the verdict says whether the counts show it.
pub fn run_points(settings: &PointsSettings) -> Result<PointsSummary> {
    let start = Instant::now();
    let s = settings;
    if s.points == 0 || !(s.radius.is_finite() && s.radius > 0.0) {
        return Err(Error::invalid(format!(
            "experiment points: {} points, radius {}; expected at least 1 point and a radius > 0",
            s.points, s.radius
        )));
    }
    std::fs::create_dir_all(&s.out_dir).map_err(|e| Error::io(&s.out_dir, e))?;
    let (data, data_name) = s.data.load(s.seed)?;
    let (train_set, test_set) = data.split(0.25, s.seed)?;
    let ts = TrainSettings {
        hidden: s.hidden.clone(),
        epochs: s.epochs,
        batch_size: s.batch_size,
        learning_rate: s.learning_rate,
        seed: s.seed,
        checkpoint_dir: None,
    };
    let trained = train(&train_set, &ts, None)?;
    let groups = point_groups(s, &train_set, &test_set);
    let pool = thread_pool(s.threads)?;
    let (results, csv) = measure_groups(&pool, &trained.network, &groups, s)?;
    let summaries = summarize(&results);
    let verdict = verdict(&summaries);
    let mut files = Vec::new();
    let csv_path = s.out_dir.join("points.csv");
    std::fs::write(&csv_path, csv).map_err(|e| Error::io(&csv_path, e))?;
    files.push(csv_path);
    draw_count_charts(s, &results, &mut files)?;
    let json = s.out_dir.join("points_summary.json");
    files.push(json.clone());
    let summary = PointsSummary {
        data: data_name,
        hidden: s.hidden.clone(),
        epochs: s.epochs,
        radius: s.radius,
        norm: s.norm.name().to_string(),
        seed: s.seed,
        final_train_accuracy: trained.history.last().map_or(f64::NAN, |h| h.accuracy),
        groups: summaries,
        verdict,
        files,
        seconds: start.elapsed().as_secs_f64(),
    };
    write_summary_json(&json, &summary)?;
    Ok(summary)
}

/// A named group of points the regions are counted at.
struct PointGroup {
    /// `"train"`, `"test"`, `"uniform"` or `"gaussian"`.
    name: &'static str,
    points: Vec<Array1<f64>>,
}

/// What was measured at each point of a group, in the group's order.
struct GroupMeasured {
    name: &'static str,
    measured: Vec<Measured>,
}

/// The four groups of `points` points, the training points first: training and test points
/// (a seeded sample), points uniform in the training data's bounding box, and Gaussian points
/// with its per-coordinate mean and standard deviation.
fn point_groups(s: &PointsSettings, train_set: &Dataset, test_set: &Dataset) -> [PointGroup; 4] {
    let mut rng = ChaCha8Rng::seed_from_u64(s.seed ^ 0x9017);
    let train_pts = sample_points(&mut rng, train_set, s.points);
    let test_pts = sample_points(&mut rng, test_set, s.points);
    let lo = train_set
        .x
        .fold_axis(Axis(0), f64::INFINITY, |a, &b| a.min(b));
    let hi = train_set
        .x
        .fold_axis(Axis(0), f64::NEG_INFINITY, |a, &b| a.max(b));
    let mean = train_set
        .x
        .mean_axis(Axis(0))
        .unwrap_or_else(|| Array1::zeros(train_set.dim()));
    let sd = train_set.x.std_axis(Axis(0), 1.0);
    let uniform: Vec<Array1<f64>> = (0..s.points)
        .map(|_| Array1::from_shape_fn(lo.len(), |j| lo[j] + (hi[j] - lo[j]) * rng.gen::<f64>()))
        .collect();
    let gaussian: Vec<Array1<f64>> = (0..s.points)
        .map(|_| Array1::from_shape_fn(mean.len(), |j| mean[j] + sd[j] * normal(&mut rng)))
        .collect();
    let group = |name, points| PointGroup { name, points };
    [
        group("train", train_pts),
        group("test", test_pts),
        group("uniform", uniform),
        group("gaussian", gaussian),
    ]
}

/// Measures every point of every group on `pool` ([`measure`]), and the CSV of the results
/// (`group,point,count,count_exact,local_bound,distance`).
fn measure_groups(
    pool: &rayon::ThreadPool,
    net: &Network,
    groups: &[PointGroup],
    s: &PointsSettings,
) -> Result<(Vec<GroupMeasured>, String)> {
    let mut csv = String::from("group,point,count,count_exact,local_bound,distance\n");
    let mut results: Vec<GroupMeasured> = Vec::new();
    for PointGroup { name, points } in groups {
        let m: Vec<Result<Measured>> =
            pool.install(|| points.par_iter().map(|x| measure(net, x, s)).collect());
        let m = m.into_iter().collect::<Result<Vec<_>>>()?;
        for (k, r) in m.iter().enumerate() {
            // writing to a String cannot fail
            let _ = writeln!(
                csv,
                "{name},{k},{},{},{},{}",
                r.count, r.exact, r.local, r.distance
            );
        }
        results.push(GroupMeasured { name, measured: m });
    }
    Ok((results, csv))
}

/// The counts (lower bounds) of a group, as floats.
fn counts(m: &[Measured]) -> Vec<f64> {
    m.iter().map(|r| r.count as f64).collect()
}

/// The boundary distances of a group.
fn distances(m: &[Measured]) -> Vec<f64> {
    m.iter().map(|r| r.distance).collect()
}

/// Each group's quartiles, and its comparison with the training points (the first group).
fn summarize(results: &[GroupMeasured]) -> Vec<GroupSummary> {
    let (train_counts, train_dists) = (
        counts(&results[0].measured),
        distances(&results[0].measured),
    );
    results
        .iter()
        .map(|GroupMeasured { name, measured: m }| {
            let (c, d) = (counts(m), distances(m));
            let other = *name != "train";
            GroupSummary {
                group: name,
                points: m.len(),
                counts_exact: m.iter().filter(|r| r.exact).count(),
                count_median: quantile(&c, 0.5),
                count_q25: quantile(&c, 0.25),
                count_q75: quantile(&c, 0.75),
                distance_median: quantile(&d, 0.5),
                counts_train_vs_this: other.then(|| mann_whitney(&train_counts, &c)),
                distances_train_vs_this: other.then(|| mann_whitney(&train_dists, &d)),
            }
        })
        .collect()
}

/// Draws the box plot of each group's counts to `points_counts.{svg,png}`, adding the paths to
/// `files`.
fn draw_count_charts(
    s: &PointsSettings,
    results: &[GroupMeasured],
    files: &mut Vec<PathBuf>,
) -> Result<()> {
    let boxes: Vec<BoxGroup> = results
        .iter()
        .map(|g| BoxGroup {
            name: g.name.to_string(),
            values: counts(&g.measured),
        })
        .collect();
    for ext in ["svg", "png"] {
        let path = s.out_dir.join(format!("points_counts.{ext}"));
        draw_box_plot(
            &boxes,
            &format!(
                "regions in the {} ball of radius {} at each group of points",
                s.norm.name(),
                s.radius
            ),
            "linear regions (exact count, or lower bound)",
            &path,
        )?;
        files.push(path);
    }
    Ok(())
}

/// Finding (b) holds when the training points' counts exceed every other group's
/// (probability of superiority > ½, Mann–Whitney p < 0.05).
fn verdict(groups: &[GroupSummary]) -> String {
    let mut lines = Vec::new();
    let mut more = 0;
    let mut fewer = 0;
    let mut compared = 0;
    for g in groups {
        let base = format!(
            "{:8} median regions {} [IQR {}, {}] ({}/{} exact), median distance {:.4}",
            g.group,
            g.count_median,
            g.count_q25,
            g.count_q75,
            g.counts_exact,
            g.points,
            g.distance_median
        );
        match &g.counts_train_vs_this {
            Some(mw) => {
                compared += 1;
                if mw.p < 0.05 && mw.prob_superiority > 0.5 {
                    more += 1;
                } else if mw.p < 0.05 {
                    fewer += 1;
                }
                lines.push(format!(
                    "{base}; train vs {}: P(train count > this) = {:.3}, rank-biserial {:+.3}, p = {:.2e}",
                    g.group, mw.prob_superiority, mw.rank_biserial, mw.p
                ));
            }
            None => lines.push(base),
        }
    }
    let call = if more == compared {
        "REPRODUCED: more regions around training points than around every other group"
    } else if more > 0 && fewer == 0 {
        "PARTLY REPRODUCED: more regions around training points than around some groups, no significant difference for the others"
    } else if fewer > 0 && more == 0 {
        "CONTRADICTED: fewer regions around training points than around some groups"
    } else if fewer > 0 {
        "MIXED: more regions than some groups, fewer than others"
    } else {
        "NOT REPRODUCED: no significant difference of the counts"
    };
    let same_distribution = groups
        .iter()
        .find(|g| g.group == "test")
        .and_then(|g| g.counts_train_vs_this.as_ref())
        .map(|mw| {
            format!(
                " Training against test points (same distribution, so only memorization differs): p = {:.2e}, rank-biserial {:+.3}.",
                mw.p, mw.rank_biserial
            )
        })
        .unwrap_or_default();
    format!(
        "Finding (b) {call} (Mann–Whitney, 5%).{same_distribution}\n  {}",
        lines.join("\n  ")
    )
}

/// [`run_points`] for `seeds` consecutive seeds (settings.seed, settings.seed + 1, …), each in
/// `out_dir/seed_S`, with a combined verdict: for each group compared with the training points,
/// in how many seeds the training points had significantly more regions (Mann–Whitney, 5 %),
/// significantly fewer, or no significant difference, and the median rank-biserial effect size.
pub fn run_points_over_seeds(
    settings: &PointsSettings,
    seeds: usize,
) -> Result<(Vec<PointsSummary>, String)> {
    if seeds == 0 {
        return Err(Error::invalid_value(
            crate::error::Field::Seeds,
            0,
            "at least 1",
        ));
    }
    let mut runs = Vec::with_capacity(seeds);
    for k in 0..seeds as u64 {
        let mut s = settings.clone();
        s.seed = settings.seed + k;
        s.out_dir = settings.out_dir.join(format!("seed_{}", s.seed));
        runs.push(run_points(&s)?);
    }
    let mut text =
        format!("Finding (b) over {seeds} seeds (training points against each group):\n");
    if let Some(first) = runs.first() {
        for (g, group) in first.groups.iter().enumerate().skip(1) {
            let tests: Vec<&MannWhitney> = runs
                .iter()
                .filter_map(|r| {
                    r.groups
                        .get(g)
                        .and_then(|x| x.counts_train_vs_this.as_ref())
                })
                .collect();
            let more = tests
                .iter()
                .filter(|t| t.p < 0.05 && t.rank_biserial > 0.0)
                .count();
            let fewer = tests
                .iter()
                .filter(|t| t.p < 0.05 && t.rank_biserial < 0.0)
                .count();
            let effects: Vec<f64> = tests.iter().map(|t| t.rank_biserial).collect();
            let _ = writeln!(
                text,
                "  vs {:<9} more regions at training points in {more}/{seeds} seeds, fewer in {fewer}, no significant difference in {}; median rank-biserial {:+.3}",
                group.group,
                seeds - more - fewer,
                quantile(&effects, 0.5)
            );
        }
    }
    Ok((runs, text))
}
