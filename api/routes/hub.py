"""The QI hub: each project's progress from the evidence, and the portfolio."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from qmsgraph.alignment.hub import Portfolio, csv_rows
from qmsgraph.alignment.progress import ProjectProgress

from ..auth import Principal, require_role
from ..deps import AUTH_ERRORS, INVALID, NOT_FOUND, IdPath
from ..state import AppState, state
from .alignment import _answer

router = APIRouter(tags=["alignment"], responses=AUTH_ERRORS)
Viewer = Annotated[Principal, Depends(require_role("viewer"))]
State = Annotated[AppState, Depends(state)]
Status = Literal["proposed", "active", "paused", "completed", "stopped"]


@router.get("/projects/{project_id}/progress", response_model=ProjectProgress,
            summary="A project's progress from the evidence (IHI 0.5-5)",
            responses={**NOT_FOUND, **INVALID})
def progress(st: State, _: Viewer,
             project_id: Annotated[str, Path(description="A project's id.", **IdPath)]
             ) -> ProjectProgress:
    """The project's level on the IHI Model for Improvement assessment scale derived from
    the graph (aim and measure with a target, baseline data, PDSA cycles, adopted change
    ideas, SPC improvement after them, sustained, spread), each level's evidence, what
    would move it up, and whether the level the team recorded is supported."""
    return st.store.progress(project_id)[project_id]


@router.get("/portfolio", response_model=Portfolio, summary="The QI portfolio",
            responses={**NOT_FOUND, **INVALID, 200: {"content": {"text/csv": {}}}})
def portfolio(st: State, _: Viewer,
              goal: Annotated[str | None, Query(max_length=128, description=(
                  "Only projects whose thread reaches this goal."))] = None,
              unit: Annotated[str | None, Query(max_length=128, description=(
                  "Only projects led by this unit or a unit below it."))] = None,
              status: Annotated[Status | None, Query(description=(
                  "Only projects with this status."))] = None,
              format: Annotated[Literal["json", "csv"], Query(description=(  # noqa: A002
                  "json (default) or csv (one row per project, for a spreadsheet)."))]
              = "json") -> Response:
    """One row per project: its units, status, progress level and evidence, measure family
    (outcome / process / balancing present), alignment verdict and overlaps (duplicated
    effort); totals per goal (with the goals whose measures are of one type only) and per
    unit (with the units below it). Computed once per store revision and filter."""
    def compute() -> bytes:
        p = st.store.portfolio(goal=goal, unit=unit, status=status, config=st.config)
        if format == "json":
            return p.model_dump_json().encode()
        from qmsgraph.io.safe import csv_row

        buf = io.StringIO()
        w = csv.writer(buf)
        for row in csv_rows(p):
            w.writerow(csv_row(row))
        return buf.getvalue().encode("utf-8")

    if format == "csv":
        with st.store.snapshot():
            body = st.answers.get(("portfolio", goal, unit, status, "csv"),
                                  st.store.revision(), compute)
        return Response(body, media_type="text/csv; charset=utf-8")
    return _answer(st, ("portfolio", goal, unit, status, "json"), compute)
