//! Copy units (`enumerate::copies`): a unit whose row has one positive entry on a unit of the
//! layer before and whose bias is 0 carries that post-ReLU value through its ReLU unchanged, the
//! chain form of a skip connection. Its sign is its source's, decided without geometry. The
//! counts must equal brute force over every pattern (the copies' constraints included, so a
//! pattern whose copy disagrees with its source is excluded by the LP alone) and the network
//! without the copies when they only feed the output; their certificates (KEEP_COPY records)
//! must verify with the independent checker, which reads the copies off the exact weights.

mod common;
mod enumerate_support;

use common::data_path;
use enumerate_support::{assert_counts_as_brute_force, brute_force};
use ndarray::{array, concatenate, s, Array1, Array2, Axis};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relu_regions::check::{check_bytes, CheckError, Verdict};
use relu_regions::enumerate::interior_tol;
use relu_regions::{count, CountOptions, Domain, Layer, Network, Norm};

fn random_matrix(rng: &mut ChaCha8Rng, rows: usize, cols: usize) -> Array2<f64> {
    let s = (3.0 / cols as f64).sqrt();
    Array2::from_shape_fn((rows, cols), |_| rng.gen_range(-s..s))
}

fn random_vector(rng: &mut ChaCha8Rng, len: usize) -> Array1<f64> {
    Array1::from_shape_fn(len, |_| rng.gen_range(-0.5..0.5))
}

/// n0 → w0 → (w1 + w0 copies of layer 0) → (w2 + w0 copies of those copies) → 1: the first
/// layer's outputs reach the last hidden layer and the output through two layers of copies,
/// scaled by `c` (> 0) on the way.
fn carried(n0: usize, w: [usize; 3], c: f64, seed: u64) -> Network {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let [w0, w1, w2] = w;
    let first = Layer::new(random_matrix(&mut rng, w0, n0), random_vector(&mut rng, w0));
    let copies = |width: usize, offset: usize| {
        let mut m = Array2::zeros((w0, width));
        for i in 0..w0 {
            m[[i, offset + i]] = c;
        }
        m
    };
    let second = Layer::new(
        concatenate![Axis(0), random_matrix(&mut rng, w1, w0), copies(w0, 0)],
        concatenate![Axis(0), random_vector(&mut rng, w1), Array1::zeros(w0)],
    );
    let third = Layer::new(
        concatenate![
            Axis(0),
            random_matrix(&mut rng, w2, w1 + w0),
            copies(w1 + w0, w1)
        ],
        concatenate![Axis(0), random_vector(&mut rng, w2), Array1::zeros(w0)],
    );
    let out = Layer::new(
        random_matrix(&mut rng, 1, w2 + w0),
        random_vector(&mut rng, 1),
    );
    Network::new(vec![first, second, third, out]).unwrap()
}

/// A stand-in for the model file's hash in in-memory checks.
const SHA: [u8; 32] = [7; 32];

/// The count with a certificate, and the checker's verdict on it against `net`.
fn certify(net: &Network, domain: &Domain) -> (u64, Result<Verdict, CheckError>) {
    let (regions, bytes) = certificate_bytes(net, domain);
    (regions, check_bytes(net, SHA, &bytes))
}

fn certificate_bytes(net: &Network, domain: &Domain) -> (u64, Vec<u8>) {
    let r = count(net, domain, &CountOptions::new().certificate(true)).unwrap();
    let bytes = r.certificate.as_ref().unwrap().to_bytes(&SHA).unwrap();
    (r.regions, bytes)
}

#[test]
fn a_copy_record_on_a_unit_that_is_not_a_copy_is_refused() {
    let net = carried(2, [3, 2, 2], 1.0, 1);
    let domain = Domain::ball(array![0.1, -0.2], 0.8, Norm::L2).unwrap();
    let (_, bytes) = certificate_bytes(&net, &domain);
    // the same certificate against the net whose copies have a bias: no longer copies
    let mut layers = net.layers().to_vec();
    for u in 2..5 {
        layers[1].bias[u] = 1e-3;
    }
    let tampered = Network::new(layers).unwrap();
    let e = check_bytes(&tampered, SHA, &bytes).unwrap_err().to_string();
    assert!(
        e.contains("KEEP_COPY on unit 5, which is not a copy"),
        "{e}"
    );
}

