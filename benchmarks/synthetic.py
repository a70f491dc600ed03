"""Synthetic QMS organisations of any size, up to national scale (~1M nodes).

``generate(n_nodes, seed)`` builds a nation of health systems: a national HealthSystem,
regions, integrated care systems (ICS, each with its own mission and system goals) and
organisations (trusts / health boards) of about :data:`ORG_SIZE` nodes each, so 1M nodes is
about 330 organisations. Each organisation has the realistic shape of a QMS:

* structure: Organisation -> Directorates -> Teams (``unitOf``), people who are members of
  teams (some holding roles);
* planning: a Mission (plus a vision and values), 5-8 strategic goals (some retired or
  deprioritised) serving the mission, 2-4 objectives per goal (a few sub-objectives, a few
  objectives contributing to the ICS's system goals), services;
* control: processes of the three types (``supports`` objectives/goals or ``partOf`` a
  larger process or service) and measures (owned and monitored, ``indicates`` objectives or
  goals or ``measures`` processes, each with 0-24 monthly data points);
* assurance: audits, reviews and inspections that ``assures`` measures and goals and
  ``checksAgainst`` national standards; risks that ``threatens`` goals;
* improvement: projects (about 36% of the nodes) led by a team and a person, sponsored,
  ``improves`` their team's measures and processes, some sub-projects, and ``alignsTo``
  declarations.

A few percent of each problem the alignment rules look for are planted (see ``PLANTED``):
orphaned projects/processes/measures, work whose thread reaches only a retired goal,
declared-but-not-evidenced priorities, duplicated effort across teams, unowned measures,
measures with no or stale data, goals with no measure, goals not serving the purpose, too
many priorities, assurance looking at measures control does not watch, teams doing QI with
no QC, and thread cycles (``partOf``/``subProjectOf`` loops, which the ontology allows).

Everything is deterministic for a seed. For speed the node and edge objects are made with
pydantic's ``model_construct`` and added to networkx in bulk, bypassing the per-edge
ontology check of :meth:`QMSGraph.add_edge`; :func:`check` re-does every check (edge
allowed by the ontology, valid ids, every node valid under its model) and ``generate`` runs
it by default for graphs up to 20,000 nodes (the tests cover the generator that way).
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import random
import re
from typing import Any

from qmsgraph import model, schema
from qmsgraph.graph import QMSGraph

ORG_SIZE = 3000          # nodes per organisation, on average (+-40% between organisations)
ORGS_PER_ICS = 8
ICS_PER_REGION = 6
CHECK_UP_TO = 20_000     # generate() runs check() up to this size unless told otherwise

# Probabilities of the planted problems (each "a few percent").
PLANTED = {
    "orphan_process": 0.03,          # supports nothing, part of nothing
    "dead_process": 0.02,            # supports an objective of a retired goal only
    "orphan_measure": 0.03,          # indicates nothing, measures nothing
    "dead_measure": 0.03,            # indicates an objective of a retired goal only
    "unowned_measure": 0.04,
    "unmonitored_measure": 0.20,
    "no_data": 0.03,
    "stale": 0.05,
    "orphan_project": 0.03,          # improves nothing (and is not a sub-project)
    "dead_project": 0.03,            # improves a retired-goal-only measure
    "duplicate_project": 0.03,       # improves a measure another team owns
    "false_declaration": 0.07,       # of the projects that declare: declares what it misses
    "goal_not_serving": 0.03,
    "unmeasured_goal": 0.25,         # per organisation: one active goal nothing measures
    "cycle": 0.02,                   # of partOf / subProjectOf edges: made a 2-cycle
    "qi_only_team": 0.04,            # a team that owns and monitors nothing
}

END = dt.date(2026, 3, 1)


def _month_list(end: dt.date, n: int) -> list[dt.date]:
    out = []
    y, m = end.year, end.month
    for _ in range(n):
        out.append(dt.date(y, m, 1))
        m -= 1
        if m == 0:
            y, m = y - 1, 12
    out.reverse()
    return out


MONTHS = _month_list(END, 48)  # shared date objects; the last one is END

PROV = model.Provenance(source="synthetic", agent="benchmarks.synthetic",
                        at=dt.datetime(2026, 3, 31, tzinfo=dt.UTC))

_TOPICS = ("falls", "pressure ulcers", "sepsis", "medication errors", "delayed discharge",
           "waiting times", "readmissions", "infection", "staff sickness", "complaints",
           "cancelled operations", "handover", "deterioration", "nutrition", "theatre use",
           "outpatient DNAs", "agency spend", "mental health crisis", "frailty", "diabetes")
_PLACES = ("Ward", "Clinic", "Theatre", "Unit", "Team", "Hub", "Practice", "Department")
_GOALS = ("Safe care every time", "Timely access", "Healthier communities",
          "Great place to work", "Best value", "Person-centred care", "Reduce inequalities",
          "Digital by default", "Sustainable services", "Partnership working")
_DIRS = ("Medicine", "Surgery", "Women and Children", "Mental Health", "Community",
         "Primary Care", "Diagnostics", "Corporate", "Cancer", "Emergency Care",
         "Older People", "Estates")
_ROLES = ("team leader", "team member", "senior clinician", "service user", "senior leader")
_STATUS_W = (("active", 0.55), ("proposed", 0.12), ("paused", 0.08), ("completed", 0.18),
             ("stopped", 0.07))

_M = model
_EDGE = model.EDGE_CLASSES


_NODE_NEW = {c: model.fast_constructor(c) for c in model.NODE_CLASSES.values()}
_EDGE_NEW = {k: model.fast_constructor(c) for k, c in model.EDGE_CLASSES.items()}
_POINT_NEW = model.fast_constructor(model.DataPoint)


class _Builder:
    """Collects nodes and edges; added to networkx in bulk at the end (networkx keeps one
    edge per (source, target, kind), as QMSGraph does)."""

    def __init__(self) -> None:
        self.nodes: list[tuple[str, dict[str, Any]]] = []
        self.edges: list[tuple[str, str, str, Any]] = []

    def add(self, cls: type[model.Node], nid: str, label: str, **kw: Any) -> str:
        self.nodes.append((nid, {"node": _NODE_NEW[cls](id=nid, label=label,
                                                        provenance=PROV, **kw)}))
        return nid

    def link(self, kind: str, s: str, t: str) -> None:
        self.edges.append((s, t, kind, _EDGE_NEW[kind](source=s, target=t, provenance=PROV)))


def _pick_status(rng: random.Random) -> str:
    r = rng.random()
    for s, w in _STATUS_W:
        if r < w:
            return s
        r -= w
    return "active"


def _data(rng: random.Random) -> list[model.DataPoint]:
    r = rng.random()
    p = PLANTED
    if r < p["no_data"]:
        return []
    if r < p["no_data"] + p["stale"]:
        end = len(MONTHS) - 1 - rng.randint(5, 17)   # last point 5-17 months ago
        n = rng.randint(1, 4)
    elif r < 0.85:
        end, n = len(MONTHS) - 1 - rng.randint(0, 1), rng.randint(1, 4)
    else:  # a sample of measures with a longer series
        end, n = len(MONTHS) - 1, rng.randint(12, 24)
    base = rng.uniform(5, 95)
    return [_POINT_NEW(date=MONTHS[i], value=round(base + rng.gauss(0, 5), 2))
            for i in range(end - n + 1, end + 1)]


class _Org:
    """One organisation's QMS, about ``budget`` nodes."""

    def __init__(self, b: _Builder, rng: random.Random, o: int, budget: int, ics: str,
                 ics_goals: list[str], standards: list[str]) -> None:
        self.b, self.rng, self.p = b, rng, f"o{o}"
        self.budget = budget
        self.start = len(b.nodes)
        self.ics, self.ics_goals, self.standards = ics, ics_goals, standards
        self.anchor: dict[str, str | None] = {}   # measure/process/service -> anchor
        self.good_anchor: set[str] = set()        # anchors under active, measured goals

    def _id(self, what: str, i: int) -> str:
        return f"{self.p}.{what}{i}"

    def build(self) -> None:
        self._structure_and_plan()
        used = len(self.b.nodes) - self.start
        rest = max(self.budget - used, 60)
        shares = {"project": 0.36, "person": 0.24, "measure": 0.17, "process": 0.12,
                  "service": 0.03, "audit": 0.03, "risk": 0.03, "enabler": 0.02}
        n = {k: int(rest * v) for k, v in shares.items()}
        n["person"] += rest - sum(n.values())
        self._people(n["person"])
        self._services(n["service"])
        self._processes(n["process"])
        self._measures(n["measure"])
        self._projects(n["project"])
        self._assurance(n["audit"], n["risk"], n["enabler"])

    # ------------------------------------------------------------- structure and planning
    def _structure_and_plan(self) -> None:
        b, rng, p = self.b, self.rng, self.p
        self.org = b.add(_M.Organisation, p, f"Trust {p[1:]}")
        b.link("unitOf", self.org, self.ics)
        mission = b.add(_M.Mission, f"{p}.mission", f"Mission of Trust {p[1:]}")
        b.add(_M.Vision, f"{p}.vision", f"Vision of Trust {p[1:]}")
        for i in range(2):
            b.add(_M.Value, self._id("value", i), f"Value {i + 1} of Trust {p[1:]}")
        n_dirs = max(2, min(12, self.budget // 350))
        n_teams = max(n_dirs, self.budget // 45)
        self.dirs = [b.add(_M.Directorate, self._id("d", i), f"{_DIRS[i % len(_DIRS)]} "
                           f"({p})") for i in range(n_dirs)]
        for d in self.dirs:
            b.link("unitOf", d, self.org)
        self.teams = []
        self.team_dir: dict[str, int] = {}
        for i in range(n_teams):
            t = b.add(_M.Team, self._id("t", i), f"{rng.choice(_PLACES)} {i + 1} ({p})")
            d = i % n_dirs
            b.link("unitOf", t, self.dirs[d])
            self.teams.append(t)
            self.team_dir[t] = d
        self.qi_only = {t for t in self.teams if rng.random() < PLANTED["qi_only_team"]}
        self.owner_teams = [t for t in self.teams if t not in self.qi_only] or self.teams
        self.roles = [b.add(_M.Role, self._id("role", i), r) for i, r in enumerate(_ROLES)]
        # goals
        n_goals = rng.randint(5, 8)
        self.goals, self.active_goals, self.objectives = [], [], []
        self.live_objs, self.dead_objs, self.unmeasured_objs = [], [], []
        statuses = []
        for _ in range(n_goals):
            r = rng.random()
            statuses.append("retired" if r < 0.12 else "deprioritised" if r < 0.2 else "active")
        if statuses.count("active") < 2:
            statuses[:2] = ["active", "active"]
        unmeasured = -1
        if rng.random() < PLANTED["unmeasured_goal"]:
            unmeasured = statuses.index("active")
        names = rng.sample(_GOALS, n_goals)
        for i, (st, name) in enumerate(zip(statuses, names, strict=True)):
            g = b.add(_M.StrategicGoal, self._id("g", i), name, status=st,
                      target=float(rng.randint(50, 99)), deadline=dt.date(2028, 3, 31))
            self.goals.append(g)
            if rng.random() >= PLANTED["goal_not_serving"]:
                b.link("serves", g, mission)
            objs = []
            for j in range(rng.randint(2, 4)):
                ob = b.add(_M.Objective, f"{g}.ob{j}", f"{name}: objective {j + 1}",
                           deadline=dt.date(2027, 3, 31))
                b.link("contributesTo", ob, g)
                if objs and rng.random() < 0.1:   # a sub-objective
                    b.link("contributesTo", ob, rng.choice(objs))
                objs.append(ob)
            self.objectives += objs
            if st != "active":
                self.dead_objs += objs
            elif i == unmeasured:
                self.unmeasured_objs += objs
            else:
                self.active_goals.append(g)
                self.live_objs += objs
        self.good_anchor = set(self.live_objs) | set(self.active_goals)
        # 1-2 objectives also contribute to the ICS's system goals
        for ob in rng.sample(self.live_objs, min(len(self.live_objs), rng.randint(1, 2))):
            b.link("contributesTo", ob, rng.choice(self.ics_goals))

    def _people(self, n: int) -> None:
        b, rng = self.b, self.rng
        self.team_people: dict[str, list[str]] = {t: [] for t in self.teams}
        self.people = []
        for i in range(n):
            t = self.teams[i % len(self.teams)]
            pid = b.add(_M.Person, self._id("pe", i), f"Person {i} ({self.p})")
            b.link("memberOf", pid, t)
            if rng.random() < 0.3:
                b.link("holdsRole", pid, rng.choice(self.roles))
            self.team_people[t].append(pid)
            self.people.append(pid)

    def _person(self, team: str) -> str | None:
        ppl = self.team_people.get(team) or self.people
        return self.rng.choice(ppl) if ppl else None

    def _owner(self, nid: str, team: str, p_none: float) -> None:
        r = self.rng.random()
        if r < p_none:
            return
        if r < p_none + 0.07:
            who = self._person(team)
            if who:
                self.b.link("owns", who, nid)
                return
        self.b.link("owns", team, nid)

    # ------------------------------------------------------------------ control
    def _services(self, n: int) -> None:
        b, rng = self.b, self.rng
        self.services = []
        for i in range(n):
            s = b.add(_M.Service, self._id("s", i), f"{rng.choice(_TOPICS).capitalize()} "
                      f"service {i}")
            b.link("delivers", rng.choice(self.teams), s)
            if self.services and rng.random() < 0.15:
                parent = rng.choice(self.services)
                b.link("partOf", s, parent)
                self.anchor[s] = self.anchor[parent]
            else:
                a = rng.choice(self.live_objs)
                b.link("contributesTo", s, a)
                self.anchor[s] = a
            self.services.append(s)

    def _processes(self, n: int) -> None:
        b, rng, P = self.b, self.rng, PLANTED
        self.team_procs: dict[str, list[str]] = {t: [] for t in self.teams}
        self.dir_procs: list[list[str]] = [[] for _ in self.dirs]
        self.part_of: list[tuple[str, str]] = []
        types = ("driver", "mainstay", "support")
        for i in range(n):
            team = rng.choice(self.owner_teams)
            d = self.team_dir[team]
            pid = b.add(_M.Process, self._id("pr", i), f"{rng.choice(_TOPICS).capitalize()} "
                        f"process {i}", process_type=types[rng.randrange(3)])
            self._owner(pid, team, 0.03)
            r = rng.random()
            anchor: str | None = None
            if r < P["orphan_process"]:
                pass
            elif r < P["orphan_process"] + P["dead_process"] and self.dead_objs:
                anchor = rng.choice(self.dead_objs)
                b.link("supports", pid, anchor)
            elif r < 0.10 and self.unmeasured_objs:
                anchor = rng.choice(self.unmeasured_objs)
                b.link("supports", pid, anchor)
            elif r < 0.75 or (r < 0.88 and not self.dir_procs[d]):
                anchor = rng.choice(self.live_objs)
                b.link("supports", pid, anchor)
            elif r < 0.80:
                anchor = rng.choice(self.active_goals)
                b.link("supports", pid, anchor)
            elif r < 0.88:
                parent = rng.choice(self.dir_procs[d])
                b.link("partOf", pid, parent)
                self.part_of.append((pid, parent))
                anchor = self.anchor[parent]
            elif self.services:
                s = rng.choice(self.services)
                b.link("partOf", pid, s)
                anchor = self.anchor[s]
            else:
                anchor = rng.choice(self.live_objs)
                b.link("supports", pid, anchor)
            self.anchor[pid] = anchor
            if anchor in self.good_anchor:
                self.team_procs[team].append(pid)
                self.dir_procs[d].append(pid)
        for child, parent in self.part_of:   # a few partOf loops
            if rng.random() < P["cycle"]:
                b.link("partOf", parent, child)

    def _measures(self, n: int) -> None:
        b, rng, P = self.b, self.rng, PLANTED
        self.team_measures: dict[str, list[str]] = {t: [] for t in self.teams}
        self.good_measures: list[str] = []
        self.dead_measures: list[str] = []
        mtypes = (("outcome", 0.3), ("process", 0.45), ("balancing", 0.15), ("structure", 0.1))
        for i in range(n):
            team = rng.choice(self.owner_teams)
            r = rng.random()
            mt = "structure"
            for t_, w in mtypes:
                if r < w:
                    mt = t_
                    break
                r -= w
            mid = b.add(_M.Measure, self._id("m", i), f"{rng.choice(_TOPICS).capitalize()} "
                        f"{mt} measure {i}", measure_type=mt,
                        direction=("increase", "decrease")[rng.randrange(2)],
                        unit_of_measure="%", data=_data(rng))
            self._owner(mid, team, P["unowned_measure"])
            if rng.random() >= P["unmonitored_measure"]:
                b.link("monitors", team, mid)
            r = rng.random()
            anchor: str | None = None
            if r < P["orphan_measure"]:
                pass
            elif r < P["orphan_measure"] + P["dead_measure"] and self.dead_objs:
                anchor = rng.choice(self.dead_objs)
                b.link("indicates", mid, anchor)
            elif r < 0.50:
                anchor = rng.choice(self.live_objs)
                b.link("indicates", mid, anchor)
            elif r < 0.58:
                anchor = rng.choice(self.active_goals)
                b.link("indicates", mid, anchor)
            else:
                procs = (self.team_procs[team] or self.dir_procs[self.team_dir[team]])
                if procs and r < 0.95:
                    pr = rng.choice(procs)
                    b.link("measures", mid, pr)
                    anchor = self.anchor[pr]
                elif self.services:
                    s = rng.choice(self.services)
                    b.link("measures", mid, s)
                    anchor = self.anchor[s]
                else:
                    anchor = rng.choice(self.live_objs)
                    b.link("indicates", mid, anchor)
            if anchor is not None and rng.random() < 0.1:   # a second link
                b.link("indicates", mid, rng.choice(self.live_objs))
            self.anchor[mid] = anchor
            if anchor in self.good_anchor:
                self.team_measures[team].append(mid)
                self.good_measures.append(mid)
            elif anchor is not None and anchor in self.dead_objs:
                self.dead_measures.append(mid)

    # ------------------------------------------------------------------ improvement
    def _projects(self, n: int) -> None:
        b, rng, P = self.b, self.rng, PLANTED
        dir_projects: list[list[str]] = [[] for _ in self.dirs]
        sub_links: list[tuple[str, str]] = []
        tiers = ("project",) * 17 + ("directorate",) * 2 + ("system",)
        for i in range(n):
            team = rng.choice(self.teams)
            d = self.team_dir[team]
            topic = rng.choice(_TOPICS)
            st = _pick_status(rng)
            start = MONTHS[rng.randrange(12, 40)]
            pid = b.add(_M.ImprovementProject, self._id("pj", i), f"Reduce {topic} ({team})",
                        status=st, tier=rng.choice(tiers), method="Model for Improvement",
                        aim=f"Reduce {topic} by 30% in 12 months", start_date=start)
            if rng.random() < 0.95:
                b.link("leads", team, pid)
            lead = self._person(team)
            if lead and rng.random() < 0.9:
                b.link("leads", lead, pid)
            if rng.random() < 0.7:
                sp = self._person(self.teams[(self.teams.index(team) + 1) % len(self.teams)]
                                  if rng.random() < 0.3 else team)
                if sp:
                    b.link("sponsors", sp, pid)
            r = rng.random()
            targets: list[str] = []
            is_sub = dir_projects[d] and rng.random() < 0.06
            if is_sub:
                parent = rng.choice(dir_projects[d])
                b.link("subProjectOf", pid, parent)
                sub_links.append((pid, parent))
            if r < P["orphan_project"]:
                pass
            elif r < P["orphan_project"] + P["dead_project"] and self.dead_measures:
                targets = [rng.choice(self.dead_measures)]
            elif r < 0.09 and self.good_measures:
                targets = [rng.choice(self.good_measures)]
            elif not (is_sub and rng.random() < 0.5):
                own = self.team_measures[team]
                procs = self.team_procs[team] or self.dir_procs[d]
                for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                    if own and (rng.random() < 0.7 or not procs):
                        targets.append(rng.choice(own))
                    elif procs:
                        targets.append(rng.choice(procs))
                    elif self.good_measures:
                        targets.append(rng.choice(self.good_measures))
            for t in targets:
                b.link("improves", pid, t)
            if rng.random() < 0.45:   # a declared priority
                anchors = [a for t in targets if (a := self.anchor.get(t))]
                if rng.random() < P["false_declaration"] or not anchors:
                    if rng.random() < 0.5 or not anchors:
                        b.link("alignsTo", pid, rng.choice(self.goals))
                else:
                    a = anchors[0]
                    if a.count(".ob") and rng.random() < 0.5:
                        a = a.rsplit(".ob", 1)[0]   # the objective's goal
                    b.link("alignsTo", pid, a)
            dir_projects[d].append(pid)
        for child, parent in sub_links:   # a few programme loops
            if rng.random() < P["cycle"] * 5:
                b.link("subProjectOf", parent, child)

    # ------------------------------------------------------------------ assurance etc.
    def _assurance(self, n_audit: int, n_risk: int, n_enabler: int) -> None:
        b, rng = self.b, self.rng
        kinds = (_M.Audit, _M.Audit, _M.Review, _M.Inspection)
        measures = self.good_measures + self.dead_measures
        for i in range(n_audit):
            cls = rng.choice(kinds)
            a = b.add(cls, self._id("a", i), f"{cls.kind} of {rng.choice(_TOPICS)}",
                      date=MONTHS[rng.randrange(24, 48)], rating="reasonable")
            b.link("leads", rng.choice(self.dirs), a)
            for m in rng.sample(measures, min(len(measures), rng.randint(1, 2))):
                b.link("assures", a, m)
            if rng.random() < 0.2:
                b.link("assures", a, rng.choice(self.goals))
            b.link("checksAgainst", a, rng.choice(self.standards))
        for i in range(n_risk):
            r = b.add(_M.Risk, self._id("r", i), f"Risk of {rng.choice(_TOPICS)}",
                      rating=("low", "moderate", "high")[rng.randrange(3)])
            b.link("owns", rng.choice(self.dirs), r)
            b.link("threatens", r, rng.choice(self.goals + self.objectives))
        etypes = ("leadership", "culture", "skills", "infrastructure", "method",
                  "learning-system")
        for i in range(n_enabler):
            e = b.add(_M.Enabler, self._id("e", i), f"Enabler {i} ({self.p})",
                      enabler_type=rng.choice(etypes))
            b.link("supports", e, rng.choice(self.live_objs))


def generate(n_nodes: int, seed: int = 0, check_graph: bool | None = None) -> QMSGraph:
    """A synthetic national QMS of ``n_nodes`` nodes (exactly, from about 300 nodes up; a
    smaller request still gets one minimal organisation of about 130 nodes).

    Deterministic for ``(n_nodes, seed)``. ``check_graph``: run :func:`check` on the result
    (default: when ``n_nodes <= CHECK_UP_TO``).
    """
    if n_nodes < 1:
        raise ValueError("n_nodes must be positive")
    # Millions of long-lived objects and no cycles among them: the cyclic garbage collector
    # would rescan them again and again (several times slower at 1M nodes).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        graph = _generate(n_nodes, seed)
    finally:
        if was_enabled:
            gc.enable()
    if check_graph is None:
        check_graph = n_nodes <= CHECK_UP_TO
    if check_graph:
        check(graph)
    return graph


def _generate(n_nodes: int, seed: int) -> QMSGraph:
    rng = random.Random(f"qmsgraph-synthetic:{seed}:{n_nodes}")
    b = _Builder()
    n_orgs = max(1, round(n_nodes / ORG_SIZE))
    n_ics = math.ceil(n_orgs / ORGS_PER_ICS)
    n_regions = math.ceil(n_ics / ICS_PER_REGION)
    nation = b.add(_M.HealthSystem, "nation", "National health service")
    standards = [b.add(_M.Standard, f"std{i}", f"NICE guideline NG{i + 1}", reference=f"NG{i + 1}",
                       publisher="NICE") for i in range(30)]
    regions = []
    for r in range(n_regions):
        regions.append(b.add(_M.HealthSystem, f"r{r}", f"Region {r + 1}"))
        b.link("unitOf", regions[-1], nation)
    systems = []
    for c in range(n_ics):
        ics = b.add(_M.HealthSystem, f"ics{c}", f"Integrated care system {c + 1}")
        b.link("unitOf", ics, regions[c // ICS_PER_REGION])
        mission = b.add(_M.Mission, f"ics{c}.mission", f"Mission of ICS {c + 1}")
        goals = []
        for j, name in enumerate(rng.sample(_GOALS, 3)):
            goals.append(b.add(_M.StrategicGoal, f"ics{c}.g{j}", f"System: {name}",
                               status="active"))
            b.link("serves", goals[-1], mission)
        systems.append((ics, goals))
    overhead = len(b.nodes) + 2 * n_ics
    weights = [rng.uniform(0.6, 1.4) for _ in range(n_orgs)]
    total_w = sum(weights)
    budget_left = max(n_nodes - overhead, 0)
    budgets = [int(budget_left * w / total_w) for w in weights]
    budgets[-1] += budget_left - sum(budgets)
    orgs: list[_Org] = []
    for o in range(n_orgs):
        ics, goals = systems[o // ORGS_PER_ICS]
        org = _Org(b, random.Random(f"qmsgraph-synthetic:{seed}:{n_nodes}:org{o}"), o,
                   budgets[o], ics, goals, standards)
        org.build()
        orgs.append(org)
    # System-tier projects led by each ICS, improving measures in two of its organisations
    # (possibly duplicating their effort).
    for c, (ics, _) in enumerate(systems):
        members = orgs[c * ORGS_PER_ICS:(c + 1) * ORGS_PER_ICS]
        for j in range(2):
            pid = b.add(_M.ImprovementProject, f"ics{c}.pj{j}", f"System programme {j + 1}",
                        status="active", tier="system")
            b.link("leads", ics, pid)
            for org in rng.sample(members, min(2, len(members))):
                if org.good_measures:
                    b.link("improves", pid, rng.choice(org.good_measures))
    graph = QMSGraph()
    g = graph.g
    g.add_nodes_from(b.nodes)
    add_edge = g.add_edge
    for s, t, k, e in b.edges:
        add_edge(s, t, key=k, edge=e)
    graph.touch()
    return graph


_ID = re.compile(model.ID_PATTERN)


def check(graph: QMSGraph) -> None:
    """Raise AssertionError unless every node is valid under its model and every edge is
    one the ontology allows (what :meth:`QMSGraph.add_edge` would have checked)."""
    for nid, node in graph.g.nodes(data="node"):
        assert node is not None, f"node {nid!r} has no model object"
        assert _ID.match(nid) and node.id == nid, f"bad id {nid!r}"
        again = type(node).model_validate(node.model_dump())
        assert again == node, f"node {nid!r} is not valid under {type(node).__name__}"
    for s, t, k, e in graph.g.edges(keys=True, data="edge"):
        sk, tk = graph.kind(s), graph.kind(t)
        assert schema.allowed(k, sk, tk), f"edge {s} ({sk}) -{k}-> {t} ({tk}) not allowed"
        assert e.kind == k and e.source == s and e.target == t, f"edge object {e!r} != {k}"
