//! Bound certificates (docs/certificate.md, "Bound certificates"): `certify_local_lp` proves
//! every unit bound the LP-tightened local bound relies on, the independent exact checker
//! (`relu_regions::check`) verifies the proofs and recomputes the same bound as `local_lp`, and
//! tampering with any part of a certificate is caught.

mod common;

use common::{norm_of, shape};
use flate2::write::ZlibEncoder;
use flate2::Compression;
use ndarray::{array, Array1};
use num_bigint::BigUint;
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relu_regions::bounds::lp::certificate::{
    certify_local_lp, BoundCertificate, RadiusProof, SideProof, MAGIC,
};
use relu_regions::bounds::{local_lp, Stability};
use relu_regions::check::{
    check_bound_bytes, check_bound_certificate, check_file, BoundVerdict, CheckError, Checked,
};
use relu_regions::count;
use relu_regions::formats::load_network;
use relu_regions::points::read_center_file;
use relu_regions::{Domain, Layer, Network, Norm};
use std::io::Write;
use std::time::Instant;

/// A stand-in for the model file's hash in in-memory checks.
const SHA: [u8; 32] = [7; 32];

fn check(net: &Network, cert: &BoundCertificate) -> Result<BoundVerdict, CheckError> {
    check_bound_bytes(net, SHA, &cert.to_bytes(&SHA).expect("encodes"))
}

/// Certifies the LP bound and checks it: the certificate's value, the checker's recomputed
/// value and its per-layer counts must all be `local_lp`'s.
fn assert_verifies(net: &Network, domain: &Domain) -> (BoundCertificate, BoundVerdict) {
    let plain = local_lp(net, domain, None).expect("local_lp runs");
    let (lp, cert) = certify_local_lp(net, domain, None).expect("certifies");
    assert_eq!(lp.value, plain.value, "the certified run changed the bound");
    assert_eq!(cert.value, plain.value);
    let verdict = check(net, &cert).unwrap_or_else(|e| panic!("certificate fails: {e}"));
    assert_eq!(verdict.value, plain.value, "the checker's bound");
    assert_eq!(verdict.layers, plain.layers, "the checker's counts");
    assert_eq!(verdict.method, "lp");
    (cert, verdict)
}

/// The checker's failure (exit 1) on a tampered certificate, as (path, what).
fn failure(net: &Network, cert: &BoundCertificate) -> (String, String) {
    match check(net, cert) {
        Ok(v) => panic!("a tampered certificate verified: {v:?}"),
        Err(CheckError::Failed { path, what }) => (path, what),
        Err(e) => panic!("expected a failing record, got: {e}"),
    }
}

/// A random network, center, radius and norm from `seed` (1 to 4 inputs, 1 to 4 hidden layers
/// of 2 to 9 units).
fn case(seed: u64) -> (Network, Domain) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n0 = rng.gen_range(1..5);
    let depth = rng.gen_range(1..5);
    let hidden: Vec<usize> = (0..depth).map(|_| rng.gen_range(2..10)).collect();
    let net = common::random_network(&shape(n0, &hidden), seed, 1.0);
    let center = Array1::from_shape_fn(n0, |_| rng.gen_range(-1.0..1.0));
    let r = rng.gen_range(0.02..1.5);
    let linf = rng.gen_bool(0.5);
    (net, Domain::ball(center, r, norm_of(linf)).unwrap())
}

/// What kinds of proof a certificate holds: (sides with multipliers, ball proofs, balls,
/// balls with a Cholesky factor, triangles).
fn kinds(cert: &BoundCertificate) -> [usize; 5] {
    let mut k = [0; 5];
    for layer in &cert.layers {
        for u in &layer.units {
            for s in [&u.lower, &u.upper].into_iter().flatten() {
                match &s.proof {
                    SideProof::Duality(y) if !y.is_empty() => k[0] += 1,
                    SideProof::Ball => k[1] += 1,
                    _ => {}
                }
            }
            k[4] += usize::from(u.triangle.is_some());
        }
        if let Some(b) = &layer.ball {
            k[2] += 1;
            if let RadiusProof::Lipschitz {
                cholesky: Some(_), ..
            } = b.proof
            {
                k[3] += 1;
            }
        }
    }
    k
}

