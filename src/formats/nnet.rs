//! NNet network format (Kyle Julian, Stanford 2016; ACAS Xu, Marabou),
//! docs/math.md#17-where-networks-come-from.
//!
//! Layout, one record per non-blank line, values separated by commas (trailing commas allowed):
//!
//! ```text
//! // optional comment lines
//! L, n0, n_out, max_layer_size,
//! n0, n1, ..., nL,                 (L + 1 layer sizes)
//! 0,                               (symmetric flag, unused)
//! min_1, ..., min_n0,
//! max_1, ..., max_n0,
//! mean_1, ..., mean_n0, mean_out,
//! range_1, ..., range_n0, range_out,
//! then for each layer k = 1..L: n_k weight rows of n_{k-1} values, then n_k biases, one per line.
//! ```
//!
//! The weights act on normalized inputs `(clamp(x, min, max) − mean) / range`; the reader keeps
//! them as they are and attaches the first n0 means and ranges as the network's
//! [`InputNormalization`]. The output mean and range (the last entries) only rescale the outputs,
//! which does not move any linear region, and are not kept.

use crate::error::{Error, Result};
use crate::network::{InputNormalization, Layer, Network};
use ndarray::{Array1, Array2};
use std::path::Path;

/// Reads an NNet file into a [`Network`] with its [`InputNormalization`] attached.
///
/// Errors name the file, the line number and what was expected there, e.g.
/// `line 12: expected 5 comma-separated numbers for weight row 3 of layer 1, found 4`.
pub fn read(path: &Path) -> Result<Network> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    from_str(&text, path)
}

/// Parses the text of an NNet file; `file` is only used in error messages.
pub fn from_str(text: &str, file: &Path) -> Result<Network> {
    let mut records = Records::new(text, file);
    let header = read_header(&mut records)?;
    let sizes = read_sizes(&mut records, &header)?;
    let rows = read_normalization(&mut records, header.n0)?;
    let layers = read_layers(&mut records, &sizes, file)?;
    let num_layers = header.num_layers;
    if let Some(extra) = records.next_record() {
        return Err(records.error_at(
            extra.0,
            format!("unexpected content after the last bias of layer {num_layers}; expected the end of the file"),
        ));
    }

    let n0 = header.n0;
    // means/ranges were checked to hold n0 + 1 values, so [..n0] is in bounds.
    let wrap = |e: Error| Error::format(file, "network", e.to_string());
    let normalization = InputNormalization::new(
        Array1::from(rows.mins),
        Array1::from(rows.maxes),
        Array1::from(rows.means[..n0].to_vec()),
        Array1::from(rows.ranges[..n0].to_vec()),
    )
    .map_err(|e| Error::format(file, "normalization header", e.to_string()))?;
    Network::new(layers)
        .map_err(wrap)?
        .with_normalization(normalization)
        .map_err(wrap)
}

/// The first record of an NNet file.
struct Header {
    num_layers: usize,
    /// Number of inputs.
    n0: usize,
    n_out: usize,
}

/// Reads the header record: number of layers (≥ 1), inputs, outputs (and the max layer size,
/// not used).
fn read_header(records: &mut Records) -> Result<Header> {
    let header = records.next_numbers(
        "the header (number of layers, inputs, outputs, max layer size)",
        None,
    )?;
    if header.values.len() < 4 {
        return Err(records.error_at(
            header.line,
            format!("expected 4 comma-separated numbers (number of layers, inputs, outputs, max layer size), found {}", header.values.len()),
        ));
    }
    let num_layers = as_count(records, header.line, header.values[0], "number of layers")?;
    let n0 = as_count(records, header.line, header.values[1], "number of inputs")?;
    let n_out = as_count(records, header.line, header.values[2], "number of outputs")?;
    if num_layers == 0 {
        return Err(records.error_at(header.line, "number of layers is 0; expected at least 1"));
    }

    Ok(Header {
        num_layers,
        n0,
        n_out,
    })
}

/// Reads the layer sizes record: `num_layers + 1` positive sizes, the first the number of
/// inputs, the last the number of outputs.
fn read_sizes(records: &mut Records, header: &Header) -> Result<Vec<usize>> {
    let Header {
        num_layers,
        n0,
        n_out,
    } = *header;
    let sizes_rec = records.next_numbers("the layer sizes", Some(num_layers + 1))?;
    let sizes = sizes_rec
        .values
        .iter()
        .map(|&v| as_count(records, sizes_rec.line, v, "layer size"))
        .collect::<Result<Vec<usize>>>()?;
    if sizes[0] != n0 {
        return Err(records.error_at(
            sizes_rec.line,
            format!(
                "first layer size is {}; expected {n0} (the number of inputs)",
                sizes[0]
            ),
        ));
    }
    if sizes[num_layers] != n_out {
        return Err(records.error_at(
            sizes_rec.line,
            format!(
                "last layer size is {}; expected {n_out} (the number of outputs)",
                sizes[num_layers]
            ),
        ));
    }
    if let Some(pos) = sizes.iter().position(|&s| s == 0) {
        return Err(records.error_at(
            sizes_rec.line,
            format!("layer size {pos} is 0; expected a positive size"),
        ));
    }

    Ok(sizes)
}

