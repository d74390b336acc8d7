//! End-to-end tests of the `relu-regions` binary as a user runs it: outputs, exit codes, errors.
mod common;

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_relu-regions"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

/// Bad input: exit code 2, one clear line on stderr containing `needle`, never a panic.
fn assert_bad_input(args: &[&str], needle: &str) {
    let out = run(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "args {args:?}: stderr {err}");
    assert!(!err.contains("panicked"), "panic for {args:?}: {err}");
    assert!(
        err.contains(needle),
        "stderr for {args:?} lacks {needle:?}: {err}"
    );
}

fn moons() -> String {
    common::data_path("moons-2-16-16-1.json")
        .display()
        .to_string()
}

#[test]
fn bound_json_has_every_bound_in_order() {
    let out = run(&[
        "bound",
        &moons(),
        "--center=0.3,-0.2",
        "--radius",
        "0.25",
        "--json",
    ]);
    let v = json_of(&out);
    assert_eq!(v["input_dim"], 2);
    assert_eq!(v["hidden"], serde_json::json!([16, 16]));
    assert_eq!(v["norm"], "l2");
    assert_eq!(v["radius"], 0.25);
    let big = |k: &str| {
        v["bounds"][k]["value"]
            .as_str()
            .unwrap()
            .parse::<u128>()
            .unwrap()
    };
    let (m, s, l) = (big("montufar2017"), big("serra2018"), big("local_analytic"));
    assert!(l <= s && s <= m, "local {l} serra {s} montufar {m}");
    // n0 = 2, widths 16,16: Serra's sum is below Montúfar's product (17·... ) and both are positive
    assert!(l >= 1);
    let layers = v["bounds"]["local_analytic"]["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 2);
    for layer in layers {
        let sum = layer["unstable"].as_u64().unwrap()
            + layer["stably_active"].as_u64().unwrap()
            + layer["stably_inactive"].as_u64().unwrap();
        assert_eq!(sum, layer["width"].as_u64().unwrap());
    }
}

#[test]
fn bound_text_is_a_table() {
    let out = run(&[
        "bound",
        &moons(),
        "--center",
        "-0.3,0.2",
        "--radius",
        "0.1",
        "--norm",
        "linf",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for word in ["montufar2017", "serra2018", "local_analytic", "linf"] {
        assert!(text.contains(word), "missing {word} in\n{text}");
    }
}

#[test]
fn count_json_matches_witness_file_and_sampling() {
    let dir = tempfile::tempdir().unwrap();
    let wit = dir.path().join("w.jsonl");
    let out = run(&[
        "count",
        &moons(),
        "--center=0.3,-0.2",
        "--radius",
        "0.5",
        "--json",
        "--quiet",
        "--witnesses",
        wit.to_str().unwrap(),
    ]);
    let v = json_of(&out);
    assert_eq!(v["exact"], true);
    let regions = v["regions"].as_u64().unwrap();
    assert_eq!(v["lower"].as_u64().unwrap(), regions);
    assert_eq!(v["upper"].as_str().unwrap(), regions.to_string());
    let lines: Vec<Value> = std::fs::read_to_string(&wit)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len() as u64, regions);
    // every witness reproduces its pattern and lies in the open ball
    let net = relu_regions::formats::load_network(Path::new(&moons()))
        .unwrap()
        .network;
    let c = ndarray::array![0.3, -0.2];
    let mut seen = std::collections::HashSet::new();
    for l in &lines {
        let p: Vec<f64> = l["point"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        let x = ndarray::Array1::from(p);
        assert!((&x - &c).dot(&(&x - &c)).sqrt() < 0.5);
        assert_eq!(
            net.activation_pattern(x.view()).to_compact(),
            l["pattern"].as_str().unwrap()
        );
        assert!(
            seen.insert(l["pattern"].as_str().unwrap().to_string()),
            "duplicate pattern"
        );
    }
    // dense sampling finds no pattern the count missed
    let domain = relu_regions::Domain::ball(c, 0.5, relu_regions::Norm::L2).unwrap();
    for p in common::sampled_patterns(&net, &domain, 20_000, 7) {
        assert!(
            seen.contains(&p.to_compact()),
            "sampling found an uncounted region {}",
            p.to_compact()
        );
    }
}

#[test]
fn count_time_limit_gives_an_honest_sandwich() {
    let out = run(&[
        "count",
        &moons(),
        "--center=0,0",
        "--radius",
        "3",
        "--max-regions",
        "5",
        "--json",
        "--quiet",
    ]);
    let v = json_of(&out);
    assert_eq!(v["exact"], false);
    let lower = v["lower"].as_u64().unwrap();
    let upper: u128 = v["upper"].as_str().unwrap().parse().unwrap();
    assert!(lower >= 5);
    assert!(upper as f64 >= lower as f64);
    let full = json_of(&run(&[
        "count",
        &moons(),
        "--center=0,0",
        "--radius",
        "3",
        "--json",
        "--quiet",
    ]));
    let exact = full["regions"].as_u64().unwrap() as u128;
    assert!(
        lower as u128 <= exact && exact <= upper,
        "{lower} <= {exact} <= {upper}"
    );
}

#[test]
fn convert_round_trip_keeps_the_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let onnx = dir.path().join("m.onnx");
    let back = dir.path().join("m.json");
    assert!(run(&["convert", &moons(), onnx.to_str().unwrap()])
        .status
        .success());
    assert!(
        run(&["convert", onnx.to_str().unwrap(), back.to_str().unwrap()])
            .status
            .success()
    );
    let a = relu_regions::formats::load_network(Path::new(&moons()))
        .unwrap()
        .network;
    let b = relu_regions::formats::load_network(&back).unwrap().network;
    assert_eq!(a, b);
}

#[test]
fn bad_inputs_get_clear_errors_and_exit_2() {
    let m = moons();
    assert_bad_input(
        &["bound", &m, "--center=0.1,0.2", "--radius", "0"],
        "expected a finite number > 0",
    );
    assert_bad_input(
        &["bound", &m, "--center=0.1,0.2", "--radius", "-1"],
        "expected a finite number > 0",
    );
    assert_bad_input(
        &["bound", &m, "--center=0.1,0.2", "--radius", "nan"],
        "expected a finite number > 0",
    );
    assert_bad_input(
        &["bound", &m, "--center=0.1,0.2,0.3", "--radius", "1"],
        "2 inputs",
    );
    assert_bad_input(&["bound", &m, "--center=0.1,abc", "--radius", "1"], "abc");
    assert_bad_input(
        &[
            "bound",
            "no/such/file.onnx",
            "--center=0.1",
            "--radius",
            "1",
        ],
        "no/such/file.onnx",
    );
    assert_bad_input(
        &["bound", "Cargo.toml", "--center=0.1", "--radius", "1"],
        "Cargo.toml",
    );
    assert_bad_input(&["bound", &m, "--radius", "1"], "center");
    assert_bad_input(
        &[
            "bound",
            &m,
            "--center=0.1,0.2",
            "--radius",
            "1",
            "--norm",
            "l7",
        ],
        "l7",
    );
    assert_bad_input(
        &[
            "bound",
            &m,
            "--center=0.1,0.2",
            "--radius",
            "1",
            "--raw-input",
        ],
        "normalization",
    );
    assert_bad_input(
        &[
            "count",
            &m,
            "--center=0.1,0.2",
            "--radius",
            "1",
            "--threads",
            "0",
        ],
        "--threads",
    );
    assert_bad_input(
        &[
            "count",
            &m,
            "--center=0.1,0.2",
            "--radius",
            "1",
            "--time-limit",
            "-3",
        ],
        "expected a number of seconds > 0",
    );
    assert_bad_input(
        &[
            "count",
            &m,
            "--center=0.1,0.2",
            "--radius",
            "1",
            "--norm",
            "l2",
            "--solver",
            "highs",
        ],
        "highs",
    );
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        r#"{"layers": [{"weight": [[1.0, NaN]], "bias": [0.0]}"#,
    )
    .unwrap();
    assert_bad_input(
        &[
            "bound",
            broken.to_str().unwrap(),
            "--center=0,0",
            "--radius",
            "1",
        ],
        "broken.json",
    );
    let truncated = dir.path().join("t.onnx");
    let onnx = dir.path().join("ok.onnx");
    assert!(run(&["convert", &m, onnx.to_str().unwrap()])
        .status
        .success());
    let bytes = std::fs::read(&onnx).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    assert_bad_input(
        &[
            "bound",
            truncated.to_str().unwrap(),
            "--center=0,0",
            "--radius",
            "1",
        ],
        "t.onnx",
    );
}

#[test]
fn shipped_digits_example_runs() {
    let model = common::data_path("digits-mlp-64-16-16-10.onnx");
    let points = common::data_path("digits-scaled.csv");
    let out = run(&[
        "bound",
        model.to_str().unwrap(),
        "--center-file",
        points.to_str().unwrap(),
        "--row",
        "3",
        "--radius",
        "0.5",
        "--json",
    ]);
    let v = json_of(&out);
    assert_eq!(v["input_dim"], 64);
    assert_eq!(v["hidden"], serde_json::json!([16, 16]));
    // a table without --row is refused with the number of rows
    assert_bad_input(
        &[
            "bound",
            model.to_str().unwrap(),
            "--center-file",
            points.to_str().unwrap(),
            "--radius",
            "0.5",
        ],
        "--row",
    );
}

#[test]
fn every_shared_benchmark_gives_the_bound_json() {
    let Some(dir) = common::shared_path("benchmarks") else {
        return;
    };
    let mut seen = 0;
    for sub in ["acasxu", "nnet", "onnx"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if ext != "onnx" && ext != "nnet" {
                continue;
            }
            let net = relu_regions::formats::load_network(&path).unwrap().network;
            let center = vec!["0.01"; net.input_dim()].join(",");
            let out = run(&[
                "bound",
                path.to_str().unwrap(),
                &format!("--center={center}"),
                "--radius",
                "0.02",
                "--norm",
                "linf",
                "--json",
            ]);
            let v = json_of(&out);
            assert_eq!(v["input_dim"].as_u64().unwrap() as usize, net.input_dim());
            assert!(
                v["bounds"]["local_analytic"]["log10"].as_f64().unwrap()
                    <= v["bounds"]["serra2018"]["log10"].as_f64().unwrap() + 1e-9
            );
            seen += 1;
        }
    }
    assert!(seen >= 13, "only {seen} benchmark networks found");
}

