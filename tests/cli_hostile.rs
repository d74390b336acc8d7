//! Issue 17's hostile and extreme inputs, each as the CLI meets it: every case ends with exit 0,
//! 1 or 2, one line on error naming the file or flag, within its limits, and never with an
//! impossible exact count. (The ONNX reader's deep-graph memory is covered with that reader.)
mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_relu-regions"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn moons() -> String {
    common::data_path("moons-2-16-16-1.json")
        .display()
        .to_string()
}

/// Bad input: exit 2, exactly one line on stderr, containing `needle`, no panic.
fn assert_one_line_error(args: &[&str], needle: &str) {
    let out = run(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?} lacks {needle:?}: {err}");
}

/// A successful run's JSON output.
fn json_of(args: &[&str]) -> Value {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

/// A closed stdout ends every printing command quietly: SIGPIPE's ending (or success when the
/// output fit in the pipe), never a panic message.
#[cfg(unix)]
#[test]
fn a_closed_stdout_ends_every_command_quietly() {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("s.svg").display().to_string();
    let chart = dir.path().join("p.svg").display().to_string();
    let m = moons();
    let c = "--center=0,0";
    for args in [
        vec!["count", &m, c, "--radius", "3"],
        vec!["count", &m, c, "--radius", "3", "--json"],
        vec!["bound", &m, c, "--radius", "3", "--json"],
        vec!["distance", &m, c],
        vec!["slice", &m, c, "--radius", "1", "--out", &svg],
        vec!["plot-bounds", &m, c, "--radii", "0.1:1:3", "--out", &chart],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_relu-regions"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let mut err = String::new();
        let mut stderr = child.stderr.take().unwrap();
        stderr.read_to_string(&mut err).unwrap();
        let status = child.wait().unwrap();
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(
            status.success() || status.signal() == Some(13),
            "{args:?}: {status:?} {err}"
        );
    }
}

/// `--time-limit` beyond 1e9 s is bad input on every command that takes one (it used to
/// overflow the deadline and panic).
#[test]
fn huge_time_limits_are_one_line_errors_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("s.svg").display().to_string();
    let m = moons();
    let c = "--center=0,0";
    for limit in ["1e19", "1e308", "18446744073709551616"] {
        for args in [
            vec!["count", &m, c, "--radius", "1"],
            vec!["bound", &m, c, "--radius", "1", "--method", "lp"],
            vec!["bound", &m, c, "--radius", "1", "--method", "split"],
            vec!["bound", &m, c, "--radius", "1", "--method", "all"],
            vec!["slice", &m, c, "--radius", "1", "--out", &svg],
            vec!["plot-bounds", &m, c, "--radii", "0.1,1", "--out", &svg],
        ] {
            let mut args = args.clone();
            args.extend(["--time-limit", limit]);
            assert_one_line_error(&args, "--time-limit");
        }
    }
}

/// Pictures wider than 8192 pixels are refused in one line before any work (65,536 panicked in
/// the PNG backend; 40,000 took 12 s and 4.7 GB).
#[test]
fn picture_widths_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("s.png").display().to_string();
    for width in ["65536", "46341", "40000", "8193", "15", "99999999999"] {
        assert_one_line_error(
            &[
                "slice",
                &moons(),
                "--center=0,0",
                "--radius",
                "1",
                "--out",
                &png,
                "--width",
                width,
            ],
            "--width",
        );
    }
}

