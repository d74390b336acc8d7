//! The project's JSON network format:
//!
//! ```json
//! {"layers": [{"weight": [[w11, w12], [w21, w22]], "bias": [b1, b2]}, ...],
//!  "normalization": {"mins": [..], "maxes": [..], "means": [..], "ranges": [..]}}
//! ```
//!
//! Weight rows are outputs, as PyTorch's `nn.Linear` stores them; ReLU after every layer but the
//! last. `normalization` is optional (an NNet network's [`InputNormalization`]). Floats are written
//! in the shortest form that parses back to the same f64 (serde_json with `float_roundtrip`),
//! so write → read is exact.

use crate::error::{Error, Result};
use crate::network::{InputNormalization, Layer, Network};
use ndarray::{Array1, Array2};
use serde_json::{Map, Value};
use std::path::Path;

/// Reads a network from a JSON file.
///
/// Errors name the file and the field path (e.g. `layers[2].weight[3]: row has 4 entries;
/// expected 5`); JSON syntax errors give the line and column.
pub fn read(path: &Path) -> Result<Network> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    from_str(&text, path)
}

/// Parses the JSON text of a network; `file` is only used in error messages.
pub fn from_str(text: &str, file: &Path) -> Result<Network> {
    let root: Value = serde_json::from_str(text).map_err(|e| {
        Error::format(
            file,
            format!("line {} column {}", e.line(), e.column()),
            format!("invalid JSON: {e}"),
        )
    })?;
    let fail = |loc: &str, msg: String| Error::format(file, loc, msg);
    let obj = root.as_object().ok_or_else(|| {
        fail(
            "top level",
            format!("found {}; expected an object with \"layers\"", kind(&root)),
        )
    })?;
    let layers_v = obj
        .get("layers")
        .ok_or_else(|| fail("layers", "missing; expected an array of layers".into()))?;
    let layers_a = layers_v.as_array().ok_or_else(|| {
        fail(
            "layers",
            format!("found {}; expected an array", kind(layers_v)),
        )
    })?;

    let mut layers = Vec::with_capacity(layers_a.len());
    for (i, lv) in layers_a.iter().enumerate() {
        let at = format!("layers[{i}]");
        let lo = lv.as_object().ok_or_else(|| {
            fail(
                &at,
                format!(
                    "found {}; expected an object with \"weight\" and \"bias\"",
                    kind(lv)
                ),
            )
        })?;
        let weight = matrix(
            field(lo, "weight", &at, file)?,
            &format!("{at}.weight"),
            file,
        )?;
        let bias = vector(field(lo, "bias", &at, file)?, &format!("{at}.bias"), file)?;
        layers.push(Layer::new(weight, Array1::from(bias)));
    }
    let network = Network::new(layers).map_err(|e| Error::format(file, "layers", e.to_string()))?;

    match obj.get("normalization") {
        None | Some(Value::Null) => Ok(network),
        Some(nv) => {
            let at = "normalization";
            let no = nv
                .as_object()
                .ok_or_else(|| fail(at, format!("found {}; expected an object", kind(nv))))?;
            let get = |name: &str| -> Result<Array1<f64>> {
                Ok(Array1::from(vector(
                    field(no, name, at, file)?,
                    &format!("{at}.{name}"),
                    file,
                )?))
            };
            let (mins, maxes, means, ranges) =
                (get("mins")?, get("maxes")?, get("means")?, get("ranges")?);
            let norm = InputNormalization::new(mins, maxes, means, ranges)
                .map_err(|e| Error::format(file, at, e.to_string()))?;
            network
                .with_normalization(norm)
                .map_err(|e| Error::format(file, at, e.to_string()))
        }
    }
}

/// The network as JSON text: one weight row per line, floats in shortest round-trip form.
pub fn to_string(network: &Network) -> String {
    let mut out = Vec::new();
    // invariant: writing into a Vec<u8> cannot fail
    write_to(network, &mut out).unwrap_or_else(|_| unreachable!("a Vec<u8> takes every byte"));
    // invariant: the text is built from ASCII pieces and serde_json numbers
    String::from_utf8(out).unwrap_or_else(|_| unreachable!("JSON text is UTF-8"))
}

