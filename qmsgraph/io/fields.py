"""The columns a register may have, per node kind: one source for the docs, the Excel
template, the readers' header checks and their error messages.

Everything here is derived from the pydantic node classes (:mod:`qmsgraph.model`) and the
edge table (:mod:`qmsgraph.schema`), so it cannot drift from what the loader accepts;
``tests/io/test_fields_doc.py`` checks ``docs/formats.md`` against :func:`markdown_tables`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import types
import typing
from dataclasses import dataclass
from functools import cache

from .. import schema
from ..model import NODE_CLASSES

__all__ = ["Column", "columns", "column_names", "canonical_header", "unknown_column_message",
           "markdown_tables", "EDGE_COLUMNS", "DATA_COLUMNS", "DATA_EXTRA_COLUMNS"]

EDGE_COLUMNS = ("source", "kind", "target", "reason")
DATA_COLUMNS = ("measure_id", "date", "value")
# optional after the three: the denominator of a proportion or rate, and the reason for a
# rebase starting at that point (docs/spc.md)
DATA_EXTRA_COLUMNS = ("denominator", "rebase")
_SKIP = {"provenance", "data"}

_EXAMPLES = {
    "description": "Free text",
    "target": "20", "deadline": "2027-03-31", "start_date": "2025-01-06",
    "end_date": "2026-03-31", "date": "2025-10-01", "method": "Model for Improvement",
    "aim": "Reduce falls by 30% by March 2026", "unit_of_measure": "per 1,000 bed days",
    "rating": "moderate", "reference": "NG161", "publisher": "NICE", "channel": "survey",
    "email": "name@nhs.net", "progress_recorded": "2.5",
}


# (id, label) examples per kind, for the docs and the template notes.
_KIND_EXAMPLES = {
    "Purpose": ("PUR-1", "Why we exist"), "Mission": ("purpose", "Healthier lives for all"),
    "Vision": ("vision", "Outstanding care, close to home"),
    "Value": ("VAL-KIND", "Kindness"), "PopulationNeed": ("PN-AGEING", "An ageing population"),
    "StrategicGoal": ("G1", "Reduce avoidable harm"),
    "Objective": ("O1-FALLS", "Fewer falls with harm"), "Service": ("SVC-ED", "Emergency care"),
    "Process": ("PR-DISCHARGE", "Discharge planning"),
    "Measure": ("M-FALLS", "Falls per 1,000 bed days"),
    "ImprovementProject": ("QI-001", "Safer care on Ward 7"),
    "PrimaryDriver": ("PD-1", "Reliable risk assessment"),
    "SecondaryDriver": ("SD-1", "Assessment within 24 hours"),
    "ChangeIdea": ("CI-1", "Falls sticker on admission"),
    "PDSACycle": ("PDSA-1", "Test the sticker on one bay"),
    "AssuranceActivity": ("AA-1", "Quarterly falls review"),
    "Audit": ("AUD-FALLS", "Annual falls audit"), "Inspection": ("INSP-1", "CQC inspection"),
    "Review": ("REV-1", "Mortality review"), "Standard": ("NG161", "NICE NG161"),
    "Risk": ("RISK-12", "Ward staffing below plan"),
    "Incident": ("INC-2044", "Fall with fractured hip"),
    "FeedbackSource": ("FB-FFT", "Friends and Family Test"),
    "Enabler": ("EN-QI", "QI training programme"),
    "OrganisationalUnit": ("OU-1", "Quality directorate"),
    "HealthSystem": ("HS-NORTH", "Northvale ICS"), "Organisation": ("ORG-NHB", "Health board"),
    "Directorate": ("DIR-MED", "Medicine"), "Team": ("T-W7", "Ward 7"),
    "Person": ("p-jones", "Dr Jones"), "Role": ("ROLE-LEAD", "Team leader"),
}


@dataclass(frozen=True)
class Column:
    """One column of a register: a field of the kind, or a relation to other nodes."""

    name: str
    type: str                      # text, number, date, id, ids, or "list of values"
    allowed: tuple[str, ...] = ()  # named values (drop-down in the template)
    required: bool = False
    multi: bool = False            # several values separated by ';'
    relation: str | None = None    # edge kind, for relation columns
    incoming: bool = False         # a reverse column: the ids listed point at this node
    help: str = ""
    example: str = ""
    default: str = ""


def _unwrap(annotation: typing.Any) -> tuple[typing.Any, bool]:
    """Strip ``| None``; return (inner annotation, optional?)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _describe(annotation: typing.Any) -> tuple[str, tuple[str, ...], bool]:
    inner, _ = _unwrap(annotation)
    origin = typing.get_origin(inner)
    if origin is list:
        (item,) = typing.get_args(inner)
        _, allowed, _ = _describe(item)
        return "list of values", allowed, True
    if origin is typing.Literal:
        return "text", tuple(str(a) for a in typing.get_args(inner)), False
    if inner is float or inner is int:
        return "number", (), False
    if inner is dt.date:
        return "date", (), False
    return "text", (), False


