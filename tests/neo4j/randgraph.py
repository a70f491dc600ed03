"""Seeded random QMS graphs that are valid under the ontology, with the awkward cases the
stores must agree on: retired and deprioritised goals, declared priorities (alignsTo), thread
cycles and self-loops, units in a cycle, measures with no, short, stale and long data (some
with special-cause concern), every project status, optional fields set and unset."""

from __future__ import annotations

import datetime as dt
import random

from qmsgraph import schema
from qmsgraph.graph import QMSGraph
from qmsgraph.model import Provenance, make_edge, make_node

PROVS = [
    Provenance(source="random.yaml", location="line 3", agent="tester",
               at=dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)),
    Provenance(source="user", at=dt.datetime(2024, 6, 1, tzinfo=dt.UTC), reason="why not"),
    Provenance(source="registers/projects.csv", location="row 9",
               at=dt.datetime(2023, 12, 31, 23, 59, 59, tzinfo=dt.UTC)),
]
END = (2025, 6)  # last month of data


def _months(n: int, end: tuple[int, int] = END) -> list[dt.date]:
    y, m = end
    out = []
    for _ in range(n):
        out.append(dt.date(y, m, 1))
        m -= 1
        if m == 0:
            y, m = y - 1, 12
    return out[::-1]


def _series(rng: random.Random, direction: str) -> list[dict]:
    r = rng.random()
    if r < 0.15:
        return []
    if r < 0.35:  # short and maybe stale
        lag = rng.choice([0, 0, 2, 5, 9])
        end = (END[0] - (1 if END[1] <= lag else 0), (END[1] - lag - 1) % 12 + 1)
        return [{"date": d, "value": round(rng.uniform(10, 90), 2)}
                for d in _months(rng.randint(1, 6), end)]
    n = rng.randint(12, 26)
    base = rng.uniform(20, 80)
    values = [base + rng.gauss(0, 2) for _ in range(n)]
    if rng.random() < 0.5:  # a shift at the end: concern when it goes the wrong way
        bad = 1 if direction == "decrease" else -1
        if rng.random() < 0.3:
            bad = -bad
        for i in range(n - 8, n):
            values[i] += bad * 12
    if rng.random() < 0.2:
        values[-1] += rng.choice([-1, 1]) * 40  # an outlier at the latest point
    return [{"date": d, "value": round(v, 3)} for d, v in zip(_months(n), values, strict=True)]


COUNTS = {  # kind -> (min, max)
    "Mission": (1, 1), "Vision": (0, 1), "Value": (0, 2), "Purpose": (0, 1),
    "PopulationNeed": (0, 3), "StrategicGoal": (2, 9), "Objective": (1, 8), "Service": (1, 4),
    "Process": (2, 10), "Measure": (3, 14), "ImprovementProject": (3, 16),
    "PrimaryDriver": (0, 3), "SecondaryDriver": (0, 3), "ChangeIdea": (0, 4),
    "PDSACycle": (0, 4), "AssuranceActivity": (0, 1), "Audit": (0, 3), "Inspection": (0, 1),
    "Review": (0, 2), "Standard": (0, 2), "Risk": (0, 3), "Incident": (0, 2),
    "FeedbackSource": (0, 2), "Enabler": (0, 2), "OrganisationalUnit": (0, 1),
    "HealthSystem": (0, 1), "Organisation": (1, 2), "Directorate": (1, 3), "Team": (1, 6),
    "Person": (1, 6), "Role": (0, 2), "Responsibility": (0, 3), "Lesson": (0, 3),
    "LearningCycle": (0, 2), "Tool": (0, 1), "PlanningTool": (0, 2), "ControlTool": (0, 3),
    "AssuranceTool": (0, 2), "ImprovementTool": (0, 2), "LocalPriority": (0, 3),
}
EDGES_PER_KIND = (0, 14)


