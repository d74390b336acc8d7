//! `experiment dynamics` in a tiny setting: it runs and writes its files.

use relu_regions::train::{run_dynamics, DataChoice, DynamicsSettings};
use std::time::Duration;

#[test]
fn dynamics_tiny_run_writes_csv_summary_and_plots() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = DynamicsSettings::new(true, dir.path().to_path_buf(), 3);
    s.data = DataChoice::Moons { n: 120, noise: 0.1 };
    s.hidden = vec![6, 6];
    s.epochs = 3;
    s.points = 5;
    s.radius = 0.3;
    s.count_time_limit = Duration::from_secs(2);
    let summary = run_dynamics(&s).unwrap();
    // CSV: header + (epochs + 1) × 2 groups × points rows, every distance positive and finite.
    let csv = std::fs::read_to_string(dir.path().join("dynamics.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("epoch,group,point,distance"));
    assert_eq!(lines.len(), 1 + 4 * 2 * 5);
    for l in &lines[1..] {
        let f: Vec<&str> = l.split(',').collect();
        let d: f64 = f[3].parse().unwrap();
        assert!(d.is_finite() && d >= 0.0, "{l}");
        // count ≤ local analytic bound, both at least 1
        let (lb, lo): (f64, f64) = (f[6].parse().unwrap(), f[7].parse().unwrap());
        assert!(lo >= 1.0 && lo <= lb, "{l}");
    }
    // summary JSON parses and agrees with the returned value
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("dynamics_summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["train"]["points"], 5);
    assert_eq!(summary.per_epoch.len(), 4 * 2);
    assert_eq!(summary.train.grew + summary.train.shrank, 5 - ties(&lines));
    assert!(summary.verdict.contains("Finding (a)"));
    for f in [
        "distance_vs_epoch.svg",
        "distance_vs_epoch.png",
        "count_vs_epoch.svg",
        "count_vs_epoch.png",
    ] {
        let meta = std::fs::metadata(dir.path().join(f)).unwrap();
        assert!(meta.len() > 100, "{f} is nearly empty");
    }
    assert!(dir.path().join("checkpoints/epoch_003.json").exists());
}

/// Training points whose distance is identical at the first and last epoch.
fn ties(lines: &[&str]) -> usize {
    let get = |epoch: &str, p: usize| {
        lines[1..]
            .iter()
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|f| f[0] == epoch && f[1] == "train" && f[2] == p.to_string())
            .map(|f| f[3].to_string())
            .unwrap()
    };
    (0..5).filter(|&p| get("0", p) == get("3", p)).count()
}

#[test]
fn sign_test_and_quantiles_match_hand_values() {
    use relu_regions::train::stats::{quantile, sign_test};
    // 9 of 10 one way: p = 2 (C(10,0) + C(10,1)) / 1024 = 22/1024
    assert!((sign_test(9, 1) - 22.0 / 1024.0).abs() < 1e-12);
    assert!((sign_test(5, 5) - 1.0).abs() < 1e-12);
    assert_eq!(sign_test(0, 0), 1.0);
    assert_eq!(quantile(&[4.0, 1.0, 3.0, 2.0], 0.5), 2.5);
    assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.25), 2.0);
}
