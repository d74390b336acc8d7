//! The ONNX reader on convolutional networks: forward passes against onnxruntime's outputs
//! (tests/fixtures/onnx_cnn/reference_outputs.json, made by scripts/make_cnn_fixtures.py) on small
//! generated CNNs and on the CNNs of ../shared/benchmarks/cnn; exact counts of tiny CNNs against
//! brute force and against the same network written as JSON; clear errors for what is refused;
//! and a deep graph (issue 17) that must load.

mod common;
mod enumerate_support;

use enumerate_support::{brute_force, check_witnesses, enumerate};
use ndarray::Array1;
use prost::Message;
use relu_regions::enumerate::interior_tol;
use relu_regions::formats::onnx::{self, proto};
use relu_regions::formats::{load_network, save_network};
use relu_regions::{Domain, Network, Norm};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/onnx_cnn")
        .join(name)
}

fn references() -> Value {
    let text = std::fs::read_to_string(fixture("reference_outputs.json")).expect("fixture present");
    serde_json::from_str(&text).expect("valid JSON")
}

fn vectors(v: &Value) -> Vec<Vec<f64>> {
    let rows = v.as_array().expect("array");
    rows.iter()
        .map(|row| {
            row.as_array()
                .expect("row")
                .iter()
                .map(|x| x.as_f64().expect("number"))
                .collect()
        })
        .collect()
}

