#!/usr/bin/env bash
# The GPU checks of issue 4 in one command, for a machine with an NVIDIA GPU (the device
# machine lent to some sessions has 30 minutes and 10 minutes per command, so they run
# sharded and report everything, not the first failure only).
#
#   bash scripts/gpu_check.sh tests [SHARDS]   # every gpu-marked test, SHARDS pytest processes
#   bash scripts/gpu_check.sh bench [ARGS...]  # python bench/bench_cuda.py ARGS...
#   bash scripts/gpu_check.sh training [ARGS...]  # python bench/bench_cuda_training.py ARGS...
#
# Logs go to $OUT (the device tool's output folder) or ./gpu_out.  The package is installed
# without touching the network (pip --no-build-isolation --no-deps), as that machine needs.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$repo/gpu_out}
mkdir -p "$out"
what=${1:-tests}
shift || true

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > "$out/gpu.txt" 2>&1
cat "$out/gpu.txt"
if ! (cd "$repo" && pip install --no-build-isolation --no-deps . > "$out/install.log" 2>&1); then
    tail -30 "$out/install.log"
    exit 1
fi

# Run from outside the source tree, so that the installed package is imported.
run_python() {
    (cd / && python -c 'import sys
sys.path[:] = [p for p in sys.path if p not in ("", ".")]
import runpy
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")' "$@")
}

case "$what" in
tests)
    shards=${1:-6}
    mapfile -t files < <(cd "$repo" && find tests -name "test_*.py" | sort)
    pids=()
    for ((s = 0; s < shards; ++s)); do
        mine=()
        for ((k = s; k < ${#files[@]}; k += shards)); do mine+=("$repo/${files[k]}"); done
        [ ${#mine[@]} -eq 0 ] && continue
        (cd / && python -c 'import sys
sys.path[:] = [p for p in sys.path if p not in ("", ".")]
import pytest
sys.exit(pytest.console_main())' -m gpu -q -rfEs -p no:cacheprovider --rootdir "$repo" \
            --junitxml "$out/shard$s.xml" "${mine[@]}" > "$out/shard$s.log" 2>&1
         rc=$?; [ $rc -eq 5 ] && rc=0; exit $rc) &   # 5: a file without gpu tests
        pids+=($!)
    done
    status=0
    for p in "${pids[@]}"; do wait "$p" || status=1; done
    for f in "$out"/shard*.log; do
        echo "== $(basename "$f"): $(tail -1 "$f")"
        grep -E "^(FAILED|ERROR)" "$f" || true
    done
    exit $status ;;
bench)
    run_python "$repo/bench/bench_cuda.py" "$@" 2>&1 | tee "$out/bench_cuda.log"
    status=${PIPESTATUS[0]}
    cp "$repo/bench/RESULTS.md" "$out/"      # with --write: the updated results come back
    exit "$status" ;;
training)
    run_python "$repo/bench/bench_cuda_training.py" "$@" 2>&1 | tee "$out/bench_cuda_training.log"
    exit "${PIPESTATUS[0]}" ;;
*)
    echo "usage: bash scripts/gpu_check.sh tests [SHARDS] | bench [ARGS...] | training [ARGS...]" >&2
    exit 2 ;;
esac
