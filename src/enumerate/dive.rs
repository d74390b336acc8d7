//! Random dives: Knuth's estimator of the size of a search tree (D. E. Knuth, "Estimating the
//! efficiency of backtrack programs", Math. Comp. 29 (1975)).
//!
//! A dive walks from a node to a leaf, taking one side chosen uniformly at random at every
//! branching. With b branchings on its path, 2^b is an unbiased estimate of the number of leaves
//! (regions) below the node: a leaf at b branchings is reached with probability 2^{-b}, so
//! E[2^b] = Σ_leaves 2^{-b}·2^b = the number of leaves. Its variance is large on unbalanced
//! trees, so [`super::balance`] averages several dives per part. A dive proves nothing and counts
//! nothing: it only orders work.

/// The state of one dive: the part it estimates, its generator, its branchings so far.
pub(super) struct Dive {
    /// Index of the part the dive estimates.
    pub(super) part: usize,
    /// SplitMix64 state (Steele, Lea, Flood 2014): a fixed seed gives the same dive every time.
    state: u64,
    /// Branchings taken so far (a partial branching counts: its open side is taken as large).
    branchings: u32,
}

impl Dive {
    /// A dive of part `part` whose choices come from `seed`.
    pub(super) fn new(part: usize, seed: u64) -> Self {
        Dive {
            part,
            state: seed,
            branchings: 0,
        }
    }

    /// The side taken at a branching (true: the active side); the estimate doubles.
    pub(super) fn branch(&mut self) -> bool {
        self.branchings += 1;
        self.next_u64() >> 63 == 1
    }

    /// A branching with one side open: the known side is taken; the estimate doubles.
    pub(super) fn partial(&mut self) {
        self.branchings += 1;
    }

    /// 2^b, the estimated number of leaves below the dive's start.
    pub(super) fn estimate(&self) -> f64 {
        2f64.powi(self.branchings.min(1000) as i32)
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::Dive;

    #[test]
    fn sides_are_balanced_and_estimates_double() {
        let mut d = Dive::new(0, 42);
        let active = (0..10_000).filter(|_| d.branch()).count();
        assert!((4_700..5_300).contains(&active), "{active} of 10000");
        assert_eq!(Dive::new(0, 1).estimate(), 1.0);
        let mut e = Dive::new(0, 1);
        e.branch();
        e.partial();
        assert_eq!(e.estimate(), 4.0);
    }
}