/// Our f64 forward pass against onnxruntime's float32 outputs: each entry within 1e-5 relative
/// to the output vector's largest magnitude.
fn assert_matches(net: &Network, key: &str, entry: &Value) {
    let inputs = vectors(&entry["inputs"]);
    let outputs = vectors(&entry["outputs"]);
    assert!(!inputs.is_empty(), "{key}: no reference inputs");
    for (x, want) in inputs.iter().zip(&outputs) {
        assert_eq!(x.len(), net.input_dim(), "{key}: input width");
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

const GENERATED: &[&str] = &[
    "tiny_2d.onnx",
    "tiny_1d.onnx",
    "groups_dilation.onnx",
    "same_global.onnx",
    "opset9_pad.onnx",
];

#[test]
fn generated_cnns_match_onnxruntime() {
    let refs = references();
    for name in GENERATED {
        let (net, notes) = onnx::read(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(notes.is_empty(), "{name}: unexpected notes {notes:?}");
        assert_matches(&net, name, &refs[*name]);
    }
}

#[test]
fn shared_cnns_match_onnxruntime() {
    let Some(dir) = common::shared_path("benchmarks/cnn") else {
        return;
    };
    let refs = references();
    let shared = refs["shared"].as_object().expect("shared references");
    for name in [
        "Convnet_avgpool.onnx",
        "Convnet_maxpool.onnx",
        "cifar_base_kw.onnx",
        "resnet_2b.onnx",
    ] {
        assert!(shared.contains_key(name), "{name}: no reference outputs");
    }
    for (name, entry) in shared {
        let (net, _) = onnx::read(&dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_matches(&net, name, entry);
    }
    let (avg, _) = onnx::read(&dir.join("Convnet_avgpool.onnx")).unwrap();
    assert_eq!(avg.hidden_widths(), vec![32 * 27 * 27]);
    let (cifar, _) = onnx::read(&dir.join("cifar_base_kw.onnx")).unwrap();
    assert_eq!(cifar.hidden_widths(), vec![8 * 16 * 16, 16 * 8 * 8, 100]);
    // two residual blocks: the 1x1 stride-2 shortcut reads 512 of the first layer's 2,048
    // outputs, carried as copies; the second block's shortcut carries all 1,024
    let (resnet, notes) = onnx::read(&dir.join("resnet_2b.onnx")).unwrap();
    assert_eq!(
        resnet.hidden_widths(),
        vec![2048, 1024 + 512, 1024, 1024 + 1024, 1024, 100]
    );
    assert!(
        notes.iter().any(|n| n.contains("1536 copy units")),
        "{notes:?}"
    );
    // MaxPool 4x4 over 32 x 27 x 27 ReLUs: four levels of comparisons a − b (8, 4, 2, 1 per
    // window, 36 windows per channel), each level with the copies the next one reads; every
    // layer after the first is stored sparse (the first comparison layer would be a dense
    // 18,432 x 23,328 matrix, 3.4 GB; it holds two entries per comparison row)
    let (maxpool, notes) = onnx::read(&dir.join("Convnet_maxpool.onnx")).unwrap();
    assert_eq!(
        maxpool.hidden_widths(),
        vec![23328, 18432, 18432, 18432, 18432]
    );
    assert!(
        notes.iter().any(|n| n.contains("56448 copy units")),
        "{notes:?}"
    );
    for (l, layer) in maxpool.hidden_layers().iter().enumerate().skip(1) {
        let sparse = layer
            .weight
            .as_sparse()
            .unwrap_or_else(|| panic!("layer {l} is dense"));
        assert!(
            sparse.nnz() <= 4 * layer.output_dim(),
            "layer {l}: {}",
            sparse.nnz()
        );
    }
}

const GRAPHS: &[&str] = &[
    "residual_tiny.onnx",
    "maxpool_tiny.onnx",
    "leaky_branches.onnx",
];

/// Residual Add, MaxPool, LeakyRelu, PRelu, Concat and Sub of computed tensors: the lowered chain
/// computes onnxruntime's outputs and counts what brute force over every pattern of the chain
/// finds (its copies and mirrors included: a pattern where a copy disagrees with its source has
/// no interior, so brute force checks that they follow).
#[test]
fn generated_graphs_match_onnxruntime_and_count_as_brute_force() {
    let refs = references();
    for name in GRAPHS {
        let (net, notes) = onnx::read(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_matches(&net, name, &refs[*name]);
        assert!(
            net.num_hidden_units() <= 14,
            "{name}: {:?}",
            net.hidden_widths()
        );
        if *name != "leaky_branches.onnx" {
            assert!(
                notes.iter().any(|n| n.contains("copy units")),
                "{name}: {notes:?}"
            );
        }
        let center = Array1::from(vectors(&refs[*name]["inputs"])[0].clone());
        let mut counts = Vec::new();
        for (norm, r) in [(Norm::L2, 0.5), (Norm::Linf, 0.4), (Norm::L2, 3.0)] {
            let domain = Domain::ball(center.clone(), r, norm).unwrap();
            counts.push(assert_count_is_brute_force(
                &net,
                &domain,
                &format!("{name} {norm:?} r={r}"),
            ));
        }
        assert!(counts.iter().any(|&n| n > 2), "{name}: {counts:?}");
    }
    let (pool, notes) = onnx::read(&fixture("maxpool_tiny.onnx")).unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("max(a, b) = b + relu(a − b)")),
        "{notes:?}"
    );
    // 4 conv units; 2 comparisons + 2 carried; 1 comparison + 3 carried; the Gemm's 2
    assert_eq!(pool.hidden_widths(), vec![4, 4, 4, 2]);
    // the two branches read the input: one first layer of 2·2 PRelu + 2·1 LeakyRelu units
    let (leaky, _) = onnx::read(&fixture("leaky_branches.onnx")).unwrap();
    assert_eq!(leaky.hidden_widths(), vec![6, 4]);
}

/// The enumerator's regions (each witness checked) equal brute force over all 2^N patterns.
fn assert_count_is_brute_force(net: &Network, domain: &Domain, what: &str) -> u64 {
    let (res, regions) = enumerate(net, domain, 1);
    assert!(res.exact, "{what}: not exact");
    let found = check_witnesses(net, domain, &regions);
    assert_eq!(res.regions as usize, found.len(), "{what}");
    let (truth, _) = brute_force(net, domain, interior_tol(domain));
    assert_eq!(found, truth, "{what}: enumerator vs brute force");
    res.regions
}

#[test]
fn tiny_cnn_counts_equal_brute_force_and_their_json_copies() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["tiny_2d.onnx", "tiny_1d.onnx"] {
        let (net, _) = onnx::read(&fixture(name)).unwrap();
        assert!(
            net.num_hidden_units() <= 14,
            "{name}: too large for brute force"
        );
        let json = dir.path().join(name.replace(".onnx", ".json"));
        save_network(&net, &json).unwrap();
        let copy = load_network(&json).unwrap().network;
        assert_eq!(copy.layers(), net.layers(), "{name}: JSON copy");
        let refs = references();
        let center = Array1::from(vectors(&refs[name]["inputs"])[0].clone());
        let mut counts = Vec::new();
        for (norm, r) in [(Norm::L2, 0.5), (Norm::Linf, 0.4), (Norm::L2, 3.0)] {
            let domain = Domain::ball(center.clone(), r, norm).unwrap();
            let what = format!("{name} {norm:?} r={r}");
            let n = assert_count_is_brute_force(&net, &domain, &what);
            assert_eq!(
                common::count_one_thread(&copy, &domain).regions,
                n,
                "{what}: JSON copy"
            );
            counts.push(n);
        }
        assert!(
            counts.iter().any(|&n| n > 1),
            "{name}: every ball holds one region {counts:?}"
        );
    }
}

fn fixture_model(name: &str) -> proto::ModelProto {
    proto::ModelProto::decode(std::fs::read(fixture(name)).unwrap().as_slice()).unwrap()
}

/// The error message of reading `name` after `edit`.
fn error_of(name: &str, edit: impl FnOnce(&mut proto::GraphProto)) -> String {
    let mut model = fixture_model(name);
    edit(model.graph.as_mut().unwrap());
    match onnx::read_bytes(&model.encode_to_vec(), Path::new(name)) {
        Ok(_) => panic!("{name}: the edited model was accepted"),
        Err(e) => e.to_string(),
    }
}

fn node<'a>(g: &'a mut proto::GraphProto, name: &str) -> &'a mut proto::NodeProto {
    g.node
        .iter_mut()
        .find(|n| n.name == name)
        .expect("node present")
}

