"""RDF exchange (Turtle, JSON-LD) through rdflib, validated with SHACL (pyshacl).

The mapping is documented in ``docs/rdf-mapping.md``. Export then import gives the same
graph back, and export -> import -> export gives an isomorphic RDF graph.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any
from urllib.parse import quote, unquote

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from .. import schema
from ..errors import ValidationError
from ..graph import QMSGraph
from ..model import Edge, Node, Provenance, is_valid_id, make_edge, make_node
from . import safe

QMS = Namespace(schema.QMS)
ID = Namespace(schema.DATA)
ORG = Namespace("http://www.w3.org/ns/org#")
NODE_PREFIX = schema.DATA + "node/"
AGENT_PREFIX = schema.DATA + "agent/"
EDGE_PREFIX = schema.DATA + "edge/"

_ATTR_BY_PRED = {QMS[v[2]]: k for k, v in schema.ATTRIBUTES.items()}
_INDIV_BY_IRI = {QMS[local]: value for cls in schema.INDIVIDUALS.values()
                 for value, local in cls.items()}
_KIND_BY_CLASS = {QMS[k]: k for k in schema.NODE_KINDS}
_EDGE_BY_PRED = {QMS[k]: k for k in schema.EDGE_KINDS}
_XSD = {"string": XSD.string, "double": XSD.double, "date": XSD.date}


def node_iri(node_id: str) -> URIRef:
    return URIRef(NODE_PREFIX + quote(node_id, safe=""))


def _node_id(iri: Any) -> str | None:
    s = str(iri)
    if s.startswith(NODE_PREFIX) and "/" not in s[len(NODE_PREFIX):]:
        return unquote(s[len(NODE_PREFIX):])
    return None


def _edge_iri(e: Edge) -> URIRef:
    h = hashlib.sha1(f"{e.source}\x00{e.kind}\x00{e.target}".encode()).hexdigest()[:20]
    return URIRef(EDGE_PREFIX + h)


def _bind(g: Graph) -> Graph:
    g.bind("qms", QMS)
    g.bind("qmsid", ID)
    g.bind("skos", SKOS)
    g.bind("dcterms", DCTERMS)
    g.bind("prov", PROV)
    g.bind("org", ORG)
    return g


def _add_provenance(g: Graph, subject: URIRef, p: Provenance) -> None:
    g.add((subject, PROV.generatedAtTime, Literal(p.at.isoformat().replace("+00:00", "Z"),
                                                  datatype=XSD.dateTime)))
    g.add((subject, QMS.sourceFile, Literal(p.source)))
    if p.location:
        g.add((subject, QMS.sourceLocation, Literal(p.location)))
    if p.reason:
        g.add((subject, QMS.reason, Literal(p.reason)))
    if p.agent:
        agent = URIRef(AGENT_PREFIX + quote(p.agent, safe=""))
        g.add((subject, PROV.wasAttributedTo, agent))
        g.add((agent, RDF.type, PROV.Agent))
        g.add((agent, SKOS.prefLabel, Literal(p.agent)))


def _literal(value: Any, datatype: str) -> Literal:
    if datatype == "double":
        return Literal(float(value), datatype=XSD.double)
    if datatype == "date":
        return Literal(value.isoformat(), datatype=XSD.date)
    return Literal(str(value))


def to_rdf(graph: QMSGraph) -> Graph:
    """The whole graph as RDF, following docs/rdf-mapping.md."""
    g = _bind(Graph())
    for node in graph.nodes():
        s = node_iri(node.id)
        g.add((s, RDF.type, QMS[node.kind]))
        g.add((s, SKOS.prefLabel, Literal(node.label)))
        if node.description:
            g.add((s, DCTERMS.description, Literal(node.description)))
        for name, value in node.attributes().items():
            _, datatype, local = schema.ATTRIBUTES[name]
            if datatype.startswith("iri:"):
                individuals = schema.INDIVIDUALS[datatype[4:]]
                for v in value:
                    g.add((s, QMS[local], QMS[individuals[v]]))
            else:
                g.add((s, QMS[local], _literal(value, datatype)))
        for point in getattr(node, "data", ()):
            p = URIRef(f"{s}/point/{point.date.isoformat()}")
            g.add((s, QMS.hasDataPoint, p))
            g.add((p, RDF.type, QMS.DataPoint))
            g.add((p, QMS.periodStart, Literal(point.date.isoformat(), datatype=XSD.date)))
            g.add((p, QMS.value, Literal(point.value, datatype=XSD.double)))
            if point.denominator is not None:
                g.add((p, QMS.denominator, Literal(point.denominator, datatype=XSD.double)))
            if point.rebase is not None:
                g.add((p, QMS.rebaseReason, Literal(point.rebase)))
        _add_provenance(g, s, node.provenance)
    for e in graph.edges():
        s, o, pred = node_iri(e.source), node_iri(e.target), QMS[e.kind]
        g.add((s, pred, o))
        st = _edge_iri(e)
        g.add((st, RDF.type, RDF.Statement))
        g.add((st, RDF.subject, s))
        g.add((st, RDF.predicate, pred))
        g.add((st, RDF.object, o))
        _add_provenance(g, st, e.provenance)
    return g


def jsonld_context(g: Graph) -> dict[str, Any]:
    """The prefixes, and every double-valued property typed ``xsd:double``.

    rdflib writes a double as a bare JSON number (``20.0``) whenever a context is given, and
    JSON-LD 1.1 reads a number without a fraction as ``xsd:integer``; with the property typed
    in the context the value is written as a string and read back as ``xsd:double``.
    """
    context: dict[str, Any] = {
        p: str(ns) for p, ns in g.namespaces()
        if p in ("qms", "qmsid", "skos", "dcterms", "prov", "org", "rdf", "xsd")}
    doubles = {"value", "denominator"} | {local for _, datatype, local in
                                          schema.ATTRIBUTES.values() if datatype == "double"}
    for local in sorted(doubles):
        context[f"qms:{local}"] = {"@type": "xsd:double"}
    return context


def serialize(graph: QMSGraph, fmt: str) -> str:
    """``fmt`` is ``ttl`` or ``jsonld``."""
    g = to_rdf(graph)
    if fmt in ("ttl", "turtle"):
        return g.serialize(format="turtle")
    if fmt in ("jsonld", "json-ld"):
        return g.serialize(format="json-ld", context=jsonld_context(g), indent=2)
    raise ValueError(f"unknown RDF format {fmt!r}: use ttl or jsonld")


# ---------------------------------------------------------------------------- reading

def _read_provenance(g: Graph, subject: Any, where: str) -> Provenance:
    data: dict[str, Any] = {}
    at = g.value(subject, PROV.generatedAtTime)
    if at is not None:
        data["at"] = at.toPython() if isinstance(at.toPython(), dt.datetime) else str(at)
    for pred, key in ((QMS.sourceFile, "source"), (QMS.sourceLocation, "location"),
                      (QMS.reason, "reason")):
        v = g.value(subject, pred)
        if v is not None:
            data[key] = str(v)
    agent = g.value(subject, PROV.wasAttributedTo)
    if agent is not None:
        label = g.value(agent, SKOS.prefLabel)
        data["agent"] = str(label) if label is not None else unquote(
            str(agent).rsplit("/", 1)[-1])
    try:
        return Provenance.model_validate(data)
    except Exception as err:  # pydantic error: name the subject
        raise ValidationError(f"{where}: bad provenance: {err}") from None


def from_rdf(g: Graph, source: str = "rdf") -> tuple[list[Node], list[Edge]]:
    """Nodes and edges from RDF in qmsgraph's mapping; every problem names the node IRI."""
    problems: list[str] = []
    nodes: list[Node] = []
    kinds: dict[str, str] = {}
    for s, cls in g.subject_objects(RDF.type):
        nid = _node_id(s)
        if nid is None:
            continue
        if cls not in _KIND_BY_CLASS:
            problems.append(f"{source}: <{s}>: unknown kind <{cls}>")
            continue
        if not is_valid_id(nid):
            problems.append(f"{source}: <{s}>: gives the id {nid!r}, which is not a valid id "
                            "(1-128 letters, digits and _ . : -, no spaces)")
            continue
        if nid in kinds:
            problems.append(f"{source}: <{s}>: has two kinds, {kinds[nid]} and "
                            f"{_KIND_BY_CLASS[cls]}")
            continue
        kinds[nid] = _KIND_BY_CLASS[cls]
    for nid, kind in kinds.items():
        s = node_iri(nid)
        where = f"{source}: <{s}>"
        data: dict[str, Any] = {"id": nid, "kind": kind}
        labels = list(g.objects(s, SKOS.prefLabel))
        if len(labels) != 1:
            problems.append(f"{where}: needs exactly one skos:prefLabel, has {len(labels)}")
            continue
        data["label"] = str(labels[0])
        desc = g.value(s, DCTERMS.description)
        if desc is not None:
            data["description"] = str(desc)
        for pred, obj in g.predicate_objects(s):
            name = _ATTR_BY_PRED.get(pred)
            if name is None:
                continue
            datatype = schema.ATTRIBUTES[name][1]
            if datatype.startswith("iri:"):
                if obj not in _INDIV_BY_IRI:
                    problems.append(f"{where}: {name}: unknown value <{obj}>")
                    continue
                data.setdefault(name, []).append(_INDIV_BY_IRI[obj])
            elif name in data:
                problems.append(f"{where}: {name}: more than one value")
            else:
                data[name] = str(obj)
        for name in ("quality_domains", "quadruple_aim"):
            if name in data:
                data[name] = sorted(data[name], key=list(
                    schema.INDIVIDUALS[schema.ATTRIBUTES[name][1][4:]]).index)
        points = []
        for p in g.objects(s, QMS.hasDataPoint):
            d, v = g.value(p, QMS.periodStart), g.value(p, QMS.value)
            if d is None or v is None:
                problems.append(f"{where}: data point <{p}> needs qms:periodStart and "
                                "qms:value")
                continue
            point = {"date": str(d), "value": str(v)}
            for key, pred in (("denominator", QMS.denominator), ("rebase", QMS.rebaseReason)):
                if (extra := g.value(p, pred)) is not None:
                    point[key] = str(extra)
            points.append(point)
        if points:
            data["data"] = points
        try:
            data["provenance"] = _read_provenance(g, s, where)
            nodes.append(make_node(data, location=where))
        except ValidationError as err:
            problems.append(str(err))
    statements: dict[tuple[Any, Any, Any], Any] = {}
    for st in g.subjects(RDF.type, RDF.Statement):
        statements[(g.value(st, RDF.subject), g.value(st, RDF.predicate),
                    g.value(st, RDF.object))] = st
    edges: list[Edge] = []
    for pred, kind in _EDGE_BY_PRED.items():
        for s, o in g.subject_objects(pred):
            sid, oid = _node_id(s), _node_id(o)
            where = f"{source}: <{s}> {kind} <{o}>"
            if sid is None or oid is None:
                problems.append(f"{where}: both ends must be qmsgraph nodes")
                continue
            st = statements.get((s, pred, o))
            try:
                prov = _read_provenance(g, st, where) if st is not None else Provenance(
                    source=source)
                edges.append(make_edge(kind, sid, oid, provenance=prov, location=where))
            except ValidationError as err:
                problems.append(str(err))
    if problems:
        raise ValidationError(f"{len(problems)} problem(s) in {source}: "
                              + "; ".join(problems[:5]), problems=problems)
    return nodes, edges


