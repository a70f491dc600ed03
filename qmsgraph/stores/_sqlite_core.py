"""Keeping the embedded store's columnar core current: open it from the snapshot file or
build it from the rows, catch up with other processes' commits from the change log, save
it, and publish a new core (a mixin of :class:`~qmsgraph.stores.sqlite.SQLiteStore`)."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import numpy as np

from ._core import (
    EDGE_CODE,
    KIND_CODE,
    PROJECT_STATUS,
    Core,
    NodeFacts,
)
from ._sqlite_rows import (
    _FACTS_SQL,
)


class CoreKeeping:
    """The core-keeping part of the embedded store (uses its connection, locks and cache)."""

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
