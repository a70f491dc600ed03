"""Alignment questions, answered by the store (so a server store can run them on the server)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query

from qmsgraph.alignment import (
    Contributors,
    Impact,
    ProjectCheck,
    ProjectProposal,
    ThreadResult,
    XMatrix,
)

from ..auth import Principal, require_role
from ..deps import AUTH_ERRORS, INVALID, NOT_FOUND, IdPath
from ..filters import unit_scope
from ..schemas import AuditOut, BalanceRow, RuleId, ScoresOut, Severity
from ..state import AppState, state

router = APIRouter(tags=["alignment"], responses=AUTH_ERRORS)
Viewer = Annotated[Principal, Depends(require_role("viewer"))]
State = Annotated[AppState, Depends(state)]
NodeId = Annotated[str, Path(description="A node's id.", **IdPath)]
PROPOSAL = {"falls": {"summary": "A ward's falls project", "value": {
    "label": "Reduce falls on Ward 9", "aim": "Reduce inpatient falls on Ward 9 by 30% by "
    "March 2027", "unit": "ward-9", "measures": ["M1"], "processes": ["PR-falls"],
    "declared_priority": "G1", "sponsor": "dr-a", "tier": "project"}}}


@router.get("/alignment/audit", response_model=AuditOut, summary="Audit the whole portfolio",
            responses={**NOT_FOUND, **INVALID})
def audit(st: State, _: Viewer,
          rule: Annotated[RuleId | None, Query(description="Only this rule.")]  # type: ignore[valid-type]
          = None,
          severity: Annotated[Severity | None, Query(description=(
              "Only findings this severe or worse (error < warning < info)."))] = None,
          unit: Annotated[str | None, Query(max_length=128, description=(
              "Only findings on this unit, the units below it, and the work they own, "
              "lead, deliver or monitor."))] = None) -> dict[str, Any]:
    """Every alignment finding, each with its rule, severity, node, message and evidence."""
    with st.store.snapshot():  # the findings and the unit's scope of one revision
        report = st.store.audit(st.config)
        nodes = None
        if unit:
            units, linked = unit_scope(st.store.view(), unit)
            nodes = units | linked
    findings = report.filter(rule, severity, nodes)
    classification = report.classification if nodes is None else {
        k: v for k, v in report.classification.items() if k in nodes}
    return {"summary": report.summary(), "total": len(findings), "findings": findings,
            "classification": classification, "as_of": report.as_of}


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
def xmatrix(st: State, _: Viewer) -> XMatrix:
    """Goals against live projects and against measures, with the gaps."""
    return st.store.matrix(st.config)


@router.get("/alignment/balance", response_model=dict[str, BalanceRow],
            summary="QP/QC/QA/QI activity per unit")
def unit_balance(st: State, _: Viewer) -> dict[str, dict[str, int]]:
    """For each unit (with the units below it), how much it does in each QMS aspect."""
    return st.store.balance(st.config)


@router.get("/alignment/scores", response_model=ScoresOut, summary="Alignment scores")
def alignment_scores(st: State, _: Viewer) -> dict[str, Any]:
    """Per unit and overall: 100 x aligned work items / work items."""
    return st.store.scores(st.config)


@router.get("/alignment/impact/{node_id}", response_model=Impact,
            summary="What loses support if a node stops", responses={**NOT_FOUND, **INVALID})
def impact(st: State, _: Viewer, node_id: NodeId) -> Impact:
    return st.store.impact(node_id)


@router.post("/check-project", response_model=ProjectCheck, tags=["alignment"],
             summary="Check a proposed project against the strategic priorities",
             responses=INVALID)
def check_project(st: State, _: Viewer,
                  proposal: Annotated[ProjectProposal, Body(openapi_examples=PROPOSAL)]
                  ) -> ProjectCheck:
    """Verdict (aligned, weak, misaligned, orphaned), the thread it would have, where else it
    could align, active projects it would duplicate, and what it lacks. Writes nothing."""
    return st.store.check_project(proposal, st.config)