BASE = schema.DATA + "input/"
"""The base IRI relative IRIs resolve against (never the working directory)."""
_BAD_IRI = re.compile(r'[\s<>"{}|\\^`]')


def parse_rdf(text: str, fmt: str, source: str) -> Graph:
    """Parse RDF text with bounded resources: no URL fetched and no other file read (remote
    and ``file:`` JSON-LD contexts, XML external entities and DTDs are refused), XML entity
    expansion and JSON nesting bounded (:mod:`qmsgraph.io.safe`). Errors name ``source``."""
    problems: list[str] = []
    if fmt == "json-ld":
        try:
            data = json.loads(text)
        except RecursionError:
            problems.append(f"nested more than {safe.MAX_DEPTH} levels deep")
        except ValueError as err:
            problems.append(f"malformed JSON: {err}")
        else:
            deep = safe.json_depth_problem(data)
            problems += [deep] if deep else safe.jsonld_problems(data)
    elif fmt == "xml":
        problems += safe.xml_entity_problems(text)
    if problems:
        raise ValidationError(f"{len(problems)} problem(s) in {source}: "
                              + "; ".join(problems[:5]),
                              problems=[f"{source}: {p}" for p in problems])
    g = Graph()
    try:
        g.parse(data=text, format=fmt, publicID=BASE)
    except RecursionError:
        raise ValidationError(f"malformed {fmt}: nested too deeply to read",
                              location=source) from None
    except Exception as err:  # rdflib raises many types; report them all the same way
        raise ValidationError(f"malformed {fmt}: {err}", location=source) from None
    bad = sorted({str(t) for triple in g for t in triple
                  if isinstance(t, URIRef) and _BAD_IRI.search(str(t))})
    if bad:
        raise ValidationError(
            f"{len(bad)} IRI(s) contain a space or a character IRIs cannot hold, e.g. "
            f"<{bad[0][:200]}>: encode it (a space is %20) or use an id without spaces",
            location=source, problems=[f"{source}: IRI <{b[:200]}> contains a space or a "
                                       "character IRIs cannot hold" for b in bad[:50]])
    return g


