"""Benchmark of the Neo4j store against the embedded store, on the same synthetic graphs.

    .venv/bin/python -m benchmarks.bench_neo4j | tee benchmarks/results/neo4j-$(date +%F).txt

Sizes default to 10k and 100k nodes (``--sizes 10000 250000`` for others). The server is
the one in QMSGRAPH_NEO4J_URI / _USER / _PASSWORD if set, else one started here with
``scripts/neo4j.sh start 7697`` (and stopped at the end). Per size, on a graph from
:func:`benchmarks.synthetic.generate`:

* load: the whole graph as one ChangeSet into an empty SQLiteStore (one transaction) and
  into an emptied Neo4j database (batched transactions of ``BATCH`` changes), in nodes per
  second (edges are loaded too: the rate is nodes / total load time);
* every question of the store interface on both stores, with the answers compared
  (MISMATCH is printed and the exit status is 1 if they differ): audit cold (first run) and
  warm (best of ``--repeat``), thread (mean over ``--sample`` live projects), check-project,
  matrix, balance, scores, find_nodes (by kind, by unit, by text), find_edges of a node, the
  unit and goal maps, and a one-node write (read with its version, relabel, apply: best of 5).

The embedded store keeps per-revision answers in memory (a repeated question costs
microseconds); the Neo4j store asks the server every time (any client may have written). So
each question is timed on the embedded store twice: right after a small write (the same
write is made to both stores, untimed: its cached answers are gone, as after any client's
write) and repeated (cached). The ratio is Neo4j / embedded-after-a-write (for "audit warm"
and "one-node write": / the embedded figure shown).
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

from qmsgraph.stores import ChangeSet, SQLiteStore, changes_from_graph
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


def _best(fn: Any, repeat: int, reset: Any = None) -> tuple[float, Any]:
    """Best time of ``repeat`` calls (``reset`` before each: e.g. drop a cache)."""
    best, out = float("inf"), None
    for _ in range(max(1, repeat)):
        if reset:
            reset()
        t, out = _time(fn)
        best = min(best, t)
    return best, out


def questions(view: Any, a: Any, seed: int, sample: int) -> dict[str, Any]:
    """The questions timed on both stores: name -> function of a store."""
    from qmsgraph.alignment import ProjectProposal

    live = sorted(a.classification)
    chosen = random.Random(seed).sample(live, min(sample, len(live)))
    goals = sorted(g for g in view.ids("StrategicGoal") if view.node(g).status == "active")
    measures = sorted(view.ids("Measure"))[:2]
    unit = sorted(view.ids("Team"))[0]
    board = sorted(view.ids("Organisation"))[0]
    proposal = ProjectProposal(label="Bench", measures=measures, unit=unit,
                               declared_priority=goals[0])
    return {
        "thread": lambda s: [s.thread(p) for p in chosen],
        "check-project": lambda s: s.check_project(proposal),
        "matrix": lambda s: s.matrix(),
        "balance": lambda s: s.balance(),
        "scores": lambda s: s.scores(),
        "find_nodes kind": lambda s: s.find_nodes(kind="ImprovementProject"),
        "find_nodes unit": lambda s: s.find_nodes(unit=board, kind="Measure"),
        "find_nodes q": lambda s: s.find_nodes(q="falls"),
        "find_edges node": lambda s: s.find_edges(node=goals[0]),
        "unit map": lambda s: s.map_view("unit", unit=unit),
        "goal map": lambda s: s.map_view("goal", focus=goals[0]),
    }, len(chosen), goals[0]


def run_one(neo: Neo4jStore, size: int, seed: int, repeat: int, sample: int,
            offline: bool = False) -> dict[str, Any]:
    r: dict[str, Any] = {"size": size, "times": {}, "same": {}, "cold": {}}
    r["generate_s"], graph = _time(lambda: generate(size, seed))
    r["nodes"], r["edges"] = graph.g.number_of_nodes(), graph.g.number_of_edges()
    changes = changes_from_graph(graph, "synthetic")
    with tempfile.TemporaryDirectory() as tmp:
        lite = SQLiteStore(Path(tmp) / "bench.qmsdb")
        r["load_lite_s"], _ = _time(lambda: lite.apply(changes))
        neo.clear()
        r["load_neo_s"], _ = _time(lambda: neo.apply(changes))
        t_l, a = _time(lite.audit)
        t_n, b = _time(neo.audit)
        r["times"]["audit cold"] = (t_l, t_n)
        r["cold"]["audit cold"] = t_l
        r["same"]["audit"] = a == b
        t_l, a = _best(lite.audit, repeat)
        t_n, b = _best(neo.audit, repeat)
        r["times"]["audit warm"] = (t_l, t_n)
        r["same"]["audit"] = r["same"]["audit"] and a == b
        r["findings"] = len(a.findings)
        qs, n_threads, goal = questions(lite.view(), a, seed, sample)
        person = sorted(lite.view().ids("Person"))[0]
        count = [0]

        def touch() -> None:
            """The same small write on both stores (untimed): the embedded store's answers
            cached for the revision are dropped, as after any write by any client."""
            count[0] += 1
            for s in (lite, neo):
                node, version = s.node_version(person)
                s.apply(ChangeSet(update_nodes=[(node.model_copy(
                    update={"label": f"Bench person {count[0]}"}), version, None)]))

        for name, fn in qs.items():
            t_c, _ = _best(lambda fn=fn: fn(lite), repeat, touch)  # after a write
            t_l, x = _best(lambda fn=fn: fn(lite), repeat)          # repeated: cached
            t_n, y = _best(lambda fn=fn: fn(neo), repeat)
            if name == "thread":
                t_c, t_l, t_n = t_c / n_threads, t_l / n_threads, t_n / n_threads
            r["times"][name] = (t_l, t_n)
            r["cold"][name] = t_c
            r["same"][name] = x == y

        def write(s: Any, i: int) -> Any:
            node, version = s.node_version(goal)
            return s.apply(ChangeSet(update_nodes=[(node.model_copy(
                update={"label": f"Bench write {i}"}), version, None)]))

        t_l = min(_time(lambda i=i: write(lite, i))[0] for i in range(5))
        t_n = min(_time(lambda i=i: write(neo, i))[0] for i in range(5))
        r["times"]["one-node write"] = (t_l, t_n)
        r["same"]["one-node write"] = lite.get_node(goal) == neo.get_node(goal)
        if offline:
            from qmsgraph.stores.neo4j.offline import write_import_csv

            view = lite.view()
            r["csv_s"], _ = _time(lambda: write_import_csv(view.nodes(), view.edges(),
                                                           Path(tmp) / "csv"))
            r["import_s"], out = _time(lambda: subprocess.run(
                ["bash", str(REPO / "scripts" / "neo4j.sh"), "import", str(Path(tmp) / "csv"),
                 str(Path(tmp) / "home")], capture_output=True, text=True))
            r["import_ok"] = r["same"]["offline import"] = "IMPORT DONE" in out.stderr
        lite.close()
    return r


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--sample", type=int, default=50, help="projects for the thread timing")
    ap.add_argument("--offline", action="store_true",
                    help="also time the offline path: CSV files + Neo4j's bulk importer")
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
            r = run_one(neo, size, args.seed, args.repeat, args.sample, args.offline)
            rows.append(r)
            print(f"# {size} done", flush=True)
        neo.clear()
    finally:
        neo.close()
        if started:
            subprocess.run(["bash", str(REPO / "scripts" / "neo4j.sh"), "stop", str(PORT)],
                           capture_output=True)
    for r in rows:
        n = r["nodes"]
        print(f"\n{n:,} nodes, {r['edges']:,} edges, {r['findings']} findings")
        print(f"  load: SQLite {r['load_lite_s']:.1f} s ({n / r['load_lite_s']:,.0f} nodes/s), "
              f"Neo4j {r['load_neo_s']:.1f} s ({n / r['load_neo_s']:,.0f} nodes/s)")
        if "import_s" in r:
            total = r["csv_s"] + r["import_s"]
            print(f"  offline: CSV {r['csv_s']:.1f} s + neo4j-admin import {r['import_s']:.1f} s "
                  f"({n / total:,.0f} nodes/s; {'ok' if r['import_ok'] else 'FAILED'})")
        print(f"  {'question':<18} {'embedded':>11} {'emb. cached':>11} {'Neo4j':>11} "
              f"{'ratio':>7}  same")
        for name, (t_l, t_n) in r["times"].items():
            same = r["same"].get(name.removesuffix(" cold").removesuffix(" warm"), True)
            t_c = r["cold"].get(name)
            base = t_c if t_c is not None else t_l
            cold = f"{t_c * 1000:>8.1f} ms" if t_c is not None else f"{'':>11}"
            print(f"  {name:<18} {cold} {t_l * 1000:>8.1f} ms {t_n * 1000:>8.1f} ms "
                  f"{t_n / max(base, 1e-9):>7.2f}  {'yes' if same else 'MISMATCH'}")
    return 0 if all(all(r["same"].values()) for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
