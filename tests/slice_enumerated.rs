//! Slices counted by the exact enumerator: one polygon per counted region, every witness inside
//! its polygon, areas adding up to the domain's, and the same regions as the independent
//! geometric splitting of `slice::split_regions`.

mod common;

use common::{data_path, random_network};
use ndarray::{array, Array1};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relu_regions::count;
use relu_regions::enumerate::CountOptions;
use relu_regions::formats::load_network;
use relu_regions::slice::{
    circumscribed_excess, compute_slice, split_regions, PlaneSpec, SliceSettings, CIRCLE_VERTICES,
};
use relu_regions::{Domain, Network, Norm};
use std::collections::BTreeSet;

fn settings(spec: PlaneSpec, norm: Norm, radius: f64) -> SliceSettings {
    SliceSettings {
        spec,
        norm,
        radius,
        count: CountOptions {
            threads: 2,
            ..CountOptions::default()
        },
        circle_vertices: CIRCLE_VERTICES,
    }
}

/// Checks one slice; returns its region count.
fn check(net: &Network, center: &Array1<f64>, s: &SliceSettings) -> u64 {
    let slice = compute_slice(net, center, s).unwrap();
    assert!(slice.count.exact);
    assert!(slice.certified_domain);
    // One polygon per counted region, each non-empty, witness inside.
    assert_eq!(slice.regions.len() as u64, slice.count.regions);
    // The count equals a separate run of the enumerator on the restricted network.
    let again = count(
        &slice.network,
        &slice.count_domain,
        &CountOptions::default(),
    )
    .unwrap();
    assert_eq!(again.regions, slice.count.regions);
    for r in &slice.regions {
        assert!(r.area > 0.0, "region {} has an empty polygon", r.pattern);
        assert!(
            r.polygon.depth(r.witness) > 0.0,
            "witness of {} is not inside its polygon",
            r.pattern
        );
        // The witness is in the true domain (the disc, not only the circumscribed polygon).
        assert!(slice
            .count_domain
            .contains(array![r.witness[0], r.witness[1]].view()));
    }
    // Areas: the polygons tile the domain polygon except for (a) regions that meet only the thin
    // ring between the disc and the circumscribed polygon (relative area ≤ circumscribed_excess)
    // and (b) slivers thinner than the enumerator's interior tolerance (1e-6 r): 1e-5 relative.
    let report = slice.report("unused.svg");
    let tol = match s.norm {
        Norm::L2 => circumscribed_excess(CIRCLE_VERTICES) + 1e-5,
        Norm::Linf => 1e-5,
    };
    assert!(report.area_total <= report.domain_area * (1.0 + 1e-9));
    assert!(
        report.area_total >= report.domain_area * (1.0 - tol),
        "{} vs {}",
        report.area_total,
        report.domain_area
    );
    // Same patterns as the independent geometric splitting (regions above 1e-13 of the area).
    let split: BTreeSet<String> = split_regions(&slice.network, &slice.domain_polygon, 1e-13)
        .unwrap()
        .into_iter()
        .map(|r| r.pattern)
        .collect();
    let enumerated: BTreeSet<String> = slice.regions.iter().map(|r| r.pattern.clone()).collect();
    // Splitting covers the circumscribed polygon, so it may see extra regions in the outer ring.
    assert!(
        enumerated.is_subset(&split),
        "enumerated regions missing from the splitting"
    );
    // Regions thinner than the enumerator's interior tolerance are flagged as near it.
    if s.norm == Norm::Linf {
        assert!(split.len() as u64 <= slice.count.regions + slice.count.near_tolerance);
    }
    slice.count.regions
}

#[test]
fn moons_slices_in_disc_and_square() {
    let net = load_network(&data_path("moons-2-16-16-1.json"))
        .unwrap()
        .network;
    let c = array![0.5, 0.25];
    let n2 = check(&net, &c, &settings(PlaneSpec::Axes(0, 1), Norm::L2, 1.0));
    let ninf = check(&net, &c, &settings(PlaneSpec::Axes(0, 1), Norm::Linf, 1.0));
    assert!(n2 > 10 && ninf >= n2);
    // For a 2-D network the default slice is the input space: same count as the network itself.
    let direct = count(
        &net,
        &Domain::ball(c.clone(), 1.0, Norm::L2).unwrap(),
        &CountOptions::default(),
    )
    .unwrap();
    assert_eq!(direct.regions, n2);
}

#[test]
fn random_network_general_plane_l2() {
    let net = random_network(&[4, 10, 8, 1], 21, 0.5);
    let c = array![0.1, -0.2, 0.3, 0.0];
    let spec = PlaneSpec::Directions(array![1.0, 2.0, 0.0, -1.0], array![0.0, 1.0, 1.0, 1.0]);
    check(&net, &c, &settings(spec, Norm::L2, 1.2));
    check(
        &net,
        &c,
        &settings(
            PlaneSpec::Through(array![1.0, 0.0, 0.0, 0.0], array![0.0, 0.0, 1.0, 1.0]),
            Norm::L2,
            0.8,
        ),
    );
}

