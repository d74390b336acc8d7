#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build relu-regions: highs-sys compiles HiGHS from
# source with cmake and runs bindgen, which needs libclang. Idempotent; uses sudo when not root;
# waits up to 10 minutes for another apt (a fresh machine's boot-time upgrades) to free its lock.
set -euo pipefail
need=()
command -v cmake >/dev/null 2>&1 || need+=(cmake)
if ! ldconfig -p 2>/dev/null | grep -q 'libclang-14\.so\|libclang\.so'; then
  need+=(libclang1-14)
fi
command -v cc >/dev/null 2>&1 || need+=(build-essential)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]} (Debian packages)" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" >/dev/null
fi
command -v cargo >/dev/null 2>&1 || { echo "setup: cargo not found; install Rust (rustup) first" >&2; exit 1; }
