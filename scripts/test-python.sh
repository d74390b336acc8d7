#!/usr/bin/env bash
# The Python package's tests (tests/python, pytest) in the virtual environment of
# scripts/setup-python.sh. They compare with the CLI binary that `cargo test` builds.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-python.sh
venv="${RELU_REGIONS_VENV:-.venv}"
"$venv/bin/python" -m pytest tests/python -q -rs
