//! VNN-LIB input boxes: the ACAS Xu property 1 box, swapped operands, `and`, `(- v)`, and one
//! error per kind of bad property, each naming the file and the line or input.
mod common;

use ndarray::array;
use relu_regions::vnnlib::{input_box_from_str, read_input_box};
use std::path::{Path, PathBuf};

fn shared(rel: &str) -> Option<PathBuf> {
    common::shared_path(rel)
}

fn err_string<T: std::fmt::Debug>(r: relu_regions::Result<T>) -> String {
    r.expect_err("expected an error").to_string()
}

#[test]
fn acasxu_property_1_box() {
    let Some(p) = shared("benchmarks/onnx/acasxu_prop_1.vnnlib") else {
        return;
    };
    let (lo, hi) = read_input_box(&p, 5).unwrap();
    assert_eq!(lo, array![0.6, -0.5, -0.5, 0.45, -0.5]);
    assert_eq!(hi, array![0.679857769, 0.5, 0.5, 0.5, -0.45]);
    let msg = err_string(read_input_box(&p, 6));
    assert!(
        msg.contains("acasxu_prop_1.vnnlib") && msg.contains("expects 6 inputs"),
        "{msg}"
    );
}

const GOOD: &str = "; two inputs\n(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n\
(assert (<= -1 X_0)) ; swapped: lower bound\n(assert (>= 2.5 X_0))\n\
(assert (and (>= X_1 (- 0.25)) (<= X_1 1e-1)))\n(assert (<= X_1 0.5))\n(assert (or (>= Y_0 1) (<= Y_0 0)))\n";

#[test]
fn swapped_operands_and_conjunctions() {
    let (lo, hi) = input_box_from_str(GOOD, Path::new("p.vnnlib"), 2).unwrap();
    assert_eq!(lo, array![-1.0, -0.25]);
    // X_1 <= 0.1 and X_1 <= 0.5: the tighter one
    assert_eq!(hi, array![2.5, 0.1]);
}

#[test]
fn bad_properties_name_file_and_line() {
    let p = Path::new("bad.vnnlib");
    // X_1 lacks an upper bound
    let text = "(declare-const X_0 Real)\n(declare-const X_1 Real)\n(assert (<= X_0 1))\n(assert (>= X_0 0))\n(assert (>= X_1 0))\n";
    let msg = err_string(input_box_from_str(text, p, 2));
    assert!(msg.contains("bad.vnnlib: X_1: no upper bound"), "{msg}");
    // unsupported constraint on inputs
    let text =
        "(declare-const X_0 Real)\n(assert (<= X_0 1))\n\n(assert (or (>= X_0 0) (<= X_0 -1)))\n";
    let msg = err_string(input_box_from_str(text, p, 1));
    assert!(
        msg.contains("bad.vnnlib: line 4: unsupported constraint"),
        "{msg}"
    );
    // unclosed parenthesis
    let text = "(declare-const X_0 Real)\n(assert (<= X_0 1)\n";
    let msg = err_string(input_box_from_str(text, p, 1));
    assert!(
        msg.contains("bad.vnnlib: line 2:") && msg.contains("never closed"),
        "{msg}"
    );
    // empty box
    let text = "(declare-const X_0 Real)\n(assert (<= X_0 0))\n(assert (>= X_0 1))\n";
    let msg = err_string(input_box_from_str(text, p, 1));
    assert!(
        msg.contains("bad.vnnlib: X_0:") && msg.contains("empty"),
        "{msg}"
    );
    // a bound that is not a number
    let text = "(declare-const X_0 Real)\n(assert (<= X_0 abc))\n(assert (>= X_0 0))\n";
    let msg = err_string(input_box_from_str(text, p, 1));
    assert!(msg.contains("bad.vnnlib: line 2:"), "{msg}");
    // missing file
    let msg = err_string(read_input_box(Path::new("/nonexistent/q.vnnlib"), 1));
    assert!(msg.contains("q.vnnlib"), "{msg}");
}
