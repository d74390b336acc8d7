//! `experiment dynamics`: how the linear regions around training points change during training
//! (Zhu, Lin & Tang 2020, finding (a): region boundaries move away from the training points).

use super::chart::{draw_band_chart, BandChart, BandSeries};
use super::data::{digits_pca, two_moons, Dataset};
use super::distance::boundary_distance;
use super::stats::{mann_whitney, quantile, sign_test, MannWhitney};
use super::trainer::{train, EpochRecord, TrainSettings};
use crate::bounds::local_analytic;
use crate::domain::{Domain, Norm};
use crate::enumerate::{count_regions, CountOptions};
use crate::error::{Error, Result};
use crate::network::Network;
use ndarray::Array1;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The data set to train on.
#[derive(Clone, Debug, PartialEq)]
pub enum DataChoice {
    /// Two moons (`n` points, Gaussian noise `noise`).
    Moons {
        /// Number of points.
        n: usize,
        /// Standard deviation of the Gaussian noise added to each coordinate.
        noise: f64,
    },
    /// data/digits.csv reduced by PCA to `dims` dimensions, labels 0..classes.
    DigitsPca {
        /// The digits CSV file.
        path: PathBuf,
        /// PCA dimensions kept (the network's input dimension).
        dims: usize,
        /// Classes kept: labels 0..classes.
        classes: usize,
    },
}

/// How [`run_dynamics`] runs. [`DynamicsSettings::new`] gives the quick or the full defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct DynamicsSettings {
    /// Quick (about a minute) or full defaults; recorded in the output.
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
    /// Training points followed (and as many test points, the control group).
    pub points: usize,
    /// Radius of the ball around each point for the bound and the count.
    pub radius: f64,
    /// Norm of the ball around each point.
    pub norm: Norm,
    /// Time limit of each count (the result is then a lower/upper sandwich).
    pub count_time_limit: Duration,
    /// Worker threads of each count.
    pub threads: usize,
}

impl DynamicsSettings {
    /// Defaults: PCA-digits in 2-D (10 classes), radius 0.1 (the first principal component has
    /// unit standard deviation), L2. Quick: 16-16 network, 8 epochs, 24 points per group, 2 s
    /// per count (about a minute on 2 cores). Full: 32-32, 40 epochs, 100 points, 20 s.
    pub fn new(quick: bool, out_dir: PathBuf, seed: u64) -> Self {
        DynamicsSettings {
            quick,
            out_dir,
            seed,
            data: DataChoice::DigitsPca {
                path: PathBuf::from("data/digits.csv"),
                dims: 2,
                classes: 10,
            },
            hidden: vec![32, 32],
            epochs: if quick { 20 } else { 60 },
            batch_size: 32,
            learning_rate: 5e-3,
            points: if quick { 60 } else { 200 },
            radius: 0.25,
            norm: Norm::L2,
            count_time_limit: Duration::from_secs(if quick { 2 } else { 20 }),
            threads: 2,
        }
    }
}

/// One point at one epoch (one CSV row).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PointRecord {
    /// The epoch (0 = at initialization).
    pub epoch: usize,
    /// "train" or "test".
    pub group: &'static str,
    /// Index of the point within its group.
    pub point: usize,
    /// Distance from the point to the boundary of its region, in the ball's norm.
    pub distance: f64,
    /// Hidden layer (0-based) of the unit that flips first at that distance.
    pub flip_layer: usize,
    /// Index of that unit within its layer.
    pub flip_unit: usize,
    /// The local analytic bound (decimal; may exceed u64).
    pub local_bound: String,
    /// Regions counted in the ball (the exact count when `count_exact`).
    pub count_lower: u64,
    /// Certified upper bound on the count, decimal.
    pub count_upper: String,
    /// Whether the count finished within its time limit.
    pub count_exact: bool,
}

