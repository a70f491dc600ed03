"""Progress of improvement projects from the evidence in the graph, on the IHI Model for
Improvement assessment scale (0.5 to 5.0).

QI platforms ask each team to type in a 0.5-5 progress score, and teams forget to update it.
The graph already holds what the score is about: the aim, the measures and their data, the
driver diagram's change ideas and the PDSA cycles that tested them, the SPC signals, the
hand-over to daily control. Each level below is a piece of evidence; a project's level is the
highest one whose evidence, and the evidence of every level under it, is in the graph.

======  ==================================  ==================================================
level   IHI wording                          evidence qmsgraph looks for
======  ==================================  ==================================================
0.5     Intent to participate               the project is recorded
1.0     Forming team                        a team or person ``leads`` it
1.5     Planning for the project has begun  an aim, and a measure with a target it improves
2.0     Activity, but no changes            baseline: that measure has >= 6 points before
                                            the project's start date
2.5     Changes tested, but no improvement  a PDSA cycle ``tests`` one of its change ideas
3.0     Modest improvement                  a tested change idea is adopted (has its date)
3.5     Improvement                         SPC special-cause improvement on one of its
                                            measures, dated on or after its first change
4.0     Significant improvement             the same on an outcome measure
4.5     Sustainable improvement             the outcome measure's improvement has held for
                                            >= 6 points with no special-cause concern since,
                                            and a unit watches the measure in daily control
5.0     Outstanding sustainable results     sustained, and spread: handed over
                                            (``handsOverTo``) to a unit beyond those leading it
======  ==================================  ==================================================

A project's *change ideas* are those of its driver diagram (change idea --changes-->
secondary driver --drives--> primary driver --drives--> project); its *measures* are those it
or its change ideas ``improves``. A recorded level (``progress_recorded``) above the derived
one is the ``progress-not-evidenced`` finding.

Everything is read once per snapshot: the edges from the array index, the few fields needed
through one bulk read per kind (:meth:`qmsgraph.stores.Store.node_fields` on a store), the
SPC summaries the store keeps.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from .. import schema
from ..graph import QMSGraph
from ..model import fast_constructor
from .index import KIND_CODE, index_of

BASELINE_POINTS = 6   # points before the start date that make a baseline
LOCAL_UP_TO = 64      # projects asked about up to this many: their neighbourhood, no index
SUSTAIN_POINTS = 6    # points since the first improvement signal that show it held

LEVELS: dict[float, tuple[str, str]] = {
    0.5: ("Intent to participate", "The project is recorded."),
    1.0: ("Forming team", "A team or person leads it."),
    1.5: ("Planning for the project has begun",
          "It has an aim, and improves a measure with a target."),
    2.0: ("Activity, but no changes",
          f"Baseline data: a measure it improves has at least {BASELINE_POINTS} points "
          "before the project started."),
    2.5: ("Changes tested, but no improvement",
          "A PDSA cycle tests one of its change ideas."),
    3.0: ("Modest improvement", "A tested change idea has been adopted (it has a date)."),
    3.5: ("Improvement", "Special-cause improvement on one of its measures on or after its "
          "first adopted change."),
    4.0: ("Significant improvement", "Special-cause improvement on an outcome measure on or "
          "after its first adopted change."),
    4.5: ("Sustainable improvement", f"The outcome measure's improvement has held for at "
          f"least {SUSTAIN_POINTS} points with no special-cause concern since, and a unit "
          "watches it in daily control."),
    5.0: ("Outstanding sustainable results", "Sustained, and spread: handed over to a unit "
          "beyond the ones that led it."),
}
assert tuple(LEVELS) == schema.PROGRESS_LEVELS
_UNITS = [k for k in schema.NODE_KINDS if schema.is_a(k, "OrganisationalUnit")]

# (kind, field names, ids or None for every node of the kind) -> id -> field -> value, with
# dates as ISO strings and a measure's "data" as the list of its points' dates
Fields = Callable[[str, tuple[str, ...], list[str] | None], dict[str, dict[str, Any]]]


class LevelCheck(BaseModel):
    """One level of the scale for one project: met or not, and why."""

    level: float
    name: str
    met: bool
    evidence: list[str] = Field(default_factory=list, description=(
        "What in the graph shows it (when met)."))
    missing: str | None = Field(None, description="What would show it (when not met).")
    nodes: list[str] = Field(default_factory=list, description="Nodes the evidence names.")


class ProjectProgress(BaseModel):
    """A project's progress level derived from the evidence, with each level's evidence."""

    project: str
    label: str
    status: str
    level: float = Field(description="The highest level whose evidence (and every level's "
                         "below it) is in the graph.")
    name: str
    recorded: float | None = Field(None, description="The level the team recorded.")
    supported: bool | None = Field(None, description=(
        "Whether the evidence supports the recorded level (None: none recorded)."))
    next: str | None = Field(None, description="What would move it up a level.")
    measures: list[str] = Field(default_factory=list, description=(
        "The measures it or its change ideas improve."))
    checks: list[LevelCheck]


# built from trusted values, tens of thousands at a time: no validation (model.py)
_check = fast_constructor(LevelCheck)
_progress = fast_constructor(ProjectProgress)


def level_name(level: float | None) -> str:
    return "" if level is None else LEVELS[float(level)][0]


def graph_fields(graph: Any) -> Fields:
    """Field reader over a graph's node bodies (the default; stores read in bulk)."""
    def read(kind: str, names: tuple[str, ...], ids: list[str] | None
             ) -> dict[str, dict[str, Any]]:
        out = {}
        nodes = graph.nodes(kind) if ids is None else (graph.get(i) for i in ids)
        for n in nodes:
            if n is None or not schema.is_a(n.kind, kind):
                continue
            row = {}
            for name in names:
                v = getattr(n, name, None)
                if name == "data":
                    v = [p.date.isoformat() for p in v or ()]
                elif isinstance(v, dt.date):
                    v = v.isoformat()
                row[name] = v
            out[n.id] = row
        return out
    return read


