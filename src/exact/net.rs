//! The network with exact weights, its exact forward pass and the exact composition of the affine
//! maps along an activation-pattern prefix.

use ndarray::Array2;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, Zero};

use super::arith::{common_denominator, dyadic_to_rational, f64_to_dyadic, Meter, OutOfBudget};

/// A layer's weights as the exact network takes them: by rows of (column, value) entries (any
/// entry not listed is 0) and the number of columns.
#[derive(Debug, Clone)]
pub struct WeightRows {
    /// Number of columns (the layer's inputs).
    pub cols: usize,
    /// One list of (column, value) per output unit.
    pub rows: Vec<Vec<(usize, f64)>>,
}

impl From<Array2<f64>> for WeightRows {
    fn from(m: Array2<f64>) -> Self {
        WeightRows {
            cols: m.ncols(),
            rows: m
                .rows()
                .into_iter()
                .map(|r| r.iter().copied().enumerate().collect())
                .collect(),
        }
    }
}

impl WeightRows {
    fn nrows(&self) -> usize {
        self.rows.len()
    }

    fn ncols(&self) -> usize {
        self.cols
    }
}

/// One hidden layer `z = W h + b` with `W = weights · 2^exponent` (integer `weights`, one common
/// power of two for the layer, exact because every f64 is dyadic).
#[derive(Debug, Clone)]
struct ExactLayer {
    /// By rows (`out` of them), the non-zero integer mantissas as (column, value), columns
    /// increasing; `inputs` columns in all.
    weights: Vec<Vec<(usize, BigInt)>>,
    inputs: usize,
    exponent: i64,
    bias: Vec<BigRational>,
}

impl ExactLayer {
    fn from_f64(
        weights: &WeightRows,
        bias: Vec<BigRational>,
        layer: usize,
    ) -> Result<Self, String> {
        let mut decoded: Vec<Vec<(usize, (BigInt, i64))>> = Vec::with_capacity(weights.nrows());
        for entries in &weights.rows {
            let mut row = Vec::new();
            for &(c, value) in entries {
                if c >= weights.cols {
                    return Err(format!(
                        "layer {layer}: an entry in column {c}; expected columns below {}",
                        weights.cols
                    ));
                }
                let (m, e) = f64_to_dyadic(value)
                    .ok_or_else(|| format!("layer {layer}: non-finite weight {value}"))?;
                if !m.is_zero() {
                    row.push((c, (m, e)));
                }
            }
            decoded.push(row);
        }
        let exponent = decoded
            .iter()
            .flatten()
            .map(|(_, (_, e))| *e)
            .min()
            .unwrap_or(0);
        let rows = decoded
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|(c, (mantissa, e))| {
                        // invariant: `exponent` is the minimum over this layer's non-zero entries
                        let shift = usize::try_from(e - exponent)
                            .expect("e ≥ the layer's minimum exponent");
                        (c, mantissa << shift)
                    })
                    .collect()
            })
            .collect();
        Ok(ExactLayer {
            weights: rows,
            inputs: weights.ncols(),
            exponent,
            bias,
        })
    }

    fn outputs(&self) -> usize {
        self.bias.len()
    }

    fn inputs(&self) -> usize {
        self.inputs
    }

    /// Row r with every column (zeros included).
    fn dense_row(&self, r: usize) -> Vec<BigInt> {
        let mut row = vec![BigInt::zero(); self.inputs];
        for (c, w) in &self.weights[r] {
            row[*c] = w.clone();
        }
        row
    }

    /// `W v + b` for `v = numerators / denominator`.
    fn apply(&self, numerators: &[BigInt], denominator: &BigInt) -> Vec<BigRational> {
        self.weights
            .iter()
            .zip(&self.bias)
            .map(|(row, bias)| {
                let mut dot = BigInt::zero();
                for (c, w) in row {
                    if !numerators[*c].is_zero() {
                        dot += w * &numerators[*c];
                    }
                }
                let scaled = dyadic_to_rational(dot, self.exponent);
                scaled / BigRational::from_integer(denominator.clone()) + bias
            })
            .collect()
    }
}

/// A ReLU network's hidden layers with exact weights (f64, hence dyadic) and exact rational
/// biases: `z_1 = W_1 x + b_1`, `z_{l+1} = W_{l+1} relu(z_l) + b_{l+1}`. Units are numbered flat,
/// layer by layer.
#[derive(Debug, Clone)]
pub struct ExactNet {
    layers: Vec<ExactLayer>,
    input_dim: usize,
}

/// The composed affine map of one unit along a pattern: `z_u(x) = 2^exponent · (row · x) + bias`.
#[derive(Debug, Clone)]
pub(crate) struct ComposedUnit {
    pub(crate) row: Vec<BigInt>,
    pub(crate) exponent: i64,
    pub(crate) bias: BigRational,
}

impl ComposedUnit {
    /// Whether the composed map is identically constant (every coefficient zero).
    pub(crate) fn is_constant(&self) -> bool {
        self.row.iter().all(Zero::is_zero)
    }
}

