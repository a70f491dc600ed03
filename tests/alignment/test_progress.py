"""Progress from the evidence (issue 20, item 1): each level of the IHI 0.5-5 scale fires when
its evidence is in the graph and not before; a recorded level the evidence does not support
is the progress-not-evidenced finding, and a supported one stays quiet; the embedded store's
bulk field reads give what the node bodies say."""

from __future__ import annotations

import datetime as dt

import pytest

from qmsgraph.alignment import audit
from qmsgraph.alignment.progress import LEVELS, assess, graph_fields
from qmsgraph.cli import example_files
from qmsgraph.errors import ValidationError
from qmsgraph.io.readers import load_files
from qmsgraph.model import make_node
from qmsgraph.stores import ChangeSet, SQLiteStore, changes_from_graph
from qmsgraph.stores.base import Store

from .builder import G

WIGGLE = (0.0, 1.2, -0.8, 0.6, -1.1, 0.9, -0.4, 1.0, -1.2, 0.3, -0.6, 1.1)


def series(shift: bool, spike_last: bool = False) -> list[dict]:
    """30 monthly points from April 2023; with ``shift`` the last 12 (from October 2024) are
    2 lower: special-cause improvement for a lower-is-better measure."""
    out, y, m = [], 2023, 4
    for i in range(30):
        v = 10 + WIGGLE[i % 12] if not shift or i < 18 else 8 + WIGGLE[i % 12] / 2
        if spike_last and i == 29:
            v = 25.0
        out.append({"date": dt.date(y, m, 1), "value": round(v, 2)})
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def ladder(step: int, *, adopted: str = "2024-08-01", spike: bool = False,
           recorded: float | None = None) -> G:
    """A project with the evidence of the first ``step`` levels above 0.5."""
    g = G()
    g.node("T1", "Team").node("T2", "Team")
    fields: dict = {"status": "active"}
    if step >= 2:
        fields["aim"] = "Fewer restraints from 10 to 8 per 1,000 bed days by 2025"
        fields["start_date"] = "2024-04-01" if step >= 3 else "2023-04-01"
    if recorded is not None:
        fields["progress_recorded"] = recorded
    g.node("Q", "ImprovementProject", **fields)
    g.node("M-OUT", "Measure", measure_type="outcome", direction="decrease", target=8,
           data=series(step >= 7, spike))
    g.node("M-PROC", "Measure", measure_type="process", direction="decrease", target=8,
           data=series(step >= 6))
    if step >= 1:
        g.edge("T1", "leads", "Q")
    if step >= 2:
        g.edge("Q", "improves", "M-OUT").edge("Q", "improves", "M-PROC")
    if step >= 4:
        g.node("PD", "PrimaryDriver").node("SD", "SecondaryDriver")
        g.node("CI", "ChangeIdea", **({"date": adopted} if step >= 5 else {}))
        g.node("PDSA", "PDSACycle", date="2024-05-06")
        g.edge("PD", "drives", "Q").edge("SD", "drives", "PD").edge("CI", "changes", "SD")
        g.edge("PDSA", "tests", "CI")
    if step >= 8:
        g.edge("T1", "monitors", "M-OUT")
    if step >= 9:
        g.edge("Q", "handsOverTo", "T2")
    return g


@pytest.mark.parametrize("step", range(10))
def test_each_level_fires_on_its_evidence_and_not_before(step: int):
    p = assess(ladder(step).graph)["Q"]
    expected = list(LEVELS)[step]
    assert p.level == expected, [(c.level, c.met, c.missing) for c in p.checks]
    assert p.name == LEVELS[expected][0]
    assert [c.met for c in p.checks] == [i <= step for i in range(10)]
    met = [c for c in p.checks if c.met]
    assert all(c.evidence and c.missing is None for c in met)
    assert all(c.missing and not c.evidence for c in p.checks if not c.met)
    if step < 9:
        assert p.next is not None and p.next.startswith(f"{list(LEVELS)[step + 1]:.1f}")
    else:
        assert p.next is None


def test_the_evidence_names_what_the_graph_holds():
    p = assess(ladder(9).graph)["Q"]
    by = {c.level: c for c in p.checks}
    assert by[2.0].nodes == ["M-OUT", "M-PROC"] and "12 points" in by[2.0].evidence[0]
    assert by[2.5].nodes == ["CI", "PDSA"]
    assert by[3.5].nodes == ["M-OUT", "M-PROC"] and "2024-10-01" in by[3.5].evidence[0]
    assert by[4.0].nodes == ["M-OUT"]
    assert by[5.0].nodes == ["T2"]


