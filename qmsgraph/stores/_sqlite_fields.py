"""The embedded store's bulk field reads: a few fields of many nodes with SQLite's
``json_extract``, without building a model object per node (what project progress and the
portfolio read for every project, measure and change idea)."""

from __future__ import annotations

import json
from typing import Any

from .. import schema


class FieldReads:
    """A mixin of :class:`SQLiteStore` (it uses the store's ``_reader`` and ``_once``)."""

    def node_fields(self, kind: str, names: tuple[str, ...], ids: list[str] | None = None
                    ) -> dict[str, dict[str, Any]]:
        """As :meth:`Store.node_fields`: one query per 500 ids (or one for the kind)."""
        kinds = [k for k in schema.NODE_KINDS if schema.is_a(k, kind)]
        cols = ", ".join(f"json_extract(body, '$.{n}')" if n != "label" else
                         "json_extract(body, '$.label')" for n in names)
        for n in names:  # field names go into the SQL text: only the model's own
            if not n.isidentifier():
                raise ValueError(f"not a field name: {n!r}")
        sql = (f"SELECT id, {cols} FROM nodes WHERE kind IN "  # noqa: S608
               f"({','.join('?' * len(kinds))})")
        batches = [None] if ids is None else [ids[i:i + 500] for i in range(0, len(ids), 500)]
        out: dict[str, dict[str, Any]] = {}
        with self._reader() as c:  # type: ignore[attr-defined]
            for batch in batches:
                q, args = sql, list(kinds)
                if batch is not None:
                    if not batch:
                        continue
                    q += f" AND id IN ({','.join('?' * len(batch))})"
                    args += batch
                for row in c.execute(q, args):
                    out[row[0]] = {n: _value(n, v) for n, v in zip(names, row[1:],
                                                                  strict=True)}
        return out

    def recorded_progress(self) -> list[str]:
        """As :meth:`Store.recorded_progress`; the JSON is parsed only for the bodies that
        name the field (every audit asks this)."""
        with self._reader() as c:  # type: ignore[attr-defined]
            rows = c.execute(
                "SELECT id FROM nodes WHERE kind = 'ImprovementProject' AND "
                "instr(body, '\"progress_recorded\"') > 0 AND "
                "json_extract(body, '$.progress_recorded') IS NOT NULL").fetchall()
        return sorted(r[0] for r in rows)

    def progress(self, project_id: str | None = None) -> Any:
        """As :meth:`Store.progress`; the whole portfolio once per revision."""
        from .base import Store

        if project_id is not None:
            return Store.progress(self, project_id)  # type: ignore[arg-type]
        return self._once("progress", None,  # type: ignore[attr-defined]
                          lambda: Store.progress(self))  # type: ignore[arg-type]


    def effort(self, config: Any = None) -> Any:
        """As :meth:`Store.effort`, once per revision and configuration (every Board page
        asks it)."""
        from .base import Store

        return self._once("effort", config,  # type: ignore[attr-defined]
                          lambda: Store.effort(self, config))  # type: ignore[arg-type]


def _value(name: str, v: Any) -> Any:
    if name == "data":
        return [p["date"] for p in json.loads(v)] if v else []
    return v
