//! What every fuzz target shares: the bytes written to a file of the right extension (the readers
//! take paths, as the CLI does) and read back through the reader the CLI uses.

use std::path::PathBuf;

/// A file in the process's own temporary folder, named `input.EXT` (libFuzzer runs one input
/// at a time per process, so one file per process suffices).
pub fn input_file(bytes: &[u8], ext: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("relu-regions-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let path = dir.join(format!("input.{ext}"));
    std::fs::write(&path, bytes).expect("the input written");
    path
}

/// A network reader on `bytes`: any answer but a panic or an abort is fine; a network read must
/// be usable (its bounds on a unit ball computed without a panic when it is small).
pub fn network(bytes: &[u8], ext: &str) {
    let path = input_file(bytes, ext);
    if let Ok(loaded) = relu_regions::formats::load_network(&path) {
        let net = loaded.network;
        let units: usize = net.hidden_widths().iter().sum();
        if net.input_dim() <= 64 && units <= 256 {
            let center = ndarray::Array1::zeros(net.input_dim());
            if let Ok(d) = relu_regions::Domain::ball(center, 1.0, relu_regions::Norm::L2) {
                let _ = relu_regions::bounds::local_analytic(&net, &d);
            }
        }
    }
}

/// A point reader on `bytes` (row 1 of a table, as `--center-file F --row 1`).
pub fn points(bytes: &[u8], ext: &str) {
    let path = input_file(bytes, ext);
    let _ = relu_regions::points::read_center_file(&path, Some(1));
    let _ = relu_regions::points::read_table(&path);
}
