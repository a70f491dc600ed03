"""ArchiMate models in: The Open Group's Model Exchange File Format, 2.1 and 3.x.

Elements are mapped onto the ontology by the close matches ``ontology/README.md`` states
(:data:`ELEMENT_KINDS`). Relationships become the qmsgraph relation that the two kinds
allow, chosen per ArchiMate relationship type (:data:`RELATION_CHOICES`); association is
undirected, aggregation and composition run whole -> part (``partOf`` runs part -> whole).

Two derivations follow ArchiMate's own rule that a chain of realization, influence and
serving relationships implies one from its start to its end:

* through elements qmsgraph does not map (a Deliverable, an application service ...): a
  work package that realizes a deliverable that realizes a business process *improves*
  that process;
* a work package whose chain reaches a Goal or Outcome *declares* that priority
  (``alignsTo``): the alignment rules then look for the measures that evidence it.

Nothing is dropped silently: every element type outside the mapping, every relationship
with no qmsgraph relation between its kinds, and every derived relation is reported as a
note (``qmsgraph load`` prints them). A model exported by qmsgraph carries its kinds,
fields and relations as ``qmsgraph:`` properties and comes back exactly.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import schema
from ..model import NODE_CLASSES, is_valid_id

if TYPE_CHECKING:
    from .readers import _Collector

__all__ = ["read_archimate", "parse_model", "ELEMENT_KINDS", "RELATION_CHOICES",
           "ArchiModel", "NS2", "NS3"]

NS2 = "http://www.opengroup.org/xsd/archimate"
NS3 = "http://www.opengroup.org/xsd/archimate/3.0/"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
PREFIX = "qmsgraph:"  # property names written by qmsgraph's export

# ArchiMate element type -> node kind (ontology/README.md, "Reused vocabularies").
ELEMENT_KINDS: dict[str, str] = {
    "Goal": "StrategicGoal", "Outcome": "Objective", "Driver": "PopulationNeed",
    "Assessment": "AssuranceActivity", "Principle": "Value", "Requirement": "Standard",
    "Constraint": "Standard", "CourseOfAction": "ChangeIdea",
    "WorkPackage": "ImprovementProject", "Capability": "Enabler",
    "BusinessActor": "OrganisationalUnit", "BusinessRole": "Role",
    "BusinessService": "Service", "BusinessProcess": "Process",
}
# ArchiMate 2.1 spellings -> 3.x
_TYPE_ALIASES = {"Realisation": "Realization", "Specialisation": "Specialization",
                 "UsedBy": "Serving", "InfrastructureService": "TechnologyService"}
_THREAD = ("contributesTo", "supports", "indicates", "measures", "improves", "serves",
           "addresses", "delivers", "changes", "checksAgainst")
# ArchiMate relationship -> qmsgraph relations to try, in order; "f" keeps the direction,
# "r" reverses it (whole -> part becomes part -> whole).
RELATION_CHOICES: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "Realization": [("f", (*_THREAD, "alignsTo"))],
    "Influence": [("f", ("contributesTo", "supports", "indicates", "informs", "threatens",
                         "serves", "addresses", "alignsTo"))],
    "Serving": [("f", ("supports", "contributesTo", "partOf"))],
    "Assignment": [("f", ("owns", "leads", "delivers", "holdsRole", "memberOf",
                          "sponsors"))],
    "Aggregation": [("r", ("partOf", "subProjectOf", "unitOf", "contributesTo",
                           "memberOf"))],
    "Composition": [("r", ("partOf", "subProjectOf", "unitOf", "contributesTo",
                           "memberOf"))],
    "Association": [("f", ("informs", "assures", "addresses", "checksAgainst", "memberOf",
                           "holdsRole", "owns", "leads", "sponsors", "monitors",
                           "threatens", "supports", "contributesTo", "indicates",
                           "measures", "serves", "alignsTo")),
                    ("r", ("informs", "assures", "addresses", "checksAgainst", "memberOf",
                           "holdsRole", "owns", "leads", "sponsors", "monitors",
                           "threatens", "supports", "contributesTo", "indicates",
                           "measures", "serves", "alignsTo"))],
}
_CHAIN = {"Realization", "Influence", "Serving"}
_MAX_DEPTH = 6


@dataclass
class _Element:
    ident: str
    type: str
    name: str
    documentation: str | None
    props: dict[str, str]
    raw_type: str = ""  # as the file spells it (2.1: InfrastructureService ...)


@dataclass
class _Relation:
    ident: str
    type: str
    source: str
    target: str
    props: dict[str, str]


@dataclass
class ArchiModel:
    """A parsed exchange file: its version, elements and relationships."""

    version: str
    name: str
    elements: dict[str, _Element] = field(default_factory=dict)
    relations: list[_Relation] = field(default_factory=list)


def _type(raw: str | None) -> str:
    t = (raw or "").split(":")[-1]
    if t.endswith("Relationship"):
        t = t[: -len("Relationship")]
    return _TYPE_ALIASES.get(t, t)


def _lang_text(el: Any, tags: tuple[str, ...]) -> str | None:
    found = [c for tag in tags for c in el.findall(tag)]
    if not found:
        return None
    best = next((c for c in found if (c.get(XML_LANG) or "en").startswith("en")), found[0])
    return (best.text or "").strip() or None


def parse_model(data: bytes | str) -> ArchiModel:
    """Parse an exchange file (defusedxml: no entity expansion, no external entities);
    raises ValueError with a message for the user."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        root = fromstring(raw)
    except ParseError as err:
        line, col = err.position
        raise ValueError(f"line {line} column {col}: malformed XML ({err})") from None
    except DefusedXmlException as err:
        raise ValueError(f"refused: {err}") from None
    if root.tag == f"{{{NS3}}}model":
        ns, version = NS3, "3.x"
    elif root.tag == f"{{{NS2}}}model":
        ns, version = NS2, "2.1"
    else:
        raise ValueError(f"not an ArchiMate exchange model: the root element is {root.tag}")
    q = f"{{{ns}}}"
    names = (f"{q}name", f"{q}label")
    propnames: dict[str, str] = {}
    for pd in root.iter(f"{q}propertyDefinition"):  # 3.x
        propnames[pd.get("identifier", "")] = _lang_text(pd, names) or ""
    for pd in root.iter(f"{q}propertydef"):  # 2.1
        propnames[pd.get("identifier", "")] = pd.get("name", "")

    def props(el: Any) -> dict[str, str]:
        out: dict[str, str] = {}
        holder = el.find(f"{q}properties")
        for p in holder.findall(f"{q}property") if holder is not None else ():
            ref = p.get("propertyDefinitionRef") or p.get("identifierref") or ""
            value = _lang_text(p, (f"{q}value",))
            if value is not None:
                out[propnames.get(ref, ref)] = value
        return out

    model = ArchiModel(version, _lang_text(root, names) or "")
    holder = root.find(f"{q}elements")
    for el in holder.findall(f"{q}element") if holder is not None else ():
        ident = el.get("identifier")
        if not ident:
            continue
        raw_type = (el.get(XSI_TYPE) or "").split(":")[-1]
        model.elements[ident] = _Element(ident, _type(raw_type), _lang_text(el, names) or "",
                                         _lang_text(el, (f"{q}documentation",)), props(el),
                                         raw_type)
    holder = root.find(f"{q}relationships")
    for r in holder.findall(f"{q}relationship") if holder is not None else ():
        model.relations.append(_Relation(r.get("identifier", ""), _type(r.get(XSI_TYPE)),
                                         r.get("source", ""), r.get("target", ""), props(r)))
    return model