#[test]
fn carried_units_count_as_brute_force_and_certify() {
    for (seed, c) in [(1, 1.0), (2, 0.5), (3, 3.0), (4, 1.0)] {
        let net = carried(2, [3, 2, 2], c, seed);
        assert_eq!(net.num_hidden_units(), 3 + 5 + 5);
        for (norm, r) in [(Norm::L2, 0.8), (Norm::Linf, 0.6)] {
            let domain = Domain::ball(array![0.1, -0.2], r, norm).unwrap();
            let what = format!("seed {seed} {norm:?}");
            let (fast, _) = assert_counts_as_brute_force(&net, &domain, &what);
            // the copies were decided without a solver or the exact fallback
            assert_eq!(fast.exact_calls, 0, "seed {seed}");
            let (certified, verdict) = certify(&net, &domain);
            assert_eq!(certified, fast.regions, "seed {seed} {norm:?}");
            let verdict = verdict.unwrap_or_else(|e| panic!("seed {seed}: {e}"));
            assert!(verdict.exact && verdict.open == 0, "{verdict:?}");
            assert_eq!(verdict.regions, fast.regions);
        }
    }
}

/// The two-moons net with its 16 first-layer outputs carried through layer 2 into the output:
/// regions are those of the hidden patterns, and the copies' patterns follow their sources, so
/// the count is the plain net's.
#[test]
fn carrying_outputs_to_the_output_layer_keeps_the_count() {
    let net = Network::load(data_path("moons-2-16-16-1.json")).unwrap();
    let layers = net.layers();
    let (w1, w2, out) = (&layers[0], &layers[1], &layers[2]);
    let n1 = w1.output_dim();
    let second = Layer::new(
        concatenate![
            Axis(0),
            w2.weight.as_dense().unwrap().view(),
            Array2::eye(n1).view()
        ],
        concatenate![Axis(0), w2.bias.view(), Array1::zeros(n1).view()],
    );
    let skip = Array2::from_shape_fn((1, n1), |(_, j)| 0.1 * (j % 3) as f64 - 0.1);
    let output = Layer::new(
        concatenate![Axis(1), out.weight.as_dense().unwrap().view(), skip.view()],
        out.bias.clone(),
    );
    let carried = Network::new(vec![w1.clone(), second, output]).unwrap();
    assert_eq!(
        carried.layers()[1]
            .weight
            .as_dense()
            .unwrap()
            .slice(s![16.., ..]),
        Array2::<f64>::eye(n1)
    );
    for (norm, r) in [(Norm::L2, 0.25), (Norm::L2, 2.0), (Norm::Linf, 1.0)] {
        let domain = Domain::ball(array![0.3, -0.2], r, norm).unwrap();
        let plain = count(&net, &domain, &CountOptions::new()).unwrap();
        let with_copies = count(&carried, &domain, &CountOptions::new()).unwrap();
        assert!(plain.exact && with_copies.exact);
        assert_eq!(with_copies.regions, plain.regions, "{norm:?} {r}");
        assert_eq!(with_copies.exact_calls, 0);
    }
}

/// A unit that only looks like a copy (a negative entry, a bias, or two entries) is decided by
/// geometry as any other: the counts still match brute force.
#[test]
fn near_copies_are_ordinary_units() {
    for (seed, c) in [(5, -1.0), (6, 1.0)] {
        let mut net = carried(2, [3, 2, 2], c, seed).layers().to_vec();
        if c > 0.0 {
            net[1].bias[2] = 0.05; // the first copy gets a bias: no longer a copy
        }
        let net = Network::new(net).unwrap();
        let domain = Domain::ball(array![0.1, -0.2], 0.8, Norm::L2).unwrap();
        let (truth, _) = brute_force(&net, &domain, interior_tol(&domain));
        let r = count(&net, &domain, &CountOptions::new()).unwrap();
        assert!(r.exact);
        assert_eq!(r.regions, truth.len() as u64, "seed {seed}");
    }
}