/// Hostile .npy headers: a shape beyond the file, a header length beyond it, brackets nested in
/// `descr` or in any other value (the reader's header parser takes exponential time in the
/// nesting), a malformed dict: one line each, at once.
#[test]
fn hostile_npy_headers_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let f = |name: &str| dir.path().join(name);
    common::write_npy(
        &f("big.npy"),
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000, 2), }",
        b"",
    );
    let mut v2 = b"\x93NUMPY\x02\x00".to_vec();
    v2.extend(0xffff_ffffu32.to_le_bytes());
    v2.extend(b"{}");
    std::fs::write(f("len.npy"), v2).unwrap();
    let mut cases = vec![
        ("big.npy", "declares more data"),
        ("len.npy", "header length"),
        ("bad.npy", "bad.npy"),
    ];
    common::write_npy(
        &f("bad.npy"),
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x' }",
        &[0u8; 16],
    );
    let names: Vec<String> = [20usize, 5000]
        .iter()
        .flat_map(|&depth| {
            let nest = format!("{}('a','<f8'){}", "[".repeat(depth), "]".repeat(depth));
            let descr = format!("nest{depth}.npy");
            let other = format!("other{depth}.npy");
            common::write_npy(
                &f(&descr),
                &format!("{{'descr': {nest}, 'fortran_order': False, 'shape': (2,), }}"),
                &[0u8; 16],
            );
            common::write_npy(
                &f(&other),
                &format!("{{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': {nest}}}"),
                &[0u8; 16],
            );
            [descr, other]
        })
        .collect();
    cases.extend(names.iter().map(|n| (n.as_str(), "nested")));
    for (name, needle) in cases {
        let path = f(name).display().to_string();
        assert_one_line_error(
            &["count", &moons(), "--center-file", &path, "--radius", "0.1"],
            needle,
        );
        assert_one_line_error(
            &["count", &moons(), "--center-file", &path, "--radius", "0.1"],
            name,
        );
    }
}

/// VNN-LIB: nesting 40,000 deep (a stack overflow before), a box of zero width and a box with no
/// float inside name the file; `--row` with `--center` is bad input.
#[test]
fn bad_boxes_and_options_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let header = "(declare-const X_0 Real)\n(declare-const X_1 Real)\n";
    let deep = write(
        d,
        "deep.vnnlib",
        &format!(
            "{header}(assert {}(>= X_0 0){})\n",
            "(and ".repeat(40_000),
            ")".repeat(40_000)
        ),
    );
    assert_one_line_error(&["count", &moons(), "--box-file", &deep], "nested deeper");
    assert_one_line_error(&["count", &moons(), "--box-file", &deep], "deep.vnnlib");
    let flat = write(
        d,
        "flat.vnnlib",
        &format!("{header}(assert (>= X_0 0.2))\n(assert (<= X_0 0.2))\n(assert (>= X_1 0))\n(assert (<= X_1 1))\n"),
    );
    assert_one_line_error(&["count", &moons(), "--box-file", &flat], "flat.vnnlib");
    let tiny = write(
        d,
        "tiny.vnnlib",
        &format!("{header}(assert (>= X_0 0))\n(assert (<= X_0 5e-324))\n(assert (>= X_1 0))\n(assert (<= X_1 5e-324))\n"),
    );
    assert_one_line_error(&["count", &moons(), "--box-file", &tiny], "tiny.vnnlib");
    assert_one_line_error(
        &["count", &moons(), "--box-file", &tiny],
        "no floating-point number strictly inside",
    );
    assert_one_line_error(
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
}

/// A network 2 → 100,000 → 1 (as JSON): `count --time-limit` stops and says so (its set-up,
/// bounds for 10⁵ units, took seconds and gigabytes), `bound` and `bound --method all` answer,
/// and `slice` stops too (its polygons took 47 s after a 10 s count).
#[test]
fn a_wide_network_honours_the_time_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = wide_network(dir.path(), 100_000);
    let m = path.display().to_string();
    let v = json_of(&[
        "count",
        &m,
        "--center=0,0",
        "--radius",
        "1",
        "--time-limit",
        "1",
        "--json",
    ]);
    assert_eq!(v["exact"], false, "{v}");
    assert_eq!(v["stopped_by"], "time limit", "{v}");
    let b = json_of(&["bound", &m, "--center=0,0", "--radius", "1", "--json"]);
    assert!(b["bounds"]["local_analytic"].is_object(), "{b}");
    let all = json_of(&[
        "bound",
        &m,
        "--center=0,0",
        "--radius",
        "1",
        "--method",
        "all",
        "--time-limit",
        "1",
        "--json",
    ]);
    assert_eq!(all["bounds"]["certified"]["exact"], false, "{all}");
    // slice: the limit covers the polygons too (10⁵ lines each)
    let svg = dir.path().join("wide.svg").display().to_string();
    let s = json_of(&[
        "slice",
        &m,
        "--center=0,0",
        "--radius",
        "1",
        "--time-limit",
        "1",
        "--out",
        &svg,
        "--json",
    ]);
    assert_eq!(s["exact"], false, "{s}");
    assert!(
        s["polygons"].as_u64().unwrap() <= s["regions"].as_u64().unwrap(),
        "{s}"
    );
}

