//! ONNX reader and writer: third-party benchmarks and fixtures against onnxruntime's outputs
//! (tests/fixtures/onnx/reference_outputs.json, made by scripts/make_onnx_fixtures.py), exact
//! write → read round trips, and errors (never panics) on broken files.

mod common;

use ndarray::Array1;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relu_regions::formats::onnx::{self, proto};
use relu_regions::formats::{load_network, save_network};
use relu_regions::{Error, Layer, Network};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/onnx")
        .join(name)
}

fn references() -> serde_json::Map<String, Value> {
    let text = std::fs::read_to_string(fixture("reference_outputs.json")).expect("fixture present");
    match serde_json::from_str(&text).expect("valid JSON") {
        Value::Object(m) => m,
        _ => panic!("reference_outputs.json is not an object"),
    }
}

fn vectors(v: &Value) -> Vec<Vec<f64>> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|row| {
            row.as_array()
                .expect("row")
                .iter()
                .map(|x| x.as_f64().expect("number"))
                .collect()
        })
        .collect()
}

/// Compares our f64 forward pass with onnxruntime's float32 outputs: each entry within 1e-5
/// relative to the output vector's largest magnitude (float32 accumulation error is ~1e-7 · √n).
fn assert_matches_reference(net: &Network, key: &str, refs: &serde_json::Map<String, Value>) {
    let entry = &refs[key];
    let inputs = vectors(&entry["inputs"]);
    let outputs = vectors(&entry["outputs"]);
    assert!(!inputs.is_empty());
    for (x, want) in inputs.iter().zip(&outputs) {
        let got = net.forward(Array1::from(x.clone()).view());
        assert_eq!(got.len(), want.len(), "{key}: output width");
        let scale = want.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-3);
        for (g, w) in got.iter().zip(want) {
            assert!(
                (g - w).abs() <= 1e-5 * scale,
                "{key}: got {g}, onnxruntime {w} (scale {scale})"
            );
        }
    }
}

#[test]
fn vnncomp_benchmarks_load_with_their_shapes_and_match_onnxruntime() {
    let Some(dir) = common::shared_path("benchmarks/onnx") else {
        return;
    };
    let refs = references();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("readable dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "onnx"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for path in files {
        let (net, notes) = onnx::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        assert!(notes.is_empty(), "{name}: unexpected notes {notes:?}");
        if name.starts_with("ACASXU") {
            assert_eq!(
                (net.input_dim(), net.hidden_widths(), net.output_dim()),
                (5, vec![50; 6], 5),
                "{name}"
            );
        } else if name.starts_with("mnist-net_256x2") {
            assert_eq!(
                (net.input_dim(), net.hidden_widths(), net.output_dim()),
                (784, vec![256, 256], 10),
                "{name}"
            );
        }
        if refs.contains_key(&name) {
            assert_matches_reference(&net, &name, &refs);
        }
    }
}

#[test]
fn pytorch_style_fixture_matches_onnxruntime() {
    let (net, notes) = onnx::read(&fixture("pytorch_style.onnx")).unwrap();
    assert_eq!(
        (net.input_dim(), net.hidden_widths(), net.output_dim()),
        (6, vec![8, 7], 3)
    );
    assert!(notes.is_empty(), "{notes:?}");
    assert_matches_reference(&net, "pytorch_style.onnx", &references());
}

#[test]
fn matmul_add_fixture_folds_the_shift_and_drops_the_softmax() {
    let (net, notes) = onnx::read(&fixture("matmul_add.onnx")).unwrap();
    assert_eq!(
        (net.input_dim(), net.hidden_widths(), net.output_dim()),
        (4, vec![6, 5], 2)
    );
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("softmax") && notes[0].contains("Softmax"),
        "{notes:?}"
    );
    assert_matches_reference(&net, "matmul_add.onnx", &references());
}

#[test]
fn old_pytorch_view_and_input_normalization_fold_into_the_first_layer() {
    // Sub(mean), Div(std), Shape → Gather → Concat → Reshape, Gemm, Relu, Gemm, Relu, MatMul, Add
    let (net, notes) = onnx::read(&fixture("normalized_view.onnx")).unwrap();
    assert_eq!(
        (net.input_dim(), net.hidden_widths(), net.output_dim()),
        (4, vec![5, 3], 2)
    );
    assert!(notes.is_empty(), "{notes:?}");
    assert_matches_reference(&net, "normalized_view.onnx", &references());
}

