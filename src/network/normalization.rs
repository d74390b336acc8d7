//! Input normalization of the NNet format (ACAS Xu): the network's weights act on
//! x_norm = (clamp(x_raw, min, max) − mean) / range, per input.

use crate::error::{Error, Result};
use ndarray::Array1;

/// Per-input minimum, maximum, mean and range, as an NNet header gives them.
#[derive(Clone, Debug, PartialEq)]
pub struct InputNormalization {
    /// Smallest raw value of each input; smaller inputs are clamped to it.
    pub mins: Array1<f64>,
    /// Largest raw value of each input; larger inputs are clamped to it.
    pub maxes: Array1<f64>,
    /// Subtracted from each (clamped) raw input.
    pub means: Array1<f64>,
    /// Divides each input after the mean is subtracted (non-zero).
    pub ranges: Array1<f64>,
}

/// A raw point turned into the normalized space, with the inputs that had to be clamped.
#[derive(Clone, Debug, PartialEq)]
pub struct Normalized {
    pub point: Array1<f64>,
    /// Indices of inputs outside [min, max] that were clamped before normalizing.
    pub clamped: Vec<usize>,
}

impl InputNormalization {
    /// Validates lengths, finiteness, min ≤ max and non-zero ranges.
    pub fn new(
        mins: Array1<f64>,
        maxes: Array1<f64>,
        means: Array1<f64>,
        ranges: Array1<f64>,
    ) -> Result<Self> {
        let n = mins.len();
        for (name, v) in [("maxes", &maxes), ("means", &means), ("ranges", &ranges)] {
            if v.len() != n {
                return Err(Error::invalid(format!(
                    "normalization {name} has {} entries; expected {n}",
                    v.len()
                )));
            }
        }
        for i in 0..n {
            let vals = [mins[i], maxes[i], means[i], ranges[i]];
            if vals.iter().any(|v| !v.is_finite()) {
                return Err(Error::invalid(format!(
                    "normalization of input {i} is not finite: {vals:?}"
                )));
            }
            if mins[i] > maxes[i] {
                return Err(Error::invalid(format!(
                    "input {i}: min {} > max {}",
                    mins[i], maxes[i]
                )));
            }
            if ranges[i] == 0.0 {
                return Err(Error::invalid(format!(
                    "input {i}: range is 0; expected a non-zero range"
                )));
            }
        }
        Ok(InputNormalization {
            mins,
            maxes,
            means,
            ranges,
        })
    }

    /// Number of inputs it normalizes.
    pub fn dim(&self) -> usize {
        self.mins.len()
    }

    /// Raw units → the normalized space the weights act on.
    pub fn normalize(&self, raw: &Array1<f64>) -> Normalized {
        let mut clamped = Vec::new();
        let point = Array1::from_iter((0..raw.len()).map(|i| {
            let v = raw[i];
            let c = v.clamp(self.mins[i], self.maxes[i]);
            if c != v {
                clamped.push(i);
            }
            (c - self.means[i]) / self.ranges[i]
        }));
        Normalized { point, clamped }
    }

    /// Normalized space → raw units (no clamping).
    pub fn denormalize(&self, x: &Array1<f64>) -> Array1<f64> {
        Array1::from_iter((0..x.len()).map(|i| x[i] * self.ranges[i] + self.means[i]))
    }
}
