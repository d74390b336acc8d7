//! Tests of the checker on tiny hand-made networks whose regions are known, with certificates
//! built byte by byte by a test-only encoder that follows `docs/certificate.md`.

use super::num::{decompose, Acc, Int};
use super::walk::PatternSet;
use super::*;
use crate::network::Layer;
use flate2::write::ZlibEncoder;
use flate2::Compression;
use ndarray::{array, Array1, Array2};
use num_bigint::BigInt;
use num_rational::BigRational;
use rand::{Rng, SeedableRng};
use std::io::Write;

// ---------------------------------------------------------------------------------------------
// The test-only encoder
// ---------------------------------------------------------------------------------------------

const SHA: [u8; 32] = [7; 32];

/// A proof of emptiness: over the domain (m = 0), over the node's box (m = 1), or with
/// multipliers on ancestors as f64 or f32.
#[derive(Clone, Debug)]
enum P {
    Domain,
    Box,
    Z(Vec<(u64, f64)>),
    Z32(Vec<(u64, f32)>),
}

/// Multipliers as f64, the domain proof when there are none.
fn z(z: &[(u64, f64)]) -> P {
    if z.is_empty() {
        P::Domain
    } else {
        P::Z(z.to_vec())
    }
}

/// A subtree, in the order the format writes it.
#[derive(Clone, Debug)]
enum T {
    Leaf(Vec<f64>),
    Open,
    KeepOn(P, Box<T>),
    KeepOff(P, Box<T>),
    Branch(Box<T>, Box<T>),
    Empty(P, P),
    KeepOnOpen(Box<T>),
    KeepOffOpen(Box<T>),
}

