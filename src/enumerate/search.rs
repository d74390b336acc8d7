//! The depth-first branch and bound over hidden units (docs/math.md#31-the-search-tree).
//!
//! A node is (pattern prefix, the half-spaces chosen so far, a witness point w with its depth
//! inside the node's polytope ∩ domain, and a certified bounding box of it). For the next unit,
//! with pre-activation h(x) = a·x + β on the node, the sides {±h > 0} are decided by, in order:
//! 1. the domain alone: max over the domain of ±h plus its certified error ≤ 0 ⇒ that side is
//!    empty (the unit is stable on the whole domain);
//! 2. the witness: if w lies at depth > tol and at distance > tol from h = 0, its side is
//!    non-empty for free;
//! 3. emptiness proofs of the other side: h's range over the node's bounding box (inherited from
//!    the parent and tightened by bound propagation; once the inherited one has missed a few
//!    times, the bounds a side's box bound uses made exact by dual bounds of ±x_j, at most 2n
//!    per node), then a dual bound (see `dual`; exact on an L2 ball,
//!    where its multipliers come from `ball_lp`);
//! 4. non-emptiness proofs: ray searches from w (along the side's normal, toward the maximizer
//!    of ±h over the node found by the dual step, toward the domain center) for a point at
//!    depth > tol, which becomes the child's witness;
//! 5. only then the solver's largest inscribed ball of node ∩ side (push, solve, pop); its center,
//!    re-checked directly, becomes the child's witness.
//!
//! A unit with one non-empty side adds no half-space (the other side's emptiness is proven, so the
//! side is implied by the node). A unit with both sides non-empty branches; each child adds its half-space. Leaves
//! are regions: their witness is re-checked against the network (see `witness`), and repaired
//! once with a solver on the full pattern's half-spaces if that fails, before it is counted.

// numerical loops over coordinates read clearer with indices
#![allow(clippy::needless_range_loop)]

use super::certificate::{Proof, Recording};
use super::control::{CancelToken, Stop};
use super::dive::Dive;
use super::dual::{
    bound_at, box_lp_can_settle, dual_bound_on, emptiness_certificate, sparse_bound, DualBound,
    DualScratch,
};
use super::fallback::{ExactAnswer, ExactFallback};
use super::geometry::{deepest_on_ray, depth, relaxed_halfspace, side_halfspace, vdot};
use super::interior::interior_tol;
use super::interior::near_band;
use super::partial::OpenNodeBound;
use super::rows::Rows;
use super::tracked::{LayerWeights, TrackedMap};
use super::unit_coords::UnitCoordinates;
use super::witness::WitnessChecker;
use super::{CountOptions, WitnessSink};
use crate::bounds::LocalBound;
use crate::domain::Domain;
use crate::dyadic::ldexp;
use crate::error::Result;
use crate::network::{ActivationPattern, Network, RowScale};
use crate::solver::box_lp::BoxLp;
use crate::solver::{HalfSpace, Interior, InteriorSolver};
use crate::tolerance::rounding_allowance;
use ndarray::{Array1, ArrayView1};
use num_bigint::BigUint;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Builds a fresh solver for a worker.
pub(super) type SolverFactory<'a> = dyn Fn() -> Result<Box<dyn InteriorSolver>> + Sync + 'a;

/// State shared by all workers.
pub(super) struct Shared<'a> {
    /// The network and domain in unit coordinates (every decision is made there).
    net: &'a Network,
    domain: &'a Domain,
    uc: &'a UnitCoordinates,
    /// Wᵀ and |W|ᵀ of every hidden layer of `net` (for composed maps and their error bounds).
    weights: Vec<LayerWeights>,
    /// The exact decision for what floating point cannot settle.
    pub(super) fallback: ExactFallback<'a>,
    /// Decisions neither floating point nor the exact fallback settled (each adds its node's
    /// bound to `open_bound`; any makes the count not exact).
    pub(super) undecided: AtomicU64,
    tol: f64,
    sink: Option<&'a dyn WitnessSink>,
    factory: &'a SolverFactory<'a>,
    pool: Mutex<Vec<Box<dyn InteriorSolver>>>,
    widths: Vec<usize>,
    pub(super) regions: AtomicU64,
    pub(super) solver_calls: AtomicU64,
    pub(super) decided_without_solver: AtomicU64,
    pub(super) near_tolerance: AtomicU64,
    pub(super) open_tasks: AtomicU64,
    stop: AtomicBool,
    pub(super) stopped_by: Mutex<Option<Stop>>,
    /// The caller's cancellation token (`CountOptions::cancel`).
    cancel: Option<CancelToken>,
    pub(super) open_bound: Mutex<BigUint>,
    bound: OpenNodeBound,
    checker: WitnessChecker,
    deadline: Option<Instant>,
    max_regions: Option<u64>,
    /// Worker threads. A branching is split into two rayon tasks while fewer than this many
    /// stealable tasks wait (`queued`), so idle threads always find work, whatever the tree's shape.
    pub(super) threads: usize,
    /// Stealable tasks not yet started.
    queued: AtomicU64,
    /// Use the closed-form proofs (false only in tests, to exercise the solver).
    closed_form: bool,
    /// Record the certificate's stream (`certificate`): every removed side with its multipliers.
    certify: bool,
    /// Record every node dropped because of a stop as a subproblem (`CountOptions::frontier`, or
    /// a split).
    frontier: bool,
    /// The nodes recorded (when `frontier`): stopped nodes, and in a split its parts.
    pub(super) unfinished: Mutex<Vec<Vec<bool>>>,
    /// A split (see `super::frontier::split`): every node at this many branchings, every leaf
    /// and every undecided part above it is recorded in `unfinished` instead of being explored.
    split_depth: Option<usize>,
    /// Whether the split reached its depth somewhere (so a deeper split may give more parts).
    pub(super) split_reached: AtomicBool,
    /// The bound of the undecided parts alone (also in `open_bound`).
    pub(super) undecided_bound: Mutex<BigUint>,
    /// Random dives instead of a search (see `super::dive`): each task follows one random side
    /// at every branching and logs its estimate in `dives`.
    diving: bool,
    /// The dives' (part, estimate) pairs.
    pub(super) dives: Mutex<Vec<(usize, f64)>>,
}

impl<'a> Shared<'a> {
    /// The state every worker shares: the network and domain in unit coordinates, the proofs'
    /// helpers, the counters, and the caller's limits.
    pub(super) fn new(
        uc: &'a UnitCoordinates,
        local: &LocalBound,
        settings: &CountOptions,
        sink: Option<&'a dyn WitnessSink>,
        factory: &'a SolverFactory<'a>,
        closed_form: bool,
        start: Instant,
    ) -> Self {
        Shared {
            net: &uc.net,
            domain: &uc.domain,
            uc,
            // layer 0's map is its own weights (`TrackedMap::first`): only layers ≥ 1 are entered
            // through a masked product (a 23,328 × 784 first layer saves 2 × 146 MB)
            weights: uc
                .net
                .hidden_layers()
                .iter()
                .enumerate()
                .map(|(l, layer)| {
                    if l == 0 {
                        LayerWeights::default()
                    } else {
                        LayerWeights::new(layer)
                    }
                })
                .collect(),
            fallback: ExactFallback::new(uc, settings.exact_fallback),
            undecided: AtomicU64::new(0),
            tol: interior_tol(&uc.domain),
            sink,
            factory,
            pool: Mutex::new(Vec::new()),
            bound: OpenNodeBound::new(uc.net.input_dim(), &local.layers),
            checker: WitnessChecker::new(uc),
            widths: uc.net.hidden_widths(),
            regions: AtomicU64::new(0),
            solver_calls: AtomicU64::new(0),
            decided_without_solver: AtomicU64::new(0),
            near_tolerance: AtomicU64::new(0),
            open_tasks: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            stopped_by: Mutex::new(None),
            cancel: settings.cancel.clone(),
            open_bound: Mutex::new(BigUint::default()),
            deadline: settings.time_limit.map(|t| start + t),
            max_regions: settings.max_regions,
            closed_form,
            certify: settings.certificate,
            threads: settings.threads.max(1),
            queued: AtomicU64::new(0),
            frontier: settings.frontier,
            unfinished: Mutex::new(Vec::new()),
            split_depth: None,
            split_reached: AtomicBool::new(false),
            undecided_bound: Mutex::new(BigUint::default()),
            diving: false,
            dives: Mutex::new(Vec::new()),
        }
    }

    /// Makes this search a set of random dives (see `super::dive`), counting nothing.
    pub(super) fn diving(mut self) -> Self {
        self.diving = true;
        self
    }

    /// Logs the estimate of one dive below part `part`.
    fn log_dive(&self, part: usize, estimate: f64) {
        self.dives
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((part, estimate));
    }

    /// One random dive from the root through the prefix `target` (part `part`), its branchings
    /// chosen by a generator seeded with `seed`; the estimate goes to `dives`.
    pub(super) fn run_dive(
        &self,
        node: Node,
        target: &[bool],
        part: usize,
        seed: u64,
    ) -> Result<()> {
        let mut w = Worker::new(self, Vec::new(), Vec::new(), Vec::new(), target, None);
        w.dive = Some(Dive::new(part, seed));
        let result = w.run(node);
        if let Some(solver) = w.solver.take() {
            self.give_solver(solver);
        }
        result
    }

    /// Makes this search a split at `depth` branchings (see `split_depth`).
    pub(super) fn splitting(mut self, depth: usize) -> Self {
        self.split_depth = Some(depth);
        self.frontier = true;
        self
    }

    /// Records an open node's prefix (a stopped node, or a split's part).
    fn emit(&self, prefix: Vec<bool>) {
        self.unfinished
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(prefix);
    }