#[test]
fn slice_draws_exactly_the_counted_regions() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("s.svg");
    let out = run(&[
        "slice",
        &moons(),
        "--center=0.3,-0.2",
        "--radius",
        "0.5",
        "--out",
        svg.to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    let v = json_of(&out);
    // a 2-D network: the slice is the input space, so the count equals `count`'s
    let count = json_of(&run(&[
        "count",
        &moons(),
        "--center=0.3,-0.2",
        "--radius",
        "0.5",
        "--json",
        "--quiet",
    ]));
    assert_eq!(v["regions"], count["regions"]);
    assert_eq!(v["polygons"], count["regions"]);
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("<svg"));
    let png = dir.path().join("s.png");
    let out = run(&[
        "slice",
        &moons(),
        "--center=0.3,-0.2",
        "--radius",
        "0.5",
        "--norm",
        "linf",
        "-o",
        png.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(&std::fs::read(&png).unwrap()[..8], b"\x89PNG\r\n\x1a\n");
    assert_bad_input(
        &[
            "slice",
            &moons(),
            "--center=0,0",
            "--radius",
            "1",
            "--plane",
            "1,0",
            "-o",
            "x.svg",
        ],
        "--plane",
    );
    assert_bad_input(
        &[
            "slice",
            &moons(),
            "--center=0,0",
            "--radius",
            "1",
            "-o",
            "x.gif",
        ],
        "x.gif",
    );
}

/// `assert_bad_input` for `slice` on the 2-input moons network around (0, 0), radius 1, with
/// `extra` arguments; returns the error line.
fn slice_error(extra: &[&str], needle: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("s.svg");
    let m = moons();
    let mut args = vec![
        "slice",
        &m,
        "--center=0,0",
        "--radius",
        "1",
        "-o",
        svg.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    assert_bad_input(&args, needle);
    String::from_utf8_lossy(&run(&args).stderr).into_owned()
}

#[test]
fn slice_axes_errors_speak_of_the_users_1_based_numbers() {
    // the network has inputs 1 and 2: input 3 is the user's, not the library's 0-based 2
    let err = slice_error(&["--axes", "1", "3"], "--axes");
    assert!(err.contains("input 3") && err.contains("1 to 2"), "{err}");
    assert!(!err.contains("0 2") && !err.contains("0-based"), "{err}");
    let err = slice_error(&["--axes", "2", "2"], "--axes");
    assert!(err.contains("same axis") && !err.contains("1 1"), "{err}");
    slice_error(&["--axes", "0", "1"], "--axes: 0 1");
}

#[test]
fn slice_plane_errors_name_the_plane_flag() {
    // a bad number in a direction of --plane names --plane, not another flag, and no other
    // error's text is rewritten into it
    let err = slice_error(&["--plane", "1,0;0,x"], "--plane (direction 2)");
    assert!(err.contains("value 2 (\"x\") at character 3"), "{err}");
    assert!(
        !err.contains("--directions") && !err.contains("--center"),
        "{err}"
    );
    slice_error(
        &["--plane", "1,0,0;0,1"],
        "--plane (direction 1) has 3 values",
    );
    slice_error(&["--plane", "1,0;2,0"], "--plane (direction 2)");
    slice_error(&["--plane", "0,0;0,1"], "--plane (direction 1)");
    let err = slice_error(&["--through", "1,y", "0,1"], "--through P1");
    assert!(!err.contains("--center"), "{err}");
    slice_error(&["--through", "1,0", "0,1,2"], "--through P2 has 3 values");
    slice_error(&["--through", "0,0", "0,1"], "--through P1");
}

#[test]
fn plot_bounds_rows_are_ordered_and_hold_the_count() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("b.svg");
    let out = run(&[
        "plot-bounds",
        &moons(),
        "--center=0.3,-0.2",
        "--radii",
        "0.1:0.5:3",
        "--out",
        svg.to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    let rows = json_of(&out);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    let mut last = 0u64;
    for r in rows {
        let local: u128 = r["local_analytic"].as_str().unwrap().parse().unwrap();
        let count = r["count"]["lower"].as_u64().unwrap();
        assert_eq!(r["count"]["exact"], true);
        assert!(
            count as u128 <= local,
            "count {count} > local bound {local}"
        );
        assert!(count >= last, "count fell as the radius grew");
        last = count;
    }
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
    assert_bad_input(
        &[
            "plot-bounds",
            &moons(),
            "--center=0,0",
            "--radii",
            "0:1:3",
            "-o",
            "b.svg",
        ],
        "radii",
    );
}

#[test]
fn distance_matches_the_first_flip_along_a_ray() {
    let v = json_of(&run(&["distance", &moons(), "--center=0.3,-0.2", "--json"]));
    let d = v["distance"].as_f64().unwrap();
    assert!(d > 0.0);
    // walking any direction from the center, the pattern cannot change before distance d
    let net = relu_regions::formats::load_network(Path::new(&moons()))
        .unwrap()
        .network;
    let c = ndarray::array![0.3, -0.2];
    let p0 = net.activation_pattern(c.view());
    for k in 0..360 {
        let t = (k as f64).to_radians();
        let x = &c + &(ndarray::array![t.cos(), t.sin()] * (d * (1.0 - 1e-9)));
        assert_eq!(
            net.activation_pattern(x.view()),
            p0,
            "pattern changed before the distance"
        );
    }
}

#[test]
fn experiments_run_in_quick_mode_and_write_their_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dyn");
    let data = common::data_path("digits.csv");
    let args = [
        "experiment",
        "dynamics",
        "--quick",
        "--out",
        out.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--epochs",
        "3",
        "--points",
        "8",
        "--json",
    ];
    let v = json_of(&run(&args));
    assert!(v["verdict"].as_str().unwrap().contains("Finding (a)"));
    for f in [
        "dynamics.csv",
        "dynamics_summary.json",
        "distance_vs_epoch.png",
        "count_vs_epoch.svg",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let out = dir.path().join("pts");
    let v = json_of(&run(&[
        "experiment",
        "points",
        "--quick",
        "--out",
        out.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--epochs",
        "3",
        "--points",
        "8",
        "--json",
    ]));
    assert!(v["verdict"].as_str().unwrap().contains("Finding (b)"));
    assert!(out.join("points.csv").exists());
    assert_eq!(
        &std::fs::read(out.join("points_counts.png")).unwrap()[..4],
        b"\x89PNG"
    );
    // several seeds: one folder each and a combined verdict naming every comparison group
    let out = dir.path().join("seeds");
    let v = json_of(&run(&[
        "experiment",
        "points",
        "--quick",
        "--seeds",
        "2",
        "--out",
        out.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--epochs",
        "2",
        "--points",
        "6",
        "--json",
    ]));
    assert_eq!(v["runs"].as_array().unwrap().len(), 2);
    let combined = v["combined"].as_str().unwrap();
    for g in ["test", "uniform", "gaussian"] {
        assert!(combined.contains(&format!("vs {g}")), "{combined}");
    }
    assert!(out.join("seed_0/points.csv").exists() && out.join("seed_1/points.csv").exists());
}

#[test]
fn train_writes_a_model_every_command_can_read() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t");
    let data = common::data_path("digits.csv");
    let v = json_of(&run(&[
        "train",
        "--digits",
        data.to_str().unwrap(),
        "--epochs",
        "4",
        "--hidden",
        "8,8",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]));
    let hist = v["history"].as_array().unwrap();
    assert_eq!(hist.len(), 5, "epochs 0..=4");
    assert!(
        hist[4]["loss"].as_f64().unwrap() < hist[0]["loss"].as_f64().unwrap(),
        "training did not lower the loss"
    );
    let a = relu_regions::formats::load_network(&out.join("model.json"))
        .unwrap()
        .network;
    let b = relu_regions::formats::load_network(&out.join("model.onnx"))
        .unwrap()
        .network;
    assert_eq!(a, b);
    assert_eq!(a.hidden_widths(), vec![8, 8]);
    assert!(out.join("checkpoints/epoch_004.onnx").exists());
    assert_bad_input(
        &["train", "--hidden", "8,0", "--out", out.to_str().unwrap()],
        "--hidden",
    );
    assert_bad_input(
        &["train", "--data", "mnist", "--out", out.to_str().unwrap()],
        "--data",
    );
}

/// Issue 10 through every consumer of the enumerator: a 1-input net whose middle region is 10⁻⁶
/// wide at x = 10⁴ (units x − 10⁴ and x − 10⁴ − 10⁻⁶; truth 3 in the ball of radius 1, by the 1-D
/// argument) is counted 3 by `count`, certified 3 ≤ N ≤ 3 by `bound --method all`, and gives the
/// same exact JSON with the exact fallback off (floating point alone settles it in the domain's
/// unit coordinates).
#[test]
fn a_far_ball_is_counted_exactly_by_count_and_bound_all() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("far.json");
    std::fs::write(
        &model,
        r#"{"layers": [{"weight": [[1.0], [1.0]], "bias": [-10000.0, -10000.000001]},
                       {"weight": [[1.0, 1.0]], "bias": [0.0]}]}"#,
    )
    .unwrap();
    let m = model.display().to_string();
    for extra in [None, Some("--no-exact-fallback")] {
        let mut args = vec!["count", &m, "--center=10000", "--radius", "1", "--json"];
        args.extend(extra);
        let v = json_of(&run(&args));
        assert_eq!(v["exact"], true, "{v}");
        assert_eq!(v["regions"], 3, "{v}");
        assert_eq!(v["undecided"], 0, "{v}");
    }
    let b = json_of(&run(&[
        "bound",
        &m,
        "--center=10000",
        "--radius",
        "1",
        "--method",
        "all",
        "--json",
    ]));
    let sandwich = &b["bounds"]["certified"];
    assert_eq!(sandwich["lower"], "3", "{b}");
    assert_eq!(sandwich["upper"], "3", "{b}");
}

