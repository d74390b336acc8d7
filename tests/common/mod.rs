//! Shared test utilities: random networks, independent counting methods (exact 1-D breakpoint
//! tracking along a segment, dense sampling as a lower bound) and paths to ../shared.
#![allow(dead_code)]

use ndarray::{Array1, Array2};
use num_rational::BigRational;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relu_regions::count;
use relu_regions::enumerate::{CountOptions, CountOutcome};
use relu_regions::{ActivationPattern, Domain, Layer, Network, Shape};
use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;

/// `<shared>/<rel>` if present, where `<shared>` is `$RELU_REGIONS_SHARED` or `../shared` beside
/// the checkout; otherwise prints a note and returns `None` (the test skips).
pub fn shared_path(rel: &str) -> Option<PathBuf> {
    let base = std::env::var_os("RELU_REGIONS_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("shared")
        });
    let p = base.join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("note: {} is absent; skipping this test", p.display());
        None
    }
}

/// A file of this repository's `data/` folder.
pub fn data_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(rel)
}

/// A random network with the given widths `[n0, n1, ..., nL, out]`: weights N(0, 1/fan_in)-ish
/// (uniform, scaled), biases uniform in [-bias_scale, bias_scale].
pub fn random_network(widths: &[usize], seed: u64, bias_scale: f64) -> Network {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let layers = widths
        .windows(2)
        .map(|w| {
            let (inp, out) = (w[0], w[1]);
            let s = (3.0 / inp as f64).sqrt();
            let weight = Array2::from_shape_fn((out, inp), |_| rng.gen_range(-s..s));
            let bias = Array1::from_shape_fn(out, |_| rng.gen_range(-bias_scale..=bias_scale));
            Layer::new(weight, bias)
        })
        .collect();
    Network::new(layers).expect("random widths are valid")
}

/// The count of `net` in `domain` on one thread, default settings.
pub fn count_one_thread(net: &Network, domain: &Domain) -> CountOutcome {
    let settings = CountOptions {
        threads: 1,
        ..Default::default()
    };
    count(net, domain, &settings).expect("enumeration runs")
}

/// A count result in one line, for assertion messages.
pub fn describe(res: &CountOutcome) -> String {
    format!(
        "{} regions (exact: {}, lower {}, upper {}, stop {})",
        res.regions, res.exact, res.lower, res.upper, res.stop
    )
}

/// The exact value of a float.
pub fn rational(v: f64) -> BigRational {
    BigRational::from_float(v).expect("finite")
}

/// `net` with layer l's weights multiplied by α_l and its bias by α_1 ⋯ α_l: every
/// pre-activation of hidden layer l is multiplied by α_1 ⋯ α_l > 0, so the pattern is unchanged
/// in exact arithmetic (exactly in floats too when the α_l are powers of two).
pub fn scale_layers(net: &Network, alphas: &[f64]) -> Network {
    let mut p = 1.0;
    Network::new(
        net.layers()
            .iter()
            .zip(alphas)
            .map(|(l, &a)| {
                p *= a;
                Layer::new(l.weight.map_entries(|w| w * a), &l.bias * p)
            })
            .collect(),
    )
    .expect("finite")
}

/// Writes a version-1 .npy file with the given header dict (padded as numpy pads it) and data.
pub fn write_npy(path: &std::path::Path, header: &str, data: &[u8]) {
    let mut h = header.as_bytes().to_vec();
    while !(10 + h.len() + 1).is_multiple_of(64) {
        h.push(b' ');
    }
    h.push(b'\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((h.len() as u16).to_le_bytes());
    bytes.extend(h);
    bytes.extend(data);
    std::fs::write(path, bytes).expect("written");
}

/// A network from nested vectors: one (weight rows, bias) pair per affine layer.
pub fn net_from(layers: Vec<(Vec<Vec<f64>>, Vec<f64>)>) -> Network {
    Network::new(
        layers
            .into_iter()
            .map(|(w, b)| {
                let (rows, cols) = (w.len(), w[0].len());
                Layer::new(
                    Array2::from_shape_vec((rows, cols), w.concat()).expect("rectangular rows"),
                    Array1::from(b),
                )
            })
            .collect(),
    )
    .expect("a valid network")
}

/// A point drawn uniformly from the open domain.
pub fn sample_in_domain(domain: &Domain, rng: &mut impl Rng) -> Array1<f64> {
    let d = domain.dim();
    match domain.shape() {
        Shape::Box { half_widths } => Array1::from_shape_fn(d, |i| {
            domain.center()[i] + half_widths[i] * rng.gen_range(-1.0..1.0)
        }),
        Shape::L2Ball { radius } => loop {
            // rejection from the bounding cube: fine for d <= 4
            let x = Array1::from_shape_fn(d, |_| rng.gen_range(-1.0..1.0));
            let n2 = x.dot(&x);
            if n2 < 1.0 {
                return domain.center() + &(x * *radius);
            }
        },
    }
}

/// Distinct activation patterns of `samples` random points of the domain: a lower bound on the
/// number of regions meeting the domain (probability 0 of landing on a boundary).
pub fn sampled_patterns(
    net: &Network,
    domain: &Domain,
    samples: usize,
    seed: u64,
) -> HashSet<ActivationPattern> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..samples)
        .map(|_| net.activation_pattern(sample_in_domain(domain, &mut rng).view()))
        .collect()
}

