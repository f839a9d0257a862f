#!/usr/bin/env bash
# Installs pyspike with its test dependencies and runs the test suite and the doctests.
# Usage: bash scripts/test.sh [extra pytest arguments, e.g. -k native, -m "not slow"]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

# An earlier pyspike-sim install whose RECORD is gone cannot be uninstalled by pip, which then
# stops before installing this one; remove such a leftover (its files only; links are not followed).
purelib=$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
for info in "$purelib"/pyspike_sim-*.dist-info; do
    if [ -d "$info" ] && [ ! -f "$info/RECORD" ]; then
        echo "scripts/test.sh: removing a broken pyspike-sim install ($info has no RECORD)" >&2
        rm -rf "$info" "$purelib/pyspike"
    fi
done

# System packages some tests need, installed with apt-get where they are missing and apt-get
# may run (root, or sudo without a password); where it cannot, say which tests will fail.
install_packages() {  # install_packages "<what>" "<tests that need it>" package...
    local what=$1 tests=$2; shift 2
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
    local apt="$sudo env DEBIAN_FRONTEND=noninteractive apt-get -y -q"
    if command -v apt-get >/dev/null && { [ -z "$sudo" ] || sudo -n true 2>/dev/null; }; then
        $apt install "$@" >/dev/null 2>&1 || {
            $apt update >/dev/null && $apt install "$@" >/dev/null; } ||
            echo "scripts/test.sh: apt-get could not install $*: $tests fails" >&2
    else
        echo "scripts/test.sh: $what is missing and cannot be installed here (no apt-get," \
             "or neither root nor sudo): install $*, or $tests fails" >&2
    fi
}

# Standalone programs (tests/pyspike/test_export.py) build with CMake and the HDF5 C library.
if ! command -v h5cc >/dev/null && [ ! -f /usr/include/hdf5/serial/hdf5.h ] && [ ! -f /usr/include/hdf5.h ]; then
    install_packages "the HDF5 C library" tests/pyspike/test_export.py libhdf5-dev
fi
# Sweeps over MPI ranks (tests/pyspike/test_sweep_mpi.py) run under Open MPI's mpirun, and
# mpi4py (the test extra) loads its library, or builds against it (mpicc) where pip finds
# no wheel: install Open MPI before the pip install below.
if ! command -v ompi_info >/dev/null || ! command -v mpicc >/dev/null; then
    install_packages "Open MPI" tests/pyspike/test_sweep_mpi.py openmpi-bin libopenmpi-dev
fi

python -m pip install --quiet --disable-pip-version-check ".[test]"

# Import the installed package (it holds pyspike.codegen and the compiled loader), never the
# source folder pyspike/: pytest runs from this interpreter with the working directory taken
# off sys.path, and --import-mode=importlib (pyproject.toml) keeps test folders off it too.
installed=$(cd / && python -c 'import os, pyspike; print(os.path.dirname(pyspike.__file__))')
case "$installed" in
    "$repo"/*) echo "scripts/test.sh: pyspike resolves to the source tree ($installed)" >&2
               exit 1 ;;
esac
# The tests run on every core this process may use (pytest-xdist), unless
# PYSPIKE_TEST_WORKERS says how many (1: all in this one process).
workers=${PYSPIKE_TEST_WORKERS:-$(python -c 'import os; print(len(os.sched_getaffinity(0)))')}
parallel=()
if [ "$workers" -gt 1 ]; then
    # --dist loadscope: a module's tests run on one worker, so that a module-scoped fixture
    # (a network built and compiled once for its tests) is set up once, not on each worker
    parallel=(-n "$workers" --dist loadscope)
    # The workers fill the cores: one thread each for OpenMP, BLAS and torch (two workers
    # on two cores with two BLAS threads each ran scikit-learn's MLP test in 27 s, not 10).
    export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
    export MKL_NUM_THREADS=${MKL_NUM_THREADS:-1}
fi
status=0
python -c 'import os, sys
sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]
import pytest
sys.exit(pytest.console_main())' \
    -p no:cacheprovider --rootdir "$repo" ${parallel[@]+"${parallel[@]}"} tests --doctest-modules "$installed" \
    "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "scripts/test.sh: pytest collected no tests; that is a failure" >&2
    exit 1
fi
exit "$status"
