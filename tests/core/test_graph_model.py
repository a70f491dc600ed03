"""The typed model and the graph refuse what the ontology does not allow."""

from __future__ import annotations

import pytest

from qmsgraph import schema
from qmsgraph.errors import ConflictError, EdgeNotAllowedError, NotFoundError, ValidationError
from qmsgraph.graph import GraphTransaction, QMSGraph
from qmsgraph.model import EDGE_CLASSES, NODE_CLASSES, make_edge, make_node


def small() -> QMSGraph:
    g = QMSGraph()
    g.add_node(make_node({"kind": "Mission", "id": "P", "label": "Purpose"}))
    g.add_node(make_node({"kind": "StrategicGoal", "id": "G", "label": "Goal"}))
    g.add_node(make_node({"kind": "Team", "id": "T", "label": "Ward 7"}))
    g.add_node(make_node({"kind": "Process", "id": "PR", "label": "Triage",
                          "process_type": "mainstay"}))
    return g


def test_every_kind_has_a_model_class_with_the_schema_parent():
    assert set(NODE_CLASSES) == set(schema.NODE_KINDS)
    assert set(EDGE_CLASSES) == set(schema.EDGE_KINDS)
    for kind, cls in NODE_CLASSES.items():
        parent = schema.NODE_KINDS[kind][0]
        base_kind = cls.__mro__[1].kind
        assert (parent or "Node") == base_kind, kind


def test_edge_allowed_follows_subclasses():
    g = small()
    g.connect("G", "serves", "P")  # Mission is a Purpose
    g.connect("T", "owns", "PR")  # Team is an OrganisationalUnit
    assert g.has_edge("G", "serves", "P")
    assert [e.target for e in g.out_edges("T", "owns")] == ["PR"]


def test_refused_edge_names_both_nodes_their_kinds_and_the_allowed_kinds():
    g = small()
    with pytest.raises(EdgeNotAllowedError) as err:
        g.connect("T", "serves", "P")
    msg = str(err.value)
    assert "'T' (Team)" in msg and "'P' (Mission)" in msg
    assert "from StrategicGoal to Purpose" in msg
    assert not g.has_edge("T", "serves", "P")


def test_edge_to_missing_node_and_duplicates():
    g = small()
    with pytest.raises(NotFoundError, match="target node 'nope' does not exist"):
        g.connect("G", "serves", "nope")
    g.connect("G", "serves", "P")
    with pytest.raises(ConflictError, match="duplicate edge"):
        g.connect("G", "serves", "P")
    with pytest.raises(ConflictError, match="duplicate id 'G'"):
        g.add_node(make_node({"kind": "Objective", "id": "G", "label": "x"}))


def test_unknown_kind_and_bad_fields_name_the_field():
    with pytest.raises(ValidationError, match="unknown node kind 'Goal'"):
        make_node({"kind": "Goal", "id": "G", "label": "x"})
    with pytest.raises(ValidationError) as err:
        make_node({"kind": "Measure", "id": "M", "label": "x", "measure_type": "outcome",
                   "target": "lots"})
    assert err.value.field == "target"
    with pytest.raises(ValidationError, match="end date"):
        make_node({"kind": "ImprovementProject", "id": "Q", "label": "x",
                   "start_date": "2025-02-01", "end_date": "2025-01-01"})
    with pytest.raises(ValidationError, match="unknown edge kind"):
        make_edge("servesTo", "G", "P")


def test_changing_a_nodes_kind_rechecks_its_edges():
    g = small()
    g.connect("G", "serves", "P")
    with pytest.raises(EdgeNotAllowedError):
        g.add_node(make_node({"kind": "Objective", "id": "G", "label": "now objective"}),
                   replace=True)
    assert g.kind("G") == "StrategicGoal"


def test_transaction_rollback_restores_everything():
    g = small()
    g.connect("G", "serves", "P")
    before = g.copy()
    tx = GraphTransaction(g)
    assert tx.add_node(make_node({"kind": "Objective", "id": "O", "label": "obj"}))
    assert tx.add_edge(make_edge("contributesTo", "O", "G"))
    assert tx.remove_node("P")
    assert tx.replace_node(make_node({"kind": "StrategicGoal", "id": "G", "label": "renamed",
                                      "status": "retired"}))
    assert not tx.add_edge(make_edge("serves", "T", "G"))
    assert len(tx.problems) == 1 and "not allowed" in tx.problems[0]
    assert g != before
    tx.rollback()
    assert g == before
