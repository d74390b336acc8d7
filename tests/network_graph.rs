//! ReLU graphs with skip connections (`network::graph`), lowered to chains with copy units: the
//! chain computes the graph's function, has the graph's activation patterns on its own units
//! (its copies follow their sources), and counts what brute force over every pattern of the
//! chain finds, and on one input what the exact segment count finds.

mod common;
mod enumerate_support;

use common::exact_patterns_on_segment;
use enumerate_support::brute_force;
use ndarray::{array, Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relu_regions::enumerate::interior_tol;
use relu_regions::network::{GraphLayer, ReluGraph, Source};
use relu_regions::{count, CountOptions, Domain, Norm};

fn matrix(rng: &mut ChaCha8Rng, rows: usize, cols: usize) -> Array2<f64> {
    let s = (3.0 / cols as f64).sqrt();
    Array2::from_shape_fn((rows, cols), |_| rng.gen_range(-s..s))
}

fn layer(rng: &mut ChaCha8Rng, units: usize, reads: &[(Source, usize)]) -> GraphLayer {
    GraphLayer {
        terms: reads
            .iter()
            .map(|&(s, cols)| (s, matrix(rng, units, cols).into()))
            .collect(),
        bias: Array1::from_shape_fn(units, |_| rng.gen_range(-0.5..0.5)),
    }
}

/// n → 3 → 2 → 2 → 1 with skips: layer 2 reads layers 0 and 1 (a residual block), the output
/// reads layers 0 and 2 (a long skip carried through two layers).
fn residual(n: usize, seed: u64) -> ReluGraph {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let h = vec![
        layer(&mut rng, 3, &[(Source::Input, n)]),
        layer(&mut rng, 2, &[(Source::Hidden(0), 3)]),
        layer(
            &mut rng,
            2,
            &[(Source::Hidden(1), 2), (Source::Hidden(0), 3)],
        ),
    ];
    let out = layer(
        &mut rng,
        1,
        &[(Source::Hidden(2), 2), (Source::Hidden(0), 3)],
    );
    ReluGraph::new(n, h, out).unwrap()
}

#[test]
fn the_chain_computes_the_graph_and_has_its_patterns() {
    for seed in 0..6 {
        let graph = residual(2, seed);
        let chain = graph.to_chain().unwrap();
        // layer 1 carries h0 (read by layer 2 and the output), layer 2 carries h0 (output)
        assert_eq!(chain.hidden_widths(), vec![3, 2 + 3, 2 + 3]);
        let mut rng = ChaCha8Rng::seed_from_u64(100 + seed);
        for _ in 0..200 {
            let x = array![rng.gen_range(-2.0..2.0), rng.gen_range(-2.0..2.0)];
            let (g, c) = (graph.forward(x.view()), chain.forward(x.view()));
            assert!(
                (g[0] - c[0]).abs() <= 1e-12 * (1.0 + g[0].abs()),
                "{g} vs {c}"
            );
            let gp = graph.activation_pattern(x.view());
            let cp = chain.activation_pattern(x.view());
            for (k, own) in gp.iter().enumerate() {
                assert_eq!(&cp.layers[k][..own.len()], own.as_slice(), "layer {k}");
            }
            // the copies of h0 in layers 1 and 2 follow h0's units
            assert_eq!(&cp.layers[1][2..], gp[0].as_slice());
            assert_eq!(&cp.layers[2][2..], gp[0].as_slice());
        }
    }
}

#[test]
fn a_residual_graph_counts_as_brute_force() {
    for seed in 0..4 {
        let chain = residual(2, seed).to_chain().unwrap();
        for (norm, r) in [(Norm::L2, 1.0), (Norm::Linf, 0.7)] {
            let domain = Domain::ball(array![0.2, -0.1], r, norm).unwrap();
            let (truth, _) = brute_force(&chain, &domain, interior_tol(&domain));
            let c = count(&chain, &domain, &CountOptions::new()).unwrap();
            assert!(c.exact);
            assert_eq!(c.regions, truth.len() as u64, "seed {seed} {norm:?}");
            assert_eq!(c.exact_calls, 0, "the copies need no exact arithmetic");
        }
    }
}

#[test]
fn one_input_residual_graphs_count_as_the_exact_segment() {
    for seed in 0..8 {
        let chain = residual(1, 20 + seed).to_chain().unwrap();
        let domain = Domain::ball(array![0.3], 2.0, Norm::L2).unwrap();
        let c = count(&chain, &domain, &CountOptions::new()).unwrap();
        let segment = exact_patterns_on_segment(&chain, &array![0.3], &array![1.0], -2.0, 2.0);
        assert_eq!(c.regions, segment.len() as u64, "seed {seed}");
    }
}

/// MaxPool of two ReLU outputs as max(a, b) = b + relu(a − b): the output is the larger one.
#[test]
fn max_of_two_units_written_with_a_relu() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let first = layer(&mut rng, 2, &[(Source::Input, 2)]);
    let diff = GraphLayer {
        terms: vec![(Source::Hidden(0), array![[1.0, -1.0]].into())],
        bias: array![0.0],
    };
    let out = GraphLayer {
        terms: vec![
            (Source::Hidden(1), array![[1.0]].into()),
            (Source::Hidden(0), array![[0.0, 1.0]].into()),
        ],
        bias: array![0.0],
    };
    let graph = ReluGraph::new(2, vec![first, diff], out).unwrap();
    let chain = graph.to_chain().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    for _ in 0..200 {
        let x = array![rng.gen_range(-2.0..2.0), rng.gen_range(-2.0..2.0)];
        let h0 = graph.activation_pattern(x.view());
        let y = chain.forward(x.view())[0];
        let first = &chain.layers()[0];
        let h = (first.weight.as_dense().unwrap().dot(&x) + &first.bias).mapv(|v: f64| v.max(0.0));
        assert!((y - h[0].max(h[1])).abs() < 1e-12, "{y} vs max of {h}");
        assert_eq!(h0[0], vec![h[0] > 0.0, h[1] > 0.0]);
    }
    let domain = Domain::ball(array![0.0, 0.0], 1.5, Norm::L2).unwrap();
    let (truth, _) = brute_force(&chain, &domain, interior_tol(&domain));
    let c = count(&chain, &domain, &CountOptions::new()).unwrap();
    assert_eq!(c.regions, truth.len() as u64);
}

