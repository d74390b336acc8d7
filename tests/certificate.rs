//! Certificates (docs/certificate.md): every count of the enumerator certifies, and the
//! independent exact checker (`relu_regions::check`) verifies it to the same number; tampering
//! with any part of a certificate is caught, each with its own message.

mod certificate_support;
mod common;

use certificate_support::{f64s, parse, Parsed};
use ndarray::{array, Array1};
use proptest::prelude::*;
use relu_regions::check::{check_bytes, check_certificate, CheckError, Verdict};
use relu_regions::count;
use relu_regions::enumerate::certificate::CertificateTree;
use relu_regions::enumerate::{CountOptions, CountOutcome};
use relu_regions::formats::load_network;
use relu_regions::points::read_center_file;
use relu_regions::{Domain, Network, Norm};

/// A stand-in for the model file's hash in in-memory checks.
const SHA: [u8; 32] = [7; 32];

fn certified_count(net: &Network, domain: &Domain, threads: usize) -> (CountOutcome, Vec<u8>) {
    let settings = CountOptions {
        threads,
        certificate: true,
        ..Default::default()
    };
    let res = count(net, domain, &settings).expect("count runs");
    let tree: &CertificateTree = res
        .certificate
        .as_ref()
        .expect("a certificate was asked for");
    let bytes = tree.to_bytes(&SHA).expect("encodes");
    (res, bytes)
}

fn check(net: &Network, bytes: &[u8]) -> Result<Verdict, CheckError> {
    check_bytes(net, SHA, bytes)
}

/// Counts with a certificate and checks it: the checker must verify exactly the count.
fn assert_certifies(net: &Network, domain: &Domain, threads: usize) -> (CountOutcome, Vec<u8>) {
    let (res, bytes) = certified_count(net, domain, threads);
    assert!(res.exact, "{}", common::describe(&res));
    // a certifying count takes another path (no exact LP box): the same count
    let plain = common::count_one_thread(net, domain);
    assert_eq!(plain.regions, res.regions, "{}", common::describe(&plain));
    let verdict = check(net, &bytes).unwrap_or_else(|e| panic!("certificate fails: {e}"));
    assert_eq!(verdict.regions, res.regions, "{}", common::describe(&res));
    assert!(verdict.exact, "{verdict:?}");
    assert_eq!(verdict.open, 0);
    (res, bytes)
}

fn failure(net: &Network, bytes: &[u8]) -> String {
    match check(net, bytes) {
        Ok(v) => panic!("a tampered certificate verified: {v:?}"),
        Err(e) => e.to_string(),
    }
}

/// A small net with branches, stable units, box proofs and multiplier proofs.
fn small_net() -> Network {
    common::random_network(&[2, 6, 5, 4, 1], 11, 0.5)
}

fn small_domains() -> Vec<Domain> {
    vec![
        Domain::ball(array![0.1, -0.2], 0.7, Norm::L2).unwrap(),
        Domain::ball(array![0.1, -0.2], 0.7, Norm::Linf).unwrap(),
        // a box whose bounds are not center ± half width in floating point (format kind 2)
        Domain::from_bounds(&array![0.1, -0.3], &array![0.7, 0.2]).unwrap(),
    ]
}

#[test]
fn certificates_of_a_small_net_verify_in_every_domain_kind_and_thread_count() {
    let net = small_net();
    for domain in small_domains() {
        for threads in [1, 3] {
            let (res, _) = assert_certifies(&net, &domain, threads);
            assert!(res.regions > 3, "the test net should have several regions");
        }
    }
}