#[test]
fn general_plane_linf_uses_the_clipped_polygon() {
    let net = random_network(&[3, 8, 6, 1], 4, 0.5);
    let c = array![0.0, 0.1, -0.1];
    let spec = PlaneSpec::Directions(array![1.0, 1.0, 0.0], array![0.0, 1.0, 1.0]);
    let slice = compute_slice(&net, &c, &settings(spec, Norm::Linf, 0.7)).unwrap();
    assert!(!slice.certified_domain);
    let total: f64 = slice.regions.iter().map(|r| r.area).sum();
    let area = slice.domain_polygon.area();
    assert!((total - area).abs() <= 1e-5 * area, "{total} vs {area}");
    for r in &slice.regions {
        assert!(r.polygon.depth(r.witness) > 0.0);
        // Every vertex of every polygon is in the L∞ box (up to rounding).
        for v in &r.polygon.vertices {
            let x = slice.plane.point(v[0], v[1]);
            assert!((&x - &c).iter().all(|d| d.abs() <= 0.7 * (1.0 + 1e-9)));
        }
    }
}

/// Cells of the arrangement of lines `n·(s, t) + d = 0` (rows of `lines`) inside the disc of
/// radius r, counted independently of the enumerator: 1 + L + I for the L lines that cross the
/// disc and their I crossing points inside it (Euler's formula; the lines are checked to be in
/// general position with a margin, so f64 settles every comparison).
fn disc_cells_of_lines(lines: &[[f64; 3]], r: f64) -> u64 {
    let margin = 1e-9 * r;
    let mut crossing = Vec::new();
    for &[a, b, d] in lines {
        let g = a.hypot(b);
        assert!(g > 0.0, "a unit constant on the plane");
        let dist = d.abs() / g;
        assert!((dist - r).abs() > margin, "a line tangent to the circle");
        if dist < r {
            crossing.push([a / g, b / g, d / g]);
        }
    }
    let mut points: Vec<[f64; 2]> = Vec::new();
    for (i, p) in crossing.iter().enumerate() {
        for q in &crossing[i + 1..] {
            let det = p[0] * q[1] - p[1] * q[0];
            assert!(det.abs() > 1e-9, "two parallel lines");
            let s = (-p[2] * q[1] + q[2] * p[1]) / det;
            let t = (-p[0] * q[2] + q[0] * p[2]) / det;
            let rho = s.hypot(t);
            assert!((rho - r).abs() > margin, "a crossing on the circle");
            if rho < r {
                points.push([s, t]);
            }
        }
    }
    for (i, p) in points.iter().enumerate() {
        for q in &points[i + 1..] {
            assert!(
                (p[0] - q[0]).hypot(p[1] - q[1]) > margin,
                "three lines through one point"
            );
        }
    }
    1 + crossing.len() as u64 + points.len() as u64
}

/// VNN-COMP's Convnet_avgpool has one ReLU layer (Conv 32@2×2 over 28×28), so in a plane its
/// regions are the cells of the 23,328 units' lines: the exact slice around a real MNIST image
/// must count exactly those (about 7,000 cells at radius 0.004; 45,280 at 0.008 agreed too).
#[test]
fn cnn_slice_counts_the_cells_of_its_units_lines() {
    let (Some(model), Some(images)) = (
        common::shared_path("benchmarks/cnn/Convnet_avgpool.onnx"),
        common::shared_path("benchmarks/mnist/images.csv"),
    ) else {
        return;
    };
    let net = load_network(&model).unwrap().network;
    let row = std::fs::read_to_string(images).unwrap();
    let c: Array1<f64> = row
        .lines()
        .next()
        .unwrap()
        .split(',')
        .map(|v| v.trim().parse::<f64>().unwrap())
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(16);
    let mut direction = || Array1::from_shape_fn(784, |_| rng.gen_range(-1.0..1.0));
    let spec = PlaneSpec::Directions(direction(), direction());
    for radius in [0.003, 0.004] {
        let slice = compute_slice(&net, &c, &settings(spec.clone(), Norm::L2, radius)).unwrap();
        assert!(slice.count.exact);
        let (u, v) = (
            Array1::from(slice.plane.u.clone()),
            Array1::from(slice.plane.v.clone()),
        );
        let w = net.first_weight();
        let (z, a, b) = (w.dot(&c) + &net.layers()[0].bias, w.dot(&u), w.dot(&v));
        let lines: Vec<[f64; 3]> = (0..z.len()).map(|i| [a[i], b[i], z[i]]).collect();
        let cells = disc_cells_of_lines(&lines, radius);
        assert!(
            cells > 10,
            "radius {radius}: {cells} cells, too few to test"
        );
        assert_eq!(slice.count.regions, cells, "radius {radius}");
    }
}