fn leaf(x: &[f64]) -> T {
    T::Leaf(x.to_vec())
}
fn branch(on: T, off: T) -> T {
    T::Branch(Box::new(on), Box::new(off))
}
fn keep_on(m: &[(u64, f64)], t: T) -> T {
    T::KeepOn(z(m), Box::new(t))
}
fn keep_off(m: &[(u64, f64)], t: T) -> T {
    T::KeepOff(z(m), Box::new(t))
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn zvarint(out: &mut Vec<u8>, n: i64) {
    varint(out, ((n << 1) ^ (n >> 63)) as u64);
}

fn f64s(out: &mut Vec<u8>, v: &[f64]) {
    for x in v {
        out.extend_from_slice(&x.to_le_bytes());
    }
}

fn proof(out: &mut Vec<u8>, p: &P) {
    match p {
        P::Domain => varint(out, 0),
        P::Box => varint(out, 1),
        P::Z(z) => {
            varint(out, z.len() as u64 + 1);
            for &(i, v) in z {
                varint(out, 2 * i + 1);
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        P::Z32(z) => {
            varint(out, z.len() as u64 + 1);
            for &(i, v) in z {
                varint(out, 2 * i);
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
    }
}

/// The depth-first records of a subtree.
fn encode(t: &T, out: &mut Vec<u8>) {
    match t {
        T::Leaf(u) => {
            out.push(0x10);
            f64s(out, u);
        }
        T::Open => out.push(0x11),
        T::KeepOn(z, c) => {
            out.push(0x01);
            proof(out, z);
            encode(c, out);
        }
        T::KeepOff(z, c) => {
            out.push(0x02);
            proof(out, z);
            encode(c, out);
        }
        T::Branch(a, b) => {
            out.push(0x03);
            encode(a, out);
            encode(b, out);
        }
        T::Empty(a, b) => {
            out.push(0x04);
            proof(out, a);
            proof(out, b);
        }
        T::KeepOnOpen(c) => {
            out.push(0x05);
            encode(c, out);
        }
        T::KeepOffOpen(c) => {
            out.push(0x06);
            encode(c, out);
        }
    }
}

/// Leaves and open items of a subtree.
fn tally(t: &T) -> (u64, u64) {
    match t {
        T::Leaf(_) => (1, 0),
        T::Open => (0, 1),
        T::KeepOn(_, c) | T::KeepOff(_, c) => tally(c),
        T::KeepOnOpen(c) | T::KeepOffOpen(c) => {
            let (l, o) = tally(c);
            (l, o + 1)
        }
        T::Branch(a, b) => {
            let (la, oa) = tally(a);
            let (lb, ob) = tally(b);
            (la + lb, oa + ob)
        }
        T::Empty(..) => (0, 0),
    }
}

#[derive(Clone, Debug)]
enum Dom {
    Ball(Vec<f64>, f64),
    Box(Vec<f64>, Vec<f64>),
    Bounds(Vec<f64>, Vec<f64>),
}

/// Everything a certificate holds; `claim` defaults to the tree's tally.
#[derive(Clone, Debug)]
struct Cert {
    sha: [u8; 32],
    n: usize,
    widths: Vec<usize>,
    dom: Dom,
    origin: Vec<f64>,
    k: Vec<i64>,
    claim: Option<(u8, u64, u64)>,
    tree: T,
}

impl Cert {
    /// The certificate of `net` on `dom` with the identity frame (x = u).
    fn new(net: &Network, dom: Dom, tree: T) -> Cert {
        let n = net.input_dim();
        Cert {
            sha: SHA,
            n,
            widths: net.hidden_widths(),
            dom,
            origin: vec![0.0; n],
            k: vec![0; n],
            claim: None,
            tree,
        }
    }

    /// Items 1–5 (up to the tree).
    fn head(&self) -> Vec<u8> {
        let mut p = self.sha.to_vec();
        varint(&mut p, self.n as u64);
        varint(&mut p, self.widths.len() as u64);
        for &w in &self.widths {
            varint(&mut p, w as u64);
        }
        match &self.dom {
            Dom::Ball(c, r) => {
                p.push(0);
                f64s(&mut p, c);
                f64s(&mut p, &[*r]);
            }
            Dom::Box(c, w) => {
                p.push(1);
                f64s(&mut p, c);
                f64s(&mut p, w);
            }
            Dom::Bounds(l, u) => {
                p.push(2);
                f64s(&mut p, l);
                f64s(&mut p, u);
            }
        }
        f64s(&mut p, &self.origin);
        for &k in &self.k {
            zvarint(&mut p, k);
        }
        let (leaves, open) = tally(&self.tree);
        let (kind, r, o) = self.claim.unwrap_or((u8::from(open > 0), leaves, open));
        p.push(kind);
        varint(&mut p, r);
        varint(&mut p, o);
        p
    }

    /// The whole payload, end marker included.
    fn payload(&self) -> Vec<u8> {
        let mut p = self.head();
        encode(&self.tree, &mut p);
        p.push(0xFF);
        p
    }

    fn bytes(&self) -> Vec<u8> {
        container(&self.payload())
    }
}

/// Magic, version 1, zlib(payload).
fn container(payload: &[u8]) -> Vec<u8> {
    container_version(payload, 1)
}

fn container_version(payload: &[u8], version: u16) -> Vec<u8> {
    let mut out = b"RRCERT".to_vec();
    out.extend_from_slice(&version.to_le_bytes());
    let mut z = ZlibEncoder::new(out, Compression::default());
    z.write_all(payload).unwrap();
    z.finish().unwrap()
}

fn check(net: &Network, cert: &Cert) -> Result<Verdict, CheckError> {
    check_bytes(net, SHA, &cert.bytes())
}

/// The failure's message, asserting it is a record failure.
fn failed(r: Result<Verdict, CheckError>) -> (String, String) {
    match r {
        Err(CheckError::Failed { path, what }) => (path, what),
        other => panic!("expected a failed record, got {other:?}"),
    }
}

/// The message of an unreadable certificate.
fn unreadable(r: Result<Verdict, CheckError>) -> String {
    match r {
        Err(CheckError::Unreadable { file, what }) => {
            assert_eq!(file, PathBuf::from(IN_MEMORY));
            what
        }
        other => panic!("expected an unreadable certificate, got {other:?}"),
    }
}

fn assert_contains(s: &str, part: &str) {
    assert!(s.contains(part), "{s:?} does not contain {part:?}");
}

// ---------------------------------------------------------------------------------------------
// Networks whose regions are known
// ---------------------------------------------------------------------------------------------

fn network(layers: Vec<(Array2<f64>, Array1<f64>)>) -> Network {
    Network::new(layers.into_iter().map(|(w, b)| Layer::new(w, b)).collect()).unwrap()
}

/// 1-D: h0 = x, h1 = x − 1/2. On (−1, 1): x < 0 (off, off), 0 < x < 1/2 (on, off),
/// x > 1/2 (on, on): 3 regions.
fn net1() -> Network {
    network(vec![
        (array![[1.0], [1.0]], array![0.0, -0.5]),
        (array![[1.0, 1.0]], array![0.0]),
    ])
}

/// net1's tree: under u0 off (t = −x ≥ 0) the on side of u1 is empty:
/// L = (x − 1/2) + 1·(−x) = −1/2.
fn tree1() -> T {
    branch(
        branch(leaf(&[0.75]), leaf(&[0.25])),
        keep_off(&[(0, 1.0)], leaf(&[-0.5])),
    )
}

/// 2-D, two layers: h0 = x1, h1 = x2, h2 = relu(h0) + relu(h1) − 1. On the box (−2, 2)²:
/// 4 quadrants; h2 splits (on,on), (on,off), (off,on) and is −1 on (off,off): 7 regions.
fn net2() -> Network {
    network(vec![
        (array![[1.0, 0.0], [0.0, 1.0]], array![0.0, 0.0]),
        (array![[1.0, 1.0]], array![-1.0]),
        (array![[1.0]], array![0.0]),
    ])
}

fn tree2(witness: impl Fn(f64, f64) -> Vec<f64>) -> T {
    let l = |a: f64, b: f64| T::Leaf(witness(a, b));
    branch(
        branch(
            branch(l(1.5, 1.5), l(0.25, 0.25)),
            branch(l(1.5, -1.0), l(0.5, -1.0)),
        ),
        branch(
            branch(l(-1.0, 1.5), l(-1.0, 0.5)),
            keep_off(&[], l(-1.0, -1.0)),
        ),
    )
}

fn box2() -> Dom {
    Dom::Box(vec![0.0, 0.0], vec![2.0, 2.0])
}

/// 2-D, two layers with a unit that is the constant 0 where u0 is off:
/// h0 = 3/8·x1, h1 = x2, h2 = 3·relu(h0). On (−1, 1)²: 4 regions, h2 on exactly where u0 is.
fn net3() -> Network {
    network(vec![
        (array![[0.375, 0.0], [0.0, 1.0]], array![0.0, 0.0]),
        (array![[3.0, 0.0]], array![0.0]),
        (array![[1.0]], array![0.0]),
    ])
}

/// net3's tree: where u0 is on, the off side of h2 = 9/8·x1 is empty by
/// L = −9/8·x1 + 3·(3/8·x1) = 0 (multiplier exactly 3 on ancestor 0); where u0 is off, h2 ≡ 0
/// is kept off (k = 0: L = h2 = 0).
fn tree3(on_side: T) -> T {
    branch(
        branch(
            keep_on(&[(0, 3.0)], leaf(&[0.5, 0.5])),
            keep_on(&[(0, 3.0)], leaf(&[0.5, -0.5])),
        ),
        branch(on_side, keep_off(&[], leaf(&[-0.5, -0.5]))),
    )
}

fn box3() -> Dom {
    Dom::Box(vec![0.0, 0.0], vec![1.0, 1.0])
}

// ---------------------------------------------------------------------------------------------
// Valid certificates
// ---------------------------------------------------------------------------------------------

#[test]
fn net1_verifies_with_three_regions_on_every_domain_kind() {
    let net = net1();
    for dom in [
        Dom::Ball(vec![0.0], 1.0),
        Dom::Box(vec![0.0], vec![1.0]),
        Dom::Bounds(vec![-1.0], vec![1.0]),
    ] {
        let v = check(&net, &Cert::new(&net, dom.clone(), tree1())).unwrap();
        assert_eq!((v.regions, v.open, v.exact), (3, 0, true), "{dom:?}");
        assert_eq!(v.leaves_checked, 3);
        assert_eq!(v.proofs_checked, 1);
        assert_eq!(v.model_sha256, "07".repeat(32));
    }
}

#[test]
fn domain_descriptions() {
    let net = net1();
    let d = |dom| check(&net, &Cert::new(&net, dom, tree1())).unwrap().domain;
    assert_eq!(d(Dom::Ball(vec![0.0], 1.0)), "L2 ball, radius 1");
    assert_eq!(d(Dom::Box(vec![0.0], vec![1.0])), "box, half width 1");
    assert_eq!(
        d(Dom::Bounds(vec![-1.0], vec![1.0])),
        "box by bounds, width 2"
    );
}

#[test]
fn box_by_bounds_not_centered() {
    // (−1, 0.4): h1 = x − 1/2 < 0 everywhere, so under u0 on the on side of u1 is empty by the
    // domain alone: max over [−1, 0.4] of x − 1/2 = −0.1
    let net = net1();
    let tree = branch(
        keep_off(&[], leaf(&[0.25])),
        keep_off(&[(0, 1.0)], leaf(&[-0.5])),
    );
    let v = check(
        &net,
        &Cert::new(&net, Dom::Bounds(vec![-1.0], vec![0.4]), tree.clone()),
    )
    .unwrap();
    assert_eq!(v.regions, 2);
    // with the bounds (−1, 0.75) the same proof fails: x = 0.6 has h1 > 0
    let (_, what) = failed(check(
        &net,
        &Cert::new(&net, Dom::Bounds(vec![-1.0], vec![0.75]), tree),
    ));
    assert_contains(&what, "proof of emptiness fails for unit 1, on side");
}

#[test]
fn net2_verifies_with_seven_regions_on_a_box_and_a_ball() {
    let net = net2();
    let v = check(&net, &Cert::new(&net, box2(), tree2(|a, b| vec![a, b]))).unwrap();
    assert_eq!((v.regions, v.open, v.exact), (7, 0, true));
    assert_eq!(v.proofs_checked, 1);
    // inside the ball of radius 2 the witnesses (1.5, 1.5) is outside: move it to (1.2, 1.2)
    let ball = |a: f64, b: f64| {
        if (a, b) == (1.5, 1.5) {
            vec![1.2, 1.2]
        } else {
            vec![a, b]
        }
    };
    let v = check(
        &net,
        &Cert::new(&net, Dom::Ball(vec![0.0, 0.0], 2.0), tree2(ball)),
    )
    .unwrap();
    assert_eq!(v.regions, 7);
    let (path, what) = failed(check(
        &net,
        &Cert::new(
            &net,
            Dom::Ball(vec![0.0, 0.0], 2.0),
            tree2(|a, b| vec![a, b]),
        ),
    ));
    assert_contains(&what, "witness outside the domain");
    assert_contains(&path, "leaf 11|1 after branches [u0 on, u1 on, u2 on]");
}

#[test]
fn witness_frame_is_applied_exactly() {
    let net = net2();
    let (o, k) = ([0.5, -0.25], [-1i64, 2]);
    let to_u = |a: f64, b: f64| {
        vec![
            (a - o[0]) * 2f64.powi(-k[0] as i32),
            (b - o[1]) * 2f64.powi(-k[1] as i32),
        ]
    };
    let mut cert = Cert::new(&net, box2(), tree2(to_u));
    cert.origin = o.to_vec();
    cert.k = k.to_vec();
    assert_eq!(check(&net, &cert).unwrap().regions, 7);
    // the same u read in the identity frame are other points: some cross a hyperplane or leave
    cert.k = vec![0, 0];
    assert!(check(&net, &cert).is_err());
}

#[test]
fn witnesses_closer_than_a_float_to_the_boundary() {
    // h0 = x − 1 on the box 1 ± 2^-50; witnesses 1 ± 2^-60 (1 + 2^-60 rounds to 1 in f64)
    let net = network(vec![
        (array![[1.0]], array![-1.0]),
        (array![[1.0]], array![0.0]),
    ]);
    let mut cert = Cert::new(
        &net,
        Dom::Box(vec![1.0], vec![2f64.powi(-50)]),
        branch(leaf(&[1.0]), leaf(&[-1.0])),
    );
    cert.origin = vec![1.0];
    cert.k = vec![-60];
    assert_eq!(check(&net, &cert).unwrap().regions, 2);
    // in the identity frame u = ±1 lies outside the box
    cert.k = vec![0];
    assert_contains(&failed(check(&net, &cert)).1, "witness outside the domain");
}

#[test]
fn multipliers_across_layers_are_exact() {
    let net = net3();
    let v = check(
        &net,
        &Cert::new(&net, box3(), tree3(keep_off(&[], leaf(&[-0.5, 0.5])))),
    )
    .unwrap();
    assert_eq!((v.regions, v.proofs_checked), (4, 4));
    // a multiplier 3·(1 ± 2^-52) leaves ±9/8·2^-52·x1 over x1 ∈ [−1, 1]: positive max
    for z in [3.0 * (1.0 + f64::EPSILON), 3.0 - 2.0 * f64::EPSILON, 2.5] {
        let mut tree = tree3(keep_off(&[], leaf(&[-0.5, 0.5])));
        if let T::Branch(on, _) = &mut tree {
            if let T::Branch(first, _) = on.as_mut() {
                **first = keep_on(&[(0, z)], leaf(&[0.5, 0.5]));
            }
        }
        let (path, what) = failed(check(&net, &Cert::new(&net, box3(), tree)));
        assert_contains(&what, "proof of emptiness fails for unit 2, off side");
        assert_contains(
            &path,
            "unit 2 (layer 2, unit 0) after branches [u0 on, u1 on]",
        );
    }
}

#[test]
fn constant_zero_unit_is_off_and_refuses_keep_on_and_empty() {
    let net = net3();
    // KEEP_ON with k = 0 would pass the inequality (−h2 = 0 ≤ 0) but h2 is the constant 0
    let (path, what) = failed(check(
        &net,
        &Cert::new(&net, box3(), tree3(keep_on(&[], leaf(&[-0.5, 0.5])))),
    ));
    assert_contains(
        &what,
        "KEEP_ON on a unit whose map on this node is the constant 0",
    );
    assert_contains(
        &path,
        "unit 2 (layer 2, unit 0) after branches [u0 off, u1 on]",
    );
    let empty = T::Empty(P::Domain, P::Domain);
    let (_, what) = failed(check(&net, &Cert::new(&net, box3(), tree3(empty))));
    assert_contains(
        &what,
        "EMPTY on a unit whose map on this node is the constant 0",
    );
}

#[test]
fn empty_node_with_two_proofs() {
    // h0 = x − 2, h1 = x on the unit ball: under u0 on (x ≥ 2) nothing is left; the on side of
    // u1 needs L = x + (x − 2) = 2x − 2, tight at x = 1 (r²·v·v = 4 = (v·c + κ)²)
    let net = network(vec![
        (array![[1.0], [1.0]], array![-2.0, 0.0]),
        (array![[1.0, 1.0]], array![0.0]),
    ]);
    let tree = branch(
        T::Empty(P::Z(vec![(0, 1.0)]), P::Z(vec![(0, 1.0)])),
        branch(leaf(&[0.5]), leaf(&[-0.5])),
    );
    let v = check(&net, &Cert::new(&net, Dom::Ball(vec![0.0], 1.0), tree)).unwrap();
    assert_eq!((v.regions, v.proofs_checked, v.exact), (2, 2, true));
}

#[test]
fn l2_ball_proof_is_decided_with_squares() {
    // h0 = x1 + x2 − b on the unit disk: max = √2 − b. The f64 just above √2 proves the on
    // side empty, the one just below does not.
    let above = std::f64::consts::SQRT_2;
    let below = f64::from_bits(above.to_bits() - 1);
    assert!(below * below < 2.0 || below < above);
    for (b, ok) in [(above, true), (below, false)] {
        let net = network(vec![
            (array![[1.0, 1.0]], array![-b]),
            (array![[1.0]], array![0.0]),
        ]);
        let cert = Cert::new(
            &net,
            Dom::Ball(vec![0.0, 0.0], 1.0),
            keep_off(&[], leaf(&[0.0, 0.0])),
        );
        let r = check(&net, &cert);
        if ok {
            assert_eq!(r.unwrap().regions, 1);
        } else {
            assert_contains(&failed(r).1, "proof of emptiness fails for unit 0, on side");
        }
    }
}

#[test]
fn open_items_make_a_lower_bound() {
    let net = net1();
    let tree = branch(
        branch(leaf(&[0.75]), T::Open),
        T::KeepOffOpen(Box::new(leaf(&[-0.5]))),
    );
    let v = check(
        &net,
        &Cert::new(&net, Dom::Ball(vec![0.0], 1.0), tree.clone()),
    )
    .unwrap();
    assert_eq!((v.regions, v.open, v.exact), (2, 2, false));
    // an exact claim with open items is refused
    let mut cert = Cert::new(&net, Dom::Ball(vec![0.0], 1.0), tree);
    cert.claim = Some((0, 2, 2));
    assert_contains(
        &failed(check(&net, &cert)).1,
        "the claim is an exact count but lists 2 open items",
    );
    // KEEP_ON_OPEN at the root: the whole off side is one open item
    let tree = T::KeepOnOpen(Box::new(branch(leaf(&[0.75]), leaf(&[0.25]))));
    let v = check(&net, &Cert::new(&net, Dom::Ball(vec![0.0], 1.0), tree)).unwrap();
    assert_eq!((v.regions, v.open), (2, 1));
}

#[test]
fn deep_trees_need_no_recursion() {
    // 100 000 units h_u = x: a BRANCH on every unit down the on side, then the off children
    // open on the way back (the pending stack is 100 000 deep)
    let n_units = 100_000;
    let net = network(vec![
        (Array2::ones((n_units, 1)), Array1::zeros(n_units)),
        (Array2::ones((1, n_units)), Array1::zeros(1)),
    ]);
    let mut cert = Cert::new(&net, Dom::Ball(vec![0.0], 1.0), T::Open);
    let mut tree = vec![0x03; n_units];
    tree.push(0x10);
    tree.extend_from_slice(&0.5f64.to_le_bytes());
    tree.extend(std::iter::repeat_n(0x11, n_units));
    cert.claim = Some((1, 1, n_units as u64));
    let mut payload = cert.head();
    payload.extend_from_slice(&tree);
    payload.push(0xFF);
    let v = check_bytes(&net, SHA, &container(&payload)).unwrap();
    assert_eq!((v.regions, v.open), (1, n_units as u64));
}

// ---------------------------------------------------------------------------------------------
// Tampering: each fails with its own message
// ---------------------------------------------------------------------------------------------

#[test]
fn removed_leaf_fails() {
    let net = net2();
    let mut tree = tree2(|a, b| vec![a, b]);
    // drop the last leaf: the KEEP_OFF is followed by the end marker
    if let T::Branch(_, off) = &mut tree {
        if let T::Branch(_, last) = off.as_mut() {
            **last = keep_off(&[], T::Open);
        }
    }
    let mut cert = Cert::new(&net, box2(), tree);
    cert.claim = Some((0, 6, 0));
    let mut payload = cert.payload();
    // remove the OPEN byte that stands for the removed leaf (just before the end marker)
    payload.remove(payload.len() - 2);
    let what = unreadable(check_bytes(&net, SHA, &container(&payload)));
    assert_contains(&what, "unexpected tag 0xff");
    // a leaf removed in the middle shifts every record after it
    let mut tree = tree2(|a, b| vec![a, b]);
    let full = Cert::new(&net, box2(), tree.clone()).payload();
    if let T::Branch(on, _) = &mut tree {
        if let T::Branch(first, _) = on.as_mut() {
            **first = T::Branch(Box::new(leaf(&[1.5, 1.5])), Box::new(T::Open));
        }
    }
    let mut payload = Cert::new(&net, box2(), tree).payload();
    let at = payload.iter().position(|&b| b == 0x11).unwrap();
    payload.remove(at);
    assert!(payload.len() < full.len());
    assert!(check_bytes(&net, SHA, &container(&payload)).is_err());
}

#[test]
fn witness_outside_the_domain_fails() {
    let net = net2();
    let tree = tree2(|a, b| {
        if (a, b) == (-1.0, -1.0) {
            vec![-2.0, -1.0]
        } else {
            vec![a, b]
        }
    });
    let (path, what) = failed(check(&net, &Cert::new(&net, box2(), tree)));
    assert_contains(&what, "witness outside the domain");
    assert_contains(&path, "leaf 00|0");
}

#[test]
fn witness_across_a_hyperplane_fails() {
    let net = net2();
    // the (on, on, on) leaf gets the point of (on, on, off)
    let tree = tree2(|a, b| {
        if (a, b) == (1.5, 1.5) {
            vec![0.25, 0.25]
        } else {
            vec![a, b]
        }
    });
    let (path, what) = failed(check(&net, &Cert::new(&net, box2(), tree)));
    assert_contains(&what, "witness has the wrong sign at unit 2 (layer 2, unit 0): the pattern says on, the witness gives z < 0");
    assert_contains(&path, "leaf 11|1 after branches [u0 on, u1 on, u2 on]");
    // a witness on a hyperplane of a non-constant unit: z = 0 is not off
    let net = net1();
    let tree = branch(
        branch(leaf(&[0.75]), leaf(&[0.5])),
        keep_off(&[(0, 1.0)], leaf(&[-0.5])),
    );
    let (_, what) = failed(check(
        &net,
        &Cert::new(&net, Dom::Ball(vec![0.0], 1.0), tree),
    ));
    assert_contains(
        &what,
        "wrong sign at unit 1 (layer 1, unit 1): the pattern says off, the witness gives z = 0",
    );
}

#[test]
fn changed_multiplier_fails() {
    let net = net1();
    // L = (x − 1/2) + z(−x): z = 1/4 leaves 3/4·x − 1/2, max over [−1, 1] = 1/4 > 0
    let tree = branch(
        branch(leaf(&[0.75]), leaf(&[0.25])),
        keep_off(&[(0, 0.25)], leaf(&[-0.5])),
    );
    let (path, what) = failed(check(
        &net,
        &Cert::new(&net, Dom::Box(vec![0.0], vec![1.0]), tree),
    ));
    assert_contains(&what, "proof of emptiness fails for unit 1, on side: max of L over the closed domain is positive (≈ 2.5e-1)");
    assert_contains(&path, "unit 1 (layer 1, unit 1) after branches [u0 off]");
}

#[test]
fn keep_instead_of_branch_fails() {
    let net = net1();
    // KEEP_ON at the root without a valid proof: −x has max 1 over [−1, 1]
    let tree = keep_on(&[], branch(leaf(&[0.75]), leaf(&[0.25])));
    let (path, what) = failed(check(
        &net,
        &Cert::new(&net, Dom::Ball(vec![0.0], 1.0), tree),
    ));
    assert_contains(&what, "proof of emptiness fails for unit 0, off side");
    assert_eq!(path, "unit 0 (layer 1, unit 0) after branches []");
}

#[test]
fn wrong_claims_fail() {
    let net = net1();
    let mut cert = Cert::new(&net, Dom::Ball(vec![0.0], 1.0), tree1());
    cert.claim = Some((0, 4, 0));
    let (path, what) = failed(check(&net, &cert));
    assert_eq!(
        (path.as_str(), what.as_str()),
        ("claim", "claimed 4 regions, the tree has 3 leaves")
    );
    cert.claim = Some((1, 3, 1));
    assert_eq!(
        failed(check(&net, &cert)).1,
        "claimed 1 open items, the tree has 0"
    );
    // a lower-bound claim with nothing open says something else than the tree
    cert.claim = Some((1, 3, 0));
    assert_eq!(
        failed(check(&net, &cert)).1,
        "the claim is a lower bound only but lists no open item"
    );
    cert.claim = Some((2, 3, 0));
    assert_contains(&unreadable(check(&net, &cert)), "unknown claim kind 2");
}

#[test]
fn truncated_files_fail() {
    let net = net1();
    let cert = Cert::new(&net, Dom::Ball(vec![0.0], 1.0), tree1());
    let bytes = cert.bytes();
    // the zlib stream cut short
    for cut in [1, 5, bytes.len() - 9] {
        let what = unreadable(check_bytes(&net, SHA, &bytes[..bytes.len() - cut]));
        assert!(
            what.contains("truncated") || what.contains("not a certificate"),
            "{what}"
        );
    }
    // a complete zlib stream of a payload cut short, inside a leaf and before the end marker
    let payload = cert.payload();
    let what = unreadable(check_bytes(
        &net,
        SHA,
        &container(&payload[..payload.len() - 3]),
    ));
    assert_contains(&what, "truncated: the payload ends at byte");
    assert_contains(&what, "while reading a witness");
    let what = unreadable(check_bytes(
        &net,
        SHA,
        &container(&payload[..payload.len() - 1]),
    ));
    assert_contains(&what, "while reading the end marker");
    // the header
    assert_contains(
        &unreadable(check_bytes(&net, SHA, b"RRCE")),
        "not a certificate",
    );
    assert_contains(
        &unreadable(check_bytes(&net, SHA, &container(&payload[..20]))),
        "while reading the model's SHA-256",
    );
}

#[test]
fn trailing_bytes_fail() {
    let net = net1();
    let cert = Cert::new(&net, Dom::Ball(vec![0.0], 1.0), tree1());
    let mut payload = cert.payload();
    payload.push(0);
    assert_contains(
        &unreadable(check_bytes(&net, SHA, &container(&payload))),
        "trailing bytes after the end marker",
    );
    let mut bytes = cert.bytes();
    bytes.push(0);
    assert_contains(
        &unreadable(check_bytes(&net, SHA, &bytes)),
        "trailing bytes after the compressed payload",
    );
}

#[test]
fn wrong_end_marker_fails() {
    let net = net1();
    let mut payload = Cert::new(&net, Dom::Ball(vec![0.0], 1.0), tree1()).payload();
    *payload.last_mut().unwrap() = 0xFE;
    assert_contains(
        &unreadable(check_bytes(&net, SHA, &container(&payload))),
        "expected the end marker 0xFF after the tree",
    );
}

#[test]
fn wrong_hash_fails_and_names_both() {
    let net = net1();
    let cert = Cert::new(&net, Dom::Ball(vec![0.0], 1.0), tree1());
    let (path, what) = failed(check_bytes(&net, [8; 32], &cert.bytes()));
    assert_eq!(path, "model");
    assert_contains(&what, "model file differs from the one certified");
    assert_contains(&what, &"07".repeat(32));
    assert_contains(&what, &"08".repeat(32));
}

#[test]
fn wrong_magic_or_version_fails() {
    let net = net1();
    let payload = Cert::new(&net, Dom::Ball(vec![0.0], 1.0), tree1()).payload();
    let what = unreadable(check_bytes(&net, SHA, &container_version(&payload, 2)));
    assert_eq!(
        what,
        "unsupported certificate format version 2; this checker reads version 1"
    );
    let mut bytes = container(&payload);
    bytes[5] = b'X';
    assert_contains(
        &unreadable(check_bytes(&net, SHA, &bytes)),
        "not a certificate",
    );
    assert_contains(
        &unreadable(check_bytes(&net, SHA, &[])),
        "not a certificate",
    );
}

#[test]
fn shape_mismatch_fails() {
    let net = net1();
    let mut cert = Cert::new(&net, Dom::Ball(vec![0.0], 1.0), tree1());
    cert.widths = vec![3];
    let (path, what) = failed(check(&net, &cert));
    assert_eq!(path, "shape");
    assert_eq!(what, "shape mismatch: the certificate is for 1 inputs and hidden widths [3]; the model has 1 inputs and hidden widths [2]");
    cert.widths = vec![2, 2];
    assert_contains(
        &failed(check(&net, &cert)).1,
        "1 inputs and 2 hidden layers",
    );
    // a hostile layer count is refused before its widths are read
    let mut cert = Cert::new(&net, Dom::Ball(vec![0.0], 1.0), tree1());
    cert.widths = vec![];
    let mut payload = cert.payload();
    payload[33] = 0xFF; // L: a varint continuing...
    payload.splice(34..34, [0xFF, 0xFF, 0xFF, 0x0F]);
    assert_contains(
        &failed(check_bytes(&net, SHA, &container(&payload))).1,
        "shape mismatch",
    );
}

#[test]
fn bad_multipliers_fail() {
    let net = net1();
    for z in [0.0, -0.0, -1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let tree = branch(
            branch(leaf(&[0.75]), leaf(&[0.25])),
            keep_off(&[(0, z)], leaf(&[-0.5])),
        );
        let (_, what) = failed(check(
            &net,
            &Cert::new(&net, Dom::Ball(vec![0.0], 1.0), tree),
        ));
        assert_contains(&what, "bad multiplier");
        assert_contains(&what, "expected a finite number > 0");
    }
    // a subnormal multiplier is a valid (too small) one: the proof fails, not the multiplier
    let tree = branch(
        branch(leaf(&[0.75]), leaf(&[0.25])),
        keep_off(&[(0, 5e-324)], leaf(&[-0.5])),
    );
    let (_, what) = failed(check(
        &net,
        &Cert::new(&net, Dom::Ball(vec![0.0], 1.0), tree),
    ));
    assert_contains(&what, "proof of emptiness fails");
}

#[test]
fn bad_ancestor_indices_fail() {
    let net = net2();
    let with = |z: &[(u64, f64)]| {
        let mut tree = tree2(|a, b| vec![a, b]);
        if let T::Branch(_, off) = &mut tree {
            if let T::Branch(_, last) = off.as_mut() {
                **last = keep_off(z, leaf(&[-1.0, -1.0]));
            }
        }
        failed(check(&net, &Cert::new(&net, box2(), tree))).1
    };
    // the node has 2 ancestors (u0 off, u1 off)
    assert_contains(&with(&[(2, 1.0)]), "bad ancestor index 2");
    assert_contains(&with(&[(1, 1.0), (0, 1.0)]), "bad ancestor index 0");
    assert_contains(&with(&[(0, 1.0), (0, 1.0)]), "bad ancestor index 0");
    assert_contains(
        &with(&[(0, 1.0), (1, 1.0), (1, 1.0)]),
        "bad ancestor index: the proof lists 3 multipliers but the node has 2 ancestors",
    );
    // valid indices: L = h2 + t0 + t1 = −1 − x1 − x2 ≤ 3 is not ≤ 0 on the box: the proof fails
    assert_contains(&with(&[(0, 1.0), (1, 1.0)]), "proof of emptiness fails");
}

#[test]
fn unknown_tags_and_bad_varints_fail() {
    let net = net1();
    let cert = Cert::new(&net, Dom::Ball(vec![0.0], 1.0), T::Open);
    let with_tree = |tree: &[u8]| {
        let mut payload = cert.head();
        payload.extend_from_slice(tree);
        payload.push(0xFF);
        unreadable(check_bytes(&net, SHA, &container(&payload)))
    };
    assert_contains(&with_tree(&[0x09]), "unknown tag 0x09");
    assert_contains(&with_tree(&[0x08]), "while reading a mirror's source");
    // KEEP_MIRROR on the first unit, which has no earlier unit to mirror: a failed record
    let mut payload = cert.head();
    payload.extend_from_slice(&[0x08, 0x00, 0x10]);
    payload.extend_from_slice(&0.5f64.to_le_bytes());
    payload.push(0xFF);
    let (_, what) = failed(check_bytes(&net, SHA, &container(&payload)));
    assert_contains(
        &what,
        "KEEP_MIRROR on unit 0 with source 0, which it does not mirror",
    );
    // KEEP_COPY on a first-layer unit, which is never a copy: a failed record
    let mut payload = cert.head();
    payload.extend_from_slice(&[0x07, 0x10]);
    payload.extend_from_slice(&0.5f64.to_le_bytes());
    payload.push(0xFF);
    let (_, what) = failed(check_bytes(&net, SHA, &container(&payload)));
    assert_contains(&what, "KEEP_COPY on unit 0, which is not a copy");
    assert_contains(&with_tree(&[0x03, 0x03, 0x01]), "unexpected tag 0x01");
    // an 11-byte varint as a multiplier count
    let mut long = vec![0x02];
    long.extend_from_slice(&[0x80; 10]);
    long.push(0x00);
    assert_contains(&with_tree(&long), "bad varint");
    // a 10-byte varint ≥ 2^64
    let mut big = vec![0x02];
    big.extend_from_slice(&[0xFF; 9]);
    big.push(0x02);
    assert_contains(&with_tree(&big), "bad varint");
    // the largest 10-byte varint is read (and is more multipliers than ancestors)
    let mut max = vec![0x02];
    max.extend_from_slice(&[0xFF; 9]);
    max.push(0x01);
    let mut payload = cert.head();
    payload.extend_from_slice(&max);
    assert_contains(
        &failed(check_bytes(&net, SHA, &container(&payload))).1,
        "18446744073709551614 multipliers",
    );
}

#[test]
fn non_finite_or_degenerate_numbers_fail() {
    let net = net1();
    let (_, what) = failed(check(
        &net,
        &Cert::new(
            &net,
            Dom::Ball(vec![0.0], 1.0),
            branch(branch(leaf(&[f64::NAN]), T::Open), T::Open),
        ),
    ));
    assert_contains(&what, "witness coordinate 0 is NaN");
    for r in [0.0, -1.0, f64::INFINITY, f64::NAN] {
        let (path, what) = failed(check(
            &net,
            &Cert::new(&net, Dom::Ball(vec![0.0], r), tree1()),
        ));
        assert_eq!(path, "domain");
        assert_contains(&what, "radius");
    }
    assert_contains(
        &failed(check(
            &net,
            &Cert::new(&net, Dom::Box(vec![0.0], vec![0.0]), tree1()),
        ))
        .1,
        "half width 0 is 0",
    );
    assert_contains(
        &failed(check(
            &net,
            &Cert::new(&net, Dom::Box(vec![f64::NAN], vec![1.0]), tree1()),
        ))
        .1,
        "center coordinate is NaN",
    );
    assert_contains(
        &failed(check(
            &net,
            &Cert::new(&net, Dom::Bounds(vec![1.0], vec![1.0]), tree1()),
        ))
        .1,
        "lower bound 1 is not below upper bound 1",
    );
    let mut cert = Cert::new(&net, Dom::Ball(vec![0.0], 1.0), tree1());
    cert.k = vec![5000];
    assert_contains(&failed(check(&net, &cert)).1, "exponent 0 is 5000");
    cert.k = vec![0];
    cert.origin = vec![f64::INFINITY];
    assert_contains(&failed(check(&net, &cert)).1, "origin 0 is inf");
    let mut payload = cert.payload();
    payload[33 + 2] = 9; // the domain kind
    assert_contains(
        &unreadable(check_bytes(&net, SHA, &container(&payload))),
        "unknown domain kind 9",
    );
}

#[test]
fn duplicate_patterns_are_caught() {
    // the tree makes leaves distinct; the set is the second line of defense
    let mut set = PatternSet::default();
    assert!(set.insert(&[true, false, true]));
    assert!(set.insert(&[true, false, false]));
    assert!(!set.insert(&[true, false, true]));
    let long: Vec<bool> = (0..130).map(|u| u % 3 == 0).collect();
    assert!(set.insert(&long));
    assert!(!set.insert(&long));
}

#[test]
fn errors_display_on_one_line() {
    let e = CheckError::Unreadable {
        file: PathBuf::from("a.cert"),
        what: "not a certificate".into(),
    };
    assert_eq!(e.to_string(), "a.cert: not a certificate");
    let e = CheckError::Failed {
        path: "claim".into(),
        what: "claimed 4 regions".into(),
    };
    assert_eq!(
        e.to_string(),
        "certificate fails at claim: claimed 4 regions"
    );
}

#[test]
fn check_certificate_reads_and_hashes_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("net1.json");
    crate::formats::save_network(&net1(), &model).unwrap();
    let sha: [u8; 32] = Sha256::digest(std::fs::read(&model).unwrap()).into();
    let mut cert = Cert::new(&net1(), Dom::Ball(vec![0.0], 1.0), tree1());
    cert.sha = sha;
    let path = dir.path().join("net1.cert");
    std::fs::write(&path, cert.bytes()).unwrap();
    let v = check_certificate(&model, &path).unwrap();
    assert_eq!((v.regions, v.exact), (3, true));
    assert_eq!(v.model_sha256, hex(&sha));
    // another model file: its hash differs
    let mut other = net1().layers().to_vec();
    other[0].bias[1] = -0.25;
    crate::formats::save_network(&Network::new(other).unwrap(), &model).unwrap();
    let (_, what) = failed(check_certificate(&model, &path));
    assert_contains(&what, "model file differs from the one certified");
    // a missing certificate is unreadable and named
    let missing = dir.path().join("missing.cert");
    match check_certificate(&dir.path().join("net1.json"), &missing) {
        Err(e @ CheckError::Unreadable { .. }) => assert_contains(&e.to_string(), "missing.cert"),
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

#[test]
fn f64_to_dyadic_matches_big_rational() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let mut values = vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.1,
        1e-300,
        5e-324,
        -5e-324,
        f64::MIN_POSITIVE,
        f64::MIN_POSITIVE / 2.0,
        f64::MAX,
        f64::MIN,
        2.5e-310,
        1.0 / 3.0,
        123456789.125,
    ];
    for _ in 0..20_000 {
        values.push(f64::from_bits(rng.gen()));
    }
    for _ in 0..2_000 {
        // subnormals
        values.push(f64::from_bits(rng.gen::<u64>() & 0x800F_FFFF_FFFF_FFFF));
    }
    for x in values {
        match f64_to_dyadic(x) {
            None => assert!(!x.is_finite()),
            Some((m, e)) => {
                let r = if e >= 0 {
                    BigRational::from_integer(m.clone() << e as u64)
                } else {
                    BigRational::new(m.clone(), BigInt::from(1) << (-e) as u64)
                };
                assert_eq!(Some(r), BigRational::from_float(x), "{x:e}");
                let (mi, _) = decompose(x).unwrap();
                assert!(mi == 0 || mi % 2 != 0, "mantissa of {x:e} is odd");
                assert!(mi.unsigned_abs() < 1 << 53);
            }
        }
    }
}

fn random_big(rng: &mut impl Rng) -> BigInt {
    let limbs = rng.gen_range(0..6);
    let mut v = BigInt::from(0);
    for _ in 0..limbs {
        // limbs with many all-one and zero words to reach the carry paths
        let w: u64 = match rng.gen_range(0..4) {
            0 => 0,
            1 => u64::MAX,
            _ => rng.gen(),
        };
        v = (v << 64) + BigInt::from(w);
    }
    if rng.gen() {
        -v
    } else {
        v
    }
}

#[test]
fn acc_matches_bigint() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
    let mut acc = Acc::new();
    for _ in 0..3_000 {
        let terms = rng.gen_range(0..12);
        let pairs: Vec<(BigInt, BigInt)> = (0..terms)
            .map(|_| (random_big(&mut rng), random_big(&mut rng)))
            .collect();
        let expected: BigInt = pairs.iter().map(|(a, b)| a * b).sum();
        acc.clear();
        for (a, b) in &pairs {
            let (a, b) = (Int::from_bigint(a), Int::from_bigint(b));
            acc.add_mul(a.view(), b.view());
        }
        assert_eq!(acc.sign(), expected.cmp(&BigInt::from(0)));
        assert_eq!(acc.finish().to_bigint(), expected);
        // negated operands and a plain add
        let extra = random_big(&mut rng);
        acc.add(Int::from_bigint(&extra).view().negated());
        assert_eq!(acc.finish().to_bigint(), expected - extra);
    }
}

#[test]
fn acc_survives_many_terms_of_full_limbs() {
    // (2^128 − 1)² summed 3000 times: columns normalize as they fill
    let m = (BigInt::from(1) << 128u32) - 1;
    let a = Int::from_bigint(&m);
    let mut acc = Acc::new();
    acc.clear();
    for _ in 0..3_000 {
        acc.add_mul(a.view(), a.view());
    }
    assert_eq!(acc.finish().to_bigint(), &m * &m * 3_000);
}

#[test]
fn int_shifts_and_conversions() {
    for (m, s) in [
        (1i64, 0u64),
        (-3, 64),
        (i64::MIN + 1, 63),
        (5, 130),
        (0, 1000),
    ] {
        let expected = BigInt::from(m) << s;
        assert_eq!(Int::shifted(m, s).to_bigint(), expected);
        assert_eq!(Int::from_bigint(&expected), Int::shifted(m, s));
    }
    assert!(Int::shifted(0, 5).is_zero());
    assert_eq!(Int::shifted(-7, 3).signum(), std::cmp::Ordering::Less);
}

#[test]
fn witnesses_on_the_boundary_are_outside() {
    let net = net1();
    let tree = |x: f64| {
        branch(
            branch(leaf(&[x]), leaf(&[0.25])),
            keep_off(&[(0, 1.0)], leaf(&[-0.5])),
        )
    };
    for dom in [
        Dom::Ball(vec![0.0], 1.0),
        Dom::Box(vec![0.0], vec![1.0]),
        Dom::Bounds(vec![-1.0], vec![1.0]),
    ] {
        assert_contains(
            &failed(check(&net, &Cert::new(&net, dom.clone(), tree(1.0)))).1,
            "witness outside the domain",
        );
        let inside = f64::from_bits(1f64.to_bits() - 1);
        assert_eq!(
            check(&net, &Cert::new(&net, dom, tree(inside)))
                .unwrap()
                .regions,
            3
        );
    }
    // a 2-D ball: (0.6, 0.8) is at distance exactly 1 (in exact arithmetic 0.6² + 0.8² ≠ 1 for
    // the floats: decide by the exact value)
    let (a, b) = (0.6f64, 0.8f64);
    let exact = |v: f64| BigRational::from_float(v).unwrap();
    let inside = exact(a) * exact(a) + exact(b) * exact(b) < BigRational::from_integer(1.into());
    let net = network(vec![
        (array![[1.0, 0.0]], array![-2.0]),
        (array![[1.0]], array![0.0]),
    ]);
    let cert = Cert::new(
        &net,
        Dom::Ball(vec![0.0, 0.0], 1.0),
        keep_off(&[], leaf(&[a, b])),
    );
    assert_eq!(check(&net, &cert).is_ok(), inside);
}

/// M_l of [`maps::Maps`] against the maps computed in rationals, along a walk that backtracks to
/// random layers and changes random bits (the incremental updates and the full recomputations).
#[test]
fn layer_maps_match_rational_maps() {
    use super::maps::{ExactNet, Maps};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let sizes = [3usize, 5, 4, 6, 3, 1];
    let mut layers = Vec::new();
    for w in sizes.windows(2) {
        let mut value = || {
            if rng.gen_bool(0.15) {
                0.0
            } else {
                rng.gen_range(-1.0..1.0) * 2f64.powi(rng.gen_range(-30..8))
            }
        };
        let weight = Array2::from_shape_fn((w[1], w[0]), |_| value());
        let bias = Array1::from_shape_fn(w[1], |_| value());
        layers.push((weight, bias));
    }
    let net = network(layers);
    let exact = ExactNet::new(&net).unwrap();
    let hidden = net.hidden_layers();
    let rat = |v: f64| BigRational::from_float(v).unwrap();
    let pow2 = |e: i64| {
        if e >= 0 {
            BigRational::from_integer(BigInt::from(1) << e as u64)
        } else {
            BigRational::new(1.into(), BigInt::from(1) << (-e) as u64)
        }
    };
    let mut maps = Maps::new(&exact);
    let mut bits: Vec<bool> = (0..exact.units()).map(|_| rng.gen()).collect();
    for layer in 1..hidden.len() {
        let o = &exact.offsets;
        maps.enter(&exact, &bits[o[layer - 1]..o[layer]]);
    }
    for _ in 0..300 {
        let t = rng.gen_range(1..hidden.len());
        maps.truncate(t);
        for bit in &mut bits[exact.offsets[t - 1]..] {
            if rng.gen_bool(0.1) {
                *bit = !*bit;
            }
        }
        for layer in t..hidden.len() {
            let o = &exact.offsets;
            maps.enter(&exact, &bits[o[layer - 1]..o[layer]]);
        }
        // rational maps: rows (a | β) of every layer
        let mut m: Vec<Vec<BigRational>> = net
            .first_weight()
            .rows()
            .into_iter()
            .zip(&hidden[0].bias)
            .map(|(row, &b)| row.iter().map(|&v| rat(v)).chain([rat(b)]).collect())
            .collect();
        for (l, layer) in hidden.iter().enumerate() {
            if l > 0 {
                let prev_bits = &bits[exact.offsets[l - 1]..exact.offsets[l]];
                m = (0..layer.output_dim())
                    .map(|r| {
                        (0..=exact.n)
                            .map(|c| {
                                let mut s = if c == exact.n {
                                    rat(layer.bias[r])
                                } else {
                                    BigRational::from_integer(0.into())
                                };
                                for (k, row) in m.iter().enumerate() {
                                    if prev_bits[k] {
                                        s += rat(layer.weight.get(r, k)) * &row[c];
                                    }
                                }
                                s
                            })
                            .collect()
                    })
                    .collect();
            }
            for (r, row) in m.iter().enumerate() {
                let got = maps.get(l, r).unwrap();
                for (c, want) in row.iter().enumerate() {
                    let value = BigRational::from_integer(got[c].to_bigint()) * pow2(exact.exps[l]);
                    assert_eq!(&value, want, "layer {l} row {r} column {c}");
                }
            }
        }
    }
}

/// Random mutations of valid certificates never panic (they fail, or verify a different but
/// still valid certificate).
#[test]
fn mutated_certificates_never_panic() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
    let cases = [
        (
            net1(),
            Cert::new(&net1(), Dom::Ball(vec![0.0], 1.0), tree1()),
        ),
        (net2(), Cert::new(&net2(), box2(), tree2(|a, b| vec![a, b]))),
        (
            net3(),
            Cert::new(&net3(), box3(), tree3(keep_off(&[], leaf(&[-0.5, 0.5])))),
        ),
        (
            net4(),
            Cert::new(&net4(), Dom::Ball(vec![0.0], 1.0), tree4(P::Box)),
        ),
        (
            net1(),
            Cert::new(
                &net1(),
                Dom::Box(vec![0.0], vec![1.0]),
                branch(
                    branch(leaf(&[0.75]), leaf(&[0.25])),
                    T::KeepOff(P::Z32(vec![(0, 1.0)]), Box::new(leaf(&[-0.5]))),
                ),
            ),
        ),
    ];
    let mut outcomes = [0usize; 3];
    for _ in 0..5_000 {
        let (net, cert) = &cases[rng.gen_range(0..cases.len())];
        let mut payload = cert.payload();
        for _ in 0..rng.gen_range(1..4) {
            let at = rng.gen_range(0..payload.len());
            match rng.gen_range(0..5) {
                0 => payload[at] ^= 1 << rng.gen_range(0..8),
                1 => payload[at] = rng.gen(),
                2 => {
                    payload.remove(at);
                }
                3 => payload.insert(at, rng.gen()),
                _ => payload.truncate(at),
            }
            if payload.is_empty() {
                break;
            }
        }
        let bytes = if rng.gen_bool(0.9) {
            container(&payload)
        } else {
            let mut b = cert.bytes();
            let at = rng.gen_range(0..b.len());
            b[at] ^= 1 << rng.gen_range(0..8);
            b
        };
        match check_bytes(net, SHA, &bytes) {
            Ok(_) => outcomes[0] += 1,
            Err(CheckError::Failed { .. }) => outcomes[1] += 1,
            Err(CheckError::Unreadable { .. }) => outcomes[2] += 1,
        }
    }
    assert!(outcomes[1] > 100 && outcomes[2] > 100, "{outcomes:?}");
}

// ---------------------------------------------------------------------------------------------
// Box proofs and f32 multipliers
// ---------------------------------------------------------------------------------------------

/// 1-D: h0 = x, h1 = x + 1/2, h2 = x − 1/4 on (−1, 1): 4 regions.
fn net4() -> Network {
    network(vec![
        (array![[1.0], [1.0], [1.0]], array![0.0, 0.5, -0.25]),
        (array![[1.0, 1.0, 1.0]], array![0.0]),
    ])
}

/// net4's tree with box proofs: under u0 on the box is [0, 1] (h1 > 0 there); under u0 off it
/// is [−1, 0], then [−1/2, 0] under u1 on and [−1, −1/2] under u1 off (h2 < 0 on both).
fn tree4(u0_on_u1: P) -> T {
    branch(
        T::KeepOn(u0_on_u1, Box::new(branch(leaf(&[0.5]), leaf(&[0.125])))),
        branch(
            T::KeepOff(P::Box, Box::new(leaf(&[-0.25]))),
            T::KeepOff(P::Box, Box::new(leaf(&[-0.75]))),
        ),
    )
}

#[test]
fn box_proofs_use_the_propagated_node_box() {
    let net = net4();
    for dom in [
        Dom::Ball(vec![0.0], 1.0),
        Dom::Box(vec![0.0], vec![1.0]),
        Dom::Bounds(vec![-1.0], vec![1.0]),
    ] {
        let v = check(&net, &Cert::new(&net, dom.clone(), tree4(P::Box))).unwrap();
        assert_eq!(
            (v.regions, v.proofs_checked, v.exact),
            (4, 3, true),
            "{dom:?}"
        );
        // the same removed side over the whole domain: −(x + 1/2) reaches 1/2
        let (path, what) = failed(check(&net, &Cert::new(&net, dom, tree4(P::Domain))));
        assert_contains(&what, "proof of emptiness fails for unit 1, off side: max of s·h_j over the closed domain is positive (≈ 5e-1)");
        assert_eq!(path, "unit 1 (layer 1, unit 1) after branches [u0 on]");
    }
}

#[test]
fn box_proofs_fail_where_the_box_does_not_settle_the_unit() {
    let net = net4();
    let dom = Dom::Box(vec![0.0], vec![1.0]);
    // under u0 on (box [0, 1]) h2 = x − 1/4 takes both signs
    let mut tree = tree4(P::Box);
    if let T::Branch(on, _) = &mut tree {
        if let T::KeepOn(_, rest) = on.as_mut() {
            **rest = T::KeepOff(P::Box, Box::new(leaf(&[0.125])));
        }
    }
    let (path, what) = failed(check(&net, &Cert::new(&net, dom.clone(), tree)));
    assert_contains(&what, "proof of emptiness fails for unit 2, on side: max of s·h_j over the node's box is positive (≈ 7.5e-1)");
    assert_eq!(path, "unit 2 (layer 1, unit 2) after branches [u0 on]");
    // after the walk leaves the on side of u0, the box is [−1, 0] again: the on side's box
    // proof for u1 does not hold there
    let tree = branch(
        T::KeepOn(P::Box, Box::new(branch(leaf(&[0.5]), leaf(&[0.125])))),
        T::KeepOn(P::Box, Box::new(T::Open)),
    );
    let (path, what) = failed(check(&net, &Cert::new(&net, dom, tree)));
    assert_contains(&what, "proof of emptiness fails for unit 1, off side: max of s·h_j over the node's box is positive (≈ 5e-1)");
    assert_eq!(path, "unit 1 (layer 1, unit 1) after branches [u0 off]");
}

#[test]
fn box_bounds_are_rounded_outward_with_64_bits() {
    // h0 = 3·x1 + x2 − 2 on (−1, 1)²: under u0 on, x1 ≥ (2 − 1)/3 = 1/3 (not a dyadic). h1 =
    // x1 − b is then on for b just below 1/3 (the box proof holds) and not for b just above.
    let third = 1.0f64 / 3.0;
    let above = f64::from_bits(third.to_bits() + 1);
    assert!(BigRational::from_float(third).unwrap() < BigRational::new(1.into(), 3.into()));
    for (b, ok) in [(third, true), (above, false)] {
        let net = network(vec![
            (array![[3.0, 1.0], [1.0, 0.0]], array![-2.0, -b]),
            (array![[1.0, 1.0]], array![0.0]),
        ]);
        let tree = branch(
            T::KeepOn(P::Box, Box::new(leaf(&[0.9, 0.9]))),
            branch(leaf(&[0.5, -0.9]), leaf(&[0.0, 0.0])),
        );
        let r = check(
            &net,
            &Cert::new(&net, Dom::Box(vec![0.0, 0.0], vec![1.0, 1.0]), tree),
        );
        if ok {
            assert_eq!(r.unwrap().regions, 3);
        } else {
            assert_contains(&failed(r).1, "max of s·h_j over the node's box is positive");
        }
    }
}

#[test]
fn f32_multipliers_are_read_exactly() {
    let net = net1();
    let tree = |z: f32| {
        branch(
            branch(leaf(&[0.75]), leaf(&[0.25])),
            T::KeepOff(P::Z32(vec![(0, z)]), Box::new(leaf(&[-0.5]))),
        )
    };
    let v = check(&net, &Cert::new(&net, Dom::Ball(vec![0.0], 1.0), tree(1.0))).unwrap();
    assert_eq!((v.regions, v.proofs_checked), (3, 1));
    // L = (x − 1/2) + z(−x): z = 0.25 leaves 3/4·x − 1/2, max 1/4 on the unit ball
    assert_contains(
        &failed(check(
            &net,
            &Cert::new(&net, Dom::Ball(vec![0.0], 1.0), tree(0.25)),
        ))
        .1,
        "max of L over the closed domain is positive (≈ 2.5e-1)",
    );
    for z in [0.0f32, -1.0, f32::NAN, f32::INFINITY] {
        let (_, what) = failed(check(
            &net,
            &Cert::new(&net, Dom::Ball(vec![0.0], 1.0), tree(z)),
        ));
        assert_contains(&what, "(f32) for ancestor 0: expected a finite number > 0");
    }
    // f32 and f64 entries mixed, with the indices' low bit telling them apart
    let net = net2();
    let mut t = tree2(|a, b| vec![a, b]);
    if let T::Branch(_, off) = &mut t {
        if let T::Branch(_, last) = off.as_mut() {
            // L = h2 + t0 + t1 = −1 − x1 − x2 ≤ 3: fails, but both entries are read
            **last = T::KeepOff(
                P::Z32(vec![(0, 1.0), (1, 1.0)]),
                Box::new(leaf(&[-1.0, -1.0])),
            );
        }
    }
    assert_contains(
        &failed(check(&net, &Cert::new(&net, box2(), t))).1,
        "max of L over the closed domain is positive (≈ 3e0)",
    );
}

#[test]
fn quotients_round_outward_with_64_bits() {
    use super::num::round_quotient;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    for _ in 0..5_000 {
        let n = random_big(&mut rng) >> rng.gen_range(0..200u32);
        let d = random_big(&mut rng) >> rng.gen_range(0..200u32);
        if d == BigInt::from(0) {
            continue;
        }
        let q = BigRational::new(n.clone(), d.clone());
        let dyadic = |m: &BigInt, f: i64| {
            if f >= 0 {
                BigRational::from_integer(m << f as u64)
            } else {
                BigRational::new(m.clone(), BigInt::from(1) << (-f) as u64)
            }
        };
        for up in [true, false] {
            let (m, f) = round_quotient(&n, &d, up);
            let r = dyadic(&m, f);
            if n == BigInt::from(0) {
                assert_eq!(r, q);
                continue;
            }
            assert!(m.bits() >= 64, "{m} has fewer than 64 bits");
            // the rounded value is on the right side and within one unit of its last place
            let step = dyadic(&BigInt::from(1), f);
            if up {
                assert!(r >= q && &r - &step < q);
            } else {
                assert!(r <= q && &r + &step > q);
            }
        }
    }
}
