#!/usr/bin/env bash
# Lock guard (run by .ci/run): requirements.lock must install as it is into an empty venv with the pip the
# image ships (ensurepip's, not the pinned one the README bootstraps), hash-checked, and the installed set must be
# exactly the lock: every requirement, extras included, satisfied by a locked file (pip check), every locked
# version the one installed. A lock that installs only on the machine it was written on cannot land.
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
python3 -m venv "$scratch/venv"
. "$scratch/venv/bin/activate"
echo "lock guard: $(pip --version)"
pip install --quiet --require-hashes --no-deps -r requirements.lock
pip check
python tests/ci/lock_matches_install.py requirements.lock
