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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import NotFoundError, StoreBusyError, StoreError
from ..graph import GraphTransaction, QMSGraph
from ..model import Edge, Node, Provenance, make_edge, make_node
from ._core import (
    Core,
    CoreGraph,
    NodeFacts,
)
from ._overlay import Overlay
from ._sqlite_core import CoreKeeping
from ._sqlite_fields import FieldReads
from ._sqlite_history import HistoryKeeping
from ._sqlite_rows import (
    _SCHEMA,
    _TABLES,
    BATCH,
    FORMAT_VERSION,
    LOG_LIMIT,
    _Bodies,
    _edge_row,
    _facts_json,
    _is_busy,
    _lock_timeout,
    _node_row,
    _Versions,
    _ViewBodies,
)
from .base import DEFAULT_STORE, ApplyResult, ChangeSet, Progress, Store, stage_changes


class SQLiteStore(CoreKeeping, HistoryKeeping, FieldReads, Store):
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

    def project_texts(self) -> tuple[list[str], list[str]]:
        """Every project's label, aim and description, by one query (no node bodies)."""
        from ..alignment.text import project_text

        with self._reader() as c:
            rows = c.execute(
                "SELECT id, json_extract(body, '$.label'), json_extract(body, '$.aim'), "
                "json_extract(body, '$.description') FROM nodes "
                "WHERE kind = 'ImprovementProject' ORDER BY id").fetchall()
        return [r[0] for r in rows], [project_text(*r[1:]) for r in rows]

    owns_revision_clock = True  # the clock in the file's meta table only ever grows

    def project_signature(self) -> tuple[int, int]:
        """(projects, their highest version): versions come from the store-wide clock, so
        any project written, added or deleted changes it."""
        with self._reader() as c:
            n, v = c.execute("SELECT count(*), max(version) FROM nodes "
                             "WHERE kind = 'ImprovementProject'").fetchone()
        return int(n), int(v or 0)

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
