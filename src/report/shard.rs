//! The files of counts past one machine (README, "Counts past one machine"): shard files
//! (`count --split N --out DIR`), shard results (`count --shard F --json`), their merge
//! (`relu-regions merge`) and checkpoints (`count --checkpoint F`, `count --resume F`).
//!
//! Every file is JSON with a `format` tag and a `version`, names the network by the SHA-256 of
//! its canonical JSON text ([`model_sha256`]: the same for a network read from .onnx, .nnet or
//! .json) and holds the domain exactly (floats in shortest round-trip form). Files are written
//! atomically: `FILE.tmp`, then a rename.

use crate::domain::{Domain, Norm, Shape};
use crate::enumerate::{CountOutcome, Stop, Subproblem};
use crate::error::{Error, Result};
use crate::network::Network;
use num_bigint::BigUint;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// The `format` tag of a shard file.
pub const SHARD_FORMAT: &str = "relu-regions-shard";
/// The `format` tag of a shard's result.
pub const RESULT_FORMAT: &str = "relu-regions-shard-result";
/// The `format` tag of a checkpoint.
pub const CHECKPOINT_FORMAT: &str = "relu-regions-checkpoint";
/// The version of the three formats.
pub const VERSION: u32 = 1;

/// The network's identity: SHA-256 (hex) of its canonical JSON text
/// (`formats::json::to_string`), so a network read again from any of its files matches.
pub fn model_sha256(net: &Network) -> String {
    let mut hasher = HashWriter(Sha256::new());
    // invariant: `HashWriter` accepts every byte
    crate::formats::json::write_to(net, &mut hasher)
        .unwrap_or_else(|_| unreachable!("hashing cannot fail"));
    crate::formats::container::hex(&hasher.0.finalize())
}

/// A writer that feeds SHA-256 (the canonical text is hashed as it is written, never held).
struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        sha2::Digest::update(&mut self.0, buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A domain, exactly: an L2 ball, a box by center and half widths, or a box by its exact bounds
/// (a VNN-LIB box that center ± half widths cannot represent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DomainSpec {
    /// The open L2 ball.
    Ball {
        /// Its center.
        center: Vec<f64>,
        /// Its radius.
        radius: f64,
    },
    /// The open box center ± half widths (an L∞ ball when they are equal).
    Box {
        /// Its center.
        center: Vec<f64>,
        /// Half width per coordinate.
        half_widths: Vec<f64>,
    },
    /// The open box lower < x < upper.
    Bounds {
        /// Lower bounds.
        lower: Vec<f64>,
        /// Upper bounds.
        upper: Vec<f64>,
    },
}

impl DomainSpec {
    /// The spec of `domain`.
    pub fn of(domain: &Domain) -> Self {
        if let Some((lo, hi)) = domain.exact_bounds() {
            return DomainSpec::Bounds {
                lower: lo.to_vec(),
                upper: hi.to_vec(),
            };
        }
        let center = domain.center().to_vec();
        match domain.shape() {
            Shape::L2Ball { radius } => DomainSpec::Ball {
                center,
                radius: *radius,
            },
            Shape::Box { half_widths } => DomainSpec::Box {
                center,
                half_widths: half_widths.to_vec(),
            },
        }
    }

    /// The domain again.
    pub fn to_domain(&self) -> Result<Domain> {
        use ndarray::Array1;
        match self {
            DomainSpec::Ball { center, radius } => {
                Domain::ball(Array1::from(center.clone()), *radius, Norm::L2)
            }
            DomainSpec::Box {
                center,
                half_widths,
            } => Domain::new(
                Array1::from(center.clone()),
                Shape::Box {
                    half_widths: Array1::from(half_widths.clone()),
                },
            ),
            DomainSpec::Bounds { lower, upper } => {
                Domain::from_bounds(&Array1::from(lower.clone()), &Array1::from(upper.clone()))
            }
        }
    }
}

/// Where a shard comes from: the split it is part of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitInfo {
    /// The split's identity: SHA-256 of its parts (hex, 16 digits).
    pub id: String,
    /// This shard's number, from 0 (a rest keeps its shard's number).
    pub index: usize,
    /// How many shards the split wrote.
    pub of: usize,
}

/// A shard file: the network's hash, the domain and some subproblems of one split.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShardFile {
    /// [`SHARD_FORMAT`].
    pub format: String,
    /// [`VERSION`].
    pub version: u32,
    /// [`model_sha256`] of the network.
    pub model_sha256: String,
    /// The domain.
    pub domain: DomainSpec,
    /// The split it belongs to.
    pub split: SplitInfo,
    /// For the rest of a stopped shard: the file it is the rest of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rest_of: Option<String>,
    /// The subproblems to count.
    pub parts: Vec<Subproblem>,
    /// The regions random dives expect below the parts (an estimate that balanced the split,
    /// not a bound; absent in a rest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_regions: Option<f64>,
}