/// A `--time-limit` past the clock's range is bad input (it used to overflow the deadline and
/// panic), on every command that takes one.
#[test]
fn huge_time_limits_are_bad_input() {
    for limit in ["1e19", "1e308", "18446744073709551616"] {
        assert_bad_input(
            &[
                "count",
                &moons(),
                "--center=0,0",
                "--radius",
                "1",
                "--time-limit",
                limit,
            ],
            "--time-limit",
        );
        assert_bad_input(
            &[
                "bound",
                &moons(),
                "--center=0,0",
                "--radius",
                "1",
                "--method",
                "all",
                "--time-limit",
                limit,
            ],
            "--time-limit",
        );
    }
}

/// A reader that closes stdout early (`… | head -c 1`) ends the program quietly: no panic
/// message, and the conventional SIGPIPE ending (or success when the output fit in the pipe).
#[cfg(unix)]
#[test]
fn a_closed_stdout_ends_quietly() {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    for args in [
        vec!["count", &moons(), "--center=0,0", "--radius", "3", "--json"],
        vec!["bound", &moons(), "--center=0,0", "--radius", "3", "--json"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_relu-regions"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader is gone before anything is written
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let status = child.wait().unwrap();
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(
            status.success() || status.signal() == Some(13),
            "{args:?}: {status:?} {err}"
        );
    }
}

/// Issue 17's small input defects: each is bad input with one clear line naming what is wrong.
#[test]
fn more_bad_inputs_get_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    // a VNN-LIB property nested 40,000 deep used to overflow the stack
    let deep = dir.path().join("deep.vnnlib");
    std::fs::write(
        &deep,
        format!(
            "(declare-const X_0 Real)\n(declare-const X_1 Real)\n(assert {}(>= X_0 0){})\n",
            "(and ".repeat(40_000),
            ")".repeat(40_000)
        ),
    )
    .unwrap();
    let deep = deep.display().to_string();
    assert_bad_input(&["count", &moons(), "--box-file", &deep], "nested deeper");
    // a box of zero width names the file
    let flat = dir.path().join("flat.vnnlib");
    std::fs::write(
        &flat,
        "(declare-const X_0 Real)\n(declare-const X_1 Real)\n(assert (>= X_0 0.2))\n(assert (<= X_0 0.2))\n(assert (>= X_1 0))\n(assert (<= X_1 1))\n",
    )
    .unwrap();
    let flat = flat.display().to_string();
    assert_bad_input(&["count", &moons(), "--box-file", &flat], "flat.vnnlib");
    // --row means nothing with --center
    assert_bad_input(
        &[
            "count",
            &moons(),
            "--center=0,0",
            "--row",
            "1",
            "--radius",
            "1",
        ],
        "--row",
    );
    // a picture too wide for the PNG backend
    let out = dir.path().join("s.png").display().to_string();
    assert_bad_input(
        &[
            "slice",
            &moons(),
            "--center=0,0",
            "--radius",
            "1",
            "--axes",
            "0",
            "1",
            "--out",
            &out,
            "--width",
            "65536",
        ],
        "--width",
    );
}