fn set_attr(n: &mut proto::NodeProto, name: &str, value: proto::AttributeProto) {
    n.attribute.retain(|a| a.name != name);
    n.attribute.push(proto::AttributeProto {
        name: name.into(),
        ..value
    });
}

fn text(s: &str) -> proto::AttributeProto {
    proto::AttributeProto {
        s: s.as_bytes().to_vec(),
        r#type: proto::attribute_type::STRING,
        ..Default::default()
    }
}

fn int(i: i64) -> proto::AttributeProto {
    proto::AttributeProto {
        i,
        r#type: proto::attribute_type::INT,
        ..Default::default()
    }
}

fn assert_names(msg: &str, parts: &[&str]) {
    for p in parts {
        assert!(msg.contains(p), "message {msg:?} does not name {p:?}");
    }
}

#[test]
fn bad_attributes_name_the_node_and_the_attribute() {
    let m = error_of("tiny_2d.onnx", |g| {
        set_attr(node(g, "conv"), "auto_pad", text("SAME_MIDDLE"))
    });
    assert_names(
        &m,
        &[
            "tiny_2d.onnx",
            "node \"conv\" (op Conv)",
            "auto_pad",
            "SAME_MIDDLE",
            "SAME_UPPER",
        ],
    );
    let m = error_of("groups_dilation.onnx", |g| {
        set_attr(node(g, "conv"), "auto_pad", text("SAME_UPPER"))
    });
    assert_names(&m, &["node \"conv\" (op Conv)", "pads", "auto_pad"]);
    let m = error_of("tiny_2d.onnx", |g| {
        set_attr(node(g, "conv"), "group", int(3))
    });
    assert_names(&m, &["node \"conv\" (op Conv)", "group = 3"]);
    let m = error_of("tiny_1d.onnx", |g| {
        set_attr(node(g, "pad"), "mode", text("reflect"))
    });
    assert_names(
        &m,
        &["node \"pad\" (op Pad)", "mode = \"reflect\"", "constant"],
    );
    let m = error_of("tiny_1d.onnx", |g| {
        set_attr(node(g, "pool"), "count_include_pad", int(2))
    });
    assert_names(
        &m,
        &["node \"pool\" (op AveragePool)", "count_include_pad = 2"],
    );
    let m = error_of("tiny_1d.onnx", |g| {
        set_attr(node(g, "pool"), "ceil_mode", int(1));
        set_attr(
            node(g, "pool"),
            "strides",
            proto::AttributeProto {
                ints: vec![3],
                r#type: 7,
                ..Default::default()
            },
        );
    });
    assert_names(
        &m,
        &[
            "node \"pool\" (op AveragePool)",
            "ceil_mode = 1",
            "2 outputs instead of 1",
        ],
    );
    let m = error_of("tiny_2d.onnx", |g| {
        set_attr(node(g, "bn"), "training_mode", int(1))
    });
    assert_names(
        &m,
        &["node \"bn\" (op BatchNormalization)", "training_mode"],
    );
}

