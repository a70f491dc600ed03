"""Benchmark of the Neo4j store against the embedded store, on the same synthetic graphs.

    .venv/bin/python -m benchmarks.bench_neo4j | tee benchmarks/results/neo4j-$(date +%F).txt

Sizes default to 10k and 100k nodes (``--sizes 10000 250000`` for others). The server is
the one in QMSGRAPH_NEO4J_URI / _USER / _PASSWORD if set, else one started here with
``scripts/neo4j.sh start 7697`` (and stopped at the end). Per size, on a graph from
:func:`benchmarks.synthetic.generate`:

* load: the whole graph as one ChangeSet into an empty SQLiteStore (one transaction) and
  into an emptied Neo4j database (batched transactions of ``BATCH`` changes), in nodes per
  second (edges are loaded too: the rate is nodes / total load time);
* audit: ``store.audit()`` on each store, cold (first run: SPC summaries computed, Neo4j's
  query plans compiled) and warm (best of ``--repeat`` further runs: the embedded store has
  its SPC cache and index, Neo4j its plan cache); the findings must be identical, otherwise
  MISMATCH is printed and the exit status is 1;
* thread: ``store.thread()`` for ``--sample`` live projects, mean per call;
* pull: ``Neo4jStore.graph()`` of the whole graph (as export, pull and maps do).

The ratio column is Neo4j time / embedded time for the warm audit (> 1: Neo4j is slower).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from qmsgraph.stores import SQLiteStore, changes_from_graph
from qmsgraph.stores.neo4j import BATCH, Neo4jStore

from .synthetic import generate

REPO = Path(__file__).resolve().parents[1]
PORT = 7697


def _server() -> tuple[dict[str, str], bool]:
    """Connection settings, and whether this run started the server."""
    if os.environ.get("QMSGRAPH_NEO4J_URI"):
        return {k: os.environ[k] for k in ("QMSGRAPH_NEO4J_URI", "QMSGRAPH_NEO4J_USER",
                                           "QMSGRAPH_NEO4J_PASSWORD")}, False
    out = subprocess.run(["bash", str(REPO / "scripts" / "neo4j.sh"), "start", str(PORT)],
                         capture_output=True, text=True, check=True).stdout
    env = {}
    for line in out.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        env[key] = value
    return env, True


def _time(fn: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def run_one(neo: Neo4jStore, size: int, seed: int, repeat: int, sample: int
            ) -> dict[str, Any]:
    r: dict[str, Any] = {"size": size}
    r["generate_s"], graph = _time(lambda: generate(size, seed))
    r["nodes"], r["edges"] = graph.g.number_of_nodes(), graph.g.number_of_edges()
    changes = changes_from_graph(graph, "synthetic")
    with tempfile.TemporaryDirectory() as tmp:
        lite = SQLiteStore(Path(tmp) / "bench.qmsdb")
        r["load_lite_s"], _ = _time(lambda: lite.apply(changes))
        neo.clear()
        r["load_neo_s"], _ = _time(lambda: neo.apply(changes))
        r["audit_lite_cold_s"], a = _time(lite.audit)
        r["audit_neo_cold_s"], b = _time(neo.audit)
        r["same"] = a == b
        lite_w, neo_w = [], []
        for _ in range(repeat):
            t, a = _time(lite.audit)
            lite_w.append(t)
            t, b = _time(neo.audit)
            neo_w.append(t)
            r["same"] = r["same"] and a == b
        r["audit_lite_warm_s"], r["audit_neo_warm_s"] = min(lite_w), min(neo_w)
        r["findings"] = len(a.findings)
        live = sorted(p for p, _ in a.classification.items())
        chosen = random.Random(seed).sample(live, min(sample, len(live)))
        t_l, t_n = _time(lambda: [lite.thread(p) for p in chosen])[0], 0.0
        t_n, threads = _time(lambda: [neo.thread(p) for p in chosen])
        r["same"] = r["same"] and threads == [lite.thread(p) for p in chosen]
        r["thread_lite_ms"] = 1000 * t_l / max(len(chosen), 1)
        r["thread_neo_ms"] = 1000 * t_n / max(len(chosen), 1)
        neo._graph = None
        r["pull_neo_s"], pulled = _time(neo.graph)
        r["same"] = r["same"] and pulled == lite.graph()
        lite.close()
    return r


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--sample", type=int, default=50, help="projects for the thread timing")
    args = ap.parse_args(argv)
    env, started = _server()
    neo = Neo4jStore(env["QMSGRAPH_NEO4J_URI"], user=env["QMSGRAPH_NEO4J_USER"],
                     password=env["QMSGRAPH_NEO4J_PASSWORD"])
    print(f"# bench_neo4j {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.node()}: "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}, Neo4j at {neo.url} "
          f"({'started by this run' if started else 'from the environment'}), "
          f"batch {BATCH} changes per transaction, seed {args.seed}")
    rows = []
    try:
        for size in args.sizes:
            r = run_one(neo, size, args.seed, args.repeat, args.sample)
            rows.append(r)
            print(f"# {size}: {r}", flush=True)
        neo.clear()
    finally:
        neo.close()
        if started:
            subprocess.run(["bash", str(REPO / "scripts" / "neo4j.sh"), "stop", str(PORT)],
                           capture_output=True)
    head = ("nodes", "edges", "load SQLite", "load Neo4j", "audit emb cold/warm",
            "audit Neo4j cold/warm", "ratio", "thread emb/Neo4j", "pull Neo4j", "same")
    table = [head]
    for r in rows:
        n = r["nodes"]
        table.append((
            f"{n:,}", f"{r['edges']:,}",
            f"{r['load_lite_s']:.1f} s ({n / r['load_lite_s']:,.0f}/s)",
            f"{r['load_neo_s']:.1f} s ({n / r['load_neo_s']:,.0f}/s)",
            f"{r['audit_lite_cold_s']:.2f} / {r['audit_lite_warm_s']:.2f} s",
            f"{r['audit_neo_cold_s']:.2f} / {r['audit_neo_warm_s']:.2f} s",
            f"{r['audit_neo_warm_s'] / r['audit_lite_warm_s']:.2f}",
            f"{r['thread_lite_ms']:.1f} / {r['thread_neo_ms']:.1f} ms",
            f"{r['pull_neo_s']:.1f} s",
            "yes" if r["same"] else "MISMATCH"))
    widths = [max(len(str(row[i])) for row in table) for i in range(len(head))]
    for row in table:
        print("  ".join(str(c).rjust(w) for c, w in zip(row, widths, strict=True)))
    return 0 if all(r["same"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
