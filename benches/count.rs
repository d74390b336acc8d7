//! Criterion benchmarks of the exact region counter (one thread, default solver):
//! ACAS Xu 1_1 around (0.64, 0, 0, 0.475, −0.475) with box half-widths 0.02 (1,020 regions),
//! 0.05 (17,849) and 0.1 (117,164; also on 2 threads), L2 balls of radius 0.02, 0.05, 0.075
//! (18,436 regions: box 0.05's regions per second, in a ball) and 0.1, and a random 2-16-16-16-1 network in [-1,1]² and in
//! the unit disc; a random 5-32-32-1 network in the L2 ball of radius 0.35 around 0 (~10^4
//! regions). The larger cases also run on 2 threads. VNN-COMP MNIST (784 inputs) boxes around
//! real test images (`mnist/images.csv`): `mnist-net_256x2.onnx` row 0 at half widths 0.01 and
//! 0.02 (16 and 149 regions), `mnist-net_256x4.onnx` row 1 at 0.005. Cases on ../shared are
//! skipped when it is absent.

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/enumerate_support/nnet.rs"]
mod nnet;

use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::array;
use relu_regions::enumerate::CountOptions;
use relu_regions::{Domain, Network, Norm};
use std::time::Duration;

fn bench_case(c: &mut Criterion, name: &str, net: &Network, domain: &Domain, threads: usize) {
    let settings = CountOptions {
        threads,
        ..CountOptions::default()
    };
    let first = relu_regions::count(net, domain, &settings).expect("count runs");
    eprintln!(
        "{name}: {} regions (exact {}), {} solver calls ({:.3} per region), {} decided without solver, {} near tolerance, {} exact-fallback calls ({:.3} s), {} undecided",
        first.regions,
        first.exact,
        first.solver_calls,
        first.solver_calls as f64 / first.regions.max(1) as f64,
        first.decided_without_solver,
        first.near_tolerance,
        first.exact_calls,
        first.exact_time.as_secs_f64(),
        first.undecided
    );
    c.bench_function(name, |b| {
        b.iter(|| {
            relu_regions::count(net, domain, &settings)
                .expect("count runs")
                .regions
        })
    });
}

fn benches(c: &mut Criterion) {
    if let Some(path) = common::shared_path("benchmarks/acasxu/ACASXU_experimental_v2a_1_1.nnet") {
        let net = nnet::read_nnet(&path);
        let center = array![0.64, 0.0, 0.0, 0.475, -0.475];
        for (name, hw, norm, threads) in [
            ("acasxu_1_1_box_0.02", 0.02, Norm::Linf, 1),
            ("acasxu_1_1_box_0.05", 0.05, Norm::Linf, 1),
            ("acasxu_1_1_box_0.05_2threads", 0.05, Norm::Linf, 2),
            ("acasxu_1_1_l2_0.02", 0.02, Norm::L2, 1),
            ("acasxu_1_1_l2_0.05", 0.05, Norm::L2, 1),
            ("acasxu_1_1_l2_0.075", 0.075, Norm::L2, 1),
            ("acasxu_1_1_box_0.1", 0.1, Norm::Linf, 1),
            ("acasxu_1_1_box_0.1_2threads", 0.1, Norm::Linf, 2),
            ("acasxu_1_1_l2_0.1", 0.1, Norm::L2, 1),
        ] {
            let domain = Domain::ball(center.clone(), hw, norm).expect("valid domain");
            bench_case(c, name, &net, &domain, threads);
        }
    }
    mnist(c);
    let net = common::random_network(&[2, 16, 16, 16, 1], 1, 0.5);
    let square = Domain::ball(array![0.0, 0.0], 1.0, Norm::Linf).expect("valid domain");
    bench_case(c, "random_2_16x3_square", &net, &square, 1);
    let disc = Domain::ball(array![0.0, 0.0], 1.0, Norm::L2).expect("valid domain");
    bench_case(c, "random_2_16x3_disc", &net, &disc, 1);
    let net = common::random_network(&[5, 32, 32, 1], 5, 0.5);
    let ball = Domain::ball(ndarray::Array1::zeros(5), 0.35, Norm::L2).expect("valid domain");
    bench_case(c, "random_5_32x2_l2_0.35", &net, &ball, 1);
    bench_case(c, "random_5_32x2_l2_0.35_2threads", &net, &ball, 2);
}

/// The MNIST boxes of issue 12 (skipped without ../shared).
fn mnist(c: &mut Criterion) {
    let Some(images) = common::shared_path("benchmarks/mnist/images.csv") else {
        return;
    };
    for (name, model, row, hw) in [
        (
            "mnist_256x2_row0_box_0.01",
            "benchmarks/onnx/mnist-net_256x2.onnx",
            0,
            0.01,
        ),
        (
            "mnist_256x2_row0_box_0.02",
            "benchmarks/onnx/mnist-net_256x2.onnx",
            0,
            0.02,
        ),
        (
            "mnist_256x4_row1_box_0.005",
            "benchmarks/mnist/mnist-net_256x4.onnx",
            1,
            0.005,
        ),
    ] {
        let Some(path) = common::shared_path(model) else {
            continue;
        };
        let net = relu_regions::formats::load_network(&path)
            .expect("the benchmark network loads")
            .network;
        let center =
            relu_regions::points::read_center_file(&images, Some(row)).expect("the image loads");
        let domain = Domain::ball(center, hw, Norm::Linf).expect("valid domain");
        bench_case(c, name, &net, &domain, 1);
    }
}

criterion_group! {
    name = count;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(10));
    targets = benches
}
criterion_main!(count);
