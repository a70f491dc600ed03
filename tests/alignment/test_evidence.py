"""The audit's evidence comes from one multi-source search (:func:`threads_of`); it must give
every node exactly the thread that a breadth-first search of its own gives (:func:`thread`,
reading the graph's edges, not the index): same goals, same paths under the documented
tie-break (edge kind, then node id), same break points."""

from __future__ import annotations

import random

import pytest

from benchmarks.synthetic import generate
from qmsgraph.alignment import AlignmentConfig, audit, index_of, thread, threads_of
from qmsgraph.alignment.rules import index_facts
from qmsgraph.model import make_edge
from qmsgraph.stores import SQLiteStore, changes_from_graph


def _with_ties(seed: int):
    """A synthetic graph with extra thread edges, so that many nodes have several shortest
    paths to a goal and the tie-break decides."""
    g = generate(2_000, seed=seed)
    rng = random.Random(seed)
    measures = g.ids("Measure")
    objectives = g.ids("Objective")
    projects = g.ids("ImprovementProject")
    for _ in range(300):
        p, m = rng.choice(projects), rng.choice(measures)
        if not g.has_edge(p, "improves", m):
            g.add_edge(make_edge("improves", p, m))
        m, o = rng.choice(measures), rng.choice(objectives)
        if not g.has_edge(m, "indicates", o):
            g.add_edge(make_edge("indicates", m, o))
    g.touch()
    return g


@pytest.mark.parametrize("seed", [3, 11])
def test_one_search_gives_each_node_its_own_thread(seed: int, tmp_path) -> None:
    g = _with_ties(seed)
    every = sorted(g.ids("ImprovementProject") + g.ids("Measure") + g.ids("Process"))
    batched = threads_of(g, index_of(g), every)
    own = {n: thread(g, n) for n in every}  # per node, from the graph's own edges
    assert batched == own
    assert sum(len(t.threads) for t in own.values()) > len(every) // 2  # threads were found
    assert any(t.broken and t.last_reached for t in own.values())  # and breaks

    # the embedded store's core gives the same (its slots and CSR differ from networkx's)
    store = SQLiteStore(tmp_path / "s.qmsdb")
    try:
        store.apply(changes_from_graph(g))
        view = store.view()
        assert threads_of(view, index_of(view), every) == own
    finally:
        store.close()


def test_audit_evidence_is_the_threads_of_the_work() -> None:
    g = _with_ties(5)
    cfg = AlignmentConfig()
    report = audit(g, cfg, set())
    facts = index_facts(g, cfg, set())
    assert facts.orphaned and facts.inactive_only and facts.declared_bad
    by_key = {(f.rule, f.node): f for f in report.findings}
    for nid in facts.inactive_only:
        f = by_key[("misaligned-inactive-goal", nid)]
        assert f.evidence.paths == [t.path for t in thread(g, nid).threads]
    for nid in facts.orphaned:  # declaring work reaching no goal: one finding, not two
        rule = "declared-not-evidenced" if nid in facts.declared_bad else "orphaned-work"
        assert ("orphaned-work" if rule != "orphaned-work" else "declared-not-evidenced",
                nid) not in by_key
        f = by_key[(rule, nid)]
        assert f.evidence.last_reached == thread(g, nid).last_reached
