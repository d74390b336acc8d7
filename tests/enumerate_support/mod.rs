//! Test support for the enumerator: an independent brute-force oracle (one Chebyshev LP / SOCP
//! per pattern, built here from scratch with Clarabel, not through the enumerator or the
//! crate's solver module); witnesses are collected with the crate's `CollectingSink`.
#![allow(dead_code)]

pub mod nnet;

use clarabel::algebra::CscMatrix;
use clarabel::solver::{DefaultSettingsBuilder, DefaultSolver, IPSolver, SupportedConeT};
use ndarray::Array1;
use relu_regions::enumerate::{count_regions_with, CollectingSink, CountOptions, CountOutcome};
use relu_regions::solver::{ClarabelSolver, InteriorSolver};
use relu_regions::{ActivationPattern, Domain, Network, Shape};
use std::collections::BTreeSet;

/// Runs the enumerator with Clarabel and returns the result and the collected regions.
pub fn enumerate(
    net: &Network,
    domain: &Domain,
    threads: usize,
) -> (CountOutcome, Vec<(Array1<f64>, ActivationPattern)>) {
    let sink = CollectingSink::new();
    let settings = CountOptions {
        threads,
        ..Default::default()
    };
    let factory =
        || -> relu_regions::Result<Box<dyn InteriorSolver>> { Ok(Box::new(ClarabelSolver::new())) };
    let res = count_regions_with(net, domain, &settings, Some(&sink), &factory)
        .expect("enumeration runs");
    (res, sink.into_regions())
}

/// Checks every witness: inside the domain, the network's pattern there is the claimed one, and
/// all patterns are distinct. Returns the set of patterns.
pub fn check_witnesses(
    net: &Network,
    domain: &Domain,
    regions: &[(Array1<f64>, ActivationPattern)],
) -> BTreeSet<ActivationPattern> {
    let mut set = BTreeSet::new();
    for (w, p) in regions {
        assert!(domain.contains(w.view()), "witness {w} outside the domain");
        assert_eq!(
            &net.activation_pattern(w.view()),
            p,
            "pattern at witness {w} differs"
        );
        assert!(
            set.insert(p.clone()),
            "pattern {} reported twice",
            p.to_compact()
        );
    }
    set
}

/// Largest inscribed Euclidean radius t* of {x in domain : pattern p} (the half-spaces of every
/// unit under p; a zero row must agree with the sign of its bias), by one Chebyshev LP (box) or
/// SOCP (L2 ball) built from scratch: max t s.t. g·x + t‖g‖ ≤ h, domain shrunk by t.
pub fn chebyshev_radius(net: &Network, domain: &Domain, p: &ActivationPattern) -> f64 {
    let n = domain.dim();
    let maps = net.pre_activation_maps(&p.layers[..p.layers.len() - 1]);
    let mut rows: Vec<(Vec<f64>, f64)> = Vec::new(); // (g, h): g·x + t‖g‖ ≤ h
    for (l, m) in maps.iter().enumerate() {
        for u in 0..m.units() {
            let a = m.a.row(u);
            let on = p.layers[l][u];
            let norm = a.dot(&a).sqrt();
            if norm == 0.0 {
                if (m.b[u] > 0.0) != on {
                    return f64::NEG_INFINITY;
                }
                continue;
            }
            let s = if on { -1.0 } else { 1.0 }; // on: −a·x ≤ β ; off: a·x ≤ −β
            let mut g: Vec<f64> = a.iter().map(|v| s * v / norm).collect();
            g.push(1.0);
            rows.push((g, if on { m.b[u] / norm } else { -m.b[u] / norm }));
        }
    }
    let c = domain.center();
    let mut cones = vec![];
    match domain.shape() {
        Shape::Box { half_widths } => {
            for j in 0..n {
                let mut g = vec![0.0; n + 1];
                g[j] = 1.0;
                g[n] = 1.0;
                rows.push((g.clone(), c[j] + half_widths[j]));
                g[j] = -1.0;
                rows.push((g, -c[j] + half_widths[j]));
            }
            cones.push(SupportedConeT::NonnegativeConeT(rows.len()));
        }
        Shape::L2Ball { radius } => {
            let m = rows.len();
            cones.push(SupportedConeT::NonnegativeConeT(m));
            // s = b − A z: s_0 = r − t, s_j = x_j − c_j
            let mut g = vec![0.0; n + 1];
            g[n] = 1.0;
            rows.push((g, *radius));
            for j in 0..n {
                let mut g = vec![0.0; n + 1];
                g[j] = -1.0;
                rows.push((g, -c[j]));
            }
            cones.push(SupportedConeT::SecondOrderConeT(n + 1));
        }
    }
    let dense: Vec<Vec<f64>> = rows.iter().map(|r| r.0.clone()).collect();
    let a = CscMatrix::from(&dense);
    let b: Vec<f64> = rows.iter().map(|r| r.1).collect();
    let pm = CscMatrix::zeros((n + 1, n + 1));
    let mut q = vec![0.0; n + 1];
    q[n] = -1.0;
    let settings = DefaultSettingsBuilder::default()
        .verbose(false)
        .tol_gap_abs(1e-10)
        .tol_gap_rel(1e-10)
        .tol_feas(1e-10)
        .build()
        .unwrap();
    let mut solver = DefaultSolver::new(&pm, &q, &a, &b, &cones, settings).unwrap();
    solver.solve();
    solver.solution.x[n]
}

