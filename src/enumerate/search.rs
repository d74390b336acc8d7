//! The depth-first branch and bound over hidden units (DESIGN.md §3).
//!
//! A node is (pattern prefix, the half-spaces chosen so far, a witness point w deep inside the
//! node's polytope ∩ domain). For the next unit, with pre-activation h(x) = a·x + β on the node,
//! each side {±h > 0} is decided by, in order:
//! 1. the domain alone: max over the domain of ±h/‖a‖₂ ≤ tol ⇒ that side is empty (the unit is
//!    stable on the whole domain and adds no half-space);
//! 2. a ray search from w along ±a (then toward the domain center) for a point at depth > tol in
//!    the node ∩ that side: a proof that the side is non-empty, and the child's witness;
//! 3. the solver's largest inscribed ball of node ∩ side (push, solve, pop); its center, re-checked
//!    directly, becomes the child's witness.
//!
//! A unit with one non-empty side that was decided by the node (not the domain) adds its
//! half-space, so every later witness stays on the right side of it. A unit with both sides
//! non-empty branches; each child adds its half-space. Leaves are regions: their witness is
//! re-checked against the network (see `witness`) before it is counted.

use super::geometry::{deepest_on_ray, depth, side_halfspace};
use super::interior::near_band;
use super::partial::OpenNodeBound;
use super::witness::check_witness;
use super::WitnessSink;
use crate::domain::Domain;
use crate::error::Result;
use crate::network::{ActivationPattern, AffineMap, Network};
use crate::solver::{HalfSpace, Interior, InteriorSolver};
use ndarray::{Array1, ArrayView1};
use num_bigint::BigUint;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Builds a fresh solver for a worker.
pub type SolverFactory<'a> = dyn Fn() -> Result<Box<dyn InteriorSolver>> + Sync + 'a;

/// State shared by all workers.
pub struct Shared<'a> {
    pub net: &'a Network,
    pub domain: &'a Domain,
    pub tol: f64,
    pub sink: Option<&'a dyn WitnessSink>,
    pub factory: &'a SolverFactory<'a>,
    pub pool: Mutex<Vec<Box<dyn InteriorSolver>>>,
    pub widths: Vec<usize>,
    pub regions: AtomicU64,
    pub solver_calls: AtomicU64,
    pub decided_without_solver: AtomicU64,
    pub near_tolerance: AtomicU64,
    pub open_tasks: AtomicU64,
    pub stop: AtomicBool,
    pub stopped_by: Mutex<Option<String>>,
    pub open_bound: Mutex<BigUint>,
    pub bound: OpenNodeBound,
    pub deadline: Option<Instant>,
    pub max_regions: Option<u64>,
    /// Nodes with fewer branchings above them than this are explored as separate rayon tasks.
    pub spawn_depth: usize,
}

impl<'a> Shared<'a> {
    fn request_stop(&self, why: &str) {
        let mut s = self.stopped_by.lock().unwrap_or_else(|e| e.into_inner());
        if s.is_none() {
            *s = Some(why.to_string());
        }
        self.stop.store(true, Ordering::SeqCst);
    }

