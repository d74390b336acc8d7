//! Centers (points of the input space) from the command line, CSV/TXT, JSON or .npy files.
//!
//! - [`parse_center_list`]: `--center=0.1,-0.3 2e-3` (commas and/or spaces).
//! - [`read_table`]: any supported file as a [`Table`] (column names when the file has a header).
//! - [`read_center_file`]: one point from a file, `--row K` picking a row of a table.
//! - [`check_dimension`]: the point's length against the network's input dimension.

use crate::error::{Error, Field, Result};
use ndarray::{Array1, ArrayD, Ix1, Ix2};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Parses a list of numbers separated by commas and/or whitespace (`0.1,-0.3, 2e-3 4`).
///
/// Errors ([`Error::InvalidValue`] for [`Field::Center`]) name the bad token and its position
/// (1-based value index and character offset), e.g. `center: value 3 ("0.x") at character 9 is
/// not valid; expected a number`. Non-finite values and empty values between two commas are
/// errors; one trailing comma is allowed.
pub fn parse_center_list(text: &str) -> Result<Array1<f64>> {
    parse_number_list(text, Field::Center)
}

/// [`parse_center_list`] for any list of numbers (a point, a direction); errors are about `field`.
pub fn parse_number_list(text: &str, field: Field) -> Result<Array1<f64>> {
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
                    return Err(Error::invalid_value(
                        field,
                        format!("value {} ({token:?}) at character {pos}", values.len() + 1),
                        "a finite number",
                    ))
                }
                Err(_) => {
                    return Err(Error::invalid_value(
                        field,
                        format!("value {} ({token:?}) at character {pos}", values.len() + 1),
                        "a number",
                    ))
                }
            }
        }
        let trailing = p + 1 == n && p > 0;
        if !found && !trailing {
            return Err(Error::invalid_value(
                field,
                format!(
                    "empty value {} at character {} (two commas in a row, or a leading comma)",
                    values.len() + 1,
                    offset + 1
                ),
                "a number",
            ));
        }
    }
    if values.is_empty() {
        return Err(Error::invalid_value(
            field,
            format!("{text:?}"),
            "numbers separated by commas or spaces",
        ));
    }
    Ok(Array1::from(values))
}

