//! Runs `experiment points` (quick mode unless `--full`) until the CLI has the subcommand:
//! `cargo run --example experiment_points -- [--full] [OUT_DIR] [SEED] [PCA_DIMS] [CLASSES]`.

use relu_regions::train::{run_points, PointsSettings};
use std::path::PathBuf;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let full = args.iter().any(|a| a == "--full");
    args.retain(|a| a != "--full");
    let out = PathBuf::from(args.first().cloned().unwrap_or_else(|| "out/points".into()));
    let seed = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut settings = PointsSettings::new(!full, out, seed);
    if let Some(d) = args.get(2).and_then(|s| s.parse().ok()) {
        settings.data = relu_regions::train::DataChoice::DigitsPca {
            path: "data/digits.csv".into(),
            dims: d,
            classes: args.get(3).and_then(|s| s.parse().ok()).unwrap_or(10),
        };
    }
    match run_points(&settings) {
        Ok(s) => println!(
            "train accuracy {:.3}\n{}\n({:.1} s; files in {:?})",
            s.final_train_accuracy, s.verdict, s.seconds, s.files
        ),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