/// Writes [`to_string`]'s text to `out` row by row (a large network is never held as one
/// string: the canonical text of a network with sparse layers can be gigabytes).
pub fn write_to(network: &Network, out: &mut impl std::io::Write) -> std::io::Result<()> {
    out.write_all(b"{\n  \"layers\": [\n")?;
    let n = network.layers().len();
    for (i, layer) in network.layers().iter().enumerate() {
        out.write_all(b"    {\n      \"weight\": [\n")?;
        let (rows, cols) = layer.weight.dim();
        let mut dense = vec![0.0; cols];
        for r in 0..rows {
            // a sparse row written out in full (the format holds dense rows)
            dense.fill(0.0);
            for (c, v) in layer.weight.row(r) {
                dense[c] = v;
            }
            write!(out, "        {}", numbers(dense.iter()))?;
            out.write_all(if r + 1 < rows { b",\n" } else { b"\n" })?;
        }
        write!(
            out,
            "      ],\n      \"bias\": {}\n    }}",
            numbers(layer.bias.iter())
        )?;
        out.write_all(if i + 1 < n { b",\n" } else { b"\n" })?;
    }
    out.write_all(b"  ]")?;
    if let Some(norm) = network.normalization() {
        write!(
            out,
            ",\n  \"normalization\": {{\n    \"mins\": {},\n    \"maxes\": {},\n    \"means\": {},\n    \"ranges\": {}\n  }}",
            numbers(norm.mins.iter()),
            numbers(norm.maxes.iter()),
            numbers(norm.means.iter()),
            numbers(norm.ranges.iter())
        )?;
    }
    out.write_all(b"\n}\n")
}

/// Writes the network to a JSON file (see [`to_string`]). Errors when a layer is sparse and
/// too large to write out as dense rows (the format's only form).
pub fn write(network: &Network, path: &Path) -> Result<()> {
    super::check_dense_writable(network, path, "JSON")?;
    let file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    let mut out = std::io::BufWriter::new(file);
    write_to(network, &mut out)
        .and_then(|()| std::io::Write::flush(&mut out))
        .map_err(|e| Error::io(path, e))
}

/// `[a, b, c]` with each float in serde_json's shortest round-trip form (ryu).
fn numbers<'a>(values: impl Iterator<Item = &'a f64>) -> String {
    let parts: Vec<String> = values
        .map(|v| match serde_json::Number::from_f64(*v) {
            Some(n) => n.to_string(),
            // Network::new rejects non-finite values, so this cannot happen; write null so a
            // reader reports it rather than producing invalid JSON.
            None => "null".to_string(),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

fn field<'v>(obj: &'v Map<String, Value>, name: &str, at: &str, file: &Path) -> Result<&'v Value> {
    obj.get(name)
        .ok_or_else(|| Error::format(file, format!("{at}.{name}"), "missing"))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An array of finite numbers at `at`.
fn vector(v: &Value, at: &str, file: &Path) -> Result<Vec<f64>> {
    let a = v.as_array().ok_or_else(|| {
        Error::format(
            file,
            at,
            format!("found {}; expected an array of numbers", kind(v)),
        )
    })?;
    a.iter()
        .enumerate()
        .map(|(j, x)| match x.as_f64() {
            Some(f) if f.is_finite() => Ok(f),
            _ => Err(Error::format(
                file,
                format!("{at}[{j}]"),
                format!("found {}; expected a finite number", kind(x)),
            )),
        })
        .collect()
}

/// An array of equally long rows at `at`.
fn matrix(v: &Value, at: &str, file: &Path) -> Result<Array2<f64>> {
    let a = v.as_array().ok_or_else(|| {
        Error::format(
            file,
            at,
            format!("found {}; expected an array of rows", kind(v)),
        )
    })?;
    let mut rows = Vec::with_capacity(a.len());
    for (r, rv) in a.iter().enumerate() {
        let row = vector(rv, &format!("{at}[{r}]"), file)?;
        if let Some(first) = rows.first().map(Vec::len) {
            if row.len() != first {
                return Err(Error::format(
                    file,
                    format!("{at}[{r}]"),
                    format!("row has {} entries; expected {first} (as row 0)", row.len()),
                ));
            }
        }
        rows.push(row);
    }
    let cols = rows.first().map_or(0, Vec::len);
    let flat: Vec<f64> = rows.into_iter().flatten().collect();
    Array2::from_shape_vec((a.len(), cols), flat)
        .map_err(|e| Error::format(file, at, format!("bad shape: {e}")))
}
