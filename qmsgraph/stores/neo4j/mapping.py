"""How the model maps to Neo4j: labels, relationship types, properties, projections and
the store URI (see the package docstring).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from ... import schema
from ...errors import StoreError, ValidationError
from ...model import (
    EDGE_CLASSES,
    NODE_CLASSES,
    Edge,
    Measure,
    Node,
    Provenance,
    fast_constructor,
    make_edge,
    make_node,
)

if TYPE_CHECKING:
    pass




BATCH = 5000            # changes per write transaction for large loads
CLEAR_BATCH = 20000     # nodes per transaction when clearing a large graph
PAGE = 5000             # nodes per page when reading the whole graph
DEFAULT_RETRY_SECONDS = 15.0
ENV_USER = "QMSGRAPH_NEO4J_USER"
ENV_PASSWORD = "QMSGRAPH_NEO4J_PASSWORD"
ENV_DATABASE = "QMSGRAPH_NEO4J_DATABASE"
ENV_RETRY = "QMSGRAPH_NEO4J_RETRY_SECONDS"
ENV_BATCH = "QMSGRAPH_NEO4J_BATCH"
SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")

PROV_FIELDS = ("source", "location", "agent", "at", "reason")
DATA_PROPS = ("data_dates", "data_values", "data_denominators", "data_rebases")
RESERVED = frozenset({"id", "kind", "label", "description", "version", "data_last", "data_n",
                      "spc_summary",
                      *DATA_PROPS, *(f"prov_{f}" for f in PROV_FIELDS)})
_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


# ============================================================================ identifiers

def label(kind: str) -> str:
    """A node label for Cypher text: only a kind of the ontology (or ``QMSNode``)."""
    if kind != "QMSNode" and kind not in schema.NODE_KINDS or not _IDENT.match(kind):
        raise ValidationError(f"unknown node kind {kind!r}", field="kind")
    return f"`{kind}`"


def rel_type(kind: str) -> str:
    """A relationship type for Cypher text: only an edge kind of the ontology."""
    if kind not in schema.EDGE_KINDS or not _IDENT.match(kind):
        raise ValidationError(f"unknown edge kind {kind!r}", field="kind")
    return f"`{kind}`"


def labels_of(kind: str) -> str:
    """``:`QMSNode`:`Team`:`OrganisationalUnit``` for a kind (its ancestors included)."""
    return "".join(":" + label(k) for k in ["QMSNode", *schema.ancestors(kind)])


THREAD = "|".join(rel_type(k) for k in sorted(schema.THREAD_EDGES))
ALL_KIND_LABELS = sorted(schema.NODE_KINDS)
NODE_FIELDS = {k: frozenset(c.model_fields) for k, c in NODE_CLASSES.items()}


# ============================================================================ conversions
#
# Dates are stored as Neo4j ``Date`` and the provenance time as a UTC ``DateTime``. On the
# wire both travel as ISO strings, converted by the server (``date()``/``datetime()`` in
# writes, ``toString()`` in reads): the Python driver's own temporal packing costs more than
# the rest of a load together, and pydantic parses the ISO strings back losslessly.

DATE_ATTRS = tuple(sorted(a for a, (_, t, _) in schema.ATTRIBUTES.items() if t == "date"))


def _iso(v: Any) -> Any:
    if isinstance(v, dt.date):  # datetime is a date too
        return v.isoformat()
    return v


def _prov_props(p: Provenance) -> dict[str, Any]:
    out = {}
    for f in PROV_FIELDS:
        v = getattr(p, f)
        if v is not None:
            out[f"prov_{f}"] = _iso(v)
    return out


def node_props(node: Node, version: int | None = None) -> dict[str, Any]:
    """A node's properties as sent to the server (temporal values as ISO strings; the
    write queries store them as Neo4j dates); no ``version`` when it is None."""
    d: dict[str, Any] = {"id": node.id, "kind": node.kind, "label": node.label}
    if node.description is not None:
        d["description"] = node.description
    d.update(_prov_props(node.provenance))
    for name in type(node).model_fields:
        if name in ("id", "label", "description", "provenance", "data"):
            continue
        v = getattr(node, name)
        if v is None or (isinstance(v, list) and not v):
            continue
        d[name] = list(v) if isinstance(v, list) else _iso(v)
    if isinstance(node, Measure):
        d["data_n"] = len(node.data)
        if node.data:
            d["data_dates"] = [p.date.isoformat() for p in node.data]
            d["data_values"] = [float(p.value) for p in node.data]
            if any(p.denominator is not None for p in node.data):  # NaN: none (no nulls in lists)
                d["data_denominators"] = [math.nan if p.denominator is None else p.denominator
                                          for p in node.data]
            if any(p.rebase for p in node.data):
                d["data_rebases"] = [p.rebase or "" for p in node.data]
            d["data_last"] = node.data[-1].date.isoformat()
    if version is not None:
        d["version"] = version
    return d


def _temporal_sets(v: str, kind: str | None) -> str:
    """``SET`` items turning the ISO strings of a written node (or edge) into dates."""
    items = [f"{v}.prov_at = datetime(pv.prov_at)"]  # pv: the provenance map
    if kind is None:  # an edge
        return items[0]
    fields = NODE_FIELDS[kind]
    items += [f"{v}.{a} = date(p.{a})" for a in DATE_ATTRS if a in fields]
    if kind == "Measure":
        items += [f"{v}.data_dates = [d IN p.data_dates | date(d)]",
                  f"{v}.data_last = date(p.data_last)"]
    return ", ".join(items)


def project(v: str, data: bool = True) -> str:
    """A map projection of node ``v`` with its temporal values as ISO strings (and
    without the data series unless ``data``)."""
    parts = [".*", f"prov_at: toString({v}.prov_at)", f"data_last: toString({v}.data_last)",
             "spc_summary: null"]
    parts += [f"{a}: toString({v}.{a})" for a in DATE_ATTRS]
    parts += ([f"data_dates: [d IN {v}.data_dates | toString(d)]"] if data
              else ["data_dates: null", "data_values: null", "data_denominators: null",
                    "data_rebases: null"])
    return f"{v} {{{', '.join(parts)}}}"


LIGHT_FIELDS = ("id", "kind", "label", "status", "measure_type")
_LIGHT_PROV = Provenance(source="neo4j", at=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))


def project_light(v: str) -> str:
    """What the alignment functions read of a node: id, kind, label, statuses, type."""
    return f"{v} {{{', '.join('.' + f for f in LIGHT_FIELDS)}}}"


def _constructor(cls: type[Any]) -> Callable[[dict[str, Any]], Any]:
    """Build a light model object from a Cypher map: no validation (trusted values read
    back from the store), None and unknown keys dropped, a placeholder provenance."""
    fields = frozenset(cls.model_fields)
    make = fast_constructor(cls, {"provenance": _LIGHT_PROV})

    def construct(kw: dict[str, Any]) -> Any:
        return make(**{k: v for k, v in kw.items() if v is not None and k in fields})

    return construct


_LIGHT_NEW: dict[str, Callable[[dict[str, Any]], Any]] = {}


def light_list(v: str) -> str:
    """:data:`LIGHT_FIELDS` of node ``v`` as a list (cheaper to send than a map)."""
    return "[" + ", ".join(f"{v}.{f}" for f in LIGHT_FIELDS) + "]"


def light_node(p: dict[str, Any]) -> Node:
    """A node for a local working subgraph, built without validation from
    :func:`project_light` (only the fields the alignment functions read are set)."""
    kind = p["kind"]
    make = _LIGHT_NEW.get(kind)
    if make is None:
        make = _LIGHT_NEW[kind] = _constructor(NODE_CLASSES[kind])
    return make(p)


def project_edge(v: str) -> str:
    return f"{v} {{.*, prov_at: toString({v}.prov_at)}}"


def node_from_props(p: dict[str, Any], where: str = "",
                    provs: dict[tuple[Any, ...], Provenance] | None = None) -> Node:
    """The model object of a stored node, from :func:`project` (pydantic parses the
    ISO dates). ``provs`` caches provenance objects, which many nodes share."""
    d: dict[str, Any] = {"kind": p.get("kind"), "id": p.get("id"), "label": p.get("label")}
    if p.get("description") is not None:
        d["description"] = p["description"]
    prov = {f: p[f"prov_{f}"] for f in PROV_FIELDS if p.get(f"prov_{f}") is not None}
    if provs is None:
        d["provenance"] = prov
    else:
        key = tuple(p.get(f"prov_{f}") for f in PROV_FIELDS)
        if key not in provs:
            provs[key] = Provenance.model_validate(prov)
        d["provenance"] = provs[key]
    for k, v in p.items():
        if k not in RESERVED and v is not None:
            d[k] = v
    if d["kind"] == "Measure" and p.get("data_dates"):
        d["data"] = _points(p["data_dates"], p["data_values"], p.get("data_denominators"),
                            p.get("data_rebases"))
    return make_node(d, location=f"{where} node {p.get('id')}".strip())


def _points(dates: list[Any], values: list[Any], denominators: list[Any] | None,
            rebases: list[Any] | None) -> list[dict[str, Any]]:
    """A measure's data points from its parallel lists (NaN denominator, '' rebase: none)."""
    out: list[dict[str, Any]] = []
    for i, (a, b) in enumerate(zip(dates, values, strict=True)):
        point: dict[str, Any] = {"date": a, "value": b}
        if denominators is not None and not math.isnan(denominators[i]):
            point["denominator"] = denominators[i]
        if rebases is not None and rebases[i]:
            point["rebase"] = rebases[i]
        out.append(point)
    return out


