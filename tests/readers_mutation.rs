//! Every reader against mutated input (issue 17): valid files of each format (JSON, ONNX and
//! NNet networks; JSON, CSV and .npy points; VNN-LIB boxes) with random bytes flipped, inserted,
//! deleted or duplicated, and truncations. A reader may accept or refuse a file, but never
//! panic: 128 cases per property run in CI; `READER_FUZZ_CASES=N` runs more locally.

mod common;

use proptest::prelude::*;
use relu_regions::formats::load_network;
use relu_regions::points::read_center_file;
use relu_regions::vnnlib::read_input_box;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// One edit of a byte string.
#[derive(Clone, Debug)]
enum Edit {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Duplicate(usize, usize),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Flip(i, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Edit::Duplicate(i, n)),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn apply(bytes: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    for e in edits {
        if b.is_empty() {
            break;
        }
        let at = |i: usize, len: usize| i % len;
        match *e {
            Edit::Flip(i, v) => {
                let k = at(i, b.len());
                b[k] ^= v | 1;
            }
            Edit::Insert(i, v) => {
                let k = at(i, b.len() + 1);
                b.insert(k, v);
            }
            Edit::Delete(i) => {
                let k = at(i, b.len());
                b.remove(k);
            }
            Edit::Duplicate(i, n) => {
                let k = at(i, b.len());
                let end = (k + n).min(b.len());
                let piece = b[k..end].to_vec();
                b.splice(k..k, piece);
            }
            Edit::Truncate(i) => {
                let k = at(i, b.len() + 1);
                b.truncate(k);
            }
        }
    }
    b
}

/// Writes the mutated file (same extension) and runs `read` on it; a panic fails the case.
fn no_panic(original: &Path, edits: &[Edit], read: impl Fn(&Path)) -> Result<(), TestCaseError> {
    let bytes = std::fs::read(original).expect("the fixture exists");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let name = original.file_name().expect("a file name");
    let path: PathBuf = dir.path().join(name);
    std::fs::write(&path, apply(&bytes, edits)).expect("written");
    let outcome = catch_unwind(AssertUnwindSafe(|| read(&path)));
    prop_assert!(
        outcome.is_ok(),
        "{} panicked with edits {edits:?}",
        name.to_string_lossy()
    );
    Ok(())
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

/// A small VNN-LIB box for 2 inputs, written once per case.
fn vnnlib_fixture(dir: &Path) -> PathBuf {
    let p = dir.join("box.vnnlib");
    std::fs::write(
        &p,
        "; a box\n(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n\
         (assert (>= X_0 -0.5))\n(assert (<= X_0 0.5))\n(assert (and (>= X_1 0.1) (<= X_1 (- 0.2))))\n\
         (assert (or (and (>= Y_0 0))))\n",
    )
    .expect("written");
    p
}

/// A small .npy table of 2 points in 2 dimensions.
fn npy_fixture(dir: &Path) -> PathBuf {
    let p = dir.join("points.npy");
    let data: Vec<u8> = [0.1f64, -0.2, 0.3, 0.4]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    common::write_npy(
        &p,
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }",
        &data,
    );
    p
}

proptest! {
    // READER_FUZZ_CASES=N runs more (e.g. a long local fuzz run); CI runs 128 per property
    #![proptest_config(ProptestConfig {
        cases: std::env::var("READER_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(128),
        ..ProptestConfig::default()
    })]

    #[test]
    fn network_readers_never_panic(edits in prop::collection::vec(edit(), 1..6), which in 0usize..10) {
        let files = [
            fixtures().join("onnx").join("pytorch_style.onnx"),
            fixtures().join("onnx").join("matmul_add.onnx"),
            fixtures().join("onnx").join("normalized_view.onnx"),
            fixtures().join("onnx_cnn").join("tiny_1d.onnx"),
            fixtures().join("onnx_cnn").join("groups_dilation.onnx"),
            fixtures().join("onnx_cnn").join("residual_tiny.onnx"),
            fixtures().join("onnx_cnn").join("maxpool_tiny.onnx"),
            fixtures().join("onnx_cnn").join("leaky_branches.onnx"),
            fixtures().join("nnet").join("tiny_2_3_1.nnet"),
            common::data_path("moons-2-16-16-1.json"),
        ];
        no_panic(&files[which], &edits, |p| {
            let _ = load_network(p);
        })?;
    }

    #[test]
    fn point_and_box_readers_never_panic(edits in prop::collection::vec(edit(), 1..6), which in 0usize..4) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let json = dir.path().join("points.json");
        std::fs::write(&json, "[[0.1, -0.2], [0.3, 0.4]]").expect("written");
        let files = [
            json,
            common::data_path("digits-scaled.csv"),
            npy_fixture(dir.path()),
            vnnlib_fixture(dir.path()),
        ];
        if which == 3 {
            no_panic(&files[which], &edits, |p| {
                let _ = read_input_box(p, 2);
            })?;
        } else {
            no_panic(&files[which], &edits, |p| {
                let _ = read_center_file(p, Some(1));
            })?;
        }
    }
}