/// Every pattern of the 2^N whose region has an inscribed radius > `tol`, with the radii.
pub fn brute_force(
    net: &Network,
    domain: &Domain,
    tol: f64,
) -> (BTreeSet<ActivationPattern>, Vec<(ActivationPattern, f64)>) {
    let widths = net.hidden_widths();
    let total: usize = widths.iter().sum();
    assert!(total <= 14, "brute force is for tiny nets");
    let mut set = BTreeSet::new();
    let mut radii = Vec::new();
    for bits in 0u32..(1u32 << total) {
        let mut layers = Vec::new();
        let mut k = 0;
        for &w in &widths {
            layers.push(
                (0..w)
                    .map(|i| bits >> (k + i) & 1 == 1)
                    .collect::<Vec<bool>>(),
            );
            k += w;
        }
        let p = ActivationPattern::new(layers);
        let t = chebyshev_radius(net, domain, &p);
        if t > tol {
            set.insert(p.clone());
        }
        radii.push((p, t));
    }
    (set, radii)
}

/// Runs the enumerator deciding every split the domain does not settle with the solver `kind`
/// (no closed-form proofs), and returns the collected regions.
pub fn enumerate_solver_only(
    net: &Network,
    domain: &Domain,
    kind: relu_regions::solver::SolverKind,
    threads: usize,
) -> (CountOutcome, Vec<(Array1<f64>, ActivationPattern)>) {
    let sink = CollectingSink::new();
    let settings = CountOptions {
        threads,
        ..Default::default()
    };
    let factory = || relu_regions::solver::make_solver(kind, domain);
    let res = relu_regions::enumerate::count_regions_solver_only(
        net,
        domain,
        &settings,
        Some(&sink),
        &factory,
    )
    .expect("enumeration runs");
    (res, sink.into_regions())
}

/// Counts `net` in `domain` with its witnesses and checks the count against brute force: exact,
/// the same number, every witness proven for its pattern, every pattern one brute force finds
/// (`what` names the case in messages). Returns the count and the patterns found.
pub fn assert_counts_as_brute_force(
    net: &Network,
    domain: &Domain,
    what: &str,
) -> (CountOutcome, Vec<ActivationPattern>) {
    use relu_regions::count_with_witnesses;
    use relu_regions::enumerate::{check_witness, interior_tol};
    let (truth, _) = brute_force(net, domain, interior_tol(domain));
    let sink = CollectingSink::default();
    let fast = count_with_witnesses(net, domain, &CountOptions::new(), &sink).unwrap();
    assert!(fast.exact, "{what}");
    assert_eq!(fast.regions, truth.len() as u64, "{what}");
    let mut patterns = Vec::new();
    for (w, p) in sink.into_regions() {
        let flat: Vec<bool> = p.layers.iter().flatten().copied().collect();
        assert!(check_witness(net, domain, w.view(), &flat), "{what}");
        assert!(
            truth.contains(&p),
            "{what}: a pattern brute force rules out"
        );
        patterns.push(p);
    }
    (fast, patterns)
}
