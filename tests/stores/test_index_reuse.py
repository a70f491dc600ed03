"""Cached audit work is invalidated only as far as a change reaches: a write that leaves the
thread topology alone (a label, a status, a unit monitoring a measure) reuses the last index's
reachability, and the audit after it is exactly the audit of an index built afresh."""

from __future__ import annotations

import random
from pathlib import Path

from benchmarks.synthetic import generate
from qmsgraph.alignment import AlignmentConfig, audit
from qmsgraph.alignment.index import _finish_index, _index_from_core
from qmsgraph.model import make_edge
from qmsgraph.stores import ChangeSet, SQLiteStore, changes_from_graph


def fresh_audit(store: SQLiteStore):
    """The audit of the store as another process sees it, its core and index built from
    the rows (no snapshot file, nothing shared)."""
    other = SQLiteStore(store.path, snapshot=False)
    try:
        assert "alignment-index" not in other.view().core.shared
        return audit(other.view(), AlignmentConfig(), set())
    finally:
        other.close()


def test_writes_off_the_thread_reuse_the_index_and_change_nothing_else(tmp_path: Path):
    g = generate(3_000, seed=4)
    store = SQLiteStore(tmp_path / "s.qmsdb")
    try:
        store.apply(changes_from_graph(g))
        rng = random.Random(4)
        goals, projects = g.ids("StrategicGoal"), g.ids("ImprovementProject")
        units, measures = g.ids("OrganisationalUnit"), g.ids("Measure")
        audit(store.view(), AlignmentConfig(), set())  # an index to reuse
        reused = 0
        for step in range(12):
            view = store.view()
            cs = ChangeSet()
            pick = step % 4
            if pick == 0:  # a goal retired or revived: active goals change, masks do not
                gid = rng.choice(goals)
                node = view.node(gid)
                status = "retired" if node.status == "active" else "active"
                cs.update_nodes.append((node.model_copy(update={"status": status}), None, None))
            elif pick == 1:  # a project's status
                node = view.node(rng.choice(projects))
                status = "paused" if node.status != "paused" else "active"
                cs.update_nodes.append((node.model_copy(update={"status": status}), None, None))
            elif pick == 2:  # a unit monitoring a measure (not a thread edge)
                u, m = rng.choice(units), rng.choice(measures)
                if not view.has_edge(u, "monitors", m):
                    cs.add_edges.append((make_edge("monitors", u, m), None))
            else:  # a label
                node = view.node(rng.choice(measures))
                cs.update_nodes.append((node.model_copy(update={"label": f"x{step}"}), None,
                                        None))
            before = store.view().core.thread_rev
            store.apply(cs)
            core = store.view().core
            assert core.thread_rev == before  # nothing here touches the thread
            reused += core.shared.get("alignment-index", (None,))[0] == core.thread_rev
            warm = audit(store.view(), AlignmentConfig(), set())
            assert warm.model_dump_json() == fresh_audit(store).model_dump_json()
        assert reused == 12

        # a thread edge does change the topology: the index is built afresh
        view = store.view()
        p = rng.choice(projects)
        m = next(x for x in measures if not view.has_edge(p, "improves", x))
        store.apply(ChangeSet(add_edges=[(make_edge("improves", p, m), None)]))
        core = store.view().core
        assert core.thread_rev == view.core.thread_rev + 1
        assert audit(store.view(), AlignmentConfig(), set()).model_dump_json() == \
            fresh_audit(store).model_dump_json()
    finally:
        store.close()


def test_reused_index_equals_a_fresh_one_field_by_field(tmp_path: Path):
    g = generate(1_000, seed=9)
    store = SQLiteStore(tmp_path / "s.qmsdb")
    try:
        store.apply(changes_from_graph(g))
        _index_from_core(store.view().core)
        gid = g.ids("StrategicGoal")[0]
        node = store.view().node(gid)
        store.apply(ChangeSet(update_nodes=[(node.model_copy(update={"status": "retired"}),
                                             None, None)]))
        core = store.view().core
        reused = _index_from_core(core)
        f = core.facts()
        fresh = _finish_index(core.ids[:core.n], reused.pos, f["kind"], f["goal_status"],
                              f["project_status"], core.edges_of_kind(), f["last_point"],
                              f["n_points"], f["driver"])
        for name in ("kind", "goal_status", "masks", "comp", "goal_bits", "active_bits",
                     "t_ptr", "t_dst", "t_kind"):
            assert (getattr(reused, name) == getattr(fresh, name)).all(), name
        assert not (reused.active_bits == 0).all()
    finally:
        store.close()
