"""Drift between the code's view of the ontology and the ontology files, both ways.

The code side is ``qmsgraph/schema.py`` (NODE_KINDS, EDGE_KINDS, ATTRIBUTES, INDIVIDUALS)
and ``qmsgraph/model.py`` (the pydantic fields: their Literal values and which are
required). The file side is ``ontology/qms.ttl`` (OWL) and ``ontology/shapes.ttl`` (SHACL).

The comparisons are plain functions that return a list of differences, one sentence each,
naming the kind, relation or field that drifted and how; the tests assert the lists are
empty. The last tests mutate copies of the graphs to prove the comparisons can fail.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable

import pytest
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDFS, SH, SKOS

from qmsgraph import model, schema
from qmsgraph.ontology import load_ontology, load_shapes

QMS = Namespace(schema.QMS)
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

# qms: classes that are not node kinds: data points and the named-individual classes
EXTRA_CLASSES = {"DataPoint", "QualityDomain", "QuadrupleAimDimension", "QMSAspect"}
# qms: object properties that are not edge kinds (the "iri:" attributes are added below)
EXTRA_OBJECT_PROPERTIES = {"hasDataPoint": (("Measure",), ("DataPoint",))}
# qms: datatype properties that are not node attributes: local name -> (domain, xsd type)
EXTRA_DATATYPE_PROPERTIES: dict[str, tuple[tuple[str, ...], str]] = {
    "periodStart": (("DataPoint",), "date"),
    "value": (("DataPoint",), "double"),
    "denominator": (("DataPoint",), "double"),
    "rebaseReason": (("DataPoint",), "string"),
    "sourceFile": ((), "string"),
    "sourceLocation": ((), "string"),
    "reason": ((), "string"),
}
# the aspect codes of NODE_KINDS -> the qms:QMSAspect individual (found by skos:notation)
ASPECT_INDIVIDUALS = {"QP": "QualityPlanning", "QC": "QualityControl",
                      "QA": "QualityAssurance", "QI": "QualityImprovement",
                      "LS": "LearningSystem", "ORG": "Structure"}
# model fields that are not ATTRIBUTES: written as skos:prefLabel / dcterms:description,
# the node IRI, provenance, or qms:hasDataPoint (checked with the edges)
NON_ATTRIBUTE_FIELDS = {"id", "label", "description", "provenance", "data"}
FIELD_PATHS = {"label": SKOS.prefLabel, "description": DCTERMS.description}


# --------------------------------------------------------------------------- helpers

def _local(term: object) -> str:
    """``qms:Measure`` -> 'Measure'; anything outside qms: is returned as its full IRI."""
    s = str(term)
    return s[len(schema.QMS):] if s.startswith(schema.QMS) else s


def _fmt(names: Iterable[str]) -> str:
    return "{" + ", ".join(sorted(names)) + "}"


def class_set(g: Graph, expr: object) -> set[str] | None:
    """The classes a domain/range expression stands for: one class, or an owl:unionOf.

    Returns None for anything else (an intersection, a restriction...).
    """
    if isinstance(expr, URIRef):
        return {_local(expr)}
    if isinstance(expr, BNode):
        union = g.value(expr, OWL.unionOf)
        if union is not None:
            members: set[str] = set()
            for m in Collection(g, union):
                inner = class_set(g, m)
                if inner is None:
                    return None
                members |= inner
            return members
    return None


def _one_class_set(g: Graph, prop: URIRef, which: URIRef, what: str,
                   diffs: list[str]) -> set[str] | None:
    exprs = list(g.objects(prop, which))
    if not exprs:
        return set()
    if len(exprs) > 1:
        diffs.append(f"{what}: {len(exprs)} {which.n3(g.namespace_manager)} statements "
                     "(OWL reads several as an intersection); use one, with owl:unionOf")
        return None
    found = class_set(g, exprs[0])
    if found is None:
        diffs.append(f"{what}: {which.n3(g.namespace_manager)} is neither a class nor an "
                     "owl:unionOf of classes")
    return found


def _qms_subjects(g: Graph, rdf_type: URIRef) -> set[str]:
    return {_local(s) for s in g.subjects(RDF.type, rdf_type)
            if isinstance(s, URIRef) and s.startswith(schema.QMS)}


def _text(g: Graph, s: URIRef, p: URIRef) -> str | None:
    v = g.value(s, p)
    return None if v is None else str(v)


def literal_values(annotation: object) -> list[str]:
    """The Literal values allowed by a field annotation (through ``| None`` and ``list[...]``)."""
    if typing.get_origin(annotation) is typing.Literal:
        return [str(a) for a in typing.get_args(annotation)]
    out: list[str] = []
    for arg in typing.get_args(annotation):
        out += literal_values(arg)
    return out


def is_list_field(annotation: object) -> bool:
    return typing.get_origin(annotation) is list


def max_length(field: object) -> int | None:
    for m in getattr(field, "metadata", ()):
        if getattr(m, "max_length", None) is not None:
            return int(m.max_length)
    return None


# --------------------------------------------------------------------------- the OWL side

def ontology_differences(ont: Graph) -> list[str]:
    """Everything on which ``qms.ttl`` and ``schema.py`` disagree (empty: no drift)."""
    diffs: list[str] = []
    diffs += _class_differences(ont)
    diffs += _edge_differences(ont)
    diffs += _attribute_differences(ont)
    diffs += _individual_differences(ont)
    return diffs


def _class_differences(ont: Graph) -> list[str]:
    diffs = []
    classes = _qms_subjects(ont, OWL.Class)
    for kind in sorted(set(schema.NODE_KINDS) - classes):
        diffs.append(f"node kind {kind!r} (schema.NODE_KINDS) has no owl:Class qms:{kind} "
                     "in the ontology")
    for cls in sorted(classes - set(schema.NODE_KINDS) - EXTRA_CLASSES):
        diffs.append(f"owl:Class qms:{cls} in the ontology is not a node kind in "
                     "schema.NODE_KINDS")
    for cls in sorted(EXTRA_CLASSES - classes):
        diffs.append(f"class qms:{cls} is missing from the ontology")
    notation = {str(ont.value(a, SKOS.notation)): _local(a)
                for a in ont.subjects(RDF.type, QMS.QMSAspect)}
    for kind, (parent, aspect, definition) in schema.NODE_KINDS.items():
        if kind not in classes:
            continue
        iri = QMS[kind]
        parents = {_local(o) for o in ont.objects(iri, RDFS.subClassOf)
                   if isinstance(o, URIRef) and o.startswith(schema.QMS)}
        expected = {parent} if parent else set()
        if parents != expected:
            diffs.append(f"node kind {kind!r}: parent in schema.NODE_KINDS is {parent!r} but "
                         f"the ontology has qms: superclasses {_fmt(parents)}")
        aspects = [_local(a) for a in ont.objects(iri, QMS.aspect)]
        want = ASPECT_INDIVIDUALS.get(aspect)
        if notation.get(aspect) != want:
            diffs.append(f"aspect code {aspect!r} should be the skos:notation of qms:{want}")
        if aspects != [want]:
            diffs.append(f"node kind {kind!r}: aspect in schema.NODE_KINDS is {aspect!r} "
                         f"(qms:{want}) but the ontology says qms:aspect {_fmt(aspects)}")
        owl_def = _text(ont, iri, SKOS.definition)
        if owl_def != definition:
            diffs.append(f"node kind {kind!r}: definition differs; schema.NODE_KINDS says "
                         f"{definition!r}, the ontology says {owl_def!r}")
    return diffs


def _edge_differences(ont: Graph) -> list[str]:
    diffs = []
    props = _qms_subjects(ont, OWL.ObjectProperty)
    iri_attributes = {local: (domain, (dtype[4:],))
                      for domain, dtype, local in schema.ATTRIBUTES.values()
                      if dtype.startswith("iri:")}
    known = {**EXTRA_OBJECT_PROPERTIES, **iri_attributes}
    for name in sorted(set(schema.EDGE_KINDS) - props):
        diffs.append(f"relation {name!r} (schema.EDGE_KINDS) has no owl:ObjectProperty "
                     f"qms:{name} in the ontology")
    for name in sorted(props - set(schema.EDGE_KINDS) - set(known)):
        diffs.append(f"owl:ObjectProperty qms:{name} in the ontology is not a relation in "
                     "schema.EDGE_KINDS nor a known non-edge property")
    for name in sorted(set(known) - props):
        diffs.append(f"qms:{name} should be an owl:ObjectProperty in the ontology")
    expectations = {n: (e.domain, e.range) for n, e in schema.EDGE_KINDS.items()}
    expectations.update(known)
    for name, (domain, range_) in expectations.items():
        if name not in props:
            continue
        what = (f"relation {name!r}" if name in schema.EDGE_KINDS
                else f"object property qms:{name}")
        for which, want, word in ((RDFS.domain, domain, "domain"),
                                  (RDFS.range, range_, "range")):
            got = _one_class_set(ont, QMS[name], which, what, diffs)
            if got is not None and got != set(want):
                diffs.append(f"{what}: {word} in the code is {_fmt(want)} but the ontology "
                             f"says {_fmt(got)} (missing {_fmt(set(want) - got)}, extra "
                             f"{_fmt(got - set(want))})")
    for name, e in schema.EDGE_KINDS.items():
        if name not in props:
            continue
        iri = QMS[name]
        flag = ont.value(iri, QMS.goldenThread)
        if not isinstance(flag, Literal) or flag.datatype != XSD.boolean:
            diffs.append(f"relation {name!r}: qms:goldenThread should be an xsd:boolean "
                         f"({str(e.thread).lower()}), found {flag!r}")
        elif flag.toPython() is not e.thread:
            diffs.append(f"relation {name!r}: schema.EDGE_KINDS says thread={e.thread} but "
                         f"the ontology says qms:goldenThread {flag}")
        for prop, want in ((SKOS.prefLabel, e.label), (SKOS.definition, e.definition)):
            got = _text(ont, iri, prop)
            if got != want:
                diffs.append(f"relation {name!r}: {prop.fragment} in schema.EDGE_KINDS is "
                             f"{want!r} but the ontology says {got!r}")
    return diffs


def _attribute_differences(ont: Graph) -> list[str]:
    diffs = []
    props = _qms_subjects(ont, OWL.DatatypeProperty)
    functional = _qms_subjects(ont, OWL.FunctionalProperty)
    expected: dict[str, tuple[tuple[str, ...], str, str]] = {}
    for attr, (domain, dtype, local) in schema.ATTRIBUTES.items():
        if not dtype.startswith("iri:"):
            expected[local] = (domain, dtype, f"attribute {attr!r} (qms:{local})")
    for local, (domain, dtype) in EXTRA_DATATYPE_PROPERTIES.items():
        expected[local] = (domain, dtype, f"datatype property qms:{local}")
    for local in sorted(set(expected) - props):
        diffs.append(f"{expected[local][2]} has no owl:DatatypeProperty in the ontology")
    for local in sorted(props - set(expected)):
        diffs.append(f"owl:DatatypeProperty qms:{local} in the ontology is not in "
                     "schema.ATTRIBUTES nor a known data point or provenance property")
    for local, (domain, dtype, what) in expected.items():
        if local not in props:
            continue
        got = _one_class_set(ont, QMS[local], RDFS.domain, what, diffs)
        if got is not None and got != set(domain):
            diffs.append(f"{what}: domain in the code is {_fmt(domain)} but the ontology says "
                         f"{_fmt(got)}")
        ranges = list(ont.objects(QMS[local], RDFS.range))
        if ranges != [XSD[dtype]]:
            diffs.append(f"{what}: datatype in the code is xsd:{dtype} but the ontology "
                         f"says rdfs:range {[r.n3(ont.namespace_manager) for r in ranges]}")
    # single-valued fields are owl:FunctionalProperty; list fields are not
    for attr, (domain, _, local) in schema.ATTRIBUTES.items():
        many = any(is_list_field(model.NODE_CLASSES[k].model_fields[attr].annotation)
                   for k in domain if attr in model.NODE_CLASSES[k].model_fields)
        if many == (local in functional):
            diffs.append(f"attribute {attr!r} (qms:{local}): it is "
                         f"{'a list' if many else 'single-valued'} in the model, so it should "
                         f"{'not ' if many else ''}be an owl:FunctionalProperty")
    return diffs


def _individual_differences(ont: Graph) -> list[str]:
    diffs = []
    for cls, values in schema.INDIVIDUALS.items():
        in_owl = {_local(s) for s in ont.subjects(RDF.type, QMS[cls])}
        for value, local in values.items():
            iri = QMS[local]
            if local not in in_owl:
                diffs.append(f"individual {value!r} of {cls}: qms:{local} is not typed "
                             f"qms:{cls} in the ontology")
                continue
            if (iri, RDF.type, OWL.NamedIndividual) not in ont:
                diffs.append(f"qms:{local} should be an owl:NamedIndividual")
            notation = _text(ont, iri, SKOS.notation)
            if notation != value:
                diffs.append(f"individual qms:{local}: skos:notation should be the code value "
                             f"{value!r}, found {notation!r}")
        for local in sorted(in_owl - set(values.values())):
            diffs.append(f"qms:{local} is a qms:{cls} in the ontology but not in "
                         f"schema.INDIVIDUALS[{cls!r}]")
    return diffs


# --------------------------------------------------------------------------- the SHACL side

def _property_shapes(shapes: Graph) -> dict[str, list[dict[str, object]]]:
    """Target class (local name) -> the property shapes of the node shapes targeting it."""
    out: dict[str, list[dict[str, object]]] = {}
    for shape, cls in shapes.subject_objects(SH.targetClass):
        for ps in shapes.objects(shape, SH.property):
            in_list = shapes.value(ps, SH["in"])
            out.setdefault(_local(cls), []).append({
                "shape": shape,
                "path": shapes.value(ps, SH.path),
                "min": shapes.value(ps, SH.minCount),
                "max": shapes.value(ps, SH.maxCount),
                "datatype": shapes.value(ps, SH.datatype),
                "maxLength": shapes.value(ps, SH.maxLength),
                "in": None if in_list is None else list(Collection(shapes, in_list)),
                "message": shapes.value(ps, SH.message),
            })
    return out


def _allowed_classes(shapes: Graph, shape: object) -> set[str] | None:
    """sh:class X, or sh:or ( [sh:class X] [sh:class Y] ... ); None if neither."""
    direct = list(shapes.objects(shape, SH["class"]))
    ors = list(shapes.objects(shape, SH["or"]))
    if direct and not ors:
        return {_local(c) for c in direct}
    if ors and not direct:
        out: set[str] = set()
        for alt in Collection(shapes, ors[0]):
            inner = _allowed_classes(shapes, alt)
            if inner is None:
                return None
            out |= inner
        return out
    return None


def shapes_differences(shapes: Graph) -> list[str]:
    """Everything on which ``shapes.ttl`` and ``schema.py`` / ``model.py`` disagree."""
    diffs: list[str] = []
    diffs += _node_shape_differences(shapes)
    diffs += _edge_shape_differences(shapes)
    return diffs


def _node_shape_differences(shapes: Graph) -> list[str]:
    diffs = []
    by_class = _property_shapes(shapes)
    targeted = {_local(c) for c in shapes.objects(None, SH.targetClass)}
    path_to_field = {QMS[local]: attr for attr, (_, _, local) in schema.ATTRIBUTES.items()}
    path_to_field.update({p: f for f, p in FIELD_PATHS.items()})
    for kind in schema.NODE_KINDS:
        if (QMS[kind + "Shape"], SH.targetClass, QMS[kind]) not in shapes:
            diffs.append(f"kind {kind!r} has no shape qms:{kind}Shape with sh:targetClass "
                         f"qms:{kind}")
    for cls in sorted(targeted - set(schema.NODE_KINDS) - {"DataPoint"}):
        if cls.startswith(schema.QMS) or not cls.startswith("http"):
            diffs.append(f"a shape targets qms:{cls}, which is not a node kind")

    for kind, cls in model.NODE_CLASSES.items():
        # shapes on the kind and on its ancestors all apply (sh:targetClass and subclasses)
        pshapes = [p for k in schema.ancestors(kind) for p in by_class.get(k, [])]
        by_field: dict[str, list[dict[str, object]]] = {}
        for p in pshapes:
            field_name = path_to_field.get(p["path"])  # type: ignore[arg-type]
            if field_name is None:
                diffs.append(f"kind {kind!r}: shape {_local(p['shape'])} constrains "
                             f"{p['path']}, which is not a field of the model")
                continue
            if field_name not in cls.model_fields:
                diffs.append(f"kind {kind!r}: shapes constrain field {field_name!r} "
                             f"({p['path']}), which a {kind} does not have in model.py")
                continue
            by_field.setdefault(field_name, []).append(p)
        required_model = {f for f, info in cls.model_fields.items()
                          if info.is_required() and f not in ("id",)}
        required_shapes = {f for f, ps in by_field.items()
                           if any(p["min"] is not None and int(p["min"]) >= 1 for p in ps)}
        for f in sorted(required_model - required_shapes):
            diffs.append(f"kind {kind!r}: field {f!r} is required in model.py (no default) "
                         "but the shapes do not require it (sh:minCount 1)")
        for f in sorted(required_shapes - required_model):
            diffs.append(f"kind {kind!r}: field {f!r} has a default in model.py but the "
                         "shapes require it (sh:minCount 1)")
        for f, info in cls.model_fields.items():
            if f in NON_ATTRIBUTE_FIELDS - {"label", "description"}:
                continue
            ps = by_field.get(f, [])
            path = FIELD_PATHS.get(f) or QMS[schema.ATTRIBUTES[f][2]]
            where = f"kind {kind!r}, field {f!r} ({_local(path)})"
            if len(ps) != 1:
                diffs.append(f"{where}: {len(ps)} property shapes apply; expected exactly one")
                continue
            p = ps[0]
            if not p["message"]:
                diffs.append(f"{where}: property shape has no sh:message")
            many = is_list_field(info.annotation)
            if many and p["max"] is not None:
                diffs.append(f"{where}: a list in the model but sh:maxCount {p['max']}")
            if not many and (p["max"] is None or int(p["max"]) != 1):
                diffs.append(f"{where}: single-valued in the model but sh:maxCount is "
                             f"{p['max']} (expected 1)")
            dtype = "string" if f in FIELD_PATHS else schema.ATTRIBUTES[f][1]
            values = literal_values(info.annotation)
            if dtype.startswith("iri:"):
                individuals = schema.INDIVIDUALS[dtype[4:]]
                unknown = [v for v in values if v not in individuals]
                if unknown:
                    diffs.append(f"{where}: model values {unknown} are not in "
                                 f"schema.INDIVIDUALS[{dtype[4:]!r}]")
                want = [QMS[individuals[v]] for v in values if v in individuals]
            else:
                if p["datatype"] != XSD[dtype]:
                    diffs.append(f"{where}: datatype in schema.ATTRIBUTES is xsd:{dtype} but "
                                 f"the shape says {p['datatype']}")
                want = [Literal(v) for v in values]
            got = p["in"]
            if values and got is None:
                diffs.append(f"{where}: the model allows only {values} but the shape has "
                             "no sh:in")
            elif got is not None and set(got) != set(want):  # type: ignore[arg-type]
                g_vals = sorted(_local(v) for v in got)  # type: ignore[union-attr]
                diffs.append(f"{where}: sh:in is {g_vals} but model.py allows "
                             f"{sorted(_local(v) for v in want)}")
            limit = max_length(info)
            got_limit = None if p["maxLength"] is None else int(p["maxLength"])
            if limit != got_limit:
                diffs.append(f"{where}: max length is {limit} in model.py but sh:maxLength "
                             f"is {got_limit}")
    return diffs


def _edge_shape_differences(shapes: Graph) -> list[str]:
    diffs = []
    edges = {n: (e.domain, e.range) for n, e in schema.EDGE_KINDS.items()}
    edges.update(EXTRA_OBJECT_PROPERTIES)
    for target, side in ((SH.targetSubjectsOf, "start"), (SH.targetObjectsOf, "end")):
        found: dict[str, set[str]] = {}
        for shape, prop in shapes.subject_objects(target):
            name = _local(prop)
            if not str(prop).startswith(schema.QMS):
                continue  # e.g. the provenance shape also targets prov: terms
            if name in EXTRA_DATATYPE_PROPERTIES:
                continue
            if name not in edges:
                diffs.append(f"shape {_local(shape)} targets qms:{name}, which is not a "
                             "relation in schema.EDGE_KINDS")
                continue
            classes = _allowed_classes(shapes, shape)
            if classes is None:
                diffs.append(f"shape {_local(shape)}: expected sh:class or sh:or of sh:class")
                continue
            if not shapes.value(shape, SH.message):
                diffs.append(f"shape {_local(shape)} has no sh:message")
            if name in found:
                diffs.append(f"relation {name!r}: more than one shape checks where it may "
                             f"{side}")
            found[name] = classes
        for name, (domain, range_) in edges.items():
            want = set(domain if side == "start" else range_)
            if name not in found:
                diffs.append(f"relation {name!r}: no shape checks where it may {side} "
                             f"({target.n3(shapes.namespace_manager)})")
            elif found[name] != want:
                diffs.append(f"relation {name!r}: may {side} at {_fmt(want)} in "
                             f"schema.EDGE_KINDS but the shape allows {_fmt(found[name])}")
    # the predicates a reified edge statement may carry
    statement = [ps for ps in shapes.objects(QMS.EdgeStatementShape, SH.property)
                 if shapes.value(ps, SH.path) == RDF.predicate]
    if len(statement) != 1 or shapes.value(statement[0], SH["in"]) is None:
        diffs.append("qms:EdgeStatementShape should have one rdf:predicate shape with sh:in")
    else:
        got = {_local(v) for v in Collection(shapes, shapes.value(statement[0], SH["in"]))}
        if got != set(schema.EDGE_KINDS):
            diffs.append(f"qms:EdgeStatementShape: predicates allowed {_fmt(got)} differ from "
                         f"schema.EDGE_KINDS (missing {_fmt(set(schema.EDGE_KINDS) - got)}, "
                         f"extra {_fmt(got - set(schema.EDGE_KINDS))})")
    return diffs


# --------------------------------------------------------------------------- the tests

def test_ontology_matches_schema():
    diffs = ontology_differences(load_ontology())
    assert not diffs, "qms.ttl and schema.py drifted:\n  " + "\n  ".join(diffs)


def test_shapes_match_schema_and_model():
    diffs = shapes_differences(load_shapes())
    assert not diffs, "shapes.ttl and schema.py/model.py drifted:\n  " + "\n  ".join(diffs)


def test_model_and_schema_agree_on_named_individuals():
    assert set(typing.get_args(model.QualityDomain)) == set(schema.INDIVIDUALS["QualityDomain"])
    assert set(typing.get_args(model.QuadrupleAim)) == set(
        schema.INDIVIDUALS["QuadrupleAimDimension"])


def test_every_model_field_is_an_attribute_of_its_kind():
    """ATTRIBUTES lists, for each field, the kinds that have it; so must the model."""
    for kind, cls in model.NODE_CLASSES.items():
        for f in set(cls.model_fields) - NON_ATTRIBUTE_FIELDS:
            assert f in schema.ATTRIBUTES, f"{kind}.{f} is not in schema.ATTRIBUTES"
            assert any(schema.is_a(kind, d) for d in schema.ATTRIBUTES[f][0]), (
                f"{kind}.{f}: schema.ATTRIBUTES[{f!r}] does not list {kind} (or a parent)")
    for attr, (domain, _, _) in schema.ATTRIBUTES.items():
        for kind in domain:
            assert attr in model.NODE_CLASSES[kind].model_fields, (
                f"schema.ATTRIBUTES[{attr!r}] lists {kind}, which has no field {attr!r}")


# --- the comparisons can fail: mutate copies of the graphs ------------------------------------

def _copy(g: Graph) -> Graph:
    out = Graph()
    for prefix, ns in g.namespaces():
        out.bind(prefix, ns)
    out += g
    return out


def _remove_class(g: Graph, kind: str) -> None:
    g.remove((QMS[kind], None, None))


def _change_range(g: Graph, prop: str, new: str) -> None:
    g.remove((QMS[prop], RDFS.range, None))
    g.add((QMS[prop], RDFS.range, QMS[new]))


def _remove_from_list(g: Graph, head: object, item: object) -> None:
    items = Collection(g, head)  # type: ignore[arg-type]
    del items[items.index(item)]


def _shrink_union(g: Graph, prop: str, which: URIRef, drop: str) -> None:
    _remove_from_list(g, g.value(g.value(QMS[prop], which), OWL.unionOf), QMS[drop])


def _set(g: Graph, s: URIRef, p: URIRef, o: object) -> None:
    g.set((s, p, o))


ONTOLOGY_MUTATIONS = [
    ("remove-class", lambda g: _remove_class(g, "Measure"),
     "node kind 'Measure' (schema.NODE_KINDS) has no owl:Class qms:Measure"),
    ("extra-class", lambda g: g.add((QMS.Widget, RDF.type, OWL.Class)),
     "owl:Class qms:Widget in the ontology is not a node kind"),
    ("wrong-parent", lambda g: _set(g, QMS.Team, RDFS.subClassOf, QMS.Service),
     "node kind 'Team': parent in schema.NODE_KINDS is 'OrganisationalUnit' but the "
     "ontology has qms: superclasses {Service}"),
    ("wrong-aspect", lambda g: _set(g, QMS.Measure, QMS.aspect, QMS.QualityImprovement),
     "node kind 'Measure': aspect in schema.NODE_KINDS is 'QC'"),
    ("change-range", lambda g: _change_range(g, "serves", "Mission"),
     "relation 'serves': range in the code is {Purpose} but the ontology says {Mission}"),
    ("shrink-union-domain", lambda g: _shrink_union(g, "supports", RDFS.domain, "Enabler"),
     "relation 'supports': domain in the code is {Enabler, Process} but the ontology says "
     "{Process}"),
    ("two-domains", lambda g: g.add((QMS.owns, RDFS.domain, QMS.Team)),
     "relation 'owns': 2 rdfs:domain statements"),
    ("missing-edge", lambda g: g.remove((QMS.tests, None, None)),
     "relation 'tests' (schema.EDGE_KINDS) has no owl:ObjectProperty qms:tests"),
    ("extra-edge", lambda g: g.add((QMS.likes, RDF.type, OWL.ObjectProperty)),
     "owl:ObjectProperty qms:likes in the ontology is not a relation"),
    ("thread-flag", lambda g: _set(g, QMS.serves, QMS.goldenThread, Literal(False)),
     "relation 'serves': schema.EDGE_KINDS says thread=True but the ontology says "
     "qms:goldenThread false"),
    ("edge-label", lambda g: _set(g, QMS.partOf, SKOS.prefLabel, Literal("part of", lang="en")
                                  ) or _set(g, QMS.partOf, SKOS.prefLabel, Literal("within")),
     "relation 'partOf': prefLabel in schema.EDGE_KINDS is 'part of' but the ontology says "
     "'within'"),
    ("attribute-datatype", lambda g: _set(g, QMS.deadline, RDFS.range, XSD.dateTime),
     "attribute 'deadline' (qms:deadline): datatype in the code is xsd:date"),
    ("attribute-domain", lambda g: _shrink_union(g, "target", RDFS.domain, "Measure"),
     "attribute 'target' (qms:target): domain in the code is {Measure, Objective, "
     "StrategicGoal} but the ontology says {Objective, StrategicGoal}"),
    ("individual-missing", lambda g: g.remove((QMS.Equitable, None, None)),
     "individual 'equitable' of QualityDomain: qms:Equitable is not typed"),
    ("iri-attribute-range", lambda g: _change_range(g, "qualityDomain", "QMSAspect"),
     "object property qms:qualityDomain: range in the code is {QualityDomain}"),
]


@pytest.mark.parametrize(("mutate", "expected"), [m[1:] for m in ONTOLOGY_MUTATIONS],
                         ids=[m[0] for m in ONTOLOGY_MUTATIONS])
def test_ontology_comparison_reports_a_mutation(mutate, expected):
    g = _copy(load_ontology())
    mutate(g)
    diffs = ontology_differences(g)
    assert any(expected in d for d in diffs), "\n".join(diffs) or "no differences found"
    assert len(load_ontology()) == len(_copy(load_ontology()))  # the cached graph is intact


def _property_shape(g: Graph, kind: str, path: URIRef) -> object:
    return next(ps for ps in g.objects(QMS[kind + "Shape"], SH.property)
                if g.value(ps, SH.path) == path)


def _drop_in_value(g: Graph, kind: str, path: URIRef, value: object) -> None:
    ps = _property_shape(g, kind, path)
    _remove_from_list(g, g.value(ps, SH["in"]), value)


def _change_edge_class(g: Graph, shape: str, new: str) -> None:
    g.set((QMS[shape], SH["class"], QMS[new]))


SHAPES_MUTATIONS = [
    ("drop-enum-value", lambda g: _drop_in_value(g, "Measure", QMS.measureType,
                                                 Literal("balancing")),
     "kind 'Measure', field 'measure_type' (measureType): sh:in is ['outcome', 'process', "
     "'structure'] but model.py allows ['balancing', 'outcome', 'process', 'structure']"),
    ("drop-individual", lambda g: _drop_in_value(g, "StrategicGoal", QMS.qualityDomain,
                                                 QMS.Timely),
     "kind 'StrategicGoal', field 'quality_domains' (qualityDomain): sh:in is"),
    ("require-a-defaulted-field",
     lambda g: g.add((_property_shape(g, "Measure", QMS.improvementDirection), SH.minCount,
                      Literal(1))),
     "kind 'Measure': field 'direction' has a default in model.py but the shapes require it"),
    ("drop-a-required-field",
     lambda g: g.remove((_property_shape(g, "Process", QMS.processType), SH.minCount, None)),
     "kind 'Process': field 'process_type' is required in model.py (no default) but the "
     "shapes do not require it"),
    ("drop-name-requirement", lambda g: g.remove((QMS.NameShape, SH.minCount, None)),
     "kind 'Team': field 'label' is required in model.py"),
    ("wrong-datatype", lambda g: g.set((_property_shape(g, "ImprovementProject", QMS.endDate),
                                        SH.datatype, XSD.string)),
     "kind 'ImprovementProject', field 'end_date' (endDate): datatype in schema.ATTRIBUTES "
     "is xsd:date"),
    ("field-without-shape",
     lambda g: g.remove((QMS.PersonShape, SH.property, _property_shape(g, "Person", QMS.email))),
     "kind 'Person', field 'email' (email): 0 property shapes apply"),
    ("edge-source-class", lambda g: _change_edge_class(g, "ServesSourceShape", "Objective"),
     "relation 'serves': may start at {StrategicGoal} in schema.EDGE_KINDS but the shape "
     "allows {Objective}"),
    ("edge-target-class", lambda g: _change_edge_class(g, "TestsTargetShape", "PDSACycle"),
     "relation 'tests': may end at {ChangeIdea}"),
    ("edge-shape-missing", lambda g: g.remove((QMS.DeliversTargetShape, None, None)),
     "relation 'delivers': no shape checks where it may end"),
    ("kind-shape-missing", lambda g: g.remove((QMS.RoleShape, None, None)),
     "kind 'Role' has no shape qms:RoleShape"),
]


@pytest.mark.parametrize(("mutate", "expected"), [m[1:] for m in SHAPES_MUTATIONS],
                         ids=[m[0] for m in SHAPES_MUTATIONS])
def test_shapes_comparison_reports_a_mutation(mutate, expected):
    g = _copy(load_shapes())
    mutate(g)
    diffs = shapes_differences(g)
    assert any(expected in d for d in diffs), "\n".join(diffs) or "no differences found"
