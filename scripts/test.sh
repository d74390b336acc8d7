#!/usr/bin/env bash
# The test command of README.md: installs missing build dependencies, then runs every test: the
# Rust tests (cargo test), then the Python package's (pytest, in .venv; scripts/test-python.sh).
# Tests that read ../shared/benchmarks or ../shared/data print a note and skip when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
cargo test --locked "$@"
scripts/test-python.sh