#[test]
fn bad_graphs_are_refused_with_the_layer_and_term() {
    let w = |r: usize, c: usize| Array2::<f64>::zeros((r, c));
    let layer = |terms: Vec<(Source, Array2<f64>)>, units: usize| GraphLayer {
        terms: terms.into_iter().map(|(s, w)| (s, w.into())).collect(),
        bias: Array1::zeros(units),
    };
    let out = || layer(vec![(Source::Hidden(0), w(1, 2))], 1);
    let cases = vec![
        (vec![], out(), "at least one hidden layer"),
        (
            vec![layer(vec![(Source::Input, w(2, 3))], 2)],
            out(),
            "hidden layer 0: term 0 has shape 2x3; expected 2x2",
        ),
        (
            vec![
                layer(vec![(Source::Input, w(2, 2))], 2),
                layer(vec![(Source::Input, w(2, 2))], 2),
            ],
            out(),
            "hidden layer 1: term 0 reads the network's input; only hidden layer 0 may",
        ),
        (
            vec![
                layer(vec![(Source::Input, w(2, 2))], 2),
                layer(vec![(Source::Hidden(1), w(2, 2))], 2),
            ],
            out(),
            "hidden layer 1: term 0 reads hidden layer 1; expected a layer before it",
        ),
        (
            vec![layer(vec![], 2)],
            out(),
            "hidden layer 0: has 2 units and 0 terms",
        ),
        (
            vec![layer(vec![(Source::Input, w(2, 2))], 2)],
            layer(vec![(Source::Hidden(0), array![[f64::NAN, 0.0]])], 1),
            "the output layer: term 0: weight[0][0] = NaN",
        ),
    ];
    for (hidden, output, message) in cases {
        let e = ReluGraph::new(2, hidden, output).unwrap_err().to_string();
        assert!(e.contains(message), "{e:?} does not contain {message:?}");
    }
}
