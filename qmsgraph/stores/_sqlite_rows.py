"""The embedded store's tables, rows and small parts: the schema, node and edge rows, the
facts logged per commit, versions and the body cache shared by views."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable

from ..errors import StoreError
from ..model import Edge, Node
from ._core import (
    NodeFacts,
)

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
