#!/usr/bin/env bash
# Installs pyspike and runs the CUBA benchmark network (Brette et al. 2007): rate, CV of ISI,
# build and run times, and a raster in examples/out/cuba.png.
# Usage: bash scripts/demo.sh [--backend cpu|numpy] [--n N] [--duration MS] [--precision single]
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --disable-pip-version-check ".[plot]"
# Run from outside the source tree so that the installed package is imported.
repo=$(pwd)
cd /tmp && python "$repo/examples/cuba.py" --out "$repo/examples/out" "$@"
