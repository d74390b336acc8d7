//! Regression tests for the scale- and translation-dependence of the enumerator (counts that
//! change with the coordinates or units the input is measured in, while the result still says
//! `exact: true`). Every test builds one reproduction of the report and checks the count against
//! an independent truth:
//!
//! * one-input networks: an exact 1-D counter in rational arithmetic (`exact_regions_1d`): every
//!   weight, bias, center and radius is converted to a rational without rounding, every breakpoint
//!   is computed exactly, and each piece's pattern is taken at its exact midpoint — no tolerance;
//! * the thin 2-D box: a hand argument (a single line that splits the box into two halves);
//! * random 2-D networks rescaled layer by layer: the count of the unscaled network, which is
//!   provably the same when the scaling is by powers of two (exact in f64), and which brackets
//!   the decimal (10^-3, 10^-4) scalings through the sound property (an exact answer equals it,
//!   an inexact one sandwiches it).
//!
//! A result passes when it is exact and equal to the truth; for the overflow/underflow networks
//! (weights 10^200, 10^-170 with radius 10^160) an honest sandwich (`!exact` with
//! lower ≤ truth ≤ upper) is accepted as well.

mod common;

use common::random_network;
use ndarray::{array, Array1};
use num_bigint::{BigInt, BigUint};
use num_rational::BigRational;
use num_traits::{Signed, Zero};
use relu_regions::enumerate::CountOutcome;
use relu_regions::{ActivationPattern, Domain, Layer, Network, Norm};

// ---------------------------------------------------------------- helpers

fn count(net: &Network, domain: &Domain) -> CountOutcome {
    common::count_one_thread(net, domain)
}

fn q(v: f64) -> BigRational {
    common::rational(v)
}

/// The exact number of linear regions of a one-input network meeting the open interval
/// (lo, hi) (given as f64 values, taken exactly): the pieces between consecutive breakpoints,
/// computed layer by layer in rational arithmetic, merged when neighbours share a pattern.
fn exact_regions_1d(net: &Network, lo: f64, hi: f64) -> u64 {
    assert_eq!(net.input_dim(), 1);
    let layers: Vec<(Vec<BigRational>, Vec<BigRational>)> = net
        .hidden_layers()
        .iter()
        .map(|l| {
            (
                l.weight.as_dense().unwrap().iter().map(|&v| q(v)).collect(), // row-major (out, in)
                l.bias.iter().map(|&v| q(v)).collect(),
            )
        })
        .collect();
    let mut pieces = Vec::new();
    // layer 1's pre-activations as (slope, intercept) in x
    let first: Vec<(BigRational, BigRational)> = layers[0]
        .0
        .iter()
        .cloned()
        .zip(layers[0].1.iter().cloned())
        .collect();
    refine_exact(
        &layers,
        q(lo),
        q(hi),
        0,
        first,
        &mut Vec::new(),
        &mut pieces,
    );
    pieces.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out: Vec<ActivationPattern> = Vec::new();
    for (_, pat) in pieces {
        if out.last() != Some(&pat) {
            assert!(!out.contains(&pat), "a region met twice along a line");
            out.push(pat);
        }
    }
    out.len() as u64
}

