//! Inscribed-ball problems with answers derived by hand, run on every backend that supports the
//! domain. Each expected radius comes from elementary geometry (derivations in the comments).

use ndarray::{array, Array1};
use relu_regions::solver::{ClarabelSolver, HalfSpace, Interior, InteriorSolver};
use relu_regions::{Domain, Norm};

fn backends(domain: &Domain) -> Vec<Box<dyn InteriorSolver>> {
    let mut v: Vec<Box<dyn InteriorSolver>> = vec![Box::new(ClarabelSolver::new())];
    if matches!(domain.shape(), relu_regions::Shape::Box { .. }) {
        v.extend(highs_backend());
    }
    v
}

fn highs_backend() -> Vec<Box<dyn InteriorSolver>> {
    vec![Box::new(relu_regions::solver::HighsSolver::new().unwrap())]
}

fn hs(g: Array1<f64>, h: f64) -> HalfSpace {
    HalfSpace { g, h }
}

/// Solves on every backend; checks the center exactly against every constraint and returns the
/// answers.
fn solve_all(domain: &Domain, halfspaces: &[HalfSpace]) -> Vec<(&'static str, Interior)> {
    backends(domain)
        .into_iter()
        .map(|mut s| {
            s.load(domain, halfspaces).unwrap();
            let ans = s.max_inscribed_ball().unwrap();
            if let Interior::Found { center, radius } = &ans {
                assert!(*radius > 0.0);
                assert!(
                    domain.depth(center.view()) >= radius - 1e-12,
                    "{}: center not deep in the domain",
                    s.name()
                );
                for h in halfspaces {
                    let n = h.g.dot(&h.g).sqrt();
                    assert!(
                        h.h - h.g.dot(center) >= radius * n - 1e-12,
                        "{}: center violates {:?}",
                        s.name(),
                        h
                    );
                }
            }
            (s.name(), ans)
        })
        .collect()
}

fn assert_found(
    domain: &Domain,
    halfspaces: &[HalfSpace],
    radius: f64,
    center: Option<Array1<f64>>,
) {
    for (name, ans) in solve_all(domain, halfspaces) {
        match ans {
            Interior::Found {
                center: c,
                radius: r,
            } => {
                assert!(
                    (r - radius).abs() < 1e-6,
                    "{name}: radius {r}, expected {radius}"
                );
                if let Some(c0) = &center {
                    let d = &c - c0;
                    assert!(d.dot(&d).sqrt() < 1e-5, "{name}: center {c}, expected {c0}");
                }
            }
            other => panic!("{name}: {other:?}, expected a ball of radius {radius}"),
        }
    }
}

fn assert_empty(domain: &Domain, halfspaces: &[HalfSpace], radius: f64) {
    for (name, ans) in solve_all(domain, halfspaces) {
        match ans {
            Interior::Empty { radius: r } => {
                assert!(
                    r == radius || (r - radius).abs() < 1e-6,
                    "{name}: radius {r}, expected {radius}"
                )
            }
            other => panic!("{name}: {other:?}, expected empty with radius {radius}"),
        }
    }
}