/// Per epoch and group: training loss/accuracy and the quartiles of distance and count.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EpochGroupSummary {
    /// The epoch (0 = at initialization).
    pub epoch: usize,
    /// `"train"` or `"test"`.
    pub group: &'static str,
    /// Mean cross-entropy of the network on the training set at this epoch.
    pub loss: f64,
    /// Fraction of the training set classified correctly at this epoch.
    pub accuracy: f64,
    /// 25 % quantile of the group's distances to the region boundary.
    pub distance_q25: f64,
    /// Median of the group's distances to the region boundary.
    pub distance_median: f64,
    /// 75 % quantile of the group's distances to the region boundary.
    pub distance_q75: f64,
    /// Quartiles of the count's lower bound (the count when exact).
    pub count_q25: f64,
    /// Median of the count's lower bound.
    pub count_median: f64,
    /// 75 % quantile of the count's lower bound.
    pub count_q75: f64,
    /// Points of the group whose count was exact.
    pub counts_exact: usize,
}

/// First epoch against last for one group of points: the paired change of the distance.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DistanceChange {
    /// `"train"` or `"test"`.
    pub group: &'static str,
    /// Points in the group.
    pub points: usize,
    /// Median distance to the region boundary at the first epoch.
    pub median_first: f64,
    /// Median distance to the region boundary at the last epoch.
    pub median_last: f64,
    /// Points whose distance grew / shrank (ties dropped).
    pub grew: usize,
    /// See `grew`.
    pub shrank: usize,
    /// Exact two-sided sign-test p-value.
    pub sign_test_p: f64,
    /// Median count (lower bound) at the first epoch.
    pub median_count_first: f64,
    /// Median count (lower bound) at the last epoch.
    pub median_count_last: f64,
}

/// What [`run_dynamics`] found and wrote.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DynamicsSummary {
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
    /// One entry per epoch and group.
    pub per_epoch: Vec<EpochGroupSummary>,
    /// The change of the training points' distances.
    pub train: DistanceChange,
    /// The change of the test points' distances (the control group).
    pub test: DistanceChange,
    /// Distances at the last epoch, training against test points (Mann–Whitney U): whether the
    /// boundaries are farther from the points trained on than from unseen points.
    pub last_epoch_train_vs_test: MannWhitney,
    /// Plain-text verdict on finding (a), with the numbers.
    pub verdict: String,
    /// The files written (CSV, charts, JSON).
    pub files: Vec<PathBuf>,
    /// Wall-clock seconds of the run.
    pub seconds: f64,
}

fn load(settings: &DynamicsSettings) -> Result<(Dataset, String)> {
    settings.data.load(settings.seed)
}

impl DataChoice {
    /// The data set and a one-line description of it (two moons are drawn with `seed`).
    pub fn load(&self, seed: u64) -> Result<(Dataset, String)> {
        Ok(match self {
            DataChoice::Moons { n, noise } => (
                two_moons(*n, *noise, seed),
                format!("two moons (n = {n}, noise = {noise})"),
            ),
            DataChoice::DigitsPca {
                path,
                dims,
                classes,
            } => (
                digits_pca(path, *dims, *classes)?.0,
                format!(
                    "digits {} PCA to {dims}-D, {classes} classes",
                    path.display()
                ),
            ),
        })
    }
}

/// What [`measure`] finds at one point.
struct PointMeasure {
    /// The boundary distance, with the layer and unit of the first unit to flip.
    distance: f64,
    flip_layer: usize,
    flip_unit: usize,
    /// The local analytic bound, decimal.
    local_bound: String,
    /// The count's sandwich (upper decimal) and whether it is exact.
    count_lower: u64,
    count_upper: String,
    count_exact: bool,
}

/// Distance, bound and count at one point.
fn measure(net: &Network, x: &Array1<f64>, s: &DynamicsSettings) -> Result<PointMeasure> {
    let d = boundary_distance(net, x.view(), s.norm)?;
    let domain = Domain::ball(x.clone(), s.radius, s.norm)?;
    let local = local_analytic(net, &domain)?;
    let cs = CountOptions {
        threads: 1,
        time_limit: Some(s.count_time_limit),
        ..Default::default()
    };
    let c = count_regions(net, &domain, &cs, None)?;
    Ok(PointMeasure {
        distance: d.distance,
        flip_layer: d.layer,
        flip_unit: d.index,
        local_bound: local.value.to_string(),
        count_lower: c.lower,
        count_upper: c.upper.to_string(),
        count_exact: c.exact,
    })
}

