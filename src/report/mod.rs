//! What the commands report, as serializable structs (for `--json`) with a plain-text rendering.
//! The CLI only chooses between the two.

pub mod bound;
pub mod check;
pub mod count;
pub mod progress_bar;
pub mod shard;
pub mod witness_file;

use num_bigint::BigUint;
use serde::Serialize;

/// A float for text output: as Rust prints it (shortest round-trip) between 1e-6 and 1e9, in
/// scientific notation outside (a radius of 1e160 is not 161 digits).
pub fn number(x: f64) -> String {
    if x != 0.0 && !(1e-6..1e9).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// A file a command wrote: its path, size and SHA-256 (hex).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct FileReport {
    /// Where the file was written, as given on the command line.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// SHA-256 of its contents, 64 lowercase hex digits.
    pub sha256: String,
}

impl From<&crate::formats::container::CertificateFile> for FileReport {
    fn from(f: &crate::formats::container::CertificateFile) -> Self {
        FileReport {
            path: f.path.display().to_string(),
            bytes: f.bytes,
            sha256: f.sha256.clone(),
        }
    }
}

/// An exact count as JSON: the decimal string (counts overflow every float and u64) and its log10.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct BigValue {
    /// The exact value in decimal digits.
    pub value: String,
    /// Its base-10 logarithm (approximate, finite for values beyond f64; 0 for the value 0).
    pub log10: f64,
}

impl BigValue {
    /// The decimal string and log10 of `v`.
    pub fn new(v: &BigUint) -> Self {
        BigValue {
            value: v.to_str_radix(10),
            log10: crate::bounds::log10(v),
        }
    }

    /// Short text form: the exact decimal when it has at most 24 digits, else scientific notation.
    pub fn short(&self) -> String {
        if self.value.len() <= 24 {
            self.value.clone()
        } else {
            let mantissa = 10f64.powf(self.log10 - self.log10.floor());
            format!("{mantissa:.4}e{}", self.log10.floor() as i64)
        }
    }
}

pub use crate::network::widths_text;

#[cfg(test)]
mod widths_tests {
    use super::widths_text;

    #[test]
    fn long_width_lists_are_shortened() {
        assert_eq!(widths_text(&[16, 16]), "[16, 16]");
        let deep = vec![2; 10_000];
        assert_eq!(widths_text(&deep), "[2, 2, 2, 2, …, 2, 2] (10000 layers)");
    }
}