/// The normalization records of an NNet file: per input its minimum and maximum, and per input
/// and the output its mean and range.
struct NormalizationRows {
    mins: Vec<f64>,
    maxes: Vec<f64>,
    means: Vec<f64>,
    ranges: Vec<f64>,
}

/// Reads the symmetric flag (ignored) and the normalization records of `n0` inputs.
fn read_normalization(records: &mut Records, n0: usize) -> Result<NormalizationRows> {
    records.next_numbers("the symmetric flag", Some(1))?;
    let mins = records
        .next_numbers(&format!("{n0} input minimums"), Some(n0))?
        .values;
    let maxes = records
        .next_numbers(&format!("{n0} input maximums"), Some(n0))?
        .values;
    let means_rec = records.next_numbers(
        &format!("{} means ({n0} inputs and the output)", n0 + 1),
        Some(n0 + 1),
    )?;
    let ranges_rec = records.next_numbers(
        &format!("{} ranges ({n0} inputs and the output)", n0 + 1),
        Some(n0 + 1),
    )?;

    Ok(NormalizationRows {
        mins,
        maxes,
        means: means_rec.values,
        ranges: ranges_rec.values,
    })
}

/// Reads each layer's weight rows then its biases, the layers of `sizes` in order.
fn read_layers(records: &mut Records, sizes: &[usize], file: &Path) -> Result<Vec<Layer>> {
    let num_layers = sizes.len() - 1;
    // Grown row by row (no allocation from header sizes): a corrupt header with huge sizes ends
    // in a "file ends early" error instead of an out-of-memory abort.
    let mut layers = Vec::new();
    for k in 0..num_layers {
        let (n_in, n_outk) = (sizes[k], sizes[k + 1]);
        let mut flat = Vec::new();
        for r in 0..n_outk {
            let row = records.next_numbers(
                &format!("weight row {} of layer {}", r + 1, k + 1),
                Some(n_in),
            )?;
            flat.extend(row.values);
        }
        let mut bias = Vec::new();
        for r in 0..n_outk {
            // next_numbers(.., Some(1)) returns exactly one value, so [0] exists.
            bias.push(
                records
                    .next_numbers(&format!("bias {} of layer {}", r + 1, k + 1), Some(1))?
                    .values[0],
            );
        }
        let weight = Array2::from_shape_vec((n_outk, n_in), flat).map_err(|e| {
            Error::format(
                file,
                format!("layer {}", k + 1),
                format!("weight shape: {e}"),
            )
        })?;
        layers.push(Layer::new(weight, Array1::from(bias)));
    }
    Ok(layers)
}

/// A parsed line: its 1-based number and its numbers.
struct NumberLine {
    line: usize,
    values: Vec<f64>,
}

/// Non-blank, non-comment lines of the file, with their 1-based line numbers.
struct Records<'a> {
    lines: std::iter::Enumerate<std::str::Lines<'a>>,
    file: &'a Path,
    last_line: usize,
}

impl<'a> Records<'a> {
    fn new(text: &'a str, file: &'a Path) -> Self {
        Records {
            lines: text.lines().enumerate(),
            file,
            last_line: 0,
        }
    }

    fn error_at(&self, line: usize, message: impl Into<String>) -> Error {
        Error::format(self.file, format!("line {line}"), message)
    }

    /// The next line holding content (blank lines and `//` comments skipped).
    fn next_record(&mut self) -> Option<(usize, &'a str)> {
        for (i, line) in self.lines.by_ref() {
            self.last_line = i + 1;
            let t = line.trim();
            if t.is_empty() || t.starts_with("//") {
                continue;
            }
            return Some((i + 1, t));
        }
        None
    }

    /// The next record as numbers; `count` = exact number expected (trailing commas ignored).
    fn next_numbers(&mut self, what: &str, count: Option<usize>) -> Result<NumberLine> {
        let Some((line, text)) = self.next_record() else {
            return Err(Error::format(
                self.file,
                format!("line {}", self.last_line + 1),
                format!("file ends early; expected {what}"),
            ));
        };
        let mut fields: Vec<&str> = text.split(',').map(str::trim).collect();
        while fields.last().is_some_and(|f| f.is_empty()) {
            fields.pop();
        }
        let mut values = Vec::with_capacity(fields.len());
        for (j, f) in fields.iter().enumerate() {
            match f.parse::<f64>() {
                Ok(v) if v.is_finite() => values.push(v),
                _ => {
                    return Err(self.error_at(
                        line,
                        format!(
                            "value {} ({f:?}) is not a finite number; expected {what}",
                            j + 1
                        ),
                    ))
                }
            }
        }
        if let Some(n) = count {
            if values.len() != n {
                return Err(self.error_at(
                    line,
                    format!(
                        "expected {n} comma-separated numbers for {what}, found {}",
                        values.len()
                    ),
                ));
            }
        }
        Ok(NumberLine { line, values })
    }
}

/// A header value that must be a non-negative integer.
fn as_count(records: &Records, line: usize, v: f64, what: &str) -> Result<usize> {
    if v < 0.0 || v.fract() != 0.0 || v > 1e9 {
        return Err(records.error_at(
            line,
            format!("{what} is {v}; expected a non-negative integer"),
        ));
    }
    Ok(v as usize)
}
