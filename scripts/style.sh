#!/usr/bin/env bash
# Style checks of CI: `cargo fmt --check` and `cargo clippy --all-targets -- -D warnings`, and
# clippy on the Python front end (feature `python`).
# Installs the rustfmt and clippy components when the toolchain lacks them.
set -euo pipefail
cd "$(dirname "$0")/.."
for component in rustfmt clippy; do
    tool=$([ "$component" = rustfmt ] && echo fmt || echo clippy)
    if ! cargo "$tool" --version >/dev/null 2>&1; then
        echo "installing the $component component" >&2
        rustup component add "$component"
    fi
done
cargo fmt --check
cargo clippy --locked --all-targets -- -D warnings
# the Python front end (src/python/, feature `python`) is compiled only by maturin: check it too
cargo clippy --locked --lib --features python -- -D warnings