#[test]
fn random_nets_certify_and_verify_to_local_lps_value() {
    let mut total = [0; 5];
    let mut norms = [0; 2];
    for seed in 0..300 {
        let (net, domain) = case(seed);
        let (cert, verdict) = assert_verifies(&net, &domain);
        for (t, k) in total.iter_mut().zip(kinds(&cert)) {
            *t += k;
        }
        norms[usize::from(domain.norm() == Norm::Linf)] += 1;
        let (sides, _, balls) = cert.sizes();
        assert_eq!(verdict.sides_checked, sides as u64);
        assert_eq!(verdict.balls_checked, balls as u64);
    }
    // every kind of proof was exercised, in both norms
    assert!(norms.iter().all(|&n| n > 100), "{norms:?}");
    assert!(total.iter().all(|&n| n > 0), "proof kinds {total:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// As `bounds_lp`'s property test draws them: the certificate verifies to local_lp's value.
    #[test]
    fn lp_certificates_verify(n0 in 1usize..4, hidden in prop::collection::vec(2usize..8, 1..4),
                              seed in 0u64..1_000_000, r in 0.05f64..1.5, linf in any::<bool>()) {
        let net = common::random_network(&shape(n0, &hidden), seed, 1.0);
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x1b);
        let center = Array1::from_shape_fn(n0, |_| rng.gen_range(-1.0..1.0));
        let domain = Domain::ball(center, r, norm_of(linf)).unwrap();
        assert_verifies(&net, &domain);
    }
}

#[test]
fn a_box_by_bounds_and_a_passed_deadline_certify() {
    let net = common::random_network(&[2, 6, 5, 4, 1], 11, 0.5);
    // bounds that are not center ± half width in floating point (domain kind 2)
    let domain = Domain::from_bounds(&array![0.1, -0.3], &array![0.7, 0.2]).unwrap();
    assert!(domain.exact_bounds().is_some());
    assert_verifies(&net, &domain);
    // no LP after the deadline: interval bounds only, the same as local_lp's
    let (net, domain) = case(229);
    let past = Some(Instant::now());
    let plain = local_lp(&net, &domain, past).unwrap();
    let (lp, cert) = certify_local_lp(&net, &domain, past).unwrap();
    assert_eq!(lp.stats.lps, 0);
    assert_eq!(lp.value, plain.value);
    assert_eq!(check(&net, &cert).unwrap().value, plain.value);
}

/// A case with every kind of proof: multipliers, triangles, ball proofs, a Lipschitz ball with
/// a Cholesky factor (L2).
fn rich_case() -> (Network, BoundCertificate) {
    let (net, domain) = case(229);
    let (cert, _) = assert_verifies(&net, &domain);
    let k = kinds(&cert);
    assert!(
        k.iter().all(|&n| n > 0),
        "the rich case lost a proof kind: {k:?}"
    );
    (net, cert)
}

/// (layer, unit) of the first unit whose upper bound has the most multipliers.
fn most_multipliers(cert: &BoundCertificate) -> (usize, usize) {
    let mut best = (0, 0, 0);
    for (l, layer) in cert.layers.iter().enumerate() {
        for (u, unit) in layer.units.iter().enumerate() {
            if let Some(s) = &unit.upper {
                if let SideProof::Duality(y) = &s.proof {
                    if y.len() > best.2 {
                        best = (l, u, y.len());
                    }
                }
            }
        }
    }
    assert!(best.2 > 0, "no multiplier proof");
    (best.0, best.1)
}

fn place(l: usize, u: usize, what: &str) -> String {
    format!("layer {}, unit {u}, {what}", l + 1)
}

#[test]
fn a_changed_multiplier_is_caught() {
    let (net, cert) = rich_case();
    let (l, u) = most_multipliers(&cert);
    let mut bad = cert.clone();
    let Some(SideProof::Duality(y)) = bad.layers[l].units[u].upper.as_mut().map(|s| &mut s.proof)
    else {
        unreachable!()
    };
    let k = (0..y.len())
        .max_by(|&a, &b| y[a].1.abs().total_cmp(&y[b].1.abs()))
        .unwrap();
    y[k].1 *= 4.0;
    let (path, what) = failure(&net, &bad);
    assert_eq!(path, place(l, u, "upper bound"), "{what}");
    assert!(what.contains("weak-duality"), "{what}");

    // a multiplier moved to another row
    let mut bad = cert.clone();
    let Some(SideProof::Duality(y)) = bad.layers[l].units[u].upper.as_mut().map(|s| &mut s.proof)
    else {
        unreachable!()
    };
    y.remove(k);
    let (path, _) = failure(&net, &bad);
    assert_eq!(path, place(l, u, "upper bound"));
}

