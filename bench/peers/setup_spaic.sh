#!/usr/bin/env bash
# Creates the virtual environment with SPAIC itself for bench/bench_spaic.py: spaic 0.6.x from
# PyPI on torch's CPU build, kept apart from Brian2/NEST's venv (bench/peers/setup.sh) because
# SPAIC pins its own torch and numpy.
#
#   bash bench/peers/setup_spaic.sh      # venv in $PYSPIKE_SPAIC_VENV or ~/.cache/pyspike-spaic-venv
#
# torch's CPU-only wheels live on download.pytorch.org (pip also looks in the find-links and
# extra indexes of its own configuration); where none of them has one, the script falls back
# to PyPI's torch (its Linux wheel carries CUDA libraries but runs on CPU).
# It only installs into that venv and prints the path of the venv's python on its last line.
set -euo pipefail

VENV="${PYSPIKE_SPAIC_VENV:-$HOME/.cache/pyspike-spaic-venv}"
PYTHON="${PYTHON:-python3}"
SPAIC_SPEC="${SPAIC_SPEC:-spaic>=0.6.3,<0.7}"
TORCH_SPEC="${TORCH_SPEC:-torch}"
TORCH_CPU_INDEX="${TORCH_CPU_INDEX:-https://download.pytorch.org/whl/cpu}"

if [ ! -x "$VENV/bin/python" ]; then
    echo "creating $VENV" >&2
    "$PYTHON" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)
"${PIP[@]}" install --quiet --upgrade pip >&2

# torch first, so that spaic's own requirement is already met by the CPU build.
if ! "$VENV/bin/python" -c "import torch" 2>/dev/null; then
    if ! "${PIP[@]}" install --quiet --timeout 20 --retries 1 \
            --index-url "$TORCH_CPU_INDEX" "$TORCH_SPEC" >&2; then
        echo "torch CPU index unreachable; installing torch from PyPI" >&2
        "${PIP[@]}" install --quiet "$TORCH_SPEC" >&2
    fi
fi
"${PIP[@]}" install --quiet "$SPAIC_SPEC" numpy >&2

"$VENV/bin/python" - >&2 <<'PY'
import numpy, torch
torch.set_num_threads(1)
x = torch.ones(4, 4, device="cpu")
assert float((x @ x).sum()) == 64.0
print("torch", torch.__version__, "runs on CPU; cuda available:", torch.cuda.is_available())
print("numpy", numpy.__version__)
import spaic
from importlib.metadata import version
print("spaic", version("spaic"))
PY
echo "$VENV/bin/python"
