//! Mini-batch Adam on the softmax cross-entropy of a fully connected ReLU network.

use super::data::{normal, Dataset};
use crate::error::{Error, Result};
use crate::network::{Layer, Network, Weights};
use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::PathBuf;

/// How [`train`] runs. Everything random (initialization, batch order) derives from `seed`, so a
/// run is reproducible bit for bit on one machine.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainSettings {
    /// Hidden widths n_1..n_L (at least one layer).
    pub hidden: Vec<usize>,
    /// Passes over the training set.
    pub epochs: usize,
    /// Examples per mini-batch.
    pub batch_size: usize,
    /// Adam step size α.
    pub learning_rate: f64,
    /// Seed of the initialization and the batch order.
    pub seed: u64,
    /// When set, the network of every epoch (0 = the initialization) is written there as
    /// `epoch_NNN.json` and `epoch_NNN.onnx`.
    pub checkpoint_dir: Option<PathBuf>,
}

impl Default for TrainSettings {
    fn default() -> Self {
        TrainSettings {
            hidden: vec![16, 16],
            epochs: 20,
            batch_size: 32,
            learning_rate: 1e-2,
            seed: 0,
            checkpoint_dir: None,
        }
    }
}

/// Loss and accuracy on the training set after an epoch (epoch 0: at initialization).
#[derive(Clone, Debug, PartialEq)]
pub struct EpochRecord {
    /// The epoch number (0 = at initialization).
    pub epoch: usize,
    /// Mean softmax cross-entropy −(1/m) Σ log p_{y_i}(x_i).
    pub loss: f64,
    /// Fraction of examples whose largest logit is their label.
    pub accuracy: f64,
}

/// The trained network and the per-epoch history (epochs 0..=settings.epochs).
#[derive(Clone, Debug, PartialEq)]
pub struct TrainResult {
    /// The network after the last epoch.
    pub network: Network,
    /// One record per epoch, 0 (initialization) to `settings.epochs`.
    pub history: Vec<EpochRecord>,
}

/// Called with each epoch's record and network (see [`train`]).
pub type EpochCallback<'a> = dyn FnMut(&EpochRecord, &Network) -> Result<()> + 'a;

/// Adam's moment estimates of one parameter array (Kingma & Ba 2015).
struct Moments {
    m: Vec<f64>,
    v: Vec<f64>,
}

const BETA1: f64 = 0.9;
const BETA2: f64 = 0.999;
const ADAM_EPS: f64 = 1e-8;

impl Moments {
    fn new(n: usize) -> Self {
        Moments {
            m: vec![0.0; n],
            v: vec![0.0; n],
        }
    }
    /// One Adam step θ ← θ − α m̂ / (√v̂ + ε), m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
    fn step<'a>(
        &mut self,
        params: impl Iterator<Item = &'a mut f64>,
        grads: impl Iterator<Item = f64>,
        lr: f64,
        t: i32,
    ) {
        let c1 = 1.0 - BETA1.powi(t);
        let c2 = 1.0 - BETA2.powi(t);
        for (((p, g), m), v) in params
            .zip(grads)
            .zip(self.m.iter_mut())
            .zip(self.v.iter_mut())
        {
            *m = BETA1 * *m + (1.0 - BETA1) * g;
            *v = BETA2 * *v + (1.0 - BETA2) * g * g;
            *p -= lr * (*m / c1) / ((*v / c2).sqrt() + ADAM_EPS);
        }
    }
}

/// The weights of a layer the trainer built (always dense).
fn dense(w: &Weights) -> &Array2<f64> {
    match w {
        Weights::Dense(m) => m,
        // invariant: `he_init` builds dense layers and the steps keep them dense
        Weights::Sparse(_) => unreachable!("the trainer's layers are dense"),
    }
}

/// [`dense`], mutably.
fn dense_mut(w: &mut Weights) -> &mut Array2<f64> {
    match w {
        Weights::Dense(m) => m,
        // invariant: as in `dense`
        Weights::Sparse(_) => unreachable!("the trainer's layers are dense"),
    }
}