/// `points` points of `set` drawn without replacement with `rng` (all of them when it has
/// fewer).
pub(super) fn sample_points(
    rng: &mut ChaCha8Rng,
    set: &Dataset,
    points: usize,
) -> Vec<Array1<f64>> {
    let mut idx: Vec<usize> = (0..set.len()).collect();
    idx.shuffle(rng);
    idx.iter()
        .take(points)
        .map(|&i| set.x.row(i).to_owned())
        .collect()
}

/// The worker pool of an experiment's counts.
pub(super) fn thread_pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|source| Error::ThreadPool { threads, source })
}

/// Writes an experiment's summary to `path` as pretty JSON.
pub(super) fn write_summary_json(path: &Path, summary: &impl Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(summary)
        .map_err(|e| Error::invalid(format!("summary to JSON: {e}")))?;
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}

/// Trains a network (see [`train`]) and, at every epoch (0 = initialization), measures at a
/// fixed seeded sample of `points` training points and as many test points: the exact L2 (or L∞)
/// distance to the boundary of the point's region ([`boundary_distance`]), the local analytic
/// bound and the count of regions in the ball of `radius` ([`count_regions`], time-limited: the
/// lower/upper sandwich otherwise). Writes to `out_dir`: `dynamics.csv` (one row per
/// epoch × point), `dynamics_summary.json`, and `distance_vs_epoch.{svg,png}`,
/// `count_vs_epoch.{svg,png}` (median and interquartile band per group).
///
/// Finding (a) of Zhu, Lin & Tang (2020) predicts that the distance at training points grows with
/// training; the verdict compares epoch 0 with the last epoch by the paired sign test (exact,
/// two-sided), with the test points as the control group.
pub fn run_dynamics(settings: &DynamicsSettings) -> Result<DynamicsSummary> {
    let start = Instant::now();
    let s = settings;
    if s.points == 0 || !(s.radius.is_finite() && s.radius > 0.0) {
        return Err(Error::invalid(format!(
            "experiment dynamics: {} points, radius {}; expected at least 1 point and a radius > 0",
            s.points, s.radius
        )));
    }
    std::fs::create_dir_all(&s.out_dir).map_err(|e| Error::io(&s.out_dir, e))?;
    let (data, data_name) = load(s)?;
    let (train_set, test_set) = data.split(0.25, s.seed)?;
    let mut rng = ChaCha8Rng::seed_from_u64(s.seed ^ 0x5eed);
    let groups: Vec<(&'static str, Vec<Array1<f64>>)> = vec![
        ("train", sample_points(&mut rng, &train_set, s.points)),
        ("test", sample_points(&mut rng, &test_set, s.points)),
    ];
    let pool = thread_pool(s.threads)?;
    let mut rows: Vec<PointRecord> = Vec::new();
    let mut history: Vec<EpochRecord> = Vec::new();
    let mut on_epoch = |rec: &EpochRecord, net: &Network| -> Result<()> {
        history.push(rec.clone());
        measure_epoch(&pool, net, rec.epoch, &groups, s, &mut rows)
    };
    let ts = TrainSettings {
        hidden: s.hidden.clone(),
        epochs: s.epochs,
        batch_size: s.batch_size,
        learning_rate: s.learning_rate,
        seed: s.seed,
        checkpoint_dir: Some(s.out_dir.join("checkpoints")),
    };
    train(&train_set, &ts, Some(&mut on_epoch))?;

    let mut files = Vec::new();
    let csv = s.out_dir.join("dynamics.csv");
    write_csv(&csv, &rows)?;
    files.push(csv);

    let per_epoch = summarize(&rows, &history);
    let change = |g: &'static str| distance_change(&rows, g, s.epochs);
    let (tr, te) = (change("train"), change("test"));
    let last_distances = |g: &str| -> Vec<f64> {
        rows.iter()
            .filter(|r| r.epoch == s.epochs && r.group == g)
            .map(|r| r.distance)
            .collect()
    };
    let last_mw = mann_whitney(&last_distances("train"), &last_distances("test"));
    let verdict = format!(
        "{}\n  last epoch, distance at train vs test points: P(train > test) = {:.3}, rank-biserial {:+.3}, Mann–Whitney p = {:.2e}",
        verdict(&tr, &te),
        last_mw.prob_superiority,
        last_mw.rank_biserial,
        last_mw.p
    );
    draw_epoch_charts(s, &per_epoch, &mut files)?;
    let json = s.out_dir.join("dynamics_summary.json");
    files.push(json.clone());
    let summary = DynamicsSummary {
        data: data_name,
        hidden: s.hidden.clone(),
        epochs: s.epochs,
        radius: s.radius,
        norm: s.norm.name().to_string(),
        seed: s.seed,
        final_train_accuracy: history.last().map_or(f64::NAN, |h| h.accuracy),
        per_epoch,
        train: tr,
        test: te,
        last_epoch_train_vs_test: last_mw,
        verdict,
        files,
        seconds: start.elapsed().as_secs_f64(),
    };
    write_summary_json(&json, &summary)?;
    Ok(summary)
}

