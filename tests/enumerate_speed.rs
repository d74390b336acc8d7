//! Timing runs on ACAS Xu 1_1 (ignored by default; run with
//! `cargo test --test enumerate_speed -- --ignored --nocapture`, best with optimizations).

mod common;
mod enumerate_support;

use enumerate_support::nnet::read_nnet;
use ndarray::array;
use relu_regions::enumerate::{count_regions_with, CountOptions};
use relu_regions::solver::{ClarabelSolver, HalfSpace, Interior, InteriorSolver};
use relu_regions::{Domain, Norm};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Counts Found / Empty answers of the wrapped solver.
struct Counting {
    inner: ClarabelSolver,
    found: Arc<AtomicU64>,
    empty: Arc<AtomicU64>,
}

impl InteriorSolver for Counting {
    fn name(&self) -> &'static str {
        "counting"
    }
    fn load(&mut self, d: &Domain, h: &[HalfSpace]) -> relu_regions::Result<()> {
        self.inner.load(d, h)
    }
    fn push(&mut self, h: &HalfSpace) -> relu_regions::Result<()> {
        self.inner.push(h)
    }
    fn pop(&mut self) -> relu_regions::Result<()> {
        self.inner.pop()
    }
    fn depth(&self) -> usize {
        self.inner.depth()
    }
    fn max_inscribed_ball(&mut self) -> relu_regions::Result<Interior> {
        let r = self.inner.max_inscribed_ball()?;
        match r {
            Interior::Found { .. } => self.found.fetch_add(1, Ordering::Relaxed),
            Interior::Empty { .. } => self.empty.fetch_add(1, Ordering::Relaxed),
        };
        Ok(r)
    }
}

#[test]
#[ignore]
fn acasxu_speed() {
    let Some(path) = common::shared_path("benchmarks/acasxu/ACASXU_experimental_v2a_1_1.nnet")
    else {
        return;
    };
    let net = read_nnet(&path);
    let threads: usize = std::env::var("ENUM_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let settings = CountOptions {
        threads,
        ..Default::default()
    };
    for (hw, norm) in [
        (0.01, Norm::Linf),
        (0.02, Norm::Linf),
        (0.02, Norm::L2),
        (0.05, Norm::Linf),
    ] {
        let domain = Domain::ball(array![0.64, 0.0, 0.0, 0.475, -0.475], hw, norm).unwrap();
        let (found, empty) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let (f2, e2) = (found.clone(), empty.clone());
        let factory = move || -> relu_regions::Result<Box<dyn InteriorSolver>> {
            Ok(Box::new(Counting {
                inner: ClarabelSolver::new(),
                found: f2.clone(),
                empty: e2.clone(),
            }))
        };
        let res = count_regions_with(&net, &domain, &settings, None, &factory).unwrap();
        eprintln!(
            "{norm:?} {hw}: {} regions in {:?}; solver calls {} ({:.2}/region: {} found, {} empty), {} without solver, {} near",
            res.regions,
            res.elapsed,
            res.solver_calls,
            res.solver_calls as f64 / res.regions as f64,
            found.load(Ordering::Relaxed),
            empty.load(Ordering::Relaxed),
            res.decided_without_solver,
            res.near_tolerance
        );
    }
}

#[test]
#[ignore]
fn acasxu_005_sampled_patterns_are_found() {
    let Some(path) = common::shared_path("benchmarks/acasxu/ACASXU_experimental_v2a_1_1.nnet")
    else {
        return;
    };
    let net = read_nnet(&path);
    let domain = Domain::ball(array![0.64, 0.0, 0.0, 0.475, -0.475], 0.05, Norm::Linf).unwrap();
    let (res, regions) = enumerate_support::enumerate(&net, &domain, 2);
    let found = enumerate_support::check_witnesses(&net, &domain, &regions);
    let sampled = common::sampled_patterns(&net, &domain, 2_000_000, 1);
    let missing: Vec<_> = sampled.iter().filter(|p| !found.contains(p)).collect();
    eprintln!(
        "{} regions, {} sampled patterns, {} missing",
        res.regions,
        sampled.len(),
        missing.len()
    );
    for p in &missing {
        eprintln!("missing {}", p.to_compact());
    }
    assert!(missing.is_empty());
}
