"""Export a graph: RDF (Turtle, JSON-LD), GraphML, GEXF, Cytoscape.js JSON, the YAML model,
Kumu and ArchiMate (text); csv and xlsx are files (:mod:`qmsgraph.io.commands`).

The graph formats (GraphML, GEXF, cyjs) carry the same attributes: on nodes ``kind``,
``label``, ``description``, every field of the kind (lists joined with ``;``), ``data`` (the
measure's points as JSON) and the provenance; on edges ``kind`` and the provenance. The
provenance is written as ``source_file``, ``source_location``, ``agent``, ``reason`` and
``recorded_at``, never as ``source``, which graph tools reserve for an edge's end. Every edge
has a document-unique id, ``e`` and a hash of (source, kind, target): the same id in every
export of the same edge. ``docs/formats.md`` lists the tools checked to read each format.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from typing import Any

import networkx as nx
import yaml

from ..graph import QMSGraph
from ..model import Edge, Provenance
from .rdf import serialize

# written as one text by export(); csv (a folder) and xlsx are files (io.commands)
TEXT_FORMATS = ("ttl", "jsonld", "graphml", "gexf", "cyjs", "yaml", "kumu", "archimate")
FORMATS = (*TEXT_FORMATS, "csv", "xlsx")


def _scalar(value: Any) -> str | float | int | bool:
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(value)


def edge_id(e: Edge) -> str:
    """A stable id for an edge, unique in a graph (one edge per source, kind and target)."""
    h = hashlib.sha1(f"{e.source}\x00{e.kind}\x00{e.target}".encode()).hexdigest()[:16]
    return "e" + h


def _provenance(p: Provenance) -> dict[str, str]:
    out = {"source_file": p.source, "recorded_at": p.at.isoformat().replace("+00:00", "Z")}
    for key, value in (("source_location", p.location), ("agent", p.agent),
                       ("reason", p.reason)):
        if value:
            out[key] = value
    return out


def to_networkx(graph: QMSGraph) -> nx.MultiDiGraph:
    """The graph with flat attributes (see the module docstring); edge keys are edge ids."""
    g = nx.MultiDiGraph()
    for n in graph.nodes():
        attrs: dict[str, Any] = {"kind": n.kind, "label": n.label}
        if n.description:
            attrs["description"] = n.description
        for k, v in n.attributes().items():
            attrs[k] = _scalar(v)
        if getattr(n, "data", None):
            attrs["data"] = json.dumps([[p.date.isoformat(), p.value] for p in n.data])
        attrs.update(_provenance(n.provenance))
        g.add_node(n.id, **attrs)
    for e in graph.edges():
        g.add_edge(e.source, e.target, key=edge_id(e), kind=e.kind, **_provenance(e.provenance))
    return g


# Characters XML 1.0 cannot hold (C0 controls but tab, LF, CR; surrogates; U+FFFE, U+FFFF)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Replace characters XML cannot hold by U+FFFD (the only loss in the XML formats)."""
    def clean(d: dict[str, Any]) -> None:
        for k, v in d.items():
            if isinstance(v, str) and _NOT_XML.search(v):
                d[k] = _NOT_XML.sub("\ufffd", v)

    for _, d in g.nodes(data=True):
        clean(d)
    for _, _, d in g.edges(data=True):
        clean(d)
    return g


def to_graphml(graph: QMSGraph) -> str:
    """GraphML 1.0 (Gephi, yEd, Cytoscape, JGraphT, igraph): valid against the XSD."""
    buf = io.BytesIO()
    nx.write_graphml(_xml_safe(to_networkx(graph)), buf, encoding="utf-8")
    return buf.getvalue().decode("utf-8")


def to_gexf(graph: QMSGraph) -> str:
    """GEXF 1.2 (Gephi, Gephi Lite): edge kinds as edge labels."""
    g = _xml_safe(to_networkx(graph))
    for _, _, key, d in g.edges(keys=True, data=True):
        d["id"] = key
        d["label"] = d["kind"]
    buf = io.BytesIO()
    nx.write_gexf(g, buf, encoding="utf-8", version="1.2draft")
    # networkx writes <graph name="">, which the GEXF 1.2 schema does not allow
    return re.sub(r'(<graph [^>]*?) name=""', r"\1", buf.getvalue().decode("utf-8"), count=1)


def to_cytoscape(graph: QMSGraph) -> str:
    """Cytoscape.js elements JSON (also read by Cytoscape desktop's "cyjs" import)."""
    g = to_networkx(graph)
    nodes = [{"data": {"id": n, **d}} for n, d in g.nodes(data=True)]
    edges = [{"data": {"id": key, "source": u, "target": v, **d}}
             for u, v, key, d in g.edges(keys=True, data=True)]
    return json.dumps({"format_version": "1.0", "generated_by": "qmsgraph",
                       "elements": {"nodes": nodes, "edges": edges}},
                      ensure_ascii=False, indent=1)


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
    writers = {"graphml": to_graphml, "gexf": to_gexf, "cyjs": to_cytoscape, "yaml": to_yaml}
    if fmt in writers:
        return writers[fmt](graph)
    if fmt == "kumu":
        from .tables_out import to_kumu

        return to_kumu(graph)
    if fmt == "archimate":
        from .archimate_out import to_archimate

        return to_archimate(graph)
    if fmt in ("csv", "xlsx"):
        raise ValueError(f"{fmt} export writes files: use qmsgraph.io.commands.run_export")
    raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
