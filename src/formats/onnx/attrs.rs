//! Reading a node's attributes by name (absent attributes are `None`; the caller knows the default).

use super::proto::NodeProto;

/// A float attribute.
pub(super) fn float(node: &NodeProto, name: &str) -> Option<f64> {
    node.attribute
        .iter()
        .find(|a| a.name == name)
        .map(|a| a.f as f64)
}

/// An integer attribute.
pub(super) fn int(node: &NodeProto, name: &str) -> Option<i64> {
    node.attribute.iter().find(|a| a.name == name).map(|a| a.i)
}

/// A list-of-integers attribute.
pub(super) fn ints(node: &NodeProto, name: &str) -> Option<Vec<i64>> {
    node.attribute
        .iter()
        .find(|a| a.name == name)
        .map(|a| a.ints.clone())
}

/// A string attribute (lossy UTF-8).
pub(super) fn string(node: &NodeProto, name: &str) -> Option<String> {
    node.attribute
        .iter()
        .find(|a| a.name == name)
        .map(|a| String::from_utf8_lossy(&a.s).into_owned())
}

/// A list attribute as sizes ≥ `min`, e.g. strides ≥ 1 or pads ≥ 0, with `len` entries.
pub(super) fn sizes(
    node: &NodeProto,
    name: &str,
    len: usize,
    min: usize,
) -> Result<Option<Vec<usize>>, String> {
    let Some(v) = ints(node, name) else {
        return Ok(None);
    };
    let bad = || format!("attribute {name} = {v:?} is not valid; expected {len} integers >= {min}");
    if v.len() != len {
        return Err(bad());
    }
    v.iter()
        .map(|&x| {
            usize::try_from(x)
                .ok()
                .filter(|&x| x >= min && x <= 1 << 20)
        })
        .collect::<Option<Vec<usize>>>()
        .map(Some)
        .ok_or_else(bad)
}
