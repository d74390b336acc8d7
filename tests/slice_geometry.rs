//! The geometry of slices: the restricted network, the domain polygon and the exact region
//! polygons, checked against independent methods (forward passes, exact 1-D breakpoint tracking,
//! sampling).

mod common;

use common::{data_path, exact_patterns_on_segment, random_network, sampled_patterns};
use ndarray::{array, Array1};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relu_regions::formats::load_network;
use relu_regions::slice::{
    circumscribed_excess, polygons_from_witnesses, split_regions, Plane, PlaneSpec, CIRCLE_VERTICES,
};
use relu_regions::{ActivationPattern, Domain, Network, Norm};
use std::collections::HashSet;

fn moons() -> Network {
    load_network(&data_path("moons-2-16-16-1.json"))
        .expect("data/moons-2-16-16-1.json loads")
        .network
}

#[test]
fn restricted_network_agrees_with_the_original_on_the_plane() {
    let net = random_network(&[5, 12, 9, 3], 7, 0.5);
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let c = Array1::from_shape_fn(5, |_| rng.gen_range(-1.0..1.0));
    let d1 = Array1::from_shape_fn(5, |_| rng.gen_range(-1.0..1.0));
    let d2 = Array1::from_shape_fn(5, |_| rng.gen_range(-1.0..1.0));
    for spec in [
        PlaneSpec::Axes(1, 3),
        PlaneSpec::Directions(d1.clone(), d2.clone()),
        PlaneSpec::Through(&c + &d1, &c - &d2),
    ] {
        let plane = Plane::new(&c, &spec).unwrap();
        // Orthonormal directions.
        let u = Array1::from(plane.u.clone());
        let v = Array1::from(plane.v.clone());
        assert!(
            (u.dot(&u) - 1.0).abs() < 1e-12
                && (v.dot(&v) - 1.0).abs() < 1e-12
                && u.dot(&v).abs() < 1e-12
        );
        let net2 = plane.restrict(&net).unwrap();
        assert_eq!(net2.input_dim(), 2);
        for _ in 0..200 {
            let (s, t) = (rng.gen_range(-2.0..2.0), rng.gen_range(-2.0..2.0));
            let x = &c + &(&u * s) + &(&v * t);
            let f = net.forward(x.view());
            let g = net2.forward(array![s, t].view());
            for k in 0..f.len() {
                assert!(
                    (f[k] - g[k]).abs() < 1e-10 * (1.0 + f[k].abs()),
                    "f = {f}, g = {g}"
                );
            }
            assert_eq!(
                net.activation_pattern(x.view()),
                net2.activation_pattern(array![s, t].view())
            );
        }
    }
    // The center must have the network's input dimension.
    let plane = Plane::new(&array![0.0, 0.0], &PlaneSpec::Axes(0, 1)).unwrap();
    assert!(plane.restrict(&net).is_err());
}

/// The regions found by splitting tile the domain polygon, and every region met by an exact 1-D
/// breakpoint walk along chords of the disc, or by a random sample of the disc, is one of them.
fn check_tiling(net2: &Network, radius: f64, norm: Norm) -> usize {
    let plane = Plane::new(&array![0.0, 0.0], &PlaneSpec::Axes(0, 1)).unwrap();
    let domain_poly = plane.domain_polygon(norm, radius, CIRCLE_VERTICES);
    let regions = split_regions(net2, &domain_poly, 1e-13).unwrap();
    let total: f64 = regions.iter().map(|r| r.area).sum();
    let dom_area = domain_poly.area();
    // Tolerance: rounding of the clipped vertices (relative 1e-9, generous) — the pieces tile the
    // polygon exactly up to floating point.
    assert!(
        (total - dom_area).abs() <= 1e-9 * dom_area,
        "areas sum to {total}, domain polygon {dom_area}"
    );
    let patterns: HashSet<String> = regions.iter().map(|r| r.pattern.clone()).collect();
    assert_eq!(patterns.len(), regions.len(), "a pattern appears twice");
    for r in &regions {
        assert!(r.area > 0.0);
        assert!(r.polygon.depth(r.witness) > 0.0);
        // The witness really has the region's pattern.
        assert_eq!(
            net2.activation_pattern(array![r.witness[0], r.witness[1]].view())
                .to_compact(),
            r.pattern
        );
    }
    // Exact 1-D walks along chords through the disc (or square) meet only known patterns.
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for _ in 0..40 {
        let a: f64 = rng.gen_range(0.0..std::f64::consts::TAU);
        let off: f64 = rng.gen_range(-0.9..0.9) * radius;
        let d = array![a.cos(), a.sin()];
        let p = array![-a.sin() * off, a.cos() * off];
        let half = (radius * radius - off * off).sqrt() * 0.999;
        for pat in exact_patterns_on_segment(net2, &p, &d, -half, half) {
            assert!(
                patterns.contains(&pat.to_compact()),
                "pattern {} met on a chord is missing",
                pat.to_compact()
            );
        }
    }
    let dom = Domain::ball(array![0.0, 0.0], radius, norm).unwrap();
    for pat in sampled_patterns(net2, &dom, 20_000, 5) {
        assert!(
            patterns.contains(&pat.to_compact()),
            "sampled pattern {} is missing",
            pat.to_compact()
        );
    }
    // The polygons rebuilt from (witness, pattern) pairs alone are the same regions.
    let found: Vec<(Array1<f64>, ActivationPattern)> = regions
        .iter()
        .map(|r| {
            (
                array![r.witness[0], r.witness[1]],
                ActivationPattern::from_compact(&r.pattern).unwrap(),
            )
        })
        .collect();
    let rebuilt = polygons_from_witnesses(net2, &domain_poly, &found, false).unwrap();
    for (a, b) in rebuilt.iter().zip(&regions) {
        assert!(
            (a.area - b.area).abs() <= 1e-9 * dom_area,
            "region {}: {} vs {}",
            a.pattern,
            a.area,
            b.area
        );
    }
    regions.len()
}

#[test]
fn moons_regions_tile_the_disc_and_the_square() {
    let net = moons();
    let c = array![0.5, 0.25];
    let plane = Plane::new(&c, &PlaneSpec::Axes(0, 1)).unwrap();
    let net2 = plane.restrict(&net).unwrap();
    let n_disc = check_tiling(&net2, 1.0, Norm::L2);
    let n_square = check_tiling(&net2, 1.0, Norm::Linf);
    assert!(
        n_disc > 10 && n_square >= n_disc,
        "disc {n_disc}, square {n_square}"
    );
    assert!(circumscribed_excess(CIRCLE_VERTICES) < 2e-6);
}

#[test]
fn random_network_regions_tile_the_disc() {
    for seed in 0..3 {
        let net = random_network(&[2, 10, 8, 6, 1], seed, 0.6);
        check_tiling(&net, 1.5, Norm::L2);
    }
}

#[test]
fn a_witness_outside_its_polygon_is_an_error() {
    let net = random_network(&[2, 6, 1], 1, 0.3);
    let plane = Plane::new(&array![0.0, 0.0], &PlaneSpec::Axes(0, 1)).unwrap();
    let dom = plane.domain_polygon(Norm::L2, 1.0, CIRCLE_VERTICES);
    let regions = split_regions(&net, &dom, 1e-13).unwrap();
    assert!(regions.len() >= 2);
    // Pair the first region's pattern with the second region's witness.
    let wrong = vec![(
        array![regions[1].witness[0], regions[1].witness[1]],
        ActivationPattern::from_compact(&regions[0].pattern).unwrap(),
    )];
    assert!(polygons_from_witnesses(&net, &dom, &wrong, false).is_err());
}