PROJECT_FIELDS = ("label", "status", "aim", "start_date", "progress_recorded")
MEASURE_FIELDS = ("label", "measure_type", "target", "data")


class _Context:
    """The edges and fields every assessment reads, gathered once."""

    def __init__(self, graph: QMSGraph, fields: Fields, summaries: Mapping[str, Any],
                 want_projects: Iterable[str] | None) -> None:
        self.unmet: dict[tuple[float, str], LevelCheck] = {}  # shared: read only
        want = None if want_projects is None else sorted(set(want_projects))
        if want is not None and len(want) <= LOCAL_UP_TO:
            self._local(graph, want)
        else:
            self._whole(graph)
        self._fields(graph, fields, summaries, want)

    def _whole(self, graph: QMSGraph) -> None:
        """The edges of every project, from the array index."""
        ix = index_of(graph)
        ids, kind = ix.ids, ix.kind

        def pairs(edge: str, src_kinds: Iterable[str] | None = None,
                  dst_kinds: Iterable[str] | None = None) -> list[tuple[str, str]]:
            s, t = ix.edges[edge]
            if src_kinds is not None:
                keep = np.isin(kind[s], [KIND_CODE[k] for k in src_kinds])
                s, t = s[keep], t[keep]
            if dst_kinds is not None:
                keep = np.isin(kind[t], [KIND_CODE[k] for k in dst_kinds])
                s, t = s[keep], t[keep]
            return [(ids[a], ids[b]) for a, b in zip(s.tolist(), t.tolist(), strict=True)]

        def group(ps: list[tuple[str, str]], by_target: bool) -> dict[str, list[str]]:
            out: dict[str, list[str]] = defaultdict(list)
            for a, b in ps:
                (out[b].append(a) if by_target else out[a].append(b))
            return out

        self.leaders = group(pairs("leads", None, ["ImprovementProject"]), True)
        self.improves = group(pairs("improves", None, ["Measure"]), False)
        primary = group(pairs("drives", ["PrimaryDriver"], ["ImprovementProject"]), True)
        secondary = group(pairs("drives", ["SecondaryDriver"], ["PrimaryDriver"]), True)
        ideas = group(pairs("changes"), True)
        self.tests = group(pairs("tests"), True)
        self.ideas: dict[str, list[str]] = {}
        for p, pds in primary.items():
            found = {ci for pd in pds for sd in secondary.get(pd, ()) for ci in ideas.get(sd, ())}
            self.ideas[p] = sorted(found)
        self.hands = group(pairs("handsOverTo", ["ImprovementProject"], _UNITS), False)
        self.monitored = group(pairs("monitors", _UNITS, ["Measure"]), True)

    def _local(self, graph: QMSGraph, projects: list[str]) -> None:
        """The same, for a few projects: their neighbourhood only (no index)."""
        def near(node: str, edge: str, out: bool, kinds: Iterable[str]) -> list[str]:
            found = graph.successors(node, edge) if out else graph.predecessors(node, edge)
            return [x for x in found if any(schema.is_a(graph.kind(x), k) for k in kinds)]

        self.leaders, self.improves, self.tests = {}, {}, {}
        self.ideas, self.hands, self.monitored = {}, {}, {}
        for p in projects:
            self.leaders[p] = graph.predecessors(p, "leads")
            ideas = sorted({ci for pd in near(p, "drives", False, ["PrimaryDriver"])
                            for sd in near(pd, "drives", False, ["SecondaryDriver"])
                            for ci in graph.predecessors(sd, "changes")})
            self.ideas[p] = ideas
            for x in (p, *ideas):
                self.improves[x] = near(x, "improves", True, ["Measure"])
            for ci in ideas:
                self.tests[ci] = graph.predecessors(ci, "tests")
            self.hands[p] = near(p, "handsOverTo", True, _UNITS)
        for m in {m for ms in self.improves.values() for m in ms}:
            self.monitored[m] = near(m, "monitors", False, _UNITS)

    def _fields(self, graph: QMSGraph, fields: Fields, summaries: Mapping[str, Any],
                want: list[str] | None) -> None:
        self.projects = fields("ImprovementProject", PROJECT_FIELDS, want)
        ideas_of = [ci for pid in self.projects for ci in self.ideas.get(pid, ())]
        measures = None if want is None else sorted(
            {m for pid in self.projects for m in self.improves.get(pid, ())}
            | {m for ci in ideas_of for m in self.improves.get(ci, ())})
        self.measures = fields("Measure", MEASURE_FIELDS, measures)
        idea_rows = fields("ChangeIdea", ("label", "date"),
                           None if want is None else sorted(set(ideas_of)))
        self.idea_dates = {k: v.get("date") for k, v in idea_rows.items()}
        who = sorted({x for pid in self.projects for x in (*self.leaders.get(pid, ()),
                                                           *self.hands.get(pid, ()))})
        people = [fields(k, ("label",), who) for k in ("OrganisationalUnit", "Person")]
        self.known = {k: v["label"] for rows in (self.measures, idea_rows, *people)
                      for k, v in rows.items()}
        self.summaries = summaries
        self.graph_label: Callable[[str], str] = graph.label

    def labels(self, node_id: str) -> str:
        """A label, from the rows read in bulk when there (else the graph's)."""
        got = self.known.get(node_id)
        return got if got is not None else self.graph_label(node_id)


