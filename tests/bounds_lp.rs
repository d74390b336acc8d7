//! The LP-tightened local bound against exact counts (the enumerator) and the analytic bound:
//! exact ≤ lp ≤ analytic on random networks, centers, radii and both norms; monotone in r; and
//! strictly tighter than the analytic bound on ACAS Xu 1_1.

mod common;

use ndarray::{array, Array1};
use num_bigint::BigUint;
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relu_regions::bounds::{enclose, local_analytic, local_lp, Stability};
use relu_regions::count;
use relu_regions::enumerate::CountOptions;
use relu_regions::formats::load_network;
use relu_regions::{Domain, Norm};

use common::{norm_of, shape};

fn exact(net: &relu_regions::Network, domain: &Domain) -> u64 {
    let settings = CountOptions {
        threads: 1,
        ..Default::default()
    };
    let r = count(net, domain, &settings).unwrap();
    assert!(r.exact);
    r.regions
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// exact ≤ lp ≤ analytic, and every LP interval contains the sampled pre-activations.
    #[test]
    fn lp_bound_is_between_exact_and_analytic(n0 in 1usize..4, hidden in prop::collection::vec(2usize..8, 1..4),
                                              seed in 0u64..1_000_000, r in 0.05f64..1.5, linf in any::<bool>()) {
        let net = common::random_network(&shape(n0, &hidden), seed, 1.0);
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x1b);
        let center = Array1::from_shape_fn(n0, |_| rng.gen_range(-1.0..1.0));
        let domain = Domain::ball(center, r, norm_of(linf)).unwrap();
        let lp = local_lp(&net, &domain, None).unwrap();
        let analytic = local_analytic(&net, &domain).unwrap();
        let n = exact(&net, &domain);
        prop_assert!(lp.value >= BigUint::from(n), "lp {} < exact {n}", lp.value);
        prop_assert!(lp.value <= analytic.value, "lp {} > analytic {}", lp.value, analytic.value);
        for _ in 0..200 {
            let x = common::sample_in_domain(&domain, &mut rng);
            for (z, b) in net.hidden_pre_activations(x.view()).iter().zip(&lp.bounds) {
                for i in 0..z.len() {
                    prop_assert!(b.lower[i] <= z[i] && z[i] <= b.upper[i],
                        "unit {i}: {} not in [{}, {}]", z[i], b.lower[i], b.upper[i]);
                    match b.stability[i] {
                        Stability::Active => prop_assert!(z[i] > 0.0),
                        Stability::Inactive => prop_assert!(z[i] <= 0.0),
                        Stability::Unstable => {}
                    }
                }
            }
        }
    }

    /// The LP bound does not grow when the radius shrinks (nested domains, nested relaxations).
    #[test]
    fn lp_bound_is_monotone_in_radius(hidden in prop::collection::vec(2usize..8, 1..4), seed in 0u64..1_000_000,
                                      r in 0.05f64..1.0, linf in any::<bool>()) {
        let net = common::random_network(&shape(2, &hidden), seed, 1.0);
        let center = array![0.3, -0.2];
        let small = local_lp(&net, &Domain::ball(center.clone(), r, norm_of(linf)).unwrap(), None).unwrap();
        let large = local_lp(&net, &Domain::ball(center, 2.0 * r, norm_of(linf)).unwrap(), None).unwrap();
        prop_assert!(small.value <= large.value, "r {r}: {} > {} at 2r", small.value, large.value);
    }
}