/// Exact number of linear regions met by the open segment {p + t d : t ∈ (t0, t1)}, by tracking
/// the breakpoints layer by layer: on a piece where the patterns of layers < l are fixed, every
/// pre-activation of layer l is affine in t, so its sign changes at most once. Pieces of positive
/// length with the same pattern that touch are merged (a unit that is identically 0 on a piece
/// does not cut). Returns the distinct patterns in order along the segment (their number is the
/// count; regions are convex, so a pattern cannot come back after leaving).
pub fn exact_patterns_on_segment(
    net: &Network,
    p: &Array1<f64>,
    d: &Array1<f64>,
    t0: f64,
    t1: f64,
) -> Vec<ActivationPattern> {
    let mut pieces: Vec<(f64, f64, ActivationPattern)> = Vec::new();
    refine(net, p, d, t0, t1, 0, &mut Vec::new(), &mut pieces);
    pieces.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
    let mut out: Vec<ActivationPattern> = Vec::new();
    for (_, _, pat) in pieces {
        if out.last() != Some(&pat) {
            out.push(pat);
        }
    }
    // a region cannot be met twice along a line (convexity)
    let distinct: BTreeSet<_> = out.iter().cloned().collect();
    assert_eq!(
        distinct.len(),
        out.len(),
        "a pattern reappeared along a line: numerical trouble"
    );
    out
}

#[allow(clippy::too_many_arguments)]
fn refine(
    net: &Network,
    p: &Array1<f64>,
    d: &Array1<f64>,
    lo: f64,
    hi: f64,
    layer: usize,
    prefix: &mut Vec<Vec<bool>>,
    pieces: &mut Vec<(f64, f64, ActivationPattern)>,
) {
    if layer == net.depth() {
        pieces.push((lo, hi, ActivationPattern::new(prefix.clone())));
        return;
    }
    let maps = net.pre_activation_maps(prefix);
    let m = &maps[layer];
    // h_i(t) = (A p + β)_i + t (A d)_i
    let h0 = m.apply(p.view());
    let slope = m.a.dot(d);
    let mut cuts = vec![lo, hi];
    for i in 0..m.units() {
        if slope[i] != 0.0 {
            let t = -h0[i] / slope[i];
            if t > lo && t < hi {
                cuts.push(t);
            }
        }
    }
    cuts.sort_by(|a, b| a.partial_cmp(b).unwrap());
    cuts.dedup();
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        if b - a <= 1e-12 * (1.0 + a.abs().max(b.abs())) {
            continue; // zero-length piece: a point, not a region
        }
        let mid = 0.5 * (a + b);
        let mask: Vec<bool> = (0..m.units())
            .map(|i| h0[i] + mid * slope[i] > 0.0)
            .collect();
        prefix.push(mask);
        refine(net, p, d, a, b, layer + 1, prefix, pieces);
        prefix.pop();
    }
}

/// L∞ when `linf`, else L2 (for property tests drawing a norm as a boolean).
pub fn norm_of(linf: bool) -> relu_regions::Norm {
    if linf {
        relu_regions::Norm::Linf
    } else {
        relu_regions::Norm::L2
    }
}

/// The widths `[n0, hidden..., 1]` of a network with one output.
pub fn shape(n0: usize, hidden: &[usize]) -> Vec<usize> {
    let mut w = vec![n0];
    w.extend_from_slice(hidden);
    w.push(1);
    w
}