@cache
def columns(kind: str) -> tuple[Column, ...]:
    """Every column a register of ``kind`` may have, in template order."""
    cls = NODE_CLASSES[kind]
    out: list[Column] = []
    for name, f in cls.model_fields.items():
        if name in _SKIP:
            continue
        typ, allowed, multi = _describe(f.annotation)
        if name == "id":
            typ = "id"
        example = _EXAMPLES.get(name, allowed[0] if allowed else "")
        if name in ("id", "label") and kind in _KIND_EXAMPLES:
            example = _KIND_EXAMPLES[kind][name == "label"]
        if multi and len(allowed) > 1:
            example = ";".join(allowed[:2])
        default = None if f.is_required() or f.default_factory is not None else f.default
        help_ = f.description or ""
        if default not in (None, [], ()) and not callable(default):
            help_ = (help_ + " " if help_ else "") + f"Default: {default}."
        if name == "id":
            help_ = "Unique: letters, digits and _ . : - (at most 128)."
        shown_default = str(default) if default not in (None, [], ()) and not callable(
            default) else ""
        out.append(Column(name, typ, allowed, f.is_required(), multi, help=help_.strip(),
                          example=example, default=shown_default))
    for e in schema.EDGE_KINDS.values():
        if any(schema.is_a(kind, d) for d in e.domain):
            names = [a for a, k in schema.ALIAS_COLUMNS.items() if k == e.name] or [e.name]
            for n in names:
                out.append(Column(n, "ids", multi=True, relation=e.name,
                                  help=f"{e.definition} Ids of {', '.join(e.range)}.",
                                  example=""))
    for e in schema.EDGE_KINDS.values():
        if e.reverse and any(schema.is_a(kind, r) for r in e.range):
            out.append(Column(e.reverse, "ids", multi=True, relation=e.name, incoming=True,
                              help=f"Ids of the {' or '.join(e.domain)} that "
                                   f"{e.label} this one.", example=""))
    return tuple(out)


@cache
def column_names(kind: str) -> tuple[str, ...]:
    return (*(c.name for c in columns(kind)), "kind")


def _norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip()).lower()


@cache
def _all_names() -> dict[str, str]:
    names: dict[str, str] = {"kind": "kind"}
    for kind in NODE_CLASSES:
        for c in columns(kind):
            names.setdefault(_norm(c.name), c.name)
    for n in schema.EDGE_KINDS:
        names.setdefault(_norm(n), n)
    for n in (*EDGE_COLUMNS, *DATA_COLUMNS, *DATA_EXTRA_COLUMNS):
        names.setdefault(_norm(n), n)
    return names


def canonical_header(name: str) -> str:
    """The column name as the loader knows it: ``Start date`` -> ``start_date``,
    ``Label`` -> ``label``, ``contributesto`` -> ``contributesTo``. Unknown names are
    returned stripped, for the error message to name."""
    return _all_names().get(_norm(name), name.strip())


# RDF local names (docs/rdf-mapping.md) that authors copy from the ontology guide.
_RDF_NAMES = {local: field for field, (_, _, local) in schema.ATTRIBUTES.items()
              if local != field}


def unknown_column_message(column: str, kind: str, fields_only: bool = False) -> str:
    """Which columns a ``kind`` register allows (``fields_only``: which fields a node of
    the kind has, without the relation columns), with a suggestion for ``column``."""
    allowed = ([c.name for c in columns(kind) if not c.relation] if fields_only
               else list(column_names(kind)))
    what = "field" if fields_only else "column"
    hint = ""
    if column in _RDF_NAMES and _RDF_NAMES[column] in allowed:
        hint = f" ('{column}' is the RDF name: the {what} is '{_RDF_NAMES[column]}')"
    else:
        close = difflib.get_close_matches(_norm(column), [_norm(a) for a in allowed], n=1)
        if close:
            hint = f" (did you mean '{_all_names().get(close[0], close[0])}'?)"
    return (f"unknown {what} '{column}' for {kind}{hint}; allowed: "
            f"{', '.join(allowed)} (docs/formats.md lists each)")


def markdown_tables() -> str:
    """The per-kind column tables of docs/formats.md (generated; a test compares)."""
    lines: list[str] = []
    for kind in NODE_CLASSES:
        lines += [f"### {kind}", "", "| column | type | allowed values | example |",
                  "|---|---|---|---|"]
        for c in columns(kind):
            typ = c.type + (" (required)" if c.required else "")
            if c.default:
                typ += f", default `{c.default}`"
            if c.relation:
                typ = ("ids, incoming " if c.incoming else "ids, ") + f"`{c.relation}`"
            allowed = ", ".join(f"`{a}`" for a in c.allowed)
            if c.multi and c.allowed:
                allowed += " (several: `;`)"
            elif c.relation:
                e = schema.EDGE_KINDS[c.relation]
                ends = e.domain if c.incoming else e.range
                allowed = f"ids of {', '.join(ends)} (several: `;`)"
            ex = f"`{c.example}`" if c.example else ""
            lines.append(f"| `{c.name}` | {typ} | {allowed} | {ex} |")
        lines.append("")
    return "\n".join(lines)
