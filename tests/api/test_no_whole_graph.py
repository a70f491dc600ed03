"""The API, the maps and the Board page ask the store questions; none of them pulls the whole
graph (``Store.graph()``, a networkx graph of model objects) - the core issue's item 5.

``SQLiteStore.graph`` is replaced by a function that records the call and fails, then every
read route, every map view, the Board page, every export format, an import and the CLI page
commands are exercised; each must answer as usual and the graph must never be asked for.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from qmsgraph.cli import app as cli_app
from qmsgraph.stores.sqlite import SQLiteStore

from .conftest import spc_yaml

GETS = [
    "/nodes", "/nodes?kind=Measure", "/nodes?unit=ward-7", "/nodes/M1", "/edges",
    "/edges?source=QI-1", "/edges/QI-1/improves/M1",
    "/alignment/audit", "/alignment/audit?unit=ward-7", "/alignment/thread/QI-1",
    "/alignment/goals/G1/contributors", "/alignment/matrix", "/alignment/balance",
    "/alignment/scores", "/alignment/impact/M1", "/measures/M-spc/spc",
    "/measures/M-spc/spc.svg", "/export/ttl", "/export/jsonld", "/export/graphml",
    "/export/yaml", "/board", "/map", "/map?view=unit&unit=ward-7",
    "/map?view=thread&focus=QI-1", "/map?view=goal&focus=G1", "/map?view=findings",
    "/portfolio", "/portfolio?format=csv&unit=ward-7", "/projects/QI-1/progress",
]


@pytest.fixture
def no_graph(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    def graph(self: SQLiteStore) -> None:
        calls.append(self.path.name)
        raise AssertionError("Store.graph() called: the whole graph was pulled")

    monkeypatch.setattr(SQLiteStore, "graph", graph)
    return calls


def test_api_reads_never_pull_the_whole_graph(client: TestClient, store: SQLiteStore,
                                              viewer: dict[str, str],
                                              planner: dict[str, str],
                                              no_graph: list[str]) -> None:
    r = client.post("/import", headers=planner,
                    json={"files": [{"name": "spc.yaml", "content": spc_yaml()}]})
    assert r.status_code == 200, r.text
    for path in GETS:
        r = client.get(path, headers=viewer)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        assert r.content, path
    r = client.post("/check-project", headers=viewer,
                    json={"label": "Falls", "measures": ["M1"], "unit": "ward-7"})
    assert r.status_code == 200, r.text
    assert r.json()["verdict"] in ("aligned", "weak")
    assert no_graph == []


def test_page_commands_never_pull_the_whole_graph(store: SQLiteStore, tmp_path: Path,
                                                  no_graph: list[str]) -> None:
    path = str(store.path)
    store.close()
    runner = CliRunner()
    for args in (["board", "-o", str(tmp_path / "b" / "board.html")],
                 ["map", "--view", "system", "-o", str(tmp_path / "m.html")],
                 ["export", "--format", "yaml", "-o", str(tmp_path / "x.yaml")],
                 ["audit", "--format", "json"], ["thread", "QI-1"],
                 ["portfolio", "--format", "json"], ["progress", "QI-1"]):
        r = runner.invoke(cli_app, [*args, "--store", path])
        assert r.exit_code == 0, (args, r.output)
    assert (tmp_path / "b" / "map.html").read_text(encoding="utf-8").count("QI-1") > 0
    assert "QI-1" in (tmp_path / "x.yaml").read_text(encoding="utf-8")
    assert no_graph == []