#[test]
fn a_tightened_bound_is_caught() {
    let (net, cert) = rich_case();
    // every kind of proof: multipliers, interval (none), ball
    let mut tried = [false; 3];
    for (l, layer) in cert.layers.iter().enumerate() {
        for (u, unit) in layer.units.iter().enumerate() {
            let (Some(lo), Some(hi)) = (&unit.lower, &unit.upper) else {
                continue;
            };
            let kind = match &hi.proof {
                SideProof::Duality(y) if !y.is_empty() => 0,
                SideProof::Duality(_) => 1,
                SideProof::Ball => 2,
            };
            if tried[kind] {
                continue;
            }
            tried[kind] = true;
            let mut bad = cert.clone();
            let s = bad.layers[l].units[u].upper.as_mut().unwrap();
            s.value -= (hi.value - lo.value) / 4.0;
            let (path, what) = failure(&net, &bad);
            assert_eq!(path, place(l, u, "upper bound"), "kind {kind}: {what}");
        }
    }
    assert!(tried[0] && tried[1], "{tried:?}");
    // a lower bound with multipliers raised
    let (l, u) = cert
        .layers
        .iter()
        .enumerate()
        .flat_map(|(l, layer)| layer.units.iter().enumerate().map(move |(u, x)| (l, u, x)))
        .find(|(_, _, x)| {
            matches!(&x.lower, Some(s) if matches!(&s.proof, SideProof::Duality(y) if !y.is_empty()))
        })
        .map(|(l, u, _)| (l, u))
        .expect("a lower bound with multipliers");
    let mut bad = cert.clone();
    let unit = &mut bad.layers[l].units[u];
    let width = unit.upper.as_ref().unwrap().value - unit.lower.as_ref().unwrap().value;
    unit.lower.as_mut().unwrap().value += width / 4.0;
    let (path, _) = failure(&net, &bad);
    assert_eq!(path, place(l, u, "lower bound"));
}

#[test]
fn a_ball_proof_with_a_tightened_bound_or_a_shrunken_ball_is_caught() {
    let (net, cert) = rich_case();
    let (l, u) = cert
        .layers
        .iter()
        .enumerate()
        .flat_map(|(l, layer)| layer.units.iter().enumerate().map(move |(u, x)| (l, u, x)))
        .find(|(_, _, x)| {
            [&x.lower, &x.upper]
                .iter()
                .any(|s| matches!(s, Some(s) if s.proof == SideProof::Ball))
        })
        .map(|(l, u, _)| (l, u))
        .expect("a ball proof");
    let mut bad = cert.clone();
    let unit = &mut bad.layers[l].units[u];
    let width = unit.upper.as_ref().unwrap().value - unit.lower.as_ref().unwrap().value;
    let side = if unit.upper.as_ref().unwrap().proof == SideProof::Ball {
        unit.upper.as_mut().unwrap().value -= width / 4.0;
        "upper bound"
    } else {
        unit.lower.as_mut().unwrap().value += width / 4.0;
        "lower bound"
    };
    let (path, what) = failure(&net, &bad);
    assert_eq!(path, place(l, u, side), "{what}");
    assert!(what.contains("ball"), "{what}");

    // the ball itself: a smaller radius fails at the ball record
    let mut bad = cert.clone();
    let ball = bad.layers[l - 1].ball.as_mut().unwrap();
    ball.radius *= 0.5;
    let (path, what) = failure(&net, &bad);
    assert!(path.ends_with("ball"), "{path}: {what}");

    // a Cholesky factor changed, or a norm bound lowered
    let (bl, _) = cert
        .layers
        .iter()
        .enumerate()
        .find(|(_, x)| {
            matches!(
                x.ball,
                Some(relu_regions::bounds::lp::certificate::BallClaim {
                    proof: RadiusProof::Lipschitz {
                        cholesky: Some(_),
                        ..
                    },
                    ..
                })
            )
        })
        .expect("a Cholesky factor");
    let mut bad = cert.clone();
    if let Some(b) = bad.layers[bl].ball.as_mut() {
        if let RadiusProof::Lipschitz {
            cholesky: Some(r), ..
        } = &mut b.proof
        {
            r[0] *= 1.5;
        }
    }
    let (path, what) = failure(&net, &bad);
    assert_eq!(path, format!("layer {}, ball", bl + 1), "{what}");
    assert!(what.contains("diagonally dominant"), "{what}");
    let mut bad = cert.clone();
    if let Some(b) = bad.layers[bl].ball.as_mut() {
        if let RadiusProof::Lipschitz { norm_bound, .. } = &mut b.proof {
            *norm_bound *= 0.5;
        }
    }
    let (path, _) = failure(&net, &bad);
    assert_eq!(path, format!("layer {}, ball", bl + 1));
}

