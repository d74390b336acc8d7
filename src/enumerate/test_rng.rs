//! A tiny deterministic generator for the enumerator's unit tests: a 64-bit LCG (Knuth's MMIX
//! constants), its top 53 bits mapped to [−1, 1). No dependency, the same stream everywhere.

pub(super) struct Rng(pub u64);

impl Rng {
    /// The next value in [−1, 1).
    pub fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    }
}