fn refine_exact(
    layers: &[(Vec<BigRational>, Vec<BigRational>)],
    lo: BigRational,
    hi: BigRational,
    layer: usize,
    maps: Vec<(BigRational, BigRational)>,
    prefix: &mut Vec<Vec<bool>>,
    pieces: &mut Vec<(BigRational, ActivationPattern)>,
) {
    let mut cuts = vec![lo.clone(), hi.clone()];
    for (a, b) in &maps {
        if !a.is_zero() {
            let t = -b / a;
            if t > lo && t < hi {
                cuts.push(t);
            }
        }
    }
    cuts.sort();
    cuts.dedup();
    let two = BigRational::from_integer(BigInt::from(2));
    for w in cuts.windows(2) {
        let mid = (&w[0] + &w[1]) / &two;
        let mask: Vec<bool> = maps
            .iter()
            .map(|(a, b)| (a * &mid + b).is_positive())
            .collect();
        prefix.push(mask.clone());
        if layer + 1 == layers.len() {
            pieces.push((w[0].clone(), ActivationPattern::new(prefix.clone())));
        } else {
            // next layer: z' = W D z + b', with z = a x + b on this piece
            let (wn, bn) = &layers[layer + 1];
            let width = maps.len();
            let next: Vec<(BigRational, BigRational)> = bn
                .iter()
                .enumerate()
                .map(|(i, bi)| {
                    let mut a = BigRational::zero();
                    let mut b = bi.clone();
                    for (j, (aj, cj)) in maps.iter().enumerate() {
                        if mask[j] {
                            a += &wn[i * width + j] * aj;
                            b += &wn[i * width + j] * cj;
                        }
                    }
                    (a, b)
                })
                .collect();
            refine_exact(
                layers,
                w[0].clone(),
                w[1].clone(),
                layer + 1,
                next,
                prefix,
                pieces,
            );
        }
        prefix.pop();
    }
}

/// The count must be exact and equal to the truth.
fn assert_exact_count(res: &CountOutcome, truth: u64, what: &str) {
    assert!(
        res.exact && res.regions == truth,
        "{what}: {}; truth {truth}",
        common::describe(res)
    );
}

/// Either exact and equal to the truth, or an honest sandwich: not exact, lower ≤ truth ≤ upper.
fn assert_exact_or_sandwich(res: &CountOutcome, truth: u64, what: &str) {
    let ok = if res.exact {
        res.regions == truth
    } else {
        res.lower <= truth && BigUint::from(truth) <= res.upper
    };
    assert!(ok, "{what}: {}; truth {truth}", common::describe(res));
}

/// The count of `net` in the L2 ball and the box c ± r against the exact 1-D counter, which must
/// give `expected`; exact and equal required, or (`sandwich_ok`) an honest sandwich accepted.
fn check_1d(net: &Network, c: f64, r: f64, expected: u64, sandwich_ok: bool) {
    for (domain, truth) in interval_1d(net, c, r) {
        assert_eq!(truth, expected, "the exact 1-D counter");
        let (res, what) = (count(net, &domain), format!("{:?}", domain.norm()));
        if sandwich_ok {
            assert_exact_or_sandwich(&res, truth, &what);
        } else {
            assert_exact_count(&res, truth, &what);
        }
    }
}

fn interval_1d(net: &Network, c: f64, r: f64) -> Vec<(Domain, u64)> {
    let truth = exact_regions_1d(net, c - r, c + r);
    // c ± r rounded must equal the domain's interval, or the truth is about another interval
    assert_eq!(q(c - r), q(c) - q(r), "c - r is not exact");
    assert_eq!(q(c + r), q(c) + q(r), "c + r is not exact");
    [Norm::L2, Norm::Linf]
        .into_iter()
        .map(|norm| (Domain::ball(array![c], r, norm).unwrap(), truth))
        .collect()
}

// ---------------------------------------------------------------- the exact counter itself

#[test]
fn exact_1d_counter_agrees_with_the_float_tracker_on_tame_nets() {
    for seed in 0..4 {
        let net = random_network(&[1, 6, 5, 1], 300 + seed, 1.0);
        let p = common::exact_patterns_on_segment(&net, &array![0.0], &array![1.0], -1.5, 1.5);
        assert_eq!(
            exact_regions_1d(&net, -1.5, 1.5),
            p.len() as u64,
            "seed {seed}"
        );
    }
    // a unit identically zero on a piece does not cut; a duplicate breakpoint counts once
    let net = common::net_from(vec![
        (vec![vec![1.0], vec![2.0], vec![-1.0]], vec![0.0, 0.0, 0.0]),
        (
            vec![vec![1.0, 0.0, 0.0], vec![0.0, 0.0, 1.0]],
            vec![0.0, -0.5],
        ),
        (vec![vec![1.0, 1.0]], vec![0.0]),
    ]);
    // x < -0.5: (001, 01); -0.5 < x < 0: (001, 00); x > 0: (110, 10)
    assert_eq!(exact_regions_1d(&net, -1.0, 1.0), 3);
}

