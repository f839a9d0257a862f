#!/usr/bin/env bash
# Installs pyspike and runs the LIF demo: firing statistics and examples/out/lif_demo.png.
# Usage: bash scripts/demo.sh [--backend cpu|numpy] [--n N] [--duration MS]
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --disable-pip-version-check ".[test]"
# Run from outside the source tree so that the installed package is imported.
repo=$(pwd)
cd /tmp && python "$repo/examples/lif_demo.py" --out "$repo/examples/out" "$@"
