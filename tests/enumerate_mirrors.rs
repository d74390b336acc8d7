//! Mirror units (`enumerate::copies`): a unit whose weight row and bias are exactly −c times an
//! earlier unit's of the same layer (c > 0 a power of two) has pre-activation −c·z, the form of
//! LeakyReLU and PReLU, leaky(z) = relu(z) − α·relu(−z), written as the rows [W; −W] followed by
//! a layer reading both halves with weights [V, −αV]. Its sign is the negation of its source's,
//! decided without geometry (the pair's "both on" side is a band as thin as the rounding, which
//! went to the exact fallback before). The counts must equal brute force over every pattern and,
//! when the leaky layer is the last hidden one, the count of the plain ReLU net with the same W;
//! no exact fallback; certificates (KEEP_MIRROR records) must verify with the independent
//! checker, which reads the mirrors off the exact weights, and refuse a KEEP_MIRROR on a unit
//! that is not one.

mod common;
mod enumerate_support;

use enumerate_support::{assert_counts_as_brute_force, brute_force};
use ndarray::{array, concatenate, Array1, Array2, Axis};
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

/// A leaky layer as ReLU units: rows [W; −cW], bias [b; −cb].
fn mirrored(w: &Array2<f64>, b: &Array1<f64>, c: f64) -> Layer {
    Layer::new(
        concatenate![Axis(0), w.view(), (w * -c).view()],
        concatenate![Axis(0), b.view(), (b * -c).view()],
    )
}

/// The weights [V, −(α/c)V] reading a mirrored layer: V·leaky_α(z) with relu(−cz) = c·relu(−z).
fn reading(v: &Array2<f64>, alpha: f64, c: f64) -> Array2<f64> {
    concatenate![Axis(1), v.view(), (v * (-alpha / c)).view()]
}

/// n0 → leaky(w0) → leaky(w1) → 1 (both hidden layers leaky when `deep`, else n0 → leaky(w0) →
/// 1), and the plain ReLU net with the same first layer and output layer V.
fn leaky(
    n0: usize,
    w0: usize,
    w1: usize,
    alpha: f64,
    c: f64,
    deep: bool,
    seed: u64,
) -> (Network, Network) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (w, b) = (random_matrix(&mut rng, w0, n0), random_vector(&mut rng, w0));
    let first = mirrored(&w, &b, c);
    if !deep {
        let v = random_matrix(&mut rng, 1, w0);
        let bo = random_vector(&mut rng, 1);
        let leaky = Network::new(vec![first, Layer::new(reading(&v, alpha, c), bo.clone())]);
        let plain = Network::new(vec![Layer::new(w, b), Layer::new(v, bo)]);
        return (leaky.unwrap(), plain.unwrap());
    }
    let (v, bv) = (random_matrix(&mut rng, w1, w0), random_vector(&mut rng, w1));
    let second = Layer::new(
        concatenate![
            Axis(0),
            reading(&v, alpha, c).view(),
            (reading(&v, alpha, c) * -c).view()
        ],
        concatenate![Axis(0), bv.view(), (&bv * -c).view()],
    );
    let o = random_matrix(&mut rng, 1, w1);
    let out = Layer::new(reading(&o, alpha, c), random_vector(&mut rng, 1));
    let plain_second = Layer::new(v.clone(), bv.clone());
    let plain = Network::new(vec![
        Layer::new(w, b),
        plain_second,
        Layer::new(o, array![0.0]),
    ]);
    (
        Network::new(vec![first, second, out]).unwrap(),
        plain.unwrap(),
    )
}

/// A stand-in for the model file's hash in in-memory checks.
const SHA: [u8; 32] = [9; 32];

fn certificate_bytes(net: &Network, domain: &Domain) -> (u64, Vec<u8>) {
    let r = count(net, domain, &CountOptions::new().certificate(true)).unwrap();
    let bytes = r.certificate.as_ref().unwrap().to_bytes(&SHA).unwrap();
    (r.regions, bytes)
}

fn certify(net: &Network, domain: &Domain) -> (u64, Result<Verdict, CheckError>) {
    let (regions, bytes) = certificate_bytes(net, domain);
    (regions, check_bytes(net, SHA, &bytes))
}