    /// Adds `b` to the bound of the open nodes and of the undecided parts.
    fn add_undecided_bound(&self, b: BigUint) {
        *self
            .undecided_bound
            .lock()
            .unwrap_or_else(|e| e.into_inner()) += &b;
        *self.open_bound.lock().unwrap_or_else(|e| e.into_inner()) += b;
    }

    fn request_stop(&self, why: Stop) {
        let mut s = self.stopped_by.lock().unwrap_or_else(|e| e.into_inner());
        if s.is_none() {
            *s = Some(why);
        }
        self.stop.store(true, Ordering::SeqCst);
    }

    fn should_stop(&self) -> bool {
        if self.stop.load(Ordering::Relaxed) {
            return true;
        }
        if self.cancel.as_ref().is_some_and(CancelToken::is_cancelled) {
            self.request_stop(Stop::Cancelled);
            return true;
        }
        if let Some(d) = self.deadline {
            if Instant::now() >= d {
                self.request_stop(Stop::TimeLimit);
                return true;
            }
        }
        false
    }

    fn add_open(&self, layer: usize, decided: usize) {
        let b = self.bound.below(layer, decided);
        let mut o = self.open_bound.lock().unwrap_or_else(|e| e.into_inner());
        *o += b;
    }

    fn take_solver(&self) -> Result<Box<dyn InteriorSolver>> {
        let pooled = self.pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
        match pooled {
            Some(s) => Ok(s),
            None => (self.factory)(),
        }
    }

    fn give_solver(&self, s: Box<dyn InteriorSolver>) {
        self.pool.lock().unwrap_or_else(|e| e.into_inner()).push(s);
    }

    /// Runs the subtree below `node` as one task with its own solver, loaded with `halfspaces`
    /// (`factors`: their certificate factors, see `certificate`). Returns the subtree's
    /// certificate stream when certifying. `target`: a prefix to replay first (see
    /// `Worker::target`), empty for a plain subtree.
    pub(super) fn run_task(
        &self,
        node: Node,
        halfspaces: Vec<HalfSpace>,
        factors: Vec<f64>,
        pattern: Vec<bool>,
        target: &[bool],
    ) -> Result<Option<Recording>> {
        let mut rec = self.certify.then(Recording::default);
        if self.should_stop() {
            self.add_open(node.layer, node.idx);
            if let Some(r) = rec.as_mut() {
                r.open();
            }
            if self.frontier {
                self.emit(if pattern.len() < target.len() {
                    target.to_vec()
                } else {
                    pattern
                });
            }
            return Ok(rec);
        }
        self.open_tasks.fetch_add(1, Ordering::Relaxed);
        let mut w = Worker::new(self, halfspaces, factors, pattern, target, rec);
        let result = w.run(node);
        rec = w.rec.take();
        self.decided_without_solver
            .fetch_add(w.without, Ordering::Relaxed);
        self.near_tolerance.fetch_add(w.near, Ordering::Relaxed);
        if let Some(solver) = w.solver.take() {
            self.give_solver(solver);
        }
        self.open_tasks.fetch_sub(1, Ordering::Relaxed);
        result.map(|_| rec)
    }
}

/// A node of the search tree (the half-spaces and pattern prefix live in the worker's stacks).
#[derive(Clone)]
pub(super) struct Node {
    /// Hidden layer of the next unit.
    layer: usize,
    /// Index of the next unit within its layer.
    idx: usize,
    /// Pre-activation map of `layer` on this node, with its error bound.
    map: Arc<TrackedMap>,
    /// The maps of the layers before `layer` on this node's path (for the leaf's proof).
    above: Arc<Vec<Arc<TrackedMap>>>,
    /// A point deep inside the node ∩ domain.
    witness: Array1<f64>,
    /// The witness's depth: a Euclidean ball of this radius around it lies in the node ∩ domain.
    depth: f64,
    /// A certified bounding box of the node ∩ domain: the parent's box tightened by the new
    /// half-space (cheap), with bounds made exact by dual bounds once that fails too often.
    bbox: Option<Arc<(Array1<f64>, Array1<f64>)>>,
    /// Whether `bbox` is the exact (LP) box of this node.
    bbox_exact: bool,
    /// The bounds of `bbox` that are exact (LP) bounds of this node: bit 2j the upper bound of
    /// x_j, bit 2j + 1 the lower one (all of them: `bbox_exact`).
    bbox_done: u64,
    /// Side decisions at this node that the inherited box could not settle.
    bbox_misses: u8,
    /// Number of branchings above this node.
    branch_depth: usize,
}

impl Node {
    /// The root of the search: the whole domain, the first layer's map, the center as witness.
    pub(super) fn root(uc: &UnitCoordinates, certify: bool) -> Self {
        Node {
            layer: 0,
            idx: 0,
            map: Arc::new(TrackedMap::first(
                &uc.net.layers()[0],
                &uc.first_bias_err,
                uc.entry_err[0],
                &uc.reach,
            )),
            above: Arc::new(Vec::new()),
            witness: uc.domain.center().clone(),
            depth: uc.domain.depth(uc.domain.center().view()),
            // a certificate's checker propagates the domain's box through the branch half-spaces
            // itself: certifying counts use only that box (see `certificate`)
            bbox: certify.then(|| Arc::new(uc.domain.bounding_box())),
            bbox_exact: false,
            bbox_done: 0,
            bbox_misses: 0,
            branch_depth: 0,
        }
    }
}

/// Largest entries of a row between these are used as they are; outside, the row is rescaled by
/// a power of two first (n·max² stays far from the float range for any realistic n).
const ROW_SCALE_SAFE_LOW: f64 = 1e-100;
const ROW_SCALE_SAFE_HIGH: f64 = 1e100;

/// The bound h of the trivially true half-space 0·x ≤ h pushed for a unit whose computed row is
/// zero: in unit coordinates every depth is below 2√n, far below this.
const TRIVIAL_SLACK: f64 = 1e6;

/// The box LP of a side's dual step stops once s·h at its point exceeds this fraction of |s·h|
/// at the witness (on the other side): the side is then shown non-empty by a ray toward that
/// point, and the rest of the LP would only have served as that ray's target. Only which point
/// the ray aims at depends on it (measured on ACAS Xu 1_1 box 0.05: 1 → 4,242 M instructions,
/// 1/4 → 4,189 M, 1/16 → 4,196 M).
const EARLY_STOP_FRACTION: f64 = 0.25;

/// Misses of the inherited bounding box at a node before its bounds are made exact.
const BBOX_MISSES: u8 = 4;

/// An exact box's LP for a coordinate stops once its walk is within this fraction of the
/// inherited box's width from the inherited bound (which then stays).
const BBOX_STOP_FRACTION: f64 = 0.05;

/// Input dimension above which the exact bounding box (2n dual bounds per node) is not
/// computed: in high dimension it costs far more than the solver call it would save (measured:
/// 784 inputs, 6 regions, minutes), so such nodes keep the inherited box and go on to the dual
/// bound of the one direction that matters.
const EXACT_BBOX_MAX_DIM: usize = 32;

/// The bits of `Node::bbox_done` for every bound of an n-dimensional box (n ≤ 32).
fn all_bounds(n: usize) -> u64 {
    if n >= 32 {
        u64::MAX
    } else {
        (1u64 << (2 * n)) - 1
    }
}

/// The box `b` tightened by one half-space g·x ≤ h (bound propagation: for each j,
/// g_j x_j ≤ h − Σ_{k≠j} min(g_k lo_k, g_k hi_k)). Every point of b ∩ {g·x ≤ h} stays inside:
/// the sum's rounding is covered by `rounding_allowance` of its terms and the division's by a
/// relative 4ε, both added outward (coordinates with |g_j| below 1e-9 are left alone).
fn tighten(b: &(Array1<f64>, Array1<f64>), hs: &HalfSpace) -> (Array1<f64>, Array1<f64>) {
    let (mut lo, mut hi) = (b.0.clone(), b.1.clone());
    let n = lo.len();
    let mins: Vec<f64> = (0..n)
        .map(|k| (hs.g[k] * lo[k]).min(hs.g[k] * hi[k]))
        .collect();
    let total: f64 = mins.iter().sum();
    let magnitude = mins.iter().map(|m| m.abs()).sum::<f64>() + hs.h.abs();
    let slack = rounding_allowance(n + 3, magnitude);
    for j in 0..n {
        let gj = hs.g[j];
        if gj.abs() < 1e-9 {
            continue;
        }
        let bound = (hs.h - (total - mins[j]) + slack) / gj;
        let pad = 4.0 * f64::EPSILON * bound.abs();
        if gj > 0.0 {
            hi[j] = hi[j].min(bound + pad);
        } else {
            lo[j] = lo[j].max(bound - pad);
        }
    }
    (lo, hi)
}

/// A box: its lower and its upper bounds.
type BoxBounds = (Array1<f64>, Array1<f64>);

/// How far the bound of bit `bit` (as in `Node::bbox_done`: 2j the upper bound of x_j, 2j + 1
/// the lower one) of the box `b` can lower the box bound of ±a·x when it is made exact: the node
/// holds the witness `w`, so its exact upper bound of x_j is at least w_j and the box bound, whose
/// term for x_j is max(c_j lo_j, c_j hi_j) with c = ±a, falls by at most |a_j| (hi_j − w_j)
/// (|a_j| (w_j − lo_j) for the lower bound). Only an order of work: no proof uses it.
fn bound_room(b: &BoxBounds, w: ArrayView1<f64>, a: ArrayView1<f64>, bit: usize) -> f64 {
    let j = bit / 2;
    let room = if bit.is_multiple_of(2) {
        b.1[j] - w[j]
    } else {
        w[j] - b.0[j]
    };
    a[j].abs() * room
}

