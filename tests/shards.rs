//! Counts past one machine from the command line (issue 15): split → shards → merge equals the
//! plain count; a time-limited shard's rest completes it; a checkpointed count killed with
//! SIGKILL (or stopped by SIGTERM) at random moments resumes to the uninterrupted count; files
//! of another network or domain are refused.

mod common;

use rand::{Rng, SeedableRng};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_relu-regions"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

/// Exit code 2 and `needles` on stderr.
fn assert_refused(args: &[&str], needles: &[&str]) {
    let out = run(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "args {args:?}: stderr {err}");
    assert!(!err.contains("panicked"), "panic for {args:?}: {err}");
    for n in needles {
        assert!(err.contains(n), "stderr for {args:?} lacks {n:?}: {err}");
    }
}

fn data(rel: &str) -> String {
    common::data_path(rel).display().to_string()
}

fn moons() -> String {
    data("moons-2-16-16-1.json")
}

fn digits() -> String {
    data("digits-mlp-64-16-16-10.onnx")
}

/// The digits net in an L2 ball around row 0 of the scaled digits.
fn digits_ball(radius: &str) -> Vec<String> {
    vec![
        digits(),
        "--center-file".into(),
        data("digits-scaled.csv"),
        "--row".into(),
        "0".into(),
        "--radius".into(),
        radius.into(),
    ]
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The plain count's regions (asserted exact).
fn plain_count(domain: &[String]) -> u64 {
    let mut args = vec!["count"];
    args.extend(strs(domain));
    args.extend(["--json", "--quiet", "--threads", "2"]);
    let v = json_of(&run(&args));
    assert_eq!(v["exact"], true, "{v}");
    v["regions"].as_u64().unwrap()
}

/// The shard files of `count DOMAIN --split n --out dir`, sorted.
fn split_into(domain: &[String], n: usize, dir: &Path) -> Vec<PathBuf> {
    let n = n.to_string();
    let out = dir.display().to_string();
    let mut args = vec!["count"];
    args.extend(strs(domain));
    args.extend(["--split", &n, "--out", &out, "--json", "--quiet"]);
    let v = json_of(&run(&args));
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            name.starts_with("shard-") && name.ends_with(".json") && !name.contains(".rest-")
        })
        .collect();
    files.sort();
    assert_eq!(v["shards"].as_u64().unwrap() as usize, files.len());
    // every shard file carries the estimate that balanced it, the same as the report's
    let expected = v["expected_regions"].as_array().unwrap();
    assert_eq!(expected.len(), files.len());
    for (file, e) in files.iter().zip(expected) {
        let shard: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        assert_eq!(&shard["expected_regions"], e);
        assert!(e.as_f64().unwrap() >= 0.0);
    }
    files
}

/// Counts shard `file` of `model` (extra options appended); returns the result file written
/// (through --result or stdout alternately) and the JSON.
fn count_shard(model: &str, file: &Path, extra: &[&str], via_result: bool) -> (PathBuf, Value) {
    let result = file.with_extension("result.json");
    let f = file.display().to_string();
    let r = result.display().to_string();
    let mut args = vec!["count", model, "--shard", &f, "--json", "--quiet"];
    args.extend(extra);
    if via_result {
        args.extend(["--result", &r]);
    }
    let out = run(&args);
    let v = json_of(&out);
    if !via_result {
        std::fs::write(&result, &out.stdout).unwrap();
    }
    (result, v)
}

fn merge(results: &[PathBuf]) -> Value {
    let files: Vec<String> = results.iter().map(|p| p.display().to_string()).collect();
    let mut args = vec!["merge", "--json"];
    args.extend(strs(&files));
    json_of(&run(&args))
}

