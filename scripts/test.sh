#!/usr/bin/env bash
# One command for the whole test suite: sets up Python, Chromium and a real Neo4j server,
# runs ruff and pytest, and stops the server at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev

# Debian packages the tests drive: headless Chromium (Playwright drives /usr/bin/chromium),
# LibreOffice Calc without a GUI (opens our Excel exports and re-saves the template).
need=()
{ [ -x /usr/bin/chromium ] && command -v chromedriver >/dev/null; } || need+=(chromium chromium-driver)
command -v soffice >/dev/null || need+=(libreoffice-calc-nogui)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# axe-core (npm) for the accessibility tests of the Board page and the maps.
AXE=.cache/npm/node_modules/axe-core/axe.min.js
if ! [ -f "$AXE" ] && command -v npm >/dev/null; then
  mkdir -p .cache/npm
  npm install --silent --no-audit --no-fund --prefix .cache/npm axe-core@4 >/dev/null
fi

# A real Neo4j 5 server (embedded in a small Java program, built once with Maven).
if [ -f scripts/neo4j.sh ]; then
  bash scripts/neo4j.sh build
  neo4j_env=$(bash scripts/neo4j.sh start)
  eval "$neo4j_env"
  # a free port for the tests that serve a second database (the bulk importer's output)
  export QMSGRAPH_NEO4J_SPARE_PORT="${QMSGRAPH_NEO4J_SPARE_PORT:-7702}"
  trap 'bash scripts/neo4j.sh stop' EXIT
fi

# Independent readers for the interop suite (tests/interop/): xmllint, Jena, JGraphT, vnu, ...
bash scripts/interop.sh

.venv/bin/ruff check .
mkdir -p artefacts
.venv/bin/python -m pytest "$@"
