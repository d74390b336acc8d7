//! A minimal private NNet reader for the enumerator's tests and benchmarks (the crate's own
//! reader lives in `formats`; this one keeps these tests independent of it). Weights act on
//! normalized inputs; the normalization is ignored here (domains are given in normalized space).
#![allow(dead_code)]

use ndarray::{Array1, Array2};
use relu_regions::{Layer, Network};
use std::path::Path;

/// Reads the layers of an NNet file.
pub fn read_nnet(path: &Path) -> Network {
    let text = std::fs::read_to_string(path).expect("readable NNet file");
    let mut lines = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//") && !l.trim().is_empty());
    let nums = |l: &str| -> Vec<f64> {
        l.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<f64>().expect("number"))
            .collect()
    };
    let header = nums(lines.next().expect("header"));
    let n_layers = header[0] as usize;
    let sizes: Vec<usize> = nums(lines.next().expect("sizes"))
        .iter()
        .map(|&v| v as usize)
        .collect();
    for _ in 0..5 {
        lines
            .next()
            .expect("symmetric flag and normalization lines");
    }
    let mut layers = Vec::new();
    for l in 0..n_layers {
        let (inp, out) = (sizes[l], sizes[l + 1]);
        let mut w = Vec::with_capacity(inp * out);
        for _ in 0..out {
            w.extend(nums(lines.next().expect("weight row")));
        }
        let mut b = Vec::with_capacity(out);
        for _ in 0..out {
            b.extend(nums(lines.next().expect("bias")));
        }
        layers.push(Layer::new(
            Array2::from_shape_vec((out, inp), w).expect("weight shape"),
            Array1::from(b),
        ));
    }
    Network::new(layers).expect("valid network")
}
