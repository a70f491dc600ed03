"""Benchmark of the alignment engine against a naive path-search peer.

    .venv/bin/python -m benchmarks.bench_audit              # 10k, 100k and 1M nodes
    .venv/bin/python -m benchmarks.bench_audit --quick      # 10k only
    .venv/bin/python -m benchmarks.bench_audit 10000 250000 # any sizes

Each size runs in a fresh subprocess (so its peak memory, ``ru_maxrss``, is its own) on a
graph from :func:`benchmarks.synthetic.generate`. Per size it times

(a) the index build (``index_of`` on a fresh graph, i.e. ``build_index``);
(b) the full ``audit(graph)`` with that index warm (best of ``--repeat`` runs; the first
    run is reported too), and cold = index build + first audit;
(c) a NAIVE PEER, in the same process: for every live project and every strategic goal,
    ``networkx.has_path`` over an edge-filtered view of the graph holding only the thread
    edges, plus ``has_path`` to each declared (``alignsTo``) target, classifying the project
    orphaned / misaligned / aligned by the definitions in ``qmsgraph.alignment``. Up to
    ``--full-naive-up-to`` nodes it runs on every live project; above, on a random sample of
    ``--sample`` projects, and its total is extrapolated linearly to all live projects.

The naive classification must equal the engine's on every project it ran on; otherwise
MISMATCH is printed and the exit status is 1. Results go to the terminal as a table and to
``benchmarks/results/audit-<date>.json``.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import hashlib
import io
import json
import os
import platform
import pstats
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import networkx as nx

from qmsgraph import alignment, schema
from qmsgraph.alignment import AlignmentConfig, audit, index_of
from qmsgraph.graph import QMSGraph

from .synthetic import generate

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)


def _git_blob(path: str) -> str:
    """The git blob id of a file's content (compare: git rev-parse <commit>:<path>)."""
    data = Path(path).read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # noqa: S324


# The engine this process imported (others may be editing the working tree meanwhile): the
# blob ids of the package's modules, hashed together.
ENGINE_BLOB = hashlib.sha1("".join(  # noqa: S324
    _git_blob(str(p)) for p in sorted(Path(alignment.__file__).parent.glob("*.py"))
).encode()).hexdigest()


# ============================================================================ naive peer

def thread_view(graph: QMSGraph) -> nx.MultiDiGraph:
    """The graph with only its thread edges (a read-only filtered view, no copy)."""
    thread = schema.THREAD_EDGES
    return nx.subgraph_view(graph.g, filter_edge=lambda u, v, k: k in thread)


def naive_classify(graph: QMSGraph, view: nx.MultiDiGraph, project: str,
                   goals: list[tuple[str, bool]]) -> str:
    """orphaned / misaligned / aligned for one project, by one has_path per goal."""
    reached = [active for g, active in goals if nx.has_path(view, project, g)]
    if not reached:
        return "orphaned"
    if not any(reached):
        return "misaligned"
    for target in graph.successors(project, "alignsTo"):
        node = graph.node(target)
        if node.kind == "StrategicGoal" and node.status != "active":
            return "misaligned"
        if not nx.has_path(view, project, target):
            return "misaligned"
    return "aligned"


def run_naive(graph: QMSGraph, projects: list[str], sample: int | None, seed: int
              ) -> tuple[dict[str, str], float, int]:
    """Classify ``projects`` (or a random sample of them); (classification, seconds, n)."""
    goals = sorted((n.id, n.status == "active") for n in graph.nodes("StrategicGoal"))
    chosen = projects
    if sample is not None and sample < len(projects):
        chosen = sorted(random.Random(seed).sample(projects, sample))
    view = thread_view(graph)
    t0 = time.perf_counter()
    out = {p: naive_classify(graph, view, p, goals) for p in chosen}
    return out, time.perf_counter() - t0, len(chosen)


# ============================================================================ one size