// ---------------------------------------------------------------- reproductions

/// One input, one hidden unit 10^-3·x, center 0, radius 10^-9: the unit splits the interval at 0.
#[test]
fn tiny_ball_around_a_weak_unit() {
    let net = common::net_from(vec![
        (vec![vec![1e-3]], vec![0.0]),
        (vec![vec![1.0]], vec![0.0]),
    ]);
    check_1d(&net, 0.0, 1e-9, 2, false);
}

/// One input, center 10000, radius 1: two breakpoints 10^-6 apart leave a middle region of
/// width 10^-6 (inscribed radius 5·10^-7).
#[test]
fn narrow_middle_region_far_from_the_origin() {
    let c = 10000.0;
    let net = common::net_from(vec![
        (vec![vec![1.0], vec![1.0]], vec![-c, -(c + 1e-6)]),
        (vec![vec![1.0, -1.0]], vec![0.0]),
    ]);
    check_1d(&net, c, 1.0, 3, false);
}

/// A unit with zero weights and bias 10^-13 (always on, never cuts) next to the unit x:
/// two regions in (−1, 1).
#[test]
fn constant_unit_with_a_tiny_bias_next_to_a_real_unit() {
    let net = common::net_from(vec![
        (vec![vec![0.0], vec![1.0]], vec![1e-13, 0.0]),
        (vec![vec![1.0, 1.0]], vec![0.0]),
    ]);
    check_1d(&net, 0.0, 1.0, 2, false);
    // the same in two inputs (zero row), where the 1-D counter does not apply: the unit x splits
    // the disc and the square into two halves, the zero-row unit is on everywhere.
    let net = common::net_from(vec![
        (vec![vec![0.0, 0.0], vec![1.0, 0.0]], vec![1e-13, 0.0]),
        (vec![vec![1.0, 1.0]], vec![0.0]),
    ]);
    for norm in [Norm::L2, Norm::Linf] {
        let domain = Domain::ball(array![0.0, 0.0], 1.0, norm).unwrap();
        assert_exact_count(&count(&net, &domain), 2, &format!("2-D {norm:?}"));
    }
}

/// The box [−1, 1] × [0.5, 0.5 + 2·10^-10] cut by the unit y − y0, y0 ≈ 0.5 + 10^-10.
/// Hand argument: the unit's zero set is the line y = y0 exactly (weight row (0, 1), bias −y0);
/// the f64 comparisons below show 0.5 < y0 < 0.5 + 2·10^-10 (the upper bound as stored), so the
/// line splits the open box into two non-empty open boxes [−1, 1] × (0.5, y0) and
/// [−1, 1] × (y0, top), one per side: 2 regions.
#[test]
fn thin_box_cut_by_one_unit() {
    let top = 0.5 + 2e-10;
    let y0 = 0.5 + 1e-10;
    assert!(0.5 < y0 && y0 < top);
    let net = common::net_from(vec![
        (vec![vec![0.0, 1.0]], vec![-y0]),
        (vec![vec![1.0]], vec![0.0]),
    ]);
    let domain = Domain::from_bounds(&array![-1.0, 0.5], &array![1.0, top]).unwrap();
    // the domain's own (rounded) bounds still straddle y0
    let (lower, upper) = domain.bounding_box();
    assert!(lower[1] < y0 && y0 < upper[1]);
    assert_exact_count(&count(&net, &domain), 2, "thin box");
    // and the same strip as a 1-D problem along y (exact counter)
    let net1 = common::net_from(vec![
        (vec![vec![1.0]], vec![-y0]),
        (vec![vec![1.0]], vec![0.0]),
    ]);
    assert_eq!(exact_regions_1d(&net1, 0.5, top), 2);
}