/// ACAS Xu 1_1 around (0.64, 0, 0, 0.475, −0.475): the LP bound is strictly below the analytic
/// one, has
/// no more unstable units in any layer, and stays above the exact count (box r = 0.01 is small).
#[test]
fn acasxu_lp_is_strictly_tighter() {
    let Some(path) = common::shared_path("benchmarks/acasxu/ACASXU_experimental_v2a_1_1.nnet")
    else {
        return;
    };
    let net = load_network(&path).unwrap().network;
    for norm in [Norm::L2, Norm::Linf] {
        for r in [0.01, 0.02, 0.05] {
            let domain = Domain::ball(array![0.64, 0.0, 0.0, 0.475, -0.475], r, norm).unwrap();
            let lp = local_lp(&net, &domain, None).unwrap();
            let analytic = local_analytic(&net, &domain).unwrap();
            assert!(
                lp.value < analytic.value,
                "{norm:?} r {r}: lp {} vs analytic {}",
                lp.value,
                analytic.value
            );
            let enc = enclose(&net, &domain).unwrap();
            for (l, e) in lp.layers.iter().zip(&enc) {
                assert!(l.unstable <= e.count(Stability::Unstable));
            }
            if norm == Norm::Linf && r <= 0.02 {
                let n = exact(&net, &domain);
                assert!(
                    lp.value >= BigUint::from(n),
                    "r {r}: lp {} < exact {n}",
                    lp.value
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The weak-duality bound holds for arbitrary multipliers (not only the LP's): it is never
    /// below c·x at feasible sampled points, in both norms; with HiGHS's duals it is tight on a
    /// box (see `certified_bound_is_tight_with_lp_duals`).
    #[test]
    fn weak_duality_bound_is_valid_for_any_multipliers(y in prop::collection::vec(-3.0f64..3.0, 2),
                                                        c in prop::collection::vec(-2.0f64..2.0, 2),
                                                        linf in any::<bool>(), seed in 0u64..1000) {
        use relu_regions::bounds::lp::highs_lp::LpModel;
        use relu_regions::bounds::lp::relaxation::certified_upper;
        let domain = Domain::ball(array![0.0, 0.0], 1.0, norm_of(linf)).unwrap();
        let mut model = LpModel::default();
        model.add_col(-1.0, 1.0);
        model.add_col(-1.0, 1.0);
        model.add_row(&[(0, 1.0), (1, 2.0)], f64::NEG_INFINITY, 1.0);
        model.add_row(&[(0, 1.0), (1, -1.0)], -0.5, 0.5);
        let ub = certified_upper(&model, &domain, &c, 0.25, &y);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for _ in 0..500 {
            let x = common::sample_in_domain(&domain, &mut rng);
            if x[0] + 2.0 * x[1] <= 1.0 && (x[0] - x[1]).abs() <= 0.5 {
                prop_assert!(c[0] * x[0] + c[1] * x[1] + 0.25 <= ub, "{ub} at {x}");
            }
        }
    }
}

/// With the LP's own duals the certified bound reaches the LP optimum: max x + y over the box
/// [−1, 1]² with x + 2y ≤ 1 and |x − y| ≤ 0.5 is attained where x + 2y = 1 and x − y = 0.5,
/// at (2/3, 1/6), value 5/6.
#[test]
fn certified_bound_is_tight_with_lp_duals() {
    use relu_regions::bounds::lp::highs_lp::{HighsLp, LpModel};
    use relu_regions::bounds::lp::relaxation::certified_upper;
    let domain = Domain::ball(array![0.0, 0.0], 1.0, Norm::Linf).unwrap();
    let mut model = LpModel::default();
    model.add_col(-1.0, 1.0);
    model.add_col(-1.0, 1.0);
    model.add_row(&[(0, 1.0), (1, 2.0)], f64::NEG_INFINITY, 1.0);
    model.add_row(&[(0, 1.0), (1, -1.0)], -0.5, 0.5);
    let mut lp = HighsLp::new(&model).unwrap();
    let y = lp.minimize(&[-1.0, -1.0]).unwrap().unwrap();
    let ub = certified_upper(&model, &domain, &[1.0, 1.0], 0.0, &y);
    assert!((5.0 / 6.0..5.0 / 6.0 + 1e-9).contains(&ub), "{ub}");
}