/// Hostile .npy headers (issue 17): a shape far beyond the file, a header length beyond it, a
/// deeply nested `descr`, a malformed dict — each is one clear line and exit 2, before anything
/// is allocated from the header or parsed in exponential time.
#[test]
fn hostile_npy_headers_are_refused_up_front() {
    let npy = common::write_npy;
    let dir = tempfile::tempdir().unwrap();
    let f = |name: &str| dir.path().join(name);
    npy(
        &f("big.npy"),
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000, 2), }",
        b"",
    );
    let mut v2 = b"\x93NUMPY\x02\x00".to_vec();
    v2.extend(0xffff_ffffu32.to_le_bytes());
    v2.extend(b"{}");
    std::fs::write(f("len.npy"), v2).unwrap();
    let nested = format!("{}('a','<f8'){}", "[".repeat(20), "]".repeat(20));
    npy(
        &f("nest.npy"),
        &format!("{{'descr': {nested}, 'fortran_order': False, 'shape': (2,), }}"),
        &[0u8; 16],
    );
    npy(
        &f("bad.npy"),
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x' }",
        &[0u8; 16],
    );
    for (name, needle) in [
        ("big.npy", "declares more data"),
        ("len.npy", "header length"),
        ("nest.npy", "nested"),
        ("bad.npy", "bad.npy"),
    ] {
        let path = f(name).display().to_string();
        assert_bad_input(
            &["count", &moons(), "--center-file", &path, "--radius", "0.1"],
            needle,
        );
        let out = run(&["count", &moons(), "--center-file", &path, "--radius", "0.1"]);
        assert_eq!(
            String::from_utf8_lossy(&out.stderr).lines().count(),
            1,
            "{name}"
        );
    }
}