/// The result of counting one shard (the `shard` object of `count --shard F --json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShardResult {
    /// [`RESULT_FORMAT`].
    pub format: String,
    /// [`VERSION`].
    pub version: u32,
    /// The shard file counted.
    pub file: String,
    /// [`model_sha256`] of the network.
    pub model_sha256: String,
    /// The domain.
    pub domain: DomainSpec,
    /// The split of the shard.
    pub split: SplitInfo,
    /// For the rest of a stopped shard: the shard file it is the rest of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rest_of: Option<String>,
    /// The subproblems counted (the shard's).
    pub parts: Vec<Subproblem>,
    /// Regions found (each with a proven witness).
    pub regions: u64,
    /// Undecided decisions (any makes the merge not exact).
    pub undecided: u64,
    /// A bound on the regions of the undecided parts (decimal).
    pub undecided_bound: String,
    /// An upper bound on the shard's regions, unfinished parts included (decimal).
    pub upper: String,
    /// True when everything the count finished is exact and all it did not finish is in
    /// `unfinished` (the count was exact, or stopped by a limit with no undecided part).
    pub finished_exact: bool,
    /// Why the count is not exact (`null` when it is).
    pub stopped_by: Option<String>,
    /// The subproblems left when the count stopped (also written to `rest_file`).
    pub unfinished: Vec<Subproblem>,
    /// The shard file holding `unfinished`, if any.
    pub rest_file: Option<String>,
}

/// Totals of the finished parts of a count (a checkpoint's, or a merge's).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    /// Regions found.
    pub regions: u64,
    /// Undecided decisions.
    pub undecided: u64,
    /// A bound on the regions of the undecided parts (decimal).
    pub undecided_bound: String,
    /// Why a finished part is not exact (undecided, out of range), if one is not.
    pub not_exact: Option<String>,
    /// Solver calls.
    pub solver_calls: u64,
    /// Decisions by closed-form tests.
    pub decided_without_solver: u64,
    /// Decisions near the tolerance.
    pub near_tolerance: u64,
    /// Decisions of the exact fallback.
    pub exact_calls: u64,
    /// Seconds of the exact fallback.
    pub exact_s: f64,
    /// Seconds counted (all rounds).
    pub elapsed_s: f64,
    /// Rounds run.
    pub rounds: u64,
}

impl Totals {
    /// Adds the finished part of `r`, a count with `frontier` on: its regions, undecided parts
    /// and counters (its unfinished subproblems are the caller's to count).
    pub fn add(&mut self, r: &CountOutcome) {
        self.regions += r.regions;
        self.undecided += r.undecided;
        self.undecided_bound = (self.undecided_bound() + &r.undecided_bound).to_str_radix(10);
        if self.not_exact.is_none() {
            if let Stop::Undecided(_) = r.stop {
                self.not_exact = r.stop.reason();
            } else if r.undecided > 0 {
                self.not_exact = Some("undecided: some decisions could not be settled".into());
            }
        }
        self.solver_calls += r.solver_calls;
        self.decided_without_solver += r.decided_without_solver;
        self.near_tolerance += r.near_tolerance;
        self.exact_calls += r.exact_calls;
        self.exact_s += r.exact_time.as_secs_f64();
        self.elapsed_s += r.elapsed.as_secs_f64();
        self.rounds += 1;
    }

    /// [`Totals::undecided_bound`] as a number.
    pub fn undecided_bound(&self) -> BigUint {
        self.undecided_bound.parse().unwrap_or_default()
    }
}

/// A checkpoint of a count: the totals of what is finished and the subproblems still to count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// [`CHECKPOINT_FORMAT`].
    pub format: String,
    /// [`VERSION`].
    pub version: u32,
    /// [`model_sha256`] of the network.
    pub model_sha256: String,
    /// The domain.
    pub domain: DomainSpec,
    /// The solver the count uses (by name).
    pub solver: String,
    /// Whether the exact fallback is on.
    pub exact_fallback: bool,
    /// Totals of the finished parts.
    pub totals: Totals,
    /// An upper bound on the whole count at this point (decimal).
    pub upper: String,
    /// The subproblems not yet counted (none when the count is done).
    pub unfinished: Vec<Subproblem>,
}