#[test]
fn combinations_the_graph_model_cannot_hold_are_refused_with_the_reason() {
    let m = error_of("residual_tiny.onnx", |g| {
        node(g, "residual").op_type = "Mul".into()
    });
    assert_names(
        &m,
        &[
            "node \"residual\" (op Mul)",
            "2 tensors computed from the input",
            "not piecewise linear",
        ],
    );
    // a skip connection from the (possibly negative) input past a ReLU
    let m = error_of("residual_tiny.onnx", |g| {
        node(g, "residual").input[1] = "c0".into()
    });
    assert_names(
        &m,
        &[
            "graph output",
            "reads the network's input",
            "only hidden layer 0",
        ],
    );
    let m = error_of("maxpool_tiny.onnx", |g| {
        node(g, "pool").output.push("indices".into())
    });
    assert_names(&m, &["node \"pool\" (op MaxPool)", "Indices"]);
    let m = error_of("maxpool_tiny.onnx", |g| {
        let n = node(g, "flatten");
        n.op_type = "Add".into();
        n.name = "mismatch".into();
        n.input = vec!["p".into(), "r".into()];
    });
    assert_names(
        &m,
        &[
            "node \"mismatch\" (op Add)",
            "[1, 1, 1, 1]",
            "[1, 1, 2, 2]",
            "equal",
        ],
    );
    // [1, 3] − [3, 1] broadcasts to [3, 3] in ONNX: refused, not added elementwise
    let e = onnx::read(&fixture("broadcast_sub.onnx"))
        .unwrap_err()
        .to_string();
    assert_names(
        &e,
        &["node \"sub\" (op Sub)", "[1, 3]", "[3, 1]", "no broadcast"],
    );
    // Conv → MaxPool → Relu: the comparisons would read the raw input past a ReLU
    let m = error_of("maxpool_tiny.onnx", |g| {
        node(g, "pool").input[0] = "c".into()
    });
    assert_names(
        &m,
        &[
            "node \"pool\" (op MaxPool)",
            "before any Relu",
            "Relu before MaxPool",
        ],
    );
    // an activation on the output adds regions of its own, leaky or max as much as Relu
    let m = error_of("leaky_branches.onnx", |g| {
        let n = node(g, "fc2");
        n.op_type = "LeakyRelu".into();
        n.input.truncate(1);
    });
    assert_names(
        &m,
        &[
            "graph output",
            "comes from a leaky ReLU",
            "affine output layer",
        ],
    );
    let m = error_of("tiny_2d.onnx", |g| {
        node(g, "relu").input[0] = "c.weight".into()
    });
    assert_names(&m, &["node \"relu\" (op Relu)", "reads only constants"]);
    let m = error_of("tiny_2d.onnx", |g| {
        g.input[0]
            .r#type
            .as_mut()
            .unwrap()
            .tensor_type
            .as_mut()
            .unwrap()
            .shape = None;
    });
    assert_names(&m, &["node \"conv\" (op Conv)", "static shape"]);
}

#[test]
fn oversized_expansions_are_errors_not_allocations() {
    let m = error_of("tiny_2d.onnx", |g| {
        let dims = &mut g.input[0]
            .r#type
            .as_mut()
            .unwrap()
            .tensor_type
            .as_mut()
            .unwrap()
            .shape
            .as_mut()
            .unwrap()
            .dim;
        dims[2].value = Some(proto::DimensionValue::DimValue(1 << 15));
        dims[3].value = Some(proto::DimensionValue::DimValue(1 << 15));
    });
    assert_names(&m, &["node \"conv\" (op Conv)", "1 GiB"]);
}

/// Issue 17: every node used to copy the layers found so far, so a graph of L layers cost
/// O(L²) time and memory (3,000 layers: 1.7 GB). A deep width-2 net written by `convert` loads.
#[test]
fn deep_chain_written_by_our_writer_loads() {
    let layers = 4000;
    let mut widths = vec![2; layers + 1];
    widths[layers] = 1;
    let net = common::random_network(&widths, 17, 0.1);
    let bytes = onnx::to_bytes(&net);
    let (back, notes) = onnx::read_bytes(&bytes, Path::new("deep.onnx")).unwrap();
    assert!(notes.is_empty());
    assert_eq!(back.depth(), layers - 1);
    assert_eq!(back.layers(), net.layers());
}