impl ExactNet {
    /// Builds the exact network from one `out × in` weight matrix per HIDDEN layer and exact
    /// rational biases (one Vec per hidden layer).
    ///
    /// Errors on a layer-count or shape mismatch (`W_{l+1}` must have `n_l` columns, `b_l` must
    /// have `n_l` entries), on a non-finite weight, or on no layers at all.
    pub fn new(
        weights: Vec<impl Into<WeightRows>>,
        biases: Vec<Vec<BigRational>>,
    ) -> Result<Self, String> {
        let weights: Vec<WeightRows> = weights.into_iter().map(Into::into).collect();
        if weights.is_empty() {
            return Err("the network needs at least one hidden layer".to_string());
        }
        if weights.len() != biases.len() {
            return Err(format!(
                "{} weight matrices but {} bias vectors",
                weights.len(),
                biases.len()
            ));
        }
        let input_dim = weights[0].ncols();
        let mut expected_inputs = input_dim;
        let mut layers = Vec::with_capacity(weights.len());
        for (index, (w, b)) in weights.iter().zip(biases).enumerate() {
            let layer = index + 1;
            if w.ncols() != expected_inputs {
                return Err(format!(
                    "layer {layer}: {} columns, expected {expected_inputs}",
                    w.ncols()
                ));
            }
            if w.nrows() != b.len() {
                return Err(format!(
                    "layer {layer}: {} rows but {} biases",
                    w.nrows(),
                    b.len()
                ));
            }
            if w.nrows() == 0 {
                return Err(format!("layer {layer} has no units"));
            }
            expected_inputs = w.nrows();
            layers.push(ExactLayer::from_f64(w, b, layer)?);
        }
        Ok(ExactNet { layers, input_dim })
    }

    /// The widths `n_1, …, n_L` of the hidden layers.
    pub fn widths(&self) -> Vec<usize> {
        self.layers.iter().map(ExactLayer::outputs).collect()
    }

    /// The input dimension `n_0`.
    pub fn input_dim(&self) -> usize {
        self.input_dim
    }

    /// The total number of hidden units `Σ_l n_l`.
    pub fn unit_count(&self) -> usize {
        self.layers.iter().map(ExactLayer::outputs).sum()
    }

    /// Exact pre-activations `z_u(x)` of every hidden unit at the point `x` (flat, layer-major),
    /// through the actual ReLUs. Returns an empty Vec when `x.len()` is not the input dimension.
    pub fn pre_activations(&self, x: &[BigRational]) -> Vec<BigRational> {
        if x.len() != self.input_dim {
            return Vec::new();
        }
        let mut all = Vec::with_capacity(self.unit_count());
        let (mut numerators, mut denominator) = common_denominator(x);
        for layer in &self.layers {
            let z = layer.apply(&numerators, &denominator);
            let activated: Vec<BigRational> = z
                .iter()
                .map(|v| {
                    if v.is_positive() {
                        v.clone()
                    } else {
                        BigRational::zero()
                    }
                })
                .collect();
            (numerators, denominator) = common_denominator(&activated);
            all.extend(z);
        }
        all
    }

    /// Rough number of multiply-adds to compose the maps of the first `prefix.len()` units:
    /// layer 1 copies `n_1·n_0` entries, layer `l ≥ 2` costs `n_l · (#on units of layer l−1) · (n_0+1)`.
    pub(crate) fn composition_work(&self, prefix: &[bool]) -> u64 {
        let n0 = self.input_dim as u64 + 1;
        let mut work = 0u64;
        let mut offset = 0usize;
        let mut previous_on = 0u64;
        for layer in &self.layers {
            if offset >= prefix.len() {
                break;
            }
            let needed = layer.outputs().min(prefix.len() - offset) as u64;
            work = work.saturating_add(if offset == 0 {
                needed.saturating_mul(n0)
            } else {
                needed.saturating_mul(previous_on.max(1)).saturating_mul(n0)
            });
            let end = (offset + layer.outputs()).min(prefix.len());
            previous_on = prefix[offset..end].iter().filter(|&&on| on).count() as u64;
            offset += layer.outputs();
        }
        work
    }

    /// The exact affine maps of the first `prefix.len()` units, composed along the pattern:
    /// `A_1 = W_1, β_1 = b_1; A_{l+1} = W_{l+1} diag(p_l) A_l, β_{l+1} = W_{l+1} diag(p_l) β_l + b_{l+1}`.
    /// The caller guarantees `prefix.len() ≤ unit_count()`.
    pub(crate) fn compose(
        &self,
        prefix: &[bool],
        meter: &mut Meter,
    ) -> Result<Vec<ComposedUnit>, OutOfBudget> {
        let mut units: Vec<ComposedUnit> = Vec::with_capacity(prefix.len());
        let mut offset = 0usize;
        for (index, layer) in self.layers.iter().enumerate() {
            if offset >= prefix.len() {
                break;
            }
            let needed = layer.outputs().min(prefix.len() - offset);
            if index == 0 {
                meter.charge((needed * (self.input_dim + 1)) as u64)?;
                units.extend(layer.bias.iter().take(needed).enumerate().map(|(r, bias)| {
                    ComposedUnit {
                        row: layer.dense_row(r),
                        exponent: layer.exponent,
                        bias: bias.clone(),
                    }
                }));
            } else {
                let previous_start = offset - layer.inputs();
                let previous = &units[previous_start..offset];
                let pattern = &prefix[previous_start..offset];
                let next = compose_layer(layer, previous, pattern, needed, self.input_dim, meter)?;
                units.extend(next);
            }
            offset += layer.outputs();
        }
        Ok(units)
    }
}