#[test]
fn a_certificate_uses_every_kind_of_proof() {
    // the test nets exercise domain, box and multiplier proofs (else the tamper tests below
    // would not test them)
    let net = small_net();
    let mut kinds = std::collections::BTreeSet::new();
    for domain in small_domains() {
        let (_, bytes) = certified_count(&net, &domain, 1);
        for r in parse(&bytes).records {
            for (_, m, _) in r.proofs {
                kinds.insert(m.min(2));
            }
        }
    }
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), vec![0, 1, 2]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Every count of a random small net certifies, and the checker finds the same number.
    #[test]
    fn every_count_certifies_and_checks_to_the_same_number(
        seed in 0u64..10_000,
        n0 in 1usize..4,
        width in 2usize..6,
        depth in 1usize..4,
        radius in 0.05f64..3.0,
        l2 in any::<bool>(),
        cx in -1.0f64..1.0,
    ) {
        let mut widths = vec![n0];
        widths.extend(std::iter::repeat_n(width, depth));
        widths.push(1);
        let net = common::random_network(&widths, seed, 0.5);
        let center = Array1::from_elem(n0, cx);
        let norm = if l2 { Norm::L2 } else { Norm::Linf };
        let domain = Domain::ball(center, radius, norm).unwrap();
        let (res, bytes) = certified_count(&net, &domain, 1);
        let verdict = check(&net, &bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(verdict.regions, res.regions);
        prop_assert_eq!(verdict.exact, res.exact);
    }
}

#[test]
fn a_stopped_count_certifies_its_lower_bound() {
    let net = small_net();
    let domain = &small_domains()[0];
    let settings = CountOptions {
        threads: 1,
        max_regions: Some(3),
        certificate: true,
        ..Default::default()
    };
    let res = count(&net, domain, &settings).unwrap();
    assert!(!res.exact);
    let bytes = res.certificate.unwrap().to_bytes(&SHA).unwrap();
    let v = check(&net, &bytes).unwrap();
    assert_eq!(v.regions, 3);
    assert!(!v.exact && v.open > 0, "{v:?}");
}

// ---- tampering: each is caught with its own message ----

fn tamper_subject() -> (Network, Parsed, Vec<u8>) {
    let net = small_net();
    let (_, bytes) = assert_certifies(&net, &small_domains()[0], 1);
    (net, parse(&bytes), bytes)
}

#[test]
fn removing_a_branch_side_is_caught_by_its_failing_proof() {
    // a BRANCH turned into KEEP_OFF with a domain proof: its positive subtree (real regions) is
    // dropped, and the proof that the positive side is empty fails
    let (net, p, _) = tamper_subject();
    let b = p.records.iter().find(|r| r.tag == 0x03).unwrap();
    let (start, end) = b.second_child.unwrap();
    let mut with = vec![0x02, 0x00];
    with.extend_from_slice(&p.payload[start..end]);
    let msg = failure(&net, &p.splice(b.offset, end, &with));
    assert!(msg.contains("proof"), "{msg}");
}

#[test]
fn a_removed_leaf_is_caught() {
    // the last leaf replaced by an open item while the claim still says exact
    let (net, p, _) = tamper_subject();
    let leaf = p.leaves().last().copied().unwrap().clone();
    let msg = failure(&net, &p.splice(leaf.offset, leaf.end, &[0x11]));
    assert!(msg.contains("claim"), "{msg}");
}

#[test]
fn a_witness_moved_outside_the_ball_is_caught() {
    let (net, p, _) = tamper_subject();
    let leaf = p.leaves()[0].clone();
    let far = vec![1e6; p.n];
    let at = leaf.witness.unwrap();
    let msg = failure(&net, &p.splice(at, at + 8 * p.n, &f64s(&far)));
    assert!(msg.contains("outside"), "{msg}");
}

#[test]
fn a_witness_moved_across_a_hyperplane_is_caught() {
    // the first leaf's witness put into the second leaf: another region, so some unit has the
    // wrong sign for the second leaf's pattern
    let (net, p, _) = tamper_subject();
    let leaves = p.leaves();
    let (a, b) = (leaves[0].clone(), leaves[1].clone());
    let at = b.witness.unwrap();
    let msg = failure(&net, &p.splice(at, at + 8 * p.n, &f64s(&p.witness(&a))));
    assert!(msg.contains("sign"), "{msg}");
}