/// Weights of 10^200: layer 2's pre-activation has slope 10^400 (not a float). u1 = relu(10^200 x),
/// u2 = relu(10^200 x − 0.5·10^200), v = 10^200 u1 − 3·10^200 u2: v = 10^400 x on (0, 0.5) and
/// 10^400 (1.5 − 2x) beyond, zero at 0.75. Exact count in (−1, 1): 4.
#[test]
fn huge_weights_overflow() {
    let net = common::net_from(vec![
        (vec![vec![1e200], vec![1e200]], vec![0.0, -0.5e200]),
        (vec![vec![1e200, -3e200]], vec![0.0]),
        (vec![vec![1.0]], vec![0.0]),
    ]);
    check_1d(&net, 0.0, 1.0, 4, true);
}

/// Weights of 10^-170 with radius 10^160: layer 2's slope 10^-340 underflows to 0 in f64.
/// u = relu(10^-170 x), v = 10^-170 u − 10^-190 = 10^-340 x − 10^-190 on x > 0, zero at x = 10^150
/// (inside the ball). Exact count in (−10^160, 10^160): 3.
#[test]
fn tiny_weights_with_a_huge_radius_underflow() {
    let net = common::net_from(vec![
        (vec![vec![1e-170]], vec![0.0]),
        (vec![vec![1e-170]], vec![-1e-190]),
        (vec![vec![1.0]], vec![0.0]),
    ]);
    check_1d(&net, 0.0, 1e160, 3, true);
}

// ---------------------------------------------------------------- rescaled layers

/// Rounds to a multiple of 2^-20 (so that the translation below is exact).
fn dyadic(v: f64) -> f64 {
    (v * 1048576.0).round() / 1048576.0
}

fn scale_layers(net: &Network, alpha: f64) -> Network {
    common::scale_layers(net, &vec![alpha; net.layers().len()])
}

/// N(x) = N0((x − c)·2^e), computed exactly (asserted with rationals).
fn move_and_shrink(net0: &Network, c: &Array1<f64>, e: i32) -> Network {
    let s = 2f64.powi(e);
    let mut layers: Vec<Layer> = net0.layers().to_vec();
    let first = &net0.layers()[0];
    let w = first.weight.as_dense().unwrap() * s;
    let b = &first.bias - &w.dot(c);
    for i in 0..b.len() {
        let mut exact = q(first.bias[i]);
        for j in 0..c.len() {
            exact -= q(w[[i, j]]) * q(c[j]);
        }
        assert_eq!(q(b[i]), exact, "translated bias {i} is not exact");
    }
    layers[0] = Layer::new(w, b);
    Network::new(layers).unwrap()
}

/// A random network rounded to multiples of 2^-20 (so that moving it below is exact).
fn dyadic_net(widths: &[usize], seed: u64) -> Network {
    let raw = random_network(widths, seed, 0.5);
    Network::new(
        raw.layers()
            .iter()
            .map(|l| {
                Layer::new(
                    l.weight.as_dense().unwrap().mapv(dyadic),
                    l.bias.mapv(dyadic),
                )
            })
            .collect(),
    )
    .unwrap()
}

/// The nets of the layer-scaling reproductions: ~50–120 regions in the unit ball.
const SCALED_NETS: [(&[usize], u64); 2] = [(&[2, 8, 8, 1], 13), (&[2, 6, 6, 6, 1], 21)];

/// The exact count of N0 in its unit ball (or box) around the origin, checked against a sampling
/// lower bound: the reference of the layer-scaling reproductions.
fn base_count(net0: &Network, d0: &Domain, seed: u64) -> u64 {
    let base = count(net0, d0);
    assert!(base.exact, "base count not exact");
    let sampled = common::sampled_patterns(net0, d0, 20_000, seed).len() as u64;
    assert!(
        base.regions >= sampled,
        "base count below a sampled lower bound"
    );
    base.regions
}

