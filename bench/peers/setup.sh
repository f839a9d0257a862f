#!/usr/bin/env bash
# Creates the virtual environment with the peer simulators for bench/bench_networks.py:
# Brian2 (2.9.x, C++ standalone needs g++) and NEST (nest-simulator 3.10 wheel from PyPI).
#
#   bash bench/peers/setup.sh            # venv in $PYSPIKE_BENCH_VENV or ~/.cache/pyspike-bench-venv
#
# It only installs into that venv (never into the system python) and prints the path of the
# venv's python on its last line. Run it again to update; delete the folder to start over.
set -euo pipefail

VENV="${PYSPIKE_BENCH_VENV:-$HOME/.cache/pyspike-bench-venv}"
PYTHON="${PYTHON:-python3}"
BRIAN2_SPEC="${BRIAN2_SPEC:-brian2>=2.9,<2.10}"
NEST_SPEC="${NEST_SPEC:-nest-simulator>=3.10,<3.11}"
# Brian2 2.9.0 wraps np.ndarray.ptp, which NumPy 2.4 removed: importing brian2 fails with it.
NUMPY_SPEC="${NUMPY_SPEC:-numpy<2.4}"

if [ ! -x "$VENV/bin/python" ]; then
    echo "creating $VENV" >&2
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip >&2
"$VENV/bin/python" -m pip install --quiet "$BRIAN2_SPEC" "$NEST_SPEC" "$NUMPY_SPEC" >&2

# Check both import (NEST prints a banner on import; keep it off stdout).
"$VENV/bin/python" - >&2 <<'PY'
import brian2
print("brian2", brian2.__version__)
try:
    import nest
    print("nest", nest.__version__ if hasattr(nest, "__version__") else nest.build_info()["version"])
except Exception as exc:    # NEST is optional: the harness reports its runs as failed, goes on
    print("nest NOT usable:", exc)
PY
echo "$VENV/bin/python"