/// A non-empty side: a witness, its depth, and the side's half-space (relaxed outward by the
/// error bound of its map, so the stack always contains the exact node).
struct Side {
    /// A point inside the side (in unit coordinates), to become the child's witness.
    witness: Array1<f64>,
    /// Its depth inside the side ∩ domain.
    depth: f64,
    /// The side's half-space, relaxed outward by its map's error bound.
    halfspace: HalfSpace,
}

impl Side {
    fn new(witness: Array1<f64>, depth: f64, halfspace: HalfSpace) -> Self {
        Side {
            witness,
            depth,
            halfspace,
        }
    }
}

/// The side s·h > 0 (s = ±1) of the unit h(x) = a·x + β being decided, with the error bound
/// `err` of h over the domain and ‖a‖.
#[derive(Clone, Copy)]
struct SideQuery<'v> {
    a: ArrayView1<'v, f64>,
    beta: f64,
    err: f64,
    positive: bool,
    /// +1 for the positive side, −1 for the negative one.
    s: f64,
    norm: f64,
}

/// A leaf's point in its region, and whether it is proven there itself (see `leaf_witness`).
struct LeafWitness {
    point: Array1<f64>,
    proven: bool,
}

/// What is known of one side of a split.
enum Outcome {
    /// Proven empty (closed form with the error bounds, a certificate, or the exact fallback),
    /// with the proof for a certificate.
    Empty(Proof),
    /// Non-empty: a point found inside it (proven at the leaves).
    NonEmpty(Side),
    /// Neither floating point nor the exact fallback could tell.
    Unknown,
}

/// The outcome of deciding one unit at a node.
enum Decision {
    /// One side only (the other is proven empty, so no half-space is added), with a new witness
    /// and its depth if the old one was not clearly on that side.
    Stable {
        positive: bool,
        witness: Option<(Array1<f64>, f64)>,
        proof: Proof,
    },
    /// Both sides: the positive and the negative child.
    Branch { pos: Side, neg: Side },
    /// One side non-empty, the other undecided: explore the first, bound the second.
    Partial { known: Side, positive: bool },
    /// Both sides proven empty: the node itself is empty.
    Neither { pos: Proof, neg: Proof },
    /// Nothing could be decided: the node is bounded, not explored.
    Unknown,
}

/// One worker: the stack of half-spaces (mirrored in its solver once it has one: most tasks
/// never need a solver, so it is taken from the pool and loaded on first use), and the pattern
/// prefix.
struct Worker<'s, 'a> {
    sh: &'s Shared<'a>,
    solver: Option<Box<dyn InteriorSolver>>,
    /// max c·x over the node with the box as bounds, for boxes too large for the dense box LP
    /// (created on first use, loaded with the stack, then pushed and popped with it).
    box_lp: Option<BoxLp>,
    hs: Vec<HalfSpace>,
    /// The rows of `hs`, flat (pushed and popped with it), for the box LPs.
    rows: Rows,
    /// Per half-space of `hs`, its certificate factor f_i = 2^{e_i}/‖a_i‖ (0 for a trivial one).
    fac: Vec<f64>,
    pattern: Vec<bool>,
    scratch: DualScratch,
    /// Counters, added to the shared ones when the task ends (no cache-line traffic per decision);
    /// solver calls are counted live in `Shared::solver_calls` for the progress bar.
    without: u64,
    near: u64,
    /// The certificate stream of this task (when certifying).
    rec: Option<Recording>,
    /// The unit being decided: its power of two e_j (unit rescaling and row rescaling), and the
    /// factor f = 2^{e_j}/‖a_j‖ its half-space gets on the stack.
    cur_exp: i32,
    cur_factor: f64,
    /// Per half-space of `hs`, an id no other half-space pushed by this worker has.
    ids: Vec<u64>,
    next_id: u64,
    /// Per unit (flat index) and side, the multipliers (stack position, id of the half-space
    /// there, y > 0) that last proved that side empty by a dual bound: on a later node whose stack
    /// still holds those half-spaces (a sibling or cousin in the same layer) they are tried
    /// first. Any y ≥ 0 gives a valid bound, evaluated from scratch; the ids only make a hit
    /// likely.
    certs: Vec<Vec<(u32, u64, f64)>>,
    /// A prefix to replay (`count_subproblems`): while `pattern` is shorter, each unit follows
    /// only the side `target` prescribes. Empty for a plain subtree.
    target: &'s [bool],
    /// The order in which `exact_bbox` makes bounds exact (reused: no allocation per call).
    bbox_order: Vec<(f64, usize)>,
    /// A random dive below the target (`Shared::run_dive`), instead of a search.
    dive: Option<Dive>,
}

/// What replaying a prescribed side did (see `Worker::follow`).
enum Replay {
    /// The node moved to the prescribed side; go on deciding.
    Next,
    /// The prescribed side is empty or undecided (recorded): this part ends.
    End,
}

impl<'s, 'a> Worker<'s, 'a> {
    /// A worker whose stack holds `hs` (with their certificate factors `fac`) and whose pattern
    /// prefix is `pattern`, replaying `target` first.
    fn new(
        sh: &'s Shared<'a>,
        hs: Vec<HalfSpace>,
        fac: Vec<f64>,
        pattern: Vec<bool>,
        target: &'s [bool],
        rec: Option<Recording>,
    ) -> Self {
        let loaded = hs.len() as u64;
        Worker {
            sh,
            solver: None,
            box_lp: None,
            rows: Rows::of(&hs, sh.domain.dim()),
            hs,
            fac,
            pattern,
            scratch: DualScratch::default(),
            without: 0,
            near: 0,
            rec,
            cur_exp: 0,
            cur_factor: 0.0,
            ids: (0..loaded).collect(),
            next_id: loaded,
            certs: Vec::new(),
            target,
            bbox_order: Vec::new(),
            dive: None,
        }
    }

    fn push(&mut self, h: HalfSpace, factor: f64) -> Result<()> {
        if let Some(s) = self.solver.as_mut() {
            s.push(&h)?;
        }
        if let Some(lp) = self.box_lp.as_mut() {
            lp.push(&h)?;
        }
        self.rows.push(&h);
        self.hs.push(h);
        self.fac.push(factor);
        self.ids.push(self.next_id);
        self.next_id += 1;
        Ok(())
    }

    fn pop_to(&mut self, len: usize) -> Result<()> {
        while self.hs.len() > len {
            if let Some(s) = self.solver.as_mut() {
                s.pop()?;
            }
            if let (Some(lp), Some(top)) = (self.box_lp.as_mut(), self.hs.last()) {
                lp.pop(top)?;
            }
            self.hs.pop();
            self.rows.pop();
            self.fac.pop();
            self.ids.pop();
        }
        Ok(())
    }

    /// The worker's solver, loaded with the current stack (taken from the pool on first use).
    fn solver(&mut self) -> Result<&mut Box<dyn InteriorSolver>> {
        if self.solver.is_none() {
            let mut s = self.sh.take_solver()?;
            s.load(self.sh.domain, &self.hs)?;
            self.solver = Some(s);
        }
        // just set above when it was None
        self.solver
            .as_mut()
            .ok_or_else(|| crate::error::Error::invalid("internal: no solver"))
    }

    fn run(&mut self, node: Node) -> Result<()> {
        let (hs0, pat0) = (self.hs.len(), self.pattern.len());
        let r = self.run_inner(node);
        self.pattern.truncate(pat0);
        let p = self.pop_to(hs0);
        r.and(p)
    }

    /// Records an undecided part of the tree: the node at `layer` with `decided` units of that
    /// layer decided is bounded, not explored.
    fn undecided(&self, layer: usize, decided: usize) {
        self.sh.undecided.fetch_add(1, Ordering::Relaxed);
        self.sh
            .add_undecided_bound(self.sh.bound.below(layer, decided));
    }

    /// Records an undecided leaf: one possible region, not counted, added to the upper bound.
    fn undecided_leaf(&mut self) {
        self.record(Recording::open);
        self.sh.undecided.fetch_add(1, Ordering::Relaxed);
        self.sh.add_undecided_bound(BigUint::from(1u32));
    }

    /// The prefix of the node being searched as a subproblem: the replayed target while the
    /// replay has not reached it, else the pattern.
    fn prefix_here(&self) -> Vec<bool> {
        if self.pattern.len() < self.target.len() {
            self.target.to_vec()
        } else {
            self.pattern.clone()
        }
    }

    /// Replays one unit of the target: follows the prescribed side `want` of `decision`. A side
    /// proven empty ends the part with nothing; an undecided one ends it bounded as undecided.
    fn follow(&mut self, node: &mut Node, decision: Decision, want: bool) -> Result<Replay> {
        let side = match decision {
            Decision::Stable {
                positive, witness, ..
            } => {
                if positive != want {
                    return Ok(Replay::End);
                }
                if let Some((w, d)) = witness {
                    node.witness = w;
                    node.depth = d;
                }
                self.pattern.push(positive);
                node.idx += 1;
                return Ok(Replay::Next);
            }
            Decision::Neither { .. } => return Ok(Replay::End),
            Decision::Unknown => {
                self.undecided_replay(node);
                return Ok(Replay::End);
            }
            Decision::Branch { pos, neg } => {
                if want {
                    pos
                } else {
                    neg
                }
            }
            Decision::Partial { known, positive } => {
                if positive != want {
                    self.undecided_replay(node);
                    return Ok(Replay::End);
                }
                known
            }
        };
        let mut child = self.child(node, side.witness, side.depth, &side.halfspace);
        // a replayed branching is above the part: a split of the part counts from it
        child.branch_depth = node.branch_depth;
        let factor = self.cur_factor;
        self.push(side.halfspace, factor)?;
        self.pattern.push(want);
        *node = child;
        Ok(Replay::Next)
    }