/// Measures every point of every group on `pool` after `epoch` ([`measure`]), appending one
/// row per point to `rows`.
fn measure_epoch(
    pool: &rayon::ThreadPool,
    net: &Network,
    epoch: usize,
    groups: &[(&'static str, Vec<Array1<f64>>)],
    s: &DynamicsSettings,
    rows: &mut Vec<PointRecord>,
) -> Result<()> {
    for (group, points) in groups {
        let measured: Vec<Result<_>> =
            pool.install(|| points.par_iter().map(|x| measure(net, x, s)).collect());
        for (k, m) in measured.into_iter().enumerate() {
            let m = m?;
            rows.push(PointRecord {
                epoch,
                group,
                point: k,
                distance: m.distance,
                flip_layer: m.flip_layer,
                flip_unit: m.flip_unit,
                local_bound: m.local_bound,
                count_lower: m.count_lower,
                count_upper: m.count_upper,
                count_exact: m.count_exact,
            });
        }
    }
    Ok(())
}

/// Quartiles (q25, median, q75) of one measure in an epoch's summary.
type Quartiles = fn(&EpochGroupSummary) -> (f64, f64, f64);

/// Draws the median and interquartile band per group against the epoch, of the distance
/// (`distance_vs_epoch.{svg,png}`) and of the count (`count_vs_epoch.{svg,png}`), adding the
/// paths to `files`.
fn draw_epoch_charts(
    s: &DynamicsSettings,
    per_epoch: &[EpochGroupSummary],
    files: &mut Vec<PathBuf>,
) -> Result<()> {
    for (name, label, pick_q) in [
        (
            "distance_vs_epoch",
            format!("distance to region boundary ({})", s.norm.name()),
            (|e: &EpochGroupSummary| (e.distance_q25, e.distance_median, e.distance_q75))
                as Quartiles,
        ),
        (
            "count_vs_epoch",
            format!("regions in the ball (r = {})", s.radius),
            |e: &EpochGroupSummary| (e.count_q25, e.count_median, e.count_q75),
        ),
    ] {
        let series: Vec<BandSeries> = ["train", "test"]
            .iter()
            .map(|g| {
                let es: Vec<&EpochGroupSummary> =
                    per_epoch.iter().filter(|e| e.group == *g).collect();
                BandSeries {
                    name: format!("{g} points"),
                    epochs: es.iter().map(|e| e.epoch as f64).collect(),
                    q25: es.iter().map(|e| pick_q(e).0).collect(),
                    median: es.iter().map(|e| pick_q(e).1).collect(),
                    q75: es.iter().map(|e| pick_q(e).2).collect(),
                }
            })
            .collect();
        for ext in ["svg", "png"] {
            let path = s.out_dir.join(format!("{name}.{ext}"));
            draw_band_chart(
                &BandChart {
                    series: &series,
                    title: format!("{label} during training"),
                    y_label: label.clone(),
                    size: (800, 500),
                },
                &path,
            )?;
            files.push(path);
        }
    }
    Ok(())
}

fn write_csv(path: &Path, rows: &[PointRecord]) -> Result<()> {
    let mut out = String::from(
        "epoch,group,point,distance,flip_layer,flip_unit,local_bound,count_lower,count_upper,count_exact\n",
    );
    for r in rows {
        // writing to a String cannot fail
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{}",
            r.epoch,
            r.group,
            r.point,
            r.distance,
            r.flip_layer,
            r.flip_unit,
            r.local_bound,
            r.count_lower,
            r.count_upper,
            r.count_exact
        );
    }
    std::fs::write(path, out).map_err(|e| Error::io(path, e))
}

fn summarize(rows: &[PointRecord], history: &[EpochRecord]) -> Vec<EpochGroupSummary> {
    let mut out = Vec::new();
    for h in history {
        for group in ["train", "test"] {
            let sel: Vec<&PointRecord> = rows
                .iter()
                .filter(|r| r.epoch == h.epoch && r.group == group)
                .collect();
            let d: Vec<f64> = sel.iter().map(|r| r.distance).collect();
            let c: Vec<f64> = sel.iter().map(|r| r.count_lower as f64).collect();
            out.push(EpochGroupSummary {
                epoch: h.epoch,
                group,
                loss: h.loss,
                accuracy: h.accuracy,
                distance_q25: quantile(&d, 0.25),
                distance_median: quantile(&d, 0.5),
                distance_q75: quantile(&d, 0.75),
                count_q25: quantile(&c, 0.25),
                count_median: quantile(&c, 0.5),
                count_q75: quantile(&c, 0.75),
                counts_exact: sel.iter().filter(|r| r.count_exact).count(),
            });
        }
    }
    out
}

fn distance_change(rows: &[PointRecord], group: &'static str, last: usize) -> DistanceChange {
    let at = |e: usize| -> Vec<&PointRecord> {
        rows.iter()
            .filter(|r| r.epoch == e && r.group == group)
            .collect()
    };
    let (first, end) = (at(0), at(last));
    let (mut grew, mut shrank) = (0, 0);
    for (a, b) in first.iter().zip(&end) {
        if b.distance > a.distance {
            grew += 1;
        } else if b.distance < a.distance {
            shrank += 1;
        }
    }
    let med = |v: &[&PointRecord], f: fn(&PointRecord) -> f64| {
        quantile(&v.iter().map(|r| f(r)).collect::<Vec<_>>(), 0.5)
    };
    DistanceChange {
        group,
        points: first.len(),
        median_first: med(&first, |r| r.distance),
        median_last: med(&end, |r| r.distance),
        grew,
        shrank,
        sign_test_p: sign_test(grew, shrank),
        median_count_first: med(&first, |r| r.count_lower as f64),
        median_count_last: med(&end, |r| r.count_lower as f64),
    }
}

/// The verdict on finding (a) from the paired first-vs-last change at training points, with the
/// test points beside it (if both move alike, the change is not specific to training points).
fn verdict(tr: &DistanceChange, te: &DistanceChange) -> String {
    let line = |c: &DistanceChange| {
        format!(
            "{} points: median distance {:.4} -> {:.4} (x{:.2}); grew at {}/{} points, shrank at {} (sign test p = {:.2e}); median regions in the ball {} -> {}",
            c.group,
            c.median_first,
            c.median_last,
            c.median_last / c.median_first,
            c.grew,
            c.points,
            c.shrank,
            c.sign_test_p,
            c.median_count_first,
            c.median_count_last
        )
    };
    let call = if tr.sign_test_p < 0.05 && tr.grew > tr.shrank {
        "REPRODUCED: boundaries moved away from the training points"
    } else if tr.sign_test_p < 0.05 {
        "CONTRADICTED: boundaries moved closer to the training points"
    } else {
        "NOT REPRODUCED: no significant change of the distance at training points"
    };
    let specific = if tr.grew > tr.shrank && te.grew > te.shrank && te.sign_test_p < 0.05 {
        " The test points moved the same way, so the change is not specific to training points."
    } else {
        ""
    };
    format!(
        "Finding (a) {call} (sign test at 5%).{specific}\n  {}\n  {}",
        line(tr),
        line(te)
    )
}
