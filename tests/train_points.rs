//! `experiment points` in a tiny setting, and the Mann–Whitney U test against hand values.

use relu_regions::train::stats::{erfc, mann_whitney};
use relu_regions::train::{run_points, DataChoice, PointsSettings};

#[test]
fn mann_whitney_hand_values() {
    // Separated samples: U = 0, E[U] = 4.5, Var = 9·7/12, z = (0 − 4.5 + 0.5)/√5.25 = −1.7457,
    // p = erfc(1.7457/√2) = 0.08086 (SciPy's asymptotic method with continuity gives the same).
    let mw = mann_whitney(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]);
    assert_eq!(mw.u, 0.0);
    assert_eq!(mw.prob_superiority, 0.0);
    assert_eq!(mw.rank_biserial, -1.0);
    assert!((mw.z + 4.0 / 5.25f64.sqrt()).abs() < 1e-12, "{mw:?}");
    assert!((mw.p - 0.080856).abs() < 1e-5, "{mw:?}");
    // Ties: a = [1, 2, 2], b = [2, 3]: pairs a > b: none; ties (2,2) twice → U = 1.
    let mw = mann_whitney(&[1.0, 2.0, 2.0], &[2.0, 3.0]);
    assert!((mw.u - 1.0).abs() < 1e-12, "{mw:?}");
    // identical samples: no evidence
    let mw = mann_whitney(&[1.0, 1.0], &[1.0, 1.0]);
    assert_eq!(mw.p, 1.0);
    assert!((erfc(0.0) - 1.0).abs() < 1e-7 && (erfc(1.0) - 0.157299207).abs() < 1e-7);
}

#[test]
fn points_tiny_run_writes_files_and_compares_four_groups() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = PointsSettings::new(true, dir.path().to_path_buf(), 2);
    s.data = DataChoice::Moons { n: 120, noise: 0.1 };
    s.hidden = vec![6, 6];
    s.epochs = 3;
    s.points = 6;
    s.radius = 0.3;
    let summary = run_points(&s).unwrap();
    let names: Vec<&str> = summary.groups.iter().map(|g| g.group).collect();
    assert_eq!(names, ["train", "test", "uniform", "gaussian"]);
    assert!(summary.groups[0].counts_train_vs_this.is_none());
    assert!(summary.groups[1..]
        .iter()
        .all(|g| g.counts_train_vs_this.is_some()));
    let csv = std::fs::read_to_string(dir.path().join("points.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 4 * 6);
    for l in csv.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        let (count, local): (f64, f64) = (f[2].parse().unwrap(), f[4].parse().unwrap());
        assert!(count >= 1.0 && count <= local, "{l}");
    }
    assert!(dir.path().join("points_summary.json").exists());
    assert!(summary.verdict.starts_with("Finding (b)"));
}