/// The report's first reproduction, at unit scale: layer l multiplied by α, its bias by α^l
/// (every pre-activation of layer l multiplied by α^l > 0, the pattern unchanged). With α a
/// power of two (2^-10, 2^-13) the scaled network is exactly equivalent, so its count must equal
/// the unscaled one; with α = 10^-3, 10^-4 (rounded products) only the sound property is
/// required: exact and equal, or lower ≤ base ≤ upper.
#[test]
fn layer_scaling_keeps_the_count() {
    for (widths, seed) in SCALED_NETS {
        let net0 = dyadic_net(widths, seed);
        for norm in [Norm::L2, Norm::Linf] {
            let d0 = Domain::ball(array![0.0, 0.0], 1.0, norm).unwrap();
            let truth = base_count(&net0, &d0, seed);
            let what = |s: &str| format!("{widths:?} seed {seed} {norm:?} {s} (base {truth})");
            for k in [10, 13] {
                let scaled = scale_layers(&net0, 2f64.powi(-k));
                assert_exact_count(&count(&scaled, &d0), truth, &what(&format!("alpha 2^-{k}")));
            }
            for alpha in [1e-3, 1e-4] {
                let scaled = scale_layers(&net0, alpha);
                assert_exact_or_sandwich(
                    &count(&scaled, &d0),
                    truth,
                    &what(&format!("alpha {alpha:e}")),
                );
            }
        }
    }
}

/// The same networks with their ball (radius 2^-12) away from the origin, at c = (−400, 250.75):
/// the moved network is exactly N0 in other coordinates (x = c + 2^-12 u, asserted exact), so it
/// and its power-of-two layer scalings must have the count of N0 in the unit ball; the decimal
/// scalings must satisfy the sound property.
#[test]
fn layer_scaling_away_from_the_origin_keeps_the_count() {
    for (widths, seed) in SCALED_NETS {
        let net0 = dyadic_net(widths, seed);
        let c = array![-400.0, 250.75];
        let e = 12;
        let net = move_and_shrink(&net0, &c, e);
        for norm in [Norm::L2, Norm::Linf] {
            let d0 = Domain::ball(array![0.0, 0.0], 1.0, norm).unwrap();
            let truth = base_count(&net0, &d0, seed);
            let what = |s: &str| format!("{widths:?} seed {seed} {norm:?} {s} (base {truth})");
            let d = Domain::ball(c.clone(), 2f64.powi(-e), norm).unwrap();
            assert_exact_count(&count(&net, &d), truth, &what("moved"));
            for k in [10, 13] {
                let scaled = scale_layers(&net, 2f64.powi(-k));
                assert_exact_count(
                    &count(&scaled, &d),
                    truth,
                    &what(&format!("moved, alpha 2^-{k}")),
                );
            }
            for alpha in [1e-3, 1e-4] {
                let scaled = scale_layers(&net, alpha);
                assert_exact_or_sandwich(
                    &count(&scaled, &d),
                    truth,
                    &what(&format!("moved, alpha {alpha:e}")),
                );
            }
        }
    }
}

// ---------------------------------------------------------------- cases from the review

/// A layer-2 row that cancels to zero in floating point but not exactly: three units x + 1, then
/// z = h1 + 2^-60 h2 − h3 − 2^-60 = 2^-60 x on (−1, ∞). The computed row is 0 (1 + 2^-60 − 1
/// rounds to 0), so only the exact fallback sees that z changes sign at 0. Truth 3 on (−1.5, 1.5).
#[test]
fn a_row_that_cancels_only_in_floating_point() {
    let e = 2f64.powi(-60);
    let net = common::net_from(vec![
        (vec![vec![1.0], vec![1.0], vec![1.0]], vec![1.0, 1.0, 1.0]),
        (vec![vec![1.0, e, -1.0]], vec![-e]),
        (vec![vec![1.0]], vec![0.0]),
    ]);
    check_1d(&net, 0.0, 1.5, 3, false);
}

