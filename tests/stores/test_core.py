"""The embedded store's columnar core: incremental writes, the change log, the snapshot.

Every check compares the core that writes kept current with a core built afresh from the
rows, and the audit answered from the core with the audit of the whole graph as model
objects (the engine's networkx path), so a wrong delta cannot hide.
"""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from benchmarks.synthetic import generate
from qmsgraph import schema
from qmsgraph.alignment import AlignmentConfig, audit
from qmsgraph.model import make_edge, make_node
from qmsgraph.stores import ChangeSet, SQLiteStore, changes_from_graph
from qmsgraph.stores._core import EDGE_KINDS, KINDS, Core

REPO = Path(__file__).resolve().parents[2]


def canon(core: Core) -> tuple[list[tuple], list[tuple[str, str, str]]]:
    ids = core.ids
    f = core.facts()
    nodes = sorted((ids[i], KINDS[f["kind"][i]], int(f["goal_status"][i]),
                    int(f["project_status"][i]), int(f["last_point"][i]),
                    int(f["n_points"][i]), bool(f["driver"][i]))
                   for i in core.alive_slots().tolist())
    src, dst, kind = core.edge_arrays()
    edges = sorted((ids[s], EDGE_KINDS[k], ids[t]) for s, k, t in zip(
        src.tolist(), kind.tolist(), dst.tolist(), strict=True))
    return nodes, edges


def audit_json(report) -> str:
    return report.model_dump_json()


def same_as_rebuilt(store: SQLiteStore, path: Path) -> None:
    fresh = SQLiteStore(path, snapshot=False)  # built from the rows, no snapshot, no log
    try:
        assert canon(store.core) == canon(fresh.core)
        assert store.core.n_edges == fresh.core.n_edges
        assert store.stats() == fresh.stats() == store.graph().stats()
        cfg = AlignmentConfig()
        engine = audit(store.view(), cfg, set())
        assert audit_json(engine) == audit_json(audit(fresh.view(), cfg, set()))
        assert audit_json(engine) == audit_json(audit(store.graph(), cfg, set()))
    finally:
        fresh.close()


def random_changes(store: SQLiteStore, rng: random.Random, step: int) -> ChangeSet:
    """A few nodes deleted or re-stated, edges removed and added, a new node linked."""
    view = store.view()
    cs = ChangeSet(source=f"step {step}")
    ids = view.ids()
    projects = view.ids("ImprovementProject")
    goals = view.ids("StrategicGoal")
    gone: set[str] = set()
    for nid in rng.sample(ids, 2):
        if view.kind(nid) not in ("HealthSystem",):
            cs.delete_nodes.append((nid, None, None))
            gone.add(nid)
    for gid in rng.sample(goals, min(2, len(goals))):
        if gid in gone:
            continue
        g = view.node(gid)
        status = rng.choice(schema.GOAL_STATUSES)
        cs.update_nodes.append((g.model_copy(update={"status": status}), None, None))
    for pid in rng.sample(projects, min(3, len(projects))):
        if pid in gone:
            continue
        p = view.node(pid)
        status = rng.choice(schema.PROJECT_STATUSES)
        cs.update_nodes.append((p.model_copy(update={"status": status}), None, None))
    keys = [k for k in view.edge_keys() if k[0] not in gone and k[2] not in gone]
    for s, k, t in rng.sample(keys, 3):
        cs.delete_edges.append(((s, k, t), None))
    # one removed edge comes back in the same write (new provenance, same topology)
    s, k, t = cs.delete_edges[0][0]
    cs.edge(make_edge(k, s, t))
    new = f"new{step}"
    cs.node(make_node({"kind": "ImprovementProject", "id": new, "label": f"New {step}",
                       "status": rng.choice(["active", "proposed"])}))
    measures = [m for m in view.ids("Measure") if m not in gone]
    cs.edge(make_edge("improves", new, rng.choice(measures)))
    again = f"again{step % 3}"
    if again in view and again not in gone:
        cs.delete_nodes.append((again, None, None))  # deleted now, re-created below or later
    if rng.random() < 0.5:  # a node with an id used before (same slot, new facts)
        cs.node(make_node({"kind": "Objective", "id": again, "label": f"Again {step}"}))
        cs.edge(make_edge("contributesTo", again,
                          rng.choice([g for g in goals if g not in gone])))
    return cs


