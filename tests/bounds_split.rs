//! The split bound against exact counts: exact ≤ split(k) ≤ lp for every depth k, split(L) =
//! exact, on random networks, centers, radii and both norms; the anytime sandwich closes on the
//! exact count when the enumerator finishes; ACAS Xu 1_1 and the digits network.

mod common;

use ndarray::{array, Array1};
use num_bigint::BigUint;
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relu_regions::bounds::{local_analytic, local_lp};
use relu_regions::count;
use relu_regions::enumerate::CountOptions;
use relu_regions::formats::load_network;
use relu_regions::sandwich::split::split_at_depth;
use relu_regions::sandwich::{anytime_bounds, local_split, BoundMethod, BoundOptions};
use relu_regions::{Domain, Network, Norm};
use std::time::Duration;

use common::{norm_of, shape};

fn exact(net: &Network, domain: &Domain) -> u64 {
    let settings = CountOptions {
        threads: 1,
        ..Default::default()
    };
    let r = count(net, domain, &settings).unwrap();
    assert!(r.exact);
    r.regions
}

/// exact ≤ split(k) ≤ lp for every k, and split(L) = exact.
fn check_every_depth(net: &Network, domain: &Domain) -> Result<(), TestCaseError> {
    let n = BigUint::from(exact(net, domain));
    let lp = local_lp(net, domain, None).unwrap();
    prop_assert!(lp.value >= n, "lp {} < exact {n}", lp.value);
    let mut previous_regions = 1;
    for k in 1..=net.depth() {
        let stage = split_at_depth(net, domain, &lp, k, 1, None)
            .unwrap()
            .unwrap();
        prop_assert!(stage.value >= n, "split({k}) {} < exact {n}", stage.value);
        prop_assert!(
            stage.value <= lp.value,
            "split({k}) {} > lp {}",
            stage.value,
            lp.value
        );
        prop_assert!(BigUint::from(stage.regions) <= n);
        prop_assert!(stage.regions >= previous_regions);
        previous_regions = stage.regions;
        if k == net.depth() {
            prop_assert_eq!(stage.value.clone(), n.clone());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn split_is_between_exact_and_lp(n0 in 1usize..4, hidden in prop::collection::vec(2usize..7, 1..4),
                                     seed in 0u64..1_000_000, r in 0.05f64..1.5, linf in any::<bool>()) {
        let net = common::random_network(&shape(n0, &hidden), seed, 1.0);
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5b);
        let center = Array1::from_shape_fn(n0, |_| rng.gen_range(-1.0..1.0));
        let domain = Domain::ball(center, r, norm_of(linf)).unwrap();
        check_every_depth(&net, &domain)?;
    }

    /// The sandwich closes on the exact count without a time limit, in every method that
    /// reaches the enumerator; lower ≤ exact ≤ upper always.
    #[test]
    fn anytime_sandwich_closes(hidden in prop::collection::vec(2usize..7, 1..3), seed in 0u64..1_000_000,
                               r in 0.05f64..1.0, linf in any::<bool>()) {
        let net = common::random_network(&shape(2, &hidden), seed, 1.0);
        let domain = Domain::ball(array![0.1, -0.4], r, norm_of(linf)).unwrap();
        let n = exact(&net, &domain);
        for method in [BoundMethod::Analytic, BoundMethod::Lp, BoundMethod::Split, BoundMethod::All] {
            let s = BoundOptions { method, time_limit: None, split_depth: None, threads: 1, cancel: None };
            let b = anytime_bounds(&net, &domain, &s).unwrap();
            prop_assert!(b.lower <= n && b.upper >= BigUint::from(n));
            if matches!(method, BoundMethod::Split | BoundMethod::All) {
                prop_assert!(b.exact && b.lower == n, "{method:?}: [{}, {}] vs {n}", b.lower, b.upper);
            }
        }
    }
}

/// ACAS Xu 1_1 (box 0.02 around (0.64, 0, 0, 0.475, −0.475), 1,020 regions): every depth.
#[test]
fn acasxu_every_depth() {
    let Some(path) = common::shared_path("benchmarks/acasxu/ACASXU_experimental_v2a_1_1.nnet")
    else {
        return;
    };
    let net = load_network(&path).unwrap().network;
    let domain = Domain::ball(array![0.64, 0.0, 0.0, 0.475, -0.475], 0.02, Norm::Linf).unwrap();
    check_every_depth(&net, &domain).unwrap();
}

/// The digits network at a data point, L2: split within a time limit stays certified and
/// between the exact count and the LP bound.
#[test]
fn digits_split_is_certified() {
    let model = common::data_path("digits-mlp-64-16-16-10.onnx");
    let points = common::data_path("digits-scaled.csv");
    if !model.exists() || !points.exists() {
        eprintln!("note: digits example data absent; skipped");
        return;
    }
    let net = load_network(&model).unwrap().network;
    let text = std::fs::read_to_string(&points).unwrap();
    let row: Vec<f64> = text
        .lines()
        .filter_map(|l| {
            let v: Result<Vec<f64>, _> = l.split(',').map(|t| t.trim().parse::<f64>()).collect();
            v.ok().filter(|v| v.len() >= net.input_dim())
        })
        .next()
        .unwrap()[..net.input_dim()]
        .to_vec();
    let domain = Domain::ball(Array1::from(row), 0.3, Norm::L2).unwrap();
    let n = exact(&net, &domain);
    let lp = local_lp(&net, &domain, None).unwrap();
    let analytic = local_analytic(&net, &domain).unwrap();
    let split = local_split(&net, &domain, None, Some(Duration::from_secs(60)), 2).unwrap();
    assert!(
        split.value >= BigUint::from(n) && split.value <= lp.value && lp.value <= analytic.value
    );
    assert!(split.exact && split.value == BigUint::from(n));
}

/// The CLI: `bound --method all --json` closes the sandwich on ACAS Xu 1_1 (box 0.01) at the
/// count that `count` reports, and its JSON carries local_lp and the certified sandwich.
#[test]
fn cli_bound_all_matches_count() {
    let Some(path) = common::shared_path("benchmarks/acasxu/ACASXU_experimental_v2a_1_1.nnet")
    else {
        return;
    };
    let bin = env!("CARGO_BIN_EXE_relu-regions");
    let run = |args: &[&str]| -> serde_json::Value {
        let out = std::process::Command::new(bin).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let p = path.to_str().unwrap();
    let common_args = [
        p,
        "--center=0.64,0,0,0.475,-0.475",
        "--radius",
        "0.01",
        "--norm",
        "linf",
        "--quiet",
        "--json",
    ];
    let mut bound_args = vec!["bound"];
    bound_args.extend_from_slice(&common_args);
    bound_args.extend_from_slice(&["--method", "all", "--time-limit", "60"]);
    let b = run(&bound_args);
    let mut count_args = vec!["count"];
    count_args.extend_from_slice(&common_args);
    let c = run(&count_args);
    let n = c["regions"].as_u64().unwrap();
    let cert = &b["bounds"]["certified"];
    assert_eq!(cert["exact"], true);
    assert_eq!(cert["lower"].as_str().unwrap(), n.to_string());
    assert_eq!(cert["upper"].as_str().unwrap(), n.to_string());
    let lp: BigUint = b["bounds"]["local_lp"]["value"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let analytic: BigUint = b["bounds"]["local_analytic"]["value"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(BigUint::from(n) <= lp && lp < analytic);
    // default method: analytic only, no new keys
    let mut plain = vec!["bound"];
    plain.extend_from_slice(&common_args);
    let d = run(&plain);
    assert!(d["bounds"].get("local_lp").is_none() && d["bounds"].get("certified").is_none());
}
