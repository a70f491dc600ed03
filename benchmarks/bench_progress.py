"""Progress from the evidence and the QI portfolio on a synthetic store (issue 20).

On a store made by :func:`benchmarks.bench_core.make_store` (default 100,000 nodes, about a
third of them projects), in one process:

* ``progress()`` of every project - the embedded store's way: edges from the array index,
  fields through bulk ``json_extract`` reads (:meth:`SQLiteStore.node_fields`), the SPC
  summaries the store keeps (their first computation is timed apart: the audit needs them
  too);
* the peer, measured in the same run: the same assessment fed by the node bodies (one model
  object per project, measure and change idea: what the library does on a plain graph),
  on a sample of projects, extrapolated to all of them;
* ``progress_facts()`` (what the audit adds: projects with a recorded level), ``portfolio()``
  (warm audit and progress) and one project's ``progress``.

    .venv/bin/python -m benchmarks.bench_progress [--nodes 100000] [--sample 2000]

Prints the figures and the ratio; no aim is asserted (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import time
from typing import Any


def _t(fn: Any) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=100_000)
    ap.add_argument("--sample", type=int, default=2000)
    args = ap.parse_args(argv)

    from qmsgraph.alignment.progress import assess, graph_fields
    from qmsgraph.stores.sqlite import SQLiteStore

    from .bench_core import make_store

    t_make, path = _t(lambda: make_store(args.nodes))
    s = SQLiteStore(path)
    try:
        view = s.view()
        projects = view.ids("ImprovementProject")
        print(f"store: {path.name}, {len(view):,} nodes, {len(projects):,} projects "
              f"(made/opened in {t_make:.1f} s)")
        t_spc, spc = _t(s.spc_summaries)
        print(f"SPC summaries (shared with the audit): {t_spc:.2f} s for {len(spc):,} measures")
        t_all, prog = _t(s.progress)
        print(f"progress of every project, bulk reads: {t_all:.2f} s "
              f"({1e6 * t_all / max(len(projects), 1):.0f} us per project)")
        sample = projects[:: max(1, len(projects) // args.sample)][: args.sample]
        fresh = SQLiteStore(path)  # a cold body cache for the peer
        try:
            fview = fresh.view()
            t_peer, peer = _t(lambda: assess(fview, sample, spc, graph_fields(fview)))
        finally:
            fresh.close()
        assert all(peer[p] == prog[p] for p in sample), "the peer disagrees"
        per = t_peer / max(len(sample), 1)
        est = per * len(projects)
        print(f"peer (model objects per node): {t_peer:.2f} s for {len(sample):,} projects, "
              f"about {est:.1f} s for all; ratio {est / t_all:.1f}x")
        t_facts, facts = _t(s.progress_facts)
        print(f"progress_facts (audit's extra work): {t_facts:.3f} s, {len(facts)} findings")
        t_audit, _ = _t(s.audit)
        t_port, port = _t(s.portfolio)
        print(f"portfolio (audit {t_audit:.2f} s first, then): {t_port:.2f} s, "
              f"{len(port.rows):,} rows, {len(port.goals):,} goal and {len(port.units):,} "
              "unit totals")
        one = projects[len(projects) // 2]
        t_one, _ = _t(lambda: s.progress(one))
        print(f"progress of one project ({one}): {1000 * t_one:.1f} ms")
    finally:
        s.close()


if __name__ == "__main__":
    main()
