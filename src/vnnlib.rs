//! The input box of a VNN-LIB property (VNN-COMP; SMT-LIB syntax).
//!
//! Reads `(declare-const X_i Real)` and bound assertions on the inputs, `(assert (<= X_i v))`,
//! `(assert (>= X_i v))`, also with the operands swapped (`(<= v X_i)`), strict `<`/`>` (the box
//! is closed), negative numbers as `-0.5` or `(- 0.5)`, and `(assert (and ...))` of such bounds.
//! Assertions that only mention outputs (`Y_j`) are ignored, as are `;` comments. Several bounds
//! on one side of an input are intersected.

use crate::error::{Error, Result};
use ndarray::Array1;
use std::path::Path;

/// Reads the box `lower ≤ x ≤ upper` of a VNN-LIB file for a network with `n0` inputs.
///
/// Every `X_i`, i < n0, needs both bounds, the file must declare exactly `n0` inputs, and
/// `lower ≤ upper`. Errors name the file and the line.
pub fn read_input_box(path: &Path, n0: usize) -> Result<(Array1<f64>, Array1<f64>)> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    input_box_from_str(&text, path, n0)
}

/// As [`read_input_box`], from the text; `file` is only used in error messages.
pub fn input_box_from_str(
    text: &str,
    file: &Path,
    n0: usize,
) -> Result<(Array1<f64>, Array1<f64>)> {
    let forms = parse(text, file)?;
    let mut lower = vec![f64::NEG_INFINITY; n0];
    let mut upper = vec![f64::INFINITY; n0];
    let mut declared: Vec<usize> = Vec::new();
    let err = |line: usize, msg: String| Error::format(file, format!("line {line}"), msg);

    for form in &forms {
        let Sexp::List(items, line) = form else {
            return Err(err(
                form.line(),
                format!(
                    "unexpected {:?} at top level; expected a parenthesized command",
                    form.atom().unwrap_or("")
                ),
            ));
        };
        match items.first().and_then(Sexp::atom) {
            Some("declare-const") => {
                if let Some(name) = items.get(1).and_then(Sexp::atom) {
                    if let Some(i) = input_index(name) {
                        declared.push(i);
                    }
                }
            }
            Some("assert") => {
                let Some(body) = items.get(1) else {
                    return Err(err(*line, "empty assert; expected a constraint".into()));
                };
                if mentions_input(body) {
                    add_bounds(body, &mut lower, &mut upper, file)?;
                }
            }
            _ => {}
        }
    }

    check_declared(declared, n0, file)?;
    check_bounds(&lower, &upper, file)?;
    Ok((Array1::from(lower), Array1::from(upper)))
}

/// The file must declare exactly the inputs X_0 … X_{n0−1}.
fn check_declared(mut declared: Vec<usize>, n0: usize, file: &Path) -> Result<()> {
    declared.sort_unstable();
    declared.dedup();
    if declared.len() != n0 || declared.last().is_some_and(|&m| m + 1 != n0) {
        return Err(Error::format(
            file,
            "declarations",
            format!(
                "declares {} inputs (X_0..); the network expects {n0} inputs",
                declared.len()
            ),
        ));
    }
    Ok(())
}

/// Every input needs both bounds, lower ≤ upper.
fn check_bounds(lower: &[f64], upper: &[f64], file: &Path) -> Result<()> {
    for i in 0..lower.len() {
        let missing = match (lower[i].is_finite(), upper[i].is_finite()) {
            (true, true) => None,
            (false, true) => Some("lower bound (>= X_i v)"),
            (true, false) => Some("upper bound (<= X_i v)"),
            (false, false) => Some("lower and upper bounds"),
        };
        if let Some(m) = missing {
            return Err(Error::format(
                file,
                format!("X_{i}"),
                format!("no {m}; every input needs both bounds"),
            ));
        }
        if lower[i] > upper[i] {
            return Err(Error::format(
                file,
                format!("X_{i}"),
                format!(
                    "lower bound {} > upper bound {}; the box is empty",
                    lower[i], upper[i]
                ),
            ));
        }
    }
    Ok(())
}

/// An s-expression with the line where it starts.
#[derive(Debug)]
enum Sexp {
    Atom(String, usize),
    List(Vec<Sexp>, usize),
}

impl Sexp {
    fn line(&self) -> usize {
        match self {
            Sexp::Atom(_, l) | Sexp::List(_, l) => *l,
        }
    }
    fn atom(&self) -> Option<&str> {
        match self {
            Sexp::Atom(a, _) => Some(a),
            Sexp::List(..) => None,
        }
    }
}