    fn should_stop(&self) -> bool {
        if self.stop.load(Ordering::Relaxed) {
            return true;
        }
        if let Some(d) = self.deadline {
            if Instant::now() >= d {
                self.request_stop("time limit");
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

    /// Runs the subtree below `node` as one task with its own solver, loaded with `halfspaces`.
    pub fn run_task(
        &self,
        node: Node,
        halfspaces: Vec<HalfSpace>,
        pattern: Vec<bool>,
    ) -> Result<()> {
        if self.should_stop() {
            self.add_open(node.layer, node.idx);
            return Ok(());
        }
        self.open_tasks.fetch_add(1, Ordering::Relaxed);
        let mut solver = self.take_solver()?;
        let result = solver.load(self.domain, &halfspaces).and_then(|_| {
            let mut w = Worker {
                sh: self,
                solver: &mut *solver,
                hs: halfspaces,
                pattern,
            };
            w.run(node)
        });
        self.give_solver(solver);
        self.open_tasks.fetch_sub(1, Ordering::Relaxed);
        result
    }
}

/// A node of the search tree (the half-spaces and pattern prefix live in the worker's stacks).
#[derive(Clone)]
pub struct Node {
    /// Hidden layer of the next unit.
    pub layer: usize,
    /// Index of the next unit within its layer.
    pub idx: usize,
    /// Pre-activation map of `layer` on this node.
    pub map: Arc<AffineMap>,
    /// A point deep inside the node ∩ domain.
    pub witness: Array1<f64>,
    /// Number of branchings above this node.
    pub branch_depth: usize,
}

/// The outcome of deciding one unit at a node.
enum Decision {
    /// One side only. `push` is its half-space when the node (not the domain) decided it.
    Stable {
        positive: bool,
        witness: Option<Array1<f64>>,
        push: Option<HalfSpace>,
    },
    /// Both sides: (witness, half-space) of the positive and of the negative child.
    Branch {
        pos: (Array1<f64>, HalfSpace),
        neg: (Array1<f64>, HalfSpace),
    },
    /// Neither side holds a ball larger than the tolerance: the node is lost to the tolerance.
    Neither,
}

/// One worker: a solver mirrored by the stack of half-spaces, and the pattern prefix.
struct Worker<'s, 'a> {
    sh: &'s Shared<'a>,
    solver: &'s mut dyn InteriorSolver,
    hs: Vec<HalfSpace>,
    pattern: Vec<bool>,
}

impl<'s, 'a> Worker<'s, 'a> {
    fn push(&mut self, h: HalfSpace) -> Result<()> {
        self.solver.push(&h)?;
        self.hs.push(h);
        Ok(())
    }

    fn pop_to(&mut self, len: usize) -> Result<()> {
        while self.hs.len() > len {
            self.solver.pop()?;
            self.hs.pop();
        }
        Ok(())
    }

    fn run(&mut self, node: Node) -> Result<()> {
        let (hs0, pat0) = (self.hs.len(), self.pattern.len());
        let r = self.run_inner(node);
        self.pattern.truncate(pat0);
        let p = self.pop_to(hs0);
        r.and(p)
    }

    fn run_inner(&mut self, mut node: Node) -> Result<()> {
        let sh = self.sh;
        if sh.should_stop() {
            sh.add_open(node.layer, node.idx);
            return Ok(());
        }
        loop {
            if node.idx == sh.widths[node.layer] {
                if node.layer + 1 == sh.widths.len() {
                    return self.leaf(&node.witness);
                }
                let start = self.pattern.len() - sh.widths[node.layer];
                let layer = &sh.net.layers()[node.layer + 1];
                node.map = Arc::new(node.map.through_relu_layer(&self.pattern[start..], layer));
                node.layer += 1;
                node.idx = 0;
                continue;
            }
            let a = node.map.a.row(node.idx);
            let beta = node.map.b[node.idx];
            match self.decide(a, beta, &node.witness)? {
                Decision::Stable {
                    positive,
                    witness,
                    push,
                } => {
                    if let Some(h) = push {
                        self.push(h)?;
                    }
                    if let Some(w) = witness {
                        node.witness = w;
                    }
                    self.pattern.push(positive);
                    node.idx += 1;
                }
                Decision::Neither => return Ok(()),
                Decision::Branch { pos, neg } => return self.branch(node, pos, neg),
            }
        }
    }

    fn branch(
        &mut self,
        node: Node,
        pos: (Array1<f64>, HalfSpace),
        neg: (Array1<f64>, HalfSpace),
    ) -> Result<()> {
        let sh = self.sh;
        let child = |w: Array1<f64>| Node {
            layer: node.layer,
            idx: node.idx + 1,
            map: node.map.clone(),
            witness: w,
            branch_depth: node.branch_depth + 1,
        };
        if node.branch_depth < sh.spawn_depth {
            let mut hp = self.hs.clone();
            hp.push(pos.1);
            let mut pp = self.pattern.clone();
            pp.push(true);
            let mut hn = self.hs.clone();
            hn.push(neg.1);
            let mut pn = self.pattern.clone();
            pn.push(false);
            let (cp, cn) = (child(pos.0), child(neg.0));
            let (rp, rn) = rayon::join(|| sh.run_task(cp, hp, pp), || sh.run_task(cn, hn, pn));
            return rp.and(rn);
        }
        for (w, h, side) in [(pos.0, pos.1, true), (neg.0, neg.1, false)] {
            let len = self.hs.len();
            self.push(h)?;
            self.pattern.push(side);
            let r = self.run(child(w));
            self.pattern.pop();
            self.pop_to(len)?;
            r?;
        }
        Ok(())
    }

    /// Decides the unit h(x) = a·x + β at the node with witness w.
    fn decide(&mut self, a: ArrayView1<f64>, beta: f64, w: &Array1<f64>) -> Result<Decision> {
        let sh = self.sh;
        let tol = sh.tol;
        let norm = a.dot(&a).sqrt();
        if norm == 0.0 {
            // a zero row: constant β, on iff β > 0; never a region boundary
            sh.decided_without_solver.fetch_add(1, Ordering::Relaxed);
            return Ok(Decision::Stable {
                positive: beta > 0.0,
                witness: None,
                push: None,
            });
        }
        let (lo, hi) = sh.domain.affine_range(a, beta);
        // largest radius of a ball inside domain ∩ {±h ≥ 0} is at most max(±h)/‖a‖₂
        let (pos_r, neg_r) = (hi / norm, -lo / norm);
        let (pos_ok, neg_ok) = (pos_r > tol, neg_r > tol);
        if !pos_ok || !neg_ok {
            sh.decided_without_solver.fetch_add(1, Ordering::Relaxed);
            let near = if pos_ok { neg_r } else { pos_r };
            if near_band(near, tol) {
                sh.near_tolerance.fetch_add(1, Ordering::Relaxed);
            }
            if !pos_ok && !neg_ok {
                return Ok(Decision::Neither);
            }
            return Ok(Decision::Stable {
                positive: pos_ok,
                witness: None,
                push: None,
            });
        }
        let hw = a.dot(w) + beta;
        let first = hw >= 0.0; // the witness's side, tried first
        let s1 = self.side(a, beta, first, w)?;
        let s2 = self.side(a, beta, !first, w)?;
        let (p, n) = if first { (s1, s2) } else { (s2, s1) };
        Ok(match (p, n) {
            (Some(p), Some(n)) => Decision::Branch { pos: p, neg: n },
            (Some((w, h)), None) => Decision::Stable {
                positive: true,
                witness: Some(w),
                push: Some(h),
            },
            (None, Some((w, h))) => Decision::Stable {
                positive: false,
                witness: Some(w),
                push: Some(h),
            },
            (None, None) => {
                sh.near_tolerance.fetch_add(1, Ordering::Relaxed);
                Decision::Neither
            }
        })
    }

    /// Whether node ∩ {±h ≥ 0} holds a ball of radius > tol; if so a deep point and the side's
    /// half-space.
    fn side(
        &mut self,
        a: ArrayView1<f64>,
        beta: f64,
        positive: bool,
        w: &Array1<f64>,
    ) -> Result<Option<(Array1<f64>, HalfSpace)>> {
        let sh = self.sh;
        let tol = sh.tol;
        let target = side_halfspace(a, beta, positive);
        // inward normal of the side: −g (g is a unit vector)
        let u = target.g.mapv(|v| -v);
        let (p, d) = deepest_on_ray(sh.domain, &self.hs, &target, w.view(), u.view());
        if d > tol {
            sh.decided_without_solver.fetch_add(1, Ordering::Relaxed);
            if near_band(d, tol) {
                sh.near_tolerance.fetch_add(1, Ordering::Relaxed);
            }
            return Ok(Some((p, target)));
        }
        let to_center = &sh.domain.center - w;
        let dist = to_center.dot(&to_center).sqrt();
        if dist > 0.0 {
            let u2 = to_center / dist;
            let (p, d) = deepest_on_ray(sh.domain, &self.hs, &target, w.view(), u2.view());
            if d > tol {
                sh.decided_without_solver.fetch_add(1, Ordering::Relaxed);
                if near_band(d, tol) {
                    sh.near_tolerance.fetch_add(1, Ordering::Relaxed);
                }
                return Ok(Some((p, target)));
            }
        }
        self.solver.push(&target)?;
        let res = self.solver.max_inscribed_ball();
        self.solver.pop()?;
        sh.solver_calls.fetch_add(1, Ordering::Relaxed);
        match res? {
            Interior::Found { center, radius } => {
                let mut d = depth(sh.domain, &self.hs, Some(&target), center.view());
                let mut point = center;
                if d <= tol && radius > tol {
                    // the solver's center is slightly off: search for a deeper point near it
                    let (q, dq) =
                        deepest_on_ray(sh.domain, &self.hs, &target, point.view(), u.view());
                    if dq > d {
                        point = q;
                        d = dq;
                    }
                }
                if near_band(radius, tol) || near_band(d, tol) {
                    sh.near_tolerance.fetch_add(1, Ordering::Relaxed);
                }
                Ok((d > tol).then_some((point, target)))
            }
            Interior::Empty { radius } => {
                if near_band(radius, tol) {
                    sh.near_tolerance.fetch_add(1, Ordering::Relaxed);
                }
                Ok(None)
            }
        }
    }

    /// A leaf: re-check the witness, repair it once with every unit's half-space if needed,
    /// then count and stream the region.
    fn leaf(&mut self, w: &Array1<f64>) -> Result<()> {
        let sh = self.sh;
        let witness = if check_witness(sh.net, sh.domain, w.view(), &self.pattern) {
            w.clone()
        } else {
            sh.near_tolerance.fetch_add(1, Ordering::Relaxed);
            match self.repair()? {
                Some(x) => x,
                None => return Ok(()),
            }
        };
        let prev = sh
            .regions
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |r| {
                match sh.max_regions {
                    Some(m) if r >= m => None,
                    _ => Some(r + 1),
                }
            });
        if prev.is_err() {
            sh.request_stop("max regions");
            let mut o = sh.open_bound.lock().unwrap_or_else(|e| e.into_inner());
            *o += 1u32;
            return Ok(());
        }
        if let Some(sink) = sh.sink {
            let mut layers = Vec::with_capacity(sh.widths.len());
            let mut k = 0;
            for &n in &sh.widths {
                layers.push(self.pattern[k..k + n].to_vec());
                k += n;
            }
            sink.region(&witness, &ActivationPattern::new(layers));
        }
        Ok(())
    }

    /// Solves for the largest ball inside the region of the full pattern (every unit's
    /// half-space, stable ones included) and checks its center; restores the solver's stack.
    fn repair(&mut self) -> Result<Option<Array1<f64>>> {
        let sh = self.sh;
        let mut all = Vec::new();
        let mut layers = Vec::new();
        let mut k = 0;
        for &n in &sh.widths {
            layers.push(self.pattern[k..k + n].to_vec());
            k += n;
        }
        let maps = sh.net.pre_activation_maps(&layers[..layers.len() - 1]);
        for (l, m) in maps.iter().enumerate() {
            for u in 0..m.units() {
                let a = m.a.row(u);
                if a.iter().all(|&v| v == 0.0) {
                    continue;
                }
                all.push(side_halfspace(a, m.b[u], layers[l][u]));
            }
        }
        self.solver.load(sh.domain, &all)?;
        let res = self.solver.max_inscribed_ball();
        sh.solver_calls.fetch_add(1, Ordering::Relaxed);
        self.solver.load(sh.domain, &self.hs)?;
        Ok(match res? {
            Interior::Found { center, .. }
                if depth(sh.domain, &all, None, center.view()) > sh.tol
                    && check_witness(sh.net, sh.domain, center.view(), &self.pattern) =>
            {
                Some(center)
            }
            _ => None,
        })
    }
}
