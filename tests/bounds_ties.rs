//! The local bounds with tied units (copies and mirrors, `bounds::jset::LayerCounts::tied`):
//! a tied unit splits no region of its own, so the analytic and LP bounds leave it out of the
//! unstable counts. On leaky-style nets (rows [W; −W]) and nets carrying a layer through copies,
//! every bound stays ≥ the exact count and is smaller than with the tied units counted as
//! unstable; the LP bound's certificate recomputes the same value.

use ndarray::{array, concatenate, Array1, Array2, Axis};
use num_bigint::BigUint;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relu_regions::bounds::lp::certificate::certify_local_lp;
use relu_regions::bounds::{jset_bound, local_analytic, local_lp, serra2018, LayerCounts};
use relu_regions::check::check_bound_bytes;
use relu_regions::{count, CountOptions, Domain, Layer, Network, Norm};

const SHA: [u8; 32] = [5; 32];

fn random_matrix(rng: &mut ChaCha8Rng, rows: usize, cols: usize) -> Array2<f64> {
    let s = (3.0 / cols as f64).sqrt();
    Array2::from_shape_fn((rows, cols), |_| rng.gen_range(-s..s))
}

fn random_vector(rng: &mut ChaCha8Rng, len: usize) -> Array1<f64> {
    Array1::from_shape_fn(len, |_| rng.gen_range(-0.5..0.5))
}

/// n0 → leaky(w0) → leaky(w1) → 1, each leaky layer as rows [W; −W], read by [V, −αV].
fn leaky(n0: usize, w0: usize, w1: usize, seed: u64) -> Network {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mirrored = |w: Array2<f64>, b: Array1<f64>| {
        Layer::new(
            concatenate![Axis(0), w.view(), (-&w).view()],
            concatenate![Axis(0), b.view(), (-&b).view()],
        )
    };
    let reading = |v: Array2<f64>| concatenate![Axis(1), v.view(), (&v * -0.1).view()];
    let first = mirrored(random_matrix(&mut rng, w0, n0), random_vector(&mut rng, w0));
    let second = mirrored(
        reading(random_matrix(&mut rng, w1, w0)),
        random_vector(&mut rng, w1),
    );
    let out = Layer::new(reading(random_matrix(&mut rng, 1, w1)), array![0.0]);
    Network::new(vec![first, second, out]).unwrap()
}

/// n0 → w0 → (w1 + copies of the w0) → 1.
fn carried(n0: usize, w0: usize, w1: usize, seed: u64) -> Network {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let first = Layer::new(random_matrix(&mut rng, w0, n0), random_vector(&mut rng, w0));
    let second = Layer::new(
        concatenate![
            Axis(0),
            random_matrix(&mut rng, w1, w0).view(),
            Array2::eye(w0).view()
        ],
        concatenate![
            Axis(0),
            random_vector(&mut rng, w1).view(),
            Array1::zeros(w0).view()
        ],
    );
    let out = Layer::new(random_matrix(&mut rng, 1, w1 + w0), array![0.0]);
    Network::new(vec![first, second, out]).unwrap()
}

/// The same counts with the tied units taken as unstable (the bound before ties).
fn untied(counts: &[LayerCounts]) -> Vec<LayerCounts> {
    counts
        .iter()
        .map(|c| LayerCounts {
            unstable: c.unstable + c.tied,
            tied: 0,
            ..*c
        })
        .collect()
}

#[test]
fn tied_units_tighten_the_local_bounds_and_stay_above_the_count() {
    let cases = [
        (leaky(2, 4, 3, 1), 1.0),
        (leaky(2, 5, 3, 2), 2.0),
        (carried(2, 4, 3, 3), 1.0),
        (carried(3, 4, 2, 4), 1.5),
    ];
    for (i, (net, r)) in cases.into_iter().enumerate() {
        let n0 = net.input_dim();
        for norm in [Norm::L2, Norm::Linf] {
            let domain = Domain::ball(Array1::from_elem(n0, 0.1), r, norm).unwrap();
            let exact = count(&net, &domain, &CountOptions::new()).unwrap();
            assert!(exact.exact, "case {i}");
            let exact = BigUint::from(exact.regions);
            let analytic = local_analytic(&net, &domain).unwrap();
            let counts: Vec<LayerCounts> = analytic.layers.iter().map(|l| l.counts()).collect();
            assert!(counts.iter().any(|c| c.tied > 0), "case {i}: no tied unit");
            // the bound before ties: the J-set count with them unstable, or serra2018
            let serra = serra2018(n0, &net.hidden_widths());
            let before = jset_bound(n0, &untied(&counts)).min(serra.clone());
            assert!(analytic.value >= exact, "case {i} {norm:?}");
            assert!(
                analytic.value < before,
                "case {i} {norm:?}: {} vs {before}",
                analytic.value
            );
            let lp = local_lp(&net, &domain, None).unwrap();
            eprintln!(
                "case {i} {norm:?}: exact {exact}, analytic {} (untied {before}), lp {} (untied {})",
                analytic.value,
                lp.value,
                jset_bound(n0, &untied(&lp.layers)).min(serra.clone())
            );
            assert!(lp.value >= exact && lp.value <= analytic.value, "case {i}");
            assert!(
                lp.value < jset_bound(n0, &untied(&lp.layers)).min(serra),
                "case {i}"
            );
            // the bound certificate's checker recomputes the same tied counts
            let (_, cert) = certify_local_lp(&net, &domain, None).unwrap();
            let verdict = check_bound_bytes(&net, SHA, &cert.to_bytes(&SHA).unwrap())
                .unwrap_or_else(|e| panic!("case {i}: {e}"));
            assert_eq!(verdict.value, lp.value);
            assert_eq!(verdict.layers, lp.layers);
        }
    }
}
