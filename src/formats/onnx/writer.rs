//! Writing a network as PyTorch's `torch.onnx.export` writes `nn.Sequential(Linear, ReLU, …, Linear)`.

use super::proto::{
    attribute_type, data_type, AttributeProto, Dimension, DimensionValue, GraphProto, ModelProto,
    NodeProto, OperatorSetIdProto, TensorProto, TensorShapeProto, TypeProto, TypeProtoTensor,
    ValueInfoProto,
};
use crate::network::Network;
use prost::Message;

/// Serializes the network as an ONNX model: input `"input"` of shape [batch_size, n0], one Gemm
/// (transB = 1, alpha = beta = 1, initializers `"{k}.weight"` of shape (out, in) and `"{k}.bias"`
/// with k the layer's index in the `nn.Sequential`) per layer, a Relu after each hidden layer,
/// output `"output"`; opset 17, IR version 8, producer "relu-regions".
///
/// The tensors are FLOAT (as PyTorch writes them) when every weight and bias is exactly an f32,
/// otherwise DOUBLE throughout, so that reading the file back gives the same network bit for bit.
/// The layers are written as stored: an NNet input normalization is not part of the file
/// ([`super::write`] refuses such networks).
pub fn to_bytes(network: &Network) -> Vec<u8> {
    model(network).encode_to_vec()
}

/// The ONNX model of [`to_bytes`] as protobuf structs (tests build broken variants from it).
pub fn model(network: &Network) -> ModelProto {
    let exact_f32 = network.layers().iter().all(|l| {
        l.weight
            .entries()
            .map(|(_, _, v)| v)
            .chain(l.bias.iter().copied())
            .all(|v| (v as f32) as f64 == v)
    });
    let elem = if exact_f32 {
        data_type::FLOAT
    } else {
        data_type::DOUBLE
    };
    let mut nodes = Vec::new();
    let mut initializers = Vec::new();
    let mut current = "input".to_string();
    let last = network.layers().len() - 1;
    for (i, layer) in network.layers().iter().enumerate() {
        let k = 2 * i; // index of the Linear in nn.Sequential; its ReLU is k + 1
        let (w_name, b_name) = (format!("{k}.weight"), format!("{k}.bias"));
        let (rows, cols) = layer.weight.dim();
        initializers.push(tensor(
            &w_name,
            &[rows, cols],
            layer.weight.dense_values(),
            elem,
        ));
        initializers.push(tensor(&b_name, &[rows], layer.bias.iter().copied(), elem));
        let gemm_out = if i == last {
            "output".to_string()
        } else {
            format!("/{k}/Gemm_output_0")
        };
        nodes.push(NodeProto {
            input: vec![current.clone(), w_name, b_name],
            output: vec![gemm_out.clone()],
            name: format!("/{k}/Gemm"),
            op_type: "Gemm".into(),
            attribute: vec![
                float_attr("alpha", 1.0),
                float_attr("beta", 1.0),
                int_attr("transB", 1),
            ],
            ..Default::default()
        });
        current = gemm_out;
        if i != last {
            let relu_out = format!("/{}/Relu_output_0", k + 1);
            nodes.push(NodeProto {
                input: vec![current.clone()],
                output: vec![relu_out.clone()],
                name: format!("/{}/Relu", k + 1),
                op_type: "Relu".into(),
                ..Default::default()
            });
            current = relu_out;
        }
    }
    ModelProto {
        ir_version: 8,
        opset_import: vec![OperatorSetIdProto {
            domain: String::new(),
            version: 17,
        }],
        producer_name: "relu-regions".into(),
        producer_version: env!("CARGO_PKG_VERSION").into(),
        graph: Some(GraphProto {
            node: nodes,
            name: "main_graph".into(),
            initializer: initializers,
            input: vec![value_info("input", elem, network.input_dim())],
            output: vec![value_info("output", elem, network.output_dim())],
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A tensor with little-endian `raw_data` (as PyTorch writes initializers).
fn tensor(name: &str, dims: &[usize], values: impl Iterator<Item = f64>, elem: i32) -> TensorProto {
    let raw_data: Vec<u8> = if elem == data_type::FLOAT {
        values.flat_map(|v| (v as f32).to_le_bytes()).collect()
    } else {
        values.flat_map(f64::to_le_bytes).collect()
    };
    TensorProto {
        dims: dims.iter().map(|&d| d as i64).collect(),
        data_type: elem,
        name: name.into(),
        raw_data,
        ..Default::default()
    }
}

/// A tensor value [batch_size, width].
fn value_info(name: &str, elem: i32, width: usize) -> ValueInfoProto {
    let dims = vec![
        Dimension {
            value: Some(DimensionValue::DimParam("batch_size".into())),
        },
        Dimension {
            value: Some(DimensionValue::DimValue(width as i64)),
        },
    ];
    ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto {
            tensor_type: Some(TypeProtoTensor {
                elem_type: elem,
                shape: Some(TensorShapeProto { dim: dims }),
            }),
        }),
        ..Default::default()
    }
}

fn float_attr(name: &str, f: f32) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        f,
        r#type: attribute_type::FLOAT,
        ..Default::default()
    }
}

fn int_attr(name: &str, i: i64) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        i,
        r#type: attribute_type::INT,
        ..Default::default()
    }
}
