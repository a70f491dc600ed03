"""The embedded store's audit records by day (see :mod:`qmsgraph.alignment.history`), kept in
``meta`` under ``history:YYYY-MM-DD`` (a mixin of :class:`~qmsgraph.stores.sqlite.SQLiteStore`).

Recording is one row, written when an audit is recorded (never on a node or edge write); the
rows survive ``clear`` (a reload keeps the Board's history)."""

from __future__ import annotations

import json
from typing import Any

PREFIX = "history:"


class HistoryKeeping:
    """Audit records by day (uses the store's write and read connections)."""

    keeps_history = True

    def put_history(self, day: str, body: dict[str, Any]) -> None:
        """Keep ``body`` as the record of ``day`` (replacing that day's earlier record)."""
        with self._writing() as conn:  # type: ignore[attr-defined]
            conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                         (PREFIX + day, json.dumps(body, separators=(",", ":"))))

    def history_days(self) -> list[str]:
        """The days with a record, oldest first."""
        with self._reader() as c:  # type: ignore[attr-defined]
            rows = c.execute("SELECT key FROM meta WHERE key >= ? AND key < ? ORDER BY key",
                             (PREFIX, PREFIX[:-1] + ";")).fetchall()
        return [r[0][len(PREFIX):] for r in rows]

    def get_history(self, day: str) -> dict[str, Any]:
        with self._reader() as c:  # type: ignore[attr-defined]
            row = c.execute("SELECT value FROM meta WHERE key=?", (PREFIX + day,)).fetchone()
        if row is None:
            raise KeyError(day)
        return json.loads(row[0])
