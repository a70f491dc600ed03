"""Response models of the SPC routes for the charts beyond XmR (run, I, P, U, C, G, T, P', U'),
and the annotations and rebase prompt every chart of a measure carries."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from qmsgraph.spc.annotate import ANNOTATION_KINDS

AnnotationKind = Literal[tuple(ANNOTATION_KINDS)]  # type: ignore[valid-type]
QIChart = Literal["run", "i", "p", "u", "c", "g", "t", "pp", "up"]


class AnnotationOut(BaseModel):
    """A dated mark from the improvement work on the measure, or a rebase."""

    date: dt.date
    kind: AnnotationKind
    kind_label: str
    label: str
    node: str | None = Field(description="The node it links to (none for a rebase).")


class RebasePromptOut(BaseModel):
    """A proposed rebase, never applied: ``proposed`` only when a recorded change (PDSA cycle
    or change idea on the measure's thread) is dated before the sustained shift."""

    proposed: bool
    date: dt.date
    direction: Literal["above", "below"]
    length: int
    change: AnnotationOut | None
    message: str


class QIOptionsOut(BaseModel):
    chart: QIChart
    freeze: int | None
    part: list[int]
    exclude: list[int]
    multiply: float
    cl: float | None
    rules: Literal["anhoej", "bestbox", "cutbox", "ihi"]
    screen_mr: bool


class QIPointOut(BaseModel):
    x: dt.date | int
    y: float | None
    n: float | None
    cl: float | None
    lcl: float | None
    ucl: float | None
    lcl_95: float | None
    ucl_95: float | None
    sigma_signal: bool
    part: int
    baseline: bool
    include: bool


class IHIOut(BaseModel):
    shifts: list[list[int]]
    trends: list[list[int]]
    n_runs: int | None
    runs_low: int | None
    runs_high: int | None
    too_few_runs: bool
    too_many_runs: bool
    signal: bool


class QIPartOut(BaseModel):
    part: int
    n_obs: int
    n_useful: int
    longest_run: int | None
    longest_run_max: int | None
    n_crossings: int | None
    n_crossings_min: int | None
    runs_signal: bool
    ihi: IHIOut | None = None


class QIChartOut(BaseModel):
    """A run chart or a qicharts2-style control chart of a measure."""

    measure: str
    label: str
    unit_of_measure: str | None = None
    chart_type: QIChart
    chart_label: str
    options: QIOptionsOut
    variation_icon: str | None = Field(description="None for a run chart.")
    assurance_icon: str | None = Field(description="Only for a control chart with a target.")
    signals: list[str] = Field(description="Plain-words sentences about the latest part.")
    warnings: list[str]
    points: list[QIPointOut]
    parts: list[QIPartOut]
    annotations: list[AnnotationOut]
    rebase_prompt: RebasePromptOut | None
