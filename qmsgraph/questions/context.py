"""What every question reads, computed once per question set: the store's read view, the
audit, the SPC summaries, and small helpers shared by the questions and the Duty of Quality
report (measures of a project, whether a project shifted its measure, units of a node).

Everything is read through the :class:`~qmsgraph.stores.Store` interface (``view()``,
``audit``, ``spc_summaries``, ``concern_measures``, ``impact``); nothing pulls the whole graph.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .. import schema
from ..alignment import AlignmentConfig
from ..spc import RUN_LENGTH, SPECIAL_CAUSE_CONCERN, SPECIAL_CAUSE_IMPROVEMENT
from .results import Item

if TYPE_CHECKING:
    from ..alignment import AuditReport
    from ..stores import Store

UNIT_LINKS = ("owns", "leads", "delivers", "monitors")
LIVE = ("proposed", "active", "paused")
BODY_KINDS = frozenset({"ImprovementProject", "Measure", "Process", "StrategicGoal",
                        "Objective", "AssuranceActivity", "Enabler", "Role", "Tool"})


class Context:
    """One snapshot's worth of answers (``with store.snapshot():`` around a set of questions
    keeps them to one revision)."""

    def __init__(self, store: Store, config: AlignmentConfig | None = None) -> None:
        self.store = store
        self.cfg = config or AlignmentConfig()
        self.g = store.view()
        self._contributors: dict[str, Any] = {}
        self._project_measures: dict[str, list[str]] = {}
        self._ids: dict[str, list[str]] = {}

    # ---------------------------------------------------------------- whole-store answers
    @cached_property
    def report(self) -> AuditReport:
        return self.store.audit(self.cfg)

    @cached_property
    def spc(self) -> dict[str, dict[str, Any]]:
        return self.store.spc_summaries()

    @cached_property
    def concern(self) -> set[str]:
        return set(self.store.concern_measures(self.cfg.concern_window))

    def contributors(self, goal: str) -> Any:
        """The store's contributors of a goal, asked once."""
        got = self._contributors.get(goal)
        if got is None:
            got = self._contributors[goal] = self.store.contributors(goal)
        return got

    def upstream(self, targets: list[str]) -> dict[str, str]:
        """Every node with a golden thread to one of ``targets`` -> the first target it is
        found from (one breadth-first search back along the thread edges, targets in the
        order given, neighbours in (edge kind, id) order)."""
        seen = {t: t for t in targets}
        queue = deque(targets)
        while queue:
            x = queue.popleft()
            for _, src in self.g.thread_in(x):
                if src not in seen:
                    seen[src] = seen[x]
                    queue.append(src)
        return seen

    def active_goals(self) -> list[str]:
        return [g for g in self.ids("StrategicGoal")
                if getattr(self.node(g), "status", None) == "active"]

    def findings(self, rule: str) -> list[Any]:
        return [f for f in self.report.findings if f.rule == rule]

    # ---------------------------------------------------------------- reading the graph
    def ids(self, kind: str) -> list[str]:
        """Ids of a kind, sorted; the bodies of the kinds whose fields the questions read are
        fetched in bulk the first time (the embedded store reads bodies on demand)."""
        got = self._ids.get(kind)
        if got is None:
            got = self._ids[kind] = sorted(self.g.ids(kind))
            if kind in BODY_KINDS and hasattr(self.g, "prefetch"):
                self.g.prefetch(got)
        return got

    def node(self, nid: str) -> Any:
        return self.g.node(nid)

    def item(self, nid: str, note: str = "") -> Item:
        return Item(id=nid, label=self.g.label(nid), kind=self.g.kind(nid), note=note)

    def items(self, ids: Iterable[str], note: str = "") -> list[Item]:
        return [self.item(i, note) for i in ids]

    def succ(self, nid: str, rel: str) -> list[str]:
        """Targets of ``rel`` edges out of a node, sorted (the same on every store)."""
        return sorted(self.g.successors(nid, rel))

    def pred(self, nid: str, rel: str) -> list[str]:
        """Sources of ``rel`` edges into a node, sorted."""
        return sorted(self.g.predecessors(nid, rel))

    def units_of(self, nid: str) -> list[str]:
        """The units that own, lead, deliver or monitor a node (people: their units)."""
        out: set[str] = set()
        for rel in UNIT_LINKS:
            for src in self.g.predecessors(nid, rel):
                kind = self.g.kind(src)
                if schema.is_a(kind, "OrganisationalUnit"):
                    out.add(src)
                elif kind == "Person":
                    out.update(self.g.successors(src, "memberOf"))
        return sorted(out)

    def level(self, unit: str) -> str:
        return self.g.kind(unit)

    # ---------------------------------------------------------------- measures and SPC
    def measure_state(self, mid: str) -> str:
        """'concern', 'failing' (target consistently missed), 'improving', 'hit and miss',
        'stable', or 'no chart' (fewer than 12 points)."""
        s = self.spc.get(mid)
        if not s:
            return "no chart"
        if mid in self.concern:
            return "concern"
        if s.get("assurance_icon") == "fail":
            return "failing"
        if s.get("variation_type") == SPECIAL_CAUSE_IMPROVEMENT:
            return "improving"
        if s.get("assurance_icon") == "inconsistent":
            return "hit and miss"
        return "stable"

    def measure_note(self, mid: str) -> str:
        s = self.spc.get(mid)
        state = self.measure_state(mid)
        if not s:
            n = len(getattr(self.node(mid), "data", []) or [])
            return f"no SPC chart ({n} point(s); 12 needed)"
        parts = [state, s.get("variation_label") or ""]
        if s.get("assurance_label"):
            parts.append(s["assurance_label"])
        return "; ".join(p for p in parts if p)

    def project_measures(self, pid: str) -> list[str]:
        """Measures a project improves: directly, or through the change ideas of its driver
        diagram (project <- primary driver <- secondary driver <- change idea). Kept."""
        got = self._project_measures.get(pid)
        if got is None:
            got = self._project_measures[pid] = self._measures_of(pid)
        return got

    def _measures_of(self, pid: str) -> list[str]:
        out = {m for m in self.g.successors(pid, "improves") if self.g.kind(m) == "Measure"}
        for pd in self.g.predecessors(pid, "drives"):
            for sd in self.g.predecessors(pd, "drives"):
                for ci in self.g.predecessors(sd, "changes"):
                    out.update(m for m in self.g.successors(ci, "improves")
                               if self.g.kind(m) == "Measure")
        return sorted(out)

    @cached_property
    def improvers(self) -> dict[str, set[str]]:
        """Measure -> the projects that improve it (:meth:`project_measures` reversed)."""
        out: dict[str, set[str]] = {}
        for pid in self.ids("ImprovementProject"):
            for mid in self.project_measures(pid):
                out.setdefault(mid, set()).add(pid)
        return out

    def shift(self, mid: str, since: dt.date | None) -> tuple[str, str]:
        """Whether a measure shifted after ``since`` (a project's start): ``(state, note)``
        with state 'shifted' (a special-cause improvement point dated on or after it),
        'before the start' (the measure was already in special-cause improvement at the
        start, so the shift is not the project's),
        'concern' (special-cause concern after it and no improvement), 'no shift' (at least
        a run's worth of points after it, no signal), 'too early' (fewer points than a run),
        'no chart' (fewer than 12 points) or 'no start date'."""
        s = self.spc.get(mid)
        if not s:
            return "no chart", "no SPC chart: fewer than 12 points"
        if since is None:
            return "no start date", "the project has no start date to look for a shift after"
        data = self.node(mid).data
        types = s.get("point_types") or []
        dates = [p.date for p in data][-len(types):] if types else []
        pairs = list(zip(dates, types, strict=False))
        after = [(d, t) for d, t in pairs if d >= since]
        before = [(d, t) for d, t in pairs if d < since]
        if before and before[-1][1] == SPECIAL_CAUSE_IMPROVEMENT:
            first = before[-1][0]
            for d, t in reversed(before):
                if t != SPECIAL_CAUSE_IMPROVEMENT:
                    break
                first = d
            return "before the start", f"special-cause improvement already from " \
                f"{first:%b %Y}, before the start ({since:%b %Y})"
        for d, t in after:
            if t == SPECIAL_CAUSE_IMPROVEMENT:
                return "shifted", f"special-cause improvement from {d:%b %Y} (after the " \
                    f"start, {since:%b %Y})"
        if any(t == SPECIAL_CAUSE_CONCERN for _, t in after):
            first = next(d for d, t in after if t == SPECIAL_CAUSE_CONCERN)
            return "concern", f"special-cause concern from {first:%b %Y}, no improvement " \
                "signal since the start"
        if len(after) < RUN_LENGTH:
            return "too early", f"{len(after)} point(s) since the start ({since:%b %Y}); " \
                f"a shift needs {RUN_LENGTH}"
        return "no shift", f"{len(after)} points since the start ({since:%b %Y}), common " \
            "cause only"
