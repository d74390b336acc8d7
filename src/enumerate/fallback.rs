//! The exact fallback of the enumerator: decisions that floating point cannot settle are made in
//! exact rational arithmetic on the network in unit coordinates (see `crate::exact`).
//!
//! The weights and the domain are floats, i.e. exact dyadic rationals, and the one rounded
//! number of the unit coordinates (the first-layer bias b' = W c + b) is kept exactly, so the
//! question "does the pattern prefix p have a non-empty interior in the domain?" has an exact
//! answer, found by a rational LP (box) or LP + QP (ball). Each call has a work budget and a time
//! limit ([`FALLBACK_MAX_WORK`], [`FALLBACK_SECONDS`]); past them, or when the fallback is
//! switched off, the answer is `Unknown` and the count is reported as not exact.

use super::unit_coords::UnitCoordinates;
use crate::domain::Shape;
use crate::dyadic::{rational, rational_to_f64};
use crate::exact::{
    pattern_interior, strict_pattern_at_with_constants, Budget, ExactDomain, ExactNet, Feasibility,
    WeightRows,
};
use ndarray::Array1;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Work budget of one exact decision, in rational multiply-adds (composition of the pattern's
/// maps plus the LP): enough for ACAS Xu-sized networks, refused up front for MNIST-sized ones.
pub const FALLBACK_MAX_WORK: u64 = 5_000_000;

/// Time limit of one exact decision.
pub const FALLBACK_SECONDS: f64 = 10.0;

/// The answer of the exact fallback.
pub enum ExactAnswer {
    /// Non-empty, with a point inside (rounded to floats: it may lie a rounding off the region).
    NonEmpty(Array1<f64>),
    /// Proven empty.
    Empty,
    /// Too large, out of time, or switched off.
    Unknown,
}

/// The exact network and domain in unit coordinates (built on first use: most counts never
/// need them), and the fallback's counters.
pub struct ExactFallback<'a> {
    uc: &'a UnitCoordinates,
    enabled: bool,
    exact: OnceLock<Option<(ExactNet, ExactDomain)>>,
    /// Exact decisions made (calls of `decide` that ran).
    pub calls: AtomicU64,
    /// Their total time in nanoseconds.
    pub nanos: AtomicU64,
}

impl<'a> ExactFallback<'a> {
    /// The fallback for `uc`; off when `enabled` is false or the unit coordinates are not an
    /// exact image of the network (a scaling left the normal range).
    pub fn new(uc: &'a UnitCoordinates, enabled: bool) -> Self {
        ExactFallback {
            uc,
            enabled,
            exact: OnceLock::new(),
            calls: AtomicU64::new(0),
            nanos: AtomicU64::new(0),
        }
    }

    fn exact(&self) -> &Option<(ExactNet, ExactDomain)> {
        self.exact.get_or_init(|| {
            (self.enabled && self.uc.is_exact())
                .then(|| build(self.uc))
                .flatten()
        })
    }

    /// Whether the fallback can run: switched on, and the unit coordinates an exact image of the
    /// network (no scaling left the normal range).
    pub fn available(&self) -> bool {
        self.exact().is_some()
    }

    /// Whether `prefix` (flat pattern of the first units) has a non-empty interior in the domain.
    pub fn decide(&self, prefix: &[bool]) -> ExactAnswer {
        let Some((net, domain)) = self.exact() else {
            return ExactAnswer::Unknown;
        };
        let start = Instant::now();
        let budget = Budget {
            max_work: FALLBACK_MAX_WORK,
            deadline: Some(start + Duration::from_secs_f64(FALLBACK_SECONDS)),
        };
        let answer = match pattern_interior(net, domain, prefix, &budget) {
            Feasibility::NonEmpty { point } => {
                ExactAnswer::NonEmpty(Array1::from_iter(point.iter().map(rational_to_f64)))
            }
            Feasibility::Empty => ExactAnswer::Empty,
            Feasibility::TooLarge => ExactAnswer::Unknown,
        };
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.nanos
            .fetch_add(start.elapsed().as_nanos() as u64, Ordering::Relaxed);
        answer
    }

    /// Whether the full `pattern` holds strictly at the float point `u`, in exact arithmetic.
    pub fn proves_at(&self, u: &Array1<f64>, pattern: &[bool]) -> bool {
        let Some((net, domain)) = self.exact() else {
            return false;
        };
        let Some(x) = u.as_slice() else {
            return false;
        };
        let constant = self.uc.net.locally_constant_units(pattern);
        strict_pattern_at_with_constants(net, domain, x, pattern, &constant)
    }
}

fn build(uc: &UnitCoordinates) -> Option<(ExactNet, ExactDomain)> {
    let hidden = uc.net.hidden_layers();
    let weights: Vec<WeightRows> = hidden
        .iter()
        .map(|l| WeightRows {
            cols: l.weight.ncols(),
            rows: (0..l.weight.nrows())
                .map(|r| l.weight.row(r).filter(|&(_, v)| v != 0.0).collect())
                .collect(),
        })
        .collect();
    let biases = hidden
        .iter()
        .enumerate()
        .map(|(l, layer)| {
            if l == 0 {
                uc.exact_first_bias.clone()
            } else {
                layer.bias.iter().map(|&b| rational(b)).collect()
            }
        })
        .collect();
    let net = ExactNet::new(weights, biases).ok()?;
    let domain = match (uc.domain.shape(), &uc.inner_exact) {
        // a box that floats only enclose: decide on the exact box itself
        (_, Some((lower, upper))) => ExactDomain::Bounds {
            lower: lower.clone(),
            upper: upper.clone(),
        },
        (Shape::L2Ball { radius }, None) => ExactDomain::Ball { radius: *radius },
        (Shape::Box { half_widths }, None) => ExactDomain::Box {
            half_widths: half_widths.to_vec(),
        },
    };
    Some((net, domain))
}
