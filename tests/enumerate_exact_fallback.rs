//! The exact fallback: splits that floating point cannot settle (duplicate hyperplanes, a
//! hyperplane tangent to the ball, a unit whose map cancels to a constant 0) are decided in
//! rational arithmetic, and the count is exact; with the fallback off the same counts are honest
//! sandwiches. Truth: the brute-force oracle (one Chebyshev program per pattern, Clarabel) and a
//! hand argument in each net's doc.

mod common;
mod enumerate_support;

use enumerate_support::{brute_force, check_witnesses};
use ndarray::{array, Array1};
use num_bigint::BigUint;
use relu_regions::enumerate::{interior_tol, CollectingSink, CountOptions, CountOutcome};
use relu_regions::{count_with_witnesses, Domain, Layer, Network, Norm, Stop, Undecided};

/// Layer 1: x + y/2 + 1/10 twice, the same hyperplane scaled by 2, and y − 1 (tangent to the
/// unit disc, an edge of the unit box). Layer 2: u1 = h1 − h2 + h3 + h4 (= 2s on the side
/// s = x + y/2 + 1/10 > 0, where h4 = 0) and u2 = h1 + h2 − h3 (≡ 0: off everywhere). So 2
/// regions in the unit disc and in the unit box, though floating point sees every side of the
/// repeated units and of u2 within rounding of 0.
fn degenerate_net() -> Network {
    Network::new(vec![
        Layer::new(
            array![[1.0, 0.5], [1.0, 0.5], [2.0, 1.0], [0.0, 1.0]],
            array![0.1, 0.1, 0.2, -1.0],
        ),
        Layer::new(
            array![[1.0, -1.0, 1.0, 1.0], [1.0, 1.0, -1.0, 0.0]],
            array![0.0, 0.0],
        ),
        Layer::new(array![[1.0, 1.0]], array![0.0]),
    ])
    .unwrap()
}

fn run(net: &Network, domain: &Domain, exact_fallback: bool) -> (CountOutcome, CollectingSink) {
    let sink = CollectingSink::new();
    let settings = CountOptions {
        exact_fallback,
        ..Default::default()
    };
    let res = count_with_witnesses(net, domain, &settings, &sink).unwrap();
    (res, sink)
}

fn domains() -> Vec<Domain> {
    vec![
        Domain::ball(array![0.0, 0.0], 1.0, Norm::L2).unwrap(),
        Domain::ball(array![0.0, 0.0], 1.0, Norm::Linf).unwrap(),
    ]
}

#[test]
fn degenerate_splits_are_settled_exactly() {
    let net = degenerate_net();
    for domain in domains() {
        let (res, sink) = run(&net, &domain, true);
        assert!(res.exact, "{res:?}");
        assert_eq!(res.regions, 2, "{res:?}");
        assert!(
            res.exact_calls > 0,
            "the fallback was not exercised: {res:?}"
        );
        assert_eq!(res.undecided, 0);
        let found = check_witnesses(&net, &domain, &sink.into_regions());
        let (truth, _) = brute_force(&net, &domain, interior_tol(&domain));
        assert_eq!(found, truth);
    }
}

#[test]
fn without_the_fallback_the_same_count_is_an_honest_sandwich() {
    let net = degenerate_net();
    for domain in domains() {
        let (res, _) = run(&net, &domain, false);
        assert!(!res.exact, "{res:?}");
        assert!(res.undecided > 0);
        assert_eq!(res.exact_calls, 0);
        assert!(
            res.lower <= 2 && BigUint::from(2u32) <= res.upper,
            "{res:?}"
        );
        assert_eq!(res.stop, Stop::Undecided(Undecided::FallbackOff));
        assert!(res.stop.to_string().contains("fallback is off"));
    }
}

/// Two units one float step apart far from the origin: x − c and x − (c + 2^-12) with
/// c = 2^40 + 1/2, where 2^-12 is one ulp. The middle region is one float step wide, yet a
/// quarter of the radius 2^-10 or 2^-12 of it (radius 1): in the domain's unit coordinates it is
/// an ordinary region, and the proofs of the count are made there. Truth: 3 regions (1-D).
#[test]
fn a_region_one_float_step_wide_far_from_the_origin_is_counted() {
    let c = 2f64.powi(40) + 0.5;
    let step = 2f64.powi(-12); // one ulp at 2^40
    let net = Network::new(vec![
        Layer::new(array![[1.0], [1.0]], array![-c, -(c + step)]),
        Layer::new(array![[1.0, 1.0]], array![0.0]),
    ])
    .unwrap();
    for r in [1.0, 2f64.powi(-10)] {
        let domain = Domain::ball(Array1::from_elem(1, c + step / 2.0), r, Norm::L2);
        // c + step/2 is not a float: the ball is centered on the float below or above; both
        // hyperplanes stay inside for r = 1 and r = 2^-10 (both ≥ one ulp)
        let domain = domain.unwrap();
        let (res, _) = run(&net, &domain, true);
        assert!(res.exact && res.regions == 3, "r {r}: {res:?}");
    }
}

/// A region narrower than the float grid: h1 = relu(x − 1/2), z = 2^60 h1 − 1 is 0 at
/// x = 1/2 + 2^-60, and floats near 1/2 are 2^-53 apart, so no float lies in
/// (1/2, 1/2 + 2^-60), where h1 is on and z off. Truth: 3 regions (x < 1/2, that sliver, and
/// x > 1/2 + 2^-60). Floating point cannot see the sliver; the exact fallback proves it.
#[test]
fn a_region_narrower_than_the_float_grid_is_found_exactly() {
    let net = Network::new(vec![
        Layer::new(array![[1.0]], array![-0.5]),
        Layer::new(array![[2f64.powi(60)]], array![-1.0]),
        Layer::new(array![[1.0]], array![0.0]),
    ])
    .unwrap();
    for norm in [Norm::L2, Norm::Linf] {
        let domain = Domain::ball(array![0.0], 1.0, norm).unwrap();
        let (res, _) = run(&net, &domain, true);
        assert!(res.exact && res.regions == 3, "{norm:?}: {res:?}");
        assert!(res.exact_calls > 0);
        let (off, _) = run(&net, &domain, false);
        assert!(
            !off.exact && off.lower <= 3 && BigUint::from(3u32) <= off.upper,
            "{norm:?} without the fallback: {off:?}"
        );
    }
}
