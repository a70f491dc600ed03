"""Exports for spreadsheets and mapping tools: CSV files and Kumu's JSON blueprint.

* :func:`to_csv_files`: ``nodes.csv`` (a ``kind`` column and every field), ``edges.csv``
  (``source,kind,target,reason``) and ``measure_data.csv``
  (``measure_id,date,value,denominator,rebase``), UTF-8 with a byte-order mark so that Excel
  shows non-ASCII text right. The three files load back with
  ``qmsgraph load nodes.csv edges.csv measure_data.csv``. Text that a spreadsheet would run
  as a formula is neutralised (:func:`qmsgraph.io.safe.csv_cell`).
* :func:`to_kumu`: Kumu's JSON blueprint (``elements`` with ``id``, ``label``, ``type``,
  ``description``, ``tags`` and the fields; ``connections`` ``from``/``to`` ids, with the
  relation as ``type``), for people who map systems in Kumu.
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

from ..model import NODE_CLASSES
from . import fields
from .safe import csv_cell

if TYPE_CHECKING:
    from ..graph import QMSGraph

__all__ = ["to_csv_files", "to_kumu", "CSV_FILES"]

CSV_FILES = ("nodes.csv", "edges.csv", "measure_data.csv")


def _value(v: Any) -> Any:
    if v is None or v == []:
        return ""
    if isinstance(v, list | tuple):
        return ";".join(str(x) for x in v)
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return repr(v)
    return csv_cell(v)


def _csv(rows: list[list[Any]]) -> str:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerows(rows)
    return "\ufeff" + buf.getvalue()


def to_csv_files(graph: QMSGraph) -> dict[str, str]:
    """File name -> text (with BOM) of the three CSV files."""
    nodes = sorted(graph.nodes(), key=lambda n: (n.kind, n.id))
    names: list[str] = []
    for kind in NODE_CLASSES:
        for c in fields.columns(kind):
            if not c.relation and c.name not in names:
                names.append(c.name)
    header = ["kind", *names]
    rows: list[list[Any]] = [header]
    for n in nodes:
        d = n.model_dump(exclude={"provenance", "data"})
        rows.append([n.kind] + [_value(d.get(c)) for c in names])
    edges: list[list[Any]] = [list(fields.EDGE_COLUMNS)]
    for e in sorted(graph.edges(), key=lambda e: e.key):
        edges.append([e.source, e.kind, e.target, _value(e.provenance.reason)])
    data: list[list[Any]] = [[*fields.DATA_COLUMNS, *fields.DATA_EXTRA_COLUMNS]]
    for n in nodes:
        for p in getattr(n, "data", None) or ():
            data.append([n.id, p.date.isoformat(), repr(p.value),
                         "" if p.denominator is None else repr(p.denominator),
                         _value(p.rebase)])
    return dict(zip(CSV_FILES, (_csv(rows), _csv(edges), _csv(data)), strict=True))


def to_kumu(graph: QMSGraph) -> str:
    """Kumu's JSON blueprint of the whole graph."""
    elements = []
    for n in sorted(graph.nodes(), key=lambda n: n.id):
        el: dict[str, Any] = {"id": n.id, "label": n.label, "type": n.kind}
        if n.description:
            el["description"] = n.description
        attrs = n.model_dump(mode="json", exclude={"id", "label", "description",
                                                  "provenance", "data"}, exclude_none=True)
        tags = [*attrs.pop("quality_domains", []), *attrs.pop("quadruple_aim", [])]
        if tags:
            el["tags"] = tags
        for k, v in attrs.items():
            if v not in ([], ""):
                el[k.replace("_", " ").capitalize()] = v
        data = getattr(n, "data", None)
        if data:
            el["Latest value"] = data[-1].value
            el["Latest date"] = data[-1].date.isoformat()
        elements.append(el)
    connections = []
    for s, k, t in sorted(e.key for e in graph.edges()):
        connections.append({"id": f"{s}|{k}|{t}", "from": s, "to": t, "type": k,
                            "direction": "directed"})
    return json.dumps({"elements": elements, "connections": connections}, indent=1,
                      ensure_ascii=False) + "\n"