    /// The prescribed side of a replay is undecided: in a split the replayed part stays a part
    /// (nothing is lost); otherwise it is bounded as undecided.
    fn undecided_replay(&self, node: &Node) {
        if self.sh.split_depth.is_some() {
            self.sh.emit(self.prefix_here());
        } else if self.dive.is_none() {
            self.undecided(node.layer, node.idx + 1);
        }
    }

    /// The sign of a tied unit (see `super::copies`), exactly, with the certificate's record of
    /// it: a copy takes its source's pattern bit (KEEP_COPY); a mirror the negation of its
    /// source's (KEEP_MIRROR) where its own map on the node is provably not the constant 0
    /// (its exact pre-activation −c·z_source then vanishes only on a set without interior, and
    /// is of the opposite sign to z_source elsewhere). `None` for any other unit, and for a
    /// mirror whose map may be the constant 0 (it is then decided as any unit: off).
    fn tied_sign(&mut self, node: &Node) -> Option<(bool, Proof)> {
        let sh = self.sh;
        debug_assert_eq!(
            self.pattern.len(),
            sh.widths[..node.layer].iter().sum::<usize>() + node.idx
        );
        let tie = (*sh.checker.ties().get(self.pattern.len())?)?;
        let source = *self.pattern.get(tie.source)?;
        let decided = if tie.same_sign {
            (source, Proof::Copy)
        } else {
            // the exact map is within err of the float map a·u + β on the closed domain (centred
            // at 0, reaching ±reach_j along axis j): it is not the constant 0 when the float map
            // exceeds err in absolute value at 0 or at one of those axis points
            let a = node.map.map.a.row(node.idx);
            let beta = node.map.map.b[node.idx];
            let err = node.map.err[node.idx];
            let lower = a
                .iter()
                .zip(&sh.uc.reach)
                .map(|(v, r)| v.abs() * r)
                .fold(beta.abs(), f64::max)
                * (1.0 - f64::EPSILON);
            if lower.partial_cmp(&err) != Some(std::cmp::Ordering::Greater) {
                return None;
            }
            let first = tie.source - (self.pattern.len() - node.idx);
            (!source, Proof::Mirror(first as u32))
        };
        self.without += 1;
        Some(decided)
    }

    /// A dive's step at a decided unit: follows one random side of a branching (the estimate
    /// doubles), the known side of a partial one (the open side is taken as large), and logs the
    /// estimate where the dive ends (an empty node estimates 0 regions, an undecided one as one
    /// leaf). A stable unit is the search's as usual, never passed here.
    fn dive_step(&mut self, node: &mut Node, decision: Decision) -> Result<Replay> {
        let Some(dive) = self.dive.as_mut() else {
            return Err(crate::error::Error::invalid(
                "internal: a dive step outside a dive",
            ));
        };
        let want = match &decision {
            Decision::Stable { .. } => {
                return Err(crate::error::Error::invalid(
                    "internal: a dive step at a stable unit",
                ))
            }
            Decision::Branch { .. } => dive.branch(),
            Decision::Partial { positive, .. } => {
                let p = *positive;
                dive.partial();
                p
            }
            Decision::Neither { .. } => {
                self.sh.log_dive(dive.part, 0.0);
                return Ok(Replay::End);
            }
            Decision::Unknown => {
                self.sh.log_dive(dive.part, dive.estimate());
                return Ok(Replay::End);
            }
        };
        self.follow(node, decision, want)
    }

    /// Adds to the certificate stream, when certifying.
    fn record(&mut self, f: impl FnOnce(&mut Recording)) {
        if let Some(r) = self.rec.as_mut() {
            f(r);
        }
    }

    fn run_inner(&mut self, mut node: Node) -> Result<()> {
        let sh = self.sh;
        if sh.should_stop() {
            sh.add_open(node.layer, node.idx);
            self.record(Recording::open);
            if sh.frontier {
                sh.emit(self.prefix_here());
            }
            return Ok(());
        }
        if let Some(depth) = sh.split_depth {
            if node.branch_depth >= depth && self.pattern.len() >= self.target.len() {
                sh.split_reached.store(true, Ordering::Relaxed);
                sh.emit(self.pattern.clone());
                return Ok(());
            }
        }
        loop {
            if node.idx == sh.widths[node.layer] {
                if node.layer + 1 == sh.widths.len() {
                    return self.leaf(&node);
                }
                self.enter_next_layer(&mut node);
                continue;
            }
            let decision = match self.tied_sign(&node) {
                Some((positive, proof)) => Decision::Stable {
                    positive,
                    witness: None,
                    proof,
                },
                None => {
                    let map = node.map.clone();
                    let a = map.map.a.row(node.idx);
                    let beta = map.map.b[node.idx];
                    let err = map.err[node.idx];
                    self.decide_unit(a, beta, err, &mut node)?
                }
            };
            if self.pattern.len() < self.target.len() {
                let want = self.target[self.pattern.len()];
                match self.follow(&mut node, decision, want)? {
                    Replay::Next => continue,
                    Replay::End => return Ok(()),
                }
            }
            if self.dive.is_some() && !matches!(decision, Decision::Stable { .. }) {
                match self.dive_step(&mut node, decision)? {
                    Replay::Next => continue,
                    Replay::End => return Ok(()),
                }
            }
            match decision {
                Decision::Stable {
                    positive,
                    witness,
                    proof,
                } => {
                    self.record(|r| r.keep(positive, &proof));
                    if let Some((w, d)) = witness {
                        node.witness = w;
                        node.depth = d;
                    }
                    self.pattern.push(positive);
                    node.idx += 1;
                }
                Decision::Neither { pos, neg } => {
                    self.record(|r| r.empty(&pos, &neg));
                    return Ok(());
                }
                Decision::Unknown => {
                    self.record(Recording::open);
                    if sh.split_depth.is_some() {
                        sh.emit(self.pattern.clone());
                    } else {
                        self.undecided(node.layer, node.idx);
                    }
                    return Ok(());
                }
                Decision::Branch { pos, neg } => return self.branch(node, pos, neg),
                Decision::Partial { known, positive } => {
                    return self.partial(&node, known, positive);
                }
            }
        }
    }

    /// The node's layer is decided: the node moves to the first unit of the next layer, its map
    /// carried through the layer's ReLU with the pattern just decided.
    fn enter_next_layer(&self, node: &mut Node) {
        let sh = self.sh;
        let start = self.pattern.len() - sh.widths[node.layer];
        let next = node.layer + 1;
        let mut above = Vec::with_capacity(next);
        above.extend(node.above.iter().cloned());
        above.push(node.map.clone());
        node.above = Arc::new(above);
        node.map = Arc::new(node.map.through_relu_layer(
            &self.pattern[start..],
            &sh.net.layers()[next],
            &sh.weights[next],
            sh.uc.entry_err[next],
            &sh.uc.reach,
        ));
        node.layer = next;
        node.idx = 0;
    }

    /// A branch whose other side is open: the `known` side (positive or not) is explored, the
    /// other bounded as undecided; the positive child's stream comes first.
    fn partial(&mut self, node: &Node, known: Side, positive: bool) -> Result<()> {
        self.record(Recording::branch);
        if !positive {
            self.record(Recording::open);
        }
        if self.sh.split_depth.is_some() {
            let mut other = self.pattern.clone();
            other.push(!positive);
            self.sh.emit(other);
        } else {
            self.undecided(node.layer, node.idx + 1);
        }
        let Side {
            witness: w,
            depth: d,
            halfspace: h,
        } = known;
        let child = self.child(node, w, d, &h);
        let factor = self.cur_factor;
        self.push(h, factor)?;
        self.pattern.push(positive);
        self.run_inner(child)?;
        if positive {
            self.record(Recording::open);
        }
        Ok(())
    }

    fn child(&self, node: &Node, w: Array1<f64>, d: f64, h: &HalfSpace) -> Node {
        Node {
            layer: node.layer,
            idx: node.idx + 1,
            map: node.map.clone(),
            above: node.above.clone(),
            witness: w,
            depth: d,
            bbox: node.bbox.as_ref().map(|b| Arc::new(tighten(b, h))),
            bbox_exact: false,
            bbox_done: 0,
            bbox_misses: 0,
            branch_depth: node.branch_depth + 1,
        }
    }

    fn branch(&mut self, node: Node, pos: Side, neg: Side) -> Result<()> {
        let sh = self.sh;
        let factor = self.cur_factor;
        self.record(Recording::branch);
        if sh.threads > 1 && sh.queued.load(Ordering::Relaxed) < sh.threads as u64 {
            let (cp, cn) = (
                self.child(&node, pos.witness, pos.depth, &pos.halfspace),
                self.child(&node, neg.witness, neg.depth, &neg.halfspace),
            );
            let mut hp = self.hs.clone();
            hp.push(pos.halfspace);
            let mut pp = self.pattern.clone();
            pp.push(true);
            let mut hn = self.hs.clone();
            hn.push(neg.halfspace);
            let mut pn = self.pattern.clone();
            pn.push(false);
            let mut fp = self.fac.clone();
            fp.push(factor);
            let fn_ = fp.clone();
            sh.queued.fetch_add(1, Ordering::Relaxed);
            let (rp, rn) = rayon::join(
                || sh.run_task(cp, hp, fp, pp, &[]),
                || {
                    sh.queued.fetch_sub(1, Ordering::Relaxed);
                    sh.run_task(cn, hn, fn_, pn, &[])
                },
            );
            let (rp, rn) = (rp?, rn?);
            if let (Some(r), Some(p), Some(n)) = (self.rec.as_mut(), rp, rn) {
                r.append(p);
                r.append(n);
            }
            return Ok(());
        }
        for (child, side) in [(pos, true), (neg, false)] {
            let len = self.hs.len();
            let c = self.child(&node, child.witness, child.depth, &child.halfspace);
            self.push(child.halfspace, factor)?;
            self.pattern.push(side);
            let r = self.run(c);
            self.pattern.pop();
            self.pop_to(len)?;
            r?;
        }
        Ok(())
    }