/// `X_7` → 7.
fn input_index(name: &str) -> Option<usize> {
    name.strip_prefix("X_")?.parse().ok()
}

fn mentions_input(s: &Sexp) -> bool {
    match s {
        Sexp::Atom(a, _) => input_index(a).is_some(),
        Sexp::List(items, _) => items.iter().any(mentions_input),
    }
}

/// A number atom (`0.5`, `-0.5`) or `(- 0.5)`.
fn number(s: &Sexp) -> Option<f64> {
    match s {
        Sexp::Atom(a, _) => a.parse::<f64>().ok().filter(|v| v.is_finite()),
        Sexp::List(items, _) if items.len() == 2 && items[0].atom() == Some("-") => {
            number(&items[1]).map(|v| -v)
        }
        Sexp::List(..) => None,
    }
}

/// Adds the bounds of one constraint on inputs (a comparison or an `and` of comparisons).
fn add_bounds(s: &Sexp, lower: &mut [f64], upper: &mut [f64], file: &Path) -> Result<()> {
    let line = s.line();
    let unsupported = || {
        Error::format(
            file,
            format!("line {line}"),
            "unsupported constraint on inputs; expected (<= X_i v), (>= X_i v), (<= v X_i), (>= v X_i) or an (and ...) of them",
        )
    };
    let Sexp::List(items, _) = s else {
        return Err(unsupported());
    };
    let op = items.first().and_then(Sexp::atom).ok_or_else(unsupported)?;
    if op == "and" {
        for item in &items[1..] {
            add_bounds(item, lower, upper, file)?;
        }
        return Ok(());
    }
    let is_le = match op {
        "<=" | "<" => true,
        ">=" | ">" => false,
        _ => return Err(unsupported()),
    };
    if items.len() != 3 {
        return Err(unsupported());
    }
    // (op X v) or (op v X); `x_le` = the constraint reads X ≤ v.
    let (name, value, x_le) = match (
        items[1].atom().and_then(input_index),
        items[2].atom().and_then(input_index),
    ) {
        (Some(i), None) => (i, number(&items[2]), is_le),
        (None, Some(i)) => (i, number(&items[1]), !is_le),
        _ => return Err(unsupported()),
    };
    let Some(v) = value else {
        return Err(unsupported());
    };
    if name >= lower.len() {
        return Err(Error::format(
            file,
            format!("line {line}"),
            format!(
                "bound on X_{name}; the network has {} inputs (X_0..X_{})",
                lower.len(),
                lower.len().saturating_sub(1)
            ),
        ));
    }
    if x_le {
        upper[name] = upper[name].min(v);
    } else {
        lower[name] = lower[name].max(v);
    }
    Ok(())
}

/// The deepest nesting of parentheses read: real properties nest a few levels (an `or` of
/// `and`s of comparisons); a deeper file is refused before the recursive walks over it (and its
/// drop) could overflow the stack.
const MAX_NESTING: usize = 256;

/// Tokenizes and parses the whole text into top-level s-expressions (comments start at `;`).
fn parse(text: &str, file: &Path) -> Result<Vec<Sexp>> {
    let mut stack: Vec<(Vec<Sexp>, usize)> = Vec::new();
    let mut top = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let content = raw.split(';').next().unwrap_or("");
        let spaced = content.replace('(', " ( ").replace(')', " ) ");
        for tok in spaced.split_whitespace() {
            match tok {
                "(" if stack.len() >= MAX_NESTING => {
                    return Err(Error::format(
                        file,
                        format!("line {line}"),
                        format!("expressions nested deeper than {MAX_NESTING}; expected a VNN-LIB property"),
                    ));
                }
                "(" => stack.push((Vec::new(), line)),
                ")" => {
                    let Some((items, start)) = stack.pop() else {
                        return Err(Error::format(file, format!("line {line}"), "unmatched ')'"));
                    };
                    let node = Sexp::List(items, start);
                    match stack.last_mut() {
                        Some((parent, _)) => parent.push(node),
                        None => top.push(node),
                    }
                }
                atom => {
                    let node = Sexp::Atom(atom.to_string(), line);
                    match stack.last_mut() {
                        Some((parent, _)) => parent.push(node),
                        None => top.push(node),
                    }
                }
            }
        }
    }
    if let Some((_, start)) = stack.last() {
        return Err(Error::format(
            file,
            format!("line {start}"),
            "'(' is never closed; the file ends early",
        ));
    }
    Ok(top)
}
