#!/usr/bin/env bash
# CI: build the wheel, install it (and its dependencies, from pip's cache) in a fresh virtual
# environment, and run a shipped experiment by name from an empty folder: the shipped files must
# travel inside the package (sim/_shipped/), not be found in the checkout. About a minute, most
# of it installing the dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
work=build/wheel-smoke  # build/ is ignored by git; left in place (deleting a venv takes long)
rm -rf "$work"
mkdir -p "$work/empty"
.venv/bin/python -m pip wheel --quiet --no-deps --no-build-isolation . -w "$work/dist"
. .ci/find_python.sh
"$(find_python)" -m venv --without-pip "$work/venv"
# The project's pip installs into the new environment (no pip of its own to set up, and no
# bytecode compiled ahead for the dependencies: this environment serves one run).
.venv/bin/python -m pip --python "$work/venv/bin/python" install --quiet --no-compile \
  "$work"/dist/alliance_sim-*.whl
echo "wheel built and installed in a fresh environment: $((SECONDS - start)) s"
cd "$work/empty"
../venv/bin/alliance-sim run bulgaria_question --replications 20 --executor serial \
  --out ../results --no-plots | tail -2
test -f ../results/bulgaria_question/summary.csv
echo "shipped experiment run by name from the wheel: $((SECONDS - start)) s in all"
