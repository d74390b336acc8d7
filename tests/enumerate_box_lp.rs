//! Boxes of more than 200 dimensions, where the enumerator bounds a side with the warm-started
//! HiGHS LP over node ∩ box (`solver::box_lp`, the box as column bounds) instead of the dense box
//! LP: the counts agree with the solver-only search (HiGHS's inscribed-ball LP at every split,
//! no closed-form proof), every witness is re-checked, and the certificates verify.

mod common;
mod enumerate_support;

use enumerate_support::{check_witnesses, enumerate_solver_only};
use ndarray::Array1;
use relu_regions::enumerate::{CollectingSink, CountOptions};
use relu_regions::solver::SolverKind;
use relu_regions::{count, count_with_witnesses};
use relu_regions::{Domain, Norm};

#[test]
fn high_dimensional_boxes_count_as_the_solver_only_search_and_certify() {
    let mut total = 0;
    for (seed, radius) in [(1u64, 0.01), (2, 0.015), (3, 0.02)] {
        let net = common::random_network(&[240, 6, 5, 1], seed, 0.3);
        let center = Array1::from_shape_fn(240, |j| {
            ((j * 7919 + seed as usize) % 101) as f64 / 101.0 - 0.5
        });
        let domain = Domain::ball(center, radius, Norm::Linf).unwrap();
        let sink = CollectingSink::new();
        let two = CountOptions {
            threads: 2,
            ..Default::default()
        };
        let fast = count_with_witnesses(&net, &domain, &two, &sink).unwrap();
        let regions = sink.into_regions();
        let (slow, _) = enumerate_solver_only(&net, &domain, SolverKind::Highs, 1);
        assert!(
            fast.exact && slow.exact,
            "{} / {}",
            common::describe(&fast),
            common::describe(&slow)
        );
        assert_eq!(fast.regions, slow.regions, "seed {seed}");
        assert_eq!(
            check_witnesses(&net, &domain, &regions).len() as u64,
            fast.regions
        );
        let settings = CountOptions {
            threads: 1,
            certificate: true,
            ..Default::default()
        };
        let res = count(&net, &domain, &settings).unwrap();
        let bytes = res.certificate.unwrap().to_bytes(&[0; 32]).unwrap();
        let verdict = relu_regions::check::check_bytes(&net, [0; 32], &bytes).unwrap();
        assert_eq!(verdict.regions, fast.regions);
        assert!(verdict.exact);
        eprintln!("seed {seed}: {} regions", fast.regions);
        total += fast.regions;
    }
    assert!(
        total > 10,
        "the cases should have branches: {total} regions in all"
    );
}
