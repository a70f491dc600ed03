"""Differential tests: the same graph in the embedded store and in Neo4j gives the same graph
back and the same answers (findings, threads, contributors, impact, project checks)."""

from __future__ import annotations

import json
import random

import pytest
import rdflib
import yaml

from qmsgraph.alignment import AlignmentConfig, ProjectProposal
from qmsgraph.cli import example_files
from qmsgraph.errors import NotFoundError, ValidationError
from qmsgraph.graph import QMSGraph
from qmsgraph.io.export import export
from qmsgraph.io.readers import read_files
from qmsgraph.stores import ChangeSet, SQLiteStore, changes_from_graph
from qmsgraph.stores.neo4j import Neo4jStore

from .randgraph import random_graph

pytestmark = pytest.mark.neo4j

SEEDS = list(range(24))
CONFIGS = [
    AlignmentConfig(),
    AlignmentConfig(max_active_goals=2, stale_periods=1, concern_window=3,
                    work_statuses=["proposed", "active", "paused", "completed"],
                    duplicate_statuses=["active", "proposed", "paused"],
                    severities={"measure-without-owner": "error"},
                    disabled_rules=["goal-not-serving-purpose"], assurance_heavy_min=1,
                    planning_levels=["Organisation"]),
]


def _load_both(neo: Neo4jStore, lite: SQLiteStore, changes: ChangeSet) -> QMSGraph:
    lite.apply(changes)
    neo.apply(changes)
    return lite.graph()


def _proposals(g: QMSGraph, rng: random.Random) -> list[ProjectProposal]:
    measures = sorted(n.id for n in g.nodes("Measure"))
    processes = sorted(n.id for n in g.nodes("Process"))
    units = sorted(n.id for n in g.nodes("OrganisationalUnit"))
    anchors = sorted(n.id for n in g.nodes() if n.kind in ("StrategicGoal", "Objective"))
    people = sorted(n.id for n in g.nodes("Person"))
    out = [ProjectProposal(label="nothing named")]
    for _ in range(4):
        out.append(ProjectProposal(
            label="a proposal", aim=rng.choice([None, "Fewer falls"]),
            unit=rng.choice(units) if units and rng.random() < 0.8 else None,
            measures=rng.sample(measures, min(len(measures), rng.randint(0, 3))),
            processes=rng.sample(processes, min(len(processes), rng.randint(0, 2))),
            declared_priority=rng.choice(anchors) if anchors and rng.random() < 0.6 else None,
            sponsor=rng.choice(people) if people and rng.random() < 0.5 else None))
    return out


def _compare(neo: Neo4jStore, lite: SQLiteStore, g: QMSGraph, rng: random.Random,
             thread_sample: int = 12) -> dict[str, int]:
    """Everything the two stores answer must be equal; returns how much was compared."""
    assert neo.graph() == g
    counts = {"findings": 0, "threads": 0, "contributors": 0, "impact": 0, "checks": 0}
    for cfg in CONFIGS:
        a, b = neo.audit(cfg), lite.audit(cfg)
        assert a.findings == b.findings
        assert a == b
        counts["findings"] += len(a.findings)
    ids = sorted(g.g.nodes)
    projects = sorted(n.id for n in g.nodes("ImprovementProject"))
    for nid in sorted(set(projects) | set(rng.sample(ids, min(thread_sample, len(ids))))):
        assert neo.thread(nid) == lite.thread(nid), nid
        counts["threads"] += 1
    for n in g.nodes():
        if n.kind in ("StrategicGoal", "Objective"):
            assert neo.contributors(n.id) == lite.contributors(n.id), n.id
            counts["contributors"] += 1
    for nid in rng.sample(ids, min(6, len(ids))):
        assert neo.impact(nid) == lite.impact(nid), nid
        counts["impact"] += 1
    for p in _proposals(g, rng):
        for cfg in CONFIGS:
            assert neo.check_project(p, cfg) == lite.check_project(p, cfg), p
            counts["checks"] += 1
    return counts


@pytest.mark.parametrize("seed", SEEDS)
def test_random_graph_same_answers(neo: Neo4jStore, lite: SQLiteStore, seed: int):
    g = random_graph(seed)
    if seed % 3 == 1:
        neo.batch_size = 37  # the batched write path (several transactions, a journal)
    _load_both(neo, lite, changes_from_graph(g, f"random-{seed}"))
    assert neo.pending_loads() == []
    counts = _compare(neo, lite, lite.graph(), random.Random(seed))
    assert counts["threads"] > 0 and counts["checks"] > 0


