"""The embedded default store: rows in one SQLite file, questions from a columnar core.

Durable state is three tables: ``nodes`` (id, kind, version, JSON body), ``edges`` (source,
kind, target, JSON provenance) and ``meta`` (format, the store-wide version clock, a uuid).
Every commit also appends what it changed to ``log`` under its clock, so that another
process sharing the file catches up by reading the changes since its own clock instead of
reloading everything. The topology lives in memory as a :class:`~._core.Core` (typed arrays,
see ``docs/architecture.md``), saved beside the store as ``<store>-core.npz`` stamped with the
store's uuid and clock; a process that opens the store loads that snapshot and the log since
it, and rebuilds it from the rows when it is missing, stale past the log or damaged.

Concurrency (docs/architecture.md, "Several threads, several processes"): one connection
writes, under a mutex, inside ``BEGIN IMMEDIATE`` (SQLite's write lock, waited for at most
``lock_timeout`` seconds, then :class:`~qmsgraph.errors.StoreBusyError`); readers use their own
connections and an immutable core snapshot, so they never wait for a writer, in this process or
another. Opening an existing store writes nothing.
"""

from __future__ import annotations

import functools
import json
import math
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import NotFoundError, StoreBusyError, StoreError
from ..graph import GraphTransaction, QMSGraph
from ..model import Edge, Node, Provenance, make_edge, make_node
from ._core import (
    EDGE_CODE,
    KIND_CODE,
    PROJECT_STATUS,
    Core,
    CoreGraph,
    NodeFacts,
)
from ._overlay import Overlay
from .base import DEFAULT_STORE, ApplyResult, ChangeSet, Progress, Store, stage_changes

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS edges (
    source TEXT NOT NULL, kind TEXT NOT NULL, target TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (source, kind, target));
CREATE INDEX IF NOT EXISTS edges_target ON edges (target);
CREATE TABLE IF NOT EXISTS derived (
    node_id TEXT NOT NULL, name TEXT NOT NULL, input_hash TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (node_id, name));
CREATE TABLE IF NOT EXISTS log (
    clock INTEGER NOT NULL, op TEXT NOT NULL, a TEXT NOT NULL, k TEXT, b TEXT);
CREATE INDEX IF NOT EXISTS log_clock ON log (clock);
"""
_TABLES = {"meta", "nodes", "edges", "derived", "log", "edges_target", "log_clock"}
FORMAT_VERSION = "1"
LOCK_TIMEOUT = 30.0  # seconds a write waits for another process's write lock (env below)
LOCK_TIMEOUT_ENV = "QMSGRAPH_LOCK_TIMEOUT"
BATCH = 5000
LOG_LIMIT = 20_000  # a commit with more changes logs 'rebuild' instead of each change

_FACTS_SQL = """
SELECT id, kind,
       CASE WHEN kind IN ('StrategicGoal', 'ImprovementProject')
            THEN json_extract(body, '$.status') END,
       CASE WHEN kind = 'Process' THEN json_extract(body, '$.process_type') END,
       CASE WHEN kind = 'Measure' THEN json_array_length(body, '$.data') END,
       CASE WHEN kind = 'Measure' THEN json_extract(body, '$.data[#-1].date') END
FROM nodes"""


def _node_row(node: Node, version: int) -> tuple[str, str, int, str]:
    body = node.model_dump(mode="json", exclude_none=True, exclude={"id"})
    return (node.id, node.kind, version, json.dumps(body, separators=(",", ":")))


def _edge_row(edge: Edge) -> tuple[str, str, str, str]:
    body = edge.provenance.model_dump(mode="json", exclude_none=True)
    return (edge.source, edge.kind, edge.target, json.dumps(body, separators=(",", ":")))


def _facts_json(f: NodeFacts) -> str:
    return json.dumps([f.status, f.process_type, f.n_points, f.last_date],
                      separators=(",", ":"))


class _Versions:
    """Node versions read from the open transaction (for :func:`stage_changes`)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def get(self, nid: str, default: int | None = None) -> int | None:
        row = self.conn.execute("SELECT version FROM nodes WHERE id=?", (nid,)).fetchone()
        return row[0] if row else default


