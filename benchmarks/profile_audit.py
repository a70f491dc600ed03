"""Where does ``audit`` spend its time? Line-level sampling profile on a synthetic graph.

    .venv/bin/python -m benchmarks.profile_audit 100000
    .venv/bin/python -m benchmarks.profile_audit 1000000 --top 25

A background thread samples the main thread's stack every ``--interval`` seconds while
``audit(graph)`` runs (the index is built and cached first, so this is the warm audit the
benchmark times). For each sample, every frame of the stack that is in the ``qmsgraph``
package is counted once, so a line's share is the share of the audit's wall time spent
*in or under* that line (inclusive). Lines are shown with their source text. No extra
dependency: cProfile gives functions; this gives lines, with little overhead.
"""

from __future__ import annotations

import argparse
import gc
import linecache
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from qmsgraph.alignment import audit, index_of

from .synthetic import generate

PKG = str(Path(__file__).resolve().parents[1] / "qmsgraph")


def sample_lines(fn, interval: float) -> tuple[float, int, Counter, Counter]:
    """Run ``fn()`` while sampling; (seconds, samples, line counts, function counts)."""
    main = threading.get_ident()
    lines: Counter = Counter()
    funcs: Counter = Counter()
    n = 0
    done = threading.Event()

    def sampler() -> None:
        nonlocal n
        while not done.wait(interval):
            frame = sys._current_frames().get(main)
            seen_l, seen_f = set(), set()
            while frame is not None:
                code = frame.f_code
                if code.co_filename.startswith(PKG):
                    seen_l.add((code.co_filename, frame.f_lineno or 0, code.co_name))
                    seen_f.add((code.co_filename, code.co_firstlineno, code.co_name))
                frame = frame.f_back
            lines.update(seen_l)
            funcs.update(seen_f)
            n += 1

    t = threading.Thread(target=sampler, daemon=True)
    t.start()
    t0 = time.perf_counter()
    try:
        fn()
    finally:
        secs = time.perf_counter() - t0
        done.set()
        t.join()
    return secs, n, lines, funcs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.profile_audit")
    ap.add_argument("size", type=int, nargs="?", default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--interval", type=float, default=0.005)
    ap.add_argument("--top", type=int, default=20)
    a = ap.parse_args(argv)
    graph = generate(a.size, a.seed)
    index_of(graph)
    gc.collect()
    secs, n, lines, funcs = sample_lines(lambda: audit(graph), a.interval)
    print(f"audit of {graph.g.number_of_nodes():,} nodes / {graph.g.number_of_edges():,} "
          f"edges: {secs:.2f} s, {n} samples (inclusive: a line counts when it is anywhere "
          "on the stack)\n")
    print("functions")
    for (f, first, name), c in funcs.most_common(a.top):
        print(f"  {100 * c / max(n, 1):5.1f}%  {name}  ({Path(f).name}:{first})")
    print("\nlines")
    for (f, line, name), c in lines.most_common(a.top):
        src = linecache.getline(f, line).strip() if line else "?"
        print(f"  {100 * c / max(n, 1):5.1f}%  {Path(f).name}:{line} in {name}: {src[:90]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
