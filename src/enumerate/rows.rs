//! The half-spaces of a node as flat rows, kept in step with a worker's stack, and the product
//! of every row with a vector at once: the hot loop of the box LP (`dual`) and of the ray
//! searches (`geometry`).

// numerical loops over coordinates read clearer with indices
#![allow(clippy::needless_range_loop)]

use std::sync::atomic::{AtomicU64, Ordering};

use super::dense::dot;
use crate::solver::HalfSpace;

/// The next [`Rows::stamp`] handed out (process-wide: no two changes of any rows share one).
static NEXT_STAMP: AtomicU64 = AtomicU64::new(1);

/// A stamp no rows have had before.
fn fresh_stamp() -> u64 {
    NEXT_STAMP.fetch_add(1, Ordering::Relaxed)
}

/// The half-spaces g_i·x ≤ h_i of a node, flat: by rows (row i: n entries, contiguous) and by
/// columns (column j: g_ij for every row i, contiguous, in slots j·stride .. j·stride + m), for
/// the products G·v of every row at once ([`rows_times`]). A worker keeps one in step with its
/// stack ([`Rows::push`], [`Rows::pop`]), so the LPs neither copy nor transpose the rows.
#[derive(Default, Clone)]
pub(super) struct Rows {
    pub(super) n: usize,
    m: usize,
    /// The rows, n entries each, contiguous.
    pub(super) g: Vec<f64>,
    gt: Vec<f64>,
    stride: usize,
    /// The right-hand sides.
    pub(super) h: Vec<f64>,
    /// The rows' Euclidean norms ‖g_i‖ (as `dense::dot` computes g_i·g_i, then its root).
    norm: Vec<f64>,
    /// Renewed (process-wide unique) at every change: rows with the same stamp hold the same
    /// rows, so an LP may start from where its last call on them ended (`ball_lp`).
    stamp: u64,
}

impl Rows {
    /// The rows of `halfspaces` in dimension `n`.
    pub fn of(halfspaces: &[HalfSpace], n: usize) -> Self {
        let mut rows = Rows::default();
        rows.load(halfspaces, n);
        rows
    }

    /// Replaces the rows by those of `halfspaces` in dimension `n`.
    pub fn load(&mut self, halfspaces: &[HalfSpace], n: usize) {
        self.n = n;
        self.m = 0;
        self.stamp = fresh_stamp();
        self.g.clear();
        self.h.clear();
        self.norm.clear();
        if self.stride < halfspaces.len() {
            self.stride = halfspaces.len().max(8);
        }
        self.gt.resize(self.stride * n, 0.0);
        for hs in halfspaces {
            self.push(hs);
        }
    }

    /// Appends the row of `hs` (n entries).
    pub fn push(&mut self, hs: &HalfSpace) {
        let n = self.n;
        self.stamp = fresh_stamp();
        if self.m == self.stride {
            // twice the slots per column, the m rows copied over
            let stride = (2 * self.stride).max(8);
            let mut gt = vec![0.0; stride * n];
            for j in 0..n {
                gt[j * stride..j * stride + self.m]
                    .copy_from_slice(&self.gt[j * self.stride..j * self.stride + self.m]);
            }
            self.gt = gt;
            self.stride = stride;
        }
        for (j, &gj) in hs.g.iter().enumerate().take(n) {
            self.gt[j * self.stride + self.m] = gj;
        }
        match hs.g.as_slice() {
            Some(row) => self.g.extend_from_slice(row),
            None => self.g.extend(hs.g.iter()),
        }
        let row = &self.g[self.m * n..];
        self.norm.push(dot(row, row).sqrt());
        self.h.push(hs.h);
        self.m += 1;
    }

    /// Removes the last row.
    pub fn pop(&mut self) {
        if self.m > 0 {
            self.stamp = fresh_stamp();
            self.m -= 1;
            self.g.truncate(self.m * self.n);
            self.h.pop();
            self.norm.pop();
        }
    }

    /// The number of rows.
    pub(super) fn len(&self) -> usize {
        self.m
    }

    /// out_i = g_i·v for every row i ([`rows_times`]): the floats of each row's own dot
    /// product in the order of its entries.
    pub(super) fn times(&self, v: &[f64], out: &mut Vec<f64>) {
        rows_times(&self.gt, self.stride, self.m, v, out);
    }

    /// The right-hand sides h_i.
    pub(super) fn rhs(&self) -> &[f64] {
        &self.h
    }

    /// The rows' norms ‖g_i‖.
    pub(super) fn norms(&self) -> &[f64] {
        &self.norm
    }

    /// The stamp of the rows as they are now (renewed by every change; 0 before the first).
    pub(super) fn stamp(&self) -> u64 {
        self.stamp
    }
}

