//! Constant tensors of an ONNX file (initializers and `Constant` nodes) decoded to f64.

use super::proto::{data_type, TensorProto};

/// A constant tensor: its shape and its values in row-major order, as f64.
#[derive(Clone, Debug, PartialEq)]
pub struct ConstTensor {
    pub dims: Vec<usize>,
    pub values: Vec<f64>,
}

impl ConstTensor {
    /// The shape as a 2-D matrix (rows, cols), or `None` when the tensor is not 2-D.
    pub fn matrix_dims(&self) -> Option<(usize, usize)> {
        match self.dims.as_slice() {
            [r, c] => Some((*r, *c)),
            _ => None,
        }
    }

    /// The shape as text, e.g. `[5, 50]`.
    pub fn shape_text(&self) -> String {
        format!("{:?}", self.dims)
    }
}

/// Decodes a `TensorProto`'s values: `raw_data` (little-endian) when present, else the typed
/// field (`float_data`, `double_data`, `int32_data`, `int64_data`). The error message says what
/// is wrong (the caller adds the file and the tensor's name).
pub fn decode_tensor(t: &TensorProto) -> Result<ConstTensor, String> {
    if t.data_location == 1 {
        return Err(
            "the data is stored in an external file; expected the values inside the .onnx file"
                .into(),
        );
    }
    let mut dims = Vec::with_capacity(t.dims.len());
    let mut count: usize = 1;
    for &d in &t.dims {
        let d = usize::try_from(d)
            .map_err(|_| format!("dimension {d} is negative; expected sizes >= 0"))?;
        count = count
            .checked_mul(d)
            .ok_or_else(|| format!("dimensions {:?} overflow", t.dims))?;
        dims.push(d);
    }
    let raw = &t.raw_data;
    let values: Vec<f64> = match t.data_type {
        data_type::FLOAT if !raw.is_empty() => le_chunks::<4>(raw)?.map(|b| f32::from_le_bytes(b) as f64).collect(),
        data_type::FLOAT => t.float_data.iter().map(|&v| v as f64).collect(),
        data_type::DOUBLE if !raw.is_empty() => le_chunks::<8>(raw)?.map(f64::from_le_bytes).collect(),
        data_type::DOUBLE => t.double_data.clone(),
        data_type::INT64 if !raw.is_empty() => le_chunks::<8>(raw)?.map(|b| i64::from_le_bytes(b) as f64).collect(),
        data_type::INT64 => t.int64_data.iter().map(|&v| v as f64).collect(),
        data_type::INT32 if !raw.is_empty() => le_chunks::<4>(raw)?.map(|b| i32::from_le_bytes(b) as f64).collect(),
        data_type::INT32 => t.int32_data.iter().map(|&v| v as f64).collect(),
        other => {
            return Err(format!(
                "element type {other} is not supported; expected FLOAT (1), DOUBLE (11), INT32 (6) or INT64 (7)"
            ))
        }
    };
    if values.len() != count {
        return Err(format!(
            "holds {} values; expected {count} (the product of its dimensions {:?})",
            values.len(),
            t.dims
        ));
    }
    Ok(ConstTensor { dims, values })
}

/// The bytes split into little-endian words of N bytes; an error when the length is not a multiple of N.
fn le_chunks<const N: usize>(raw: &[u8]) -> Result<impl Iterator<Item = [u8; N]> + '_, String> {
    if !raw.len().is_multiple_of(N) {
        return Err(format!(
            "raw_data has {} bytes; expected a multiple of {N}",
            raw.len()
        ));
    }
    Ok(raw.chunks_exact(N).map(|c| {
        let mut word = [0u8; N];
        word.copy_from_slice(c);
        word
    }))
}

/// An error naming the first entry that is not finite.
pub(super) fn finite(c: &ConstTensor) -> std::result::Result<(), String> {
    match c.values.iter().position(|v| !v.is_finite()) {
        Some(k) => Err(format!(
            "constant entry {k} is {}; expected finite numbers",
            c.values[k]
        )),
        None => Ok(()),
    }
}
