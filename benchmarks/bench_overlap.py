"""How check-project compares a proposal's words with past and live projects (issue 20).

    .venv/bin/python -m benchmarks.bench_overlap            # methods, then 1k/10k/100k
    .venv/bin/python -m benchmarks.bench_overlap --quick    # methods, then 1k/10k only

1. **Which text method.** Every method of :mod:`qmsgraph.alignment.text` indexes the 30
   projects of ``tests/data/overlap_cases.yaml`` and answers its 40 proposals: 30
   paraphrases (the same project in other words, naming no measure) and 10 near-misses
   (many words in common with a project, different work). A proposal is matched to its top
   project when the score reaches a threshold; per method and threshold this prints
   precision (matches that are right / matches made) and recall (paraphrases matched to
   the right project / paraphrases), and the best F1. Then the rule check-project uses
   (``qmsgraph.alignment.overlap.text_matches``: ``TEXT_MIN`` and at least
   ``MIN_SHARED_TERMS`` shared terms) with its figures.
   Note: the thesaurus and the cases were written by the same person; the figures show the
   method works on the wording it knows, not how it does on a trust's own register.
2. **Speed at scale.** Synthetic registers of N projects (aims drawn from the same
   vocabulary, shuffled and mixed): time to build the index, and time per query (median
   of 50), for the method check-project uses; then ``check_project`` on an embedded store
   holding them: cold (texts read, index built), warm (index kept), and after a write that
   touches no project (the projects' count and highest version unchanged: no texts read),
   and after a project is added (texts read, only that row vectorised: ``updated``).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

import yaml

from qmsgraph.alignment.overlap import MIN_SHARED_TERMS, TEXT_MIN, text_matches
from qmsgraph.alignment.text import METHODS, TextIndex, project_text

CASES = Path(__file__).resolve().parents[1] / "tests" / "data" / "overlap_cases.yaml"
THRESHOLDS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)


def load_cases() -> tuple[list[str], list[str], list[dict]]:
    data = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    ids = [p["id"] for p in data["projects"]]
    texts = [project_text(p["label"], p["aim"]) for p in data["projects"]]
    return ids, texts, data["cases"]


def evaluate(ix: TextIndex, cases: list[dict], threshold: float | None) -> dict[str, float]:
    """Top match per case at ``threshold``; None: as check-project does (text_matches)."""
    made = right = 0
    para = sum(1 for c in cases if c["expect"])
    for c in cases:
        hits = (text_matches(ix, c["query"]) if threshold is None
                else ix.search(c["query"], k=1, min_score=threshold))
        if hits:
            made += 1
            right += hits[0][0] == c["expect"]
    p = right / made if made else 1.0
    r = right / para if para else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f1, "made": made}


def methods() -> str:
    ids, texts, cases = load_cases()
    best_line = {}
    print(f"{len(ids)} projects, {sum(1 for c in cases if c['expect'])} paraphrases, "
          f"{sum(1 for c in cases if not c['expect'])} near-misses ({CASES.name})")
    print(f"{'method':<15}{'threshold':>10}{'precision':>11}{'recall':>8}{'F1':>7}")
    for m in METHODS:
        ix = TextIndex.build(ids, texts, m)
        rows = [(t, evaluate(ix, cases, t)) for t in THRESHOLDS]
        t, best = max(rows, key=lambda r: (r[1]["f1"], -r[0]))
        best_line[m] = (t, best)
        print(f"{m:<15}{t:>10.2f}{best['precision']:>11.2f}{best['recall']:>8.2f}"
              f"{best['f1']:>7.2f}   (best F1 over thresholds)")
    used = evaluate(TextIndex.build(ids, texts, "concepts"), cases, None)
    print(f"check-project uses 'concepts' at TEXT_MIN={TEXT_MIN} with at least "
          f"{MIN_SHARED_TERMS} shared terms: precision "
          f"{used['precision']:.2f}, recall {used['recall']:.2f}, F1 {used['f1']:.2f}")
    return "concepts"


def synthetic(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    _, texts, cases = load_cases()
    words = " ".join(texts + [c["query"] for c in cases]).split()
    rng = random.Random(seed)
    ids = [f"QI-{i:06d}" for i in range(n)]
    out = []
    for _ in range(n):
        base = rng.choice(texts).split()
        extra = rng.sample(words, 6)
        rng.shuffle(base)
        out.append(" ".join(base[: max(8, len(base) - 4)] + extra))
    return ids, out


def scale(sizes: list[int], method: str) -> None:
    _, _, cases = load_cases()
    queries = [c["query"] for c in cases]
    print(f"\n{'projects':>9}{'build (s)':>11}{'query median (ms)':>19}{'query max (ms)':>16}")
    for n in sizes:
        ids, texts = synthetic(n)
        t0 = time.perf_counter()
        ix = TextIndex.build(ids, texts, method)
        build = time.perf_counter() - t0
        times = []
        for q in (queries * 2)[:50]:
            t0 = time.perf_counter()
            text_matches(ix, q)
            times.append((time.perf_counter() - t0) * 1000)
        print(f"{n:>9,}{build:>11.2f}{statistics.median(times):>19.1f}{max(times):>16.1f}")


def store_scale(sizes: list[int]) -> None:
    """check-project on an embedded store of N projects: the first call (reads the project
    texts with one query, builds the index), the next (index kept), and the first after a
    write that touches no project (texts read again, same digest: no rebuild)."""
    import tempfile

    from qmsgraph.alignment import ProjectProposal
    from qmsgraph.model import make_node
    from qmsgraph.stores import ChangeSet, SQLiteStore

    _, _, cases = load_cases()
    proposal = ProjectProposal(label=cases[0]["query"])
    print(f"\n{'projects':>9}{'store check cold (s)':>22}{'warm (ms)':>11}"
          f"{'after other write (s)':>23}{'after a project write (s)':>27}")
    for n in sizes:
        ids, texts = synthetic(n)
        with tempfile.TemporaryDirectory() as d:
            st = SQLiteStore(Path(d) / "b.qmsdb")
            cs = ChangeSet()
            for i, t in zip(ids, texts, strict=True):
                cs.node(make_node({"kind": "ImprovementProject", "id": i, "label": t[:60],
                                   "aim": t, "status": "completed"}))
            st.apply(cs)
            t0 = time.perf_counter()
            st.check_project(proposal)
            cold = time.perf_counter() - t0
            t0 = time.perf_counter()
            st.check_project(proposal)
            warm = (time.perf_counter() - t0) * 1000
            st.apply(ChangeSet().node(make_node({"kind": "Measure", "id": "M-x", "label": "x",
                                                 "measure_type": "outcome"})))
            t0 = time.perf_counter()
            st.check_project(proposal)
            after = time.perf_counter() - t0
            st.apply(ChangeSet().node(make_node({
                "kind": "ImprovementProject", "id": "QI-new", "label": "A new project",
                "aim": cases[1]["query"], "status": "proposed"})))
            t0 = time.perf_counter()
            st.check_project(proposal)
            project = time.perf_counter() - t0
            st.close()
        print(f"{n:>9,}{cold:>22.2f}{warm:>11.1f}{after:>23.2f}{project:>27.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("sizes", nargs="*", type=int)
    a = ap.parse_args()
    m = methods()
    sizes = a.sizes or ([1_000, 10_000] if a.quick else [1_000, 10_000, 100_000])
    scale(sizes, m)
    store_scale(sizes)


if __name__ == "__main__":
    main()
