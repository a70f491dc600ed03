"""One store file, several processes: each ``SQLiteStore`` below has its own connections,
so to SQLite it is another process (issue 11: lost updates, dropped loads, lock waits)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from qmsgraph import errors
from qmsgraph.errors import ConflictError, StoreError
from qmsgraph.io.readers import load_files, read_files
from qmsgraph.model import make_node, node_to_dict
from qmsgraph.stores import ChangeSet, SQLiteStore

DATA = Path(__file__).resolve().parents[1] / "data"


def points_csv(path: Path, measure: str, year: int, n: int = 12) -> Path:
    rows = [f"{measure},{year}-{m:02d}-01,{m}.5" for m in range(1, n + 1)]
    path.write_text("measure_id,date,value\n" + "\n".join(rows) + "\n")
    return path


@pytest.fixture
def two(tmp_path: Path) -> Iterator[tuple[SQLiteStore, SQLiteStore]]:
    path = tmp_path / "shared.qmsdb"
    a = SQLiteStore(path)
    load_files(a, [DATA / "mini.yaml"])
    b = SQLiteStore(path)
    yield a, b
    b.close()
    a.close()


def relabel(store: SQLiteStore, nid: str, label: str) -> None:
    node, version = store.get_node(nid), store.version(nid)
    data = node_to_dict(node)
    data.pop("provenance", None)
    new = make_node({**data, "label": label})
    store.apply(ChangeSet(update_nodes=[(new, version, None)]))


def test_a_commit_right_after_ours_is_not_taken_as_seen(two):
    """Defect 2: another process commits in the instant after our COMMIT. Whatever we read
    next must include its change (the old store read ``PRAGMA data_version`` after COMMIT,
    outside the write lock, and took the other commit as already applied)."""
    a, b = two
    assert a.get_node("G1").label == b.get_node("G1").label  # both have G1's body cached
    fired: list[str] = []

    def after_commit(sql: str) -> None:
        if fired == ["commit"]:  # the first statement after our COMMIT
            fired.append("b")
            relabel(b, "G1", "written by b")
        if sql.strip().upper() == "COMMIT" and not fired:
            fired.append("commit")

    a.conn.set_trace_callback(after_commit)
    try:
        relabel(a, "O1", "written by a")
    finally:
        a.conn.set_trace_callback(None)
    if fired != ["commit", "b"]:  # no statement after COMMIT: b writes now, just after
        relabel(b, "G1", "written by b")
    assert a.get_node("G1").label == "written by b"
    assert a.version("G1") == b.version("G1")
    assert a.view().node("G1").label == "written by b"


def test_a_body_and_its_version_are_read_together(two):
    """An ETag must name the version of the body it comes with."""
    a, b = two
    node, version = a.node_version("G1")
    relabel(b, "G1", "changed")
    node2, version2 = a.node_version("G1")
    assert version2 > version and node2.label == "changed"
    assert node.label != "changed"


def test_concurrent_loads_of_one_measure_keep_every_point(two, tmp_path: Path):
    """Defect 3: two loads each add 12 points to M1; another process commits between one
    load's read and its write. Every point must be kept (the merged series used to be built
    at parse time and written over the other load's points)."""
    a, b = two
    before = len(a.get_node("M1").data)
    fa = points_csv(tmp_path / "a.csv", "M1", 2030)
    fb = points_csv(tmp_path / "b.csv", "M1", 2031)
    original = a.apply
    fired: list[int] = []

    def apply_after_b(changes: ChangeSet, **kw: object):
        if not fired:
            fired.append(1)
            load_files(b, [fb])
        return original(changes, **kw)

    a.apply = apply_after_b  # type: ignore[method-assign]
    load_files(a, [fa])
    assert fired
    assert len(a.get_node("M1").data) == len(b.get_node("M1").data) == before + 24


def test_a_stale_merge_is_refused_not_applied(two, tmp_path: Path):
    """A series merged against an old read conflicts instead of overwriting."""
    a, b = two
    changes = read_files([points_csv(tmp_path / "a.csv", "M1", 2030)], a.view(), store=a)
    load_files(b, [points_csv(tmp_path / "b.csv", "M1", 2031)])
    with pytest.raises(ConflictError):
        a.apply(changes)


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[Path]:
    """A store whose write lock another process holds (a raw connection in BEGIN IMMEDIATE)."""
    path = tmp_path / "busy.qmsdb"
    s = SQLiteStore(path)
    load_files(s, [DATA / "mini.yaml"])
    s.close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO meta VALUES ('held', 'by another process')")
    yield path
    other.execute("ROLLBACK")
    other.close()


def test_readers_never_need_the_write_lock(locked: Path):
    """Defect 7: opening, counting, reading, auditing and SPC work while another process
    holds the write lock (every open used to run CREATE TABLE / INSERT OR IGNORE)."""
    started = time.monotonic()
    s = SQLiteStore(locked, create=False, lock_timeout=30)
    try:
        assert s.stats()["nodes"] == 12
        assert s.get_node("G1").label
        s.audit()  # caches SPC summaries as it goes: best effort, never waiting
        s.thread("QI-1")
    finally:
        s.close()
    assert time.monotonic() - started < 5


def test_a_writer_waits_a_bounded_time_then_says_the_store_is_busy(locked: Path):
    s = SQLiteStore(locked, create=False, lock_timeout=0.5)
    try:
        node, version = s.get_node("G1"), s.version("G1")
        started = time.monotonic()
        with pytest.raises(errors.StoreBusyError, match="busy") as err:
            s.apply(ChangeSet(update_nodes=[(node, version, None)]))
        assert 0.4 < time.monotonic() - started < 5
        assert isinstance(err.value, StoreError) and err.value.retry_after >= 1
        assert "lock" in str(err.value) and str(locked) in str(err.value)
        assert s.get_node("G1").label == node.label  # still readable
    finally:
        s.close()


def test_threads_and_another_process_keep_one_line_of_snapshots(two, tmp_path: Path):
    """Writer threads in two stores on one file, readers taking views and snapshots while
    both catch up with each other: every store ends with the rows' graph (snapshots used to
    branch when a reader's catch-up and a writer's publish evolved the same core)."""
    import threading

    a, b = two
    errors: list[BaseException] = []
    stop = threading.Event()

    def writer(store: SQLiteStore, name: str) -> None:
        try:
            for i in range(25):
                store.apply(ChangeSet(add_nodes=[(make_node(
                    {"id": f"{name}-{i}", "kind": "Team", "label": name}), None)]))
        except BaseException as err:
            errors.append(err)

    def reader(store: SQLiteStore) -> None:
        try:
            while not stop.is_set():
                with store.snapshot() as view:
                    assert store.graph().revision == view.revision
                    assert len(store.graph()) == view.stats()["nodes"]
                store.view().stats()
        except BaseException as err:
            errors.append(err)

    writers = [threading.Thread(target=writer, args=(s, f"{n}{i}"))
               for s, n in ((a, "a"), (b, "b")) for i in range(3)]
    readers = [threading.Thread(target=reader, args=(s,)) for s in (a, b, a, b)]
    for t in writers + readers:
        t.start()
    for t in writers:
        t.join(timeout=120)
    stop.set()
    for t in readers:
        t.join(timeout=120)
    assert not errors, errors
    rows = SQLiteStore(a.path, snapshot=False)
    try:
        expected = sorted(rows.view().ids())
        assert len(expected) == 12 + 6 * 25
        for s in (a, b):
            assert sorted(s.view().ids()) == expected
            assert s.view().stats() == rows.view().stats()
    finally:
        rows.close()
