"""check-project's overlap with past and live projects over the API (issue 20): in-process
and over HTTP against a real ``qmsgraph serve``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from qmsgraph.cli import example_files
from qmsgraph.io.readers import load_files
from qmsgraph.stores import SQLiteStore

from ..live import Server, make_keys, serve

EASTBROOK = Path(example_files()[0]).with_name("eastbrook.yaml")
PROPOSAL = yaml.safe_load(EASTBROOK.with_name("proposal-eastbrook-visits.yaml").read_text(
    encoding="utf-8"))


@pytest.fixture(scope="module")
def eastbrook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("eb") / "eb.qmsdb"
    s = SQLiteStore(path)
    load_files(s, [EASTBROOK])
    s.close()
    return path


def _check(body: dict) -> None:
    first = body["overlaps"][0]
    assert first["project"] == "EB-QI-O01" and first["status"] == "completed"
    assert first["same_unit"] is True and "districtnursing" in first["shared_terms"]
    assert [x["id"] for x in first["lessons"]] == ["EB-L-O01"]
    assert first["results"][0]["measure"] == "M-DN-VISITS"


def test_check_project_lists_overlaps_in_process(eastbrook: Path):
    from qmsgraph.api.app import create_app
    from qmsgraph.api.settings import Settings

    store = SQLiteStore(eastbrook)
    app = create_app(store, Settings(store=str(eastbrook)))
    key = app.state.qmsgraph.keys.create("v", "viewer")[1]
    with TestClient(app) as c:
        r = c.post("/check-project", json=PROPOSAL, headers={"Authorization": f"Bearer {key}"})
        assert r.status_code == 200, r.text
        _check(r.json())
        assert c.post("/check-project", json=PROPOSAL).status_code == 401
    app.state.qmsgraph.keys.close()
    store.close()


@pytest.fixture(scope="module")
def server(eastbrook: Path) -> Iterator[Server]:
    with serve(eastbrook, make_keys(eastbrook), eastbrook.with_name("server.log")) as srv:
        yield srv


def test_check_project_lists_overlaps_over_http(server: Server):
    with server.client("viewer") as v:
        r = v.post("/check-project", json=PROPOSAL)
        assert r.status_code == 200, r.text
        _check(r.json())
        schema = v.get("/openapi.json").json()["components"]["schemas"]
        assert "Overlap" in schema and "overlaps" in schema["ProjectCheck"]["properties"]
