"""Annotations of a measure's chart from the graph, and rebase prompts backed by evidence.

The improvement work on a measure is found through the thread, downwards: the projects that
``improve`` it (and their sub-projects), their driver diagrams (primary and secondary drivers),
the change ideas on those drivers or improving the measure directly, and the PDSA cycles that
test them. Each dated item becomes an :class:`Annotation`; so does each rebase recorded on the
measure's data (with its reason).

:func:`rebase_prompt` looks for a sustained shift in the latest part of the chart and proposes
a rebase at its start only when a recorded change explains it (a PDSA cycle or change idea
dated on or before the shift and after the current limits began). It never rebases: the Making
Data Count rule is to understand the reason first, so the prompt asks for confirmation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..graph import QMSGraph
from ..model import ChangeIdea, ImprovementProject, Measure, PDSACycle
from .qiresults import QIResult
from .results import SPCResult
from .run import IHI_SHIFT

__all__ = ["ANNOTATION_KINDS", "Annotation", "RebasePrompt", "annotations", "rebase_prompt",
           "sustained_shift"]

ANNOTATION_KINDS: dict[str, str] = {
    "project_start": "Project started",
    "project_end": "Project finished",
    "change_idea": "Change introduced",
    "pdsa": "PDSA cycle",
    "rebase": "Rebased",
}
_FINISHED = ("completed", "stopped")


@dataclass(frozen=True)
class Annotation:
    """A dated mark on a measure's chart, linked to its node (``None`` for a rebase)."""

    date: date
    kind: str
    """One of :data:`ANNOTATION_KINDS`."""
    label: str
    node: str | None

    @property
    def kind_label_lower(self) -> str:
        return {"pdsa": "PDSA cycle", "change_idea": "change idea",
                "project_start": "project start", "project_end": "project end",
                "rebase": "rebase"}[self.kind]

    @property
    def text(self) -> str:
        return f"{ANNOTATION_KINDS[self.kind]}: {self.label}"

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "kind": self.kind,
                "kind_label": ANNOTATION_KINDS[self.kind], "label": self.label,
                "node": self.node}


def _aims_elsewhere(graph: QMSGraph, node: str, measure_id: str) -> bool:
    """A sub-project or change idea that names what it improves, and not this measure."""
    targets = graph.successors(node, "improves")
    return bool(targets) and measure_id not in targets


def _work(graph: QMSGraph, measure_id: str) -> tuple[list[str], list[str]]:
    """(projects, change ideas) improving the measure, found downwards through the thread: the
    projects improving it, their sub-projects and driver diagrams, and the change ideas there or
    improving it directly. Sub-projects and change ideas that name other measures or processes
    as what they improve (and not this one) are left out: a system programme's sub-projects
    each aim at their own measures."""
    projects: list[str] = []
    ideas: list[str] = []
    stack = [s for s in graph.predecessors(measure_id, "improves")
             if isinstance(graph.get(s), ImprovementProject)]
    ideas += [s for s in graph.predecessors(measure_id, "improves")
              if isinstance(graph.get(s), ChangeIdea)]
    while stack:  # projects and their sub-projects
        p = stack.pop()
        if p in projects:
            continue
        projects.append(p)
        stack += [c for c in graph.predecessors(p, "subProjectOf")
                  if not _aims_elsewhere(graph, c, measure_id)]
    drivers: list[str] = []
    stack = [d for p in projects for d in graph.predecessors(p, "drives")]
    while stack:  # primary drivers, then the secondary drivers driving them
        d = stack.pop()
        if d in drivers:
            continue
        drivers.append(d)
        stack += graph.predecessors(d, "drives")
    for d in drivers:
        ideas += [c for c in graph.predecessors(d, "changes")
                  if c not in ideas and not _aims_elsewhere(graph, c, measure_id)]
    return projects, list(dict.fromkeys(ideas))


def annotations(graph: QMSGraph, measure_id: str) -> list[Annotation]:
    """Every dated mark for the measure's chart, in date order."""
    m = graph.node(measure_id)
    out: list[Annotation] = []
    projects, ideas = _work(graph, measure_id)
    for pid in projects:
        p = graph.node(pid)
        assert isinstance(p, ImprovementProject)
        if p.start_date is not None:
            out.append(Annotation(p.start_date, "project_start", p.label, p.id))
        if p.end_date is not None and p.status in _FINISHED:
            out.append(Annotation(p.end_date, "project_end", p.label, p.id))
    for cid in ideas:
        c = graph.node(cid)
        assert isinstance(c, ChangeIdea)
        if c.date is not None:
            out.append(Annotation(c.date, "change_idea", c.label, c.id))
        for sid in graph.predecessors(cid, "tests"):
            s = graph.node(sid)
            if isinstance(s, PDSACycle) and s.date is not None:
                out.append(Annotation(s.date, "pdsa", s.label, s.id))
    if isinstance(m, Measure):
        out += [Annotation(p.date, "rebase", p.rebase, None) for p in m.data if p.rebase]
    order = list(ANNOTATION_KINDS)
    return sorted(out, key=lambda a: (a.date, order.index(a.kind), a.label))