#[test]
fn a_lowered_triangle_is_caught() {
    let (net, cert) = rich_case();
    let (l, u) = cert
        .layers
        .iter()
        .enumerate()
        .flat_map(|(l, layer)| layer.units.iter().enumerate().map(move |(u, x)| (l, u, x)))
        .find(|(_, _, x)| x.triangle.is_some())
        .map(|(l, u, _)| (l, u))
        .unwrap();
    let mut bad = cert.clone();
    let (_, tau) = bad.layers[l].units[u].triangle.as_mut().unwrap();
    assert!(*tau > 0.0);
    *tau *= 0.99;
    let (path, what) = failure(&net, &bad);
    assert_eq!(path, place(l, u, "triangle"), "{what}");
    assert!(what.contains("below σ"), "{what}");
    // a negative slope
    let mut bad = cert.clone();
    bad.layers[l].units[u].triangle.as_mut().unwrap().0 = -0.5;
    let (path, _) = failure(&net, &bad);
    assert_eq!(path, place(l, u, "triangle"));
}

#[test]
fn a_flipped_stability_is_caught() {
    let (net, cert) = rich_case();
    // an unstable unit claimed active: its lower bound is < 0
    let (l, u) = cert
        .layers
        .iter()
        .enumerate()
        .flat_map(|(l, layer)| layer.units.iter().enumerate().map(move |(u, x)| (l, u, x)))
        .find(|(_, _, x)| {
            x.stability == Stability::Unstable && x.lower.as_ref().is_some_and(|s| s.value < 0.0)
        })
        .map(|(l, u, _)| (l, u))
        .unwrap();
    let mut bad = cert.clone();
    bad.layers[l].units[u].stability = Stability::Active;
    let (path, what) = failure(&net, &bad);
    assert_eq!(path, place(l, u, "stability"), "{what}");
    let mut bad = cert.clone();
    bad.layers[l].units[u].stability = Stability::Inactive;
    let (path, _) = failure(&net, &bad);
    assert_eq!(path, place(l, u, "stability"));
    // a stable unit claimed unstable: valid, but the bound it gives is not the claim
    let mut changed = 0;
    for (l, layer) in cert.layers.iter().enumerate() {
        for (u, unit) in layer.units.iter().enumerate() {
            if unit.stability == Stability::Unstable {
                continue;
            }
            let mut bad = cert.clone();
            bad.layers[l].units[u].stability = Stability::Unstable;
            if let Err(e) = check(&net, &bad) {
                assert!(e.to_string().contains("claim"), "{e}");
                changed += 1;
            }
        }
    }
    assert!(changed > 0, "no stable unit changes the bound");
    // the claimed value itself
    let mut bad = cert.clone();
    bad.value -= 1u32;
    let (path, _) = failure(&net, &bad);
    assert_eq!(path, "claim");
}