def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def run_one(size: int, seed: int, repeat: int, sample: int, full_naive_up_to: int,
            profile: bool) -> dict[str, Any]:
    res: dict[str, Any] = {"requested_nodes": size, "seed": seed,
                           "alignment_py_blob": ENGINE_BLOB}
    t0 = time.perf_counter()
    graph = generate(size, seed)
    res["generate_s"] = time.perf_counter() - t0
    res["rss_after_generate_mb"] = _rss_mb()
    res["nodes"] = graph.g.number_of_nodes()
    res["edges"] = graph.g.number_of_edges()
    gc.collect()

    # (a) index build (a fresh graph: nothing cached yet)
    t0 = time.perf_counter()
    ix = index_of(graph)
    res["index_build_s"] = time.perf_counter() - t0
    res["mask_words"] = int(ix.masks.shape[1])
    res["thread_components"] = int(ix.goal_bits.shape[0])
    index_of(graph)  # warm: the cached one

    # (b) audit with the index warm
    times = []
    report = None
    for _ in range(max(1, repeat)):
        gc.collect()
        t0 = time.perf_counter()
        report = audit(graph)
        times.append(time.perf_counter() - t0)
        if sum(times) > 60:   # a slow audit: one or two runs tell enough
            break
    assert report is not None
    res["audit_first_s"] = times[0]
    res["audit_s"] = min(times)
    res["audit_runs_s"] = times
    res["cold_s"] = res["index_build_s"] + times[0]
    res["findings"] = len(report.findings)
    res["summary"] = report.summary()
    cls = report.classification
    live = set(AlignmentConfig().work_statuses)
    projects = sorted(n.id for n in graph.nodes("ImprovementProject") if n.status in live)
    res["live_projects"] = len(projects)
    res["goals"] = sum(1 for _ in graph.nodes("StrategicGoal"))
    if profile:
        prof = cProfile.Profile()
        prof.enable()
        audit(graph)
        prof.disable()
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(30)
        res["profile_cumulative"] = buf.getvalue()
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(20)
        res["profile_tottime"] = buf.getvalue()

    # (c) the naive peer
    full = size <= full_naive_up_to
    naive, secs, n = run_naive(graph, projects, None if full else sample, seed)
    res["naive_projects_run"] = n
    res["naive_measured_s"] = secs
    res["naive_extrapolated"] = n < len(projects)
    res["naive_s"] = secs * len(projects) / n if n else 0.0
    res["naive_has_path_calls"] = n * res["goals"]
    mismatches = [(p, naive[p], cls.get(p, "(not classified)")) for p in sorted(naive)
                  if naive[p] != cls.get(p)]
    if set(cls) != set(projects):   # the engine must classify exactly the live projects
        mismatches += [(p, "live" if p in set(projects) else "not live",
                        cls.get(p, "(not classified)"))
                       for p in sorted(set(cls) ^ set(projects))]
    res["mismatches"] = mismatches[:50]
    res["n_mismatches"] = len(mismatches)
    res["ratio_naive_audit"] = res["naive_s"] / res["audit_s"] if res["audit_s"] else None
    res["ratio_naive_cold"] = res["naive_s"] / res["cold_s"] if res["cold_s"] else None
    res["peak_rss_mb"] = _rss_mb()
    return res


# ============================================================================ driver

def _fmt_s(x: float) -> str:
    return f"{x:.3f}" if x < 100 else f"{x:,.0f}"


def table(rows: list[dict[str, Any]]) -> str:
    head = ("nodes", "edges", "live proj", "gen s", "index s", "audit s", "cold s",
            "naive s", "naive/audit", "naive/cold", "peak RSS MB")
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    notes = []
    for r in rows:
        star = "*" if r["naive_extrapolated"] else ""
        lines.append(" | ".join([
            f"{r['nodes']:,}", f"{r['edges']:,}", f"{r['live_projects']:,}",
            _fmt_s(r["generate_s"]), _fmt_s(r["index_build_s"]), _fmt_s(r["audit_s"]),
            _fmt_s(r["cold_s"]), _fmt_s(r["naive_s"]) + star,
            f"{r['ratio_naive_audit']:,.0f}x", f"{r['ratio_naive_cold']:,.0f}x",
            f"{r['peak_rss_mb']:,.0f}"]))
        if r["naive_extrapolated"]:
            notes.append(f"* {r['nodes']:,} nodes: naive time extrapolated from "
                         f"{r['naive_projects_run']} sampled projects "
                         f"({_fmt_s(r['naive_measured_s'])} s measured) to all "
                         f"{r['live_projects']:,} live projects")
        else:
            notes.append(f"  {r['nodes']:,} nodes: naive peer measured on all "
                         f"{r['live_projects']:,} live projects")
    return "\n".join(lines + [""] + notes)