def read_rdf_text(text: str, fmt: str, source: str, *, validate: bool = True
                  ) -> tuple[list[Node], list[Edge]]:
    g = parse_rdf(text, fmt, source)
    if validate:
        report = shacl_validate(g)
        if report:
            raise ValidationError(f"{len(report)} SHACL violation(s) in {source}: "
                                  + "; ".join(report[:5]),
                                  problems=[f"{source}: {r}" for r in report])
    return from_rdf(g, source)


# ---------------------------------------------------------------------------- SHACL

def shacl_validate(data: Graph | QMSGraph) -> list[str]:
    """Validate against ``ontology/shapes.ttl``; return one line per violation (empty: ok)."""
    from ..ontology import validate

    g = to_rdf(data) if isinstance(data, QMSGraph) else data
    conforms, results, _ = validate(g)
    if conforms:
        return []
    sh = Namespace("http://www.w3.org/ns/shacl#")
    out = []
    for r in results.subjects(RDF.type, sh.ValidationResult):
        if results.value(r, sh.resultSeverity) != sh.Violation:
            continue
        focus = results.value(r, sh.focusNode)
        path = results.value(r, sh.resultPath)
        msg = results.value(r, sh.resultMessage)
        nid = _node_id(focus)
        who = f"node {nid!r}" if nid else f"<{focus}>"
        where = f" ({path.n3(results.namespace_manager)})" if path is not None else ""
        out.append(f"{who}{where}: {msg}")
    return sorted(out)