class _Bodies:
    """Node bodies shared by the views of successive snapshots.

    A body is read from the rows when a view first needs it, and tagged with the clock of
    that view's snapshot: everything committed up to that clock was in the rows when it was
    read. A commit that changes a node marks it changed at its clock, and a body tagged
    earlier is not used again; so a read that raced a commit (read before, kept after) never
    serves an old body to a newer view. Call every method with the store's state lock held.
    """

    def __init__(self) -> None:
        self.data: dict[str, tuple[int, Node]] = {}
        self.changed_at: dict[str, int] = {}
        self.floor = 0  # bodies read by views older than this are not used

    def valid(self, nid: str, tag: int) -> bool:
        return tag >= self.floor and tag >= self.changed_at.get(nid, -1)

    def put(self, nid: str, node: Node, tag: int) -> bool:
        if not self.valid(nid, tag):
            return False
        old = self.data.get(nid)
        if old is None or old[0] <= tag:
            self.data[nid] = (tag, node)
        return True

    def changed(self, ids: Iterable[str], clock: int) -> None:
        for nid in ids:
            self.changed_at[nid] = max(clock, self.changed_at.get(nid, -1))
            self.data.pop(nid, None)

    def clear(self, clock: int) -> None:
        self.floor = max(self.floor, clock)
        self.data.clear()
        self.changed_at.clear()


class _ViewBodies:
    """One view's window on :class:`_Bodies` (the mapping :class:`CoreGraph` keeps bodies in).
    A body the shared cache refuses (a commit overtook the read) stays with this view only."""

    def __init__(self, shared: _Bodies, tag: int, lock: threading.Lock) -> None:
        self.shared = shared
        self.tag = tag
        self.lock = lock
        self.own: dict[str, Node] = {}

    def get(self, nid: str, default: Node | None = None) -> Node | None:
        with self.lock:  # the shared cache is read under the store's state lock
            shared = self.shared
            hit = shared.data.get(nid)
            body = hit[1] if hit is not None and hit[0] >= shared.floor and \
                hit[0] >= shared.changed_at.get(nid, -1) else None
        if body is None:
            body = self.own.get(nid)
        return default if body is None else body

    def __contains__(self, nid: object) -> bool:
        return self.get(nid) is not None  # type: ignore[arg-type]

    def __getitem__(self, nid: str) -> Node:
        hit = self.get(nid)
        if hit is None:
            raise KeyError(nid)
        return hit

    def __setitem__(self, nid: str, node: Node) -> None:
        self.update({nid: node})

    def update(self, bodies: dict[str, Node]) -> None:
        with self.lock:
            for nid, node in bodies.items():
                if not self.shared.put(nid, node, self.tag):
                    self.own[nid] = node


def _is_busy(err: sqlite3.OperationalError) -> bool:
    code = getattr(err, "sqlite_errorcode", None)
    return code in (5, 6) or "locked" in str(err) or "busy" in str(err)  # BUSY, LOCKED


def _lock_timeout(value: float | None) -> float:
    if value is None:
        raw = os.environ.get(LOCK_TIMEOUT_ENV)
        try:
            value = float(raw) if raw else LOCK_TIMEOUT
        except ValueError:
            raise StoreError(f"{LOCK_TIMEOUT_ENV} must be a number of seconds, not "
                             f"{raw!r}") from None
    if not 0 <= value <= 3600:
        raise StoreError(f"the lock timeout must be 0-3600 seconds, not {value}")
    return float(value)


