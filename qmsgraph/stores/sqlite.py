"""The embedded default store: rows in one SQLite file, questions from a columnar core.

Durable state is three tables: ``nodes`` (id, kind, version, JSON body), ``edges`` (source,
kind, target, JSON provenance) and ``meta`` (format, the store-wide version clock, a uuid).
Every commit also appends what it changed to ``log`` under its clock, so that another
process sharing the file catches up by reading the changes since its own clock instead of
reloading everything. The topology lives in memory as a :class:`~._core.Core` (typed arrays,
see ``docs/architecture.md``), saved beside the store as ``<store>-core.npz`` stamped with the
store's uuid and clock; a process that opens the store loads that snapshot and the log since
it, and rebuilds it from the rows when it is missing, stale past the log or damaged.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import NotFoundError, StoreError
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
FORMAT_VERSION = "1"
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


class SQLiteStore(Store):
    """The embedded default: SQLite rows, a columnar core in memory (see the module doc).

    Safe for several threads (one lock around the connection; readers work on an immutable
    core snapshot) and several processes (SQLite's locking; another process's commit is
    noticed through ``PRAGMA data_version`` and read from the change log).
    """

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_STORE, *,
                 create: bool = True, snapshot: bool = True) -> None:
        self.path = Path(path)
        self.url = str(self.path)
        if not create and not self.path.exists():
            raise StoreError(f"no store at {self.path} (run 'qmsgraph init' first)")
        try:
            if str(path) != ":memory:" and not self.path.exists():
                # readable by its owner only, like the keys file (WAL files copy the mode)
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
            self.conn = sqlite3.connect(self.path, isolation_level=None,
                                        check_same_thread=False, timeout=30)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.executescript(_SCHEMA)
            self.conn.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)",
                              (FORMAT_VERSION,))
            self.conn.execute("INSERT OR IGNORE INTO meta VALUES ('uuid', ?)",
                              (uuid.uuid4().hex,))
            fmt = self._meta("format")
        except (sqlite3.DatabaseError, OSError) as err:
            raise StoreError(f"{self.path} is not a qmsgraph store: {err}") from None
        if fmt != FORMAT_VERSION:
            raise StoreError(f"{self.path} has store format {fmt}; this qmsgraph reads "
                             f"{FORMAT_VERSION}")
        self.uuid = self._meta("uuid")
        self._snapshot = snapshot and str(path) != ":memory:"
        self._lock = threading.RLock()
        self._bodies: dict[str, Node] = {}
        self._view: CoreGraph | None = None
        self._full: tuple[int, QMSGraph] | None = None
        self._saved_clock = -1
        self._data_version = -1
        self._core = self._open_core()

    # ------------------------------------------------------------- the core
    def _meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def _store_clock(self) -> int:
        clock = self._meta("clock")
        if clock is not None:
            return int(clock)
        row = self.conn.execute("SELECT max(version) FROM nodes").fetchone()
        return int(row[0] or 0)

    @property
    def snapshot_path(self) -> Path:
        return self.path.with_name(self.path.name + "-core.npz")

    def _open_core(self) -> Core:
        with self._lock:
            self.conn.execute("BEGIN")  # one read transaction: rows, clock and log agree
            try:
                self._data_version = self._current_data_version()
                clock = self._store_clock()
                core = self._load_snapshot(clock)
                if core is not None:
                    core = self._catch_up(core, clock)
                if core is None:
                    core = self._build_core(clock)
            finally:
                self.conn.execute("COMMIT")
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
        floor = int(self._meta("log_floor") or 0)
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

    def _build_core(self, clock: int) -> Core:
        """The core from the rows: SQLite extracts the few fields, numpy does the rest."""
        rows = self.conn.execute(_FACTS_SQL).fetchall()
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
        erows = self.conn.execute("SELECT source, kind, target FROM edges").fetchall()
        m = len(erows)
        src = np.fromiter((pos[r[0]] for r in erows), dtype=np.int64, count=m)
        ek = np.fromiter((EDGE_CODE[r[1]] for r in erows), dtype=np.int64, count=m)
        dst = np.fromiter((pos[r[2]] for r in erows), dtype=np.int64, count=m)
        return Core.build(clock, ids, facts, src, dst, ek)

    def _catch_up(self, core: Core, clock: int) -> Core | None:
        """``core`` brought to ``clock`` from the change log; None if the log cannot."""
        if core.clock == clock:
            return core
        floor = int(self._meta("log_floor") or 0)
        if core.clock < floor:
            return None
        by_clock: dict[int, list[tuple[str, str, str | None, str | None]]] = {}
        for c, op, a, k, b in self.conn.execute(
                "SELECT clock, op, a, k, b FROM log WHERE clock > ? ORDER BY rowid",
                (core.clock,)):
            by_clock.setdefault(c, []).append((op, a, k, b))
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
            core = core.evolve(c, upserts, deleted, added, removed)
        return core if core.clock == clock else None

    def _current_data_version(self) -> int:
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def _refresh(self) -> None:
        """Catch up with commits made by other processes (call with the lock held)."""
        dv = self._current_data_version()
        if dv == self._data_version:
            return
        self.conn.execute("BEGIN")
        try:
            dv = self._current_data_version()
            clock = self._store_clock()
            if clock != self._core.clock:
                core = self._catch_up(self._core, clock) if clock > self._core.clock else None
                if core is None:
                    core = self._build_core(clock)
                self._set_core(core, None)
            self._data_version = dv
        finally:
            self.conn.execute("COMMIT")

    def _set_core(self, core: Core, touched: set[str] | None) -> None:
        if touched is None:
            self._bodies.clear()
        else:
            for nid in touched:
                self._bodies.pop(nid, None)
        self._core = core
        self._view = None

    # ------------------------------------------------------------- reading
    def _load_bodies(self, ids: list[str]) -> dict[str, Node]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        with self._lock:
            rows = self.conn.execute(
                f"SELECT id, kind, body FROM nodes WHERE id IN ({marks})",  # noqa: S608
                ids).fetchall()
        out = {}
        for nid, kind, body in rows:
            data = json.loads(body)
            data["id"] = nid
            data["kind"] = kind
            out[nid] = make_node(data, location=f"{self.path} node {nid}")
        return out

    def _load_labels(self, ids: list[str]) -> dict[str, str]:
        marks = ",".join("?" * len(ids))
        with self._lock:
            rows = self.conn.execute(
                f"SELECT id, json_extract(body, '$.label') FROM nodes "  # noqa: S608
                f"WHERE id IN ({marks})", ids).fetchall()
        return dict(rows)

    def _load_edges(self, kind: str | None = None, source: str | None = None,
                    target: str | None = None) -> Iterator[Edge]:
        where, args = [], []
        for col, value in (("kind", kind), ("source", source), ("target", target)):
            if value is not None:
                where.append(f"{col}=?")
                args.append(value)
        sql = "SELECT source, kind, target, body FROM edges"
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._lock:
            rows = self.conn.execute(sql, args).fetchall()
        for s, k, t, body in rows:
            yield make_edge(k, s, t, provenance=Provenance.model_validate(json.loads(body)))

    def view(self) -> CoreGraph:
        """A read view of the current snapshot: kinds and edges from the core, node bodies
        read when asked for. Questions asked of one view see one consistent topology."""
        with self._lock:
            self._refresh()
            if self._view is None:
                if len(self._bodies) > 100_000:  # a whole-graph read passed: let it go
                    self._bodies.clear()
                self._view = CoreGraph(self._core, self._load_bodies, self._load_edges,
                                       self._load_labels, self._bodies)
            return self._view

    @property
    def core(self) -> Core:
        with self._lock:
            self._refresh()
            return self._core

    def graph(self) -> QMSGraph:
        """The whole graph as model objects (for export and interchange; costs what the
        graph holds). The questions do not need it: they use :meth:`view`."""
        with self._lock:
            self._refresh()
            clock = self._core.clock
            if self._full is not None and self._full[0] == clock:
                return self._full[1]
            g = QMSGraph()
            for nid, kind, body in self.conn.execute(
                    "SELECT id, kind, body FROM nodes ORDER BY rowid"):
                data = json.loads(body)
                data["id"] = nid
                data["kind"] = kind
                g.g.add_node(nid, node=make_node(data, location=f"{self.path} node {nid}"))
            for e in self._load_edges():
                g.g.add_edge(e.source, e.target, key=e.kind, edge=e)
            g.revision = clock
            self._full = (clock, g)
            return g

    def get_node(self, node_id: str) -> Node:
        return self.view().node(node_id)

    def version(self, node_id: str) -> int:
        with self._lock:
            row = self.conn.execute("SELECT version FROM nodes WHERE id=?",
                                    (node_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no node with id {node_id!r}")
        return row[0]

    def stats(self) -> dict[str, Any]:
        return self.view().stats()

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
        not yet committed.
        """
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")  # take the write lock before reading
            try:
                self._refresh_in_tx()
                view = CoreGraph(self._core, self._load_bodies, self._load_edges,
                                 self._load_labels, self._bodies)
                overlay = Overlay(view)
                tx = GraphTransaction(overlay)  # type: ignore[arg-type]
                clock = self._core.clock + 1
                result = stage_changes(changes, tx, _Versions(self.conn), clock)
                tx.raise_problems(changes.source)
                if dry_run:
                    result.dry_run = True
                    self.conn.execute("ROLLBACK")
                    return result
                self._write(changes, tx, result, progress)
                upserts, deleted, added, removed = overlay.delta()
                self._log(clock, upserts, deleted, added, removed)
                self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('clock', ?)",
                                  (str(clock),))
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            core = self._core.evolve(clock, upserts, deleted, added, removed)
            self._set_core(core, set(overlay.nodes))
            self._data_version = self._current_data_version()
            return result

    def _refresh_in_tx(self) -> None:
        dv = self._current_data_version()
        if dv == self._data_version:
            return
        clock = self._store_clock()
        if clock != self._core.clock:
            core = self._catch_up(self._core, clock) if clock > self._core.clock else None
            self._set_core(core if core is not None else self._build_core(clock), None)
        self._data_version = dv

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
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                clock = self._store_clock() + 1
                for table in ("edges", "nodes", "derived", "log"):
                    self.conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
                self.conn.execute("INSERT INTO log VALUES (?, 'rebuild', '', NULL, NULL)",
                                  (clock,))
                self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('clock', ?)",
                                  (str(clock),))
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self._set_core(Core.empty(clock), None)
            self._data_version = self._current_data_version()

    # ------------------------------------------------------------- derived data
    def get_derived(self, node_id: str, name: str, input_hash: str) -> Any | None:
        """A cached result computed from a node (e.g. its SPC), if its input is unchanged."""
        with self._lock:
            row = self.conn.execute(
                "SELECT input_hash, body FROM derived WHERE node_id=? AND name=?",
                (node_id, name)).fetchone()
        if row and row[0] == input_hash:
            return json.loads(row[1])
        return None

    def put_derived(self, node_id: str, name: str, input_hash: str, body: Any) -> None:
        with self._lock:
            self.conn.execute("INSERT OR REPLACE INTO derived VALUES (?,?,?,?)",
                              (node_id, name, input_hash, json.dumps(body)))

    # ------------------------------------------------------------- files
    def backup(self, dest: str | os.PathLike[str]) -> Path:
        """Copy the store, committed changes included, into one file at ``dest`` with
        SQLite's online backup (safe while servers and loads use the store)."""
        target = Path(dest)
        if target.exists():
            raise StoreError(f"{target} exists: choose a new file for the backup")
        out = sqlite3.connect(target)
        try:
            with self._lock:
                self.conn.backup(out)
            out.execute("PRAGMA journal_mode=DELETE")
        finally:
            out.close()
        return target

    def close(self) -> None:
        """Save the core snapshot if it moved, fold the WAL into the file, close."""
        with self._lock:
            try:
                if self._snapshot and self._core.clock != self._saved_clock:
                    self._save_snapshot(self._core)
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error:
                pass  # another process holds the file busy: its close will checkpoint
            finally:
                self.conn.close()
