//! The enumerator on a real image-sized network: VNN-COMP `mnist-net_256x2.onnx` (784 inputs) in
//! the box of half width 0.005 around the first MNIST test image of `../shared/benchmarks/mnist`.
//! The reference is nnenum's count on the same case (8 regions, issue 12's table, BRANCH_EXACT);
//! every witness is re-checked by running the network. Skipped when ../shared is absent.

mod common;
mod enumerate_support;

use enumerate_support::check_witnesses;
use relu_regions::enumerate::{CollectingSink, CountOptions};
use relu_regions::formats::load_network;
use relu_regions::points::read_center_file;
use relu_regions::{count_with_witnesses, Domain, Norm};

#[test]
fn mnist_256x2_box_around_a_real_image_matches_nnenum() {
    let (Some(model), Some(images)) = (
        common::shared_path("benchmarks/onnx/mnist-net_256x2.onnx"),
        common::shared_path("benchmarks/mnist/images.csv"),
    ) else {
        return;
    };
    let net = load_network(&model).unwrap().network;
    let center = read_center_file(&images, Some(0)).unwrap();
    let domain = Domain::ball(center, 0.005, Norm::Linf).unwrap();
    let sink = CollectingSink::new();
    let res = count_with_witnesses(&net, &domain, &CountOptions::default(), &sink).unwrap();
    assert!(res.exact, "{res:?}");
    assert_eq!(res.regions, 8, "nnenum counts 8 regions here");
    let found = check_witnesses(&net, &domain, &sink.into_regions());
    assert_eq!(found.len(), 8);
}
