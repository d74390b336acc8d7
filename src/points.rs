//! Centers (points of the input space) from the command line, CSV/TXT, JSON or .npy files.
//!
//! - [`parse_center_list`]: `--center=0.1,-0.3 2e-3` (commas and/or spaces).
//! - [`read_table`]: any supported file as a [`Table`] (column names when the file has a header).
//! - [`read_center_file`]: one point from a file, `--row K` picking a row of a table.
//! - [`check_dimension`]: the point's length against the network's input dimension.

use crate::error::{Error, Result};
use ndarray::{Array1, ArrayD, Ix1, Ix2};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Parses a list of numbers separated by commas and/or whitespace (`0.1,-0.3, 2e-3 4`).
///
/// Errors name the bad token and its position (1-based value index and character offset), e.g.
/// `--center: value 3 ("0.x") at character 9 is not a number`. Non-finite values and empty
/// values between two commas are errors; one trailing comma is allowed.
pub fn parse_center_list(text: &str) -> Result<Array1<f64>> {
    let mut values = Vec::new();
    let pieces: Vec<(usize, &str)> = split_with_offsets(text, ',');
    let n = pieces.len();
    for (p, (offset, piece)) in pieces.into_iter().enumerate() {
        let mut found = false;
        for (off2, token) in split_whitespace_with_offsets(piece) {
            found = true;
            let pos = offset + off2 + 1;
            match token.parse::<f64>() {
                Ok(v) if v.is_finite() => values.push(v),
                Ok(_) => {
                    return Err(Error::invalid(format!(
                        "--center: value {} ({token:?}) at character {pos} is not finite; expected a finite number",
                        values.len() + 1
                    )))
                }
                Err(_) => {
                    return Err(Error::invalid(format!(
                        "--center: value {} ({token:?}) at character {pos} is not a number",
                        values.len() + 1
                    )))
                }
            }
        }
        let trailing = p + 1 == n && p > 0;
        if !found && !trailing {
            return Err(Error::invalid(format!(
                "--center: empty value {} at character {} (two commas in a row, or a leading comma); expected a number",
                values.len() + 1,
                offset + 1
            )));
        }
    }
    if values.is_empty() {
        return Err(Error::invalid(
            "--center: no values; expected numbers separated by commas or spaces",
        ));
    }
    Ok(Array1::from(values))
}

/// Checks that a point has one value per network input:
/// `center has 63 values; the network expects 64 inputs`. `what` names the point (`center`).
pub fn check_dimension(center: &Array1<f64>, n0: usize, what: &str) -> Result<()> {
    if center.len() == n0 {
        return Ok(());
    }
    let hint = if center.len() == n0 + 1 {
        " (if the last column is a label, drop it)"
    } else {
        ""
    };
    Err(Error::invalid(format!(
        "{what} has {} values; the network expects {n0} inputs{hint}",
        center.len()
    )))
}

/// A table of points read from a file: one point per row, all columns numeric.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The file it was read from (for error messages).
    pub file: PathBuf,
    /// Column names when the file had a header line, else `None`.
    pub columns: Option<Vec<String>>,
    /// The rows, all of the same length.
    pub rows: Vec<Vec<f64>>,
}

impl Table {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Whether the header names this column.
    pub fn has_column(&self, name: &str) -> bool {
        self.column_index(name).is_some()
    }