def _node_id(el: _Element, used: set[str]) -> str:
    wanted = el.props.get(PREFIX + "id") or el.ident
    base = wanted if is_valid_id(wanted) else (
        re.sub(r"[^A-Za-z0-9_.:\-]", "-", wanted).lstrip("_.:-")[:120] or "element")
    if not base[0].isalnum():
        base = "a" + base
    out, n = base, 1
    while out in used:
        n += 1
        out = f"{base}-{n}"
    used.add(out)
    return out


def _fields(el: _Element, kind: str) -> dict[str, Any]:
    from . import fields as cols

    known = {c.name: c for c in cols.columns(kind) if not c.relation}
    out: dict[str, Any] = {}
    for k, v in el.props.items():
        if not k.startswith(PREFIX):
            continue
        name = k[len(PREFIX):]
        c = known.get(name)
        if c is None or name in ("id", "label", "description"):
            continue
        out[name] = [x for x in v.split(";") if x] if c.multi else v
    return out


def _choose(kind_a: str, rel_type: str, kind_b: str) -> tuple[str, bool] | None:
    """(qmsgraph relation, reversed?) for an ArchiMate relationship between two kinds."""
    for direction, names in RELATION_CHOICES.get(rel_type, ()):
        s, t = (kind_a, kind_b) if direction == "f" else (kind_b, kind_a)
        for name in names:
            if schema.allowed(name, s, t):
                return name, direction == "r"
    return None