#[test]
fn leaky_layers_count_as_brute_force_and_certify() {
    for (seed, alpha, c) in [(1, 0.01, 1.0), (2, 0.2, 0.5), (3, 0.1, 4.0), (4, 0.3, 1.0)] {
        let (net, _) = leaky(2, 3, 2, alpha, c, true, seed);
        assert_eq!(net.num_hidden_units(), 6 + 4);
        for (norm, r) in [(Norm::L2, 0.8), (Norm::Linf, 0.6)] {
            let domain = Domain::ball(array![0.1, -0.2], r, norm).unwrap();
            let what = format!("seed {seed} {norm:?}");
            let (fast, patterns) = assert_counts_as_brute_force(&net, &domain, &what);
            // every pair is one on, one off
            for p in &patterns {
                for l in &p.layers {
                    let h = l.len() / 2;
                    assert!((0..h).all(|u| l[u] != l[h + u]), "seed {seed}: {l:?}");
                }
            }
            // the mirrors were decided without the exact fallback
            assert_eq!(fast.exact_calls, 0, "seed {seed}");
            let (certified, verdict) = certify(&net, &domain);
            assert_eq!(certified, fast.regions, "seed {seed} {norm:?}");
            let verdict = verdict.unwrap_or_else(|e| panic!("seed {seed}: {e}"));
            assert!(verdict.exact && verdict.open == 0, "{verdict:?}");
            assert_eq!(verdict.regions, fast.regions);
        }
    }
}

/// One leaky hidden layer: its regions are those of the plain ReLU layer with the same W.
#[test]
fn a_leaky_last_layer_counts_as_its_relu_net() {
    for (seed, c) in [(11, 1.0), (12, 2.0), (13, 0.25)] {
        let (net, plain) = leaky(3, 12, 0, 0.05, c, false, seed);
        for (norm, r) in [(Norm::L2, 1.0), (Norm::Linf, 0.7)] {
            let domain = Domain::ball(array![0.1, -0.2, 0.3], r, norm).unwrap();
            let a = count(&plain, &domain, &CountOptions::new()).unwrap();
            let b = count(&net, &domain, &CountOptions::new()).unwrap();
            assert!(a.exact && b.exact);
            assert_eq!(b.regions, a.regions, "seed {seed} {norm:?}");
            assert_eq!(b.exact_calls, 0, "seed {seed}");
            let (certified, verdict) = certify(&net, &domain);
            assert_eq!(certified, a.regions);
            let verdict = verdict.unwrap_or_else(|e| panic!("seed {seed}: {e}"));
            assert!(verdict.exact && verdict.open == 0, "{verdict:?}");
        }
    }
}

/// A deeper leaky net: each hidden pair follows its ReLU twin's first-layer regions, and the
/// count is the brute force's; a wider one without brute force only certifies.
#[test]
fn wider_leaky_nets_certify_without_the_fallback() {
    let (net, _) = leaky(2, 10, 8, 0.1, 1.0, true, 21);
    let domain = Domain::ball(array![0.0, 0.0], 1.5, Norm::L2).unwrap();
    let r = count(&net, &domain, &CountOptions::new()).unwrap();
    assert!(r.exact);
    assert_eq!(r.exact_calls, 0);
    let (certified, verdict) = certify(&net, &domain);
    assert_eq!(certified, r.regions);
    let verdict = verdict.unwrap();
    assert!(verdict.exact && verdict.open == 0 && verdict.regions == r.regions);
}