class SQLiteStore(Store):
    """The embedded default: SQLite rows, a columnar core in memory (see the module doc).

    Safe for several threads and several processes. Writes run one at a time on the write
    connection; a write waits at most ``lock_timeout`` seconds (default 30, or
    ``QMSGRAPH_LOCK_TIMEOUT``) for the write lock, then raises
    :class:`~qmsgraph.errors.StoreBusyError`. Readers work on an immutable core snapshot and
    their own connections (a small pool), and catch up with other processes' commits, noticed
    through ``PRAGMA data_version`` on a watch connection, from the change log.
    """

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_STORE, *,
                 create: bool = True, snapshot: bool = True,
                 lock_timeout: float | None = None) -> None:
        self.path = Path(path)
        self.url = str(self.path)
        self._memory = str(path) == ":memory:"
        # a read never waits for a writer (WAL, pooled read connections) - except in memory,
        # where one connection serves both
        self.reads_never_wait = not self._memory
        if not create and not self._memory and not self.path.exists():
            raise StoreError(f"no store at {self.path} (run 'qmsgraph init' first)")
        self.lock_timeout = _lock_timeout(lock_timeout)
        self._wlock = threading.RLock()  # the write connection (and, in memory, all reads)
        self._state = threading.Lock()  # the published core, its view, the body cache
        self._watch_lock = threading.Lock()  # the watch connection: noticing other commits
        self._advance_lock = threading.Lock()  # moving the published core on
        self._pool: list[sqlite3.Connection] = []
        self._pool_lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._local = threading.local()  # a thread's snapshot: its view and connection
        self._closed = False
        try:
            if str(path) != ":memory:" and not self.path.exists():
                # readable by its owner only, like the keys file (WAL files copy the mode)
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
            self.conn = self._connect()
            self._ensure_schema()
            fmt = self._meta("format")
            self._watch = self.conn if self._memory else self._connect(read_only=True)
        except sqlite3.OperationalError as err:
            self._close_connections()
            if _is_busy(err):  # a new store being created by another process
                raise self._busy() from None
            raise StoreError(f"{self.path} is not a qmsgraph store: {err}") from None
        except sqlite3.DatabaseError as err:
            self._close_connections()
            raise StoreError(f"{self.path} is not a qmsgraph store: {err}") from None
        except OSError as err:
            self._close_connections()
            raise StoreError(f"cannot open {self.path}: {err.strerror or err}") from None
        except BaseException:
            self._close_connections()
            raise
        if fmt != FORMAT_VERSION:
            self._close_connections()
            raise StoreError(f"{self.path} has store format {fmt}; this qmsgraph reads "
                             f"{FORMAT_VERSION}")
        self.uuid = self._meta("uuid")
        self._snapshot = snapshot and not self._memory
        self._cache = _Bodies()
        self._view: CoreGraph | None = None
        self._full: tuple[int, QMSGraph] | None = None
        self._saved_clock = -1
        self._data_version = -1
        self._core = self._open_core()

    # ------------------------------------------------------------- connections
    def _connect(self, read_only: bool = False) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                               timeout=self.lock_timeout)
        conn.execute("PRAGMA synchronous=NORMAL")
        if read_only:
            conn.execute("PRAGMA query_only=1")  # a reader never takes the write lock
        self._connections.append(conn)
        return conn

    def _ensure_schema(self) -> None:
        """Create the tables of a new store. An existing store is only read: opening one
        never needs the write lock (another process may hold it for a long load)."""
        c = self.conn
        names = {r[0] for r in c.execute("SELECT name FROM sqlite_master")}
        if _TABLES <= names and len(c.execute(
                "SELECT key FROM meta WHERE key IN ('format', 'uuid')").fetchall()) == 2:
            return
        if not self._memory and c.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            c.execute("PRAGMA journal_mode=WAL")
        self._begin_write(self.lock_timeout)
        try:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    c.execute(statement)
            c.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (FORMAT_VERSION,))
            c.execute("INSERT OR IGNORE INTO meta VALUES ('uuid', ?)", (uuid.uuid4().hex,))
            c.execute("COMMIT")
        except BaseException:
            if c.in_transaction:
                c.execute("ROLLBACK")
            raise

    def _busy(self) -> StoreBusyError:
        return StoreBusyError(
            f"the store {self.path} is busy: another process has held its write lock for "
            f"more than {self.lock_timeout:g} s; nothing was written, try again shortly",
            retry_after=max(1, min(30, math.ceil(self.lock_timeout))))

    def _begin_write(self, wait: float) -> None:
        """``BEGIN IMMEDIATE`` on the write connection, waiting at most ``wait`` seconds."""
        self.conn.execute(f"PRAGMA busy_timeout={max(0, int(wait * 1000))}")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as err:
            if _is_busy(err):
                raise self._busy() from None
            raise

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """The write connection inside ``BEGIN IMMEDIATE``, for one thread at a time; the
        whole wait (for this process's other writers, then for SQLite's lock) is bounded."""
        deadline = time.monotonic() + self.lock_timeout
        if not self._wlock.acquire(timeout=self.lock_timeout):
            raise self._busy()
        try:
            self._begin_write(deadline - time.monotonic())
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
        finally:
            self._wlock.release()

    @contextmanager
    def _reader(self, conn: sqlite3.Connection | None = None
                ) -> Iterator[sqlite3.Connection]:
        """``conn`` if given; else the connection of this thread's :meth:`snapshot`; else a
        read connection of the pool, this thread's alone while it is used."""
        pinned = conn or getattr(self._local, "conn", None)
        if pinned is not None:
            yield pinned
            return
        if self._memory:  # one in-memory database, one connection
            with self._wlock:
                yield self.conn
            return
        with self._pool_lock:
            conn = self._pool.pop() if self._pool else None
        if conn is None:
            if self._closed:
                raise StoreError(f"the store {self.path} is closed")
            conn = self._connect(read_only=True)
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            with self._pool_lock:
                self._pool.append(conn)

    def _close_connections(self) -> None:
        for conn in self._connections:
            try:
                conn.close()
            except sqlite3.Error:
                pass
        self._connections.clear()
        self._pool.clear()

    # ------------------------------------------------------------- the core
    def _meta(self, key: str, conn: sqlite3.Connection | None = None) -> str | None:
        row = (conn or self.conn).execute("SELECT value FROM meta WHERE key=?",
                                          (key,)).fetchone()
        return row[0] if row else None

    def _store_clock(self, conn: sqlite3.Connection) -> int:
        clock = self._meta("clock", conn)
        if clock is not None:
            return int(clock)
        row = conn.execute("SELECT max(version) FROM nodes").fetchone()
        return int(row[0] or 0)

    @property
    def snapshot_path(self) -> Path:
        return self.path.with_name(self.path.name + "-core.npz")

    def _open_core(self) -> Core:
        w = self._watch
        with self._watch_lock:
            self._data_version = self._current_data_version()
            w.execute("BEGIN")  # one read transaction: rows, clock and log agree
            try:
                clock = self._store_clock(w)
                core = self._load_snapshot(clock)
                if core is not None:
                    got = self._catch_up(core, clock, w)
                    core = got[0] if got is not None else None
                if core is None:
                    core = self._build_core(clock, w)
            finally:
                w.execute("COMMIT")
        if self._snapshot and self._saved_clock != core.clock:
            self._save_snapshot(core)
        return core

    def _load_snapshot(self, clock: int) -> Core | None:
        if not self._snapshot or not self.snapshot_path.exists():
            return None
        try:
            with np.load(self.snapshot_path, allow_pickle=False) as z:
                if str(z["uuid"]) != self.uuid:
                    return None
                core = Core.from_arrays({k: z[k] for k in z.files})
        except Exception:  # damaged or from another version: rebuild from the rows
            return None
        floor = int(self._meta("log_floor", self._watch) or 0)
        if core.clock > clock or core.clock < floor:
            return None
        self._saved_clock = core.clock
        return core

    def _save_snapshot(self, core: Core) -> None:
        """Write the arrays beside the store (atomically: a temporary file, then rename)."""
        arrays = core.arrays()
        tmp = self.snapshot_path.with_name(self.snapshot_path.name + f".{os.getpid()}.tmp")
        try:
            with open(tmp, "wb", opener=lambda p, f: os.open(p, f, 0o600)) as fh:
                np.savez(fh, uuid=np.array(self.uuid), **arrays)
            os.replace(tmp, self.snapshot_path)
            self._saved_clock = core.clock
        except OSError:  # a read-only folder: the store still works, it opens slower
            tmp.unlink(missing_ok=True)

    def _build_core(self, clock: int, conn: sqlite3.Connection) -> Core:
        """The core from the rows: SQLite extracts the few fields, numpy does the rest."""
        rows = conn.execute(_FACTS_SQL).fetchall()
        n = len(rows)
        ids = [r[0] for r in rows]
        kind = np.fromiter((KIND_CODE[r[1]] for r in rows), dtype=np.int16, count=n)
        status = [r[2] for r in rows]
        goal = np.array([0 if r[1] != "StrategicGoal" else 1 if (s or "active") == "active"
                         else 2 for r, s in zip(rows, status, strict=True)], dtype=np.int8)
        proj = np.array([PROJECT_STATUS.get(s, -1) if r[1] == "ImprovementProject" else -1
                         for r, s in zip(rows, status, strict=True)], dtype=np.int8)
        driver = np.array([r[3] == "driver" for r in rows], dtype=bool)
        n_points = np.array([r[4] or 0 for r in rows], dtype=np.int32)
        last = np.array([int(r[5][:4]) * 12 + int(r[5][5:7]) - 1 if r[5] and r[4] else -1
                         for r in rows], dtype=np.int32)
        facts = {"kind": kind, "goal_status": goal, "project_status": proj,
                 "last_point": last, "n_points": n_points,
                 "driver": driver.reshape(n) if n else driver}
        if not n:
            return Core.empty(clock)
        pos = {nid: i for i, nid in enumerate(ids)}
        erows = conn.execute("SELECT source, kind, target FROM edges").fetchall()
        m = len(erows)
        src = np.fromiter((pos[r[0]] for r in erows), dtype=np.int64, count=m)
        ek = np.fromiter((EDGE_CODE[r[1]] for r in erows), dtype=np.int64, count=m)
        dst = np.fromiter((pos[r[2]] for r in erows), dtype=np.int64, count=m)
        return Core.build(clock, ids, facts, src, dst, ek)

    def _catch_up(self, core: Core, clock: int, conn: sqlite3.Connection
                  ) -> tuple[Core, set[str]] | None:
        """``core`` brought to ``clock`` from the change log, with the ids of the nodes the
        log says changed; None if the log cannot (a rebuild or clear, or too old)."""
        if core.clock == clock:
            return core, set()
        floor = int(self._meta("log_floor", conn) or 0)
        if core.clock < floor or core.clock > clock:
            return None
        by_clock: dict[int, list[tuple[str, str, str | None, str | None]]] = {}
        for c, op, a, k, b in conn.execute(
                "SELECT clock, op, a, k, b FROM log WHERE clock > ? ORDER BY rowid",
                (core.clock,)):
            by_clock.setdefault(c, []).append((op, a, k, b))
        touched: set[str] = set()
        for c in sorted(by_clock):
            upserts: dict[str, NodeFacts] = {}
            deleted, added, removed = [], [], []
            for op, a, k, b in by_clock[c]:
                if op == "rebuild":
                    return None
                if op == "node":
                    st, pt, npts, last = json.loads(b or "[]")
                    upserts[a] = NodeFacts(k or "", st, pt, npts, last)
                elif op == "delete":
                    deleted.append(a)
                elif op == "edge":
                    added.append((a, k or "", b or ""))
                elif op == "unedge":
                    removed.append((a, k or "", b or ""))
            touched.update(upserts)
            touched.update(deleted)
            core = core.evolve(c, upserts, deleted, added, removed)
        return (core, touched) if core.clock == clock else None

    def _current_data_version(self) -> int:
        return self._watch.execute("PRAGMA data_version").fetchone()[0]

    def _refresh(self) -> Core:
        """The current core, caught up with commits made by other processes (and by this
        one's write connection, which the watch connection sees as another)."""
        pinned = getattr(self._local, "view", None)
        if pinned is not None:
            return pinned.core
        if self._memory:
            return self._core
        with self._watch_lock:
            # data_version first, then the clock: a commit in between is seen now and
            # noticed again next time, never taken as seen without being read.
            dv = self._current_data_version()
            if dv == self._data_version:
                return self._core
            w = self._watch
            w.execute("BEGIN")
            try:
                self._advance(self._store_clock(w), w)
            finally:
                w.execute("COMMIT")
            self._data_version = dv
            return self._core

    def _advance(self, clock: int, conn: sqlite3.Connection) -> Core:
        """The published core, brought to ``clock`` if it is behind (from the log, read
        through ``conn``, whose transaction sees that commit; or rebuilt from the rows).

        The only place the core moves on, one thread at a time and always from the
        published core: :meth:`Core.evolve` appends to id lists shared along one line of
        snapshots, so two threads must never evolve the same snapshot."""
        with self._advance_lock:
            core = self._core
            if core.clock >= clock:
                return core
            got = self._catch_up(core, clock, conn)
            if got is None:
                core, touched = self._build_core(clock, conn), None
            else:
                core, touched = got
            self._publish(core, touched)
            return core

    def _publish(self, core: Core, touched: set[str] | None) -> None:
        """Make ``core`` the current snapshot and forget the bodies of the nodes it changed
        (all of them when ``touched`` is None). Call with the advance lock held."""
        with self._state:
            if touched is None:
                self._cache.clear(core.clock)
            else:
                self._cache.changed(touched, core.clock)
            self._core = core
            self._view = None

    # ------------------------------------------------------------- reading
    def _load_bodies(self, ids: list[str], conn: sqlite3.Connection | None = None
                     ) -> dict[str, Node]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        with self._reader(conn) as c:
            rows = c.execute(
                f"SELECT id, kind, body FROM nodes WHERE id IN ({marks})",  # noqa: S608
                ids).fetchall()
        return {nid: self._node(nid, kind, body) for nid, kind, body in rows}

    def _node(self, nid: str, kind: str, body: str) -> Node:
        data = json.loads(body)
        data["id"] = nid
        data["kind"] = kind
        return make_node(data, location=f"{self.path} node {nid}")

    def _load_labels(self, ids: list[str], conn: sqlite3.Connection | None = None
                     ) -> dict[str, str]:
        marks = ",".join("?" * len(ids))
        with self._reader(conn) as c:
            rows = c.execute(
                f"SELECT id, json_extract(body, '$.label') FROM nodes "  # noqa: S608
                f"WHERE id IN ({marks})", ids).fetchall()
        return dict(rows)

    def _load_edges(self, kind: str | None = None, source: str | None = None,
                    target: str | None = None, conn: sqlite3.Connection | None = None
                    ) -> Iterator[Edge]:
        where, args = [], []
        for col, value in (("kind", kind), ("source", source), ("target", target)):
            if value is not None:
                where.append(f"{col}=?")
                args.append(value)
        sql = "SELECT source, kind, target, body FROM edges"
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._reader(conn) as c:
            rows = c.execute(sql, args).fetchall()
        for s, k, t, body in rows:
            yield make_edge(k, s, t, provenance=Provenance.model_validate(json.loads(body)))

    def _make_view(self, core: Core, conn: sqlite3.Connection | None = None) -> CoreGraph:
        """A view of ``core``; its bodies are read through ``conn`` when given (the write
        transaction's), else as :meth:`_reader` says."""
        bodies = _ViewBodies(self._cache, core.clock, self._state)
        if conn is None:
            return CoreGraph(core, self._load_bodies, self._load_edges, self._load_labels,
                             bodies)  # type: ignore[arg-type]
        return CoreGraph(core, functools.partial(self._load_bodies, conn=conn),
                         functools.partial(self._load_edges, conn=conn),
                         functools.partial(self._load_labels, conn=conn),
                         bodies)  # type: ignore[arg-type]

    @contextmanager
    def snapshot(self) -> Iterator[CoreGraph]:
        """One state of the store for everything this thread asks inside: ``view()``,
        ``graph()``, the questions, ``node_version`` ... all answer from the same commit
        (an SQLite read transaction held open, and the core caught up to exactly it), so
        a page drawn from the graph, the audit and the SPC never mixes two revisions."""
        pinned = getattr(self._local, "view", None)
        if pinned is not None:  # nested: the outer snapshot holds
            yield pinned
            return
        if self._memory:  # nobody else can write to it
            yield self.view()
            return
        with self._reader() as c:
            for _ in range(100):  # until the snapshot is not older than the published core
                c.execute("BEGIN")
                clock = self._store_clock(c)  # the read transaction starts here
                core = self._advance(clock, c)
                if core.clock == clock:
                    break
                c.execute("COMMIT")
            else:
                raise StoreError(f"the store {self.path} moves too fast to read a snapshot")
            try:
                view = self._view_of(core)
                self._local.view, self._local.conn = view, c
                yield view
            finally:
                self._local.view = self._local.conn = None
                c.execute("COMMIT")

    def _view_of(self, core: Core) -> CoreGraph:
        with self._state:
            if self._view is not None and self._view.core is core:
                return self._view
            if len(self._cache.data) > 100_000:  # a whole-graph read passed: let it go
                self._cache.data.clear()
        view = self._make_view(core)
        with self._state:
            if self._core is core:
                self._view = view
        return view

    def view(self) -> CoreGraph:
        """A read view of the current snapshot: kinds and edges from the core, node bodies
        read when asked for. Questions asked of one view see one consistent topology."""
        pinned = getattr(self._local, "view", None)
        if pinned is not None:
            return pinned
        return self._view_of(self._refresh())

    @property
    def core(self) -> Core:
        return self._refresh()

    def graph(self) -> QMSGraph:
        """The whole graph as model objects (for export and interchange; costs what the
        graph holds). The questions do not need it: they use :meth:`view`. Read in a
        :meth:`snapshot`: inside the caller's, the graph is that snapshot's."""
        with self.snapshot() as view:
            clock = view.core.clock
            full = self._full
            if full is not None and full[0] == clock:
                return full[1]
            g = QMSGraph()
            with self._reader() as c:
                for nid, kind, body in c.execute(
                        "SELECT id, kind, body FROM nodes ORDER BY rowid"):
                    g.g.add_node(nid, node=self._node(nid, kind, body))
                for e in self._load_edges(conn=c):
                    g.g.add_edge(e.source, e.target, key=e.kind, edge=e)
        g.revision = clock
        self._full = (clock, g)
        return g

    def get_node(self, node_id: str) -> Node:
        return self.view().node(node_id)

    def version(self, node_id: str) -> int:
        with self._reader() as c:
            row = c.execute("SELECT version FROM nodes WHERE id=?", (node_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no node with id {node_id!r}")
        return row[0]

    def node_version(self, node_id: str) -> tuple[Node, int]:
        """The node as committed and its version, read together from one row (an ETag
        names the version of the body it comes with)."""
        with self._reader() as c:
            row = c.execute("SELECT kind, version, body FROM nodes WHERE id=?",
                            (node_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no node with id {node_id!r}")
        return self._node(node_id, row[0], row[2]), row[1]

    def node_versions(self, ids: list[str]) -> dict[str, tuple[Node, int]]:
        """:meth:`node_version` of each id (one query per 500), in the order given."""
        rows: dict[str, tuple[str, int, str]] = {}
        with self._reader() as c:
            for i in range(0, len(ids), 500):
                chunk = ids[i:i + 500]
                marks = ",".join("?" * len(chunk))
                for nid, kind, version, body in c.execute(
                        f"SELECT id, kind, version, body FROM nodes "  # noqa: S608
                        f"WHERE id IN ({marks})", chunk):
                    rows[nid] = (kind, version, body)
        return {nid: (self._node(nid, rows[nid][0], rows[nid][2]), rows[nid][1])
                for nid in ids if nid in rows}

    def revision(self) -> int:
        return self._refresh().clock

    def health(self) -> dict[str, Any]:
        """From memory, without a lock or a query: the snapshot last published."""
        core = self._core
        return {"nodes": core.alive, "revision": core.clock}

    def stats(self) -> dict[str, Any]:
        return self.view().stats()

    def _once(self, name: str, config: Any, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per snapshot (and configuration), kept with the snapshot."""
        with self.snapshot() as view:
            key = f"{name}:{config.model_dump_json() if config is not None else ''}"
            if key not in view.cache:
                view.cache[key] = compute()
            return view.cache[key]

    def audit(self, config: Any = None) -> Any:
        """As :meth:`Store.audit`, once per revision: asking again before the next commit
        (anywhere) returns the same report."""
        return self._once("audit", config, lambda: Store.audit(self, config))

    def matrix(self, config: Any = None) -> Any:
        return self._once("matrix", config, lambda: Store.matrix(self, config))

    def balance(self, config: Any = None) -> Any:
        return self._once("balance", config, lambda: Store.balance(self, config))

    def scores(self, config: Any = None) -> Any:
        return self._once("scores", config, lambda: Store.scores(self, config))

    def spc_summaries(self) -> dict[str, dict[str, Any]]:
        """As :meth:`Store.spc_summaries`, kept with the snapshot: measure bodies are read
        once per change of the graph, not once per question."""
        from ..spc.graph import all_summaries

        view = self.view()
        if "spc" not in view.cache:
            view.cache["spc"] = all_summaries(view, self)
        return dict(view.cache["spc"])

    # ------------------------------------------------------------- writing
    def apply(self, changes: ChangeSet, *, dry_run: bool = False,
              progress: Progress | None = None) -> ApplyResult:
        """Stage the changes over the current core, write them in one SQLite transaction,
        then publish a new core that shares the old one's arrays.

        Validation touches only the nodes and edges the changes name. Readers holding a
        view keep their snapshot: they never see a change that is staged, rolled back or
        not yet committed. A dry run is a reader: it takes no lock.
        """
        if dry_run:
            core = self._refresh()
            with self._reader() as c:
                tx = GraphTransaction(Overlay(self._make_view(core)))  # type: ignore[arg-type]
                result = stage_changes(changes, tx, _Versions(c), core.clock + 1)
            tx.raise_problems(changes.source)
            result.dry_run = True
            return result
        with self._writing() as conn:
            base = self._advance(self._store_clock(conn), conn)  # no commit can come now
            overlay = Overlay(self._make_view(base, conn))
            tx = GraphTransaction(overlay)  # type: ignore[arg-type]
            clock = base.clock + 1
            result = stage_changes(changes, tx, _Versions(conn), clock)
            tx.raise_problems(changes.source)
            self._write(changes, tx, result, progress)
            upserts, deleted, added, removed = overlay.delta()
            self._log(clock, upserts, deleted, added, removed)
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('clock', ?)", (str(clock),))
        with self._advance_lock:  # committed: publish, unless a reader caught up already
            if self._core.clock < clock:
                self._publish(self._core.evolve(clock, upserts, deleted, added, removed),
                              set(overlay.nodes))
        return result

    def _log(self, clock: int, upserts: dict[str, NodeFacts], deleted: list[str],
             added: list[tuple[str, str, str]], removed: list[tuple[str, str, str]]) -> None:
        if len(upserts) + len(deleted) + len(added) + len(removed) > LOG_LIMIT:
            self.conn.execute("INSERT INTO log VALUES (?, 'rebuild', '', NULL, NULL)",
                              (clock,))
            return
        rows: list[tuple[Any, ...]] = [(clock, "delete", d, None, None) for d in deleted]
        rows += [(clock, "unedge", s, k, t) for s, k, t in removed]
        rows += [(clock, "node", nid, f.kind, _facts_json(f)) for nid, f in upserts.items()]
        rows += [(clock, "edge", s, k, t) for s, k, t in added]
        if not rows:  # the clock moved all the same: say so, so that readers follow it
            rows.append((clock, "noop", "", None, None))
        self.conn.executemany("INSERT INTO log VALUES (?,?,?,?,?)", rows)

    def _write(self, changes: ChangeSet, tx: GraphTransaction, result: ApplyResult,
               progress: Progress | None) -> None:
        c = self.conn
        total = len(changes)
        done = 0

        def tick(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress(done, total)

        if changes.delete_edges:
            c.executemany("DELETE FROM edges WHERE source=? AND kind=? AND target=?",
                          [k for k, _ in changes.delete_edges])
            tick(len(changes.delete_edges))
        if changes.delete_nodes:
            ids = [(n,) for n, _, _ in changes.delete_nodes]
            c.executemany("DELETE FROM edges WHERE source=? OR target=?",
                          [(n, n) for (n,) in ids])
            c.executemany("DELETE FROM nodes WHERE id=?", ids)
            c.executemany("DELETE FROM derived WHERE node_id=?", ids)
            tick(len(ids))
        if changes.update_nodes:
            c.executemany("INSERT OR REPLACE INTO nodes VALUES (?,?,?,?)",
                          [_node_row(n, result.versions[n.id])
                           for n, _, _ in changes.update_nodes])
            tick(len(changes.update_nodes))
        for i in range(0, len(changes.add_nodes), BATCH):
            chunk = changes.add_nodes[i:i + BATCH]
            c.executemany("INSERT INTO nodes VALUES (?,?,?,?)",
                          [_node_row(n, result.versions[n.id]) for n, _ in chunk])
            tick(len(chunk))
        for i in range(0, len(changes.add_edges), BATCH):
            chunk = changes.add_edges[i:i + BATCH]
            c.executemany("INSERT INTO edges VALUES (?,?,?,?)", [_edge_row(e) for e, _ in chunk])
            tick(len(chunk))

    def clear(self) -> None:
        with self._writing() as conn:
            clock = self._store_clock(conn) + 1
            for table in ("edges", "nodes", "derived", "log"):
                conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
            conn.execute("INSERT INTO log VALUES (?, 'rebuild', '', NULL, NULL)", (clock,))
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('clock', ?)", (str(clock),))
        with self._advance_lock:
            self._publish(Core.empty(clock), None)

    # ------------------------------------------------------------- derived data
    def get_derived(self, node_id: str, name: str, input_hash: str) -> Any | None:
        """A cached result computed from a node (e.g. its SPC), if its input is unchanged."""
        with self._reader() as c:
            row = c.execute("SELECT input_hash, body FROM derived WHERE node_id=? AND name=?",
                            (node_id, name)).fetchone()
        if row and row[0] == input_hash:
            return json.loads(row[1])
        return None

    def put_derived(self, node_id: str, name: str, input_hash: str, body: Any) -> None:
        """Keep a derived result - best effort: a reader never waits for the write lock, so
        when a writer (here or in another process) holds it, the result is not kept."""
        if not self._wlock.acquire(blocking=False):
            return
        try:
            self.conn.execute("PRAGMA busy_timeout=0")
            self.conn.execute("INSERT OR REPLACE INTO derived VALUES (?,?,?,?)",
                              (node_id, name, input_hash, json.dumps(body)))
        except sqlite3.OperationalError as err:
            if not _is_busy(err):
                raise
        finally:
            self._wlock.release()

    # ------------------------------------------------------------- files
    def backup(self, dest: str | os.PathLike[str]) -> Path:
        """Copy the store, committed changes included, into one file at ``dest`` with
        SQLite's online backup (safe while servers and loads use the store)."""
        target = Path(dest)
        if target.exists():
            raise StoreError(f"{target} exists: choose a new file for the backup")
        out = sqlite3.connect(target)
        try:
            with self._reader() as c:
                c.backup(out)
            out.execute("PRAGMA journal_mode=DELETE")
        finally:
            out.close()
        return target

    def close(self) -> None:
        """Save the core snapshot if it moved, fold the WAL into the file (unless another
        process is busy with it: never waiting), close every connection."""
        if self._closed:
            return
        self._closed = True
        with self._wlock:
            try:
                if self._snapshot and self._core.clock != self._saved_clock:
                    self._save_snapshot(self._core)
                with self._pool_lock:
                    for conn in [*self._pool, self._watch]:
                        if conn is not self.conn:
                            conn.close()
                self.conn.execute("PRAGMA busy_timeout=0")
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error:
                pass  # another process holds the file busy: its close will checkpoint
            finally:
                self._close_connections()
