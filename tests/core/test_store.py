"""The embedded store: transactional, durable, and the same graph after reopening."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from qmsgraph.errors import ConflictError, NotFoundError, StoreError, ValidationError
from qmsgraph.io.readers import load_files
from qmsgraph.model import make_edge, make_node
from qmsgraph.stores import ChangeSet, SQLiteStore


def test_load_edit_close_reopen_gives_the_same_graph(tmp_path: Path, mini_yaml: Path):
    path = tmp_path / "s.qmsdb"
    s = SQLiteStore(path)
    load_files(s, [mini_yaml])
    cs = ChangeSet()
    cs.update_nodes.append((make_node({"kind": "StrategicGoal", "id": "G1",
                                       "label": "Reduce harm", "status": "active"}), 1, None))
    cs.delete_edges.append((("ward-7", "monitors", "M1"), None))
    cs.node(make_node({"kind": "Objective", "id": "O2", "label": "Fewer pressure ulcers"}))
    cs.edge(make_edge("contributesTo", "O2", "G1"))
    s.apply(cs)
    before = s.graph().copy()
    assert s.version("G1") == 2
    s.close()
    again = SQLiteStore(path, create=False)
    assert again.graph() == before
    assert again.version("G1") == 2
    assert again.graph().node("M1").data[0].value == 6.1
    again.close()


def test_a_failed_batch_changes_nothing_in_memory_or_on_disk(tmp_path: Path, mini_yaml: Path):
    path = tmp_path / "s.qmsdb"
    s = SQLiteStore(path)
    load_files(s, [mini_yaml])
    before = s.graph().copy()
    cs = ChangeSet()
    cs.node(make_node({"kind": "Objective", "id": "O9", "label": "new"}))
    cs.delete_nodes.append(("M1", None, None))
    cs.edge(make_edge("serves", "ward-7", "purpose"), "edit.yaml:4")  # not allowed
    with pytest.raises(ValidationError, match="edit.yaml:4"):
        s.apply(cs)
    assert s.graph() == before
    s.close()
    assert SQLiteStore(path).graph() == before


def test_dry_run_reports_without_writing(store: SQLiteStore, mini_yaml: Path):
    result = load_files(store, [mini_yaml], dry_run=True)
    assert result.dry_run and result.nodes_added == 12
    assert len(store.graph()) == 0


def test_stale_version_is_a_conflict(store: SQLiteStore, mini_yaml: Path):
    load_files(store, [mini_yaml])
    node = make_node({"kind": "StrategicGoal", "id": "G1", "label": "v2"})
    cs = ChangeSet()
    cs.update_nodes.append((node, 1, None))
    store.apply(cs)
    with pytest.raises(ConflictError, match="version 2"):
        store.apply(cs)  # still claims version 1
    assert store.graph().node("G1").label == "v2"


def test_a_second_process_sees_commits(tmp_path: Path, mini_yaml: Path):
    path = tmp_path / "s.qmsdb"
    a, b = SQLiteStore(path), SQLiteStore(path)
    load_files(a, [mini_yaml])
    assert len(b.graph()) == 12
    a.close()
    b.close()


def test_not_a_store(tmp_path: Path):
    bad = tmp_path / "x.qmsdb"
    bad.write_text("this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a qmsgraph store"):
        SQLiteStore(bad)
    with pytest.raises(StoreError, match="no store"):
        SQLiteStore(tmp_path / "missing.qmsdb", create=False)


KILL_SCRIPT = textwrap.dedent("""
    import sys
    from qmsgraph.model import make_node, make_edge
    from qmsgraph.stores import ChangeSet, SQLiteStore
    s = SQLiteStore(sys.argv[1])
    cs = ChangeSet()
    n = int(sys.argv[2])
    for i in range(n):
        cs.node(make_node({"kind": "Objective", "id": f"big-{i}", "label": f"objective {i}"}))
    for i in range(1, n):
        cs.edge(make_edge("contributesTo", f"big-{i}", f"big-{i-1}"))
    def progress(done, total):
        if done >= 10000:
            print("WRITING", flush=True)
    s.apply(cs, progress=progress)
    print("COMMITTED", flush=True)
