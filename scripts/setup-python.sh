#!/usr/bin/env bash
# The Python package in a virtual environment: creates .venv (or $RELU_REGIONS_VENV) when missing,
# installs the test tools from PyPI (maturin, pytest, numpy, dask) and then the package itself
# with `pip install .`, which builds the Rust library with maturin (release profile; HiGHS is
# compiled once into target/release). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${RELU_REGIONS_VENV:-.venv}"
if [ ! -x "$venv/bin/python" ]; then
  if ! python3 -m venv "$venv" 2>/dev/null; then
    echo "setup: installing python3-venv (Debian package)" >&2
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv"
  fi
fi
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q "maturin>=1.5,<2" pytest numpy "dask[distributed]"
"$venv/bin/python" -m pip install -q .
