//! `--witnesses FILE`: one JSON line per counted region, streamed as the search finds it:
//! `{"pattern": "0110|10", "point": [x1, ...]}` where `point` lies strictly inside
//! region ∩ domain (layers of the pattern separated by `|`).

use crate::enumerate::WitnessSink;
use crate::error::{Error, Result};
use crate::network::ActivationPattern;
use ndarray::Array1;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A witness sink writing JSON lines to a file. Write errors are kept and returned by `finish`.
pub struct JsonLinesWitnesses {
    path: PathBuf,
    state: Mutex<(BufWriter<File>, Option<std::io::Error>)>,
}

#[derive(serde::Serialize)]
struct Line<'a> {
    pattern: String,
    point: &'a [f64],
}

impl JsonLinesWitnesses {
    /// Creates (or truncates) the JSON-lines file at `path`; errors when it cannot be created.
    pub fn create(path: &Path) -> Result<Self> {
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
        Ok(JsonLinesWitnesses {
            path: path.to_path_buf(),
            state: Mutex::new((BufWriter::new(file), None)),
        })
    }

    /// Flushes the file and reports the first write error, if any.
    pub fn finish(self) -> Result<()> {
        let (mut w, err) = self.state.into_inner().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = err {
            return Err(Error::io(&self.path, e));
        }
        w.flush().map_err(|e| Error::io(&self.path, e))
    }
}

impl WitnessSink for JsonLinesWitnesses {
    fn region(&self, witness: &Array1<f64>, pattern: &ActivationPattern) {
        let point = witness.to_vec();
        let line = Line {
            pattern: pattern.to_compact(),
            point: &point,
        };
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if guard.1.is_some() {
            return;
        }
        // serde_json cannot fail on this struct of strings and finite numbers; a failure is still
        // kept as an I/O error rather than a panic.
        let res = serde_json::to_writer(&mut guard.0, &line)
            .map_err(std::io::Error::other)
            .and_then(|_| guard.0.write_all(b"\n"));
        if let Err(e) = res {
            guard.1 = Some(e);
        }
    }
}
