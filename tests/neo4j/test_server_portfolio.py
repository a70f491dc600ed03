"""List, filter and portfolio questions answered on the Neo4j server (qmsgraph/stores/neo4j/
portfolio.py) give exactly what the embedded store gives, on both example organisations and on
random graphs; and none of them reads the whole graph (its whole-graph read is made to fail)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from qmsgraph.alignment import AlignmentConfig
from qmsgraph.cli import example_files
from qmsgraph.errors import NotFoundError, ValidationError
from qmsgraph.graph import QMSGraph
from qmsgraph.io.readers import read_files
from qmsgraph.stores import SQLiteStore, changes_from_graph
from qmsgraph.stores.neo4j import Neo4jStore

from .randgraph import random_graph
from .test_differential import CONFIGS

pytestmark = pytest.mark.neo4j


@pytest.fixture
def no_pull(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Neo4jStore, *a: object, **k: object) -> None:
        raise AssertionError("read the whole graph")

    monkeypatch.setattr(Neo4jStore, "_pull", refuse)


def _filters(g: QMSGraph, rng: random.Random) -> list[dict[str, str | None]]:
    units = sorted(n.id for n in g.nodes("OrganisationalUnit"))
    words = sorted({w.lower() for n in g.nodes() for w in n.label.split() if len(w) > 3})
    out: list[dict[str, str | None]] = [{}, {"kind": "Nope"}, {"q": "ZZZ-not-there"}]
    for kind in ("ImprovementProject", "Measure", "OrganisationalUnit", "StrategicGoal",
                 "QMSNode" if False else "Process"):
        out.append({"kind": kind})
    for _ in range(12):
        out.append({"kind": rng.choice([None, "ImprovementProject", "Measure", "Process"]),
                    "unit": rng.choice([None, *units]) if units else None,
                    "status": rng.choice([None, "active", "completed", "retired"]),
                    "q": rng.choice([None, *words[:30]]) if words else None})
    for domain in ("safe", "equitable", "timely"):  # goals, objectives, measures naming it
        out.append({"quality_domain": domain})
        out.append({"quality_domain": domain, "kind": "Measure",
                    "unit": rng.choice([None, *units]) if units else None})
    for aim in ("population-health", "staff-experience"):
        out.append({"quadruple_aim": aim})
    return out


def compare(neo: Neo4jStore, lite: SQLiteStore, g: QMSGraph, seed: int) -> int:
    """Every list/filter and portfolio answer is equal; returns how many were compared."""
    rng = random.Random(seed)
    n = 0
    for f in _filters(g, rng):
        assert neo.find_nodes(**f) == lite.find_nodes(**f), f
        n += 1
    ids = sorted(g.g.nodes)
    for nid in rng.sample(ids, min(15, len(ids))):
        for args in ({"node": nid}, {"source": nid}, {"target": nid},
                     {"node": nid, "kind": "leads"}, {"source": nid, "kind": "owns"}):
            assert neo.find_edges(**args) == lite.find_edges(**args), args
            n += 1
    for args in ({"kind": "unitOf"}, {"kind": "nope"}, {"source": "nope"}):
        assert neo.find_edges(**args) == lite.find_edges(**args), args
    for u in sorted(n_.id for n_ in g.nodes("OrganisationalUnit")):
        assert neo.unit_scope(u) == lite.unit_scope(u), u
        n += 1
    n += compare_maps(neo, lite, g, rng)
    for cfg in [*CONFIGS, AlignmentConfig(work_statuses=["completed"]),
                AlignmentConfig(disabled_rules=["declared-not-evidenced"])]:
        assert neo.balance(cfg) == lite.balance(cfg)
        assert neo.matrix(cfg) == lite.matrix(cfg)
        assert neo.scores(cfg) == lite.scores(cfg)
        assert neo.effort(cfg) == lite.effort(cfg)
        n += 4
    return n


def compare_maps(neo: Neo4jStore, lite: SQLiteStore, g: QMSGraph, rng: random.Random
                 ) -> int:
    """Every map view, with and without depth, on a sample of foci: equal answers (and the
    same errors for bad arguments)."""
    n = 0
    units = sorted(x.id for x in g.nodes("OrganisationalUnit"))
    goals = sorted(x.id for x in g.nodes() if x.kind in ("StrategicGoal", "Objective"))
    projects = sorted(x.id for x in g.nodes("ImprovementProject"))
    ids = sorted(g.g.nodes)
    calls: list[tuple[str, dict[str, object]]] = []
    for depth in (None, 0, 2):
        calls.append(("system", {"depth": depth}))
        calls.append(("findings", {"depth": depth}))
        for u in rng.sample(units, min(3, len(units))):
            calls.append(("unit", {"unit": u, "depth": depth}))
            calls.append(("findings", {"unit": u, "depth": depth}))
        for f in rng.sample(ids, min(4, len(ids))) + rng.sample(projects, min(3, len(projects))):
            calls.append(("thread", {"focus": f, "depth": depth}))
        for f in rng.sample(goals, min(3, len(goals))):
            calls.append(("goal", {"focus": f, "depth": depth}))
    for f in rng.sample(projects, min(4, len(projects))):
        calls.append(("driver", {"focus": f}))
    calls += [("unit", {"unit": "nope"}), ("thread", {}), ("nope", {}),
              ("goal", {"focus": goals[0] if goals else "x", "depth": -1}),
              ("driver", {"focus": ids[0]}), ("unit", {"unit": ids[-1]})]
    for view, kw in calls:
        got = []
        for store in (neo, lite):
            try:
                got.append(store.map_view(view, **kw))  # type: ignore[arg-type]
            except (NotFoundError, ValidationError) as err:
                got.append((type(err), str(err)))
        assert got[0] == got[1], (view, kw)
        n += 1
    return n


@pytest.mark.parametrize("seed", range(10))
def test_random_graphs(neo: Neo4jStore, lite: SQLiteStore, seed: int, no_pull: None):
    g = random_graph(seed)
    lite.apply(changes_from_graph(g))
    neo.apply(changes_from_graph(g))
    assert compare(neo, lite, lite.graph(), seed) > 40


@pytest.mark.parametrize("name", ["northvale.yaml", "eastbrook.yaml"])
def test_example_organisations(neo: Neo4jStore, lite: SQLiteStore, name: str, no_pull: None):
    files = example_files() if name == "northvale.yaml" else [
        Path(example_files()[0]).with_name(name)]
    changes = read_files(files, QMSGraph(), agent="tester")
    lite.apply(changes)
    neo.apply(changes)
    g = lite.graph()
    assert compare(neo, lite, g, 5) > 40
    m = neo.matrix()
    assert m.project_cells and m.measure_cells  # a real matrix, not an empty one


def test_bad_unit_fails_the_same_way(neo: Neo4jStore, lite: SQLiteStore, no_pull: None):
    g = random_graph(2)
    lite.apply(changes_from_graph(g))
    neo.apply(changes_from_graph(g))
    person = next(n.id for n in g.nodes("Person"))
    for store in (neo, lite):
        with pytest.raises(NotFoundError, match="no node with id 'nope'"):
            store.find_nodes(unit="nope")
        with pytest.raises(NotFoundError, match="no node with id 'nope'"):
            store.unit_scope("nope")
    errors = []
    for store in (neo, lite):
        with pytest.raises(ValidationError) as info:
            store.find_nodes(unit=person)
        errors.append(str(info.value))
    assert errors[0] == errors[1] and "not an organisational unit" in errors[0]
