"""The ontology and shapes files: they parse, every term is labelled and defined, and the
SHACL shapes accept a well-formed graph and reject broken ones with plain messages that name
the offending node.

The data graphs are written by hand with rdflib, following docs/rdf-mapping.md.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from collections.abc import Callable

import pyshacl
import pytest
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDFS, SH, SKOS

from qmsgraph import model, schema
from qmsgraph.ontology import (
    ONTOLOGY_PATH,
    SHAPES_PATH,
    load_ontology,
    load_shapes,
    validate,
)

QMS = Namespace(schema.QMS)
# a plain Namespace: pytest's collection probes module attributes, and rdflib's closed XSD
# namespace warns on every unknown attribute it is asked for
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
NODE = Namespace(schema.DATA + "node/")
AGENT = Namespace(schema.DATA + "agent/")
ONTOLOGY_IRI = URIRef("https://w3id.org/qmsgraph/ontology")
DECLARATION_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
                     OWL.AnnotationProperty, OWL.NamedIndividual, OWL.Ontology)


# --- the files ------------------------------------------------------------------------------

def test_files_ship_inside_the_package():
    assert ONTOLOGY_PATH.name == "qms.ttl" and ONTOLOGY_PATH.is_file()
    assert SHAPES_PATH.name == "shapes.ttl" and SHAPES_PATH.is_file()
    assert ONTOLOGY_PATH.parent == SHAPES_PATH.parent


def test_both_files_parse_and_are_cached():
    ont, shapes = load_ontology(), load_shapes()
    assert len(ont) > 500 and len(shapes) > 500
    assert load_ontology() is ont and load_shapes() is shapes
    # a fresh parse gives the same triples (the cache holds what is on disk)
    assert len(Graph().parse(ONTOLOGY_PATH)) == len(ont)


def test_ontology_header():
    ont = load_ontology()
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ont
    assert ont.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    assert dict(ont.namespaces())["qms"] == URIRef(schema.QMS)


def _declared(ont: Graph) -> set[URIRef]:
    return {s for t in DECLARATION_TYPES for s in ont.subjects(RDF.type, t)
            if isinstance(s, URIRef)}


def test_every_declared_term_has_one_label_and_one_definition():
    ont = load_ontology()
    problems = []
    for term in sorted(_declared(ont)):
        for prop in (SKOS.prefLabel, SKOS.definition):
            values = [v for v in ont.objects(term, prop) if str(v).strip()]
            if len(values) != 1:
                problems.append(f"{term}: {len(values)} non-empty {prop.fragment}")
            elif not isinstance(values[0], Literal) or values[0].language != "en":
                problems.append(f"{term}: {prop.fragment} should be an English (@en) literal")
    assert not problems, "\n".join(problems)


def test_every_qms_term_used_is_declared():
    """Catches typos such as qms:PDSAcycle in a union or a domain."""
    ont = load_ontology()
    declared = _declared(ont)
    used = {t for triple in ont for t in triple
            if isinstance(t, URIRef) and t.startswith(schema.QMS)}
    assert sorted(used - declared) == []


def test_every_declared_qms_term_is_in_the_qms_namespace():
    ont = load_ontology()
    strays = [t for t in _declared(ont) if t != ONTOLOGY_IRI and not t.startswith(schema.QMS)]
    assert strays == [], "declare only qms: terms; reuse other vocabularies by reference"


def test_no_two_classes_or_individuals_share_a_label():
    """A map legend or a label lookup must not confuse, say, a value with value for money."""
    ont = load_ontology()
    seen: dict[str, URIRef] = {}
    clashes = []
    for t in (OWL.Class, OWL.NamedIndividual):
        for term in ont.subjects(RDF.type, t):
            if not isinstance(term, URIRef) or t == OWL.Class and (
                    term, RDF.type, OWL.NamedIndividual) in ont:
                continue
            label = str(ont.value(term, SKOS.prefLabel)).casefold()
            if seen.setdefault(label, term) != term:
                clashes.append(f"{seen[label]} and {term} are both labelled {label!r}")
    assert clashes == []


AMERICAN = re.compile(r"\b(organiz|prioritiz|center|color|behavior|program\b|analyz|"
                      r"recogniz|standardiz|minimiz|utiliz)", re.IGNORECASE)


def test_labels_and_definitions_are_british_english():
    ont = load_ontology()
    found = [(str(s), str(o)) for p in (SKOS.prefLabel, SKOS.definition)
             for s, o in ont.subject_objects(p) if AMERICAN.search(str(o))]
    assert found == []


def test_external_superclasses_and_matches():
    ont = load_ontology()
    org = Namespace("http://www.w3.org/ns/org#")
    foaf = Namespace("http://xmlns.com/foaf/0.1/")
    expected = [
        (QMS.OrganisationalUnit, org.Organization), (QMS.Organisation, org.FormalOrganization),
        (QMS.Team, org.OrganizationalUnit), (QMS.Directorate, org.OrganizationalUnit),
        (QMS.Person, PROV.Agent), (QMS.Person, foaf.Person), (QMS.Role, org.Role),
    ]
    for sub, sup in expected:
        assert (sub, RDFS.subClassOf, sup) in ont, f"{sub} should be a subclass of {sup}"
    assert (QMS.unitOf, RDFS.subPropertyOf, org.subOrganizationOf) in ont
    assert (QMS.memberOf, RDFS.subPropertyOf, org.memberOf) in ont
    bmm = Namespace("https://www.omg.org/spec/BMM/")
    archimate = Namespace("http://www.opengroup.org/xsd/archimate/3.0/")
    assert (QMS.StrategicGoal, SKOS.closeMatch, bmm.Goal) in ont
    assert (QMS.StrategicGoal, SKOS.closeMatch, archimate.Goal) in ont
    assert (QMS.ImprovementProject, SKOS.closeMatch, archimate.WorkPackage) in ont


# --- hand-made data graphs ------------------------------------------------------------------

def node(g: Graph, ident: str, kind: str, label: str | None = None, **attrs: object) -> URIRef:
    """Add node ``ident`` of ``kind`` the way docs/rdf-mapping.md writes it."""
    n = NODE[ident]
    g.add((n, RDF.type, QMS[kind]))
    if label is not None:
        g.add((n, SKOS.prefLabel, Literal(label)))
    for prop, value in attrs.items():
        if isinstance(value, URIRef):
            g.add((n, QMS[prop], value))
        elif isinstance(value, Literal):
            g.add((n, QMS[prop], value))
        elif isinstance(value, float):
            g.add((n, QMS[prop], Literal(value, datatype=XSD.double)))
        else:
            g.add((n, QMS[prop], Literal(str(value))))
    return n


def edge(g: Graph, source: URIRef, kind: str, target: URIRef) -> None:
    g.add((source, QMS[kind], target))


def good_graph() -> Graph:
    """A small organisation whose golden threads are all well formed."""
    g = Graph()
    g.bind("qms", QMS)
    purpose = node(g, "P1", "Mission", "Better health for everyone we serve")
    need = node(g, "N1", "PopulationNeed", "Rising frailty")
    goal = node(g, "G1", "StrategicGoal", "Reduce avoidable harm", status="active",
                target=50.0, deadline=Literal("2026-03-31", datatype=XSD.date),
                qualityDomain=QMS.Safe, quadrupleAim=QMS.PopulationHealth)
    g.add((goal, DCTERMS.description, Literal("Halve falls with harm by 2026.")))
    obj = node(g, "O1", "Objective", "Fewer falls on wards")
    svc = node(g, "S1", "Service", "Inpatient care")
    proc = node(g, "PR1", "Process", "Falls risk assessment", processType="mainstay")
    measure = node(g, "M1", "Measure", "Falls per 1,000 bed days", measureType="outcome",
                   improvementDirection="decrease", frequency="monthly",
                   unitOfMeasure="falls per 1,000 bed days", qualityDomain=QMS.Safe)
    project = node(g, "IP1", "ImprovementProject", "Falls collaborative", status="active",
                   tier="directorate", method="Model for Improvement",
                   startDate=Literal("2024-01-01", datatype=XSD.date))
    pd = node(g, "PD1", "PrimaryDriver", "Reliable risk assessment")
    sd = node(g, "SD1", "SecondaryDriver", "Assessment on admission")
    idea = node(g, "CI1", "ChangeIdea", "Falls bundle at the bedside")
    pdsa = node(g, "C1", "PDSACycle", "Test the bundle on one ward",
                date=Literal("2024-02-01", datatype=XSD.date))
    audit = node(g, "A1", "Audit", "Falls audit", rating="reasonable assurance")
    std = node(g, "STD1", "Standard", "Falls in older people", reference="NG249",
               publisher="NICE")
    risk = node(g, "R1", "Risk", "Staffing gaps", rating="12")
    fb = node(g, "F1", "FeedbackSource", "Friends and family test", channel="survey")
    enabler = node(g, "E1", "Enabler", "QI training", enablerType="skills")
    org = node(g, "ORG1", "Organisation", "Example Health Board")
    directorate = node(g, "D1", "Directorate", "Medicine")
    team = node(g, "T1", "Team", "Ward 7")
    person = node(g, "PE1", "Person", "Sam Lee", email="sam.lee@example.org")
    role = node(g, "RO1", "Role", "Team leader")

    for s, k, t in [
        (goal, "serves", purpose), (goal, "addresses", need), (obj, "contributesTo", goal),
        (svc, "contributesTo", obj), (proc, "supports", goal), (enabler, "supports", obj),
        (measure, "indicates", obj), (measure, "measures", proc), (project, "improves", measure),
        (proc, "partOf", svc), (pd, "drives", project), (sd, "drives", pd),
        (idea, "changes", sd), (pdsa, "tests", idea), (idea, "improves", proc),
        (team, "unitOf", directorate), (directorate, "unitOf", org),
        (team, "owns", proc), (person, "owns", measure), (team, "delivers", svc),
        (team, "monitors", measure), (person, "sponsors", project), (team, "leads", project),
        (person, "leads", audit), (person, "memberOf", team), (person, "holdsRole", role),
        (audit, "assures", proc), (audit, "checksAgainst", std), (fb, "informs", project),
        (risk, "threatens", goal), (risk, "escalatesTo", directorate),
        (project, "alignsTo", goal),
    ]:
        edge(g, s, k, t)

    # a data point (docs/rdf-mapping.md: qmsid:node/M/point/<date>)
    point = URIRef(str(measure) + "/point/2024-01-01")
    g.add((measure, QMS.hasDataPoint, point))
    g.add((point, RDF.type, QMS.DataPoint))
    g.add((point, QMS.periodStart, Literal("2024-01-01", datatype=XSD.date)))
    g.add((point, QMS.value, Literal(4.2, datatype=XSD.double)))

    # provenance on a node and on a reified edge, with its agent
    agent = AGENT["importer"]
    g.add((agent, RDF.type, PROV.Agent))
    g.add((agent, SKOS.prefLabel, Literal("importer")))
    stmt = URIRef(schema.DATA + "edge/0123456789abcdef0123")
    g.add((stmt, RDF.type, RDF.Statement))
    g.add((stmt, RDF.subject, team))
    g.add((stmt, RDF.predicate, QMS.owns))
    g.add((stmt, RDF.object, proc))
    for subject in (stmt, goal):
        g.add((subject, PROV.generatedAtTime,
               Literal("2024-05-01T09:30:00+00:00", datatype=XSD.dateTime)))
        g.add((subject, QMS.sourceFile, Literal("register.csv")))
        g.add((subject, QMS.sourceLocation, Literal("row 4")))
        g.add((subject, PROV.wasAttributedTo, agent))
    g.add((goal, QMS.reason, Literal("Board decision, March 2024")))
    return g


def results(report: Graph) -> list[dict[str, object]]:
    out = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        out.append({
            "focus": report.value(r, SH.focusNode),
            "message": str(report.value(r, SH.resultMessage)),
            "path": report.value(r, SH.resultPath),
            "value": report.value(r, SH.value),
            "shape": report.value(r, SH.sourceShape),
        })
    return out


def test_empty_graph_conforms():
    conforms, _, text = validate(Graph())
    assert conforms, text


def test_well_formed_graph_conforms():
    conforms, report, text = validate(good_graph())
    assert conforms, text
    assert results(report) == []


def test_validation_leaves_the_cached_graphs_and_the_data_alone():
    ont_len, shapes_len = len(load_ontology()), len(load_shapes())
    data = good_graph()
    before = len(data)
    validate(data)
    assert (len(load_ontology()), len(load_shapes()), len(data)) == (ont_len, shapes_len, before)


def _drop(g: Graph, s: URIRef, p: URIRef) -> Graph:
    g.remove((s, p, None))
    return g


def _set(g: Graph, s: URIRef, p: URIRef, o: object) -> Graph:
    g.set((s, p, o))
    return g


def _add(g: Graph, s: URIRef, p: URIRef, o: object) -> Graph:
    g.add((s, p, o))
    return g


# (test id, how to break the good graph, focus node, words the message must contain, path)
BROKEN: list[tuple[str, Callable[[Graph], Graph], URIRef, str, URIRef | None]] = [
    ("measure-missing-measure-type",
     lambda g: _drop(g, NODE.M1, QMS.measureType),
     NODE.M1, "A Measure needs exactly one measure type", QMS.measureType),
    ("process-missing-process-type",
     lambda g: _drop(g, NODE.PR1, QMS.processType),
     NODE.PR1, "A Process needs exactly one process type", QMS.processType),
    ("serves-from-a-team",
     lambda g: _add(g, NODE.T1, QMS.serves, NODE.P1),
     NODE.T1, "A 'serves' relation must start at a StrategicGoal.", None),
    ("serves-to-a-goal",
     lambda g: _add(g, NODE.G1, QMS.serves, NODE.O1),
     NODE.O1, "A 'serves' relation must end at a Purpose.", None),
    ("owns-from-a-measure",
     lambda g: _add(g, NODE.M1, QMS.owns, NODE.PR1),
     NODE.M1, "An 'owns' relation must start at an OrganisationalUnit or a Person.", None),
    ("goal-status-not-in-list",
     lambda g: _set(g, NODE.G1, QMS.status, Literal("archived")),
     NODE.G1, "A StrategicGoal can have at most one status, which must be one of: "
              "active, deprioritised or retired.", QMS.status),
    ("project-status-of-a-goal",
     lambda g: _set(g, NODE.IP1, QMS.status, Literal("retired")),
     NODE.IP1, "An ImprovementProject can have at most one status", QMS.status),
    ("two-statuses",
     lambda g: _add(g, NODE.G1, QMS.status, Literal("retired")),
     NODE.G1, "at most one status", QMS.status),
    ("direction-not-in-list",
     lambda g: _set(g, NODE.M1, QMS.improvementDirection, Literal("up")),
     NODE.M1, "improvement direction, which must be one of: increase, decrease or neutral",
     QMS.improvementDirection),
    ("quality-domain-not-an-individual",
     lambda g: _add(g, NODE.G1, QMS.qualityDomain, Literal("safe")),
     NODE.G1, "Each quality domain of a StrategicGoal must be one of", QMS.qualityDomain),
    ("missing-name",
     lambda g: _drop(g, NODE.T1, SKOS.prefLabel),
     NODE.T1, "Every item needs exactly one name", SKOS.prefLabel),
    ("subclass-missing-name",
     lambda g: _drop(g, NODE.P1, SKOS.prefLabel),
     NODE.P1, "Every item needs exactly one name", SKOS.prefLabel),
    ("two-names",
     lambda g: _add(g, NODE.S1, SKOS.prefLabel, Literal("Another name")),
     NODE.S1, "Every item needs exactly one name", SKOS.prefLabel),
    ("deadline-not-a-date",
     lambda g: _set(g, NODE.G1, QMS.deadline, Literal("next year")),
     NODE.G1, "deadline, which must be a date", QMS.deadline),
    ("target-not-a-number",
     lambda g: _set(g, NODE.G1, QMS.target, Literal("fifty")),
     NODE.G1, "target, which must be a finite number", QMS.target),
    ("target-infinite",
     lambda g: _set(g, NODE.G1, QMS.target, Literal("INF", datatype=XSD.double)),
     NODE.G1, "target, which must be a finite number", QMS.target),
    ("data-point-missing-value",
     lambda g: _drop(g, URIRef(str(NODE.M1) + "/point/2024-01-01"), QMS.value),
     URIRef(str(NODE.M1) + "/point/2024-01-01"), "A DataPoint needs exactly one value",
     QMS.value),
    ("data-point-bad-date",
     lambda g: _set(g, URIRef(str(NODE.M1) + "/point/2024-01-01"), QMS.periodStart,
                    Literal("2024-13-01", datatype=XSD.date)),
     URIRef(str(NODE.M1) + "/point/2024-01-01"), "A DataPoint needs exactly one period start",
     QMS.periodStart),
    ("data-point-on-a-process",
     lambda g: _add(g, NODE.PR1, QMS.hasDataPoint, URIRef(str(NODE.M1) + "/point/2024-01-01")),
     NODE.PR1, "Only a Measure can have data points", None),
    ("statement-with-unknown-predicate",
     lambda g: _set(g, URIRef(schema.DATA + "edge/0123456789abcdef0123"), RDF.predicate,
                    QMS.likes),
     URIRef(schema.DATA + "edge/0123456789abcdef0123"),
     "must be one of the qmsgraph relations", RDF.predicate),
    ("project-ends-before-it-starts",
     lambda g: _set(g, NODE.IP1, QMS.endDate, Literal("2023-12-31", datatype=XSD.date)),
     NODE.IP1, "no later than its end date", QMS.startDate),
    ("provenance-time-not-a-datetime",
     lambda g: _set(g, NODE.G1, PROV.generatedAtTime, Literal("yesterday")),
     NODE.G1, "at most one time a fact was recorded", PROV.generatedAtTime),
]


@pytest.mark.parametrize(("breaker", "focus", "message", "path"),
                         [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_broken_graph_is_reported_on_the_offending_node(breaker, focus, message, path):
    conforms, report, text = validate(breaker(good_graph()))
    assert not conforms
    found = results(report)
    matching = [r for r in found if r["focus"] == focus and message in r["message"]]
    assert matching, f"no result on {focus} saying {message!r}; got:\n{text}"
    if path is not None:
        assert any(r["path"] == path for r in matching)
    # nothing else in the good graph is reported
    assert {r["focus"] for r in found} == {focus}, text


def test_several_problems_are_all_reported():
    g = good_graph()
    _drop(g, NODE.M1, QMS.measureType)
    _add(g, NODE.T1, QMS.serves, NODE.P1)
    _set(g, NODE.G1, QMS.status, Literal("archived"))
    conforms, report, _ = validate(g)
    assert not conforms
    assert {r["focus"] for r in results(report)} == {NODE.M1, NODE.T1, NODE.G1}


def test_node_of_a_subclass_is_accepted_where_its_superclass_is_required():
    # Team, Directorate and Organisation all stand where an OrganisationalUnit may;
    # an Audit where an AssuranceActivity may; a Mission where a Purpose may.
    conforms, _, text = validate(good_graph())
    assert conforms, text


def test_node_without_a_kind_is_reported_as_a_bad_endpoint():
    g = good_graph()
    stranger = URIRef(schema.DATA + "node/X1")
    g.add((stranger, QMS.serves, NODE.P1))
    conforms, report, _ = validate(g)
    assert not conforms
    assert [r["message"] for r in results(report) if r["focus"] == stranger] == [
        "A 'serves' relation must start at a StrategicGoal."]


def test_string_literals_with_an_explicit_xsd_string_type_do_not_match_sh_in():
    """Documents the contract in shapes.ttl: write strings as plain literals."""
    g = good_graph()
    _set(g, NODE.G1, QMS.status, Literal("active", datatype=XSD.string))
    conforms, report, _ = validate(g)
    assert not conforms
    assert {r["focus"] for r in results(report)} == {NODE.G1}


def test_rdfs_inference_would_hide_a_bad_endpoint():
    """Why the shapes must be run with inference='none' (see the header of shapes.ttl)."""
    g = good_graph()
    _add(g, NODE.T1, QMS.serves, NODE.P1)
    conforms, _, _ = pyshacl.validate(g, shacl_graph=load_shapes(), ont_graph=load_ontology(),
                                      inference="none", advanced=False)
    assert not conforms
    conforms, _, _ = pyshacl.validate(g, shacl_graph=load_shapes(), ont_graph=load_ontology(),
                                      inference="rdfs", advanced=False)
    assert conforms  # RDFS inferred "Ward 7 is a StrategicGoal" from rdfs:domain


def test_every_result_has_a_message():
    g = good_graph()
    for _, breaker, *_ in BROKEN:
        g = breaker(g)
    conforms, report, _ = validate(g)
    assert not conforms
    found = results(report)
    assert len(found) >= len(BROKEN) - 2
    assert all(r["message"] and not r["message"].startswith(("Value ", "Less than", "More than"))
               for r in found), "a shape without sh:message fell back to pyshacl's wording"


def test_shapes_use_no_blank_node_targets():
    shapes = load_shapes()
    for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf):
        assert not any(isinstance(o, BNode) for o in shapes.objects(None, p))


# --- the shapes against what the code writes ------------------------------------------------

def _sample_value(annotation: object) -> object:
    """A valid value for a model field: the first allowed value, or a plain one."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Literal:
        return args[0]
    if origin is list:
        return [_sample_value(args[0])]
    if args:  # X | None
        return _sample_value(next(a for a in args if a is not type(None)))
    return {float: 12.5, dt.date: dt.date(2024, 4, 1), str: "text"}[annotation]


