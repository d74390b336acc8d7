//! Activation patterns s(x) ∈ {0,1}^{n_1+…+n_L} and their compact text form.

use serde::{Deserialize, Serialize};

/// One boolean per hidden unit, grouped by layer (true = pre-activation > 0).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ActivationPattern {
    /// `layers[l][j]`: whether unit j of hidden layer l is active (pre-activation > 0).
    pub layers: Vec<Vec<bool>>,
}

impl ActivationPattern {
    /// The pattern with these per-layer unit states, input side first.
    pub fn new(layers: Vec<Vec<bool>>) -> Self {
        ActivationPattern { layers }
    }

    /// Compact text: one character per unit (`1` on, `0` off), layers separated by `|`.
    pub fn to_compact(&self) -> String {
        self.layers
            .iter()
            .map(|l| {
                l.iter()
                    .map(|&b| if b { '1' } else { '0' })
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("|")
    }

    /// Parses [`ActivationPattern::to_compact`]'s output; `None` on any other character.
    pub fn from_compact(text: &str) -> Option<Self> {
        text.split('|')
            .map(|l| {
                l.chars()
                    .map(|c| match c {
                        '1' => Some(true),
                        '0' => Some(false),
                        _ => None,
                    })
                    .collect::<Option<Vec<bool>>>()
            })
            .collect::<Option<Vec<_>>>()
            .map(ActivationPattern::new)
    }
}
