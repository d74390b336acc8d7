//! The exact distance to the region boundary against a brute-force line search.

mod common;

use ndarray::{array, Array1};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relu_regions::train::boundary_distance;
use relu_regions::train::distance::boundary_distance_solver_only;
use relu_regions::{Layer, Network, Norm};

/// Along direction u (unit in `norm`), the first step s where the pattern differs from x's, by
/// doubling then bisection (the region is convex, so the pattern never comes back).
fn first_change(net: &Network, x: &Array1<f64>, u: &Array1<f64>) -> f64 {
    let p = net.activation_pattern(x.view());
    let same = |s: f64| net.activation_pattern((x + &(u * s)).view()) == p;
    let mut hi = 1e-3;
    while same(hi) {
        hi *= 2.0;
        if hi > 1e6 {
            return f64::INFINITY;
        }
    }
    let mut lo = 0.0;
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if same(mid) {
            lo = mid
        } else {
            hi = mid
        }
    }
    hi
}

fn random_direction(rng: &mut impl Rng, n: usize, norm: Norm) -> Array1<f64> {
    match norm {
        Norm::L2 => {
            let v = Array1::from_shape_fn(n, |_| rng.gen_range(-1.0..1.0f64));
            let l = v.dot(&v).sqrt();
            v / l
        }
        // L∞ unit directions: the extreme points of the cube carry the minimum, so sample
        // those and random points of the sphere's surface.
        Norm::Linf => {
            let mut v = Array1::from_shape_fn(n, |_| rng.gen_range(-1.0..1.0f64));
            let k = rng.gen_range(0..n);
            v[k] = v[k].signum();
            if rng.gen_bool(0.5) {
                v.mapv_inplace(f64::signum);
            }
            v
        }
    }
}

/// Checks the exact distance against `directions` random rays; returns its solver calls.
fn check(
    net: &Network,
    x: &Array1<f64>,
    norm: Norm,
    directions: usize,
    slack: f64,
    rng: &mut impl Rng,
) -> usize {
    let exact = boundary_distance(net, x.view(), norm).unwrap();
    let solved = boundary_distance_solver_only(net, x.view(), norm).unwrap();
    assert!(
        (solved.distance - exact.distance).abs() <= 1e-7 * (1.0 + exact.distance),
        "{norm:?}: conic programs give {}, the shortcut {}",
        solved.distance,
        exact.distance
    );
    let mut best = f64::INFINITY;
    for _ in 0..directions {
        let u = random_direction(rng, x.len(), norm);
        let hit = first_change(net, x, &u);
        assert!(
            exact.distance <= hit * (1.0 + 1e-7) + 1e-9,
            "{norm:?}: exact {} exceeds a direction's hit {hit}",
            exact.distance
        );
        best = best.min(hit);
    }
    assert!(
        best <= exact.distance * (1.0 + slack) + 1e-9,
        "{norm:?}: best direction {best} far above exact {}",
        exact.distance
    );
    // the nearest boundary point is where the reported unit flips: along the direction to it
    // the unit's pre-activation changes sign (checked through the pattern only).
    assert!(exact.unit < net.num_hidden_units());
    solved.solver_calls
}

#[test]
fn distance_matches_line_search_in_2d() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let mut calls = 0;
    for seed in 0..6 {
        let net = common::random_network(&[2, 6, 5, 2], seed, 0.5);
        for _ in 0..4 {
            let x = Array1::from_shape_fn(2, |_| rng.gen_range(-1.0..1.0));
            calls += check(&net, &x, Norm::L2, 2000, 2e-3, &mut rng);
            calls += check(&net, &x, Norm::Linf, 2000, 2e-3, &mut rng);
        }
    }
    assert!(calls > 0, "the conic-program path was never exercised");
}

#[test]
fn distance_is_a_valid_upper_bound_and_close_in_3d() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    for seed in 10..14 {
        let net = common::random_network(&[3, 5, 4, 2], seed, 0.5);
        let x = Array1::from_shape_fn(3, |_| rng.gen_range(-1.0..1.0));
        check(&net, &x, Norm::L2, 6000, 0.1, &mut rng);
        check(&net, &x, Norm::Linf, 6000, 0.1, &mut rng);
    }
}

#[test]
fn hand_cases_settled_by_the_hyperplane_foot() {
    // The positive quadrant around x = (1, 0.1): the nearest boundary is y1 = 0 at 0.1.
    let l1 = Layer::new(array![[1.0, 0.0], [0.0, 1.0]], array![0.0, 0.0]);
    let out = Layer::new(array![[1.0, 1.0]], array![0.0]);
    let net = Network::new(vec![l1, out]).unwrap();
    let x = array![1.0, 0.1];
    let d = boundary_distance(&net, x.view(), Norm::L2).unwrap();
    assert!((d.distance - 0.1).abs() < 1e-12, "{d:?}");
    assert_eq!(d.unit, 1);
    // Units y0, y1 (on) and h = y0 − y1 + 2. From x = (0.5, 2) (h = 0.5, on) the nearest line is
    // h's at 0.5/√2, its foot (0.75, 1.75) inside the quadrant: no solve. From x = (0.05, 2.2)
    // (h = −0.15, off) the nearest is y0 = 0 at 0.05, foot (0, 2.2) with h = −0.2 (still off).
    let l1 = Layer::new(
        array![[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]],
        array![0.0, 0.0, 2.0],
    );
    let out = Layer::new(array![[1.0, 1.0, 1.0]], array![0.0]);
    let net = Network::new(vec![l1, out]).unwrap();
    let d = boundary_distance(&net, array![0.5, 2.0].view(), Norm::L2).unwrap();
    assert!((d.distance - 0.5 / 2f64.sqrt()).abs() < 1e-9, "{d:?}");
    assert_eq!(d.unit, 2);
    assert_eq!(d.solver_calls, 0);
    let d = boundary_distance(&net, array![0.05, 2.2].view(), Norm::L2).unwrap();
    assert!((d.distance - 0.05).abs() < 1e-7, "{d:?}");
    assert_eq!(d.unit, 0);
}

#[test]
fn wrong_dimension_and_nan_are_errors() {
    let net = common::random_network(&[2, 3, 1], 0, 0.5);
    assert!(boundary_distance(&net, array![1.0].view(), Norm::L2).is_err());
    assert!(boundary_distance(&net, array![f64::NAN, 0.0].view(), Norm::L2).is_err());
}

#[test]
fn weights_near_the_float_range_give_the_true_distance() {
    // h_0 = 1e308·x + y: ‖a‖₂² overflows, which once made the distance 0. The hyperplane is
    // x = −y·1e-308 ≈ 0, at distance 0.1 from (0.1, 0.2) in both norms (|h|/‖a‖ with a rescaled
    // by 1e-308 by hand); h_1 = x − y + 0.5 is √2·0.2 ≈ 0.28 away (L2).
    let net = Network::new(vec![
        Layer::new(array![[1e308, 1.0], [1.0, -1.0]], array![0.0, 0.5]),
        Layer::new(array![[1.0, 1.0]], array![0.0]),
    ])
    .unwrap();
    let x = array![0.1, 0.2];
    for norm in [Norm::L2, Norm::Linf] {
        let d = boundary_distance(&net, x.view(), norm).unwrap();
        assert_eq!(d.unit, 0, "{norm:?}");
        assert!((d.distance - 0.1).abs() < 1e-12, "{norm:?}: {}", d.distance);
    }
    // a pre-activation that overflows at the point is refused, not a wrong distance
    let far = array![1e10, 0.0];
    assert!(boundary_distance(&net, far.view(), Norm::L2).is_err());
}