#[test]
fn box_alone_inscribes_its_smallest_half_width() {
    // [0, 2] × [0, 1]: the largest ball has radius 1/2 (half the short side).
    let d = Domain::from_bounds(&array![0.0, 0.0], &array![2.0, 1.0]).unwrap();
    for (name, ans) in solve_all(&d, &[]) {
        match ans {
            Interior::Found { center, radius } => {
                assert!((radius - 0.5).abs() < 1e-6, "{name}: {radius}");
                assert!((center[1] - 0.5).abs() < 1e-5, "{name}: {center}");
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    // An L∞ ball far from the origin: radius = half width.
    let far = Domain::ball(array![100.0, -50.0, 3.0], 0.25, Norm::Linf).unwrap();
    assert_found(&far, &[], 0.25, Some(array![100.0, -50.0, 3.0]));
}

#[test]
fn triangle_in_a_square() {
    // [-1, 1]² ∩ {x + y ≤ 0}: the right triangle (−1,−1), (1,−1), (−1,1) with legs 2 and
    // hypotenuse 2√2; its inradius is (a + b − c)/2 = 2 − √2, center (−1 + ρ, −1 + ρ).
    let d = Domain::ball(array![0.0, 0.0], 1.0, Norm::Linf).unwrap();
    let rho = 2.0 - 2f64.sqrt();
    // The same half-space scaled by 3: the radius must stay in input units.
    let cut = [hs(array![3.0, 3.0], 0.0)];
    assert_found(&d, &cut, rho, Some(array![-1.0 + rho, -1.0 + rho]));
}

#[test]
fn disc_cut_by_a_half_space() {
    // Unit disc ∩ {x₁ ≤ δ}: the ball lies in the chord segment −1 ≤ x₁ ≤ δ; the center
    // ((δ − 1)/2, 0) is at distance (1 + δ)/2 from the plane and from the circle, and no larger
    // ball fits in the strip −1 ≤ x₁ ≤ δ. For δ < −1, t ≤ (1 + δ)/2 still binds (x₁ ≥ −(1 − t)
    // and x₁ + t ≤ δ), so the optimum is (1 + δ)/2 < 0.
    let disc = Domain::ball(array![0.0, 0.0], 1.0, Norm::L2).unwrap();
    for delta in [0.9, 0.3, 0.0, -0.5, -0.95] {
        let rho = (1.0 + delta) / 2.0;
        assert_found(
            &disc,
            &[hs(array![1.0, 0.0], delta)],
            rho,
            Some(array![(delta - 1.0) / 2.0, 0.0]),
        );
    }
    assert_empty(&disc, &[hs(array![2.0, 0.0], -4.0)], -0.5); // x₁ ≤ −2
}

#[test]
fn tangent_half_space_leaves_no_interior() {
    // Unit disc ∩ {x₁ ≥ 1}: a single point, inscribed radius 0.
    let disc = Domain::ball(array![0.0, 0.0], 1.0, Norm::L2).unwrap();
    for (name, ans) in solve_all(&disc, &[hs(array![-1.0, 0.0], -1.0)]) {
        match ans {
            Interior::Empty { radius } => assert!(radius.abs() < 1e-6, "{name}: {radius}"),
            Interior::Found { radius, .. } => assert!(radius <= 1e-9, "{name}: {radius}"),
        }
    }
    // Box [-1,1]² ∩ {x₁ ≥ 1}: a segment on the boundary.
    let sq = Domain::ball(array![0.0, 0.0], 1.0, Norm::Linf).unwrap();
    for (name, ans) in solve_all(&sq, &[hs(array![-1.0, 0.0], -1.0)]) {
        match ans {
            Interior::Empty { radius } => assert!(radius.abs() < 1e-6, "{name}: {radius}"),
            Interior::Found { radius, .. } => assert!(radius <= 1e-9, "{name}: {radius}"),
        }
    }
}

#[test]
fn disjoint_half_spaces_are_empty() {
    // x₁ ≤ −0.2 and x₁ ≥ 0.2 in the unit box: t ≤ (−0.2 − x₁) and t ≤ x₁ − 0.2 give
    // 2t ≤ −0.4, optimum −0.2.
    let sq = Domain::ball(array![0.0, 0.0], 1.0, Norm::Linf).unwrap();
    let two = [hs(array![1.0, 0.0], -0.2), hs(array![-1.0, 0.0], -0.2)];
    assert_empty(&sq, &two, -0.2);
    let disc = Domain::ball(array![0.0, 0.0], 1.0, Norm::L2).unwrap();
    assert_empty(&disc, &two, -0.2);
}

#[test]
fn constant_rows_are_true_or_false_everywhere() {
    let sq = Domain::ball(array![0.0, 0.0], 1.0, Norm::Linf).unwrap();
    assert_found(&sq, &[hs(array![0.0, 0.0], 0.0)], 1.0, None);
    assert_empty(&sq, &[hs(array![0.0, 0.0], -1e-12)], f64::NEG_INFINITY);
    let disc = Domain::ball(array![0.0, 0.0], 2.0, Norm::L2).unwrap();
    assert_empty(&disc, &[hs(array![0.0, 0.0], -1.0)], f64::NEG_INFINITY);
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let sq = Domain::ball(array![0.0, 0.0], 1.0, Norm::Linf).unwrap();
    for mut s in backends(&sq) {
        assert!(
            s.max_inscribed_ball().is_err(),
            "{}: solve before load",
            s.name()
        );
        assert!(
            s.load(&sq, &[hs(array![1.0], 0.0)]).is_err(),
            "{}: wrong dimension",
            s.name()
        );
        assert!(
            s.load(&sq, &[hs(array![f64::NAN, 0.0], 0.0)]).is_err(),
            "{}: NaN",
            s.name()
        );
        s.load(&sq, &[]).unwrap();
        assert!(s.pop().is_err(), "{}: pop on empty stack", s.name());
    }
}
