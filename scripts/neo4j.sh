#!/usr/bin/env bash
# Test-only Neo4j 5 server (embedded Neo4j Community, Bolt on 127.0.0.1, auth on).
#
#   scripts/neo4j.sh build            build the server jar once into the cache (no-op when up to date)
#   scripts/neo4j.sh start [PORT] [--keep-data]
#                                     build if needed, start with a fresh data dir (or, with
#                                     --keep-data, on the data dir left by the last run on PORT,
#                                     e.g. after `kill`: Neo4j recovers it), wait for Bolt,
#                                     print `export QMSGRAPH_NEO4J_...=...` lines on stdout
#   scripts/neo4j.sh stop [PORT]      SIGTERM (clean shutdown), SIGKILL after a timeout
#   scripts/neo4j.sh kill [PORT]      SIGKILL at once (for failure tests)
#   scripts/neo4j.sh status [PORT]    exit 0 when running and accepting on PORT, 3 when not
#   scripts/neo4j.sh env [PORT]       print the export lines again
#   scripts/neo4j.sh import CSV_DIR PORT|DIR
#                                     bulk-import the CSV files `qmsgraph push --offline CSV_DIR`
#                                     wrote, with Neo4j's own importer (neo4j-admin database
#                                     import full, from the server's jars), into the data dir
#                                     of PORT (then `start PORT --keep-data` serves it; the
#                                     server on PORT must be stopped) or into DIR
#
# Typical use (under `set -e` assign first: `eval "$(...)"` would swallow a failed start):
#   neo4j_env=$(scripts/neo4j.sh start) && eval "$neo4j_env"
#   trap 'scripts/neo4j.sh stop' EXIT
#   .venv/bin/python scripts/neo4j_smoke.py; pytest ...
#
# Environment:
#   QMSGRAPH_CACHE                 cache root (default: REPO/.cache); the Maven repo is CACHE/m2,
#                                  the jar and the run dirs are under CACHE/neo4j-server/
#   QMSGRAPH_NEO4J_PORT            Bolt port when no PORT argument is given (default 7688)
#   QMSGRAPH_NEO4J_PASSWORD        password of user neo4j (default qmsgraph-test-pw, >= 8 chars)
#   QMSGRAPH_NEO4J_PAGECACHE       page cache size (default 256m)
#   QMSGRAPH_NEO4J_JAVA_OPTS       JVM options (default: -Xms256m -Xmx1g ...)
#   QMSGRAPH_NEO4J_START_TIMEOUT   seconds to wait for READY (default 120)
#   QMSGRAPH_NEO4J_STOP_TIMEOUT    seconds to wait after SIGTERM before SIGKILL (default 30)
#
# Progress and errors go to stderr; only `start` and `env` write to stdout.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC="$REPO/neo4j-server"
CACHE="${QMSGRAPH_CACHE:-$REPO/.cache}"
SRV="$CACHE/neo4j-server"
M2="$CACHE/m2"
JAR="$SRV/neo4j-testserver.jar"
STAMP="$SRV/build.sha256"
DEFAULT_PORT=7688
PASSWORD="${QMSGRAPH_NEO4J_PASSWORD:-qmsgraph-test-pw}"
START_TIMEOUT="${QMSGRAPH_NEO4J_START_TIMEOUT:-120}"
STOP_TIMEOUT="${QMSGRAPH_NEO4J_STOP_TIMEOUT:-30}"
JAVA_OPTS="${QMSGRAPH_NEO4J_JAVA_OPTS:--Xms256m -Xmx1g -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED}"