/// Checks that a point has one value per network input, else [`Error::DimensionMismatch`]:
/// `center has 63 values; the network expects 64 inputs`. `field` names the point.
pub fn check_dimension(center: &Array1<f64>, n0: usize, field: Field) -> Result<()> {
    if center.len() == n0 {
        return Ok(());
    }
    Err(Error::DimensionMismatch {
        field,
        got: center.len(),
        expected: n0,
    })
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

    /// The row rule: `Some(k)` must be in range; `None` is fine only for a one-row table (else
    /// [`Error::RowNotChosen`]).
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
            None => Err(Error::RowNotChosen {
                file: self.file.display().to_string(),
                rows: n,
            }),
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

/// Optional column names and the numeric rows.
type HeaderAndRows = (Option<Vec<String>>, Vec<Vec<f64>>);

/// CSV/TXT: fields separated by commas and/or whitespace; `#` comment lines and blank lines
/// skipped; the first content line is a header when one of its fields is not a number.
fn text_rows(path: &Path) -> Result<HeaderAndRows> {
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

/// The largest .npy header read (numpy writes a few hundred bytes).
const NPY_MAX_HEADER: usize = 1 << 16;

/// The deepest bracket nesting of a .npy header read. A plain header is a dict holding a shape
/// tuple (depth 2); the reader's header parser (a backtracking grammar) takes time exponential
/// in the nesting of any value, not only of `descr`, so deeper headers are refused before it runs.
const NPY_MAX_NESTING: usize = 4;

/// The deepest nesting of `(`, `[` and `{` in a .npy header, outside quoted strings.
fn npy_header_nesting(header: &str) -> usize {
    let (mut depth, mut deepest, mut quote) = (0usize, 0usize, None);
    for c in header.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[' | '{') => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            (None, ')' | ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Checks a .npy file's header before the reader allocates anything from it: the header length
/// and the data the shape declares must fit in the file, and `descr` must be a plain type string
/// (a nested structured type would cost the header parser exponential time).
fn check_npy_header(path: &Path) -> Result<()> {
    let bad = |what: String| Error::format(path, "npy header", what);
    use std::io::Read;
    let io = |e| Error::io(path, e);
    let mut file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len() as usize;
    let mut prefix = [0u8; 12];
    let got = file.read(&mut prefix).map_err(io)?;
    if got < 10 || &prefix[..6] != b"\x93NUMPY" {
        return Err(bad("not a .npy file (no \\x93NUMPY magic)".to_string()));
    }
    let (len, start) = match prefix[6] {
        1 => (u16::from_le_bytes([prefix[8], prefix[9]]) as usize, 10),
        2 | 3 if got >= 12 => (
            u32::from_le_bytes([prefix[8], prefix[9], prefix[10], prefix[11]]) as usize,
            12,
        ),
        v => return Err(bad(format!("format version {v}; expected 1, 2 or 3"))),
    };
    if len > NPY_MAX_HEADER || start + len > size {
        return Err(bad(format!(
            "header length {len}; the file has {} bytes after the prefix (at most {NPY_MAX_HEADER} read)",
            size.saturating_sub(start)
        )));
    }
    let mut raw = vec![0u8; start + len];
    raw[..got.min(start + len)].copy_from_slice(&prefix[..got.min(start + len)]);
    file.read_exact(&mut raw[got.min(start + len)..])
        .map_err(io)?;
    let header = String::from_utf8_lossy(&raw[start..]);
    let depth = npy_header_nesting(&header);
    if depth > NPY_MAX_NESTING {
        return Err(bad(format!(
            "brackets nested {depth} deep; expected at most {NPY_MAX_NESTING} (a dict with a shape tuple)"
        )));
    }
    let after = |key: &str| {
        header
            .find(key)
            .map(|i| header[i + key.len()..].trim_start_matches([' ', ':']))
    };
    let descr = after("'descr'").ok_or_else(|| bad("no 'descr'".to_string()))?;
    if !descr.starts_with('\'') {
        return Err(bad(
            "'descr' is not a plain type string; expected e.g. '<f8' or '<f4'".to_string(),
        ));
    }
    let item: usize = descr[1..]
        .split('\'')
        .next()
        .and_then(|t| t.trim_start_matches(['<', '>', '=', '|']).strip_prefix('f'))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| bad("'descr' is not a float type; expected '<f8' or '<f4'".to_string()))?;
    let shape = after("'shape'")
        .and_then(|t| t.strip_prefix('('))
        .and_then(|t| t.split(')').next())
        .ok_or_else(|| bad("no 'shape' tuple".to_string()))?;
    let mut count: Option<usize> = Some(1);
    for dim in shape.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        let d: usize = dim
            .parse()
            .map_err(|_| bad(format!("shape entry '{dim}' is not a size")))?;
        count = count.and_then(|c| c.checked_mul(d));
    }
    let data = size - start - len;
    match count.and_then(|c| c.checked_mul(item)) {
        Some(need) if need <= data => Ok(()),
        _ => Err(bad(format!(
            "shape ({shape}) declares more data than the file's {data} bytes"
        ))),
    }
}

fn npy_rows(path: &Path) -> Result<Vec<Vec<f64>>> {
    check_npy_header(path)?;
    // the reader's own messages can span several lines (a parse diagram): keep the first
    let first_line =
        |e: &dyn std::fmt::Display| e.to_string().lines().next().unwrap_or("").to_string();
    let array: ArrayD<f64> = match ndarray_npy::read_npy::<_, ArrayD<f64>>(path) {
        Ok(a) => a,
        Err(e64) => match ndarray_npy::read_npy::<_, ArrayD<f32>>(path) {
            Ok(a) => a.mapv(f64::from),
            Err(_) => {
                return Err(Error::format(
                    path,
                    "npy",
                    format!("cannot read as an f64 or f32 array: {}", first_line(&e64)),
                ));
            }
        },
    };
    let rows: Vec<Vec<f64>> = match array.ndim() {
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
        d => {
            return Err(Error::format(
                path,
                "npy",
                format!(
                    "array has {d} dimensions (shape {:?}); expected 1 (a point) or 2 (a table)",
                    array.shape()
                ),
            ))
        }
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