/// Forward pass on a batch (rows): the pre-activations of every layer, the logits last.
fn forward_batch(layers: &[Layer], x: ArrayView2<f64>) -> Vec<Array2<f64>> {
    let mut zs = Vec::with_capacity(layers.len());
    let mut h = x.to_owned();
    for (l, layer) in layers.iter().enumerate() {
        let z = match &layer.weight {
            Weights::Dense(w) => h.dot(&w.t()),
            // a sparse layer (a network read from a file, evaluated): (W hᵀ)ᵀ
            sparse => sparse.dot_matrix(&h.t().to_owned()).reversed_axes(),
        } + &layer.bias;
        if l + 1 < layers.len() {
            h = z.mapv(|v| v.max(0.0));
        }
        zs.push(z);
    }
    zs
}

/// Row-wise softmax probabilities and the mean cross-entropy against `y`.
fn softmax_loss(logits: &Array2<f64>, y: &[usize]) -> (Array2<f64>, f64, usize) {
    let mut p = logits.clone();
    let mut loss = 0.0;
    let mut correct = 0;
    for (mut row, &label) in p.axis_iter_mut(Axis(0)).zip(y) {
        let max = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let argmax = row
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map_or(0, |(i, _)| i);
        correct += usize::from(argmax == label);
        row.mapv_inplace(|v| (v - max).exp());
        let sum = row.sum();
        row /= sum;
        loss -= row[label].max(1e-300).ln();
    }
    (p, loss / y.len().max(1) as f64, correct)
}

/// Mean cross-entropy and accuracy of `net` on `data`.
pub fn evaluate(net: &Network, data: &Dataset) -> EpochRecord {
    let zs = forward_batch(net.layers(), data.x.view());
    let (_, loss, correct) =
        zs.last()
            .map(|l| softmax_loss(l, &data.y))
            .unwrap_or((Array2::zeros((0, 0)), 0.0, 0));
    EpochRecord {
        epoch: 0,
        loss,
        accuracy: correct as f64 / data.len().max(1) as f64,
    }
}

