//! Turning what a user typed into the objects the library works on: the center point (from the
//! command line or a file, optionally in the raw units of an NNet network) and the domain.

use crate::domain::{Domain, Norm};
use crate::error::{Error, Field, Result};
use crate::network::Network;
use crate::points;
use ndarray::Array1;
use std::path::PathBuf;

/// Where the center comes from.
#[derive(Clone, Debug)]
pub enum CenterSource {
    /// `--center=0.1,-0.3,...`
    List(String),
    /// `--center-file F [--row K]`
    File {
        /// The CSV, JSON or .npy file.
        path: PathBuf,
        /// The row of a table to take (as `points::read_center_file` reads it); `None` by default.
        row: Option<usize>,
    },
}

/// A center resolved for a network, with notes for the user (e.g. clamped raw inputs).
#[derive(Clone, Debug)]
pub struct ResolvedCenter {
    /// The center in the space the network's weights act on.
    pub point: Array1<f64>,
    /// Notes for the user, one sentence each, about what was changed (e.g. clamped inputs).
    pub notes: Vec<String>,
}

/// Reads the center and brings it into the network's input space.
///
/// With `raw_input`, the values are in the raw units of an NNet network's inputs and are
/// normalized as the network expects, x_norm = (clamp(x, min, max) − mean) / range; inputs
/// outside [min, max] are clamped and reported in the notes.
pub fn resolve_center(
    source: &CenterSource,
    network: &Network,
    raw_input: bool,
) -> Result<ResolvedCenter> {
    let raw = match source {
        CenterSource::List(text) => points::parse_center_list(text)?,
        CenterSource::File { path, row } => points::read_center_file(path, *row)?,
    };
    points::check_dimension(&raw, network.input_dim(), Field::Center)?;
    let mut notes = Vec::new();
    let point = if raw_input {
        let norm = network.normalization().ok_or(Error::NoNormalization)?;
        let n = norm.normalize(&raw);
        if !n.clamped.is_empty() {
            notes.push(format!(
                "raw center outside the network's input range was clamped in coordinate(s) {:?}",
                n.clamped
            ));
        }
        n.point
    } else {
        raw
    };
    Ok(ResolvedCenter { point, notes })
}

/// Builds the ball of `radius` in `norm` around the center (radius checked finite and > 0).
pub fn make_domain(center: Array1<f64>, radius: f64, norm: Norm) -> Result<Domain> {
    Domain::ball(center, radius, norm)
}

/// The most worker threads taken (`--threads`, Python's `threads=`): far more than any machine's
/// cores, far fewer than would take seconds to start (each worker reserves a 64 MB stack).
pub const MAX_THREADS: usize = 1024;

/// Worker threads: `None` takes every core; otherwise 1 to [`MAX_THREADS`].
pub fn parse_threads(threads: Option<usize>) -> Result<usize> {
    match threads {
        Some(n) if n == 0 || n > MAX_THREADS => Err(Error::invalid_value(
            Field::Threads,
            n,
            format!("1 to {MAX_THREADS} (or none for every core)"),
        )),
        Some(n) => Ok(n),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// The largest `--time-limit` taken (about 31 years): beyond it a deadline would overflow the
/// clock's arithmetic.
pub const MAX_TIME_LIMIT_S: f64 = 1e9;

/// `--time-limit S`: a number of seconds > 0 and at most [`MAX_TIME_LIMIT_S`], or none.
pub fn parse_time_limit(seconds: Option<f64>) -> Result<Option<std::time::Duration>> {
    match seconds {
        Some(s) if !(s.is_finite() && s > 0.0 && s <= MAX_TIME_LIMIT_S) => {
            Err(Error::invalid_value(
                Field::TimeLimit,
                s,
                format!("a number of seconds > 0 and at most {MAX_TIME_LIMIT_S:e}"),
            ))
        }
        Some(s) => Ok(Some(std::time::Duration::from_secs_f64(s))),
        None => Ok(None),
    }
}