    /// A unit whose computed row is zero: h(x) = β within `err` on the whole domain (the exact
    /// row may be non-zero but tiny). A sign of β beyond `err` settles it; otherwise both sides go
    /// to the exact fallback. Two non-empty sides branch with trivially true half-spaces (the
    /// relaxation of a zero row; the exact fallback and the leaf proofs see the real rows).
    fn decide_constant(&mut self, beta: f64, err: f64, n: usize) -> Decision {
        self.without += 1;
        // a trivial half-space takes no multiplier in a certificate
        self.cur_factor = 0.0;
        if beta - err > 0.0 {
            return Decision::Stable {
                positive: true,
                witness: None,
                proof: Proof::Domain,
            };
        }
        if beta + err <= 0.0 {
            return Decision::Stable {
                positive: false,
                witness: None,
                proof: Proof::Domain,
            };
        }
        // 0·x ≤ h holds for every h ≥ 0 (|β| < err here): a large h keeps the row from bounding
        // any depth, so the geometry needs no special case for it
        let trivial = || HalfSpace {
            g: Array1::zeros(n),
            h: TRIVIAL_SLACK,
        };
        let depth_of = |w: &Array1<f64>| self.sh.domain.depth(w.view());
        match (self.exact_side(true), self.exact_side(false)) {
            (ExactAnswer::NonEmpty(_), ExactAnswer::Empty) => Decision::Stable {
                positive: true,
                witness: None,
                proof: Proof::Unproven,
            },
            (ExactAnswer::Empty, ExactAnswer::NonEmpty(_)) => Decision::Stable {
                positive: false,
                witness: None,
                proof: Proof::Unproven,
            },
            (ExactAnswer::Empty, ExactAnswer::Empty) => Decision::Neither {
                pos: Proof::Unproven,
                neg: Proof::Unproven,
            },
            (ExactAnswer::NonEmpty(p), ExactAnswer::NonEmpty(q)) => {
                let (dp, dq) = (depth_of(&p), depth_of(&q));
                Decision::Branch {
                    pos: Side::new(p, dp, trivial()),
                    neg: Side::new(q, dq, trivial()),
                }
            }
            (ExactAnswer::NonEmpty(p), ExactAnswer::Unknown) => Decision::Partial {
                known: Side::new(p.clone(), depth_of(&p), trivial()),
                positive: true,
            },
            (ExactAnswer::Unknown, ExactAnswer::NonEmpty(q)) => Decision::Partial {
                known: Side::new(q.clone(), depth_of(&q), trivial()),
                positive: false,
            },
            _ => Decision::Unknown,
        }
    }

    /// Decides the unit h(x) = a·x + β, its row first rescaled by a power of two so that its
    /// largest entry lies in [1, 2) when it is outside [`ROW_SCALE_SAFE_LOW`],
    /// [`ROW_SCALE_SAFE_HIGH`] (exact, and it changes no sign): ‖a‖² neither overflows nor
    /// underflows, whatever the scale of the composed map.
    fn decide_unit(
        &mut self,
        a: ArrayView1<f64>,
        beta: f64,
        err: f64,
        node: &mut Node,
    ) -> Result<Decision> {
        let top = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        self.cur_exp = self.sh.uc.unit_exp[node.layer][node.idx];
        if top == 0.0 {
            return Ok(self.decide_constant(beta, err, a.len()));
        }
        // far inside the range where ‖a‖² cannot overflow or underflow (2^±511): as it is
        if (ROW_SCALE_SAFE_LOW..ROW_SCALE_SAFE_HIGH).contains(&top) {
            return self.decide(a, beta, err, node);
        }
        let k = -(top.log2().floor() as i32);
        self.cur_exp += k;
        let (beta_k, err_k) = (ldexp(beta, k), ldexp(err, k));
        if !(beta_k.is_finite() && err_k.is_finite()) {
            // |β| or the error dwarfs the row: decide on the row's whole range instead
            let spread: f64 = a
                .iter()
                .zip(&self.sh.uc.reach)
                .map(|(v, r)| v.abs() * r)
                .sum();
            return Ok(self.decide_constant(beta, err + 2.0 * spread, a.len()));
        }
        let scaled = a.mapv(|v| ldexp(v, k));
        self.decide(scaled.view(), beta_k, err_k, node)
    }

    /// Decides the unit h(x) = a·x + β (error bound `err` over the domain) at the node: by the
    /// domain alone, else beside the witness when it lies clear of h = 0, else side by side.
    fn decide(
        &mut self,
        a: ArrayView1<f64>,
        beta: f64,
        err: f64,
        node: &mut Node,
    ) -> Result<Decision> {
        let sh = self.sh;
        let tol = sh.tol;
        let norm = vdot(a, a).sqrt();
        if sh.certify {
            self.cur_factor = ldexp(1.0 / norm, self.cur_exp);
        }
        if let Some(stable) = self.decide_on_domain(a, beta, err, norm) {
            return Ok(stable);
        }
        let hw = vdot(a, node.witness.view()) + beta;
        let first = hw >= 0.0; // the witness's side
        let dist = hw.abs() / norm;
        if sh.closed_form && node.depth > tol && dist > tol {
            return self.decide_beside_witness(a, beta, err, norm, node, first, dist);
        }
        let s1 = self.side(a, beta, err, norm, first, node)?;
        let s2 = self.side(a, beta, err, norm, !first, node)?;
        let (p, n) = if first { (s1, s2) } else { (s2, s1) };
        Ok(self.combine(p, n))
    }

    /// The range of h over the whole domain proves a side empty when it stays ≤ 0 with the error
    /// (`norm` = ‖a‖): `Some` then (one side, or neither).
    fn decide_on_domain(
        &mut self,
        a: ArrayView1<f64>,
        beta: f64,
        err: f64,
        norm: f64,
    ) -> Option<Decision> {
        let (lo, hi) = self.sh.domain.affine_range(a, beta);
        let (pos_empty, neg_empty) = (hi + err <= 0.0, lo - err >= 0.0);
        if !(pos_empty || neg_empty) {
            return None;
        }
        self.without += 1;
        let near = if pos_empty { -lo / norm } else { hi / norm };
        if near_band(near, self.sh.tol) {
            self.near += 1;
        }
        if pos_empty && neg_empty {
            return Some(Decision::Neither {
                pos: Proof::Domain,
                neg: Proof::Domain,
            });
        }
        Some(Decision::Stable {
            positive: neg_empty,
            witness: None,
            proof: Proof::Domain,
        })
    }

    /// The witness lies at depth > tol in the node and at distance `dist` > tol from h = 0 on
    /// side `first`: the ball of radius min(depth, dist) around it lies in node ∩ that side, so
    /// only the other side is decided (`norm` = ‖a‖, as `decide` computed it).
    #[allow(clippy::too_many_arguments)]
    fn decide_beside_witness(
        &mut self,
        a: ArrayView1<f64>,
        beta: f64,
        err: f64,
        norm: f64,
        node: &mut Node,
        first: bool,
        dist: f64,
    ) -> Result<Decision> {
        let sh = self.sh;
        self.without += 1;
        let other = self.side(a, beta, err, norm, !first, node)?;
        let rows = &self.rows;
        let witness = &node.witness;
        let depth_here = node.depth;
        let mine = || {
            let target = relaxed_halfspace(a, beta, err, first, &sh.uc.reach);
            let probe = side_halfspace(a, beta, first);
            let u = probe.g.mapv(|v| -v);
            let (p, d) = deepest_on_ray(sh.domain, rows, &probe, witness.view(), u.view());
            if d > dist.min(depth_here) {
                Side::new(p, d, target)
            } else {
                Side::new(witness.clone(), dist.min(depth_here), target)
            }
        };
        Ok(match other {
            Outcome::Empty(proof) => Decision::Stable {
                positive: first,
                witness: None,
                proof,
            },
            Outcome::NonEmpty(o) => {
                let m = mine();
                if first {
                    Decision::Branch { pos: m, neg: o }
                } else {
                    Decision::Branch { pos: o, neg: m }
                }
            }
            Outcome::Unknown => Decision::Partial {
                known: mine(),
                positive: first,
            },
        })
    }

    /// The decision from what is known of the positive side `p` and the negative side `n`.
    fn combine(&mut self, p: Outcome, n: Outcome) -> Decision {
        match (p, n) {
            (Outcome::NonEmpty(p), Outcome::NonEmpty(n)) => Decision::Branch { pos: p, neg: n },
            (
                Outcome::NonEmpty(Side {
                    witness: w,
                    depth: d,
                    ..
                }),
                Outcome::Empty(proof),
            ) => Decision::Stable {
                positive: true,
                witness: Some((w, d)),
                proof,
            },
            (
                Outcome::Empty(proof),
                Outcome::NonEmpty(Side {
                    witness: w,
                    depth: d,
                    ..
                }),
            ) => Decision::Stable {
                positive: false,
                witness: Some((w, d)),
                proof,
            },
            (Outcome::NonEmpty(known), Outcome::Unknown) => Decision::Partial {
                known,
                positive: true,
            },
            (Outcome::Unknown, Outcome::NonEmpty(known)) => Decision::Partial {
                known,
                positive: false,
            },
            (Outcome::Empty(pos), Outcome::Empty(neg)) => {
                self.near += 1;
                Decision::Neither { pos, neg }
            }
            _ => Decision::Unknown,
        }
    }

