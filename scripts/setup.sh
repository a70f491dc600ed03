#!/usr/bin/env bash
# Set up qmsgraph in ./.venv. Usage: scripts/setup.sh [--dev]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "qmsgraph needs Python 3.11 or newer (found $("$PY" --version))" >&2; exit 1; }
[ -x .venv/bin/python ] || "$PY" -m venv .venv
extra=""
[ "${1:-}" = "--dev" ] && extra="[dev]"
stamp=".venv/.installed$extra"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  # pip and setuptools talk to developers (deprecation notes of editable installs): keep
  # their output in a log, and show it only when the install fails
  log=.venv/install.log
  if ! { .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip &&
         .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".$extra"; } \
       >"$log" 2>&1; then
    cat "$log" >&2
    echo "setup failed: see the messages above (also in $log)" >&2
    exit 1
  fi
  touch "$stamp"
fi
