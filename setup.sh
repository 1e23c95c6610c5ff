#!/usr/bin/env bash
# Create .venv with a Python >= 3.12 and install alliance-sim in it (editable, with the test
# tools). Used by the README's quick start and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")"
. .ci/find_python.sh
PYTHON=$(find_python) || {
  echo "alliance-sim needs Python >= 3.12 and found none (tried python3.13, python3.12, python3" \
       "and pyenv); install one, e.g. with your package manager or pyenv" >&2
  exit 1
}
echo "using $PYTHON ($("$PYTHON" --version))"
"$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
echo "installed in .venv; activate it with: source .venv/bin/activate"