#[test]
fn digits_sklearn_model_matches_onnxruntime_logits_and_probabilities() {
    let path = common::data_path("digits-mlp-64-16-16-10.onnx");
    let loaded = load_network(&path).unwrap();
    let net = loaded.network;
    assert_eq!(
        (net.input_dim(), net.hidden_widths(), net.output_dim()),
        (64, vec![16, 16], 10)
    );
    for op in ["Softmax", "ZipMap", "ArgMax"] {
        assert!(
            loaded.notes.iter().any(|n| n.contains(op)),
            "no note for {op}: {:?}",
            loaded.notes
        );
    }
    let refs = references();
    let key = "digits-mlp-64-16-16-10.onnx";
    assert_matches_reference(&net, key, &refs);
    // softmax of our logits = onnxruntime's class probabilities
    for (x, probs) in vectors(&refs[key]["inputs"])
        .iter()
        .zip(vectors(&refs[key]["probabilities"]))
    {
        let z = net.forward(Array1::from(x.clone()).view());
        let m = z.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        let e = z.mapv(|v| (v - m).exp());
        let s = e.sum();
        for (p, want) in e.iter().map(|v| v / s).zip(&probs) {
            assert!(
                (p - want).abs() < 1e-5,
                "probability {p} vs onnxruntime {want}"
            );
        }
    }
}

#[test]
fn write_then_read_is_exact() {
    for (seed, widths) in [
        (1u64, vec![2, 3, 2]),
        (2, vec![5, 8, 8, 8, 3]),
        (3, vec![10, 1, 4]),
        (4, vec![3, 7, 1]),
    ] {
        let net = common::random_network(&widths, seed, 0.5);
        let label = Path::new("round_trip.onnx");
        let (back, notes) = onnx::read_bytes(&onnx::to_bytes(&net), label).unwrap();
        assert_eq!(back, net, "widths {widths:?}");
        assert!(notes.is_empty());
    }
}

#[test]
fn write_uses_float_when_exact_and_round_trips_through_a_file() {
    let net = common::random_network(&[4, 6, 3], 9, 1.0);
    let rounded = Network::new(
        net.layers()
            .iter()
            .map(|l| {
                Layer::new(
                    l.weight.as_dense().unwrap().mapv(|v| v as f32 as f64),
                    l.bias.mapv(|v| v as f32 as f64),
                )
            })
            .collect(),
    )
    .unwrap();
    let m = onnx::model(&rounded);
    let graph = m.graph.as_ref().unwrap();
    assert!(graph
        .initializer
        .iter()
        .all(|t| t.data_type == proto::data_type::FLOAT));
    assert_eq!(graph.initializer[0].name, "0.weight");
    assert_eq!(
        (
            m.ir_version,
            m.opset_import[0].version,
            m.producer_name.as_str()
        ),
        (8, 17, "relu-regions")
    );
    assert!(onnx::model(&net)
        .graph
        .unwrap()
        .initializer
        .iter()
        .all(|t| t.data_type == proto::data_type::DOUBLE));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("net.onnx");
    save_network(&rounded, &path).unwrap();
    assert_eq!(load_network(&path).unwrap().network, rounded);
}

#[test]
fn initializers_listed_as_graph_inputs_are_not_the_input() {
    let net = common::random_network(&[3, 4, 2], 5, 0.5);
    let mut m = onnx::model(&net);
    let g = m.graph.as_mut().unwrap();
    let extra: Vec<proto::ValueInfoProto> = g
        .initializer
        .iter()
        .map(|t| proto::ValueInfoProto {
            name: t.name.clone(),
            ..Default::default()
        })
        .collect();
    g.input.extend(extra);
    let (back, _) = onnx::read_bytes(
        &prost::Message::encode_to_vec(&m),
        Path::new("vnncomp_style.onnx"),
    )
    .unwrap();
    assert_eq!(back, net);
}