def _bounded(value: object, metadata: list[object]) -> object:
    """A number inside the field's own bounds (``ge``/``le``), else the value as it is."""
    for m in metadata:
        if isinstance(value, float) and getattr(m, "le", None) is not None:
            value = min(value, float(m.le))  # type: ignore[attr-defined]
    return value


def test_every_kind_with_every_field_exported_by_the_code_conforms():
    """Contract with qmsgraph.io.rdf: one node of every kind with every field set, and one
    edge of every kind, written by ``to_rdf``, must pass the shapes."""
    from qmsgraph.graph import QMSGraph
    from qmsgraph.io.rdf import to_rdf

    prov = model.Provenance(source="register.csv", location="row 2", agent="tester",
                            reason="contract test")
    graph = QMSGraph()
    for kind, cls in model.NODE_CLASSES.items():
        data: dict[str, object] = {"kind": kind, "id": kind, "label": f"A {kind}",
                                   "description": "described"}
        for name, field in cls.model_fields.items():
            if name in ("id", "label", "description", "provenance"):
                continue
            if name == "data":
                data[name] = [{"date": "2024-01-01", "value": 3.0},
                              {"date": "2024-02-01", "value": 4.0}]
            else:
                data[name] = _bounded(_sample_value(field.annotation), field.metadata)
        graph.add_node(model.make_node(data, provenance=prov))
    for name, e in schema.EDGE_KINDS.items():
        graph.add_edge(model.make_edge(name, e.domain[0], e.range[0], provenance=prov))
    conforms, _, text = validate(to_rdf(graph))
    assert conforms, text


def test_a_node_with_only_the_required_fields_conforms_for_every_kind():
    """The shapes ask for nothing the model does not require."""
    g = Graph()
    for kind, cls in model.NODE_CLASSES.items():
        required = {}
        for name, field in cls.model_fields.items():
            if field.is_required() and name not in ("id", "label"):
                required[schema.ATTRIBUTES[name][2]] = _sample_value(field.annotation)
        node(g, f"min-{kind}", kind, f"Minimal {kind}", **required)
    conforms, _, text = validate(g)
    assert conforms, text