@dataclass(frozen=True)
class RebasePrompt:
    """A proposed rebase, never applied: the shift, the change that may explain it, a question."""

    date: date
    """Where the new centre line and limits would start (the first point of the shift)."""
    direction: str
    """``above`` or ``below`` the centre line."""
    length: int
    change: Annotation | None
    """The recorded change that explains the shift; ``None`` when no cause is recorded."""
    message: str

    @property
    def proposed(self) -> bool:
        return self.change is not None

    def to_dict(self) -> dict[str, Any]:
        return {"proposed": self.proposed, "date": self.date.isoformat(),
                "direction": self.direction, "length": self.length,
                "change": self.change.to_dict() if self.change else None,
                "message": self.message}


def sustained_shift(result: SPCResult | QIResult) -> tuple[date, str, int] | None:
    """The latest sustained shift in the chart's latest group or part: (first date, side,
    length), or None. XmR: the Making Data Count run rule (7 points on one side of the mean).
    Run and qicharts2 charts: a run longer than the Anhøj limit (or 6+ under the IHI rules)."""
    if isinstance(result, SPCResult):
        run: list[Any] = []  # the latest block of run-rule points on one side
        for p in result.points[result.latest_group.start_index:]:
            if not p.part_of_run:
                continue
            prev = run[-1] if run else None
            if prev is None or prev.relative_to_mean != p.relative_to_mean or \
                    result.points[p.index - 1] is not prev:
                run = []
            run.append(p)
        if not run:
            return None
        return run[0].date, "above" if run[0].relative_to_mean > 0 else "below", len(run)
    part = result.latest_part
    limit = IHI_SHIFT - 1 if result.options.rules == "ihi" else (part.longest_run_max or 0)
    qpts = [p for p in result.points if p.part == part.part and p.include]
    signs: list[tuple[Any, int]] = []
    for p in qpts:
        d = (p.y - p.cl) if math.isfinite(p.y) and math.isfinite(p.cl) else math.nan
        if d == d and d != 0:
            signs.append((p.x, 1 if d > 0 else -1))
    qblocks: list[list[tuple[Any, int]]] = []
    for item in signs:
        if not qblocks or qblocks[-1][-1][1] != item[1]:
            qblocks.append([])
        qblocks[-1].append(item)
    long = [b for b in qblocks if len(b) > limit]
    if not long or not isinstance(long[-1][0][0], date):
        return None
    b = long[-1]
    return b[0][0], "above" if b[0][1] > 0 else "below", len(b)


def rebase_prompt(result: SPCResult | QIResult, marks: list[Annotation],
                  group_start: date | None = None) -> RebasePrompt | None:
    """Propose a rebase only where a recorded change explains a sustained shift.

    ``group_start`` is the date the current limits began (the latest rebase); changes before it
    are already reflected in the limits. Returns None when there is no sustained shift, a prompt
    with ``change=None`` (not proposed) when the shift has no recorded cause.
    """
    shift = sustained_shift(result)
    if shift is None:
        return None
    start, side, length = shift
    if group_start is not None and start <= group_start:
        return None  # the whole group is the shift: nothing to rebase to
    if any(a.kind == "rebase" and a.date == start for a in marks):
        return None  # already rebased there
    causes = [a for a in marks if a.kind in ("pdsa", "change_idea") and a.date <= start
              and (group_start is None or a.date >= group_start)]
    when = start.isoformat()
    if not causes:
        return RebasePrompt(start, side, length, None, (
            f"{length} points in a row {side} the centre line from {when}: a sustained shift, "
            "but no change idea or PDSA cycle on this measure's thread is dated before it. "
            "No rebase is proposed: find and record the reason for the shift first."))
    cause = causes[-1]
    return RebasePrompt(start, side, length, cause, (
        f"{length} points in a row {side} the centre line from {when}: a sustained shift. It "
        f"follows the {cause.kind_label_lower} '{cause.label}' ({cause.date.isoformat()}). "
        f"If that change explains the shift, confirm a rebase from {when} (record it on the "
        "data point with its reason); nothing is rebased until you do."))
