"""The second example organisation (a mental health and community trust): it uses every kind
and relation issue 12 added, every new rule fires on it, and an audit reports exactly the
problems planted in examples/EASTBROOK.md."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from qmsgraph import schema
from qmsgraph.io.rdf import shacl_validate
from qmsgraph.io.readers import load_files
from qmsgraph.stores import SQLiteStore

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "examples" / "EASTBROOK.md"
MODEL = ROOT / "examples" / "eastbrook.yaml"
NEW_KINDS = {"Tool", "PlanningTool", "ControlTool", "AssuranceTool", "ImprovementTool",
             "Lesson", "LearningCycle", "Responsibility"}
NEW_EDGES = {"uses", "hasResponsibility", "yields", "handsOverTo"}
NEW_RULES = {"informs-nothing", "need-not-addressed", "gains-not-held",
             "domain-without-measure", "domain-without-goal", "assurance-heavy-unit",
             "unit-without-planning", "locally-aligned"}


def planted() -> set[tuple[str, str]]:
    out = set()
    rows = [line for line in DOC.read_text(encoding="utf-8").splitlines()
            if re.match(r"^\| \d+ \|", line)]
    for line in rows:
        cells = [c.strip() for c in line.strip("|").split("|")]
        out |= {(cells[2], i) for i in re.findall(r"`([^`]+)`", cells[1])}
    return out


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = SQLiteStore(tmp_path_factory.mktemp("eb") / "eastbrook.qmsdb")
    load_files(s, [MODEL])
    yield s
    s.close()


def test_exactly_the_planted_problems(store):
    found = {(f.rule, f.node) for f in store.audit().findings}
    assert len(planted()) == 10
    assert found == planted()
    assert {r for r, _ in found} == NEW_RULES | {"progress-not-evidenced"}


def test_it_uses_every_new_kind_and_relation(store):
    g = store.graph()
    kinds = set(g.stats()["node_kinds"])
    assert NEW_KINDS - {"Tool"} <= kinds   # Tool itself: only its four aspect kinds
    assert {e.kind for e in g.edges()} >= NEW_EDGES | {"informs"}
    assert {n.enabler_type for n in g.nodes("Enabler")} == set(schema.DOQ_ENABLERS)
    roles = list(g.nodes("Role"))
    assert len(roles) == 5
    for r in roles:   # five roles x four aspects
        assert sorted(g.node(x).aspect for x in g.successors(r.id, "hasResponsibility")) \
            == sorted(schema.QMS_ASPECTS)
    assert any(getattr(n, "quadruple_aim", None) for n in g.nodes("Measure"))
    assert {n.frequency for n in g.nodes("Process")} >= {"yearly", "daily"}


def test_it_conforms_to_the_shapes(store):
    assert shacl_validate(store.graph()) == []


def test_the_generator_writes_the_committed_file(tmp_path):
    before = MODEL.read_bytes()
    subprocess.run([sys.executable, str(ROOT / "examples" / "generate_eastbrook.py")],
                   check=True)
    assert MODEL.read_bytes() == before


def test_the_system_map_draws_the_new_kinds_in_their_rows(store):
    from qmsgraph.visualisations import render_map

    graph, report = store.graph(), store.audit()
    html = render_map(graph, "system", report=report)
    for text in ("QMS tools", "Learning system", "Visual management board",
                 "90-day cycle: what does a QMS look like for us?", "Control tool"):
        assert text in html, text


def test_balance_on_the_cli_board_to_floor(tmp_path):
    import json

    from typer.testing import CliRunner

    from qmsgraph.cli import app

    runner = CliRunner()
    db = str(tmp_path / "eb.qmsdb")
    assert runner.invoke(app, ["load", "--store", db, str(MODEL)]).exit_code == 0
    r = runner.invoke(app, ["balance", "--store", db, "--format", "json"])
    assert r.exit_code == 0, r.output
    body = json.loads(r.output)
    assert body["units"]["T-CMHT-N"] == {"kind": "Team", "label": "North community mental "
                                         "health team", "QP": 1, "QC": 3, "QA": 5, "QI": 0}
    assert body["units"]["DIR-QUAL"]["QP"] == 0
    assert set(body["levels_percent"]) == {"Organisation", "Directorate", "Team"}
    for shares in body["levels_percent"].values():
        assert abs(sum(shares.values()) - 100) < 0.5
    table = runner.invoke(app, ["balance", "--store", db])
    assert table.exit_code == 0 and "Average share per level" in table.output
    assert runner.invoke(app, ["balance", "--store", db, "--format", "xml"]).exit_code != 0