def _signal(cx: _Context, mid: str, since: str) -> tuple[int, list[str]] | None:
    """(index of the first special-cause improvement point dated on or after ``since``,
    the measure's dates), or None."""
    s = cx.summaries.get(mid)
    dates = (cx.measures.get(mid) or {}).get("data") or []
    if not s or len(s.get("point_types", ())) != len(dates):
        return None
    for i, (d, t) in enumerate(zip(dates, s["point_types"], strict=True)):
        if d >= since and t == "special_cause_improvement":
            return i, dates
    return None


def _assess(cx: _Context, pid: str) -> ProjectProgress:
    p = cx.projects[pid]
    checks: list[LevelCheck] = []

    def check(level: float, met: bool, evidence: Callable[[], list[str]], missing: str,
              nodes: Iterable[str] = ()) -> None:
        """``evidence`` is worked out only when the level is met."""
        nodes = sorted(set(nodes))
        if not met and not nodes:  # the same unmet level reads the same for many projects
            key = (level, missing)
            got = cx.unmet.get(key)
            if got is None:
                got = cx.unmet[key] = _check(level=level, name=LEVELS[level][0], met=False,
                                             evidence=[], missing=missing, nodes=[])
            checks.append(got)
            return
        checks.append(_check(level=level, name=LEVELS[level][0], met=met,
                             evidence=evidence() if met else [],
                             missing=None if met else missing, nodes=nodes))

    lab = cx.labels
    check(0.5, True, lambda: [f"'{p['label']}' is on the register (status {p['status']})."], "", [])
    leaders = sorted(cx.leaders.get(pid, ()))
    check(1.0, bool(leaders), lambda: [f"Led by {', '.join(lab(x) for x in leaders)}."],
          "Record who leads it (a team or a person: led_by).", leaders)
    ideas = cx.ideas.get(pid, [])
    measures = sorted(set(cx.improves.get(pid, ())) | {
        m for ci in ideas for m in cx.improves.get(ci, ())})
    with_target = [m for m in measures if (cx.measures.get(m) or {}).get("target") is not None]
    aim = p.get("aim")
    missing = []
    if not aim:
        missing.append("record its aim (what, by how much, by when)")
    if not with_target:
        missing.append("link it to a measure with a target (improves)" if not measures else
                       "give one of its measures a target")
    check(1.5, not missing, lambda: [f"Aim: {aim}", "Measures with a target: " + ", ".join(
        f"'{lab(m)}' ({cx.measures[m]['target']:g})" for m in with_target) + "."],
          "To plan: " + "; ".join(missing) + "." if missing else "", with_target)
    start = p.get("start_date")
    baseline = {m: sum(1 for d in (cx.measures.get(m) or {}).get("data") or ()
                       if start is None or d < start) for m in measures}
    base_ok = [m for m, n in baseline.items() if n >= BASELINE_POINTS]
    where = f"before {start}" if start else "(no start date recorded: all points counted)"
    check(2.0, bool(base_ok), lambda: [f"Baseline {where}: " + ", ".join(
        f"'{lab(m)}' {baseline[m]} points" for m in base_ok) + "."],
          f"Collect baseline data: at least {BASELINE_POINTS} points of one of its measures "
          f"before the project starts" + ("" if measures else " (it improves no measure yet)")
          + ".", base_ok)
    cycles = {ci: sorted(cx.tests.get(ci, ())) for ci in ideas}
    tested = [ci for ci in ideas if cycles[ci]]
    check(2.5, bool(tested), lambda: ["PDSA cycles: " + "; ".join(
        f"'{lab(ci)}' tested by {len(cycles[ci])}" for ci in tested) + "."],
          "Test a change idea with a PDSA cycle (a driver diagram with change ideas, and "
          "cycles that test them)." if not ideas else
          f"Test one of its {len(ideas)} change idea(s) with a PDSA cycle.",
          [*tested, *(c for ci in tested for c in cycles[ci])])
    adopted = sorted((cx.idea_dates[ci], ci) for ci in tested if cx.idea_dates.get(ci))
    check(3.0, bool(adopted), lambda: ["Adopted: " + "; ".join(
        f"'{lab(ci)}' from {d}" for d, ci in adopted) + "."],
          "Adopt a tested change idea: record the date it became the way of working.",
          [ci for _, ci in adopted])
    first = adopted[0][0] if adopted else None
    signals: dict[str, tuple[int, list[str]]] = {}
    if first is not None:
        for m in measures:
            got = _signal(cx, m, first)
            if got is not None:
                signals[m] = got

    def said(m: str) -> str:
        i, dates = signals[m]
        return f"'{lab(m)}' from {dates[i]}"

    after = f" on or after {first}" if first else " after an adopted change"
    check(3.5, bool(signals), lambda: ["Special-cause improvement: " + "; ".join(
        said(m) for m in signals) + "."],
          f"Show special-cause improvement on one of its measures{after} (SPC; at least "
          "12 points).", list(signals))
    outcome = [m for m in signals if cx.measures[m].get("measure_type") == "outcome"]
    check(4.0, bool(outcome), lambda: ["On outcome measures: " + "; ".join(
        said(m) for m in outcome) + "."],
          f"Show special-cause improvement on an outcome measure{after}"
          + ("" if any(cx.measures.get(m, {}).get("measure_type") == "outcome"
                       for m in measures) else " (it improves no outcome measure yet)") + ".",
          outcome)
    held, why = [], []
    for m in outcome:
        i, dates = signals[m]
        types = cx.summaries[m]["point_types"][i:]
        watchers = sorted(cx.monitored.get(m, ()))
        if len(types) >= SUSTAIN_POINTS and "special_cause_concern" not in types and watchers:
            held.append((m, len(types), watchers))
        elif len(types) < SUSTAIN_POINTS:
            why.append(f"'{lab(m)}' has {len(types)} point(s) since the signal; "
                       f"{SUSTAIN_POINTS} show it held")
        elif not watchers:
            why.append(f"no unit watches '{lab(m)}' in daily control (monitors)")
        else:
            why.append(f"'{lab(m)}' shows special-cause concern since the signal")
    check(4.5, bool(held), lambda: ["Held: " + "; ".join(
        f"'{lab(m)}' {n} points since the signal, watched by "
        f"{', '.join(lab(w) for w in ws)}" for m, n, ws in held) + "."],
          "Sustain it: " + ("; ".join(why) if why else "an outcome measure's improvement "
                            "must hold") + ".",
          [m for m, _, _ in held])
    own = set(leaders)
    spread = sorted(u for u in cx.hands.get(pid, ()) if u not in own)
    check(5.0, bool(spread),
          lambda: [f"Spread: handed over to {', '.join(lab(u) for u in spread)}."],
          "Spread it: hand the change over to another unit's daily control (handsOverTo).",
          spread)
    level = 0.5
    for c in checks:
        if not c.met:
            break
        level = c.level
    nxt = next((c for c in checks if c.level > level), None)
    recorded = p.get("progress_recorded")
    return _progress(
        project=pid, label=p["label"], status=p["status"] or "active", level=level,
        name=LEVELS[level][0], recorded=recorded,
        supported=None if recorded is None else recorded <= level,
        next=None if nxt is None else f"{nxt.level:.1f} ({nxt.name}): {nxt.missing}",
        measures=measures, checks=checks)