/// Writes `value` as pretty JSON to `path` atomically (`path` + `.tmp`, then a rename).
pub fn write_json_atomically<T: Serialize>(value: &T, path: &Path) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::invalid(format!("JSON output: {e}")))?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, text + "\n").map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// Reads a JSON file of the given `format` tag (checked, with its version).
fn read_tagged<T: for<'de> Deserialize<'de>>(path: &Path, format: &str) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| Error::format(path, "JSON", e.to_string()))?;
    // a result file is a count's JSON with the result under `shard`
    let value = match value.get("shard") {
        Some(inner) if format == RESULT_FORMAT => inner.clone(),
        _ => value,
    };
    let tag = value.get("format").and_then(|f| f.as_str()).unwrap_or("");
    if tag != format {
        return Err(Error::format(
            path,
            "format",
            format!("is '{tag}'; expected '{format}'"),
        ));
    }
    let version = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
    if version != u64::from(VERSION) {
        return Err(Error::format(
            path,
            "version",
            format!("is {version}; expected {VERSION}"),
        ));
    }
    serde_json::from_value(value).map_err(|e| Error::format(path, "content", e.to_string()))
}

impl ShardFile {
    /// Reads a shard file.
    pub fn read(path: &Path) -> Result<Self> {
        read_tagged(path, SHARD_FORMAT)
    }
}

impl ShardResult {
    /// Reads a result: the JSON of `count --shard F --json` (or `--result`).
    pub fn read(path: &Path) -> Result<Self> {
        read_tagged(path, RESULT_FORMAT)
    }
}

impl Checkpoint {
    /// Reads a checkpoint.
    pub fn read(path: &Path) -> Result<Self> {
        read_tagged(path, CHECKPOINT_FORMAT)
    }
}

/// Errors unless `found` (the file's `model_sha256`) is the hash of the network given.
pub fn check_model(path: &Path, found: &str, net: &Network) -> Result<()> {
    let want = model_sha256(net);
    if found != want {
        return Err(Error::format(
            path,
            "model_sha256",
            format!("is {found}, but the network given hashes to {want}: the file was made for another network"),
        ));
    }
    Ok(())
}

/// Errors unless `found` (the file's `domain`) is `domain`.
pub fn check_domain(path: &Path, found: &DomainSpec, domain: &Domain) -> Result<()> {
    if found.to_domain().ok().as_ref() != Some(domain) {
        return Err(Error::format(
            path,
            "domain",
            "differs from the domain given on the command line",
        ));
    }
    Ok(())
}

/// The merge of shard results (`relu-regions merge`).
#[derive(Clone, Debug, Serialize)]
pub struct MergeReport {
    /// Regions found over all results; the exact count when `exact`.
    pub regions: u64,
    /// True when every shard of the split is present, every part finished exactly, and every
    /// unfinished part was counted by another result.
    pub exact: bool,
    /// A lower bound (= `regions`).
    pub lower: u64,
    /// An upper bound (decimal), `null` when shards are missing (nothing bounds them).
    pub upper: Option<String>,
    /// Undecided decisions over all results.
    pub undecided: u64,
    /// Results merged.
    pub results: usize,
    /// [`model_sha256`] of the network.
    pub model_sha256: String,
    /// The domain.
    pub domain: DomainSpec,
    /// Shards the split wrote.
    pub shards: usize,
    /// Shards of the split with no result.
    pub missing_shards: Vec<usize>,
    /// Unfinished subproblems no result counted.
    pub unfinished_left: Vec<Subproblem>,
    /// Why the merge is not exact (`null` when it is).
    pub stopped_by: Option<String>,
}

