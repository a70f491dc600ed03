"""Export a graph: RDF (Turtle, JSON-LD), GraphML, the YAML model file, Kumu and ArchiMate
(text); csv and xlsx are files (:mod:`qmsgraph.io.commands`)."""

from __future__ import annotations

import io
import json
from typing import Any

import networkx as nx
import yaml

from ..graph import QMSGraph
from .rdf import serialize

FORMATS = ("ttl", "jsonld", "graphml", "yaml", "csv", "xlsx", "kumu", "archimate")


def _scalar(value: Any) -> str | float | int | bool:
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(value)


def to_graphml(graph: QMSGraph) -> str:
    """GraphML (for Gephi, yEd, Cytoscape): kind, label and fields as attributes."""
    g = nx.MultiDiGraph()
    for n in graph.nodes():
        attrs = {"kind": n.kind, "label": n.label, "source": n.provenance.source}
        if n.description:
            attrs["description"] = n.description
        for k, v in n.attributes().items():
            attrs[k] = _scalar(v)
        if getattr(n, "data", None):
            attrs["data"] = json.dumps([[p.date.isoformat(), p.value] for p in n.data])
        g.add_node(n.id, **attrs)
    for e in graph.edges():
        g.add_edge(e.source, e.target, key=e.kind, kind=e.kind, source=e.provenance.source)
    buf = io.BytesIO()
    nx.write_graphml(g, buf, encoding="utf-8")
    return buf.getvalue().decode("utf-8")


def to_yaml(graph: QMSGraph) -> str:
    """The model file format (docs/formats.md), relations written inline."""
    items = []
    for n in graph.nodes():
        d: dict[str, Any] = {"id": n.id, "kind": n.kind, "label": n.label}
        if n.description:
            d["description"] = n.description
        d.update(n.model_dump(mode="json", exclude_none=True,
                              include=set(n.attributes()) | {"data"}, exclude_defaults=True))
        for e in sorted(graph.out_edges(n.id), key=lambda e: (e.kind, e.target)):
            d.setdefault(e.kind, []).append(e.target)
        items.append(d)
    return yaml.safe_dump({"qmsgraph": 1, "nodes": items}, sort_keys=False,
                          allow_unicode=True, width=100)


def export(graph: QMSGraph, fmt: str) -> str:
    if fmt in ("ttl", "jsonld"):
        return serialize(graph, fmt)
    if fmt == "graphml":
        return to_graphml(graph)
    if fmt == "yaml":
        return to_yaml(graph)
    if fmt == "kumu":
        from .tables_out import to_kumu

        return to_kumu(graph)
    if fmt == "archimate":
        from .archimate_out import to_archimate

        return to_archimate(graph)
    if fmt in ("csv", "xlsx"):
        raise ValueError(f"{fmt} export writes files: use qmsgraph.io.commands.run_export")
    raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
