//! An open node of the search as a value: its pattern prefix ([`Subproblem`]).

use crate::error::{Error, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// An open node of the search: the signs of the hidden units decided on its path, in search
/// order (hidden layers input side first, units in index order), i.e. the worker's pattern prefix
/// at that node. Serialized as a string of `0` (inactive) and `1` (active), e.g. `"0110"`; the
/// root is the empty string.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Subproblem {
    /// The decided signs, `true` for an active unit (pre-activation > 0).
    pub prefix: Vec<bool>,
}

impl Subproblem {
    /// The root: the whole search tree.
    pub fn root() -> Self {
        Subproblem { prefix: Vec::new() }
    }

    /// The prefix as `0`/`1` characters.
    pub fn to_text(&self) -> String {
        self.prefix
            .iter()
            .map(|&b| if b { '1' } else { '0' })
            .collect()
    }

    /// Reads [`Subproblem::to_text`]'s form; any other character is an error.
    pub fn from_text(text: &str) -> Result<Self> {
        let prefix = text
            .chars()
            .enumerate()
            .map(|(i, c)| match c {
                '0' => Ok(false),
                '1' => Ok(true),
                _ => Err(Error::invalid(format!(
                    "subproblem '{}': character {i} is '{c}'; expected only 0 and 1",
                    shorten(text)
                ))),
            })
            .collect::<Result<Vec<bool>>>()?;
        Ok(Subproblem { prefix })
    }
}

/// At most 40 characters of `text`, for messages.
pub(super) fn shorten(text: &str) -> String {
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text.to_string()
    }
}

impl fmt::Display for Subproblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl Serialize for Subproblem {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_text())
    }
}

impl<'de> Deserialize<'de> for Subproblem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Subproblem::from_text(&text).map_err(serde::de::Error::custom)
    }
}
