"""A synthetic organisation of any size for the map tests and benchmarks/bench_map.py.

Deterministic (one seed). About 5,000 nodes by default, none of them people, so the system
view has exactly ``n`` nodes: purpose, goals, objectives, units, services, processes,
measures, projects with driver diagrams, assurance. A few per cent of the work is planted
orphaned or misaligned so the findings view has something to show.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from qmsgraph.graph import QMSGraph
from qmsgraph.model import make_node

# share of n for each kind (sums to 1)
MIX: list[tuple[str, float]] = [
    ("Objective", 0.008), ("Directorate", 0.0024), ("Team", 0.036), ("Service", 0.03),
    ("Process", 0.12), ("Measure", 0.24), ("ImprovementProject", 0.40),
    ("PrimaryDriver", 0.012), ("SecondaryDriver", 0.024), ("ChangeIdea", 0.04),
    ("PDSACycle", 0.05), ("Audit", 0.012), ("Standard", 0.008), ("Risk", 0.012),
]
FIXED = 1 + 1 + 4 + 6 + 8 + 1 + 1  # mission, vision, values, needs, goals, system, board


def _monthly(rng: random.Random, n: int, base: float) -> list[dict[str, Any]]:
    out = []
    y, m = 2023, 1
    for _ in range(n):
        out.append({"date": dt.date(y, m, 1), "value": round(base + rng.gauss(0, base / 10), 2)})
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out


def synthetic_org(n: int = 5000, seed: int = 7, data_points: int = 0) -> QMSGraph:
    """A graph with exactly ``n`` nodes (n >= 200). ``data_points``: monthly points per
    measure (0 keeps it fast; 12+ gives SPC summaries)."""
    if n < 200:
        raise ValueError("n must be at least 200")
    rng = random.Random(seed)
    g = QMSGraph()
    counts = {k: max(2, int(share * n)) for k, share in MIX}
    counts["ImprovementProject"] += n - FIXED - sum(counts.values())
    ids: dict[str, list[str]] = {}

    def add(kind: str, nid: str, label: str, **fields: Any) -> str:
        g.add_node(make_node({"kind": kind, "id": nid, "label": label, **fields}))
        ids.setdefault(kind, []).append(nid)
        return nid

    add("Mission", "MISSION", "Healthier lives for everyone in Synthshire")
    add("Vision", "VISION", "The right care, in the right place, first time")
    for i, v in enumerate(["Kindness", "Respect", "Working together", "Always learning"]):
        add("Value", f"VAL-{i}", v)
    for i in range(6):
        add("PopulationNeed", f"PN-{i}", f"Population need {i + 1}")
    statuses = ["active"] * 6 + ["deprioritised", "retired"]
    for i, st in enumerate(statuses):
        add("StrategicGoal", f"G{i + 1}", f"Strategic goal {i + 1}", status=st,
            target=float(10 + i))
        g.connect(f"G{i + 1}", "serves", "MISSION")
        g.connect(f"G{i + 1}", "addresses", f"PN-{i % 6}")
    active_goals = [f"G{i + 1}" for i in range(6)]
    for i in range(counts["Objective"]):
        o = add("Objective", f"OBJ-{i}", f"Objective {i + 1}")
        g.connect(o, "contributesTo", f"G{(i % 8) + 1}")
    live_objectives = [o for i, o in enumerate(ids["Objective"]) if i % 8 < 6]
    add("HealthSystem", "ICS", "Synthshire Integrated Care System")
    add("Organisation", "BOARD", "Synthshire Health Board")
    g.connect("BOARD", "unitOf", "ICS")
    for i in range(counts["Directorate"]):
        d = add("Directorate", f"DIR-{i}", f"Directorate {i + 1}")
        g.connect(d, "unitOf", "BOARD")
    for i in range(counts["Team"]):
        t = add("Team", f"T-{i}", f"Team {i + 1}")
        g.connect(t, "unitOf", ids["Directorate"][i % len(ids["Directorate"])])
    teams = ids["Team"]
    for i in range(counts["Service"]):
        s = add("Service", f"SVC-{i}", f"Service {i + 1}")
        g.connect(s, "contributesTo", rng.choice(live_objectives))
        g.connect(teams[i % len(teams)], "delivers", s)
    for i in range(counts["Process"]):
        p = add("Process", f"PR-{i}", f"Process {i + 1}",
                process_type=("driver", "mainstay", "support")[i % 3])
        if i % 25 != 0:  # every 25th process is orphaned
            if i % 3 == 0:
                g.connect(p, "supports", rng.choice(ids["Service"]))
            else:
                g.connect(p, "supports", rng.choice(live_objectives))
        g.connect(teams[(i * 7) % len(teams)], "owns", p)
    for i in range(counts["Measure"]):
        extra = {"data": _monthly(rng, data_points, 50.0)} if data_points else {}
        m = add("Measure", f"M-{i}", f"Measure {i + 1}",
                measure_type=("outcome", "process", "balancing")[i % 3],
                direction=("increase", "decrease")[i % 2], target=50.0, **extra)
        if i % 5 < 2:
            g.connect(m, "indicates", rng.choice(ids["Objective"]))
        else:
            g.connect(m, "measures", rng.choice(ids["Process"]))
        if i % 40 != 0:  # every 40th measure has no owner
            team = teams[(i * 3) % len(teams)]
            g.connect(team, "owns", m)
            g.connect(team, "monitors", m)
    measures = ids["Measure"]
    for i in range(counts["ImprovementProject"]):
        p = add("ImprovementProject", f"QI-{i}", f"Improvement project {i + 1}",
                status=("active", "active", "active", "proposed", "completed")[i % 5],
                tier="project")
        if i % 30 != 0:  # every 30th project is orphaned
            for m in rng.sample(measures, 1 + i % 2):
                g.connect(p, "improves", m)
        g.connect(teams[(i * 11) % len(teams)], "leads", p)
        if i % 4 == 0:
            g.connect(p, "alignsTo", active_goals[i % len(active_goals)])
    projects = ids["ImprovementProject"]
    for kind, prefix, edge, targets in (
            ("PrimaryDriver", "PD", "drives", projects),
            ("SecondaryDriver", "SD", "drives", None),
            ("ChangeIdea", "CI", "changes", None),
            ("PDSACycle", "PDSA", "tests", None)):
        pool = {"SecondaryDriver": "PrimaryDriver", "ChangeIdea": "SecondaryDriver",
                "PDSACycle": "ChangeIdea"}
        for i in range(counts[kind]):
            x = add(kind, f"{prefix}-{i}", f"{kind} {i + 1}")
            target_pool = targets if targets is not None else ids[pool[kind]]
            g.connect(x, edge, target_pool[(i * 13) % len(target_pool)])
    for i in range(counts["Standard"]):
        add("Standard", f"STD-{i}", f"Standard {i + 1}")
    for i in range(counts["Audit"]):
        a = add("Audit", f"AUD-{i}", f"Audit {i + 1}")
        g.connect(a, "assures", rng.choice(measures))
        g.connect(a, "checksAgainst", rng.choice(ids["Standard"]))
    for i in range(counts["Risk"]):
        r = add("Risk", f"RISK-{i}", f"Risk {i + 1}")
        g.connect(r, "threatens", rng.choice(ids["Objective"]))
    assert len(g) == n, (len(g), n)
    return g
