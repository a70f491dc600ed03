"""SPC results stored with the measure, recomputed when its data change, read by the audit."""

from __future__ import annotations

from qmsgraph.alignment import AlignmentConfig
from qmsgraph.model import make_node
from qmsgraph.spc import SPECIAL_CAUSE_CONCERN
from qmsgraph.spc import graph as spc_graph
from qmsgraph.stores import ChangeSet, SQLiteStore
from tests.alignment.builder import base, monthly

STABLE = [10, 11, 10, 9, 10, 11, 10, 9, 10, 11, 10, 9, 10, 11, 10, 9]
RISING_FALLS = STABLE[:9] + [12, 13, 14, 15, 16, 17, 18, 19]  # decrease is better


def with_data(node, points, **fields):
    d = node.model_dump()
    d.update(fields, kind=node.kind, data=points)
    return make_node(d)


def store_with(tmp_path, values):
    s = SQLiteStore(tmp_path / "s.qmsdb")
    g = base().graph
    m = with_data(g.node("M1"), monthly(values), direction="decrease")
    cs = ChangeSet()
    for n in g.nodes():
        cs.node(m if n.id == "M1" else n)
    for e in g.edges():
        cs.edge(e)
    s.apply(cs)
    return s


def test_summary_is_cached_and_recomputed_when_data_change(tmp_path):
    s = store_with(tmp_path, STABLE)
    g = s.graph()
    first = spc_graph.summary(g, "M1", s)
    assert first["variation_icon"] == "common_cause"
    key = spc_graph._hash(g.node("M1"))
    assert s.get_derived("M1", "spc", key) == first  # stored with the measure
    # New data: a different key, so the stale result is not used.
    old = g.node("M1")
    new = with_data(old, [p.model_dump() for p in old.data] + monthly(
        [30], start=old.data[-1].date.replace(year=2025)))
    cs = ChangeSet()
    cs.update_nodes.append((new, None, None))
    s.apply(cs)
    second = spc_graph.summary(s.graph(), "M1", s)
    assert second["n"] == len(STABLE) + 1 and second != first
    assert second["point_types"][-1] == SPECIAL_CAUSE_CONCERN  # 30 falls: far above UCL
    s.close()


def test_concern_feeds_the_at_risk_rule(tmp_path):
    s = store_with(tmp_path, RISING_FALLS)
    assert s.concern_measures(6) == {"M1"}
    report = s.audit(AlignmentConfig())
    assert [(f.rule, f.node) for f in report.findings if f.rule == "at-risk-goal"] == [
        ("at-risk-goal", "G1")]
    quiet = s.audit(AlignmentConfig(concern_window=1, disabled_rules=[]))
    assert any(f.rule == "at-risk-goal" for f in quiet.findings)  # the last point too
    s.close()


def test_short_series_have_no_summary(tmp_path):
    s = store_with(tmp_path, STABLE[:5])
    assert spc_graph.summary(s.graph(), "M1", s) is None
    assert s.concern_measures(6) == set()
    s.close()