    /// The node's certified bounding box with the bounds of `need` (bits as in
    /// `Node::bbox_done`) made exact: max or min of the coordinate over node ∩ domain by
    /// [`dual_bound_on`] (the inherited bound, or the domain's, stays where that fails or is not
    /// better). Only the bounds a side's box bound uses are asked for (the upper bound of x_j
    /// where its coefficient is positive, the lower one where negative): the others often are
    /// never needed before the node branches.
    ///
    /// The bounds are made exact one at a time, the one that can lower the side's box bound most
    /// first, and the others are left for later once `settles` says the box decides the side:
    /// the upper bound hi_j can fall at most to the witness's x_j (the witness lies in the
    /// node), lowering the box bound of c·x by at most c_j (hi_j − w_j) (c_j > 0; for the
    /// lower bound |c_j| (w_j − lo_j)). The box is a valid enclosure after every step (each
    /// bound is the inherited one or a certified dual bound), and the bits of the bounds not
    /// made exact stay clear in `bbox_done`, so a later side asks for them again. Only which
    /// bounds are computed now depends on this order: no proof does.
    fn exact_bbox(
        &mut self,
        node: &mut Node,
        need: u64,
        a: ArrayView1<f64>,
        settles: &dyn Fn(&BoxBounds) -> bool,
    ) -> Arc<(Array1<f64>, Array1<f64>)> {
        let sh = self.sh;
        let mut b = match &node.bbox {
            Some(old) => (old.0.clone(), old.1.clone()),
            None => sh.domain.bounding_box(),
        };
        let n = b.0.len();
        // the bounds asked for, by what they can lower the side's box bound, largest first
        // (ties in the order of the bits: coordinates in order, the upper bound first)
        let mut order = std::mem::take(&mut self.bbox_order);
        order.clear();
        order.extend(
            (0..2 * n)
                .filter(|&bit| need & (1u64 << bit) != 0)
                .map(|bit| (bound_room(&b, node.witness.view(), a, bit), bit)),
        );
        order.sort_unstable_by(|p, q| q.0.total_cmp(&p.0).then(p.1.cmp(&q.1)));
        let mut e = Array1::zeros(n);
        for &(_, bit) in &order {
            let (j, upper) = (bit / 2, bit.is_multiple_of(2));
            // the walk stops once ±x_j is within a small fraction of the inherited bound:
            // it could only improve it by less (the inherited bound stays, valid as it is)
            let stop = match &node.bbox {
                Some(old) => {
                    let slack = BBOX_STOP_FRACTION * (old.1[j] - old.0[j]);
                    if upper {
                        old.1[j] - slack
                    } else {
                        -(old.0[j] + slack)
                    }
                }
                None => f64::INFINITY,
            };
            e[j] = if upper { 1.0 } else { -1.0 };
            let bound = dual_bound_on(
                &mut self.scratch,
                sh.domain,
                &self.rows,
                e.view(),
                node.witness.view(),
                stop,
            );
            e[j] = 0.0;
            if let Some(d) = bound {
                if upper {
                    b.1[j] = b.1[j].min(d.value);
                } else {
                    b.0[j] = b.0[j].max(-d.value);
                }
            }
            node.bbox_done |= 1u64 << bit;
            if settles(&b) {
                break;
            }
        }
        self.bbox_order = order;
        let b = Arc::new(b);
        node.bbox = Some(b.clone());
        node.bbox_exact = node.bbox_done == all_bounds(n);
        b
    }

    /// What is known of node ∩ {±h > 0}. Order: interval bound over the node's box, dual bound
    /// (both prove emptiness with the map's error bound added), ray searches (find a point), the
    /// solver, then the exact fallback. `norm` = ‖a‖ (`vdot(a, a).sqrt()`, as `decide` has it).
    fn side(
        &mut self,
        a: ArrayView1<f64>,
        beta: f64,
        err: f64,
        norm: f64,
        positive: bool,
        node: &mut Node,
    ) -> Result<Outcome> {
        let sh = self.sh;
        let q = SideQuery {
            a,
            beta,
            err,
            positive,
            s: if positive { 1.0 } else { -1.0 },
            norm,
        };
        if !sh.closed_form {
            return self.side_by_solver(a, beta, err, positive);
        }
        // 1. max of s·h over the node's bounding box
        if let Some(empty) = self.box_step(&q, node) {
            return Ok(empty);
        }
        let w = &node.witness;
        // 2. the dual bound
        let mut targets = Vec::with_capacity(3);
        let early = match self.dual_step(&q, w, &mut targets)? {
            Err(empty) => return Ok(empty),
            Ok(early) => early,
        };
        // 3. rays from w
        if let Some(found) = self.ray_step(&q, w, targets, early) {
            return Ok(found);
        }
        self.side_by_solver(a, beta, err, positive)
    }

    /// Step 1 of [`Self::side`]: the max of s·h over the node's bounding box (the inherited one;
    /// the exact one after a few misses at this node), and before the exact box the multipliers
    /// that proved this side empty on the last node that asked. `Some` when they prove the side
    /// empty.
    fn box_step(&mut self, q: &SideQuery, node: &mut Node) -> Option<Outcome> {
        let sh = self.sh;
        let tol = sh.tol;
        let SideQuery {
            a,
            beta,
            err,
            positive,
            s,
            norm,
        } = *q;
        let box_max = |bb: &(Array1<f64>, Array1<f64>)| -> f64 {
            let mut ub = s * beta;
            let mut magnitude = beta.abs();
            for j in 0..a.len() {
                let c = s * a[j];
                let term = if c > 0.0 { c * bb.1[j] } else { c * bb.0[j] };
                ub += term;
                magnitude += term.abs();
            }
            ub + rounding_allowance(a.len() + 1, magnitude) + err
        };
        let mut ub = node.bbox.as_ref().map_or(f64::INFINITY, |b| box_max(b));
        // 1b. the multipliers that proved this side empty on the last node that asked
        if ub > 0.0 {
            if let Some(bound) = self.cached_bound(a, s, beta, err, positive) {
                if near_band(bound / norm, tol) {
                    self.near += 1;
                }
                if bound <= 0.0 {
                    self.without += 1;
                    return Some(Outcome::Empty(self.dual_proof(bound)));
                }
            }
        }
        if ub / norm > tol && !node.bbox_exact && a.len() <= EXACT_BBOX_MAX_DIM && !sh.certify {
            node.bbox_misses += 1;
            if node.bbox_misses >= BBOX_MISSES || node.bbox.is_none() {
                // the bounds this side's box bound uses (all of them at the root)
                let need = if node.bbox.is_none() {
                    all_bounds(a.len())
                } else {
                    (0..a.len()).fold(0u64, |m, j| {
                        let c = s * a[j];
                        if c > 0.0 {
                            m | 1 << (2 * j)
                        } else if c < 0.0 {
                            m | 1 << (2 * j + 1)
                        } else {
                            m
                        }
                    })
                } & !node.bbox_done;
                if need != 0 {
                    let bb = self.exact_bbox(node, need, a, &|bb| box_max(bb) <= 0.0);
                    ub = box_max(&bb);
                }
            }
        }
        if ub <= 0.0 {
            self.without += 1;
            // a certifying count's box is the domain's, propagated through the branch half-spaces
            // (no exact box), as the checker recomputes it
            let proof = if sh.certify && !node.bbox_exact {
                Proof::Box
            } else {
                Proof::Unproven
            };
            return Some(Outcome::Empty(proof));
        }
        None
    }

    /// Step 2 of [`Self::side`]: the dual bound of s·h over the node from the witness `w`.
    /// `Err` when it proves the side empty; otherwise the approximate maximizers it found are
    /// added to `targets` for the ray searches, and `Ok(true)` says the box LP stopped early at a
    /// point of the node where s·h is above 0 by [`EARLY_STOP_FRACTION`] of |s·h(w)| (its walk
    /// starts at w along s·a, the side's normal: the side is very likely non-empty, and the ray
    /// toward that point finds a point of it — the ray along the normal alone would not, or the
    /// walk's first step would have passed that level).
    fn dual_step(
        &mut self,
        q: &SideQuery,
        w: &Array1<f64>,
        targets: &mut Vec<Array1<f64>>,
    ) -> Result<std::result::Result<bool, Outcome>> {
        let sh = self.sh;
        let SideQuery {
            a,
            beta,
            err,
            positive,
            s,
            norm,
        } = *q;
        let c = a.mapv(|v| s * v);
        let dual = if box_lp_can_settle(sh.domain, a.len()) {
            // s·h(w) < 0 by a margin: stop once s·h(x) = c·x + sβ exceeds a fraction of it
            let margin = (vdot(c.view(), w.view()) + s * beta).abs();
            let stop_above = if margin > sh.tol * norm {
                EARLY_STOP_FRACTION * margin - s * beta
            } else {
                f64::INFINITY
            };
            dual_bound_on(
                &mut self.scratch,
                sh.domain,
                &self.rows,
                c.view(),
                w.view(),
                stop_above,
            )
        } else {
            self.box_lp_bound(&c)?
        };
        if let Some(d) = dual {
            let bound =
                d.value + s * beta + rounding_allowance(2, d.value.abs() + beta.abs()) + err;
            if near_band(bound / norm, sh.tol) {
                self.near += 1;
            }
            if bound <= 0.0 {
                self.without += 1;
                self.remember_cert(positive);
                return Ok(Err(Outcome::Empty(self.dual_proof(bound))));
            }
            targets.extend(d.ball_point);
            targets.push(d.lp_point);
            return Ok(Ok(d.early));
        }
        Ok(Ok(false))
    }

