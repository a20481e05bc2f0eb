#!/usr/bin/env bash
# The Python environment of Contracts/ (py-evm, Vyper; pinned in REQUIREMENTS, by default
# Contracts/requirements.txt) at .build/contracts-venv. Reused between runs: pip only checks the pinned versions then.
set -euo pipefail
cd "$(dirname "$0")/.."
requirements="${1:-Contracts/requirements.txt}"
python3 -m venv .build/contracts-venv
if ! .build/contracts-venv/bin/pip install -q --disable-pip-version-check -r "$requirements"; then
  echo "error: pip could not install $requirements (is the package index reachable?)" >&2
  exit 1
fi