    /// Index of a named column (needs a header).
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.as_ref()?.iter().position(|c| c == name)
    }

    /// The `--row` rule: `Some(k)` must be in range; `None` is fine only for a one-row table.
    pub fn pick_row(&self, row: Option<usize>) -> Result<usize> {
        let n = self.rows.len();
        match row {
            Some(k) if k < n => Ok(k),
            Some(k) => Err(Error::format(
                &self.file,
                format!("row {k}"),
                format!(
                    "out of range; the table has {n} row{} (0-based: 0..={})",
                    plural(n),
                    n.saturating_sub(1)
                ),
            )),
            None if n == 1 => Ok(0),
            None => Err(Error::format(
                &self.file,
                "rows",
                format!(
                    "the table has {n} rows; pass --row K (0-based, 0..={}) to pick one",
                    n.saturating_sub(1)
                ),
            )),
        }
    }

    /// Row `k` (0-based) as a point.
    pub fn row(&self, k: usize) -> Result<Array1<f64>> {
        let k = self.pick_row(Some(k))?;
        Ok(Array1::from(self.rows[k].clone()))
    }

    /// Row `k` without the named columns (e.g. `&["label"]`); every name must be a column.
    pub fn row_without(&self, k: usize, drop: &[&str]) -> Result<Array1<f64>> {
        let k = self.pick_row(Some(k))?;
        let mut skip = Vec::with_capacity(drop.len());
        for name in drop {
            match self.column_index(name) {
                Some(i) => skip.push(i),
                None => {
                    let known = match &self.columns {
                        Some(c) => format!("the columns are {}", c.join(",")),
                        None => "the file has no header line".to_string(),
                    };
                    return Err(Error::format(
                        &self.file,
                        "header",
                        format!("no column named {name:?}; {known}"),
                    ));
                }
            }
        }
        Ok(self.rows[k]
            .iter()
            .enumerate()
            .filter(|(i, _)| !skip.contains(i))
            .map(|(_, v)| *v)
            .collect())
    }

    /// All values of a named column (e.g. the labels).
    pub fn column(&self, name: &str) -> Result<Vec<f64>> {
        let i = self.column_index(name).ok_or_else(|| {
            Error::format(&self.file, "header", format!("no column named {name:?}"))
        })?;
        Ok(self.rows.iter().map(|r| r[i]).collect())
    }
}

/// Reads one point from a file; `row` picks a row of a table (see [`Table::pick_row`]).
///
/// By extension: `.json` (a flat array, an array of arrays, or `{"center": [...]}`), `.csv`/`.txt`
/// (optional header line, one point per row, every column a coordinate), `.npy` (1-D or 2-D,
/// f64 or f32).
pub fn read_center_file(path: &Path, row: Option<usize>) -> Result<Array1<f64>> {
    let table = read_table(path)?;
    let k = table.pick_row(row)?;
    Ok(Array1::from(table.rows[k].clone()))
}

