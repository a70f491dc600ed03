"""What the alignment engine answers with: findings and their evidence, threads, contributors, the
audit report, portfolio views, project checks and impact (pydantic models, the API's schemas).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .config import SEVERITY_ORDER, Severity


class Step(BaseModel):
    """One node of a path, and the edge kind that leads on from it (None at the end)."""

    node: str
    kind: str
    label: str
    edge: str | None = None


class Evidence(BaseModel):
    paths: list[list[Step]] = Field(default_factory=list, description="Threads found.")
    last_reached: list[str] = Field(default_factory=list, description=(
        "Where the thread breaks: the last nodes reached, with no thread edge onward."))
    related: list[str] = Field(default_factory=list, description="Other nodes involved.")
    details: dict[str, Any] = Field(default_factory=dict)


class Finding(BaseModel):
    rule: str
    severity: Severity
    node: str
    kind: str
    label: str
    message: str
    evidence: Evidence = Field(default_factory=Evidence)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.rule, self.severity, self.node)


RULES: dict[str, tuple[Severity, str]] = {
    "orphaned-work": ("error", "Live work with no thread to any strategic goal."),
    "locally-aligned": ("info", "Live work whose thread ends at a unit's own priority that "
                        "reaches no Board goal."),
    "misaligned-inactive-goal": ("error", "Work whose thread reaches only retired or "
                                 "deprioritised goals."),
    "declared-not-evidenced": ("error", "Work that declares a priority no measure or process "
                               "on its thread supports."),
    "goal-without-measure": ("error", "An active goal that no measure indicates."),
    "goal-without-work": ("warning", "An active goal no live project or process contributes "
                          "to (an unresourced priority)."),
    "goal-not-serving-purpose": ("warning", "An active goal not linked to the purpose."),
    "too-many-priorities": ("warning", "More active goals than the configured maximum."),
    "measure-without-owner": ("warning", "A measure nobody owns."),
    "measure-without-data": ("warning", "A measure with no data points."),
    "stale-measure": ("warning", "A measure with no data for the configured number of "
                      "periods."),
    "assurance-not-control": ("warning", "A measure used by assurance but not by daily "
                              "control."),
    "duplicated-effort": ("warning", "Active projects in different units improving the same "
                          "measure."),
    "unbalanced-unit": ("warning", "A unit doing improvement with no quality control."),
    "at-risk-goal": ("warning", "An active goal whose thread has a measure showing "
                     "special-cause concern."),
    "informs-nothing": ("warning", "Feedback, assurance, a lesson or a learning cycle that "
                        "informs no decision."),
    "need-not-addressed": ("warning", "A population need no active goal or objective "
                           "addresses."),
    "gains-not-held": ("warning", "A completed project whose measure no unit monitors in "
                       "daily control."),
    "domain-without-measure": ("warning", "An active goal naming a quality domain no "
                               "measure on its thread carries."),
    "domain-without-goal": ("info", "Quality domains no active goal under a purpose names."),
    "assurance-heavy-unit": ("warning", "A unit doing more assurance than planning, control "
                             "and improvement together."),
    "unit-without-planning": ("warning", "A Board or directorate doing no quality planning."),
    "progress-not-evidenced": ("warning", "A project's recorded progress level (IHI 0.5-5) "
                               "above the level its evidence in the graph supports."),
}


# Rules about work: errors for projects, warnings for processes and measures.
WORK_RULES = ("orphaned-work", "misaligned-inactive-goal", "declared-not-evidenced")


class Thread(BaseModel):
    goal: str
    goal_label: str
    goal_status: str
    path: list[Step]
    reaches_purpose: bool


class ThreadResult(BaseModel):
    node: str
    kind: str
    label: str
    threads: list[Thread] = Field(description="Shortest thread to each goal reached.")
    broken: bool = Field(description="True when no active goal is reached.")
    last_reached: list[str] = Field(default_factory=list, description=(
        "Where the thread breaks: nodes reached with no thread edge onward."))


class Contributor(BaseModel):
    node: str
    kind: str
    label: str
    path: list[Step]


class Contributors(BaseModel):
    goal: str
    label: str
    status: str
    projects: list[Contributor]
    processes: list[Contributor]
    measures: list[Contributor]
    units: list[Contributor]
    other: list[Contributor]


class AuditReport(BaseModel):
    findings: list[Finding]
    classification: dict[str, str] = Field(description=(
        "Every live project: aligned, misaligned, locally-aligned or orphaned."))
    counts: dict[str, int] = Field(default_factory=dict)
    as_of: dt.date | None = None

    def summary(self) -> dict[str, Any]:
        by_rule = Counter(f.rule for f in self.findings)
        by_sev = Counter(f.severity for f in self.findings)
        cls = Counter(self.classification.values())
        return {"findings": len(self.findings), "by_severity": dict(by_sev),
                "by_rule": dict(sorted(by_rule.items())), "projects": dict(cls),
                **self.counts}

    def filter(self, rule: str | None = None, severity: str | None = None,
               nodes: Iterable[str] | None = None) -> list[Finding]:
        keep = set(nodes) if nodes is not None else None
        return [f for f in self.findings
                if (rule is None or f.rule == rule)
                and (severity is None or SEVERITY_ORDER[f.severity] <= SEVERITY_ORDER[severity])
                and (keep is None or f.node in keep)]


class Facts(BaseModel):
    """What the rules need to know about a graph, computed by a store.

    The embedded store computes these with the array index (:func:`index_facts`); the Neo4j
    store computes them with Cypher on the server. :func:`findings_from_facts` turns them
    into findings the same way for every store, so the same graph gives the same findings.
    """

    orphaned: list[str] = Field(description="Work (live projects, processes, measures) "
                                "reaching no goal and no local priority.")
    inactive_only: list[str] = Field(description="Work reaching goals, none active.")
    declared_bad: dict[str, list[str]] = Field(description=(
        "Work -> declared priorities (alignsTo) its thread does not reach, or that are not "
        "active goals."))
    classification: dict[str, str]
    active_goals: list[tuple[str, bool, bool, bool]] = Field(description=(
        "(goal, has a measure, has live work, serves a purpose)"))
    purpose_goals: dict[str, list[str]] = Field(description="Purpose -> active goals.")
    unowned_measures: list[str]
    measures_without_data: list[str]
    stale_measures: list[tuple[str, dt.date]] = Field(description="(measure, last point)")
    as_of: dt.date | None
    assurance_not_control: list[tuple[str, list[str]]] = Field(description=(
        "(measure, assurance activities)"))
    duplicates: list[tuple[str, list[str], dict[str, list[str]]]] = Field(description=(
        "(measure, projects, leading unit -> projects)"))
    unbalanced: list[tuple[str, dict[str, int]]]
    at_risk: dict[str, list[str]] = Field(description="Active goal -> concerning measures.")
    counts: dict[str, int]
    # The learning system, holding the gains, quality domains, balance (alignment.learning)
    informs_nothing: list[str] = Field(default_factory=list)
    needs_unaddressed: list[str] = Field(default_factory=list)
    gains_not_held: list[tuple[str, list[str], list[str]]] = Field(
        default_factory=list, description="(completed project, unmonitored measures, "
        "units it hands over to)")
    domain_unmeasured: list[tuple[str, list[str]]] = Field(default_factory=list)
    domains_missing: list[tuple[str, list[str]]] = Field(default_factory=list)
    assurance_heavy: list[tuple[str, dict[str, int]]] = Field(default_factory=list)
    # Local priorities (issue 20): work reaching no goal but a unit's own priority.
    locally_aligned: list[tuple[str, list[str]]] = Field(
        default_factory=list, description="(work reaching no goal, local priorities it "
        "reaches)")
    local_owners: dict[str, list[str]] = Field(
        default_factory=dict, description="Local priority -> who owns it (units, people).")
    no_planning: list[tuple[str, dict[str, int]]] = Field(default_factory=list)
    # Progress (alignment.progress): (project, recorded level, derived level, next step)
    progress_unsupported: list[tuple[str, float, float, str]] = Field(default_factory=list)


class Score(BaseModel):
    unit: str
    label: str
    aligned: int
    total: int
    score: float | None = Field(description="100 x aligned / total; None with no work.")


class MatrixCell(BaseModel):
    row: str
    goal: str
    reaches: bool
    declared: bool


class XMatrix(BaseModel):
    goals: list[dict[str, Any]]
    projects: list[dict[str, Any]]
    measures: list[dict[str, Any]]
    project_cells: list[MatrixCell]
    measure_cells: list[MatrixCell]
    gaps: dict[str, list[str]]


class ProjectProposal(BaseModel):
    """A project a QI hub is asked to approve; it is not in the graph."""

    model_config = ConfigDict(extra="forbid")
    label: str = Field(min_length=1, max_length=500, examples=["Reduce falls on Ward 9"])
    aim: str | None = Field(None, max_length=2000, examples=[
        "Reduce inpatient falls on Ward 9 by 30% by March 2027"])
    unit: str | None = Field(None, description="Id of the leading unit.")
    measures: list[str] = Field(default_factory=list, description="Ids of measures it will "
                                "improve.")
    processes: list[str] = Field(default_factory=list, description="Ids of processes it "
                                 "touches.")
    declared_priority: str | None = Field(None, description="Id of the goal or objective it "
                                          "says it serves.")
    sponsor: str | None = Field(None, description="Id of the sponsoring person or unit.")
    tier: Literal["project", "directorate", "system"] = "project"


class Alternative(BaseModel):
    goal: str
    label: str
    shared_measures: list[str]
    shared_processes: list[str]
    score: float


class Duplicate(BaseModel):
    project: str
    label: str
    units: list[str]
    shared_measures: list[str]


class MeasureResult(BaseModel):
    measure: str
    label: str
    variation: str | None = Field(description=(
        "SPC variation on the measure now: special_cause_improvement, "
        "special_cause_concern, common_cause ...; None without enough data."))
    summary: str


class PastLesson(BaseModel):
    id: str
    label: str
    informs: list[str] = Field(default_factory=list, description="What the lesson informed.")


class Overlap(BaseModel):
    """An existing project (any status) that a proposal may repeat."""

    project: str
    label: str
    status: str
    units: list[str] = Field(description="Units leading it.")
    score: float = Field(description="text similarity + 0.3 x shared measures + 0.2 x "
                         "shared processes + 0.1 if the same unit leads it")
    text_similarity: float = Field(description="Cosine similarity of label and aim, 0-1.")
    shared_terms: list[str] = Field(default_factory=list, description=(
        "Terms both texts use (thesaurus concepts and word stems), most telling first."))
    shared_measures: list[str]
    shared_processes: list[str]
    same_unit: bool
    why: list[str]
    results: list[MeasureResult] = Field(description="SPC result on each measure it "
                                         "improves.")
    lessons: list[PastLesson] = Field(description="Lessons it yielded.")


class ProjectCheck(BaseModel):
    verdict: Literal["aligned", "weak", "misaligned", "locally-aligned", "orphaned"]
    reasons: list[str]
    threads: list[Thread]
    alternatives: list[Alternative]
    duplicates: list[Duplicate]
    lacks: list[str]
    overlaps: list[Overlap] = Field(default_factory=list, description=(
        "Live, completed and stopped projects that say or improve the same, closest "
        "first, with their results and lessons."))


class Impact(BaseModel):
    node: str
    kind: str
    label: str
    loses_thread: list[str] = Field(description=(
        "Nodes that reach an active goal now and would reach none without it."))
    goals_left_without_measure: list[str]
    goals_left_without_work: list[str]
    goals_supported: list[str] = Field(description="Active goals it contributes to now.")