#[test]
fn count_certificate_then_check_verifies_and_catches_a_changed_file() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("moons.cert");
    let cert_s = cert.display().to_string();
    let count = json_of(&run(&[
        "count",
        &moons(),
        "--center=0.3,-0.2",
        "--radius",
        "0.5",
        "--certificate",
        &cert_s,
        "--json",
    ]));
    let regions = count["regions"].as_u64().unwrap();
    assert!(count["exact"].as_bool().unwrap());
    let c = &count["certificate"];
    assert_eq!(c["path"], cert_s.as_str());
    assert_eq!(
        c["bytes"].as_u64().unwrap(),
        std::fs::metadata(&cert).unwrap().len()
    );
    assert_eq!(c["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(c["regions"].as_u64().unwrap(), regions);
    assert_eq!(c["exact"], true);

    // text verdict, exit 0
    let out = run(&["check", &moons(), &cert_s]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!("verified: {regions} regions (exact)")),
        "{text}"
    );
    let v = json_of(&run(&["check", &moons(), &cert_s, "--json"]));
    assert_eq!(v["regions"].as_u64().unwrap(), regions);
    assert_eq!(v["exact"], true);

    // another model: exit 1, the hash named
    let other = dir.path().join("other.json");
    let text = std::fs::read_to_string(moons()).unwrap();
    std::fs::write(&other, text.replacen("0.", "0.0", 1)).unwrap();
    let out = run(&["check", &other.display().to_string(), &cert_s]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("NOT VERIFIED"));

    // a truncated certificate: exit 2, one line naming the file
    let bytes = std::fs::read(&cert).unwrap();
    let cut = dir.path().join("cut.cert");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    assert_bad_input(&["check", &moons(), &cut.display().to_string()], "cut.cert");
}

