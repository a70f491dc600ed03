"""Benchmark of the embedded store's columnar core, one size per fresh process.

    .venv/bin/python -m benchmarks.bench_core                 # 1k, 10k, 100k and 1M nodes
    .venv/bin/python -m benchmarks.bench_core 1000 10000      # any sizes
    .venv/bin/python -m benchmarks.bench_core --runs 5        # fresh-process opens per size

Per size, on a store made from :func:`benchmarks.synthetic.generate` (rows written straight
into SQLite once and kept under ``.cache/bench/``), it prints:

* **cold open**: a fresh process opens the store with no core snapshot (arrays built from
  the rows, snapshot written) and answers ``stats()``;
* **open**: a fresh process, snapshot present, from interpreter start to the first
  answer (one ``thread()``), min/median of ``--runs``;
* **write**: one-node write (a goal's label, with its version as If-Match) through
  ``SQLiteStore.apply``, and through the HTTP API (``PATCH /nodes/{id}`` with ``If-Match``
  to a uvicorn server on 127.0.0.1), p50 of 20;
* **thread**: ``store.thread(project)`` p50/p99 over 200 projects;
* **check-project**: ``store.check_project`` on a proposal with two measures, a unit and a
  declared goal, median of 5;
* **audit**: full audit (every finding with its evidence), cold (first after a write:
  index built) and warm (median of 3), with SPC concern taken as empty so the figure is the
  alignment engine's own;
* **reference**: the compiled-BFS classification (scipy CSR over the thread edges, one
  multi-source ``breadth_first_order`` per goal set) in the same process, and audit/ratio;
* **peak RSS** of the measuring process;
* and once: ``qmsgraph --help`` against ``python -c 'import typer'`` (min of 5 each).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CACHE = REPO / ".cache" / "bench"
SIZES = (1_000, 10_000, 100_000, 1_000_000)


def make_store(n: int) -> Path:
    """A store of ``n`` synthetic nodes, rows written directly (trusted data), cached."""
    path = CACHE / f"core-{n}.qmsdb"
    if path.exists():
        return path
    from qmsgraph.stores.sqlite import _SCHEMA, _edge_row, _node_row

    from .synthetic import generate

    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    g = generate(n, seed=0)
    conn = sqlite3.connect(tmp)
    conn.executescript(_SCHEMA)
    conn.execute("INSERT INTO meta VALUES ('format', '1')")
    conn.execute("INSERT INTO meta VALUES ('clock', '1')")
    conn.executemany("INSERT INTO nodes VALUES (?,?,?,?)",
                     (_node_row(node, 1) for node in g.nodes()))
    conn.executemany("INSERT INTO edges VALUES (?,?,?,?)", (_edge_row(e) for e in g.edges()))
    conn.commit()
    conn.close()
    tmp.rename(path)
    return path


def _quantiles(xs: list[float]) -> tuple[float, float]:
    xs = sorted(xs)
    return xs[len(xs) // 2], xs[min(len(xs) - 1, int(len(xs) * 0.99))]


OPEN_SCRIPT = """
import time, sys
t0 = time.perf_counter()
from qmsgraph.stores import open_store
s = open_store(sys.argv[1], create=False)
r = s.thread(sys.argv[2])
t1 = time.perf_counter()
s.close()
print(t1 - t0)
"""


def fresh_open(path: Path, node: str) -> tuple[float, float]:
    """(seconds from interpreter start to the first answer, seconds inside Python)."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", OPEN_SCRIPT, str(path), node], check=True,
                         capture_output=True, text=True, cwd=REPO)
    return time.perf_counter() - t0, float(out.stdout.strip())


