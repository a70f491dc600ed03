"""A measure's chart type, denominators and rebases survive the Neo4j store, and its SPC
summary there (concern_measures, computed from the series pulled from the server) follows the
chart type as on the embedded store."""

from __future__ import annotations

from pathlib import Path

import yaml

from qmsgraph.io.readers import load_files
from qmsgraph.spc.measures import measure_chart
from tests.spc.test_qi_measures import model


def test_chart_data_round_trip_and_summary(neo, lite, tmp_path: Path) -> None:
    path = model(tmp_path)
    doc = yaml.safe_load(path.read_text())
    doc["nodes"][1]["data"][12]["rebase"] = "Safety cross on every shift"
    doc["nodes"][2]["direction"] = "decrease"  # so that its rise is a concern
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    for s in (neo, lite):
        load_files(s, [path])
    m_neo, m_lite = neo.view().node("M-RA"), lite.view().node("M-RA")
    assert m_neo.data == m_lite.data and m_neo.chart_type == m_lite.chart_type == "p"
    assert m_neo.data[0].denominator == 50
    assert m_neo.data[12].rebase == "Safety cross on every shift" and m_neo.data[11].rebase is None
    assert neo.view().node("M-X").data[0].denominator is None
    a = measure_chart(neo.view(), "M-RA").to_dict()
    b = measure_chart(lite.view(), "M-RA").to_dict()
    assert a == b and a["parts"][1]["part"] == 2
    unexplained = {"M-UNEXPLAINED"}  # same data, no rebase: twelve points above, a concern
    assert neo.concern_measures(12) >= unexplained and lite.concern_measures(12) >= unexplained
    assert neo.concern_measures(12) == lite.concern_measures(12)
