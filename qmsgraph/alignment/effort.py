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
from .index import ASPECTS, _own_balance, _roll_up, index_of

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


def effort(graph: QMSGraph, config: AlignmentConfig | None, fields: Fields) -> Effort:
    """The balance of effort by cadence of every unit (with the units below it) and of each
    level; ``fields`` reads node fields in bulk (:meth:`Store.node_fields`)."""
    cfg = config or AlignmentConfig()
    ix = index_of(graph)
    n = len(ix.ids)
    weight = np.ones(n, dtype=np.float64)
    missing = np.zeros(n, dtype=np.float64)
    for kind in CADENCED:
        for nid, row in fields(kind, ("frequency",)).items():
            pos = ix.pos.get(nid)
            if pos is None:
                continue
            freq = row.get("frequency")
            if freq is None and schema.is_a(graph.kind(nid), "Measure"):
                freq = "monthly"
            if freq is None:
                missing[pos] = 1
            else:
                weight[pos] = PER_YEAR.get(freq, 1)
    own_items = _own_balance(ix, cfg)
    own_year = _own_balance(ix, cfg, weight)
    own_missing = _own_balance(ix, cfg, missing).sum(axis=1)
    units, items = _roll_up(graph, ix, own_items)
    _, per_year = _roll_up(graph, ix, own_year)
    _, no_cad = _roll_up(graph, ix, own_missing[:, None])
    rows = []
    levels: dict[str, list[int]] = {}
    for u in units.tolist():
        uid = ix.ids[u]
        kind = graph.kind(uid)
        level = level_of(kind)
        levels.setdefault(level, []).append(u)
        rows.append(UnitEffort(unit=uid, label=graph.label(uid), kind=kind, level=level,
                               no_cadence=int(no_cad[u, 0]),
                               **_figures(items[u], per_year[u])))
    rows.sort(key=lambda r: r.unit)
    out_levels = [LevelEffort(level=lv, units=len(levels[lv]),
                              **_figures(own_items[levels[lv]].sum(axis=0),
                                         own_year[levels[lv]].sum(axis=0)))
                  for lv in LEVEL_ORDER if lv in levels]
    return Effort(units=rows, levels=out_levels, weights=dict(PER_YEAR),
                  no_cadence=int(own_missing[units].sum()), note=(
        "Occasions a year: each item weighted by its cadence (daily 365, weekly 52, monthly "
        "12, quarterly 4, yearly 1, ad hoc 1); services and projects count once, as do "
        "items with no cadence recorded (no_cadence). Units include the units below them; "
        "levels add up each unit's own items."))
