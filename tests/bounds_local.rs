//! The local analytic bound against independent counts: exact 1-D breakpoint tracking, dense
//! sampling in 2-D and 3-D balls and boxes; the enclosures against sampled points.

mod common;

use ndarray::Array1;
use num_bigint::BigUint;
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relu_regions::bounds::{enclose, local_analytic, serra2018, Stability};
use relu_regions::{Domain, Norm};

fn norm_of(linf: bool) -> Norm {
    if linf {
        Norm::Linf
    } else {
        Norm::L2
    }
}

fn widths() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(1usize..7, 1..4)
}

fn shape(n0: usize, hidden: &[usize]) -> Vec<usize> {
    let mut w = vec![n0];
    w.extend_from_slice(hidden);
    w.push(1);
    w
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// In 1-D the exact count along the segment (c − r, c + r) is the count in the ball.
    #[test]
    fn local_bound_holds_exactly_in_1d(hidden in widths(), seed in 0u64..1_000_000, c in -2.0f64..2.0,
                                       r in 0.01f64..3.0, linf in any::<bool>()) {
        let net = common::random_network(&shape(1, &hidden), seed, 1.0);
        let domain = Domain::ball(Array1::from_elem(1, c), r, norm_of(linf)).unwrap();
        let bound = local_analytic(&net, &domain).unwrap();
        let exact = common::exact_patterns_on_segment(&net, domain.center(), &Array1::from_elem(1, 1.0), -r, r).len();
        prop_assert!(bound.value >= BigUint::from(exact), "local {} < exact {exact}", bound.value);
        prop_assert!(bound.value <= serra2018(1, &net.hidden_widths()));
    }

    /// In 2-D and 3-D, balls and boxes: at least the distinct patterns found by sampling.
    #[test]
    fn local_bound_dominates_sampled_patterns(n0 in 2usize..4, hidden in widths(), seed in 0u64..1_000_000,
                                              r in 0.05f64..2.0, linf in any::<bool>(), uneven in any::<bool>()) {
        let net = common::random_network(&shape(n0, &hidden), seed, 1.0);
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
        let center = Array1::from_shape_fn(n0, |_| rng.gen_range(-1.0..1.0));
        let domain = if linf && uneven {
            let h = Array1::from_shape_fn(n0, |_| r * rng.gen_range(0.2..1.0));
            Domain::from_bounds(&(&center - &h), &(&center + &h)).unwrap()
        } else {
            Domain::ball(center, r, norm_of(linf)).unwrap()
        };
        let bound = local_analytic(&net, &domain).unwrap();
        let seen = common::sampled_patterns(&net, &domain, 3000, seed).len();
        prop_assert!(bound.value >= BigUint::from(seen), "local {} < sampled {seen}", bound.value);
        prop_assert!(bound.value <= serra2018(n0, &net.hidden_widths()));
    }

    /// Growing the radius never lowers the bound.
    #[test]
    fn local_bound_is_monotone_in_radius(n0 in 1usize..6, hidden in widths(), seed in 0u64..1_000_000,
                                         r in 0.01f64..2.0, grow in 1.0f64..4.0, linf in any::<bool>()) {
        let net = common::random_network(&shape(n0, &hidden), seed, 1.0);
        let center = Array1::from_shape_fn(n0, |i| ((seed + i as u64) % 7) as f64 / 7.0 - 0.5);
        let small = local_analytic(&net, &Domain::ball(center.clone(), r, norm_of(linf)).unwrap()).unwrap();
        let large = local_analytic(&net, &Domain::ball(center, r * grow, norm_of(linf)).unwrap()).unwrap();
        prop_assert!(small.value <= large.value, "r {r}: {} > {} at r {}", small.value, large.value, r * grow);
    }

    /// Every sampled point lies in every enclosure, and stable units keep their sign there.
    #[test]
    fn enclosures_contain_sampled_points(n0 in 1usize..5, hidden in widths(), seed in 0u64..1_000_000,
                                         r in 0.01f64..2.0, linf in any::<bool>()) {
        let net = common::random_network(&shape(n0, &hidden), seed, 1.0);
        let center = Array1::from_shape_fn(n0, |i| ((seed + 3 * i as u64) % 11) as f64 / 11.0 - 0.5);
        let domain = Domain::ball(center, r, norm_of(linf)).unwrap();
        let enc = enclose(&net, &domain).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for _ in 0..200 {
            let x = common::sample_in_domain(&domain, &mut rng);
            for (l, z) in net.hidden_pre_activations(x.view()).iter().enumerate() {
                let e = &enc[l];
                for i in 0..z.len() {
                    prop_assert!(e.lower[i] <= z[i] && z[i] <= e.upper[i], "layer {l} unit {i}");
                    match e.stability[i] {
                        Stability::Active => prop_assert!(z[i] > 0.0),
                        Stability::Inactive => prop_assert!(z[i] < 0.0),
                        Stability::Unstable => {}
                    }
                }
                let d = z.mapv(|v| v.max(0.0)) - &e.center;
                let dist = match domain.norm() {
                    Norm::L2 => d.dot(&d).sqrt(),
                    Norm::Linf => d.iter().fold(0.0f64, |m, v| m.max(v.abs())),
                };
                prop_assert!(dist <= e.radius, "layer {l}: distance {dist} > radius {}", e.radius);
            }
        }
    }
}