/// Trains a fully connected ReLU network (input → `hidden` → `data.classes` logits) on `data` by
/// mini-batch Adam (Kingma & Ba 2015; β = (0.9, 0.999), ε = 1e-8) on the softmax cross-entropy
/// L = −(1/B) Σ log softmax(f(x_i))_{y_i}. Initialization: He et al. (2015), W ~ N(0, 2/fan_in),
/// b = 0. Each epoch visits the examples once in a seeded random order.
///
/// `on_epoch` is called with the record and network of epoch 0 (the initialization) and after
/// every epoch; an error from it stops training. Errors on an empty data set, a zero width,
/// batch size or class count, or a label out of range.
pub fn train(
    data: &Dataset,
    settings: &TrainSettings,
    mut on_epoch: Option<&mut EpochCallback>,
) -> Result<TrainResult> {
    check_inputs(data, settings)?;
    let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
    let mut layers = he_init(data, settings, &mut rng);
    let mut moments: Vec<LayerMoments> = layers
        .iter()
        .map(|l| LayerMoments {
            weight: Moments::new(dense(&l.weight).len()),
            bias: Moments::new(l.bias.len()),
        })
        .collect();
    if let Some(dir) = &settings.checkpoint_dir {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let mut history = Vec::with_capacity(settings.epochs + 1);
    let mut report = |epoch: usize, layers: &[Layer], history: &mut Vec<EpochRecord>| {
        let net = Network::new(layers.to_vec())?;
        let mut rec = evaluate(&net, data);
        rec.epoch = epoch;
        if let Some(dir) = &settings.checkpoint_dir {
            crate::formats::json::write(&net, &dir.join(format!("epoch_{epoch:03}.json")))?;
            crate::formats::onnx::write(&net, &dir.join(format!("epoch_{epoch:03}.onnx")))?;
        }
        if let Some(cb) = on_epoch.as_mut() {
            cb(&rec, &net)?;
        }
        history.push(rec);
        Ok::<Network, Error>(net)
    };
    let mut net = report(0, &layers, &mut history)?;
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut t = 0i32;
    for epoch in 1..=settings.epochs {
        order.shuffle(&mut rng);
        for batch in order.chunks(settings.batch_size) {
            t = t.saturating_add(1);
            adam_step(
                &mut layers,
                &mut moments,
                data,
                batch,
                settings.learning_rate,
                t,
            )?;
        }
        net = report(epoch, &layers, &mut history)?;
    }
    Ok(TrainResult {
        network: net,
        history,
    })
}

/// Errors on an empty data set, fewer than 2 classes, a label out of range, no hidden layer, a
/// zero width or a zero batch size.
fn check_inputs(data: &Dataset, settings: &TrainSettings) -> Result<()> {
    if data.is_empty() || data.classes < 2 {
        return Err(Error::invalid(format!(
            "training data: {} examples, {} classes; expected at least 1 example and 2 classes",
            data.len(),
            data.classes
        )));
    }
    if let Some((i, y)) = data.y.iter().enumerate().find(|(_, &y)| y >= data.classes) {
        return Err(Error::invalid(format!(
            "training data: example {i} has label {y}; expected 0..{}",
            data.classes
        )));
    }
    if settings.hidden.is_empty() || settings.hidden.contains(&0) || settings.batch_size == 0 {
        return Err(Error::invalid(format!(
            "training: hidden widths {:?}, batch size {}; expected at least one hidden layer, all widths and the batch size > 0",
            settings.hidden, settings.batch_size
        )));
    }
    Ok(())
}

/// He et al. (2015) initialization of the layers input → `hidden` → `data.classes`:
/// W ~ N(0, 2/fan_in) drawn with `rng`, b = 0.
fn he_init(data: &Dataset, settings: &TrainSettings, rng: &mut ChaCha8Rng) -> Vec<Layer> {
    let mut dims = vec![data.dim()];
    dims.extend(&settings.hidden);
    dims.push(data.classes);
    dims.windows(2)
        .map(|w| {
            let std = (2.0 / w[0] as f64).sqrt();
            let weight = Array2::from_shape_simple_fn((w[1], w[0]), || std * normal(rng));
            Layer::new(weight, Array1::zeros(w[1]))
        })
        .collect()
}

/// Adam's moment estimates of one layer's weights and biases.
struct LayerMoments {
    weight: Moments,
    bias: Moments,
}

/// One Adam step (step number `t`, step size `lr`) on the mini-batch `batch` of `data`:
/// forward, softmax cross-entropy gradient, backpropagation layer by layer from the last.
fn adam_step(
    layers: &mut [Layer],
    moments: &mut [LayerMoments],
    data: &Dataset,
    batch: &[usize],
    lr: f64,
    t: i32,
) -> Result<()> {
    let xb = data.x.select(Axis(0), batch);
    let yb: Vec<usize> = batch.iter().map(|&i| data.y[i]).collect();
    let zs = forward_batch(layers, xb.view());
    let logits = zs.last().ok_or_else(|| Error::invalid("no layers"))?;
    let (p, _, _) = softmax_loss(logits, &yb);
    // dL/dlogits = (softmax − onehot) / B
    let mut dz = p;
    for (i, &label) in yb.iter().enumerate() {
        dz[[i, label]] -= 1.0;
    }
    dz /= yb.len() as f64;
    for l in (0..layers.len()).rev() {
        let h_prev = if l == 0 {
            xb.clone()
        } else {
            zs[l - 1].mapv(|v| v.max(0.0))
        };
        let dw = dz.t().dot(&h_prev);
        let db = dz.sum_axis(Axis(0));
        let next_dz = if l > 0 {
            let mut dh = dz.dot(dense(&layers[l].weight));
            dh.zip_mut_with(&zs[l - 1], |g, &z| {
                if z <= 0.0 {
                    *g = 0.0
                }
            });
            Some(dh)
        } else {
            None
        };
        let LayerMoments {
            weight: mw,
            bias: mb,
        } = &mut moments[l];
        mw.step(
            dense_mut(&mut layers[l].weight).iter_mut(),
            dw.iter().copied(),
            lr,
            t,
        );
        mb.step(layers[l].bias.iter_mut(), db.iter().copied(), lr, t);
        if let Some(d) = next_dz {
            dz = d;
        }
    }
    Ok(())
}
