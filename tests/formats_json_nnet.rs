//! The JSON reader/writer and the NNet reader: hand examples, every shared .nnet against an
//! independent NumPy forward pass (scripts/nnet_reference.py), exact JSON round trips, and one
//! error per kind of bad input, each naming the file.
mod common;

use ndarray::{array, Array1};
use relu_regions::formats::{json, load_network, nnet, Format};
use relu_regions::{InputNormalization, Layer, Network};
use std::path::{Path, PathBuf};

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(rel)
}

fn shared(rel: &str) -> Option<PathBuf> {
    common::shared_path(rel)
}

fn err_string<T: std::fmt::Debug>(r: relu_regions::Result<T>) -> String {
    r.expect_err("expected an error").to_string()
}

fn write_temp(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

// ---------- NNet ----------

#[test]
fn tiny_nnet_hand_example() {
    let net = nnet::read(&fixture("nnet/tiny_2_3_1.nnet")).unwrap();
    assert_eq!(net.input_dim(), 2);
    assert_eq!(net.hidden_widths(), vec![3]);
    assert_eq!(net.output_dim(), 1);
    // hidden = relu([x0 + 0.5, x1 - 0.25, x0 - x1]) ; out = h0 + 2 h1 - 3 h2 + 0.125
    let y = net.forward(array![0.5, 1.0].view());
    assert_eq!(y, array![2.625]);
    let y = net.forward(array![1.0, -1.0].view());
    // h = [1.5, 0, 2] -> 1.5 - 6 + 0.125
    assert_eq!(y, array![-4.375]);
    let norm = net
        .normalization()
        .expect("NNet attaches the normalization");
    assert_eq!(norm.mins, array![-1.0, -2.0]);
    assert_eq!(norm.maxes, array![1.0, 2.0]);
    assert_eq!(norm.means, array![0.5, -0.5]);
    assert_eq!(norm.ranges, array![2.0, 4.0]);
    assert_eq!(
        load_network(&fixture("nnet/tiny_2_3_1.nnet"))
            .unwrap()
            .format,
        Format::Nnet
    );
}

#[test]
#[allow(clippy::approx_constant)] // the file's own rounded pi and 2 pi
fn acasxu_nnet_sizes() {
    let Some(dir) = shared("benchmarks/acasxu") else {
        return;
    };
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("nnet") {
            continue;
        }
        let net = nnet::read(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(net.input_dim(), 5, "{}", path.display());
        assert_eq!(net.hidden_widths(), vec![50; 6], "{}", path.display());
        assert_eq!(net.output_dim(), 5, "{}", path.display());
        let norm = net.normalization().unwrap();
        assert_eq!(norm.mins, array![0.0, -3.141593, -3.141593, 100.0, 0.0]);
        assert_eq!(
            norm.ranges,
            array![60261.0, 6.28318530718, 6.28318530718, 1100.0, 1200.0]
        );
        seen += 1;
    }
    assert_eq!(seen, 6);
}

#[test]
fn every_shared_nnet_matches_numpy_reference() {
    let Some(bench) = shared("benchmarks") else {
        return;
    };
    let text = std::fs::read_to_string(fixture("nnet/reference_outputs.json")).unwrap();
    let reference: serde_json::Value = serde_json::from_str(&text).unwrap();
    let k_inputs = reference["num_inputs"].as_u64().unwrap() as usize;
    let networks = reference["networks"].as_object().unwrap();
    assert_eq!(networks.len(), 10, "6 ACAS Xu + 4 other .nnet files");
    for (rel, entry) in networks {
        let net = nnet::read(&bench.join(rel)).unwrap_or_else(|e| panic!("{e}"));
        let sizes: Vec<usize> = entry["sizes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        let mut ours = vec![net.input_dim()];
        ours.extend(net.hidden_widths());
        ours.push(net.output_dim());
        assert_eq!(ours, sizes, "{rel}");
        for k in 0..k_inputs {
            let x = Array1::from_shape_fn(net.input_dim(), |i| {
                (((7 * i + 3 * k) % 11) as f64 - 5.0) / 10.0
            });
            let y = net.forward(x.view());
            let expected: Vec<f64> = entry["outputs"][k]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            assert_eq!(y.len(), expected.len(), "{rel}");
            for (a, b) in y.iter().zip(&expected) {
                assert!(
                    (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                    "{rel} input {k}: ours {a}, numpy {b}"
                );
            }
        }
    }
}

#[test]
fn nnet_specific_shapes() {
    let Some(bench) = shared("benchmarks/nnet") else {
        return;
    };
    let coav = nnet::read(&bench.join("coav_reluBenchmark0.00491881370544s_UNSAT.nnet")).unwrap();
    assert_eq!(
        (coav.input_dim(), coav.hidden_widths(), coav.output_dim()),
        (6, vec![40, 40, 38, 19], 1)
    );
    let mnist = nnet::read(&bench.join("mnist10x10.nnet")).unwrap();
    assert_eq!(
        (mnist.input_dim(), mnist.hidden_widths(), mnist.output_dim()),
        (784, vec![10; 10], 10)
    );
    let fc = nnet::read(&bench.join("fc_2-2-3.nnet")).unwrap();
    assert_eq!(
        fc.layers()[0].weight,
        array![[1.0, 1.0], [-1.0, -1.0]].into()
    );
    assert_eq!(
        fc.layers()[1].weight,
        array![[2.0, -1.0], [-1.0, 1.0], [1.0, -1.0]].into()
    );
}

#[test]
fn truncated_nnet_errors_at_every_cut() {
    // Cut the hand file after every line: each prefix must give an error naming the file, never a panic.
    let text = std::fs::read_to_string(fixture("nnet/tiny_2_3_1.nnet")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let dir = tempfile::tempdir().unwrap();
    for cut in 0..lines.len() - 1 {
        let prefix = lines[..cut].join("\n");
        if lines[cut..].iter().all(|l| l.trim().is_empty()) {
            continue;
        }
        let p = write_temp(&dir, "cut.nnet", &prefix);
        let msg = err_string(nnet::read(&p));
        assert!(msg.contains("cut.nnet"), "{msg}");
        assert!(
            msg.contains("file ends early"),
            "cut after {cut} lines: {msg}"
        );
    }
    // Cutting a real file in the middle of a number row gives a count error, not a panic.
    if let Some(acas) = shared("benchmarks/acasxu/ACASXU_experimental_v2a_1_1.nnet") {
        let t = std::fs::read_to_string(acas).unwrap();
        let p = write_temp(&dir, "half.nnet", &t[..t.len() / 2]);
        let msg = err_string(nnet::read(&p));
        assert!(msg.contains("half.nnet") && msg.contains("line "), "{msg}");
    }
}

#[test]
fn nnet_wrong_counts_name_the_line() {
    let text = std::fs::read_to_string(fixture("nnet/tiny_2_3_1.nnet")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // weight row 2 of layer 1 (file line 11) loses a value
    let bad = text.replace("0.0,1.0,\n", "0.0,\n");
    let p = write_temp(&dir, "short_row.nnet", &bad);
    let msg = err_string(nnet::read(&p));
    assert!(msg.contains("short_row.nnet: line 11:"), "{msg}");
    assert!(
        msg.contains("expected 2 comma-separated numbers for weight row 2 of layer 1, found 1"),
        "{msg}"
    );

    // layer sizes disagree with the header
    let p = write_temp(&dir, "sizes.nnet", &text.replace("2,3,1,\n", "3,3,1,\n"));
    let msg = err_string(nnet::read(&p));
    assert!(
        msg.contains("sizes.nnet: line 3:") && msg.contains("expected 2"),
        "{msg}"
    );

    // a non-number
    let p = write_temp(&dir, "word.nnet", &text.replace("0.5,\n", "abc,\n"));
    let msg = err_string(nnet::read(&p));
    assert!(
        msg.contains("word.nnet: line 13:") && msg.contains("\"abc\""),
        "{msg}"
    );

    // extra content at the end
    let p = write_temp(&dir, "extra.nnet", &format!("{text}1.0,\n"));
    let msg = err_string(nnet::read(&p));
    assert!(
        msg.contains("extra.nnet: line 18:") && msg.contains("end of the file"),
        "{msg}"
    );

    // huge sizes in a corrupt header: an error, not an out-of-memory abort
    let p = write_temp(
        &dir,
        "huge.nnet",
        &text.replace("2,2,1,3,\n2,3,1,", "2,2,1,3,\n2,900000000,1,"),
    );
    let msg = err_string(nnet::read(&p));
    assert!(
        msg.contains("huge.nnet: line 13:") && msg.contains("for weight row 4 of layer 1"),
        "{msg}"
    );

    // a zero range in the normalization header
    let p = write_temp(
        &dir,
        "range.nnet",
        &text.replace("2.0,4.0,1.0,", "0.0,4.0,1.0,"),
    );
    let msg = err_string(nnet::read(&p));
    assert!(
        msg.contains("range.nnet") && msg.contains("range is 0"),
        "{msg}"
    );
}

// ---------- JSON ----------

#[test]
fn json_round_trip_is_exact_for_random_networks() {
    let dir = tempfile::tempdir().unwrap();
    for seed in 0..20u64 {
        let widths = [
            1 + seed as usize % 4,
            3 + seed as usize % 5,
            2 + seed as usize % 3,
            1 + seed as usize % 2,
        ];
        let net = common::random_network(&widths, seed, 1.0);
        // also scale values over many magnitudes so shortest-float printing is really exercised
        let layers: Vec<Layer> = net
            .layers()
            .iter()
            .enumerate()
            .map(|(i, l)| {
                Layer::new(
                    l.weight
                        .as_dense()
                        .unwrap()
                        .mapv(|w| w * 10f64.powi(i as i32 * 7 - 10)),
                    l.bias.mapv(|b| b / 3.0),
                )
            })
            .collect();
        let net = Network::new(layers).unwrap();
        let p = dir.path().join(format!("net{seed}.json"));
        json::write(&net, &p).unwrap();
        let back = json::read(&p).unwrap();
        assert_eq!(back, net, "seed {seed}");
        for (a, b) in back.layers().iter().zip(net.layers()) {
            // bit-exact, not only ==
            assert!(a
                .weight
                .dense_values()
                .zip(b.weight.dense_values())
                .all(|(x, y)| x.to_bits() == y.to_bits()));
            assert!(a
                .bias
                .iter()
                .zip(b.bias.iter())
                .all(|(x, y)| x.to_bits() == y.to_bits()));
        }
    }
}

#[test]
fn json_round_trip_keeps_normalization() {
    let net = common::random_network(&[3, 4, 2], 7, 0.5)
        .with_normalization(
            InputNormalization::new(
                array![0.0, -1.0, 2.0],
                array![1.0, 1.0, 3.0],
                array![0.1, 0.2, 2.5],
                array![1.0, 2.0, 0.7],
            )
            .unwrap(),
        )
        .unwrap();
    let text = json::to_string(&net);
    assert!(text.contains("\"normalization\""));
    let back = json::from_str(&text, Path::new("mem.json")).unwrap();
    assert_eq!(back, net);
    assert_eq!(back.normalization(), net.normalization());
    // through the extension-dispatching loader too
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("n.json");
    relu_regions::formats::save_network(&net, &p).unwrap();
    assert_eq!(load_network(&p).unwrap().network, net);
}

#[test]
fn json_reads_hand_written_file() {
    let text = r#"{"layers": [{"weight": [[1, -1], [0.5, 2]], "bias": [0, 1]}, {"weight": [[1, 1]], "bias": [-1]}]}"#;
    let net = json::from_str(text, Path::new("hand.json")).unwrap();
    // h = relu([1 - 2, 0.5 + 4 + 1]) = [0, 5.5]; out = 5.5 - 1
    assert_eq!(net.forward(array![1.0, 2.0].view()), array![4.5]);
    assert!(net.normalization().is_none());
}

#[test]
fn json_errors_name_file_and_field() {
    let p = Path::new("bad.json");
    let row = r#"{"layers": [{"weight": [[1, 2], [3, 4]], "bias": [0, 0]},
                  {"weight": [[1, 2], [3, 4]], "bias": [0, 0]},
                  {"weight": [[1, 2], [3, 4], [5, 6], [7, 8, 9]], "bias": [0, 0, 0, 0]}]}"#;
    let msg = err_string(json::from_str(row, p));
    assert!(
        msg.contains("bad.json: layers[2].weight[3]: row has 3 entries; expected 2"),
        "{msg}"
    );

    // NaN is not JSON: a syntax error with line and column
    let nan = "{\"layers\": [\n {\"weight\": [[NaN]], \"bias\": [0]},\n {\"weight\": [[1]], \"bias\": [0]}]}";
    let msg = err_string(json::from_str(nan, p));
    assert!(msg.contains("bad.json: line 2 column"), "{msg}");

    // null in place of a number
    let null =
        r#"{"layers": [{"weight": [[1, null]], "bias": [0]}, {"weight": [[1]], "bias": [0]}]}"#;
    let msg = err_string(json::from_str(null, p));
    assert!(
        msg.contains("bad.json: layers[0].weight[0][1]: found null; expected a finite number"),
        "{msg}"
    );

    // a number too large for f64 parses to infinity: rejected
    let inf = r#"{"layers": [{"weight": [[1e999]], "bias": [0]}, {"weight": [[1]], "bias": [0]}]}"#;
    let msg = err_string(json::from_str(inf, p));
    assert!(msg.contains("bad.json"), "{msg}");

    // shapes that do not chain: Network::new's message wrapped with the file name
    let chain =
        r#"{"layers": [{"weight": [[1, 2]], "bias": [0]}, {"weight": [[1, 2]], "bias": [0]}]}"#;
    let msg = err_string(json::from_str(chain, p));
    assert!(
        msg.contains("bad.json: layers: layer 1: weight takes 2 inputs; expected 1"),
        "{msg}"
    );

    // missing field
    let missing = r#"{"layers": [{"weight": [[1]]}, {"weight": [[1]], "bias": [0]}]}"#;
    let msg = err_string(json::from_str(missing, p));
    assert!(msg.contains("bad.json: layers[0].bias: missing"), "{msg}");

    // bad normalization length
    let norm = r#"{"layers": [{"weight": [[1]], "bias": [0]}, {"weight": [[1]], "bias": [0]}],
                   "normalization": {"mins": [0, 0], "maxes": [1, 1], "means": [0, 0], "ranges": [1, 1]}}"#;
    let msg = err_string(json::from_str(norm, p));
    assert!(msg.contains("bad.json: normalization:"), "{msg}");
}

#[test]
fn json_round_trip_is_exact_for_arbitrary_bit_patterns() {
    // Finite f64 from random bit patterns (all exponents, subnormals, 17-digit mantissas): the
    // parser must give back the same bits (serde_json needs its `float_roundtrip` feature).
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    let mut draw = || loop {
        let v = f64::from_bits(rng.gen::<u64>());
        if v.is_finite() {
            return v;
        }
    };
    let w1 = ndarray::Array2::from_shape_simple_fn((100, 50), &mut draw);
    let b1 = Array1::from_shape_simple_fn(100, &mut draw);
    let w2 = ndarray::Array2::from_shape_simple_fn((3, 100), &mut draw);
    let b2 = Array1::from_shape_simple_fn(3, &mut draw);
    let net = Network::new(vec![Layer::new(w1, b1), Layer::new(w2, b2)]).unwrap();
    let back = json::from_str(&json::to_string(&net), Path::new("bits.json")).unwrap();
    let bits = |n: &Network| -> Vec<u64> {
        n.layers()
            .iter()
            .flat_map(|l| {
                l.weight
                    .as_dense()
                    .unwrap()
                    .iter()
                    .chain(l.bias.iter())
                    .map(|v| v.to_bits())
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    assert_eq!(bits(&back), bits(&net));
}