#[test]
fn a_changed_multiplier_is_caught() {
    let (net, p, _) = tamper_subject();
    let (rec, (at, width)) = p
        .records
        .iter()
        .find_map(|r| {
            r.proofs
                .iter()
                .find_map(|(_, m, v)| (*m >= 2).then(|| v[0]))
                .map(|v| (r.clone(), v))
        })
        .expect("the subject has a multiplier proof");
    let tiny: Vec<u8> = if width == 8 {
        1e-300f64.to_le_bytes().to_vec()
    } else {
        1e-30f32.to_le_bytes().to_vec()
    };
    let msg = failure(&net, &p.splice(at, at + width, &tiny));
    assert!(msg.contains("proof"), "{msg} (record {rec:?})");
}

#[test]
fn a_negative_multiplier_is_refused() {
    let (net, p, _) = tamper_subject();
    let (at, width) = p
        .records
        .iter()
        .find_map(|r| {
            r.proofs
                .iter()
                .find_map(|(_, m, v)| (*m >= 2).then(|| v[0]))
        })
        .unwrap();
    let neg: Vec<u8> = if width == 8 {
        (-1.0f64).to_le_bytes().to_vec()
    } else {
        (-1.0f32).to_le_bytes().to_vec()
    };
    let msg = failure(&net, &p.splice(at, at + width, &neg));
    assert!(msg.contains("multiplier"), "{msg}");
}

#[test]
fn a_duplicated_subtree_is_caught() {
    // the positive child's stream copied over the negative child's: the same leaves twice, now
    // claimed with the unit off, so their witnesses have the wrong sign there
    let (net, p, _) = tamper_subject();
    let b = p
        .records
        .iter()
        .find(|r| r.tag == 0x03 && r.second_child.is_some())
        .unwrap();
    let (start, end) = b.second_child.unwrap();
    let first = p.payload[b.end..start].to_vec();
    let msg = failure(&net, &p.splice(start, end, &first));
    assert!(
        msg.contains("sign") || msg.contains("same pattern"),
        "{msg}"
    );
}

#[test]
fn a_wrong_claim_is_caught() {
    let (net, p, _) = tamper_subject();
    let mut with = p.payload[p.claim..p.claim + 1].to_vec();
    with[0] = 1; // "lower bound only" while nothing is open
    let msg = failure(&net, &p.splice(p.claim, p.claim + 1, &with));
    assert!(msg.contains("claim"), "{msg}");
}

#[test]
fn a_truncated_or_foreign_file_is_unreadable() {
    let (net, _, bytes) = tamper_subject();
    for cut in [3, 8, bytes.len() / 2, bytes.len() - 1] {
        match check(&net, &bytes[..cut]) {
            Err(CheckError::Unreadable { .. }) => {}
            other => panic!("truncated at {cut}: {other:?}"),
        }
    }
    let mut wrong = bytes.clone();
    wrong[6] = 9; // version 9
    assert!(matches!(
        check(&net, &wrong),
        Err(CheckError::Unreadable { .. })
    ));
}

#[test]
fn another_network_is_refused() {
    let (_, _, bytes) = tamper_subject();
    let other = common::random_network(&[2, 6, 5, 4, 1], 12, 0.5);
    // same shape, other weights, same hash given: the proofs or witnesses fail
    assert!(check(&other, &bytes).is_err());
    // and by hash
    match check_bytes(&small_net(), [8; 32], &bytes) {
        Err(CheckError::Failed { what, .. }) => {
            assert!(what.contains("SHA-256") || what.contains("hash"), "{what}")
        }
        other => panic!("{other:?}"),
    }
}

// ---- files: the model's hash is the file's ----

