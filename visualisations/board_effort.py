"""The Board page's "balance of effort" section: each level's share of the four QMS aspects,
by cadence (:mod:`qmsgraph.alignment.effort`), and the units a balance rule names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qmsgraph.alignment.index import ASPECTS

ASPECT_NAMES = {"QP": "Planning", "QC": "Control", "QA": "Assurance", "QI": "Improvement"}
BALANCE_RULES = ("unbalanced-unit", "assurance-heavy-unit", "unit-without-planning")


def effort_section(effort: Any, report: Any, link: Callable[[str], str]
                   ) -> dict[str, Any] | None:
    """What ``effort.html`` shows, or None without an effort answer."""
    if effort is None:
        return None
    levels = [{"level": lv.level, "units": lv.units,
               "cells": [{"aspect": ASPECT_NAMES[a], "count": lv.items[a],
                          "per_year": lv.per_year[a], "share": lv.share[a]}
                         for a in ASPECTS]} for lv in effort.levels]
    flagged = [{"id": f.node, "label": f.label, "rule": f.rule, "message": f.message,
                "href": link(f.node)}
               for f in report.findings if f.rule in BALANCE_RULES]
    return {"levels": levels, "aspects": [ASPECT_NAMES[a] for a in ASPECTS],
            "flagged": flagged, "note": effort.note, "no_cadence": effort.no_cadence}
