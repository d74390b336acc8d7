//! Slices counted by the exact enumerator: one polygon per counted region, every witness inside
//! its polygon, areas adding up to the domain's, and the same regions as the independent
//! geometric splitting of `slice::split_regions`.

mod common;

use common::{data_path, random_network};
use ndarray::{array, Array1};
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