    /// Step 3 of [`Self::side`]: rays from `w` along the side's inward normal, then toward the
    /// `targets` (the dual step's maximizers) and the domain's center, for a point of the side at
    /// depth > tol. `Some` (non-empty) when one is found. With `early` (the dual step stopped at
    /// a point past the hyperplane, see [`Self::dual_step`]) the ray toward that point comes
    /// first: the normal's ray is then tried only if it fails.
    fn ray_step(
        &mut self,
        q: &SideQuery,
        w: &Array1<f64>,
        mut targets: Vec<Array1<f64>>,
        early: bool,
    ) -> Option<Outcome> {
        let sh = self.sh;
        let tol = sh.tol;
        let SideQuery {
            a,
            beta,
            err,
            positive,
            ..
        } = *q;
        let probe = side_halfspace(a, beta, positive);
        let u = probe.g.mapv(|v| -v);
        let mut best = if early {
            (w.clone(), f64::NEG_INFINITY)
        } else {
            deepest_on_ray(sh.domain, &self.rows, &probe, w.view(), u.view())
        };
        if best.1 <= tol {
            targets.push(sh.domain.center().clone());
            if early {
                // the normal's ray after the early point's, before the center's
                targets.insert(targets.len() - 1, w + &u);
            }
            for t in targets {
                let to = &t - w;
                let dist = to.dot(&to).sqrt();
                if dist.is_nan() || dist <= 0.0 {
                    continue;
                }
                let u2 = to / dist;
                let cand = deepest_on_ray(sh.domain, &self.rows, &probe, w.view(), u2.view());
                if cand.1 > best.1 {
                    best = cand;
                }
                if best.1 > tol {
                    break;
                }
            }
        }
        if best.1 > tol {
            self.without += 1;
            if near_band(best.1, tol) {
                self.near += 1;
            }
            let target = relaxed_halfspace(a, beta, err, positive, &sh.uc.reach);
            return Some(Outcome::NonEmpty(Side::new(best.0, best.1, target)));
        }
        None
    }

    /// The slot of the unit being decided (the next in the pattern) and side in `certs`.
    fn cert_slot(&self, positive: bool) -> usize {
        2 * self.pattern.len() + usize::from(positive)
    }

    /// The bound of the side s·h > 0 at the multipliers cached for it (see `certs`), when every
    /// half-space they use is still on the stack at its position; the multipliers, zero
    /// elsewhere, are left in `scratch.y_out` for a certificate. The value is the weak-duality
    /// bound of `dual` at these y ≥ 0 over the current stack, plus s·β, the rounding of that sum
    /// and the map's error, as for a fresh dual bound.
    fn cached_bound(
        &mut self,
        a: ArrayView1<f64>,
        s: f64,
        beta: f64,
        err: f64,
        positive: bool,
    ) -> Option<f64> {
        let slot = self.cert_slot(positive);
        let cert = self.certs.get(slot).filter(|c| !c.is_empty())?;
        let valid = cert
            .iter()
            .all(|&(pos, id, _)| self.ids.get(pos as usize) == Some(&id));
        if !valid {
            return None;
        }
        let y = &mut self.scratch.y_out;
        y.clear();
        y.resize(self.hs.len(), 0.0);
        for &(pos, _, yi) in cert {
            y[pos as usize] = yi;
        }
        let value = sparse_bound(
            self.sh.domain,
            &self.hs,
            a,
            s,
            cert.iter().map(|&(p, _, y)| (p as usize, y)),
        );
        Some(value + s * beta + rounding_allowance(2, value.abs() + beta.abs()) + err)
    }

    /// Caches the multipliers of the dual bound that just proved a side empty (`scratch.y_out`).
    fn remember_cert(&mut self, positive: bool) {
        let slot = self.cert_slot(positive);
        if self.certs.len() <= slot {
            self.certs.resize_with(slot + 1, Vec::new);
        }
        let cert = &mut self.certs[slot];
        cert.clear();
        let y = &self.scratch.y_out;
        if y.len() != self.hs.len() {
            return;
        }
        cert.extend(
            y.iter()
                .zip(&self.ids)
                .enumerate()
                .filter(|(_, (&yi, _))| yi > 0.0)
                .map(|(i, (&yi, &id))| (i as u32, id, yi)),
        );
    }

    /// For a box too large for the dense box LP: max c·x over node ∩ box from the worker's
    /// warm-started HiGHS LP (`solver::box_lp`), as a certified bound from its row duals
    /// (weak duality evaluated in closed form, the multipliers left in `scratch.y_out` for a
    /// certificate) with the LP's maximizer. `None` when HiGHS has no optimum.
    fn box_lp_bound(&mut self, c: &Array1<f64>) -> Result<Option<DualBound>> {
        let sh = self.sh;
        if self.box_lp.is_none() {
            self.box_lp = Some(BoxLp::new(sh.domain, &self.hs)?);
        }
        let Some(lp) = self.box_lp.as_mut() else {
            return Ok(None);
        };
        let cv = c.to_vec();
        let Some(mut opt) = lp.maximize(&cv)? else {
            return Ok(None);
        };
        self.sh.solver_calls.fetch_add(1, Ordering::Relaxed);
        let value = bound_at(sh.domain, &self.hs, &cv, &mut opt.y);
        self.scratch.y_out.clear();
        self.scratch.y_out.extend_from_slice(&opt.y);
        Ok(Some(DualBound {
            value,
            lp_point: Array1::from(opt.x),
            ball_point: None,
            early: false,
        }))
    }

    /// The solver's largest inscribed ball of node ∩ side, re-checked at its center. An empty
    /// answer is trusted only with a certificate (the solver's multipliers, evaluated in closed
    /// form); otherwise the exact fallback decides.
    fn side_by_solver(
        &mut self,
        a: ArrayView1<f64>,
        beta: f64,
        err: f64,
        positive: bool,
    ) -> Result<Outcome> {
        let sh = self.sh;
        let tol = sh.tol;
        let probe = side_halfspace(a, beta, positive);
        let u = probe.g.mapv(|v| -v);
        let solver = self.solver()?;
        solver.push(&probe)?;
        let res = solver.max_inscribed_ball();
        let duals = if matches!(res, Ok(Interior::Empty { .. })) {
            solver.stack_duals()
        } else {
            None
        };
        solver.pop()?;
        // counted live (one relaxed add per ~100 µs solve) so the progress bar shows them
        self.sh.solver_calls.fetch_add(1, Ordering::Relaxed);
        // a solver failure (a numerical breakdown on an ill-conditioned node) is not an answer:
        // the exact fallback decides instead
        match res.unwrap_or(Interior::Empty {
            radius: f64::NEG_INFINITY,
        }) {
            Interior::Found { center, radius } => {
                let mut d = depth(sh.domain, &self.hs, Some(&probe), center.view());
                let mut point = center;
                if d <= tol && radius > tol {
                    // the solver's center is slightly off: search for a deeper point near it
                    let (q, dq) =
                        deepest_on_ray(sh.domain, &self.rows, &probe, point.view(), u.view());
                    if dq > d {
                        point = q;
                        d = dq;
                    }
                }
                if near_band(radius, tol) || near_band(d, tol) {
                    self.near += 1;
                }
                if d > 0.0 {
                    let target = relaxed_halfspace(a, beta, err, positive, &sh.uc.reach);
                    return Ok(Outcome::NonEmpty(Side::new(point, d, target)));
                }
            }
            Interior::Empty { radius } => {
                if near_band(radius, tol) {
                    self.near += 1;
                }
                if let Some(y) = duals {
                    if let Some(proof) = self.solver_proof(a, beta, err, positive, &y) {
                        return Ok(Outcome::Empty(proof));
                    }
                }
            }
        }
        Ok(match self.exact_side(positive) {
            ExactAnswer::Empty => Outcome::Empty(Proof::Unproven),
            ExactAnswer::NonEmpty(point) => {
                let target = relaxed_halfspace(a, beta, err, positive, &sh.uc.reach);
                let d = depth(sh.domain, &self.hs, Some(&probe), point.view());
                Outcome::NonEmpty(Side::new(point, d, target))
            }
            ExactAnswer::Unknown => Outcome::Unknown,
        })
    }

    /// Checks the solver's multipliers `y` (the stack's, then the side's) as a certificate that
    /// node ∩ side is empty: the exact side lies inside the relaxed one, so a certificate on the
    /// relaxed stack with the side relaxed by its error proves it empty. Returns the proof in the
    /// certificate's terms (see `certificate`): z_i = y_i f_i ‖a‖ / (y_side 2^{e_j}).
    fn solver_proof(
        &self,
        a: ArrayView1<f64>,
        beta: f64,
        err: f64,
        positive: bool,
        y: &[f64],
    ) -> Option<Proof> {
        let sh = self.sh;
        let mut rows = self.hs.clone();
        rows.push(relaxed_halfspace(a, beta, err, positive, &sh.uc.reach));
        if emptiness_certificate(sh.domain, &rows, y) > 0.0 {
            return None;
        }
        let y_side = y.last().copied().unwrap_or(0.0);
        if !sh.certify || y_side.is_nan() || y_side <= 0.0 {
            return Some(Proof::Unproven);
        }
        let norm = vdot(a, a).sqrt();
        let target = ldexp(y_side / norm, self.cur_exp);
        Some(Proof::from_multipliers(
            &y[..self.hs.len()],
            &self.fac,
            target,
            false,
        ))
    }

