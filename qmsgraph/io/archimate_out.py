"""ArchiMate models out: the Open Group exchange format 3.x (namespace ``.../3.0/``; no 3.1-only
attributes, so 3.0 and 3.1 readers both take it), for Archi and other ArchiMate tools.

Each node becomes the element its kind closely matches (:data:`ELEMENT_TYPES`, the
inverse of the import's mapping); each relation becomes a relationship that ArchiMate
allows between any two elements: **influence** between motivation elements, **aggregation**
for part-of relations between elements of one type (whole -> part), and **association**
otherwise, named after the qmsgraph relation. Kinds, fields and relations also travel as
``qmsgraph:`` properties, so the file imports back to the same nodes and relations.
Measure data points are not part of ArchiMate and are not written (export xlsx for them).
Identifiers are ``xs:ID`` (an NCName): ids that are not are rewritten, and the id is kept
in ``qmsgraph:id``. The output validates against the Open Group's ``archimate3_Model.xsd``
(``tests/io/test_archimate.py``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import Element, SubElement, indent, register_namespace, tostring

from .archimate import NS3, PREFIX

if TYPE_CHECKING:
    from ..graph import QMSGraph

__all__ = ["to_archimate", "ELEMENT_TYPES"]

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_NS = "http://www.w3.org/XML/1998/namespace"

ELEMENT_TYPES: dict[str, str] = {
    "Purpose": "Goal", "Mission": "Goal", "Vision": "Goal", "Value": "Principle",
    "PopulationNeed": "Driver", "StrategicGoal": "Goal", "Objective": "Outcome",
    "Service": "BusinessService", "Process": "BusinessProcess", "Measure": "Outcome",
    "ImprovementProject": "WorkPackage", "PrimaryDriver": "Outcome",
    "SecondaryDriver": "Outcome", "ChangeIdea": "CourseOfAction", "PDSACycle": "WorkPackage",
    "AssuranceActivity": "Assessment", "Audit": "Assessment", "Inspection": "Assessment",
    "Review": "Assessment", "Standard": "Requirement", "Risk": "Assessment",
    "Incident": "BusinessEvent", "FeedbackSource": "Stakeholder", "Enabler": "Capability",
    "OrganisationalUnit": "BusinessActor", "HealthSystem": "BusinessActor",
    "Organisation": "BusinessActor", "Directorate": "BusinessActor", "Team": "BusinessActor",
    "Person": "BusinessActor", "Role": "BusinessRole",
}
MOTIVATION = {"Goal", "Outcome", "Driver", "Assessment", "Principle", "Requirement",
              "Stakeholder", "Constraint", "Meaning", "Value"}
PART_OF = {"partOf", "subProjectOf", "unitOf"}
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def _q(tag: str) -> str:
    return f"{{{NS3}}}{tag}"


def _lang(parent: Element, tag: str, text: str) -> Element:
    el = SubElement(parent, _q(tag))
    el.set(f"{{{XML_NS}}}lang", "en")
    el.text = text
    return el


def _identifier(node_id: str, used: set[str]) -> str:
    base = "id-" + re.sub(r"[^A-Za-z0-9_.\-]", "_", node_id)
    out, n = base, 1
    while out in used or not _NCNAME.match(out):
        n += 1
        out = f"{base}-{n}"
    used.add(out)
    return out


def _text(v: Any) -> str:
    if isinstance(v, list | tuple):
        return ";".join(str(x) for x in v)
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def to_archimate(graph: QMSGraph, name: str = "qmsgraph model") -> str:
    """The graph as an ArchiMate 3.x exchange file (text)."""
    root = Element(_q("model"), {
        "identifier": "id-qmsgraph-model",
        f"{{{XSI}}}schemaLocation": f"{NS3} http://www.opengroup.org/xsd/archimate/3.0/"
                                   "archimate3_Model.xsd"})
    _lang(root, "name", name)
    _lang(root, "documentation", "Exported by qmsgraph: a quality management system "
          "mapped as a knowledge graph. qmsgraph: properties carry the exact kinds, fields "
          "and relations.")
    elements = SubElement(root, _q("elements"))
    relationships = SubElement(root, _q("relationships"))
    propdefs: dict[str, str] = {}

    def prop(holder: Element, key: str, value: str) -> None:
        if key not in propdefs:
            propdefs[key] = f"pd-{len(propdefs) + 1}"
        p = SubElement(holder, _q("property"), {"propertyDefinitionRef": propdefs[key]})
        _lang(p, "value", value)

    used: set[str] = set()
    ident: dict[str, str] = {}
    types: dict[str, str] = {}
    for n in sorted(graph.nodes(), key=lambda n: n.id):
        ident[n.id] = _identifier(n.id, used)
        types[n.id] = ELEMENT_TYPES.get(n.kind, "Grouping")
        el = SubElement(elements, _q("element"), {"identifier": ident[n.id],
                                                  f"{{{XSI}}}type": types[n.id]})
        _lang(el, "name", n.label)
        if n.description:
            _lang(el, "documentation", n.description)
        props = SubElement(el, _q("properties"))
        prop(props, PREFIX + "kind", n.kind)
        prop(props, PREFIX + "id", n.id)
        for k, v in n.attributes().items():
            prop(props, PREFIX + k, _text(v))
    for i, e in enumerate(sorted(graph.edges(), key=lambda e: e.key), start=1):
        s, t = e.source, e.target
        st, tt = types[s], types[t]
        if e.kind in PART_OF and st == tt:
            rtype, s, t = "Aggregation", t, s  # ArchiMate: the whole aggregates the part
        elif st in MOTIVATION and tt in MOTIVATION:
            rtype = "Influence"
        else:
            rtype = "Association"
        attrs = {"identifier": f"rel-{i}", "source": ident[s], "target": ident[t],
                 f"{{{XSI}}}type": rtype}
        rel = SubElement(relationships, _q("relationship"), attrs)
        _lang(rel, "name", e.kind)
        props = SubElement(rel, _q("properties"))
        prop(props, PREFIX + "edge", e.kind)
        if e.provenance.reason:
            prop(props, PREFIX + "reason", e.provenance.reason)
    if not len(relationships):
        root.remove(relationships)
    if not len(elements):
        root.remove(elements)
    if propdefs:
        defs = SubElement(root, _q("propertyDefinitions"))
        for key, pid in propdefs.items():
            d = SubElement(defs, _q("propertyDefinition"), {"identifier": pid,
                                                             "type": "string"})
            _lang(d, "name", key)
    indent(root, space="  ")
    register_namespace("", NS3)  # the exchange format's namespace as the default one
    register_namespace("xsi", XSI)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + tostring(root, encoding="unicode") + "\n")