def read_archimate(path: Path, data: bytes | str, col: _Collector) -> None:
    """One exchange file into the collector; unmapped content becomes notes."""
    name = str(path)
    try:
        model = parse_model(data)
    except ValueError as err:
        col.problem(name, str(err))
        return
    notes: list[str] = []
    used: set[str] = set(col.nodes)
    ids: dict[str, str] = {}     # ArchiMate identifier -> node id
    kinds: dict[str, str] = {}   # ArchiMate identifier -> node kind
    outside: Counter[str] = Counter()
    assumed_process = 0
    for el in model.elements.values():
        kind = el.props.get(PREFIX + "kind")
        if kind not in NODE_CLASSES:
            kind = ELEMENT_KINDS.get(el.type)
        if kind is None:
            outside[el.raw_type] += 1
            continue
        nid = _node_id(el, used)
        item: dict[str, Any] = {"id": nid, "kind": kind,
                                "label": (el.name or f"{el.type} {el.ident}")[:500]}
        if el.documentation:
            item["description"] = el.documentation[:10_000]
        item.update(_fields(el, kind))
        if kind == "Process" and "process_type" not in item:
            item["process_type"] = "mainstay"
            assumed_process += 1
        where = f"{name} element '{el.ident}' ({el.type} {el.name!r})"
        before = len(col.problems)
        col.add_node(item, name, f"element {el.ident}", where)
        if len(col.problems) == before:
            ids[el.ident], kinds[el.ident] = nid, kind
    mapped = Counter(model.elements[i].type for i in ids)
    notes.append(f"{name}: ArchiMate {model.version} model {model.name!r}: "
                 f"{len(ids)} of {len(model.elements)} elements mapped ("
                 + ", ".join(f"{t} {n} -> {_kinds_of(t, ids, kinds, model)}"
                             for t, n in sorted(mapped.items())) + ")")
    if outside:
        notes.append(f"{name}: not in the ontology, kept out: "
                     + ", ".join(f"{t} {n}" for t, n in outside.most_common()))
    if assumed_process:
        notes.append(f"{name}: {assumed_process} BusinessProcess element(s) taken as "
                     "process_type 'mainstay' (ArchiMate does not say driver or support)")
    _relations(model, ids, kinds, name, col, notes)
    col.notes.extend(notes)


def _kinds_of(t: str, ids: dict[str, str], kinds: dict[str, str], model: ArchiModel) -> str:
    return "/".join(sorted({kinds[i] for i in ids if model.elements[i].type == t}))


