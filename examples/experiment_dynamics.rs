//! Runs `experiment dynamics` (quick mode unless `--full`) until the CLI has the subcommand:
//! `cargo run --example experiment_dynamics -- [--full] [OUT_DIR] [SEED] [PCA_DIMS] [CLASSES]`.

use relu_regions::train::{run_dynamics, DynamicsSettings};
use std::path::PathBuf;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let full = args.iter().any(|a| a == "--full");
    args.retain(|a| a != "--full");
    let out = PathBuf::from(
        args.first()
            .cloned()
            .unwrap_or_else(|| "out/dynamics".into()),
    );
    let seed = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut settings = DynamicsSettings::new(!full, out, seed);
    if let Some(d) = args.get(2).and_then(|s| s.parse().ok()) {
        settings.data = relu_regions::train::DataChoice::DigitsPca {
            path: "data/digits.csv".into(),
            dims: d,
            classes: args.get(3).and_then(|s| s.parse().ok()).unwrap_or(10),
        };
    }
    match run_dynamics(&settings) {
        Ok(s) => {
            for e in s.per_epoch.iter().filter(|e| e.group == "train") {
                println!(
                    "epoch {:3}: loss {:.3} acc {:.3}  train distance median {:.4} [{:.4}, {:.4}]  regions median {}",
                    e.epoch, e.loss, e.accuracy, e.distance_median, e.distance_q25, e.distance_q75, e.count_median
                );
            }
            println!(
                "{}\n({:.1} s; files in {:?})",
                s.verdict, s.seconds, s.files
            );
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
