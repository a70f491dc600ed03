"""SPC of a measure: JSON with options from the query, SVG and PNG charts."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from qmsgraph.spc.graph import measure_spc
from qmsgraph.stores import SQLiteStore

from .conftest import spc_yaml


@pytest.fixture
def spc_measure(client: TestClient, planner) -> str:
    r = client.post("/import", headers=planner,
                    json={"files": [{"name": "spc.yaml", "content": spc_yaml()}]})
    assert r.status_code == 200, r.text
    return "M-spc"


def test_spc_json_matches_the_library(client: TestClient, viewer, store: SQLiteStore,
                                      spc_measure):
    r = client.get(f"/measures/{spc_measure}/spc", headers=viewer)
    assert r.status_code == 200, r.text
    body = r.json()
    expected = measure_spc(store.graph(), spc_measure).to_dict()
    assert body["measure"] == spc_measure and body["unit_of_measure"] == "per 1,000 bed days"
    assert body["points"] == expected["points"]
    assert body["variation_icon"] == expected["variation_icon"] == "concern_high"
    assert body["signals"] == expected["signals"]


def test_spc_options(client: TestClient, viewer, store: SQLiteStore, spc_measure):
    params = {"rebase": ["2023-05-01"], "fix_after_n_points": 12, "screen_outliers": False}
    r = client.get(f"/measures/{spc_measure}/spc", headers=viewer, params=params)
    assert r.status_code == 200, r.text
    opts = r.json()["options"]
    assert opts["rebase"] == ["2023-05-01"] and opts["fix_after_n_points"] == 12
    assert opts["screen_outliers"] is False and len(r.json()["groups"]) == 2
    expected = measure_spc(store.graph(), spc_measure, {
        "rebase": ("2023-05-01",), "fix_after_n_points": 12, "screen_outliers": False})
    assert r.json()["groups"] == expected.to_dict()["groups"]
    r = client.get(f"/measures/{spc_measure}/spc", headers=viewer,
                   params={"fix_after_n_points": 5})
    assert r.status_code == 422 and r.json()["field"] == "query.fix_after_n_points"
    r = client.get(f"/measures/{spc_measure}/spc", headers=viewer,
                   params={"rebase": "not-a-date"})
    assert r.status_code == 422


def test_spc_errors(client: TestClient, viewer, planner):
    assert client.get("/measures/ghost/spc", headers=viewer).status_code == 404
    r = client.get("/measures/G1/spc", headers=viewer)
    assert r.status_code == 422 and "not a Measure" in r.json()["detail"]
    client.post("/nodes", headers=planner, json={"id": "M0", "kind": "Measure", "label": "x",
                                                 "measure_type": "process"})
    r = client.get("/measures/M0/spc.svg", headers=viewer)
    assert r.status_code == 422 and "data point" in r.json()["detail"]


def test_charts(client: TestClient, viewer, spc_measure):
    r = client.get(f"/measures/{spc_measure}/spc.svg", headers=viewer)
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert r.text.lstrip().startswith("<?xml") and "Pressure ulcers" in r.text
    r = client.get(f"/measures/{spc_measure}/spc.png", headers=viewer,
                   params={"rebase": "2023-05-01"})
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.content[:8] == b"\x89PNG\r\n\x1a\n"
