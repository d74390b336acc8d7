//! Cost of one inscribed-ball solve (docs/math.md#36-the-solver-question): HiGHS warm-started
//! (push one row, solve,
//! pop on a loaded instance), HiGHS fresh (load + solve), and Clarabel (built per call) on a box
//! and on an L2 ball, at n = 5 and n = 10 with 20 half-spaces through points near the center;
//! beside them, the enumerator's closed-form dual bound (`ball_lp` multipliers on the L2 ball,
//! the box LP on the box), which decides most splits that would otherwise need such a solve.
//!
//! Run: `cargo bench --bench solver` (or `--profile dev` to reuse the dev build of HiGHS).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use ndarray::Array1;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relu_regions::enumerate::{dual_bound_with, DualScratch};
use relu_regions::solver::{ClarabelSolver, HalfSpace, HighsSolver, Interior, InteriorSolver};
use relu_regions::{Domain, Norm};
use std::hint::black_box;

fn halfspaces(n: usize, m: usize, rng: &mut ChaCha8Rng) -> Vec<HalfSpace> {
    (0..m)
        .map(|_| {
            let g = Array1::from_shape_fn(n, |_| rng.gen_range(-1.0..1.0));
            let p = Array1::from_shape_fn(n, |_| rng.gen_range(-0.5..0.5));
            let h = g.dot(&p) + 0.05;
            HalfSpace { g, h }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("inscribed_ball");
    for n in [5usize, 10] {
        let mut rng = ChaCha8Rng::seed_from_u64(n as u64);
        let hs = halfspaces(n, 20, &mut rng);
        let extra = halfspaces(n, 1, &mut rng).remove(0);
        let bx = Domain::ball(Array1::zeros(n), 1.0, Norm::Linf).unwrap();
        let ball = Domain::ball(Array1::zeros(n), 1.0, Norm::L2).unwrap();

        let mut warm = HighsSolver::with_problem(&bx, &hs).unwrap();
        warm.max_inscribed_ball().unwrap();
        group.bench_function(BenchmarkId::new("highs_warm_push_solve_pop_box", n), |b| {
            b.iter(|| {
                warm.push(&extra).unwrap();
                let r = warm.max_inscribed_ball().unwrap();
                warm.pop().unwrap();
                black_box(r)
            })
        });
        // A cut through the current center: always binding, so the warm solve must pivot.
        let cut = match warm.max_inscribed_ball().unwrap() {
            Interior::Found { center, .. } => HalfSpace {
                h: extra.g.dot(&center),
                g: extra.g.clone(),
            },
            other => panic!("benchmark polytope has no interior: {other:?}"),
        };
        group.bench_function(BenchmarkId::new("highs_warm_binding_cut_box", n), |b| {
            b.iter(|| {
                warm.push(&cut).unwrap();
                let r = warm.max_inscribed_ball().unwrap();
                warm.pop().unwrap();
                black_box(r)
            })
        });
        let mut fresh = HighsSolver::new().unwrap();
        group.bench_function(BenchmarkId::new("highs_load_solve_box", n), |b| {
            b.iter(|| {
                fresh.load(&bx, &hs).unwrap();
                black_box(fresh.max_inscribed_ball().unwrap())
            })
        });
        for (label, d) in [("clarabel_box", &bx), ("clarabel_l2", &ball)] {
            let mut s = ClarabelSolver::with_problem(d, &hs).unwrap();
            group.bench_function(BenchmarkId::new(label, n), |b| {
                b.iter(|| black_box(s.max_inscribed_ball().unwrap()))
            });
            // the dual bound of max extra·x over the same polytope ∩ domain, from a deep point
            let x0 = match s.max_inscribed_ball().unwrap() {
                Interior::Found { center, .. } => center,
                other => panic!("benchmark polytope has no interior: {other:?}"),
            };
            let mut scratch = DualScratch::default();
            let dual_label = label.replace("clarabel", "dual_bound");
            group.bench_function(BenchmarkId::new(dual_label, n), |b| {
                b.iter(|| {
                    black_box(
                        dual_bound_with(&mut scratch, d, &hs, extra.g.view(), x0.view())
                            .map(|r| r.value),
                    )
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