    /// The proof behind the last successful dual bound, of value `bound` ≤ 0 (its multipliers on
    /// the stack, the objective s·a unnormalized): z_i = y_i f_i / 2^{e_j}. The multipliers are
    /// written as f32 when the bound's margin is far larger than what rounding them moves: each
    /// moves the bound by at most 2⁻²⁴ y_i (|h_i| + Σ_j |g_ij| reach_j), so a margin above
    /// 2⁻²⁰ times the sum of these keeps the proof (the checker decides exactly in any case).
    fn dual_proof(&self, bound: f64) -> Proof {
        let y = &self.scratch.y_out;
        if !self.sh.certify || y.len() != self.fac.len() {
            return Proof::Unproven;
        }
        let reach = &self.sh.uc.reach;
        let moved: f64 = y
            .iter()
            .zip(&self.hs)
            .filter(|(&yi, _)| yi > 0.0)
            .map(|(&yi, hs)| {
                let spread: f64 = hs.g.iter().zip(reach).map(|(g, r)| g.abs() * r).sum();
                yi * (hs.h.abs() + spread)
            })
            .sum();
        let narrow = bound < -ldexp(moved, -20);
        Proof::from_multipliers(y, &self.fac, ldexp(1.0, self.cur_exp), narrow)
    }

    /// The exact fallback on the current pattern prefix extended by one unit's side.
    fn exact_side(&mut self, positive: bool) -> ExactAnswer {
        self.pattern.push(positive);
        let answer = self.sh.fallback.decide(&self.pattern);
        self.pattern.pop();
        answer
    }

    /// A leaf: prove the witness (floating point with error bounds, then exactly), repair it with
    /// a solver, or decide the full pattern exactly; then count and stream the region.
    fn leaf(&mut self, node: &Node) -> Result<()> {
        if let Some(dive) = &self.dive {
            // a dive counts nothing: its leaf ends it
            self.sh.log_dive(dive.part, dive.estimate());
            return Ok(());
        }
        if self.sh.split_depth.is_some() {
            // a split counts nothing: the leaf is a part of its own
            self.sh.emit(self.pattern.clone());
            return Ok(());
        }
        match self.leaf_witness(node)? {
            Some(LeafWitness { point, proven }) => {
                self.count_leaf(&point, proven);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// The leaf's region's point: the node's witness when it is proven, else the solver's
    /// repair, else the exact fallback's point. `None` when the leaf was settled otherwise
    /// (recorded as undecided, or proven empty exactly).
    fn leaf_witness(&mut self, node: &Node) -> Result<Option<LeafWitness>> {
        let sh = self.sh;
        let w = &node.witness;
        // whether `witness` below is proven itself (the exact fallback's point is proven in
        // rationals, then rounded to floats: the region exists, but the rounded point may fall
        // outside a region thinner than the float grid around it)
        let mut proven = true;
        let maps = node.above.iter().map(|m| &**m).chain([&*node.map]);
        let witness = if sh
            .checker
            .proves_on_maps(sh.domain, w.view(), &self.pattern, maps)
            || sh
                .checker
                .proves(sh.net, sh.domain, w.view(), &self.pattern)
            || (sh.checker.within_inner(w.view()) && sh.fallback.proves_at(w, &self.pattern))
        {
            w.clone()
        } else {
            self.near += 1;
            match self.repair()? {
                Some(x) => x,
                None => match sh.fallback.decide(&self.pattern) {
                    // its point is in the domain the fallback sees, which may only enclose an
                    // exact box (`UnitCoordinates::inner`): then it must be inside that box too
                    ExactAnswer::NonEmpty(x) if sh.checker.within_inner(x.view()) => {
                        proven = sh
                            .checker
                            .proves(sh.net, sh.domain, x.view(), &self.pattern)
                            || sh.fallback.proves_at(&x, &self.pattern);
                        x
                    }
                    ExactAnswer::NonEmpty(_) => {
                        self.undecided_leaf();
                        return Ok(None);
                    }
                    ExactAnswer::Empty => {
                        // proven empty exactly, but with no multipliers to show
                        self.record(Recording::open);
                        return Ok(None);
                    }
                    ExactAnswer::Unknown => {
                        self.undecided_leaf();
                        return Ok(None);
                    }
                },
            }
        };
        Ok(Some(LeafWitness {
            point: witness,
            proven,
        }))
    }

    /// Counts the leaf's region unless the region cap is reached (then the leaf stays open and
    /// the search stops), records it (with its witness when `proven`) and streams it to the sink.
    fn count_leaf(&mut self, witness: &Array1<f64>, proven: bool) {
        let sh = self.sh;
        let prev = sh
            .regions
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |r| {
                match sh.max_regions {
                    Some(m) if r >= m => None,
                    _ => Some(r + 1),
                }
            });
        if prev.is_err() {
            self.record(Recording::open);
            sh.request_stop(Stop::MaxRegions);
            let mut o = sh.open_bound.lock().unwrap_or_else(|e| e.into_inner());
            *o += 1u32;
            drop(o);
            if sh.frontier {
                sh.emit(self.pattern.clone());
            }
            return;
        }
        // a certificate carries only proven witnesses: a region proven by the exact fallback
        // whose rounded point is not is counted, and left open in the certificate
        if proven {
            self.record(|r| r.leaf(witness));
        } else {
            self.record(Recording::open);
        }
        if let Some(sink) = sh.sink {
            let mut layers = Vec::with_capacity(sh.widths.len());
            let mut k = 0;
            for &n in &sh.widths {
                layers.push(self.pattern[k..k + n].to_vec());
                k += n;
            }
            sink.region(&sh.uc.to_input(witness), &ActivationPattern::new(layers));
        }
    }

    /// Solves for the largest ball inside the region of the full pattern (every unit's
    /// half-space, stable ones included) and proves its center; restores the solver's stack.
    fn repair(&mut self) -> Result<Option<Array1<f64>>> {
        let sh = self.sh;
        let mut all = Vec::new();
        let mut layers = Vec::new();
        let mut k = 0;
        for &n in &sh.widths {
            layers.push(self.pattern[k..k + n].to_vec());
            k += n;
        }
        // rescaled by a power of two so that the norm neither overflows nor underflows
        let region = sh.net.region_halfspaces(&layers, RowScale::PowerOfTwo);
        for row in &region.rows {
            // a row stable on the whole domain constrains nothing: leave it out (its bias
            // can be huge in unit coordinates, which only troubles the solver)
            let m = &region.maps[row.layer];
            let (lo, hi) = sh.domain.affine_range(m.a.row(row.unit), m.b[row.unit]);
            if lo > 0.0 || hi < 0.0 {
                continue;
            }
            let hs = side_halfspace(row.a.view(), row.beta, row.on);
            if hs.h.is_finite() && hs.g.iter().all(|v| v.is_finite()) {
                all.push(hs);
            }
        }
        let stack = self.hs.clone();
        // counted live (one relaxed add per ~100 µs solve) so the progress bar shows them
        self.sh.solver_calls.fetch_add(1, Ordering::Relaxed);
        let solver = self.solver()?;
        let res = solver
            .load(sh.domain, &all)
            .and_then(|_| solver.max_inscribed_ball());
        solver.load(sh.domain, &stack)?;
        // a solver failure only means no repair: the exact fallback comes next
        Ok(
            match res.unwrap_or(Interior::Empty {
                radius: f64::NEG_INFINITY,
            }) {
                Interior::Found { center, .. }
                    if sh
                        .checker
                        .proves(sh.net, sh.domain, center.view(), &self.pattern)
                        || (sh.checker.within_inner(center.view())
                            && sh.fallback.proves_at(&center, &self.pattern)) =>
                {
                    Some(center)
                }
                _ => None,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enumerate::test_rng::Rng;

    /// Making one bound of a box exact lowers the box bound of ±a·x by at most `bound_room` of
    /// that bound: the exact bound lies between the witness's coordinate and the inherited one,
    /// and the witness's coordinate is the most it can move. A room measured on the wrong side
    /// of the witness, or with the wrong coefficient, fails here.
    #[test]
    fn bound_room_is_the_most_an_exact_bound_saves() {
        let mut rng = Rng(17);
        let n = 4;
        for _ in 0..2000 {
            let lo = Array1::from_iter((0..n).map(|_| rng.next() - 1.0));
            let hi = Array1::from_iter((0..n).map(|_| rng.next() + 1.0));
            let w = Array1::from_iter(
                (0..n).map(|j| lo[j] + (hi[j] - lo[j]) * (rng.next() + 1.0) / 2.0),
            );
            let a = Array1::from_iter((0..n).map(|_| rng.next() * 3.0));
            let s = if rng.next() < 0.0 { 1.0 } else { -1.0 };
            let box_max = |b: &(Array1<f64>, Array1<f64>)| -> f64 {
                (0..n)
                    .map(|j| {
                        let c = s * a[j];
                        if c > 0.0 {
                            c * b.1[j]
                        } else {
                            c * b.0[j]
                        }
                    })
                    .sum()
            };
            let b = (lo.clone(), hi.clone());
            let mut total = 0.0;
            for bit in 0..2 * n {
                let j = bit / 2;
                let mut tight = b.clone();
                if bit.is_multiple_of(2) {
                    tight.1[j] = w[j];
                } else {
                    tight.0[j] = w[j];
                }
                let saved = box_max(&b) - box_max(&tight);
                let room = bound_room(&b, w.view(), a.view(), bit);
                assert!(room >= 0.0);
                assert!(saved <= room * (1.0 + 1e-12) + 1e-12, "{saved} > {room}");
                total += room;
            }
            // every bound at the witness: the box bound falls to ±h(w), by the rooms' sum at most
            let all = (w.clone(), w.clone());
            assert!(box_max(&b) - box_max(&all) <= total * (1.0 + 1e-12) + 1e-12);
        }
    }
}
