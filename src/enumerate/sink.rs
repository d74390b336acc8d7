//! The witness sink that keeps every region found.

use super::settings::WitnessSink;
use crate::network::ActivationPattern;
use ndarray::Array1;
use std::sync::Mutex;

/// Collects every region the enumerator streams: its witness and its activation pattern, in the
/// order found (which depends on the threads' schedule).
#[derive(Debug, Default)]
pub struct CollectingSink(Mutex<Vec<(Array1<f64>, ActivationPattern)>>);

impl CollectingSink {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// The regions collected, as (witness, pattern) pairs.
    pub fn into_regions(self) -> Vec<(Array1<f64>, ActivationPattern)> {
        // a poisoned lock means another worker panicked: keep what was collected
        self.0.into_inner().unwrap_or_else(|p| p.into_inner())
    }
}

impl WitnessSink for CollectingSink {
    fn region(&self, witness: &Array1<f64>, pattern: &ActivationPattern) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((witness.clone(), pattern.clone()));
    }
}