def test_example_organisation_same_answers(neo: Neo4jStore, lite: SQLiteStore):
    changes = read_files(example_files(), QMSGraph(), agent="tester")
    g = _load_both(neo, lite, changes)
    rng = random.Random(7)
    counts = _compare(neo, lite, g, rng, thread_sample=60)
    assert counts["findings"] > 20
    report = neo.audit()
    assert report.summary()["by_rule"] == lite.audit().summary()["by_rule"]
    assert {f.rule for f in report.findings} >= {"orphaned-work", "at-risk-goal",
                                                 "declared-not-evidenced"}
    # Exports hold the same content (node order follows each store's own order).
    assert _canonical(export(neo.graph(), "yaml")) == _canonical(export(lite.graph(), "yaml"))
    a, b = rdflib.Graph(), rdflib.Graph()
    a.parse(data=export(neo.graph(), "ttl"), format="turtle")
    b.parse(data=export(lite.graph(), "ttl"), format="turtle")
    assert len(a) > 1000 and set(a) == set(b)


def _canonical(text: str) -> object:
    def norm(x: object) -> object:
        if isinstance(x, dict):
            return {k: norm(v) for k, v in x.items()}
        if isinstance(x, list):
            return sorted((norm(i) for i in x), key=lambda i: json.dumps(i, default=str))
        return x

    return norm(yaml.safe_load(text))


def test_random_graphs_cover_every_rule(neo: Neo4jStore, lite: SQLiteStore):
    """The random graphs (together) make every rule fire on the Neo4j store."""
    seen: set[str] = set()
    for seed in SEEDS[:12]:
        neo.clear()
        g = random_graph(seed)
        neo.apply(changes_from_graph(g))
        for cfg in CONFIGS:
            seen |= {f.rule for f in neo.audit(cfg).findings}
    assert seen >= {"orphaned-work", "misaligned-inactive-goal", "declared-not-evidenced",
                    "goal-without-measure", "goal-without-work", "too-many-priorities",
                    "measure-without-owner", "measure-without-data", "stale-measure",
                    "assurance-not-control", "unbalanced-unit", "at-risk-goal",
                    "locally-aligned"}


def test_missing_and_wrong_nodes_fail_the_same_way(neo: Neo4jStore, lite: SQLiteStore):
    g = random_graph(3)
    _load_both(neo, lite, changes_from_graph(g))
    for store in (neo, lite):
        with pytest.raises(NotFoundError, match="no node with id 'nope'"):
            store.thread("nope")
        with pytest.raises(NotFoundError):
            store.contributors("nope")
        with pytest.raises(NotFoundError):
            store.impact("nope")
    person = next(n.id for n in g.nodes("Person"))
    errors = []
    for store in (neo, lite):
        with pytest.raises(ValidationError) as info:
            store.contributors(person)
        errors.append(str(info.value))
        with pytest.raises(ValidationError) as info:
            store.check_project(ProjectProposal(label="x", measures=[person, "nope"]))
        errors.append(info.value.problems)
    assert errors[0] == errors[2] and errors[1] == errors[3]


def test_second_example_organisation_same_answers(neo: Neo4jStore, lite: SQLiteStore):
    """Eastbrook (examples/EASTBROOK.md) plants one finding of each issue-12 rule."""
    from pathlib import Path

    model = Path(example_files()[0]).with_name("eastbrook.yaml")
    g = _load_both(neo, lite, read_files([model], QMSGraph(), agent="tester"))
    _compare(neo, lite, g, random.Random(3), thread_sample=20)
    assert {f.rule for f in neo.audit().findings} == {
        "informs-nothing", "need-not-addressed", "gains-not-held", "domain-without-measure",
        "domain-without-goal", "assurance-heavy-unit", "unit-without-planning",
        "progress-not-evidenced", "locally-aligned"}
    # overlap at proposal time: the paraphrase of EB-QI-O01 is matched on both stores
    proposal = ProjectProposal.model_validate(yaml.safe_load(model.with_name(
        "proposal-eastbrook-visits.yaml").read_text(encoding="utf-8")))
    a, b = neo.check_project(proposal), lite.check_project(proposal)
    assert a == b and a.overlaps[0].project == "EB-QI-O01" and a.overlaps[0].lessons