def _relations(model: ArchiModel, ids: dict[str, str], kinds: dict[str, str], name: str,
               col: _Collector, notes: list[str]) -> None:
    added: set[tuple[str, str, str]] = set()
    pairs: set[tuple[str, str]] = set()
    unmapped: list[str] = []
    skipped: Counter[str] = Counter()

    def add(kind: str, s: str, t: str, loc: str, reason: str | None,
            derived: bool = False) -> bool:
        """One relation; a derived one only where the model has none between the two."""
        if (kind, s, t) in added or s == t or (derived and (s, t) in pairs):
            return False
        added.add((kind, s, t))
        pairs.add((s, t))
        col.add_edge(kind, ids[s], ids[t], name, loc, f"{name} {loc}", reason)
        return True

    forward: dict[str, list[tuple[str, _Relation]]] = defaultdict(list)
    for r in model.relations:
        if r.type in _CHAIN:
            forward[r.source].append((r.target, r))
        if r.source not in ids or r.target not in ids:
            skipped[r.type] += 1
            continue
        exact = r.props.get(PREFIX + "edge")
        if exact in schema.EDGE_KINDS:
            s, t = (r.target, r.source) if r.type in ("Aggregation", "Composition") \
                else (r.source, r.target)
            add(exact, s, t, f"relationship '{r.ident}'", r.props.get(PREFIX + "reason"))
            continue
        choice = _choose(kinds[r.source], r.type, kinds[r.target])
        if choice is None:
            a, b = model.elements[r.source], model.elements[r.target]
            unmapped.append(f"{r.type} {a.type} {a.name!r} -> {b.type} {b.name!r} "
                            f"('{r.ident}')")
            continue
        kind, rev = choice
        s, t = (r.target, r.source) if rev else (r.source, r.target)
        add(kind, s, t, f"relationship '{r.ident}'", None)
    # A model qmsgraph wrote carries every relation already: derive nothing for it.
    ours = any(PREFIX + "edge" in r.props for r in model.relations)
    derived = 0 if ours else _derive(model, ids, kinds, forward, add)
    if derived:
        notes.append(f"{name}: {derived} relation(s) derived along realization/influence/"
                     "serving chains (work packages to the goals they realize, and through "
                     "elements outside the ontology)")
    if unmapped:
        notes.append(f"{name}: {len(unmapped)} relationship(s) between mapped elements have "
                     "no qmsgraph relation and were not loaded: " + "; ".join(unmapped[:20])
                     + (" ..." if len(unmapped) > 20 else ""))
    if skipped:
        notes.append(f"{name}: relationships touching elements outside the ontology, kept "
                     "out: " + ", ".join(f"{t} {n}" for t, n in skipped.most_common()))


def _derive(model: ArchiModel, ids: dict[str, str], kinds: dict[str, str],
            forward: dict[str, list[tuple[str, _Relation]]], add: Any) -> int:
    count = 0
    label = {i: f"{e.type} {e.name!r}" for i, e in model.elements.items()}
    for start in ids:
        is_wp = model.elements[start].type == "WorkPackage" or \
            kinds[start] == "ImprovementProject"
        prev: dict[str, str | None] = {start: None}
        queue = deque([(start, 0)])
        while queue:
            node, depth = queue.popleft()
            if depth >= _MAX_DEPTH:
                continue
            for nxt, _ in forward.get(node, ()):
                if nxt in prev or nxt not in model.elements:
                    continue
                prev[nxt] = node
                through_unmapped = nxt not in ids
                if through_unmapped or is_wp:
                    queue.append((nxt, depth + 1))
                if nxt not in ids or depth == 0:
                    continue
                path = [nxt]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])  # type: ignore[arg-type]
                path.reverse()
                via = " -> ".join(label[p] for p in path)
                inner_unmapped = all(p not in ids for p in path[1:-1])
                kind = None
                if inner_unmapped:
                    choice = _choose(kinds[start], "Realization", kinds[nxt])
                    kind = choice[0] if choice and not choice[1] else None
                if kind is None and is_wp and schema.allowed("alignsTo", kinds[start],
                                                             kinds[nxt]):
                    kind = "alignsTo"
                if kind is not None:
                    count += add(kind, start, nxt, f"chain from element '{start}'",
                                 f"derived from the ArchiMate model: {via}", derived=True)
    return count
