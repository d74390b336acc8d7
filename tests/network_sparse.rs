//! Sparse layers (`network::Weights::Sparse`, what a MaxPool or a convolution lowers to) mean
//! the same matrix as their dense twins: the forward pass, the exact count (against brute force
//! over every pattern), its certificate (verified by the independent checker), the analytic and
//! LP bounds (≥ the count, and the LP bound's certificate verified) must all agree with the dense
//! network's. A comparison reading only units that are off is a constant, stably off.

mod common;
mod enumerate_support;

use common::{count_one_thread, describe};
use enumerate_support::brute_force;
use ndarray::{array, Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relu_regions::bounds::lp::certificate::certify_local_lp;
use relu_regions::bounds::{local_analytic, local_lp, Stability};
use relu_regions::check::{check_bound_bytes, check_bytes};
use relu_regions::enumerate::interior_tol;
use relu_regions::formats::onnx;
use relu_regions::network::{SparseRows, Weights};
use relu_regions::{count, CountOptions, Domain, Layer, Network, Norm};
use std::path::Path;

const SHA: [u8; 32] = [7; 32];

/// `net` with every layer after the first stored sparse (the first is dense by construction).
fn sparse_twin(net: &Network) -> Network {
    let layers = net
        .layers()
        .iter()
        .map(|l| {
            let dense = l.weight.to_dense().expect("small");
            Layer::new(
                Weights::sparse(SparseRows::from_dense(&dense)),
                l.bias.clone(),
            )
        })
        .collect();
    let twin = Network::new(layers).expect("the same shapes");
    for (l, layer) in twin.layers().iter().enumerate().skip(1) {
        assert!(layer.weight.as_sparse().is_some(), "layer {l} is sparse");
    }
    twin
}

/// A random 2 → 4 → 5 → 3 → 1 network whose layers after the first have about half their
/// entries zero (so the sparse rows skip columns).
fn half_zero_net(seed: u64) -> Network {
    let net = common::random_network(&[2, 4, 5, 3, 1], seed, 0.6);
    let mut rng = ChaCha8Rng::seed_from_u64(seed + 1000);
    let layers = net
        .layers()
        .iter()
        .enumerate()
        .map(|(l, layer)| {
            let mut w = layer.weight.to_dense().expect("small");
            if l > 0 {
                w.mapv_inplace(|v| if rng.gen_bool(0.5) { 0.0 } else { v });
            }
            Layer::new(w, layer.bias.clone())
        })
        .collect();
    Network::new(layers).expect("valid")
}

fn domains() -> Vec<Domain> {
    vec![
        Domain::ball(array![0.1, -0.2], 1.2, Norm::L2).unwrap(),
        Domain::ball(array![-0.3, 0.25], 0.8, Norm::Linf).unwrap(),
    ]
}

fn fixture(name: &str) -> Network {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/onnx_cnn")
        .join(name);
    onnx::read(&path).expect("fixture loads").0
}

#[test]
fn sparse_layers_count_as_their_dense_twins_and_as_brute_force() {
    for seed in 0..10 {
        let net = half_zero_net(seed);
        let twin = sparse_twin(&net);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for _ in 0..20 {
            let x = Array1::from_shape_fn(2, |_| rng.gen_range(-2.0..2.0));
            let (a, b) = (net.forward(x.view()), twin.forward(x.view()));
            assert!(
                (a[0] - b[0]).abs() <= 1e-12 * (1.0 + a[0].abs()),
                "{a} vs {b}"
            );
            assert_eq!(
                net.activation_pattern(x.view()),
                twin.activation_pattern(x.view())
            );
        }
        for domain in domains() {
            let dense = count_one_thread(&net, &domain);
            let sparse = count_one_thread(&twin, &domain);
            assert!(dense.exact && sparse.exact, "{}", describe(&sparse));
            let (truth, _) = brute_force(&twin, &domain, interior_tol(&domain));
            assert_eq!(sparse.regions, truth.len() as u64, "seed {seed}");
            assert_eq!(sparse.regions, dense.regions, "seed {seed}");
        }
    }
}

#[test]
fn graph_fixtures_count_the_same_with_sparse_layers_and_their_certificates_verify() {
    for (name, n0) in [
        ("maxpool_tiny.onnx", None),
        ("residual_tiny.onnx", None),
        ("leaky_branches.onnx", Some(4)),
    ] {
        let net = fixture(name);
        let twin = sparse_twin(&net);
        let n = n0.unwrap_or(net.input_dim());
        let center = Array1::from_shape_fn(n, |i| 0.1 * (i as f64 + 1.0) - 0.2);
        for (radius, norm) in [(0.5, Norm::L2), (0.3, Norm::Linf)] {
            let domain = Domain::ball(center.clone(), radius, norm).unwrap();
            let dense = count_one_thread(&net, &domain);
            let options = CountOptions::new().certificate(true);
            let sparse = count(&twin, &domain, &options).unwrap();
            assert!(dense.exact && sparse.exact, "{name}: {}", describe(&sparse));
            assert_eq!(sparse.regions, dense.regions, "{name} {norm:?}");
            let tree = sparse.certificate.as_ref().unwrap();
            let bytes = tree.to_bytes(&SHA).unwrap();
            // the checker reads the exact weights of either form: both verify the same count
            // (a lower bound with open items where the exact fallback decided a degenerate side)
            for against in [&twin, &net] {
                let verdict = check_bytes(against, SHA, &bytes)
                    .unwrap_or_else(|e| panic!("{name}: certificate fails: {e}"));
                assert_eq!(verdict.regions, sparse.regions, "{name}");
                assert_eq!(verdict.open, tree.open, "{name}: {verdict:?}");
                assert_eq!(verdict.exact, tree.open == 0, "{name}: {verdict:?}");
            }
        }
    }
}

#[test]
fn bounds_of_sparse_layers_hold_and_their_lp_certificates_verify() {
    for seed in 0..6 {
        let net = half_zero_net(seed);
        let twin = sparse_twin(&net);
        for domain in domains() {
            let exact = count_one_thread(&net, &domain).regions;
            let analytic = local_analytic(&twin, &domain).unwrap();
            assert!(analytic.value >= exact.into(), "seed {seed}");
            if domain.norm() == Norm::Linf {
                // the L∞ operator norm is the same row sum in both forms
                let dense = local_analytic(&net, &domain).unwrap();
                assert_eq!(analytic.value, dense.value, "seed {seed}");
            }
            let lp = local_lp(&twin, &domain, None).unwrap();
            assert!(lp.value >= exact.into(), "seed {seed}");
            let (certified, cert) = certify_local_lp(&twin, &domain, None).unwrap();
            assert_eq!(certified.value, lp.value);
            let verdict = check_bound_bytes(&twin, SHA, &cert.to_bytes(&SHA).unwrap())
                .unwrap_or_else(|e| panic!("seed {seed}: bound certificate fails: {e}"));
            assert_eq!(verdict.value, lp.value);
        }
    }
}

/// MaxPool's comparison a − b of two units that are both stably off is the constant 0 on the
/// whole domain: stably off (not "unstable" as an interval [−ε, ε] would say), in both forms.
#[test]
fn a_comparison_of_two_units_that_are_off_is_stably_off() {
    let first = Layer::new(
        array![[1.0, 0.5], [-0.5, 1.0], [1.0, 1.0]],
        array![-10.0, -10.0, 0.0],
    );
    // u0 − u1 (both off: the constant 0), and u2 − 0.3 (the constant −0.3 where u2 is off)
    let compare = Layer::new(
        Array2::from_shape_vec((2, 3), vec![1.0, -1.0, 0.0, 0.0, 0.0, 1.0]).unwrap(),
        array![0.0, -0.3],
    );
    let out = Layer::new(array![[1.0, 1.0]], array![0.0]);
    let net = Network::new(vec![first, compare, out]).unwrap();
    let domain = Domain::ball(array![0.0, 0.0], 1.0, Norm::L2).unwrap();
    for n in [net.clone(), sparse_twin(&net)] {
        let b = local_analytic(&n, &domain).unwrap();
        let l2 = &b.layers[1];
        assert_eq!(l2.stably_inactive, 1, "{l2:?}");
        assert_eq!(l2.unstable, 1, "{l2:?}");
        let enc = relu_regions::bounds::enclose(&n, &domain).unwrap();
        assert_eq!(enc[1].stability[0], Stability::Inactive);
        let c = count(&n, &domain, &CountOptions::new().certificate(true)).unwrap();
        let (truth, _) = brute_force(&n, &domain, interior_tol(&domain));
        assert!(c.exact);
        assert_eq!(c.regions, truth.len() as u64);
        assert!(b.value >= c.regions.into());
        // the constant unit is settled by its exact zero map and its witnesses are proven in
        // floating point: no decision goes to rational arithmetic, and the certificate is whole
        assert_eq!(c.exact_calls, 0, "{}", describe(&c));
        let tree = c.certificate.as_ref().unwrap();
        assert_eq!(tree.open, 0);
        let verdict = check_bytes(&n, SHA, &tree.to_bytes(&SHA).unwrap()).unwrap();
        assert!(verdict.exact && verdict.regions == c.regions, "{verdict:?}");
    }
}

/// A weight that underflows to 0 when the layer is scaled into unit coordinates hides a term:
/// the unit reading it is not an exact constant. u = 1e10 A⁺ − 1e-320 B⁺ + 1e-40 (B = x2 + 2 +
/// 1e300 after the second layer) is exactly ≈ −1e-20 (off) where A is off, so v = 1e60 u⁺ + x2
/// − 0.5 splits the box: the count must be brute force's, or honestly not exact.
#[test]
fn a_weight_that_underflows_in_unit_coordinates_does_not_make_a_constant() {
    let net = Network::new(vec![
        Layer::new(
            array![[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]],
            array![0.0, 0.0, 2.0],
        ),
        Layer::new(
            array![[1.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 1.0]],
            array![-1.5, 1e300, 0.0],
        ),
        Layer::new(
            array![[1e10, -1e-320, 0.0], [0.0, 0.0, 1.0]],
            array![1e-40, 0.0],
        ),
        Layer::new(array![[1e60, 1.0]], array![-2.5]),
        Layer::new(array![[1.0]], array![0.0]),
    ])
    .unwrap();
    let domain = Domain::ball(array![0.0, 0.0], 1.0, Norm::Linf).unwrap();
    let (truth, _) = brute_force(&net, &domain, interior_tol(&domain));
    assert_eq!(truth.len(), 4);
    for n in [net.clone(), sparse_twin(&net)] {
        let c = count_one_thread(&n, &domain);
        assert!(!c.exact || c.regions == 4, "{}", describe(&c));
        assert!(c.lower <= 4, "{}", describe(&c));
    }
}

/// Sparse rows given out of order, with a column repeated and a zero stored, are put in canonical
/// form by `Network::new`: every reader sees the same matrix as the dense twin (a value read by
/// binary search, the count, and a certificate of the dense net checked against it).
#[test]
fn non_canonical_sparse_rows_are_made_canonical() {
    let net = half_zero_net(3);
    let w = net.layers()[1].weight.to_dense().unwrap();
    let mut rows = SparseRows::with_columns(w.ncols());
    for r in 0..w.nrows() {
        let mut e: Vec<(usize, f64)> = Vec::new();
        for c in (0..w.ncols()).rev() {
            e.extend([(c, w[[r, c]] * 0.5), (c, w[[r, c]] * 0.5), (c, 0.0)]);
        }
        rows.push_row(e);
    }
    let mut layers = net.layers().to_vec();
    layers[1] = Layer::new(Weights::Sparse(rows), layers[1].bias.clone());
    let odd = Network::new(layers).unwrap();
    for r in 0..w.nrows() {
        for c in 0..w.ncols() {
            assert_eq!(odd.layers()[1].weight.get(r, c), w[[r, c]]);
        }
    }
    let domain = Domain::ball(array![0.0, 0.0], 1.5, Norm::L2).unwrap();
    let (res, bytes) = {
        let r = count(&net, &domain, &CountOptions::new().certificate(true)).unwrap();
        let b = r.certificate.as_ref().unwrap().to_bytes(&SHA).unwrap();
        (r, b)
    };
    assert_eq!(count_one_thread(&odd, &domain).regions, res.regions);
    let verdict = check_bytes(&odd, SHA, &bytes).unwrap();
    assert_eq!(verdict.regions, res.regions);
}

/// `train::evaluate` reads a network with sparse layers (W hᵀ by rows) as its dense twin.
#[test]
fn evaluation_reads_sparse_layers() {
    let net = common::random_network(&[2, 4, 3, 2], 1, 0.5);
    let twin = sparse_twin(&net);
    let x = Array2::from_shape_fn((5, 2), |(i, j)| (i as f64 - 2.0) * 0.3 + j as f64 * 0.1);
    let data = relu_regions::train::Dataset {
        x,
        y: vec![0, 1, 0, 1, 1],
        classes: 2,
    };
    let (a, b) = (
        relu_regions::train::evaluate(&net, &data),
        relu_regions::train::evaluate(&twin, &data),
    );
    assert_eq!(a.accuracy, b.accuracy);
    assert!((a.loss - b.loss).abs() <= 1e-12 * (1.0 + a.loss.abs()));
}
