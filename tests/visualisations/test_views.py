"""Which nodes and edges each view shows, and its layered layout (no browser)."""

from __future__ import annotations

import pytest

from qmsgraph.alignment.views import VIEWS, build_view
from qmsgraph.errors import NotFoundError, ValidationError
from qmsgraph.visualisations.layout import layered_layout

from ..alignment.builder import G
from .conftest import Org


def test_views_listed() -> None:
    assert VIEWS == ("system", "unit", "thread", "goal", "findings", "driver")


def test_system_view_is_everything_but_people(org: Org) -> None:
    v = build_view(org.graph, "system")
    kinds = {org.graph.kind(n) for n in v.nodes}
    assert "Person" not in kinds and "Role" not in kinds
    expected = {n.id for n in org.graph.nodes() if n.kind not in ("Person", "Role")}
    assert set(v.nodes) == expected
    assert {k for _, k, _ in v.edges}.isdisjoint({"sponsors", "memberOf", "alignsTo"})
    assert ("QI-1", "improves", "M1") in v.edges


def test_system_depth_keeps_top_layers(org: Org) -> None:
    top = build_view(org.graph, "system", depth=1)
    assert {org.graph.kind(n) for n in top.nodes} == {"Mission", "PopulationNeed",
                                                      "StrategicGoal"}
    assert len(build_view(org.graph, "system", depth=0).nodes) == 2


def test_unit_view(org: Org) -> None:
    v = build_view(org.graph, "unit", unit="med")
    nodes = set(v.nodes)
    # the unit, the units below, the unit above, their work and its thread to the purpose
    assert {"med", "ward-7", "ward-9", "board", "PR-falls", "M1", "QI-1", "QI-EVIL",
            "M-WAIT", "O1", "G1", "purpose", "dr-a"} <= nodes
    assert "need-frailty" not in nodes  # not on any thread of the unit's work
    only_ward9 = set(build_view(org.graph, "unit", unit="ward-9").nodes)
    assert "PR-falls" not in only_ward9 and "QI-EVIL" in only_ward9
    shallow = set(build_view(org.graph, "unit", unit="med", depth=0).nodes)
    assert "ward-7" not in shallow and "med" in shallow


def test_thread_view_reaches_purpose(org: Org) -> None:
    v = build_view(org.graph, "thread", focus="QI-1")
    assert {"QI-1", "M1", "O1", "G1", "purpose"} <= set(v.nodes)
    assert ("QI-1", "improves", "M1") in v.edges and ("G1", "serves", "purpose") in v.edges
    assert v.breaks == [] and v.focus == "QI-1"
    assert "reaches 1 active goal" in v.notes[0]


def test_thread_view_shows_the_break(org: Org) -> None:
    v = build_view(org.graph, "thread", focus="QI-EVIL")
    assert v.nodes == ["QI-EVIL"] and v.breaks == ["QI-EVIL"]
    assert v.notes[0].startswith("Thread broken")
    inactive = build_view(org.graph, "thread", focus="QI-DEP")
    assert {"QI-DEP", "M-DEP", "G-DEP", "purpose"} <= set(inactive.nodes)
    assert inactive.breaks == ["G-DEP"]
    assert "no longer pursues" in inactive.notes[0]


def test_thread_view_depth_adds_feeding_work(org: Org) -> None:
    assert "QI-1" not in build_view(org.graph, "thread", focus="M1").nodes
    assert "QI-1" in build_view(org.graph, "thread", focus="M1", depth=1).nodes


def test_goal_view(org: Org) -> None:
    v = build_view(org.graph, "goal", focus="G1")
    assert {"G1", "O1", "M1", "QI-1", "PR-falls", "ward-7", "purpose", "M-WAIT"} <= set(v.nodes)
    assert "QI-EVIL" not in v.nodes
    assert ("QI-1", "alignsTo", "G1") in v.edges
    near = build_view(org.graph, "goal", focus="G1", depth=1)
    assert "O1" in near.nodes and "QI-1" not in near.nodes


def test_findings_view_matches_system(org: Org) -> None:
    assert build_view(org.graph, "findings").nodes == build_view(org.graph, "system").nodes
    assert build_view(org.graph, "findings", unit="ward-9").nodes == build_view(
        org.graph, "unit", unit="ward-9").nodes


@pytest.mark.parametrize(("view", "kw", "error"), [
    ("nope", {}, ValidationError),
    ("thread", {}, ValidationError),
    ("thread", {"focus": "missing"}, NotFoundError),
    ("unit", {"unit": "missing"}, NotFoundError),
    ("unit", {"unit": "QI-1"}, ValidationError),
    ("goal", {"focus": "QI-1"}, ValidationError),
    ("system", {"depth": -1}, ValidationError),
])
def test_bad_arguments(org: Org, view: str, kw: dict, error: type) -> None:
    with pytest.raises(error):
        build_view(org.graph, view, **kw)


def test_layout_rows_go_board_to_floor(org: Org) -> None:
    v = build_view(org.graph, "system")
    pos = layered_layout(org.graph, v.nodes, v.edges).pos
    order = ["purpose", "G1", "O1", "PR-falls", "M1", "QI-1", "board", "med", "ward-7"]
    ys = [pos[n][1] for n in order]
    assert ys == sorted(ys) and len(set(ys)) == len(ys)
    assert layered_layout(org.graph, v.nodes, v.edges).pos == pos  # deterministic


def _crossings(pos: dict, edges: list) -> int:
    segs = [(pos[s], pos[t]) for s, _, t in edges]
    n = 0
    for i, (a1, a2) in enumerate(segs):
        for b1, b2 in segs[i + 1:]:
            if {a1, a2} & {b1, b2}:
                continue
            (ay1, ay2), (by1, by2) = sorted([a1[1], a2[1]]), sorted([b1[1], b2[1]])
            if (ay1, ay2) != (by1, by2):
                continue
            lo = a1 if a1[1] == ay1 else a2
            hi = a2 if lo is a1 else a1
            lo2 = b1 if b1[1] == by1 else b2
            hi2 = b2 if lo2 is b1 else b1
            if (lo[0] - lo2[0]) * (hi[0] - hi2[0]) < 0:
                n += 1
    return n


def test_barycentre_ordering_removes_crossings() -> None:
    # goals A, B; objectives whose ids sort against their goals (a naive order crosses)
    g = G().node("P", "Mission")
    for goal in ("GA", "GB"):
        g.node(goal, "StrategicGoal").edge(goal, "serves", "P")
    for i, goal in enumerate(["GB", "GA", "GB", "GA", "GB", "GA"]):
        g.node(f"O{i}", "Objective").edge(f"O{i}", "contributesTo", goal)
        g.node(f"M{i}", "Measure").edge(f"M{i}", "indicates", f"O{i}")
    graph = g.graph
    nodes = sorted(graph.g.nodes)
    edges = sorted((e.source, e.kind, e.target) for e in graph.edges())
    pos = layered_layout(graph, nodes, edges).pos
    assert _crossings(pos, edges) == 0
    # the goal sits above the middle of its objectives
    for goal in ("GA", "GB"):
        kids = [pos[s][0] for s, k, t in edges if t == goal and k == "contributesTo"]
        assert min(kids) <= pos[goal][0] <= max(kids)


def test_every_kind_has_a_layer_for_the_system_depth() -> None:
    from qmsgraph import schema
    from qmsgraph.alignment.views import LAYER_OF_KIND

    assert set(LAYER_OF_KIND) == set(schema.NODE_KINDS)