#[test]
fn split_shards_and_merge_give_the_plain_count() {
    let dir = tempfile::tempdir().unwrap();
    let vnnlib = dir.path().join("box.vnnlib");
    std::fs::write(
        &vnnlib,
        "(declare-const X_0 Real)\n(declare-const X_1 Real)\n\
         (assert (>= X_0 -0.7))\n(assert (<= X_0 0.9))\n\
         (assert (>= X_1 -0.3))\n(assert (<= X_1 0.6))\n",
    )
    .unwrap();
    let cases: Vec<(&str, Vec<String>, usize)> = vec![
        (
            "moons l2",
            vec![
                moons(),
                "--center=0.3,-0.2".into(),
                "--radius".into(),
                "2".into(),
            ],
            5,
        ),
        (
            "moons box",
            vec![moons(), "--box-file".into(), vnnlib.display().to_string()],
            3,
        ),
        ("digits l2", digits_ball("0.5"), 4),
        (
            "digits linf",
            {
                let mut d = digits_ball("0.05");
                d.extend(["--norm".into(), "linf".into()]);
                d
            },
            3,
        ),
    ];
    for (k, (name, domain, n)) in cases.into_iter().enumerate() {
        let whole = plain_count(&domain);
        let out = dir.path().join(format!("case{k}"));
        let shards = split_into(&domain, n, &out);
        assert!(shards.len() >= n.min(whole as usize), "{name}: {shards:?}");
        let mut results = Vec::new();
        let mut sum = 0;
        for (i, shard) in shards.iter().enumerate() {
            let (result, v) = count_shard(&domain[0], shard, &["--threads", "2"], i % 2 == 0);
            assert_eq!(v["exact"], true, "{name}: {v}");
            assert_eq!(v["shard"]["rest_file"], Value::Null);
            sum += v["regions"].as_u64().unwrap();
            results.push(result);
        }
        assert_eq!(sum, whole, "{name}");
        let m = merge(&results);
        assert_eq!(m["exact"], true, "{name}: {m}");
        assert_eq!(m["regions"].as_u64().unwrap(), whole, "{name}");
        // a missing shard is reported, never counted as exact
        if results.len() > 1 {
            let m = merge(&results[1..]);
            assert_eq!(m["exact"], false, "{name}: {m}");
            assert_eq!(m["missing_shards"], serde_json::json!([0]));
            assert_eq!(m["upper"], Value::Null);
        }
        // the same result twice would count its parts twice: refused
        let twice = [
            results[0].display().to_string(),
            results[0].display().to_string(),
        ];
        assert_refused(
            &["merge", &twice[0], &twice[1]],
            &["counted by another result"],
        );
    }
}

#[test]
fn a_time_limited_shard_and_its_rests_merge_to_the_whole() {
    let dir = tempfile::tempdir().unwrap();
    let domain = digits_ball("0.8");
    let whole = plain_count(&domain);
    let shards = split_into(&domain, 2, dir.path());
    let mut results = Vec::new();
    let mut stopped = 0;
    for shard in &shards {
        let mut todo = shard.clone();
        loop {
            let (result, v) = count_shard(&digits(), &todo, &["--time-limit", "0.15"], false);
            results.push(result);
            match v["shard"]["rest_file"].as_str() {
                Some(rest) => {
                    stopped += 1;
                    assert_eq!(v["exact"], false);
                    assert_eq!(v["stopped_by"], "time limit");
                    assert!(Path::new(rest).exists());
                    todo = PathBuf::from(rest);
                }
                None => break,
            }
        }
    }
    assert!(stopped > 0, "some shard should hit its time limit");
    let m = merge(&results);
    assert_eq!(m["exact"], true, "{m}");
    assert_eq!(m["regions"].as_u64().unwrap(), whole);
    // without the rests' results, the unfinished parts are left: not exact
    let firsts: Vec<PathBuf> = results
        .iter()
        .filter(|p| !p.display().to_string().contains(".rest-"))
        .cloned()
        .collect();
    let m = merge(&firsts);
    assert_eq!(m["exact"], false, "{m}");
    assert!(!m["unfinished_left"].as_array().unwrap().is_empty());
    assert!(m["regions"].as_u64().unwrap() < whole);
    // a rest's result without the result of the shard it is the rest of: refused
    let rests: Vec<String> = results
        .iter()
        .map(|p| p.display().to_string())
        .filter(|p| p.contains(".rest-"))
        .collect();
    let mut args = vec!["merge"];
    args.extend(strs(&rests));
    assert_refused(&args, &["no unfinished part of the other results"]);
}

/// Runs `count … --checkpoint ck` and kills it (SIGKILL, or SIGTERM when `term`) after `delay`.
fn run_and_kill(args: &[String], delay: Duration, term: bool) {
    let mut child = bin()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary runs");
    std::thread::sleep(delay);
    if term {
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
    } else {
        let _ = child.kill(); // SIGKILL
    }
    let _ = child.wait();
}

