"""The API, the maps, the Board page and the command line on a Neo4j store never read the
whole graph: ``Neo4jStore._pull`` (the only whole-graph read, behind ``graph()``) is made to
fail, then every read route, every map view, the Board page, every export format, an import,
a write and the CLI commands are driven against the real server; each must answer as usual.
(Exports still read every node and edge, page by page through the read view: that is their
answer, not a whole-graph pull.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from qmsgraph.api.app import create_app
from qmsgraph.api.settings import Settings
from qmsgraph.cli import app as cli_app
from qmsgraph.io.readers import load_files
from qmsgraph.stores.neo4j import Neo4jStore

from ..api.conftest import DATA, spc_yaml
from ..api.test_no_whole_graph import GETS

pytestmark = pytest.mark.neo4j

MORE_GETS = ["/map?view=driver&focus=QI-1", "/map?view=system&depth=1",
             "/map?view=findings&unit=ward-7", "/nodes?q=falls", "/nodes?status=active",
             "/edges?node=G1", "/edges?target=G1&kind=contributesTo", "/health"]


@pytest.fixture
def pulls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    def refuse(self: Neo4jStore, *a: object, **k: object) -> None:
        calls.append(self.url)
        raise AssertionError("the whole graph was pulled from Neo4j")

    monkeypatch.setattr(Neo4jStore, "_pull", refuse)
    return calls


@pytest.fixture
def client(neo: Neo4jStore, tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    load_files(neo, [DATA / "mini.yaml"])
    app = create_app(neo, Settings(store=neo.url, keys=str(tmp_path / "keys.db"),
                                   max_body=200_000))
    ks = app.state.qmsgraph.keys
    keys = {r: {"Authorization": f"Bearer {ks.create(f'{r}-key', r)[1]}"}
            for r in ("viewer", "planner")}
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c, keys
    ks.close()


def test_api_on_neo4j_never_pulls_the_whole_graph(client: tuple[TestClient, dict[str, str]],
                                                  pulls: list[str]) -> None:
    c, keys = client
    r = c.post("/import", headers=keys["planner"],
               json={"files": [{"name": "spc.yaml", "content": spc_yaml()}]})
    assert r.status_code == 200, r.text
    for path in [*GETS, *MORE_GETS]:
        r = c.get(path, headers=keys["viewer"])
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        assert r.content, path
    r = c.post("/check-project", headers=keys["viewer"],
               json={"label": "Falls", "measures": ["M1"], "unit": "ward-7"})
    assert r.status_code == 200, r.text
    r = c.get("/nodes/G1", headers=keys["viewer"])
    r = c.patch("/nodes/G1", headers={**keys["planner"], "If-Match": r.headers["etag"],
                                      "Content-Type": "application/merge-patch+json"},
                content='{"label": "Renamed on Neo4j"}')
    assert r.status_code == 200, r.text
    assert c.get("/nodes?q=renamed on", headers=keys["viewer"]).json()["items"][0]["id"] == "G1"
    r = c.get("/edges/QI-1/improves/M1", headers=keys["viewer"])
    assert r.status_code == 200 and r.json()["target"] == "M1"
    assert c.get("/edges/QI-1/improves/G1", headers=keys["viewer"]).status_code == 404
    assert pulls == []


def test_cli_on_neo4j_never_pulls_the_whole_graph(neo: Neo4jStore, neo4j_env: dict[str, str],
                                                  tmp_path: Path, pulls: list[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # `spc` writes its chart into the working directory
    (tmp_path / "spc.yaml").write_text(spc_yaml(), encoding="utf-8")
    load_files(neo, [DATA / "mini.yaml", tmp_path / "spc.yaml"])
    url = neo4j_env["QMSGRAPH_NEO4J_URI"]
    (tmp_path / "p.yaml").write_text("label: Falls\nmeasures: [M1]\nunit: ward-7\n",
                                     encoding="utf-8")
    runner = CliRunner()
    for args in (["board", "-o", str(tmp_path / "b" / "board.html")],
                 ["map", "--view", "system", "-o", str(tmp_path / "m.html")],
                 ["map", "--view", "unit", "--unit", "ward-7", "-o", str(tmp_path / "u.html")],
                 ["export", "--format", "yaml", "-o", str(tmp_path / "x.yaml")],
                 ["audit", "--format", "json"], ["thread", "QI-1"], ["matrix"], ["balance"],
                 ["scores"], ["stats"], ["impact", "M1"], ["contributors", "G1"],
                 ["check-project", str(tmp_path / "p.yaml")],
                 ["spc", "M-spc"], ["xmatrix", "-o", str(tmp_path / "x.xlsx")]):
        r = runner.invoke(cli_app, [*args, "--store", url])
        assert r.exit_code == 0, (args, r.output)
    assert (tmp_path / "b" / "map.html").read_text(encoding="utf-8").count("QI-1") > 0
    assert "QI-1" in (tmp_path / "x.yaml").read_text(encoding="utf-8")
    assert pulls == []