#[test]
fn tiny_ball_away_from_every_hyperplane_is_one_region() {
    let net = common::random_network(&[3, 8, 8, 1], 7, 1.0);
    let center = Array1::from_vec(vec![0.3, -0.2, 0.1]);
    let domain = Domain::ball(center, 1e-9, Norm::L2).unwrap();
    let b = local_analytic(&net, &domain).unwrap();
    // unless a hyperplane passes within 1e-9 of the center (not the case for this seed: checked
    // through the margin below), every unit is stable and the bound is 1
    let margin = net.min_abs_pre_activation(domain.center().view());
    assert!(margin > 1e-6, "seed puts a hyperplane at the center");
    assert_eq!(b.value, BigUint::from(1u32));
    assert!(b.layers.iter().all(|l| l.unstable == 0));
    assert!(local_analytic(
        &net,
        &Domain::ball(Array1::zeros(2), 1.0, Norm::L2).unwrap()
    )
    .is_err());
}

#[test]
fn large_network_bound_is_below_serra() {
    // (its speed is measured in benches/bounds.rs, not asserted here)
    let net = common::random_network(&[784, 256, 256, 10], 1, 0.1);
    let center = Array1::from_elem(784, 0.5);
    for (r, norm) in [(0.1, Norm::L2), (0.01, Norm::Linf)] {
        let domain = Domain::ball(center.clone(), r, norm).unwrap();
        let b = local_analytic(&net, &domain).unwrap();
        assert!(b.value <= serra2018(784, &[256, 256]));
    }
}

/// The bound does not depend on the units the network is written in: every layer's weights
/// scaled by s = 2^-20 and layer l's bias by s^l (exact in floating point; the pre-activations of
/// layer l are s^l times the original ones, those of the last hidden layer near 1e-18, below any
/// fixed absolute margin; the regions are the same) calls the same units stable and gives the
/// same bound.
#[test]
fn scaled_layers_give_the_same_bound() {
    use relu_regions::{Layer, Network};
    let net = common::random_network(&[3, 8, 8, 8, 1], 21, 0.3);
    let scale = 2f64.powi(-20);
    let scaled = Network::new(
        net.layers()
            .iter()
            .zip(1..)
            .map(|(l, k)| {
                let bias_scale = scale.powi(k);
                Layer::new(
                    l.weight.as_dense().unwrap().mapv(|w| w * scale),
                    l.bias.mapv(|b| b * bias_scale),
                )
            })
            .collect(),
    )
    .unwrap();
    let center = Array1::from(vec![0.2, -0.1, 0.3]);
    for norm in [Norm::L2, Norm::Linf] {
        let domain = Domain::ball(center.clone(), 0.4, norm).unwrap();
        let plain = local_analytic(&net, &domain).unwrap();
        let small = local_analytic(&scaled, &domain).unwrap();
        assert_eq!(plain.value, small.value, "{norm:?}");
        for (p, s) in plain.layers.iter().zip(&small.layers) {
            assert_eq!(
                (p.unstable, p.stably_active, p.stably_inactive),
                (s.unstable, s.stably_active, s.stably_inactive)
            );
        }
        // and the count it bounds is not above it
        let count = common::count_one_thread(&net, &domain);
        assert!(BigUint::from(count.regions) <= plain.value);
    }
}