say() { printf '[neo4j.sh] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found on PATH ($2)"; }

port_arg() {
    local p="${1:-${QMSGRAPH_NEO4J_PORT:-$DEFAULT_PORT}}"
    [[ "$p" =~ ^[0-9]+$ ]] && (( p > 0 && p < 65536 )) || die "bad port: '$p'"
    printf '%s' "$p"
}

run_dir() { printf '%s/run-%s' "$SRV" "$1"; }

src_hash() {
    (cd "$SRC" && find pom.xml src -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) \
        | sha256sum | cut -d' ' -f1
}

port_open() {  # true when something accepts TCP connections on 127.0.0.1:$1
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

alive() {  # process exists and is not a zombie (an un-reaped zombie never goes away on its own)
    kill -0 "$1" 2>/dev/null || return 1
    local state
    state=$(sed -n 's/^[0-9]* ([^)]*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null || true)
    [[ "$state" != "Z" ]]
}

# pid from the pid file when that process is alive and is our server; empty otherwise
live_pid() {
    local pidfile pid
    pidfile="$(run_dir "$1")/neo4j.pid"
    [[ -f "$pidfile" ]] || return 0
    pid=$(cat "$pidfile" 2>/dev/null || true)
    [[ "$pid" =~ ^[0-9]+$ ]] || return 0
    if alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'neo4j-testserver.jar'; then
        printf '%s' "$pid"
    fi
}

cmd_build() {
    need java "install a JDK 17, e.g. apt-get install openjdk-17-jdk-headless"
    need mvn "install Maven, e.g. apt-get install maven"
    mkdir -p "$SRV" "$M2"
    local want
    want=$(src_hash)
    if [[ -f "$JAR" && -d "$SRV/lib" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
        return 0
    fi
    (
        # one build at a time per cache dir
        if command -v flock >/dev/null 2>&1; then
            exec 9>"$SRV/build.lock"
            flock 9
        fi
        if [[ -f "$JAR" && -d "$SRV/lib" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
            exit 0
        fi
        say "building the Neo4j test server (Maven repo: $M2) ..."
        local t0=$SECONDS log="$SRV/build.log"
        rm -f "$STAMP"
        if ! mvn -B -f "$SRC/pom.xml" -Dmaven.repo.local="$M2" -Dqmsgraph.build.dir="$SRV/build" \
                clean package >"$log" 2>&1; then
            tail -n 60 "$log" >&2
            die "Maven build failed (full log: $log)"
        fi
        [[ -f "$SRV/build/neo4j-testserver.jar" && -d "$SRV/build/lib" ]] || die "build produced no jar (log: $log)"
        rm -rf "$SRV/lib" "$JAR"
        mv "$SRV/build/lib" "$SRV/lib"
        mv "$SRV/build/neo4j-testserver.jar" "$JAR"
        printf '%s\n' "$want" >"$STAMP"
        say "built $JAR in $((SECONDS - t0)) s"
    )
}

print_env() {
    printf 'export QMSGRAPH_NEO4J_URI=%q\n' "bolt://127.0.0.1:$1"
    printf 'export QMSGRAPH_NEO4J_USER=%q\n' "neo4j"
    printf 'export QMSGRAPH_NEO4J_PASSWORD=%q\n' "$PASSWORD"
    printf 'export QMSGRAPH_NEO4J_PORT=%q\n' "$1"
}

signal_and_wait() {  # port signal timeout
    local port=$1 sig=$2 timeout=$3 pid waited=0
    pid=$(live_pid "$port")
    [[ -n "$pid" ]] || return 0
    kill "-$sig" "$pid" 2>/dev/null || true
    while alive "$pid"; do
        if (( waited >= timeout * 10 )); then
            return 1
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    return 0
}

cmd_stop() {
    local port pid
    port=$(port_arg "${1:-}")
    pid=$(live_pid "$port")
    if [[ -z "$pid" ]]; then
        say "no server running on port $port"
        rm -f "$(run_dir "$port")/neo4j.pid"
        return 0
    fi
    say "stopping server pid $pid (port $port) ..."
    if ! signal_and_wait "$port" TERM "$STOP_TIMEOUT"; then
        say "still alive after ${STOP_TIMEOUT}s, sending SIGKILL"
        signal_and_wait "$port" KILL 10 || die "pid $pid survived SIGKILL"
    fi
    rm -f "$(run_dir "$port")/neo4j.pid"
    say "stopped"
}

cmd_kill() {
    local port pid
    port=$(port_arg "${1:-}")
    pid=$(live_pid "$port")
    [[ -n "$pid" ]] || { say "no server running on port $port"; return 0; }
    signal_and_wait "$port" KILL 10 || die "pid $pid survived SIGKILL"
    rm -f "$(run_dir "$port")/neo4j.pid"
    say "killed pid $pid"
}

cmd_status() {
    local port pid dir
    port=$(port_arg "${1:-}")
    dir=$(run_dir "$port")
    pid=$(live_pid "$port")
    if [[ -n "$pid" ]] && port_open "$port"; then
        say "running: pid $pid, bolt://127.0.0.1:$port, data+logs in $dir"
        return 0
    elif [[ -n "$pid" ]]; then
        say "starting or stuck: pid $pid alive but port $port not accepting (log: $dir/server.log)"
        return 3
    fi
    say "not running on port $port"
    return 3
}

cmd_start() {
    local port dir log pid waited=0 keep=0 args=()
    for a in "$@"; do
        if [[ "$a" == "--keep-data" ]]; then keep=1; else args+=("$a"); fi
    done
    port=$(port_arg "${args[0]:-}")
    (( ${#PASSWORD} >= 8 )) || die "QMSGRAPH_NEO4J_PASSWORD must have at least 8 characters"
    cmd_build
    dir=$(run_dir "$port")
    if [[ -n "$(live_pid "$port")" ]]; then
        say "a server from an earlier run is still up on port $port: stopping it first"
        cmd_stop "$port"
    fi
    if port_open "$port"; then
        die "port $port on 127.0.0.1 is already in use by another process (choose another: $0 start PORT)"
    fi
    if (( keep )); then
        [[ -d "$dir" ]] || die "--keep-data: no data dir $dir from an earlier run on port $port"
        say "keeping the data in $dir"
        [[ -f "$dir/server.log" ]] && mv -f "$dir/server.log" "$dir/server.log.prev"
    else
        rm -rf "$dir"
    fi
    mkdir -p "$dir"
    log="$dir/server.log"
    say "starting Neo4j on bolt://127.0.0.1:$port (data+logs: $dir) ..."
    # shellcheck disable=SC2086  # JAVA_OPTS is a list of words
    QMSGRAPH_NEO4J_PASSWORD="$PASSWORD" QMSGRAPH_NEO4J_PAGECACHE="${QMSGRAPH_NEO4J_PAGECACHE:-256m}" \
        nohup java $JAVA_OPTS -jar "$JAR" --port "$port" --data-dir "$dir" >"$log" 2>&1 </dev/null &
    pid=$!
    printf '%s\n' "$pid" >"$dir/neo4j.pid"
    local t0=$SECONDS
    while ! grep -q '^READY ' "$log" 2>/dev/null; do
        if ! alive "$pid"; then
            say "server exited before it was ready; last lines of $log:"
            tail -n 40 "$log" >&2 || true
            [[ -f "$dir/logs/debug.log" ]] && { say "last lines of $dir/logs/debug.log:"; tail -n 20 "$dir/logs/debug.log" >&2; }
            rm -f "$dir/neo4j.pid"
            exit 1
        fi
        if (( waited >= START_TIMEOUT * 5 )); then
            say "not ready after ${START_TIMEOUT}s; last lines of $log:"
            tail -n 40 "$log" >&2 || true
            [[ -f "$dir/logs/debug.log" ]] && { say "last lines of $dir/logs/debug.log:"; tail -n 20 "$dir/logs/debug.log" >&2; }
            kill -KILL "$pid" 2>/dev/null || true
            rm -f "$dir/neo4j.pid"
            exit 1
        fi
        sleep 0.2
        waited=$((waited + 1))
    done
    port_open "$port" || die "READY printed but port $port does not accept connections"
    say "ready in $((SECONDS - t0)) s: pid $pid"
    print_env "$port"
}

cmd_import() {
    local csv="${1:-}" target="${2:-}" home args
    [[ -n "$csv" && -f "$csv/import.sh" ]] || die "import: CSV_DIR with import.sh expected (qmsgraph push --offline CSV_DIR)"
    [[ -n "$target" ]] || die "import: PORT or DIR expected"
    cmd_build
    if [[ "$target" =~ ^[0-9]+$ ]]; then
        [[ -z "$(live_pid "$target")" ]] || die "import: the server on port $target is running: stop it first"
        home=$(run_dir "$target")
    else
        home="$target"
    fi
    mkdir -p "$home/conf"
    [[ -f "$home/conf/neo4j.conf" ]] || : >"$home/conf/neo4j.conf"
    home=$(cd "$home" && pwd)
    # the arguments after `neo4j-admin` in import.sh (written by qmsgraph, shell-quoted)
    args=$(sed -n 's/^cd .* && exec neo4j-admin \(.*\) "\$@"$/\1/p' "$csv/import.sh")
    [[ -n "$args" ]] || die "import: no neo4j-admin command in $csv/import.sh"
    say "importing $csv into $home ..."
    # shellcheck disable=SC2086
    (cd "$csv" && eval "NEO4J_HOME=\"\$home\" NEO4J_CONF=\"\$home/conf\" java -Xmx1g -cp \"\$SRV/lib/*\" org.neo4j.cli.AdminTool $args") >&2
}

usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2
}

main() {
    local cmd="${1:-}"
    shift || true
    case "$cmd" in
        build) cmd_build ;;
        start) cmd_start "$@" ;;
        stop) cmd_stop "$@" ;;
        kill) cmd_kill "$@" ;;
        status) cmd_status "$@" ;;
        env) print_env "$(port_arg "${1:-}")" ;;
        import) cmd_import "$@" ;;
        -h|--help|help) usage ;;
        *) usage; exit 2 ;;
    esac
}

main "$@"
