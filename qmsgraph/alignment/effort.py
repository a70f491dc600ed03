"""Balance of effort by cadence, per unit and per level, Board to floor.

The QMS frameworks describe the four aspects at different rhythms: planning yearly, control
daily, assurance periodically, improvement in bursts (NHS Wales; ELFT's "balance of
effort"). :func:`balance` counts *items* per aspect; this module weighs each item by how
often it happens - its recorded ``frequency`` (cadence) as occasions a year - and compares
the levels of the organisation: the Board (health system, organisation), middle management
(directorates) and the microsystem (teams).

Weights: daily 365, weekly 52, monthly 12, quarterly 4, yearly 1, ad hoc 1. Items whose kind
has a cadence field (processes, measures, assurance activities, tools) but none recorded
count once a year and are counted in ``no_cadence``, so the answer says what is missing to
make it better; a measure with no ``frequency`` is monthly (the model's default). Services
delivered and improvement projects led have no cadence: each counts once (a project is a
burst of work, not a routine).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from .. import schema
from ..graph import QMSGraph
from .config import AlignmentConfig
from .index import ASPECTS, UNIT_CODES, _own_balance, index_of

PER_YEAR: dict[str, float] = {"daily": 365, "weekly": 52, "monthly": 12, "quarterly": 4,
                              "yearly": 1, "ad-hoc": 1}
CADENCED = ("Process", "Measure", "AssuranceActivity", "Tool")
LEVELS: dict[str, str] = {"HealthSystem": "Board", "Organisation": "Board",
                          "Directorate": "middle management", "Team": "microsystem",
                          "OrganisationalUnit": "other units"}
LEVEL_ORDER = ("Board", "middle management", "microsystem", "other units")

Fields = Callable[[str, tuple[str, ...]], dict[str, dict[str, Any]]]


class AspectFigures(BaseModel):
    """Items and occasions a year in each QMS aspect (QP, QC, QA, QI), with shares."""

    items: dict[str, int]
    per_year: dict[str, float]
    share: dict[str, float | None] = Field(description=(
        "Percentage of the occasions a year in each aspect (null when there are none)."))


class UnitEffort(AspectFigures):
    unit: str
    label: str
    kind: str
    level: str
    no_cadence: int = Field(description=(
        "Items counted that could carry a cadence but record none (counted once a year)."))


class LevelEffort(AspectFigures):
    """A level's own items (each unit's, not the units below it again)."""

    level: str
    units: int


class Effort(BaseModel):
    units: list[UnitEffort]
    levels: list[LevelEffort]
    no_cadence: int = Field(description=(
        "Items of every unit that could carry a cadence but record none."))
    weights: dict[str, float]
    note: str


def _figures(items: np.ndarray, per_year: np.ndarray) -> dict[str, Any]:
    total = float(per_year.sum())
    return {"items": dict(zip(ASPECTS, map(int, items), strict=True)),
            "per_year": {a: round(float(v), 1) for a, v in zip(ASPECTS, per_year, strict=True)},
            "share": {a: (round(100 * float(v) / total, 1) if total else None)
                      for a, v in zip(ASPECTS, per_year, strict=True)}}


def level_of(kind: str) -> str:
    """Board, middle management, microsystem or other units, from a unit's kind."""
    for k in (kind, *schema.ancestors(kind)):
        if k in LEVELS:
            return LEVELS[k]
    return "other units"


class OwnRow(BaseModel):
    """One unit's own items (not the units below it), as a store reads them."""

    unit: str
    label: str
    kind: str
    parents: list[str]
    items: list[int]
    per_year: list[float]
    no_cadence: int


def weight_of(kind: str, frequency: str | None) -> tuple[float, bool]:
    """(occasions a year, whether the cadence is missing) of an item of ``kind``."""
    if frequency is None and schema.is_a(kind, "Measure"):
        frequency = "monthly"  # the model's default
    if frequency is None:
        return 1.0, any(schema.is_a(kind, k) for k in CADENCED)
    return PER_YEAR.get(frequency, 1.0), False


def effort(graph: QMSGraph, config: AlignmentConfig | None, fields: Fields) -> Effort:
    """The balance of effort by cadence of every unit (with the units below it) and of each
    level, from the array index; ``fields`` reads node fields in bulk
    (:meth:`Store.node_fields`)."""
    cfg = config or AlignmentConfig()
    ix = index_of(graph)
    n = len(ix.ids)
    weight = np.ones(n, dtype=np.float64)
    missing = np.zeros(n, dtype=np.float64)
    for kind in CADENCED:
        for nid, row in fields(kind, ("frequency",)).items():
            pos = ix.pos.get(nid)
            if pos is not None:
                weight[pos], miss = weight_of(graph.kind(nid), row.get("frequency"))
                missing[pos] = float(miss)
    own_items = _own_balance(ix, cfg)
    own_year = _own_balance(ix, cfg, weight)
    own_missing = _own_balance(ix, cfg, missing).sum(axis=1)
    units = np.flatnonzero(np.isin(ix.kind, UNIT_CODES))
    parents: dict[int, list[str]] = {}
    cs, ps = ix.edges["unitOf"]
    for c, p in zip(cs.tolist(), ps.tolist(), strict=True):
        parents.setdefault(c, []).append(ix.ids[p])
    return from_own([OwnRow(unit=ix.ids[u], label=graph.label(ix.ids[u]),
                            kind=graph.kind(ix.ids[u]), parents=parents.get(u, []),
                            items=own_items[u].tolist(), per_year=own_year[u].tolist(),
                            no_cadence=int(own_missing[u])) for u in units.tolist()])


def from_own(rows: list[OwnRow]) -> Effort:
    """Every unit with the distinct units at or below it (``unitOf``), and each level's own
    items: what every store answers from its own rows."""
    by_id = {r.unit: r for r in rows}
    children: dict[str, list[str]] = {}
    for r in rows:
        for p in r.parents:
            if p in by_id:
                children.setdefault(p, []).append(r.unit)
    units_out = []
    levels: dict[str, list[OwnRow]] = {}
    for r in rows:
        below, stack = {r.unit}, [r.unit]
        while stack:  # the units at or below it, each once (cycles and shared parents too)
            for c in children.get(stack.pop(), ()):
                if c not in below:
                    below.add(c)
                    stack.append(c)
        mine = [by_id[u] for u in below]
        level = level_of(r.kind)
        levels.setdefault(level, []).append(r)
        units_out.append(UnitEffort(
            unit=r.unit, label=r.label, kind=r.kind, level=level,
            no_cadence=sum(m.no_cadence for m in mine),
            **_figures(np.sum([m.items for m in mine], axis=0),
                       np.sum([m.per_year for m in mine], axis=0))))
    units_out.sort(key=lambda u: u.unit)
    out_levels = [LevelEffort(level=lv, units=len(levels[lv]),
                              **_figures(np.sum([m.items for m in levels[lv]], axis=0),
                                         np.sum([m.per_year for m in levels[lv]], axis=0)))
                  for lv in LEVEL_ORDER if lv in levels]
    return Effort(units=units_out, levels=out_levels, weights=dict(PER_YEAR),
                  no_cadence=sum(r.no_cadence for r in rows), note=(
        "Occasions a year: each item weighted by its cadence (daily 365, weekly 52, monthly "
        "12, quarterly 4, yearly 1, ad hoc 1); services and projects count once, as do "
        "items with no cadence recorded (no_cadence). Units include the units below them; "
        "levels add up each unit's own items."))
