//! One error type for the whole library. Every message names the file (or the option), the
//! place inside it (line, node, field) and what was expected, so the CLI can print it as one line.

use std::path::{Path, PathBuf};

/// Result alias used across the crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Everything that can go wrong, grouped by who has to act on it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened or read.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file was read but its content is not what the format requires.
    /// `location` is e.g. `line 7`, `node "Gemm_3"`, `layers[2].bias`.
    #[error("{file}: {location}: {message}")]
    Format {
        file: String,
        location: String,
        message: String,
    },
    /// A value given by the user (option, network shape, point) is invalid.
    #[error("{0}")]
    Invalid(String),
    /// A numerical solver failed or returned an unusable status.
    #[error("solver {solver}: {message}")]
    Solver { solver: String, message: String },
}

impl Error {
    /// A format error in `file` at `location`.
    pub fn format(file: impl AsRef<Path>, location: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Format {
            file: file.as_ref().display().to_string(),
            location: location.into(),
            message: message.into(),
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io { path: path.as_ref().to_path_buf(), source }
    }

    /// An invalid user-supplied value.
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::Invalid(message.into())
    }

    /// A solver failure.
    pub fn solver(solver: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Solver { solver: solver.into(), message: message.into() }
    }
}
