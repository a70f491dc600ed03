"""`qmsgraph ask` and the Duty of Quality report on synthetic health systems: time per question
(warm: the audit and SPC summaries already computed once), the whole report, and each against
the audit measured in the same run (the ratio).

    .venv/bin/python -m benchmarks.bench_questions            # 1k and 10k nodes
    .venv/bin/python -m benchmarks.bench_questions 1000 10000 100000
"""

from __future__ import annotations

import sys
import time

from qmsgraph.alignment import AlignmentConfig
from qmsgraph.questions import QUESTIONS, Context, answer
from qmsgraph.questions.duty import duty_report
from qmsgraph.stores import SQLiteStore

from .bench_core import make_store


def _t(fn) -> tuple[float, object]:  # noqa: ANN001
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def measure(n: int) -> None:
    store = SQLiteStore(make_store(n))
    cfg = AlignmentConfig()
    try:
        cold_audit, _ = _t(lambda: store.audit(cfg))
        warm_audit, _ = _t(lambda: store.audit(cfg))
        spc, _ = _t(store.spc_summaries)
        print(f"\n{n:,} nodes: audit {cold_audit:.2f} s cold, {warm_audit:.3f} s warm; "
              f"SPC summaries {spc:.2f} s")
        rows = []
        with store.snapshot():
            ctx = Context(store, cfg)
            _ = ctx.report, ctx.spc, ctx.concern, ctx.improvers
            for q in QUESTIONS:
                secs, a = _t(lambda q=q: answer(ctx, q.id))
                rows.append((secs, q.id, len(a.evidence)))
        total = sum(r[0] for r in rows)
        print(f"  every question (warm): {total:.2f} s = {total / cold_audit:.1f}x "
              "the cold audit")
        for secs, qid, ev in sorted(rows, reverse=True)[:6]:
            print(f"    {qid:<20} {secs:7.3f} s  {ev:>6} evidence items")
        secs, _ = _t(lambda: duty_report(store, None, cfg))
        print(f"  Duty of Quality report (content): {secs:.2f} s = "
              f"{secs / cold_audit:.1f}x the cold audit")
    finally:
        store.close()


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10000]
    for n in sizes:
        measure(n)


if __name__ == "__main__":
    main()
