"""Alignment routes give what the library gives (the API adds no rule of its own)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from qmsgraph.alignment import ProjectProposal, balance, matrix, scores
from qmsgraph.stores import SQLiteStore

ORPHAN = {"id": "QI-9", "kind": "ImprovementProject", "label": "Lonely project",
          "status": "active"}


@pytest.fixture
def orphan(client: TestClient, planner) -> None:
    assert client.post("/nodes", headers=planner, json=ORPHAN).status_code == 201
    assert client.post("/edges", headers=planner, json={
        "source": "ward-7", "kind": "leads", "target": "QI-9"}).status_code == 201


def test_audit_matches_the_store(client: TestClient, viewer, store: SQLiteStore, orphan):
    r = client.get("/alignment/audit", headers=viewer)
    assert r.status_code == 200
    body = r.json()
    report = store.audit()
    assert body["summary"] == report.summary()
    assert body["total"] == len(report.findings)
    assert [f["node"] for f in body["findings"]] == [f.node for f in report.findings]
    assert body["classification"]["QI-9"] == "orphaned"
    orphaned = next(f for f in body["findings"] if f["rule"] == "orphaned-work")
    assert orphaned["node"] == "QI-9" and "Lonely project" in orphaned["message"]


def test_audit_filters(client: TestClient, viewer, orphan):
    all_ = client.get("/alignment/audit", headers=viewer).json()
    r = client.get("/alignment/audit", headers=viewer, params={"rule": "orphaned-work"})
    assert {f["rule"] for f in r.json()["findings"]} == {"orphaned-work"}
    assert r.json()["summary"] == all_["summary"]
    r = client.get("/alignment/audit", headers=viewer, params={"severity": "error"})
    assert {f["severity"] for f in r.json()["findings"]} == {"error"}
    r = client.get("/alignment/audit", headers=viewer, params={"unit": "med"})
    assert "QI-9" in {f["node"] for f in r.json()["findings"]}
    assert set(r.json()["classification"]) == {"QI-1", "QI-9"}
    r = client.get("/alignment/audit", headers=viewer, params={"unit": "board",
                                                                "rule": "goal-without-work"})
    assert r.json()["findings"] == []
    assert client.get("/alignment/audit", headers=viewer,
                      params={"rule": "no-such-rule"}).status_code == 422
    assert client.get("/alignment/audit", headers=viewer,
                      params={"unit": "ghost"}).status_code == 404


def test_thread(client: TestClient, viewer, store: SQLiteStore, orphan):
    r = client.get("/alignment/thread/QI-1", headers=viewer)
    assert r.status_code == 200
    assert r.json() == store.thread("QI-1").model_dump(mode="json")
    path = [s["node"] for s in r.json()["threads"][0]["path"]]
    assert path == ["QI-1", "M1", "O1", "G1", "purpose"]
    broken = client.get("/alignment/thread/QI-9", headers=viewer).json()
    assert broken["broken"] is True
    assert client.get("/alignment/thread/ghost", headers=viewer).status_code == 404


def test_contributors(client: TestClient, viewer, store: SQLiteStore):
    r = client.get("/alignment/goals/G1/contributors", headers=viewer)
    assert r.status_code == 200
    assert r.json() == store.contributors("G1").model_dump(mode="json")
    assert [p["node"] for p in r.json()["projects"]] == ["QI-1"]
    assert client.get("/alignment/goals/M1/contributors", headers=viewer).status_code == 422
    assert client.get("/alignment/goals/ghost/contributors",
                      headers=viewer).status_code == 404


def test_matrix_balance_scores(client: TestClient, viewer, store: SQLiteStore, orphan):
    g = store.graph()
    r = client.get("/alignment/matrix", headers=viewer)
    assert r.status_code == 200 and r.json() == matrix(g).model_dump(mode="json")
    r = client.get("/alignment/balance", headers=viewer)
    assert r.status_code == 200 and r.json() == balance(g)
    r = client.get("/alignment/scores", headers=viewer)
    assert r.status_code == 200
    expected = scores(g, report=store.audit())
    assert r.json()["overall"] == expected["overall"].model_dump(mode="json")
    assert len(r.json()["units"]) == 3


def test_impact(client: TestClient, viewer, store: SQLiteStore):
    r = client.get("/alignment/impact/M1", headers=viewer)
    assert r.status_code == 200
    assert r.json() == store.impact("M1").model_dump(mode="json")
    assert "QI-1" in r.json()["loses_thread"]
    assert client.get("/alignment/impact/ghost", headers=viewer).status_code == 404


def test_check_project(client: TestClient, viewer, store: SQLiteStore):
    proposal = {"label": "Falls huddles on Ward 7", "aim": "Fewer falls", "unit": "ward-7",
                "measures": ["M1"], "sponsor": "dr-a", "declared_priority": "G1"}
    r = client.post("/check-project", headers=viewer, json=proposal)
    assert r.status_code == 200, r.text
    expected = store.check_project(ProjectProposal(**proposal))
    assert r.json() == expected.model_dump(mode="json")
    assert r.json()["duplicates"][0]["project"] == "QI-1"
    r = client.post("/check-project", headers=viewer,
                    json={"label": "x", "measures": ["ghost"]})
    assert r.status_code == 422 and r.json()["field"] == "measures"
    r = client.post("/check-project", headers=viewer, json={"label": "x", "colour": "red"})
    assert r.status_code == 422


def test_alignment_config_from_settings(tmp_path, store: SQLiteStore):
    from qmsgraph.api.app import create_app
    from qmsgraph.api.settings import Settings

    toml = tmp_path / "align.toml"
    toml.write_text('[alignment]\ndisabled_rules = ["measure-without-owner"]\n'
                    'severities = {"goal-not-serving-purpose" = "error"}\n')
    app = create_app(store, Settings(store=str(tmp_path / "x.qmsdb"), config=str(toml)))
    assert app.state.qmsgraph.config.disabled_rules == ["measure-without-owner"]
    app.state.qmsgraph.keys.close()


def test_maps_are_served_to_viewers(client: TestClient, viewer, planner):
    assert client.get("/map").status_code == 401
    r = client.get("/map", headers=viewer, params={"view": "thread", "focus": "QI-1"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "Falls collaborative" in r.text
    r = client.get("/map", headers=viewer, params={"view": "thread", "focus": "ghost"})
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    r = client.get("/board", headers=viewer)
    assert r.status_code == 200 and "Reduce avoidable harm" in r.text
