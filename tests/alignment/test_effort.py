"""Balance of effort by cadence (issue 12): each item weighed by how often it happens, per
unit with the units below it and per level, Board to floor; on the CLI, the API and the
Board page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qmsgraph.alignment.effort import PER_YEAR
from qmsgraph.cli import app
from qmsgraph.io.readers import load_files
from qmsgraph.stores import SQLiteStore

MODEL = """qmsgraph: 1
nodes:
  - {id: purpose, kind: Mission, label: Healthier lives}
  - {id: G1, kind: StrategicGoal, label: Safe care, status: active, serves: purpose}
  - {id: ORG, kind: Organisation, label: The Board}
  - {id: DIR, kind: Directorate, label: Medicine, unitOf: ORG}
  - {id: T1, kind: Team, label: "Ward <b>1</b>", unitOf: DIR}
  - {id: PR-HUDDLE, kind: Process, label: Huddle, process_type: mainstay, frequency: daily,
     owned_by: T1, supports: G1}
  - {id: PR-PLAN, kind: Process, label: Annual plan, process_type: driver, frequency: yearly,
     owned_by: DIR, supports: G1}
  - {id: M-W, kind: Measure, label: Weekly falls, measure_type: outcome, frequency: weekly,
     owned_by: T1, indicates: G1}
  - {id: M-M, kind: Measure, label: Monthly harm, measure_type: process, owned_by: T1,
     indicates: G1}
  - {id: AU, kind: Audit, label: Quarterly audit, frequency: quarterly, led_by: T1}
  - {id: TL-MFI, kind: ImprovementTool, label: Model for Improvement, used_by: [T1]}
  - {id: QI-1, kind: ImprovementProject, label: Falls project, status: active, led_by: T1,
     improves: M-W}
  - {id: T2, kind: Team, label: "Ward <i>2</i>", unitOf: DIR}
  - {id: QI-2, kind: ImprovementProject, label: Flow project, status: active, led_by: T2,
     improves: M-M}
"""


@pytest.fixture
def store(tmp_path: Path):
    (tmp_path / "m.yaml").write_text(MODEL, encoding="utf-8")
    s = SQLiteStore(tmp_path / "e.qmsdb")
    load_files(s, [tmp_path / "m.yaml"])
    yield s
    s.close()


def test_items_are_weighed_by_their_cadence(store):
    e = store.effort()
    team = next(u for u in e.units if u.unit == "T1")
    # control: a daily process, a weekly and a (default) monthly measure
    assert team.per_year["QC"] == PER_YEAR["daily"] + PER_YEAR["weekly"] + PER_YEAR["monthly"]
    assert team.items == {"QP": 0, "QC": 3, "QA": 1, "QI": 2}
    assert team.per_year["QA"] == PER_YEAR["quarterly"]
    assert team.per_year["QI"] == 2  # the project once, the tool with no cadence once
    assert team.no_cadence == 1 and team.level == "microsystem"
    assert sum(team.share.values()) == pytest.approx(100, abs=0.5)
    directorate = next(u for u in e.units if u.unit == "DIR")  # with the team below it
    assert directorate.per_year["QP"] == 1 and directorate.per_year["QC"] == 429
    assert directorate.per_year["QI"] == 3  # and the other team's project
    assert directorate.level == "middle management"
    assert e.no_cadence == 1


def test_levels_add_up_each_units_own_items(store):
    levels = {lv.level: lv for lv in store.effort().levels}
    assert set(levels) == {"Board", "middle management", "microsystem"}
    assert levels["Board"].items == {"QP": 0, "QC": 0, "QA": 0, "QI": 0}
    assert levels["Board"].share == {"QP": None, "QC": None, "QA": None, "QI": None}
    assert levels["middle management"].per_year == {"QP": 1, "QC": 0, "QA": 0, "QI": 0}
    assert levels["microsystem"].per_year["QC"] == 429
    assert levels["microsystem"].units == 2 and levels["microsystem"].per_year["QI"] == 3


def test_a_new_cadence_changes_the_answer(store):
    """Recording a frequency moves the figures: nothing is cached across revisions."""
    from qmsgraph.model import make_node, node_to_dict
    from qmsgraph.stores import ChangeSet

    node, version = store.node_version("TL-MFI")
    data = {**node_to_dict(node), "frequency": "weekly"}
    data.pop("provenance", None)
    store.apply(ChangeSet(update_nodes=[(make_node(data), version, None)]))
    team = next(u for u in store.effort().units if u.unit == "T1")
    assert team.per_year["QI"] == 1 + PER_YEAR["weekly"] and team.no_cadence == 0


def test_balance_on_the_cli_carries_the_cadence_view(store):
    path = str(store.path)
    store.close()
    r = CliRunner().invoke(app, ["balance", "--store", path, "--format", "json"])
    assert r.exit_code == 0, r.output
    body = json.loads(r.output)
    with SQLiteStore(path) as s:
        assert body["by_cadence"] == s.effort().model_dump(mode="json")
    text = CliRunner().invoke(app, ["balance", "--store", path])
    assert "Occasions a year by level" in text.output and "microsystem" in text.output


def test_the_api_and_the_board_page_show_it(store, tmp_path):
    from fastapi.testclient import TestClient

    from qmsgraph.api.app import create_app
    from qmsgraph.api.settings import Settings
    from qmsgraph.visualisations.commands import write_pages

    a = create_app(store, Settings(store=str(store.path)))
    key = a.state.qmsgraph.keys.create("v", "viewer")[1]
    with TestClient(a) as c:
        r = c.get("/alignment/effort", headers={"Authorization": f"Bearer {key}"})
        assert r.status_code == 200
        assert r.json() == store.effort().model_dump(mode="json")
        assert c.get("/alignment/effort").status_code == 401
    a.state.qmsgraph.keys.close()
    report = store.audit()
    assert [f.node for f in report.findings if f.rule == "unbalanced-unit"] == ["T2"]
    board, _ = write_pages(store.view(), report, store.spc_summaries(), tmp_path,
                           effort=store.effort())
    html = board.read_text(encoding="utf-8")
    section = html[html.index('id="effort-h"'):html.index("</section>", html.index(
        'id="effort-h"'))]
    assert "microsystem" in section and "unbalanced-unit" in section
    assert "Ward &lt;i&gt;2&lt;/i&gt;" in section  # the flagged unit, its label escaped
    assert "<i>2</i>" not in html