def _attrs(rng: random.Random, kind: str) -> dict:
    a: dict = {}
    if rng.random() < 0.4:
        a["description"] = rng.choice(["A description.", "Line one\nline two", "café ünïcode"])
    if kind == "StrategicGoal":
        a["status"] = rng.choices(schema.GOAL_STATUSES, weights=[6, 2, 2])[0]
        if rng.random() < 0.5:
            a["target"] = rng.choice([10, 2.5, 0.0, 95.5])
            a["deadline"] = dt.date(2027, rng.randint(1, 12), rng.randint(1, 28))
        a["quality_domains"] = rng.sample(schema.QUALITY_DOMAINS, rng.randint(0, 3))
        a["quadruple_aim"] = rng.sample(schema.QUADRUPLE_AIM, rng.randint(0, 2))
    elif kind == "Objective" and rng.random() < 0.5:
        a["deadline"] = dt.date(2026, 3, 31)
        a["target"] = 1.5
    elif kind == "Process":
        a["process_type"] = rng.choice(schema.PROCESS_TYPES)
        if rng.random() < 0.3:
            a["frequency"] = rng.choice(schema.CADENCES)
    elif kind == "Measure":
        a["measure_type"] = rng.choice(schema.MEASURE_TYPES)
        a["direction"] = rng.choice(schema.DIRECTIONS[:2])
        if rng.random() < 0.3:
            a["target"] = 50.0
            a["unit_of_measure"] = "%"
        a["data"] = _series(rng, a["direction"])
        a["quality_domains"] = rng.sample(schema.QUALITY_DOMAINS, rng.choice([0, 0, 1, 2]))
        a["quadruple_aim"] = rng.sample(schema.QUADRUPLE_AIM, rng.randint(0, 1))
    elif kind == "ImprovementProject":
        a["status"] = rng.choice(schema.PROJECT_STATUSES)
        a["tier"] = rng.choice(schema.PROJECT_TIERS)
        if rng.random() < 0.5:
            a["start_date"] = dt.date(2024, rng.randint(1, 12), 1)
            a["end_date"] = dt.date(2026, 1, 1)
            a["method"] = "Model for Improvement"
            a["aim"] = "Reduce harm by 30% by March"
    elif kind in ("PDSACycle", "Incident") and rng.random() < 0.5:
        a["date"] = dt.date(2025, 2, 14)
    elif schema.is_a(kind, "AssuranceActivity") and rng.random() < 0.5:
        a["rating"] = "limited"
        a["date"] = dt.date(2024, 11, 5)
    elif kind == "Person" and rng.random() < 0.5:
        a["email"] = "someone@example.org"
    elif kind == "Enabler":
        a["enabler_type"] = rng.choice(schema.ENABLER_TYPES)
    elif kind == "Responsibility":
        a["aspect"] = rng.choice(schema.QMS_ASPECTS)
    elif kind == "LearningCycle" and rng.random() < 0.7:
        a["question"] = "What does good look like?"
        a["phase"] = rng.choice(schema.LEARNING_PHASES)
        a["start_date"] = dt.date(2025, 1, 6)
        a["end_date"] = dt.date(2025, 4, 6)
    elif kind == "Lesson" and rng.random() < 0.5:
        a["date"] = dt.date(2025, 3, 1)
    elif schema.is_a(kind, "Tool") and rng.random() < 0.6:
        a["frequency"] = rng.choice(schema.CADENCES)
    return a


def random_graph(seed: int) -> QMSGraph:
    rng = random.Random(seed)
    g = QMSGraph()
    by_kind: dict[str, list[str]] = {}
    for kind, (lo, hi) in COUNTS.items():
        for i in range(rng.randint(lo, hi)):
            nid = f"{kind}-{seed}-{i}"
            g.add_node(make_node({"kind": kind, "id": nid, "label": f"{kind} {i} of {seed}",
                                  "provenance": rng.choice(PROVS), **_attrs(rng, kind)}))
            by_kind.setdefault(kind, []).append(nid)
    nodes = list(g.g.nodes)

    def of(kinds: tuple[str, ...]) -> list[str]:
        return [n for n in nodes if any(schema.is_a(g.kind(n), k) for k in kinds)]

    # The usual spine first, so that most graphs have threads that reach goals.
    goals = by_kind.get("StrategicGoal", [])
    purposes = of(("Purpose",))
    for gl in goals:
        if rng.random() < 0.85:
            g.connect(gl, "serves", rng.choice(purposes), rng.choice(PROVS))
    for o in by_kind.get("Objective", []):
        g.connect(o, "contributesTo", rng.choice(goals), rng.choice(PROVS))
    anchors = goals + by_kind.get("Objective", [])
    for m in by_kind.get("Measure", []):
        if rng.random() < 0.7:
            g.connect(m, "indicates", rng.choice(anchors))
    for p in by_kind.get("ImprovementProject", []):
        if rng.random() < 0.8:
            g.connect(p, "improves", rng.choice(by_kind["Measure"]))
        if rng.random() < 0.4:
            g.connect(p, "alignsTo", rng.choice(anchors))
    teams = by_kind.get("Team", [])
    for u in teams + by_kind.get("Directorate", []):
        parent = rng.choice(by_kind.get("Directorate", []) if u in teams
                            else by_kind["Organisation"])
        g.connect(u, "unitOf", parent)
    # Then random edges of every kind, cycles and self-loops included.
    for kind, e in schema.EDGE_KINDS.items():
        src, dst = of(e.domain), of(e.range)
        if not src or not dst:
            continue
        for _ in range(rng.randint(*EDGES_PER_KIND)):
            s, t = rng.choice(src), rng.choice(dst)
            if s == t and rng.random() < 0.7:
                continue
            if not g.has_edge(s, kind, t):
                g.add_edge(make_edge(kind, s, t, provenance=rng.choice(PROVS)))
    return g
