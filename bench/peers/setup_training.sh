#!/usr/bin/env bash
# Creates the virtual environment of the training peers for bench/bench_training_peers.py
# (issue 17, "Speed"): snnTorch 1.0 and SpikingJelly 2.0 on torch's CPU build, kept apart
# from pyspike's own environment and from SPAIC's (bench/peers/setup_spaic.sh).
#
#   bash bench/peers/setup_training.sh   # venv in $PYSPIKE_TRAIN_VENV or ~/.cache/pyspike-train-venv
#
# torch goes in first and is pinned (TORCH_SPEC, the CPU wheel pip finds on this machine's
# disk); SpikingJelly is installed with --no-deps, since its requirements (torchvision,
# torchaudio, tensorboard, ...) would make pip replace the CPU torch with a CUDA build.  Only
# the small pure-python packages that its activation_based neuron/surrogate/functional/layer
# modules import are added.  Every later pip call carries the torch pin as a constraint.
# Idempotent: what is already there is left alone.  Prints the venv's python on its last line.
set -euo pipefail

VENV="${PYSPIKE_TRAIN_VENV:-$HOME/.cache/pyspike-train-venv}"
PYTHON="${PYTHON:-python3}"
TORCH_SPEC="${TORCH_SPEC:-torch==2.13.0}"
SNNTORCH_SPEC="${SNNTORCH_SPEC:-snntorch==1.0.0}"
SPIKINGJELLY_SPEC="${SPIKINGJELLY_SPEC:-spikingjelly==2.0.0}"
# What spikingjelly.activation_based.{neuron,surrogate,functional,layer} import beyond torch,
# numpy and scikit-learn's scipy (found by importing them after a --no-deps install).
SJ_DEPS=(loguru)

say() { echo "setup_training: $*" >&2; }

if [ ! -x "$VENV/bin/python" ]; then
    say "creating $VENV"
    "$PYTHON" -m venv "$VENV"
else
    say "venv $VENV exists"
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip --disable-pip-version-check)
PIN="$VENV/torch-pin.txt"

pip_install() {  # pip_install ARGS...: pip install with the torch pin once there is one;
    local log status=0   # prints pip's output less its notes on this machine's empty local
    log="$(mktemp)"      # indexes, and returns pip's own exit status
    local pin=()
    [ -f "$PIN" ] && pin=(--constraint "$PIN")
    "${PIP[@]}" install --quiet "${pin[@]}" "$@" > "$log" 2>&1 || status=$?
    grep -v "is ignored: it is neither a file nor a directory" "$log" >&2 || true
    rm -f "$log"
    return "$status"
}

dist_version() {
    "$PY" -c "from importlib.metadata import version; print(version('$1'))" 2>/dev/null || true
}

want_torch="${TORCH_SPEC#torch==}"
have_torch="$(dist_version torch)"
if [ "${have_torch%%+*}" != "$want_torch" ]; then
    say "installing $TORCH_SPEC (had: ${have_torch:-none})"
    rm -f "$PIN"
    pip_install "$TORCH_SPEC"
else
    say "torch $have_torch already there"
fi
# Pin the exact build now installed, so that no later install can swap it.
echo "torch==$(dist_version torch)" > "$PIN"

install_if_missing() {  # install_if_missing DIST SPEC [pip options...]
    local dist="$1" spec="$2"
    shift 2
    local have
    have="$(dist_version "$dist")"
    if [[ -n "$have" && ( "$spec" == "$dist" || "$spec" == "$dist==$have" ) ]]; then
        say "$dist $have already there"
    else
        say "installing $spec $* (had: ${have:-none})"
        pip_install "$@" "$spec"
    fi
}

install_if_missing numpy numpy
install_if_missing scikit-learn scikit-learn
install_if_missing snntorch "$SNNTORCH_SPEC"
for dep in "${SJ_DEPS[@]}"; do
    install_if_missing "$dep" "$dep"
done
install_if_missing spikingjelly "$SPIKINGJELLY_SPEC" --no-deps

"$PY" - >&2 <<'PY'
import torch
torch.set_num_threads(1)
x = torch.ones(4, 4)
assert float((x @ x).sum()) == 64.0
from importlib.metadata import version
import numpy, sklearn
import snntorch
from spikingjelly.activation_based import functional, layer, neuron, surrogate  # noqa: F401
print("setup_training: torch", torch.__version__, "cuda available:", torch.cuda.is_available())
for dist in ("numpy", "scikit-learn", "snntorch", "spikingjelly"):
    print("setup_training:", dist, version(dist))
PY
echo "$PY"