#[test]
fn a_checkpointed_count_killed_at_random_moments_resumes_to_the_exact_count() {
    let dir = tempfile::tempdir().unwrap();
    let domain = digits_ball("0.8");
    let whole = plain_count(&domain);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(15);
    for trial in 0..5 {
        let ck = dir.path().join(format!("ck{trial}.json"));
        let ck_s = ck.display().to_string();
        let every = ["0.05", "0.1", "0.2"][trial % 3];
        let mut args: Vec<String> = vec!["count".into()];
        args.extend(domain.iter().cloned());
        args.extend(
            [
                "--checkpoint",
                &ck_s,
                "--checkpoint-every",
                every,
                "--threads",
                "2",
                "--quiet",
            ]
            .map(String::from),
        );
        run_and_kill(
            &args,
            Duration::from_millis(rng.gen_range(20..900)),
            trial == 4,
        );
        // resumed, and killed again at random once or twice
        let resume: Vec<String> = [
            "count",
            &digits(),
            "--resume",
            &ck_s,
            "--checkpoint-every",
            every,
            "--threads",
            "2",
            "--quiet",
        ]
        .map(String::from)
        .to_vec();
        if ck.exists() {
            for _ in 0..(trial % 3) {
                run_and_kill(
                    &resume,
                    Duration::from_millis(rng.gen_range(20..500)),
                    false,
                );
            }
        }
        let v = if ck.exists() {
            let mut a = strs(&resume);
            a.push("--json");
            json_of(&run(&a))
        } else {
            // killed before the first checkpoint was written: start over
            let mut a = strs(&args);
            a.push("--json");
            json_of(&run(&a))
        };
        assert_eq!(v["exact"], true, "trial {trial}: {v}");
        assert_eq!(v["regions"].as_u64().unwrap(), whole, "trial {trial}: {v}");
        assert_eq!(v["unfinished"], 0);
    }
    // a time limit writes the checkpoint too, and the resumed count finishes it
    let ck = dir.path().join("timed.json").display().to_string();
    let mut a = vec!["count"];
    a.extend(strs(&domain));
    a.extend([
        "--checkpoint",
        &ck,
        "--time-limit",
        "0.2",
        "--json",
        "--quiet",
    ]);
    let v = json_of(&run(&a));
    assert_eq!(v["exact"], false);
    assert_eq!(v["stopped_by"], "time limit");
    let v = json_of(&run(&[
        "count",
        &digits(),
        "--resume",
        &ck,
        "--json",
        "--quiet",
    ]));
    assert_eq!(v["exact"], true);
    assert_eq!(v["regions"].as_u64().unwrap(), whole);
}

#[test]
fn files_of_another_network_or_domain_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let moons_ball: Vec<String> = vec![
        moons(),
        "--center=0.3,-0.2".into(),
        "--radius".into(),
        "1".into(),
    ];
    let shards = split_into(&moons_ball, 2, &dir.path().join("a"));
    let shard = shards[0].display().to_string();
    // the shard of moons counted with the digits net
    assert_refused(
        &["count", &digits(), "--shard", &shard],
        &[&shard, "model_sha256"],
    );
    // a domain on the command line that is not the shard's
    assert_refused(
        &[
            "count",
            &moons(),
            "--shard",
            &shard,
            "--center=0.3,-0.2",
            "--radius",
            "0.5",
        ],
        &[&shard, "domain"],
    );
    // results of two domains do not merge
    let other: Vec<String> = vec![
        moons(),
        "--center=0.3,-0.2".into(),
        "--radius".into(),
        "0.5".into(),
    ];
    let shards_b = split_into(&other, 2, &dir.path().join("b"));
    let (ra, _) = count_shard(&moons(), &shards[0], &[], true);
    let (rb, _) = count_shard(&moons(), &shards_b[0], &[], true);
    let (ra, rb) = (ra.display().to_string(), rb.display().to_string());
    assert_refused(&["merge", &ra, &rb], &[&rb, "domain"]);
    // a checkpoint resumed with another network
    let ck = dir.path().join("ck.json").display().to_string();
    let mut a = vec!["count"];
    a.extend(strs(&moons_ball));
    a.extend(["--checkpoint", &ck, "--json", "--quiet"]);
    json_of(&run(&a));
    assert_refused(
        &["count", &digits(), "--resume", &ck],
        &[&ck, "model_sha256"],
    );
    // a shard is not a result
    assert_refused(&["merge", &shard], &[&shard, "format"]);
}

#[test]
fn a_shard_made_from_onnx_matches_the_network_converted_to_json() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("digits.json").display().to_string();
    assert!(run(&["convert", &digits(), &json]).status.success());
    let domain = digits_ball("0.5");
    let whole = plain_count(&domain);
    let shards = split_into(&domain, 2, &dir.path().join("s"));
    let results: Vec<PathBuf> = shards
        .iter()
        .map(|s| count_shard(&json, s, &[], true).0)
        .collect();
    let m = merge(&results);
    assert_eq!(m["exact"], true);
    assert_eq!(m["regions"].as_u64().unwrap(), whole);
}