""")


def test_sigkill_during_a_large_import_leaves_the_last_committed_state(
        tmp_path: Path, mini_yaml: Path):
    path = tmp_path / "s.qmsdb"
    s = SQLiteStore(path)
    load_files(s, [mini_yaml])
    committed = s.graph().copy()
    s.close()
    script = tmp_path / "big_import.py"
    script.write_text(KILL_SCRIPT)
    proc = subprocess.Popen([sys.executable, str(script), str(path), "200000"],
                            stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    line = ""
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.strip() in ("WRITING", "COMMITTED") or not line:
            break
    assert line.strip() == "WRITING", f"the import never reached its write phase: {line!r}"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    # Opens without repair, at the last committed state.
    reopened = SQLiteStore(path, create=False)
    assert reopened.graph() == committed
    check = reopened.conn.execute("PRAGMA integrity_check").fetchone()[0]
    assert check == "ok"
    reopened.close()


def test_a_conflict_after_other_changes_in_the_batch_leaves_nothing(store, mini_yaml):
    load_files(store, [mini_yaml])
    before = store.graph().copy()
    cs = ChangeSet()
    cs.delete_edges.append((("ward-7", "monitors", "M1"), None))
    cs.update_nodes.append((make_node({"kind": "Team", "id": "ward-7", "label": "W7"}), 1,
                            None))
    cs.update_nodes.append((make_node({"kind": "StrategicGoal", "id": "G1", "label": "x"}), 7,
                            None))
    with pytest.raises(ConflictError):
        store.apply(cs)
    assert store.graph() == before


def test_readers_keep_a_consistent_snapshot(store, mini_yaml):
    load_files(store, [mini_yaml])
    snapshot = store.graph()
    frozen = snapshot.copy()
    bad = ChangeSet()
    bad.node(make_node({"kind": "Objective", "id": "O9", "label": "staged"}))
    bad.edge(make_edge("serves", "ward-7", "purpose"))
    with pytest.raises(ValidationError):
        store.apply(bad)
    store.apply(ChangeSet().node(make_node({"kind": "Objective", "id": "O8", "label": "x"})),
                dry_run=True)
    assert snapshot == frozen and "O9" not in snapshot and "O8" not in snapshot
    store.apply(ChangeSet().node(make_node({"kind": "Objective", "id": "O7", "label": "x"})))
    assert "O7" not in snapshot  # the old snapshot is not changed under the reader
    assert "O7" in store.graph()


def test_duplicates_are_conflicts_and_missing_nodes_not_found(store, mini_yaml):
    load_files(store, [mini_yaml])
    with pytest.raises(ConflictError, match="duplicate id 'G1'"):
        store.apply(ChangeSet().node(make_node({"kind": "Objective", "id": "G1",
                                                "label": "x"})))
    with pytest.raises(ConflictError, match="duplicate edge"):
        store.apply(ChangeSet().edge(make_edge("serves", "G1", "purpose")))
    cs = ChangeSet()
    cs.update_nodes.append((make_node({"kind": "Team", "id": "ghost", "label": "x"}), 3, None))
    with pytest.raises(NotFoundError, match="'ghost'"):
        store.apply(cs)


def test_versions_are_never_reused(store, mini_yaml):
    load_files(store, [mini_yaml])
    v1 = store.version("O1")
    cs = ChangeSet()
    cs.delete_nodes.append(("O1", v1, None))
    store.apply(cs)
    store.apply(ChangeSet().node(make_node({"kind": "Objective", "id": "O1", "label": "new"})))
    assert store.version("O1") > v1
    store.close()
    again = SQLiteStore(store.path)
    assert again.version("O1") > v1
    again.close()