/// out_i = g_i·v for every row i of the m rows stored by columns in `gt` (column j: its m
/// entries from j·stride), summed column by column: each row's sum takes its terms in the order
/// of its entries, as a row-by-row dot product would, but every column is one contiguous pass
/// over the rows.
///
/// On x86-64 with AVX (detected at run time) the same loop is compiled for AVX: 4 rows per
/// instruction instead of 2, each row's products and sums still separate and in the same order
/// (no fused multiply-add: Rust never contracts a·b + c), so the same floats.
fn rows_times(gt: &[f64], stride: usize, m: usize, v: &[f64], out: &mut Vec<f64>) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: the CPU supports AVX, checked just above
            return unsafe { rows_times_avx(gt, stride, m, v, out) };
        }
    }
    rows_times_plain(gt, stride, m, v, out);
}

/// [`rows_times`] compiled with AVX enabled.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn rows_times_avx(gt: &[f64], stride: usize, m: usize, v: &[f64], out: &mut Vec<f64>) {
    rows_times_plain(gt, stride, m, v, out);
}

/// The loop of [`rows_times`] (inlined into each caller, so compiled for its target features).
#[inline(always)]
fn rows_times_plain(gt: &[f64], stride: usize, m: usize, v: &[f64], out: &mut Vec<f64>) {
    out.clear();
    let Some((&v0, rest_v)) = v.split_first() else {
        out.resize(m, -0.0);
        return;
    };
    if m == 0 {
        return;
    }
    // the first column's products start each sum (−0 + p = p: the same floats as a fold)
    let (first, mut rest) = gt.split_at(stride);
    out.extend(first[..m].iter().map(|g| g * v0));
    let out = &mut out[..m];
    for &vj in rest_v {
        let (col, tail) = rest.split_at(stride);
        rest = tail;
        for (o, &g) in out.iter_mut().zip(&col[..m]) {
            *o += g * vj;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array1;

    use crate::enumerate::test_rng::Rng;

    /// G·v by columns gives, row by row, exactly the floats of the row's own dot product.
    #[test]
    fn rows_times_equals_the_rows_dot_products() {
        let mut rng = Rng(3);
        for (m, n) in [(0, 3), (1, 1), (7, 5), (30, 17), (4, 200)] {
            let g: Vec<f64> = (0..m * n).map(|_| rng.next() * 1e3).collect();
            let v: Vec<f64> = (0..n).map(|_| rng.next()).collect();
            let mut gt = Vec::new();
            for j in 0..n {
                gt.extend((0..m).map(|i| g[i * n + j]));
            }
            let mut out = Vec::new();
            rows_times(&gt, m, m, &v, &mut out);
            assert_eq!(out.len(), m);
            for i in 0..m {
                let mut want = 0.0;
                for j in 0..n {
                    want += g[i * n + j] * v[j];
                }
                assert_eq!(out[i], want, "row {i} of {m} x {n}");
            }
        }
    }

    /// Rows kept with a stack (pushed past their first column capacity, popped, pushed again)
    /// hold what rows loaded at once from the same half-spaces hold: G·v row by row, exactly the
    /// floats of each row's own dot product, and the right-hand sides.
    #[test]
    fn rows_pushed_and_popped_match_the_stack() {
        let mut rng = Rng(11);
        let n = 5;
        let mut row = || HalfSpace {
            g: Array1::from_iter((0..n).map(|_| rng.next())),
            h: rng.next(),
        };
        let mut stack: Vec<HalfSpace> = (0..3).map(|_| row()).collect();
        let mut rows = Rows::of(&stack, n);
        for round in 0..4 {
            for _ in 0..7 * (round + 1) {
                let hs = row();
                rows.push(&hs);
                stack.push(hs);
            }
            for _ in 0..5 {
                rows.pop();
                stack.pop();
            }
            let v: Vec<f64> = (0..n).map(|j| 0.5 - j as f64 / 3.0).collect();
            let mut out = Vec::new();
            rows.times(&v, &mut out);
            assert_eq!(rows.len(), stack.len());
            assert_eq!(out.len(), stack.len());
            for (i, hs) in stack.iter().enumerate() {
                let mut want = 0.0;
                for j in 0..n {
                    want += hs.g[j] * v[j];
                }
                assert_eq!(out[i], want, "round {round}, row {i}");
                assert_eq!(rows.rhs()[i], hs.h);
            }
            let fresh = Rows::of(&stack, n);
            assert_eq!(fresh.g, rows.g);
            // every change renews the stamp, never to one seen before
            let before = rows.stamp();
            assert_ne!(before, fresh.stamp());
            rows.push(&stack[0]);
            let pushed = rows.stamp();
            rows.pop();
            assert!(before != pushed && pushed != rows.stamp() && before != rows.stamp());
        }
    }
}