/// Reads a modified copy of the writer's model and returns the error message.
fn error_of(edit: impl FnOnce(&mut proto::GraphProto), label: &str) -> String {
    let net = common::random_network(&[3, 4, 4, 2], 11, 0.5);
    let mut m = onnx::model(&net);
    edit(m.graph.as_mut().unwrap());
    let err = onnx::read_bytes(&prost::Message::encode_to_vec(&m), Path::new(label)).unwrap_err();
    assert!(matches!(err, Error::Format { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains(label), "no file name in: {msg}");
    msg
}

fn set_raw_f64(t: &mut proto::TensorProto, index: usize, v: f64) {
    t.raw_data[8 * index..8 * index + 8].copy_from_slice(&v.to_le_bytes());
}

#[test]
fn unknown_operator_names_the_node() {
    let msg = error_of(|g| g.node[2].op_type = "Tanh".into(), "unknown_op.onnx");
    assert!(
        msg.contains("node \"/2/Gemm\" (op Tanh)") && msg.contains("unsupported operator"),
        "{msg}"
    );
}

#[test]
fn missing_initializer_names_the_node_and_the_tensor() {
    let msg = error_of(
        |g| g.initializer.retain(|t| t.name != "2.weight"),
        "missing_init.onnx",
    );
    assert!(
        msg.contains("node \"/2/Gemm\"") && msg.contains("\"2.weight\" is missing"),
        "{msg}"
    );
}

#[test]
fn shape_mismatch_names_the_node() {
    // 2.weight is 4x4; declare it 8x2 (same number of values): Gemm would take 2 inputs, not 4.
    let msg = error_of(
        |g| {
            g.initializer
                .iter_mut()
                .filter(|t| t.name == "2.weight")
                .for_each(|t| t.dims = vec![8, 2])
        },
        "shape.onnx",
    );
    assert!(
        msg.contains("node \"/2/Gemm\"") && msg.contains("shape mismatch"),
        "{msg}"
    );
    let msg = error_of(
        |g| {
            g.initializer
                .iter_mut()
                .filter(|t| t.name == "4.bias")
                .for_each(|t| t.raw_data.truncate(8))
        },
        "short_bias.onnx",
    );
    assert!(
        msg.contains("initializer \"4.bias\"") && msg.contains("expected 2"),
        "{msg}"
    );
}

#[test]
fn constant_that_would_enlarge_the_tensor_is_a_shape_mismatch() {
    // x has shape [batch, 3]; x − c with c of shape [3, 1] would broadcast to [3, 3]
    let msg = error_of(
        |g| {
            g.initializer.push(proto::TensorProto {
                dims: vec![3, 1],
                data_type: proto::data_type::FLOAT,
                float_data: vec![0.5, 1.0, 1.5],
                name: "shift".into(),
                ..Default::default()
            });
            g.node[0].input[0] = "shifted".into();
            g.node.insert(
                0,
                proto::NodeProto {
                    input: vec!["input".into(), "shift".into()],
                    output: vec!["shifted".into()],
                    name: "sub_shift".into(),
                    op_type: "Sub".into(),
                    ..Default::default()
                },
            );
        },
        "broadcast.onnx",
    );
    assert!(
        msg.contains("node \"sub_shift\" (op Sub)") && msg.contains("shape mismatch"),
        "{msg}"
    );
}

#[test]
fn nan_weight_names_the_node() {
    let msg = error_of(
        |g| {
            g.initializer
                .iter_mut()
                .filter(|t| t.name == "2.weight")
                .for_each(|t| set_raw_f64(t, 5, f64::NAN))
        },
        "nan.onnx",
    );
    assert!(
        msg.contains("node \"/2/Gemm\"") && msg.contains("NaN"),
        "{msg}"
    );
}

#[test]
fn relu_last_and_trans_a_are_rejected() {
    let msg = error_of(
        |g| {
            let last = g.node.len() - 1;
            g.node[last].output = vec!["pre".into()];
            g.node.push(proto::NodeProto {
                input: vec!["pre".into()],
                output: vec!["output".into()],
                name: "final_relu".into(),
                op_type: "Relu".into(),
                ..Default::default()
            });
        },
        "relu_last.onnx",
    );
    assert!(msg.contains("expected an affine output layer"), "{msg}");
    let msg = error_of(
        |g| {
            g.node[0].attribute.push(proto::AttributeProto {
                name: "transA".into(),
                i: 1,
                r#type: proto::attribute_type::INT,
                ..Default::default()
            })
        },
        "trans_a.onnx",
    );
    assert!(
        msg.contains("node \"/0/Gemm\"") && msg.contains("transA"),
        "{msg}"
    );
}

#[test]
fn truncated_and_random_bytes_are_errors_not_panics() {
    let bytes = onnx::to_bytes(&common::random_network(&[3, 5, 2], 3, 0.5));
    for cut in [1, 7, bytes.len() / 3, bytes.len() / 2, bytes.len() - 1] {
        let label = format!("truncated_{cut}.onnx");
        let err = onnx::read_bytes(&bytes[..cut], Path::new(&label)).unwrap_err();
        assert!(err.to_string().contains(&label), "{err}");
    }
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    for len in [0usize, 1, 16, 300, 5000] {
        let mut junk = vec![0u8; len];
        rng.fill_bytes(&mut junk);
        let err = onnx::read_bytes(&junk, Path::new("junk.onnx")).unwrap_err();
        assert!(err.to_string().contains("junk.onnx"), "{err}");
    }
    // flipped bytes anywhere in a valid file: an error or a validated network, never a panic
    let mut ok = 0;
    for _ in 0..2000 {
        let mut b = bytes.clone();
        for _ in 0..1 + rng.next_u32() % 3 {
            let k = rng.next_u32() as usize % b.len();
            b[k] ^= 1 << (rng.next_u32() % 8);
        }
        match onnx::read_bytes(&b, Path::new("flipped.onnx")) {
            Ok((net, _)) => {
                ok += 1;
                assert!(net
                    .layers()
                    .iter()
                    .all(|l| l.weight.first_non_finite().is_none()
                        && l.bias.iter().all(|v| v.is_finite())));
            }
            Err(e) => assert!(e.to_string().contains("flipped.onnx"), "{e}"),
        }
    }
    assert!(ok < 2000, "no flip was detected");
    let err = onnx::read(Path::new("/nonexistent/dir/net.onnx")).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
}
