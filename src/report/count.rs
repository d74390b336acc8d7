//! The report of `relu-regions count`: the exact count, or an honest partial sandwich.

use crate::domain::Domain;
use crate::enumerate::certificate::{CertificateFile, CertificateTree};
use crate::enumerate::CountOutcome;
use serde::Serialize;
use std::fmt::Write as _;

/// `--json` output of `count`.
#[derive(Clone, Debug, Serialize)]
pub struct CountReport {
    /// The model file, as given on the command line.
    pub model: String,
    /// The exact count when `exact`, else the regions found so far (= `lower`).
    pub regions: u64,
    /// True when `regions` is the exact count (`stopped_by` is `null`).
    pub exact: bool,
    /// A certified lower bound: distinct regions proven by a witness point.
    pub lower: u64,
    /// A certified upper bound (decimal string: it may exceed u64).
    pub upper: String,
    /// Norm of the domain: `"l2"` or `"linf"`.
    pub norm: &'static str,
    /// The ball's radius; `null` for a general box (VNN-LIB).
    pub radius: Option<f64>,
    /// The solver that decided the feasibility problems (`highs` or `clarabel`).
    pub solver: String,
    /// Calls of the solver (largest inscribed ball of a candidate region).
    pub solver_calls: u64,
    /// Side decisions settled by closed-form tests (domain range, witness, node box, dual bound, ray search).
    pub decided_without_solver: u64,
    /// Decisions whose deciding radius fell near the interior tolerance, or whose witness needed a repair.
    pub near_tolerance: u64,
    /// Decisions settled in exact rational arithmetic, and their total time.
    pub exact_fallback_calls: u64,
    /// Seconds spent in the exact fallback (see `exact_fallback_calls`).
    pub exact_fallback_s: f64,
    /// Decisions nothing could settle (each bounded, not explored; any makes the count not exact).
    pub undecided: u64,
    /// Wall-clock seconds of the count.
    pub elapsed_s: f64,
    /// Worker threads used.
    pub threads: usize,
    /// Why the count is not exact (`time limit`, `max regions`, `cancelled`, `undecided: …`,
    /// `out of range: …`: [`crate::enumerate::Stop`] in words),
    /// `null` when it is.
    pub stopped_by: Option<String>,
    /// The certificate written (`--certificate`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<CertificateReport>,
}

/// Where the certificate went and what it proves.
#[derive(Clone, Debug, Serialize)]
pub struct CertificateReport {
    #[serde(flatten)]
    /// The certificate file: its path, size and SHA-256 (flattened into this object).
    pub file: super::FileReport,
    /// Regions it proves (its leaves), and whether it proves the exact count (no open item).
    pub regions: u64,
    /// True when the certificate proves the exact count (`open` is 0).
    pub exact: bool,
    /// Parts it leaves open: unexplored nodes, and sides removed without multipliers.
    pub open: u64,
}

impl CertificateReport {
    /// The report of the certificate `tree` written to `file`.
    pub fn new(file: &CertificateFile, tree: &CertificateTree) -> Self {
        CertificateReport {
            file: file.into(),
            regions: tree.leaves,
            exact: tree.open == 0,
            open: tree.open,
        }
    }
}

impl CountReport {
    /// The report of `r`, the outcome of counting the model file `model` in `domain` with `solver`.
    pub fn new(model: &str, domain: &Domain, solver: &str, r: &CountOutcome) -> CountReport {
        CountReport {
            model: model.to_string(),
            regions: r.regions,
            exact: r.exact,
            lower: r.lower,
            upper: r.upper.to_str_radix(10),
            norm: domain.norm().name(),
            radius: domain.radius(),
            solver: solver.to_string(),
            solver_calls: r.solver_calls,
            decided_without_solver: r.decided_without_solver,
            near_tolerance: r.near_tolerance,
            exact_fallback_calls: r.exact_calls,
            exact_fallback_s: r.exact_time.as_secs_f64(),
            undecided: r.undecided,
            elapsed_s: r.elapsed.as_secs_f64(),
            threads: r.threads,
            stopped_by: r.stop.reason(),
            certificate: None,
        }
    }

    /// The text form printed without `--json`.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let domain = match self.radius {
            Some(r) => format!("{} ball of radius {}", self.norm, crate::report::number(r)),
            None => "box".to_string(),
        };
        if self.exact {
            let _ = writeln!(
                s,
                "{} linear regions meet the open {domain} (exact)",
                self.regions
            );
        } else {
            let _ = writeln!(
                s,
                "NOT EXACT (stopped by {}): between {} and {} linear regions meet the open {domain}",
                self.stopped_by.as_deref().unwrap_or("a limit"),
                self.lower,
                self.upper
            );
        }
        let _ = writeln!(s, "model      {}", self.model);
        let calls_per_region = if self.regions > 0 {
            self.solver_calls as f64 / self.regions as f64
        } else {
            0.0
        };
        let _ = writeln!(
            s,
            "decisions  {} by closed-form tests, {} by the {} solver ({calls_per_region:.2} per region), {} near the tolerance",
            self.decided_without_solver, self.solver_calls, self.solver, self.near_tolerance
        );
        if self.exact_fallback_calls > 0 || self.undecided > 0 {
            let _ = writeln!(
                s,
                "exact      {} decisions in rational arithmetic ({:.3} s), {} undecided",
                self.exact_fallback_calls, self.exact_fallback_s, self.undecided
            );
        }
        let _ = writeln!(
            s,
            "time       {:.3} s on {} thread(s)",
            self.elapsed_s, self.threads
        );
        if let Some(c) = &self.certificate {
            let proves = if c.exact {
                format!("proves {} regions exactly", c.regions)
            } else {
                format!(
                    "proves a lower bound of {} regions ({} open items)",
                    c.regions, c.open
                )
            };
            let _ = writeln!(
                s,
                "certificate {} ({} bytes, sha256 {}): {proves}; verify with `relu-regions check`",
                c.file.path, c.file.bytes, c.file.sha256
            );
        }
        s
    }
}
