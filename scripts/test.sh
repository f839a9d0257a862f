#!/usr/bin/env bash
# Installs pyspike with its test dependencies and runs the test suite and the doctests.
# Usage: bash scripts/test.sh [extra pytest arguments, e.g. -k native, -m "not slow"]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

python -m pip install --quiet --disable-pip-version-check ".[test]"

# Import the installed package (it holds pyspike.codegen and the compiled loader), never the
# source folder pyspike/: pytest runs from this interpreter with the working directory taken
# off sys.path, and --import-mode=importlib (pyproject.toml) keeps test folders off it too.
installed=$(cd / && python -c 'import os, pyspike; print(os.path.dirname(pyspike.__file__))')
case "$installed" in
    "$repo"/*) echo "scripts/test.sh: pyspike resolves to the source tree ($installed)" >&2
               exit 1 ;;
esac
status=0
python -c 'import os, sys
sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]
import pytest
sys.exit(pytest.console_main())' \
    -p no:cacheprovider --rootdir "$repo" tests --doctest-modules "$installed" "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "scripts/test.sh: pytest collected no tests; that is a failure" >&2
    exit 1
fi
exit "$status"
