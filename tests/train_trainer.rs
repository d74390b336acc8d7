//! The trainer, its data sets and the PCA.

mod common;

use ndarray::{array, Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relu_regions::train::{
    digits, digits_pca, evaluate, gaussian_blobs, symmetric_eigen, train, two_moons, Dataset, Pca,
    TrainSettings,
};

#[test]
fn trainer_lowers_the_loss_on_separable_blobs() {
    // Labels by the side of the line x0 + 2 x1 = 0.3, points within 0.1 of it removed: separable
    // with a margin by construction.
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut rows = Vec::new();
    let mut y = Vec::new();
    while y.len() < 200 {
        let (a, b): (f64, f64) = (rng.gen_range(-2.0..2.0), rng.gen_range(-2.0..2.0));
        let side = (a + 2.0 * b - 0.3) / 5f64.sqrt();
        if side.abs() > 0.1 {
            rows.extend([a, b]);
            y.push(usize::from(side > 0.0));
        }
    }
    let data = Dataset {
        x: Array2::from_shape_vec((200, 2), rows).unwrap(),
        y,
        classes: 2,
    };
    let settings = TrainSettings {
        hidden: vec![8, 8],
        epochs: 15,
        batch_size: 16,
        learning_rate: 1e-2,
        seed: 3,
        checkpoint_dir: None,
    };
    let result = train(&data, &settings, None).unwrap();
    assert_eq!(result.history.len(), 16);
    // Gaussian blobs: seeded, the requested shape and classes.
    let blobs = gaussian_blobs(90, 3, 3, 4.0, 1);
    assert_eq!((blobs.len(), blobs.dim(), blobs.classes), (90, 3, 3));
    assert_eq!(blobs, gaussian_blobs(90, 3, 3, 4.0, 1));
    let first = &result.history[0];
    let last = &result.history[15];
    assert!(last.loss < 0.5 * first.loss, "{first:?} -> {last:?}");
    assert!(last.accuracy > 0.95, "{last:?}");
    // The returned network is the last epoch's.
    let again = evaluate(&result.network, &data);
    assert!((again.loss - last.loss).abs() < 1e-12);
}

#[test]
fn trainer_learns_two_moons_and_is_deterministic_per_seed() {
    let data = two_moons(300, 0.1, 7);
    let settings = TrainSettings {
        hidden: vec![16, 16],
        epochs: 30,
        batch_size: 32,
        learning_rate: 1e-2,
        seed: 11,
        checkpoint_dir: None,
    };
    let a = train(&data, &settings, None).unwrap();
    let b = train(&data, &settings, None).unwrap();
    assert_eq!(a, b, "same seed, same run");
    assert!(
        a.history.last().unwrap().accuracy > 0.95,
        "{:?}",
        a.history.last()
    );
    let c = train(
        &data,
        &TrainSettings {
            seed: 12,
            ..settings
        },
        None,
    )
    .unwrap();
    assert_ne!(a.network, c.network, "another seed, another initialization");
}

#[test]
fn checkpoints_are_written_per_epoch_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let data = two_moons(60, 0.1, 1);
    let settings = TrainSettings {
        hidden: vec![4],
        epochs: 3,
        batch_size: 10,
        checkpoint_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let mut seen = Vec::new();
    let mut cb = |r: &relu_regions::train::EpochRecord, _: &relu_regions::Network| {
        seen.push(r.epoch);
        Ok(())
    };
    let result = train(&data, &settings, Some(&mut cb)).unwrap();
    assert_eq!(seen, vec![0, 1, 2, 3]);
    let back = relu_regions::formats::json::read(&dir.path().join("epoch_003.json")).unwrap();
    let x = array![0.3, -0.2];
    let (f, g) = (result.network.forward(x.view()), back.forward(x.view()));
    assert!((&f - &g).iter().all(|d| d.abs() < 1e-12));
}

#[test]
fn trainer_rejects_bad_settings_and_labels() {
    let mut data = two_moons(10, 0.1, 1);
    assert!(train(
        &data,
        &TrainSettings {
            hidden: vec![],
            ..Default::default()
        },
        None
    )
    .is_err());
    assert!(train(
        &data,
        &TrainSettings {
            batch_size: 0,
            ..Default::default()
        },
        None
    )
    .is_err());
    data.y[3] = 5;
    let err = train(&data, &TrainSettings::default(), None).unwrap_err();
    assert!(err.to_string().contains("example 3"), "{err}");
}

#[test]
fn jacobi_recovers_known_eigenpairs() {
    // S = Q diag(λ) Qᵀ with a random orthogonal Q (Gram–Schmidt of a random matrix).
    let n = 12;
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut q: Array2<f64> = Array2::from_shape_fn((n, n), |_| rng.gen_range(-1.0..1.0));
    for j in 0..n {
        for k in 0..j {
            let proj = q.column(j).dot(&q.column(k));
            let ck = q.column(k).to_owned();
            q.column_mut(j).scaled_add(-proj, &ck);
        }
        let norm: f64 = q.column(j).dot(&q.column(j));
        let norm = norm.sqrt();
        q.column_mut(j).mapv_inplace(|v| v / norm);
    }
    let lambda = Array1::from_iter((0..n).map(|i| (n - i) as f64 * 1.5));
    let s = q.dot(&Array2::from_diag(&lambda)).dot(&q.t());
    let (values, vectors) = symmetric_eigen(s.view()).unwrap();
    for i in 0..n {
        assert!((values[i] - lambda[i]).abs() < 1e-9, "{values} vs {lambda}");
        let align = vectors.column(i).dot(&q.column(i)).abs();
        assert!(
            (align - 1.0).abs() < 1e-9,
            "eigenvector {i}: |cos| = {align}"
        );
    }
    assert!(symmetric_eigen(array![[1.0, 2.0], [0.0, 1.0]].view()).is_err());
}

#[test]
fn pca_finds_the_axes_of_a_known_gaussian() {
    // x = A z with z ~ N(0, diag(9, 1, 0.01)) along a rotated frame: the first principal
    // direction is the rotated first axis.
    let (c, s) = (0.6f64, 0.8f64);
    let rot = array![[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]];
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let m = 4000;
    let z = Array2::from_shape_fn((m, 3), |(_, j)| {
        let sd = [3.0, 1.0, 0.1][j];
        sd * (rng.gen_range(-1.0f64..1.0) * 3f64.sqrt()) // uniform with that std
    });
    let x = z.dot(&rot.t()) + &array![5.0, -2.0, 1.0];
    let pca = Pca::fit(x.view(), 2).unwrap();
    let first = pca.components.column(0);
    assert!(
        (first.dot(&rot.column(0)).abs() - 1.0).abs() < 1e-2,
        "{first}"
    );
    assert!((pca.variances[0] - 9.0).abs() < 0.6, "{}", pca.variances);
    assert!((pca.variances[1] - 1.0).abs() < 0.1, "{}", pca.variances);
    let y = pca.transform(x.view());
    assert_eq!(y.dim(), (m, 2));
    // projected mean 0, first-axis variance 1 after scaling
    let mean0 = y.column(0).mean().unwrap();
    let var0 = y.column(0).mapv(|v| (v - mean0) * (v - mean0)).sum() / (m as f64 - 1.0);
    assert!(
        mean0.abs() < 1e-9 && (var0 - 1.0).abs() < 1e-9,
        "{mean0} {var0}"
    );
}

#[test]
fn digits_load_and_reduce() {
    let path = common::data_path("digits.csv");
    let all = digits(&path).unwrap();
    assert_eq!(all.dim(), 64);
    assert_eq!(all.classes, 10);
    assert!(all.x.iter().all(|v| (0.0..=1.0).contains(v)));
    let (reduced, pca) = digits_pca(&path, 3, 4).unwrap();
    assert_eq!(reduced.dim(), 3);
    assert!(reduced.y.iter().all(|&y| y < 4));
    assert!(pca.variances[0] >= pca.variances[1] && pca.variances[1] >= pca.variances[2]);
    let (train, test) = reduced.split(0.25, 1).unwrap();
    assert_eq!(train.len() + test.len(), reduced.len());
    let (train2, _) = reduced.split(0.25, 1).unwrap();
    assert_eq!(train, train2);
}
