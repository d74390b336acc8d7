//! The enumerator on ACAS Xu 1_1 around (0.64, 0, 0, 0.475, −0.475) (normalized inputs): the
//! counts known from two independent tools (nnenum and a second exact enumerator): box
//! half-width 0.005 → 6 regions, 0.01 → 134.

mod common;
mod enumerate_support;

use enumerate_support::nnet::read_nnet;
use enumerate_support::{check_witnesses, enumerate};
use ndarray::array;
use relu_regions::{Domain, Norm};

fn acas_count(half_width: f64, norm: Norm, threads: usize) -> Option<u64> {
    let path = common::shared_path("benchmarks/acasxu/ACASXU_experimental_v2a_1_1.nnet")?;
    let net = read_nnet(&path);
    let domain = Domain::ball(array![0.64, 0.0, 0.0, 0.475, -0.475], half_width, norm).unwrap();
    let (res, regions) = enumerate(&net, &domain, threads);
    let set = check_witnesses(&net, &domain, &regions);
    assert_eq!(set.len() as u64, res.regions);
    assert!(res.exact);
    eprintln!(
        "ACAS Xu 1_1 {norm:?} {half_width}: {} regions, {} solver calls, {} without solver, {} near tol, {:?}",
        res.regions, res.solver_calls, res.decided_without_solver, res.near_tolerance, res.elapsed
    );
    Some(res.regions)
}

#[test]
fn acasxu_box_0005_has_6_regions() {
    if let Some(n) = acas_count(0.005, Norm::Linf, 1) {
        assert_eq!(n, 6);
    }
}

#[test]
fn acasxu_box_001_has_134_regions_with_any_thread_count() {
    if let Some(n) = acas_count(0.01, Norm::Linf, 1) {
        assert_eq!(n, 134);
        assert_eq!(acas_count(0.01, Norm::Linf, 2), Some(134));
    }
}

#[test]
fn acasxu_l2_ball_inside_the_box_has_fewer_regions() {
    // the L2 ball of radius 0.01 lies inside the box of half-width 0.01 and contains the box of
    // half-width 0.01/√5: its count is between those two box counts
    let Some(inner) = acas_count(0.01 / 5f64.sqrt(), Norm::Linf, 1) else {
        return;
    };
    let ball = acas_count(0.01, Norm::L2, 1).unwrap();
    assert!(ball >= inner && ball <= 134, "{inner} ≤ {ball} ≤ 134");
}

#[test]
fn acasxu_box_002_has_1020_regions() {
    if let Some(n) = acas_count(0.02, Norm::Linf, 2) {
        assert_eq!(n, 1020);
    }
}

#[test]
fn acasxu_box_001_solver_only_with_highs_agrees() {
    let Some(path) = common::shared_path("benchmarks/acasxu/ACASXU_experimental_v2a_1_1.nnet")
    else {
        return;
    };
    let net = read_nnet(&path);
    let domain = Domain::ball(array![0.64, 0.0, 0.0, 0.475, -0.475], 0.01, Norm::Linf).unwrap();
    let (res, regions) = enumerate_support::enumerate_solver_only(
        &net,
        &domain,
        relu_regions::solver::SolverKind::Highs,
        2,
    );
    let solver_set = check_witnesses(&net, &domain, &regions);
    let (_, closed) = enumerate(&net, &domain, 1);
    assert_eq!(solver_set, check_witnesses(&net, &domain, &closed));
    assert_eq!(res.regions, 134);
    eprintln!("solver only: {} solver calls", res.solver_calls);
}

/// The L2 path decides every split in closed form (ball active-set dual bounds and rays); the
/// Clarabel-only search must find the very same patterns.
#[test]
fn acasxu_l2_002_solver_only_with_clarabel_agrees() {
    let Some(path) = common::shared_path("benchmarks/acasxu/ACASXU_experimental_v2a_1_1.nnet")
    else {
        return;
    };
    let net = read_nnet(&path);
    let domain = Domain::ball(array![0.64, 0.0, 0.0, 0.475, -0.475], 0.02, Norm::L2).unwrap();
    let (res, regions) = enumerate_support::enumerate_solver_only(
        &net,
        &domain,
        relu_regions::solver::SolverKind::Clarabel,
        2,
    );
    let solver_set = check_witnesses(&net, &domain, &regions);
    let (closed_res, closed) = enumerate(&net, &domain, 1);
    assert_eq!(solver_set, check_witnesses(&net, &domain, &closed));
    assert_eq!(res.regions, closed_res.regions);
    eprintln!(
        "L2 0.02: {} regions; solver only: {} solver calls; closed form: {} solver calls",
        res.regions, res.solver_calls, closed_res.solver_calls
    );
}

/// The same network read by the crate's NNet and ONNX readers (the VNN-COMP ONNX export takes
/// normalized inputs too) gives the same count as the known one.
#[test]
fn acasxu_nnet_and_onnx_files_agree() {
    let (Some(nnet), Some(onnx)) = (
        common::shared_path("benchmarks/acasxu/ACASXU_experimental_v2a_1_1.nnet"),
        common::shared_path("benchmarks/onnx/ACASXU_run2a_1_1_batch_2000.onnx"),
    ) else {
        return;
    };
    let domain = Domain::ball(array![0.64, 0.0, 0.0, 0.475, -0.475], 0.01, Norm::Linf).unwrap();
    for path in [nnet, onnx] {
        let net = relu_regions::formats::load_network(&path).unwrap().network;
        let (res, regions) = enumerate(&net, &domain, 2);
        assert_eq!(
            check_witnesses(&net, &domain, &regions).len() as u64,
            res.regions
        );
        assert_eq!(res.regions, 134, "{}", path.display());
    }
}
