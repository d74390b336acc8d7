//! Criterion benchmarks of the analytic bounds: the global bounds of wide and deep shapes, and
//! the local analytic bound of a random 784-256-256-10 network (the size of the VNN-COMP MNIST
//! network) in an L2 ball and an L∞ box.

#[path = "../tests/common/mod.rs"]
mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::Array1;
use relu_regions::bounds::{global_bounds, local_analytic};
use relu_regions::{Domain, Norm};

fn benches(c: &mut Criterion) {
    c.bench_function("global_784_256x2", |b| {
        b.iter(|| global_bounds(784, &[256, 256]))
    });
    c.bench_function("global_5_50x6", |b| b.iter(|| global_bounds(5, &[50; 6])));
    let net = common::random_network(&[784, 256, 256, 10], 1, 0.1);
    let center = Array1::from_elem(784, 0.5);
    for (name, r, norm) in [
        ("local_784_256x2_l2_0.1", 0.1, Norm::L2),
        ("local_784_256x2_linf_0.01", 0.01, Norm::Linf),
    ] {
        let domain = Domain::ball(center.clone(), r, norm).expect("valid domain");
        c.bench_function(name, |b| {
            b.iter(|| local_analytic(&net, &domain).expect("bound").value)
        });
    }
}

criterion_group! {
    name = bounds;
    config = Criterion::default().sample_size(10);
    targets = benches
}
criterion_main!(bounds);
