//! Random polytopes: HiGHS and Clarabel agree on boxes, every returned center is checked exactly
//! against every constraint, no sampled point beats the returned radius, and warm-started
//! push/pop sequences give the answer of a fresh load.

use ndarray::Array1;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relu_regions::solver::{
    default_for, inscribed_radius_at, make_solver, ClarabelSolver, HalfSpace, HighsSolver,
    Interior, InteriorSolver, SolverKind,
};
use relu_regions::{Domain, Norm, Shape};

fn random_domain(rng: &mut ChaCha8Rng, n: usize, l2: bool) -> Domain {
    let c = Array1::from_shape_fn(n, |_| rng.gen_range(-3.0..3.0));
    if l2 {
        Domain::ball(c, rng.gen_range(0.1..2.0), Norm::L2).unwrap()
    } else {
        let w = Array1::from_shape_fn(n, |_| rng.gen_range(0.1..2.0));
        Domain::from_bounds(&(&c - &w), &(&c + &w)).unwrap()
    }
}

/// A point of the closed domain, uniform in the bounding box then pulled into a ball.
fn point_in(rng: &mut ChaCha8Rng, d: &Domain) -> Array1<f64> {
    let (lo, hi) = d.bounding_box();
    let mut p = Array1::from_shape_fn(d.dim(), |j| rng.gen_range(lo[j]..=hi[j]));
    if let &Shape::L2Ball { radius } = d.shape() {
        let v = &p - d.center();
        let norm = v.dot(&v).sqrt();
        if norm > radius {
            p = d.center() + &(v * (radius / norm));
        }
    }
    p
}

/// A half-space through a point near `p`, with a random normal of random scale.
fn random_halfspace(rng: &mut ChaCha8Rng, p: &Array1<f64>, scale: f64) -> HalfSpace {
    let s = 10f64.powf(rng.gen_range(-2.0..2.0));
    let g = Array1::from_shape_fn(p.len(), |_| rng.gen_range(-1.0..1.0) * s);
    let norm = g.dot(&g).sqrt();
    let h = g.dot(p) + rng.gen_range(-0.3..0.3) * scale * norm;
    HalfSpace { g, h }
}

fn random_problem(rng: &mut ChaCha8Rng, l2: bool) -> (Domain, Vec<HalfSpace>) {
    let n = rng.gen_range(2..=8);
    let d = random_domain(rng, n, l2);
    let p = point_in(rng, &d);
    let m = rng.gen_range(1..=20);
    let scale = d.max_half_width();
    let hs = (0..m).map(|_| random_halfspace(rng, &p, scale)).collect();
    (d, hs)
}

/// Checks a Found answer exactly (every slack ≥ radius − 1e-7 in input units) and against
/// 2000 sampled points (none may be deeper than the optimum); returns the radius (t* if empty).
fn checked_radius(
    name: &str,
    d: &Domain,
    hs: &[HalfSpace],
    ans: &Interior,
    rng: &mut ChaCha8Rng,
) -> f64 {
    let r = match ans {
        Interior::Found { center, radius } => {
            assert!(*radius > 0.0, "{name}: Found with radius {radius}");
            assert!(
                d.depth(center.view()) >= radius - 1e-7,
                "{name}: center not inside the domain"
            );
            for h in hs {
                let norm = h.g.dot(&h.g).sqrt();
                let slack = (h.h - h.g.dot(center)) / norm;
                assert!(
                    slack >= radius - 1e-7,
                    "{name}: slack {slack} < radius {radius}"
                );
            }
            *radius
        }
        Interior::Empty { radius } => {
            assert!(*radius <= 0.0, "{name}: Empty with radius {radius}");
            *radius
        }
    };
    let best = (0..2000)
        .map(|_| inscribed_radius_at(d, hs, point_in(rng, d).view()))
        .fold(f64::NEG_INFINITY, f64::max);
    assert!(
        best <= r + 1e-6,
        "{name}: a sampled point has depth {best} > solver optimum {r}"
    );
    r
}

fn agree(a: &Interior, b: &Interior, tol: f64) -> bool {
    let ra = match a {
        Interior::Found { radius, .. } | Interior::Empty { radius } => *radius,
    };
    let rb = match b {
        Interior::Found { radius, .. } | Interior::Empty { radius } => *radius,
    };
    ra == rb || (ra - rb).abs() <= tol * (1.0 + ra.abs().max(rb.abs()))
}

#[test]
fn highs_and_clarabel_agree_on_random_boxes() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let (mut found, mut empty) = (0, 0);
    for case in 0..300 {
        let (d, hs) = random_problem(&mut rng, false);
        let a = HighsSolver::with_problem(&d, &hs)
            .unwrap()
            .max_inscribed_ball()
            .unwrap();
        let b = ClarabelSolver::with_problem(&d, &hs)
            .unwrap()
            .max_inscribed_ball()
            .unwrap();
        let ra = checked_radius("highs", &d, &hs, &a, &mut rng);
        let rb = checked_radius("clarabel", &d, &hs, &b, &mut rng);
        assert!(
            agree(&a, &b, 1e-6),
            "case {case}: highs {a:?} vs clarabel {b:?}"
        );
        if ra > 1e-6 && rb > 1e-6 {
            found += 1;
        } else if ra < -1e-6 && rb < -1e-6 {
            empty += 1;
        }
    }
    // The generator must exercise both outcomes.
    assert!(found > 30 && empty > 30, "found {found}, empty {empty}");
}

