"""Alignment questions, answered by the store (so a server store can run them on the server)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Response
from pydantic import TypeAdapter

from qmsgraph.alignment import (
    SEVERITY_ORDER,
    Contributors,
    Impact,
    ProjectCheck,
    ProjectProposal,
    ThreadResult,
    XMatrix,
)
from qmsgraph.alignment.effort import Effort

from ..auth import Principal, require_role
from ..caching import page
from ..deps import AUTH_ERRORS, INVALID, NOT_FOUND, IdPath
from ..schemas import AlignmentAuditOut, BalanceRow, RuleId, ScoresOut, Severity
from ..state import AppState, state

router = APIRouter(tags=["alignment"], responses=AUTH_ERRORS)
Viewer = Annotated[Principal, Depends(require_role("viewer"))]
State = Annotated[AppState, Depends(state)]
NodeId = Annotated[str, Path(description="A node's id.", **IdPath)]
PROPOSAL = {"falls": {"summary": "A ward's falls project", "value": {
    "label": "Reduce falls on Ward 9", "aim": "Reduce inpatient falls on Ward 9 by 30% by "
    "March 2027", "unit": "ward-9", "measures": ["M1"], "processes": ["PR-falls"],
    "declared_priority": "G1", "sponsor": "dr-a", "tier": "project"}}}


@router.get("/alignment/audit", response_model=AlignmentAuditOut,
            summary="Audit the whole portfolio", responses={**NOT_FOUND, **INVALID})
def audit(st: State, _: Viewer,
          rule: Annotated[RuleId | None, Query(description="Only this rule.")]  # type: ignore[valid-type]
          = None,
          severity: Annotated[Severity | None, Query(description=(
              "Only findings this severe or worse (error < warning < info)."))] = None,
          unit: Annotated[str | None, Query(max_length=128, description=(
              "Only findings on this unit, the units below it, and the work they own, "
              "lead, deliver or monitor."))] = None,
          goal: Annotated[str | None, Query(max_length=128, description=(
              "Only findings on this goal (or objective) and the work that contributes "
              "to it."))] = None,
          limit: Annotated[int | None, Query(ge=1, le=10_000, description=(
              "Page size (default: every finding). Findings are sorted by severity, rule, "
              "node and message; follow `next_cursor` for the next page."))] = None,
          cursor: Annotated[str | None, Query(max_length=2000, description=(
              "`next_cursor` of the previous page."))] = None,
          classification: Annotated[bool | None, Query(description=(
              "Include `classification` (every live project's verdict: large for a big "
              "portfolio). Default: yes without `limit`, no with it."))] = None) -> Response:
    """Every alignment finding, each with its rule, severity, node, message and evidence.
    Computed once per store revision and kept: asking again before the next change costs
    a look-up (and `If-None-Match` with the last `ETag` gives 304)."""
    def compute() -> bytes:
        report = st.store.audit(st.config)
        nodes: set[str] | None = None
        if unit:
            units, linked = st.store.unit_scope(unit)
            nodes = units | linked
        if goal:
            found = st.store.contributors(goal)
            scope = {goal} | {c.node for group in (found.projects, found.processes,
                                                   found.measures, found.units, found.other)
                              for c in group}
            nodes = scope if nodes is None else nodes & scope
        findings = report.filter(rule, severity, nodes)
        chosen, next_cursor = page(findings, _finding_key, limit, cursor)
        verdicts: dict[str, Any] = {}
        if classification if classification is not None else limit is None:
            verdicts = report.classification if nodes is None else {
                k: v for k, v in report.classification.items() if k in nodes}
        return AlignmentAuditOut(
            summary=report.summary(), total=len(findings), findings=chosen,
            classification=verdicts, as_of=report.as_of,
            next_cursor=next_cursor).model_dump_json().encode()

    return _answer(st, ("audit", rule, severity, unit, goal, limit, cursor, classification),
                   compute)


def _finding_key(f: Any) -> tuple[int, str, str, str]:
    """The report's own order (severity, rule, node), the message telling ties apart."""
    return (SEVERITY_ORDER[f.severity], f.rule, f.node, f.message)


def _answer(st: AppState, key: tuple[Any, ...], compute: Any) -> Response:
    """The answer for this store revision: from memory, or computed once (all of it
    from one snapshot of the store)."""
    with st.store.snapshot():
        body = st.answers.get(key, st.store.revision(), compute)
    return Response(body, media_type="application/json")


@router.get("/alignment/thread/{node_id}", response_model=ThreadResult,
            summary="The golden thread of a node", responses={**NOT_FOUND, **INVALID})
def thread(st: State, _: Viewer, node_id: NodeId) -> ThreadResult:
    """The shortest typed path from the node to each goal it reaches (up to the purpose),
    or where the thread breaks."""
    return st.store.thread(node_id)


@router.get("/alignment/goals/{goal_id}/contributors", response_model=Contributors,
            summary="The work that contributes to a goal", responses={**NOT_FOUND, **INVALID})
def contributors(st: State, _: Viewer,
                 goal_id: Annotated[str, Path(description="A goal's or objective's id.",
                                              **IdPath)]) -> Contributors:
    return st.store.contributors(goal_id)


@router.get("/alignment/matrix", response_model=XMatrix, summary="The X-matrix")
def xmatrix(st: State, _: Viewer) -> Response:
    """Goals against live projects and against measures, with the gaps. (Computed once
    per store revision.)"""
    return _answer(st, ("matrix",),
                   lambda: st.store.matrix(st.config).model_dump_json().encode())


@router.get("/alignment/balance", response_model=dict[str, BalanceRow],
            summary="QP/QC/QA/QI activity per unit")
def unit_balance(st: State, _: Viewer) -> Response:
    """For each unit (with the units below it), how much it does in each QMS aspect.
    (Computed once per store revision.)"""
    return _answer(st, ("balance",), lambda: _BALANCE.dump_json(
        _BALANCE.validate_python(st.store.balance(st.config))))


@router.get("/alignment/effort", response_model=Effort,
            summary="Balance of effort by cadence, per unit and per level")
def unit_effort(st: State, _: Viewer) -> Response:
    """Items and occasions a year in each QMS aspect, each item weighted by its cadence, for
    every unit (with the units below it) and for each level, Board to floor. (Computed once
    per store revision.)"""
    return _answer(st, ("effort",),
                   lambda: st.store.effort(st.config).model_dump_json().encode())


@router.get("/alignment/scores", response_model=ScoresOut, summary="Alignment scores")
def alignment_scores(st: State, _: Viewer) -> Response:
    """Per unit and overall: 100 x aligned work items / work items. (Computed once per
    store revision.)"""
    return _answer(st, ("scores",), lambda: ScoresOut.model_validate(
        st.store.scores(st.config)).model_dump_json().encode())


_BALANCE = TypeAdapter(dict[str, BalanceRow])


@router.get("/alignment/impact/{node_id}", response_model=Impact,
            summary="What loses support if a node stops", responses={**NOT_FOUND, **INVALID})
def impact(st: State, _: Viewer, node_id: NodeId) -> Impact:
    return st.store.impact(node_id)


@router.post("/check-project", response_model=ProjectCheck,
             summary="Check a proposed project against the strategic priorities",
             responses=INVALID)
def check_project(st: State, _: Viewer,
                  proposal: Annotated[ProjectProposal, Body(openapi_examples=PROPOSAL)]
                  ) -> ProjectCheck:
    """Verdict (aligned, weak, misaligned, orphaned), the thread it would have, where else it
    could align, active projects it would duplicate, and what it lacks. Writes nothing."""
    return st.store.check_project(proposal, st.config)