/// A composed row of size 2^-600 (its squared norm underflows): u1 = relu(x), u2 = relu(x − 1/2),
/// z = 2^-600 u1 + u2 − 2^-602 is 0 at x = 1/4 and stays positive past 1/2. Truth 4 on (−1, 1).
#[test]
fn a_row_whose_squared_norm_underflows() {
    let net = common::net_from(vec![
        (vec![vec![1.0], vec![1.0]], vec![0.0, -0.5]),
        (vec![vec![2f64.powi(-600), 1.0]], vec![-(2f64.powi(-602))]),
        (vec![vec![1.0]], vec![0.0]),
    ]);
    check_1d(&net, 0.0, 1.0, 4, false);
}

/// A net without biases: where x < 0 both units are off and the layer-2 unit is exactly 0
/// (constant, so off). Its witness has z = 0 exactly; the proof must accept a constant unit at 0.
/// Truth 2, also without the exact fallback (then possibly not exact, but both regions proven).
#[test]
fn a_unit_exactly_zero_on_its_region_is_off() {
    let net = common::net_from(vec![
        (vec![vec![1.0], vec![1.0]], vec![0.0, 0.0]),
        (vec![vec![1.0, 1.0]], vec![0.0]),
        (vec![vec![1.0]], vec![0.0]),
    ]);
    check_1d(&net, 0.0, 1.0, 2, false);
    let domain = Domain::ball(array![0.0], 1.0, Norm::L2).unwrap();
    let settings = relu_regions::enumerate::CountOptions {
        exact_fallback: false,
        threads: 1,
        ..Default::default()
    };
    let off = relu_regions::count(&net, &domain, &settings).unwrap();
    assert_eq!(off.lower, 2, "{}", common::describe(&off));
}

/// A tiny ball far out (center 2^12, radius 2^-40), where the repair step once handed Clarabel
/// rows whose unit-coordinate biases are huge and the solver failed: a solver failure is no
/// answer, the count goes on.
#[test]
fn a_solver_failure_does_not_end_the_count() {
    let net = common::net_from(vec![
        (vec![vec![-1.0], vec![-3.0]], vec![-0.5, -3.0]),
        (vec![vec![1.5, 1.0], vec![-1.0, -2.0]], vec![1.5, 0.0]),
        (vec![vec![1.0, 1.0]], vec![0.0]),
    ]);
    check_1d(&net, 2f64.powi(12), 2f64.powi(-40), 1, false);
}

/// A VNN-LIB-style box [1, 1 + 3u] (u = 2^-52) whose center and half width are not floats, cut by
/// 3x − (3 + 10u) = 0 at x = 1 + (10/3)u, just outside it: truth 1. The float box that encloses
/// it contains the cut; the count must be 1, exactly.
#[test]
fn a_box_that_floats_can_only_enclose_is_counted_honestly() {
    let u = f64::EPSILON;
    let net = common::net_from(vec![
        (vec![vec![3.0]], vec![-(3.0 + 10.0 * u)]),
        (vec![vec![1.0]], vec![0.0]),
    ]);
    assert_eq!(exact_regions_1d(&net, 1.0, 1.0 + 3.0 * u), 1);
    let domain = Domain::from_bounds(&array![1.0], &array![1.0 + 3.0 * u]).unwrap();
    assert!(domain.exact_bounds().is_some());
    assert_exact_count(&count(&net, &domain), 1, "enclosed box");
}

/// The box [0.3, 0.4]² (not center ± half width in floats) cut by x = 0.3, its own face: one
/// region. The exact fallback decides on the exact box, not on the float box around it.
#[test]
fn a_hyperplane_on_a_face_of_an_enclosed_box_adds_no_region() {
    let net = common::net_from(vec![
        (vec![vec![1.0, 0.0]], vec![-0.3]),
        (vec![vec![1.0]], vec![0.0]),
    ]);
    let domain = Domain::from_bounds(&array![0.3, 0.3], &array![0.4, 0.4]).unwrap();
    assert!(domain.exact_bounds().is_some());
    assert_exact_count(&count(&net, &domain), 1, "face of an enclosed box");
}