impl MergeReport {
    /// The merge of `results` (read from `paths`): refuses results of another network, domain
    /// or split, and a subproblem counted twice. The parts of a shard of the split are counted
    /// once each; the parts of a rest (`rest_of`) must each be an unfinished part of another
    /// result; the unfinished parts no rest counted are left (the merge is then not exact).
    pub fn merge(results: &[(PathBuf, ShardResult)]) -> Result<Self> {
        let Some((first_path, first)) = results.first() else {
            return Err(Error::invalid("merge: no result files given"));
        };
        let mut counted: HashSet<&Subproblem> = HashSet::new();
        let mut pending: BTreeMap<&Subproblem, usize> = BTreeMap::new();
        for (_, r) in results {
            for u in &r.unfinished {
                *pending.entry(u).or_default() += 1;
            }
        }
        let mut seen: BTreeMap<usize, ()> = BTreeMap::new();
        let (mut regions, mut undecided) = (0u64, 0u64);
        let mut upper = BigUint::default();
        let mut not_exact: Option<String> = None;
        for (path, r) in results {
            if r.model_sha256 != first.model_sha256 {
                return Err(Error::format(
                    path,
                    "model_sha256",
                    format!(
                        "is {}, but {} has {}: results of another network",
                        r.model_sha256,
                        first_path.display(),
                        first.model_sha256
                    ),
                ));
            }
            if r.domain != first.domain {
                return Err(Error::format(
                    path,
                    "domain",
                    format!(
                        "differs from the domain of {}: results of another domain",
                        first_path.display()
                    ),
                ));
            }
            if r.split.id != first.split.id || r.split.of != first.split.of {
                return Err(Error::format(
                    path,
                    "split",
                    format!(
                        "is split {} of {} shards, but {} is of split {} of {}: results of another split",
                        r.split.id,
                        r.split.of,
                        first_path.display(),
                        first.split.id,
                        first.split.of
                    ),
                ));
            }
            if r.rest_of.is_some() {
                for p in &r.parts {
                    match pending.get_mut(p) {
                        Some(c) if *c > 0 => *c -= 1,
                        _ => {
                            return Err(Error::format(
                                path,
                                "parts",
                                format!("subproblem '{p}' of this rest is no unfinished part of the other results: give the result of the shard it is the rest of, and each result once"),
                            ))
                        }
                    }
                }
            } else {
                for p in &r.parts {
                    if !counted.insert(p) {
                        return Err(Error::format(
                            path,
                            "parts",
                            format!("subproblem '{p}' is counted by another result too (merge each result once)"),
                        ));
                    }
                }
                seen.insert(r.split.index, ());
            }
            regions += r.regions;
            undecided += r.undecided;
            upper += r.upper.parse::<BigUint>().unwrap_or_default();
            if !r.finished_exact && not_exact.is_none() {
                not_exact = Some(
                    r.stopped_by
                        .clone()
                        .unwrap_or_else(|| "a part is not exact".into()),
                );
            }
        }
        let missing: Vec<usize> = (0..first.split.of)
            .filter(|i| !seen.contains_key(i))
            .collect();
        let left: Vec<Subproblem> = pending
            .into_iter()
            .flat_map(|(p, c)| std::iter::repeat_n(p.clone(), c))
            .collect();
        if not_exact.is_none() && !missing.is_empty() {
            not_exact = Some(format!("{} shards have no result", missing.len()));
        }
        if not_exact.is_none() && !left.is_empty() {
            not_exact = Some(format!(
                "{} unfinished subproblems have no result",
                left.len()
            ));
        }
        let exact = not_exact.is_none();
        Ok(MergeReport {
            regions,
            exact,
            lower: regions,
            upper: if exact {
                Some(regions.to_string())
            } else if missing.is_empty() {
                Some(upper.to_str_radix(10))
            } else {
                None
            },
            undecided,
            results: results.len(),
            model_sha256: first.model_sha256.clone(),
            domain: first.domain.clone(),
            shards: first.split.of,
            missing_shards: missing,
            unfinished_left: left,
            stopped_by: not_exact,
        })
    }

    /// The text form printed without `--json`.
    pub fn to_text(&self) -> String {
        if self.exact {
            format!(
                "{} linear regions (exact), merged from {} results of {} shards\n",
                self.regions, self.results, self.shards
            )
        } else {
            format!(
                "NOT EXACT ({}): between {} and {} linear regions, merged from {} results of {} shards\n",
                self.stopped_by.as_deref().unwrap_or("not exact"),
                self.lower,
                self.upper.as_deref().unwrap_or("(unbounded: shards missing)"),
                self.results,
                self.shards
            )
        }
    }
}

/// `count --shard F --json`: the count's report and the shard's result (under `shard`).
#[derive(Clone, Debug, Serialize)]
pub struct ShardCountReport {
    /// The usual report of the count.
    #[serde(flatten)]
    pub count: super::count::CountReport,
    /// The shard's result, what `merge` reads.
    pub shard: ShardResult,
}

/// `count --checkpoint F --json` (or `--resume F`): the count's report, the checkpoint file,
/// the rounds run and the subproblems left.
#[derive(Clone, Debug, Serialize)]
pub struct CheckpointReport {
    /// The report of the count so far (all rounds, resumed ones included).
    #[serde(flatten)]
    pub count: super::count::CountReport,
    /// The checkpoint file.
    pub checkpoint: String,
    /// Rounds run (all runs).
    pub rounds: u64,
    /// Subproblems left (0 when the count is done).
    pub unfinished: usize,
}