#[test]
fn bound_lp_certificate_then_check_verifies_and_catches_a_changed_file() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("moons.bound");
    let cert_s = cert.display().to_string();
    let args = [
        "bound",
        &moons(),
        "--center=0.3,-0.2",
        "--radius",
        "0.5",
        "--method",
        "lp",
    ];
    let plain = json_of(&run(&[&args[..], &["--json"]].concat()));
    let bound = json_of(&run(
        &[&args[..], &["--certificate", &cert_s, "--json"]].concat()
    ));
    let value = bound["bounds"]["local_lp"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        value,
        plain["bounds"]["local_lp"]["value"].as_str().unwrap()
    );
    let c = &bound["certificate"];
    assert_eq!(c["path"], cert_s.as_str());
    assert_eq!(
        c["bytes"].as_u64().unwrap(),
        std::fs::metadata(&cert).unwrap().len()
    );
    assert_eq!(c["sha256"].as_str().unwrap().len(), 64);

    // text verdict, exit 0; JSON verdict
    let out = run(&["check", &moons(), &cert_s]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!(
            "verified: the local bound is at most {value} (lp)"
        )),
        "{text}"
    );
    let v = json_of(&run(&["check", &moons(), &cert_s, "--json"]));
    assert_eq!(v["kind"], "bound");
    assert_eq!(v["bound"].as_str().unwrap(), value);

    // another model: exit 1
    let other = dir.path().join("other.json");
    let text = std::fs::read_to_string(moons()).unwrap();
    std::fs::write(&other, text.replacen("0.", "0.0", 1)).unwrap();
    let out = run(&["check", &other.display().to_string(), &cert_s]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("NOT VERIFIED"));

    // truncated: exit 2 naming the file; --certificate without --method lp: exit 2
    let bytes = std::fs::read(&cert).unwrap();
    let cut = dir.path().join("cut.bound");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    assert_bad_input(
        &["check", &moons(), &cut.display().to_string()],
        "cut.bound",
    );
    assert_bad_input(
        &[
            "bound",
            &moons(),
            "--center=0.3,-0.2",
            "--radius",
            "0.5",
            "--certificate",
            &cert_s,
        ],
        "--method lp",
    );
}

