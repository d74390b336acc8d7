//! The enumerator against an oracle in exact arithmetic only: a depth-first search over the
//! hidden units in which every prefix of a pattern is decided by `relu_regions::exact`
//! (rational LP / QP) on the network translated exactly to the domain's center — no floating
//! point decision, no unit coordinates, no rescaling. Random small nets in 2 and 3 inputs are
//! moved far from the origin with decimal (rounded) centers, tiny and large radii, and decimal
//! per-layer scalings; whatever the floats then are, the oracle's count is the truth for them,
//! and the enumerator must match it exactly, or give an honest sandwich of it.

mod common;

use num_bigint::BigUint;
use num_rational::BigRational;
use proptest::prelude::*;
use relu_regions::exact::{pattern_interior, Budget, ExactDomain, ExactNet, Feasibility};
use relu_regions::{Domain, Layer, Network, Norm};

/// The network translated to the center: the same weights, first-layer bias W c + b exactly.
fn exact_net_at(net: &Network, center: &[f64]) -> ExactNet {
    let hidden = net.hidden_layers();
    let biases = hidden
        .iter()
        .enumerate()
        .map(|(l, layer)| {
            (0..layer.output_dim())
                .map(|u| {
                    let mut b = common::rational(layer.bias[u]);
                    if l == 0 {
                        for (j, &c) in center.iter().enumerate() {
                            b += common::rational(layer.weight.as_dense().unwrap()[[u, j]])
                                * common::rational(c);
                        }
                    }
                    b
                })
                .collect::<Vec<BigRational>>()
        })
        .collect();
    ExactNet::new(
        hidden
            .iter()
            .map(|l| l.weight.as_dense().unwrap().clone())
            .collect(),
        biases,
    )
    .expect("valid")
}

/// The number of full patterns with a non-empty interior, by exact depth-first search.
fn oracle_count(net: &ExactNet, domain: &ExactDomain, units: usize) -> u64 {
    let budget = Budget {
        max_work: u64::MAX,
        deadline: None,
    };
    let mut stack = vec![Vec::<bool>::new()];
    let mut count = 0;
    while let Some(prefix) = stack.pop() {
        if prefix.len() == units {
            count += 1;
            continue;
        }
        for side in [true, false] {
            let mut next = prefix.clone();
            next.push(side);
            match pattern_interior(net, domain, &next, &budget) {
                Feasibility::NonEmpty { .. } => stack.push(next),
                Feasibility::Empty => {}
                Feasibility::TooLarge => panic!("the oracle has no budget limit"),
            }
        }
    }
    count
}

fn scale_layers(net: &Network, alpha: f64) -> Network {
    common::scale_layers(net, &vec![alpha; net.layers().len()])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn far_small_and_scaled_domains_match_the_exact_oracle(
        n0 in 2usize..=3,
        hidden in prop::sample::select(vec![vec![3, 3], vec![4, 3], vec![2, 2, 2], vec![5]]),
        seed in any::<u64>(),
        center in prop::collection::vec(-1000.0f64..1000.0, 3),
        log2_radius in -30.0f64..1.0,
        alpha in prop::sample::select(vec![1.0, 1e-3, 1e3, 0.1]),
        box_domain in any::<bool>(),
    ) {
        let base = common::random_network(&common::shape(n0, &hidden), seed, 0.5);
        // the base net's hyperplanes are near the origin: move them to the center (rounded: the
        // oracle's truth is the rounded net's)
        // and shrink it to the ball's size: x ↦ (x − c)/r, i.e. W' = W/r, b' = b − W'c
        let c: Vec<f64> = center[..n0].to_vec();
        let r = 2f64.powf(log2_radius);
        let first = &base.layers()[0];
        let w1 = first.weight.as_dense().unwrap() / r;
        let b1 = &first.bias - &w1.dot(&ndarray::Array1::from(c.clone()));
        let mut layers = base.layers().to_vec();
        layers[0] = Layer::new(w1, b1);
        let net = scale_layers(&Network::new(layers).unwrap(), alpha);
        let norm = if box_domain { Norm::Linf } else { Norm::L2 };
        let domain = Domain::ball(ndarray::Array1::from(c.clone()), r, norm).unwrap();
        let exact_domain = if box_domain {
            ExactDomain::Box { half_widths: vec![r; n0] }
        } else {
            ExactDomain::Ball { radius: r }
        };
        let truth = oracle_count(&exact_net_at(&net, &c), &exact_domain, net.num_hidden_units());
        let res = common::count_one_thread(&net, &domain);
        let ok = if res.exact {
            res.regions == truth
        } else {
            res.lower <= truth && BigUint::from(truth) <= res.upper
        };
        prop_assert!(ok, "{}; exact oracle {}", common::describe(&res), truth);
        // on these small nets the exact fallback always fits its budget
        prop_assert!(res.exact, "{}; exact oracle {}", common::describe(&res), truth);
    }

    /// Integer weights and biases: duplicate and parallel hyperplanes, hyperplanes through the
    /// center, through each other's intersections, tangent to the unit ball or along a face of
    /// the box — the degenerate cases floating point cannot settle, so the exact fallback does.
    #[test]
    fn degenerate_integer_nets_match_the_exact_oracle(
        n0 in 2usize..=3,
        hidden in prop::sample::select(vec![vec![3, 3], vec![4, 2], vec![2, 2, 2]]),
        weights in prop::collection::vec(-2i32..=2, 64),
        biases in prop::collection::vec(-1i32..=1, 16),
        radius in prop::sample::select(vec![1.0, 2.0]),
        box_domain in any::<bool>(),
    ) {
        let widths = common::shape(n0, &hidden);
        let (mut wi, mut bi) = (weights.iter().cycle(), biases.iter().cycle());
        let layers: Vec<Layer> = widths
            .windows(2)
            .map(|w| {
                Layer::new(
                    ndarray::Array2::from_shape_fn((w[1], w[0]), |_| f64::from(*wi.next().unwrap())),
                    ndarray::Array1::from_shape_fn(w[1], |_| f64::from(*bi.next().unwrap())),
                )
            })
            .collect();
        let net = Network::new(layers).unwrap();
        let c = vec![0.0; n0];
        let norm = if box_domain { Norm::Linf } else { Norm::L2 };
        let domain = Domain::ball(ndarray::Array1::from(c.clone()), radius, norm).unwrap();
        let exact_domain = if box_domain {
            ExactDomain::Box { half_widths: vec![radius; n0] }
        } else {
            ExactDomain::Ball { radius }
        };
        let truth = oracle_count(&exact_net_at(&net, &c), &exact_domain, net.num_hidden_units());
        let res = common::count_one_thread(&net, &domain);
        prop_assert!(
            res.exact && res.regions == truth,
            "{}; exact oracle {}",
            common::describe(&res),
            truth
        );
    }
}