/// The maps of the first `needed` units of `layer` given the maps and pattern of the layer below.
fn compose_layer(
    layer: &ExactLayer,
    previous: &[ComposedUnit],
    pattern: &[bool],
    needed: usize,
    input_dim: usize,
    meter: &mut Meter,
) -> Result<Vec<ComposedUnit>, OutOfBudget> {
    let active: Vec<usize> = (0..previous.len()).filter(|&j| pattern[j]).collect();
    // position of each active unit in `active` (its bias numerator's index)
    let mut rank = vec![usize::MAX; previous.len()];
    for (k, &j) in active.iter().enumerate() {
        rank[j] = k;
    }
    // Every unit of one layer shares the exponent of the layer below (all from the same layer).
    let previous_exponent = previous.first().map_or(0, |unit| unit.exponent);
    let biases: Vec<BigRational> = active.iter().map(|&j| previous[j].bias.clone()).collect();
    let (bias_numerators, bias_denominator) = common_denominator(&biases);
    let denominator = BigRational::from_integer(bias_denominator);
    let mut out = Vec::with_capacity(needed);
    for (weights, bias) in layer.weights.iter().zip(&layer.bias).take(needed) {
        let terms: Vec<&(usize, BigInt)> = weights.iter().filter(|(j, _)| pattern[*j]).collect();
        meter.charge((terms.len().max(1) * (input_dim + 1)) as u64)?;
        let mut row = vec![BigInt::zero(); input_dim];
        let mut bias_sum = BigInt::zero();
        for (j, w) in terms {
            let j = *j;
            let k = rank[j];
            for (acc, a) in row.iter_mut().zip(&previous[j].row) {
                if !a.is_zero() {
                    *acc += w * a;
                }
            }
            bias_sum += w * &bias_numerators[k];
        }
        let composed_bias = dyadic_to_rational(bias_sum, layer.exponent) / &denominator + bias;
        out.push(ComposedUnit {
            row,
            exponent: layer.exponent + previous_exponent,
            bias: composed_bias,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::arith::test_values::q;
    use super::super::Budget;
    use super::*;
    use ndarray::array;
    use num_bigint::BigInt;

    /// Value of the composed map at x.
    fn evaluate(unit: &ComposedUnit, x: &[BigRational]) -> BigRational {
        let mut sum = BigRational::zero();
        for (a, v) in unit.row.iter().zip(x) {
            sum += BigRational::from_integer(a.clone()) * v;
        }
        dyadic_to_rational(BigInt::from(1), unit.exponent) * sum + &unit.bias
    }

    #[test]
    fn shapes_are_checked() {
        let ok = ExactNet::new(
            vec![array![[1.0, 2.0]], array![[3.0]]],
            vec![vec![q(0, 1)], vec![q(1, 3)]],
        );
        assert_eq!(ok.expect("valid").widths(), vec![1, 1]);
        assert!(ExactNet::new(
            vec![array![[1.0, 2.0]], array![[3.0, 1.0]]],
            vec![vec![q(0, 1)], vec![q(1, 3)]]
        )
        .is_err());
        assert!(ExactNet::new(vec![array![[1.0, 2.0]]], vec![vec![q(0, 1), q(0, 1)]]).is_err());
        assert!(ExactNet::new(vec![array![[f64::NAN, 2.0]]], vec![vec![q(0, 1)]]).is_err());
        assert!(ExactNet::new(Vec::<WeightRows>::new(), vec![]).is_err());
    }

    #[test]
    fn composition_matches_forward_pass_on_the_pattern() {
        let net = ExactNet::new(
            vec![
                array![[1.5, -0.25], [0.125, 3.0], [-1.0, 1e-30]],
                array![[2.0, -1.0, 0.5], [1e10, 0.75, -3.0]],
            ],
            vec![vec![q(1, 3), q(-2, 7), q(0, 1)], vec![q(5, 11), q(-1, 1)]],
        )
        .expect("valid");
        let x = vec![q(3, 10), q(-7, 5)];
        let z = net.pre_activations(&x);
        let pattern: Vec<bool> = z[..3]
            .iter()
            .map(|v| v.is_positive())
            .chain([true, false])
            .collect();
        let budget = Budget {
            max_work: u64::MAX,
            deadline: None,
        };
        let mut meter = Meter::new(&budget);
        let units = net.compose(&pattern, &mut meter).expect("within budget");
        assert_eq!(units.len(), 5);
        for (unit, value) in units.iter().zip(&z) {
            assert_eq!(&evaluate(unit, &x), value);
        }
        assert!(meter.used() > 0);
    }
}
