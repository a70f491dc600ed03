#!/usr/bin/env bash
# One command for a newcomer: set up, then build and show the example health board.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/qmsgraph demo "$@"