/// A JSON network 2 → `width` → 1 with seeded weights in [−1, 1].
fn wide_network(dir: &Path, width: usize) -> PathBuf {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
    let mut num = || format!("{:.6}", rng.gen_range(-1.0..1.0));
    let rows: Vec<String> = (0..width)
        .map(|_| format!("[{}, {}]", num(), num()))
        .collect();
    let bias: Vec<String> = (0..width).map(|_| num()).collect();
    let out: Vec<String> = (0..width).map(|_| num()).collect();
    let text = format!(
        r#"{{"layers": [{{"weight": [{}], "bias": [{}]}}, {{"weight": [[{}]], "bias": [0.0]}}]}}"#,
        rows.join(","),
        bias.join(","),
        out.join(",")
    );
    let path = dir.join("wide.json");
    std::fs::write(&path, text).unwrap();
    path
}

/// The two-moons net in growing balls: exact counts never fall as the radius grows (they fell
/// from 413 to 108 before the exactness work).
#[test]
fn counts_do_not_fall_as_the_ball_grows() {
    for norm in ["l2", "linf"] {
        let mut last = 0;
        for radius in ["1", "1e3", "1e6"] {
            let v = json_of(&[
                "count",
                &moons(),
                "--center=0,0",
                "--radius",
                radius,
                "--norm",
                norm,
                "--json",
            ]);
            assert_eq!(v["exact"], true, "{norm} {radius}: {v}");
            let n = v["regions"].as_u64().unwrap();
            assert!(n >= last, "{norm}: {n} regions at {radius}, {last} before");
            last = n;
        }
    }
}

/// Values near the float range are never an impossible exact answer: a weight of 1e308 and a box
/// [−1e308, 1e308] give an honest sandwich whose reason says what is out of range, and the
/// distance at a point of the 1e308 net is the true, positive one.
#[test]
fn extreme_values_are_out_of_range_not_exact() {
    let dir = tempfile::tempdir().unwrap();
    let mut net: Value = serde_json::from_str(&std::fs::read_to_string(moons()).unwrap()).unwrap();
    net["layers"][0]["weight"][0][0] = serde_json::json!(1e308);
    let m = write(dir.path(), "big-weight.json", &net.to_string());
    let v = json_of(&["count", &m, "--center=0,0", "--radius", "1", "--json"]);
    assert_eq!(v["exact"], false, "{v}");
    let why = v["stopped_by"].as_str().unwrap();
    assert!(
        why.contains("out of range") && why.contains("hidden layer 1"),
        "{why}"
    );
    assert!(v["regions"].as_u64().unwrap() >= 1, "{v}");
    let d = json_of(&["distance", &m, "--center=0.5,0.5", "--json"]);
    assert!(d["distance"].as_f64().unwrap() > 0.0, "{d}");
    let huge = write(
        dir.path(),
        "huge.vnnlib",
        "(declare-const X_0 Real)\n(declare-const X_1 Real)\n(assert (>= X_0 -1e308))\n(assert (<= X_0 1e308))\n(assert (>= X_1 -1))\n(assert (<= X_1 1))\n",
    );
    let v = json_of(&["count", &moons(), "--box-file", &huge, "--json"]);
    assert_eq!(v["exact"], false, "{v}");
    assert!(
        v["stopped_by"].as_str().unwrap().contains("out of range"),
        "{v}"
    );
}

/// The sanity invariant across radii exists: when a counter reports exact counts that fall as
/// the radius grows, `plot-bounds`' rows mark them not exact with the local bound as upper end.
#[test]
fn falling_exact_counts_are_not_reported_as_exact() {
    use relu_regions::plot::{bounds_vs_radius_with, CountCell};
    let net = relu_regions::Network::load(common::data_path("moons-2-16-16-1.json")).unwrap();
    let mut made = [413u64, 108].into_iter();
    let rows = bounds_vs_radius_with(
        &net,
        &ndarray::array![0.0, 0.0],
        relu_regions::Norm::L2,
        &[1e3, 1e12],
        |_| {
            let n = made.next().unwrap();
            Ok(Some(CountCell {
                exact: true,
                lower: n,
                upper: n.to_string(),
                log10_upper: (n as f64).log10(),
                near_tolerance: 0,
            }))
        },
    )
    .unwrap();
    for r in &rows {
        let c = r.count.as_ref().unwrap();
        assert!(!c.exact, "{r:?}");
        assert_eq!(c.upper, r.local_analytic);
    }
}