#[test]
fn a_mirror_record_on_a_unit_that_is_not_a_mirror_is_refused() {
    let (net, _) = leaky(2, 3, 2, 0.1, 1.0, true, 1);
    let domain = Domain::ball(array![0.1, -0.2], 0.8, Norm::L2).unwrap();
    let (_, bytes) = certificate_bytes(&net, &domain);
    // the same certificate against the net whose mirrors have a slightly different bias
    let mut layers = net.layers().to_vec();
    for u in 3..6 {
        layers[0].bias[u] += 1e-9;
    }
    let tampered = Network::new(layers).unwrap();
    let e = check_bytes(&tampered, SHA, &bytes).unwrap_err().to_string();
    assert!(e.contains("KEEP_MIRROR on unit 3 with source 0"), "{e}");
    // and with a positive multiple (a duplicate, not a mirror)
    let mut layers = net.layers().to_vec();
    for u in 3..6 {
        let row = layers[0].weight.as_dense().unwrap().row(u - 3).to_owned();
        layers[0]
            .weight
            .as_dense_mut()
            .unwrap()
            .row_mut(u)
            .assign(&row);
        layers[0].bias[u] = layers[0].bias[u - 3];
    }
    let tampered = Network::new(layers).unwrap();
    let e = check_bytes(&tampered, SHA, &bytes).unwrap_err().to_string();
    assert!(e.contains("KEEP_MIRROR on unit 3"), "{e}");
}

/// A mirror whose source's map is the constant 0 on a node (every input into the layer off and
/// bias 0): both are off there, which the tie must not claim otherwise.
#[test]
fn mirrors_of_a_dead_unit_are_off() {
    let mut rng = ChaCha8Rng::seed_from_u64(31);
    // all three off near the origin (x < 0.5, y < 0.5, x + y < 0.5)
    let first = Layer::new(
        array![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
        array![-0.5, -0.5, -0.5],
    );
    // layer 2: a bias-free unit and its mirror, reading all of layer 1
    let v = random_matrix(&mut rng, 1, 3);
    let second = mirrored(&v, &array![0.0], 1.0);
    let net = Network::new(vec![
        first,
        second,
        Layer::new(random_matrix(&mut rng, 1, 2), array![0.0]),
    ])
    .unwrap();
    for r in [0.5, 2.0, 6.0] {
        let domain = Domain::ball(array![0.0, 0.0], r, Norm::L2).unwrap();
        let (truth, _) = brute_force(&net, &domain, interior_tol(&domain));
        let fast = count(&net, &domain, &CountOptions::new()).unwrap();
        assert!(fast.exact);
        assert_eq!(fast.regions, truth.len() as u64, "r {r}");
        let (certified, verdict) = certify(&net, &domain);
        assert_eq!(certified, fast.regions);
        // (the constant-zero units on the dead node are decided by the exact fallback, which
        // leaves them open in a certificate, mirrors or not)
        let verdict = verdict.unwrap_or_else(|e| panic!("r {r}: {e}"));
        assert_eq!(verdict.regions, fast.regions, "{verdict:?}");
    }
}

/// The count of a leaky-style net, with its exact-fallback calls and time (for a comparison with
/// the code before mirrors): `cargo test --test enumerate_mirrors -- --ignored --nocapture`.
#[test]
#[ignore]
fn timing_of_a_leaky_net() {
    for (n0, w0, w1, r) in [(2, 24, 12, 1.5), (4, 12, 8, 1.0)] {
        let mut rng = ChaCha8Rng::seed_from_u64(41);
        let (w, b) = (random_matrix(&mut rng, w0, n0), random_vector(&mut rng, w0));
        let (v, bv) = (random_matrix(&mut rng, w1, w0), random_vector(&mut rng, w1));
        let o = random_matrix(&mut rng, 1, w1);
        let net = Network::new(vec![
            mirrored(&w, &b, 1.0),
            mirrored(&reading(&v, 0.1, 1.0), &bv, 1.0),
            Layer::new(reading(&o, 0.1, 1.0), array![0.0]),
        ])
        .unwrap();
        let domain = Domain::ball(Array1::zeros(n0), r, Norm::L2).unwrap();
        let t = std::time::Instant::now();
        let res = count(&net, &domain, &CountOptions::new().threads(1)).unwrap();
        eprintln!(
            "{n0}→leaky {w0}→leaky {w1}→1, L2 ball r = {r}: {} regions (exact {}), {} exact-fallback calls, {} near tolerance, {:.3} s",
            res.regions,
            res.exact,
            res.exact_calls,
            res.near_tolerance,
            t.elapsed().as_secs_f64()
        );
    }
}
