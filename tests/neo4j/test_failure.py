"""A Neo4j server lost in the middle of a load: a clear error at the command line, no batch
half-written, and running the same push again completes the load.

Uses a second server (scripts/neo4j.sh on a free port) so that the suite's server survives:
it is SIGKILLed while ``qmsgraph push`` writes, restarted on the data it left, checked batch
by batch, and the push is run again.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qmsgraph.graph import QMSGraph
from qmsgraph.stores import SQLiteStore, changes_from_graph
from qmsgraph.stores.neo4j import Neo4jStore, batch_contents, plan

from .randgraph import random_graph

pytestmark = pytest.mark.neo4j

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "neo4j.sh"
BATCH = 150


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _neo4j_sh(*args: str, env: dict[str, str]) -> str:
    out = subprocess.run(["bash", str(SCRIPT), *args], env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, f"neo4j.sh {' '.join(args)} failed:\n{out.stderr[-3000:]}"
    return out.stdout


def _big_graph() -> QMSGraph:
    g = QMSGraph()
    for seed in range(100, 130):
        part = random_graph(seed)
        g.update(part.nodes(), part.edges())
    return g


@pytest.fixture
def second_server(neo4j_env: dict[str, str]):
    port = _free_port()
    env = {**os.environ, "QMSGRAPH_NEO4J_PASSWORD": neo4j_env["QMSGRAPH_NEO4J_PASSWORD"]}
    _neo4j_sh("start", str(port), env=env)
    yield port, env
    subprocess.run(["bash", str(SCRIPT), "stop", str(port)], env=env, capture_output=True,
                   timeout=120)
    cache = Path(os.environ.get("QMSGRAPH_CACHE", REPO / ".cache"))
    shutil.rmtree(cache / "neo4j-server" / f"run-{port}", ignore_errors=True)


def test_server_killed_during_a_push(second_server, tmp_path: Path,
                                     neo4j_env: dict[str, str]):
    port, env = second_server
    uri = f"bolt://127.0.0.1:{port}"
    source = tmp_path / "source.qmsdb"
    lite = SQLiteStore(source)
    lite.apply(changes_from_graph(_big_graph(), "big"))
    graph = lite.graph()
    lite.close()
    batches = plan(changes_from_graph(graph), {}, BATCH)
    assert len(batches) >= 30
    run_env = {**env, "QMSGRAPH_NEO4J_USER": neo4j_env["QMSGRAPH_NEO4J_USER"],
               "QMSGRAPH_NEO4J_RETRY_SECONDS": "2", "QMSGRAPH_NEO4J_BATCH": str(BATCH)}
    cmd = [sys.executable, "-m", "qmsgraph.cli", "push", uri, "--from", str(source)]

    watcher = Neo4jStore(uri, user=neo4j_env["QMSGRAPH_NEO4J_USER"],
                         password=neo4j_env["QMSGRAPH_NEO4J_PASSWORD"], retry_seconds=1)
    proc = subprocess.Popen(cmd, env=run_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 120
    done: list[int] = []
    while time.monotonic() < deadline and proc.poll() is None:
        loads = watcher.pending_loads()
        done = loads[0]["done"] if loads else []
        if len(done) >= 3:
            break
        time.sleep(0.05)
    watcher.close()
    assert len(done) >= 3, f"the push never got going: {proc.communicate()}"
    _neo4j_sh("kill", str(port), env=env)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, (out, err)
    assert f"cannot reach Neo4j at {uri}" in err
    assert "batches of this load are committed" in err
    assert "Traceback" not in err and "neo4j.exceptions" not in err
    assert err.strip().startswith("error: cannot reach Neo4j") and "retried" not in err
    print(f"\nkilled after {len(done)}+ of {len(batches)} batches; the push said: {err.strip()}")

    # Restart on the data the killed server left: every batch is all there or not at all.
    _neo4j_sh("start", str(port), "--keep-data", env=env)
    store = Neo4jStore(uri, user=neo4j_env["QMSGRAPH_NEO4J_USER"],
                       password=neo4j_env["QMSGRAPH_NEO4J_PASSWORD"], retry_seconds=5)
    try:
        [journal] = store.pending_loads()
        committed = set(journal["done"])
        assert 3 <= len(committed) < len(batches)
        nodes = {r["id"] for r in store.query("MATCH (n:QMSNode) RETURN n.id AS id")}
        edges = {(r["s"], r["k"], r["t"]) for r in store.query(
            "MATCH (a:QMSNode)-[r]->(b:QMSNode) RETURN a.id AS s, type(r) AS k, b.id AS t")}
        expect_nodes: set[str] = set()
        expect_edges: set[tuple[str, str, str]] = set()
        for i, ops in enumerate(batches):
            bn, be = batch_contents(ops)
            there = (len(bn & nodes) + len(be & edges), len(bn) + len(be))
            assert there[0] in (0, there[1]), f"batch {i} is half-written: {there}"
            assert (there[0] > 0) == (i in committed), i
            if i in committed:
                expect_nodes |= bn
                expect_edges |= be
        assert nodes == expect_nodes and edges == expect_edges
        print(f"after restart: {len(committed)} batches whole, {len(batches) - len(committed)} "
              f"absent, none partial ({len(nodes)} nodes, {len(edges)} edges)")

        # The same push again writes the missing batches and completes the load.
        again = subprocess.run(cmd, env=run_env, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr
        assert store.pending_loads() == []
        assert store.graph() == graph
    finally:
        store.close()
