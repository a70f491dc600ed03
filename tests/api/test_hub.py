"""The QI hub over the API (issue 20): GET /portfolio (JSON and CSV, filters validated) and
GET /projects/{id}/progress, in-process and against a real server."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from qmsgraph.api.app import create_app
from qmsgraph.api.settings import Settings
from qmsgraph.cli import example_files
from qmsgraph.io.readers import load_files
from qmsgraph.stores import SQLiteStore

from ..live import Server, make_keys, serve
from .conftest import bearer


@pytest.fixture(scope="module")
def nv_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hubapi") / "nv.qmsdb"
    with SQLiteStore(path) as s:
        load_files(s, example_files())
    return path


@pytest.fixture(scope="module")
def nv(nv_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    store = SQLiteStore(nv_path)
    app = create_app(store, Settings(store=str(nv_path)))
    key = app.state.qmsgraph.keys.create("viewer-hub", "viewer")[1]
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c, bearer(key)
    app.state.qmsgraph.keys.close()
    store.close()


def test_portfolio_json_and_filters(nv):
    c, h = nv
    r = c.get("/portfolio", headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    rows = {x["project"]: x for x in body["rows"]}
    assert rows["QI-007"]["progress"] == 4.5 and rows["QI-007"]["overlaps"] == ["QI-061"]
    assert rows["QI-P02"]["recorded"] == 4.0 and rows["QI-P02"]["supported"] is False
    assert {g["goal"] for g in body["goals"]} == {"G1", "G2", "G3", "G4"}
    assert body["units"] and body["filters"] == {"goal": None, "unit": None, "status": None}
    r = c.get("/portfolio", params={"status": "completed", "unit": "DIR-WF"}, headers=h)
    assert r.status_code == 200
    assert {x["status"] for x in r.json()["rows"]} == {"completed"}
    assert "QI-P01" in {x["project"] for x in r.json()["rows"]}
    # asking again before a change costs a look-up: the same bytes, an ETag
    again = c.get("/portfolio", params={"status": "completed", "unit": "DIR-WF"}, headers=h)
    assert again.content == r.content


def test_portfolio_csv(nv):
    c, h = nv
    r = c.get("/portfolio", params={"format": "csv", "goal": "G1", "status": "active"},
              headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][0] == "project" and "QI-007" in [x[0] for x in rows[1:]]
    assert all(x[2] == "active" and "G1" in x[14].split(";") for x in rows[1:])


def test_portfolio_bad_queries(nv):
    c, h = nv
    r = c.get("/portfolio", params={"stauts": "active"}, headers=h)
    assert r.status_code == 400 and r.json()["field"] == "stauts"
    r = c.get("/portfolio", params={"status": "done"}, headers=h)
    assert r.status_code == 422
    r = c.get("/portfolio", params={"format": "xlsx"}, headers=h)
    assert r.status_code == 422
    r = c.get("/portfolio", params={"goal": "NOPE"}, headers=h)
    assert r.status_code == 404 and "NOPE" in r.json()["detail"]
    r = c.get("/portfolio", params={"unit": "G1"}, headers=h)
    assert r.status_code == 422 and "not an OrganisationalUnit" in r.json()["detail"]
    assert c.get("/portfolio").status_code == 401


def test_project_progress(nv):
    c, h = nv
    r = c.get("/projects/QI-P01/progress", headers=h)
    assert r.status_code == 200, r.text
    d = r.json()
    assert (d["level"], d["name"], d["recorded"], d["supported"]) == (
        5.0, "Outstanding sustainable results", 5.0, True)
    assert [x["met"] for x in d["checks"]] == [True] * 10
    d = c.get("/projects/QI-P02/progress", headers=h).json()
    assert d["level"] == 2.5 and d["next"].startswith("3.0 (Modest improvement)")
    assert c.get("/projects/NOPE/progress", headers=h).status_code == 404
    r = c.get("/projects/G1/progress", headers=h)
    assert r.status_code == 422 and "not an ImprovementProject" in r.json()["detail"]
    assert c.get("/projects/QI-1/progress?x=1", headers=h).status_code == 400


def test_over_http(nv_path: Path, tmp_path: Path):
    with serve(nv_path, make_keys(nv_path), tmp_path / "server.log") as srv:
        _check_server(srv)


def _check_server(srv: Server) -> None:
    assert httpx.get(srv.url + "/portfolio", timeout=30).status_code == 401
    with srv.client("viewer", timeout=60) as v:
        r = v.get("/portfolio", params={"unit": "T-W7"})
        assert r.status_code == 200, r.text
        assert [x["project"] for x in r.json()["rows"]] == ["QI-007", "QI-058"]
        assert v.get("/portfolio", params={"format": "csv"}).text.startswith("project,")
        assert v.get("/portfolio", params={"statsu": "x"}).status_code == 400
        assert v.get("/projects/QI-007/progress").json()["level"] == 4.5
