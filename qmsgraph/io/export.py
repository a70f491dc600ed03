"""Export a graph: RDF (Turtle, JSON-LD), GraphML, and the YAML model file."""

from __future__ import annotations

import io
import json
from typing import Any

import networkx as nx
import yaml

from ..graph import QMSGraph
from .rdf import serialize
from .safe import xml_text

FORMATS = ("ttl", "jsonld", "graphml", "yaml")


def _scalar(value: Any) -> str | float | int | bool:
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(value)


def to_graphml(graph: QMSGraph) -> str:
    """GraphML (for Gephi, yEd, Cytoscape): kind, label and fields as attributes.

    Characters XML cannot carry are dropped, so the file is well-formed whatever the graph
    holds (the model refuses them on input; a store written before that may hold them)."""
    g = nx.MultiDiGraph()
    for n in graph.nodes():
        attrs = {"kind": n.kind, "label": n.label, "source": n.provenance.source}
        if n.description:
            attrs["description"] = n.description
        for k, v in n.attributes().items():
            attrs[k] = _scalar(v)
        if getattr(n, "data", None):
            attrs["data"] = json.dumps([[p.date.isoformat(), p.value] for p in n.data])
        g.add_node(n.id, **{k: xml_text(v) for k, v in attrs.items()})
    for e in graph.edges():
        g.add_edge(e.source, e.target, key=e.kind, kind=e.kind,
                   source=xml_text(e.provenance.source))
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
        for e in graph.out_edges(n.id):
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
    raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