/// Reads a file of points as a [`Table`] (a single point is a one-row table). See
/// [`read_center_file`] for the formats.
pub fn read_table(path: &Path) -> Result<Table> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let (columns, rows) = match ext.as_deref() {
        Some("json") => (None, json_rows(path)?),
        Some("csv") | Some("txt") => text_rows(path)?,
        Some("npy") => (None, npy_rows(path)?),
        _ => {
            return Err(Error::format(
                path,
                "file name",
                "unknown point file type; expected .json, .csv, .txt or .npy",
            ))
        }
    };
    if rows.is_empty() {
        return Err(Error::format(
            path,
            "file",
            "no points found; expected at least one row of numbers",
        ));
    }
    Ok(Table {
        file: path.to_path_buf(),
        columns,
        rows,
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn json_rows(path: &Path) -> Result<Vec<Vec<f64>>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let root: Value = serde_json::from_str(&text).map_err(|e| {
        Error::format(
            path,
            format!("line {} column {}", e.line(), e.column()),
            format!("invalid JSON: {e}"),
        )
    })?;
    let (value, at) = match &root {
        Value::Object(o) => match o.get("center") {
            Some(c) => (c, "center"),
            None => {
                return Err(Error::format(
                    path,
                    "top level",
                    "object without \"center\"; expected an array or {\"center\": [...]}",
                ))
            }
        },
        _ => (&root, "top level"),
    };
    let arr = value.as_array().ok_or_else(|| {
        Error::format(
            path,
            at,
            "expected an array of numbers or an array of arrays",
        )
    })?;
    if arr.iter().all(Value::is_array) && !arr.is_empty() {
        let mut rows = Vec::with_capacity(arr.len());
        for (r, rv) in arr.iter().enumerate() {
            let row = json_numbers(rv, &format!("{at}[{r}]"), path)?;
            if let Some(first) = rows.first().map(Vec::len) {
                if row.len() != first {
                    return Err(Error::format(
                        path,
                        format!("{at}[{r}]"),
                        format!("row has {} values; expected {first} (as row 0)", row.len()),
                    ));
                }
            }
            rows.push(row);
        }
        Ok(rows)
    } else {
        Ok(vec![json_numbers(value, at, path)?])
    }
}

fn json_numbers(v: &Value, at: &str, path: &Path) -> Result<Vec<f64>> {
    let a = v
        .as_array()
        .ok_or_else(|| Error::format(path, at, "expected an array of numbers"))?;
    a.iter()
        .enumerate()
        .map(|(j, x)| match x.as_f64() {
            Some(f) if f.is_finite() => Ok(f),
            _ => Err(Error::format(
                path,
                format!("{at}[{j}]"),
                format!("found {x}; expected a finite number"),
            )),
        })
        .collect()
}

/// CSV/TXT: fields separated by commas and/or whitespace; `#` comment lines and blank lines
/// skipped; the first content line is a header when one of its fields is not a number.
fn text_rows(path: &Path) -> Result<(Option<Vec<String>>, Vec<Vec<f64>>)> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut header: Option<Vec<String>> = None;
    let mut rows: Vec<Vec<f64>> = Vec::new();
    let mut first = true;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = t
            .split(|c: char| c == ',' || c.is_whitespace())
            .map(|f| f.trim_matches('"'))
            .filter(|f| !f.is_empty())
            .collect();
        let parsed: Vec<Option<f64>> = fields
            .iter()
            .map(|f| f.parse::<f64>().ok().filter(|v| v.is_finite()))
            .collect();
        if first {
            first = false;
            if parsed.iter().any(Option::is_none) {
                header = Some(fields.iter().map(|f| f.to_string()).collect());
                continue;
            }
        }
        let expected = header
            .as_ref()
            .map(Vec::len)
            .or_else(|| rows.first().map(Vec::len));
        if let Some(j) = parsed.iter().position(Option::is_none) {
            return Err(Error::format(
                path,
                format!("line {}", i + 1),
                format!("field {} ({:?}) is not a finite number", j + 1, fields[j]),
            ));
        }
        if let Some(n) = expected {
            if fields.len() != n {
                return Err(Error::format(
                    path,
                    format!("line {}", i + 1),
                    format!("found {} fields; expected {n}", fields.len()),
                ));
            }
        }
        rows.push(parsed.into_iter().flatten().collect());
    }
    Ok((header, rows))
}

fn npy_rows(path: &Path) -> Result<Vec<Vec<f64>>> {
    let array: ArrayD<f64> = match ndarray_npy::read_npy::<_, ArrayD<f64>>(path) {
        Ok(a) => a,
        Err(e64) => match ndarray_npy::read_npy::<_, ArrayD<f32>>(path) {
            Ok(a) => a.mapv(f64::from),
            Err(_) => {
                return Err(Error::format(
                    path,
                    "npy",
                    format!("cannot read as an f64 or f32 array: {e64}"),
                ));
            }
        },
    };
    let rows: Vec<Vec<f64>> =
        match array.ndim() {
            1 => {
                let a = array
                    .into_dimensionality::<Ix1>()
                    .map_err(|e| Error::format(path, "npy", e.to_string()))?;
                vec![a.to_vec()]
            }
            2 => {
                let a = array
                    .into_dimensionality::<Ix2>()
                    .map_err(|e| Error::format(path, "npy", e.to_string()))?;
                a.rows().into_iter().map(|r| r.to_vec()).collect()
            }
            d => return Err(Error::format(
                path,
                "npy",
                format!(
                    "array has {d} dimensions (shape {:?}); expected 1 (a point) or 2 (a table)",
                    array.shape()
                ),
            )),
        };
    for (r, row) in rows.iter().enumerate() {
        if let Some(j) = row.iter().position(|v| !v.is_finite()) {
            return Err(Error::format(
                path,
                format!("row {r}, column {j}"),
                format!("{} is not finite", row[j]),
            ));
        }
    }
    Ok(rows)
}

/// Pieces of `text` split at `sep`, each with its byte offset.
fn split_with_offsets(text: &str, sep: char) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c == sep {
            out.push((start, &text[start..i]));
            start = i + c.len_utf8();
        }
    }
    out.push((start, &text[start..]));
    out
}

/// Whitespace-separated tokens of `text`, each with its byte offset.
fn split_whitespace_with_offsets(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out
}