#[test]
fn another_model_is_caught() {
    let (net, cert) = rich_case();
    let bytes = cert.to_bytes(&SHA).unwrap();
    match check_bound_bytes(&net, [8; 32], &bytes) {
        Err(CheckError::Failed { path, what }) => {
            assert_eq!(path, "model");
            assert!(what.contains("differs"), "{what}");
        }
        other => panic!("{other:?}"),
    }
    // the same hash but other weights (layer 1 doubled): the first bound fails
    let layers: Vec<Layer> = net
        .layers()
        .iter()
        .enumerate()
        .map(|(l, x)| {
            let k = if l == 0 { 2.0 } else { 1.0 };
            Layer::new(x.weight.as_dense().unwrap() * k, x.bias.clone())
        })
        .collect();
    let other = Network::new(layers).unwrap();
    match check_bound_bytes(&other, SHA, &bytes) {
        Err(CheckError::Failed { path, .. }) => assert!(path.starts_with("layer 1,"), "{path}"),
        other => panic!("{other:?}"),
    }
    // another shape
    let wider = common::random_network(&[net.input_dim(), 3, 1], 1, 1.0);
    match check_bound_bytes(&wider, SHA, &bytes) {
        Err(CheckError::Failed { path, .. }) => assert_eq!(path, "shape"),
        other => panic!("{other:?}"),
    }
}

fn unreadable(net: &Network, bytes: &[u8]) -> String {
    match check_bound_bytes(net, SHA, bytes) {
        Err(CheckError::Unreadable { what, .. }) => what,
        other => panic!("expected unreadable, got {other:?}"),
    }
}

#[test]
fn truncated_foreign_and_corrupt_files_are_unreadable() {
    let (net, cert) = rich_case();
    let bytes = cert.to_bytes(&SHA).unwrap();
    for cut in [0, 5, 8, 9, 20, bytes.len() / 2, bytes.len() - 1] {
        unreadable(&net, &bytes[..cut]);
    }
    let mut v = bytes.clone();
    v[7] = 9;
    assert!(unreadable(&net, &v).contains("version"));
    let mut v = bytes.clone();
    v[0] = b'X';
    assert!(unreadable(&net, &v).contains("RRBOUND"));
    let mut v = bytes.clone();
    v.push(0);
    assert!(unreadable(&net, &v).contains("trailing"));
    // a payload cut short, and one with a byte after the end marker
    let payload = cert.payload(&SHA);
    for body in [
        &payload[..payload.len() - 1],
        &[&payload[..], &[0u8][..]].concat()[..],
    ] {
        unreadable(&net, &container(body));
    }
}

/// The container around a (possibly corrupted) payload.
fn container(payload: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&1u16.to_le_bytes());
    let mut z = ZlibEncoder::new(out, Compression::fast());
    z.write_all(payload).unwrap();
    z.finish().unwrap()
}

#[test]
fn corrupted_payloads_never_panic_and_never_verify_a_wrong_claim() {
    let (net, cert) = rich_case();
    let payload = cert.payload(&SHA);
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut outcomes = [0; 3];
    for _ in 0..400 {
        let mut p = payload.clone();
        for _ in 0..rng.gen_range(1..4) {
            let at = rng.gen_range(0..p.len());
            p[at] ^= 1 << rng.gen_range(0..8);
        }
        match check_bound_bytes(&net, SHA, &container(&p)) {
            // a flip that keeps every proof valid (e.g. in a dead unit's ball center) verifies
            // the same bound
            Ok(v) => {
                assert_eq!(v.value, cert.value);
                outcomes[0] += 1;
            }
            Err(CheckError::Failed { .. }) => outcomes[1] += 1,
            Err(CheckError::Unreadable { .. }) => outcomes[2] += 1,
        }
    }
    assert!(outcomes[1] > 0 && outcomes[2] > 0, "{outcomes:?}");
}