/// Ctrl-C during a count (a real MNIST image, a box far too large to finish): the CLI prints the
/// honest partial result, marked not exact and stopped by "cancelled", and exits with 130.
#[cfg(unix)]
/// Runs the CLI with `args`, sends it SIGINT (Ctrl-C) after 3 s (long enough for the model to
/// load and the work, with its Ctrl-C handler, to start) and returns what it printed.
fn interrupted_after_3_s(args: &[&str]) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_relu-regions"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    std::thread::sleep(std::time::Duration::from_secs(3));
    // SAFETY: sending SIGINT to our own child process.
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(sent, 0);
    child.wait_with_output().expect("the binary ends")
}

#[test]
fn an_interrupted_count_prints_its_partial_result() {
    let (Some(model), Some(images)) = (
        common::shared_path("benchmarks/onnx/mnist-net_256x2.onnx"),
        common::shared_path("benchmarks/mnist/images.csv"),
    ) else {
        return;
    };
    let (model, images) = (model.display().to_string(), images.display().to_string());
    let out = interrupted_after_3_s(&[
        "count",
        &model,
        "--center-file",
        &images,
        "--row",
        "0",
        "--norm",
        "linf",
        "--radius",
        "0.05",
        "--threads",
        "1",
        "--time-limit",
        "600",
        "--json",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "stderr: {err}");
    assert!(err.contains("interrupted"), "{err}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(v["exact"], false);
    assert_eq!(v["stopped_by"], "cancelled");
    let lower = v["lower"].as_u64().unwrap();
    let upper: num_bigint::BigUint = v["upper"].as_str().unwrap().parse().unwrap();
    assert_eq!(v["regions"].as_u64(), Some(lower));
    assert!(num_bigint::BigUint::from(lower) <= upper);
    assert!(v["elapsed_s"].as_f64().unwrap() < 300.0);
}

/// Ctrl-C during `bound --method all` prints the bounds reached (still certified), exit 130.
#[test]
fn an_interrupted_bound_prints_the_bounds_it_reached() {
    let (Some(model), Some(images)) = (
        common::shared_path("benchmarks/onnx/mnist-net_256x2.onnx"),
        common::shared_path("benchmarks/mnist/images.csv"),
    ) else {
        return;
    };
    let (model, images) = (model.display().to_string(), images.display().to_string());
    let out = interrupted_after_3_s(&[
        "bound",
        &model,
        "--center-file",
        &images,
        "--row",
        "0",
        "--norm",
        "linf",
        "--radius",
        "0.05",
        "--method",
        "all",
        "--threads",
        "1",
        "--json",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "stderr: {err}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let certified = &v["bounds"]["certified"];
    assert_eq!(certified["exact"], false);
    let upper: num_bigint::BigUint = certified["upper"].as_str().unwrap().parse().unwrap();
    let lower: num_bigint::BigUint = certified["lower"].as_str().unwrap().parse().unwrap();
    let analytic: num_bigint::BigUint = v["bounds"]["local_analytic"]["value"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    // the count there is at least nnenum's 149 of the smaller box e = 0.02
    assert!(lower >= 1u32.into() && upper >= 149u32.into() && upper <= analytic);
    assert!(certified["seconds"].as_f64().unwrap() < 300.0);
}

/// `--threads` takes 1 to 1024 on every command that counts or bounds: a million threads would
/// take seconds to start (and Ctrl-C could not stop it), 0 is no thread.
#[test]
fn thread_counts_are_checked_on_every_command() {
    let m = moons();
    for threads in ["0", "5000"] {
        let needle = format!("--threads: {threads} is not valid; expected 1 to 1024");
        let c = [
            "--center=0.3,-0.2",
            "--radius",
            "0.25",
            "--threads",
            threads,
        ];
        assert_bad_input(&[&["count", &m][..], &c].concat(), &needle);
        let b = [&["bound", &m][..], &c, &["--method", "lp"]].concat();
        assert_bad_input(&b, &needle);
        let s = [&["slice", &m][..], &c, &["--out", "/tmp/never-written.svg"]].concat();
        assert_bad_input(&s, &needle);
    }
}