#[test]
fn a_model_file_changed_by_one_weight_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("net.json");
    let net = small_net();
    relu_regions::formats::save_network(&net, &model).unwrap();
    let domain = &small_domains()[0];
    let (res, _) = certified_count(&net, domain, 1);
    let cert = dir.path().join("net.cert");
    res.certificate.unwrap().write(&model, &cert).unwrap();
    let v = check_certificate(&model, &cert).unwrap();
    assert_eq!(v.regions, res.regions);
    // one weight changed
    let mut layers = net.layers().to_vec();
    layers[1].weight.as_dense_mut().unwrap()[[0, 0]] += 1e-9;
    relu_regions::formats::save_network(&Network::new(layers).unwrap(), &model).unwrap();
    match check_certificate(&model, &cert) {
        Err(CheckError::Failed { what, .. }) => assert!(what.contains("model"), "{what}"),
        other => panic!("{other:?}"),
    }
}

// ---- the real networks of issue 3, the digits example and MNIST ----

fn acas() -> Option<Network> {
    common::shared_path("benchmarks/acasxu/ACASXU_experimental_v2a_1_1.nnet")
        .map(|p| load_network(&p).unwrap().network)
}

#[test]
fn acasxu_certificates_verify() {
    let Some(net) = acas() else { return };
    let c = array![0.64, 0.0, 0.0, 0.475, -0.475];
    for (r, norm) in [(0.005, Norm::Linf), (0.02, Norm::Linf), (0.02, Norm::L2)] {
        let domain = Domain::ball(c.clone(), r, norm).unwrap();
        assert_certifies(&net, &domain, 2);
    }
}

#[test]
fn a_vnnlib_box_certificate_verifies() {
    let Some(net) = acas() else { return };
    // a small box given by bounds, as a VNN-LIB property gives it
    let lo = array![0.6, -0.01, -0.01, 0.45, -0.5];
    let hi = array![0.61, 0.0, 0.01, 0.46, -0.49];
    let domain = Domain::from_bounds(&lo, &hi).unwrap();
    assert_certifies(&net, &domain, 2);
}

#[test]
fn the_digits_example_certifies() {
    let net = load_network(&common::data_path("digits-mlp-64-16-16-10.onnx"))
        .unwrap()
        .network;
    let center = read_center_file(&common::data_path("digits-scaled.csv"), Some(0)).unwrap();
    let domain = Domain::ball(center, 0.2, Norm::L2).unwrap();
    let (res, _) = assert_certifies(&net, &domain, 2);
    assert_eq!(res.regions, 55, "the README's figure");
}

#[test]
fn mnist_256x2_around_a_real_image_certifies() {
    let (Some(model), Some(images)) = (
        common::shared_path("benchmarks/onnx/mnist-net_256x2.onnx"),
        common::shared_path("benchmarks/mnist/images.csv"),
    ) else {
        return;
    };
    let net = load_network(&model).unwrap().network;
    let center = read_center_file(&images, Some(0)).unwrap();
    let domain = Domain::ball(center, 0.005, Norm::Linf).unwrap();
    let (res, _) = assert_certifies(&net, &domain, 2);
    assert_eq!(res.regions, 8, "nnenum's count");
}

#[test]
fn far_balls_certify_honestly() {
    // in a ball of radius 1e12 the regions near the center are far thinner than the float grid in
    // unit coordinates: the exact fallback proves them, and a point it found that no longer
    // proves once rounded to floats is left open in the certificate (it used to be written as a
    // leaf, and the checker refused it)
    let net = load_network(&common::data_path("moons-2-16-16-1.json"))
        .unwrap()
        .network;
    for radius in [1e6, 1e12] {
        let domain = Domain::ball(array![0.3, -0.2], radius, Norm::L2).unwrap();
        let (res, bytes) = certified_count(&net, &domain, 1);
        assert!(res.exact, "{}", common::describe(&res));
        let v = check(&net, &bytes).unwrap_or_else(|e| panic!("radius {radius}: {e}"));
        assert!(v.regions <= res.regions, "{v:?}");
        assert_eq!(v.exact, v.regions == res.regions && v.open == 0, "{v:?}");
    }
}