def reference_classify(core: Any) -> tuple[float, int]:
    """Compiled BFS over the thread edges: work that reaches no active goal (seconds,
    count)."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import breadth_first_order

    from qmsgraph.stores._core import THREAD_CODES

    t0 = time.perf_counter()
    src, dst, kind = core.edge_arrays()
    sel = np.isin(kind, THREAD_CODES)
    n = core.n + 1  # slot n: a super-source wired to every active goal
    goals = np.flatnonzero(core.goal_status[:core.n] == 1)
    rs = np.concatenate([dst[sel], np.full(len(goals), core.n)])
    rd = np.concatenate([src[sel], goals])
    rev = csr_matrix((np.ones(len(rs), dtype=np.int8), (rs, rd)), shape=(n, n))
    order, pred = breadth_first_order(rev, core.n, directed=True, return_predecessors=True)
    reached = np.zeros(n, dtype=bool)
    reached[order] = True
    unreached = int((~reached[:core.n] & (core.kind[:core.n] >= 0)).sum())
    return time.perf_counter() - t0, unreached


def api_writes(path: Path, goal: str, count: int) -> list[float]:
    """PATCH /nodes/{goal} with If-Match against a uvicorn server on 127.0.0.1."""
    import httpx
    import uvicorn

    from qmsgraph.api.app import create_app
    from qmsgraph.api.keys import KeyStore
    from qmsgraph.stores.sqlite import SQLiteStore

    keys = KeyStore(":memory:")
    _, token = keys.create("bench", "planner")
    store = SQLiteStore(path)
    app = create_app(store, keys=keys)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error"))
    th = threading.Thread(target=server.run, daemon=True)
    th.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    times = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}",
                      headers={"X-API-Key": token}, timeout=60) as client:
        for i in range(count):
            etag = client.get(f"/nodes/{goal}").headers["ETag"]
            t0 = time.perf_counter()
            r = client.patch(f"/nodes/{goal}", json={"label": f"API write {i}"},
                             headers={"If-Match": etag})
            times.append(time.perf_counter() - t0)
            r.raise_for_status()
    server.should_exit = True
    th.join()
    store.close()
    return times


def measure(n: int, runs: int) -> dict[str, Any]:
    from qmsgraph.alignment import AlignmentConfig, ProjectProposal, audit
    from qmsgraph.stores.sqlite import SQLiteStore

    path = make_store(n)
    snap = path.with_name(path.name + "-core.npz")
    snap.unlink(missing_ok=True)
    r: dict[str, Any] = {"nodes": n}
    t0 = time.perf_counter()
    s = SQLiteStore(path)
    st = s.stats()
    r["cold_open_s"] = time.perf_counter() - t0
    r["edges"] = st["edges"]
    view = s.view()
    projects = view.ids("ImprovementProject")
    goals = [g for g in view.ids("StrategicGoal") if view.node(g).status == "active"]
    s.close()
    opens = [fresh_open(path, projects[0]) for _ in range(runs)]
    r["open_s"] = [min(o[0] for o in opens), statistics.median(o[0] for o in opens)]
    r["open_inside_s"] = statistics.median(o[1] for o in opens)

    s = SQLiteStore(path)
    view = s.view()
    step = max(1, len(projects) // 200)
    times = []
    for p in projects[::step][:200]:
        t0 = time.perf_counter()
        s.thread(p)
        times.append(time.perf_counter() - t0)
    r["thread_ms"] = [x * 1000 for x in _quantiles(times)]
    measures = view.ids("Measure")[:2]
    unit = view.ids("Team")[0]
    proposal = ProjectProposal(label="Bench", measures=measures, unit=unit,
                               declared_priority=goals[0])
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        s.check_project(proposal)
        times.append(time.perf_counter() - t0)
    r["check_project_ms"] = statistics.median(times) * 1000

    from qmsgraph.stores import ChangeSet

    goal = goals[0]
    times = []
    for i in range(20):
        node = s.view().node(goal)
        version = s.version(goal)
        cs = ChangeSet(update_nodes=[(node.model_copy(update={"label": f"Write {i}"}),
                                      version, None)])
        t0 = time.perf_counter()
        s.apply(cs)
        times.append(time.perf_counter() - t0)
    r["write_ms"] = statistics.median(times) * 1000
    cfg = AlignmentConfig()
    t0 = time.perf_counter()
    report = audit(s.view(), cfg, set())
    r["audit_cold_s"] = time.perf_counter() - t0
    r["findings"] = len(report.findings)
    warm = []
    for _ in range(3):
        t0 = time.perf_counter()
        audit(s.view(), cfg, set())
        warm.append(time.perf_counter() - t0)
    r["audit_warm_s"] = statistics.median(warm)
    refs = [reference_classify(s.core) for _ in range(3)]
    r["reference_s"] = statistics.median(x[0] for x in refs)
    r["reference_unreached"] = refs[0][1]
    s.close()
    r["api_write_ms"] = statistics.median(api_writes(path, goal, 20)) * 1000
    r["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return r


def help_ratio() -> dict[str, float]:
    qms = REPO / ".venv" / "bin" / "qmsgraph"

    def best(cmd: list[str]) -> float:
        ts = []
        for _ in range(5):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, cwd=REPO)
            ts.append(time.perf_counter() - t0)
        return min(ts)

    h = best([str(qms), "--help"])
    t = best([sys.executable, "-c", "import typer"])
    return {"help_s": h, "import_typer_s": t, "ratio": h / t}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sizes", nargs="*", type=int, default=list(SIZES))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(measure(a.one, a.runs)))
        return
    rows = []
    for n in a.sizes:
        out = subprocess.run([sys.executable, "-m", "benchmarks.bench_core", "--one", str(n),
                              "--runs", str(a.runs)], capture_output=True, text=True, cwd=REPO)
        if out.returncode:
            print(out.stderr, file=sys.stderr)
            raise SystemExit(f"size {n} failed")
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"  {n:,} nodes done", file=sys.stderr)
    base = rows[0]
    print("| nodes | edges | cold open s | open s (min/med) | write ms (store) | x of "
          f"{base['nodes']:,} | write ms (API, If-Match) | thread p50/p99 ms | "
          "check-project ms | audit cold s | audit warm s | reference s | warm/ref | "
          "peak RSS MB |")
    print("|" + "---:|" * 14)
    for r in rows:
        print(f"| {r['nodes']:,} | {r['edges']:,} | {r['cold_open_s']:.2f} | "
              f"{r['open_s'][0]:.2f} / {r['open_s'][1]:.2f} | {r['write_ms']:.1f} | "
              f"{r['write_ms'] / base['write_ms']:.1f}x | {r['api_write_ms']:.1f} | "
              f"{r['thread_ms'][0]:.2f} / {r['thread_ms'][1]:.2f} | "
              f"{r['check_project_ms']:.1f} | {r['audit_cold_s']:.3f} | "
              f"{r['audit_warm_s']:.3f} | {r['reference_s']:.3f} | "
              f"{r['audit_warm_s'] / r['reference_s']:.1f}x | {r['peak_rss_mb']:.0f} |")
    h = help_ratio()
    print(f"\nqmsgraph --help {h['help_s']:.2f} s; python -c 'import typer' "
          f"{h['import_typer_s']:.2f} s; ratio {h['ratio']:.1f}x")
    out = HERE / "results" / f"core-{time.strftime('%Y-%m-%d')}.json"
    out.write_text(json.dumps({"rows": rows, "help": h,
                               "load": os.getloadavg()}, indent=1) + "\n")
    print(f"results: {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
