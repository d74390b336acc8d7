#!/usr/bin/env bash
# The main job of README.md on a shipped example: installs missing build dependencies, builds the
# release binary, bounds and counts the linear regions around a digit image of data/digits.csv.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
cargo build --release --locked
bin=target/release/relu-regions
model=data/digits-mlp-64-16-16-10.onnx
set -x
$bin bound "$model" --center-file data/digits-scaled.csv --row 0 --radius 0.2
$bin count "$model" --center-file data/digits-scaled.csv --row 0 --radius 0.2 --time-limit 60