@pytest.mark.parametrize("seed,merge_at", [(1, 20_000), (2, 20_000), (3, 10)])
def test_incremental_core_equals_a_core_built_from_rows(tmp_path: Path, seed: int,
                                                        merge_at: int, monkeypatch):
    monkeypatch.setattr(Core, "MERGE_AT", merge_at)  # 10: the delta is merged on most writes
    path = tmp_path / "s.qmsdb"
    store = SQLiteStore(path)
    store.apply(changes_from_graph(generate(600, seed=seed)))
    same_as_rebuilt(store, path)
    rng = random.Random(seed)
    for step in range(12):
        store.apply(random_changes(store, rng, step))
        if step % 4 == 3:
            same_as_rebuilt(store, path)
    merged = store.core.merged()
    assert canon(merged) == canon(store.core)
    same_as_rebuilt(store, path)
    store.close()


def _write_in_another_process(path: Path, code: str) -> None:
    script = textwrap.dedent(f"""
        from qmsgraph.model import make_edge, make_node
        from qmsgraph.stores import ChangeSet, SQLiteStore
        s = SQLiteStore({str(path)!r})
        {code}
        s.close()
    """)
    subprocess.run([sys.executable, "-c", script], check=True, cwd=REPO)


def test_another_process_commits_are_read_from_the_log(tmp_path: Path, monkeypatch):
    path = tmp_path / "s.qmsdb"
    store = SQLiteStore(path)
    store.apply(changes_from_graph(generate(400, seed=3)))
    before = store.view().stats()
    goal = store.view().ids("StrategicGoal")[0]
    monkeypatch.setattr(store, "_build_core", lambda *a: pytest.fail("rebuilt"))
    _write_in_another_process(path, f"""
        cs = ChangeSet()
        cs.node(make_node({{"kind": "Objective", "id": "O-new", "label": "From elsewhere"}}))
        cs.edge(make_edge("contributesTo", "O-new", {goal!r}))
        s.apply(cs)
        g = s.view().node({goal!r})
        s.apply(ChangeSet(update_nodes=[(g.model_copy(update={{"status": "retired"}}), None,
                                         None)]))
    """)
    view = store.view()
    assert "O-new" in view and view.successors("O-new", "contributesTo") == [goal]
    assert view.stats()["nodes"] == before["nodes"] + 1
    assert view.node(goal).status == "retired"
    assert store.core.facts()["goal_status"][store.core.pos[goal]] == 2
    monkeypatch.undo()
    same_as_rebuilt(store, path)
    store.close()


def test_the_snapshot_opens_the_store_and_a_damaged_one_is_rebuilt(tmp_path: Path,
                                                                   monkeypatch):
    path = tmp_path / "s.qmsdb"
    store = SQLiteStore(path)
    store.apply(changes_from_graph(generate(400, seed=4)))
    expected = audit_json(store.audit())
    store.close()
    snap = path.with_name(path.name + "-core.npz")
    assert snap.exists()
    monkeypatch.setattr(SQLiteStore, "_build_core",
                        lambda *a: pytest.fail("built from rows"))
    again = SQLiteStore(path)
    assert audit_json(again.audit()) == expected
    again.close()
    monkeypatch.undo()
    snap.write_bytes(snap.read_bytes()[:1000])  # damaged
    third = SQLiteStore(path)
    assert audit_json(third.audit()) == expected
    third.close()
    # a snapshot of another store (same file name, other uuid) is not used
    other = tmp_path / "o" / "s.qmsdb"
    other.parent.mkdir()
    o = SQLiteStore(other)
    o.close()
    (other.parent / snap.name).write_bytes(snap.read_bytes())
    o = SQLiteStore(other)
    assert o.stats()["nodes"] == 0
    o.close()


def test_one_file_holds_every_committed_change(tmp_path: Path):
    path = tmp_path / "s.qmsdb"
    store = SQLiteStore(path)
    store.apply(changes_from_graph(generate(300, seed=5)))
    pid = store.view().ids("ImprovementProject")[0]
    p = store.view().node(pid)
    store.apply(ChangeSet(update_nodes=[(p.model_copy(update={"status": "stopped"}), None,
                                         None)]))
    backup = store.backup(tmp_path / "backup.qmsdb")
    expected = store.graph().copy()
    store.close()
    assert not Path(str(path) + "-wal").exists() or Path(str(path) + "-wal").stat().st_size == 0
    for copy_of in (path, backup):
        lone = tmp_path / f"lone-{copy_of.name}"
        lone.write_bytes(copy_of.read_bytes())  # the file alone: no -wal, no snapshot
        s = SQLiteStore(lone)
        assert s.graph() == expected
        assert s.view().node(pid).status == "stopped"
        s.close()
