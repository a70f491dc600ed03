"""Thresholds of the alignment rules and how to read them from TOML.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import ValidationError

Severity = Literal["error", "warning", "info"]


SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


class AlignmentConfig(BaseModel):
    """Thresholds of the rules. Load from TOML with :func:`load_config`; docs/alignment.md."""

    model_config = ConfigDict(extra="forbid")

    max_active_goals: int = Field(6, ge=1, description=(
        "More active strategic goals than this under one purpose is 'too many priorities'."))
    stale_periods: int = Field(3, ge=1, description=(
        "A measure whose latest data point is more than this many months before the "
        "reference date is stale."))
    as_of: dt.date | None = Field(None, description=(
        "Reference date for staleness; default: the latest data point of any measure."))
    concern_window: int = Field(6, ge=1, description=(
        "A measure shows special-cause concern when one of its last N points does."))
    work_statuses: list[str] = Field(["proposed", "active", "paused"], description=(
        "Project statuses that count as live work for the alignment rules."))
    duplicate_statuses: list[str] = Field(["active"], description=(
        "Project statuses that count for duplicated effort."))
    duplicate_min_units: int = Field(2, ge=2, description=(
        "Projects from at least this many different leading units improving one measure "
        "is duplicated effort."))
    assurance_heavy_min: int = Field(3, ge=1, description=(
        "A unit (with the units below it) is assurance-heavy when it does at least this "
        "many assurance items and more than planning, control and improvement together."))
    planning_levels: list[str] = Field(["HealthSystem", "Organisation", "Directorate"],
                                       description=(
        "Unit kinds expected to do quality planning (unit-without-planning)."))
    disabled_rules: list[str] = Field(default_factory=list, description=(
        "Rules not to run, e.g. ['unbalanced-unit']."))
    severities: dict[str, Severity] = Field(default_factory=dict, description=(
        "Override a rule's severity, e.g. {'measure-without-owner': 'error', "
        "'locally-aligned': 'warning'}."))

    @model_validator(mode="after")
    def _known_rules(self) -> AlignmentConfig:
        from .results import RULES  # results imports this module

        unknown = sorted({*self.severities, *self.disabled_rules} - set(RULES))
        if unknown:
            raise ValueError(f"unknown rule(s) {', '.join(map(repr, unknown))}; the rules "
                             f"are: {', '.join(RULES)}")
        return self


def load_config(path: str | Path | None) -> AlignmentConfig:
    """Read ``[alignment]`` from a TOML file (or the whole file if it has no such table)."""
    if path is None:
        return AlignmentConfig()
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ValidationError(f"cannot read configuration: {err}", location=str(p)) from None
    data = data.get("alignment", data)
    try:
        return AlignmentConfig.model_validate(data)
    except Exception as err:
        raise ValidationError(f"bad configuration: {err}", location=str(p)) from None