#[test]
fn check_file_dispatches_on_the_magic() {
    let model = common::data_path("moons-2-16-16-1.json");
    let net = load_network(&model).unwrap().network;
    let domain = Domain::ball(array![0.3, -0.2], 0.5, Norm::L2).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (lp, cert) = certify_local_lp(&net, &domain, None).unwrap();
    let bound_file = dir.path().join("moons.bound");
    let written = cert.write(&model, &bound_file).unwrap();
    assert_eq!(written.bytes, std::fs::metadata(&bound_file).unwrap().len());
    match check_file(&model, &bound_file).unwrap() {
        Checked::Bound(v) => assert_eq!(v.value, lp.value),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        check_bound_certificate(&model, &bound_file).unwrap().value,
        lp.value
    );
    // a count certificate goes to the count checker
    let settings = relu_regions::enumerate::CountOptions {
        threads: 1,
        certificate: true,
        ..Default::default()
    };
    let res = count(&net, &domain, &settings).unwrap();
    let count_file = dir.path().join("moons.cert");
    res.certificate.unwrap().write(&model, &count_file).unwrap();
    match check_file(&model, &count_file).unwrap() {
        Checked::Count(v) => {
            assert_eq!(v.regions, res.regions);
            assert!(BigUint::from(v.regions) <= lp.value);
        }
        other => panic!("{other:?}"),
    }
    // anything else is unreadable
    let junk = dir.path().join("junk");
    std::fs::write(&junk, b"RRBOUN").unwrap();
    match check_file(&model, &junk) {
        Err(CheckError::Unreadable { what, .. }) => assert!(what.contains("neither"), "{what}"),
        other => panic!("{other:?}"),
    }
}

/// Certifies with the model file, writes the certificate, checks the file; prints the timings.
fn real_network(model: &std::path::Path, domain: &Domain, label: &str) {
    let net = load_network(model).unwrap().network;
    let plain = local_lp(&net, domain, None).unwrap();
    let start = Instant::now();
    let (lp, cert) = certify_local_lp(&net, domain, None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bound.cert");
    let file = cert.write(model, &path).unwrap();
    let write = start.elapsed();
    let start = Instant::now();
    let verdict = check_bound_certificate(model, &path).unwrap_or_else(|e| panic!("{label}: {e}"));
    let checked = start.elapsed();
    assert_eq!(lp.value, plain.value, "{label}");
    assert_eq!(verdict.value, plain.value, "{label}");
    assert_eq!(verdict.layers, plain.layers, "{label}");
    assert_eq!(cert.deviations, 0, "{label}: every bound is local_lp's own");
    let (sides, multipliers, balls) = cert.sizes();
    eprintln!(
        "{label}: bound {} ({} LPs), certificate {} bytes, {sides} bounds, {multipliers} multipliers, {balls} balls; certify + write {:.3} s, check {:.3} s",
        verdict.value,
        lp.stats.lps,
        file.bytes,
        write.as_secs_f64(),
        checked.as_secs_f64()
    );
}

#[test]
fn acasxu_certificates_verify_in_both_norms() {
    let Some(model) = common::shared_path("benchmarks/acasxu/ACASXU_experimental_v2a_1_1.nnet")
    else {
        return;
    };
    for norm in [Norm::L2, Norm::Linf] {
        let domain = Domain::ball(array![0.64, 0.0, 0.0, 0.475, -0.475], 0.05, norm).unwrap();
        real_network(&model, &domain, &format!("ACAS Xu 1_1, {norm:?} 0.05"));
    }
}

#[test]
fn mnist_certificate_verifies_around_a_real_image() {
    let (Some(model), Some(images)) = (
        common::shared_path("benchmarks/onnx/mnist-net_256x2.onnx"),
        common::shared_path("benchmarks/mnist/images.csv"),
    ) else {
        return;
    };
    let center = read_center_file(&images, Some(0)).unwrap();
    for r in [0.01, 0.03] {
        let domain = Domain::ball(center.clone(), r, Norm::Linf).unwrap();
        real_network(&model, &domain, &format!("MNIST 256x2 row 0, linf {r}"));
    }
}

/// Many more and larger random cases (run with `--ignored`): every certificate verifies to
/// local_lp's value.
#[test]
#[ignore]
fn stress_random_nets() {
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    let mut deviations = 0;
    for seed in 0..1500u64 {
        let n0 = rng.gen_range(1..8);
        let depth = rng.gen_range(1..6);
        let hidden: Vec<usize> = (0..depth).map(|_| rng.gen_range(2..24)).collect();
        let net = common::random_network(&shape(n0, &hidden), seed, rng.gen_range(0.1..2.0));
        let center = Array1::from_shape_fn(n0, |_| rng.gen_range(-1.0..1.0));
        let r = 10f64.powf(rng.gen_range(-3.0..0.5));
        let domain = Domain::ball(center, r, norm_of(rng.gen_bool(0.5))).unwrap();
        let (cert, _) = assert_verifies(&net, &domain);
        deviations += cert.deviations;
    }
    eprintln!("deviations {deviations}");
}
