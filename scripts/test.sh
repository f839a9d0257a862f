#!/usr/bin/env bash
# Installs pyspike with its test dependencies and runs the test suite and the doctests.
# Usage: bash scripts/test.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet --disable-pip-version-check ".[test]"

# Import the installed package (it holds pyspike.codegen and the compiled loader), not the
# source folder: the pytest script does not put the working directory on sys.path.
installed=$(cd /tmp && python -c 'import os, pyspike; print(os.path.dirname(pyspike.__file__))')
status=0
pytest -p no:cacheprovider tests --doctest-modules "$installed" "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "scripts/test.sh: pytest collected no tests; that is a failure" >&2
    exit 1
fi
exit "$status"
