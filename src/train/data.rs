//! Training data: the UCI digits (data/digits.csv), its PCA reduction, and seeded synthetic sets
//! (two moons, Gaussian blobs); seeded train/test splits.

use super::pca::Pca;
use crate::error::{Error, Result};
use ndarray::{Array2, Axis};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;

/// Labelled points: one row of `x` per example, `y[i]` in 0..classes.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// The examples, one row each, one column per feature.
    pub x: Array2<f64>,
    /// The label of each row of `x`, in 0..classes.
    pub y: Vec<usize>,
    /// Number of classes.
    pub classes: usize,
}

impl Dataset {
    /// Number of examples.
    pub fn len(&self) -> usize {
        self.y.len()
    }
    /// Whether there are no examples.
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }
    /// Input dimension.
    pub fn dim(&self) -> usize {
        self.x.ncols()
    }
    /// The examples at `idx`, in that order.
    pub fn subset(&self, idx: &[usize]) -> Dataset {
        Dataset {
            x: self.x.select(Axis(0), idx),
            y: idx.iter().map(|&i| self.y[i]).collect(),
            classes: self.classes,
        }
    }

    /// Seeded split: a random `test_fraction` of the examples (at least 1 when 0 < fraction) is
    /// the test set, the rest the training set.
    pub fn split(&self, test_fraction: f64, seed: u64) -> Result<(Dataset, Dataset)> {
        if !(0.0..1.0).contains(&test_fraction) {
            return Err(Error::invalid(format!(
                "test fraction {test_fraction}; expected a number in [0, 1)"
            )));
        }
        let mut idx: Vec<usize> = (0..self.len()).collect();
        idx.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
        let n_test = ((self.len() as f64) * test_fraction).ceil() as usize;
        let n_test = n_test.min(self.len().saturating_sub(1));
        let (test, train) = idx.split_at(n_test);
        Ok((self.subset(train), self.subset(test)))
    }
}

/// Reads the UCI optical digits table (Alpaydin & Kaynak 1998; scikit-learn's `load_digits`):
/// a header, 64 pixel columns with values 0..16 and a `label` column 0..9. Pixels are divided by
/// 16 into [0, 1]. Errors name the file and row when a value is out of range.
pub fn digits(path: &Path) -> Result<Dataset> {
    let table = crate::points::read_table(path)?;
    let li = table.column_index("label").ok_or_else(|| {
        Error::format(
            path,
            "header",
            "no column named \"label\"; expected 64 pixel columns and label",
        )
    })?;
    let ncols = table.rows.first().map_or(0, Vec::len);
    if ncols != 65 {
        return Err(Error::format(
            path,
            "header",
            format!("{ncols} columns; expected 65 (64 pixels and label)"),
        ));
    }
    let mut x = Array2::zeros((table.len(), 64));
    let mut y = Vec::with_capacity(table.len());
    for (r, row) in table.rows.iter().enumerate() {
        let label = row[li];
        if !((0.0..=9.0).contains(&label) && label.fract() == 0.0) {
            return Err(Error::format(
                path,
                format!("data row {r}, column label"),
                format!("{label}; expected an integer 0..9"),
            ));
        }
        y.push(label as usize);
        let mut k = 0;
        for (c, &v) in row.iter().enumerate() {
            if c == li {
                continue;
            }
            if !(0.0..=16.0).contains(&v) {
                return Err(Error::format(
                    path,
                    format!("data row {r}, column {c}"),
                    format!("{v}; expected a pixel value in 0..16"),
                ));
            }
            x[[r, k]] = v / 16.0;
            k += 1;
        }
    }
    Ok(Dataset { x, y, classes: 10 })
}

/// The digits projected to their top `d` principal components (see [`Pca`]), returned with the
/// fitted PCA. Keeping only `classes` < 10 (the labels 0..classes) makes a smaller problem.
pub fn digits_pca(path: &Path, d: usize, classes: usize) -> Result<(Dataset, Pca)> {
    let all = digits(path)?;
    if !(2..=10).contains(&classes) {
        return Err(Error::invalid(format!(
            "digits: {classes} classes; expected 2..=10"
        )));
    }
    let keep: Vec<usize> = (0..all.len()).filter(|&i| all.y[i] < classes).collect();
    let sub = all.subset(&keep);
    let pca = Pca::fit(sub.x.view(), d)?;
    let x = pca.transform(sub.x.view());
    Ok((
        Dataset {
            x,
            y: sub.y,
            classes,
        },
        pca,
    ))
}

/// A standard normal sample by the Box–Muller transform.
pub(crate) fn normal(rng: &mut impl Rng) -> f64 {
    let u1: f64 = 1.0 - rng.gen::<f64>(); // (0, 1], so ln is finite
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Two interleaving half circles (scikit-learn's `make_moons`): class 0 on
/// (cos θ, sin θ), class 1 on (1 − cos θ, 0.5 − sin θ), θ uniform in [0, π], plus Gaussian noise
/// of standard deviation `noise`. Seeded.
pub fn two_moons(n: usize, noise: f64, seed: u64) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut x = Array2::zeros((n, 2));
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let t = rng.gen::<f64>() * std::f64::consts::PI;
        let c = i % 2;
        let (a, b) = if c == 0 {
            (t.cos(), t.sin())
        } else {
            (1.0 - t.cos(), 0.5 - t.sin())
        };
        x[[i, 0]] = a + noise * normal(&mut rng);
        x[[i, 1]] = b + noise * normal(&mut rng);
        y.push(c);
    }
    Dataset { x, y, classes: 2 }
}

/// `classes` isotropic Gaussian blobs in `dim` dimensions: centers uniform in [−spread, spread]^dim,
/// unit standard deviation, n points assigned to classes in turn. Seeded.
pub fn gaussian_blobs(n: usize, dim: usize, classes: usize, spread: f64, seed: u64) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let classes = classes.max(1);
    let centers: Vec<Vec<f64>> = (0..classes)
        .map(|_| (0..dim).map(|_| rng.gen_range(-spread..=spread)).collect())
        .collect();
    let mut x = Array2::zeros((n, dim));
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let c = i % classes;
        for j in 0..dim {
            x[[i, j]] = centers[c][j] + normal(&mut rng);
        }
        y.push(c);
    }
    Dataset { x, y, classes }
}
