//! One error type for the whole library. Every message names the file or the parameter, the
//! place inside it (line, node, coordinate) and what was expected, so a front end can print it
//! as one line.
//!
//! Errors about a value the caller chose carry the [`Field`] it was given for and the value, not
//! the name of a command-line option: each front end maps a field to its own name (the CLI to a
//! flag such as `--radius`, a Python binding to a keyword argument).

use std::path::{Path, PathBuf};

/// Result alias used across the crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Everything that can go wrong, grouped by who has to act on it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened or read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system reported.
        #[source]
        source: std::io::Error,
    },
    /// A file was read but its content is not what the format requires.
    #[error("{file}: {location}: {message}")]
    Format {
        /// The file, as given.
        file: String,
        /// Where in the file, e.g. `line 7`, `node "Gemm_3"`, `layers[2].bias`.
        location: String,
        /// What is wrong there and what was expected.
        message: String,
    },
    /// A value given for a parameter is outside what the parameter accepts, e.g.
    /// `radius: -1 is not valid; expected a finite number > 0`.
    #[error("{field}: {value} is not valid; expected {expected}")]
    InvalidValue {
        /// The parameter.
        field: Field,
        /// The value as given, or the part of it that is wrong with its place (`value 2
        /// ("0.x") at character 5` in a list of numbers).
        value: String,
        /// What the parameter accepts.
        expected: String,
    },
    /// An index (0-based) into the inputs is not below their number, e.g. an axis of a slice's
    /// plane.
    #[error("{field}: index {index} is out of range; expected an index below {len} (0-based)")]
    IndexOutOfRange {
        /// The parameter the index was given for.
        field: Field,
        /// The index, 0-based.
        index: usize,
        /// The number of valid indices.
        len: usize,
    },
    /// A point or direction has a different number of coordinates than the network has inputs.
    #[error(
        "{field} has {got} values; the network expects {expected} inputs{}",
        label_hint(*got, *expected)
    )]
    DimensionMismatch {
        /// The point or direction.
        field: Field,
        /// Its number of coordinates.
        got: usize,
        /// The network's number of inputs.
        expected: usize,
    },
    /// A table of points has several rows and none was chosen.
    #[error(
        "{file}: the table has {rows} rows; expected the index of one (0-based, 0..={})",
        rows.saturating_sub(1)
    )]
    RowNotChosen {
        /// The file of the table.
        file: String,
        /// Its number of rows.
        rows: usize,
    },
    /// A center was given in the raw units of the network's inputs, but the network carries no
    /// input normalization to bring it into the space its weights act on.
    #[error(
        "the network has no input normalization (only NNet files carry one), so a center in raw \
         input units cannot be normalized; expected the center in the network's input space"
    )]
    NoNormalization,
    /// The solver chosen cannot solve problems on the domain (HiGHS with an L2 ball, which needs
    /// a second-order cone).
    #[error(
        "solver {solver} does not support {norm} domains; expected clarabel (boxes and L2 balls)"
    )]
    UnsupportedSolver {
        /// The solver's name (`highs`).
        solver: String,
        /// The domain's norm (`l2`).
        norm: String,
    },
    /// The pool of worker threads could not be started.
    #[error("cannot start a pool of {threads} worker threads: {source}")]
    ThreadPool {
        /// The number of threads asked for.
        threads: usize,
        /// Why the pool could not start.
        #[source]
        source: rayon::ThreadPoolBuildError,
    },
    /// Anything else the caller gave that cannot be used (a network's shapes, training data, an
    /// inconsistent combination), described in words.
    #[error("{message}")]
    Invalid {
        /// What is wrong and what was expected.
        message: String,
    },
    /// A numerical solver failed or returned an unusable status.
    #[error("solver {solver}: {message}")]
    Solver {
        /// The solver's name.
        solver: String,
        /// What it reported.
        message: String,
    },
}

/// The parameter an error is about. A front end names it in its own words: the command line by
/// the flag that sets it, a binding by its keyword argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// The center of the ball or box (a point of the input space).
    Center,
    /// The radius of the ball (half width of the box).
    Radius,
    /// The norm of the ball, by name (`l2`, `linf`).
    Norm,
    /// The time budget, in seconds.
    TimeLimit,
    /// The number of worker threads.
    Threads,
    /// Which bounds to compute, by name (`analytic`, `lp`, `split`, `all`).
    Method,
    /// The LP / SOCP backend, by name (`highs`, `clarabel`).
    Solver,
    /// The radii of a sweep (`A:B:N` or a list).
    Radii,
    /// The number of seeds an experiment is repeated over.
    Seeds,
    /// The two input axes spanning a slice's plane.
    PlaneAxes,
    /// A direction of a slice's plane: 0 the first, 1 the second.
    PlaneDirection(usize),
    /// A point a slice's plane passes through besides the center: 0 the first, 1 the second.
    PlanePoint(usize),
    /// The choice of a slice's plane as a whole (by axes, directions or points).
    Plane,
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ordinal = |k: usize| match k {
            0 => "first".to_string(),
            1 => "second".to_string(),
            k => format!("number {}", k + 1),
        };
        match self {
            Field::Center => f.write_str("center"),
            Field::Radius => f.write_str("radius"),
            Field::Norm => f.write_str("norm"),
            Field::TimeLimit => f.write_str("time limit"),
            Field::Threads => f.write_str("threads"),
            Field::Method => f.write_str("method"),
            Field::Solver => f.write_str("solver"),
            Field::Radii => f.write_str("radii"),
            Field::Seeds => f.write_str("seeds"),
            Field::PlaneAxes => f.write_str("plane axes"),
            Field::PlaneDirection(k) => write!(f, "{} plane direction", ordinal(*k)),
            Field::PlanePoint(k) => write!(f, "{} plane point", ordinal(*k)),
            Field::Plane => f.write_str("plane"),
        }
    }
}

/// A point with one value too many often comes from a table whose last column is a label.
fn label_hint(got: usize, expected: usize) -> &'static str {
    if got == expected + 1 {
        " (if the last column is a label, drop it)"
    } else {
        ""
    }
}

impl Error {
    /// A format error in `file` at `location`.
    pub fn format(
        file: impl AsRef<Path>,
        location: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Format {
            file: file.as_ref().display().to_string(),
            location: location.into(),
            message: message.into(),
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// A value of `field` that is not valid, with what the field accepts.
    pub fn invalid_value(
        field: Field,
        value: impl std::fmt::Display,
        expected: impl Into<String>,
    ) -> Self {
        Error::InvalidValue {
            field,
            value: value.to_string(),
            expected: expected.into(),
        }
    }

    /// Something invalid that is not about one parameter, described in words.
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::Invalid {
            message: message.into(),
        }
    }

    /// A solver failure.
    pub fn solver(solver: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Solver {
            solver: solver.into(),
            message: message.into(),
        }
    }
}
