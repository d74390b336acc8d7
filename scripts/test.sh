#!/usr/bin/env bash
# The test command of README.md: installs missing build dependencies, then runs every test.
# Tests that read ../shared/benchmarks or ../shared/data print a note and skip when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
cargo test --locked "$@"