def verdicts(rows: list[dict[str, Any]]) -> list[str]:
    out = []
    by_size = {r["requested_nodes"]: r for r in rows}
    if 1_000_000 in by_size:
        a = by_size[1_000_000]["audit_s"]
        out.append(f"goal: full audit of 1M nodes < 1 s (warm index): "
                   f"{'MET' if a < 1 else 'NOT MET'} ({a:.2f} s)")
    if 100_000 in by_size:
        x = by_size[100_000]["ratio_naive_audit"]
        out.append(f"goal: >= 100x faster than the naive peer at 100k: "
                   f"{'MET' if x >= 100 else 'NOT MET'} ({x:,.0f}x)")
    return out


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True,
                              check=False).stdout.strip()
    except OSError:
        return ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.bench_audit",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("sizes", nargs="*", type=int, help="graph sizes in nodes "
                    "(default 10000 100000 1000000)")
    ap.add_argument("--quick", action="store_true", help="10,000 nodes only")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3, help="audit runs per size, best kept "
                    "(fewer once the runs add up to over 60 s)")
    ap.add_argument("--sample", type=int, default=200,
                    help="projects the naive peer runs on above --full-naive-up-to")
    ap.add_argument("--full-naive-up-to", type=int, default=10_000,
                    help="run the naive peer on every project up to this many nodes")
    ap.add_argument("--profile", action="store_true",
                    help="also cProfile one audit per size and print the top functions")
    ap.add_argument("--out", type=Path, default=None, help="JSON results file (default "
                    "benchmarks/results/audit-<date>.json)")
    ap.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--one-out", type=Path, default=None, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)

    if a.one is not None:   # child: one size, results as JSON to --one-out
        res = run_one(a.one, a.seed, a.repeat, a.sample, a.full_naive_up_to, a.profile)
        a.one_out.write_text(json.dumps(res, default=str), encoding="utf-8")
        return 0

    sizes = [10_000] if a.quick else (a.sizes or list(DEFAULT_SIZES))
    rows = []
    failed = False
    for size in sizes:
        print(f"--- {size:,} nodes (fresh subprocess) ...", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "one.json"
            cmd = [sys.executable, "-m", "benchmarks.bench_audit", "--one", str(size),
                   "--one-out", str(out), "--seed", str(a.seed), "--repeat", str(a.repeat),
                   "--sample", str(a.sample), "--full-naive-up-to", str(a.full_naive_up_to)]
            if a.profile:
                cmd.append("--profile")
            proc = subprocess.run(cmd, cwd=REPO, check=False)
            if proc.returncode != 0 or not out.exists():
                print(f"FAILED: the {size:,}-node run exited with {proc.returncode}",
                      flush=True)
                failed = True
                continue
            r = json.loads(out.read_text(encoding="utf-8"))
        rows.append(r)
        print(f"    generated in {r['generate_s']:.1f} s; index {r['index_build_s']:.3f} s; "
              f"audit {r['audit_s']:.3f} s (first {r['audit_first_s']:.3f} s); naive "
              f"{r['naive_measured_s']:.1f} s on {r['naive_projects_run']} projects; "
              f"{r['findings']} findings; peak RSS {r['peak_rss_mb']:,.0f} MB", flush=True)
        if r["n_mismatches"]:
            failed = True
            print(f"!!! MISMATCH: the naive peer and the engine classify "
                  f"{r['n_mismatches']} of {r['naive_projects_run']} projects differently "
                  f"at {size:,} nodes:", flush=True)
            for p, naive, engine in r["mismatches"]:
                print(f"!!!   {p}: naive {naive}, engine {engine}", flush=True)
        else:
            print(f"    naive and engine agree on all {r['naive_projects_run']} projects "
                  "checked", flush=True)
        if a.profile:
            print(r["profile_cumulative"])
            print(r["profile_tottime"])
    if rows:
        blobs = sorted({r["alignment_py_blob"] for r in rows})
        if len(blobs) > 1:
            print(f"WARNING: qmsgraph/alignment/ changed between sizes ({', '.join(blobs)})")
        print()
        print(table(rows))
        print()
        for v in verdicts(rows):
            print(v)
        today = dt.date.today().isoformat()
        path = a.out or HERE / "results" / f"audit-{today}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {"date": today, "command": " ".join(["python -m benchmarks.bench_audit",
                                                     *(sys.argv[1:] if argv is None
                                                       else argv)]),
                "python": platform.python_version(), "networkx": nx.__version__,
                "machine": platform.machine(), "cpus": os.cpu_count(),
                "loadavg_at_end": os.getloadavg(), "git_head": _git("rev-parse", "HEAD"),
                "alignment_py_dirty": bool(_git("status", "--porcelain",
                                                "qmsgraph/alignment")),
                "alignment_py_blobs": blobs}
        for r in rows:   # profiles are long; keep them out of the JSON summary
            r.pop("profile_cumulative", None)
            r.pop("profile_tottime", None)
        path.write_text(json.dumps({"meta": meta, "results": rows}, indent=1, default=str)
                        + "\n", encoding="utf-8")
        shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path
        print(f"\nresults written to {shown}")
    if failed:
        print("\nFAILED (see MISMATCH / FAILED above)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