def test_improvement_must_come_after_the_adopted_change_and_hold():
    # adopted after the last point: the shift cannot be the change's doing
    p = assess(ladder(9, adopted="2025-12-01").graph)["Q"]
    assert p.level == 3.0
    assert "on or after 2025-12-01" in p.checks[6].missing
    # adopted three points before the end: too few points to say it held
    p = assess(ladder(9, adopted="2025-07-01").graph)["Q"]
    assert p.level == 4.0
    assert "3 point(s) since the signal" in p.checks[8].missing
    # a point of concern since the signal: not sustained
    p = assess(ladder(9, spike=True).graph)["Q"]
    assert p.level == 4.0 and "special-cause concern" in p.checks[8].missing


def test_the_unit_must_watch_the_measure_and_spread_means_another_unit():
    p = assess(ladder(7).graph)["Q"]
    assert p.level == 4.0 and "no unit watches" in p.checks[8].missing
    g = ladder(8)
    g.edge("Q", "handsOverTo", "T1")  # handing over to the leading unit is not spread
    assert assess(g.graph)["Q"].level == 4.5


def test_a_recorded_level_above_the_evidence_is_a_finding_and_one_below_is_not():
    report = audit(ladder(4, recorded=4.0).graph)
    found = [f for f in report.findings if f.rule == "progress-not-evidenced"]
    assert [(f.node, f.severity) for f in found] == [("Q", "warning")]
    f = found[0]
    assert f.evidence.details == {"recorded": 4.0, "derived": 2.5, "next": f.evidence.details[
        "next"]}
    assert "records progress 4.0 (Significant improvement)" in f.message
    assert "evidences 2.5 (Changes tested, but no improvement)" in f.message
    assert "Adopt a tested change idea" in f.message
    for step, rec in ((4, 2.5), (4, 1.0), (9, 5.0)):
        report = audit(ladder(step, recorded=rec).graph)
        assert not [f for f in report.findings if f.rule == "progress-not-evidenced"]


def test_the_embedded_store_gives_the_same_progress_and_finding(tmp_path):
    g = ladder(5, recorded=4.5).graph
    with SQLiteStore(tmp_path / "p.qmsdb") as s:
        s.apply(changes_from_graph(g))
        assert s.progress() == assess(g)
        assert s.progress("Q")["Q"] == assess(g)["Q"]
        found = [f for f in s.audit().findings if f.rule == "progress-not-evidenced"]
        assert [(f.node, f.evidence.details["derived"]) for f in found] == [("Q", 3.0)]
        with pytest.raises(ValidationError, match="not an ImprovementProject"):
            s.progress("T1")
        # the recorded level updated to what the evidence shows: the finding goes
        node = s.get_node("Q").model_copy(update={"progress_recorded": 3.0})
        s.apply(ChangeSet(update_nodes=[(node, None, None)]))
        assert not [f for f in s.audit().findings if f.rule == "progress-not-evidenced"]


def test_bulk_field_reads_match_the_node_bodies(tmp_path):
    with SQLiteStore(tmp_path / "ex.qmsdb") as s:
        load_files(s, example_files())
        view = s.view()
        for kind, names in (("ImprovementProject", ("label", "status", "aim", "start_date",
                                                    "progress_recorded")),
                            ("Measure", ("measure_type", "target", "data")),
                            ("ChangeIdea", ("date",))):
            assert s.node_fields(kind, names) == graph_fields(view)(kind, names, None)
        assert s.recorded_progress() == Store.recorded_progress(s) == ["QI-P01", "QI-P02"]
        # one project's neighbourhood gives what the whole portfolio's arrays give
        whole = s.progress()
        for pid in view.ids("ImprovementProject"):
            assert s.progress(pid)[pid] == whole[pid], pid
        some = ["QI-007", "QI-P02", "M-FALLS"]
        assert set(s.node_fields("ImprovementProject", ("label",), some)) == {"QI-007",
                                                                              "QI-P02"}


def test_the_recorded_level_is_on_the_scale():
    for bad, why in ((2.3, "steps of 0.5"), (6, "less than or equal to 5"),
                     (0, "greater than or equal to 0.5")):
        with pytest.raises(ValidationError, match=why):
            make_node({"kind": "ImprovementProject", "id": "Q", "label": "Q",
                       "progress_recorded": bad})
    assert make_node({"kind": "ImprovementProject", "id": "Q", "label": "Q",
                      "progress_recorded": "3.5"}).progress_recorded == 3.5