#[test]
fn clarabel_balls_are_optimal_and_feasible() {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let (mut found, mut empty) = (0, 0);
    for _ in 0..200 {
        let (d, hs) = random_problem(&mut rng, true);
        let ans = ClarabelSolver::with_problem(&d, &hs)
            .unwrap()
            .max_inscribed_ball()
            .unwrap();
        let r = checked_radius("clarabel", &d, &hs, &ans, &mut rng);
        // The ball bound is weaker than the bounding box's: the same half-spaces in the box
        // around the ball can only give a larger (or equal) radius.
        let (lo, hi) = d.bounding_box();
        let bx = Domain::from_bounds(&lo, &hi).unwrap();
        let rb = match HighsSolver::with_problem(&bx, &hs)
            .unwrap()
            .max_inscribed_ball()
            .unwrap()
        {
            Interior::Found { radius, .. } | Interior::Empty { radius } => radius,
        };
        assert!(r <= rb + 1e-6, "ball radius {r} > bounding-box radius {rb}");
        if r > 1e-6 {
            found += 1;
        } else if r < -1e-6 {
            empty += 1;
        }
    }
    assert!(found > 20 && empty > 20, "found {found}, empty {empty}");
}

#[test]
fn warm_push_pop_matches_fresh_load() {
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    for l2 in [false, true] {
        for _ in 0..10 {
            let n = rng.gen_range(2..=8);
            let d = random_domain(&mut rng, n, l2);
            let p = point_in(&mut rng, &d);
            let kind = default_for(&d);
            let mut warm = make_solver(kind, &d).unwrap();
            let mut stack: Vec<HalfSpace> = Vec::new();
            for step in 0..60 {
                if stack.is_empty() || (stack.len() < 25 && rng.gen_bool(0.6)) {
                    // Occasionally a g = 0 row (true or false) to exercise constant handling.
                    let h = if rng.gen_bool(0.05) {
                        HalfSpace {
                            g: Array1::zeros(n),
                            h: rng.gen_range(-0.1..1.0),
                        }
                    } else {
                        // Sparse rows too: a reused HiGHS row must lose its old coefficients.
                        let mut h = random_halfspace(&mut rng, &p, d.max_half_width());
                        let sparse = rng.gen_bool(0.3);
                        for j in 0..n {
                            if sparse && rng.gen_bool(0.5) {
                                h.g[j] = 0.0;
                            }
                        }
                        h
                    };
                    warm.push(&h).unwrap();
                    stack.push(h);
                } else {
                    warm.pop().unwrap();
                    stack.pop();
                }
                assert_eq!(warm.depth(), stack.len());
                let a = warm.max_inscribed_ball().unwrap();
                let mut fresh = make_solver(kind, &d).unwrap();
                fresh.load(&d, &stack).unwrap();
                let b = fresh.max_inscribed_ball().unwrap();
                let c = ClarabelSolver::with_problem(&d, &stack)
                    .unwrap()
                    .max_inscribed_ball()
                    .unwrap();
                checked_radius(warm.name(), &d, &stack, &a, &mut rng);
                assert!(
                    agree(&a, &b, 1e-7),
                    "{kind} step {step}: warm {a:?} vs fresh {b:?}"
                );
                assert!(
                    agree(&a, &c, 1e-6),
                    "{kind} step {step}: warm {a:?} vs clarabel {c:?}"
                );
            }
        }
    }
}

#[test]
fn highs_instances_move_between_threads() {
    let handles: Vec<_> = (0..2u64)
        .map(|k| {
            let mut rng = ChaCha8Rng::seed_from_u64(100 + k);
            let (d, hs) = random_problem(&mut rng, false);
            let mut s = HighsSolver::with_problem(&d, &hs).unwrap();
            let expect = ClarabelSolver::with_problem(&d, &hs)
                .unwrap()
                .max_inscribed_ball()
                .unwrap();
            std::thread::spawn(move || {
                let mut last = None;
                for _ in 0..50 {
                    last = Some(s.max_inscribed_ball().unwrap());
                }
                let last = last.unwrap();
                assert!(agree(&last, &expect, 1e-6), "{last:?} vs {expect:?}");
                s.calls()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 50);
    }
}

#[test]
fn solver_kind_names_and_domains() {
    assert_eq!("highs".parse::<SolverKind>().unwrap(), SolverKind::Highs);
    assert_eq!(
        "Clarabel".parse::<SolverKind>().unwrap(),
        SolverKind::Clarabel
    );
    assert!("glpk".parse::<SolverKind>().is_err());
    for k in [SolverKind::Highs, SolverKind::Clarabel] {
        assert_eq!(k.name().parse::<SolverKind>().unwrap(), k);
    }
    let ball = Domain::ball(Array1::zeros(3), 1.0, Norm::L2).unwrap();
    let bx = Domain::ball(Array1::zeros(3), 1.0, Norm::Linf).unwrap();
    assert_eq!(default_for(&ball), SolverKind::Clarabel);
    assert_eq!(default_for(&bx), SolverKind::Highs);
    let err = make_solver(SolverKind::Highs, &ball)
        .err()
        .expect("HiGHS must refuse an L2 ball");
    assert!(err.to_string().contains("clarabel"), "{err}");
    assert!(
        matches!(&err, relu_regions::Error::UnsupportedSolver { solver, norm } if solver == "highs" && norm == "l2"),
        "{err:?}"
    );
    assert_eq!(make_solver(SolverKind::Highs, &bx).unwrap().name(), "highs");
    assert_eq!(
        make_solver(SolverKind::Clarabel, &ball).unwrap().name(),
        "clarabel"
    );
}