def assess(graph: QMSGraph, projects: Iterable[str] | None = None,
           summaries: Mapping[str, Any] | None = None, fields: Fields | None = None
           ) -> dict[str, ProjectProgress]:
    """Progress of each project (all of them, or those named), sorted by id.

    ``summaries``: the SPC summaries of the measures (:meth:`Store.spc_summaries`); when not
    given they are worked out for the measures the projects improve. ``fields``: a bulk
    field reader (default: read the node bodies)."""
    cx = _Context(graph, fields or graph_fields(graph), summaries or {}, projects)
    if summaries is None:
        from ..spc.graph import summary

        wanted = {m for pid in cx.projects for m in cx.improves.get(pid, ())} | {
            m for pid in cx.projects for ci in cx.ideas.get(pid, ())
            for m in cx.improves.get(ci, ())}
        got = {m: summary(graph, m) for m in sorted(wanted)}
        cx.summaries = {m: s for m, s in got.items() if s is not None}
    with paused_gc():
        return {pid: _assess(cx, pid) for pid in sorted(cx.projects)}


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while tens of thousands of small acyclic objects are
    made: on a 100k-node store each collection walks the whole heap, and the collections
    cost ten times the work itself (measured: benchmarks/bench_progress.py)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def unsupported(progress: Mapping[str, ProjectProgress]
                ) -> list[tuple[str, float, float, str]]:
    """(project, recorded, derived, what would move it up) for each recorded level the
    evidence does not support: the facts of ``progress-not-evidenced``."""
    return [(p.project, float(p.recorded), p.level, p.next or "")
            for p in progress.values() if p.recorded is not None and not p.supported]


def recorded_unsupported(graph: QMSGraph) -> list[tuple[str, float, float, str]]:
    """:func:`unsupported` for the projects of ``graph`` with a recorded level (read from
    the node bodies: stores answer this with :meth:`Store.progress_facts`)."""
    recorded = [n.id for n in graph.nodes("ImprovementProject")
                if getattr(n, "progress_recorded", None) is not None]
    return unsupported(assess(graph, recorded)) if recorded else []