def edge_props(edge: Edge) -> dict[str, Any]:
    return _prov_props(edge.provenance)


def edge_from_props(kind: str, s: str, t: str, p: dict[str, Any]) -> Edge:
    prov = Provenance.model_validate({f: p[f"prov_{f}"] for f in PROV_FIELDS
                                      if p.get(f"prov_{f}") is not None})
    return make_edge(kind, s, t, provenance=prov)


def _light_edge(kind: str, s: str, t: str) -> Edge:
    """An edge for a local working subgraph (its provenance is not read)."""
    make = _LIGHT_NEW.get("edge:" + kind)
    if make is None:
        make = _LIGHT_NEW["edge:" + kind] = _constructor(EDGE_CLASSES[kind])
    return make({"source": s, "target": t})


def _one_line(err: BaseException) -> str:
    text = str(err) or type(err).__name__
    return re.sub(r"\s+", " ", text).strip()


# ============================================================================ URIs

def split_uri(url: str) -> tuple[str, str | None, str | None, str | None]:
    """(URI without credentials or ``database=``, user, password, database) of a URI."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise StoreError(f"not a Neo4j URI: {redact(url)!r} (use one of "
                         f"{', '.join(s + '://' for s in SCHEMES)})")
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    query = parse_qsl(parts.query, keep_blank_values=True)
    database = next((v for k, v in query if k == "database"), None)
    rest = urlencode([(k, v) for k, v in query if k != "database"])
    clean = urlunsplit((parts.scheme, netloc, parts.path, rest, ""))
    return clean, user, password, database or None


def redact(url: str) -> str:
    """The URI with any ``user:password@`` removed (for messages)."""
    return re.sub(r"(://)[^/@]*@", r"\1", url)


# ============================================================================ write plans

